"""A small schema language for request bodies, with OpenAI-like 400 answers.

A schema checks a decoded JSON value and raises :class:`ApiError` (400,
``invalid_request_error``) whose ``param`` names the offending field the way
the API does (``tools[0].function.name``).  Objects reject fields they do not
declare unless told otherwise, as the real API does for request bodies.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping

from .responses import ApiError

__all__ = ["Schema", "Str", "Int", "Num", "Bool", "Arr", "Obj", "Tagged", "Either",
           "Anything", "parse_json_object"]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _fail(param: str, message: str, code: str) -> ApiError:
    return ApiError(400, message, param=param or None, code=code)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class Schema:
    """Base: ``check(value, path)`` returns the value or raises a 400."""

    expected = "a value"

    def __init__(self, *, nullable: bool = False) -> None:
        self.nullable = nullable

    def check(self, value: Any, path: str) -> Any:
        if value is None:
            if self.nullable:
                return None
            raise self.wrong_type(value, path)
        return self.check_value(value, path)

    def check_value(self, value: Any, path: str) -> Any:
        return value

    def wrong_type(self, value: Any, path: str) -> ApiError:
        return _fail(path, f"Invalid type for '{path}': expected {self.expected}, "
                           f"but got {_kind(value)} instead.", "invalid_type")


class Anything(Schema):
    def __init__(self) -> None:
        super().__init__(nullable=True)


class Str(Schema):
    expected = "a string"

    def __init__(self, *, enum: Iterable[str] | None = None, max_length: int | None = None,
                 min_length: int = 0, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.enum = tuple(enum) if enum is not None else None
        self.max_length = max_length
        self.min_length = min_length

    def check_value(self, value: Any, path: str) -> Any:
        if not isinstance(value, str):
            raise self.wrong_type(value, path)
        if self.enum is not None and value not in self.enum:
            shown = value if len(value) <= 64 else value[:64] + "..."
            raise _fail(path, f"Invalid value for '{path}': '{shown}'. Supported values are: "
                              + ", ".join(f"'{e}'" for e in self.enum) + ".", "invalid_value")
        if self.max_length is not None and len(value) > self.max_length:
            raise _fail(path, f"Invalid '{path}': the string is longer than the maximum of "
                              f"{self.max_length} characters.", "string_above_max_length")
        if len(value) < self.min_length:
            raise _fail(path, f"Invalid '{path}': the string is shorter than the minimum of "
                              f"{self.min_length} characters.", "string_below_min_length")
        return value


class Num(Schema):
    expected = "a number"
    integral = False

    def __init__(self, minimum: float | None = None, maximum: float | None = None, *,
                 nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.minimum = minimum
        self.maximum = maximum

    def check_value(self, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or (self.integral and not isinstance(value, int)):
            raise self.wrong_type(value, path)
        if not math.isfinite(value):
            raise _fail(path, f"Invalid '{path}': {value} is not a finite number.",
                        "invalid_value")
        word = "integer" if self.integral else "decimal"
        if self.minimum is not None and value < self.minimum:
            raise _fail(path, f"Invalid '{path}': {value} is below the minimum of "
                              f"{self.minimum}.", f"{word}_below_min_value")
        if self.maximum is not None and value > self.maximum:
            raise _fail(path, f"Invalid '{path}': {value} is above the maximum of "
                              f"{self.maximum}.", f"{word}_above_max_value")
        return value


class Int(Num):
    expected = "an integer"
    integral = True


class Bool(Schema):
    expected = "a boolean"

    def check_value(self, value: Any, path: str) -> Any:
        if not isinstance(value, bool):
            raise self.wrong_type(value, path)
        return value


class Arr(Schema):
    expected = "an array"

    def __init__(self, items: Schema, *, min_items: int = 0, max_items: int | None = None,
                 nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.items = items
        self.min_items = min_items
        self.max_items = max_items

    def check_value(self, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise self.wrong_type(value, path)
        if len(value) < self.min_items:
            raise _fail(path, f"Invalid '{path}': expected an array with at least "
                              f"{self.min_items} item(s), got {len(value)}.",
                        "empty_array" if self.min_items == 1 else "array_below_min_length")
        if self.max_items is not None and len(value) > self.max_items:
            raise _fail(path, f"Invalid '{path}': expected an array with at most "
                              f"{self.max_items} items, got {len(value)}.",
                        "array_above_max_length")
        return [self.items.check(item, f"{path}[{i}]") for i, item in enumerate(value)]


class Obj(Schema):
    """An object with declared ``props`` (others rejected unless ``open``), or a map
    whose every value matches ``values`` (``max_props``, ``key_max`` bound it)."""

    expected = "an object"

    def __init__(self, props: Mapping[str, Schema] | None = None, *,
                 required: Iterable[str] = (), open: bool = False,
                 values: Schema | None = None, max_props: int | None = None,
                 key_max: int | None = None, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.props = dict(props or {})
        self.required = tuple(required)
        self.open = open
        self.values = values
        self.max_props = max_props
        self.key_max = key_max

    def check_value(self, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise self.wrong_type(value, path)
        if self.max_props is not None and len(value) > self.max_props:
            raise _fail(path, f"Invalid '{path}': an object with at most {self.max_props} "
                              f"keys was expected, got {len(value)}.", "object_above_max_properties")
        for name in self.required:
            if name not in value:
                raise _fail(_join(path, name),
                            f"Missing required parameter: '{_join(path, name)}'.",
                            "missing_required_parameter")
        result = {}
        for name, item in value.items():
            where = _join(path, name)
            if self.key_max is not None and len(name) > self.key_max:
                raise _fail(where, f"Invalid '{path}': the key '{name[:80]}' is longer than "
                                   f"{self.key_max} characters.", "string_above_max_length")
            schema = self.props.get(name, self.values)
            if schema is None:
                if not self.open:
                    raise _fail(where, f"Unknown parameter: '{where}'.", "unknown_parameter")
                schema = Anything()
            result[name] = schema.check(item, where)
        return result


class Tagged(Schema):
    """One of several object shapes chosen by their ``type`` field; ``strings`` are
    plain string values also allowed (``"auto"`` for a response format)."""

    expected = "an object"

    def __init__(self, shapes: Mapping[str, Obj], *, strings: Iterable[str] = (),
                 nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.shapes = dict(shapes)
        self.strings = tuple(strings)
        if self.strings:
            self.expected = "an object or a string"

    def check_value(self, value: Any, path: str) -> Any:
        if isinstance(value, str) and self.strings:
            return Str(enum=self.strings).check(value, path)
        if not isinstance(value, dict):
            raise self.wrong_type(value, path)
        if "type" not in value:
            raise _fail(_join(path, "type"), f"Missing required parameter: "
                                             f"'{_join(path, 'type')}'.",
                        "missing_required_parameter")
        Str(enum=self.shapes).check(value["type"], _join(path, "type"))
        return self.shapes[value["type"]].check(value, path)


class Either(Schema):
    """The first alternative whose JSON type fits (a string or an array of parts)."""

    def __init__(self, *choices: Schema, nullable: bool = False) -> None:
        super().__init__(nullable=nullable)
        self.choices = choices
        self.expected = " or ".join(c.expected for c in choices)

    def check_value(self, value: Any, path: str) -> Any:
        for choice in self.choices:
            try:
                return choice.check(value, path)
            except ApiError as exc:
                if exc.code != "invalid_type" or exc.param != path:
                    raise  # the type fitted; the error is inside the value
        raise self.wrong_type(value, path)


def parse_json_object(body: bytes, schema: Obj) -> dict[str, Any]:
    """Decode a request body and check it; an empty body counts as ``{}``."""
    if not body.strip():
        value: Any = {}
    else:
        try:
            value = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise ApiError(400, "The request body is not valid JSON "
                                f"({detail}); send a JSON object with "
                                "'Content-Type: application/json'.",
                           code="invalid_json") from None
    if not isinstance(value, dict):
        raise ApiError(400, f"The request body must be a JSON object, not {_kind(value)}.",
                       code="invalid_type")
    checked: dict[str, Any] = schema.check(value, "")
    return checked
