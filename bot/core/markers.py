"""The `agent-*` marker engine: find real markers, pair them into blocks, render back.

Grammar (ai-coders-context)::

    block    := "<!-- agent-update:start:" ID " -->" … "<!-- agent-update:end -->"
    readonly := "<!-- agent-readonly:" NAME " -->"   runs to the next readonly/end marker
    fill     := "<!-- agent-fill:" ID " -->" text "<!-- /agent-fill -->"

Only real HTML comments count (see `marker_scan`): marker text in code or tables is prose.

A parsed `Document` is a sequence of parts whose concatenation is the input, byte for byte
(CRLF, lone CR, a BOM and a missing final newline included).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.core.errors import MarkerError
from bot.core.marker_scan import (
    END,
    FILL,
    FILL_END,
    READONLY,
    START,
    UNKNOWN,
    Marker,
    classify,
    line_of,
    line_starts,
    newline_of,
    scan_markers,
    split_lines,
)

__all__ = [
    "Block",
    "Document",
    "FillSpan",
    "Marker",
    "Part",
    "ReadonlyRegion",
    "StructureProblem",
    "classify",
    "line_of",
    "line_starts",
    "newline_of",
    "parse_document",
    "replace_body",
    "scan_markers",
    "split_lines",
    "structure",
    "structure_errors",
]

# --- user-facing text -------------------------------------------------------------

SECOND_START = "agent-update:start:{id} before the agent-update:end of block '{open}' (line {line})"
END_WITHOUT_START = "agent-update:end without a matching agent-update:start"
START_WITHOUT_END = "agent-update:start:{id} has no agent-update:end"
READONLY_OUTSIDE = "agent-readonly:{name} outside any agent-update block"
UNKNOWN_MARKER = "unknown marker '{text}' (expected agent-update, agent-readonly or agent-fill)"
FILL_NESTED = "agent-fill:{id} opened inside agent-fill:{open} (line {line})"
FILL_UNCLOSED = "agent-fill:{id} has no <!-- /agent-fill -->"
FILL_END_WITHOUT_START = "<!-- /agent-fill --> without a matching agent-fill"
DUPLICATE_BLOCK = "block '{id}' already defined at line {line}"


@dataclass(frozen=True, slots=True)
class ReadonlyRegion:
    """From its marker up to the next readonly/end marker: must never change."""

    name: str
    start: int
    end: int
    line: int
    text: str
    byte_start: int
    byte_end: int

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def byte_span(self) -> tuple[int, int]:
        return (self.byte_start, self.byte_end)


@dataclass(frozen=True, slots=True)
class FillSpan:
    """`<!-- agent-fill:ID -->inner<!-- /agent-fill -->`; `inner` is `[inner_start, inner_end)`."""

    id: str
    start: int
    end: int
    inner_start: int
    inner_end: int
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    """An `agent-update` block. The body runs between the two markers; its editable head is
    the part before the first readonly region (regions run to the end marker)."""

    id: str
    start: int  # offset of the start marker
    end: int  # offset just past the end marker
    body_start: int
    body_end: int
    start_line: int
    end_line: int
    readonly: tuple[ReadonlyRegion, ...]
    fills: tuple[FillSpan, ...]

    @property
    def head_end(self) -> int:
        return self.readonly[0].start if self.readonly else self.body_end


@dataclass(frozen=True, slots=True)
class Part:
    """A slice of the document: `text` (outside blocks), `marker`, `head` or `readonly`."""

    kind: str
    text: str
    start: int


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    path: str
    markers: tuple[Marker, ...]
    blocks: tuple[Block, ...]
    fills: tuple[FillSpan, ...]

    @property
    def parts(self) -> tuple[Part, ...]:
        return tuple(_parts(self))

    def render(self) -> str:
        return "".join(part.text for part in self.parts)

    @property
    def newline(self) -> str:
        return newline_of(self.text)

    def block(self, block_id: str | None = None) -> Block:
        """The block named `block_id`; without one, `data-flow` or else the only block."""
        if block_id is None:
            named = [b for b in self.blocks if b.id == "data-flow"]
            if named or len(self.blocks) == 1:
                return (named or list(self.blocks))[0]
            if not self.blocks:
                raise MarkerError(NO_BLOCK, path=self.path)
            raise MarkerError(NO_DEFAULT_BLOCK.format(count=len(self.blocks)), path=self.path)
        for block in self.blocks:
            if block.id == block_id:
                return block
        raise MarkerError(NO_SUCH_BLOCK.format(id=block_id), path=self.path)

    def line_of(self, offset: int) -> int:
        return line_of(self.text, offset)

    def replace_head(self, block_id: str | None, head: str) -> str:
        """The document with one block's editable head replaced verbatim; all else kept."""
        block = self.block(block_id)
        return self.text[: block.body_start] + head + self.text[block.head_end :]


