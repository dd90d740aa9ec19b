"""Waiting for an object's status: a set's GET repeated until its status leaves the wait set.

The delay before poll *n* is ``min(step * n, max)`` seconds (PSOpenAI: 200 ms more each time, at
most 1 s), slept through the transport's sleeper and measured with its clock, so tests never wait.
The limit (the spec's ``timeout`` parameter, ``-TimeoutSec``) bounds the whole wait: when it is
reached, :class:`~pyopenai_ps.errors.WaitTimeoutError` names the object and its last status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..binding.result import Binding
from ..errors import WaitTimeoutError
from ..http.transport import Transport
from ..spec.flow import PollSpec
from ..spec.properties import MISSING, get_property
from .sender import Reporter
from .values import NOTHING, Context, evaluate

__all__ = ["wait_for", "wait_set"]


def _statuses(value: Any) -> set[str]:
    if value is NOTHING or value is None:
        return set()
    values = value if isinstance(value, (list, tuple)) else [value]
    return {str(v) for v in values}


def wait_set(spec: PollSpec, binding: Binding) -> set[str]:
    """The statuses in which the wait goes on: ``wait_in`` without ``except``."""
    context = Context(binding)
    waiting = _statuses(evaluate(spec.wait_in, context))
    if spec.except_in is not None:
        waiting -= _statuses(evaluate(spec.except_in, context))
    return waiting


def _status(value: Any, field: str) -> str | None:
    found = get_property(value, field)
    return None if found is MISSING or found is None or found == "" else str(found)


class _Report:
    """What a wait tells the reporter: each status as it changes, and the time waited."""

    def __init__(self, reporter: Reporter, clock: Callable[[], float]) -> None:
        self.reporter = reporter
        self.clock = clock
        self.started = clock()

    def waited(self) -> float:
        return self.clock() - self.started

    def status(self, object_id: str | None, status: str | None) -> None:
        self.reporter.waiting(object_id or "", status or "", self.waited())


def wait_for(spec: PollSpec, binding: Binding, fetch: Callable[[], Mapping[str, Any]], transport: Transport,
             reporter: Reporter, redact: Callable[[str], str]) -> Mapping[str, Any]:
    """Poll with ``fetch`` until the status leaves the wait set; the last answer (or one more, ``final``).

    What the answers say (ids, statuses, an error's message) passes ``redact`` before it is shown."""
    waiting = wait_set(spec, binding)
    limit = binding.get(spec.timeout) if spec.timeout else None
    limit = float(limit) if limit else None
    report = _Report(reporter, transport.clock)
    current: Any = evaluate(spec.initial, Context(binding)) if spec.initial is not None else None
    if current is NOTHING or _status(current, spec.status) is None:
        current = None
    n = spec.start
    while current is None or _status(current, spec.status) in waiting:
        object_id = None if current is None else _shown(_status(current, "id"), redact)
        status = None if current is None else _shown(_status(current, spec.status), redact)
        if current is not None:
            report.status(object_id, status)
            reporter.verbose(f"The status of {object_id} is {status}; waiting.")
        delay = min(spec.step * n, spec.max_delay)
        n += 1
        if limit is not None and report.waited() + delay > limit:
            transport.sleeper(max(0.0, limit - report.waited()))
            raise WaitTimeoutError(
                f"The wait for {object_id or 'the object'} ended after {limit:g} s; its last status was "
                f"'{status or 'unknown'}'.", object_id=object_id, status=status, waited=report.waited())
        if delay > 0:
            transport.sleeper(delay)
        current = fetch()
    if spec.final == "request":
        current = fetch()
    status = _status(current, spec.status)
    if status in spec.ended:
        detail = get_property(current, spec.ended_detail) if spec.ended_detail else None
        reporter.warning(redact(_ended_message(_status(current, "id"), status, detail)))
    return current  # type: ignore[no-any-return]


def _shown(text: str | None, redact: Callable[[str], str]) -> str | None:
    return None if text is None else redact(text)


def _ended_message(object_id: str | None, status: str | None, detail: Any) -> str:
    text = f"{object_id or 'The object'} ended with status '{status}'"
    if isinstance(detail, Mapping):
        code, message = detail.get("code"), detail.get("message")
        text += f": {code}: {message}" if code else f": {message}"
    elif detail not in (None, MISSING):
        text += f": {detail}"
    return text if text.endswith((".", "!", "?")) else text + "."  # the API's messages end with their own
