"""Hostile webhooks against the real web process (gunicorn, 2 workers) and a real worker:
over a thousand generated bad deliveries with valid ones interleaved. No forgery is
accepted, nothing answers 5xx, no process dies, and every valid delivery is processed."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from bot.app.jobs import Message
from bot.app.tasks import build_queue
from bot.app.web import create_app
from bot.app.webhooks import sign
from bot.settings import Settings
from tests.app.processes import http
from tests.reliability.hostile import (
    DELETE,
    WRONG_TYPES,
    deliveries,
    field_paths,
    oversized,
    templates,
    with_field,
)
from tests.reliability.stack import REPO, SECRET, Stack, stack

pytestmark = pytest.mark.slow
BAD, VALID, OVERSIZED = 1050, 60, 2


def _queued(st: Stack) -> collections.Counter[str]:
    with st.queue() as queue:
        found: collections.Counter[str] = collections.Counter()
        for data in queue.huey.storage.enqueued_items():
            message = Message.from_dict(queue.huey.deserialize_task(data).args[0])
            found[str(message.delivery)] += 1
        return found


def _log_entries(path: Path) -> list[dict[str, object]]:
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def test_a_thousand_bad_deliveries_change_nothing_and_valid_ones_all_run(
    tmp_path: Path,
) -> None:
    with stack(tmp_path) as st:
        st.start_web(workers=2)
        plan = deliveries(BAD, VALID, REPO, st.sb.installation_id, SECRET, seed=20261126)
        answers: list[tuple[str, int, str]] = []
        for d in plan:
            status, body = http("POST", st.url, d.body, d.headers)
            answers.append((d.kind, status, d.delivery_id))
            assert status in d.expect, (d.kind, status, body[:200], d.body[:120])
        for n in range(OVERSIZED):
            huge = oversized(n, SECRET)
            status, _ = http("POST", st.url, huge.body, huge.headers)
            answers.append((huge.kind, status, huge.delivery_id))
            assert status in huge.expect, status

        by_kind: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
        for kind, status, _ in answers:
            by_kind[kind][status] += 1
        print("answers by kind:", {k: dict(v) for k, v in sorted(by_kind.items())})
        bad = [d for d in plan if d.kind not in ("valid", "replay")]
        assert len(bad) + OVERSIZED >= 1000
        forged = [d for d in plan if d.forged]
        statuses = [status for _, status, _ in answers]
        assert not [s for s in statuses if s >= 500], "no 5xx"
        forged_accepted = [
            (d.kind, s) for d, (_, s, _) in zip(plan, answers, strict=False) if d.forged and s < 300
        ]
        assert forged_accepted == [], "no forgery accepted"

        queued = _queued(st)
        valid_ids = {d.delivery_id for d in plan if d.kind == "valid"}
        assert len(valid_ids) == VALID
        assert all(queued[i] == 1 for i in valid_ids), "each valid delivery queued once"
        forged_ids = {d.delivery_id for d in forged} - valid_ids
        assert not forged_ids & set(queued), "a forged delivery was queued"

        # The web process never lost a worker, and logged no error.
        web_log = (tmp_path / "web.log").read_text(errors="replace")
        assert web_log.count("Booting worker") == 2, web_log[-2000:]
        assert "Traceback" not in web_log
        assert not [e for e in _log_entries(tmp_path / "web.log") if e.get("level") == "error"]

        # A real worker runs every queued job (valid ones and the signed-but-odd ones).
        total = sum(queued.values())
        st.start_worker()
        log = tmp_path / "worker.log"

        def outcomes() -> list[str]:
            return [
                str(e["msg"]).removeprefix("job ")
                for e in _log_entries(log)
                if e.get("logger") == "docs_refresh.worker" and str(e.get("msg")).startswith("job ")
            ]

        def drained() -> bool:
            with st.queue() as queue:
                idle = queue.huey.pending_count() == 0 and queue.huey.scheduled_count() == 0
                return idle and queue.journal is not None and queue.journal.records() == []

        st.wait(
            lambda: len(outcomes()) >= total and drained(), 60, f"the worker to run {total} jobs"
        )
        done = collections.Counter(outcomes())
        print(
            f"deliveries: {len(answers)} ({len(bad) + OVERSIZED} bad, {len(forged)} forged), "
            f"jobs run: {dict(done)}"
        )
        assert st.procs["worker"].poll() is None, "the worker is alive"
        # Valid pushes to untracked branches: processed, and nothing to write.
        assert done["not-configured"] >= VALID
        assert st.pulls() == []
        writes = [
            r
            for r in st.sb.request_log()
            if r["write"] and r["path"].startswith("/repos/") and r["status"] < 400
        ]
        assert writes == [], "nothing written to any repository"


def test_every_field_missing_or_of_each_wrong_type_is_never_a_server_error(
    tmp_path: Path,
) -> None:
    """Exhaustive over the routed events' fields, through the app and a real SQLite queue."""
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    queue = build_queue(settings)
    client = create_app(settings, queue=queue).test_client()
    tried: collections.Counter[int] = collections.Counter()
    try:
        for event, payload in sorted(templates(REPO, 1).items()):
            for path in field_paths(payload):
                for value in (DELETE, *WRONG_TYPES):
                    body = json.dumps(with_field(payload, path, value)).encode()
                    headers = {
                        "X-GitHub-Event": event,
                        "X-GitHub-Delivery": f"{event}-{sum(tried.values())}",
                        "X-Hub-Signature-256": sign(body, SECRET),
                    }
                    status = client.post("/webhook", data=body, headers=headers).status_code
                    tried[status] += 1
                    assert status < 500, (event, path, value, status)
    finally:
        queue.huey.storage.close()
    print(f"signed events with one field missing or mistyped: {dict(tried)}")
    assert sum(tried.values()) >= 500
