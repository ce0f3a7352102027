"""Git data endpoints (refs, trees, blobs, commits), served from the real repository on disk.

Reference: https://docs.github.com/en/rest/git
"""

from __future__ import annotations

import base64
import binascii
import functools
from typing import Any

from flask import Blueprint, Response, jsonify, request

from bot.sandbox import shapes, webhooks
from bot.sandbox.api_pulls import close_pulls_for_deleted_branch, sync_pulls_after_ref_move
from bot.sandbox.gitrepo import ZERO_SHA, GitError, Person
from bot.sandbox.rest import (
    ApiError,
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
from bot.sandbox.store import APP_ID, BOT_LOGIN, Repo

bp = Blueprint("git", __name__)

DOC_REFS = "https://docs.github.com/rest/git/refs"
DOC_TREES = "https://docs.github.com/rest/git/trees"
DOC_BLOBS = "https://docs.github.com/rest/git/blobs"
DOC_COMMITS = "https://docs.github.com/rest/git/commits"
NOT_FAST_FORWARD = "Update is not a fast forward"
REF_EXISTS = "Reference already exists"
REF_MISSING = "Reference does not exist"
MODES = {"100644", "100755", "040000", "160000", "120000"}
BOT_EMAIL = f"{APP_ID}+{BOT_LOGIN}@users.noreply.github.com"


def _repo(owner: str, name: str) -> Repo:
    return find_repo(owner, name)


# --- refs -----------------------------------------------------------------------------


def _ref_json(r: Repo, name: str, sha: str, kind: str) -> dict[str, Any]:
    return shapes.ref(base_url(), r, name, sha, kind)


@bp.get("/repos/<owner>/<name>/git/ref/<path:ref>")
def get_ref(owner: str, name: str, ref: str) -> Any:
    r = _repo(owner, name)
    for refname, sha, kind in r.git.refs(f"refs/{ref}"):
        if refname == f"refs/{ref}":
            return jsonify(_ref_json(r, refname, sha, kind))
    not_found(f"{DOC_REFS}#get-a-reference")


@bp.get("/repos/<owner>/<name>/git/matching-refs/<path:ref>")
def matching_refs(owner: str, name: str, ref: str) -> Any:
    r = _repo(owner, name)
    rows = [row for row in r.git.refs() if row[0].startswith(f"refs/{ref}")]
    return paginate([_ref_json(r, *row) for row in rows])


@bp.get("/repos/<owner>/<name>/git/refs")
@bp.get("/repos/<owner>/<name>/git/refs/<path:ref>")
def list_refs(owner: str, name: str, ref: str = "") -> Any:
    # The legacy form: an exact match answers one object, a prefix answers a list.
    r = _repo(owner, name)
    rows = [row for row in r.git.refs() if row[0].startswith(f"refs/{ref}")]
    exact = [row for row in rows if row[0] == f"refs/{ref}"]
    if ref and exact:
        return jsonify(_ref_json(r, *exact[0]))
    if ref and not rows:
        not_found(f"{DOC_REFS}#get-a-reference")
    return paginate([_ref_json(r, *row) for row in rows])


@bp.post("/repos/<owner>/<name>/git/refs")
def create_ref(owner: str, name: str) -> Any:
    r = _repo(owner, name)
    data = body()
    refname, sha = data.get("ref"), data.get("sha")
    if not isinstance(refname, str) or not isinstance(sha, str):
        invalid(
            "Reference",
            "ref" if not isinstance(refname, str) else "sha",
            doc=f"{DOC_REFS}#create-a-reference",
        )
    if not refname.startswith("refs/") or refname.count("/") < 2:
        raise ApiError(
            422,
            "Reference name must start with 'refs/' and have at least two slashes.",
            f"{DOC_REFS}#create-a-reference",
        )
    kind = r.git.object_type(sha)
    if kind is None:
        raise ApiError(422, "Object does not exist", f"{DOC_REFS}#create-a-reference")
    with r.git.lock:
        if r.git.ref_sha(refname) is not None:
            raise ApiError(422, REF_EXISTS, f"{DOC_REFS}#create-a-reference")
        r.git.update_ref(refname, sha, None)
    _echo_ref_move(r, refname, ZERO_SHA, sha)
    return created(_ref_json(r, refname, sha, kind))


@bp.patch("/repos/<owner>/<name>/git/refs/<path:ref>")
def update_ref(owner: str, name: str, ref: str) -> Any:
    r = _repo(owner, name)
    data = body()
    sha, force = data.get("sha"), bool(data.get("force", False))
    refname = f"refs/{ref}"
    if not isinstance(sha, str):
        invalid("Reference", "sha", doc=f"{DOC_REFS}#update-a-reference")
    kind = r.git.object_type(sha)
    if kind is None:
        raise ApiError(422, "Object does not exist", f"{DOC_REFS}#update-a-reference")
    with r.git.lock:
        old = r.git.ref_sha(refname)
        if old is None:
            raise ApiError(422, REF_MISSING, f"{DOC_REFS}#update-a-reference")
        if not force and old != sha and not r.git.is_ancestor(old, sha):
            raise ApiError(422, NOT_FAST_FORWARD, f"{DOC_REFS}#update-a-reference")
        r.git.update_ref(refname, sha, old)
    _echo_ref_move(r, refname, old, sha)
    return jsonify(_ref_json(r, refname, sha, kind))


@bp.delete("/repos/<owner>/<name>/git/refs/<path:ref>")
def delete_ref(owner: str, name: str, ref: str) -> Any:
    r = _repo(owner, name)
    with r.git.lock:
        old = r.git.ref_sha(f"refs/{ref}")
        if old is None:
            raise ApiError(422, REF_MISSING, f"{DOC_REFS}#delete-a-reference")
        r.git.delete_ref(f"refs/{ref}", old)
    _echo_ref_move(r, f"refs/{ref}", old, ZERO_SHA)
    return Response(status=204)


def _echo_ref_move(r: Repo, refname: str, before: str, after: str) -> None:
    """Keep pull requests on this branch in step, and echo push and pull_request events."""
    store, base = ctx().store, base_url()
    if after == ZERO_SHA:
        closed = close_pulls_for_deleted_branch(store, r, refname)
        moved, action = closed, "closed"
    else:
        moved, action = sync_pulls_after_ref_move(store, r, refname, after), "synchronize"
    echo("push", lambda: webhooks.push_payload(base, store, r, refname, before, after, BOT_LOGIN))
    for issue in moved:
        parent = store.repos[issue.repo.lower()]
        echo(
            "pull_request",
            functools.partial(
                webhooks.pull_request_payload,
                base,
                store,
                parent,
                issue,
                action,
                BOT_LOGIN,
                before=before,
            ),
        )


# --- trees, blobs, commits --------------------------------------------------------------


def _tree_sha(r: Repo, sha: str) -> str | None:
    """A tree SHA from a tree, commit or ref name (GitHub accepts all three)."""
    obj = r.git.read_object(sha)
    if obj is not None and obj[0] == "tree":
        return sha
    commit = r.git.resolve(sha)
    info = r.git.commit_info(commit) if commit else None
    return info.tree if info else None


@bp.get("/repos/<owner>/<name>/git/trees/<path:sha>")
def get_tree(owner: str, name: str, sha: str) -> Any:
    r = _repo(owner, name)
    tree = _tree_sha(r, sha)
    if tree is None:
        not_found(f"{DOC_TREES}#get-a-tree")
    recursive = request.args.get("recursive", "") not in ("", "0", "false")
    url = f"{base_url()}/repos/{r.full_name}/git"
    # GitHub echoes the SHA it was asked for (a commit's, when asked with a commit).
    echoed = sha if len(sha) == 40 else tree
    entries = []
    for e in r.git.ls_tree(tree, recursive=recursive):
        item: dict[str, Any] = {"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha}
        if e.size is not None:
            item["size"] = e.size
        if e.type in ("blob", "tree"):
            item["url"] = f"{url}/{e.type}s/{e.sha}"
        entries.append(item)
    return jsonify(
        {"sha": echoed, "url": f"{url}/trees/{echoed}", "tree": entries, "truncated": False}
    )


@bp.post("/repos/<owner>/<name>/git/trees")
def create_tree(owner: str, name: str) -> Any:
    r = _repo(owner, name)
    data = body()
    items = data.get("tree")
    doc = f"{DOC_TREES}#create-a-tree"
    if not isinstance(items, list):
        invalid("Tree", "tree", doc=doc)
    base_tree = data.get("base_tree")
    if base_tree is not None and _tree_sha(r, str(base_tree)) is None:
        raise ApiError(422, "Invalid tree info", doc)
    changes: list[tuple[str, str, str | None]] = []
    for item in items:
        path, mode = item.get("path"), item.get("mode")
        if not isinstance(path, str) or not path or path.startswith("/"):
            raise ApiError(422, "tree.path contains a malformed path component", doc)
        if mode not in MODES:
            raise ApiError(422, f"tree.mode contains an invalid value: {mode}", doc)
        if "content" in item and item["content"] is not None:
            sha: str | None = r.git.hash_blob(str(item["content"]).encode())
        elif "sha" in item:
            sha = item["sha"]
            if sha is not None and r.git.object_type(sha) is None:
                raise ApiError(
                    422, "tree.sha {} is not a valid {}".format(sha, item.get("type", "blob")), doc
                )
        else:
            invalid("Tree", "sha", doc=doc)
        changes.append((path, mode, sha))
    try:
        tree = r.git.write_tree(_tree_sha(r, base_tree) if base_tree else None, changes)
    except GitError as err:
        raise ApiError(422, f"Invalid tree info: {err}", doc) from err
    return created(get_tree(owner, name, tree).get_json())


@bp.get("/repos/<owner>/<name>/git/blobs/<sha>")
def get_blob(owner: str, name: str, sha: str) -> Any:
    r = _repo(owner, name)
    obj = r.git.read_object(sha)
    if obj is None or obj[0] != "blob":
        not_found(f"{DOC_BLOBS}#get-a-blob")
    # GitHub wraps base64 at 60 columns with "\n"; clients must decode with that in mind.
    encoded = base64.encodebytes(obj[1]).decode().replace("\n", "")
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
    return jsonify(
        {
            "sha": sha,
            "node_id": shapes.node_id("Blob", sha),
            "size": len(obj[1]),
            "url": f"{base_url()}/repos/{r.full_name}/git/blobs/{sha}",
            "content": wrapped,
            "encoding": "base64",
        }
    )


@bp.post("/repos/<owner>/<name>/git/blobs")
def create_blob(owner: str, name: str) -> Any:
    r = _repo(owner, name)
    data = body()
    content, encoding = data.get("content"), data.get("encoding", "utf-8")
    if not isinstance(content, str):
        invalid("Blob", "content", doc=f"{DOC_BLOBS}#create-a-blob")
    if encoding == "base64":
        try:
            raw = base64.b64decode(content)
        except (binascii.Error, ValueError) as err:
            raise ApiError(422, "Invalid base64 content", f"{DOC_BLOBS}#create-a-blob") from err
    elif encoding in ("utf-8", "utf8"):
        raw = content.encode()
    else:
        raise ApiError(422, f"encoding {encoding} is not supported", f"{DOC_BLOBS}#create-a-blob")
    sha = r.git.hash_blob(raw)
    return created({"sha": sha, "url": f"{base_url()}/repos/{r.full_name}/git/blobs/{sha}"})


@bp.get("/repos/<owner>/<name>/git/commits/<sha>")
def get_git_commit(owner: str, name: str, sha: str) -> Any:
    r = _repo(owner, name)
    info = r.git.commit_info(sha)
    if info is None:
        not_found(f"{DOC_COMMITS}#get-a-commit-object")
    return jsonify(shapes.git_commit(base_url(), r, info))


def _person(value: Any, default: Person) -> Person:
    if not isinstance(value, dict):
        return default
    return Person(
        str(value.get("name", default.name)),
        str(value.get("email", default.email)),
        str(value.get("date", default.date)),
    )


@bp.post("/repos/<owner>/<name>/git/commits")
def create_git_commit(owner: str, name: str) -> Any:
    r = _repo(owner, name)
    data = body()
    doc = f"{DOC_COMMITS}#create-a-commit"
    message, tree, parents = data.get("message"), data.get("tree"), data.get("parents", [])
    if not isinstance(message, str):
        invalid("Commit", "message", doc=doc)
    if not isinstance(tree, str) or _tree_sha(r, tree) != tree:
        raise ApiError(422, "Tree SHA does not exist", doc)
    if not isinstance(parents, list) or any(r.git.commit_info(str(p)) is None for p in parents):
        raise ApiError(422, "Parent SHA does not exist or is not a commit object", doc)
    bot = Person(BOT_LOGIN, BOT_EMAIL, ctx().store.now())
    author = _person(data.get("author"), bot)
    committer = _person(data.get("committer"), author if data.get("author") else bot)
    sha = r.git.commit_tree(tree, [str(p) for p in parents], message, author, committer)
    info = r.git.commit_info(sha)
    assert info is not None
    return created(shapes.git_commit(base_url(), r, info))
