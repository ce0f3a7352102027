"""End to end with real processes: gunicorn and the worker as `docs-refresh serve` and
`docs-refresh worker`, the sandbox as GitHub, and a real redis-server for the Redis mode."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.jobs import JobKey
from bot.app.tasks import build_queue
from bot.app.webhooks import sign
from bot.sandbox import start_sandbox
from bot.settings import Settings
from tests.app.processes import (
    WORKER_WITH_TEST_JOBS,
    docs_refresh,
    healthy,
    http,
    process_env,
    running,
    wait_for,
)
from tests.app.recording_jobs import record_job, runs
from tests.helpers.redis import free_port
from tests.helpers.sandbox import FULL_NAME, git, make_repo

pytestmark = pytest.mark.slow
SECRET = "end-to-end secret"
STARTUP = 45.0  # seconds for gunicorn to answer, generous: the machine is shared


def test_two_workers_on_redis_run_one_job_per_key_never_at_once(
    tmp_path: Path, redis_url: str
) -> None:
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data", redis_url=redis_url)
    queue = build_queue(settings)
    log = tmp_path / "runs.jsonl"
    keys = [JobKey(1, f"o/r{n}", "main") for n in range(6)]
    for _ in range(4):  # a burst per key, queued before any worker runs
        queue.enqueue([record_job(log, key, tag=key.repo, sleep=0.1) for key in keys])
    # The recording job never calls GitHub; the worker still wants credentials to start.
    github = {"APP_ID": "1", "PRIVATE_KEY": "unused by the recording job"}
    env = process_env(tmp_path, {"WEBHOOK_SECRET": SECRET, "REDIS_URL": redis_url, **github})
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    command = [sys.executable, "-c", WORKER_WITH_TEST_JOBS]
    with running(command, env, logs[0]), running(command, env, logs[1]):
        wait_for(lambda: len(runs(log)) >= len(keys), 20, "the first burst", logs)
        # Now bursts while both workers run: runs of one key may repeat, never overlap.
        hot = keys[0]
        for _ in range(6):
            queue.enqueue([record_job(log, hot, tag=hot.repo, sleep=0.2)])
            time.sleep(0.05)
        wait_for(lambda: queue.huey.pending_count() == 0, 20, "the queue to drain", logs)
        wait_for(lambda: _idle(queue, hot), 20, "the hot key to finish", logs)
    done = runs(log)
    first = [r for r in done if r["args"].get("sleep") == 0.1]
    assert sorted(str(r["args"]["tag"]) for r in first) == sorted(k.repo for k in keys)
    hot_runs = sorted((r for r in done if r["args"]["tag"] == hot.repo), key=lambda r: r["start"])
    assert 2 <= len(hot_runs) <= 1 + 6
    for earlier, later in itertools.pairwise(hot_runs):
        assert earlier["end"] <= later["start"], "two runs of one key overlapped"
    queue.huey.storage.pool.disconnect()


def _idle(queue: object, key: JobKey) -> bool:
    storage = queue.storage  # type: ignore[attr-defined]
    lease = storage.acquire(key.lock_name, 5, now=time.time())
    if lease is None:
        return False
    lease.release()
    return bool(queue.huey.scheduled_count() == 0)  # type: ignore[attr-defined]


@pytest.fixture(params=["split", "embedded", "split-redis"])
def deployment(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[object, int, list[Path], Path]]:
    """The sandbox serving octo/demo, and the bot's processes against it: `serve` and
    `worker` (as the Procfile runs them) on SQLite or on a real redis-server, or `run`
    (both in one, for one machine)."""
    repo = make_repo(tmp_path / "repos" / "demo")
    port = free_port()
    with start_sandbox(
        {FULL_NAME: repo},
        webhook_url=f"http://127.0.0.1:{port}/webhook",
        webhook_secret=SECRET,
        data_dir=tmp_path / "sandbox",
    ) as sb:
        env = process_env(
            tmp_path,
            {
                "WEBHOOK_SECRET": SECRET,
                "PORT": str(port),
                "HOST": "127.0.0.1",  # the default binds every interface; tests stay on loopback
                "APP_ID": str(sb.app_id),
                "PRIVATE_KEY_PATH": str(sb.private_key_path),
                "GITHUB_API_URL": sb.api_url,
                "GITHUB_WRITE_INTERVAL": "0",
                "WEB_CONCURRENCY": "1",
            },
        )
        if request.param == "split-redis":
            env["REDIS_URL"] = request.getfixturevalue("redis_url")
        if request.param == "embedded":  # `docs-refresh run`: web and worker in one
            logs = [tmp_path / "run.log"]
            with running(docs_refresh("run"), env, logs[0]):
                wait_for(lambda: healthy(port), STARTUP, "docs-refresh run to answer", logs)
                yield sb, port, logs, repo
            return
        logs = [tmp_path / "web.log", tmp_path / "worker.log"]
        with (
            running(docs_refresh("serve"), env, logs[0]),
            running(docs_refresh("worker"), env, logs[1]),
        ):
            wait_for(lambda: healthy(port), STARTUP, "gunicorn to answer /healthz", logs)
            yield sb, port, logs, repo


def test_push_through_web_and_worker_opens_the_docs_pr_and_redelivery_runs_once(
    deployment: tuple[object, int, list[Path], Path],
) -> None:
    sb, port, logs, repo = deployment
    commit = {
        "user": "alice",
        "branch": "main",
        "files": {"app/cache.py": "import redis\n\ncache = redis.Redis()\n"},
        "message": "Add a cache",
    }
    made = sb.admin("POST", f"/_sandbox/repos/{FULL_NAME}/commits", commit)  # type: ignore[attr-defined]
    (delivery,) = made["deliveries"]
    assert delivery["status"] == 202, delivery

    def branch_exists() -> bool:
        result = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "-q", "refs/heads/docs-refresh/main"],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    wait_for(branch_exists, 30, "the bot's branch docs-refresh/main", logs)
    doc = git(repo, "show", "docs-refresh/main:.context/docs/data-flow.md")
    assert "agent-update:start:data-flow" in doc
    assert git(repo, "rev-parse", "main") == made["sha"]  # never pushes to the base

    status, text = http("GET", f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    assert 'docs_refresh_webhook_deliveries_total{event="push",outcome="accepted"} 1' in (
        text.decode()
    )
    wait_for(
        lambda: 'job="refresh"' in http("GET", f"http://127.0.0.1:{port}/metrics")[1].decode(),
        10,
        "the refresh job's outcome in /metrics",
        logs,
    )
    text = http("GET", f"http://127.0.0.1:{port}/metrics")[1].decode()
    assert 'docs_refresh_jobs_total{job="refresh",outcome="opened"} 1' in text
    assert 'docs_refresh_github_requests_total{method="POST",status="201"}' in text
    assert 'docs_refresh_github_rate_limit_remaining{resource="core"}' in text
    assert_redelivery_is_processed_once(port)


def assert_redelivery_is_processed_once(port: int) -> None:
    body = json.dumps(
        {
            "ref": "refs/heads/feature",
            "before": "0" * 40,
            "repository": {"full_name": FULL_NAME, "default_branch": "main"},
            "installation": {"id": 1},
        }
    ).encode()
    headers = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "redelivered-1",
        "X-Hub-Signature-256": sign(body, SECRET),
        "Content-Type": "application/json",
    }
    url = f"http://127.0.0.1:{port}/webhook"
    assert http("POST", url, body, headers)[0] == 202
    assert http("POST", url, body, headers)[0] == 200  # the redelivery: accepted once
    status, _ = http("POST", url, body, {**headers, "X-Hub-Signature-256": sign(body, "x")})
    assert status == 401
