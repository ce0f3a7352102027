"""Every job that runs the analysis has the refresh job's time budget and its clean end: the
preview, `/refresh-docs` on a pull request or an issue, and the onboarding pull request.

Against the sandbox with the real web app, queue, job functions and service. The worker's
clock is the test's: it moves one tick per look, so a job runs out of time at a chosen look
(the budget is looked at once per stage and once per file read), naming a known file. Each
job ends "timed-out" once: not retried, its journal record gone, its lock free.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.jobs import JobKey
from bot.app.worker_context import WorkerContext
from bot.core.limits import JOB_SECONDS
from bot.service.comments import PREVIEW_MARKER, REPLY_MARKER
from bot.service.onboarding import BRANCH as ONBOARDING_BRANCH
from bot.service.onboarding import DOC_PATH as SCAFFOLD_PATH
from tests.app.harness import DOC, REPO, STRIPE, Harness, initial_files, start
from tests.app.test_installation_flow import Flow
from tests.app.test_onboarding_flow import SHOP, install, make_flow, pulls
from tests.helpers.sandbox import forbid_check_runs, git

pytestmark = pytest.mark.slow

PAYMENTS = "shop/payments.py"
# A second push to the pull request: one file, new bytes (a cache miss, so a read).
MORE = {PAYMENTS: STRIPE[PAYMENTS] + "\nCURRENCY = 'eur'\n"}


def out_of_time(ctx: WorkerContext, look: int) -> None:
    """Jobs from now run out of time at the `look`-th look at their budget after their start.
    A look is one tick: after "getting the repository" (1), after each file read (2, ...)."""
    ticks = itertools.count()
    ctx.clock = lambda: float(next(ticks))
    ctx.settings = dataclasses.replace(ctx.settings, job_seconds=float(look))


def in_time(ctx: WorkerContext) -> None:
    ctx.clock = time.monotonic
    ctx.settings = dataclasses.replace(ctx.settings, job_seconds=JOB_SECONDS)


def assert_ended_once(queue: Any, key: JobKey) -> None:
    """Counted done: nothing queued or scheduled again, no journal record, the lock free."""
    assert queue.huey.pending_count() == 0
    assert queue.huey.scheduled_count() == 0
    assert queue.journal is not None
    assert queue.journal.records() == []
    assert queue.recover() == 0
    lease = queue.storage.acquire(key.lock_name, 1.0, now=time.time())
    assert lease is not None
    lease.release()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from start(tmp_path, initial_files())


def pull_key(h: Harness, number: int) -> JobKey:
    return JobKey(h.sb.installation_id, REPO, f"pull/{number}")


def open_pull(h: Harness) -> int:
    h.commit("alice", "add-stripe", STRIPE, **{"from": "main", "deliver": False})
    return h.open_pull("alice", "add-stripe")


def deadline_check(h: Harness, sha: str) -> tuple[dict[str, Any], str]:
    """The head's one check run, neutral, and the file its one annotation names."""
    [check] = h.check_runs(sha)
    assert (check["name"], check["conclusion"]) == ("docs-refresh", "neutral")
    [note] = h.annotations(check["id"])
    assert note["annotation_level"] == "warning"
    assert f"while reading `{note['path']}`" in check["output"]["summary"]
    return check, str(note["path"])


def previews(h: Harness) -> list[str]:
    """Run the queued jobs; the previews' outcomes (a push to the branch also queues a
    refresh of it, which ends "not-configured": only `main` is refreshed)."""
    return [outcome for name, outcome in h.run_jobs() if name == "preview"]


def replies(h: Harness, number: int) -> list[str]:
    return [c["body"] for c in h.bot_comments(number) if c["body"].startswith(REPLY_MARKER)]


# --- the preview ---------------------------------------------------------------------------


