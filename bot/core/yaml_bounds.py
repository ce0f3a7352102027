"""YAML from the repository composed within bounds: nesting checked before parsing, and
the expansion of aliases and merge keys counted before anything walks it.

Nine levels of `<<:` merge keys fit in 540 bytes and stand for billions of nodes: every
reader of repository YAML composes it here (`compose_bounded`), so a walk over the nodes
(or PyYAML's own construction, which copies merged mappings) stays within `MAX_YAML_NODES`.
PyYAML is imported inside the functions: a repository without YAML never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.limits import MAX_NESTING, MAX_YAML_NODES, LimitExceeded, check_nesting

if TYPE_CHECKING:
    import yaml


def compose_bounded(text: str, fast: bool = False) -> yaml.Node | None:
    """`yaml.compose(text)` (safe loader), or LimitExceeded when the document nests deeper
    than `MAX_NESTING` or would expand past `MAX_YAML_NODES` nodes. YAMLError as compose.
    `fast`: libyaml's composer where PyYAML has it (same nodes and marks, ~10x faster)."""
    import yaml

    check_nesting(text.encode("utf-8", "replace"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if fast else yaml.SafeLoader
    try:
        root = yaml.compose(text, Loader=loader)
    except RecursionError:
        raise LimitExceeded(f"nested deeper than {MAX_NESTING} levels") from None
    check_expansion(root)
    return root


def load_bounded(text: str) -> object:
    """`yaml.safe_load(text)` within the same bounds as `compose_bounded`."""
    import yaml

    root = compose_bounded(text)
    if root is None:
        return None
    return yaml.SafeLoader("").construct_document(root)


def expanded_size(root: yaml.Node | None, budget: int = MAX_YAML_NODES) -> int:
    """How many nodes `root` stands for with every alias expanded, counted up to just past
    `budget`. Each distinct node is sized once (aliases share node objects), so the count
    costs the document's size, not its expansion."""
    import yaml

    if root is None:
        return 0
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose children are being sized: met again, a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in open_:
            return budget + 1  # a recursive alias expands without end
        kids: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            kids = [n for pair in node.value for n in pair]
        if not children_done:
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in sizes)
            continue
        open_.discard(id(node))
        sizes[id(node)] = min(budget + 1, 1 + sum(sizes.get(id(k), 0) for k in kids))
    return sizes[id(root)]


def check_expansion(root: yaml.Node | None) -> None:
    if expanded_size(root) > MAX_YAML_NODES:
        raise LimitExceeded(f"YAML expands past {MAX_YAML_NODES} nodes (aliases, merge keys)")
