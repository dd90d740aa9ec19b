"""Factories for the API objects the server returns, and the deterministic seed.

Every factory returns a plain ``dict`` shaped like the OpenAI object of the
same name, with every key present (``None`` where the API sends ``null``).
Keyword overrides replace fields or add new ones, so a test can build odd
objects on purpose.  Timestamps are fixed unix seconds so output never depends
on the clock.
"""

from __future__ import annotations

from typing import Any

#: Fixed "now" of the seed world (2023-11-14T22:13:20Z); all seed timestamps
#: are offsets from it.
EPOCH = 1_700_000_000

#: How long a non-terminal run stays valid, as the real API does (10 minutes).
RUN_TTL = 600

RUN_STATUSES = (
    "queued", "in_progress", "requires_action", "cancelling",
    "cancelled", "failed", "completed", "incomplete", "expired",
)
_TERMINAL = frozenset({"cancelled", "failed", "completed", "incomplete", "expired"})

DEFAULT_MODEL = "gpt-4o-mini"


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def make_run(thread_id: str, run_id: str, created_at: int, status: str = "completed",
             **overrides: Any) -> dict[str, Any]:
    """A run object; the timestamps that apply to ``status`` are filled in, the rest null."""
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    started = created_at + 1 if status not in ("queued", "expired") else None
    run: dict[str, Any] = {
        "id": run_id,
        "object": "thread.run",
        "created_at": created_at,
        "thread_id": thread_id,
        "assistant_id": "asst_abc123",
        "status": status,
        "required_action": None,
        "last_error": None,
        # Once a run is terminal the API clears expires_at.
        "expires_at": None if status in _TERMINAL else created_at + RUN_TTL,
        "started_at": started,
        "cancelled_at": created_at + 5 if status == "cancelled" else None,
        "failed_at": created_at + 5 if status == "failed" else None,
        "completed_at": created_at + 5 if status == "completed" else None,
        "incomplete_details": None,
        "model": DEFAULT_MODEL,
        "instructions": "You are a helpful assistant.",
        "tools": [{"type": "code_interpreter"}],
        "metadata": {},
        "usage": _usage(120, 45) if status in _TERMINAL else None,
        "temperature": 1.0,
        "top_p": 1.0,
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "tool_choice": "auto",
        "parallel_tool_calls": True,
        "response_format": "auto",
    }
    if status == "requires_action":
        run["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {"tool_calls": [{
                "id": "call_abc123",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"location":"Tokyo"}'},
            }]},
        }
        run["tools"] = [{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather for a city.",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
        }}]
    elif status == "failed":
        run["last_error"] = {"code": "server_error", "message": "The run failed (seeded)."}
    elif status == "incomplete":
        run["incomplete_details"] = {"reason": "max_completion_tokens"}
        run["max_completion_tokens"] = 45
    run.update(overrides)
    return run


def make_thread(thread_id: str, created_at: int, **overrides: Any) -> dict[str, Any]:
    thread: dict[str, Any] = {
        "id": thread_id, "object": "thread", "created_at": created_at,
        "tool_resources": {}, "metadata": {},
    }
    thread.update(overrides)
    return thread


def make_message(thread_id: str, message_id: str, created_at: int, *, role: str = "user",
                 text: str = "Hello!", run_id: str | None = None,
                 **overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": message_id, "object": "thread.message", "created_at": created_at,
        "thread_id": thread_id, "status": "completed", "incomplete_details": None,
        "completed_at": created_at, "incomplete_at": None, "role": role,
        "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
        "assistant_id": "asst_abc123" if role == "assistant" else None,
        "run_id": run_id, "attachments": [], "metadata": {},
    }
    message.update(overrides)
    return message


def make_step(thread_id: str, run_id: str, step_id: str, created_at: int, *,
              message_id: str = "msg_abc123", **overrides: Any) -> dict[str, Any]:
    step: dict[str, Any] = {
        "id": step_id, "object": "thread.run.step", "created_at": created_at,
        "assistant_id": "asst_abc123", "thread_id": thread_id, "run_id": run_id,
        "type": "message_creation", "status": "completed",
        "step_details": {"type": "message_creation",
                         "message_creation": {"message_id": message_id}},
        "last_error": None, "expired_at": None, "cancelled_at": None, "failed_at": None,
        "completed_at": created_at + 2, "metadata": {}, "usage": _usage(60, 20),
    }
    step.update(overrides)
    return step


