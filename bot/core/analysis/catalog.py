"""The integrations catalog: which packages, images, env vars and settings name which system.

`config/integrations.yml` is data; this module validates it (errors carry the line) and
answers lookups. Four sections:

* ``services`` — external systems, each with a ``category`` (datastore, queue, payments…);
  a service may also be an observability aspect (``observability: errors`` for Sentry).
* ``observability`` — in-process libraries with a ``kind``: logging, metrics, tracing, errors.
* ``resilience`` — retry/backoff/circuit-breaker/timeout/rate-limit libraries (``kind``).
* ``deployment`` — platforms (``kind`` is the id used in ``deployment.<kind>`` signals).

Matchers per entry: ``pypi``, ``import`` (Python dotted module, or ``module:Name``),
``npm``, ``gem``, ``require``, ``go`` (import-path prefix), ``image``, ``hosts`` (a host the
code calls, or a parent domain of it), ``env`` (exact name,
or a prefix when it ends with ``_``), ``scheme`` (URL scheme), ``config`` (a settings value:
Django ENGINE/BACKEND dotted path, Rails adapter, ActiveStorage service…). A package name
ending with ``*`` is a prefix pattern (``@aws-sdk/*``, ``google-cloud-*``); exact beats prefix
and the longest prefix wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SECTIONS = ("services", "observability", "resilience", "deployment")
ECOSYSTEMS = ("pypi", "npm", "gem", "go")
MATCHERS = (
    "pypi", "import", "npm", "gem", "require", "go", "image", "env", "scheme", "config", "hosts"
)  # fmt: skip

CATEGORIES = frozenset(
    {
        "datastore",
        "queue",
        "payments",
        "email",
        "messaging",
        "auth",
        "ai",
        "monitoring",
        "storage",  # media and file services (Cloudinary, Mux, Google Drive)
        "object-storage",  # buckets the app keeps its files in (S3, GCS, R2): a datastore
        "cloud",
        "analytics",
        "search",
        "vcs",
        "cms",
        "feature-flags",
        "realtime",
        "maps",
        "crm",
        "secrets",
        "cdn",  # inbound: requests reach the app through it (its request headers are read)
        "geolocation",
        "collaboration",  # task boards, wikis, e-signature (Asana, Confluence, DocuSign)
        "automation",  # scraping and integration platforms (Apify, Firecrawl, Nango)
        "security",  # fraud and identity checks (DataDome, Veriff), spam and virus scanners
        "network",  # name servers the code queries itself (DNS)
    }
)
KINDS = {
    "observability": frozenset({"logging", "metrics", "tracing", "errors", "health"}),
    "resilience": frozenset({"retry", "backoff", "circuit-breaker", "timeout", "rate-limit"}),
}

BAD_TOP = "top level must be a mapping with sections {sections}"
BAD_SECTION = "section {section!r} must be a list of mappings"
UNKNOWN_SECTION = "unknown section {key!r} (expected one of {sections})"
UNKNOWN_KEY = "unknown key {key!r} in {section} entry {name!r}"
MISSING = "{section} entry needs {key!r}"
BAD_CATEGORY = "unknown category {value!r} (expected one of {allowed})"
BAD_KIND = "unknown {section} kind {value!r} (expected one of {allowed})"
NOT_STRING = "{key!r} must be a non-empty string"
NOT_LIST = "{key!r} must be a non-empty list of strings"
DUPLICATE = "{key} {value!r} already maps to {other!r} in section {section!r} (line {line})"
DUPLICATE_NAME = "entry name {name!r} already used at line {line}"
DUPLICATE_KEY = "key {key!r} appears twice in one entry"
NO_MATCHER = "entry {name!r} has no matcher (one of {matchers})"


def normalize_pypi(name: str) -> str:
    """PEP 503: runs of ``-_.`` become one ``-``, lowercase."""
    return re.sub(r"[-_.]+", "-", name).lower()


def normalize_package(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return normalize_pypi(name)
    if ecosystem in ("npm", "gem"):
        return name.lower()
    return name  # go module paths are case-sensitive


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    section: str  # services | observability | resilience | deployment
    category: str  # services: datastore, queue…; other sections: the section name
    kind: str = ""  # observability/resilience kind; deployment platform id
    observability: str = ""  # a service that is also an observability aspect (Sentry → errors)
    line: int = 0


MEMO_MAX = 1 << 16


class _Index:
    """Exact keys plus ``*`` prefix patterns, for one matcher."""

    def __init__(self) -> None:
        self.exact: dict[str, list[Entry]] = {}
        self.prefix: dict[str, list[Entry]] = {}
        # Answers to prefix look-ups (a scan of every pattern); a pure function of the key
        # once the index is built, so the memo never changes a result. Bounded: cleared when full.
        self._memo: dict[str, tuple[Entry, ...]] = {}

    def add(self, key: str, entry: Entry, *, pattern: bool) -> None:
        target = self.prefix if pattern else self.exact
        self._memo.clear()
        bucket = target.setdefault(key, [])
        if entry not in bucket:
            bucket.append(entry)

    def get(self, key: str) -> tuple[Entry, ...]:
        if key in self.exact:
            return tuple(self.exact[key])
        found = self._memo.get(key)
        if found is None:
            best = max((p for p in self.prefix if key.startswith(p)), key=len, default=None)
            found = tuple(self.prefix[best]) if best is not None else ()
            if len(self._memo) >= MEMO_MAX:
                self._memo.clear()
            self._memo[key] = found
        return found


class Catalog:
    """Lookups return every entry (across sections) a key names; empty when unknown."""

    def __init__(self, entries: Iterable[Entry], keys: Iterable[tuple[str, str, Entry]]) -> None:
        self.entries = tuple(entries)
        self._idx: dict[str, _Index] = {m: _Index() for m in MATCHERS}
        self._env_prefix: dict[str, list[Entry]] = {}
        for matcher, raw, entry in keys:
            self._add(matcher, raw, entry)

    def _add(self, matcher: str, raw: str, entry: Entry) -> None:
        idx = self._idx[matcher]
        if matcher in ECOSYSTEMS:
            pattern = raw.endswith("*")
            key = raw[:-1] if pattern else raw
            key = key.lower() if matcher in ("npm", "gem") else key
            if matcher == "pypi":
                key = normalize_pypi(key)
                if not pattern:
                    idx.add(key, entry, pattern=False)
                    # The import name defaults to the distribution name with "_".
                    self._idx["import"].add(key.replace("-", "_"), entry, pattern=False)
                    return
            idx.add(key, entry, pattern=pattern)
        elif matcher == "env" and raw.endswith("_"):
            bucket = self._env_prefix.setdefault(raw, [])
            if entry not in bucket:
                bucket.append(entry)
        elif matcher == "image":
            idx.add(raw.lower().rstrip("*"), entry, pattern=raw.endswith("*"))
        elif matcher in ("scheme", "hosts"):
            idx.add(raw.lower(), entry, pattern=False)
        else:
            idx.add(raw, entry, pattern=False)

    # --- lookups -------------------------------------------------------------------

    def by_package(self, ecosystem: str, name: str) -> tuple[Entry, ...]:
        if ecosystem == "go":
            return self.by_go_import(name)
        if ecosystem not in ECOSYSTEMS:
            return ()
        return self._idx[ecosystem].get(normalize_package(ecosystem, name))

    def by_python_import(self, spec: str, names: Iterable[str] = ()) -> tuple[Entry, ...]:
        """Longest dotted prefix of ``spec``; ``module:Name`` keys match imported names."""
        idx = self._idx["import"].exact
        found: list[Entry] = []
        for name in names:
            found += idx.get(f"{spec}:{name}", [])
        parts = spec.split(".")
        for end in range(len(parts), 0, -1):
            hit = idx.get(".".join(parts[:end]))
            if hit:
                found += hit
                break
        return _unique(found)

    def by_js_import(self, spec: str) -> tuple[Entry, ...]:
        """The package's entries; a deep import listed whole (``next-auth/providers/github``,
        ``knex/lib/dialects/sqlite3/index.js``) names its own service first."""
        package = js_package_name(spec)
        if not package:
            return ()
        if len(spec) > len(package):
            exact = self._idx["npm"].exact
            parts = spec.lower().split("/")
            for end in range(len(parts), package.count("/") + 1, -1):
                hit = exact.get("/".join(parts[:end]))
                if hit:
                    return tuple(hit)
        return self.by_package("npm", package)

    def by_ruby_require(self, spec: str) -> tuple[Entry, ...]:
        direct = self._idx["require"].get(spec)
        if direct:
            return direct
        parts = spec.split("/")
        for end in range(len(parts), 0, -1):
            stem = "/".join(parts[:end])
            for candidate in (stem, stem.replace("/", "-")):
                hit = self._idx["require"].get(candidate) or self._idx["gem"].get(candidate.lower())
                if hit:
                    return hit
        return ()

    def by_go_import(self, path: str) -> tuple[Entry, ...]:
        exact = self._idx["go"].exact
        segments = path.split("/")
        for end in range(len(segments), 0, -1):
            hit = exact.get("/".join(segments[:end]))
            if hit:
                return tuple(hit)
        return ()

    def by_image(self, image: str) -> tuple[Entry, ...]:
        name = image_name(image)
        return self._idx["image"].get(name) if name else ()

    def by_env(self, name: str) -> tuple[Entry, ...]:
        exact = self._idx["env"].get(name)
        if exact:
            return exact
        for end in range(len(name), 0, -1):  # the longest prefix first
            if name[end - 1] == "_" and name[:end] in self._env_prefix:
                return tuple(self._env_prefix[name[:end]])
        return ()

    def by_host(self, host: str) -> tuple[Entry, ...]:
        """The entries a host names: exactly, or through a listed parent domain
        (``hooks.slack.com`` under ``slack.com``)."""
        host = host.lower().rstrip(".")
        idx = self._idx["hosts"]
        while host:
            found = idx.get(host)
            if found:
                return found
            _, _, host = host.partition(".")
            if "." not in host:
                return ()
        return ()

    def by_scheme(self, scheme: str) -> tuple[Entry, ...]:
        scheme = scheme.lower()
        return self._idx["scheme"].get(scheme) or self._idx["scheme"].get(scheme.split("+")[0])

    def by_config(self, value: str) -> tuple[Entry, ...]:
        """A settings value: exact, or the longest dotted prefix (``django_redis.cache.X``)."""
        idx = self._idx["config"].exact
        parts = value.split(".")
        for end in range(len(parts), 0, -1):
            hit = idx.get(".".join(parts[:end]))
            if hit:
                return tuple(hit)
        return ()

    def platform(self, kind: str) -> Entry | None:
        for entry in self.entries:
            if entry.section == "deployment" and entry.kind == kind:
                return entry
        return None


def js_package_name(spec: str) -> str:
    """``@aws-sdk/client-s3/dist/x`` → ``@aws-sdk/client-s3``; ``lodash/fp`` → ``lodash``;
    relative paths, URLs, ``node:`` builtins and aliases (``@/x``, ``~/x``) → ""."""
    if not spec or spec.startswith((".", "/", "~", "#")) or ":" in spec:
        return ""
    parts = spec.split("/")
    if spec.startswith("@"):
        return "/".join(parts[:2]) if len(parts) >= 2 and len(parts[0]) > 1 else ""
    return parts[0]


def image_name(image: str) -> str:
    """``docker.io/library/postgres:16-alpine@sha256:…`` → ``postgres``; keeps namespaces."""
    ref = image.strip().split("@")[0]
    parts = ref.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    if parts and parts[0] == "library":
        parts = parts[1:]
    if not parts:
        return ""
    parts[-1] = parts[-1].split(":")[0]
    return "/".join(parts).lower()


def _unique(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    return tuple(dict.fromkeys(entries))
