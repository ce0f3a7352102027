"""Datastores, integrations, deployment, observability and resilience, from per-file facts.

Strength of a claim, strongest first:

* ``used`` — production code imports it (Python module, JS package, Ruby require, Go path);
* ``configured`` — settings, env var names, URL schemes, compose images, platform add-ons;
* ``declared`` — a production dependency in a manifest, and nothing more.

What makes no claim at all, and adds no evidence (a doc that lists it would be inventing):

* files named for development or tests (``requirements-dev.txt``, ``Procfile.dev``,
  ``docker-compose.test.yml``, ``settings/local.py``, ``environments/development.rb``);
* dev/test dependencies: dev groups (``devDependencies``, Poetry/PEP 735 dev groups, Bundler
  ``:development``/``:test``, Pipfile ``dev-packages``), dev-named extras, ``peer``
  dependencies, Go ``// indirect`` requirements;
* ``Gemfile.lock`` entries when a Gemfile sits beside the lock (the Gemfile knows the groups);
* anything under test, fixture, example or docs paths (``tests/``, ``spec/``, ``*_test.go``,
  ``*.spec.ts``, ``examples/``…), whose code and manifests are not the product.

Each item's evidence is deduplicated, sorted strongest first then by path and line, and
capped at `EVIDENCE_CAP`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from posixpath import basename, dirname
from typing import NamedTuple

from bot.core.analysis.catalog import Catalog, Entry
from bot.core.model import Evidence, FileFacts, ImportRef, Item, Service, facts_unchanged

EVIDENCE_CAP = 5
# Categories listed as datastores: a search index holds the app's data as a database does.
# (So does a bucket, `object-storage`: moved to the datastores once the framework configs
# have said which one each environment uses, `framework_config.buckets_apart`.)
_STORES = frozenset({"datastore", "search"})
RANK = {"used": 3, "configured": 2, "declared": 1}
SERVED = "served"  # claim key: (this, queue service name) of an image a compose file runs
DEV_DECLARED = "dev-declared"  # claim key: (this, service name) of a dev-group package
PY_DECLARED = "py-declared"  # claim key: (this, service name) of a Python manifest's package
ENV_READ = "env-read"  # claim key: (this, service name, env name) of an env read naming it
CODE_LANGUAGES = ("python", "javascript", "typescript", "ruby", "go")
# Signals made at a call in code (`egress_other`): the service is used there.
_CALLED = frozenset({"config.program", "config.knex", "config.library_call"})

_DEV_WORDS = frozenset(
    {
        "dev",
        "devel",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "linting",
        "docs",
        "doc",
        "ci",
        "typing",
        "types",
        "mypy",
        "local",
        "tox",
        "style",
        "qa",
        "bench",
        "benchmark",
    }
)
_NON_PRODUCT_DIRS = frozenset(
    {
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "__mocks__",
        "testing",
        "e2e",
        "cypress",
        "playwright",
        "fixtures",
        "testdata",
        "example",
        "examples",
        "docs",
        "doc",
        "samples",
    }
)
# Hidden folders of coding assistants' skills and commands (`.agents/skills/x/check.mjs`):
# a developer's helpers, never deployed.
_ASSISTANT_DIRS = frozenset({".agents", ".claude", ".cursor", ".codex", ".gemini", ".windsurf"})
_CODE_EXTENSIONS = frozenset({"py", "rb", "js", "jsx", "mjs", "cjs", "ts", "tsx", "go"})
_TEST_FILE = re.compile(
    r"^(test_.*\.py|.*_test\.py|conftest\.py|.*_test\.go|.*\.(test|spec)\.[cm]?[jt]sx?|"
    r".*_spec\.rb|.*_test\.rb)$"
)


class ServiceFacts(NamedTuple):
    datastores: tuple[Service, ...] = ()
    integrations: tuple[Service, ...] = ()
    deployment: tuple[Item, ...] = ()
    observability: tuple[Item, ...] = ()
    resilience: tuple[Item, ...] = ()


# The last word of an env file's name that makes it a template, not the app's settings.
ENV_TEMPLATE_WORDS = frozenset({"example", "sample", "template", "dist"})


# Both path tests are pure functions of the path, asked for every file on every run.
@functools.lru_cache(maxsize=1 << 17)
def non_product_path(path: str) -> bool:
    """Tests, fixtures, examples and docs (hidden or not: `.examples/`), and coding
    assistants' folders: their code and manifests prove nothing of the app.
    Nor does a top-level `dev/` folder (mealie's code generators call Crowdin; the app does
    not): deeper, `dev` may be a product's own module."""
    parts = path.split("/")
    dirs = {d.lower() for d in parts[:-1]}
    if len(parts) > 1 and parts[0].lower() == "dev":
        return True
    if dirs & _ASSISTANT_DIRS:
        return True
    # A hidden folder is still what its name says (`.examples/`, `.docs/`).
    dirs |= {d.lstrip(".") for d in dirs if d.startswith(".")}
    return bool(dirs & _NON_PRODUCT_DIRS) or bool(_TEST_FILE.match(basename(path)))


