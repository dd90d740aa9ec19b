"""Runs: how one moves from status to status, and what each move adds to its thread.

A run made through the API starts ``queued``.  Each step moves it on:

- ``queued`` -> ``in_progress`` (or ``expired`` when scripted so);
- ``in_progress`` -> ``requires_action`` when it has function tools to call
  and no tool outputs yet: a ``tool_calls`` step and one call per function
  tool (the one ``tool_choice`` names, or only the first without
  ``parallel_tool_calls``), with ids ``call_<run number>_<n>`` and arguments
  made from each function's parameter schema (strings get the last user
  message); it waits there for ``submit_tool_outputs``, which puts it back to
  ``queued``;
- ``in_progress`` -> ``completed``: an assistant message (``You said: <last
  user message>``, or the tool outputs after a submission; lengthened as
  ``Store.streaming`` asks) and a ``message_creation`` step; or ``failed`` /
  ``incomplete`` when scripted so;
- ``cancelling`` -> ``cancelled``.

Every step returns the stream events it stands for, so a streamed run and a
polled one go through the very same code.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .answers import Emit, StreamItem, TextDeltas
from .objects import make_message, make_run, make_step
from .progression import Outcome
from .responses import ApiError
from .sse import compose_text
from .storage import ObjectStore

__all__ = ["OPEN_STATUSES", "open_run", "start_run", "step_run", "submit_tool_outputs",
           "cancel_run"]

OPEN_STATUSES = frozenset({"queued", "in_progress", "requires_action", "cancelling"})
_DEFAULT_ERROR = "The run failed (scripted outcome)."


def _emit(name: str, obj: dict[str, Any]) -> Emit:
    return Emit(name, copy.deepcopy(obj))


def _stamp(store: ObjectStore, kind: str, scope: tuple[str, ...], when: int) -> int:
    return max(when, store.collection(kind, scope).max_created)


def _usage(prompt: str, text: str) -> dict[str, int]:
    prompt_tokens, completion_tokens = 12 + len(prompt) // 4, max(1, len(text) // 4)
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def last_user_text(store: ObjectStore, thread_id: str) -> str:
    """The text of the newest user message of a thread ("" when there is none)."""
    for message in reversed(store.objects("message", (thread_id,))):
        if message.get("role") == "user":
            return " ".join(part["text"]["value"] for part in message.get("content") or []
                            if part.get("type") == "text")
    return ""


def open_run(store: ObjectStore, thread_id: str) -> str | None:
    """The id of the thread's API-made run that has not finished, if any."""
    run_id = store.note("thread", (thread_id,)).get("open_run")
    run = store.collection("run", (thread_id,)).get(run_id) if run_id else None
    return run_id if run is not None and run["status"] in OPEN_STATUSES else None


def start_run(store: ObjectStore, thread_id: str, fields: dict[str, Any]
              ) -> tuple[dict[str, Any], list[StreamItem]]:
    """Create a queued run with ``fields`` (the assistant's defaults already applied)."""
    scope = (thread_id,)
    run_id = store.new_id("run", scope)
    run = make_run(thread_id, run_id, store.api_stamp("run", scope), "queued", **fields)
    store.save("run", scope, run)
    store.note("run", (thread_id, run_id))["outcome"] = store.outcomes.take("run")
    store.note("thread", scope)["open_run"] = run_id
    store.track("run", (thread_id, run_id))
    return run, [_emit("thread.run.created", run), _emit("thread.run.queued", run)]


def step_run(store: ObjectStore, ids: tuple[str, ...], when: int) -> list[StreamItem]:
    """Move a run one status on; returns the events of the move."""
    run = store.find("run", ids)
    outcome: Outcome | None = store.note("run", ids).get("outcome")
    scripted = outcome.status if outcome is not None else "completed"
    status = run["status"]
    if status == "queued" and scripted == "expired":
        return _end(store, ids, run, "expired", {})
    if status == "queued":
        run.update(status="in_progress", started_at=when)
        store.save("run", ids[:1], run)
        return [_emit("thread.run.in_progress", run)]
    if status == "in_progress" and scripted == "failed":
        assert outcome is not None
        error = {"code": outcome.code, "message": outcome.message or _DEFAULT_ERROR}
        return _end(store, ids, run, "failed", {"failed_at": when, "last_error": error})
    if status == "in_progress":
        calls = _function_calls(store, ids, run)
        if calls:
            return _require_action(store, ids, run, calls, when)
        return _finish(store, ids, run, when, incomplete=scripted == "incomplete")
    if status == "cancelling":
        _close_tool_step(store, ids, "cancelled", when)
        return _end(store, ids, run, "cancelled", {"cancelled_at": when})
    store.untrack("run", ids)
    return []


