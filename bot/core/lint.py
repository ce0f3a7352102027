"""Lint one document: repairable damage, malformed markers, hand-edited generated text.

Lines always point into the text as given. Malformed markers are looked for in the
repaired text (a ```markdown wrapper turns the start marker into prose, and reporting
"end without start" for that would bury the real problem), then mapped back.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.markers import line_of, line_starts, structure
from bot.core.repair import plan_repair
from bot.core.sections import HAND_EDITED, OWNED_SECTIONS, inspect_sections

ERROR, WARNING = "error", "warning"
REPAIRABLE = "{message} (repairable)"
HAND_EDITED_SECTION = (
    "'{heading}' was edited by hand since it was generated; a refresh keeps it "
    "(use `/refresh-docs force` to regenerate it)"
)


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def lint_text(text: str, path: str) -> list[Problem]:
    """Every problem of one document, sorted by line. Empty when clean."""
    starts = line_starts(text)
    plan = plan_repair(text)
    problems = [
        Problem(path, line_of(text, off, starts), REPAIRABLE.format(message=msg), WARNING)
        for off, msg in plan.notes
    ]
    repaired = plan.text
    malformed = structure(repaired)[3]
    for found in malformed:
        line = line_of(text, plan.to_source(found.offset), starts)
        problems.append(Problem(path, line, found.message, ERROR))
    if not malformed and _has_data_flow(repaired):
        headings = {s.slug: s.heading for s in OWNED_SECTIONS}
        repaired_starts = line_starts(repaired)
        for state in inspect_sections(repaired, path=path, block_id="data-flow"):
            if state.state == HAND_EDITED:
                offset = repaired_starts[state.line - 1]
                line = line_of(text, plan.to_source(offset), starts)
                message = HAND_EDITED_SECTION.format(heading=headings[state.slug])
                problems.append(Problem(path, line, message, WARNING))
    return sorted(problems)


def _has_data_flow(text: str) -> bool:
    return any(block.id == "data-flow" for block in structure(text)[1])