@functools.lru_cache(maxsize=1 << 17)
def dev_only_path(path: str) -> bool:
    """A file for development or tests by its name: ``requirements-dev.txt``,
    ``requirements/test.txt``, ``Procfile.dev``, ``docker-compose.ci.yml``, ``Dockerfile.dev``,
    ``.env.development``, Django ``settings/local.py``, Rails ``environments/development.rb``.

    Code files elsewhere keep their claims (``app/dev_tools.py`` is still the app), and env
    templates (``.env.local.example``) list what the app needs. Decided here from the path:
    extractors see bytes only.
    """
    name = basename(path).lower()
    parent = dirname(path).rsplit("/", 1)[-1].lower()
    words = set(re.split(r"[-_.]+", name)) - {"requirements", "requirement", "reqs"}
    if parent == "requirements":
        words.add(name.rsplit(".", 1)[0])
    if not words & _DEV_WORDS:
        return False
    if name.startswith(".env") and words & ENV_TEMPLATE_WORDS:
        return False
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    settings = parent in ("settings", "environments", "config") or words & {"settings", "config"}
    return extension not in _CODE_EXTENSIONS or bool(settings)


def dev_group(group: str) -> bool:
    if group in ("main", "optional:npm", "optional:poetry"):
        return False
    if group in ("peer", "lock", "indirect"):
        return True
    name = group.split(":", 1)[-1].lower()
    return bool(set(re.split(r"[-_.]+", name)) & _DEV_WORDS)


_Claim = tuple[object, Evidence, str]  # (catalog entry or item key, evidence, strength)


class _Recorded:
    """The claims one file makes, in order, for `_Claims.add` to merge later."""

    def __init__(self) -> None:
        self.made: list[_Claim] = []

    def add(self, key: object, evidence: Evidence, strength: str) -> None:
        self.made.append((key, evidence, strength))

    def add_all(self, entries: Iterable[Entry], evidence: Evidence, strength: str) -> None:
        for entry in entries:
            self.made.append((entry, evidence, strength))


@dataclass
class _Claims:
    """Evidence per catalog entry (or per signal-derived item), each with its strength."""

    by_key: dict[object, dict[Evidence, str]] = field(default_factory=dict)

    def add(self, key: object, evidence: Evidence, strength: str) -> None:
        seen = self.by_key.setdefault(key, {})
        if RANK[strength] > RANK.get(seen.get(evidence, ""), 0):
            seen[evidence] = strength

    def add_all(self, entries: Iterable[Entry], evidence: Evidence, strength: str) -> None:
        for entry in entries:
            self.add(entry, evidence, strength)


# One file's claims, in the order they are made, depend on its path and bytes (so its facts),
# the catalog, whether a Gemfile sits beside it, and the repository's own Python and Go
# names. Kept per catalog while those hold, so a warm run only recomputes changed files and
# replays the rest: the merged claims are the same, in the same order, memo or not.
_FILE_CLAIMS: weakref.WeakKeyDictionary[
    Catalog, dict[tuple[str, str, str, bool], tuple[_Claim, ...]]
]
_FILE_CLAIMS = weakref.WeakKeyDictionary()
_FILE_CLAIMS_MAX = 120_000  # files per catalog


def collect_services(
    files: Mapping[str, FileFacts], catalog: Catalog, shas: Mapping[str, str] | None = None
) -> ServiceFacts:
    """Everything the catalog (and the files' own signals) lets us claim, with evidence.
    `shas` (path to blob SHA) lets each file's claims be reused across calls in one
    process; without it, none are."""
    return build_services(files, catalog, shas).facts


