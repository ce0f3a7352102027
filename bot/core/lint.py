"""Lint one document: repairable damage, malformed markers or front matter, hand-edited
generated text, repeated owned headings (v1 marker blocks and v2 front-matter docs).

Lines always point into the text as given. Malformed markers are looked for in the
repaired text (a ```markdown wrapper turns the start marker into prose, and reporting
"end without start" for that would bury the real problem), then mapped back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.config import BUILT_IN_HEADINGS
from bot.core.document_sections import inspect_document_sections
from bot.core.documents import HEADINGS, heading_map, is_data_flow_doc, parse_data_flow_doc
from bot.core.front_matter import FrontMatterError
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


def lint_text(text: str, path: str, headings: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem of one document, sorted by line. Empty when clean. `headings` names
    the sections of translated v2 docs (the built-in translations when None)."""
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
    if not malformed and not structure(repaired)[1] and is_data_flow_doc(repaired, path):
        problems += _lint_v2(text, repaired, path, plan.to_source, headings)
    return sorted(problems)


def _lint_v2(
    text: str,
    repaired: str,
    path: str,
    to_source: Callable[[int], int],
    headings: Mapping[str, str] | None,
) -> list[Problem]:
    """A v2 doc: its front matter, hand-edited owned sections, repeated owned headings."""
    ids = headings if headings is not None else heading_map(BUILT_IN_HEADINGS)
    starts, repaired_starts = line_starts(text), line_starts(repaired)

    def line(repaired_line: int) -> int:
        offset = repaired_starts[min(repaired_line, len(repaired_starts)) - 1]
        return line_of(text, to_source(offset), starts)

    try:
        states, repeats = inspect_document_sections(repaired, path=path, headings=ids)
    except FrontMatterError as err:
        return [Problem(path, line(err.line or 1), err.message, ERROR)]
    # Named as the doc names them: a translated heading is what its reader looks for.
    titles = {i: s.title for i, s in parse_data_flow_doc(repaired, path, ids).owned.items()}
    found = [
        Problem(
            path,
            line(s.line),
            HAND_EDITED_SECTION.format(heading=titles.get(s.slug, HEADINGS[s.slug])),
            WARNING,
        )
        for s in states
        if s.state == HAND_EDITED
    ]
    found += [Problem(path, line(r.line), r.message, WARNING) for r in repeats]
    return found


def _has_data_flow(text: str) -> bool:
    return any(block.id == "data-flow" for block in structure(text)[1])
