"""YAML read as nodes, so every value keeps its line (`yaml.compose`, merge keys followed).

PyYAML is imported inside the functions (a no-op once loaded): it costs ~15 ms of start-up,
which a repository without YAML files never needs to pay.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot.core.yaml_bounds import compose_bounded

if TYPE_CHECKING:
    import yaml


def compose_yaml(text: str, fast: bool = False) -> yaml.Node | None:
    """The document's root node, or None when the text is not YAML. LimitExceeded when it
    nests too deep or expands too far (`bot.core.yaml_bounds`; `fast`: by libyaml)."""
    import yaml

    try:
        return compose_bounded(text, fast)
    except yaml.YAMLError:
        return None


def items(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) of a mapping, following ``<<`` merge keys."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value == "<<":
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in merged:
                yield from items(item)
        elif isinstance(key, yaml.ScalarNode):
            yield str(key.value), key, value


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    for name, _, value in items(node):
        if name == key:
            return value
    return None


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def scalar(node: yaml.Node | None) -> str:
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def words(node: yaml.Node | None) -> str:
    """A command given as a string or as a list of words, as one string."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return " ".join(scalar(n) for n in node.value)
    return scalar(node)


def sequence(node: yaml.Node | None) -> list[yaml.Node]:
    import yaml

    return list(node.value) if isinstance(node, yaml.SequenceNode) else []
