"""Finding real `agent-*` markers in Markdown source, and line arithmetic on raw text.

Only real HTML comments count: a marker inside inline code, fenced or indented code, or a
table row is prose. markdown-it-py decides what is code; a small scanner finds comments in
the remaining source, skipping code spans, so offsets are exact in the original string.
Lines end at CRLF, CR or LF, exactly as markdown-it counts them.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from markdown_it import MarkdownIt

# --- marker kinds -----------------------------------------------------------------

START, END, READONLY, FILL, FILL_END, UNKNOWN = (
    "start",
    "end",
    "readonly",
    "fill",
    "fill-end",
    "unknown",
)

_NAME = r"[A-Za-z0-9_.-]+"  # lenient when reading; the canonical form is [a-z0-9-]+
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (START, re.compile(rf"agent-update:start:({_NAME})")),
    (END, re.compile(r"agent-update:end()")),
    (READONLY, re.compile(rf"agent-readonly:({_NAME})")),
    (FILL, re.compile(rf"agent-fill:({_NAME})")),
    (FILL_END, re.compile(r"/agent-fill()")),
)
_AGENT = re.compile(r"/?agent-")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks markdown-it itself recognises
_BOM = "\ufeff"
_BACKTICKS = re.compile(r"`+")
_MD = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True, slots=True)
class Marker:
    """One real `agent-*` HTML comment: `[start, end)` are character offsets."""

    kind: str
    name: str
    start: int
    end: int
    line: int
    raw: str


# --- lines --------------------------------------------------------------------------


def line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _NEWLINE.finditer(text))]


def line_of(text: str, offset: int, starts: Sequence[int] | None = None) -> int:
    """1-based line of `offset` (CRLF, CR and LF each end a line)."""
    return bisect.bisect_right(starts if starts is not None else line_starts(text), offset)


def newline_of(text: str) -> str:
    """The document's own line ending: the first one it uses, LF when it has none."""
    found = _NEWLINE.search(text)
    return found.group() if found else "\n"


def split_lines(text: str) -> list[str]:
    """Lines with their endings kept; `"".join(split_lines(t)) == t`."""
    starts = line_starts(text)
    bounds = [*starts, len(text)] if starts[-1] != len(text) else starts
    return [text[a:b] for a, b in pairwise(bounds)]


# --- scanning ------------------------------------------------------------------------


def _prose_regions(text: str, starts: list[int]) -> Iterator[tuple[int, int, bool]]:
    """(start, end, is_inline) source spans where a comment is a real HTML comment."""
    source = text[1:] if text.startswith(_BOM) else text
    tokens = _MD.parse(source)
    code_lines: set[int] = set()
    for tok in tokens:
        if tok.map and tok.type in ("fence", "code_block", "table_open"):
            code_lines.update(range(tok.map[0], tok.map[1]))
    seen: set[tuple[int, int]] = set()
    bounds = [*starts, len(text)]
    for tok in tokens:
        if not tok.map or tok.type not in ("inline", "html_block") or tok.map[0] in code_lines:
            continue
        first, last = tok.map
        key = (first, last)
        if key in seen:
            continue
        seen.add(key)
        yield bounds[first], bounds[min(last, len(bounds) - 1)], tok.type == "inline"


def _comments(text: str, start: int, end: int, inline: bool) -> Iterator[tuple[int, int]]:
    """HTML comments in `text[start:end]`; in inline content code spans are skipped first,
    following CommonMark's left-to-right precedence (whichever construct opens first).

    Linear in the region: a comment that never closes ends the search (no later one can
    close either), and a code span's closing run is looked up in an index of the region's
    backtick runs by length (1 MB of `<!-- ` or of backtick runs would otherwise be
    rescanned to its end from each opener)."""
    runs: _Runs | None = None
    i = start
    while i < end:
        c = text[i]
        if inline and c == "\\":
            i += 2
            continue
        if inline and c == "`":
            j = i
            while j < end and text[j] == "`":
                j += 1
            if runs is None:
                runs = _Runs(text, start, end)
            closing = runs.closing(j, j - i)
            i = closing if closing is not None else j
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4, end)
            if close < 0:
                return  # no comment after here closes before `end`
            yield i, close + 3
            i = close + 3
            continue
        i += 1


class _Runs:
    """The backtick runs of `text[start:end]`, by length: where each begins and ends."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self._by_size: dict[int, tuple[list[int], list[int]]] = {}
        for m in _BACKTICKS.finditer(text, start, end):
            begins, ends = self._by_size.setdefault(m.end() - m.start(), ([], []))
            begins.append(m.start())
            ends.append(m.end())

    def closing(self, at: int, size: int) -> int | None:
        """The end of the first run of `size` backticks that begins at or after `at`."""
        found = self._by_size.get(size)
        if found is None:
            return None
        begins, ends = found
        k = bisect.bisect_left(begins, at)
        return ends[k] if k < len(begins) else None


def classify(comment: str) -> tuple[str, str] | None:
    """(kind, name) for an `agent-*` comment's text, None for any other comment."""
    inner = comment[4:-3].strip()
    if not _AGENT.match(inner):
        return None
    for kind, pattern in _KINDS:
        found = pattern.fullmatch(inner)
        if found:
            return kind, found.group(1)
    return UNKNOWN, inner


# One refresh scans the same doc text several times (repair, parse, replace, guard), and
# scanning means a full Markdown parse; the result is immutable, so it is kept.
@functools.lru_cache(maxsize=16)
def scan_markers(text: str) -> tuple[Marker, ...]:
    """Every real `agent-*` marker in order, with no check of how they pair."""
    if "agent-" not in text:
        return ()  # no comment can be one (`classify`): a v2 doc is not parsed for them
    starts = line_starts(text)
    found: list[Marker] = []
    for start, end, inline in _prose_regions(text, starts):
        for a, b in _comments(text, start, end, inline):
            kind_name = classify(text[a:b])
            if kind_name:
                kind, name = kind_name
                found.append(Marker(kind, name, a, b, line_of(text, a, starts), text[a:b]))
    found.sort(key=lambda m: m.start)
    return tuple(found)
