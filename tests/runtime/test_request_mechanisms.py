"""The engine's request mechanisms, each through a spec of the test's own against its own server:
JSON bodies from value sources, the extra body, multipart forms streamed from files, variants,
returns none/text/bytes, out_file downloads, follow-ups and messages."""

from __future__ import annotations

import io
import json
import logging
import os

import pytest
from echo_server import Answer

import pyopenai_ps as ps
from pyopenai_ps.runtime.command import Command
from pyopenai_ps.spec.load import load_spec_text

KEY = "sk-mechanisms-0123456789abcdef"

PARAMETERS = """
parameters:
  - {name: Id, type: String, position: 0}
  - {name: Name, type: String}
  - {name: Model, type: String, default: m-1}
  - {name: Tags, type: "String[]"}
  - {name: Items, type: "Object[]"}
  - {name: Stores, type: "Object[]"}
  - {name: Format, type: String}
  - {name: UseA, type: Switch}
  - {name: UseB, type: Switch}
  - {name: Meta, type: IDictionary}
  - {name: File, type: Object}
  - {name: FileName, type: String}
  - {name: Purpose, type: String}
  - {name: OutFile, type: String}
  - {name: PassThru, type: Switch}
  - {name: Secret, type: SecureString}
  - include: _connection
"""


def command(operation: str, name: str = "Test-Mechanism") -> Command:
    return Command(load_spec_text(f"name: {name}\n{PARAMETERS}\noperation:\n{operation}"))



BODY = """
  sets:
    __AllParameterSets:
      method: POST
      path: /things
      body:
        model: {parameter: Model}
        name: {parameter: Name}
        constant: {value: 7}
        tools:
          list:
            - {value: {type: a}, when: UseA}
            - {value: {type: b}, when: UseB}
            - each: Items
              template:
                object:
                  type: {value: function}
                  function: {object: {name: {item: name}, description: {item: description}}}
        resources:
          object:
            tags: {parameter: Tags, nonempty: true}
            stores: {each: Stores, template: {read_id: $item, prefix: vs_, keys: [id]}}
        format: {parameter: Format, map: {default: null, auto: auto}, transform: type_object}
        metadata: {parameter: Meta}
        empty: {object: {nothing: {parameter: FileName}}, keep_empty: true}
"""


class TestJsonBodies:
    def test_only_bound_fields_defaults_and_constants_are_sent(self, echo):
        command(BODY)()
        assert echo.last.method == "POST" and echo.last.path == "/v1/things"
        assert echo.last.headers["content-type"] == "application/json"
        assert echo.last.body == b'{"model":"m-1","constant":7,"empty":{}}'

    def test_nested_objects_lists_templates_and_transforms(self, echo):
        command(BODY)(name="n", use_b=True, items=[{"Name": "f", "description": "d"}, {"name": "g"}],
                      tags=["t1"], stores=["vs_1", {"id": "vs_2"}, {"id": "not-a-store"}], format="json_object",
                      meta={"k": "v"})
        assert echo.last.json() == {
            "model": "m-1", "name": "n", "constant": 7,
            "tools": [{"type": "b"}, {"type": "function", "function": {"name": "f", "description": "d"}},
                      {"type": "function", "function": {"name": "g"}}],
            "resources": {"tags": ["t1"], "stores": ["vs_1", "vs_2"]},
            "format": {"type": "json_object"}, "metadata": {"k": "v"}, "empty": {},
        }

    @pytest.mark.parametrize("given, sent", [("auto", "auto"), ("DEFAULT", None), ("text", {"type": "text"})])
    def test_map_comes_before_the_transform(self, echo, given, sent):
        command(BODY)(format=given)
        assert echo.last.json().get("format") == sent

    def test_an_empty_list_or_switch_off_sends_nothing(self, echo):
        command(BODY)(tags=[], use_a=False, items=[])
        assert "tools" not in echo.last.json() and "resources" not in echo.last.json()

    def test_the_extra_body_is_merged_over_the_body_last(self, echo):
        command(BODY)(name="n", additional_body={"name": "override", "extra": [1, 2]})
        assert echo.last.json() == {"model": "m-1", "name": "override", "constant": 7, "empty": {}, "extra": [1, 2]}
        command(BODY)(additional_body='{"model": "m-2"}')
        assert echo.last.json()["model"] == "m-2"

    @pytest.mark.parametrize("extra, words", [("{not json", "is not valid JSON"), ("[1, 2]", "must be a JSON object")])
    def test_a_bad_extra_body_is_refused_before_sending(self, echo, extra, words):
        with pytest.raises(ps.ConfigurationError) as info:
            command(BODY)(additional_body=extra)
        assert words in str(info.value) and "-AdditionalBody" in str(info.value)
        assert echo.seen == []

    def test_the_extra_body_on_a_request_without_body_warns(self, echo, caplog):
        get = command("  sets:\n    __AllParameterSets: {path: /things, returns: object}\n")
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            get(additional_body={"x": 1})
        assert echo.last.body == b""
        assert "-AdditionalBody has no effect: GET /things sends no JSON body." in caplog.text

    def test_a_secret_never_goes_into_a_body(self, echo):
        leaky = command("  sets:\n    __AllParameterSets:\n      method: POST\n      path: /things\n"
                        "      body: {secret: {parameter: Secret}}\n")
        with pytest.raises(ps.ConfigurationError):
            leaky(secret="sk-never-in-a-body-0123")
        assert echo.seen == []

    def test_debug_logs_the_body_with_secrets_masked(self, echo, caplog):
        with caplog.at_level(logging.DEBUG, logger="pyopenai_ps"):
            command(BODY)(name=f"has {KEY} inside", debug=True)
        assert 'Request body: {"model":"m-1","name":"has sk-mec' in caplog.text
        assert KEY not in caplog.text


