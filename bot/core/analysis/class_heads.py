"""The names a Python file's class lines define, read from their lines without parsing
the file (the flows' model classes, `flow_models`).

A superset, or None: every class `calls_python` reads (`ast` for a small file, the lines
for a large one) is named on a line that opens with `class`, and a class line that does
not name its class plainly (ASCII, on that line) gives None, so the caller parses the
file. Names from a docstring or a class inside a function only add to the set; a file
that defines none of the classes looked for need not be parsed.
"""

from __future__ import annotations

import re

# A line opening with the word `class` (as the tokenizer indents: spaces, tabs, form feeds).
_CLASS_LINE = re.compile(rb"^[ \t\f]*class\b([^\n]*)", re.M)
_BOM = b"\xef\xbb\xbf"
# The name a class statement defines follows `class` on its first line.
_DEFINED = re.compile(rb"[ \t]+([A-Za-z_][A-Za-z0-9_]*)")


def class_names(data: bytes) -> frozenset[str] | None:
    """The names the file's class lines define (a superset: a docstring's or a nested
    class's count too), or None when a class line does not name its class plainly."""
    if b"class" not in data:
        return frozenset()
    if data.startswith(_BOM) or data.count(b"\r") != data.count(b"\r\n"):
        return None
    names: set[str] = set()
    for m in _CLASS_LINE.finditer(data):
        rest = m.group(1)
        named = _DEFINED.match(rest)
        if named is None or not rest[named.end() : named.end() + 1].isascii():
            return None  # `class \`, or a name that goes on in other letters
        names.add(named.group(1).decode())
    return frozenset(names)
