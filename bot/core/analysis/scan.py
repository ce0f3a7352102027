"""Small scanning helpers the language extractors share: positions to lines, rule tables.

Extractors scan text with regular expressions (fast, C-level) and fall back to a real
parser only when the text is ambiguous; these helpers keep that scanning cheap.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, AnyStr, TypeVar

from bot.core.analysis.words import Words, words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import EnvRead, ImportRef, Signal


class Lines:
    """Maps character offsets to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> int:
        # Counting newlines from the last answer is C-speed and callers ask mostly in order.
        if pos < self._pos:
            self._pos, self._line = 0, 1
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


def literal_first(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`pattern` compiled without the `\\b` that starts any top-level alternative.

    A leading `\\b` stops the regex engine from jumping between occurrences of the literal
    that follows (measured: 40x slower on real files); callers put the boundary back with
    `starts_word`, checked on the few matches instead of at every position.
    """
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return re.compile("|".join(p.removeprefix("\\b") for p in parts), flags)


def blanked(text: str, fill: str = " ") -> str:
    """`text` with each character but a newline replaced by `fill`: what
    `re.sub(r"[^\\n]", fill, text)` gives, ~10x faster (lines and offsets stay put)."""
    return "\n".join(fill * len(part) for part in text.split("\n"))


def starts_word(text: str, pos: int) -> bool:
    """False when the match at `pos` begins inside a word (what `\\b` used to rule out)."""
    if pos == 0:
        return True
    here, before = text[pos], text[pos - 1]
    return not ((here.isalnum() or here == "_") and (before.isalnum() or before == "_"))


MAX_POSITIONS = 20_000  # candidate places per file; a file past that is not worth a scan


def needle_positions(text: str, needles: Iterable[str], cap: int = MAX_POSITIONS) -> list[int]:
    """Where each needle occurs (str.find, in C), in order, at most `cap`."""
    out: list[int] = []
    for needle in needles:
        start = text.find(needle)
        while start != -1 and len(out) < cap:
            out.append(start)
            start = text.find(needle, start + 1)
    return sorted(out)


def finditer_near(
    pattern: re.Pattern[str], text: str, needle: str, reach: int
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, for a pattern whose every match is non-empty and holds
    `needle` starting at most `reach` characters after the match's start: each search
    starts `reach` before the next occurrence of `needle` instead of at every position
    (the leftmost match from `pos` cannot start earlier, so the matches are the same)."""
    pos = 0
    while True:
        at = text.find(needle, pos)
        if at < 0:
            return
        m = pattern.search(text, max(pos, at - reach))
        if m is None:
            return
        yield m
        pos = m.end()


def matches_at(
    pattern: re.Pattern[AnyStr], text: AnyStr, needles: tuple[AnyStr, ...]
) -> Iterator[re.Match[AnyStr]]:
    """`pattern.finditer(text)`, for a pattern whose every match is non-empty and starts
    with one of `needles`: the pattern is tried only where a needle occurs, in order (the
    leftmost match from `pos` starts at the first such place it matches at)."""
    starts = sorted({at for needle in needles for at in _occurrences(text, needle)})
    pos = 0
    for at in starts:
        if at < pos:
            continue
        m = pattern.match(text, at)
        if m is not None:
            yield m
            pos = m.end()


def _occurrences(text: AnyStr, needle: AnyStr) -> Iterator[int]:
    at = text.find(needle)
    while at != -1:
        yield at
        at = text.find(needle, at + 1)


def code_hits(data: bytes, needle: bytes, comments: tuple[bytes, ...], looks: int) -> Iterator[int]:
    """Offsets of `needle` in `data` whose line does not start with one of `comments`, in
    order; at most `looks` occurrences are looked at (comment lines count), so a file of a
    million commented copies costs `looks` finds."""
    at = data.find(needle)
    for _ in range(looks):
        if at < 0:
            return
        start = data.rfind(b"\n", 0, at) + 1
        if not data[start:at].lstrip().startswith(comments):
            yield at
        at = data.find(needle, at + len(needle))


def line_at(data: bytes, at: int) -> int:
    """The 1-based line of offset `at`."""
    return data.count(b"\n", 0, at) + 1


@dataclass(frozen=True, slots=True)
class SignalRule:
    """When `trigger` is in the text, each match of `pattern` is a signal.

    `detail` is the name of a group whose text becomes the signal's detail (or "").
    `trigger` is a plain substring so that most files skip most rules for free; `needs`,
    when set, are top-level import names of which the file must import one (a set lookup
    is cheaper still than a substring scan).
    """

    trigger: str
    source: str  # the regular expression, compiled on first use (see `pattern`)
    kind: str
    name: str
    detail: str = ""
    needs: frozenset[str] = frozenset()

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.source)


