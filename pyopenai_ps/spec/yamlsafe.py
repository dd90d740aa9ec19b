"""Safe YAML reading for spec files, with limits that make hostile files fail fast.

PyYAML's safe loader only: a tag that would construct a Python object is an error and never runs.
Anchor references and merge keys are counted, so an alias or merge-key bomb is refused before it
expands.  Imported only when a spec has to be parsed (a warm start reads the JSON cache instead).
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import SpecError

__all__ = ["parse_yaml", "MAX_ALIAS_REFERENCES", "MAX_MERGED_PAIRS", "MAX_SPEC_BYTES"]

#: More anchor references than this in one file is refused (alias bombs).
MAX_ALIAS_REFERENCES = 200
#: More pairs copied by ``<<`` merge keys than this is refused (merge-key bombs).
MAX_MERGED_PAIRS = 10_000
#: A spec larger than this is refused before parsing.
MAX_SPEC_BYTES = 2_000_000


class _CountingSafeLoader(yaml.SafeLoader):
    """SafeLoader that stops after too many ``*alias`` references or merged pairs."""

    _alias_references = 0
    _merged_pairs = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._alias_references += 1
            if self._alias_references > MAX_ALIAS_REFERENCES:
                raise SpecError(f"more than {MAX_ALIAS_REFERENCES} YAML alias references; refusing to expand them")
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: Any) -> None:
        # Merge keys copy pairs: nine merges of nine merges grow ninefold per level under few aliases.
        super().flatten_mapping(node)
        self._merged_pairs += len(node.value)
        if self._merged_pairs > MAX_MERGED_PAIRS:
            raise SpecError(f"YAML merge keys expand to more than {MAX_MERGED_PAIRS} entries; refusing them")


def parse_yaml(text: str, source: str) -> Any:
    """The data of one YAML document; :class:`SpecError` naming ``source`` when it cannot be read."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"the file is larger than {MAX_SPEC_BYTES} bytes", file=source)
    try:
        loader = _CountingSafeLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except SpecError as exc:
        raise exc.located(source) from None
    except yaml.YAMLError as exc:
        # PyYAML's message names the tag and line; it never runs the tag.
        detail = " ".join(str(exc).split())
        raise SpecError(f"not valid safe YAML: {detail}", file=source) from None
    except RecursionError:
        raise SpecError("the YAML is nested too deeply", file=source) from None
