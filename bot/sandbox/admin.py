"""`/_sandbox/…`: set up and drive the sandbox for tests, benchmarks and demos.

Acting as a person (open a pull request, comment, commit, push) changes real state and
then delivers the webhook GitHub would send; the response carries the delivery records.
These endpoints need no authentication and are not written to the request log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify

from bot.sandbox import shapes, webhooks
from bot.sandbox.api_issues import add_comment, open_issue
from bot.sandbox.api_pulls import open_pull, sync_pulls_after_ref_move
from bot.sandbox.gitrepo import ZERO_SHA, GitError, GitRepo, Person
from bot.sandbox.rest import ApiError, base_url, body, created, ctx, find_repo, invalid, not_found
from bot.sandbox.store import APP_ID, INSTALLATION_ID, Fault, Repo

bp = Blueprint("admin", __name__, url_prefix="/_sandbox")

FAULT_KINDS = ("server_error", "secondary_limit", "primary_limit", "unprocessable", "delay")
PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")


def info() -> dict[str, Any]:
    c = ctx()
    return {
        "api_url": base_url(),
        "app_id": APP_ID,
        "installation_id": INSTALLATION_ID,
        "private_key_path": str(c.private_key_path),
        "webhook_secret": c.webhook_secret,
    }


@bp.get("/info")
def get_info() -> Any:
    return jsonify(info())


def _deliver(event: str, payload: dict[str, Any]) -> dict[str, Any]:
    c = ctx()
    return webhooks.deliver(c.store, c.webhook_url, c.webhook_secret, event, payload)


def _user(data: dict[str, Any], default: str | None = None) -> str:
    login = data.get("user", default)
    if not isinstance(login, str) or not login:
        invalid("Sandbox", "user")
    ctx().store.user(login, data.get("user_type"))
    return login


@bp.post("/repos")
def add_repo() -> Any:
    data = body()
    full_name, path = data.get("full_name"), data.get("path")
    if not isinstance(full_name, str) or full_name.count("/") != 1:
        invalid("Repository", "full_name")
    if not isinstance(path, str):
        invalid("Repository", "path")
    try:
        git = GitRepo(Path(path))
    except GitError as err:
        raise ApiError(422, f"not a git repository: {path}") from err
    store = ctx().store
    if data.get("fork_of") and store.repos.get(str(data["fork_of"]).lower()) is None:
        invalid("Repository", "fork_of", "invalid")
    repo = store.add_repo(
        full_name,
        git,
        private=bool(data.get("private", False)),
        fork_of=data.get("fork_of"),
        owner_type=str(data.get("owner_type", "User")),
    )
    records = []
    if data.get("deliver"):  # the repository is added to the installation, as on GitHub
        user = _user(data, repo.owner)
        payload = webhooks.installation_repositories_payload(base_url(), store, repo, user)
        records.append(_deliver("installation_repositories", payload))
    return created({**shapes.repository(base_url(), store, repo, full=True), "deliveries": records})


@bp.post("/installation")
def installation_event() -> Any:
    """Deliver `installation` (`created` by default) listing every served repository."""
    data, store = body(), ctx().store
    action = str(data.get("action", "created"))
    if action not in ("created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"):
        invalid("Installation", "action", "invalid")
    owner = next(iter(store.repos.values())).owner if store.repos else "sandbox"
    payload = webhooks.installation_payload(base_url(), store, action, _user(data, owner))
    return created(
        {"installation": payload["installation"], "deliveries": [_deliver("installation", payload)]}
    )


@bp.post("/users")
def add_user() -> Any:
    data = body()
    login = _user({"user": data.get("login"), "user_type": data.get("type")})
    return created(shapes.user(base_url(), ctx().store.user(login)))


@bp.post("/repos/<owner>/<name>/collaborators")
def add_collaborator(owner: str, name: str) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    login = _user({"user": data.get("login"), "user_type": data.get("type")})
    permission = data.get("permission", "write")
    if permission not in PERMISSIONS:
        invalid("Collaborator", "permission", "invalid")
    with store.lock:
        store.collaborators[(r.full_name, login.lower())] = str(permission)
    return created({"login": login, "permission": permission})


@bp.post("/repos/<owner>/<name>/pulls")
def user_opens_pull(owner: str, name: str) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    user = _user(data)
    issue = open_pull(
        store,
        r,
        user=user,
        head=str(data.get("head", "")),
        base=str(data.get("base") or r.default_branch),
        title=str(data.get("title", "A change")),
        body_text=data.get("body"),
        draft=bool(data.get("draft", False)),
        head_repo=data.get("head_repo"),
    )
    payload = webhooks.pull_request_payload(base_url(), store, r, issue, "opened", user)
    return created(
        {"pull_request": payload["pull_request"], "deliveries": [_deliver("pull_request", payload)]}
    )


@bp.post("/repos/<owner>/<name>/pulls/<int:number>/close")
def user_closes_pull(owner: str, name: str, number: int) -> Any:
    """Close a pull request as a person; `"merge": true` merges it first (a real merge commit)."""
    r, store, data = find_repo(owner, name), ctx().store, body()
    user = _user(data)
    issue = store.issues.get((r.full_name, number))
    if issue is None or issue.pull is None:
        not_found()
    p = issue.pull
    if data.get("merge"):
        with r.git.lock:
            base_sha = r.git.ref_sha(f"refs/heads/{p.base_ref}")
            assert base_sha is not None
            try:
                tree = (
                    r.git.git("merge-tree", "--write-tree", base_sha, p.head_sha)
                    .decode()
                    .split()[0]
                )
            except GitError as err:
                raise ApiError(405, "Pull Request is not mergeable") from err
            who = Person(user, f"{user}@users.noreply.github.com", store.now())
            message = (
                f"Merge pull request #{number} from {p.head_repo.split('/')[0]}:{p.head_ref}\n"
            )
            merge = r.git.commit_tree(tree, [base_sha, p.head_sha], message, who, who)
            r.git.update_ref(f"refs/heads/{p.base_ref}", merge, base_sha)
            p.base_sha = base_sha
        p.merged, p.merged_at, p.merge_commit_sha, p.merged_by = True, store.now(), merge, user
    with store.lock:
        issue.close(user, store.now())
        issue.updated_at = store.now()
    payload = webhooks.pull_request_payload(base_url(), store, r, issue, "closed", user)
    records = [_deliver("pull_request", payload)]
    if p.merged and p.merge_commit_sha:  # the merge pushed the base branch: GitHub says so
        base_ref = f"refs/heads/{p.base_ref}"
        records += _after_move(r, base_ref, p.base_sha, p.merge_commit_sha, user, True)
    return jsonify({"pull_request": payload["pull_request"], "deliveries": records})


@bp.post("/issues")
@bp.post("/repos/<owner>/<name>/issues")
def user_opens_issue(owner: str | None = None, name: str | None = None) -> Any:
    data = body()
    if owner is None or name is None:
        owner, _, name = str(data.get("repo", "")).partition("/")
    r, store = find_repo(owner, name), ctx().store
    user = _user(data)
    issue = open_issue(
        store, r, user=user, title=str(data.get("title", "An issue")), body_text=data.get("body")
    )
    payload = webhooks.issues_payload(base_url(), store, r, issue, "opened", user)
    return created({"issue": payload["issue"], "deliveries": [_deliver("issues", payload)]})


@bp.post("/repos/<owner>/<name>/issues/<int:number>/comments")
def user_comments(owner: str, name: str, number: int) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    user = _user(data)
    if not isinstance(data.get("body"), str):
        invalid("IssueComment", "body")
    comment = add_comment(store, r, number, user=user, text=data["body"])
    issue = store.issues[(r.full_name, number)]
    payload = webhooks.issue_comment_payload(base_url(), store, r, issue, comment, user)
    return created(
        {"comment": payload["comment"], "deliveries": [_deliver("issue_comment", payload)]}
    )


def _after_move(
    r: Repo, ref: str, before: str, after: str, user: str, deliver: bool
) -> list[dict[str, Any]]:
    """Sync pull heads; deliver `push` and `pull_request.synchronize` as GitHub would."""
    store = ctx().store
    moved = sync_pulls_after_ref_move(store, r, ref, after) if after != ZERO_SHA else []
    if not deliver:
        return []
    records = [
        _deliver("push", webhooks.push_payload(base_url(), store, r, ref, before, after, user))
    ]
    for issue in moved:
        base_repo = store.repos[issue.repo.lower()]
        payload = webhooks.pull_request_payload(
            base_url(), store, base_repo, issue, "synchronize", user, before=before
        )
        records.append(_deliver("pull_request", payload))
    return records


@bp.post("/repos/<owner>/<name>/commits")
def user_commits(owner: str, name: str) -> Any:
    """Commit `files` ({path: text, or null to delete}) onto `branch` as `user` (a person)."""
    r, store, data = find_repo(owner, name), ctx().store, body()
    user = _user(data)
    branch, files = data.get("branch"), data.get("files")
    if not isinstance(branch, str) or not branch:
        invalid("Commit", "branch")
    if not isinstance(files, dict) or not files:
        invalid("Commit", "files")
    ref = f"refs/heads/{branch}"
    author_data = data.get("author")
    if not isinstance(author_data, dict):
        author_data = {}
    author = Person(
        str(author_data.get("name", user)),
        str(author_data.get("email", f"{user}@users.noreply.github.com")),
        store.now(),
    )
    with r.git.lock:
        before = r.git.ref_sha(ref)
        parent = before or r.git.resolve(str(data.get("from") or r.default_branch))
        if parent is None:
            invalid("Commit", "from", "invalid")
        info = r.git.commit_info(parent)
        assert info is not None
        changes = [
            (path, "100644", None if text is None else r.git.hash_blob(str(text).encode()))
            for path, text in sorted(files.items())
        ]
        tree = r.git.write_tree(info.tree, changes)
        sha = r.git.commit_tree(
            tree, [parent], str(data.get("message", "Edit files")), author, author
        )
        r.git.update_ref(ref, sha, before)
    records = _after_move(r, ref, before or ZERO_SHA, sha, user, bool(data.get("deliver", True)))
    return created(
        {"sha": sha, "ref": ref, "before": before or ZERO_SHA, "after": sha, "deliveries": records}
    )


@bp.post("/repos/<owner>/<name>/push")
def user_pushes(owner: str, name: str) -> Any:
    """Deliver `push` for a ref move from `before` to `after` (moving the ref there first)."""
    r, data = find_repo(owner, name), body()
    user = _user(data)
    ref, before = data.get("ref"), data.get("before")
    if not isinstance(ref, str) or not ref.startswith("refs/"):
        invalid("Push", "ref")
    if not isinstance(before, str) or len(before) != 40:
        invalid("Push", "before")
    with r.git.lock:
        current = r.git.ref_sha(ref)
        after = str(data.get("after") or current or ZERO_SHA)
        if after != ZERO_SHA and r.git.resolve(after) != after:
            invalid("Push", "after", "invalid")
        if after != (current or ZERO_SHA):
            if after == ZERO_SHA:
                assert current is not None
                r.git.delete_ref(ref, current)
            else:
                r.git.update_ref(ref, after, current)
    records = _after_move(r, ref, before, after, user, True)
    return jsonify({"ref": ref, "before": before, "after": after, "deliveries": records})


# --- observation and faults ---------------------------------------------------------------


@bp.get("/requests")
def get_requests() -> Any:
    with ctx().store.lock:
        return jsonify(list(ctx().store.requests))


@bp.delete("/requests")
def clear_requests() -> Any:
    with ctx().store.lock:
        ctx().store.requests.clear()
    return Response(status=204)


@bp.get("/deliveries")
def get_deliveries() -> Any:
    with ctx().store.lock:
        return jsonify(list(ctx().store.deliveries))


@bp.post("/faults")
def add_fault() -> Any:
    data = body()
    kind = data.get("kind")
    if kind not in FAULT_KINDS:
        invalid("Fault", "kind", "invalid")
    fault = make_fault(str(kind), data)
    with ctx().store.lock:
        ctx().store.faults.append(fault)
    return created(vars(fault))


def make_fault(kind: str, data: dict[str, Any]) -> Fault:
    count = int(data.get("count", 1))
    if count < 1:
        invalid("Fault", "count", "invalid")
    return Fault(
        kind=kind,
        remaining=count,
        method=data.get("method"),
        path=str(data.get("path", "*")),
        status=int(data["status"]) if data.get("status") else None,
        message=data.get("message"),
        retry_after=int(data.get("retry_after", 1)),
        delay=float(data.get("delay", 0.0)),
    )


@bp.get("/faults")
def list_faults() -> Any:
    with ctx().store.lock:
        return jsonify([vars(f) for f in ctx().store.faults])


@bp.delete("/faults")
def clear_faults() -> Any:
    with ctx().store.lock:
        ctx().store.faults.clear()
    return Response(status=204)