def test_a_preview_out_of_time_says_so_in_its_check_naming_the_file_and_ends_once(
    harness: Harness,
) -> None:
    number = open_pull(harness)
    out_of_time(harness.ctx, 3)  # the second file read
    assert harness.run_jobs() == [("preview", "timed-out")]
    head = harness.head("add-stripe")
    check, path = deadline_check(harness, head)
    assert path in git(harness.path, "ls-tree", "-r", "--name-only", head).split()
    assert check["output"]["title"] == "No preview: the job ran out of time"
    summary = check["output"]["summary"]
    assert "its time for one preview" in summary
    assert "other file(s) not read" in summary
    assert "The next push to this pull request previews it again" in summary
    assert harness.comments(number) == []  # the check says it: no comment opened for it
    assert_ended_once(harness.queue, pull_key(harness, number))
    # The next push, in time, is previewed as usual.
    in_time(harness.ctx)
    harness.commit("alice", "add-stripe", MORE)
    assert previews(harness) == ["stale"]
    [comment] = harness.bot_comments(number)
    assert "Integration added: **Stripe**" in comment["body"]


def test_a_warm_preview_out_of_time_names_the_pushed_file_in_the_sticky_and_starts_cold_next(
    harness: Harness,
) -> None:
    number = open_pull(harness)
    assert harness.run_jobs() == [("preview", "stale")]
    [sticky] = harness.bot_comments(number)
    # Warm: the pull request's state is kept, so the next preview reads the pushed file only.
    out_of_time(harness.ctx, 2)  # the first file read: the only one
    head = harness.commit("alice", "add-stripe", MORE)
    assert previews(harness) == ["timed-out"]
    _, path = deadline_check(harness, head)
    assert path == PAYMENTS
    # The sticky no longer shows the older head's preview as if it were this one's.
    [edited] = harness.bot_comments(number)
    assert edited["id"] == sticky["id"]
    assert edited["body"].startswith(PREVIEW_MARKER)
    assert f"no preview of `{head[:7]}`" in edited["body"]
    assert f"while reading `{PAYMENTS}`" in edited["body"]
    assert "Integration added" not in edited["body"]
    assert_ended_once(harness.queue, pull_key(harness, number))
    # The state it may have half-updated was dropped: the next preview starts cold, and right.
    states = harness.ctx.deps.warm
    [key] = [k for k in states.held() if isinstance(k, tuple) and k[1:] == (REPO, "pull", number)]
    with states.use(key) as warm:
        assert warm.repo_facts is None
    in_time(harness.ctx)
    later = harness.commit("alice", "add-stripe", {PAYMENTS: MORE[PAYMENTS] + "# more\n"})
    assert previews(harness) == ["stale"]
    [again] = harness.bot_comments(number)
    assert again["id"] == sticky["id"]
    assert "Integration added: **Stripe**" in again["body"]
    assert f"`{later[:7]}`" in again["body"]


def test_a_preview_out_of_time_without_checks_permission_says_so_in_a_comment(
    harness: Harness,
) -> None:
    number = open_pull(harness)
    forbid_check_runs(harness.sb)
    out_of_time(harness.ctx, 3)
    assert harness.run_jobs() == [("preview", "timed-out")]
    head = harness.head("add-stripe")
    assert harness.check_runs(head) == []
    [comment] = harness.bot_comments(number)
    assert comment["body"].startswith(PREVIEW_MARKER)
    assert f"no preview of `{head[:7]}`" in comment["body"]
    assert "ran out of time" in comment["body"]
    assert "while reading `" in comment["body"]


# --- /refresh-docs -------------------------------------------------------------------------


