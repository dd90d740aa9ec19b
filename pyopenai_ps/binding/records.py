"""Pipeline input as records, the way PowerShell enumerates what is piped into a command."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["as_records"]


def as_records(records: Any) -> list[Any]:
    """Pipeline input as a list of records.

    A string, bytes or mapping is one record (not its characters or keys); any other iterable is
    enumerated, as PowerShell enumerates arrays; anything else is one record.
    """
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        return [records]
    return list(records)
