"""Security: who may command the bot, what it refuses to read, and what it never says.

End to end through the sandbox (people comment, push and configure there) and the bot's
web app and jobs; secrets are looked for in every captured log line and every reply.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.routing import Router
from bot.app.tasks import build_queue
from bot.app.web import create_app
from bot.app.webhooks import Event, sign
from bot.core.config import CONFIG_PATH, parse_repo_config
from bot.core.errors import ConfigError
from bot.handlers import router
from bot.settings import Settings
from tests.app.harness import DOC, REPO, SECRET, STRIPE, Harness, initial_files, start
from tests.app.processes import http

pytestmark = pytest.mark.slow


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from start(tmp_path, initial_files())


def _issue(h: Harness) -> int:
    return int(
        h.admin("POST", f"/_sandbox/repos/{REPO}/issues", {"user": "octo"})["issue"]["number"]
    )


def _comment_as(
    h: Harness, number: int, login: str, association: str, user_type: str = "User"
) -> int:
    """A `/refresh-docs` comment whose webhook carries `association` (GitHub's own claim)."""
    url, h.sb.webhook_url = h.sb.webhook_url, None
    try:
        made = h.comment(login, number, "/refresh-docs", user_type=user_type)
    finally:
        h.sb.webhook_url = url
    comment = {
        **made,
        "author_association": association,
        "user": {"login": login, "type": user_type},
    }
    payload = {
        "action": "created",
        "issue": {"number": number},
        "comment": comment,
        "repository": {"full_name": REPO, "default_branch": "main"},
        "installation": {"id": h.sb.installation_id},
        "sender": comment["user"],
    }
    body = json.dumps(payload).encode()
    headers = {
        "X-GitHub-Event": "issue_comment",
        "X-GitHub-Delivery": f"comment-{made['id']}",
        "X-Hub-Signature-256": sign(body, SECRET),
        "Content-Type": "application/json",
    }
    status, _ = http("POST", str(url), body, headers)
    assert status in (202, 204), status
    return int(made["id"])


# (login, permission on the repository, the association GitHub puts in the payload)
NOT_WRITERS = [
    ("rita", "read", "COLLABORATOR"),
    ("tracy", "triage", "COLLABORATOR"),
    ("nobody", None, "NONE"),
    ("olga", "read", "OUTSIDE_COLLABORATOR"),
    ("mia", "read", "MEMBER"),  # an org member whose base permission is read
    ("cont", None, "CONTRIBUTOR"),
]


@pytest.mark.parametrize(("login", "permission", "association"), NOT_WRITERS)
def test_only_writers_can_run_commands(
    harness: Harness, login: str, permission: str | None, association: str
) -> None:
    harness.commit("octo", "main", STRIPE)
    harness.run_jobs()  # the push's own refresh opens the docs PR
    harness.sb.clear_request_log()
    if permission is not None:
        harness.add_collaborator(login, permission)
    number = _issue(harness)
    comment_id = _comment_as(harness, number, login, association)
    assert harness.run_jobs() == [("command", "refused")]
    assert harness.reactions(comment_id) == []
    writes = [
        r["path"]
        for r in harness.sb.request_log()
        if r["write"] and r["path"].startswith("/repos/")
    ]
    assert writes == [f"/repos/{REPO}/issues/{number}/comments"], "only the polite refusal"


def test_a_writer_can_run_commands(harness: Harness) -> None:
    harness.commit("octo", "main", STRIPE)
    harness.add_collaborator("wendy", "write")
    number = _issue(harness)
    comment_id = _comment_as(harness, number, "wendy", "COLLABORATOR")
    assert ("command", "base-refreshed") in harness.run_jobs()
    assert harness.reactions(comment_id) == ["eyes", "rocket"]


@pytest.mark.parametrize("login", ["dependabot[bot]", "renovate[bot]", "github-actions[bot]"])
def test_bot_accounts_are_never_answered(harness: Harness, login: str) -> None:
    number = _issue(harness)
    harness.sb.clear_request_log()
    _comment_as(harness, number, login, "NONE", user_type="Bot")
    assert harness.run_jobs() == []
    assert [r for r in harness.sb.request_log() if r["write"]] == []


def _event(name: str, **payload: Any) -> Event:
    base = {"repository": {"full_name": REPO, "default_branch": "main"}, "installation": {"id": 1}}
    return Event(name, "d", {**base, **payload})


def test_the_app_ignores_its_own_events(harness: Harness) -> None:
    app = harness.sb.bot_login
    own_push = _event("push", ref="refs/heads/docs-refresh/main", before="a" * 40)
    own_pull = _event(
        "pull_request",
        action="opened",
        pull_request={"number": 5, "state": "open", "head": {"ref": "docs-refresh/main"}},
    )
    own_comment = _event(
        "issue_comment",
        action="created",
        issue={"number": 5},
        comment={"id": 9, "body": "/refresh-docs", "user": {"login": app, "type": "Bot"}},
    )
    for event in (own_push, own_pull, own_comment):
        assert router.dispatch(event) == [], event.name
    # And end to end: the app's own comment reaches the web app and queues nothing.
    number = _issue(harness)
    _comment_as(harness, number, app, "NONE", user_type="Bot")
    assert harness.run_jobs() == []


def test_config_is_read_from_the_default_branch_only(harness: Harness) -> None:
    """A branch's own config cannot make the bot track it, or refresh other files."""
    hostile = "branches: [evil]\ndocs: [README.md]\n"
    harness.commit("mallory", "evil", {CONFIG_PATH: hostile, **STRIPE}, **{"from": "main"})
    assert harness.run_jobs() == [("refresh", "not-configured")]
    pulls = harness.api(f"/repos/{REPO}/pulls?state=all")
    assert pulls == []
    assert not [
        r for r in harness.sb.request_log() if r["write"] and r["path"].startswith("/repos/")
    ]


@pytest.mark.parametrize(
    "path",
    [
        "../outside.md",
        "docs/../../outside.md",
        "/etc/passwd",
        "C:\\\\x.md",
        "docs/..\\\\..\\\\x.md",
    ],
)
def test_config_paths_that_escape_the_repository_are_rejected(path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_repo_config(f"docs: [{json.dumps(path)}]\n", CONFIG_PATH)
    assert caught.value.line == 1
    assert CONFIG_PATH in str(caught.value)


def test_a_symlinked_doc_is_neither_read_nor_written(tmp_path: Path) -> None:
    """A doc that is a symlink in the tree (to /etc/passwd or out of the repo) is skipped."""
    files = initial_files()
    stale = files[DOC].replace("none detected", "stale words")
    del files[DOC]
    gen = start(tmp_path, {**files, ".context/docs/real.md": stale})
    h = next(gen)
    try:
        from tests.helpers.sandbox import git

        os.symlink("/etc/passwd", h.path / ".context/docs/passwd.md")
        os.symlink("../../../outside.md", h.path / ".context/docs/up.md")
        (tmp_path / "outside.md").write_text(files.get("x", stale))
        git(h.path, "add", "-A")
        git(h.path, "commit", "-q", "-m", "links")
        h.admin(
            "POST",
            f"/_sandbox/repos/{REPO}/push",
            {"user": "mallory", "ref": "refs/heads/main", "before": "0" * 40},
        )
        h.run_jobs()
        written = [r["path"] for r in h.sb.request_log() if r["write"]]
        blobs = [r["path"] for r in h.sb.request_log() if "/git/blobs/" in r["path"]]
        head = h.head("main")
        link_shas = {
            git(h.path, "rev-parse", f"{head}:.context/docs/passwd.md"),
            git(h.path, "rev-parse", f"{head}:.context/docs/up.md"),
        }
        assert not [b for b in blobs if b.rsplit("/", 1)[-1] in link_shas], "a link was read"
        tree = (
            git(h.path, "ls-tree", "-r", "docs-refresh/main")
            if any("/pulls" in w for w in written)
            else git(h.path, "ls-tree", "-r", "main")
        )
        assert "120000 blob" in tree  # the links are still links on any branch the bot wrote
        for line in tree.splitlines():
            if line.endswith(("passwd.md", "up.md")):
                assert line.startswith("120000"), line
    finally:
        for _ in gen:
            pass


def test_no_debug_and_no_traceback_reaches_a_client(tmp_path: Path) -> None:
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data")
    queue = build_queue(settings)
    broken = Router()

    @broken.register("push")
    def explode(event: Event) -> list[Any]:
        raise RuntimeError("internal detail: /srv/app/secret-path token=abc")

    try:
        app = create_app(settings, queue=queue, router=broken)
        assert app.debug is False
        assert not app.config["PROPAGATE_EXCEPTIONS"]
        body = json.dumps({"ref": "refs/heads/main", **_event("push").payload}).encode()
        headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": sign(body, SECRET)}
        reply = app.test_client().post("/webhook", data=body, headers=headers)
        assert reply.status_code == 500
        text = reply.get_data(as_text=True)
        assert "Traceback" not in text
        assert "internal detail" not in text
        assert "secret-path" not in text
    finally:
        queue.huey.storage.close()


def test_a_storage_outage_says_so_without_its_password(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"redis://:hunter2-redis-password@127.0.0.1:{port}/0"
    settings = Settings(webhook_secret=SECRET, data_dir=tmp_path / "data", redis_url=url)
    app = create_app(settings)
    client = app.test_client()
    body = json.dumps({"ref": "refs/heads/main", **_event("push").payload}).encode()
    headers = {"X-GitHub-Event": "push", "X-Hub-Signature-256": sign(body, SECRET)}
    replies = [
        client.post("/webhook", data=body, headers=headers),
        client.get("/healthz"),
    ]
    assert [r.status_code for r in replies] == [503, 503]
    for reply in replies:
        text = reply.get_data(as_text=True)
        assert "hunter2" not in text
        assert "Traceback" not in text
    assert "hunter2" not in repr(settings)


def test_keys_tokens_and_the_secret_never_reach_logs_or_replies(tmp_path: Path) -> None:
    """Real processes at DEBUG: a refresh, a failing write, rejected deliveries; then every
    log line and every reply is searched for the key, each token issued, and the secret."""
    from tests.reliability.stack import SECRET as STACK_SECRET
    from tests.reliability.stack import stack

    replies: list[bytes] = []
    with stack(tmp_path) as st:
        st.env["LOG_LEVEL"] = "DEBUG"
        st.start_web(workers=1)
        st.start_worker()
        st.sb.inject_fault("server_error", method="POST", path="*/pulls")
        made = st.commit("alice", "main", STRIPE)
        replies += [json.dumps(d).encode() for d in made["deliveries"]]
        for signature in (None, "sha256=00", sign(b"{}", "guess")):
            headers = {"X-GitHub-Event": "push", "Content-Type": "application/json"}
            if signature:
                headers["X-Hub-Signature-256"] = signature
            replies.append(http("POST", st.url, b"{}", headers)[1])
        st.wait(lambda: len(st.pulls()) == 1, 60, "the PR after a failed first try")
        replies += [json.dumps(c).encode() for c in st.bot_comments(st.pulls()[0]["number"])]
        replies.append(http("GET", f"http://127.0.0.1:{st.port}/metrics")[1])
        with st.sb.store.lock:
            tokens = list(st.sb.store.tokens)
        key_lines = [
            line
            for line in st.sb.private_key_pem.splitlines()
            if line and not line.startswith("-----")
        ]
        logs = st.log_text()
    assert tokens, "the sandbox issued installation tokens"
    assert "docs_refresh" in logs
    assert '"level": "debug"' in logs
    assert "retry" in logs  # the failed write was logged
    secrets = [STACK_SECRET, *tokens, *key_lines]
    for where, text in [("logs", logs), *(("reply", r.decode(errors="replace")) for r in replies)]:
        for secret in secrets:
            assert secret not in text, f"a secret appears in the {where}"
        assert "-----BEGIN" not in text
