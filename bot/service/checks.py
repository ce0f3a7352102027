"""The `docs-refresh` check run on a pull request's head: conclusion, text and annotations.

GitHub takes at most 50 annotations per create/update request and appends those of later
updates, so `CheckOutput.batches()` splits them; each batch repeats title and summary
because `output` requires them on every request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.service.diffs import DocDiff, size
from bot.service.ports.conversation import (
    Annotation,
    CheckOutput,
    Conclusion,
)

CHECK_NAME = "docs-refresh"
SUMMARY_LIMIT = 65_535

FRESH_TITLE = "Docs stay fresh"
FRESH_SUMMARY = "This change leaves the generated docs as they are."
UNTRACKED_SUMMARY = "This change touches no tracked path, so the docs cannot go stale."
STALE_TITLE = "This change would make {count} doc(s) stale"
STALE_SUMMARY = (
    "With this head, the generated sections of these docs would change:\n\n{docs}\n\n"
    "{facts}\n\nComment `/refresh-docs` on the pull request to apply the refresh, "
    "or run `docs-refresh refresh` locally."
)
MALFORMED_TITLE = "{count} problem(s) in the docs' markers"
MALFORMED_SUMMARY = (
    "The docs cannot be refreshed until these are fixed (nothing was written):\n\n{problems}"
)
SUMMARY_CUT = "\n\n… cut to fit; see the annotations."


class ProblemLike(Protocol):
    """A lint finding (`bot.cli.lint.Problem` has this shape)."""

    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def message(self) -> str: ...


def fresh_output(tracked_changed: bool = True) -> CheckOutput:
    return CheckOutput(
        "success", FRESH_TITLE, FRESH_SUMMARY if tracked_changed else UNTRACKED_SUMMARY
    )


def stale_output(
    docs: Sequence[DocDiff], facts_markdown: str, conclusion: Conclusion = "neutral"
) -> CheckOutput:
    """Docs would go stale: neutral by default, failure where a team requires fresh docs."""
    listing = "\n".join(
        f"- `{d.path}`: {', '.join(d.sections) or 'text outside named sections'}"
        for d in sorted(docs)
    )
    summary = STALE_SUMMARY.format(docs=listing, facts=facts_markdown.strip())
    return CheckOutput(conclusion, STALE_TITLE.format(count=len(docs)), _fit(summary))


def malformed_output(problems: Sequence[ProblemLike]) -> CheckOutput:
    """Malformed docs: failure, one annotation per problem at its file and line."""
    ordered = sorted(problems, key=lambda p: (p.path, p.line or 1, p.message))
    # A problem without a file (rare) is listed in the summary only: annotations need a path.
    annotations = tuple(
        Annotation(p.path, max(p.line or 1, 1), p.message) for p in ordered if p.path
    )
    listing = "\n".join(f"- {_where(p)}: {p.message}" for p in ordered)
    return CheckOutput(
        "failure",
        MALFORMED_TITLE.format(count=len(ordered)),
        _fit(MALFORMED_SUMMARY.format(problems=listing)),
        annotations,
    )


def _where(problem: ProblemLike) -> str:
    if not problem.path:
        return "(no file)"
    return f"`{problem.path}:{problem.line or 1}`"


def _fit(summary: str) -> str:
    if size(summary) <= SUMMARY_LIMIT:
        return summary
    keep = summary.encode("utf-8")[: SUMMARY_LIMIT - size(SUMMARY_CUT)]
    return keep.decode("utf-8", errors="ignore") + SUMMARY_CUT
