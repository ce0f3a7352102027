"""Repair the ways LLM-filled docs break in the wild, and say what was repaired.

Every repair is a deletion, planned against the input, so each note carries the input's
line and readonly regions (never touched) stay byte-identical:

1. the block wrapped in a ```markdown fence, with the model's chatter before the fence
   ("I'll update…", "Here's the refreshed content:") and after it ("Key updates made:" …);
2. a leaked `</file>` (or `<file …>`) line outside the block;
3. YAML front matter invented inside the block (scaffold front matter *before* the start
   marker is the tool's own and is kept);
4. `agent-fill` wrappers left around text in a block's editable head.

Steps 1-2 work on raw lines (the fence makes the markers prose, so the structure is broken
until it is removed); steps 3-4 need well-formed markers and are skipped otherwise.
`repair(repair(x).text).notes == ()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import yaml
from markdown_it import MarkdownIt

from bot.core.documents import is_data_flow_doc, may_be_data_flow_doc
from bot.core.limits import LimitExceeded
from bot.core.markers import line_of, line_starts, scan_markers, split_lines, structure
from bot.core.yaml_bounds import load_bounded

FENCE_WRAPPER = "agent-update block wrapped in a {fence} code fence (closed at line {close})"
FENCE_UNCLOSED = "agent-update block wrapped in a {fence} code fence that is never closed"
CHATTER_BEFORE = "model chatter before the block: {excerpt}"
CHATTER_AFTER = "model chatter after the block: {excerpt}"
FILE_TAG = "leaked {tag} line outside the block"
V2_FENCE_WRAPPER = "data-flow doc wrapped in a {fence} code fence (closed at line {close})"
V2_FENCE_UNCLOSED = "data-flow doc wrapped in a {fence} code fence that is never closed"
V2_FILE_TAG = "leaked {tag} line around the doc"
FRONT_MATTER = "YAML front matter inside agent-update block '{id}' (lines {a}-{b})"
FILL_LEFT = "agent-fill:{id} wrapper left around text in block '{block}'"

_MD = MarkdownIt("commonmark")
_START_LINE = re.compile(r"<!--\s*agent-update:start:[A-Za-z0-9_.-]+\s*-->")
_END_LINE = re.compile(r"<!--\s*agent-update:end\s*-->")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*(markdown|md|)[ \t]*")
_FILE_TAG = re.compile(r"(?<![ \t])[ \t]*+(</?file\b[^>\r\n]*>)[ \t]*")
# Lines that belong to a document, not to the model's reply around it.
_STRUCTURAL = re.compile(r"[ \t]{0,3}(#{1,6}(\s|$)|<!--|<[A-Za-z/]|---|```|~~~|\|)")
_EXCERPT = 60
_MAX_PASSES = 4


@dataclass(frozen=True, slots=True)
class RepairNote:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Repaired:
    text: str
    notes: tuple[RepairNote, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """Deletions (`[start, end)` in the input, merged) and notes (input offset, message)."""

    source: str
    deletions: tuple[tuple[int, int], ...]
    notes: tuple[tuple[int, str], ...]

    @property
    def text(self) -> str:
        return _apply(self.source, self.deletions)

    def to_source(self, offset: int) -> int:
        """Where an offset of the repaired text was in the input."""
        return _mapper(self.deletions)(offset)


def repair(text: str, path: str = "<string>") -> Repaired:
    """The repaired text and one note per repair (input line numbers); `path` for symmetry
    with the other entry points: repair never raises on malformed markers."""
    del path
    plan = plan_repair(text)
    starts = line_starts(text)
    notes = tuple(RepairNote(line_of(text, off, starts), msg) for off, msg in plan.notes)
    return Repaired(plan.text, notes)


def plan_repair(text: str) -> Plan:
    """Run every repair step until none finds anything more (one repair can expose another:
    a leaked tag line hides the fence below it from a CommonMark parser)."""
    deletions: list[tuple[int, int]] = []
    notes: list[tuple[int, str]] = []
    current = text
    for _ in range(_MAX_PASSES):
        progressed = False
        for step in (_file_tags, _fence_wrapper, _block_repairs, _v2_file_tags, _v2_wrapper):
            step_notes: list[tuple[int, str]] = []
            found = _merge(step(current, step_notes))
            if not found:
                continue
            to_source = _mapper(deletions)
            notes += [(to_source(off), msg) for off, msg in step_notes]
            deletions = _merge(deletions + [(to_source(a), to_source(b - 1) + 1) for a, b in found])
            current = _apply(text, deletions)
            progressed = True
        if not progressed:
            break
    notes.sort()
    return Plan(text, tuple(deletions), tuple(notes))


# --- raw-line repairs -----------------------------------------------------------------


def _lines(text: str) -> tuple[list[str], list[int]]:
    lines = split_lines(text)
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    return lines, offsets


def _bare(line: str) -> str:
    return line.rstrip("\r\n").lstrip("\ufeff")


@dataclass(frozen=True, slots=True)
class _Wrapper:
    """Line indices of a fence that wraps a whole document (`close` None: never closed)."""

    open: int
    close: int | None
    end_marker: int | None
    fence: str


def _find_wrapper(text: str, lines: Sequence[str]) -> _Wrapper | None:
    """A ```markdown/```md/``` fence holding the document: only chatter before it, only
    front matter or blank lines between it and the start marker, no real block anywhere."""
    if any(m.kind == "start" for m in scan_markers(text)):
        return None  # a real block exists: a fenced marker elsewhere is an example
    start = next((i for i, ln in enumerate(lines) if _START_LINE.search(ln)), None)
    if start is None:
        return None
    fences = {
        t.map[0]: t.map[1] for t in _MD.parse(text.lstrip("\ufeff")) if t.type == "fence" and t.map
    }
    opening = next((i for i in range(start - 1, -1, -1) if i in fences), None)
    found = _FENCE_OPEN.fullmatch(_bare(lines[opening])) if opening is not None else None
    if opening is None or found is None or fences[opening] <= start:
        return None
    inside = lines[opening + 1 : start]
    if inside and _bare(inside[0]).strip() == "---":
        inside = inside[_front_matter_end(inside, 0) :]
    if any(ln.strip() for ln in inside) or not _is_chatter(lines[_top(lines) : opening]):
        return None
    ticks = found.group(1)
    end = next((i for i in range(start, len(lines)) if _END_LINE.search(lines[i])), None)
    close = None
    for i in range(end + 1 if end is not None else len(lines), len(lines)):
        bare = _bare(lines[i]).strip()
        if re.fullmatch(re.escape(ticks[0]) + f"{{{len(ticks)},}}", bare):
            close = i
        if bare:
            break
    return _Wrapper(opening, close, end, _bare(lines[opening]).strip())


def _top(lines: Sequence[str]) -> int:
    """Index past the document's own front matter (0 when it has none)."""
    return _front_matter_end(lines, 0) if lines and _bare(lines[0]) == "---" else 0


def _fence_wrapper(text: str, notes: list[tuple[int, str]]) -> list[tuple[int, int]]:
    lines, offsets = _lines(text)
    wrapper = _find_wrapper(text, lines)
    if wrapper is None:
        return []
    top, opening = _top(lines), wrapper.open
    before = lines[top:opening]
    # Keep a BOM: it belongs to the file, not to the chatter.
    deletions = [
        (
            max(offsets[top], 1 if text.startswith("\ufeff") else 0),
            offsets[opening] + len(lines[opening]),
        )
    ]
    if _excerpt(before):
        notes.append(
            (offsets[top + _first_text(before)], CHATTER_BEFORE.format(excerpt=_excerpt(before)))
        )
    if wrapper.close is None or wrapper.end_marker is None:
        notes.append((offsets[opening], FENCE_UNCLOSED.format(fence=wrapper.fence)))
        return deletions
    close = wrapper.close
    notes.append((offsets[opening], FENCE_WRAPPER.format(fence=wrapper.fence, close=close + 1)))
    after = lines[close + 1 :]
    if _is_chatter(after):
        end_line = wrapper.end_marker
        deletions.append((offsets[end_line] + len(lines[end_line]), len(text)))
        if _excerpt(after):
            first = close + 1 + _first_text(after)
            notes.append((offsets[first], CHATTER_AFTER.format(excerpt=_excerpt(after))))
    else:
        deletions.append((offsets[close], offsets[close] + len(lines[close])))
    return deletions


def _front_matter_end(lines: Sequence[str], start: int) -> int:
    """Index just past a `---` … `---` run starting at `start`, or `start` when none."""
    for i in range(start + 1, len(lines)):
        if _bare(lines[i]).strip() in ("---", "..."):
            return i + 1
    return start


def _is_chatter(lines: Sequence[str]) -> bool:
    return not any(_STRUCTURAL.match(_bare(ln)) for ln in lines)


def _first_text(lines: Sequence[str]) -> int:
    return next((i for i, ln in enumerate(lines) if ln.strip()), 0)


def _excerpt(lines: Sequence[str]) -> str:
    text = " ".join(_bare(ln).strip() for ln in lines if ln.strip())
    return repr(text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…") if text else ""


def _file_tags(text: str, notes: list[tuple[int, str]]) -> list[tuple[int, int]]:
    lines, offsets = _lines(text)
    starts = [i for i, ln in enumerate(lines) if _START_LINE.search(ln)]
    ends = [i for i, ln in enumerate(lines) if _END_LINE.search(ln)]
    if not starts or not ends:
        return []
    deletions = []
    outside = [*range(starts[0]), *range(ends[-1] + 1, len(lines))]
    for i in outside:
        found = _FILE_TAG.fullmatch(_bare(lines[i]))
        if not found:
            continue
        notes.append((offsets[i], FILE_TAG.format(tag=found.group(1))))
        tail = lines[i + 1 :]
        if i > ends[-1] and all(not ln.strip() or _FILE_TAG.fullmatch(_bare(ln)) for ln in tail):
            # The tag ends the file: drop the blank lines that only led up to it.
            deletions.append((offsets[ends[-1]] + len(lines[ends[-1]]), len(text)))
        else:
            deletions.append((offsets[i], offsets[i] + len(lines[i])))
    return deletions


# --- v2 docs (front matter, no markers): the same damage around the whole file ---------

_ANY_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_DASHES = re.compile(r"---[ \t]*")


def _v2_candidate(text: str) -> bool:
    return not scan_markers(text) and may_be_data_flow_doc(text)


def _v2_file_tags(text: str, notes: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """`<file …>`/`</file>` lines before the front matter or after the last line of text."""
    if not _v2_candidate(text):
        return []
    lines, offsets = _lines(text)
    tags = {i: m.group(1) for i, ln in enumerate(lines) if (m := _FILE_TAG.fullmatch(_bare(ln)))}
    tagged = sorted(tags)
    if not tagged:
        return []
    first_dashes = next((i for i, ln in enumerate(lines) if _DASHES.fullmatch(_bare(ln))), 0)
    last_text = max((i for i, ln in enumerate(lines) if ln.strip() and i not in tags), default=-1)
    deletions = []
    for i in tagged:
        if not (i < first_dashes or i > last_text):
            continue
        notes.append((offsets[i], V2_FILE_TAG.format(tag=tags[i])))
        if i > last_text:
            # The tag ends the file: drop the blank lines that only led up to it.
            start = offsets[last_text] + len(lines[last_text]) if last_text >= 0 else 0
            deletions.append((start, len(text)))
        else:
            deletions.append((offsets[i], offsets[i] + len(lines[i])))
    return deletions


def _v2_wrapper(text: str, notes: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """The whole doc in a ```markdown fence, chatter before and after it: the fence's
    first line of content is the data-flow front matter."""
    if is_data_flow_doc(text) or not _v2_candidate(text):
        return []
    lines, offsets = _lines(text)
    dashes = next((i for i, ln in enumerate(lines) if _DASHES.fullmatch(_bare(ln))), None)
    if dashes is None:
        return []
    opening = next((i for i in range(dashes - 1, -1, -1) if lines[i].strip()), None)
    found = _FENCE_OPEN.fullmatch(_bare(lines[opening])) if opening is not None else None
    if opening is None or found is None or not _is_chatter(lines[:opening]):
        return []
    if not is_data_flow_doc("".join(lines[dashes:])):
        return []
    ticks = found.group(1)
    closing = re.compile(re.escape(ticks[0]) + f"{{{len(ticks)},}}[ \t]*")
    close = next(
        (
            i
            for i in range(len(lines) - 1, dashes, -1)
            if closing.fullmatch(_bare(lines[i]).strip()) and _is_chatter(lines[i + 1 :])
        ),
        None,
    )
    inner = (
        sum(1 for ln in lines[dashes:close] if _ANY_FENCE.match(_bare(ln)))
        if close is not None
        else 0
    )
    fence = _bare(lines[opening]).strip()
    start = 1 if text.startswith("\ufeff") else 0
    deletions = [(start, offsets[opening] + len(lines[opening]))]
    if _excerpt(lines[:opening]):
        first = _first_text(lines[:opening])
        notes.append((offsets[first], CHATTER_BEFORE.format(excerpt=_excerpt(lines[:opening]))))
    if close is None or inner % 2:
        # No closing fence, or the last one closes a code block of the doc's own.
        notes.append((offsets[opening], V2_FENCE_UNCLOSED.format(fence=fence)))
        return deletions
    notes.append((offsets[opening], V2_FENCE_WRAPPER.format(fence=fence, close=close + 1)))
    after = lines[close + 1 :]
    if _excerpt(after):
        first = close + 1 + _first_text(after)
        notes.append((offsets[first], CHATTER_AFTER.format(excerpt=_excerpt(after))))
    deletions.append((offsets[close], len(text)))
    return deletions


# --- repairs inside well-formed blocks --------------------------------------------------


def _block_repairs(text: str, notes: list[tuple[int, str]]) -> list[tuple[int, int]]:
    _, blocks, _, problems = structure(text)
    if problems:
        return []  # malformed: reported as such; nothing here is safe to touch
    deletions: list[tuple[int, int]] = []
    for block in blocks:
        head = text[block.body_start : block.head_end]
        found = _front_matter_in(head)
        if found:
            a, b, first, last = found
            start = block.body_start
            message = FRONT_MATTER.format(
                id=block.id, a=line_of(text, start + first), b=line_of(text, start + last)
            )
            notes.append((start + first, message))
            deletions.append((start + a, start + b))
        for fill in block.fills:
            if fill.end <= block.head_end:
                notes.append((fill.start, FILL_LEFT.format(id=fill.id, block=block.id)))
                deletions += [(fill.start, fill.inner_start), (fill.inner_end, fill.end)]
    return deletions


def _front_matter_in(head: str) -> tuple[int, int, int, int] | None:
    """(delete from, delete to, first `---`, last `---`) offsets in `head`, or None."""
    lines, offsets = _lines(head)
    i = 1 if lines and not _bare(lines[0]).strip() else 0  # the start marker's own line end
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or _bare(lines[i]).strip() != "---":
        return None
    close = _front_matter_end(lines, i)
    if close == i:
        return None
    try:
        data = load_bounded("".join(lines[i + 1 : close - 1]))
    except (yaml.YAMLError, LimitExceeded):
        return None
    if not isinstance(data, dict) or not data:
        return None
    j = close
    while j < len(lines) and not lines[j].strip():
        j += 1
    end = offsets[j] if j < len(lines) else len(head)
    return offsets[i], end, offsets[i], offsets[close - 1]


# --- deletions ----------------------------------------------------------------------------


def _merge(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(r for r in ranges if r[1] > r[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _apply(text: str, deletions: Sequence[tuple[int, int]]) -> str:
    out, cursor = [], 0
    for start, end in deletions:
        out.append(text[cursor:start])
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _mapper(deletions: Sequence[tuple[int, int]]) -> Callable[[int], int]:
    def to_source(offset: int) -> int:
        shift = 0
        for start, end in deletions:
            if start - shift <= offset:
                shift += end - start
            else:
                break
        return offset + shift

    return to_source
