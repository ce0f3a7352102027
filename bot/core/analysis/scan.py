"""Small scanning helpers the language extractors share: positions to lines, rule tables.

Extractors scan text with regular expressions (fast, C-level) and fall back to a real
parser only when the text is ambiguous; these helpers keep that scanning cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

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


@dataclass(frozen=True, slots=True)
class SignalRule:
    """When `trigger` is in the text, each match of `pattern` is a signal.

    `detail` is the name of a group whose text becomes the signal's detail (or "").
    `trigger` is a plain substring so that most files skip most rules for free; `needs`,
    when set, are top-level import names of which the file must import one (a set lookup
    is cheaper still than a substring scan).
    """

    trigger: str
    pattern: re.Pattern[str]
    kind: str
    name: str
    detail: str = ""
    needs: frozenset[str] = frozenset()


def rule(
    trigger: str,
    pattern: str,
    kind: str,
    name: str,
    detail: str = "",
    needs: Iterable[str] = (),
) -> SignalRule:
    return SignalRule(trigger, re.compile(pattern, re.M), kind, name, detail, frozenset(needs))


Skip = Callable[[int], bool]
Sortable = TypeVar("Sortable", EnvRead, Signal, ImportRef)


def scan_signals(
    text: str,
    rules: Iterable[SignalRule],
    lines: Lines,
    skip: Skip | None = None,
    imported: frozenset[str] | None = None,
) -> list[Signal]:
    """Every match of every rule whose trigger occurs, unless `skip(pos)` says it's not code."""
    out: list[Signal] = []
    for r in rules:
        if r.needs and imported is not None and not r.needs & imported:
            continue
        if r.trigger not in text:
            continue
        for m in r.pattern.finditer(text):
            if skip is not None and skip(m.start()):
                continue
            detail = (m.group(r.detail) or "") if r.detail else ""
            kind = r.kind
            if kind == "entrypoint.http" and "webhook" in detail.lower():
                kind = "entrypoint.webhook"  # a route named for webhooks receives them
            out.append(Signal(kind, r.name, lines.at(m.start()), detail))
    return out


def scan_env(
    text: str,
    triggers: Iterable[str],
    pattern: re.Pattern[str],
    lines: Lines,
    skip: Skip | None = None,
) -> list[EnvRead]:
    """Environment variable names read by the text: `pattern`'s first non-empty group."""
    if not any(t in text for t in triggers):
        return []
    out: list[EnvRead] = []
    for m in pattern.finditer(text):
        if skip is not None and skip(m.start()):
            continue
        name = next((g for g in m.groups() if g), None)
        if name:
            out.append(EnvRead(name, lines.at(m.start())))
    return out


def unique_sorted(items: Iterable[Sortable]) -> tuple[Sortable, ...]:
    """Deduplicated and sorted: the shape every `FileFacts` container has."""
    return tuple(sorted(set(items)))
