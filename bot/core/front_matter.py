"""YAML front matter at the top of a Markdown doc: where it is, what it says, its status value.

dotcontext (scaffold 2.0.0) starts every doc with::

    ---
    type: doc
    name: data-flow
    …
    status: unfilled
    scaffoldVersion: "2.0.0"
    ---

The front matter is the first line `---` (a BOM before it is kept as part of the file) up to
the next line `---` or `...`. Parsing is bounded: only the first `MAX_FRONT_MATTER` characters
are looked at, YAML is read with the safe loader, and a parse error is a `FrontMatterError`
with the document's line. The only byte span anyone may ever change is the value of a
top-level `status: unfilled` line (`status_span`); the guard checks that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from bot.core.errors import UserError
from bot.core.limits import LimitExceeded
from bot.core.marker_scan import line_of
from bot.core.yaml_bounds import load_bounded

MAX_FRONT_MATTER = 64 * 1024

BROKEN = "front matter is not valid YAML: {problem}"
NOT_A_MAPPING = "front matter must be a mapping of keys (key: value), not {actual}"
MAX_NESTING = 64
TOO_DEEP = f"front matter nests brackets deeper than {MAX_NESTING} levels"

UNFILLED, FILLED = "unfilled", "filled"

_NEWLINE = re.compile(r"\r\n|\r|\n")
_DELIMITER = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
# A top-level `status: unfilled` line; group 2 is the value (quotes outside it).
_STATUS = re.compile(r"status[ \t]*:[ \t]*(['\"]?)(unfilled)\1[ \t]*(?:#[^\r\n]*)?")
# The keys that make a doc a data-flow doc, read line by line before any YAML parse.
_DATA_FLOW_KEY = re.compile(r"(?:name|category)[ \t]*:[ \t]*(['\"]?)data-flow\1[ \t]*(?:#.*)?")


class FrontMatterError(UserError):
    """A doc's front matter cannot be read."""


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Offsets into the document: `start` is the opening `---`, `end` is just past the line
    break of the closing one (where the body starts); `yaml_start`/`yaml_end` bound the YAML."""

    start: int
    end: int
    yaml_start: int
    yaml_end: int
    line: int = 1  # of the opening `---`: always the first

    def source(self, text: str) -> str:
        return text[self.yaml_start : self.yaml_end]


def _lines(text: str, start: int, limit: int) -> list[tuple[int, int, int]]:
    """(start, end without break, end with break) of each line in `text[start:limit]`."""
    out, pos = [], start
    while pos < limit:
        found = _NEWLINE.search(text, pos, limit)
        if found is None:
            out.append((pos, limit, limit))
            break
        out.append((pos, found.start(), found.end()))
        pos = found.end()
    return out


def find_front_matter(text: str) -> FrontMatter | None:
    """The front matter at the top of `text` (after a BOM), or None when the text does not
    open with `---` or never closes it within `MAX_FRONT_MATTER` characters."""
    start = 1 if text.startswith("\ufeff") else 0
    limit = min(len(text), start + MAX_FRONT_MATTER)
    lines = _lines(text, start, limit)
    if not lines or not _DELIMITER.fullmatch(text, lines[0][0], lines[0][1]):
        return None
    for a, b, c in lines[1:]:
        if _CLOSE.fullmatch(text, a, b):
            if c == limit and limit < len(text) and b == c:
                return None  # the closing line runs past the bound
            return FrontMatter(start, c, lines[0][2], a)
    return None


def opens_unclosed(text: str) -> bool:
    """True when the text opens with `---` but no closing line is found within the bound."""
    start = 1 if text.startswith("\ufeff") else 0
    first = _NEWLINE.search(text, start, min(len(text), start + 64))
    head = text[start : first.start() if first else min(len(text), start + 64)]
    return _DELIMITER.fullmatch(head) is not None and find_front_matter(text) is None


def says_data_flow(text: str, front: FrontMatter) -> bool:
    """Cheap and parse-free: a top-level `name: data-flow` or `category: data-flow` line."""
    return any(
        _DATA_FLOW_KEY.fullmatch(text, a, b)
        for a, b, _ in _lines(text, front.yaml_start, front.yaml_end)
    )


def parse_front_matter(text: str, front: FrontMatter, path: str = "<string>") -> dict[str, Any]:
    """The front matter's keys; `FrontMatterError` (with the document's line) when it is not
    valid YAML or not a mapping. An empty front matter is an empty mapping."""
    source = front.source(text)
    first_line = line_of(text, front.yaml_start)
    if _nesting(source) > MAX_NESTING:  # PyYAML recurses per level: refuse before it does
        raise FrontMatterError(TOO_DEEP, path=path, line=front.line)
    try:
        # Aliases and merge keys expanded within a node budget (`bot.core.yaml_bounds`).
        data = load_bounded(source)
    except LimitExceeded as err:
        raise FrontMatterError(
            BROKEN.format(problem=err.reason), path=path, line=front.line
        ) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + mark.line if mark is not None else front.line
        raise FrontMatterError(BROKEN.format(problem=err.problem), path=path, line=line) from None
    except (yaml.YAMLError, RecursionError, ValueError) as err:
        problem = type(err).__name__ if isinstance(err, RecursionError) else str(err)
        raise FrontMatterError(BROKEN.format(problem=problem), path=path, line=front.line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        actual = "a list" if isinstance(data, list) else "a single value"
        raise FrontMatterError(NOT_A_MAPPING.format(actual=actual), path=path, line=front.line)
    return data


def _nesting(source: str) -> int:
    """An upper bound of the flow-collection depth (quotes ignored: only ever too high)."""
    depth = deepest = 0
    for char in source:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}" and depth:
            depth -= 1
    return deepest


def status_span(text: str, front: FrontMatter) -> tuple[int, int] | None:
    """The bytes of the value of the one top-level `status: unfilled` line, or None."""
    found = [
        m
        for a, b, _ in _lines(text, front.yaml_start, front.yaml_end)
        if (m := _STATUS.fullmatch(text, a, b)) is not None
    ]
    if len(found) != 1:
        return None  # none, or an ambiguous file: leave it as it is
    return found[0].span(2)


def mark_filled(text: str, front: FrontMatter) -> str:
    """`status: unfilled` → `status: filled`, changing only the value's bytes."""
    span = status_span(text, front)
    if span is None:
        return text
    return text[: span[0]] + FILLED + text[span[1] :]
