"""One refresh of one base branch: config → affected? → snapshot → core → publish.

Idempotent and stateless: it always works on the current head of `base` and reads its
state back from GitHub (the PR, its branch, its hidden state), so a duplicate or retried
job is a cheap no-op. A push that touches no tracked path is decided from the push's
changed paths (or one compare call) before the tree is fetched: at most two requests
and no write. Errors in the repository's docs or config are reported there (a check run,
or a comment on the bot's PR when checks are not allowed) and not raised; anything else
raises, for the queue to retry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.analysis.catalog import Catalog
from bot.core.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.core.documents import may_be_data_flow_doc
from bot.core.errors import UserError
from bot.core.facts_cache import FactsCache
from bot.core.job_budget import JobBudget, JobDeadline
from bot.core.model import Evidence, FileFacts
from bot.core.refresh import refresh as core_refresh
from bot.service.deadline_report import report_deadline
from bot.service.ports import (
    Annotation,
    CheckReport,
    GatewayFactory,
    HeadSnapshot,
    Identity,
    MissingCommit,
    PullRequest,
    RepoGateway,
)
from bot.service.publishing import DocNote, Proposal, State, branch_for, publish
from bot.service.warm_states import WarmStates

CHECK_NAME = "docs-refresh"
DEFAULT_DOC_DIRS = ("docs/", ".context/")
DOC_SUFFIXES = (".md", ".markdown")
BLOCK_START = b"agent-update:start"
BOT_IDENTITY = Identity("docs-refresh[bot]", "docs-refresh[bot]@users.noreply.github.com")

USER_ERROR_TITLE = "The docs could not be refreshed"
USER_ERROR_SUMMARY = (
    "docs-refresh found problems in this repository and wrote nothing:\n\n"
    "{problems}\n\nFix them and push; the next push refreshes the docs."
)
USER_ERROR_COMMENT = "**docs-refresh could not refresh the docs.**\n\n"


@dataclass(frozen=True)
class RefreshRequest:
    installation_id: int
    repo: str  # "owner/name"
    base: str  # branch name
    force: bool = False
    reason: str = ""  # "push", "installation", "command", ...
    # What a push changed, when known: lets an untouched push stop before the tree.
    # None means unknown (a burst coalesced, >20 commits): then `before` is compared.
    changed_paths: tuple[str, ...] | None = None
    before: str | None = None  # the push's `before` SHA (compare before...base)
    default_branch: str | None = None  # from the payload, saves a repository request


@dataclass(frozen=True)
class RefreshOutcome:
    # not-configured | not-affected | no-branch | user-error | opened | updated |
    # unchanged | closed | fresh | declined | blocked | timed-out
    action: str
    head: str | None = None
    pr_number: int | None = None
    pr_url: str = ""
    message: str = ""
    # "timed-out": what ran out, for a caller that reports it too (a command's reply).
    deadline: JobDeadline | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ServiceDeps:
    gateways: GatewayFactory
    facts_cache: FactsCache
    catalog: Catalog | None
    identity: Identity = BOT_IDENTITY
    defaults: RepoConfig = field(default_factory=RepoConfig)
    # The pure engine: `bot.core.refresh.refresh` unless a test passes another.
    engine: Callable[..., Any] | None = None
    # What the last refresh of each branch left, so a push costs the files it changed.
    warm: WarmStates = field(default_factory=WarmStates)


def refresh_branch(
    request: RefreshRequest, deps: ServiceDeps, budget: JobBudget | None = None
) -> RefreshOutcome:
    """`budget`: the job's time (`bot.core.limits.JOB_SECONDS`), checked between files and
    stages of the analysis; once spent the refresh stops, writes nothing and says so in a
    check run naming the file it was reading ("timed-out")."""
    gw = deps.gateways(request.installation_id, request.repo)
    try:
        config = load_config(gw, deps.defaults)
    except UserError as err:
        default = request.default_branch or gw.default_branch()
        if request.base != default:
            return RefreshOutcome("user-error", message=str(err))
        return _report(gw, request.base, None, [err])
    branches = config.branches or (request.default_branch or gw.default_branch(),)
    if request.base not in branches:
        return RefreshOutcome("not-configured")
    changed, sha = request.changed_paths, None
    if changed is None and request.before and not request.force:
        comparison = gw.compare(request.before, request.base)
        changed, sha = comparison.paths, comparison.head  # the compare names the head too
    if changed is not None and not request.force and not affects_docs(config, changed):
        return RefreshOutcome("not-affected")
    sha = sha or gw.branch_head(request.base)
    if sha is None:
        return RefreshOutcome("no-branch")
    snapshot = gw.snapshot(sha)
    pr = gw.find_pull(branch_for(request.base), request.base)
    since = _since(pr, request.before, sha)
    engine = deps.engine or core_refresh
    try:
        with deps.warm.use((request.installation_id, request.repo, request.base)) as warm:
            result = engine(
                snapshot,
                config,
                cache=_ReadAhead(deps.facts_cache, snapshot),
                catalog=deps.catalog,
                force=request.force,
                base=_base_snapshot(gw, since),
                warm=warm,
                budget=budget,
            )
    except UserError as err:
        return _report(gw, request.base, sha, [err])
    except JobDeadline as err:
        pr_number, pr_url, message = report_deadline(gw, sha, err, pr)
        return RefreshOutcome("timed-out", sha, pr_number, pr_url, message, deadline=err)
    if result.problems:
        return _report(gw, request.base, sha, list(result.problems))
    proposal = Proposal(
        base=request.base,
        head=snapshot.head,
        files={c.path: _bytes(c.new) for c in result.changes},
        origin={c.path: _bytes(c.old) for c in result.changes},
        title=config.pull_request.title,
        labels=config.pull_request.labels,
        draft=config.pull_request.draft,
        notes=tuple(
            DocNote(c.path, tuple(c.changed_sections), bool(c.hand_edited), tuple(c.repairs))
            for c in result.changes
        ),
        facts_markdown=_facts_markdown(gw, sha, result),
        since=since or "",
        force=request.force,
    )
    done = publish(gw, proposal, deps.identity, pr)
    return RefreshOutcome(done.action, sha, done.number, done.url)


class _ReadAhead:
    """Passes the cache's misses to the snapshot as a read hint: a cold start (thousands
    of misses) takes the tarball at once instead of fetching blobs one by one."""

    def __init__(self, cache: FactsCache, snapshot: HeadSnapshot) -> None:
        self._cache = cache
        self._snapshot = snapshot

    def get_many(self, keys: Iterable[str]) -> Mapping[str, FileFacts]:
        wanted = list(keys)
        found = self._cache.get_many(wanted)
        self._snapshot.expect_reads(len(set(wanted)) - len(found))
        return found

    def put_many(self, items: Mapping[str, FileFacts]) -> None:
        self._cache.put_many(items)


def _base_snapshot(gw: RepoGateway, since: str | None) -> HeadSnapshot | None:
    """The snapshot the facts summary compares against; none when that commit is gone."""
    if since is None:
        return None
    try:
        return gw.snapshot(since)
    except MissingCommit:  # a force-push rewrote it away: the PR body goes without a summary
        return None


def _since(pr: PullRequest | None, before: str | None, head: str) -> str | None:
    """What the facts summary compares against: the open PR's, else the push's `before`."""
    state = State.from_body(pr.body) if pr is not None and pr.state == "open" else None
    since = state.since if state is not None and state.since else before
    if since is None or since == head or set(since) == {"0"}:  # a new branch's before is 0…0
        return None
    return since


def repository_has_docs(installation_id: int, repo: str, deps: ServiceDeps) -> bool:
    """True when the default branch has a doc to refresh: one with an `agent-update` block
    (v1) or a dotcontext data-flow front matter (v2)."""
    gw = deps.gateways(installation_id, repo)
    try:
        config = load_config(gw, deps.defaults)
    except UserError:
        return True  # a broken config means someone set the bot up: refresh and report
    sha = gw.branch_head(gw.default_branch())
    if sha is None:
        return False
    snapshot = gw.snapshot(sha)
    candidates = [e.path for e in snapshot.entries() if is_doc_path(config, e.path)]
    return any(is_doc_to_refresh(snapshot.read(path), path) for path in candidates)


def is_doc_to_refresh(data: bytes, path: str) -> bool:
    """A v1 block or a v2 data-flow front matter (a fenced one too: refresh repairs it)."""
    return BLOCK_START in data or may_be_data_flow_doc(data.decode("utf-8", "replace"), path)


def load_config(gw: RepoGateway, defaults: RepoConfig) -> RepoConfig:
    text = gw.config_text(CONFIG_PATH)
    return defaults if text is None else parse_repo_config(text, CONFIG_PATH, defaults)


def is_doc_path(config: RepoConfig, path: str) -> bool:
    if config.docs is not None:
        return path in config.docs
    return path.startswith(DEFAULT_DOC_DIRS) and path.endswith(DOC_SUFFIXES)


def affects_docs(config: RepoConfig, paths: Iterable[str]) -> bool:
    """A change can alter the docs' output: tracked code, a doc itself, or the config."""
    return any(p == CONFIG_PATH or is_doc_path(config, p) or config.tracks(p) for p in paths)


