"""Onboarding: one pull request that sets docs-refresh up in a repository with no data-flow doc.

When the App is installed on (or added to) such a repository, it opens **one** pull
request from `docs-refresh/onboarding` into the default branch, titled "Set up
docs-refresh": the data-flow doc `docs-refresh init` would write (the same scaffold, filled
from the repository's facts by the same engine) and a commented `.github/docs-refresh.yml`.

What happens next is read from GitHub, as Renovate does with its onboarding PR:

* open → nothing to do (it is never rebuilt under a person's feet);
* merged → the doc exists: normal operation, this module is not asked again;
* closed unmerged → the answer is no, and it is never opened again for that repository —
  unless a writer comments `/refresh-docs`, which asks for it (`force=True`);
* a branch `docs-refresh/onboarding` whose tip the bot did not write is never moved.

A server setting (`ONBOARDING=false`) turns the whole feature off.

The doc is filled within the job's time (`bot.core.limits.JOB_SECONDS`), before anything is
written: a setup past it ends "timed-out" with no commit, branch or pull request, and a
neutral check run on the default branch's head names the file it was reading.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.core.analysis.catalog import Catalog
from bot.core.config import CONFIG_PATH, RepoConfig
from bot.core.errors import UserError
from bot.core.facts_cache import FactsCache
from bot.core.job_budget import JobBudget, JobDeadline
from bot.core.model import RepoFacts
from bot.core.refresh import refresh as core_refresh
from bot.core.scaffold import SCAFFOLD_PATHS, V2, unfilled_doc
from bot.core.snapshot import FileEntry, Snapshot, git_blob_sha
from bot.service.deadline_report import ONBOARDING, report_deadline
from bot.service.ports import BranchExists, Identity, RepoGateway
from bot.service.refresh import ServiceDeps, load_config

log = logging.getLogger("docs_refresh.onboarding")

# The doc a new team gets: dotcontext v2 (front matter and headings), as `docs-refresh init`
# writes it where a repository has no marker docs; no `generated:` stamp, so the content
# depends on the code alone.
DOC_PATH = SCAFFOLD_PATHS[V2]
BRANCH = "docs-refresh/onboarding"
TITLE = "Set up docs-refresh"
COMMIT_MESSAGE = (
    "docs: set up docs-refresh\n\nA data-flow doc from {source} and a commented config."
)
STATE_PREFIX = "<!-- docs-refresh:onboarding "

CONFIG_TEMPLATE = """\
# docs-refresh: keeps the data-flow doc true to the code (README of docs-refresh for more).
# Every key is optional and read from the default branch; the commented values are the
# defaults. Uncomment a line to change it.

# Docs to refresh. Default: every .md under docs/ and .context/ holding a data-flow doc
# ({doc} here).
# docs: [{doc}]

# A change under these paths (gitwildmatch patterns) can make the docs stale.
# tracks:
#   include: ["**"]
#   exclude: ["docs/**", ".context/**", "**/*.md", "tests/**", "spec/**"]

# Base branches to keep fresh. Default: the default branch ({base}).
# branches: [{base}]

# The pull request that brings refreshed docs.
# pull_request:
#   title: "docs: refresh data-flow documentation"
#   labels: [documentation]
#   draft: false

# One comment on each pull request whose code would make the docs stale, with the diff.
# comments: true

# The check run's conclusion when a pull request leaves the docs stale: neutral or failure.
# check_stale_conclusion: neutral

# Also preview draft pull requests.
# preview_drafts: false
"""

BODY = """\
Welcome to **docs-refresh**! This pull request sets it up for this repository. Nothing \
changes until you merge it.

**What it adds**

- [`{doc}`]({doc_url}): how data enters, moves through and leaves this code, written from \
evidence in the repository (every entry point, datastore and integration cites the file and \
line that proves it). Found on `{base}` at {source_link}: {found}.
- [`{config}`]({config_url}): the options, all commented out (the defaults apply).

**What happens after you merge**

- When a push to `{base}` changes code, docs-refresh regenerates the generated sections of \
the doc and opens (or updates) one pull request, `docs-refresh/{base}`. Text you write \
outside those sections is never touched; an edit inside one is kept and flagged.
- Pull requests that would make the doc stale get one preview comment with the diff, and a \
check run.
- Anyone with write access can comment `/refresh-docs` to refresh now (`/refresh-docs help` \
lists the rest).

**Configure** it in `{config}` on `{base}`: which docs, which paths count as code, which \
branches, the pull request's title and labels, preview comments.

**Not now?** Close this pull request and docs-refresh will not open it again. To get it \
back later, comment `/refresh-docs` on any issue.

{state}
"""


@dataclass(frozen=True, slots=True)
class Onboarded:
    """What `onboard` did: opened | open | merged | declined | has-docs | path-taken |
    blocked | no-branch | timed-out (then `deadline` says what ran out)."""

    action: str
    number: int | None = None
    url: str = ""
    deadline: JobDeadline | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Setup:
    """The onboarding commit's content, and the facts that filled the doc."""

    files: Mapping[str, bytes]
    facts: RepoFacts


