"""PyYAML's safe loaders for frontmatter, with a lean constructor and resolver.

A cold index parses 10,000 frontmatters, and PyYAML's constructor (generators, a
recursion guard and a cache per node, all in Python) used to cost more than libyaml's
parsing itself. Frontmatter reaches the loader only after anchors and aliases were
refused (`parse._refuse_aliases`), so its nodes form a tree: `_TreeConstructor` builds
plain maps, lists and scalars straight from it, calling PyYAML's own constructor for
every scalar tag it does not know is a string. Anything else (merge keys, `!!set`,
`!!omap`, unknown tags, unhashable keys, any error at all) goes to PyYAML's full
constructor on the whole document, so values, types and error messages stay exactly
PyYAML's (tests/test_yamlload.py checks this against the stock loaders).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
#: Keys that `SafeConstructor.flatten_mapping` rewrites: left to PyYAML.
_SPECIAL_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})


class _NotPlain(Exception):
    """The document needs PyYAML's full constructor."""


class _TreeConstructor:
    """Mixed into a PyYAML loader: plain trees are built directly, the rest as before."""

    #: (mapping node, key node) per key given again in one mapping; PyYAML keeps the last
    duplicates: list[tuple[Node, Node]]

    def construct_document(self, node: Node) -> Any:
        self.duplicates = []
        try:
            return self._plain(node)
        except Exception:  # noqa: BLE001 - PyYAML's path below raises the real error
            self.duplicates = []
            data = super().construct_document(node)  # type: ignore[misc]
            self.duplicates = duplicate_keys(node)
            return data

    def _plain(self, node: Node) -> Any:
        cls = node.__class__
        if cls is ScalarNode:
            if node.tag == _STR:
                return node.value
            construct = self.yaml_constructors.get(node.tag)  # type: ignore[attr-defined]
            if construct is None:
                raise _NotPlain
            return construct(self, node)
        if cls is SequenceNode and node.tag == _SEQ:
            plain = self._plain
            return [plain(child) for child in node.value]
        if cls is MappingNode and node.tag == _MAP:
            plain = self._plain
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is ScalarNode and key_node.tag == _STR:
                    key = key_node.value
                else:
                    if key_node.tag in _SPECIAL_KEYS:
                        raise _NotPlain
                    key = plain(key_node)
                    if not isinstance(key, Hashable):
                        raise _NotPlain
                if key in mapping:  # one dict lookup per key: the fast path stays fast
                    self.duplicates.append((node, key_node))
                mapping[key] = plain(value_node)
            return mapping
        raise _NotPlain


def duplicate_keys(root: Node) -> list[tuple[Node, Node]]:
    """(mapping node, key node) per scalar key given again, for documents the fast path
    leaves to PyYAML (which keeps the last value silently)."""
    found: list[tuple[Node, Node]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.value in seen:
                        found.append((node, key_node))
                    seen.add(key_node.value)
                stack.append(value_node)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return found


def key_lines(node: Node, key_node: Node) -> list[int]:
    """0-based lines of every key written like `key_node` in the mapping (for messages)."""
    lines = {key_node.start_mark.line}
    lines.update(
        k.start_mark.line for k, _ in node.value if k.__class__ is ScalarNode
        and k.value == key_node.value
    )
    return sorted(lines)


class _LeanResolver:
    """PyYAML's resolver, minus the path-resolver bookkeeping safe loaders never use.

    libyaml's composer calls `resolve` for every node and `descend_resolver` and
    `ascend_resolver` around it; these do what `BaseResolver` does when a loader has no
    path resolvers, without its per-call list building.
    """

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, Any]]]
    yaml_path_resolvers: dict[Any, Any]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        if self.yaml_path_resolvers:
            super().descend_resolver(current_node, current_index)  # type: ignore[misc]

    def ascend_resolver(self) -> None:
        if self.yaml_path_resolvers:
            super().ascend_resolver()  # type: ignore[misc]

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if self.yaml_path_resolvers or None in self.yaml_implicit_resolvers:
            return super().resolve(kind, value, implicit)  # type: ignore[misc,no-any-return]
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


# libyaml when PyYAML was built with it: much faster on a big vault. Its composer
# recurses on the C stack, though, and a frontmatter nested tens of thousands deep
# (`[[[[…`) crashes the process; nesting needs at least one character per level, so
# longer blocks go to the pure-Python loader, which stops with a RecursionError instead.
_CBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_MAX_CHARS = 8192


class FastLoader(_TreeConstructor, _LeanResolver, _CBase):  # type: ignore[misc]
    """libyaml's safe loader; value errors (`2026-02-30`, `!!int x`) carry a mark."""


class SlowLoader(_TreeConstructor, _LeanResolver, yaml.SafeLoader):
    """The same in pure Python, for frontmatters too long to trust to the C stack."""


def with_mark(construct: Callable[[Any, Any], Any], what: str) -> Callable[[Any, Any], Any]:
    def constructor(loader: Any, node: Any) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as err:
            problem = f"{node.value!r} is not {what} ({err})"
            raise ConstructorError(None, None, problem, node.start_mark) from None

    return constructor


#: Scalar constructors whose Python errors become marked YAML errors (a line to report).
MARKED = (
    ("timestamp", SafeConstructor.construct_yaml_timestamp, "a possible date"),
    ("int", SafeConstructor.construct_yaml_int, "a number"),
    ("float", SafeConstructor.construct_yaml_float, "a number"),
)

for _tag, _construct, _what in MARKED:
    for _loader in (FastLoader, SlowLoader):
        _loader.add_constructor(f"tag:yaml.org,2002:{_tag}", with_mark(_construct, _what))


def loader_for(fm: str) -> Any:
    """The loader class for a frontmatter block of this size."""
    return FastLoader if len(fm) <= FAST_MAX_CHARS else SlowLoader
