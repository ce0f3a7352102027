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

import contextlib
import contextvars
import functools
import importlib
from collections.abc import Iterator

import tree_sitter

# Progress reports allowed per byte of input, plus a floor for small files.
PARSE_BUDGET_PER_BYTE = 0.25
PARSE_BUDGET_FLOOR = 5_000
_CHUNK = 1 << 16
_BLOCK_COMMENTS = frozenset({"go", "javascript", "typescript", "tsx"})
MAX_FOUND = 200_000  # nodes `find` returns for one file
MAX_VISITED = 5_000_000  # nodes `find` looks at in one file (a 1 MB file has ~500k)

Node = tree_sitter.Node

# The bytes of the tree being read, for `text`: a node of a tree parsed through a read
# callback fetches its text through that callback again (one 64 KiB slice per call), so
# text is sliced from the source instead. Context-local, so threads don't share it.
_SOURCE: contextvars.ContextVar[bytes] = contextvars.ContextVar("tree_sitter_source")


@contextlib.contextmanager
def reading(data: bytes) -> Iterator[None]:
    """Within this block, `text` slices nodes out of `data` (the bytes they were parsed from)."""
    token = _SOURCE.set(data)
    try:
        yield
    finally:
        _SOURCE.reset(token)


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


def _opens_unclosed(data: bytes, start: bytes, end: bytes) -> bool:
    return data.rfind(start) > data.rfind(end)


def parse(
    language: str,
    data: bytes,
    per_byte: float = PARSE_BUDGET_PER_BYTE,
    floor: int = PARSE_BUDGET_FLOOR,
) -> Node | None:
    """The root of `data`'s syntax tree in `language` ("python", "javascript",
    "typescript", "tsx", "ruby", "go"), or None when the parse ran out of budget
    (`floor` progress reports plus `per_byte` per byte)."""
    budget = floor + int(len(data) * per_byte)
    spent = 0
    if language in _BLOCK_COMMENTS and _opens_unclosed(data, b"/*", b"*/"):
        # An unterminated `/*` (no compiler accepts one) makes the lexer scan to the end of
        # the file again from each `/*` after it: quadratic, and between progress reports.
        # Closed at the end, it is one comment, as an editor shows it; lines do not move.
        data += b"*/"
    elif language == "ruby" and _opens_unclosed(b"\n" + data, b"\n=begin", b"\n=end"):
        data += b"\n=end\n"  # the same for an unterminated `=begin` block

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
    """Every node under `root` (itself included, named or not) whose type is in `types`, in
    source order. A tree cursor, so no recursion and no list of children per node: linear
    in the nodes visited, however deep the tree; stops after `max_nodes`."""
    cursor = root.walk()
    seen = 0
    while seen < max_nodes:
        seen += 1
        if cursor.node is not None and cursor.node.type in types:
            yield cursor.node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


@functools.cache
def _kind_ids(language: str, types: frozenset[str]) -> frozenset[int]:
    lang = _language(language)
    ids = (lang.id_for_node_kind(t, True) for t in types)
    return frozenset(i for i in ids if i is not None)


def find(language: str, root: Node, types: frozenset[str]) -> list[Node]:
    """The nodes under `root` whose type is in `types`, in source order: `walk` comparing
    kind ids (types the grammar lacks are skipped). At most `MAX_FOUND` nodes, after
    visiting at most `MAX_VISITED`."""
    ids = _kind_ids(language, types)
    found: list[Node] = []
    cursor = root.walk()
    for _ in range(MAX_VISITED):
        node = cursor.node
        if node is not None and node.kind_id in ids:
            found.append(node)
            if len(found) >= MAX_FOUND:
                break
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return found
    return found


def find_sets(language: str, root: Node, *sets: frozenset[str]) -> tuple[list[Node], ...]:
    """`find` for several sets of types in one walk over the tree: the i-th list is the one
    `find(language, root, sets[i])` gives (each capped at `MAX_FOUND` on its own; the walk
    ends once every list is full, or after `MAX_VISITED` nodes, as each walk would)."""
    ids = [_kind_ids(language, types) for types in sets]
    every = frozenset().union(*ids)
    lists: tuple[list[Node], ...] = tuple([] for _ in sets)
    pairs = tuple(zip(ids, lists, strict=True))
    unfilled = len(sets)
    cursor = root.walk()
    for _ in range(MAX_VISITED):
        node = cursor.node
        if node is not None and node.kind_id in every:
            kind = node.kind_id
            for own, found in pairs:
                if kind in own and len(found) < MAX_FOUND:
                    found.append(node)
                    unfilled -= len(found) >= MAX_FOUND
            if unfilled <= 0:
                break
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return lists
    return lists


def text(node: Node | None, limit: int = 200) -> str:
    """The node's source text, at most `limit` characters (invalid UTF-8 replaced)."""
    if node is None:
        return ""
    start = node.start_byte
    end = node.end_byte
    data = _SOURCE.get(None)
    if end - start <= limit:  # most names: no more characters than bytes, nothing to cut
        raw = data[start:end] if data is not None else (node.text or b"")
        return raw.decode("utf-8", "replace")
    end = min(end, start + limit * 4)
    raw = data[start:end] if data is not None else (node.text or b"")[: limit * 4]
    return raw.decode("utf-8", "replace")[:limit]


def line(node: Node) -> int:
    return node.start_point[0] + 1
