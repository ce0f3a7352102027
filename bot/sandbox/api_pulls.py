"""Pull requests, issues, issue comments, reactions and labels.

The plain functions (`open_pull`, `add_comment`, `open_issue`) are shared with the admin
endpoints, which act as a person and then deliver the matching webhook.
References: https://docs.github.com/en/rest/pulls/pulls, https://docs.github.com/en/rest/issues,
https://docs.github.com/en/rest/reactions/reactions.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.sandbox import shapes, webhooks
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
from bot.sandbox.store import Comment, Issue, PullInfo, Reaction, Repo, Store

bp = Blueprint("pulls", __name__)

DOC_PULLS = "https://docs.github.com/rest/pulls/pulls"
DOC_ISSUES = "https://docs.github.com/rest/issues/issues"
DOC_COMMENTS = "https://docs.github.com/rest/issues/comments"
DOC_REACTIONS = "https://docs.github.com/rest/reactions/reactions"
DOC_LABELS = "https://docs.github.com/rest/issues/labels"
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
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


def open_issue(store: Store, r: Repo, *, user: str, title: str, body_text: str | None) -> Issue:
    with store.lock:
        number = store.next_number(r.full_name)
        now = store.now()
        issue = Issue(r.full_name, number, store.next_id(), title, body_text, user, now, now)
        store.issues[(r.full_name, number)] = issue
        return issue


def add_comment(store: Store, r: Repo, number: int, *, user: str, text: str) -> Comment:
    with store.lock:
        if (r.full_name, number) not in store.issues:
            not_found(f"{DOC_COMMENTS}#create-an-issue-comment")
        now = store.now()
        comment = Comment(store.next_id(), r.full_name, number, user, text, now, now)
        store.comments[comment.id] = comment
        store.issues[(r.full_name, number)].updated_at = now
        return comment


def close_pulls_for_deleted_branch(store: Store, r: Repo, ref: str) -> list[Issue]:
    """GitHub closes open pull requests whose head branch is deleted; returns those."""
    if not ref.startswith("refs/heads/"):
        return []
    closed = store.pulls_for_head(r.full_name, ref.removeprefix("refs/heads/"))
    for issue in closed:
        issue.state, issue.closed_at = "closed", store.now()
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


def _issue(r: Repo, number: int, doc: str = f"{DOC_ISSUES}#get-an-issue") -> Issue:
    found = ctx().store.issues.get((r.full_name, number))
    if found is None:
        not_found(doc)
    return found


def _pull(r: Repo, number: int) -> Issue:
    found = _issue(r, number, f"{DOC_PULLS}#get-a-pull-request")
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
        return paginate([shapes.pull(base_url(), store, r, i) for i in found])


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


def _echo_pull(r: Repo, issue: Issue, action: str) -> None:
    base, store = base_url(), ctx().store
    echo(
        "pull_request",
        lambda: webhooks.pull_request_payload(base, store, r, issue, action, actor()),
    )


def _echo_comment(r: Repo, comment: Comment, action: str) -> None:
    store = ctx().store
    issue = store.issues[(r.full_name, comment.issue_number)]
    base = base_url()
    echo(
        "issue_comment",
        lambda: webhooks.issue_comment_payload(base, store, r, issue, comment, actor(), action),
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
    with store.lock:
        if "base" in data:
            base_sha = r.git.ref_sha(f"refs/heads/{data['base']}")
            if base_sha is None:
                invalid("PullRequest", "base", "invalid", f"{DOC_PULLS}#update-a-pull-request")
            issue.pull.base_ref, issue.pull.base_sha = str(data["base"]), base_sha
        _edit_issue(store, issue, data)
        if "maintainer_can_modify" in data:
            issue.pull.maintainer_can_modify = bool(data["maintainer_can_modify"])
    action = (
        "edited" if issue.state == state else "closed" if issue.state == "closed" else "reopened"
    )
    _echo_pull(r, issue, action)
    return jsonify(shapes.pull(base_url(), store, r, issue))


def _edit_issue(store: Store, issue: Issue, data: dict[str, Any]) -> None:
    if isinstance(data.get("title"), str):
        issue.title = data["title"]
    if "body" in data:
        issue.body = data["body"]
    if data.get("state") in ("open", "closed") and data["state"] != issue.state:
        issue.state = data["state"]
        issue.closed_at = store.now() if issue.state == "closed" else None
    if isinstance(data.get("labels"), list):
        issue.labels = sorted({_label_name(x) for x in data["labels"]})
    issue.updated_at = store.now()


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


# --- issues and labels -----------------------------------------------------------------


@bp.get("/repos/<owner>/<name>/issues/<int:number>")
def get_issue(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    return jsonify(shapes.issue(base_url(), ctx().store, r, _issue(r, number)))


@bp.patch("/repos/<owner>/<name>/issues/<int:number>")
def update_issue(owner: str, name: str, number: int) -> Any:
    r, store = find_repo(owner, name), ctx().store
    issue = _issue(r, number)
    with store.lock:
        _edit_issue(store, issue, body())
    return jsonify(shapes.issue(base_url(), store, r, issue))


def _label_name(value: Any) -> str:
    return str(value["name"]) if isinstance(value, dict) else str(value)


@bp.get("/repos/<owner>/<name>/issues/<int:number>/labels")
def list_labels(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    return paginate(shapes.labels(base_url(), r, _issue(r, number).labels))


@bp.post("/repos/<owner>/<name>/issues/<int:number>/labels")
@bp.put("/repos/<owner>/<name>/issues/<int:number>/labels")
def add_labels(owner: str, name: str, number: int) -> Any:
    # Body is `{"labels": [...]}` or a bare list (both documented; PyGithub sends the list).
    r, store = find_repo(owner, name), ctx().store
    issue = _issue(r, number, f"{DOC_LABELS}#add-labels-to-an-issue")
    data = request.get_json(silent=True)
    names = data.get("labels") if isinstance(data, dict) else data
    if not isinstance(names, list):
        invalid("Label", "labels", doc=f"{DOC_LABELS}#add-labels-to-an-issue")
    with store.lock:
        keep = issue.labels if request.method == "POST" else []
        issue.labels = sorted(set(keep) | {_label_name(x) for x in names})
    return jsonify(shapes.labels(base_url(), r, issue.labels))


@bp.delete("/repos/<owner>/<name>/issues/<int:number>/labels/<label>")
def remove_label(owner: str, name: str, number: int, label: str) -> Any:
    r, store = find_repo(owner, name), ctx().store
    issue = _issue(r, number)
    with store.lock:
        if label not in issue.labels:
            raise ApiError(
                404, "Label does not exist", f"{DOC_LABELS}#remove-a-label-from-an-issue"
            )
        issue.labels.remove(label)
    return jsonify(shapes.labels(base_url(), r, issue.labels))


# --- comments ----------------------------------------------------------------------------


@bp.get("/repos/<owner>/<name>/issues/<int:number>/comments")
def list_comments(owner: str, name: str, number: int) -> Any:
    r, store = find_repo(owner, name), ctx().store
    _issue(r, number, f"{DOC_COMMENTS}#list-issue-comments")
    with store.lock:
        found = sorted(
            (
                c
                for c in store.comments.values()
                if c.repo == r.full_name and c.issue_number == number
            ),
            key=lambda c: c.id,
        )
        return paginate([shapes.comment(base_url(), store, r, c) for c in found])


@bp.post("/repos/<owner>/<name>/issues/<int:number>/comments")
def create_comment(owner: str, name: str, number: int) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    if not isinstance(data.get("body"), str):
        invalid("IssueComment", "body", doc=f"{DOC_COMMENTS}#create-an-issue-comment")
    comment = add_comment(store, r, number, user=actor(), text=data["body"])
    _echo_comment(r, comment, "created")
    return created(shapes.comment(base_url(), store, r, comment))


def _comment(r: Repo, comment_id: int) -> Comment:
    found = ctx().store.comments.get(comment_id)
    if found is None or found.repo != r.full_name:
        not_found(f"{DOC_COMMENTS}#get-an-issue-comment")
    return found


@bp.get("/repos/<owner>/<name>/issues/comments/<int:comment_id>")
def get_comment(owner: str, name: str, comment_id: int) -> Any:
    r = find_repo(owner, name)
    return jsonify(shapes.comment(base_url(), ctx().store, r, _comment(r, comment_id)))


@bp.patch("/repos/<owner>/<name>/issues/comments/<int:comment_id>")
def update_comment(owner: str, name: str, comment_id: int) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, body()
    comment = _comment(r, comment_id)
    if not isinstance(data.get("body"), str):
        invalid("IssueComment", "body", doc=f"{DOC_COMMENTS}#update-an-issue-comment")
    with store.lock:
        comment.body, comment.updated_at = data["body"], store.now()
    _echo_comment(r, comment, "edited")
    return jsonify(shapes.comment(base_url(), store, r, comment))


@bp.delete("/repos/<owner>/<name>/issues/comments/<int:comment_id>")
def delete_comment(owner: str, name: str, comment_id: int) -> Any:
    r, store = find_repo(owner, name), ctx().store
    comment = _comment(r, comment_id)
    _echo_comment(r, comment, "deleted")
    with store.lock:
        del store.comments[comment.id]
    return Response(status=204)


# --- reactions ---------------------------------------------------------------------------


def _react(subject: tuple[str, str, int], doc: str) -> Any:
    store, data = ctx().store, body()
    content = data.get("content")
    if content not in REACTIONS:
        invalid("Reaction", "content", "invalid", doc)
    user = actor()
    with store.lock:
        for existing in store.reactions.values():
            if (
                existing.subject == subject
                and existing.user == user
                and existing.content == content
            ):
                return jsonify(shapes.reaction(base_url(), store, existing))  # 200: already there
        reaction = Reaction(store.next_id(), subject, user, str(content), store.now())
        store.reactions[reaction.id] = reaction
        return created(shapes.reaction(base_url(), store, reaction))


def _list_reactions(subject: tuple[str, str, int]) -> Any:
    store = ctx().store
    content = request.args.get("content")
    with store.lock:
        found = [
            x
            for x in store.reactions.values()
            if x.subject == subject and (content is None or x.content == content)
        ]
        return paginate(
            [shapes.reaction(base_url(), store, x) for x in sorted(found, key=lambda x: x.id)]
        )


@bp.post("/repos/<owner>/<name>/issues/<int:number>/reactions")
def react_issue(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    _issue(r, number)
    return _react(("issue", r.full_name, number), f"{DOC_REACTIONS}#create-reaction-for-an-issue")


@bp.get("/repos/<owner>/<name>/issues/<int:number>/reactions")
def issue_reactions(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    _issue(r, number)
    return _list_reactions(("issue", r.full_name, number))


@bp.post("/repos/<owner>/<name>/issues/comments/<int:comment_id>/reactions")
def react_comment(owner: str, name: str, comment_id: int) -> Any:
    r = find_repo(owner, name)
    _comment(r, comment_id)
    return _react(
        ("comment", r.full_name, comment_id),
        f"{DOC_REACTIONS}#create-reaction-for-an-issue-comment",
    )


@bp.get("/repos/<owner>/<name>/issues/comments/<int:comment_id>/reactions")
def comment_reactions(owner: str, name: str, comment_id: int) -> Any:
    r = find_repo(owner, name)
    _comment(r, comment_id)
    return _list_reactions(("comment", r.full_name, comment_id))


@bp.delete("/repos/<owner>/<name>/issues/comments/<int:comment_id>/reactions/<int:reaction_id>")
@bp.delete("/repos/<owner>/<name>/issues/<int:comment_id>/reactions/<int:reaction_id>")
def delete_reaction(owner: str, name: str, comment_id: int, reaction_id: int) -> Any:
    store = ctx().store
    find_repo(owner, name)
    with store.lock:
        if store.reactions.pop(reaction_id, None) is None:
            not_found(f"{DOC_REACTIONS}#delete-an-issue-comment-reaction")
    return Response(status=204)
