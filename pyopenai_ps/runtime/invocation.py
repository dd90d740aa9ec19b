"""Running bound calls: one command of a pipeline, its records, its common parameters.

An :class:`Invocation` binds its command line when it is made (so a line whose commands do not
all bind sends nothing) and runs when iterated: each pipeline record is bound, prepared
(:class:`~.plan.PreparedCall`), resolved against the settings of that moment and executed.

The one cache of the runtime layer, :data:`RECENT_CALLS`: a repeated Python call with the same
immutable arguments (a polling loop) reuses its binding and prepared call.  It is bounded
(least recently used first out), guarded by a lock, keyed by the command object itself (never an
``id()``), and holds no secret: a call that binds a secret parameter (the key, credential
headers) is never kept, and the key is resolved on every call.  :func:`forget_command` drops the
entries of a command whose spec was replaced.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

import attrs

from ..binding.binder import Binder
from ..binding.records import as_records
from ..binding.result import Binding
from ..errors import APIError, ConfigurationError, MissingValueError, ParameterBindingError, WaitTimeoutError
from ..spec.model import CmdletSpec
from .common import PLAIN_OPTIONS, CallOptions, CallReporter, ProgressHook
from .compose import Runner, run_steps, with_derived
from .execute import Execution, json_lines
from .plan import PreparedCall
from .plan import planned_headers
from .settings import ClientSettings, checked_base, current_transport, settings_for
from .values import NOTHING, Context, evaluate, holds

__all__ = ["Invocation", "CommandLike", "call_command", "stream_command", "pipe_command", "forget_command",
           "RECENT_CALLS"]

#: Errors that concern one record or one request: -ErrorAction decides what they do.
_NON_TERMINATING = (APIError, ParameterBindingError, MissingValueError, WaitTimeoutError)


class CommandLike(Protocol):
    """What the runtime needs of a command: its name, spec and binder."""

    @property
    def name(self) -> str: ...
    @property
    def spec(self) -> CmdletSpec: ...
    @property
    def binder(self) -> Binder: ...


#: Finds a command by name, for follow-ups (``then: {run: Get-Thread}``).
Lookup = Callable[[str], CommandLike]


class Invocation:
    """One command in a pipeline: bound on creation, run when iterated."""

    def __init__(
        self,
        command: CommandLike,
        arguments: Iterable[Any] = (),
        keywords: Mapping[str, Any] | None = None,
        records: Iterable[Any] | None = None,
        *,
        progress: ProgressHook | None = None,
        lookup: Lookup | None = None,
    ) -> None:
        self.command = command
        self.lookup = lookup
        self.spec = command.spec
        binder = command.binder
        self.state = binder.bind_command_line(tuple(arguments), keywords or {}, expect_pipeline=records is not None)
        params = binder.compiled.parameters
        common = {params[i].name: v for i, v in self.state.bound.items() if params[i].is_common}
        self.common = common
        self.options = CallOptions(common) if common else PLAIN_OPTIONS
        self.reporter = CallReporter(command.name, self.options, progress)
        self.records = records
        self.progress = progress
        #: Calls executed so far (each sends at least one request): 0 means nothing was sent.
        self.calls = 0
        #: No common parameter given: nothing per call to keep apart, so the binding may be reused.
        self.reusable = not common and records is None
        if self.spec.operation is None:
            raise ConfigurationError(f"{command.name} has no operation in its spec, so it cannot run.",
                                     setting="operation")

    def again(self) -> Invocation:
        """The same command line, for another run (its own reporter; the binding state is shared, read-only)."""
        twin = object.__new__(Invocation)
        twin.command, twin.lookup, twin.spec, twin.state = self.command, self.lookup, self.spec, self.state
        twin.common, twin.options, twin.records = self.common, self.options, self.records
        twin.progress, twin.reusable = self.progress, self.reusable
        twin.reporter = CallReporter(self.command.name, self.options, self.progress)
        twin.calls = 0
        return twin

    def check_settings(self) -> None:
        """Check the connection settings this command's own line gives, with the globals and the
        environment (a key, the base, the organization, the timeout, the extra headers), so a bad one
        stops a pipeline before any of its commands sends a request.  Records may still bring
        values of their own; those are checked as each one runs."""
        params = self.command.binder.compiled.parameters
        given = _Given({params[i].name: value for i, value in self.state.bound.items()})
        try:
            _check_connection(self.spec, settings_for(given, self.spec.connection))
        except ConfigurationError as error:
            self._note_terminating(error)
            raise

    def bindings(self) -> Iterator[Binding]:
        binder = self.command.binder
        if self.records is None:
            yield binder.finish(self.state)
            return
        for record in self.records:
            try:
                binding = binder.bind_record(self.state, record)
            except ParameterBindingError as error:
                self.reporter.error(error)  # PowerShell skips the record and reads the next
                continue
            yield binding

    def prepare(self, binding: Binding) -> PreparedCall:
        try:
            return PreparedCall(self.spec, binding)
        except MissingValueError:
            raise  # this record's own: the caller reports it and goes on
        except ConfigurationError as error:
            self._note_terminating(error)
            raise

    def _note_terminating(self, error: ConfigurationError) -> None:
        if self.options.error_variable is not None and self.options.error_action != "Ignore":
            self.options.error_variable.append(error)

    def execute(self, prepared: PreparedCall) -> Iterator[Any]:
        try:
            settings = settings_for(prepared.binding, self.spec.connection)
        except ConfigurationError as error:
            self._note_terminating(error)
            raise
        out = self.options.out_variable
        self.calls += 1
        try:
            for item in self._outputs(prepared, settings):
                if out is not None:
                    out.append(item)
                yield item
        except _NON_TERMINATING as error:
            self.reporter.error(error)

    def _outputs(self, prepared: PreparedCall, settings: Any) -> Iterator[Any]:
        operation, binding = prepared.operation, prepared.binding
        run = self._runner(binding)
        if operation.steps:
            outputs: Iterator[Any] = run_steps(operation, binding, run)
            if operation.returns == "jsonl":  # the text its steps output, one object a line
                outputs = _parsed_lines(outputs, prepared)
        else:
            outputs = self._requested(prepared, settings)
        derived = operation.output.derived
        for item in outputs:
            yield with_derived(item, derived, binding, run) if derived else item

    def _requested(self, prepared: PreparedCall, settings: Any) -> Iterator[Any]:
        operation = prepared.operation
        out_file = prepared.binding.get(operation.out_file) if operation.out_file else None
        execution = Execution(prepared, settings, self.reporter, current_transport(), out_file)
        follow_up = execution.plan.operation.then
        if follow_up is None or not holds(follow_up.when, Context(prepared.binding)):
            yield from execution
            return
        for _ in execution:  # the follow-up's output replaces the main request's
            pass
        context = Context(prepared.binding, answer=execution.answer)
        arguments = {}
        for name, source in follow_up.arguments:
            value = evaluate(source, context)
            if value is not NOTHING:
                arguments[name] = value
        outputs = self._runner(prepared.binding)(follow_up.run, arguments)
        if follow_up.output and not holds(follow_up.output, context):
            for _ in outputs:  # run for its effect (a wait) alone
                pass
            return
        yield from outputs

    def _runner(self, binding: Binding) -> Runner:
        """Runs another cmdlet with this call's connection parameters (by role) and common parameters."""

        def run(name: str, arguments: Mapping[str, Any]) -> Iterator[Any]:
            if self.lookup is None:
                raise ConfigurationError(f"{self.command.name} runs {name}, but no command registry was given to "
                                         "look it up.", setting="then")
            command = self.lookup(name)
            given = {**arguments, **_passed_on(self.spec, command.spec, binding), **self.common}
            yield from Invocation(command, (), given, progress=self.progress, lookup=self.lookup)

        return run

    def __iter__(self) -> Iterator[Any]:
        collected: list[Any] = []
        last: PreparedCall | None = None
        for binding in self.bindings():
            try:
                prepared = self.prepare(binding)
            except MissingValueError as error:
                self.reporter.error(error)  # nothing is sent for this record; the next one goes on
                continue
            name = prepared.operation.collect
            if name is None:
                yield from self.execute(prepared)
                continue
            value = binding.get(name)  # gathered from every record, sent once after the last
            collected.extend(value if isinstance(value, list) else [] if value is None else [value])
            last = prepared
        if last is not None and last.operation.collect is not None:
            yield from self.execute(self.prepare(last.binding.replacing(last.operation.collect, collected)))


