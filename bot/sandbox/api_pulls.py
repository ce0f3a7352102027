"""Pull requests: list, get, create, update, files and commits.

`open_pull` and the ref-move hooks are shared with the admin endpoints and git refs.
Reference: https://docs.github.com/en/rest/pulls/pulls
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from bot.sandbox import shapes, webhooks
from bot.sandbox.api_issues import edit_issue, issue_or_404
from bot.sandbox.rest import (
    ApiError,
    actor,
    base_url,
    body,
    created,
    ctx,
    echo,
    find_repo,
    invalid,
    not_found,
    paginate,
)
from bot.sandbox.store import Issue, PullInfo, Repo, Store

bp = Blueprint("pulls", __name__)

DOC_PULLS = "https://docs.github.com/rest/pulls/pulls"
PULL_EXISTS = "A pull request already exists for {label}."
NO_COMMITS = "No commits between {base} and {head}"


def _custom(message: str, doc: str) -> ApiError:
    return ApiError(
        422,
        "Validation Failed",
        doc,
        [{"resource": "PullRequest", "code": "custom", "message": message}],
    )


def _head_repo(store: Store, base_repo: Repo, head: str, head_repo: str | None) -> tuple[Repo, str]:
    """(repository, branch) named by `head` ("branch" or "owner:branch") and `head_repo`."""
    owner, sep, ref = head.partition(":")
    if not sep:
        owner, ref = base_repo.owner, head
    if head_repo:
        found = store.repos.get(head_repo.lower())
    elif owner.lower() == base_repo.owner.lower():
        found = base_repo
    else:  # a fork: the sandbox repository of that owner whose parent is the base
        found = next(
            (
                r
                for r in store.repos.values()
                if r.owner.lower() == owner.lower()
                and (r.fork_of or "").lower() == base_repo.full_name.lower()
            ),
            None,
        )
    if found is None:
        invalid("PullRequest", "head", "invalid", f"{DOC_PULLS}#create-a-pull-request")
    return found, ref


def open_pull(
    store: Store,
    r: Repo,
    *,
    user: str,
    head: str,
    base: str,
    title: str,
    body_text: str | None,
    draft: bool = False,
    head_repo: str | None = None,
    maintainer_can_modify: bool = False,
) -> Issue:
    doc = f"{DOC_PULLS}#create-a-pull-request"
    source, ref = _head_repo(store, r, head, head_repo)
    base_sha = r.git.ref_sha(f"refs/heads/{base}")
    if base_sha is None:
        invalid("PullRequest", "base", "invalid", doc)
    head_sha = source.git.ref_sha(f"refs/heads/{ref}")
    if head_sha is None:
        invalid("PullRequest", "head", "invalid", doc)
    with store.lock:
        for other in store.issues.values():
            p = other.pull
            if (
                p
                and other.repo == r.full_name
                and other.state == "open"
                and p.head_repo == source.full_name
                and p.head_ref == ref
                and p.base_ref == base
            ):
                raise _custom(PULL_EXISTS.format(label=f"{source.owner}:{ref}"), doc)
        number = store.next_number(r.full_name)
        # GitHub keeps every pull's head in the base repository as refs/pull/N/head.
        r.git.fetch(source.git.path, head_sha, f"refs/pull/{number}/head")
        if not r.git.rev_list(head_sha, base_sha, limit=1):
            r.git.delete_ref(f"refs/pull/{number}/head", head_sha)
            raise _custom(NO_COMMITS.format(base=base, head=f"{source.owner}:{ref}"), doc)
        now = store.now()
        pull = PullInfo(
            source.full_name,
            ref,
            head_sha,
            base,
            base_sha,
            draft,
            maintainer_can_modify=maintainer_can_modify,
        )
        issue = Issue(
            r.full_name, number, store.next_id(), title, body_text, user, now, now, pull=pull
        )
        store.issues[(r.full_name, number)] = issue
        return issue


def close_pulls_for_deleted_branch(store: Store, r: Repo, ref: str) -> list[Issue]:
    """GitHub closes open pull requests whose head branch is deleted; returns those."""
    if not ref.startswith("refs/heads/"):
        return []
    closed = store.pulls_for_head(r.full_name, ref.removeprefix("refs/heads/"))
    for issue in closed:
        issue.close(actor(), store.now())
    return closed


def sync_pulls_after_ref_move(store: Store, r: Repo, ref: str, sha: str) -> list[Issue]:
    """Update heads (and refs/pull/N/head) of open pulls on `ref`; return those that moved."""
    if not ref.startswith("refs/heads/"):
        return []
    branch = ref.removeprefix("refs/heads/")
    moved = []
    with store.lock:
        for issue in store.pulls_for_head(r.full_name, branch):
            assert issue.pull is not None
            if issue.pull.head_sha != sha:
                base_repo = store.repos[issue.repo.lower()]
                base_repo.git.fetch(r.git.path, sha, f"refs/pull/{issue.number}/head")
                issue.pull.head_sha, issue.updated_at = sha, store.now()
                moved.append(issue)
        for issue in store.issues.values():
            if (
                issue.pull
                and issue.repo == r.full_name
                and issue.state == "open"
                and issue.pull.base_ref == branch
            ):
                issue.pull.base_sha = sha
    return moved


def _pull(r: Repo, number: int) -> Issue:
    found = issue_or_404(r, number, f"{DOC_PULLS}#get-a-pull-request")
    if found.pull is None:
        not_found(f"{DOC_PULLS}#get-a-pull-request")
    return found


# --- pulls ------------------------------------------------------------------------------


@bp.get("/repos/<owner>/<name>/pulls")
def list_pulls(owner: str, name: str) -> Any:
    r, store = find_repo(owner, name), ctx().store
    state = request.args.get("state", "open")
    head, base = request.args.get("head"), request.args.get("base")
    with store.lock:
        found = [i for i in store.issues.values() if i.pull and i.repo == r.full_name]
        if state in ("open", "closed"):
            found = [i for i in found if i.state == state]
        if head:
            h_owner, _, h_ref = head.partition(":")
            found = [
                i
                for i in found
                if i.pull
                and i.pull.head_ref == h_ref
                and i.pull.head_repo.split("/")[0].lower() == h_owner.lower()
            ]
        if base:
            found = [i for i in found if i.pull and i.pull.base_ref == base]
        found.sort(key=lambda i: i.number, reverse=request.args.get("direction", "desc") == "desc")
        # List items are GitHub's `pull-request-simple`: no `merged`, `mergeable`, counts.
        return paginate([shapes.pull(base_url(), store, r, i, listed=True) for i in found])


@bp.post("/repos/<owner>/<name>/pulls")
def create_pull(owner: str, name: str) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    for key in ("title", "head", "base"):
        if not isinstance(data.get(key), str):
            invalid("PullRequest", key, doc=f"{DOC_PULLS}#create-a-pull-request")
    issue = open_pull(
        store,
        r,
        user=actor(),
        head=data["head"],
        base=data["base"],
        title=data["title"],
        body_text=data.get("body"),
        draft=bool(data.get("draft", False)),
        head_repo=data.get("head_repo"),
        maintainer_can_modify=bool(data.get("maintainer_can_modify", False)),
    )
    _echo_pull(r, issue, "opened")
    return created(shapes.pull(base_url(), store, r, issue))


def _echo_pull(r: Repo, issue: Issue, action: str, changes: dict[str, Any] | None = None) -> None:
    base, store = base_url(), ctx().store
    echo(
        "pull_request",
        lambda: webhooks.pull_request_payload(
            base, store, r, issue, action, actor(), changes=changes
        ),
    )


@bp.get("/repos/<owner>/<name>/pulls/<int:number>")
def get_pull(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    return jsonify(shapes.pull(base_url(), ctx().store, r, _pull(r, number)))


@bp.patch("/repos/<owner>/<name>/pulls/<int:number>")
def update_pull(owner: str, name: str, number: int) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    issue = _pull(r, number)
    assert issue.pull is not None
    state = issue.state
    old = {"title": issue.title, "body": issue.body, "base": issue.pull.base_ref}
    old_base_sha = issue.pull.base_sha
    with store.lock:
        if "base" in data:
            base_sha = r.git.ref_sha(f"refs/heads/{data['base']}")
            if base_sha is None:
                invalid("PullRequest", "base", "invalid", f"{DOC_PULLS}#update-a-pull-request")
            issue.pull.base_ref, issue.pull.base_sha = str(data["base"]), base_sha
        edit_issue(store, issue, data)
        if "maintainer_can_modify" in data:
            issue.pull.maintainer_can_modify = bool(data["maintainer_can_modify"])
    action = (
        "edited" if issue.state == state else "closed" if issue.state == "closed" else "reopened"
    )
    # https://docs.github.com/en/webhooks/webhook-events-and-payloads?actionType=edited#pull_request
    changes: dict[str, Any] = {
        key: {"from": old[key] or ""}
        for key in ("title", "body")
        if getattr(issue, key) != old[key]
    }
    if issue.pull.base_ref != old["base"]:
        changes["base"] = {"ref": {"from": old["base"]}, "sha": {"from": old_base_sha}}
    _echo_pull(r, issue, action, changes)
    return jsonify(shapes.pull(base_url(), store, r, issue))


@bp.get("/repos/<owner>/<name>/pulls/<int:number>/files")
def pull_files(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    p = _pull(r, number).pull
    assert p is not None
    merge_base = r.git.merge_base(p.base_sha, p.head_sha) or p.base_sha
    changes = r.git.diff(merge_base, p.head_sha)[:3000]  # GitHub lists at most 3000 files
    return paginate([shapes.file_change(base_url(), r, f, p.head_sha) for f in changes])


@bp.get("/repos/<owner>/<name>/pulls/<int:number>/commits")
def pull_commits(owner: str, name: str, number: int) -> Any:
    r, store = find_repo(owner, name), ctx().store
    p = _pull(r, number).pull
    assert p is not None
    infos = [r.git.commit_info(sha) for sha in r.git.rev_list(p.head_sha, p.base_sha, limit=250)]
    return paginate([shapes.rest_commit(base_url(), store, r, i, None) for i in infos if i])
