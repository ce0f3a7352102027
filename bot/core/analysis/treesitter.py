"""tree-sitter, bounded: a parser per language, and an iterative walk over the tree.

The grammars come from their own wheels (`tree-sitter-python`, `-javascript`, `-typescript`,
`-ruby`, `-go`), loaded once per process on first use: nothing is downloaded at run time.

Repository content is untrusted, so both halves are bounded without a clock (the core reads
none, and the same bytes must give the same facts): the parse is cancelled once tree-sitter
has reported more progress than `PARSE_BUDGET_PER_BYTE` allows for the file's size (it
reports about once per 50 bytes of ordinary code; a pathological input runs out of budget
instead of running on), and the walk is a loop over an explicit stack, never recursion, so a
million nested parentheses cost memory in proportion and no stack.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator

import tree_sitter

# Progress reports allowed per byte of input, plus a floor for small files.
PARSE_BUDGET_PER_BYTE = 0.25
PARSE_BUDGET_FLOOR = 5_000
_CHUNK = 1 << 16

Node = tree_sitter.Node


# Grammar name -> (wheel module, its function returning the language).
GRAMMARS = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "ruby": ("tree_sitter_ruby", "language"),
    "go": ("tree_sitter_go", "language"),
}


@functools.cache
def _language(name: str) -> tree_sitter.Language:
    if name not in GRAMMARS:
        raise ValueError(f"no tree-sitter grammar for {name!r}")
    module, function = GRAMMARS[name]
    return tree_sitter.Language(getattr(importlib.import_module(module), function)())


@functools.cache
def _parser(name: str) -> tree_sitter.Parser:
    return tree_sitter.Parser(_language(name))


def parse(language: str, data: bytes) -> Node | None:
    """The root of `data`'s syntax tree in `language` ("python", "javascript",
    "typescript", "tsx", "ruby", "go"), or None when the parse ran out of budget."""
    budget = PARSE_BUDGET_FLOOR + int(len(data) * PARSE_BUDGET_PER_BYTE)
    spent = 0

    def read(offset: int, _point: tree_sitter.Point) -> bytes:
        return data[offset : offset + _CHUNK]

    def progress(_offset: int, _has_error: bool) -> bool:
        nonlocal spent
        spent += 1
        return spent > budget  # True cancels the parse

    parser = _parser(language)
    try:
        tree = parser.parse(read, progress_callback=progress)
    except ValueError:  # cancelled: tree-sitter says "Parsing failed"
        parser.reset()
        return None
    return tree.root_node


def walk(root: Node, types: frozenset[str], max_nodes: int = 2_000_000) -> Iterator[Node]:
    """Every node under `root` (itself included) whose type is in `types`, in source order.
    Iterative; stops after visiting `max_nodes` nodes."""
    stack = [root]
    seen = 0
    while stack and seen < max_nodes:
        node = stack.pop()
        seen += 1
        if node.type in types:
            yield node
        if node.child_count:
            stack.extend(reversed(node.named_children))


def text(node: Node | None, limit: int = 200) -> str:
    """The node's source text, at most `limit` characters (invalid UTF-8 replaced)."""
    if node is None:
        return ""
    raw = node.text or b""
    return raw[: limit * 4].decode("utf-8", "replace")[:limit]


def line(node: Node) -> int:
    return node.start_point[0] + 1
