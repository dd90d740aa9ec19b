"""The batch cmdlets from the command line: request objects read from standard input, waits,
outputs one JSON line per result, and real processes piped into each other.

In process (``run_main``) retry waits are recorded, and the bundled server moves a batch one status
per read, so a wait ends after a few reads. The processes piped for real run against a server that
finishes batches at once (``Progression.immediate``): their first read finds the batch done, so
nothing waits for real.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from cli_support import cli, environment, json_lines, run_main

from pyopenai_ps.server import Progression

ENDPOINT = "/v1/chat/completions"


def requests_jsonl(*custom_ids: str) -> str:
    return "".join(json.dumps({"custom_id": c, "method": "POST", "url": ENDPOINT,
                               "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": c}]}}) + "\n"
                   for c in custom_ids)


def test_start_reads_request_objects_from_standard_input(srv):
    done = run_main(srv, "Start-Batch", "-MetaData:@{job='cli'}", input=requests_jsonl("a", "b"))
    assert done.returncode == 0, done.stderr
    (batch,) = json_lines(done.stdout)
    assert batch["status"] == "validating" and batch["metadata"] == {"job": "cli"}
    assert batch["created_at"].endswith("+00:00")  # dates in ISO 8601
    upload = srv.requests[0]
    assert [json.loads(x)["custom_id"] for x in upload.part("file").data.splitlines()] == ["a", "b"]


def test_a_line_that_is_not_a_request_object_uploads_nothing(srv):
    done = run_main(srv, "Start-Batch", input=requests_jsonl("a") + '{"custom_id": "b"}\n' + requests_jsonl("c"))
    assert done.returncode == 2 and srv.requests == []  # a binding error: nothing sent
    assert "Start-Batch: Cannot validate argument on parameter 'InputObject'." in done.stderr
    assert "has no 'method'" in done.stderr and "Traceback" not in done.stderr


def test_wait_then_output_with_verbose_polls(srv):
    started = json_lines(run_main(srv, "Start-Batch", input=requests_jsonl("q1", "q2")).stdout)[0]
    waited = run_main(srv, "Wait-Batch", started["id"], "-Verbose")
    assert waited.returncode == 0, waited.stderr
    assert json_lines(waited.stdout)[0]["status"] == "completed"
    polls = [line for line in waited.stderr.splitlines() if line.startswith("VERBOSE: GET ")]
    assert len(polls) == 3 and all(line.endswith(f"/v1/batches/{started['id']}") for line in polls)
    out = run_main(srv, "--format", "table", "Get-BatchOutput", started["id"])
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].split() == ["custom_id", "id", "error"]
    assert [line.split()[0] for line in out.stdout.splitlines()[2:]] == ["q1", "q2"]


def test_output_lines_as_json(srv):
    done = run_main(srv, "--property", "custom_id,response", "Get-BatchOutput", "batch_abc121")
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    assert [line["custom_id"] for line in lines] == ["request-1", "request-2"]
    body = lines[0]["response"]["body"]
    assert body["Answer"] == ["You said: What is 2 + 2?"] and body["created"].endswith("+00:00")


def test_get_output_of_an_unfinished_batch_says_so(srv):
    done = run_main(srv, "Get-BatchOutput", "batch_abc123")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == ("Get-BatchOutput: The batch batch_abc123 has no output file (its status is "
                           "in_progress); give -Wait to wait until it is done.\n")


def test_stop_with_wait_and_pass_thru(srv):
    started = json_lines(run_main(srv, "Start-Batch", input=requests_jsonl("x")).stdout)[0]
    done = run_main(srv, "-c", f"Get-Batch {started['id']} | Stop-Batch -Wait -PassThru")
    assert done.returncode == 0, done.stderr
    assert [b["status"] for b in json_lines(done.stdout)] == ["cancelled"]
    refused = run_main(srv, "Stop-Batch", "batch_abc121")
    assert refused.returncode == 1 and "The batch batch_abc121 was not cancelled." in refused.stderr


def test_file_batch_wait_and_stop_wait(srv):
    store = "vs_abc123"
    line = f"Start-VectorStoreFileBatch {store} -FileId file-abc123 | Wait-VectorStoreFileBatch"
    done = run_main(srv, "-c", line)
    assert done.returncode == 0, done.stderr
    (batch,) = json_lines(done.stdout)
    assert (batch["status"], batch["file_counts"]["completed"]) == ("completed", 1)
    srv.store.progression = Progression.manual()
    other = json_lines(run_main(srv, "Start-VectorStoreFileBatch", store, "-FileId", "file-abc123").stdout)[0]
    srv.store.progression = Progression.per_poll()
    stopped = run_main(srv, "Stop-VectorStoreFileBatch", store, other["id"], "-Wait", "-PassThru")
    assert stopped.returncode == 0, stopped.stderr
    assert [b["status"] for b in json_lines(stopped.stdout)] == ["cancelled"]


@pytest.mark.parametrize("args", [["Wait-Batch", "batch_abc121", "-StatusForWait", "done"],
                                  ["Stop-VectorStoreFileBatch", "vs_abc123", "vsfb_1", "-Wait", "-Force"]])
def test_usage_errors_send_nothing(srv, args):
    done = run_main(srv, *args)
    assert done.returncode == 2 and srv.requests == []


def test_start_wait_output_as_three_processes(srv, tmp_path):
    """``pyopenai-ps Start-Batch < requests.jsonl | pyopenai-ps Wait-Batch | pyopenai-ps Get-BatchOutput``."""
    srv.store.progression = Progression.immediate()
    inputs = tmp_path / "requests.jsonl"
    inputs.write_text(requests_jsonl("one", "two", "three"), encoding="utf-8")
    env = environment(srv.base_url)
    with open(inputs, encoding="utf-8") as source:
        first = subprocess.Popen([*cli(), "Start-Batch"], stdin=source, stdout=subprocess.PIPE, env=env)
    second = subprocess.Popen([*cli(), "Wait-Batch"], stdin=first.stdout, stdout=subprocess.PIPE, env=env)
    first.stdout.close()
    try:
        third = subprocess.run([*cli(), "Get-BatchOutput"], stdin=second.stdout, capture_output=True, text=True,
                               env=env, timeout=60)
    finally:
        second.stdout.close()
        first.wait(timeout=30)
        second.wait(timeout=30)
    assert (first.returncode, second.returncode, third.returncode) == (0, 0, 0), third.stderr
    assert [line["custom_id"] for line in json_lines(third.stdout)] == ["one", "two", "three"]
    assert [(r.method, r.path) for r in srv.requests][:2] == [("POST", "/v1/files"), ("POST", "/v1/batches")]