@dataclass(slots=True)
class Services:
    """`collect_services`'s result with the claims it merged, per file, so that
    `update_services` can redo only the files that changed."""

    catalog: Catalog
    gemfile_dirs: set[str]
    local_python: set[str]
    go_modules: set[str]
    claims: dict[str, tuple[_Claim, ...]]  # path -> its claims, for files that make any
    facts: ServiceFacts


def build_services(
    files: Mapping[str, FileFacts], catalog: Catalog, shas: Mapping[str, str] | None = None
) -> Services:
    gemfile_dirs = {dirname(p) for p in files if basename(p) in ("Gemfile", "gems.rb")}
    local_python = _local_python_names(files)
    go_modules = {v for f in files.values() for k, v in f.meta if k == "module"}
    memo = None
    context = ""
    if shas is not None:
        memo = _FILE_CLAIMS.setdefault(catalog, {})
        if len(memo) > _FILE_CLAIMS_MAX:
            memo.clear()
        digest = hashlib.sha1(usedforsecurity=False)
        for names in (sorted(local_python), sorted(go_modules)):
            digest.update("\0".join(names).encode("utf-8", "surrogateescape") + b"\1")
        context = digest.hexdigest()
    # The same import recurs across many files; its entries depend on nothing else this run.
    looked_up: dict[tuple[str, str, tuple[str, ...], int, str], tuple[Entry, ...]] = {}
    by_path: dict[str, tuple[_Claim, ...]] = {}
    for path in sorted(files):
        sha = shas.get(path, "") if shas is not None else ""
        key = (context, path, sha, dirname(path) in gemfile_dirs)
        found = memo.get(key) if memo is not None and sha else None
        if found is None:
            found = _file_claims(
                path, files[path], catalog, gemfile_dirs, local_python, go_modules, looked_up
            )
            if memo is not None and sha:
                memo[key] = found
        if found:
            by_path[path] = found
    state = Services(catalog, gemfile_dirs, local_python, go_modules, by_path, ServiceFacts())
    state.facts = _merge(state)
    return state


def update_services(
    state: Services,
    changed: Iterable[str],
    facts: Mapping[str, FileFacts],
    before: Mapping[str, FileFacts],
) -> bool:
    """Move `state` to files `changed` (same paths) now having `facts` instead of `before`.
    False, `state` untouched, when a change reaches other files' claims (a Go module name)."""
    changed = list(changed)
    if not facts_unchanged(before, facts, changed, "meta"):
        return False
    looked_up: dict[tuple[str, str, tuple[str, ...], int, str], tuple[Entry, ...]] = {}
    for path in changed:
        f = facts.get(path)
        found = () if f is None else _file_claims(
            path, f, state.catalog, state.gemfile_dirs, state.local_python, state.go_modules,
            looked_up,
        )  # fmt: skip
        if found:
            state.claims[path] = found
        else:
            state.claims.pop(path, None)
    state.facts = _merge(state)
    return True


def _merge(state: Services) -> ServiceFacts:
    # In path order, as the files were first seen: what is merged first is shown first.
    claims = _Claims()
    for path in sorted(state.claims):
        for claim_key, evidence, strength in state.claims[path]:
            claims.add(claim_key, evidence, strength)
    return _assemble(claims, state.catalog)


def _file_claims(
    path: str,
    facts: FileFacts,
    catalog: Catalog,
    gemfile_dirs: set[str],
    local_python: set[str],
    go_modules: set[str],
    looked_up: dict[tuple[str, str, tuple[str, ...], int, str], tuple[Entry, ...]],
) -> tuple[_Claim, ...]:
    if non_product_path(path) or dev_only_path(path):
        return ()
    claims = _Recorded()
    _declared(path, facts, catalog, claims, gemfile_dirs)
    if facts.language in CODE_LANGUAGES:
        for ref in facts.imports:
            memo_key = (facts.language, ref.spec, ref.names, ref.level, ref.kind)
            entries = looked_up.get(memo_key)
            if entries is None:
                entries = _imported(facts.language, ref, catalog, local_python, go_modules)
                looked_up[memo_key] = entries
            if entries:
                claims.add_all(entries, Evidence(path, ref.line), "used")
    _configured(path, facts, catalog, claims)
    return tuple(claims.made)


