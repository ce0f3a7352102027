"""Issues, labels, issue comments and reactions (pull requests are issues too).

`open_issue` and `add_comment` are shared with the admin endpoints, which act as a person.
References: https://docs.github.com/en/rest/issues, https://docs.github.com/en/rest/reactions/reactions
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
from bot.sandbox.store import Comment, Issue, Reaction, Repo, Store

bp = Blueprint("issues", __name__)

DOC_ISSUES = "https://docs.github.com/rest/issues/issues"
DOC_COMMENTS = "https://docs.github.com/rest/issues/comments"
DOC_REACTIONS = "https://docs.github.com/rest/reactions/reactions"
DOC_LABELS = "https://docs.github.com/rest/issues/labels"
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


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


def issue_or_404(r: Repo, number: int, doc: str = f"{DOC_ISSUES}#get-an-issue") -> Issue:
    found = ctx().store.issues.get((r.full_name, number))
    if found is None:
        not_found(doc)
    return found


def _echo_comment(
    r: Repo, comment: Comment, action: str, changes: dict[str, Any] | None = None
) -> None:
    store = ctx().store
    issue = store.issues[(r.full_name, comment.issue_number)]
    base = base_url()
    echo(
        "issue_comment",
        lambda: webhooks.issue_comment_payload(
            base, store, r, issue, comment, actor(), action, changes
        ),
    )


def edit_issue(store: Store, issue: Issue, data: dict[str, Any]) -> None:
    if isinstance(data.get("title"), str):
        issue.title = data["title"]
    if "body" in data:
        issue.body = data["body"]
    if data.get("state") in ("open", "closed") and data["state"] != issue.state:
        if data["state"] == "closed":
            issue.close(actor(), store.now())
        else:
            issue.reopen()
    if isinstance(data.get("labels"), list):
        issue.labels = sorted({_label_name(x) for x in data["labels"]})
    issue.updated_at = store.now()


# --- issues and labels -----------------------------------------------------------------


@bp.get("/repos/<owner>/<name>/issues/<int:number>")
def get_issue(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    return jsonify(shapes.issue(base_url(), ctx().store, r, issue_or_404(r, number)))


@bp.patch("/repos/<owner>/<name>/issues/<int:number>")
def update_issue(owner: str, name: str, number: int) -> Any:
    r, store = find_repo(owner, name), ctx().store
    issue = issue_or_404(r, number)
    with store.lock:
        edit_issue(store, issue, body())
    return jsonify(shapes.issue(base_url(), store, r, issue))


def _label_name(value: Any) -> str:
    return str(value["name"]) if isinstance(value, dict) else str(value)


@bp.get("/repos/<owner>/<name>/issues/<int:number>/labels")
def list_labels(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    return paginate(shapes.labels(base_url(), r, issue_or_404(r, number).labels))


@bp.post("/repos/<owner>/<name>/issues/<int:number>/labels")
@bp.put("/repos/<owner>/<name>/issues/<int:number>/labels")
def add_labels(owner: str, name: str, number: int) -> Any:
    # Body is `{"labels": [...]}` or a bare list (both documented; PyGithub sends the list).
    r, store = find_repo(owner, name), ctx().store
    issue = issue_or_404(r, number, f"{DOC_LABELS}#add-labels-to-an-issue")
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
    issue = issue_or_404(r, number)
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
    issue_or_404(r, number, f"{DOC_COMMENTS}#list-issue-comments")
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
    old = comment.body
    with store.lock:
        comment.body, comment.updated_at = data["body"], store.now()
    _echo_comment(r, comment, "edited", {"body": {"from": old}})
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
    issue_or_404(r, number)
    return _react(("issue", r.full_name, number), f"{DOC_REACTIONS}#create-reaction-for-an-issue")


@bp.get("/repos/<owner>/<name>/issues/<int:number>/reactions")
def issue_reactions(owner: str, name: str, number: int) -> Any:
    r = find_repo(owner, name)
    issue_or_404(r, number)
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
