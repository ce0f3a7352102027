"""The four generator-owned subsections of the data-flow block, and their checksums.

Within a block's editable head (the text before its first readonly region) a subsection is
a heading plus everything up to the next heading of the same or a higher level (or the
next owned heading, whatever its level). The four
owned ones are found by heading text, case, `#` level and `&`/"and" tolerant. Only their
content (below the heading line) is ever replaced: the intro, unknown subsections and the
readonly regions stay as they are (the guard proves it on every call).

Generated content is written as::

    ## High-level Flow

    <!-- docs-refresh:checksum 0123456789ab -->

    …body…

The checksum is the first 12 hex digits of SHA-256 over the body with line endings turned
into LF, trailing spaces dropped from each line and leading/trailing blank lines removed, so
a CRLF checkout or an editor that trims spaces does not look like a hand edit. Output keeps
the document's own line ending.

Decisions:
- content without a checksum comment (a template, an LLM's text) is replaced: only text the
  generator wrote can be recognised as edited by a person;
- content whose checksum no longer matches is hand-edited: kept and reported; with `force`
  it is replaced and listed in both `hand_edited` and `changed`;
- a missing owned subsection is added, at the level of the other owned headings, in
  canonical order: after the nearest preceding owned subsection, else before the nearest
  following one, else at the end of the head (so before a trailing readonly region).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from markdown_it import MarkdownIt

from bot.core.guard import ensure_unchanged_outside
from bot.core.markers import Block, line_of, line_starts, newline_of, parse_document

UNKNOWN_SLUG = "unknown owned section {slug!r}; expected one of {known}"
HEADING_IN_BODY = "generated body for {slug!r} contains a level-{level} heading at its line {line}"


class OwnedSection(NamedTuple):
    slug: str
    heading: str


OWNED_SECTIONS: tuple[OwnedSection, ...] = (
    OwnedSection("high-level-flow", "High-level Flow"),
    OwnedSection("internal-movement", "Internal Movement"),
    OwnedSection("external-integrations", "External Integrations"),
    OwnedSection("observability-failure-modes", "Observability & Failure Modes"),
)
OWNED_SLUGS = tuple(s.slug for s in OWNED_SECTIONS)

GENERATED, HAND_EDITED, UNMARKED = "generated", "hand-edited", "unmarked"

_MD = MarkdownIt("commonmark")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_CHECKSUM = re.compile(
    r"(?<![ \t])[ \t]*+<!--\s*docs-refresh:checksum\s+([0-9a-f]{6,64})\s*-->[ \t]*"
)
_CHECKSUM_COMMENT = "<!-- docs-refresh:checksum {digest} -->"


def heading_slug(text: str) -> str:
    """`"Observability and Failure-Modes"` → `observability-failure-modes`."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("&", " "))
    return "-".join(w for w in words if w != "and")


