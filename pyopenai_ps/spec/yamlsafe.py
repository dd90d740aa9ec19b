"""Safe YAML reading for spec files, with limits that make hostile files fail fast.

PyYAML's safe loader only: a tag that would construct a Python object is an error and never runs.
Anchor references and the pairs merge keys copy are counted, and the size the document would have
with every alias expanded is computed (without expanding it), so an alias or merge-key bomb is
refused before it expands.  A key given twice in one mapping is refused (YAML would keep the last).
Nesting deeper than :data:`MAX_NESTING` is refused while the document is composed, long before
Python's recursion limit: a file nested thousands deep fails at a shallow stack, where nothing else
(a finalizer the garbage collector happens to run) can hit that limit either.  Imported only when a
spec has to be parsed (a warm start reads the JSON cache instead).
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import SpecError

__all__ = ["parse_yaml", "MAX_ALIAS_REFERENCES", "MAX_MERGED_PAIRS", "MAX_EXPANDED_NODES", "MAX_SPEC_BYTES",
           "MAX_NESTING"]

#: More anchor references than this in one file is refused (alias bombs).
MAX_ALIAS_REFERENCES = 200
#: More pairs copied by ``<<`` merge keys than this is refused (merge-key bombs).
MAX_MERGED_PAIRS = 10_000
#: A document that would have more nodes than this once every alias is expanded is refused: a
#: handful of aliases can stand for billions of nodes, which writing the cache or showing the spec
#: would walk one by one.
MAX_EXPANDED_NODES = 500_000
#: A spec larger than this is refused before parsing.
MAX_SPEC_BYTES = 2_000_000
#: Collections nested deeper than this are refused (a spec needs a handful of levels).
MAX_NESTING = 100


class _CountingSafeLoader(yaml.SafeLoader):
    """SafeLoader that stops after too many ``*alias`` references or merged pairs, or too deep a
    nesting, and refuses a key given twice in one mapping."""

    _alias_references = 0
    _merged_pairs = 0
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._alias_references += 1
            if self._alias_references > MAX_ALIAS_REFERENCES:
                raise SpecError(f"more than {MAX_ALIAS_REFERENCES} YAML alias references; refusing to expand them")
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise SpecError(f"the YAML is nested more than {MAX_NESTING} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def flatten_mapping(self, node: Any) -> None:
        _refuse_duplicate_keys(node)
        own = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
        super().flatten_mapping(node)
        # Only the pairs merge keys copied count: nine merges of nine merges grow ninefold per level.
        self._merged_pairs += len(node.value) - own
        if self._merged_pairs > MAX_MERGED_PAIRS:
            raise SpecError(f"YAML merge keys expand to more than {MAX_MERGED_PAIRS} entries; refusing them")


def _refuse_duplicate_keys(node: Any) -> None:
    seen: set[tuple[str, str]] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        if (key.tag, key.value) in seen:
            shown = key.value if len(key.value) <= 40 else key.value[:37] + "..."
            raise SpecError(f"the key '{shown}' is given more than once in one mapping "
                            f"(line {key.start_mark.line + 1})")
        seen.add((key.tag, key.value))


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expanded_size(root: Any) -> None:
    """Refuse a document whose aliases expand it past :data:`MAX_EXPANDED_NODES` nodes, or into a
    loop; each node is sized once, so this costs what the document costs without expanding it."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    todo: list[tuple[Any, bool]] = [(root, False)]
    while todo:
        node, children_sized = todo.pop()
        key = id(node)
        if children_sized:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > MAX_EXPANDED_NODES:
                raise SpecError(f"YAML aliases expand the document to more than {MAX_EXPANDED_NODES} nodes; "
                                "refusing it")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise SpecError("a YAML alias refers to a node that contains it; refusing to expand it")
        open_nodes.add(key)
        todo.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise SpecError("a YAML alias refers to a node that contains it; refusing to expand it")
            if id(child) not in sizes:
                todo.append((child, False))


def parse_yaml(text: str, source: str) -> Any:
    """The data of one YAML document; :class:`SpecError` naming ``source`` when it cannot be read."""
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(f"the file is larger than {MAX_SPEC_BYTES} bytes", file=source)
    try:
        loader = _CountingSafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _check_expanded_size(node)
            return loader.construct_document(node)
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