def _end(store: ObjectStore, ids: tuple[str, ...], run: dict[str, Any], status: str,
         changes: dict[str, Any]) -> list[StreamItem]:
    run.update(status=status, expires_at=None, required_action=None, **changes)
    store.save("run", ids[:1], run)
    store.untrack("run", ids)
    return [_emit(f"thread.run.{status}", run)]


# --- function calls ----------------------------------------------------------------------------

def _sample(schema: Any, prompt: str) -> Any:
    if not isinstance(schema, dict):
        return prompt
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    samples = {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {},
               "null": None}
    return samples.get(kind, prompt) if isinstance(kind, str) else prompt


def _arguments(function: dict[str, Any], prompt: str) -> str:
    parameters = function.get("parameters") or {}
    properties = parameters.get("properties") or {}
    names = parameters.get("required") or list(properties)
    values = {name: _sample(properties.get(name), prompt) for name in names}
    return json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def _function_calls(store: ObjectStore, ids: tuple[str, ...], run: dict[str, Any]
                    ) -> list[dict[str, Any]]:
    if "tool_outputs" in store.note("run", ids):
        return []  # the calls were answered
    choice = run.get("tool_choice")
    functions = [tool["function"] for tool in run.get("tools") or []
                 if tool.get("type") == "function"]
    if choice == "none" or (isinstance(choice, dict) and choice.get("type") != "function"):
        return []
    if isinstance(choice, dict):
        functions = [f for f in functions if f.get("name") == choice["function"]["name"]]
    if not run.get("parallel_tool_calls", True):
        functions = functions[:1]
    prompt = last_user_text(store, ids[0]) or "Hello!"
    number = ids[1].removeprefix("run_")
    return [{"id": f"call_{number}_{n}", "type": "function",
             "function": {"name": f["name"], "arguments": _arguments(f, prompt)}}
            for n, f in enumerate(functions, 1)]


def _require_action(store: ObjectStore, ids: tuple[str, ...], run: dict[str, Any],
                    calls: list[dict[str, Any]], when: int) -> list[StreamItem]:
    thread_id, run_id = ids
    step_id = store.new_id("step", ids)
    details = [{**call, "function": {**call["function"], "output": None}} for call in calls]
    step = make_step(thread_id, run_id, step_id, _stamp(store, "step", ids, when),
                     type="tool_calls", status="in_progress", completed_at=None, usage=None,
                     assistant_id=run["assistant_id"],
                     step_details={"type": "tool_calls", "tool_calls": details})
    store.save("step", ids, step)
    store.note("run", ids)["tool_step"] = step_id
    run.update(status="requires_action", required_action={
        "type": "submit_tool_outputs", "submit_tool_outputs": {"tool_calls": calls}})
    store.save("run", (thread_id,), run)
    store.untrack("run", ids)  # it waits for the client
    return [_emit("thread.run.step.created", step), _emit("thread.run.step.in_progress", step),
            _emit("thread.run.requires_action", run)]


def _close_tool_step(store: ObjectStore, ids: tuple[str, ...], status: str, when: int,
                     outputs: dict[str, str] | None = None) -> dict[str, Any] | None:
    step_id = store.note("run", ids).get("tool_step")
    step = store.collection("step", ids).get(step_id) if step_id else None
    if step is None or step["status"] != "in_progress":
        return None
    for call in step["step_details"]["tool_calls"]:
        if outputs is not None:
            call["function"]["output"] = outputs.get(call["id"], "")
    stamp = "completed_at" if status == "completed" else f"{status}_at"
    step.update(status=status, **{stamp: when})
    if status == "completed":
        step["usage"] = _usage("", json.dumps(outputs or {}))
    store.save("step", ids, step)
    return step


