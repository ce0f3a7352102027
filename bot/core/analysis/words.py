"""The words of a file, found once: what the gates ask before a whole-text substring scan.

A gate such as `".delay(" in text` is a pass over the file (~4 ms per needle over networkx's
7 MB), and a Python file meets ~90 of them. The file's words (maximal runs of ASCII letters,
digits and "_") come from one linear pass (`bytes.translate`, `split`, a set: ~9 µs per KB)
and are kept while the file is read. A needle cannot occur without its words: `.delay(`
needs the word `delay`, `huey` a word holding `huey`. So `contains(text, needle)` answers
from the words when they rule the needle out and looks in the text only when they do not:
always the answer `needle in text` gives; `Needles` does the same for a gate's tuple of
them, and `Parts` names the words a pattern cannot match without (asked before the search).
A `str` and the `bytes` it was decoded from have the same words (every non-ASCII character
is a separator either way), so one file's gates share one set whichever of the two they read.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from typing import Any, AnyStr, Generic

# Every byte that is not an ASCII letter, digit or "_" becomes a space (UTF-8's multi-byte
# characters and U+FFFD are all bytes >= 0x80: separators).
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_SEPARATE = bytes(c if c in _WORD_BYTES else 0x20 for c in range(256))
_RUN = re.compile(rb"[A-Za-z0-9_]+")
_KEEP = 4  # files remembered: a file's bytes, its decoded text and a derived text or two


_WHOLE, _PART, _FOLDED = 0, 1, 2  # where a plan's step looks (`Words.spaces`)


class Parts:
    """Words written as in " a b c ": " x " the word x, " x" a word starting with x, "x "
    one ending with it, "x" one holding it. What a pattern cannot match without: a
    decorator whose name ends in "task" needs "task ", ".delay(" needs " delay "."""

    __slots__ = ("parts", "whole")

    def __init__(self, *parts: str) -> None:
        whole = {p for p in parts if len(p) > 2 and p[0] == p[-1] == " "}
        self.whole = frozenset(p[1:-1].encode() for p in whole)
        self.parts = tuple(p for p in parts if p not in whole)


class Words:
    """The words of one text: a set of whole words, " a b c " for parts of words, and
    that lowered with "_" as a separator too (for gates on a text lowered with "_" read as
    "-": a needle's "-" was a "-" or a "_", a separator either way)."""

    __slots__ = ("joined", "spaces", "words")

    def __init__(self, data: bytes) -> None:
        self.words = frozenset(data.translate(_SEPARATE).split())
        # A str: `bytes in bytes` first tries the needle as an int and formats the TypeError
        # (~10x the cost of the search in a short text); `str in str` searches at once.
        self.joined = " " + b" ".join(self.words).decode("ascii") + " "
        folded = self.joined.lower().replace("_", " ")
        self.spaces: tuple[Container[Any], ...] = (self.words, self.joined, folded)

    def has_any(self, parts: Parts) -> bool:
        """Whether one of the words is one of `parts`."""
        if not self.words.isdisjoint(parts.whole):
            return True
        joined = self.joined
        return any(p in joined for p in parts.parts)

    def may_hold(self, needle: str | bytes) -> bool:
        """False only when `needle` cannot occur in the text."""
        plan = _PLANS.get(needle)
        return _allows(self.spaces, plan if plan is not None else _plan(needle))


def _allows(spaces: tuple[Container[Any], ...], plan: _Plan) -> bool:
    """False only when a needle with this plan cannot occur in the text of these words."""
    # A loop, not `all()`: asked ~100 times per file, a generator costs more than the test.
    for where, key in plan:  # noqa: SIM110
        if key not in spaces[where]:
            return False
    return True


# What a needle's words must be: (_WHOLE, run) for a run between two separators, a whole
# word (bytes); (_PART, part) for a run the needle cuts, looked for in the joined words with
# a space on each side the needle bounds (" every" for ".every": a word starting with "every").
_Plan = tuple[tuple[int, bytes | str], ...]
_PLANS: dict[str | bytes, _Plan] = {}  # needles looked for with `contains` or `may_hold`
_FOLDED_RUN = re.compile(rb"[a-z0-9]+")


def _plan(needle: str | bytes, folded: bool = False) -> _Plan:
    raw = needle.encode() if isinstance(needle, str) else needle
    steps: list[tuple[int, bytes | str]] = []
    for m in (_FOLDED_RUN if folded else _RUN).finditer(raw):
        left, right = m.start() > 0, m.end() < len(raw)
        run = m.group()
        if left and right and not folded:
            steps.append((_WHOLE, run))
        else:
            part = " " * left + run.decode() + " " * right
            steps.append((_FOLDED if folded else _PART, part))
    if not folded:
        _PLANS[needle] = tuple(steps)
    return tuple(steps)


# (text, its UTF-8 bytes when they were made, its words), newest first.
_recent: tuple[tuple[str | bytes, bytes | None, Words], ...] = ()


def words_of(text: str | bytes) -> Words:
    """The words of `text`, found once for the few texts read last."""
    global _recent
    recent = _recent  # read once: another thread's update never mixes two tuples
    for seen, _, words in recent:
        if seen is text:
            return words
    data = None
    # The same text under another object (a file is decoded by several extractors), else
    # the bytes a text was decoded from (encoded only then).
    known = next((w for seen, _, w in recent if type(seen) is type(text) and seen == text), None)
    if known is None:
        data = text.encode("utf-8", "replace") if isinstance(text, str) else bytes(text)
        known = next((w for _, seen, w in recent if seen == data), None)
    words = known if known is not None else Words(data or b"")
    if isinstance(text, (str, bytes)):  # immutable: safe to know again by identity
        _recent = ((text, data, words), *recent[: _KEEP - 1])
    return words


# The text is searched with `find`, which answers as `in` does: on bytes, `in` first tries
# the needle as an int and formats the TypeError, costlier than the search in a short file.
def contains(text: AnyStr, needle: AnyStr) -> bool:
    """`needle in text`, answered from the words of `text` when they rule it out."""
    plan = _PLANS.get(needle)
    return (
        _allows(words_of(text).spaces, plan if plan is not None else _plan(needle))
        and text.find(needle) != -1
    )


class Needles(Generic[AnyStr]):
    """A gate's needles, each with its plan made once. `folded`: lower-case needles looked
    for in the text lowered with "_" read as "-" (ask `maybe_in`, then look in that text)."""

    __slots__ = ("needles", "plans")

    def __init__(self, needles: Iterable[AnyStr], *, folded: bool = False) -> None:
        self.plans: tuple[tuple[AnyStr, _Plan], ...] = tuple((n, _plan(n, folded)) for n in needles)
        self.needles: tuple[AnyStr, ...] = tuple(n for n, _ in self.plans)

    def maybe_in(self, text: AnyStr) -> list[AnyStr]:
        """The needles whose words `text` has: the only ones that may occur in it."""
        spaces = words_of(text).spaces
        return [needle for needle, plan in self.plans if _allows(spaces, plan)]

    def any_in(self, text: AnyStr, words: Words | None = None) -> bool:
        """`any(n in text for n in needles)`. `words`: those of a text holding every word
        of `text` (the text its comments were blanked from), so they are not found again."""
        spaces = (words or words_of(text)).spaces
        for needle, plan in self.plans:
            for where, key in plan:
                if key not in spaces[where]:
                    break  # ruled out by the words
            else:
                if text.find(needle) != -1:
                    return True
        return False
