"""PowerShell's parameter binding, generic over any compiled spec.

One bind runs the stages PowerShell runs (``CmdletParameterBinderController``), in its order:

1. the arguments are paired up (:mod:`.arguments`): ``-Name value``, ``-Name:value``; Python
   keywords come last, as splatted arguments do;
2. named arguments bind left to right; a name matching nothing is set aside;
3. positional arguments bind in position order among the sets still possible;
4. the parameter sets are checked; then ``remaining_arguments`` takes what is left; then what is
   still left is reported (an unknown name first of all, if it comes first);
5. per pipeline record: ByValue without conversion, ByPropertyName without conversion, ByValue
   with conversion, ByPropertyName with conversion; then the set and the mandatory parameters.

Every failure is a :class:`~.errors.ParameterBindingError` worded as PowerShell words it.  No
network code is imported here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import ParameterBindingError
from ..pslang.parser import UnsetVariable
from ..spec.model import NO_DEFAULT, CmdletSpec
from ..spec.properties import property_map
from .arguments import Argument, reparse
from .compiled import CompiledParameter, compile_spec
from .messages import already_bound, ambiguous_set, clash_detail, named_not_found, undecided_detail, with_note
from .positional import bind_positional, bind_remaining, report_leftover
from .records import as_records
from .result import NO_INPUT, Binding
from .state import CommandLineState
from .values import LINE, NOT_BOUND, PYTHON_KEYWORD, bind_value

__all__ = ["Binder", "CommandLineState"]

#: Defaults of these types are shared, not copied, per binding.
_IMMUTABLE = (int, float, str, bool, bytes, type(None))


def _squash(text: str) -> str:
    return text.replace("_", "").lower()


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

    # --- names -----------------------------------------------------------------------------

    def lookup(self, typed: str, *, keyword: bool = False) -> CompiledParameter | None:
        """The parameter a typed name (or Python keyword) designates; None when it names none.

        An ambiguous prefix raises AmbiguousParameter; PowerShell prefers the command's own
        parameter over common ones.
        """
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
            return None
        if len(matches) == 1:
            return compiled.parameters[matches[0]]
        declared = [i for i in matches if not compiled.parameters[i].is_common]
        if len(declared) == 1:
            return compiled.parameters[declared[0]]
        names = "".join(f" -{compiled.parameters[i].name}" for i in declared or matches)
        raise ParameterBindingError(
            "AmbiguousParameter",
            f"Parameter cannot be processed because the parameter name '{typed}' is ambiguous. "
            f"Possible matches include:{names}.",
            command_name=self._name,
            parameter_name=typed,
        )

    def match(self, typed: str, *, keyword: bool = False) -> CompiledParameter:
        """The parameter a typed name designates; NamedParameterNotFound (with a suggestion) when none."""
        param = self.lookup(typed, keyword=keyword)
        if param is None:
            raise named_not_found(self._name, self.compiled, typed, keyword=keyword)
        return param

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
        """Named, positional and remaining arguments; then the pre-pipeline set check."""
        state = CommandLineState({}, self.compiled.all_sets)
        leftover: list[Argument] = []
        if arguments:
            for argument in reparse(self._name, arguments, self.lookup):
                if argument.name is None:
                    leftover.append(argument)
                else:
                    self._bind_named(state, argument, leftover, LINE)
        bound = state.bound
        for key, value in keywords.items():  # Python keywords bind last, as splatted arguments do
            if value is None:  # a Python keyword given None means "not given"
                continue
            param = self.lookup(key, keyword=True)
            if param is None:
                leftover.append(Argument(key, value, colon=True, keyword=True))
                continue
            if value is False and param.type.is_switch and not param.false_binds:
                continue  # all=False from Python: the switch is not given (spec: false_binds to change it)
            if param.index in bound:
                raise already_bound(self._name, param, key)
            bound[param.index] = self.bind_value(param, value, coerce=True, origin=PYTHON_KEYWORD)
            state.valid &= param.set_mask
        if leftover:
            leftover = bind_positional(self, state, leftover)
        valid = state.valid
        if valid == 0 or valid & (valid - 1) and valid != self.compiled.all_sets:
            self._check_sets(state, expect_pipeline)
        if leftover:
            leftover = bind_remaining(self, state, leftover)
        if leftover:
            raise report_leftover(self, leftover)
        if expect_pipeline:
            self._check_before_pipeline(state)
        return state

    def _bind_named(self, state: CommandLineState, argument: Argument, leftover: list[Argument], origin: int) -> None:
        param = argument.param
        if param is None and argument.colon and argument.name is not None and not argument.keyword:
            param = argument.param = self.lookup(argument.name)
        if param is None:
            leftover.append(argument)  # reported after everything else, unless remaining_arguments takes it
            return
        if param.index in state.bound:
            raise already_bound(self._name, param, argument.shown_name)
        state.bound[param.index] = self.bind_value(param, argument.value, coerce=True, origin=origin)
        state.valid &= param.set_mask

    def bind_value(self, param: CompiledParameter, value: Any, *, coerce: bool, origin: int = LINE) -> Any:
        """One value for one parameter (an unset ``$env:NAME`` is null, and named in any error)."""
        if type(value) is not UnsetVariable:
            return bind_value(self._name, param, value, coerce=coerce, origin=origin)
        try:
            return bind_value(self._name, param, None, coerce=coerce, origin=origin)
        except ParameterBindingError as error:
            raise with_note(error, f"(The environment variable {value.display} is not set.)") from None

    # --- parameter sets --------------------------------------------------------------------

    def bound_parameters(self, state: CommandLineState) -> list[CompiledParameter]:
        params = self.compiled.parameters
        return [params[i] for i in state.bound]

    def ambiguous_set(self, state: CommandLineState) -> ParameterBindingError:
        bound = [p for p in self.bound_parameters(state) if not p.is_common]
        if state.valid == 0:
            detail, names = clash_detail(self.compiled, bound)
        else:
            detail, names = undecided_detail(self.compiled, state.valid, bound)
        return ambiguous_set(self._name, detail, names)

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
        raise ParameterBindingError("MissingMandatoryParameter", message, command_name=self._name,
                                    parameter_name=names[0], missing=tuple(names))

    def resolve_set(self, state: CommandLineState) -> int:
        valid = state.valid
        if valid == 0:
            raise self.ambiguous_set(state)
        if valid & (valid - 1) == 0:
            return valid
        default = self.compiled.default_set
        if default & valid:
            return default
        satisfied = [bit for bit in self.compiled.set_bits(valid) if not self._missing(state, bit)]
        if len(satisfied) == 1:
            return satisfied[0]
        raise self.ambiguous_set(state)

    def _check_sets(self, state: CommandLineState, expect_pipeline: bool) -> None:
        """PowerShell's ValidateParameterSets before pipeline input: no set left, or several and no way to choose."""
        valid = state.valid
        if valid == 0:
            raise self.ambiguous_set(state)
        if valid & (valid - 1) == 0 or self.compiled.default_set & valid or valid == self.compiled.all_sets:
            return  # one set, the default one, or nothing narrowed them yet: decided later
        params = self.compiled.parameters
        if any(
            i not in state.bound and (params[i].by_value_mask | params[i].by_property_mask) & valid
            for i in self.compiled.pipeline_parameters
        ):
            return  # pipeline input may still decide
        self.resolve_set(state)

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
                raise self.ambiguous_set(state)
            if properties is None:
                properties = property_map(record)
            if properties:
                taken.extend(self._pipe_by_property(state, properties, coerce))
                if state.valid == 0:
                    raise self.ambiguous_set(state)
        if not taken:
            raise ParameterBindingError(
                "InputObjectNotBound",
                "The input object cannot be bound to any parameters for the command either because the command "
                "does not take pipeline input or the input and its properties do not match any of the parameters "
                "that take pipeline input.",
                command_name=self._name,
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
                    value = self.bind_value(param, record, coerce=coerce)
                except ParameterBindingError as exc:
                    if exc.error_id == "ParameterArgumentTransformationError":
                        continue  # this parameter cannot take the record; another may
                    raise
                if value is NOT_BOUND:
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
                    value = self.bind_value(param, properties[key], coerce=coerce)
                    if value is not NOT_BOUND:
                        state.bound[i] = value
                        state.valid &= param.by_property_mask
                        taken.append(i)
                    break
        return taken
