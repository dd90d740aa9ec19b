"""Named transforms: Python helpers written once, referenced by name from any spec.

A parameter's ``transform:`` runs when the value is bound (``lowercase`` ...); a value source's
``transform:`` runs when a request is built (``type_object`` ...).  Each takes a value and gives
the transformed value (``None``: nothing is sent); strings in lists are transformed one by one
where that is what the transform means.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..errors import ConfigurationError

__all__ = ["TRANSFORMS", "make_transform", "MAX_DATA_URL_BYTES"]

#: A local image sent as a data URL is at most this large (OpenAI's limit for image input).
MAX_DATA_URL_BYTES = 20 * 1024 * 1024


def _text_transform(function: Callable[[str], str]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        if isinstance(value, str):
            return function(value)
        if isinstance(value, list):
            return [function(v) if isinstance(v, str) else v for v in value]
        return value

    return apply


def _type_object(value: Any) -> Any:
    """``"json_object"`` -> ``{"type": "json_object"}``; a mapping is kept as it is."""
    if isinstance(value, str):
        return {"type": value}
    return value


def _data_url(value: Any) -> Any:
    """A local image file (a path) as a ``data:`` URL; an http(s) or data URL is kept as it is."""
    if not isinstance(value, (str, os.PathLike)):
        return value
    text = os.fspath(value)
    if text.startswith(("http://", "https://", "data:")):
        return text
    media_type = mimetypes.guess_type(text)[0] or "application/octet-stream"
    try:
        size = os.path.getsize(text)
        if size > MAX_DATA_URL_BYTES:
            raise ConfigurationError(f"The image '{text}' is larger than {MAX_DATA_URL_BYTES} bytes.", setting=text)
        with open(text, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ConfigurationError(f"The image '{text}' cannot be read: {exc.strerror or exc}.", setting=text) from None
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def _string(value: Any) -> Any:
    """Any scalar as its text (``True`` -> ``"true"``); lists item by item; None stays None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [_string(v) for v in value]
    if isinstance(value, Mapping):
        return value
    return str(value)


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


def _jsonl(value: Any) -> Any:
    """Records (mappings, or JSON text lines) as the bytes of a JSON Lines file, one record a line."""
    records = value if isinstance(value, (list, tuple)) else [value]
    lines = []
    for record in records:
        if isinstance(record, str):
            lines.append(record.strip())
        else:
            lines.append(json.dumps(_json_ready(record), ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


def _unique_name(value: Any) -> Any:
    """A name template with ``{utc_now}`` (the UTC time, ``2024-05-01T12:30:00``) and ``{random}`` (four
    lower-case hex digits) filled in, so names made one after another differ (upload file names)."""
    if not isinstance(value, str):
        return value
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return value.replace("{utc_now}", now).replace("{random}", f"{secrets.randbelow(0xFFFF):04x}")


TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "lowercase": _text_transform(str.lower),
    "uppercase": _text_transform(str.upper),
    "trim": _text_transform(str.strip),
    "type_object": _type_object,
    "data_url": _data_url,
    "string": _string,
    "jsonl": _jsonl,
    "unique_name": _unique_name,
}


def make_transform(name: str) -> Callable[[Any], Any]:
    """A named transform; ``KeyError`` for an unknown name."""
    return TRANSFORMS[name]