def checksum(body: str) -> str:
    lines = [line.rstrip() for line in _NEWLINE.split(body)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Subsection:
    """A heading in a block's head; offsets are relative to the head."""

    slug: str
    level: int
    start: int  # the heading line
    content_start: int  # just past the heading line(s)
    end: int  # the next heading of the same or a higher level, or the end of the head


@dataclass(frozen=True, slots=True)
class SectionState:
    slug: str
    line: int  # the heading's line in the document
    state: str  # generated | hand-edited | unmarked


@dataclass(frozen=True, slots=True)
class SectionUpdate:
    text: str
    changed: tuple[str, ...]
    hand_edited: tuple[str, ...]
    added: tuple[str, ...]


def subsections(head: str) -> list[Subsection]:
    """Every heading of `head` (code blocks excluded) with the span it governs."""
    starts = [*line_starts(head), len(head)]
    tokens = _MD.parse(head)
    found: list[tuple[int, int, int, str]] = []
    for tok, nxt in pairwise(tokens):
        if tok.type == "heading_open" and tok.map:
            level = int(tok.tag[1:])
            found.append((level, starts[tok.map[0]], starts[tok.map[1]], nxt.content))
    out = []
    for i, (level, start, content_start, title) in enumerate(found):
        # An owned heading always starts a new subsection, whatever its level, so the
        # generator never overwrites one owned subsection with another.
        end = next(
            (s for lv, s, _, t in found[i + 1 :] if lv <= level or heading_slug(t) in OWNED_SLUGS),
            len(head),
        )
        out.append(Subsection(heading_slug(title), level, start, content_start, end))
    return out


def _owned(head: str) -> dict[str, Subsection]:
    owned: dict[str, Subsection] = {}
    for sub in subsections(head):
        if sub.slug in OWNED_SLUGS and sub.slug not in owned:
            owned[sub.slug] = sub
    return owned


def content_state(content: str) -> str:
    """`generated`, `hand-edited` (checksum no longer matches) or `unmarked` (no checksum)."""
    lines = _NEWLINE.split(content)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        found = _CHECKSUM.fullmatch(line)
        if not found:
            return UNMARKED
        rest = "\n".join(lines[i + 1 :])
        return GENERATED if checksum(rest) == found.group(1) else HAND_EDITED
    return UNMARKED


def inspect_sections(
    text: str, *, path: str = "<string>", block_id: str | None = None
) -> tuple[SectionState, ...]:
    """The owned subsections present in a block and whether a person edited them."""
    doc = parse_document(text, path)
    block = doc.block(block_id)
    head = text[block.body_start : block.head_end]
    return tuple(
        SectionState(
            slug, line_of(text, block.body_start + sub.start), content_state(_content(head, sub))
        )
        for slug, sub in _owned(head).items()
    )


def _content(head: str, sub: Subsection) -> str:
    return head[sub.content_start : sub.end]


def generated_content(body: str, nl: str, slug: str, level: int) -> str:
    """`body` as an owned section's content: the checksum comment, blank lines around it,
    trailing spaces dropped, the document's line ending."""
    lines = [line.rstrip() for line in _NEWLINE.split(body)]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    _reject_headings("\n".join(lines), slug, level)
    comment = _CHECKSUM_COMMENT.format(digest=checksum(body))
    # Blank lines around the comment: the layout Prettier would give it, so it stays put.
    return nl.join(["", comment, "", *lines, "", ""]) if lines else nl.join(["", comment, "", ""])


# Lines that could make a heading: an ATX `#` (anywhere: a heading may sit in a quote or a
# list item) or a setext underline. Generated tables and diagrams rarely have either, and
# parsing a 20k-file repository's sections only to find none cost ~10 ms per refresh.
_MAYBE_HEADING = re.compile(r"#|^[ \t>*+\-\d.)]*(?:=+|-+)[ \t]*$", re.M)


def _reject_headings(body: str, slug: str, level: int) -> None:
    # A heading at the owned level would end the subsection early and split it on re-read.
    if _MAYBE_HEADING.search(body) is None:
        return
    tokens = _MD.parse(body)
    for tok, nxt in pairwise(tokens):
        owned = heading_slug(nxt.content) in OWNED_SLUGS
        if tok.type == "heading_open" and tok.map and (int(tok.tag[1:]) <= level or owned):
            line = tok.map[0] + 1
            raise ValueError(HEADING_IN_BODY.format(slug=slug, level=tok.tag[1:], line=line))


def replace_sections(
    text: str,
    sections: Mapping[str, str],
    *,
    path: str = "<string>",
    block_id: str | None = None,
    force: bool = False,
) -> SectionUpdate:
    """Replace the owned subsections named in `sections` (slug → generated markdown body).

    Idempotent: the same `sections` give the same bytes, and a second call changes nothing.
    Raises `MarkerError` on malformed markers and `GuardError` if anything protected would
    change (which would be a bug here, never a silent write).
    """
    unknown = sorted(set(sections) - set(OWNED_SLUGS))
    if unknown:
        raise ValueError(UNKNOWN_SLUG.format(slug=unknown[0], known=", ".join(OWNED_SLUGS)))
    doc = parse_document(text, path)
    block = doc.block(block_id)
    head = text[block.body_start : block.head_end]
    nl = newline_of(text)
    owned = _owned(head)
    level = _owned_level(head, owned)
    edits: list[tuple[int, int, str]] = []
    changed: list[str] = []
    hand_edited: list[str] = []
    for slug in OWNED_SLUGS:
        if slug not in sections:
            continue
        sub = owned.get(slug)
        if sub is None:
            continue
        old = _content(head, sub)
        if content_state(old) == HAND_EDITED:
            hand_edited.append(slug)
            if not force:
                continue
        new = generated_content(sections[slug], nl, slug, sub.level)
        if new != old:
            edits.append((sub.content_start, sub.end, new))
            changed.append(slug)
    added, inserts = _insertions(head, owned, sections, nl, level)
    edits.extend(inserts)
    new_text = doc.replace_head(block.id, apply_edits(head, edits, nl)) if edits else text
    ensure_unchanged_outside(text, new_text, path)
    return SectionUpdate(new_text, tuple(changed), tuple(hand_edited), tuple(added))


def _owned_level(head: str, owned: Mapping[str, Subsection]) -> int:
    if owned:
        return min(sub.level for sub in owned.values())
    subs = subsections(head)
    return min(subs[0].level + 1, 6) if subs else 2


def _insertions(
    head: str, owned: Mapping[str, Subsection], sections: Mapping[str, str], nl: str, level: int
) -> tuple[list[str], list[tuple[int, int, str]]]:
    slugs: list[str] = []
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    for i, slug in enumerate(OWNED_SLUGS):
        if slug in owned or slug not in sections:
            continue
        slugs.append(slug)
        heading = "#" * level + " " + dict(OWNED_SECTIONS)[slug]
        piece = heading + nl + generated_content(sections[slug], nl, slug, level)
        before = [owned[s].end for s in OWNED_SLUGS[:i] if s in owned]
        after = [owned[s].start for s in OWNED_SLUGS[i + 1 :] if s in owned]
        if not before and not after:
            appended.append(piece)
            continue
        where = before[-1] if before else after[0]
        edits.append((where, where, piece))
    if appended:
        edits.append(_append_edit(head, nl, "".join(appended)))
    return slugs, edits


def _append_edit(head: str, nl: str, piece: str) -> tuple[int, int, str]:
    """Put `piece` after the head's last non-blank line, in place of its trailing blank
    lines (the piece ends with its own blank line), so a second call reads it back whole."""
    stripped = head.rstrip(" \t\r\n")
    if not stripped:
        # Keep the start marker's own line break; add one when the end marker shares its line.
        first = _NEWLINE.match(head)
        return (first.end(), len(head), piece) if first else (0, len(head), nl + piece)
    line_end = _NEWLINE.search(head, len(stripped))
    if line_end is None:
        return (len(head), len(head), nl + nl + piece)
    return (line_end.end(), len(head), nl + piece)


def apply_edits(head: str, edits: list[tuple[int, int, str]], nl: str) -> str:
    """Apply replacements and insertions; an inserted heading always starts a line, judged
    on the text written so far (a replaced subsection before it may already end one)."""
    out, cursor = [], 0
    # Stable sort keeps insertions at one point in canonical order.
    for start, end, piece in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(head[cursor:start])
        written = "".join(out)
        if start == end and written and not written.endswith(("\n", "\r")):
            piece = nl + piece
        out.append(piece)
        cursor = max(cursor, end)
    out.append(head[cursor:])
    return "".join(out)


def owned_block(text: str, path: str = "<string>", block_id: str | None = None) -> Block:
    """The block `replace_sections` would edit (the data-flow block by default)."""
    return parse_document(text, path).block(block_id)