class Located(Protocol):
    @property
    def path(self) -> str | None: ...
    @property
    def line(self) -> int | None: ...
    @property
    def message(self) -> str: ...


def _report(
    gw: RepoGateway, base: str, sha: str | None, problems: Sequence[Located]
) -> RefreshOutcome:
    """Tell the repository what to fix: a check run, else a comment on the bot's PR."""
    lines = "\n".join(f"- {_where(p)}: {p.message}" for p in problems)
    summary = USER_ERROR_SUMMARY.format(problems=lines)
    sha = sha or gw.branch_head(base)
    annotations = tuple(
        Annotation(p.path, p.line or 1, p.message) for p in problems if p.path is not None
    )
    report = CheckReport(CHECK_NAME, "failure", USER_ERROR_TITLE, summary, annotations)
    first = f"{_where(problems[0])}: {problems[0].message}"
    if sha is not None and gw.report_check(sha, report):
        return RefreshOutcome("user-error", sha, message=first)
    pr = gw.find_pull(branch_for(base), base)
    if pr is not None and pr.state == "open":
        gw.create_comment(pr.number, USER_ERROR_COMMENT + summary)
        return RefreshOutcome("user-error", sha, pr.number, pr.html_url, first)
    return RefreshOutcome("user-error", sha, message=first)


def _where(problem: Located) -> str:
    if problem.path and problem.line is not None:
        return f"{problem.path}:{problem.line}"
    return problem.path or "repository"


def _facts_markdown(gw: RepoGateway, sha: str, result: Any) -> str:
    diff = result.facts_diff
    if diff is None:
        return ""
    return str(diff.to_markdown(lambda ev: _evidence_link(gw, sha, ev)))


def _evidence_link(gw: RepoGateway, sha: str, ev: Evidence) -> str:
    label = f"{ev.path}:{ev.line}" if ev.line else ev.path
    return f"[`{label}`]({gw.blob_url(sha, ev.path, ev.line)})"


def _bytes(value: str | bytes | None) -> bytes:
    if value is None:
        return b""
    return value if isinstance(value, bytes) else value.encode("utf-8")