def _parsed_lines(outputs: Iterator[Any], prepared: PreparedCall) -> Iterator[Any]:
    """Bytes or text among the outputs read as JSON Lines (``returns: jsonl`` on a set of steps)."""
    source = " and ".join(step.run for step in prepared.operation.steps if step.output)
    for item in outputs:
        if isinstance(item, (bytes, bytearray, str)):
            yield from json_lines(item, prepared.make, f"the output of {source}")
        else:
            yield item


#: Roles a follow-up does not inherit: the extra body was meant for the main request's body.
_NOT_PASSED_ON = frozenset({"extra_body"})


def _passed_on(caller: CmdletSpec, callee: CmdletSpec, binding: Binding) -> dict[str, Any]:
    """The caller's bound connection parameters, under the callee's names for the same roles (the
    extra body excepted)."""
    passed = {}
    for role, name in attrs.asdict(caller.connection).items():
        if role in _NOT_PASSED_ON:
            continue
        target = getattr(callee.connection, role)
        if name and target and binding.is_bound(name):
            passed[target] = binding.get(name)
    return passed


class _Given:
    """The values a command line gave, read like a binding's (None for what it did not give)."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> Any:
        return self.values.get(name)


def _check_connection(spec: CmdletSpec, settings: ClientSettings) -> None:
    """What sending would refuse about these settings, refused now."""
    from ..http.headers import checked_headers
    from ..http.transport import check_timeout

    check_timeout(settings.timeout)
    if settings.base_source != "parameter":
        checked_base(settings.api_base, settings.base_source)
    if spec.operation is not None:
        for operation in spec.operation.sets.values():
            checked_headers(planned_headers(operation, settings))


# --- the recent-call cache ------------------------------------------------------------------------

_SCALARS = frozenset({str, int, float, bool, type(None)})


def _frozen(value: Any) -> Any:
    """A value as a cache key part: its type and itself, for immutable scalars (and tuples of them) only.

    Anything else (an object whose attributes can change, a dict) makes the call uncacheable; the
    type keeps ``1`` and ``True`` apart, which bind differently.
    """
    if type(value) in _SCALARS:
        return (type(value), value)
    if type(value) is tuple:
        parts = tuple(_frozen(v) for v in value)
        return None if None in parts else (tuple, parts)
    return None


class RecentCalls:
    """Bounded, thread-safe memory of recent calls: (command, arguments) -> (invocation, prepared call)."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], tuple[Invocation, PreparedCall]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(command: CommandLike, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...] | None:
        parts: list[Any] = [command]
        for value in args:
            frozen = (type(value), value) if type(value) in _SCALARS else _frozen(value)
            if frozen is None:
                return None
            parts.append(frozen)
        parts.append(len(args))  # where the positional part ends
        for name, value in kwargs.items():
            frozen = (type(value), value) if type(value) in _SCALARS else _frozen(value)
            if frozen is None:
                return None
            parts.append((name, frozen))
        return tuple(parts)

    def get(self, key: tuple[Any, ...]) -> tuple[Invocation, PreparedCall] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], invocation: Invocation, prepared: PreparedCall) -> None:
        if not invocation.reusable or prepared.binding.has_secret:
            return  # common parameters are per call; a secret is never kept
        with self._lock:
            self._entries[key] = (invocation, prepared)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, command: CommandLike) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] is command]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


