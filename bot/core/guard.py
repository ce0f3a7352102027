"""The guard: prove a rewrite touched only the editable heads of `agent-update` blocks.

Everything outside blocks, the start/end markers, and every readonly region (in order) must
be byte-identical between the old and the new document. Writers call
`ensure_unchanged_outside` and write nothing when it raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.core.errors import GuardError, MarkerError
from bot.core.markers import Document, Part, ReadonlyRegion, parse_document

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
