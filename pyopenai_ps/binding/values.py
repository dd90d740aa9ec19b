"""One value bound to one parameter: conversion, transforms, validation, the mandatory check.

PowerShell's order (``ParameterBinderBase.BindParameter``): the type conversion (or, without
coercion, the value only if it already has the type), then the validation attributes, then, for
a parameter mandatory in some set, the null/empty check on the *declared* type
(``ValidateNullOrEmptyArgument``), which looks into the elements of an array type.
"""

from __future__ import annotations

from typing import Any

from ..errors import ConversionFailure, ParameterBindingError, ValidationFailure
from ..spec.types import BYTES, NO_MATCH
from .compiled import CompiledParameter

__all__ = ["NOT_BOUND", "bind_value", "transformation_error", "PYTHON_KEYWORD", "LINE"]

#: What bind_value returns when the value would need a conversion that may not be done yet.
NOT_BOUND = NO_MATCH

#: Where a value came from, for the checks only Python keyword values get (see ParamType.python_check).
#: Positional values and -Name values may come from a PowerShell line: they convert as PowerShell converts.
LINE = 0
PYTHON_KEYWORD = 1

_NULL = "ParameterArgumentValidationErrorNullNotAllowed"
_EMPTY_STRING = "ParameterArgumentValidationErrorEmptyStringNotAllowed"
_EMPTY_ARRAY = "ParameterArgumentValidationErrorEmptyArrayNotAllowed"
_WHAT = {_NULL: "it is null", _EMPTY_STRING: "it is an empty string", _EMPTY_ARRAY: "it is an empty array"}


def transformation_error(command: str, param: CompiledParameter, detail: str) -> ParameterBindingError:
    return ParameterBindingError(
        "ParameterArgumentTransformationError",
        f"Cannot process argument transformation on parameter '{param.name}'. {detail}",
        command_name=command,
        parameter_name=param.name,
    )


def _validation_error(command: str, param: CompiledParameter, failure: ValidationFailure) -> ParameterBindingError:
    return ParameterBindingError(
        "ParameterArgumentValidationError",
        f"Cannot validate argument on parameter '{param.name}'. {failure.detail}",
        command_name=command,
        parameter_name=param.name,
        inner_error_id=failure.error_id,
    )


def bind_value(command: str, param: CompiledParameter, value: Any, *, coerce: bool, origin: int = LINE) -> Any:
    """The value as bound to ``param``, or :data:`NOT_BOUND` (only without ``coerce``)."""
    converted = param.uncoerced(value)  # a value that has the type binds as it is, even when coercing
    if converted is NO_MATCH:
        if not coerce:
            return NOT_BOUND
        param_type = param.type
        try:
            if origin and param_type.python_check is not None:
                param_type.python_check(value, origin == PYTHON_KEYWORD)
            converted = param_type.convert(value, param.name)
        except ConversionFailure as exc:
            raise transformation_error(command, param, exc.detail) from None
    for transform in param.transforms:
        converted = transform(converted)
    for check in param.checks:
        try:
            check(converted)
        except ValidationFailure as exc:
            raise _validation_error(command, param, exc) from None
        except TypeError:
            failure = ValidationFailure(f'The argument of type "{type(converted).__name__}" cannot be validated.')
            raise _validation_error(command, param, failure) from None
    if param.mandatory_mask:
        check_mandatory_value(command, param, converted)
    return converted


def _refuse(command: str, param: CompiledParameter, error_id: str) -> ParameterBindingError:
    return ParameterBindingError(
        error_id,
        f"Cannot bind argument to parameter '{param.name}' because {_WHAT[error_id]}.",
        command_name=command,
        parameter_name=param.name,
    )


def check_mandatory_value(command: str, param: CompiledParameter, value: Any) -> None:
    """PowerShell's null/empty check of a mandatory parameter, on its declared type.

    Null is refused unless ``allow_null``; for a ``String``, '' unless ``allow_empty_string``;
    for an array type, each element as the element type (unless the elements are a value type,
    which cannot be null) and an empty array unless ``allow_empty_collection``.  Other types
    (``Object``, hashtables, numbers) are not looked into.
    """
    param_type = param.type
    if value is None:
        if not param.allow_null:
            raise _refuse(command, param, _NULL)
        return
    if param_type.is_string:
        if value == "" and not param.allow_empty_string:
            raise _refuse(command, param, _EMPTY_STRING)
        return
    element = param_type.element
    if element is None or not isinstance(value, (list, tuple, *BYTES)):
        return
    if not element.value_type and not isinstance(value, BYTES):
        for item in value:
            if item is None:
                if not param.allow_null:
                    raise _refuse(command, param, _NULL)
            elif element.is_string and item == "" and not param.allow_empty_string:
                raise _refuse(command, param, _EMPTY_STRING)
    if len(value) == 0 and not param.allow_empty_collection:
        raise _refuse(command, param, _EMPTY_ARRAY)
