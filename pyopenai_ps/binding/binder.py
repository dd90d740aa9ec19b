"""PowerShell's parameter binding, generic over any compiled spec.

One bind runs the stages PowerShell runs, in its order:

1. named arguments (``-Name value``, ``-Name:value``, Python keywords);
2. positional arguments, in position order among the sets still possible;
3. parameter-set resolution and the mandatory check (deferred per record
   when pipeline input will follow);
4. per pipeline record: ByValue without conversion, ByPropertyName without
   conversion, ByValue with conversion, ByPropertyName with conversion.

Every failure is a :class:`~.errors.ParameterBindingError` worded as
PowerShell words it.  No network code is imported here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import ConversionFailure, ParameterBindingError, ValidationFailure
from ..pslang.parser import NO_ARGUMENT, ParameterToken
from ..secure import mask_key_shapes
from ..spec.model import NO_DEFAULT, CmdletSpec
from ..spec.properties import property_map
from .compiled import CompiledCommand, CompiledParameter, compile_spec
from .records import as_records
from .result import NO_INPUT, Binding

__all__ = ["Binder", "CommandLineState"]

_NOT_BOUND = object()
#: Defaults of these types are shared, not copied, per binding.
_IMMUTABLE = (int, float, str, bool, bytes, type(None))


def _squash(text: str) -> str:
    return text.replace("_", "").lower()


class CommandLineState:
    """What the command line bound; each pipeline record starts from a copy."""

    __slots__ = ("bound", "valid")

    def __init__(self, bound: dict[int, Any], valid: int) -> None:
        self.bound = bound
        self.valid = valid

    def copy(self) -> CommandLineState:
        return CommandLineState(dict(self.bound), self.valid)


class Binder:
    """Binds calls of one cmdlet: its spec compiled once.  Stateless between calls; thread-safe."""

    def __init__(self, spec: CmdletSpec) -> None:
        self.spec = spec
        self.compiled = compiled = compile_spec(spec)
        self._name = spec.name
        params = compiled.parameters
        self._defaults_by_set: dict[int, tuple[CompiledParameter, ...]] = {
            bit: tuple(p for p in params if p.set_mask & bit and p.default is not NO_DEFAULT)
            for bit in compiled.set_bits(compiled.all_sets)
        }
        self._mandatory_by_set: dict[int, tuple[CompiledParameter, ...]] = {
            bit: tuple(p for p in params if p.mandatory_mask & bit) for bit in self._defaults_by_set
        }
        self._secret_names = frozenset(p.name for p in params if p.secret)
        self._canonical_names = frozenset(p.name for p in params)

    # --- errors ----------------------------------------------------------------------------

    def _error(self, error_id: str, message: str, parameter: str | None = None, **extra: Any) -> ParameterBindingError:
        return ParameterBindingError(error_id, message, command_name=self._name, parameter_name=parameter, **extra)

    # --- names -----------------------------------------------------------------------------

    def match(self, typed: str, *, keyword: bool = False) -> CompiledParameter:
        """The parameter a typed name (or Python keyword) designates."""
        compiled = self.compiled
        key = typed.lower()
        index = compiled.exact.get(key)
        if index is None and keyword:
            index = compiled.exact_squashed.get(_squash(typed))
        if index is not None:
            return compiled.parameters[index]
        matches = compiled.prefix_matches(key) if key else []
        if not matches and keyword and key:
            matches = compiled.prefix_matches(_squash(typed), squashed=True)
        if not matches:
            raise self._error(
                "NamedParameterNotFound", f"A parameter cannot be found that matches parameter name '{typed}'.", typed
            )
        if len(matches) == 1:
            return compiled.parameters[matches[0]]
        declared = [i for i in matches if not compiled.parameters[i].is_common]
        if len(declared) == 1:  # PowerShell prefers the command's own parameter over common ones
            return compiled.parameters[declared[0]]
        listed = declared or matches
        names = "".join(f" -{compiled.parameters[i].name}" for i in listed)
        raise self._error(
            "AmbiguousParameter",
            f"Parameter cannot be processed because the parameter name '{typed}' is ambiguous. "
            f"Possible matches include:{names}.",
            typed,
        )

    # --- one value -------------------------------------------------------------------------

    def _convert(self, param: CompiledParameter, value: Any, *, coerce: bool) -> Any:
        """The value as bound, or _NOT_BOUND when it would need a conversion we may not do yet."""
        if not coerce:
            if not param.type.matches(value):
                return _NOT_BOUND
        else:
            try:
                value = param.type.convert(value, param.name)
            except ConversionFailure as exc:
                raise self._error(
                    "ParameterArgumentTransformationError",
                    f"Cannot process argument transformation on parameter '{param.name}'. {exc.detail}",
                    param.name,
                ) from None
        for transform in param.transforms:
            value = transform(value)
        # PowerShell runs the validation attributes first, then the mandatory null/empty check.
        for check in param.checks:
            try:
                check(value)
            except ValidationFailure as exc:
                raise self._validation_error(param, exc.detail) from None
            except TypeError:
                raise self._validation_error(
                    param, f'The argument of type "{type(value).__name__}" cannot be validated.'
                ) from None
        if param.mandatory_mask:
            self._check_mandatory_value(param, value)
        return value

    def _validation_error(self, param: CompiledParameter, detail: str) -> ParameterBindingError:
        return self._error(
            "ParameterArgumentValidationError",
            f"Cannot validate argument on parameter '{param.name}'. {detail}",
            param.name,
        )

    def _check_mandatory_value(self, param: CompiledParameter, value: Any) -> None:
        # PowerShell refuses null and empty values for mandatory parameters
        # unless the spec allows them (AllowNull / AllowEmptyString / AllowEmptyCollection).
        problem = None
        if value is None and not param.allow_null:
            problem = "it is null"
        elif isinstance(value, str) and value == "" and not param.allow_empty_string:
            problem = "it is an empty string"
        elif (isinstance(value, (list, bytes, bytearray, memoryview)) and not len(value)
              and not param.allow_empty_collection):
            problem = "it is an empty array"
        if problem:
            raise self._error(
                "ParameterArgumentValidationError",
                f"Cannot bind argument to parameter '{param.name}' because {problem}.",
                param.name,
            )

    # --- whole calls -------------------------------------------------------------------------

    def bind(self, *args: Any, **kwargs: Any) -> Binding:
        """Bind one call with no pipeline input (positional ``args``, keyword parameters)."""
        return self.finish(self.bind_command_line(args, kwargs, expect_pipeline=False))

    def bind_pipeline(self, records: Any, *args: Any, **kwargs: Any) -> list[Binding]:
        """Bind a call once per pipeline record; raises on the first record that fails."""
        state = self.bind_command_line(args, kwargs, expect_pipeline=True)
        return [self.bind_record(state, record) for record in as_records(records)]

    # --- the command line --------------------------------------------------------------------

    def bind_command_line(
        self, arguments: Sequence[Any], keywords: Mapping[str, Any], *, expect_pipeline: bool
    ) -> CommandLineState:
        """Named, then positional binding; then the pre-pipeline set check."""
        state = CommandLineState({}, self.compiled.all_sets)
        positional: list[Any] = []
        count = len(arguments)
        i = 0
        while i < count:
            item = arguments[i]
            i += 1
            if not isinstance(item, ParameterToken):
                positional.append(item)
                continue
            param = self.match(item.name)
            self._refuse_rebind(state, param)
            if item.argument is not NO_ARGUMENT:
                value = item.argument
            elif param.is_switch:
                value = True
            elif i < count and not isinstance(arguments[i], ParameterToken):
                value = arguments[i]
                i += 1
            else:
                raise self._error(
                    "MissingArgument",
                    f"Missing an argument for parameter '{param.name}'. Specify a parameter of type "
                    f"'{param.type.dotnet_name}' and try again.",
                    param.name,
                )
            self._bind_named(state, param, value)
        for key, value in keywords.items():
            if value is None:  # a Python keyword given None means "not given"
                continue
            param = self.match(key, keyword=True)
            self._refuse_rebind(state, param)
            self._bind_named(state, param, value)
        if state.valid == 0:
            raise self._ambiguous_set()
        if positional:
            self._bind_positional(state, positional)
        if expect_pipeline:
            self._check_before_pipeline(state)
        return state

    def _refuse_rebind(self, state: CommandLineState, param: CompiledParameter) -> None:
        if param.index in state.bound:
            raise self._error(
                "ParameterAlreadyBound",
                f"Cannot bind parameter because parameter '{param.name}' is specified more than once. To provide "
                "multiple values to parameters that can accept multiple values, use the array syntax. For "
                'example, "-parameter value1,value2,value3".',
                param.name,
            )

    def _bind_named(self, state: CommandLineState, param: CompiledParameter, value: Any) -> None:
        state.bound[param.index] = self._convert(param, value, coerce=True)
        state.valid &= param.set_mask

    def _bind_positional(self, state: CommandLineState, values: list[Any]) -> None:
        params = self.compiled.parameters
        remaining = list(values)
        by_position: dict[int, list[CompiledParameter]] = {}
        for position, index in self.compiled.positional:
            by_position.setdefault(position, []).append(params[index])
        for position in sorted(by_position):
            if not remaining:
                break
            candidates = []
            for param in by_position[position]:
                if param.index in state.bound:
                    continue
                sets = sum(bit for bit, pos in param.positions if pos == position) & state.valid
                if sets:
                    candidates.append((param, sets))
            if not candidates:
                continue
            default = self.compiled.default_set
            candidates.sort(key=lambda pair: 0 if pair[1] & default else 1)  # the default set is tried first
            argument = remaining[0]
            failure: ParameterBindingError | None = None
            for coerce in (False, True):
                for param, sets in candidates:
                    try:
                        value = self._convert(param, argument, coerce=coerce)
                    except ParameterBindingError as exc:
                        if exc.error_id != "ParameterArgumentTransformationError":
                            raise
                        failure = failure or exc
                        continue
                    if value is _NOT_BOUND:
                        continue
                    state.bound[param.index] = value
                    state.valid &= sets
                    remaining.pop(0)
                    break
                else:
                    continue
                break
            else:
                if failure is not None:
                    raise failure
        if remaining:
            shown = remaining[0]
            text = mask_key_shapes(shown if isinstance(shown, str) else _display(shown))
            raise self._error(
                "PositionalParameterNotFound", f"A positional parameter cannot be found that accepts argument '{text}'."
            )

    # --- parameter sets --------------------------------------------------------------------

    def _ambiguous_set(self) -> ParameterBindingError:
        return self._error(
            "AmbiguousParameterSet",
            "Parameter set cannot be resolved using the specified named parameters. One or more parameters issued "
            "cannot be used together or an insufficient number of parameters were provided.",
        )

    def _missing(self, state: CommandLineState, bit: int, *, pipeline_can_supply: bool = False) -> list[str]:
        return [
            p.name
            for p in self._mandatory_by_set[bit]
            if p.index not in state.bound
            and not (pipeline_can_supply and (p.by_value_mask | p.by_property_mask) & bit)
        ]

    def _raise_missing(self, names: list[str], *, per_record: bool = False) -> None:
        listed = "".join(f" {name}" for name in names)
        if per_record:  # PowerShell's wording when a pipeline record lacks them
            message = (
                "The input object cannot be bound because it did not contain the information required to bind "
                f"all mandatory parameters: {listed}"
            )
        else:
            message = f"Cannot process command because of one or more missing mandatory parameters:{listed}."
        raise self._error("MissingMandatoryParameter", message, names[0], missing=tuple(names))

    def resolve_set(self, state: CommandLineState) -> int:
        valid = state.valid
        if valid == 0:
            raise self._ambiguous_set()
        if valid & (valid - 1) == 0:
            return valid
        default = self.compiled.default_set
        if default & valid:
            return default
        satisfied = [bit for bit in self.compiled.set_bits(valid) if not self._missing(state, bit)]
        if len(satisfied) == 1:
            return satisfied[0]
        raise self._ambiguous_set()

    def _check_before_pipeline(self, state: CommandLineState) -> None:
        """Fail now when no record could ever complete the call."""
        bits = self.compiled.set_bits(state.valid)
        if any(not self._missing(state, bit, pipeline_can_supply=True) for bit in bits):
            return
        default = self.compiled.default_set
        bit = default if default & state.valid else bits[0]
        self._raise_missing(self._missing(state, bit, pipeline_can_supply=True))

    def finish(
        self,
        state: CommandLineState,
        record: Any = NO_INPUT,
        from_pipeline: Iterable[int] = (),
        *,
        per_record: bool = False,
    ) -> Binding:
        """Resolve the set, check mandatory parameters and build the Binding."""
        bit = self.resolve_set(state)
        missing = self._missing(state, bit)
        if missing:
            self._raise_missing(missing, per_record=per_record)
        params = self.compiled.parameters
        bound = state.bound
        defaults = {
            p.name: p.default if type(p.default) in _IMMUTABLE else copy.copy(p.default)
            for p in self._defaults_by_set[bit]
            if p.index not in bound and p.default is not None
        }
        return Binding(
            command_name=self._name,
            parameter_set=self.compiled.set_name(bit),
            bound={params[i].name: value for i, value in bound.items()},
            defaults=defaults,
            pipeline_input=record,
            from_pipeline=frozenset(params[i].name for i in from_pipeline) if from_pipeline else frozenset(),
            secret_names=self._secret_names,
            canonical_names=self._canonical_names,
        )

    # --- pipeline records ------------------------------------------------------------------

    def bind_record(self, base: CommandLineState, record: Any) -> Binding:
        """Bind one pipeline record on top of what the command line bound."""
        state = base.copy()
        taken: list[int] = []
        properties: dict[str, Any] | None = None
        for coerce in (False, True):
            taken.extend(self._pipe_by_value(state, record, coerce))
            if state.valid == 0:
                raise self._ambiguous_set()
            if properties is None:
                properties = property_map(record)
            if properties:
                taken.extend(self._pipe_by_property(state, properties, coerce))
                if state.valid == 0:
                    raise self._ambiguous_set()
        if not taken:
            raise self._error(
                "InputObjectNotBound",
                "The input object cannot be bound to any parameters for the command either because the command "
                "does not take pipeline input or the input and its properties do not match any of the parameters "
                "that take pipeline input.",
            )
        return self.finish(state, record, taken, per_record=True)

    def _pipe_by_value(self, state: CommandLineState, record: Any, coerce: bool) -> list[int]:
        """Every unbound ByValue parameter that takes the record; the default set's first."""
        params = self.compiled.parameters
        eligible = [
            params[i]
            for i in self.compiled.pipeline_parameters
            if i not in state.bound and params[i].by_value_mask & state.valid
        ]
        default = self.compiled.default_set & state.valid
        groups = [eligible]
        if default:
            in_default = [p for p in eligible if p.by_value_mask & default]
            groups = [in_default, [p for p in eligible if p not in in_default]]
        for group in groups:
            taken = []
            for param in group:
                if not param.by_value_mask & state.valid:
                    continue
                try:
                    value = self._convert(param, record, coerce=coerce)
                except ParameterBindingError as exc:
                    if exc.error_id == "ParameterArgumentTransformationError":
                        continue  # this parameter cannot take the record; another may
                    raise
                if value is _NOT_BOUND:
                    continue
                state.bound[param.index] = value
                state.valid &= param.by_value_mask
                taken.append(param.index)
            if taken:
                return taken
        return []

    def _pipe_by_property(self, state: CommandLineState, properties: dict[str, Any], coerce: bool) -> list[int]:
        params = self.compiled.parameters
        taken = []
        for i in self.compiled.pipeline_parameters:
            param = params[i]
            if i in state.bound or not param.by_property_mask & state.valid:
                continue
            for name in param.names:
                key = name.lower()
                if key in properties:
                    value = self._convert(param, properties[key], coerce=coerce)
                    if value is not _NOT_BOUND:
                        state.bound[i] = value
                        state.valid &= param.by_property_mask
                        taken.append(i)
                    break
        return taken


def _display(value: Any) -> str:
    """An argument as PowerShell's ToString() shows it in a message."""
    if value is None:
        return "$null"
    if value is True or value is False:
        return str(value)
    if isinstance(value, (list, tuple)):
        return "System.Object[]"
    if isinstance(value, Mapping):
        return "System.Collections.Hashtable"
    return str(value)