FORM = """
  sets:
    __AllParameterSets:
      method: POST
      path: /files
      form:
        purpose: {parameter: Purpose}
        file: {file: {parameter: File}, filename: {parameter: FileName}}
"""


def _expected_form(seen, purpose: str, filename: str, content_type: str, data: bytes) -> bytes:
    boundary = seen.headers["content-type"].split("boundary=")[1]
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{purpose}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()


class TestForms:
    def test_a_file_by_path_is_sent_with_its_name_and_type(self, echo, tmp_path):
        path = tmp_path / "notes.jsonl"
        data = b'{"a": 1}\n' * 1000
        path.write_bytes(data)
        command(FORM)(file=str(path), purpose="batch")
        seen = echo.last
        assert seen.headers["content-type"].startswith("multipart/form-data; boundary=pyopenai-ps-")
        assert int(seen.headers["content-length"]) == len(seen.body)
        assert seen.body == _expected_form(seen, "batch", "notes.jsonl", "application/octet-stream", data) or \
            seen.body == _expected_form(seen, "batch", "notes.jsonl", "application/jsonl", data)

    def test_bytes_and_streams_with_a_name(self, echo):
        command(FORM)(file=b"\x00\x01raw", file_name="a.png", purpose="vision")
        assert echo.last.body == _expected_form(echo.last, "vision", "a.png", "image/png", b"\x00\x01raw")
        stream = io.BytesIO(b"skip:the rest")
        stream.read(5)  # a stream is sent from where it stands
        command(FORM)(file=stream, file_name="r.txt", purpose="p")
        assert echo.last.body == _expected_form(echo.last, "p", "r.txt", "text/plain", b"the rest")

    def test_a_stream_that_cannot_seek_is_sent_too(self, echo):
        reader, writer = os.pipe()
        os.write(writer, b"from a pipe")
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            command(FORM)(file=pipe, file_name="p.bin", purpose="p")
        assert echo.last.body.count(b"from a pipe") == 1

    def test_a_retried_upload_sends_the_whole_file_again(self, echo, tmp_path):
        path = tmp_path / "big.bin"
        path.write_bytes(os.urandom(300_000))
        echo.answer(Answer(status=500, body=b'{"error": {"message": "try again"}}'))
        command(FORM)(file=str(path), purpose="p", max_retry_count=1)
        first, second = echo.seen
        assert first.body == second.body and path.read_bytes() in second.body
        assert echo.slept == [2.0]

    def test_a_missing_file_sends_nothing(self, echo, tmp_path):
        with pytest.raises(ps.MissingValueError) as info:
            command(FORM)(file=str(tmp_path / "absent.txt"), purpose="p")
        assert "does not exist" in str(info.value)
        assert echo.seen == []

    def test_an_unreadable_file_sends_nothing(self, echo, tmp_path):
        if os.geteuid() == 0:
            pytest.skip("root reads any file")
        path = tmp_path / "locked.txt"
        path.write_bytes(b"x")
        path.chmod(0)
        with pytest.raises(ps.MissingValueError):
            command(FORM)(file=str(path), purpose="p")
        assert echo.seen == []


