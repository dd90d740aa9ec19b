"""Cmdlets that are spec files only: the five bundled ones, and one the package has never heard of."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import pyopenai_ps as ps
from pyopenai_ps import ParameterBindingError
from pyopenai_ps.runtime.output import PSObject


def targets(server):
    return [r.target for r in server.requests]


class TestBundled:
    def test_get_thread(self, api):
        thread = ps.get_thread("thread_abc123")
        assert thread.id == "thread_abc123" and thread.type_names[0] == "PSOpenAI.Thread"
        assert ps.invoke("Get-Thread -Thread 'thread_abc123'")[0] == thread
        # each call reads the thread, then its messages (the Messages property)
        assert targets(api) == ["/v1/threads/thread_abc123",
                                "/v1/threads/thread_abc123/messages?limit=100&order=asc"] * 2
        assert [m.id for m in thread.Messages] == ["msg_abc121", "msg_abc122", "msg_abc123"]

    def test_get_thread_message(self, api):
        messages = ps.invoke("Get-ThreadMessage -Thread 'thread_abc123' -All")
        assert [m.id for m in messages] == ["msg_abc121", "msg_abc122", "msg_abc123"]
        message = ps.get_thread_message(thread_id="thread_abc123", message_id="msg_abc123")
        assert isinstance(message, PSObject) and message.type_names[0] == "PSOpenAI.Thread.Message"
        page = ps.get_thread_message("thread_abc123", run_id="run_abc123", limit=5)
        assert "run_id=run_abc123" in targets(api)[-1] and all(m.run_id == "run_abc123" for m in page)

    def test_a_piped_message_lists_its_thread_and_a_piped_step_fetches_its_message(self, api):
        # as 3.7.0: a message's id is not a -MessageId, so each piped message lists its thread's messages
        messages = ps.invoke("Get-ThreadMessage -Thread thread_abc123 -All | Get-ThreadMessage")
        assert len(messages) == 9
        assert targets(api)[1:] == ["/v1/threads/thread_abc123/messages?limit=20&order=asc"] * 3
        # a message_creation step names the message it wrote: that one is fetched
        api.requests.clear()
        messages = ps.invoke("Get-ThreadRun thread_abc123 -RunId run_abc123 | Get-ThreadRunStep -All | Get-ThreadMessage")
        assert [m.id for m in messages] == ["msg_abc123"] * 3
        assert targets(api)[-1] == "/v1/threads/thread_abc123/messages/msg_abc123"

    def test_get_thread_run_step_takes_a_run_object_only(self, api):
        run = ps.get_thread_run(thread_id="thread_abc123", run_id="run_abc123")
        steps = ps.get_thread_run_step(run, all=True)
        assert [s.id for s in steps] == ["step_abc121", "step_abc122", "step_abc123"]
        step = ps.get_thread_run_step(run, step_id="step_abc123")
        assert step.type_names[0] == "PSOpenAI.Thread.Run.Step" and step.id == "step_abc123"
        sent = len(api.requests)
        with pytest.raises(ps.ParameterBindingError, match="an object whose 'id' starts with 'run_'"):
            ps.invoke("Get-ThreadRunStep -Run 'run_abc123' -StepId 'step_abc123'")  # 3.7.0: a run id is not a run
        assert len(api.requests) == sent

    def test_the_cross_cmdlet_pipeline_of_the_issue(self, api):
        steps = ps.invoke("Get-Thread thread_abc123 | Get-ThreadRun -All | Get-ThreadRunStep -All")
        assert [s.id for s in steps] == ["step_abc121", "step_abc122", "step_abc123"]
        paths = [t.split("?")[0] for t in targets(api)]
        assert paths[:3] == ["/v1/threads/thread_abc123", "/v1/threads/thread_abc123/messages",
                             "/v1/threads/thread_abc123/runs"]
        assert len([p for p in paths if p.endswith("/steps")]) == 8  # one steps listing per run
        # each step wrote a message, read for its SimpleContent
        assert len([p for p in paths if "/messages/msg_" in p]) == 3 and len(paths) == 3 + 8 + 3

    def test_get_assistant(self, api):
        assert [a.id for a in ps.invoke("Get-Assistant -Limit 5 -Order desc")] == [
            "asst_abc123", "asst_abc122", "asst_abc121"]
        assert len(ps.invoke("Get-Assistant -All")) == 3
        assert ps.invoke("Get-Assistant -Assistant 'asst_abc123'")[0].type_names[0] == "PSOpenAI.Assistant"
        assert ps.get_assistant().__class__ is list  # the List set by default

    def test_get_batch_has_no_beta_header(self, api):
        batches = ps.invoke("Get-Batch -Limit 5")
        assert len(batches) == 3 and "openai-beta" not in api.requests[0].headers
        assert targets(api)[0] == "/v1/batches?limit=5"
        assert ps.get_batch("batch_abc123").type_names[0] == "PSOpenAI.Batch"
        assert len(ps.invoke("Get-Batch -All")) == 3

    def test_get_batch_api_type(self, api):
        assert ps.bind("Get-Batch -ApiType openai").bound["ApiType"] == "OpenAI"
        assert ps.bind("Get-Batch -ApiType Azure").bound["ApiType"] == "Azure"  # binds, as in 3.7.0
        with pytest.raises(ps.ConfigurationError, match="-ApiType Azure is not supported"):
            ps.invoke("Get-Batch -ApiType Azure")  # then refused, nothing sent
        assert api.requests == []
        with pytest.raises(ParameterBindingError) as info:
            ps.bind("Get-Batch -ApiType Other")
        assert info.value.error_id == "ParameterArgumentTransformationError"

    @pytest.mark.parametrize("name", ["Get-Thread", "Get-ThreadMessage", "Get-ThreadRunStep", "Get-Assistant",
                                      "Get-Batch"])
    def test_examples_bind(self, name):
        command = ps.get_command(name)
        for example in command.spec.examples:
            code = example.code.split("=", 1)[1].strip() if example.code.startswith("$") else example.code
            if "|" in code:
                continue
            assert ps.bind(code).command_name == command.name


class _Widgets(BaseHTTPRequestHandler):
    """A tiny endpoint of the test's own: GET /v2/widgets/{id} and a paged /v2/widgets."""

    protocol_version = "HTTP/1.1"
    WIDGETS = [{"id": f"wdg_{n:03d}", "object": "widget", "made_at": 1700000000 + n} for n in range(7)]
    seen: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        self.seen.append(self.path)
        if self.headers.get("Authorization") != "Bearer sk-widgets":
            return self._send(401, {"error": {"message": "no key", "type": "auth"}})
        path, _, query = self.path.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if p)
        if path == "/v2/widgets":
            start = 0
            if "cursor" in params:
                start = [w["id"] for w in self.WIDGETS].index(params["cursor"]) + 1
            size = int(params.get("size", "3"))
            chunk = self.WIDGETS[start:start + size]
            return self._send(200, {"items": chunk, "more": start + size < len(self.WIDGETS),
                                    "next": chunk[-1]["id"] if chunk else None})
        for widget in self.WIDGETS:
            if path == f"/v2/widgets/{widget['id']}":
                return self._send(200, widget)
        return self._send(404, {"error": {"message": f"no widget at {path}", "type": "not_found"}})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