NO_BLOCK = "no agent-update block (add <!-- agent-update:start:data-flow --> … end markers)"
NO_DEFAULT_BLOCK = "no agent-update:start:data-flow block and {count} other blocks; name one"
NO_SUCH_BLOCK = "no agent-update block '{id}'"


# --- structure ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StructureProblem:
    """A malformed-marker finding with its offset, so callers can remap lines."""

    offset: int
    line: int
    message: str


def _pair_fills(markers: Sequence[Marker], problems: list[StructureProblem]) -> list[FillSpan]:
    spans: list[FillSpan] = []
    open_fill: Marker | None = None
    for m in markers:
        if m.kind == FILL:
            if open_fill is not None:
                problems.append(_problem(m, FILL_NESTED, open=open_fill.name, line=open_fill.line))
            open_fill = m
        elif m.kind == FILL_END:
            if open_fill is None:
                problems.append(_problem(m, FILL_END_WITHOUT_START))
                continue
            spans.append(
                FillSpan(
                    open_fill.name, open_fill.start, m.end, open_fill.end, m.start, open_fill.line
                )
            )
            open_fill = None
        elif m.kind in (START, END) and open_fill is not None:
            problems.append(_problem(open_fill, FILL_UNCLOSED))
            open_fill = None
    if open_fill is not None:
        problems.append(_problem(open_fill, FILL_UNCLOSED))
    return spans


def _problem(marker: Marker, template: str, **values: object) -> StructureProblem:
    message = template.format(id=marker.name, name=marker.name, text=marker.raw, **values)
    return StructureProblem(marker.start, marker.line, message)


def structure(
    text: str,
) -> tuple[tuple[Marker, ...], list[Block], list[FillSpan], list[StructureProblem]]:
    """Markers, blocks, fills and every structural problem (empty when well formed)."""
    markers = scan_markers(text)
    problems: list[StructureProblem] = []
    fills = _pair_fills(markers, problems)
    blocks: list[Block] = []
    open_start: Marker | None = None
    regions: list[Marker] = []
    defined: dict[str, int] = {}
    for m in markers:
        if m.kind == UNKNOWN:
            problems.append(_problem(m, UNKNOWN_MARKER))
        elif m.kind == START:
            if open_start is not None:
                problems.append(
                    _problem(m, SECOND_START, open=open_start.name, line=open_start.line)
                )
            elif m.name in defined:
                problems.append(_problem(m, DUPLICATE_BLOCK, line=defined[m.name]))
            open_start, regions = m, []
        elif m.kind == END:
            if open_start is None:
                problems.append(_problem(m, END_WITHOUT_START))
                continue
            defined.setdefault(open_start.name, open_start.line)
            blocks.append(_block(text, open_start, m, regions, fills))
            open_start = None
        elif m.kind == READONLY:
            if open_start is None:
                problems.append(_problem(m, READONLY_OUTSIDE))
            else:
                regions.append(m)
    if open_start is not None:
        problems.append(_problem(open_start, START_WITHOUT_END))
    problems.sort(key=lambda p: p.offset)
    return markers, blocks, fills, problems


