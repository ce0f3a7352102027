"""Plugin folders of connectors: data sources and destinations the app reaches for its users.

A folder where at least `MIN_PLUGIN_FILES` Python files each register a class with their
package's registry (`register(MySQL)` at module level: `plugin_registry`) is a plugin
registry. A file of it that reaches something outside the process (an outbound call, a
library the catalog knows, a third-party import such as a database driver) is a connector:
each class it registers is an integration named by its display name ("MySQL", "Apache
Kylin", "Microsoft Teams Webhook"), cited at its `register(` line. A plugin that imports
the app's own models (a runner over the app's stored results, a sandbox running code over
them) reaches nothing outside: no claim.

A datastore the catalog found only in such connector files (a driver imported by one
runner; its manifest line aside) is where users' data lives, not the app's own store: it
moves to the integrations. One also used by the app's own code stays a datastore.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from posixpath import dirname

from bot.core.analysis.catalog import Catalog
from bot.core.analysis.plugin_registry import KIND
from bot.core.analysis.services import EVIDENCE_CAP, dev_only_path, non_product_path
from bot.core.model import Evidence, FileFacts, Service

MIN_PLUGIN_FILES = 5
MAX_PLUGINS = 500  # connectors claimed in one repository
PLUGIN = "plugin ({})"  # the category of a plugin the catalog does not know
_STDLIB = frozenset(sys.stdlib_module_names)
_OWN_DATA = frozenset({"models", "model", "db", "database"})  # modules that hold the app's data


def plugin_sources(
    facts: Mapping[str, FileFacts],
    datastores: tuple[Service, ...],
    integrations: tuple[Service, ...],
    catalog: Catalog,
) -> tuple[tuple[Service, ...], tuple[Service, ...]]:
    """(datastores, integrations) with each plugin folder's connectors as integrations."""
    registering: dict[str, list[str]] = {}
    for path, f in facts.items():
        if f.language != "python" or non_product_path(path) or dev_only_path(path):
            continue
        if any(s.kind == KIND for s in f.signals):
            registering.setdefault(dirname(path), []).append(path)
    folders = {d: ps for d, ps in registering.items() if len(ps) >= MIN_PLUGIN_FILES}
    if not folders:
        return datastores, integrations
    packages = {p.split("/", 1)[0] for p in facts if p.endswith(".py") and "/" in p}
    services = {e.path for s in (*datastores, *integrations) for e in s.evidence}
    connectors: set[str] = set()
    for paths in folders.values():
        direct = {p for p in paths if _connects(facts[p], p in services, packages)}
        # A plugin built on another connector of the folder (`RisingWave(PostgreSQL)`) or
        # on the registry's HTTP base class (`JiraJQL(BaseHTTPQueryRunner)`) connects too.
        known = {_class(s.detail) for p in direct for s in facts[p].signals if s.kind == KIND}
        connectors |= direct
        connectors |= {
            p
            for p in paths
            if p not in direct
            and not _own_data(facts[p], packages)
            and any(
                base in known or "http" in base.lower()
                for s in facts[p].signals
                if s.kind == KIND
                for base in _bases(s.detail)
            )
        }
    by_name = {s.name.casefold(): s for s in integrations}
    kept: list[Service] = []
    for store in datastores:
        code = [e for e in store.evidence if facts.get(e.path, _NONE).language == "python"]
        if code and all(e.path in connectors for e in code):
            # users' data, reached for them: listed with the plugins of its folder
            category = PLUGIN.format(dirname(code[0].path) + "/")
            by_name.setdefault(store.name.casefold(), replace(store, category=category))
        else:
            kept.append(store)
    # The services a connector's own lines name (its driver's import), by file: a plugin
    # named like one of them ("Oracle" beside "Oracle Database") is that service.
    named_in: dict[str, list[str]] = {}
    for key, service in by_name.items():
        for e in service.evidence:
            if e.path in connectors:
                named_in.setdefault(e.path, []).append(key)
    claimed = 0
    for path in sorted(connectors):
        for sig in facts[path].signals:
            if sig.kind != KIND or claimed >= MAX_PLUGINS:
                continue
            claimed += 1
            evidence = Evidence(path, sig.line)
            key = _same_as(sig.name.casefold(), named_in.get(path, ()))
            old = by_name.get(key)
            if old is None:
                category = PLUGIN.format(dirname(path) + "/")
                by_name[key] = Service(sig.name, category, "used", (evidence,))
            elif evidence not in old.evidence:
                more = (*old.evidence, evidence)[:EVIDENCE_CAP]
                by_name[key] = replace(old, strength="used", evidence=more)
    return tuple(kept), tuple(sorted(by_name.values(), key=lambda s: (s.name.casefold(), s.name)))


def _same_as(key: str, here: Sequence[str]) -> str:
    """`key`, or the name of a service the same file names that one name begins the other
    ("oracle" → "oracle database", "mysql (amazon rds)" → "mysql")."""
    for other in here:
        if other.startswith(key) or key.startswith(other):
            return other
    return key


_NONE = FileFacts(language="other")


def _class(detail: str) -> str:
    return detail.partition("(")[0]


def _bases(detail: str) -> list[str]:
    inside = detail.partition("(")[2].rstrip(")")
    return [b.strip().rpartition(".")[2] for b in inside.split(",") if b.strip()]


def _own_data(f: FileFacts, packages: set[str]) -> bool:
    """Whether a file imports the app's own models (`from app import models`)."""
    for ref in f.imports:
        own = ref.level > 0 or ref.spec.split(".", 1)[0] in packages
        if own and (ref.spec.rpartition(".")[2] in _OWN_DATA or _OWN_DATA & set(ref.names)):
            return True
    return False


def _connects(f: FileFacts, catalogued: bool, packages: set[str]) -> bool:
    """Whether a registering file reaches outside the process: it calls out, or, when it
    does not work on the app's own models, it uses a library the catalog knows or a
    third-party module (a driver)."""
    if any(c.kind not in ("candidate", "inbound") for c in f.calls):
        return True
    if _own_data(f, packages):
        return False  # a runner over the app's stored results, a sandbox over its models
    if catalogued:
        return True
    return any(
        not ref.level
        and ref.kind == "import"
        and (top := ref.spec.split(".", 1)[0])
        and top not in _STDLIB
        and top not in packages
        for ref in f.imports
    )
