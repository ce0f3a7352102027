"""The dotcontext v2 data-flow doc: YAML front matter and headings, no markers.

A doc is v2 when its front matter says `name: data-flow` or `category: data-flow` (scaffold
2.0.0), or, for the docs ai-coders-context 0.7 wrote before it named them, when the file is
called `data-flow.md` and its front matter has a `status` key. A doc the repository's config
names (`docs:`) that has no markers is read the same way, with or without front matter:
headings-only data-flow docs are common too. Its body is split into
sections by headings at any level (code blocks and HTML blocks excluded, as CommonMark reads
them). A section runs from its heading to the next heading of the same or a higher level,
or to the next heading of the template (owned or not) at any level, so one template section
never swallows another.

The template (dotcontext's `dataFlowStructure`) in order::

    Data Flow & Integrations   the intro, the person's
    Module Dependencies        owned
    Service Layer              the person's
    High-level Flow            owned
    Internal Movement          owned
    External Integrations      owned
    Observability & Failure Modes  owned
    Related Resources          the person's (added by dotcontext after the sections)

Headings are matched by text, case- and punctuation-insensitive (`&` and "and" alike), and
through translations (`headings:` in the repository config, Portuguese built in). The first
heading of an owned section is the owned one; a repeat is the person's and reported.
Everything outside the owned sections' content — front matter, heading lines, intro, the
person's sections — is kept byte for byte (`guard.find_document_violations` proves it).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from markdown_it import MarkdownIt

from bot.core.errors import UserError
from bot.core.front_matter import (
    FrontMatter,
    find_front_matter,
    parse_front_matter,
    says_data_flow,
)
from bot.core.limits import MAX_HEADINGS
from bot.core.marker_scan import line_of, line_starts


class TemplateSection(NamedTuple):
    id: str
    heading: str
    owned: bool


INTRO = "data-flow-integrations"
MODULE_DEPENDENCIES = "module-dependencies"
SERVICE_LAYER = "service-layer"
RELATED_RESOURCES = "related-resources"

TEMPLATE: tuple[TemplateSection, ...] = (
    TemplateSection(INTRO, "Data Flow & Integrations", False),
    TemplateSection(MODULE_DEPENDENCIES, "Module Dependencies", True),
    TemplateSection(SERVICE_LAYER, "Service Layer", False),
    TemplateSection("high-level-flow", "High-level Flow", True),
    TemplateSection("internal-movement", "Internal Movement", True),
    TemplateSection("external-integrations", "External Integrations", True),
    TemplateSection("observability-failure-modes", "Observability & Failure Modes", True),
    TemplateSection(RELATED_RESOURCES, "Related Resources", False),
)
TEMPLATE_IDS = tuple(s.id for s in TEMPLATE)
OWNED_IDS = tuple(s.id for s in TEMPLATE if s.owned)
HEADINGS = {s.id: s.heading for s in TEMPLATE}

DATA_FLOW_FILE = "data-flow.md"

# Headings and their raw text are all that is read: inline parsing is skipped.
_MD = MarkdownIt("commonmark").disable(["inline", "text_join"])
_FILLER = frozenset({"and", "e"})  # "Observability & Failure Modes", "… e Modos de Falha"
_WORD = re.compile(r"\w+")
_EMPHASIS = re.compile(r"[*_`~]+")


def heading_key(title: str) -> str:
    """`"**1. Observability and Failure-Modes:**"` → `observability-failure-modes`: what a
    heading is matched by (leading numbering, emphasis, `&`/"and"/"e" and case ignored)."""
    folded = unicodedata.normalize("NFKC", _EMPHASIS.sub(" ", title)).casefold()
    words = [w for w in _WORD.findall(folded.replace("_", " ")) if w not in _FILLER]
    while words and words[0].isdigit():
        words.pop(0)
    return "-".join(words)


@functools.lru_cache(maxsize=64)
def _heading_map(extra: tuple[tuple[str, str], ...]) -> dict[str, str]:
    out = {heading_key(s.heading): s.id for s in TEMPLATE}
    out.update((heading_key(text), section) for text, section in extra)
    out.pop("", None)
    return out


def heading_map(extra: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """Normalised heading text → template id: the English template plus `extra`
    (translations: heading text → id), `extra` winning."""
    pairs = tuple(extra.items()) if isinstance(extra, Mapping) else tuple(extra)
    return _heading_map(pairs)


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the text it governs; offsets into the whole document."""

    id: str | None  # a template id, or None for the person's own headings
    title: str
    level: int
    start: int  # the heading line
    content_start: int  # just past the heading line(s)
    end: int
    line: int


@dataclass(frozen=True, slots=True)
class DataFlowDoc:
    text: str
    path: str
    front: FrontMatter
    sections: tuple[Section, ...]
    owned: Mapping[str, Section]  # owned id → its first section
    repeated: tuple[Section, ...]  # later sections with an owned id: the person's

    def template_sections(self) -> dict[str, Section]:
        """Template id → the first section with that id (owned or not)."""
        out: dict[str, Section] = {}
        for section in self.sections:
            if section.id is not None and section.id not in out:
                out[section.id] = section
        return out


