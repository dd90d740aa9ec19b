"""Operations that are more than one request: polling, server-sent events, steps and derived properties.

``poll:`` repeats a set's GET until a field of the answer leaves a set of statuses::

    poll:
      status: status                               # the field polled
      wait_in: {first: [{parameter: StatusForWait}, {value: [queued, in_progress, ...]}]}
      except: {parameter: StatusForExit}           # these end the wait too
      initial: {parameter: InputObject}            # decide first on this object (no request), if it has the field
      delay: {step: 0.2, max: 1.0, start: 1}       # seconds before poll n: min(step * n, max), n from start
      final: request                               # request once more after the wait (or: last, the last answer)
      timeout: TimeoutSec                          # bounds the whole wait (0 or unset: no bound)
      ended: {statuses: [failed, expired], detail: last_error}   # a warning names them, with that field

``returns: events`` reads ``text/event-stream`` as the SSE specification says and yields, lazily,
what ``events:`` selects from each event::

    events:
      select: {event: thread.message.delta, path: delta.content.0.text.value}
      raw: {equals: {Format: raw_response}}        # when this holds, each data payload as text instead

``steps:`` runs other cmdlets in turn, instead of a request of the set's own; each step's value
sources read ``{answer: ...}`` from the current object (the ``start`` value, then the output of each
step marked ``keep``), and the outputs of steps marked ``output`` are the set's output::

    start: {parameter: InputObject}
    steps:
      - {run: Wait-ThreadRun, when: Wait, with: {InputObject: {answer: null}}, keep: true}
      - {run: Get-Thread, with: {InputObject: {answer: thread_id}}, output: true, keep: true}
      - {run: Remove-Thread, when: [Wait, AutoRemoveThread], with: {InputObject: {answer: id}}}

A step may say what it ``needs`` of the current object; when that condition does not hold, the
record ends with ``message`` as its error (``{field}``: that field of the current object)::

      - {run: Get-OpenAIFileContent, with: {Id: {answer: output_file_id}}, output: true,
         needs: {given: {answer: output_file_id}}, message: "The batch {id} has no output file."}

``output.derived`` adds properties to each output object, from a named projection of the object
(``spec/projections.py``) or from another cmdlet's output::

    derived:
      Messages: {run: Get-ThreadMessage, with: {InputObject: {answer: id}, All: {value: true}},
                 unless: Primitive, otherwise: {value: []}}
      SimpleContent: {projection: message_simple_content}
      Messages: {value: []}                        # or any value source (its modifiers decide when)

A property given a list of definitions takes the first whose ``when``/``unless`` hold (only the last
may have ``otherwise``)::

      SimpleContent:
        - {run: Get-ThreadMessage, with: {...}, projection: message_simple_content,
           when: {given: {answer: step_details.message_creation.message_id}}}
        - {projection: step_simple_content}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..errors import SpecError
from .projections import PROJECTIONS
from .values import KINDS, Condition, ValueSource, parse_condition, parse_source, parse_sources

__all__ = ["PollSpec", "EventsSpec", "Step", "Derived", "parse_poll", "parse_events", "parse_steps",
           "parse_derived"]


def _fail(reason: str, field: str) -> SpecError:
    return SpecError(reason, field=f"operation.{field}")


def _keys(data: Any, allowed: set[str], field: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _fail("expected a mapping", field)
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise _fail(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})", field)
    return data


def _number(raw: Any, field: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0:
        raise _fail("expected a number of seconds, 0 or more", field)
    return float(raw)


@attrs.frozen
class PollSpec:
    status: str
    wait_in: ValueSource
    except_in: ValueSource | None = None
    initial: ValueSource | None = None
    step: float = 0.2
    max_delay: float = 1.0
    start: int = 1
    final: str = "last"
    timeout: str | None = None
    ended: tuple[str, ...] = ()
    ended_detail: str | None = None


def parse_poll(raw: Any, parameters: set[str], field: str) -> PollSpec:
    where = f"{field}.poll"
    data = _keys(raw, {"status", "wait_in", "except", "initial", "delay", "final", "timeout", "ended"}, where)
    if not isinstance(data.get("status"), str) or "wait_in" not in data:
        raise _fail("poll needs 'status' (the field polled) and 'wait_in' (a value source of statuses)", where)
    delay = _keys(data.get("delay", {}), {"step", "max", "start"}, f"{where}.delay")
    start = delay.get("start", 1)
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise _fail("start is a whole number, 0 or more", f"{where}.delay")
    final = data.get("final", "last")
    if final not in ("last", "request"):
        raise _fail("final is 'last' (the last answer) or 'request' (one more request)", where)
    timeout = data.get("timeout")
    if timeout is not None and timeout not in parameters:
        raise _fail(f"no parameter named '{timeout}'", f"{where}.timeout")
    ended = _keys(data.get("ended", {}), {"statuses", "detail"}, f"{where}.ended")
    statuses = ended.get("statuses", [])
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise _fail("ended.statuses is a list of statuses", f"{where}.ended")
    return PollSpec(
        status=data["status"],
        wait_in=parse_source(data["wait_in"], parameters, f"operation.{where}.wait_in"),
        except_in=parse_source(data["except"], parameters, f"operation.{where}.except") if "except" in data else None,
        initial=parse_source(data["initial"], parameters, f"operation.{where}.initial") if "initial" in data else None,
        step=_number(delay.get("step", 0.2), f"{where}.delay"),
        max_delay=_number(delay.get("max", 1.0), f"{where}.delay"),
        start=start,
        final=final,
        timeout=timeout,
        ended=tuple(statuses),
        ended_detail=ended.get("detail"),
    )


@attrs.frozen
class EventsSpec:
    events: tuple[str, ...]  #: the event names whose data is selected (empty: every event)
    path: tuple[str, ...]  #: where in the event's JSON data the value is (empty: the data itself)
    raw: tuple[Condition, ...] = ()


def parse_events(raw: Any, parameters: set[str], field: str) -> EventsSpec:
    where = f"{field}.events"
    data = _keys(raw, {"select", "raw"}, where)
    select = _keys(data.get("select", {}), {"event", "path"}, f"{where}.select")
    names = select.get("event", [])
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise _fail("select.event is an event name or a list of them", where)
    path = select.get("path", "")
    if not isinstance(path, str):
        raise _fail("select.path is a dotted path such as delta.content.0.text.value", where)
    raw_when = parse_condition(data["raw"], parameters, f"operation.{where}.raw") if "raw" in data else ()
    return EventsSpec(events=tuple(names), path=tuple(p for p in path.split(".") if p), raw=raw_when)


@attrs.frozen
class Step:
    run: str
    arguments: tuple[tuple[str, ValueSource], ...] = ()
    when: tuple[Condition, ...] = ()
    keep: bool = False  #: its (first) output becomes the current object
    output: bool = False  #: its outputs are output
    #: Unless this holds the record ends, with ``message`` (its ``{field}``: of the current object) as the error.
    needs: tuple[Condition, ...] = ()
    message: str = ""


def _step(raw: Any, parameters: set[str], field: str) -> Step:
    data = _keys(raw, {"run", "with", "when", "keep", "output", "needs", "message"}, field)
    if not isinstance(data.get("run"), str) or not data["run"].strip():
        raise _fail("a step needs 'run', the name of a cmdlet", field)
    for key in ("keep", "output"):
        if not isinstance(data.get(key, False), bool):
            raise _fail(f"{key} is true or false", field)
    if ("needs" in data) != isinstance(data.get("message"), str):
        raise _fail("'needs' (a condition) and 'message' (the error when it does not hold) go together", field)
    return Step(
        run=data["run"].strip(),
        arguments=tuple(parse_sources(data.get("with"), parameters, f"operation.{field}.with").items()),
        when=parse_condition(data["when"], parameters, f"operation.{field}.when") if "when" in data else (),
        keep=data.get("keep", False),
        output=data.get("output", False),
        needs=parse_condition(data["needs"], parameters, f"operation.{field}.needs") if "needs" in data else (),
        message=data.get("message", ""),
    )


def parse_steps(raw: Any, parameters: set[str], field: str) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail("steps is a non-empty list of {run: Cmdlet, with: {...}}", f"{field}.steps")
    steps = tuple(_step(item, parameters, f"{field}.steps.{i}") for i, item in enumerate(raw))
    if not any(step.output for step in steps):
        raise _fail("no step is marked 'output: true', so the cmdlet would output nothing", f"{field}.steps")
    return steps


@attrs.frozen
class Derived:
    name: str
    projection: str | None = None
    run: Step | None = None  #: another cmdlet's output (with ``projection``: the projection of its first)
    when: tuple[Condition, ...] = ()
    unless: tuple[Condition, ...] = ()
    #: The property's value when the conditions do not hold (none: the property is left out).
    otherwise: ValueSource | None = None
    #: A value source instead of a projection or a run (``Messages: {value: []}``).
    source: ValueSource | None = None


def _one_derived(name: str, item: Any, parameters: set[str], where: str) -> Derived:
    if isinstance(item, Mapping) and not {"projection", "run"} & set(item) and set(KINDS) & set(item):
        return Derived(name=name, source=parse_source(item, parameters, f"operation.{where}"))
    data = _keys(item, {"projection", "run", "with", "when", "unless", "otherwise"}, where)
    projection = data.get("projection")
    if projection is not None and projection not in PROJECTIONS:
        raise _fail(f"unknown projection '{projection}' (known: {', '.join(sorted(PROJECTIONS))})", where)
    run = _step({k: data[k] for k in ("run", "with") if k in data}, parameters, where) if "run" in data else None
    if projection is None and run is None:
        raise _fail("a derived property needs 'projection', 'run' or a value source ({value: ...})", where)
    return Derived(
        name=name, projection=projection, run=run,
        when=parse_condition(data["when"], parameters, f"operation.{where}.when") if "when" in data else (),
        unless=parse_condition(data["unless"], parameters, f"operation.{where}.unless") if "unless" in data else (),
        otherwise=parse_source(data["otherwise"], parameters, f"operation.{where}.otherwise")
        if "otherwise" in data else None,
    )


def parse_derived(raw: Any, parameters: set[str], field: str) -> tuple[Derived, ...]:
    """Each property's definition; a property given a list of them has alternatives, in order."""
    if not isinstance(raw, Mapping):
        raise _fail("derived maps a property name to {projection: name} or {run: Cmdlet, ...}", field)
    found = []
    for name, item in raw.items():
        where = f"{field}.{name}"
        if not isinstance(item, list):
            found.append(_one_derived(str(name), item, parameters, where))
            continue
        if not item:
            raise _fail("a list of alternatives is not empty", where)
        for index, alternative in enumerate(item):
            if isinstance(alternative, Mapping) and "otherwise" in alternative and index < len(item) - 1:
                raise _fail("only the last alternative may have 'otherwise'", f"{where}.{index}")
            found.append(_one_derived(str(name), alternative, parameters, f"{where}.{index}"))
    return tuple(found)
