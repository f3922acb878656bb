"""YAML for configuration files: plain data only, with the line of every key and list item.

A configuration may come from the party being audited (a file inside the export), so the
reader refuses what a settings file never needs and an attacker would use: aliases (an
"alias bomb" expands a few lines into gigabytes), nesting deeper than any setting, and
files far larger than any real configuration. Duplicate keys are refused too: YAML would
keep the last one silently, and a reviewer reading the first would be misled.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_CHARACTERS = 1 << 20
MAX_DEPTH = 16
MAX_EVENTS = 100_000


class YamlRefused(ValueError):
    """Well-formed YAML that a configuration may not hold; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class LinedMap(dict[Any, Any]):
    """A mapping that knows the line of each of its keys."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}


class LinedList(list[Any]):
    """A list that knows the line of each of its items."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def line_of(container: Any, key: Any = None) -> int | None:
    """The line of ``key`` in a LinedMap, of item ``key`` in a LinedList, or of the container itself."""
    if isinstance(container, LinedMap):
        return container.key_lines.get(key, container.line) if key is not None else container.line
    if isinstance(container, LinedList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return None


def load(text: str) -> Any:
    """The document's data; ``yaml.YAMLError`` when it is not YAML, ``YamlRefused`` for the above."""
    if len(text) > MAX_CHARACTERS:
        raise YamlRefused(f"larger than any configuration needs ({len(text):,} characters; "
                          f"at most {MAX_CHARACTERS:,})")
    _check_events(text)
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _check_events(text: str) -> None:
    """Refuse aliases and deep nesting from the event stream, before anything is built.

    The parser works without recursion; building nodes recurses once per level, so the depth
    must be known to be small first.
    """
    depth = 0
    for number, event in enumerate(yaml.parse(text, Loader=yaml.SafeLoader), start=1):
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused("aliases (*name) are not allowed in a configuration; write the value out "
                              "(to waive every subject, quote the star: subject: '*')", _line(event.start_mark))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlRefused(f"nested deeper than any setting ({MAX_DEPTH} levels)", _line(event.start_mark))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if number > MAX_EVENTS:
            raise YamlRefused(f"more than {MAX_EVENTS:,} YAML items: not a configuration")


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


class _Loader(yaml.SafeLoader):
    def construct_lined_map(self, node: Node) -> LinedMap:
        if not isinstance(node, MappingNode):
            raise YamlRefused("expected a mapping", _line(node.start_mark))
        self.flatten_mapping(node)
        mapping = LinedMap(_line(node.start_mark) or 1)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = _line(key_node.start_mark) or mapping.line
            if not isinstance(key, Hashable):
                raise YamlRefused("a key must be plain text", line)
            if key in mapping:
                raise YamlRefused(f"duplicate key {key!r} (first on line {mapping.key_lines[key]})", line)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = line
        return mapping

    def construct_lined_list(self, node: Node) -> LinedList:
        if not isinstance(node, SequenceNode):
            raise YamlRefused("expected a list", _line(node.start_mark))
        items = LinedList(_line(node.start_mark) or 1)
        for item_node in node.value:
            items.append(self.construct_object(item_node, deep=True))
            items.item_lines.append(_line(item_node.start_mark) or items.line)
        return items


    def construct_checked_timestamp(self, node: ScalarNode) -> Any:
        """A date-shaped value that is no date (2026-02-30): PyYAML raises a bare ValueError."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as error:
            raise YamlRefused(f"{node.value!r} is not a date ({error})", _line(node.start_mark)) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_checked_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_lined_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_lined_list)
