"""The guard: prove a rewrite touched only what the bot owns.

v1 (markers): everything outside blocks, the start/end markers, and every readonly region
(in order) must be byte-identical between the old and the new document. v2 (front matter
and headings, `bot.core.documents`): the front matter (but a `status: unfilled` value) and
every byte outside the owned sections' content. Writers call `ensure_unchanged_outside` or
`ensure_document_unchanged_outside` and write nothing when it raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.core.documents import DataFlowDoc, Section, parse_data_flow_doc
from bot.core.errors import DocsRefreshError, GuardError, MarkerError
from bot.core.front_matter import mark_filled
from bot.core.markers import Document, Part, ReadonlyRegion, line_of, parse_document

GUARD_FAILED = "refusing to write: {count} protected region(s) would change: {names}"
OUTSIDE_CHANGED = "text outside the agent-update blocks changed"
MARKER_CHANGED = "agent-update marker of block '{id}' changed"
BLOCKS_CHANGED = "agent-update blocks changed: {old} became {new}"
READONLY_CHANGED = "readonly region '{name}' changed"
READONLY_MISSING = "readonly region '{name}' is missing"
READONLY_ADDED = "readonly region '{name}' was added"
NEW_MALFORMED = "the new document's markers are malformed: {message}"

OUTSIDE = "<outside>"
MARKERS = "<markers>"


@dataclass(frozen=True, slots=True)
class Violation:
    region: str
    line: int
    message: str


def find_violations(old: str, new: str, path: str = "<string>") -> list[Violation]:
    """Every protected region that differs between `old` and `new` (empty: safe to write).

    `old` must be well formed (a `MarkerError` otherwise); a malformed `new` is a violation.
    """
    before = parse_document(old, path)
    try:
        after = parse_document(new, path)
    except MarkerError as err:
        return [Violation(MARKERS, err.line or 1, NEW_MALFORMED.format(message=err.message))]
    old_ids = [b.id for b in before.blocks]
    new_ids = [b.id for b in after.blocks]
    if old_ids != new_ids:
        return [Violation(MARKERS, 1, BLOCKS_CHANGED.format(old=old_ids, new=new_ids))]
    violations = _outside(before, after)
    for old_block, new_block in zip(before.blocks, after.blocks, strict=True):
        old_markers = (
            old[old_block.start : old_block.body_start],
            old[old_block.body_end : old_block.end],
        )
        new_markers = (
            new[new_block.start : new_block.body_start],
            new[new_block.body_end : new_block.end],
        )
        if old_markers != new_markers:
            message = MARKER_CHANGED.format(id=old_block.id)
            violations.append(Violation(MARKERS, new_block.start_line, message))
        violations.extend(_readonly(old_block.readonly, new_block.readonly, new_block.end_line))
    return violations


def _outside(before: Document, after: Document) -> list[Violation]:
    def pieces(doc: Document) -> list[Part]:
        # One piece per gap (before, between and after blocks), empty ones included.
        out, cursor = [], 0
        for block in doc.blocks:
            out.append(Part("text", doc.text[cursor : block.start], cursor))
            cursor = block.end
        out.append(Part("text", doc.text[cursor:], cursor))
        return out

    found = []
    for old_piece, new_piece in zip(pieces(before), pieces(after), strict=True):
        if old_piece.text != new_piece.text:
            line = after.line_of(new_piece.start + _common_prefix(old_piece.text, new_piece.text))
            found.append(Violation(OUTSIDE, line, OUTSIDE_CHANGED))
    return found


def _readonly(
    old: tuple[ReadonlyRegion, ...], new: tuple[ReadonlyRegion, ...], end_line: int
) -> list[Violation]:
    """Regions compared as a sequence, so an added or dropped region is named as such."""
    found = []
    keys = ([(r.name, r.text) for r in old], [(r.name, r.text) for r in new])
    for op, a1, a2, b1, b2 in SequenceMatcher(None, *keys, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = list(old[a1:a2]), list(new[b1:b2])
        while olds and news and olds[0].name == news[0].name:
            region, now = olds.pop(0), news.pop(0)
            found.append(
                Violation(region.name, now.line, READONLY_CHANGED.format(name=region.name))
            )
        for region in olds:
            found.append(
                Violation(region.name, end_line, READONLY_MISSING.format(name=region.name))
            )
        for region in news:
            found.append(
                Violation(region.name, region.line, READONLY_ADDED.format(name=region.name))
            )
    return found


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def ensure_unchanged_outside(old: str, new: str, path: str = "<string>") -> None:
    """Raise `GuardError` naming every region `new` would change; nothing to write then."""
    violations = find_violations(old, new, path)
    if violations:
        names = ", ".join(f"{v.region} (line {v.line}: {v.message})" for v in violations)
        message = GUARD_FAILED.format(count=len(violations), names=names)
        raise GuardError(message, path=path, line=violations[0].line)


# --- dotcontext v2 docs (front matter and headings, no markers) -------------------------

FRONT_MATTER = "<front matter>"
STATUS_ONLY = "the front matter changed beyond `status: unfilled` → `filled`"
SECTIONS_LOST = "owned section(s) {ids} were there before and are not any more"
NEW_UNREADABLE = "the new document is no longer a data-flow doc: {message}"
OUTSIDE_SECTIONS_CHANGED = "text outside the owned sections changed"


def find_document_violations(
    old: str,
    new: str,
    path: str = "<string>",
    headings: Mapping[str, str] | None = None,
    *,
    before: DataFlowDoc | None = None,
) -> list[Violation]:
    """Every protected part of a v2 doc that differs between `old` and `new` (empty: safe).

    Protected: the front matter (except a `status: unfilled` value becoming `filled`), and
    every byte outside the owned sections' content, heading lines included. Owned sections
    may only be added whole (heading and content), with line breaks added just before them
    (a doc whose last line has no line break needs one before a new heading).
    `old` must be a readable v2 doc (its errors propagate); an unreadable `new` is a violation.
    `before`, when given, is `old` already parsed with the same `headings`.
    """
    if before is None or before.text != old:
        before = parse_data_flow_doc(old, path, headings)
    try:
        after = parse_data_flow_doc(new, path, headings)
    except DocsRefreshError as err:
        return [Violation(FRONT_MATTER, 1, NEW_UNREADABLE.format(message=err.message))]
    violations: list[Violation] = []
    old_front, new_front = old[: before.front.end], new[: after.front.end]
    if new_front not in (old_front, mark_filled(old_front, before.front)):
        line = after.front.line + old_front.count("\n", 0, _common_prefix(old_front, new_front))
        violations.append(Violation(FRONT_MATTER, line, STATUS_ONLY))
    lost = [i for i in before.owned if i not in after.owned]
    if lost:
        violations.append(Violation(OUTSIDE, 1, SECTIONS_LOST.format(ids=", ".join(lost))))
        return violations
    kept = [s for s in before.owned.values()]
    added = [s for i, s in after.owned.items() if i not in before.owned]
    old_rest = _without(old, before.front.end, [(s.content_start, s.end) for s in kept])
    new_pieces = _pieces(new, after.front.end, after, added)
    if not _matches(old_rest, new_pieces):
        at = after.front.end + _common_prefix(old_rest, "".join(new_pieces))
        violations.append(
            Violation(OUTSIDE, line_of(new, min(at, len(new))), OUTSIDE_SECTIONS_CHANGED)
        )
    return violations


def _without(text: str, start: int, spans: list[tuple[int, int]]) -> str:
    out, cursor = [], start
    for a, b in sorted(spans):
        out.append(text[cursor:a])
        cursor = b
    out.append(text[cursor:])
    return "".join(out)


def _pieces(text: str, start: int, doc: DataFlowDoc, added: list[Section]) -> list[str]:
    """The text outside owned content, split where whole sections were added."""
    owned = {id(s) for s in added}
    cuts = sorted(
        [(s.content_start, s.end, False) for s in doc.owned.values() if id(s) not in owned]
        + [(s.start, s.end, True) for s in added]
    )
    pieces, current, cursor = [], [], start
    for a, b, whole in cuts:
        current.append(text[cursor:a])
        if whole:
            pieces.append("".join(current))
            current = []
        cursor = b
    current.append(text[cursor:])
    pieces.append("".join(current))
    return pieces


def _matches(old: str, pieces: list[str]) -> bool:
    """`old` is the pieces joined, each but the last allowed to end in line breaks that
    `old` does not have (added before an inserted section)."""
    cursor = 0
    for piece in pieces[:-1]:
        # Not a pattern anchored at the end: that rescans a run of breaks from each of them.
        core = piece.rstrip("\r\n")
        if not old.startswith(core, cursor):
            return False
        cursor += len(core)
        breaks = piece[len(core) :]
        # The old text's breaks here must be a prefix of the new ones: only additions.
        n = 0
        while n < len(breaks) and cursor + n < len(old) and old[cursor + n] == breaks[n]:
            n += 1
        cursor += n
    return old[cursor:] == pieces[-1]


def ensure_document_unchanged_outside(
    old: str,
    new: str,
    path: str = "<string>",
    headings: Mapping[str, str] | None = None,
    *,
    before: DataFlowDoc | None = None,
) -> None:
    """`ensure_unchanged_outside` for v2 docs: raise `GuardError`, nothing to write then."""
    violations = find_document_violations(old, new, path, headings, before=before)
    if violations:
        names = ", ".join(f"{v.region} (line {v.line}: {v.message})" for v in violations)
        message = GUARD_FAILED.format(count=len(violations), names=names)
        raise GuardError(message, path=path, line=violations[0].line)
