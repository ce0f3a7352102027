"""GitHub faults at each request of a refresh, through the sandbox's fault injection: 5xx,
403 secondary limit with `retry-after`, 422 not-a-fast-forward on ref writes, timeouts.

The refresh runs as the worker runs it (`bot.app.tasks.execute`, job retries taken from the
queue's schedule). Whatever fails, the refresh ends as a clean one does — one PR, one
commit on the base head, the right doc, its labels, no comment — waits what GitHub asks,
and never repeats a write blindly: after a failed write, the state is read again first.
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app.jobs import Message, refresh_job
from bot.app.metrics import Metrics
from bot.app.tasks import Queue, build_queue, execute
from bot.app.worker_context import WorkerContext
from bot.core.config import RepoConfig
from bot.core.facts_cache import MemoryFactsCache
from bot.github.auth import ClientOptions, Clients, TokenCache
from bot.github.factory import html_url_for
from bot.github.gateway import GithubGateway
from bot.local.catalog_file import default_catalog
from bot.sandbox import SandboxHandle, start_sandbox
from bot.service.refresh import ServiceDeps
from bot.settings import Settings
from tests.app.harness import STRIPE, fresh_doc
from tests.helpers.sandbox import commit_files, git, make_repo
from tests.reliability.stack import BOT_BRANCH, DOC, REPO, shop_files

pytestmark = pytest.mark.slow
RETRY_AFTER = 1
TIMEOUT = 1  # the client's read timeout here; a held request outlasts it
BOTO = {"shop/files.py": "import boto3\n", "requirements.txt": "flask>=3\nstripe>=8\nboto3\n"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: docs fresh for the shop, then a commit adding Stripe (the docs are stale)."""
    path = make_repo(tmp_path_factory.mktemp("faults") / "shop", shop_files())
    commit_files(path, STRIPE, "Add payments")
    return path


@dataclasses.dataclass
class Rig:
    sb: SandboxHandle
    repo: Path
    queue: Queue
    ctx: WorkerContext
    sleeps: list[float]
    delays: list[float]

    def refresh(self) -> list[str]:
        """One refresh job, and its retries from the schedule, to the end."""
        job = refresh_job(self.sb.installation_id, REPO, "main", reason="push")
        outcomes = [execute(self.queue, self.ctx, Message(job, time.time(), 0))]
        ran_at = _utcnow()  # a retry scheduled by that run is due `delay` after it, at least
        for _ in range(6):
            # A task with an eta waits in the queue until a consumer moves it to the schedule.
            tasks = [t for t in iter(self.queue.huey.dequeue, None)]
            tasks += self.queue.huey.read_schedule(_utcnow() + datetime.timedelta(days=1))
            if not tasks:
                return outcomes
            self._wait_for_held_requests()  # the backoff outlasts them in production
            now = ran_at
            for task in tasks:
                if task.eta is not None:
                    self.delays.append((task.eta - now).total_seconds())
                outcomes.append(execute(self.queue, self.ctx, Message.from_dict(task.args[0])))
                ran_at = _utcnow()
        raise AssertionError(f"still retrying after 6 rounds: {outcomes}")

    def _wait_for_held_requests(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self.sb.store.lock:
                held = [f for f in self.sb.store.faults if f.kind == "delay"]
            if not held and any(r.get("fault") == "delay" for r in self.sb.request_log()):
                return
            if not held and not self._has_delay_fault:
                return
            time.sleep(0.02)

    _has_delay_fault: bool = False

    def requests(self) -> list[dict[str, Any]]:
        return [r for r in self.sb.request_log() if r["path"].startswith("/repos/")]


def _utcnow() -> datetime.datetime:
    """huey's clock with utc=True: naive UTC."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


@contextmanager
def fresh_rig(tmp_path: Path, template: Path) -> Iterator[Rig]:
    """A copy of the template repository served by its own sandbox, and a worker's context."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    repo = Path(shutil.copytree(template, tmp_path / "shop", symlinks=True))
    with start_sandbox({REPO: repo}, webhook_url=None, data_dir=tmp_path / "sandbox") as sb:
        settings = Settings(
            webhook_secret="s",
            data_dir=tmp_path / "data",
            app_id=sb.app_id,
            private_key=sb.private_key_pem,
            github_api_url=sb.api_url,
            github_write_interval=0.0,
        )
        queue = build_queue(settings)
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)  # what the gateway waits between a refused write and its retry

        options = ClientOptions(api_url=sb.api_url, seconds_between_writes=0.0, timeout=TIMEOUT)
        clients = Clients(TokenCache(sb.app_id, sb.private_key_pem, options), options)

        def gateways(installation: int, name: str) -> GithubGateway:
            return GithubGateway(
                clients.for_installation(installation),
                name,
                html_url=html_url_for(sb.api_url),
                sleep=sleep,
                turn=clients.turn(installation),
            )

        deps = ServiceDeps(
            gateways=gateways,
            facts_cache=MemoryFactsCache(),
            catalog=default_catalog(),
            defaults=RepoConfig(),
        )
        ctx = WorkerContext(settings, queue.storage, Metrics(queue.storage), queue.enqueue, deps)
        yield Rig(sb, repo, queue, ctx, sleeps, [])
        queue.huey.storage.close()


