"""Named projections: properties derived from an output object, written once in Python and named in
specs (``output.derived: {SimpleContent: {projection: message_simple_content}}``).

Each takes the object's data (a mapping, as the API sent it) and gives the derived value.  A value
may hold :class:`Typed` objects: the output makes each an object of that type name, whose named
fields read as dates (as a cmdlet's own output objects).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["PROJECTIONS", "Typed", "message_simple_content", "step_simple_content", "batch_output_response"]


@attrs.frozen
class Typed:
    """An object inside a projection's value that is output with a type name and date fields."""

    data: Mapping[str, Any]
    type_name: str
    timestamps: tuple[str, ...] = ()


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def message_simple_content(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``{Role, Type, Content}`` per content part of a message: a text part's text, an image's file id
    or URL."""
    parts = message.get("content")
    if isinstance(parts, str):  # a message written as plain text
        return [{"Role": message.get("role"), "Type": "text", "Content": parts}]
    simple = []
    for part in parts if isinstance(parts, list) else []:
        kind = _get(part, "type")
        if kind == "text":
            content = _get(part, "text", "value")
        elif kind == "image_file":
            content = _get(part, "image_file", "file_id")
        elif kind == "image_url":
            content = _get(part, "image_url", "url")
        else:
            content = None
        simple.append({"Role": message.get("role"), "Type": kind, "Content": content})
    return simple


def _tool_call(role: Any, call: Mapping[str, Any]) -> list[dict[str, Any]]:
    kind = call.get("type")
    if kind == "code_interpreter":
        rows = [{"Role": role, "Type": "code_interpreter.input", "Content": _get(call, "code_interpreter", "input")}]
        for out in _get(call, "code_interpreter", "outputs") or []:
            if _get(out, "type") == "logs":
                rows.append({"Role": role, "Type": "code_interpreter.output.logs", "Content": _get(out, "logs")})
            elif _get(out, "type") == "image":
                rows.append({"Role": role, "Type": "code_interpreter.output.image",
                             "Content": _get(out, "image", "file_id")})
        return rows
    if kind == "function":
        return [{"Role": role, "Type": "function", "Name": _get(call, "function", "name"),
                 "Arguments": _get(call, "function", "arguments"), "Content": _get(call, "function", "output")}]
    return [{"Role": role, "Type": kind, "Content": None}]


def step_simple_content(step: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A tool_calls step's calls as ``{Role, Type, Content}`` rows (a message_creation step's content comes
    from its message: see Get-ThreadRunStep's spec)."""
    if step.get("type") != "tool_calls":
        return []
    rows: list[dict[str, Any]] = []
    for call in _get(step, "step_details", "tool_calls") or []:
        if isinstance(call, Mapping):
            rows.extend(_tool_call(step.get("type"), call))
    return rows


def batch_output_response(line: Mapping[str, Any]) -> Any:
    """A batch output line's ``response`` with a ``chat.completion`` body as Request-ChatCompletion
    outputs one: typed ``PSOpenAI.Chat.Completion``, ``created`` a date, and ``Answer`` the text of each
    choice. Any other response is kept as it is."""
    response = line.get("response")
    body = _get(response, "body")
    if not isinstance(response, Mapping) or not isinstance(body, Mapping) or body.get("object") != "chat.completion":
        return response
    choices = body.get("choices")
    answers = [_get(choice, "message", "content") for choice in (choices if isinstance(choices, list) else [])]
    typed = Typed({**body, "Answer": [a for a in answers if a is not None]}, "PSOpenAI.Chat.Completion", ("created",))
    return {**response, "body": typed}


PROJECTIONS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "message_simple_content": message_simple_content,
    "step_simple_content": step_simple_content,
    "batch_output_response": batch_output_response,
}