RECENT_CALLS = RecentCalls()


def forget_command(command: CommandLike) -> None:
    """Drop what the runtime remembers of a command (its spec was replaced)."""
    RECENT_CALLS.forget(command)


def call_command(command: CommandLike, args: tuple[Any, ...], kwargs: dict[str, Any],
                 lookup: Lookup | None = None) -> Any:
    """``command(...)``: one object for a set that fetches one, nothing for a set that outputs nothing,
    else a list."""
    key = RecentCalls.key(command, args, kwargs)
    recent = RECENT_CALLS.get(key) if key is not None else None
    if recent is not None:
        # Binding is deterministic and its result read-only: reuse it, with a fresh reporter.
        template, prepared = recent
        invocation = template.again()
    else:
        invocation = Invocation(command, args, kwargs, lookup=lookup)
        try:
            prepared = invocation.prepare(next(invocation.bindings()))
        except MissingValueError as error:
            invocation.reporter.error(error)  # raised under -ErrorAction Stop (the default)
            return None
        if key is not None:
            RECENT_CALLS.put(key, invocation, prepared)
    results = list(invocation.execute(prepared))
    if prepared.returns_one:
        return results[0] if len(results) == 1 else (results or None)
    return results


def stream_command(command: CommandLike, args: tuple[Any, ...], kwargs: dict[str, Any],
                   lookup: Lookup | None = None) -> Iterator[Any]:
    """``command.stream(...)``: binds now, then yields objects, fetching each page only when needed."""
    return iter(Invocation(command, args, kwargs, lookup=lookup))


def pipe_command(command: CommandLike, records: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 lookup: Lookup | None = None) -> list[Any]:
    """``command.pipe(records, ...)``: ``records | Command ...``."""
    return list(Invocation(command, args, kwargs, records=as_records(records), lookup=lookup))
