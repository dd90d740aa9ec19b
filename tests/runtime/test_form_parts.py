"""Multipart forms as specs declare them: parts in the spec's order, text before or after files,
the body read in blocks and read again whole after a rewind (a retry), and -Debug's summary."""

from __future__ import annotations

import io
import logging
import re

import pytest

from pyopenai_ps.runtime.command import Command
from pyopenai_ps.runtime.multipart import MultipartBody, file_payload
from pyopenai_ps.server import Fault
from pyopenai_ps.spec.load import load_spec_text

SPEC = """\
name: Send-Form
parameters:
  - {name: First, type: String}
  - {name: Data, type: "Byte[]", mandatory: true}
  - {name: Last, type: String}
  - include: _connection
operation:
  sets:
    __AllParameterSets:
      method: POST
      path: /files
      form:
        purpose: {parameter: First}
        file: {file: {parameter: Data}, filename: {value: form.jsonl}, content_type: {value: application/x-test}}
        expires_after[anchor]: {parameter: Last}
      returns: object
"""


@pytest.fixture(scope="module")
def send_form() -> Command:
    return Command(load_spec_text(SPEC))


def test_parts_go_in_the_order_of_the_spec(api, send_form):
    api.inject(Fault.status(200, body={"id": "file-x", "object": "file"}))  # the server would want both expiry fields
    send_form(first="batch", data=b'{"a":1}\n', last="created_at")
    request = api.requests[-1]
    boundary = re.search(r"boundary=(\S+)", request.headers["content-type"]).group(1)
    assert request.body == (
        f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\nContent-Type: text/plain; charset=utf-8'
        f'\r\n\r\nbatch\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="form.jsonl"\r\n'
        f'Content-Type: application/x-test\r\n\r\n{{"a":1}}\n\r\n--{boundary}\r\nContent-Disposition: form-data; '
        f'name="expires_after[anchor]"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncreated_at\r\n'
        f"--{boundary}--\r\n").encode()


def test_a_part_that_gives_nothing_is_left_out(api, send_form):
    api.inject(Fault.status(200, body={"id": "file-x"}))
    send_form(data=b"x")
    assert [p.name for p in api.requests[-1].parts] == ["file"]


def test_a_body_read_in_blocks_and_again_after_a_rewind(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4000)
    body = MultipartBody([("purpose", "assistants", None), ("file", file_payload(str(path), None), None),
                          ("note", "é", None)])
    first = b"".join(iter(lambda: body.read(1000), b""))
    assert len(first) == body.length and body.tell() == body.length
    body.seek(0)
    assert b"".join(iter(lambda: body.read(65536), b"")) == first
    assert first.index(b'name="purpose"') < first.index(b'name="file"') < first.index(b'name="note"')
    assert "é".encode() in first
    assert body.summary == "purpose='assistants', file=<file 'data.bin', 1024000 bytes>, note='é'"
    with pytest.raises(io.UnsupportedOperation):
        body.seek(5)
    body.close()


def test_debug_shows_the_parts(api, send_form, caplog):
    api.inject(Fault.status(200, body={"id": "file-x"}))
    with caplog.at_level(logging.DEBUG, logger="pyopenai_ps"):
        send_form(first="batch", data=b"abc", debug=True)
    assert ("Request form: purpose='batch', file=<file 'form.jsonl', 3 bytes>"
            in [r.getMessage() for r in caplog.records])