def setup_files(
    snapshot: Snapshot,
    config: RepoConfig,
    *,
    cache: FactsCache,
    catalog: Catalog | None,
    base: str,
    budget: JobBudget | None = None,
) -> Setup | None:
    """The doc `docs-refresh init` writes (its scaffold, filled by the engine) and the
    commented config; None when the repository has a data-flow doc already, or a file where
    the doc would go (a person's, never replaced). JobDeadline once `budget` is spent."""
    paths = {e.path for e in snapshot.entries()}
    if DOC_PATH in paths:
        return None
    scaffold = unfilled_doc(V2).encode("utf-8")
    with_doc = _Plus(snapshot, {DOC_PATH: scaffold})
    # Default discovery (not the config's `docs:`): any existing doc, v1 or v2, means no.
    result = core_refresh(
        with_doc, replace(config, docs=None), cache=cache, catalog=catalog, budget=budget
    )
    if any(doc != DOC_PATH for doc in result.docs) or result.problems:
        return None
    filled = next((c.new for c in result.changes if c.path == DOC_PATH), None)
    doc = filled.encode("utf-8") if filled is not None else scaffold
    files = {DOC_PATH: doc}
    if CONFIG_PATH not in paths:
        files[CONFIG_PATH] = CONFIG_TEMPLATE.format(doc=DOC_PATH, base=base).encode()
    return Setup(files, result.facts)


def onboard_repository(
    installation_id: int,
    repo: str,
    deps: ServiceDeps,
    *,
    force: bool = False,
    budget: JobBudget | None = None,
) -> Onboarded:
    """`onboard` one repository of an installation, with the service's dependencies."""
    gw = deps.gateways(installation_id, repo)
    try:
        config = load_config(gw, deps.defaults)
    except UserError:
        return Onboarded("has-docs")  # a config, even a broken one: someone set the bot up
    return onboard(
        gw,
        config,
        cache=deps.facts_cache,
        catalog=deps.catalog,
        identity=deps.identity,
        force=force,
        budget=budget,
    )


def onboard(
    gw: RepoGateway,
    config: RepoConfig,
    *,
    cache: FactsCache,
    catalog: Catalog | None,
    identity: Identity,
    force: bool = False,
    budget: JobBudget | None = None,
) -> Onboarded:
    """Open the onboarding pull request unless GitHub says it is not wanted (see the module
    docstring). `force`: a writer asked (`/refresh-docs`), so a closed one is no answer.
    `budget`: the job's time, spent only before the first write (see the module docstring)."""
    base = gw.default_branch()
    pr = gw.find_pull(BRANCH, base)
    if pr is not None and pr.state == "open":
        return Onboarded("open", pr.number, pr.html_url)
    if pr is not None and pr.merged:
        return Onboarded("merged", pr.number, pr.html_url)
    if pr is not None and not force:
        return Onboarded("declined", pr.number, pr.html_url)
    sha = gw.branch_head(base)
    if sha is None:
        return Onboarded("no-branch")
    snapshot = gw.snapshot(sha)
    snapshot.expect_reads(len(snapshot.entries()))  # a first look reads every file: one fetch
    try:
        setup = setup_files(
            snapshot, config, cache=cache, catalog=catalog, base=base, budget=budget
        )
    except JobDeadline as err:  # nothing is written yet: no commit, branch or pull request
        _, _, message = report_deadline(gw, sha, err, None, ONBOARDING)
        log.warning("onboarding %s %s", gw.repo, message)
        return Onboarded("timed-out", deadline=err)
    if setup is None:
        return Onboarded("path-taken" if _has(snapshot, DOC_PATH) else "has-docs")
    message = COMMIT_MESSAGE.format(source=sha[:12])
    commit = gw.write_commit(snapshot.head, setup.files, message, identity)
    try:
        gw.set_branch(BRANCH, commit, create=True)
    except BranchExists:  # left from an earlier onboarding: move it only when it is ours
        tip = gw.branch_head(BRANCH)
        if tip is not None and not _authored(gw, tip, identity):
            log.info("%s has a person's commit on %s: not moved", gw.repo, BRANCH)
            return Onboarded("blocked")
        gw.set_branch(BRANCH, commit, create=tip is None)
    body = render_body(gw, base, sha, commit, setup.facts)
    opened = gw.open_pull(base, BRANCH, TITLE, body, False)
    return Onboarded("opened", opened.number, opened.html_url)


def render_body(gw: RepoGateway, base: str, source: str, commit: str, facts: RepoFacts) -> str:
    state = STATE_PREFIX + json.dumps({"base": source, "head": commit}, sort_keys=True) + " -->"
    return BODY.format(
        doc=DOC_PATH,
        doc_url=gw.blob_url(BRANCH, DOC_PATH),
        config=CONFIG_PATH,
        config_url=gw.blob_url(BRANCH, CONFIG_PATH),
        base=base,
        source_link=f"[`{source[:12]}`]({gw.commit_url(source)})",
        found=found_line(facts),
        state=state,
    )


def found_line(facts: RepoFacts) -> str:
    """ "3 entry points, 2 datastores and 1 integration" (what the doc shows first)."""
    parts = [
        _count(len(facts.entrypoints), "entry point"),
        _count(len(facts.datastores), "datastore"),
        _count(len(facts.integrations), "external integration"),
    ]
    return f"{parts[0]}, {parts[1]} and {parts[2]}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _has(snapshot: Snapshot, path: str) -> bool:
    return any(e.path == path for e in snapshot.entries())


def _authored(gw: RepoGateway, sha: str, identity: Identity) -> bool:
    info = gw.commit(sha)
    return info.author.email == identity.email and info.committer.email == identity.email


class _Plus:
    """A snapshot with a few files added (the doc the onboarding commit would add)."""

    def __init__(self, inner: Snapshot, extra: Mapping[str, bytes]) -> None:
        self._inner = inner
        self._extra = dict(extra)
        listed = {e.path: e for e in inner.entries()}
        for path, data in self._extra.items():
            listed[path] = FileEntry(path, git_blob_sha(data), len(data))
        self._entries = tuple(sorted(listed.values()))

    @property
    def source(self) -> str | None:
        return None  # not a commit of the repository: nothing may be cached by source

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        if path in self._extra:
            return self._extra[path]
        return self._inner.read(path)