def test_refresh_docs_on_a_pull_out_of_time_commits_nothing_and_replies_naming_the_file(
    harness: Harness,
) -> None:
    number = open_pull(harness)
    harness.run_jobs()  # its preview, in time: the pull request's state is warm
    harness.add_collaborator("wendy", "write")
    head = harness.commit("alice", "add-stripe", MORE, deliver=False)  # not previewed yet
    out_of_time(harness.ctx, 2)  # the command reads the pushed file only
    harness.sb.clear_request_log()
    comment = harness.comment("wendy", number, "/refresh-docs")
    assert harness.run_jobs() == [("command", "timed-out")]
    assert harness.head("add-stripe") == head  # nothing committed
    assert harness.requests_made("POST", "/git/") == []
    assert harness.reactions(comment["id"]) == ["confused", "eyes"]
    [reply] = replies(harness, number)
    assert "`/refresh-docs` ran out of time" in reply
    assert f"while reading `{PAYMENTS}`" in reply
    assert "Comment `/refresh-docs` again to retry" in reply
    key = JobKey(harness.sb.installation_id, REPO, f"pull/{number}")
    assert_ended_once(harness.queue, key)
    # Asked again in time, it commits.
    in_time(harness.ctx)
    harness.comment("wendy", number, "/refresh-docs")
    assert ("command", "committed") in harness.run_jobs()
    assert "Stripe" in harness.show(harness.head("add-stripe"), DOC)


def test_refresh_docs_on_an_issue_out_of_time_reports_on_main_and_replies(
    harness: Harness,
) -> None:
    harness.commit("octo", "main", STRIPE, deliver=False)  # main's docs are now stale
    issue = harness.admin("POST", f"/_sandbox/repos/{REPO}/issues", {"user": "octo"})["issue"]
    out_of_time(harness.ctx, 3)
    comment = harness.comment("octo", issue["number"], "/refresh-docs")
    assert harness.run_jobs() == [("command", "timed-out")]
    # The refresh's own report: a neutral check run on main's head naming the file.
    _, path = deadline_check(harness, harness.head("main"))
    [reply] = replies(harness, issue["number"])
    assert f"while reading `{path}`" in reply
    assert harness.reactions(comment["id"]) == ["confused", "eyes"]
    assert harness.api(f"/repos/{REPO}/pulls?state=all") == []
    assert_ended_once(harness.queue, JobKey(harness.sb.installation_id, REPO, "main"))


# --- onboarding ----------------------------------------------------------------------------


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    yield from make_flow(tmp_path)


def test_onboarding_out_of_time_leaves_no_branch_or_pull_and_reports_on_main(
    flow: Flow,
) -> None:
    main = git(flow.repos / "shop", "rev-parse", "main")
    flow.sb.clear_request_log()
    out_of_time(flow.ctx, 2)  # the first file read
    assert install(flow, "i-1") == [("install", "queued"), ("onboard", "timed-out")]
    assert pulls(flow) == []
    assert git(flow.repos / "shop", "branch", "--list", ONBOARDING_BRANCH) == ""
    writes = [f"{r['method']} {r['path']}" for r in flow.sb.request_log() if r["write"]]
    assert [w for w in writes if "/repos/" in w] == ["POST /repos/octo/shop/check-runs"]
    with flow.sb.store.lock:
        (run,) = flow.sb.store.check_runs.values()
    assert (run.head_sha, run.name, run.conclusion) == (main, "docs-refresh", "neutral")
    (note,) = run.annotations
    assert note["path"] in {*SHOP, SCAFFOLD_PATH}
    assert run.output["title"] == "docs-refresh not set up: the job ran out of time"
    summary = run.output["summary"]
    assert f"while reading `{note['path']}`" in summary
    assert "opened no pull request" in summary
    assert "Comment `/refresh-docs` on any issue to try again" in summary
    assert_ended_once(flow.queue, JobKey(flow.sb.installation_id, "octo/shop", ONBOARDING_BRANCH))
    # Not a "no": installed again in time, the pull request is opened.
    in_time(flow.ctx)
    assert install(flow, "i-2") == [("install", "queued"), ("onboard", "opened")]
    (pr,) = pulls(flow)
    assert pr.title == "Set up docs-refresh"
