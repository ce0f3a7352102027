"""Refresh the owned sections of a dotcontext v2 doc (`bot.core.documents`).

The same rules as the v1 subsections (`bot.core.sections`), and the same hidden checksum:

- an owned section's content (below its heading line, heading kept as written, level
  included) is replaced by the generated body with a checksum comment; content whose
  checksum no longer matches was edited by a person and is kept unless `force`;
- a missing owned section is added whole, at the level of its siblings and at its template
  position: after the nearest template section before it (Service Layer included), else
  before the nearest one after it (Related Resources included), else at the end;
- `status: unfilled` in the front matter becomes `filled`, only the value's bytes change.

Everything else is kept byte for byte, and the guard proves it before the text is returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.documents import (
    HEADINGS,
    INTRO,
    OWNED_IDS,
    TEMPLATE_IDS,
    DataFlowDoc,
    parse_data_flow_doc,
)
from bot.core.errors import UserError
from bot.core.front_matter import mark_filled
from bot.core.guard import ensure_document_unchanged_outside
from bot.core.marker_scan import newline_of
from bot.core.sections import (
    HAND_EDITED,
    SectionState,
    SectionUpdate,
    apply_edits,
    content_state,
    generated_content,
)

SWALLOWED = (
    "cannot add the owned section(s) {ids}: they would land inside a code block or HTML block "
    "that is never closed; close it, or add the headings yourself"
)
REPEATED_HEADING = (
    "'{title}' repeats the owned section at line {line}; the first one is refreshed, this one "
    "is kept as written"
)


@dataclass(frozen=True, slots=True)
class Repeat:
    line: int
    message: str


def replace_document_sections(
    text: str,
    sections: Mapping[str, str],
    *,
    path: str = "<string>",
    headings: Mapping[str, str] | None = None,
    force: bool = False,
) -> SectionUpdate:
    """Refresh the owned sections named in `sections` (id → generated markdown body; ids
    not owned by v2 docs are ignored). Idempotent. Raises `FrontMatterError` when the front
    matter is broken and `GuardError` if anything protected would change (a bug, never a
    silent write)."""
    doc = parse_data_flow_doc(text, path, headings)
    nl = newline_of(text)
    edits: list[tuple[int, int, str]] = []
    changed: list[str] = []
    hand_edited: list[str] = []
    for section_id in OWNED_IDS:
        section = doc.owned.get(section_id)
        if section is None or section_id not in sections:
            continue
        old = text[section.content_start : section.end]
        if content_state(old) == HAND_EDITED:
            hand_edited.append(section_id)
            if not force:
                continue
        new = generated_content(sections[section_id], nl, section_id, section.level)
        if new != old:
            edits.append((section.content_start, section.end, new))
            changed.append(section_id)
    # A rewritten section ends in a blank line of its own: nothing to add after it.
    added, inserts = _insertions(doc, sections, nl, {end for _, end, _ in edits})
    edits.extend(inserts)
    new_text = apply_edits(text, edits, nl) if edits else text
    if any(i in sections for i in OWNED_IDS):
        new_text = mark_filled(new_text, doc.front)  # before every section: offsets hold
    if added:
        lost = [i for i in added if i not in parse_data_flow_doc(new_text, path, headings).owned]
        if lost:
            raise UserError(SWALLOWED.format(ids=", ".join(lost)), path=path)
    ensure_document_unchanged_outside(text, new_text, path, headings, before=doc)
    return SectionUpdate(new_text, tuple(changed), tuple(hand_edited), tuple(added))


def sibling_level(doc: DataFlowDoc) -> int:
    """The level a new owned section gets: that of the owned sections, else of the other
    template sections, else of the doc's sections below a lone title; 2 by default."""
    if doc.owned:
        return min(s.level for s in doc.owned.values())
    known = [s.level for s in doc.sections if s.id not in (None, INTRO)]
    if known:
        return min(known)
    levels = [s.level for s in doc.sections]
    if len(levels) > 1 and levels.count(levels[0]) == 1 and min(levels[1:]) > levels[0]:
        return min(levels[1:])  # "# Title" over "## …" sections
    return min(levels) if levels else 2


def _insertions(
    doc: DataFlowDoc, sections: Mapping[str, str], nl: str, rewritten_ends: set[int]
) -> tuple[list[str], list[tuple[int, int, str]]]:
    text = doc.text
    present = {i: s for i, s in doc.template_sections().items() if i != INTRO}
    level = sibling_level(doc)
    added: list[str] = []
    pieces: dict[int, list[str]] = {}
    for section_id in OWNED_IDS:
        if section_id in doc.owned or section_id not in sections:
            continue
        added.append(section_id)
        heading = "#" * level + " " + HEADINGS[section_id]
        piece = heading + nl + generated_content(sections[section_id], nl, section_id, level)
        index = TEMPLATE_IDS.index(section_id)
        before = [present[i] for i in TEMPLATE_IDS[:index] if i in present]
        after = [present[i] for i in TEMPLATE_IDS[index + 1 :] if i in present]
        if before:
            where = _clear_of(doc, before[-1].end, level)
        elif after:
            where = after[0].start
        else:
            where = len(text)
        pieces.setdefault(where, []).append(piece)  # canonical order at one point
    edits = [
        (at, at, "".join(run) if at in rewritten_ends else _separated(text, at, "".join(run), nl))
        for at, run in pieces.items()
    ]
    return added, edits


def _clear_of(doc: DataFlowDoc, where: int, level: int) -> int:
    """The first point at or after `where` where a level-`level` section can start without
    taking in a person's deeper headings (they belong to the section above)."""
    return next(
        (s.start for s in doc.sections if s.start >= where and (s.level <= level or s.id)),
        len(doc.text),
    )


def _separated(text: str, where: int, piece: str, nl: str) -> str:
    """`piece` with the line breaks it needs before it: a blank line after prose."""
    before = text[:where]
    if not before or before.endswith(nl + nl) or before.endswith("\n\n"):
        return piece
    if before.endswith(("\n", "\r")):
        return nl + piece
    return nl + nl + piece


def inspect_document_sections(
    text: str, *, path: str = "<string>", headings: Mapping[str, str] | None = None
) -> tuple[tuple[SectionState, ...], tuple[Repeat, ...]]:
    """The owned sections present and whether a person edited them; and the repeated
    owned headings (kept as the person's)."""
    doc = parse_data_flow_doc(text, path, headings)
    states = tuple(
        SectionState(i, s.line, content_state(text[s.content_start : s.end]))
        for i, s in doc.owned.items()
    )
    repeats = tuple(
        Repeat(s.line, REPEATED_HEADING.format(title=s.title, line=doc.owned[s.id].line))
        for s in doc.repeated
        if s.id is not None
    )
    return states, repeats