VARIANTS = """
  sets:
    __AllParameterSets:
      method: POST
      path: /things
      body: {name: {parameter: Name}}
      variants:
        - when: {given: {read_id: Id, prefix: thing_}}
          path: /things/{thing}
          path_values: {thing: {read_id: Id, prefix: thing_}}
        - when: {equals: {Format: [raw, RAW_RESPONSE]}}
          returns: text
"""


class TestVariantsAndReturns:
    def test_a_variant_changes_the_path_when_its_value_is_given(self, echo):
        thing = command(VARIANTS)
        thing(name="a")
        assert echo.last.path == "/v1/things"
        thing("thing_9", name="b")
        assert echo.last.path == "/v1/things/thing_9" and echo.last.json() == {"name": "b"}

    def test_a_variant_changes_what_is_returned(self, echo):
        text = command(VARIANTS)(format="raw_response")
        assert isinstance(text, str) and json.loads(text)["object"] == "echo"

    @pytest.mark.parametrize("returns, expected", [("none", None), ("bytes", bytes), ("text", str)])
    def test_returns(self, echo, returns, expected):
        got = command(f"  sets:\n    __AllParameterSets: {{method: DELETE, path: /things/1, returns: {returns}}}\n")()
        assert got is None if expected is None else isinstance(got, expected)


DOWNLOAD = """
  sets:
    __AllParameterSets:
      path: /files/{id}/content
      path_values: {id: {parameter: Id}}
      returns: bytes
      out_file: OutFile
"""


class TestDownloads:
    def test_without_out_file_the_bytes_are_returned(self, echo):
        echo.answer(Answer(body=b"\x00binary\xff", headers={"Content-Type": "application/octet-stream"}))
        assert command(DOWNLOAD)("file_1") == b"\x00binary\xff"

    def test_out_file_is_written_whole_and_nothing_is_output(self, echo, tmp_path):
        data = os.urandom(3 * 1024 * 1024 + 5)
        echo.answer(Answer(body=data, headers={"Content-Type": "application/octet-stream"}))
        target = tmp_path / "out.bin"
        assert command(DOWNLOAD)("file_1", out_file=str(target)) is None
        assert target.read_bytes() == data
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]

    def test_a_cut_download_leaves_the_target_as_it_was(self, echo, tmp_path):
        target = tmp_path / "out.bin"
        target.write_bytes(b"old content")
        echo.answer(Answer(body=os.urandom(2_000_000), cut_after=1_000_000,
                           headers={"Content-Type": "application/octet-stream"}))
        with pytest.raises(ps.APIConnectionError):
            command(DOWNLOAD)("file_1", out_file=str(target))
        assert target.read_bytes() == b"old content"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]  # no temporary file left

    def test_a_missing_folder_is_an_error_before_any_request(self, echo, tmp_path):
        with pytest.raises(ps.MissingValueError) as info:
            command(DOWNLOAD)("file_1", out_file=str(tmp_path / "nowhere" / "out.bin"))
        assert "does not exist" in str(info.value)
        assert echo.seen == []

    def test_an_error_answer_writes_nothing(self, echo, tmp_path):
        echo.answer(Answer(status=404, body=b'{"error": {"message": "No such file."}}'))
        with pytest.raises(ps.NotFoundError):
            command(DOWNLOAD)("file_1", out_file=str(tmp_path / "out.bin"))
        assert list(tmp_path.iterdir()) == []


FOLLOW_UP = """
  sets:
    __AllParameterSets:
      method: POST
      path: /things/{id}/parts
      path_values: {id: {parameter: Id}}
      body: {name: {parameter: Name}}
      returns: none
      then:
        when: PassThru
        run: Get-Followed
        with: {Id: {parameter: Id}, Name: {answer: object}}
      messages:
        success: Part added to {id}.
        failure: Nothing was added to {id}.
"""
FOLLOWED = """
  sets:
    __AllParameterSets:
      path: /things/{id}
      path_values: {id: {parameter: Id}}
      query: {name: {parameter: Name}}
      returns: object
"""