WIDGET_SPEC = """
name: Get-Widget
synopsis: Gets widgets from an endpoint pyopenai_ps has never heard of.
default_parameter_set: List
parameter_sets: [Get, List]
parameters:
  - name: WidgetId
    type: String
    aliases: [Id]
    sets:
      Get: {mandatory: true, position: 0}
    pipeline: [ByValue, ByPropertyName]
  - name: PageSize
    type: Int32
    sets: [List]
    default: 3
    validate: {range: [1, 5]}
  - {name: ApiBase, type: Uri}
  - {name: ApiKey, type: SecureString}
operation:
  output: {type_name: Test.Widget, timestamps: [made_at]}
  sets:
    Get:
      path: /widgets/{widget_id}
      path_values: {widget_id: {parameter: WidgetId}}
      returns: object
    List:
      path: /widgets
      query: {size: {parameter: PageSize}}
      returns: all
      pagination: {items: items, has_more: more, cursor: cursor, next_from: next}
"""


def test_a_spec_for_an_unknown_endpoint_needs_no_code(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Widgets)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        path = tmp_path / "Get-Widget.yaml"
        path.write_text(WIDGET_SPEC, encoding="utf-8")
        ps.load_spec(path)
        base = f"http://127.0.0.1:{server.server_address[1]}/v2"
        widgets = ps.invoke(f"Get-Widget -ApiBase {base} -ApiKey sk-widgets")
        assert [w.id for w in widgets] == [f"wdg_{n:03d}" for n in range(7)]
        assert widgets[0].type_names[0] == "Test.Widget" and widgets[0].made_at.year == 2023
        assert _Widgets.seen[-3:] == ["/v2/widgets?size=3", "/v2/widgets?size=3&cursor=wdg_002",
                                      "/v2/widgets?size=3&cursor=wdg_005"]
        refreshed = ps.get_command("Get-Widget").pipe(widgets[:2], api_base=base, api_key="sk-widgets")
        assert [w.id for w in refreshed] == ["wdg_000", "wdg_001"]
        assert ps.get_widget("wdg_004", api_base=base, api_key="sk-widgets").made_at.timestamp() == 1700000004
        with pytest.raises(ps.NotFoundError):
            ps.get_widget("wdg_999", api_base=base, api_key="sk-widgets")
    finally:
        server.shutdown()
        server.server_close()


def test_a_record_that_does_not_bind_is_skipped_under_continue(api):
    errors: list = []
    steps = ps.get_command("Get-ThreadRunStep").pipe(
        ["run_abc123", {"id": "run_abc123", "thread_id": "thread_abc123"}], all=True,
        error_action="SilentlyContinue", error_variable=errors)
    assert [s.id for s in steps] == ["step_abc121", "step_abc122", "step_abc123"]
    assert [type(e) for e in errors] == [ps.ParameterBindingError] and errors[0].parameter_name == "InputObject"
    with pytest.raises(ps.ParameterBindingError):
        ps.get_thread_run_step("run_abc123", all=True)
