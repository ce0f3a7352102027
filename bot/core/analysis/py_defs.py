"""The `def`s of a Python file, for the hand-off scan: which function holds a line, and its
parameters (a producer wrapper names its job from one of them).

Found with `str.find` (one pass in C) and looked at only when a site asks; each question
walks back over at most `MAX_WALK` definitions, so a file of many sites stays linear.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.analysis.scan import Lines

MAX_DEFS = 5_000
MAX_WALK = 50  # definitions walked back from a line to the one that holds it
MAX_SIGNATURE_LINES = 6
MAX_SIGNATURE = 600  # characters of a signature read
MAX_ARGS = 32

_DEF = re.compile(r"\A([ \t]*+)(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+\(")


@dataclass(frozen=True, slots=True)
class Def:
    name: str
    line: int
    indent: int
    params: tuple[str, ...]  # positional names, `self`/`cls` and `*args`/`**kw` left out
    method: bool  # its first parameter is `self` or `cls`


class DefIndex:
    def __init__(self, text: str, lines: list[str]) -> None:
        self._lines = lines
        at = Lines(text)
        self._defs: list[Def] = []
        pos = text.find("def ")
        while pos != -1 and len(self._defs) < MAX_DEFS:
            i = at.at(pos)
            d = self._read(i)
            if d is not None and (not self._defs or self._defs[-1].line != i):
                self._defs.append(d)
            end = text.find("\n", pos)
            pos = -1 if end == -1 else text.find("def ", end)
        self._starts = [d.line for d in self._defs]

    def _read(self, i: int) -> Def | None:
        if i > len(self._lines):
            return None
        m = _DEF.match(self._lines[i - 1])
        if m is None:
            return None
        parts = [self._lines[i - 1][m.end() :]]
        for k in range(i, min(len(self._lines), i + MAX_SIGNATURE_LINES - 1)):
            if ")" in parts[-1]:
                break
            parts.append(self._lines[k])
        args = split_args(" ".join(parts)[:MAX_SIGNATURE])
        names = [a.split(":", 1)[0].split("=", 1)[0].strip() for a in args]
        method = bool(names) and names[0] in ("self", "cls")
        params = tuple(
            n for n in (names[1:] if method else names) if n and not n.startswith("*") and n != "/"
        )
        return Def(m.group(2), i, len(m.group(1).expandtabs()), params, method)

    def holding(self, line: int) -> Def | None:
        """The innermost `def` whose body holds `line` (by indentation), or None."""
        if not self._defs or line > len(self._lines):
            return None
        text = self._lines[line - 1]
        indent = len(text) - len(text.lstrip())
        k = bisect_right(self._starts, line - 1) - 1
        for _ in range(MAX_WALK):
            if k < 0:
                return None
            d = self._defs[k]
            if d.indent < indent:
                return d
            k -= 1
        return None

    def named(self, name: str) -> Def | None:
        """The first top-level or method `def name`, or None."""
        for d in self._defs:
            if d.name == name:
                return d
        return None


def _top_level(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, char) of each comma outside brackets and quotes from `start`, then of the
    bracket that closes the one just before `start`; nothing more once `text` ends."""
    depth = 0
    quote = ""
    for k in range(start, len(text)):
        ch = text[k]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                yield k, ch
                return
            depth -= 1
        elif ch == "," and depth == 0:
            yield k, ch


def split_args(text: str) -> list[str]:
    """The arguments of a call or signature whose "(" was just passed: split on top-level
    commas up to the ")" that closes it (or the end of `text`), quotes and brackets kept."""
    out: list[str] = []
    start = 0
    for k, ch in _top_level(text):
        out.append(text[start:k])
        if ch != ",":
            return [a.strip() for a in out if a.strip()][:MAX_ARGS]
        start = k + 1
        if len(out) >= MAX_ARGS:
            break
    else:
        out.append(text[start:])
    return [a.strip() for a in out if a.strip()][:MAX_ARGS]


def closing_paren(text: str, start: int) -> int | None:
    """The index of the bracket closing the one just before `start` (quotes skipped), or
    None when `text` ends first."""
    return next((k for k, ch in _top_level(text, start) if ch != ","), None)
