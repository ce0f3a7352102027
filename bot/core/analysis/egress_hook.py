"""A language extractor with outbound calls added: `with_egress(extractor)`.

The wrapped extractor keeps its claims and facts; the outbound calls, resilience signals and
wrapper names of `egress.outbound_calls` are added. Its version carries the egress version
(``10_000 * HOOK_VERSION + 100 * EGRESS_VERSION + inner version``), so the cache key of the
plain extractor's facts never finds these, and any version moving moves the key. A file in
a folder named for a service also gets the names it defines that spell that service (meta
``egress.spelling``, see `egress_names`), and a file building avatar URLs its signal
(`egress_links`).
"""

from __future__ import annotations

from dataclasses import replace
from posixpath import splitext
from typing import Any

from bot.core.analysis.egress import EGRESS_VERSION, outbound_calls
from bot.core.analysis.egress_families import loaders
from bot.core.analysis.egress_inbound import inbound_calls, webhook_stem
from bot.core.analysis.egress_links import avatar_signals, media_type_signals
from bot.core.analysis.egress_names import spellings
from bot.core.analysis.egress_scripts import script_calls
from bot.core.analysis.egress_services import browser_path, service_folder_name
from bot.core.model import FileFacts

# File extension → tree-sitter grammar. Others (.vue, .svelte…) keep the plain facts.
GRAMMARS = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".rb": "ruby",
    ".go": "go",
}


SPELLING = "egress.spelling"  # meta: "<folder stem>=<a name the file defines>"
HOOK_VERSION = 14  # 1: folder spellings (egress_names); 2: avatar URLs (egress_links); 3: a
# fetched `.gravatar_url` (egress_links); 4: providers' webhooks checked here (egress_inbound)
# 5: protocol endpoints the app serves (`egress_inbound.SERVED`); 6: as a whole literal,
# not a table's key or a Python docstring's backticks; 7: an avatar path ending its literal
# 8: scripts and pixels a page loads from another host (`egress_scripts`)
# 9: plugin family loaders (`egress_families`); an element's src built on a base URL
# whose default is written (`egress_scripts._built_sources`)
# 10: an element set to load asynchronously before its `src` is a script (`egress_scripts`)
# 11: request headers asking for or sending ActivityStreams (`egress_links.media_type_signals`)
# 12: a members' folder under a service folder (`notifications/agents/<name>`) names no service
# 13: a file in a service folder (`connectors/<name>.py`) is read for calls without triggers
# 14: an avatar base ending its literal (`"…/avatar"`) counts without a hash in its file


class WithEgress:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = 10_000 * HOOK_VERSION + 100 * EGRESS_VERSION + inner.version
        self.claims = getattr(inner, "claims", None)

    def matches(self, path: str) -> bool:
        return bool(self.inner.matches(path))

    def extract(self, path: str, data: bytes) -> FileFacts:
        facts: FileFacts = self.inner.extract(path, data)
        grammar = GRAMMARS.get(splitext(path)[1])
        if grammar is None:
            return facts
        calls, signals, meta = outbound_calls(grammar, data, bool(service_folder_name(path)))
        inbound = inbound_calls(path, data)
        calls = (*calls, *inbound)
        requests = any(c.kind == "http" for c in calls)
        if grammar in ("javascript", "typescript", "tsx"):
            calls = (*calls, *script_calls(data))  # scripts a page loads from a host
            meta = (*meta, *loaders(data))  # plugin families (`egress_families`)
        browser = browser_path(path)
        signals = (*signals, *avatar_signals(data, browser, requests))
        signals = (*signals, *media_type_signals(data, browser))
        if not (calls or signals or meta):
            return facts
        stem = service_folder_name(path) if calls else ""
        stem = stem or (webhook_stem(path) if inbound else "")
        if stem:  # how the code spells the service its folder is named for
            meta = (*meta, *((SPELLING, f"{stem}={name}") for name in spellings(stem, data)))
        return replace(
            facts,
            calls=calls,
            signals=tuple(sorted({*facts.signals, *signals})),
            meta=tuple(sorted({*facts.meta, *meta})),
        )


def with_egress(extractor: Any) -> WithEgress:
    return WithEgress(extractor)
