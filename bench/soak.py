"""Soak: the deployed processes under mixed traffic, crashes and GitHub faults for minutes.

    python -m bench.soak --seconds 600 [--redis redis://127.0.0.1:6379/15] [--seed 1]

The sandbox (GitHub), gunicorn and two workers run on loopback. In rounds, it: commits to
main as a person (signed push webhooks), fires hostile deliveries and replays, injects a
GitHub fault (5xx, secondary limit, timeout) and, now and then, `kill -9`s a worker and
starts another. At the end it waits for the queue to drain and checks what the tests
check once: no 5xx, no forgery accepted, one docs PR on the newest head with the right
doc, no comment, no job left in flight. Prints the figures as JSON; exits 1 on a breach.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.app.tasks import RECOVER_EVERY
from tests.app.harness import fresh_doc
from tests.app.processes import http
from tests.reliability.hostile import bad_delivery
from tests.reliability.stack import BOT_BRANCH, DOC, REPO, SECRET, Stack, shop_files, stack

FAULTS = ("server_error", "secondary_limit", "delay")
# Longer than a sweep for dead workers' runs: every run has ended or been recovered by then.
IN_FLIGHT_WAIT = RECOVER_EVERY + 60.0
WRITE_PATHS = ("*/git/trees", "*/git/commits", "*/git/refs*", "*/pulls*", "*/labels")


def soak(st: Stack, seconds: float, rng: random.Random) -> dict[str, Any]:
    figures: dict[str, Any] = collections.defaultdict(int)
    statuses: collections.Counter[int] = collections.Counter()
    files = shop_files()
    newest = ""
    workers = 2
    st.start_web(workers=2)
    for n in range(workers):
        st.start_worker(f"worker-{n}")
    deadline = time.monotonic() + seconds
    round_no = 0
    while time.monotonic() < deadline:
        round_no += 1
        change = {f"svc{round_no}/__init__.py": "from shop import orders\n"}
        files.update(change)
        made = st.commit("alice", "main", change)
        newest = made["sha"]
        statuses.update(d["status"] for d in made["deliveries"])
        figures["pushes"] += 1
        for k in range(20):
            d = bad_delivery(round_no * 100 + k, rng, REPO, st.sb.installation_id, SECRET, "x")
            status, _ = http("POST", st.url, d.body, d.headers)
            statuses[status] += 1
            figures["hostile"] += 1
            if d.forged and 200 <= status < 300:
                figures["forgeries_accepted"] += 1
        if rng.random() < 0.5:
            kind = rng.choice(FAULTS)
            st.sb.inject_fault(kind, method="POST", path=rng.choice(WRITE_PATHS), delay=20.0)
            figures[f"fault_{kind}"] += 1
        if rng.random() < 0.2:
            victim = rng.choice([n for n in st.procs if n.startswith("worker")])
            st.kill(victim, signal.SIGKILL)
            workers += 1
            st.start_worker(f"worker-{workers}")
            figures["worker_kills"] += 1
        time.sleep(rng.uniform(0.5, 3.0))
    with st.sb.store.lock:
        st.sb.store.faults.clear()
    figures["deliveries_5xx"] = sum(c for s, c in statuses.items() if s >= 500)
    figures["statuses"] = dict(statuses)
    expected = fresh_doc(files)

    def settled() -> bool:
        state = st.pr_state()
        return state is not None and state.base == newest and st.head(BOT_BRANCH) == state.head

    st.wait(settled, 300, "the docs PR to settle on the newest head")
    pulls = st.pulls()
    figures["pulls"] = len(pulls)
    figures["bot_comments"] = sum(len(st.bot_comments(p["number"])) for p in pulls)
    figures["doc_correct"] = st.show(BOT_BRANCH, DOC) == expected
    # A job may still be running when the PR settles (a retry, a preview): sampled once,
    # the journal would count it. What must not happen is a run that never ends or that
    # nobody recovers, so wait for the journal to drain first (a dead worker's record is
    # taken back by the next worker to start, or by a sweep within RECOVER_EVERY).
    start = time.monotonic()
    while True:
        with st.queue() as queue:
            left = len(queue.journal.records()) if queue.journal else 0
        if not left or time.monotonic() > start + IN_FLIGHT_WAIT:
            break
        time.sleep(0.5)
    figures["in_flight_left"] = left
    figures["in_flight_drain_s"] = round(time.monotonic() - start, 1)
    return dict(figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--redis", default=None, help="a Redis URL (an empty database)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="docs-refresh-soak-") as tmp,
        stack(Path(tmp), args.redis) as st,
    ):
        st.env["SETTLE_SECONDS"] = "1"
        figures = soak(st, args.seconds, random.Random(args.seed))
    print(json.dumps(figures, indent=2, sort_keys=True))
    breach = (
        figures["deliveries_5xx"]
        or figures.get("forgeries_accepted", 0)
        or figures["pulls"] != 1
        or figures["bot_comments"]
        or not figures["doc_correct"]
        or figures["in_flight_left"]
    )
    return 1 if breach else 0


if __name__ == "__main__":
    sys.exit(main())