def _positions(rig: Rig, scenario: str) -> list[tuple[str, str]]:
    _prepare(rig, scenario)
    rig.sb.clear_request_log()
    done = {"open": "opened", "update": "updated", "close": "closed"}[scenario]
    assert rig.refresh() == [done]
    seen: list[tuple[str, str]] = []
    for r in rig.requests():
        # SHAs differ from one repository copy to the next (commit dates): match any.
        position = (r["method"], re.sub(r"\b[0-9a-f]{40}\b", "*", r["path"]))
        if position not in seen:
            seen.append(position)
    return seen


def _prepare(rig: Rig, scenario: str) -> None:
    if scenario == "update":  # the PR exists; then someone pushes another change
        assert rig.refresh() == ["opened"]
        rig.sb.admin(
            "POST",
            f"/_sandbox/repos/{REPO}/commits",
            {"user": "alice", "branch": "main", "files": BOTO, "deliver": False},
        )
    if scenario == "close":  # the PR exists; then a person makes main's docs fresh
        assert rig.refresh() == ["opened"]
        fresh = {DOC: _expected("open")}
        rig.sb.admin(
            "POST",
            f"/_sandbox/repos/{REPO}/commits",
            {"user": "alice", "branch": "main", "files": fresh, "deliver": False},
        )


def _expected(scenario: str) -> str:
    files = {**shop_files(), **STRIPE, **(BOTO if scenario == "update" else {})}
    return fresh_doc(files)


# Requests positions recorded once per scenario (module-level cache; cheap to rebuild).
_POSITIONS: dict[str, list[tuple[str, str]]] = {}

FAULTS = ("server_error", "secondary_limit", "unprocessable", "timeout")


def _cases() -> list[tuple[str, str]]:
    return [
        *((scenario, kind) for scenario in ("open", "update") for kind in FAULTS),
        ("close", "server_error"),
        ("close", "timeout"),
    ]


@pytest.mark.parametrize(("scenario", "kind"), _cases(), ids=[f"{s}-{k}" for s, k in _cases()])
def test_a_fault_at_any_request_ends_like_a_clean_refresh(
    tmp_path: Path, template: Path, scenario: str, kind: str
) -> None:
    if scenario not in _POSITIONS:
        with fresh_rig(tmp_path / "record", template) as rig:
            _POSITIONS[scenario] = _positions(rig, scenario)
    positions = _POSITIONS[scenario]
    faulted = 0
    for index, (method, path) in enumerate(positions):
        write = method != "GET"
        is_ref_write = "/git/refs" in path and write
        if kind == "unprocessable" and not is_ref_write:
            continue  # GitHub answers 422 not-a-fast-forward only to ref writes
        if kind == "timeout" and not write:
            continue  # reads time out and are retried by the client, as any GET
        with fresh_rig(tmp_path / f"{index}", template) as rig:
            _prepare(rig, scenario)
            rig.sb.clear_request_log()
            if kind == "timeout":
                rig._has_delay_fault = True
                rig.sb.inject_fault("delay", method=method, path=path, delay=TIMEOUT + 0.5)
            else:
                rig.sb.inject_fault(kind, method=method, path=path, retry_after=RETRY_AFTER)
            started = time.monotonic()
            outcomes = rig.refresh()
            elapsed = time.monotonic() - started
            where = f"{kind} at {method} {path} ({scenario})"
            if scenario == "close":
                _assert_closed_once(rig, where, outcomes)
            else:
                _assert_clean_end(rig, scenario, where, outcomes)
            _assert_waits(rig, kind, write, elapsed, where)
            _assert_no_blind_write_retry(rig, kind, method, path, where)
            faulted += 1
    print(f"{scenario}/{kind}: {faulted} positions faulted of {len(positions)}")
    assert faulted >= 1


