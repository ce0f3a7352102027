"""A job past its time, end to end: gunicorn, a real worker process with two threads, the
sandbox as GitHub serving two repositories of one installation.

Every file of issue 15's hostile corpus is now read in well under a second, so the budget is
made tiny for the test (`JOB_SECONDS`) and the slow repository is a large legitimate one:
~12 MB of plain Ruby, about ten seconds of reading. Pushed at the same moment as a normal
change to the other repository, the normal one gets its pull request in about its usual
time, and the large one a neutral check run naming the file being read when the time ran
out; the job ends once (no retry, no recovery, no worker restart) and the journal is empty.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.app.harness import STRIPE
from tests.reliability.stack import OTHER, REPO, Stack, stack

pytestmark = pytest.mark.slow

JOB_SECONDS = 3.0
LARGE_FILES = 120  # Ruby files of ~110 kB: ~80 ms of reading each, far past JOB_SECONDS
MAIL = {
    "shop/mail.py": "import sendgrid\n\n\ndef client():\n    return sendgrid.SendGridAPIClient()\n"
}
CACHE = {"shop/cache.py": "import redis\n\n\ndef client():\n    return redis.Redis()\n"}


def large_ruby(count: int = LARGE_FILES) -> dict[str, str]:
    def body(n: int) -> str:
        return "".join(
            f"class C{n}x{i}\n  def run\n    Net::HTTP.get(URI('https://api{i}.example.com'))\n"
            "  end\nend\n"
            for i in range(1300)
        )

    return {f"app/services/s{n:03}.rb": body(n) for n in range(count)}


def _worker_lines(st: Stack) -> list[dict[str, Any]]:
    found = []
    for text in (st.tmp / "worker.log").read_text(errors="replace").splitlines():
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if isinstance(entry, dict):
            found.append(entry)
    return found


def _outcomes(st: Stack) -> list[tuple[str, str]]:
    return [
        (str(e.get("repo")), str(e["msg"]).removeprefix("job "))
        for e in _worker_lines(st)
        if e.get("logger") == "docs_refresh.worker" and str(e.get("msg", "")).startswith("job ")
    ]


def _on_head(st: Stack, sha: str) -> bool:
    state = st.pr_state()
    return state is not None and state.base == sha


def test_a_job_past_its_time_gets_a_check_naming_the_file_while_another_repo_gets_its_pr(
    tmp_path: Path,
) -> None:
    with stack(tmp_path) as st:
        st.env["JOB_SECONDS"] = f"{JOB_SECONDS:g}"
        st.start_web(workers=1)
        st.start_worker(threads=2)
        worker = st.procs["worker"]

        sha = st.commit("alice", "main", STRIPE)["sha"]  # warms the worker: catalog, clients
        st.wait(lambda: _on_head(st, sha), 60, "the shop's pull request")
        # The usual time of a normal push.
        start = time.monotonic()
        sha = st.commit("alice", "main", MAIL)["sha"]
        st.wait(lambda: _on_head(st, sha), 60, "the shop's pull request, updated")
        usual = time.monotonic() - start

        # At the same moment: the large push to the depot, a normal push to the shop.
        large = large_ruby()
        pushed: dict[str, str] = {}

        def push_large() -> None:
            pushed["depot"] = st.commit("mallory", "main", large, repo=OTHER)["sha"]

        pusher = threading.Thread(target=push_large)
        start = time.monotonic()
        pusher.start()
        sha = st.commit("alice", "main", CACHE)["sha"]
        st.wait(lambda: _on_head(st, sha), 60, "the shop's pull request, updated again")
        alongside = time.monotonic() - start
        pusher.join()

        def check_runs() -> list[Any]:
            with st.sb.store.lock:
                return [r for r in st.sb.store.check_runs.values() if r.repo == OTHER]

        st.wait(lambda: bool(check_runs()), 90, "the depot's check run")
        reported = time.monotonic() - start
        st.wait(lambda: (OTHER, "timed-out") in _outcomes(st), 30, "the depot's job to end")
        time.sleep(1.0)  # a retry or a recovery, if any were queued, would start by now
        print(
            f"shop PR: {usual:.1f} s alone, {alongside:.1f} s beside the depot's job;"
            f" depot's check run after {reported:.1f} s"
        )

        (run,) = check_runs()
        assert (run.name, run.conclusion) == ("docs-refresh", "neutral")
        assert run.head_sha == pushed["depot"]
        (note,) = run.annotations
        assert note["path"] in large
        assert note["annotation_level"] == "warning"
        summary = run.output["summary"]
        assert f"while reading `{note['path']}`" in summary
        assert "other file(s) not read" in summary
        assert st.pulls(OTHER) == []

        # The shop was not held up: a pull request in about its usual time.
        assert alongside < 2.5 * usual + 1.5, (usual, alongside)

        # The depot's job ended once: not retried, not recovered, no worker restarted.
        outcomes = _outcomes(st)
        assert [o for r, o in outcomes if r == OTHER] == ["timed-out"], outcomes
        assert {o for r, o in outcomes if r == REPO} <= {"opened", "updated"}, outcomes
        assert worker.poll() is None
        text = (st.tmp / "worker.log").read_text(errors="replace")
        assert "Traceback" not in text
        assert "queued again" not in text
        with st.queue() as queue:
            assert queue.journal is not None
            assert queue.journal.records() == []
            assert queue.huey.pending_count() == 0
            assert queue.huey.scheduled_count() == 0