def _declared(
    path: str, facts: FileFacts, catalog: Catalog, claims: _Recorded, gemfile_dirs: set[str]
) -> None:
    for dep in facts.dependencies:
        # A lock without its Gemfile: its direct dependencies are all we have.
        lone_lock = dep.group == "lock" and dirname(path) not in gemfile_dirs
        if dev_group(dep.group) and not lone_lock:
            # Remembered: a service only so declared and otherwise only configured (its
            # env vars read) is a development tool (`_assemble`).
            for entry in catalog.by_package(dep.ecosystem, dep.name):
                claims.add((DEV_DECLARED, entry.name), Evidence(path, dep.line), "declared")
            continue
        entries = catalog.by_package(dep.ecosystem, dep.name)
        claims.add_all(entries, Evidence(path, dep.line), "declared")
        if dep.ecosystem == "pypi":
            # Remembered: a Python package is used only where code imports it (`_assemble`).
            for entry in entries:
                claims.add((PY_DECLARED, entry.name), Evidence(path, dep.line), "declared")


def _imported(
    language: str,
    ref: ImportRef,
    catalog: Catalog,
    local_python: set[str],
    go_modules: set[str],
) -> tuple[Entry, ...]:
    if ref.level or ref.kind == "require_relative" or not ref.spec:
        return ()
    if language == "python":
        if ref.spec.split(".")[0] in local_python:
            return ()
        return catalog.by_python_import(ref.spec, ref.names)
    if language in ("javascript", "typescript"):
        return catalog.by_js_import(ref.spec)
    if language == "ruby":
        return catalog.by_ruby_require(ref.spec)
    if any(ref.spec == m or ref.spec.startswith(m + "/") for m in go_modules):
        return ()  # the repository's own packages
    return catalog.by_go_import(ref.spec)


def _configured(path: str, facts: FileFacts, catalog: Catalog, claims: _Recorded) -> None:
    for read in facts.env:
        for entry in catalog.by_env(read.name):
            claims.add(entry, Evidence(path, read.line), "configured")
            claims.add((ENV_READ, entry.name, read.name), Evidence(path, read.line), "configured")
    code = facts.language in CODE_LANGUAGES
    for signal in facts.signals:
        evidence = Evidence(path, signal.line)
        kind = signal.kind
        if kind == "config.url":
            claims.add_all(catalog.by_scheme(signal.detail), evidence, "configured")
        elif kind == "config.setting":
            claims.add_all(catalog.by_env(signal.name), evidence, "configured")
        elif kind in ("config.compose.image", "config.image", "deployment.docker"):
            entries = catalog.by_image(signal.detail)
            claims.add_all(entries, evidence, "configured")
            if kind == "config.compose.image":
                # A broker or workflow engine the deployment runs as its own service holds
                # the system's work (`_assemble`: a store), unlike a queue library on Redis.
                for entry in entries:
                    if entry.category == "queue":
                        claims.add((SERVED, entry.name), evidence, "configured")
        elif kind in _CALLED and code:  # a program run, a knex client: the code uses it
            claims.add_all(catalog.by_config(signal.detail), evidence, "used")
        elif kind.startswith("config.") and signal.detail:
            claims.add_all(catalog.by_config(signal.detail), evidence, "configured")
        if kind.startswith("deployment."):
            claims.add(("deployment", kind.split(".", 1)[1]), evidence, "configured")
        elif kind.startswith(("observability.", "resilience.")):
            section, aspect = kind.split(".", 1)
            key = (section, aspect, signal.name)
            claims.add(key, evidence, "used" if code else "configured")


def _local_python_names(files: Iterable[str]) -> set[str]:
    """Top-level Python packages and modules of the repository itself (root or ``src/``)."""
    names = set()
    for path in files:
        if not path.endswith(".py"):
            continue
        parts = path.split("/")
        if parts[0] in ("src", "lib") and len(parts) > 1:
            parts = parts[1:]
        names.add(parts[0].removesuffix(".py"))
    return names


