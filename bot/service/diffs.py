"""Unified diffs of documents, and fitting them into a comment without breaking Markdown.

Patches are what `git apply` takes (paths `a/…` and `b/…`, the "no newline" marker kept),
so a fork's author can apply the reply as is. Sizes are measured in UTF-8 bytes: that is
never less than the characters GitHub counts, so a body that fits in bytes fits.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import NamedTuple

NO_NEWLINE = "\\ No newline at end of file\n"
TRUNCATED_NOTE = "… {hidden} more lines of this diff not shown ({total} in all)\n"
_BACKTICK_RUN = re.compile(r"`+")


class DocDiff(NamedTuple):
    """One document's before and after, and what the preview says about it."""

    path: str
    old: str
    new: str
    sections: tuple[str, ...] = ()  # headings of the subsections that change
    hand_edited: tuple[str, ...] = ()  # headings whose generated text a person edited
    repairs: tuple[str, ...] = ()  # "line N: what was repaired" outside the owned sections


def unified_diff(path: str, old: str, new: str, context: int = 3) -> str:
    """A git-style unified diff of one file ("" when equal)."""
    if old == new:
        return ""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
        n=context,
    )
    out = [f"diff --git a/{path} b/{path}\n"]
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    return "".join(out)


def patch_of(docs: Sequence[DocDiff]) -> str:
    """Every document's diff, in path order: a patch for `git apply`."""
    return "".join(unified_diff(d.path, d.old, d.new) for d in sorted(docs))


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def truncate_diff(diff: str, budget: int) -> str:
    """`diff` cut at a line boundary to fit `budget` bytes, with a note on what is hidden."""
    if size(diff) <= budget:
        return diff
    lines = diff.splitlines(keepends=True)
    kept: list[str] = []
    used = 0
    # Room for the note itself, whatever the numbers turn out to be.
    room = budget - size(TRUNCATED_NOTE.format(hidden=len(lines), total=len(lines)))
    for line in lines:
        if used + size(line) > room:
            break
        kept.append(line)
        used += size(line)
    note = TRUNCATED_NOTE.format(hidden=f"{len(lines) - len(kept):,}", total=f"{len(lines):,}")
    return "".join(kept) + note


def fit_diffs(diffs: Sequence[str], budget: int) -> list[str]:
    """Share `budget` between diffs: small ones whole, the rest an equal share of what is left."""
    out = [""] * len(diffs)
    remaining = max(budget, 0)
    order = sorted(range(len(diffs)), key=lambda i: size(diffs[i]))
    for position, index in enumerate(order):
        share = remaining // (len(order) - position)
        out[index] = truncate_diff(diffs[index], share)
        remaining -= size(out[index])
    return out


def fence_for(text: str) -> str:
    """A backtick fence longer than any run inside `text` (docs hold ```mermaid blocks)."""
    longest = max((len(m.group()) for m in _BACKTICK_RUN.finditer(text)), default=0)
    return "`" * max(3, longest + 1)


def fenced(text: str, info: str = "diff") -> str:
    fence = fence_for(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}{info}\n{body}{fence}\n"
