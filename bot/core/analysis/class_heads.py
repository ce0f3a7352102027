"""The names a Python file's class statements may give as bases, read from their lines
without parsing the file (the flows' model classes, `flow_stores.StoreCalls.models`).

A superset, or None: every base `calls_python` would read (`ast` for a small file, the
lines for a large one) is among the names found, and a class line of any other shape than
one plain line (`class Name(...):` with no parenthesis inside, ASCII) gives None, so the
caller parses the file. Names from a docstring or a class inside a function only add to
the set; a file whose bases name none of the classes looked for need not be parsed.
"""

from __future__ import annotations

import re

# A line opening with the word `class` (as the tokenizer indents: spaces, tabs, form feeds).
_CLASS_LINE = re.compile(rb"^[ \t\f]*class\b([^\n]*)", re.M)
# Its plain shape: a name, then bases on the same line without nested parentheses, then ':'.
_PLAIN = re.compile(rb"[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*(?:\(([^()\n]*)\))?[ \t]*:")
_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_BOM = b"\xef\xbb\xbf"


def base_names(data: bytes) -> frozenset[str] | None:
    """Every identifier inside the parentheses of the file's class lines, or None when a
    class line is not plain (or lines may break where this scan does not see them)."""
    if b"class" not in data:
        return frozenset()
    if data.startswith(_BOM) or data.count(b"\r") != data.count(b"\r\n"):
        return None  # a BOM before the first class, or lines broken by a bare CR
    names: set[str] = set()
    for m in _CLASS_LINE.finditer(data):
        plain = _PLAIN.match(m.group(1))
        if plain is None:
            return None
        inside = plain.group(1)
        if inside:
            if not inside.isascii():
                return None  # identifiers are NFKC-normalised by the parser
            names.update(n.decode() for n in _NAME.findall(inside))
    return frozenset(names)
