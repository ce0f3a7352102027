"""External Integrations and Observability & Failure Modes: where data leaves, and what the
code does when the other side fails.

Each integration row says what the code says and nothing more: the hosts it calls, the
settings or environment variables that hold its URL, the credentials read beside the call
(authentication), the timeout set at the call, its strength and the call site as evidence.
Every "none detected" names what was searched, so an absence can be checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from bot.core.analysis.resilience import SEARCHED as RESILIENCE_SEARCHED
from bot.core.mermaid import STRENGTH_RANK, category_label
from bot.core.model import Evidence, Item, RepoFacts, Service


class Markdown(NamedTuple):
    """The renderer's shared pieces (escaping, citations, tables: `bot.core.render`), handed
    in so that this module does not import the renderer that calls it."""

    text: Callable[[str], str]
    citations: Callable[[Sequence[Evidence]], str]
    table: Callable[[Sequence[str], Sequence[Sequence[str]]], str]
    items_table: Callable[[Sequence[Item]], str]
    services_sentence: Callable[[Sequence[Service]], str]
    none_detected: str
    strength_note: str


MAX_IN_CELL = 3
DATASTORES_SEARCHED = (
    "Searched: database drivers and clients in manifests and imports, connection URLs and "
    "settings (Django DATABASES/CACHES, Rails database.yml, env vars)."
)
INTEGRATIONS_SEARCHED = (
    "Searched: SDK packages in manifests and imports, env vars and settings the catalog knows, "
    "and HTTP calls in code (requests, httpx, aiohttp, urllib, fetch, axios, got, ky, undici, "
    "Net::HTTP, Faraday, HTTParty, RestClient, net/http, resty and the repository's own "
    "wrappers of them)."
)
DEPLOYMENT_SEARCHED = "Searched: Procfile, Dockerfile, compose files and platform configs."
OBSERVABILITY_SEARCHED = (
    "Searched: logging, metrics, tracing and error-tracking libraries and their set-up calls."
)
RESILIENCE_NONE = (
    "Retries, backoff, circuit breakers and timeouts: none detected. Searched: "
    + RESILIENCE_SEARCHED
    + ". Failures of downstream systems surface to the caller as they are."
)
CONFIGURED_BY = "configured by {names}"


def _few(md: Markdown, values: Sequence[str]) -> str:
    # Plain text, never code spans: a code span in these docs is a path that exists.
    shown = [md.text(v) for v in values[:MAX_IN_CELL]]
    rest = len(values) - MAX_IN_CELL
    return ", ".join(shown) + (f" (+{rest} more)" if rest > 0 else "")


def _destination(md: Markdown, service: Service) -> str:
    if service.hosts:
        return _few(md, service.hosts)
    if service.configured_by:
        return CONFIGURED_BY.format(names=_few(md, service.configured_by))
    return ""


def integrations_table(md: Markdown, services: Sequence[Service]) -> str:
    ordered = sorted(services, key=lambda s: (STRENGTH_RANK.get(s.strength, 9), s.category, s.name))
    rows = [
        [
            md.text(s.name),
            md.text(category_label(s.category)),
            _destination(md, s),
            _few(md, s.auth),
            md.text(s.timeout),
            md.text(s.strength),
            md.citations(s.evidence),
        ]
        for s in ordered
    ]
    return md.table(
        ["Name", "Category", "Host", "Authentication", "Timeout", "Strength", "Evidence"], rows
    )


def datastores_table(md: Markdown, services: Sequence[Service]) -> str:
    ordered = sorted(services, key=lambda s: (STRENGTH_RANK.get(s.strength, 9), s.category, s.name))
    rows = [
        [
            md.text(s.name),
            md.text(category_label(s.category)),
            md.text(s.strength),
            md.citations(s.evidence),
        ]
        for s in ordered
    ]
    return md.table(["Name", "Category", "Strength", "Evidence"], rows)


def external_integrations(md: Markdown, facts: RepoFacts) -> str:
    parts: list[str] = []
    if facts.datastores or facts.integrations:
        parts.append(md.services_sentence(facts.datastores + facts.integrations))
    if facts.datastores:
        parts.append("**Datastores**\n\n" + datastores_table(md, facts.datastores))
    else:
        parts.append(f"**Datastores**: {md.none_detected}. {DATASTORES_SEARCHED}")
    if facts.integrations:
        parts.append("**External integrations**\n\n" + integrations_table(md, facts.integrations))
    else:
        parts.append(f"**External integrations**: {md.none_detected}. {INTEGRATIONS_SEARCHED}")
    if facts.datastores or facts.integrations:
        parts.append(md.strength_note)
    return "\n\n".join(parts) + "\n"


def _section(md: Markdown, label: str, items: Sequence[Item], searched: str) -> str:
    if items:
        return f"**{label}**\n\n" + md.items_table(items)
    return f"**{label}**: {md.none_detected}. {searched}"


def observability(md: Markdown, facts: RepoFacts) -> str:
    parts = [
        _section(md, "Deployment", facts.deployment, DEPLOYMENT_SEARCHED),
        _section(
            md,
            "Logs, metrics, tracing and error tracking",
            facts.observability,
            OBSERVABILITY_SEARCHED,
        ),
    ]
    if facts.resilience:
        parts.append("**Retries, backoff and timeouts**\n\n" + md.items_table(facts.resilience))
    else:
        parts.append(RESILIENCE_NONE)
    return "\n\n".join(parts) + "\n"