def make_assistant(assistant_id: str, created_at: int, **overrides: Any) -> dict[str, Any]:
    assistant: dict[str, Any] = {
        "id": assistant_id, "object": "assistant", "created_at": created_at,
        "name": "Math Tutor", "description": None, "model": DEFAULT_MODEL,
        "instructions": "You are a personal math tutor.",
        "tools": [{"type": "code_interpreter"}], "tool_resources": {}, "metadata": {},
        "temperature": 1.0, "top_p": 1.0, "response_format": "auto",
    }
    assistant.update(overrides)
    return assistant


def make_batch(batch_id: str, created_at: int, status: str = "completed",
               **overrides: Any) -> dict[str, Any]:
    done = status == "completed"
    batch: dict[str, Any] = {
        "id": batch_id, "object": "batch", "endpoint": "/v1/chat/completions",
        "errors": None, "input_file_id": "file-abc123", "completion_window": "24h",
        "status": status, "output_file_id": "file-out123" if done else None,
        "error_file_id": None, "created_at": created_at,
        "in_progress_at": created_at + 10, "expires_at": created_at + 86_400,
        "finalizing_at": created_at + 100 if done else None,
        "completed_at": created_at + 110 if done else None,
        "failed_at": None, "expired_at": None, "cancelling_at": None, "cancelled_at": None,
        "request_counts": {"total": 100, "completed": 100 if done else 40, "failed": 0},
        "metadata": {},
    }
    batch.update(overrides)
    return batch


def make_file(file_id: str, created_at: int, *, filename: str, size: int, purpose: str,
              expires_at: int | None = None, **overrides: Any) -> dict[str, Any]:
    file: dict[str, Any] = {
        "id": file_id, "object": "file", "bytes": size, "created_at": created_at,
        "expires_at": expires_at, "filename": filename, "purpose": purpose,
        "status": "processed", "status_details": None,
    }
    file.update(overrides)
    return file


#: What the API reports for the "auto" chunking strategy.
AUTO_CHUNKING = {"type": "static",
                 "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


def file_counts(**counts: int) -> dict[str, int]:
    result = {name: counts.get(name, 0)
              for name in ("in_progress", "completed", "failed", "cancelled")}
    result["total"] = sum(result.values())
    return result


def make_vector_store(store_id: str, created_at: int, **overrides: Any) -> dict[str, Any]:
    store: dict[str, Any] = {
        "id": store_id, "object": "vector_store", "created_at": created_at, "name": "",
        "usage_bytes": 0, "file_counts": file_counts(), "status": "completed",
        "expires_after": None, "expires_at": None, "last_active_at": created_at,
        "metadata": {},
    }
    store.update(overrides)
    return store


def make_vector_store_file(file_id: str, store_id: str, created_at: int,
                           **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": file_id, "object": "vector_store.file", "usage_bytes": 0,
        "created_at": created_at, "vector_store_id": store_id, "status": "in_progress",
        "last_error": None, "chunking_strategy": AUTO_CHUNKING, "attributes": {},
    }
    entry.update(overrides)
    return entry


def make_file_batch(batch_id: str, store_id: str, created_at: int,
                    **overrides: Any) -> dict[str, Any]:
    batch: dict[str, Any] = {
        "id": batch_id, "object": "vector_store.files_batch", "created_at": created_at,
        "vector_store_id": store_id, "status": "in_progress", "file_counts": file_counts(),
    }
    batch.update(overrides)
    return batch


def make_deleted(object_type: str, ident: str) -> dict[str, Any]:
    """The answer to a DELETE: ``{"id", "object": "<type>.deleted", "deleted": true}``
    (files answer with ``"object": "file"``, as the API does)."""
    return {"id": ident, "object": object_type, "deleted": True}
