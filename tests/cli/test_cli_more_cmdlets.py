"""The spec-only cmdlets from the command line, three processes chained as in PowerShell."""

from __future__ import annotations

import json
import subprocess

import pytest
from cli_support import cli, environment, json_lines, run_main


@pytest.mark.parametrize("args, ids", [
    (["Get-Thread", "thread_abc123"], ["thread_abc123"]),
    (["Get-ThreadMessage", "-Thread", "thread_abc123", "-MessageId", "msg_abc123"], ["msg_abc123"]),
    (["-c", "Get-ThreadRun thread_abc123 -RunId run_abc123 | Get-ThreadRunStep -All"],
     ["step_abc121", "step_abc122", "step_abc123"]),
    (["Get-Assistant", "-Limit", "2", "-Order", "desc"], ["asst_abc123", "asst_abc122"]),
    (["Get-Batch", "batch_abc123"], ["batch_abc123"]),
])
def test_each_cmdlet(srv, args, ids):
    done = run_main(srv, *args)
    assert done.returncode == 0, done.stderr
    assert [item["id"] for item in json_lines(done.stdout)] == ids


def test_three_processes_chained(srv):
    env = environment(srv.base_url)
    first = subprocess.Popen([*cli(), "Get-Thread", "thread_abc123"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, env=env)
    second = subprocess.Popen([*cli(), "Get-ThreadRun", "-All"], stdin=first.stdout, stdout=subprocess.PIPE, env=env)
    first.stdout.close()
    try:
        third = subprocess.run([*cli(), "Get-ThreadRunStep", "-All"], stdin=second.stdout, capture_output=True,
                               text=True, env=env, timeout=60)
    finally:
        second.stdout.close()
        first.wait(timeout=30)
        second.wait(timeout=30)
    assert (first.returncode, second.returncode, third.returncode) == (0, 0, 0), third.stderr
    assert [step["id"] for step in json_lines(third.stdout)] == ["step_abc121", "step_abc122", "step_abc123"]


def test_help_of_a_spec_only_cmdlet(srv):
    done = run_main(srv, "Get-Batch", "-?")
    assert done.returncode == 0 and "    Get-Batch\n" in done.stdout and "-ApiType <OpenAIApiType>" in done.stdout


@pytest.mark.parametrize("args", [
    ["Get-ThreadRun", "thread_abc123", "-ApiKey=sk-proj-TYPEDKEYneverSHOWN0123456789"],
    ["-c", "Get-ThreadRun thread_abc123 -ApiKey @(sk-proj-TYPEDKEYneverSHOWN0123456789)"],
    ["Get-ThreadRun", "thread_abc123", "sk-proj-TYPEDKEYneverSHOWN0123456789"],
])
def test_a_key_typed_in_a_malformed_way_is_not_echoed(srv, args):
    done = run_main(srv, *args)
    assert done.returncode == 2 and srv.requests == []
    assert "TYPEDKEYneverSHOWN" not in done.stdout + done.stderr


def test_main_in_process_gives_the_logger_back(srv, monkeypatch, capsys):
    import logging

    from pyopenai_ps.cli import main

    monkeypatch.setenv("OPENAI_API_BASE", srv.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-in-process-0123456789")
    logger = logging.getLogger("pyopenai_ps")
    before = (logger.level, logger.propagate, list(logger.handlers))
    counts = []
    for _ in range(2):
        assert main(["Get-ThreadRun", "-RunId", "run_abc123", "-Thread", "thread_abc123", "-Verbose"]) == 0
        counts.append(capsys.readouterr().err.count("VERBOSE: GET "))
    assert counts == [1, 1]  # no handler left behind to print twice
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


# --- words as values: lists for collection parameters, literals that start with @ --------------------


def _last_body(srv) -> dict:
    return json.loads(srv.requests[-1].body)


@pytest.mark.parametrize("words", [["-FileId", "file-abc123,file-abc456"], ["-FileId:file-abc123,file-abc456"]])
def test_a_comma_word_given_to_a_collection_parameter_is_a_list(srv, words):
    done = run_main(srv, "Start-VectorStoreFileBatch", "vs_abc123", *words)
    assert done.returncode == 0, done.stderr
    assert _last_body(srv)["file_ids"] == ["file-abc123", "file-abc456"]


def test_a_comma_word_with_a_space_stays_one_value(srv):
    done = run_main(srv, "Start-VectorStoreFileBatch", "vs_abc123", "-FileId", "file-abc123, file-abc456")
    assert _last_body(srv)["file_ids"] == ["file-abc123, file-abc456"]  # one (unknown) id, as the shell gave it
    assert done.returncode == 1


def test_a_message_list_parameter_never_splits_a_word(srv):
    done = run_main(srv, "New-Thread", "-Messages", "Hi,there")  # Object[]: a message may hold commas
    assert done.returncode == 0, done.stderr
    assert [m["content"] for m in _last_body(srv)["messages"]] == ["Hi,there"]


def test_a_comma_word_given_to_a_plain_string_stays_one_value(srv):
    done = run_main(srv, "Add-ThreadMessage", "-Thread", "thread_abc123", "-Message", "Hello, world")
    assert done.returncode == 0, done.stderr
    assert "Hello, world" in json.dumps(_last_body(srv))


@pytest.mark.parametrize("words", [["-MetaData", "@{a='x'}"], ["-MetaData:@{a='x'}"]])
def test_a_hashtable_word_is_a_hashtable_in_both_forms(srv, words):
    done = run_main(srv, "New-Thread", *words)
    assert done.returncode == 0, done.stderr
    assert _last_body(srv)["metadata"] == {"a": "x"}


def test_a_quoted_colon_value_stays_one_value(srv):
    done = run_main(srv, "Start-VectorStoreFileBatch", "vs_abc123", "-FileId:'file-abc123,file-abc456'")
    assert _last_body(srv)["file_ids"] == ["file-abc123,file-abc456"] and done.returncode == 1


@pytest.mark.parametrize("words", [["-Message", "@(Joe) said hi"], ["-Message:@(Joe) said hi"]])
def test_a_word_that_only_starts_like_a_literal_is_sent_as_typed(srv, words):
    done = run_main(srv, "Add-ThreadMessage", "-Thread", "thread_abc123", *words)
    assert done.returncode == 0, done.stderr
    assert "@(Joe) said hi" in json.dumps(_last_body(srv))


def test_after_a_double_dash_an_at_word_is_a_plain_value(srv):
    done = run_main(srv, "Add-ThreadMessage", "-Thread", "thread_abc123", "-Message", "--", "@{a=1}")
    assert done.returncode == 0, done.stderr
    assert "@{a=1}" in json.dumps(_last_body(srv))