def _block(
    text: str, start: Marker, end: Marker, regions: list[Marker], fills: list[FillSpan]
) -> Block:
    readonly = []
    bounds = [*regions, end]
    for m, nxt in zip(regions, bounds[1:], strict=False):
        readonly.append(
            ReadonlyRegion(
                m.name,
                m.start,
                nxt.start,
                m.line,
                text[m.start : nxt.start],
                len(text[: m.start].encode("utf-8", "surrogatepass")),
                len(text[: nxt.start].encode("utf-8", "surrogatepass")),
            )
        )
    inside = tuple(f for f in fills if start.end <= f.start and f.end <= end.start)
    return Block(
        start.name, start.start, end.end, start.end, end.start, start.line, end.line,
        tuple(readonly), inside,
    )  # fmt: skip


def structure_errors(text: str, path: str = "<string>") -> list[MarkerError]:
    """Every malformed-marker problem as a `MarkerError` (empty when well formed)."""
    return [MarkerError(p.message, path=path, line=p.line) for p in structure(text)[3]]


def parse_document(text: str, path: str = "<string>") -> Document:
    """Parse a Markdown document; raises the first `MarkerError` when markers are malformed."""
    markers, blocks, fills, problems = structure(text)
    if problems:
        raise MarkerError(problems[0].message, path=path, line=problems[0].line)
    return Document(text, path, markers, tuple(blocks), tuple(fills))


def _parts(doc: Document) -> Iterator[Part]:
    text, cursor = doc.text, 0
    for block in doc.blocks:
        if block.start > cursor:
            yield Part("text", text[cursor : block.start], cursor)
        yield Part("marker", text[block.start : block.body_start], block.start)
        if block.head_end > block.body_start:
            yield Part("head", text[block.body_start : block.head_end], block.body_start)
        for region in block.readonly:
            yield Part("readonly", region.text, region.start)
        yield Part("marker", text[block.body_end : block.end], block.body_end)
        cursor = block.end
    if cursor < len(text):
        yield Part("text", text[cursor:], cursor)


# Blank lines at the start (ending in a line break) and at the end (starting with one).
_LEAD = re.compile(r"\A(?:[ \t]*(?:\r\n|\r|\n))*")
_NEWLINE_ANY = re.compile(r"\r\n|\r|\n")


def _trail_start(text: str, start: int) -> int:
    r"""Where the trailing blank lines of `text[start:]` begin: the first line break after
    its last visible character (or the end). A pattern anchored at the end (`(\n[ \t]*)*\Z`)
    would rescan the run from every position: quadratic on a long run of blank lines."""
    last = max(start, len(text.rstrip(" \t\r\n")))
    breaks = [i for i in (text.find("\n", last), text.find("\r", last)) if i >= 0]
    return min(breaks) if breaks else len(text)


def _split_edges(text: str) -> tuple[str, str, str]:
    lead = _LEAD.match(text)
    start = lead.end() if lead else 0
    end = _trail_start(text, start)
    return text[:start], text[start:end], text[end:]


def replace_body(
    text: str, body: str, *, path: str = "<string>", block_id: str | None = None
) -> str:
    """The document with one block's editable head (all before its first readonly region)
    replaced by `body`, keeping the head's own leading line break(s) and trailing blank
    lines, and the document's line ending. Idempotent; readonly regions and everything
    outside the block are untouched (check with `guard.ensure_unchanged_outside`)."""
    doc = parse_document(text, path)
    block = doc.block(block_id)
    lead, old_core, trail = _split_edges(text[block.body_start : block.head_end])
    core = _NEWLINE_ANY.sub(doc.newline, _split_edges(body)[1])
    core = core if core.strip() else ""  # spaces alone would read back as a blank line
    if not old_core:  # an empty head: put the body on lines of its own
        lead = lead or doc.newline
        trail = doc.newline * (2 if block.readonly else 1)
    if not core:
        trail = ""
    return doc.replace_head(block.id, lead + core + trail)