def _evidence(found: dict[Evidence, str]) -> tuple[tuple[Evidence, ...], str]:
    """Strongest first; within a strength, one line per file before a file's second line,
    so the capped list shows as many files as it can; then by path and line."""
    ordered = sorted(found.items(), key=lambda kv: (-RANK[kv[1]], kv[0].path, kv[0].line or 0))
    seen: dict[tuple[str, str], int] = {}
    keyed = []
    for evidence, strength in ordered:
        nth = seen.get((strength, evidence.path), 0)
        seen[(strength, evidence.path)] = nth + 1
        keyed.append(((-RANK[strength], nth, evidence.path, evidence.line or 0), evidence))
    keyed.sort(key=lambda pair: pair[0])
    return tuple(e for _, e in keyed[:EVIDENCE_CAP]), ordered[0][1]


def _env_template(name: str) -> bool:
    """`.env.example`, `env.sample`, `example.env`: a file listing what the app may be given."""
    return name.rpartition(".")[2] in ENV_TEMPLATE_WORDS or name == "example.env"


def _template_only(found: Mapping[Evidence, str]) -> bool:
    """Whether every piece of evidence is an example env file (`.env.example`, `env.sample`)."""
    return bool(found) and all(_env_template(basename(e.path)) for e in found)


# Top-level folders of a maintainer's scripts (translations, releases, data fixes), run by
# a person from a checkout, not by the deployment.
_SCRIPT_DIRS = frozenset({"scripts"})


def _maintainer_scripts_only(found: Mapping[Evidence, str]) -> bool:
    """Whether a catalogued service is named only in a top-level `scripts/` folder (an
    import in a translation script, a requirements file of its own): the app's manifests
    and code never name it, so the running product does not use it."""
    return bool(found) and all(e.path.split("/", 1)[0] in _SCRIPT_DIRS for e in found)


# Names of an app's public identifiers at a provider (an OAuth client id, an app's name):
# a page is handed them to start a sign-in or link to the app, and the server that reads
# nothing more (no secret, token or key) cannot call the provider with them.
_PUBLIC_ID_SUFFIXES = ("_CLIENT_ID", "_APP_ID", "_APP_NAME", "_SITE_KEY", "_PUBLISHABLE_KEY")


def _unused_package(
    found: Mapping[Evidence, str], env_reads: Mapping[Evidence, str] | None, names: set[str]
) -> bool:
    """Whether a service is only a package that no code imports plus the public
    identifiers of an app at it read from the environment (`SLACK_CLIENT_ID` echoed to a
    page): the dependency is left over, and reading an id calls nobody. A secret read, a
    setting written in code (`config.setting`), a URL scheme or an image keeps it."""
    if not env_reads or "used" in found.values() or "declared" not in found.values():
        return False
    if not names or not all(n.endswith(_PUBLIC_ID_SUFFIXES) for n in names):
        return False
    return all(strength == "declared" or e in env_reads for e, strength in found.items())


def _unimported_python(found: Mapping[Evidence, str], py_declared: Mapping[Evidence, str]) -> bool:
    """Whether a service is only packages of Python manifests (`stripe` pinned in
    requirements.txt): unlike a Gemfile's gems, which Bundler loads, a Python package does
    nothing until code imports it, and no file does; a left-over pin calls nobody."""
    return bool(found) and all(
        strength == "declared" and e in py_declared for e, strength in found.items()
    )


