"""Webhook payloads built from real state, signed and delivered like GitHub's.

Signature: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
(`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body with the secret>`).
Headers: https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers
Delivery is synchronous, so a test or a demo sees the receiver's answer in the admin response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import uuid
from typing import Any

import requests

from bot.sandbox import accounts, observers, shapes
from bot.sandbox.gitrepo import ZERO_SHA
from bot.sandbox.store import APP_ID, INSTALLATION_ID, Comment, Issue, Repo, Store

DELIVERY_TIMEOUT = 10.0
MAX_PUSH_COMMITS = 2048  # https://docs.github.com/en/webhooks/webhook-events-and-payloads#push


def signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    store: Store, url: str | None, secret: str, event: str, payload: dict[str, Any]
) -> dict[str, Any]:
    """POST one delivery to `url` (if any) and record it; returns the record."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    delivery_id = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/sandbox",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id,
        "X-GitHub-Hook-ID": "1",
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-GitHub-Hook-Installation-Target-ID": str(APP_ID),
        "X-Hub-Signature-256": signature(secret, body),
        "X-Hub-Signature": "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest(),
    }
    record: dict[str, Any] = {
        "id": delivery_id,
        "event": event,
        "action": payload.get("action"),
        "url": url,
        "status": None,
        "error": None,
        "payload": payload,
    }
    if url:
        try:
            resp = requests.post(url, data=body, headers=headers, timeout=DELIVERY_TIMEOUT)
            record["status"] = resp.status_code
        except requests.RequestException as err:
            record["error"] = str(err)
    with store.lock:
        store.deliveries.append(record)
    observers.notify(observers.Delivery(event, payload))
    return record


class Outbox:
    """Delivers queued webhooks in order, on one thread, apart from the API request that
    caused them (GitHub's deliveries are asynchronous, in order per hook)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: queue.Queue[tuple[str | None, str, str, dict[str, Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def put(self, url: str | None, secret: str, event: str, payload: dict[str, Any]) -> None:
        self._queue.put((url, secret, event, payload))

    def drain(self) -> None:
        """Block until every queued delivery has been attempted."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=DELIVERY_TIMEOUT + 5)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                deliver(self._store, *item)
            finally:
                self._queue.task_done()


# Keys GitHub's REST answers carry that its webhook payloads leave out (the webhook
# schemas, @octokit/webhooks-schemas, forbid them), by the key that marks the object.
_REST_ONLY = {
    "git_refs_url": (  # a repository
        "anonymous_access_enabled",
        "has_pull_requests",
        "pull_request_creation_policy",
        "network_count",
        "subscribers_count",
        "temp_clone_token",
        "parent",
        "source",
    ),
    "repository_url": (  # an issue
        "closed_by",
        "issue_dependencies_summary",
        "sub_issues_summary",
        "type",
    ),
    "issue_url": ("pin", "minimized"),  # an issue comment (a pull request has no `pin`)
    "client_id": ("client_id", "contact_email"),  # an app or an installation
}


def as_delivered(value: Any) -> Any:
    """A REST body reshaped as GitHub's webhooks carry it (a copy)."""
    if isinstance(value, list):
        return [as_delivered(v) for v in value]
    if not isinstance(value, dict):
        return value
    drop = {key for mark, keys in _REST_ONLY.items() if mark in value for key in keys}
    out = {k: as_delivered(v) for k, v in value.items() if k not in drop}
    if "git_refs_url" in value:
        out.setdefault("custom_properties", {})
    return out


def organization(base: str, store: Store, r: Repo) -> dict[str, Any]:
    """`organization`, which GitHub adds to events of an organization's repositories."""
    owner = store.user(r.owner)
    url = f"{base}/orgs/{owner.login}"
    if owner.type != "Organization":
        return {}
    return {
        "organization": {
            "login": owner.login,
            "id": owner.id,
            "node_id": shapes.node_id("Organization", owner.id),
            "url": url,
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events",
            "hooks_url": f"{url}/hooks",
            "issues_url": f"{url}/issues",
            "members_url": f"{url}/members{{/member}}",
            "public_members_url": f"{url}/public_members{{/member}}",
            "avatar_url": f"{base}/_sandbox/avatars/{owner.login}",
            "description": None,
        }
    }


def _common(base: str, store: Store, r: Repo, sender: str) -> dict[str, Any]:
    return {
        **organization(base, store, r),
        "repository": as_delivered(shapes.repository(base, store, r, full=True)),
        "installation": {
            "id": INSTALLATION_ID,
            "node_id": shapes.node_id("Installation", INSTALLATION_ID),
        },
        "sender": shapes.user(base, store.user(sender)),
    }