def is_data_flow_doc(text: str, path: str = "") -> bool:
    """Cheap, parse-free: does `text` open with a data-flow front matter (see the module
    docstring)? Broken YAML still says yes, so the doc is read and its error reported."""
    front = find_front_matter(text)
    if front is None:
        return False
    if says_data_flow(text, front):
        return True
    return _named_data_flow(path) and _has_key(text, front, "status")


_LOOSE_KEY = re.compile(
    r"^[ \t]*(?:name|category)[ \t]*:[ \t]*['\"]?data-flow['\"]?[ \t]*\r?$", re.M
)
_LOOSE_LIMIT = 16 * 1024


def may_be_data_flow_doc(text: str, path: str = "") -> bool:
    """`is_data_flow_doc`, or a data-flow front matter further down the first 16 KiB (an
    LLM's chatter and a ```markdown fence before it, which `bot.core.repair` removes)."""
    return is_data_flow_doc(text, path) or _LOOSE_KEY.search(text, 0, _LOOSE_LIMIT) is not None


def _named_data_flow(path: str) -> bool:
    return path.rsplit("/", 1)[-1].lower() == DATA_FLOW_FILE


def _has_key(text: str, front: FrontMatter, key: str) -> bool:
    found = re.search(rf"^{key}[ \t]*:", front.source(text), re.M)
    return found is not None


def parse_data_flow_doc(
    text: str, path: str = "<string>", headings: Mapping[str, str] | None = None
) -> DataFlowDoc:
    """The doc's front matter and sections. Raises `FrontMatterError` (with its line) when
    the front matter is not valid YAML. A doc without front matter (one the repository's
    config names) reads as an empty front matter at its top. `headings` is a
    `heading_map`; the English template when None."""
    front = find_front_matter(text)
    if front is None:
        top = 1 if text.startswith("\ufeff") else 0
        front = FrontMatter(top, top, top, top)
    else:
        parse_front_matter(text, front, path)  # validity only: keys are read line by line
    ids = headings if headings is not None else heading_map()
    _check_headings(text, front.end, path)
    sections = split_sections(text, front.end, ids)
    owned: dict[str, Section] = {}
    repeated: list[Section] = []
    for section in sections:
        if section.id in OWNED_IDS:
            if section.id in owned:
                repeated.append(section)
            else:
                owned[section.id] = section
    return DataFlowDoc(text, path, front, tuple(sections), owned, tuple(repeated))


# Lines that may be headings (ATX `#`, or a setext underline), counted in C before the
# Markdown parse: 190k `## x` lines cost ~20 s of parsing on each of a refresh's reads.
_HEADING_LIKE = re.compile(r"^ {0,3}(?:#|=+[ \t]*$|-+[ \t]*$)", re.M)


def _check_headings(text: str, body_start: int, path: str) -> None:
    for count, m in enumerate(_HEADING_LIKE.finditer(text, body_start), 1):
        if count > MAX_HEADINGS:
            raise UserError(
                f"more than {MAX_HEADINGS} headings: the doc is not read (split it, or"
                " remove the generated headings)",
                path=path,
                line=line_of(text, m.start()),
            )


def split_sections(text: str, body_start: int, ids: Mapping[str, str]) -> list[Section]:
    """Every heading after `body_start` with the span it governs (see the module docstring)."""
    body = text[body_start:]
    starts = [*line_starts(body), len(body)]
    found: list[tuple[int, int, int, str, str | None]] = []
    for tok, nxt in pairwise(_MD.parse(body)):
        if tok.type == "heading_open" and tok.map:
            title = nxt.content
            found.append(
                (
                    int(tok.tag[1:]),
                    starts[tok.map[0]],
                    starts[tok.map[1]],
                    title,
                    ids.get(heading_key(title)),
                )
            )
    # Each heading's end: the next heading at its level or above, or the next template
    # heading; one pass from the end with a stack keeps it linear in the number of headings.
    ends = [len(body)] * len(found)
    stack: list[tuple[int, int]] = []  # (level, start) of later headings, levels increasing
    next_template = len(body)
    for i in range(len(found) - 1, -1, -1):
        level, start, _, _, section_id = found[i]
        while stack and stack[-1][0] > level:
            stack.pop()
        ends[i] = min(stack[-1][1] if stack else len(body), next_template)
        stack.append((level, start))
        if section_id is not None:
            next_template = start
    doc_starts = line_starts(text)
    return [
        Section(
            section_id,
            title,
            level,
            body_start + start,
            body_start + content_start,
            body_start + end,
            line_of(text, body_start + start, doc_starts),
        )
        for (level, start, content_start, title, section_id), end in zip(found, ends, strict=True)
    ]
