"""Crashes: `kill -9` of a real worker at chosen points of a refresh, and of the web process
under load. The sandbox's `delay` fault holds the worker at one request; the kill lands
while it waits (the held request still completes on the server, as a request that reached
GitHub does). After a restart the job completes: one PR, one commit on the base head, the
right content, no duplicate comment. Deliveries answered 2xx are never lost."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest

from bot.app.jobs import Message
from bot.app.webhooks import sign
from tests.app.harness import STRIPE, fresh_doc
from tests.reliability.stack import BOT_BRANCH, DOC, REPO, SECRET, Stack, shop_files, stack

pytestmark = pytest.mark.slow

# (name, method, path pattern of the request the worker is held at)
KILL_POINTS = [
    ("after-reading", "POST", "*/git/trees"),  # every read done, nothing written yet
    ("after-commit", "POST", "*/git/refs"),  # the commit exists, no branch points at it
    ("after-ref", "POST", "*/pulls"),  # the branch moved, the PR not opened yet
    ("after-pr", "POST", "*/issues/*/labels"),  # the PR opened, its labels not added
]
HOLD = 1.5  # seconds the held request waits before the sandbox runs it anyway


def _faults_left(st: Stack) -> int:
    with st.sb.store.lock:
        return len(st.sb.store.faults)


def _held_request_done(st: Stack) -> bool:
    return any(r.get("fault") == "delay" for r in st.sb.request_log())


def _job_outcomes(st: Stack, name: str) -> list[str]:
    log = st.tmp / f"{name}.log"
    found = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("logger") == "docs_refresh.worker" and entry.get("msg", "").startswith("job "):
            found.append(entry["msg"].removeprefix("job "))
    return found


@pytest.mark.parametrize(
    ("point", "method", "pattern"), KILL_POINTS, ids=[p[0] for p in KILL_POINTS]
)
def test_worker_killed_mid_refresh_finishes_after_restart(
    tmp_path: Path, point: str, method: str, pattern: str
) -> None:
    with stack(tmp_path) as st:
        st.start_web(workers=1)
        st.start_worker("worker-1")
        st.sb.inject_fault("delay", method=method, path=pattern, delay=HOLD)
        made = st.commit("alice", "main", STRIPE)
        assert [d["status"] for d in made["deliveries"]] == [202]
        st.wait(lambda: _faults_left(st) == 0, 30, f"the worker to reach {point}")
        st.kill("worker-1", signal.SIGKILL)
        st.wait(lambda: _held_request_done(st), 10, "the held request to complete")

        st.start_worker("worker-2")
        st.wait(lambda: bool(_job_outcomes(st, "worker-2")), 30, "the job to run again")
        outcomes = _job_outcomes(st, "worker-2")
        assert outcomes[0] in ("opened", "updated", "unchanged"), outcomes

        pulls = st.pulls()
        assert len(pulls) == 1, "exactly one PR"
        (pr,) = pulls
        assert pr["state"] == "open"
        assert [label["name"] for label in pr["labels"]] == ["documentation"]
        main = st.head("main")
        tip = st.head(BOT_BRANCH)
        assert tip == pr["head"]["sha"]
        # One bot commit on the base head, holding what the refresh of main writes.
        assert st.show(f"{BOT_BRANCH}~1", DOC) == st.show("main", DOC)
        assert st.head(f"{BOT_BRANCH}~1") == main
        assert st.show(BOT_BRANCH, DOC) == fresh_doc({**shop_files(), **STRIPE})
        assert st.bot_comments(pr["number"]) == []
        assert len(st.requests("POST", "/pulls")) == 1
        with st.queue() as queue:
            assert queue.journal is not None
            assert queue.journal.records() == []


def _worker_pids(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _status_line(method: str, port: int, body: bytes, headers: dict[str, str]) -> int:
    """The status GitHub would see (0: none); a body cut short after it still counts."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, "/webhook", body, headers)
        response = conn.getresponse()
    except (OSError, http.client.HTTPException):
        conn.close()  # else its socket is left to the collector: a ResourceWarning, an error here
        return 0
    try:
        response.read()
    except (OSError, http.client.HTTPException):
        pass  # the process died while writing the body: the status line was already sent
    finally:
        conn.close()
    return int(response.status)


def _queued_deliveries(st: Stack) -> list[str]:
    with st.queue() as queue:
        found = []
        for data in queue.huey.storage.enqueued_items():
            task = queue.huey.deserialize_task(data)
            found.append(str(Message.from_dict(task.args[0]).delivery))
        return found


def test_web_worker_killed_under_load_never_answers_and_loses(tmp_path: Path) -> None:
    """Answered 2xx means queued; unanswered ones are redelivered (as GitHub would)."""
    total, kills = 240, 6
    rng = random.Random(7)
    with stack(tmp_path) as st:
        st.start_web(workers=2)
        master = st.procs["web"].pid
        answers: dict[str, int] = {}

        def deliver(n: int) -> tuple[str, int]:
            delivery = f"load-{n}"
            payload = {
                "ref": f"refs/heads/feature-{n}",
                "before": "a" * 40,
                "repository": {"full_name": REPO, "default_branch": "main"},
                "installation": {"id": st.sb.installation_id},
            }
            body = json.dumps(payload).encode()
            headers = {
                "X-GitHub-Event": "push",
                "X-GitHub-Delivery": delivery,
                "X-Hub-Signature-256": sign(body, SECRET),
                "Content-Type": "application/json",
            }
            return delivery, _status_line("POST", st.port, body, headers)

        def killer() -> None:
            for _ in range(kills):
                time.sleep(rng.uniform(0.05, 0.3))
                pids = _worker_pids(master)
                if pids:
                    try:
                        os.kill(rng.choice(pids), signal.SIGKILL)
                        killed.append(1)
                    except ProcessLookupError:
                        pass

        killed: list[int] = []
        thread = threading.Thread(target=killer)
        thread.start()
        lock = threading.Lock()

        def sender(offset: int) -> None:
            for n in range(offset, total, 4):
                delivery, status = deliver(n)
                with lock:
                    answers[delivery] = status

        senders = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
        for s in senders:
            s.start()
        for s in senders:
            s.join()
        thread.join()
        assert len(killed) == kills
        assert 500 not in answers.values()
        accepted = {d for d, status in answers.items() if 200 <= status < 300}
        unanswered = {d for d, status in answers.items() if status == 0}
        assert accepted | unanswered == set(answers), answers
        queued = _queued_deliveries(st)
        assert accepted <= set(queued), "a delivery answered 2xx was lost"
        assert len(queued) == len(set(queued)), "a delivery was queued twice"

        # GitHub redelivers what got no answer: each is queued once, none twice.
        st.wait(lambda: len(_worker_pids(master)) == 2, 20, "gunicorn to replace its workers")
        for delivery in sorted(unanswered):
            n = int(delivery.removeprefix("load-"))
            assert deliver(n)[1] in (200, 202)
        queued = _queued_deliveries(st)
        assert sorted(queued) == sorted(answers), "every delivery queued exactly once"
        print(
            f"web kills: {len(killed)}, deliveries: {total}, unanswered then redelivered: "
            f"{len(unanswered)}"
        )
