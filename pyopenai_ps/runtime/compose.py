"""Calls made of other calls: a set's ``steps``, and ``derived`` properties of output objects.

Both run other cmdlets through a ``run(cmdlet, arguments)`` function the invocation gives (it adds
the call's connection and common parameters), so this module needs no registry of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..binding.result import Binding
from ..errors import MissingValueError
from ..spec.flow import Derived, Step
from ..spec.operation import SetOperation
from ..spec.projections import PROJECTIONS, Typed
from .output import PSObject
from .values import NOTHING, Context, evaluate, fill_fields, holds

__all__ = ["Runner", "run_steps", "with_derived"]

#: Runs a cmdlet by name with keyword arguments; yields its output.
Runner = Callable[[str, Mapping[str, Any]], Iterator[Any]]


def _arguments(step: Step, context: Context) -> dict[str, Any]:
    arguments = {}
    for name, source in step.arguments:
        value = evaluate(source, context)
        if value is not NOTHING:
            arguments[name] = value
    return arguments


def run_steps(operation: SetOperation, binding: Binding, run: Runner) -> Iterator[Any]:
    """Each step in turn: its values read the current object, ``keep`` replaces it, ``output`` yields.

    A ``keep`` step that outputs nothing (its error was reported under -ErrorAction Continue) ends the
    record: the steps after it would read an object that is not there."""
    current = evaluate(operation.start, Context(binding)) if operation.start is not None else None
    current = None if current is NOTHING else current
    for step in operation.steps:
        context = Context(binding, answer=current)
        if step.when and not holds(step.when, context):
            continue
        if step.needs and not holds(step.needs, context):
            raise MissingValueError(fill_fields(step.message, current, missing="unknown"), setting=step.run)
        kept = False
        for item in run(step.run, _arguments(step, context)):
            if step.keep and not kept:
                current, kept = item, True
            if step.output:
                yield item
        if step.keep and not kept:
            return  # it gave nothing to go on with (its error, if any, was reported): the record ends here


def _derive(derived: Derived, item: PSObject, binding: Binding, run: Runner) -> Any:
    context = Context(binding, answer=item)
    if derived.source is not None:
        return evaluate(derived.source, context)
    if derived.run is None:
        return _objects(PROJECTIONS[derived.projection or ""](item.to_dict()))
    outputs = list(run(derived.run.run, _arguments(derived.run, context)))
    if derived.projection is None:
        return outputs
    first = outputs[0] if outputs else None
    return PROJECTIONS[derived.projection](first.to_dict() if isinstance(first, PSObject) else first or {})


def _objects(value: Any) -> Any:
    """A projection's value with its :class:`Typed` parts made output objects (of their type, with dates)."""
    if isinstance(value, Typed):
        return PSObject({k: _objects(v) for k, v in value.data.items()}, value.type_name, value.timestamps)
    if isinstance(value, Mapping):
        return {k: _objects(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_objects(v) for v in value]
    return value


def with_derived(item: Any, derived: tuple[Derived, ...], binding: Binding, run: Runner) -> Any:
    """The output object with its derived properties added (each only when its conditions hold; of several
    alternatives for one property, the first whose conditions hold)."""
    if not derived or not isinstance(item, PSObject):
        return item
    added: dict[str, Any] = {}
    for each in derived:
        if each.name in added:
            continue  # an earlier alternative gave it
        context = Context(binding, answer=item)
        if (each.when and not holds(each.when, context)) or (each.unless and holds(each.unless, context)):
            if each.otherwise is not None:
                value = evaluate(each.otherwise, context)
                if value is not NOTHING:
                    added[each.name] = value
            continue
        value = _derive(each, item, binding, run)
        if value is not NOTHING:  # a value source that gives nothing leaves the property out
            added[each.name] = value
    return item.with_properties(added) if added else item
