"""The web process over real storage: signatures, ping, filtering, dedupe, health, metrics,
and every real payload of the shared corpus answered with the right status and route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from bot.app.tasks import Queue
from bot.app.web import MAX_BODY, create_app
from bot.app.webhooks import sign
from bot.handlers import router
from tests.app.conftest import SECRET

PUSH = {
    "ref": "refs/heads/main",
    "before": "a" * 40,
    "after": "b" * 40,
    "deleted": False,
    "repository": {"full_name": "octo/docs", "default_branch": "main"},
    "installation": {"id": 42},
}


@pytest.fixture
def client(queue: Queue) -> FlaskClient:
    return create_app(queue.settings, queue=queue).test_client()


def post(
    client: FlaskClient,
    event: str,
    payload: Any,
    delivery: str = "d-1",
    secret: str = SECRET,
    body: bytes | None = None,
) -> Any:
    raw = json.dumps(payload).encode() if body is None else body
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(raw, secret),
        "Content-Type": "application/json",
    }
    return client.post("/webhook", data=raw, headers=headers)


def test_push_is_queued_and_answered_202(client: FlaskClient, queue: Queue) -> None:
    response = post(client, "push", PUSH)
    assert response.status_code == 202
    assert response.get_json()["queued"] == 1
    assert queue.huey.pending_count() == 1


def test_redelivery_is_processed_once(client: FlaskClient, queue: Queue) -> None:
    assert post(client, "push", PUSH, delivery="same").status_code == 202
    queue.huey.dequeue()  # the first job already started: no coalescing would hide a repeat
    queue.storage.clear_pending(_key())
    second = post(client, "push", PUSH, delivery="same")
    assert second.status_code == 200
    assert second.get_json()["message"] == "delivery already accepted"
    assert queue.huey.pending_count() == 0


def test_burst_of_pushes_queues_one_refresh(client: FlaskClient, queue: Queue) -> None:
    codes = [post(client, "push", PUSH, delivery=f"d-{n}").status_code for n in range(10)]
    assert codes == [202] * 10
    assert queue.huey.pending_count() == 1


def test_bad_signature_is_401_and_queues_nothing(client: FlaskClient, queue: Queue) -> None:
    response = post(client, "push", PUSH, secret="wrong")
    assert response.status_code == 401
    assert "WEBHOOK_SECRET" in response.get_json()["message"]
    assert queue.huey.pending_count() == 0


def test_missing_signature_is_401(client: FlaskClient) -> None:
    response = client.post("/webhook", data=b"{}", headers={"X-GitHub-Event": "push"})
    assert response.status_code == 401


def test_signature_over_other_bytes_is_401(client: FlaskClient) -> None:
    raw = json.dumps(PUSH).encode()
    headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": sign(raw + b" ", SECRET)}
    assert client.post("/webhook", data=raw, headers=headers).status_code == 401


def test_ping_answers_pong(client: FlaskClient) -> None:
    response = post(client, "ping", {"zen": "Keep it logically awesome.", "hook_id": 1})
    assert response.status_code == 200
    assert response.get_json()["message"] == "pong"


def test_event_nobody_handles_is_204_without_parsing(client: FlaskClient, queue: Queue) -> None:
    response = post(client, "star", None, body=b"not even json")
    assert response.status_code == 204
    assert queue.huey.pending_count() == 0


def test_handled_event_with_bad_json_is_400(client: FlaskClient) -> None:
    assert post(client, "push", None, body=b"{nope").status_code == 400


def test_missing_event_header_is_400(client: FlaskClient) -> None:
    raw = b"{}"
    headers = {"X-Hub-Signature-256": sign(raw, SECRET)}
    assert client.post("/webhook", data=raw, headers=headers).status_code == 400


def test_oversized_body_is_413(client: FlaskClient) -> None:
    raw = b" " * (MAX_BODY + 1)
    assert post(client, "push", None, body=raw).status_code == 413


def test_tag_push_is_204(client: FlaskClient, queue: Queue) -> None:
    assert post(client, "push", {**PUSH, "ref": "refs/tags/v1"}).status_code == 204


def test_uninstall_drops_pending_jobs(client: FlaskClient, queue: Queue) -> None:
    post(client, "push", PUSH, delivery="p")
    removal = {"action": "deleted", "installation": {"id": 42}}
    assert post(client, "installation", removal, delivery="r").status_code == 202
    assert queue.storage.removed_since(42, "octo/docs", 0)
    # The marker went with it: a reinstall's first push queues again.
    assert post(client, "push", PUSH, delivery="p2").get_json()["queued"] == 1


def test_healthz_checks_the_storage(client: FlaskClient, queue: Queue) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["storage"] == queue.storage.kind


def test_metrics_count_deliveries_by_event_and_outcome(client: FlaskClient) -> None:
    post(client, "push", PUSH, delivery="x")
    post(client, "push", PUSH, delivery="x")
    post(client, "push", PUSH, secret="wrong")
    post(client, "ping", {})
    text = client.get("/metrics").get_data(as_text=True)
    assert "# TYPE docs_refresh_webhook_deliveries_total counter" in text
    assert 'docs_refresh_webhook_deliveries_total{event="push",outcome="accepted"} 1' in text
    assert 'docs_refresh_webhook_deliveries_total{event="push",outcome="duplicate"} 1' in text
    assert 'docs_refresh_webhook_deliveries_total{event="push",outcome="unauthorized"} 1' in text
    assert 'docs_refresh_webhook_deliveries_total{event="ping",outcome="pong"} 1' in text
    assert "docs_refresh_queue_pending 1" in text


# --- the shared corpus of real GitHub payloads ------------------------------------------

# Expected answers: (event, file) -> status. Pushes to branches of an installation queue a
# refresh; tag deletions and repository hooks (no installation) have nothing to do.
EXPECTED_PUSH = {
    "with-new-branch.payload.json": 202,
    "with-no-username-committer.payload.json": 202,
}
INSTALL_ADDS = {("installation", "created"), ("installation", "unsuspend")}
INSTALL_DROPS = {("installation", "deleted"), ("installation", "suspend")}


def expected_status(event: str, payload: dict[str, Any], file: str) -> int:
    if event == "ping":
        return 200
    if event == "push":
        return EXPECTED_PUSH.get(file, 204)
    action = payload.get("action")
    if (event, action) in INSTALL_ADDS:  # a first refresh when repositories are listed
        return 202 if payload.get("repositories") else 204
    if (event, action) in INSTALL_DROPS:
        return 202
    if event == "installation_repositories":
        return 202
    if not router.handles(event):
        return 204
    # Features added later (pull_request, issue_comment…) decide for themselves; any
    # non-error answer is acceptable here, a crash is not.
    return -1


def corpus_files(root: Path) -> Iterator[tuple[str, Path]]:
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in sorted(folder.glob("*.json")):
            yield folder.name, file


def test_every_corpus_payload_gets_the_right_answer(
    shared_corpus: Path, sqlite_queue: Queue
) -> None:
    client = create_app(sqlite_queue.settings, queue=sqlite_queue).test_client()
    seen = 0
    for n, (event, file) in enumerate(corpus_files(shared_corpus / "webhooks")):
        raw = file.read_bytes()
        payload = json.loads(raw)
        response = post(client, event, None, delivery=f"corpus-{n}", body=raw)
        expected = expected_status(event, payload, file.name)
        where = f"{event}/{file.name}"
        if expected == -1:
            assert response.status_code in (200, 202, 204), where
        else:
            assert response.status_code == expected, where
        seen += 1
    assert seen >= 60
    # Redelivering the whole corpus queues nothing more.
    pending = sqlite_queue.huey.pending_count()
    for n, (event, file) in enumerate(corpus_files(shared_corpus / "webhooks")):
        response = post(client, event, None, delivery=f"corpus-{n}", body=file.read_bytes())
        assert response.status_code in (200, 204), f"{event}/{file.name}"
    assert sqlite_queue.huey.pending_count() == pending


def _key():  # type: ignore[no-untyped-def]
    from bot.app.jobs import JobKey

    return JobKey(42, "octo/docs", "main")
