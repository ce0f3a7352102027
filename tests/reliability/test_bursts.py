"""Duplicates and bursts through real processes: 50 concurrent copies of one delivery queue
one job; 20 pushes to one branch within seconds end in one PR, updated at most twice, on
the newest head. The same with one web and one worker on SQLite, and with two web
processes and two worker processes sharing one Redis."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.webhooks import sign
from bot.service.publishing import State
from tests.app.harness import fresh_doc
from tests.app.processes import http
from tests.reliability.stack import BOT_BRANCH, DOC, REPO, SECRET, Stack, shop_files, stack

pytestmark = pytest.mark.slow
COPIES, PUSHES = 50, 20


@pytest.fixture(params=["sqlite-1x1", "redis-2x2"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Stack, list[int]]]:
    redis = request.param.startswith("redis")
    url = request.getfixturevalue("redis_url") if redis else None
    with stack(tmp_path, url) as st:
        st.env.pop("SETTLE_SECONDS")  # as deployed: pushes settle for the default 3 s
        ports = [st.start_web("web-1", workers=2)]
        st.start_worker("worker-1")
        if redis:
            from tests.helpers.redis import free_port

            ports.append(st.start_web("web-2", port=free_port(), workers=2))
            st.start_worker("worker-2")
        yield st, ports


def test_concurrent_copies_of_one_delivery_queue_one_job(
    deployment: tuple[Stack, list[int]],
) -> None:
    st, ports = deployment
    body = json.dumps(
        {
            "ref": "refs/heads/feature-x",
            "before": "a" * 40,
            "repository": {"full_name": REPO, "default_branch": "main"},
            "installation": {"id": st.sb.installation_id},
        }
    ).encode()
    headers = {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": "the-one-delivery",
        "X-Hub-Signature-256": sign(body, SECRET),
        "Content-Type": "application/json",
    }
    start = threading.Barrier(COPIES)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        start.wait()
        status, _ = http("POST", f"http://127.0.0.1:{ports[n % len(ports)]}/webhook", body, headers)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(COPIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * (COPIES - 1) + [202]
    st.wait(lambda: "not-configured" in _outcomes(st), 20, "the one job to run")
    time.sleep(0.5)  # a second job, if any had been queued, would run by now
    assert _outcomes(st) == ["not-configured"]


def _outcomes(st: Stack) -> list[str]:
    found = []
    for text in st.log_text().splitlines():
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("logger") == "docs_refresh.worker":
            msg = str(entry.get("msg", ""))
            if msg.startswith("job ") and msg not in ("job deferred", "job settling"):
                found.append(msg.removeprefix("job "))
    return found


def test_a_burst_of_pushes_ends_in_one_pr_on_the_newest_head(
    deployment: tuple[Stack, list[int]],
) -> None:
    st, ports = deployment
    files = shop_files()
    newest = ""
    for n in range(PUSHES):
        # Alternate the web processes, as a load balancer would.
        st.sb.webhook_url = f"http://127.0.0.1:{ports[n % len(ports)]}/webhook"
        change = {f"svc{n}/__init__.py": "from shop import orders\n"}
        files.update(change)
        made = st.commit("alice", "main", change)
        assert [d["status"] for d in made["deliveries"]] == [202]
        newest = made["sha"]
        time.sleep(0.1)
    expected = fresh_doc(files)

    def settled() -> bool:
        state = st.pr_state()
        return state is not None and state.base == newest and st.head(BOT_BRANCH) == state.head

    st.wait(settled, 60, "the PR to sit on the newest head")
    time.sleep(1.0)  # let any straggling job finish before counting
    assert len(st.pulls()) == 1
    assert len(st.requests("POST", "/pulls")) == 1
    updates = st.requests("PATCH", f"/git/refs/heads/{BOT_BRANCH}")
    print(f"runs: {_outcomes(st)}; PR opened once, updated {len(updates)} time(s)")
    assert len(updates) <= 2
    assert st.show(BOT_BRANCH, DOC) == expected
    assert st.head(f"{BOT_BRANCH}~1") == newest
    state = st.pr_state()
    assert isinstance(state, State)
    assert state.source == newest