def _assemble(claims: _Claims, catalog: Catalog) -> ServiceFacts:
    datastores: list[Service] = []
    integrations: list[Service] = []
    # section → (kind, casefolded name) → (evidence with strength, name as shown)
    items: dict[str, dict[tuple[str, str], tuple[dict[Evidence, str], str]]] = {
        "deployment": {},
        "observability": {},
        "resilience": {},
    }

    def add_item(section: str, kind: str, name: str, found: dict[Evidence, str]) -> None:
        key = (kind, name.casefold())
        merged, shown = items[section].get(key, ({}, name))
        for evidence, strength in found.items():
            if RANK[strength] > RANK.get(merged.get(evidence, ""), 0):
                merged[evidence] = strength
        items[section][key] = (merged, shown)

    signal_items: list[tuple[str, str, str, dict[Evidence, str]]] = []
    dev_only = {k[1] for k in claims.by_key if isinstance(k, tuple) and k[0] == DEV_DECLARED}
    py_declared = {
        str(k[1]): found
        for k, found in claims.by_key.items()
        if isinstance(k, tuple) and k[0] == PY_DECLARED
    }
    aspects: list[Entry] = []  # services that are also observability (Sentry, Datadog)
    served = {k[1] for k in claims.by_key if isinstance(k, tuple) and k[0] == SERVED}
    env_reads: dict[str, dict[Evidence, str]] = {}
    env_names: dict[str, set[str]] = {}
    for k, found in claims.by_key.items():
        if isinstance(k, tuple) and k[0] == ENV_READ:
            env_reads.setdefault(str(k[1]), {}).update(found)
            env_names.setdefault(str(k[1]), set()).add(str(k[2]))
    for key, found in claims.by_key.items():
        if isinstance(key, Entry):
            if key.section == "services":
                if _maintainer_scripts_only(found):
                    continue
                if key.name in dev_only and all(v == "configured" for v in found.values()):
                    continue  # a dev-group package whose settings the code reads: not product
                if key.category not in _STORES and _unimported_python(
                    found, py_declared.get(key.name, {})
                ):
                    continue
                if key.category not in _STORES and _unused_package(
                    found, env_reads.get(key.name), env_names.get(key.name, set())
                ):
                    continue
                if key.observability:
                    add_item("observability", key.observability, key.name, found)
                    aspects.append(key)
                    continue
                if key.category not in _STORES and _template_only(found):
                    # An example env file lists what the app may be given (hackathon-starter's
                    # OPENAI_API_KEY, read by no code): a service named only there is not used.
                    continue
                capped, strength = _evidence(found)
                service = Service(key.name, key.category, strength, capped)
                store = key.category in _STORES or (key.category == "queue" and key.name in served)
                (datastores if store else integrations).append(service)
            else:
                add_item(key.section, key.kind, key.name, found)
        elif isinstance(key, tuple) and key[0] == "deployment":
            platform = catalog.platform(str(key[1]))
            add_item("deployment", str(key[1]), platform.name if platform else str(key[1]), found)
        elif isinstance(key, tuple) and key[0] in (DEV_DECLARED, PY_DECLARED, SERVED, ENV_READ):
            continue
        elif isinstance(key, tuple):
            signal_items.append((str(key[0]), str(key[1]), str(key[2]), found))
    # A code signal ("retry decorator", "backoff") in a file that imports a catalogued
    # library of the same kind is that library at work: its line becomes the library's
    # evidence instead of a second, vaguer item.
    used_in: dict[tuple[str, str], list[tuple[str, set[str]]]] = {}
    for section, by_kind in items.items():
        for (kind, _), (library, shown) in sorted(by_kind.items()):
            paths = {e.path for e, strength in library.items() if strength == "used"}
            used_in.setdefault((section, kind), []).append((shown, paths))
    for section, kind, name, found in sorted(signal_items, key=lambda t: t[:3]):
        for one, strength in found.items():
            owners = [n for n, paths in used_in.get((section, kind), []) if one.path in paths]
            add_item(section, kind, owners[0] if owners else name, {one: strength})

    # Such a service shows the same evidence as its observability item, which may have
    # gained code signals (`Sentry.init`) above: the two never disagree on strength.
    for entry in aspects:
        merged, _ = items["observability"][(entry.observability, entry.name.casefold())]
        capped, strength = _evidence(merged)
        service = Service(entry.name, entry.category, strength, capped)
        (datastores if entry.category in _STORES else integrations).append(service)

    def finish(section: str) -> tuple[Item, ...]:
        out = []
        for (kind, _), (found, name) in items[section].items():
            evidence, strength = _evidence(found)
            # Deployment files are configuration by nature; elsewhere the strength is news.
            out.append(Item(name, kind, evidence, "" if section == "deployment" else strength))
        return tuple(sorted(out, key=lambda i: (i.kind, i.name.casefold(), i.name)))

    return ServiceFacts(
        datastores=tuple(sorted(datastores, key=_service_key)),
        integrations=tuple(sorted(integrations, key=_service_key)),
        deployment=finish("deployment"),
        observability=finish("observability"),
        resilience=finish("resilience"),
    )


def _service_key(service: Service) -> tuple[str, str]:
    return (service.name.casefold(), service.name)