class TestFollowUpsAndMessages:
    @pytest.fixture
    def registered(self, tmp_path):
        path = tmp_path / "Get-Followed.yaml"
        path.write_text(f"name: Get-Followed\n{PARAMETERS}\noperation:\n{FOLLOWED}", encoding="utf-8")
        yield ps.load_spec(path)

    def test_without_the_switch_nothing_is_output(self, echo, registered):
        assert command(FOLLOW_UP)("thing_1", name="p") is None
        assert [s.path for s in echo.seen] == ["/v1/things/thing_1/parts"]

    def test_the_follow_up_output_replaces_the_main_one(self, echo, registered):
        got = command(FOLLOW_UP)("thing_1", name="p", pass_thru=True)
        assert [s.method + " " + s.path for s in echo.seen] == [
            "POST /v1/things/thing_1/parts", "GET /v1/things/thing_1?name=echo"]  # the answer's field
        assert got.path == "/v1/things/thing_1?name=echo"

    def test_connection_parameters_are_passed_on(self, echo, registered, monkeypatch):
        monkeypatch.setattr(ps, "OPENAI_API_KEY", None)
        command(FOLLOW_UP)("thing_1", pass_thru=True, api_key="sk-passed-on-0123456789", timeout_sec=9)
        assert all(s.headers["authorization"] == "Bearer sk-passed-on-0123456789" for s in echo.seen)

    def test_messages(self, echo, registered, caplog):
        with caplog.at_level(logging.INFO, logger="pyopenai_ps"):
            command(FOLLOW_UP)("thing_1", verbose=True)
        assert "Part added to thing_1." in caplog.text
        echo.answer(Answer(status=404, body=b'{"error": {"message": "No such thing."}}'))
        with pytest.raises(ps.NotFoundError) as info:
            command(FOLLOW_UP)("thing_2")
        assert str(info.value) == "OpenAI API returned an 404 (Not Found) Error: No such thing. Nothing was added to thing_2."


class TestCompatibilityParameters:
    """``no_effect:`` and ``unsupported:``: parameters a ported script passes, kept bindable."""

    GET = "  sets:\n    __AllParameterSets: {path: /things, returns: object}\n"

    def test_a_parameter_without_effect_warns_when_given(self, echo, caplog):
        get = command(self.GET)
        with caplog.at_level(logging.WARNING, logger="pyopenai_ps"):
            get(api_version="2024-05-01-preview")
            get()
        warnings = [r.getMessage() for r in caplog.records]
        assert warnings == ["-ApiVersion has no effect: it names an Azure OpenAI API version, and pyopenai_ps "
                            "does not call Azure."]
        assert len(echo.seen) == 2  # the call is made all the same

    @pytest.mark.parametrize("keywords, parameter", [({"api_type": "Azure"}, "ApiType"),
                                                     ({"auth_type": "AZURE"}, "AuthType"),
                                                     ({"auth_type": "azure_ad"}, "AuthType")])
    def test_an_unsupported_value_binds_then_is_refused_before_sending(self, echo, keywords, parameter):
        get = command(self.GET)
        assert get.bind(**keywords).parameter_set == "__AllParameterSets"
        with pytest.raises(ps.ConfigurationError, match=rf"^-{parameter} \w+ is not supported: ") as info:
            get(**keywords)
        assert info.value.setting == parameter and echo.seen == []
        get(api_type="OpenAI", auth_type="openai")  # the supported values go through
        assert len(echo.seen) == 1

    @pytest.mark.parametrize("value, words", [("[Azure]", "expected a mapping"),
                                              ("{Azure: ''}", "unsupported maps each value"),
                                              ("{Azure: [x]}", "unsupported maps each value"),
                                              ("{~: x}", "unsupported maps each value")])
    def test_unsupported_needs_a_reason_per_value(self, value, words):
        with pytest.raises(ps.SpecError, match=words):
            load_spec_text(f"name: Test-Bad\nparameters:\n  - {{name: A, type: String, unsupported: {value}}}\n")
