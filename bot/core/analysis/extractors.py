"""The extractor registry: which extractor reads a path, and the facts of one file.

An extractor is a pure function of (its name and version, the file's bytes). Its facts may
depend on the path only through *which* extractor is chosen; anything else a path decides
(Rails folders, tests vs main code) is decided in aggregation. That is what makes a cache
keyed by `name@version:blob-sha` honest forever. Kept apart from `extract` so the process
pool (`pool`) and `extract_all` both build on it without importing each other.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from bot.core.analysis.claims import ClaimIndex
from bot.core.analysis.deadline import FileTimeout, cpu_deadline
from bot.core.analysis.egress_hook import with_egress
from bot.core.analysis.egress_snippets import SNIPPET_EXTRACTOR
from bot.core.analysis.egress_templates import TEMPLATE_SCRIPT_EXTRACTOR
from bot.core.analysis.framework_config import REQUEST_HEADER_EXTRACTOR
from bot.core.analysis.golang import GoExtractor
from bot.core.analysis.handoffs_views import TEMPLATE_EXTRACTOR
from bot.core.analysis.javascript import JavaScriptExtractor, TypeScriptExtractor
from bot.core.analysis.manifests import MANIFEST_EXTRACTORS
from bot.core.analysis.movement import MOVEMENT_VERSION, SCHEDULE_EXTRACTOR, with_movement
from bot.core.analysis.python import PythonExtractor
from bot.core.analysis.ruby import RubyExtractor
from bot.core.analysis.schedules_config import CONFIG_SCHEDULE_EXTRACTOR
from bot.core.filters import content_skip_reason
from bot.core.limits import (
    FILE_SECONDS,
    MAX_NAME_CHARS,
    MAX_NESTING,
    LimitExceeded,
    check_nesting,
)
from bot.core.model import FileFacts, skipped_facts


class Extractor(Protocol):
    name: str
    version: int

    def matches(self, path: str) -> bool: ...

    def extract(self, path: str, data: bytes) -> FileFacts: ...


LANGUAGE_EXTRACTORS: tuple[Extractor, ...] = tuple(
    with_egress(e)
    for e in (
        PythonExtractor(),
        JavaScriptExtractor(),
        TypeScriptExtractor(),
        RubyExtractor(),
        GoExtractor(),
    )
)
# Manifests first, languages after (the order facts are merged in when several claim a file).
EXTRACTORS: tuple[Extractor, ...] = (
    *MANIFEST_EXTRACTORS,
    SCHEDULE_EXTRACTOR,
    CONFIG_SCHEDULE_EXTRACTOR,
    REQUEST_HEADER_EXTRACTOR,
    SNIPPET_EXTRACTOR,
    TEMPLATE_EXTRACTOR,
    TEMPLATE_SCRIPT_EXTRACTOR,
    *LANGUAGE_EXTRACTORS,
)

SKIPPED = FileFacts(language="other")
_PLAIN_LANGUAGES = ("manifest", "config", "other")


class Combined:
    """Several extractors claiming one file (a Django `settings.py` is both config and
    Python): facts merged, and a name that carries every part's name and version, so the
    cache key changes when any part does."""

    version = 1

    def __init__(self, parts: tuple[Extractor, ...]) -> None:
        self.parts = parts
        self.name = "+".join(f"{e.name}.{e.version}" for e in parts)

    def matches(self, path: str) -> bool:
        return all(e.matches(path) for e in self.parts)

    def extract(self, path: str, data: bytes) -> FileFacts:
        return merge_facts([e.extract(path, data) for e in self.parts])


_FIELDS = tuple(f for f in FileFacts.__slots__ if f != "language")


def merge_facts(parts: list[FileFacts]) -> FileFacts:
    languages = [f.language for f in parts if f.language not in _PLAIN_LANGUAGES]
    language = languages[0] if languages else parts[0].language
    # Most code files are claimed by two extractors, one of which finds nothing (the CDN
    # headers): the other's facts are the merge when each field is already sorted and
    # without repeats, which one pass of comparisons tells (sorting and hashing the items
    # of dataclasses costs ~10x that).
    full = [f for f in parts if any(getattr(f, name) for name in _FIELDS)]
    if len(full) == 1 and full[0].language == language and _sorted_unique(full[0]):
        return full[0]
    return FileFacts(
        language=language,
        imports=tuple(sorted({x for f in parts for x in f.imports})),
        env=tuple(sorted({x for f in parts for x in f.env})),
        signals=tuple(sorted({x for f in parts for x in f.signals})),
        dependencies=tuple(sorted({x for f in parts for x in f.dependencies})),
        meta=tuple(sorted({x for f in parts for x in f.meta})),
        handoffs=tuple(sorted({x for f in parts for x in f.handoffs})),
        schedules=tuple(sorted({x for f in parts for x in f.schedules})),
        calls=tuple(sorted({x for f in parts for x in f.calls})),
    )


def _sorted_unique(facts: FileFacts) -> bool:
    for name in _FIELDS:
        items = getattr(facts, name)
        if any(not a < b for a, b in itertools.pairwise(items)):
            return False
    return True


def cache_key(extractor: Extractor, sha: str) -> str:
    # The movement hook's version rides in every key: its sites are part of every file's facts.
    return f"{extractor.name}@{extractor.version}~m{MOVEMENT_VERSION}:{sha}"


_COMBINED: dict[tuple[int, ...], Extractor] = {}
# Each extractor's test, unwrapped where it is a plain function (`FileExtractor.match`):
# one call per extractor and path instead of two, on the cold path.
_TESTS: tuple[Callable[[str], bool], ...] = tuple(
    getattr(e, "match", None) or e.matches for e in EXTRACTORS
)
# Only the extractors whose declared claims cover a path are asked about it (~2 of ~40).
CLAIMS = ClaimIndex(_TESTS, [getattr(e, "claims", None) for e in EXTRACTORS])


@functools.lru_cache(maxsize=1 << 17)
def extractor_for(path: str) -> Extractor | None:
    """The extractor for `path`: the one that claims it, or their combination, or None."""
    chosen = CLAIMS.claimants(path)
    if not chosen:
        return None
    if len(chosen) == 1:
        return EXTRACTORS[chosen[0]]
    if chosen not in _COMBINED:
        _COMBINED[chosen] = Combined(tuple(EXTRACTORS[i] for i in chosen))
    return _COMBINED[chosen]


# The reason given for a file past its deadline: not cached (the machine, not the bytes).
TIMED_OUT = f"took longer than {FILE_SECONDS:g} s to read"
# A child process reading it died (`isolated`): not cached either.
READER_DIED = "its reader process died"
NOT_CACHED = frozenset({TIMED_OUT, READER_DIED})
# Data files whose parsers recurse: their nesting is bounded before they are parsed.
_NESTED_DATA = (".json", ".toml", ".yaml", ".yml", ".lock")


def extract_one(
    extractor: Extractor, path: str, data: bytes, *, seconds: float | None = None
) -> FileFacts:
    """Facts of one file; binary or minified content gives empty facts (cached like any).

    One file never sinks the run: a file too deep, too large once expanded, or that makes
    its parser fail in any way gives the facts of a skipped file with the reason (cached
    like any: the same bytes fail the same way). Where a deadline can be armed (a main
    thread), one past `seconds` of CPU (default `FILE_SECONDS`) is skipped with TIMED_OUT."""
    if content_skip_reason(path, data) is not None:
        return SKIPPED
    name = path.rpartition("/")[2]
    try:
        if name.endswith(_NESTED_DATA) or name.startswith("Dockerfile"):
            check_nesting(data)
        with cpu_deadline(file_seconds() if seconds is None else seconds):
            facts = with_movement(extractor.extract(path, data), data)
        return _bounded_names(facts)
    except FileTimeout:
        return skipped_facts(_language(extractor), TIMED_OUT)
    except LimitExceeded as err:
        return skipped_facts(_language(extractor), err.reason)
    except RecursionError:
        return skipped_facts(_language(extractor), f"nested deeper than {MAX_NESTING} levels")
    except MemoryError:
        return skipped_facts(_language(extractor), "too large to parse")
    except Exception as err:  # any parser's failure is this file's, not the run's
        return skipped_facts(_language(extractor), f"could not be read ({type(err).__name__})")


def _bounded_names(facts: FileFacts) -> FileFacts:
    """The facts without names longer than `MAX_NAME_CHARS` (a 200k-segment dotted import
    names no module, and every longest-prefix lookup over it would cost its square)."""
    limit = MAX_NAME_CHARS
    if (
        all(len(i.spec) <= limit for i in facts.imports)
        and all(len(v) <= limit for _, v in facts.meta)
        and all(len(d.name) <= limit for d in facts.dependencies)
    ):
        return facts
    return replace(
        facts,
        imports=tuple(i for i in facts.imports if len(i.spec) <= limit),
        meta=tuple(m for m in facts.meta if len(m[1]) <= limit),
        dependencies=tuple(d for d in facts.dependencies if len(d.name) <= limit),
    )


def file_seconds() -> float:
    """The per-file CPU deadline: `FILE_SECONDS`, read when asked (tests lower it)."""
    return FILE_SECONDS


def skipped_for(extractor: Extractor, reason: str) -> FileFacts:
    """The facts of a file `extractor` claims but that was not read, and why."""
    return skipped_facts(_language(extractor), reason)


def _language(extractor: Extractor) -> str:
    language = getattr(extractor, "language", None)
    return language if isinstance(language, str) else "other"
