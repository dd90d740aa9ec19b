"""Batches: validating -> in_progress -> finalizing -> completed, one status per step.

Validation reads the input file (JSONL, one request a line: ``custom_id``,
``method`` POST, ``url`` equal to the batch's endpoint, ``body``); any bad line
fails the batch with ``errors`` naming the line.  Completion writes an output
file (purpose ``batch_output``) with one answer a line, in input order:
``{"id": "batch_req_...", "custom_id", "response": {"status_code": 200,
"request_id", "body"}, "error": null}`` where the body is a ``chat.completion``
echoing the request's last user message (``/v1/chat/completions``), an
embedding list (``/v1/embeddings``), or for other endpoints an echo of the
request body.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterator

from .answers import StreamItem
from .blobs import Blob, BlobWriter
from .objects import DEFAULT_MODEL, make_batch
from .progression import Outcome
from .responses import ApiError
from .storage import ObjectStore

__all__ = ["start_batch", "step_batch", "cancel_batch", "answer_line", "iter_lines"]

_CANCELLABLE = ("validating", "in_progress", "finalizing")
_MAX_ERRORS = 100


def start_batch(store: ObjectStore, fields: dict[str, Any]) -> dict[str, Any]:
    batch_id = store.new_id("batch")
    created = store.api_stamp("batch")
    batch = make_batch(batch_id, created, status="validating", in_progress_at=None,
                       request_counts={"total": 0, "completed": 0, "failed": 0}, **fields)
    store.save("batch", (), batch)
    store.note("batch", (batch_id,))["outcome"] = store.outcomes.take("batch")
    store.track("batch", (batch_id,))
    return batch


def step_batch(store: ObjectStore, ids: tuple[str, ...], when: int) -> list[StreamItem]:
    """Move a batch one status on (batches have no stream events)."""
    batch = store.find("batch", ids)
    outcome: Outcome | None = store.note("batch", ids).get("outcome")
    scripted = outcome.status if outcome is not None else "completed"
    status = batch["status"]
    if status == "validating":
        requests, errors = _validate(store, batch)
        if scripted == "failed" and not errors:
            assert outcome is not None
            errors = [{"code": outcome.code, "message": outcome.message
                       or "The batch failed (scripted outcome).", "param": None, "line": None}]
        if errors:
            return _end(store, batch, "failed", failed_at=when,
                        errors={"object": "list", "data": errors})
        store.note("batch", ids)["requests"] = requests
        batch["request_counts"] = {"total": len(requests), "completed": 0, "failed": 0}
        batch.update(status="in_progress", in_progress_at=when)
    elif status == "in_progress" and scripted == "expired":
        return _end(store, batch, "expired", expired_at=when)
    elif status == "in_progress":
        counts = batch["request_counts"]
        counts["completed"] = counts["total"]
        batch.update(status="finalizing", finalizing_at=when)
    elif status == "finalizing":
        output = _write_output(store, batch, when)
        return _end(store, batch, "completed", completed_at=when, output_file_id=output["id"])
    elif status == "cancelling":
        return _end(store, batch, "cancelled", cancelled_at=when)
    else:
        store.untrack("batch", ids)
        return []
    store.save("batch", (), batch)
    return []


def _end(store: ObjectStore, batch: dict[str, Any], status: str, **changes: Any
         ) -> list[StreamItem]:
    batch.update(status=status, **changes)
    store.save("batch", (), batch)
    store.untrack("batch", (batch["id"],))
    store.note("batch", (batch["id"],)).pop("requests", None)
    return []


def cancel_batch(store: ObjectStore, batch_id: str) -> dict[str, Any]:
    batch = store.find("batch", (batch_id,))
    if batch["status"] not in _CANCELLABLE:
        raise ApiError(400, f"Cannot cancel batch {batch_id}: its status is "
                            f"'{batch['status']}'.")
    batch.update(status="cancelling", cancelling_at=store.now())
    store.save("batch", (), batch)
    store.track("batch", (batch_id,))
    return batch


# --- the input file ----------------------------------------------------------------------------

def iter_lines(blob: Blob) -> Iterator[bytes]:
    """The lines of a blob without their line ends, read in chunks."""
    rest = b""
    for chunk in blob.chunks():
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from (line.rstrip(b"\r") for line in lines)
    if rest:
        yield rest.rstrip(b"\r")


def _line_error(number: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": number}


def _check_request(line: bytes, number: int, endpoint: str, seen: set[str]
                   ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    try:
        request = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None, _line_error(number, "invalid_json_line",
                                 "This line is not valid JSON.")
    if not isinstance(request, dict):
        return None, _line_error(number, "invalid_request", "Each line must be a JSON object.")
    for name, kind in (("custom_id", str), ("method", str), ("url", str), ("body", dict)):
        if not isinstance(request.get(name), kind):
            return None, _line_error(number, "missing_required_parameter",
                                     f"The line has no valid '{name}'.", name)
    if request["method"] != "POST":
        return None, _line_error(number, "invalid_value", "Only POST requests can be batched.",
                                 "method")
    if request["url"] != endpoint:
        return None, _line_error(number, "invalid_url", f"The url must be the batch's endpoint "
                                                        f"{endpoint}.", "url")
    if request["custom_id"] in seen:
        return None, _line_error(number, "duplicate_custom_id",
                                 "The custom_id is used by an earlier line.", "custom_id")
    seen.add(request["custom_id"])
    return request, None


def _validate(store: ObjectStore, batch: dict[str, Any]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    try:
        blob = store.blob(batch["input_file_id"])
    except LookupError:
        return [], [_line_error(0, "missing_input_file", "The input file no longer exists.")]
    requests: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(iter_lines(blob), 1):
        if not line.strip():
            continue
        request, error = _check_request(line, number, batch["endpoint"], seen)
        if error is not None and len(errors) < _MAX_ERRORS:
            errors.append(error)
        elif request is not None:
            requests.append(request)
    if not requests and not errors:
        errors.append(_line_error(0, "empty_file", "The input file has no requests."))
    return requests, errors


# --- the output file -----------------------------------------------------------------------------

def _prompt(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content)
    return ""


def _respond(endpoint: str, body: dict[str, Any], digest: str, when: int) -> dict[str, Any]:
    model = body.get("model") if isinstance(body.get("model"), str) else DEFAULT_MODEL
    if endpoint == "/v1/embeddings":
        inputs = body.get("input")
        items = inputs if isinstance(inputs, list) else [inputs]
        vector = [round(int(digest[i:i + 4], 16) / 65535 - 0.5, 6) for i in range(0, 32, 4)]
        return {"object": "list", "model": model,
                "data": [{"object": "embedding", "index": i, "embedding": vector}
                         for i in range(len(items))],
                "usage": {"prompt_tokens": 8 * len(items), "total_tokens": 8 * len(items)}}
    if endpoint != "/v1/chat/completions":
        return {"object": "echo", "request": body}
    prompt = _prompt(body)
    text = f"You said: {prompt}" if prompt else "Hello! How can I help you today?"
    prompt_tokens, completion_tokens = 8 + len(prompt) // 4, max(1, len(text) // 4)
    return {
        "id": f"chatcmpl-{digest[:24]}", "object": "chat.completion", "created": when,
        "model": model, "choices": [{
            "index": 0, "message": {"role": "assistant", "content": text, "refusal": None,
                                    "annotations": []},
            "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
        "service_tier": "default", "system_fingerprint": None,
    }


def answer_line(batch_id: str, endpoint: str, request: dict[str, Any], when: int) -> dict[str, Any]:
    """One line of an output file: the answer to ``request``."""
    digest = hashlib.sha256(f"{batch_id}/{request['custom_id']}".encode()).hexdigest()
    return {"id": f"batch_req_{digest[:32]}", "custom_id": request["custom_id"],
            "response": {"status_code": 200, "request_id": f"req_{digest[32:]}",
                         "body": _respond(endpoint, request["body"], digest, when)},
            "error": None}


def _write_output(store: ObjectStore, batch: dict[str, Any], when: int) -> dict[str, Any]:
    writer = BlobWriter()
    for request in store.note("batch", (batch["id"],)).get("requests", []):
        line = answer_line(batch["id"], batch["endpoint"], request, when)
        writer.write(json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
    created = max(when, store.collection("file").max_created)
    return store.store_file(writer.finish(), filename=f"{batch['id']}_output.jsonl",
                          purpose="batch_output", created_at=created)
