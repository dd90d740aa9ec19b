"""Pipeline handling of the six cmdlets, compared with PSOpenAI 3.7.0's source.

Each case pipes one record (a string, a thread, a run, a message, a step, an assistant, a batch,
or a hand-made object) into a cmdlet, with some arguments, and states what 3.7.0 does: the
requests it sends (path and query) or an error before any request.  The expectation is read from
the source (cited per case); where our spec does something else the case is xfail(strict=True)
with the difference.  docs/DIFFERENCES.md lists the same differences.

Python dicts stand for PowerShell's [pscustomobject]s: their keys are the properties that
ValueFromPipelineByPropertyName binds and that ``$InputObject.id`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from parity_support import assistant_obj, batch_obj, message_obj, page, run_obj, step_obj, thread_obj

import pyopenai_ps as ps

ERROR = "binding error, no request"

LIST20 = {"limit": "20", "order": "asc"}
LIST100 = {"limit": "100", "order": "asc"}

THREAD = thread_obj()
RUN = run_obj()
MESSAGE = message_obj()  # run_id null, as a user's message has
MESSAGE_OF_RUN = message_obj(id="msg_abc456", run_id="run_abc123", role="assistant", assistant_id="asst_abc123")
STEP = step_obj()  # a message_creation step of run_abc123 that wrote msg_abc123
TOOL_STEP = step_obj(id="step_abc456", type="tool_calls",
                     step_details={"type": "tool_calls", "tool_calls": []})
ASSISTANT = assistant_obj()
BATCH = batch_obj()

T = "/threads/thread_abc123"
#: The requests of derived properties that 3.7.0 makes too: a thread's Messages (Get-Thread without -Primitive,
#: ObjectParser.ps1:169-171) and the message a message_creation step wrote (its SimpleContent, ObjectParser.ps1:81-87).
MESSAGES = (f"{T}/messages", LIST100)
STEP_MESSAGE = (f"{T}/messages/msg_abc123", {})


@dataclass
class Case:
    id: str
    cmdlet: str
    record: Any
    expect: Any  # [(path, query), ...] or ERROR
    source: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    differs: str | None = None  # today's difference from 3.7.0, when there is one

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=f"{self.differs} [3.7.0: {self.source}]")] if self.differs else []
        return pytest.param(self, id=self.id, marks=marks)


CASES = [
    # ---------------------------------------------------------------- Get-ThreadRun
    Case("run-string", "Get-ThreadRun", "thread_abc123", [(f"{T}/runs", LIST20)],
         "Get-ThreadRun.ps1:93,100-101 (a string is the thread id; no run id from a string), 129-134"),
    Case("run-thread", "Get-ThreadRun", THREAD, [(f"{T}/runs", LIST20)],
         "Utils.ps1:164-165 (id starts thread_); Get-RunIdFromInputObject finds no run_ id"),
    Case("run-run", "Get-ThreadRun", RUN, [(f"{T}/runs/run_abc123", {})],
         "Get-ThreadRun.ps1:100-115 (a piped run's id starting run_ is the run id)"),
    Case("run-run-all", "Get-ThreadRun", RUN, [(f"{T}/runs/run_abc123", {})],
         "Get-ThreadRun.ps1:112 (a run id wins over the ListAll branch)", {"all": True}),
    Case("run-step", "Get-ThreadRun", STEP, [(f"{T}/runs/run_abc123", {})],
         "Get-ThreadRun.ps1:5-6 (RunId ByPropertyName from run_id)"),
    Case("run-message-of-run", "Get-ThreadRun", MESSAGE_OF_RUN, [(f"{T}/runs/run_abc123", {})],
         "Get-ThreadRun.ps1:5-6 (RunId ByPropertyName from run_id)"),
    Case("run-message-null-run-id", "Get-ThreadRun", MESSAGE, ERROR,
         "Get-ThreadRun.ps1:7 (ValidateNotNullOrEmpty on the null run_id bound by property name)"),
    Case("run-assistant", "Get-ThreadRun", ASSISTANT, ERROR,
         "Get-ThreadRun.ps1:13 (ValidateScript: no thread id in an assistant)"),
    Case("run-pscustomobject", "Get-ThreadRun", {"thread_id": "thread_abc123", "run_id": "run_abc123"},
         [(f"{T}/runs/run_abc123", {})], "Get-ThreadRun.ps1:5-14"),
    Case("run-limit-order", "Get-ThreadRun", THREAD, [(f"{T}/runs", {"limit": "5", "order": "desc"})],
         "Get-ThreadRun.ps1:32 (LowerCaseTransformation), 131-132", {"limit": 5, "order": "DESC"}),
    Case("run-runid-without-prefix", "Get-ThreadRun", "thread_abc123", [(f"{T}/runs", LIST20)],
         "Get-ThreadRun.ps1:112 (only a RunId starting run_ goes into the path; otherwise the else branch lists "
         "with limit/order)", {"run_id": "foo"},
         differs="deliberate: a -RunId not starting with run_ is sent as given (the API's not-found error names it) "
                 "instead of silently listing the runs"),
    Case("run-slash-in-id", "Get-ThreadRun", "thread_a/b", [("/threads/thread_a%2Fb/runs", LIST20)],
         "Get-ThreadRun.ps1:93 (UrlEncodeTransformation: one path segment)"),
    # ---------------------------------------------------------------- Get-Thread
    Case("thread-string", "Get-Thread", "thread_abc123", [(T, {}), MESSAGES], "Get-Thread.ps1:70,77-79"),
    Case("thread-thread", "Get-Thread", THREAD, [(T, {}), MESSAGES], "Utils.ps1:164-165"),
    Case("thread-run", "Get-Thread", RUN, [(T, {}), MESSAGES], "Utils.ps1:167-168 (thread_id starting thread_)"),
    Case("thread-message", "Get-Thread", MESSAGE, [(T, {}), MESSAGES], "Utils.ps1:167-168"),
    Case("thread-step", "Get-Thread", STEP, [(T, {}), MESSAGES], "Utils.ps1:167-168"),
    Case("thread-assistant", "Get-Thread", ASSISTANT, ERROR, "Get-Thread.ps1:8 (ValidateScript)"),
    Case("thread-any-string", "Get-Thread", "foo", [("/threads/foo", {}), ("/threads/foo/messages", LIST100)], "Utils.ps1:161-162 (no prefix check on a string)"),
    Case("thread-empty-string", "Get-Thread", "", ERROR, "Get-Thread.ps1:8 (ValidateScript: '' is false)"),
    Case("thread-id-before-thread-id", "Get-Thread", {"id": "thread_x", "thread_id": "thread_y"},
         [("/threads/thread_x", {}), ("/threads/thread_x/messages", LIST100)], "Utils.ps1:164-168 (id first)"),
    Case("thread-thread-id-only", "Get-Thread", {"thread_id": "thread_abc123"}, [(T, {}), MESSAGES], "Utils.ps1:167-168"),
    # ---------------------------------------------------------------- Get-ThreadMessage
    Case("message-string", "Get-ThreadMessage", "thread_abc123", [(f"{T}/messages", LIST20)],
         "Get-ThreadMessage.ps1:109-118"),
    Case("message-thread", "Get-ThreadMessage", THREAD, [(f"{T}/messages", LIST20)], "Get-ThreadMessage.ps1:109-118"),
    Case("message-run", "Get-ThreadMessage", RUN, [(f"{T}/messages", LIST20)],
         "Get-ThreadMessage.ps1:34-36 (RunId is not taken from the pipeline: no run_id filter)"),
    Case("message-message", "Get-ThreadMessage", MESSAGE, [(f"{T}/messages", LIST20)],
         "Get-ThreadMessage.ps1:11-14 (MessageId binds only from a MessageId/message_id property; a message's "
         "id is not read), 242-251"),
    Case("message-message-all", "Get-ThreadMessage", MESSAGE, [(f"{T}/messages", LIST100)],
         "Get-ThreadMessage.ps1:119-131", {"all": True}),
    Case("message-step", "Get-ThreadMessage", STEP, [(f"{T}/messages/msg_abc123", {})],
         "Get-ThreadMessage.ps1:98-101 (a message_creation step gives step_details.message_creation.message_id)"),
    Case("message-step-all", "Get-ThreadMessage", STEP, [(f"{T}/messages/msg_abc123", {})],
         "Get-ThreadMessage.ps1:98-108 (the step's message id wins over -All)", {"all": True}),
    Case("message-tool-step", "Get-ThreadMessage", TOOL_STEP, [(f"{T}/messages", LIST20)],
         "Get-ThreadMessage.ps1:98 (only message_creation steps name a message)"),
    Case("message-pscustomobject", "Get-ThreadMessage", {"thread_id": "thread_abc123", "message_id": "msg_abc123"},
         [(f"{T}/messages/msg_abc123", {})], "Get-ThreadMessage.ps1:11-14"),
    Case("message-run-filter", "Get-ThreadMessage", "thread_abc123",
         [(f"{T}/messages", {**LIST20, "run_id": "run_abc123"})], "Get-ThreadMessage.ps1:113-115",
         {"run_id": "run_abc123"}),
    Case("message-assistant", "Get-ThreadMessage", ASSISTANT, ERROR, "Get-ThreadMessage.ps1:8 (ValidateScript)"),
    # ---------------------------------------------------------------- Get-ThreadRunStep
    Case("step-run", "Get-ThreadRunStep", RUN, [(f"{T}/runs/run_abc123/steps", LIST20)],
         "Get-ThreadRunStep.ps1:89-98 (thread_id and id of the run), 121-127"),
    Case("step-run-all", "Get-ThreadRunStep", RUN, [(f"{T}/runs/run_abc123/steps", LIST100)],
         "Get-ThreadRunStep.ps1:108-120", {"all": True}),
    Case("step-run-stepid", "Get-ThreadRunStep", RUN, [(f"{T}/runs/run_abc123/steps/step_abc123", {}), STEP_MESSAGE],
         "Get-ThreadRunStep.ps1:104-106", {"step_id": "step_abc123"}),
    Case("step-run-stepid-without-prefix", "Get-ThreadRunStep", RUN, [(f"{T}/runs/run_abc123/steps", LIST20)],
         "Get-ThreadRunStep.ps1:104 (only a StepId starting step_ goes into the path; otherwise it lists)",
         {"step_id": "foo"},
         differs="deliberate: a -StepId not starting with step_ is sent as given (the API's not-found error names it) "
                 "instead of silently listing the steps"),
    Case("step-pscustomobject-with-step-id", "Get-ThreadRunStep",
         {"id": "run_abc123", "thread_id": "thread_abc123", "step_id": "step_abc123"},
         [(f"{T}/runs/run_abc123/steps/step_abc123", {}), STEP_MESSAGE], "Get-ThreadRunStep.ps1:5-8 (StepId ByPropertyName)"),
    Case("step-run-id-string", "Get-ThreadRunStep", "run_abc123", ERROR,
         "Get-ThreadRunStep.ps1:11 (ValidateScript: a string has no .id starting run_ and no .thread_id)"),
    Case("step-step", "Get-ThreadRunStep", STEP, ERROR,
         "Get-ThreadRunStep.ps1:11 (ValidateScript: a step's id starts step_, not run_)"),
    Case("step-run-id-property", "Get-ThreadRunStep", {"run_id": "run_abc123", "thread_id": "thread_abc123"}, ERROR,
         "Get-ThreadRunStep.ps1:11 (only .id is read for the run)"),
    Case("step-bad-thread-id", "Get-ThreadRunStep", {"id": "run_abc123", "thread_id": "foo"}, ERROR,
         "Get-ThreadRunStep.ps1:11 (thread_id must start thread_)"),
    Case("step-thread", "Get-ThreadRunStep", THREAD, ERROR, "Get-ThreadRunStep.ps1:11"),
    # ---------------------------------------------------------------- Get-Assistant
    Case("assistant-string", "Get-Assistant", "asst_abc123", [("/assistants/asst_abc123", {})],
         "Get-Assistant.ps1:5 (Position 0 ByValue, Get set), 277-285"),
    Case("assistant-assistant", "Get-Assistant", ASSISTANT, [("/assistants/asst_abc123", {})], "Utils.ps1:164-165"),
    Case("assistant-run", "Get-Assistant", RUN, [("/assistants/asst_abc123", {})],
         "Utils.ps1:167-168 (assistant_id starting asst_)"),
    Case("assistant-any-string", "Get-Assistant", "foo", [("/assistants/foo", {})], "Utils.ps1:161-162"),
    Case("assistant-thread", "Get-Assistant", THREAD, ERROR, "Get-Assistant.ps1:8 (ValidateScript)"),
    Case("assistant-pscustomobject", "Get-Assistant", {"assistant_id": "asst_abc123"},
         [("/assistants/asst_abc123", {})], "Get-Assistant.ps1:5-9"),
    # ---------------------------------------------------------------- Get-Batch
    Case("batch-string", "Get-Batch", "batch_abc123", [("/batches/batch_abc123", {})],
         "Get-Batch.ps1:5-8 (BatchId Position 0 ByValue), 453-455"),
    Case("batch-batch", "Get-Batch", BATCH, [("/batches/batch_abc123", {})],
         "Get-Batch.ps1:5-7 (ByPropertyName through the alias Id)"),
    Case("batch-pscustomobject", "Get-Batch", {"batch_id": "batch_abc123"}, [("/batches/batch_abc123", {})],
         "Get-Batch.ps1:6 (alias batch_id)"),
    Case("batch-any-id", "Get-Batch", THREAD, [("/batches/thread_abc123", {})],
         "Get-Batch.ps1:5-8 (no validation, no prefix check)"),
    Case("batch-empty-string", "Get-Batch", "", ERROR,
         "Get-Batch.ps1:5-8 (no ValidateNotNullOrEmpty, but a Mandatory [string] without AllowEmptyString "
         "refuses '' when binding)"),
]


def _answer(rec, match):
    """Any GET: a page for a listing path, else an object shaped by the last segment."""
    last = rec.segments[-1]
    if last in ("runs", "messages", "steps", "assistants", "batches"):
        return 200, {}, page([])
    for prefix, make in (("run_", run_obj), ("msg_", message_obj), ("step_", step_obj), ("asst_", assistant_obj),
                         ("batch_", batch_obj), ("thread_", thread_obj)):
        if last.startswith(prefix):
            return 200, {}, make(id=last)
    return 200, {}, {"id": last, "object": "unknown"}


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_pipeline_record(rec, case):
    rec.route("GET", ".*", _answer)
    command = ps.get_command(case.cmdlet)
    if case.expect == ERROR:
        with pytest.raises(ps.ParameterBindingError):
            command.pipe([case.record], error_action="Stop", **case.kwargs)
        assert rec.requests == []
    else:
        command.pipe([case.record], error_action="Stop", **case.kwargs)
        assert [(r.method, r.path, r.query) for r in rec.requests] == [("GET", p, q) for p, q in case.expect]


# ------------------------------------------------------------------------------------------
# Several records: each binds on its own, as PowerShell binds each pipeline object
# ------------------------------------------------------------------------------------------


def test_mixed_records_each_choose_their_set(rec):
    """A string lists, a run refreshes, a step's run_id fetches its run (Get-ThreadRun.ps1:5-14,100-115)."""
    rec.route("GET", ".*", _answer)
    ps.get_command("Get-ThreadRun").pipe(["thread_abc123", RUN, STEP], error_action="Stop")
    assert [(r.path, r.query) for r in rec.requests] == [
        (f"{T}/runs", LIST20), (f"{T}/runs/run_abc123", {}), (f"{T}/runs/run_abc123", {}),
    ]


def test_runs_of_a_thread_into_their_steps(rec):
    """``Get-Thread t | Get-ThreadRun | Get-ThreadRunStep``: output objects are valid input downstream."""
    rec.object(T, thread_obj())
    rec.object(f"{T}/messages", page([]))  # 3.7.0's Messages of the thread (derived outputs)
    rec.object(f"{T}/runs", page([run_obj("run_0001"), run_obj("run_0002")]))
    rec.object(f"{T}/runs/run_0001/steps", page([step_obj("step_0001", run_id="run_0001")]))
    rec.object(f"{T}/runs/run_0002/steps", page([step_obj("step_0002", run_id="run_0002")]))
    rec.object(f"{T}/messages/msg_abc123", message_obj())  # 3.7.0's SimpleContent of a step (derived outputs)
    steps = ps.invoke("Get-Thread thread_abc123 | Get-ThreadRun | Get-ThreadRunStep")
    assert [s.id for s in steps] == ["step_0001", "step_0002"]
    assert [r.path for r in rec.requests if "/steps" in r.path] == [f"{T}/runs/run_0001/steps",
                                                                     f"{T}/runs/run_0002/steps"]
