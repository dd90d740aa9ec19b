"""Get-OpenAIFile, Register-OpenAIFile, Remove-OpenAIFile and Get-OpenAIFileContent against the
bundled server: multipart bodies byte for byte, streamed uploads and downloads, files written
whole or not at all, and bad input refused before any request.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from datetime import datetime, timezone

import pytest
from cli_support import cli, environment, run, run_on_terminal

import pyopenai_ps as ps
from pyopenai_ps import MissingValueError, NotFoundError, ParameterBindingError
from pyopenai_ps.cli.main import main
from pyopenai_ps.server import Fault

FILES = "/v1/files"
FAQ = b"# FAQ\n\nQ: How do I reset my password?\nA: Use the 'Forgot password' link.\n"


def form(boundary: str, *parts: tuple[str, str | None, str, bytes]) -> bytes:
    """The multipart body we expect: (name, filename, content type, content) per part."""
    out = b""
    for name, filename, content_type, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
                .encode() + content + b"\r\n")
    return out + f"--{boundary}--\r\n".encode()


def boundary_of(request) -> str:
    match = re.fullmatch(r"multipart/form-data; boundary=(\S+)", request.headers["content-type"])
    assert match, request.headers["content-type"]
    return match.group(1)


def uploads(server):
    return [r for r in server.requests if r.method == "POST" and r.path == FILES]


@pytest.fixture
def data_file(tmp_path):
    path = tmp_path / "my-data.jsonl"
    path.write_bytes(b'{"prompt": "a", "completion": "b"}\n' * 3)
    return path


class TestRegister:
    def test_a_path_is_sent_as_a_file_part_then_the_purpose(self, api, data_file):
        uploaded = ps.register_openai_file(file=str(data_file), purpose="Fine-Tune")
        request = api.requests[-1]
        assert (request.method, request.target) == ("POST", FILES)
        assert request.body == form(boundary_of(request),
                                    ("file", "my-data.jsonl", "application/octet-stream", data_file.read_bytes()),
                                    ("purpose", None, "text/plain; charset=utf-8", b"fine-tune"))
        assert int(request.headers["content-length"]) == len(request.body)
        assert "openai-beta" not in request.headers
        assert uploaded.type_names[0] == "PSOpenAI.File" and uploaded.filename == "my-data.jsonl"
        assert uploaded.bytes == data_file.stat().st_size and uploaded.purpose == "fine-tune"
        assert uploaded.created_at.tzinfo is timezone.utc
        assert ps.get_openai_file_content(uploaded.id) == data_file.read_bytes()

    def test_content_type_comes_from_the_name(self, api, tmp_path):
        (tmp_path / "sweets_donut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
        ps.invoke(f"Register-OpenAIFile -File '{tmp_path / 'sweets_donut.png'}' -Purpose assistants")
        part = api.requests[-1].part("file")
        assert (part.filename, part.content_type, part.size) == ("sweets_donut.png", "image/png", 264)

    def test_bytes_with_a_name(self, api):
        uploaded = ps.register_openai_file(content=b"abc", name="test.txt", purpose="assistants")
        request = api.requests[-1]
        assert request.body == form(boundary_of(request), ("file", "test.txt", "text/plain", b"abc"),
                                    ("purpose", None, "text/plain; charset=utf-8", b"assistants"))
        assert uploaded.filename == "test.txt" and uploaded.bytes == 3

    def test_bytes_from_a_line(self, api):
        ps.invoke("Register-OpenAIFile -Content 104,105 -Name 'hello.txt' -Purpose assistants")
        assert api.requests[-1].part("file").data == b"hi"

    def test_an_open_binary_file_is_streamed_from_where_it_stands(self, api, data_file):
        with open(data_file, "rb") as handle:
            handle.seek(10)
            ps.register_openai_file(content=handle, name="tail.jsonl", purpose="batch")
            assert not handle.closed  # the caller's file stays open
        assert api.requests[-1].part("file").data == data_file.read_bytes()[10:]

    def test_a_stream_that_cannot_seek(self, api, data_file):
        reader = os.popen(f"cat '{data_file}'", mode="r").buffer  # a pipe: no seek
        try:
            ps.register_openai_file(content=reader, name="piped.jsonl", purpose="batch")
        finally:
            reader.close()
        assert api.requests[-1].part("file").data == data_file.read_bytes()

    def test_a_non_latin_file_name(self, api, tmp_path):
        path = tmp_path / "日本語テキスト.txt"
        path.write_text("こんにちは", encoding="utf-8")
        uploaded = ps.register_openai_file(path, purpose="assistants")  # a Path converts to its text
        assert uploaded.filename == "日本語テキスト.txt"
        assert api.requests[-1].part("file").data == "こんにちは".encode()

    def test_piped_paths_are_uploaded_one_by_one(self, api, tmp_path):
        paths = []
        for n in range(3):
            paths.append(tmp_path / f"part{n}.txt")
            paths[-1].write_bytes(b"x" * (n + 1))
        out = ps.get_command("Register-OpenAIFile").pipe([str(paths[0]), paths[1], paths[2]], purpose="assistants")
        assert [f.filename for f in out] == ["part0.txt", "part1.txt", "part2.txt"]
        assert [r.part("file").size for r in uploads(api)] == [1, 2, 3]

    def test_the_same_call_again_reads_the_file_again(self, api, data_file):
        ps.register_openai_file(file=str(data_file), purpose="assistants")
        data_file.write_bytes(b"changed and longer than before " * 10)
        ps.register_openai_file(file=str(data_file), purpose="assistants")  # the recent-call cache reuses the plan
        data_file.unlink()
        with pytest.raises(MissingValueError):
            ps.register_openai_file(file=str(data_file), purpose="assistants")
        assert [r.part("file").data for r in uploads(api)][1:] == [b"changed and longer than before " * 10]
        assert len(uploads(api)) == 2

    def test_a_missing_file_sends_nothing(self, api, tmp_path):
        with pytest.raises(MissingValueError, match="does not exist or is not a file"):
            ps.register_openai_file(file=str(tmp_path / "notexist.txt"), purpose="assistants")
        with pytest.raises(MissingValueError):
            ps.register_openai_file(file=str(tmp_path), purpose="assistants")  # a folder
        assert api.requests == []

    @pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
    def test_an_unreadable_file_sends_nothing(self, api, data_file):
        data_file.chmod(0)
        with pytest.raises(MissingValueError, match="cannot be read"):
            ps.register_openai_file(file=str(data_file), purpose="assistants")
        assert api.requests == []

    def test_continue_goes_on_past_a_missing_file(self, api, data_file, tmp_path):
        errors: list = []
        out = ps.get_command("Register-OpenAIFile").pipe([str(tmp_path / "gone.txt"), str(data_file)],
                                                       purpose="assistants", error_action="SilentlyContinue",
                                                       error_variable=errors)
        assert [f.filename for f in out] == ["my-data.jsonl"] and len(errors) == 1
        assert len(uploads(api)) == 1

    def test_binding_errors_send_nothing(self, api, data_file):
        for call in (lambda: ps.invoke(f"Register-OpenAIFile -File '{data_file}'"),          # no -Purpose
                     lambda: ps.invoke("Register-OpenAIFile -Content 1,2 -Purpose assistants"),  # no -Name
                     lambda: ps.register_openai_file(content=b"", name="e.txt", purpose="assistants"),
                     lambda: ps.register_openai_file(content="text", name="t.txt", purpose="assistants"),
                     lambda: ps.invoke("Register-OpenAIFile -Content 256 -Name 'x.bin' -Purpose assistants")):
            with pytest.raises(ParameterBindingError):
                call()
        assert api.requests == []

    def test_a_retry_sends_the_whole_file_again(self, api, data_file, recorded_sleeps):
        api.inject(Fault.status(500), path=FILES)
        uploaded = ps.register_openai_file(file=str(data_file), purpose="assistants", max_retry_count=1)
        first, second = uploads(api)
        assert first.body_sha256 == second.body_sha256 and first.body_size == second.body_size
        assert second.part("file").data == data_file.read_bytes() and uploaded.bytes == data_file.stat().st_size
        assert len(recorded_sleeps) == 1

    def test_the_api_refuses_a_purpose(self, api, data_file):
        with pytest.raises(ps.BadRequestError, match="purpose"):
            ps.register_openai_file(file=str(data_file), purpose="nonsense")

    def test_additional_body_has_no_effect_on_a_form(self, api, data_file, caplog):
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            ps.register_openai_file(file=str(data_file), purpose="assistants", additional_body={"x": 1})
        assert any("-AdditionalBody has no effect" in r.getMessage() for r in caplog.records)
        assert [p.name for p in api.requests[-1].parts] == ["file", "purpose"]

    def test_debug_shows_the_form_not_the_file(self, api, data_file, caplog):
        with caplog.at_level(logging.DEBUG, logger="pyopenai_ps"):
            ps.register_openai_file(file=str(data_file), purpose="assistants", debug=True)
        size = data_file.stat().st_size
        assert (f"Request form: file=<file 'my-data.jsonl', {size} bytes>, purpose='assistants'"
                in [r.getMessage() for r in caplog.records])


class TestGetAndRemove:
    def test_get_one_by_id(self, api):
        found = ps.get_openai_file("file-abc456")
        assert api.requests[-1].target == FILES + "/file-abc456"
        assert found.type_names[0] == "PSOpenAI.File" and found.filename == "faq.md"
        assert isinstance(found.created_at, datetime)

    def test_list_and_purpose(self, api):
        everything = ps.get_openai_file()
        assert api.requests[-1].target == FILES and isinstance(everything, list)
        assert {f.id for f in everything} == {"file-abc123", "file-out123", "file-abc456"}
        batch = ps.invoke("Get-OpenAIFile -Purpose BATCH")
        assert api.requests[-1].target == FILES + "?purpose=batch" and [f.id for f in batch] == ["file-abc123"]

    def test_piped_objects_are_read_again(self, api):
        out = ps.get_command("Get-OpenAIFile").pipe([{"file_id": "file-abc123", "object": "file"}, "file-abc456"])
        assert [r.target for r in api.requests] == [FILES + "/file-abc123", FILES + "/file-abc456"]
        assert [f.id for f in out] == ["file-abc123", "file-abc456"]

    def test_unknown_file(self, api):
        with pytest.raises(NotFoundError):
            ps.get_openai_file("file-nope")

    def test_remove(self, api, data_file):
        uploaded = ps.register_openai_file(file=str(data_file), purpose="assistants")
        assert ps.remove_openai_file(uploaded.id) is None
        request = api.requests[-1]
        assert (request.method, request.target, request.body) == ("DELETE", f"{FILES}/{uploaded.id}", b"")
        assert "content-type" not in request.headers
        with pytest.raises(NotFoundError):
            ps.get_openai_file(uploaded.id)

    def test_remove_from_a_listing(self, api):
        assert ps.invoke("Get-OpenAIFile -Purpose 'batch' | Remove-OpenAIFile") == []
        assert [r.target for r in api.requests if r.method == "DELETE"] == [FILES + "/file-abc123"]

    def test_remove_failure_says_what_was_not_removed(self, api):
        with pytest.raises(NotFoundError, match="The file file-nope was not removed.$"):
            ps.invoke("Remove-OpenAIFile -Id 'file-nope'")

    def test_remove_verbose(self, api, caplog):
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            ps.remove_openai_file("file-abc456", verbose=True)
        assert "The file file-abc456 is deleted." in [r.getMessage() for r in caplog.records]

    def test_empty_ids_are_binding_errors(self, api):
        for line in ("Get-OpenAIFile -Id ''", "Remove-OpenAIFile -Id ''", "Get-OpenAIFileContent ''"):
            with pytest.raises(ParameterBindingError):
                ps.invoke(line)
        assert api.requests == []


class TestContent:
    def test_bytes_are_returned(self, api):
        content = ps.get_openai_file_content("file-abc456")
        assert content == FAQ and api.requests[-1].target == FILES + "/file-abc456/content"
        assert ps.invoke("Get-OpenAIFileContent -Id 'file-abc456'") == [FAQ]

    def test_out_file_is_written_and_nothing_returned(self, api, tmp_path):
        target = tmp_path / "faq.md"
        assert ps.get_openai_file_content("file-abc456", out_file=str(target)) is None
        assert target.read_bytes() == FAQ and os.listdir(tmp_path) == ["faq.md"]

    def test_an_existing_file_is_replaced(self, api, tmp_path):
        target = tmp_path / "faq.md"
        target.write_bytes(b"old and longer than the new content " * 10)
        ps.invoke(f"'file-abc456' | Get-OpenAIFileContent -OutFile '{target}'")
        assert target.read_bytes() == FAQ

    def test_a_relative_path_is_from_the_current_folder(self, api, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        ps.get_openai_file_content("file-abc456", out_file="relative.md")
        assert (tmp_path / "relative.md").read_bytes() == FAQ

    def test_a_missing_folder_fails_before_any_request(self, api, tmp_path):
        target = tmp_path / "missing" / "faq.md"
        with pytest.raises(MissingValueError, match="does not exist"):
            ps.get_openai_file_content("file-abc456", out_file=str(target))
        with pytest.raises(MissingValueError, match="is a folder"):
            ps.get_openai_file_content("file-abc456", out_file=str(tmp_path))
        assert api.requests == [] and os.listdir(tmp_path) == []

    def test_a_cut_off_download_leaves_the_old_file_and_no_part(self, api, tmp_path):
        target = tmp_path / "faq.md"
        target.write_bytes(b"before")
        api.inject(Fault.truncated(keep_bytes=10), path=FILES + "/file-abc456/content")
        with pytest.raises(ps.APIConnectionError):
            ps.get_openai_file_content("file-abc456", out_file=str(target))
        assert target.read_bytes() == b"before" and os.listdir(tmp_path) == ["faq.md"]

    def test_an_api_error_writes_nothing(self, api, tmp_path):
        with pytest.raises(NotFoundError):
            ps.get_openai_file_content("file-nope", out_file=str(tmp_path / "x"))
        assert os.listdir(tmp_path) == []

    def test_a_large_file_round_trips(self, api, tmp_path):
        source = tmp_path / "big.bin"
        block = bytes(range(256)) * 4096  # 1 MiB
        with open(source, "wb") as handle:
            for n in range(5):
                handle.write(block[n:] + block[:n])
        uploaded = ps.register_openai_file(file=str(source), purpose="assistants")
        assert api.requests[-1].body_size > source.stat().st_size
        ps.get_openai_file_content(uploaded.id, out_file=str(tmp_path / "copy.bin"))
        assert (tmp_path / "copy.bin").read_bytes() == source.read_bytes()

    def test_verbose_says_where_it_wrote(self, api, tmp_path, caplog):
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            ps.get_openai_file_content("file-abc456", out_file=str(tmp_path / "faq.md"), verbose=True)
        assert f"Wrote {len(FAQ)} bytes to {tmp_path / 'faq.md'}" in [r.getMessage() for r in caplog.records]


class TestCommandLine:
    def test_in_process(self, api, capsysbinary, tmp_path, data_file):
        assert main(["Get-OpenAIFileContent", "file-abc456"]) == 0
        assert capsysbinary.readouterr().out == FAQ  # the bytes as they are, in every format
        assert main(["--format", "json", "Get-OpenAIFileContent", "file-abc456"]) == 0
        assert capsysbinary.readouterr().out == FAQ
        assert main(["Get-OpenAIFileContent", "file-abc456", "-OutFile", str(tmp_path / "out.md")]) == 0
        assert capsysbinary.readouterr().out == b"" and (tmp_path / "out.md").read_bytes() == FAQ
        assert main(["Get-OpenAIFileContent", "file-abc456", "-OutFile", str(tmp_path / "no" / "out.md")]) == 1
        assert b"does not exist" in capsysbinary.readouterr().err
        assert main(["Register-OpenAIFile", str(data_file), "-Purpose", "assistants"]) == 0
        uploaded = json.loads(capsysbinary.readouterr().out)
        assert uploaded["filename"] == "my-data.jsonl" and uploaded["created_at"].endswith("+00:00")
        assert main(["Register-OpenAIFile", str(tmp_path / "gone.txt"), "-Purpose", "assistants"]) == 1
        assert main(["Remove-OpenAIFile", uploaded["id"]]) == 0

    def test_processes_piped(self, srv, tmp_path):
        names = []
        for n in range(2):
            path = tmp_path / f"upload{n}.txt"
            path.write_text(f"file {n}\n")
            names.append(str(path))
        env = environment(srv.base_url)
        first = subprocess.Popen([*cli(), "Register-OpenAIFile", "-Purpose", "assistants"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        first.stdin.write("\n".join(names).encode() + b"\n")
        first.stdin.close()
        try:
            second = subprocess.run([*cli(), "Get-OpenAIFileContent"], stdin=first.stdout, capture_output=True,
                                    env=env, timeout=60)
        finally:
            first.stdout.close()
            first.wait(timeout=30)
        assert (first.returncode, second.returncode) == (0, 0), (first.stderr.read(), second.stderr)
        first.stderr.close()
        assert second.stdout == b"file 0\nfile 1\n"  # each uploaded file's content, read back by id
        assert [r.part("file").filename for r in uploads(srv)] == ["upload0.txt", "upload1.txt"]

    def test_progress_of_an_upload_and_a_download_on_a_terminal(self, srv, tmp_path):
        big = tmp_path / "big.bin"
        big.write_bytes(os.urandom(3 << 20))
        env = environment(srv.base_url)
        code, out, _ = run_on_terminal([*cli(), "Register-OpenAIFile", str(big), "-Purpose", "assistants"], env)
        assert code == 0, out
        assert re.search(r"\rRegister-OpenAIFile: uploading 3\.0 MB of 3\.0 MB", out)
        assert re.search(r"\r +\r", out)  # cleared before the object is shown
        file_id = re.search(r"id +: (file-\w+)", out).group(1)
        target = tmp_path / "copy.bin"
        code, out, _ = run_on_terminal([*cli(), "Get-OpenAIFileContent", file_id, "-OutFile", str(target)], env)
        assert code == 0 and re.search(r"\rGet-OpenAIFileContent: downloading 3\.0 MB of 3\.0 MB", out)
        assert out.endswith("\r") and out.strip(" \r").startswith("Get-OpenAIFileContent")  # nothing else shown
        assert target.read_bytes() == big.read_bytes()

    def test_no_progress_in_a_pipe(self, srv, data_file):
        done = run(srv, "Register-OpenAIFile", str(data_file), "-Purpose", "assistants")
        assert done.returncode == 0 and done.stderr == ""


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
class TestOutFilePermissions:
    def test_a_new_file_gets_what_the_umask_gives(self, api, tmp_path):
        old = os.umask(0o027)
        try:
            target = tmp_path / "faq.md"
            ps.get_openai_file_content("file-abc456", out_file=str(target))
        finally:
            os.umask(old)
        assert target.stat().st_mode & 0o777 == 0o640  # not the temporary file's private 0600

    def test_a_replaced_file_keeps_its_permissions(self, api, tmp_path):
        target = tmp_path / "faq.md"
        target.write_bytes(b"old")
        target.chmod(0o604)
        ps.get_openai_file_content("file-abc456", out_file=str(target))
        assert target.read_bytes() == FAQ and target.stat().st_mode & 0o777 == 0o604

    def test_special_bits_of_a_replaced_file_are_not_copied(self, api, tmp_path):
        target = tmp_path / "faq.md"
        target.write_bytes(b"old")
        target.chmod(0o4755)  # setuid on the file being replaced
        ps.get_openai_file_content("file-abc456", out_file=str(target))
        assert target.stat().st_mode & 0o7777 == 0o755