def _assert_closed_once(rig: Rig, where: str, outcomes: list[str]) -> None:
    assert outcomes[-1] in ("closed", "fresh"), (where, outcomes)
    (pr,) = _api_pulls(rig)
    assert pr["state"] == "closed", where
    from tests.helpers.sandbox import installation_client

    client = installation_client(rig.sb)
    path = f"/repos/{REPO}/issues/{pr['number']}/comments"
    comments = client.requester.requestJsonAndCheck("GET", path)[1]
    assert len(comments) == 1, (where, "one closing comment", [c["body"] for c in comments])
    assert (
        subprocess.run(
            ["git", "-C", str(rig.repo), "rev-parse", "--verify", "-q", BOT_BRANCH],
            capture_output=True,
            check=False,
        ).returncode
        != 0
    ), (where, "the branch is deleted")


def _assert_clean_end(rig: Rig, scenario: str, where: str, outcomes: list[str]) -> None:
    assert outcomes[-1] in ("opened", "updated", "unchanged"), (where, outcomes)
    with rig.sb.store.lock:
        assert rig.sb.store.faults == [], (where, "the fault was never reached")
    opened = [
        r
        for r in rig.sb.request_log()
        if r["method"] == "POST" and r["path"].endswith("/pulls") and r["status"] < 300
    ]
    assert len(opened) <= 1, (where, "a second PR was opened")
    comments = [
        r for r in rig.sb.request_log() if r["path"].endswith("/comments") and r["method"] == "POST"
    ]
    assert comments == [], (where, "a comment was written")
    main = git(rig.repo, "rev-parse", "main")
    assert git(rig.repo, "rev-parse", f"{BOT_BRANCH}~1") == main, where
    text = git(rig.repo, "show", f"{BOT_BRANCH}:{DOC}")
    assert text == _expected(scenario).rstrip("\n"), where
    data = _api_pulls(rig)
    assert len(data) == 1, (where, "exactly one PR")
    assert data[0]["head"]["sha"] == git(rig.repo, "rev-parse", BOT_BRANCH), where
    assert [label["name"] for label in data[0]["labels"]] == ["documentation"], where


def _api_pulls(rig: Rig) -> list[dict[str, Any]]:
    from tests.helpers.sandbox import installation_client

    client = installation_client(rig.sb)
    return list(client.requester.requestJsonAndCheck("GET", f"/repos/{REPO}/pulls?state=all")[1])


def _assert_waits(rig: Rig, kind: str, write: bool, elapsed: float, where: str) -> None:
    if kind != "secondary_limit":
        return
    if write:  # the gateway waits retry-after once, then writes again (it was not done)
        assert rig.sleeps == [RETRY_AFTER], where
    else:  # the client waits retry-after before the GET again
        assert elapsed >= RETRY_AFTER, where


def _assert_no_blind_write_retry(rig: Rig, kind: str, method: str, path: str, where: str) -> None:
    if method == "GET" or kind == "secondary_limit":
        return  # reads are safe to repeat; a refused-for-rate write was never done
    log = rig.requests()
    hits = [
        i
        for i, r in enumerate(log)
        if r["method"] == method and fnmatch.fnmatchcase(r["path"], path)
    ]
    first, later = hits[0], hits[1:]
    if later:
        between = log[first + 1 : later[0]]
        assert any(r["method"] == "GET" for r in between), (where, "written again unread")
    for delay in rig.delays:
        assert delay >= 4.9, (where, "a job retry waits its backoff (5 s and more)")