def submit_tool_outputs(store: ObjectStore, ids: tuple[str, ...],
                        outputs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[StreamItem]]:
    """Answer a run's function calls; it goes back to ``queued`` (400 if the ids do not match)."""
    run = store.find("run", ids)
    if run["status"] != "requires_action":
        raise ApiError(400, f"Run {ids[1]} is {run['status']}; only a run that requires "
                            "action accepts tool outputs.")
    expected = [c["id"] for c in run["required_action"]["submit_tool_outputs"]["tool_calls"]]
    given = [str(o.get("tool_call_id")) for o in outputs]
    if sorted(given) != sorted(expected):
        raise ApiError(400, f"Expected tool outputs for call ids {json.dumps(expected)}, "
                            f"got {json.dumps(given)}.", param="tool_outputs",
                       code="invalid_value")
    by_id = {str(o["tool_call_id"]): str(o.get("output", "")) for o in outputs}
    when = store.now()
    step = _close_tool_step(store, ids, "completed", when, by_id)
    store.note("run", ids)["tool_outputs"] = [by_id[call_id] for call_id in expected]
    run.update(status="queued", required_action=None)
    store.save("run", ids[:1], run)
    store.track("run", ids)
    items: list[StreamItem] = [_emit("thread.run.step.completed", step)] if step else []
    return run, items + [_emit("thread.run.queued", run)]


def cancel_run(store: ObjectStore, ids: tuple[str, ...]) -> tuple[dict[str, Any], list[StreamItem]]:
    run = store.find("run", ids)
    if run["status"] not in ("queued", "in_progress", "requires_action"):
        raise ApiError(400, f"Cannot cancel run {ids[1]}: its status is '{run['status']}'.")
    run.update(status="cancelling", required_action=None)
    store.save("run", ids[:1], run)
    store.track("run", ids)
    return run, [_emit("thread.run.cancelling", run)]


# --- completion ----------------------------------------------------------------------------------

def _reply(store: ObjectStore, ids: tuple[str, ...]) -> tuple[str, str]:
    """(prompt, reply) for a completing run."""
    outputs = store.note("run", ids).get("tool_outputs")
    prompt = last_user_text(store, ids[0])
    if outputs is not None:
        return prompt, "Tool output: " + "; ".join(outputs)
    return prompt, f"You said: {prompt}" if prompt else "Hello! How can I help you today?"


def _finish(store: ObjectStore, ids: tuple[str, ...], run: dict[str, Any], when: int, *,
            incomplete: bool) -> list[StreamItem]:
    thread_id, run_id = ids
    prompt, reply = _reply(store, ids)
    text = compose_text(reply, store.streaming)
    usage = _usage(prompt, text)
    message_id = store.new_id("message", (thread_id,))
    message = make_message(thread_id, message_id, _stamp(store, "message", (thread_id,), when),
                           role="assistant", text=text, run_id=run_id,
                           assistant_id=run["assistant_id"], completed_at=when)
    started = {**copy.deepcopy(message), "status": "in_progress", "content": [],
               "completed_at": None}
    step = make_step(thread_id, run_id, store.new_id("step", ids),
                     _stamp(store, "step", ids, when), message_id=message_id,
                     assistant_id=run["assistant_id"], completed_at=when, usage=usage)
    step_started = {**copy.deepcopy(step), "status": "in_progress", "completed_at": None,
                    "usage": None}
    ending = "incomplete" if incomplete else "completed"
    if incomplete:
        message.update(status="incomplete", incomplete_details={"reason": "max_tokens"},
                       completed_at=None, incomplete_at=when)
    store.save("message", (thread_id,), message)
    store.save("step", ids, step)
    changes: dict[str, Any] = {"usage": usage}
    if incomplete:
        changes["incomplete_details"] = {"reason": "max_completion_tokens"}
    else:
        changes["completed_at"] = when
    items: list[StreamItem] = [
        Emit("thread.run.step.created", step_started),
        Emit("thread.run.step.in_progress", step_started),
        Emit("thread.message.created", started), Emit("thread.message.in_progress", started),
        TextDeltas(message_id, text), _emit(f"thread.message.{ending}", message),
        _emit("thread.run.step.completed", step)]
    return items + _end(store, ids, run, ending, changes)
