"""Routes for runs and run steps (create, thread-and-run, modify, cancel, tool outputs).

A create answers with the run as created (``queued``), whatever the
progression then does with it.  With ``"stream": true`` the answer is an event
stream instead: the run is driven to where it stops (an end, or
``requires_action``) and every move is sent as events.
"""

from __future__ import annotations

import copy
from typing import Any

from .answers import Answer, Emit, StreamAnswer, StreamItem
from .api_assistants import settle_tool_resources
from .api_request import ApiRequest, Route, render
from .api_threads import check_message, new_message, new_thread
from .responses import ApiError
from .run_engine import cancel_run, open_run, start_run, submit_tool_outputs
from .schemas import (CREATE_RUN, CREATE_THREAD_AND_RUN, MODIFY_METADATA, NO_FIELDS,
                      SUBMIT_TOOL_OUTPUTS)
from .storage import ObjectStore

__all__ = ["ROUTES"]


def _assistant(store: ObjectStore, assistant_id: str) -> dict[str, Any]:
    assistant = store.collection("assistant").get(assistant_id)
    if assistant is None:
        raise ApiError(404, f"No assistant found with id '{assistant_id[:200]}'.",
                       param="assistant_id")
    return assistant


def _run_fields(body: dict[str, Any], assistant: dict[str, Any]) -> dict[str, Any]:
    """The new run's fields: the request's, else the assistant's, else the API defaults."""
    def pick(name: str, default: Any) -> Any:
        value = body.get(name)
        return copy.deepcopy(default) if value is None else value

    instructions = pick("instructions", assistant.get("instructions") or "")
    extra = body.get("additional_instructions")
    if extra:
        instructions = f"{instructions}\n\n{extra}" if instructions else extra
    truncation = pick("truncation_strategy", {"type": "auto"})
    return {
        "assistant_id": assistant["id"], "model": pick("model", assistant["model"]),
        "instructions": instructions, "tools": pick("tools", assistant.get("tools") or []),
        "metadata": pick("metadata", {}),
        "temperature": pick("temperature", assistant.get("temperature", 1.0)),
        "top_p": pick("top_p", assistant.get("top_p", 1.0)),
        "max_prompt_tokens": body.get("max_prompt_tokens"),
        "max_completion_tokens": body.get("max_completion_tokens"),
        "truncation_strategy": {"type": truncation["type"],
                                "last_messages": truncation.get("last_messages")},
        "tool_choice": pick("tool_choice", "auto"),
        "parallel_tool_calls": pick("parallel_tool_calls", True),
        "response_format": pick("response_format", assistant.get("response_format") or "auto"),
    }


def _answer(request: ApiRequest, body: dict[str, Any], run: dict[str, Any],
            items: list[StreamItem]) -> Answer:
    """The run as it is now, or a stream of its moves to where it stops."""
    store = request.store
    ids = (run["thread_id"], run["id"])
    if body.get("stream"):
        return StreamAnswer(items + store.settle("run", ids), store.streaming)
    data = render(run)  # before progression moves it on
    store.created("run", ids)
    return data


def create_run(request: ApiRequest) -> Answer:
    body = request.json(CREATE_RUN)
    store = request.store
    thread_id = request.params["thread_id"]
    with store.lock:
        store.find("thread", (thread_id,))
        assistant = _assistant(store, body["assistant_id"])
        active = open_run(store, thread_id)
        if active is not None:
            raise ApiError(400, f"Thread {thread_id} already has an active run {active}.")
        for i, spec in enumerate(body.get("additional_messages") or []):
            check_message(store, spec, f"additional_messages[{i}].")
        for spec in body.get("additional_messages") or []:
            new_message(store, thread_id, spec)
        run, items = start_run(store, thread_id, _run_fields(body, assistant))
        return _answer(request, body, run, items)


def create_thread_and_run(request: ApiRequest) -> Answer:
    body = request.json(CREATE_THREAD_AND_RUN)
    store = request.store
    with store.lock:
        assistant = _assistant(store, body["assistant_id"])
        spec = dict(body.get("thread") or {})
        if body.get("tool_resources") and not spec.get("tool_resources"):
            spec["tool_resources"] = body["tool_resources"]
        thread = new_thread(store, spec, "thread.")
        settle_tool_resources(request, thread["tool_resources"])
        run, items = start_run(store, thread["id"], _run_fields(body, assistant))
        created: list[StreamItem] = [Emit("thread.created", copy.deepcopy(thread))]
        return _answer(request, body, run, created + items)


def list_runs(request: ApiRequest) -> bytes:
    return request.store.list_bytes("run", (request.params["thread_id"],),
                                    **request.list_options())


def get_run(request: ApiRequest) -> bytes:
    ids = (request.params["thread_id"], request.params["run_id"])
    request.store.poll("run", ids)
    return request.store.object_bytes("run", ids)


def modify_run(request: ApiRequest) -> bytes:
    body = request.json(MODIFY_METADATA)
    store = request.store
    ids = (request.params["thread_id"], request.params["run_id"])
    with store.lock:
        run = store.find("run", ids)
        if "metadata" in body:
            run["metadata"] = body["metadata"] or {}
        store.save("run", ids[:1], run)
        return render(run)


def cancel(request: ApiRequest) -> bytes:
    request.json(NO_FIELDS)
    ids = (request.params["thread_id"], request.params["run_id"])
    with request.store.lock:
        run, _ = cancel_run(request.store, ids)
        data = render(run)
        request.store.created("run", ids)
        return data


def submit(request: ApiRequest) -> Answer:
    body = request.json(SUBMIT_TOOL_OUTPUTS)
    ids = (request.params["thread_id"], request.params["run_id"])
    with request.store.lock:
        run, items = submit_tool_outputs(request.store, ids, body["tool_outputs"])
        return _answer(request, body, run, items)


def list_steps(request: ApiRequest) -> bytes:
    scope = (request.params["thread_id"], request.params["run_id"])
    return request.store.list_bytes("step", scope, **request.list_options())


def get_step(request: ApiRequest) -> bytes:
    return request.store.object_bytes("step", (request.params["thread_id"],
                                               request.params["run_id"],
                                               request.params["step_id"]))


_RUN = ("threads", "{thread_id}", "runs", "{run_id}")
ROUTES = [
    Route(("threads", "runs"), {"POST": create_thread_and_run}, beta=True),
    Route(_RUN[:3], {"GET": list_runs, "POST": create_run}, beta=True),
    Route(_RUN, {"GET": get_run, "POST": modify_run}, beta=True),
    Route(_RUN + ("cancel",), {"POST": cancel}, beta=True),
    Route(_RUN + ("submit_tool_outputs",), {"POST": submit}, beta=True),
    Route(_RUN + ("steps",), {"GET": list_steps}, beta=True),
    Route(_RUN + ("steps", "{step_id}"), {"GET": get_step}, beta=True),
]