def push_payload(
    base: str, store: Store, r: Repo, ref: str, before: str, after: str, sender: str
) -> dict[str, Any]:
    """A `push` payload whose commits are the real ones between `before` and `after`.

    Each commit lists the paths it added, modified and removed against its first parent, so
    the union over commits is exactly what the push changed. For a new branch the commits
    are those not already on another branch, as GitHub reports them.
    """
    created, deleted = before == ZERO_SHA, after == ZERO_SHA
    if deleted:
        shas: list[str] = []
    elif created:
        others = [sha for name, sha, _ in r.git.refs("refs/heads/") if name != ref]
        shas = r.git.rev_list(after, *others, limit=MAX_PUSH_COMMITS)
    else:
        shas = r.git.rev_list(after, before, limit=MAX_PUSH_COMMITS)
    commits = [_push_commit(base, store, r, sha, distinct=True) for sha in shas]
    head = (
        None
        if deleted
        else _push_commit(base, store, r, after, distinct=bool(shas and shas[-1] == after))
    )
    forced = not created and not deleted and not r.git.is_ancestor(before, after)
    pusher = store.user(sender)
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "created": created,
        "deleted": deleted,
        "forced": forced,
        "base_ref": None,
        "compare": f"{base}/{r.full_name}/compare/{before[:12]}...{after[:12]}",
        "commits": commits,
        "head_commit": head,
        "pusher": {"name": pusher.login, "email": f"{pusher.login}@users.noreply.github.com"},
        **_common(base, store, r, sender),
    }


def _pusher_person(store: Store, p: Any) -> dict[str, Any]:
    """A push commit's author or committer; `username` when the e-mail names an account."""
    found = shapes.account_login(store, p)
    person = {"name": p.name, "email": p.email}
    return {**person, "username": found} if found else person


def _push_commit(base: str, store: Store, r: Repo, sha: str, *, distinct: bool) -> dict[str, Any]:
    info = r.git.commit_info(sha)
    assert info is not None
    changed = r.git.changed_paths(sha)
    return {
        "id": info.sha,
        "tree_id": info.tree,
        "distinct": distinct,
        "message": info.message,
        "timestamp": info.committer.date,
        "url": f"{base}/{r.full_name}/commit/{info.sha}",
        "author": _pusher_person(store, info.author),
        "committer": _pusher_person(store, info.committer),
        "added": changed["added"],
        "removed": changed["removed"],
        "modified": changed["modified"],
    }


def pull_request_payload(
    base: str,
    store: Store,
    r: Repo,
    issue: Issue,
    action: str,
    sender: str,
    *,
    changes: dict[str, Any] | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """`edited` carries what changed (`changes`), `synchronize` the head it moved from."""
    # https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request
    assert issue.pull is not None
    payload: dict[str, Any] = {"action": action, "number": issue.number}
    if action == "edited":
        payload["changes"] = changes or {}
    if action == "synchronize":
        payload["before"], payload["after"] = before or ZERO_SHA, issue.pull.head_sha
    return {
        **payload,
        "pull_request": as_delivered(shapes.pull(base, store, r, issue)),
        **_common(base, store, r, sender),
    }


def issue_comment_payload(
    base: str,
    store: Store,
    r: Repo,
    issue: Issue,
    comment: Comment,
    sender: str,
    action: str = "created",
    changes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    # https://docs.github.com/en/webhooks/webhook-events-and-payloads#issue_comment
    payload: dict[str, Any] = {"action": action}
    if action == "edited":
        payload["changes"] = changes or {}
    return {
        **payload,
        "issue": as_delivered(shapes.issue(base, store, r, issue)),
        "comment": as_delivered(shapes.comment(base, store, r, comment)),
        **_common(base, store, r, sender),
    }


def issues_payload(
    base: str, store: Store, r: Repo, issue: Issue, action: str, sender: str
) -> dict[str, Any]:
    # https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues
    return {
        "action": action,
        "issue": as_delivered(shapes.issue(base, store, r, issue)),
        **_common(base, store, r, sender),
    }


def _repo_ref(r: Repo) -> dict[str, Any]:
    return {
        "id": r.id,
        "node_id": shapes.node_id("Repository", r.id),
        "name": r.name,
        "full_name": r.full_name,
        "private": r.private,
    }


def installation_payload(base: str, store: Store, action: str, sender: str) -> dict[str, Any]:
    # https://docs.github.com/en/webhooks/webhook-events-and-payloads#installation
    repos = sorted(store.repos.values(), key=lambda r: r.full_name)
    return {
        "action": action,
        "installation": as_delivered(accounts.installation(base, store)),
        "repositories": [_repo_ref(r) for r in repos],
        "sender": shapes.user(base, store.user(sender)),
    }


def installation_repositories_payload(
    base: str, store: Store, added: Repo, sender: str
) -> dict[str, Any]:
    # https://docs.github.com/en/webhooks/webhook-events-and-payloads#installation_repositories
    return {
        "action": "added",
        "installation": as_delivered(accounts.installation(base, store)),
        "repository_selection": "all",
        "repositories_added": [_repo_ref(added)],
        "repositories_removed": [],
        "requester": None,
        "sender": shapes.user(base, store.user(sender)),
    }