# Compiled when a rule's trigger first occurs: the tables hold ~120 rules, and compiling
# them all at import cost ~9 ms of every run's start-up, most for languages it never sees.
@functools.cache
def _compiled(source: str) -> re.Pattern[str]:
    return literal_first(source, re.M)


ALL_RULES: list[SignalRule] = []  # every rule made by `rule`, so that a test compiles them all


def rule(
    trigger: str,
    pattern: str,
    kind: str,
    name: str,
    detail: str = "",
    needs: Iterable[str] = (),
) -> SignalRule:
    made = SignalRule(trigger, pattern, kind, name, detail, frozenset(needs))
    ALL_RULES.append(made)
    return made


Skip = Callable[[int], bool]
_WEBHOOK_ROUTE = lazy(r"(?i)webhook|(?:^|[/^])hooks?(?:/|$|\$)")
Sortable = TypeVar("Sortable", EnvRead, Signal, ImportRef)


def scan_signals(
    text: str,
    rules: Iterable[SignalRule],
    lines: Lines,
    skip: Skip | None = None,
    imported: frozenset[str] | None = None,
    words: Words | None = None,
) -> list[Signal]:
    """Every match of every rule whose trigger occurs, unless `skip(pos)` says it's not code.
    `words`: the words of a text holding every word of `text` (the text its comments were
    blanked from), so that they are not found again; by default those of `text`."""
    out: list[Signal] = []
    words = words or words_of(text)
    for r in rules:
        if r.needs and imported is not None and not r.needs & imported:
            continue
        if not words.may_hold(r.trigger) or r.trigger not in text:
            continue
        for m in r.pattern.finditer(text):
            if not starts_word(text, m.start()) or (skip is not None and skip(m.start())):
                continue
            detail = (m.group(r.detail) or "") if r.detail else ""
            kind = r.kind
            # A route named for webhooks receives them (not a gRPC method that manages them).
            if kind == "entrypoint.http" and r.detail == "route" and _WEBHOOK_ROUTE.search(detail):
                kind = "entrypoint.webhook"  # a route named for webhooks receives them
            out.append(Signal(kind, r.name, lines.at(m.start()), detail))
    return out


def scan_env(
    text: str,
    triggers: Iterable[str],
    pattern: re.Pattern[str],
    lines: Lines,
    skip: Skip | None = None,
    words: Words | None = None,
) -> list[EnvRead]:
    """Environment variable names read by the text: `pattern`'s first non-empty group
    (`words` as in `scan_signals`)."""
    words = words or words_of(text)
    if not any(words.may_hold(t) and t in text for t in triggers):
        return []
    out: list[EnvRead] = []
    for m in pattern.finditer(text):
        if not starts_word(text, m.start()) or (skip is not None and skip(m.start())):
            continue
        name = next((g for g in m.groups() if g), None)
        if name:
            out.append(EnvRead(name, lines.at(m.start())))
    return out


# Each type's fields in order, as one key: the dataclass order compares the same tuples,
# but builds two of them for every comparison instead of one per item.
_SORT_KEYS: dict[type, Callable[[Any], Any]] = {
    cls: attrgetter(*(f.name for f in fields(cls))) for cls in (EnvRead, Signal, ImportRef)
}


def unique_sorted(items: Iterable[Sortable]) -> tuple[Sortable, ...]:
    """Deduplicated and sorted: the shape every `FileFacts` container has."""
    unique = set(items)
    if len(unique) < 2:
        return tuple(unique)
    return tuple(sorted(unique, key=_SORT_KEYS.get(type(next(iter(unique))))))
