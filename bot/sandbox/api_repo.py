"""Repository endpoints: the repository, branches, commits, contents, compare and tarballs.

References: https://docs.github.com/en/rest/repos, https://docs.github.com/en/rest/branches,
https://docs.github.com/en/rest/commits/commits, https://docs.github.com/en/rest/repos/contents.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request

from bot.sandbox import shapes
from bot.sandbox.rest import (
    ApiError,
    base_url,
    ctx,
    find_repo,
    link_pages,
    not_found,
    page_args,
    paginate,
)
from bot.sandbox.store import Repo

bp = Blueprint("repo", __name__)

DOC_CONTENTS = "https://docs.github.com/rest/repos/contents"
DOC_COMPARE = "https://docs.github.com/rest/commits/commits#compare-two-commits"
# The `protection` GitHub describes for a branch no rule protects (the sandbox has no rules).
UNPROTECTED = {
    "enabled": False,
    "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []},
}


def _repo(owner: str, name: str) -> Repo:
    return find_repo(owner, name)


@bp.get("/repos/<owner>/<name>")
def get_repo(owner: str, name: str) -> Any:
    r = _repo(owner, name)
    return jsonify(shapes.repository(base_url(), ctx().store, r, full=True))


@bp.get("/repos/<owner>/<name>/branches")
def list_branches(owner: str, name: str) -> Any:
    # https://docs.github.com/en/rest/branches/branches#list-branches
    r = _repo(owner, name)
    url = f"{base_url()}/repos/{r.full_name}"
    return paginate(
        [
            {
                "name": branch,
                "commit": {"sha": sha, "url": f"{url}/commits/{sha}"},
                "protected": False,
                "protection": UNPROTECTED,
                "protection_url": f"{url}/branches/{branch}/protection",
            }
            for branch, sha in (
                (ref.removeprefix("refs/heads/"), sha) for ref, sha, _ in r.git.refs("refs/heads/")
            )
        ]
    )


@bp.get("/repos/<owner>/<name>/branches/<path:branch>")
def get_branch(owner: str, name: str, branch: str) -> Any:
    # https://docs.github.com/en/rest/branches/branches#get-a-branch
    r = _repo(owner, name)
    sha = r.git.ref_sha(f"refs/heads/{branch}")
    info = r.git.commit_info(sha) if sha else None
    if info is None:
        raise ApiError(
            404, "Branch not found", "https://docs.github.com/rest/branches/branches#get-a-branch"
        )
    commit = shapes.rest_commit(base_url(), ctx().store, r, info, None)
    url = f"{base_url()}/repos/{r.full_name}/branches/{branch}"
    return jsonify(
        {
            "name": branch,
            "commit": commit,
            "_links": {"self": url, "html": f"{base_url()}/{r.full_name}/tree/{branch}"},
            "protected": False,
            "protection": UNPROTECTED,
            "protection_url": f"{url}/protection",
        }
    )


@bp.get("/repos/<owner>/<name>/commits")
def list_commits(owner: str, name: str) -> Any:
    # https://docs.github.com/en/rest/commits/commits#list-commits (`sha`, `path`; newest first)
    r = _repo(owner, name)
    start = r.git.resolve(request.args.get("sha") or r.default_branch)
    if start is None:
        not_found("https://docs.github.com/rest/commits/commits#list-commits")
    args = ["rev-list", "--max-count=1000", start]
    if request.args.get("path"):
        args += ["--", request.args["path"]]
    base, store = base_url(), ctx().store

    def render(sha: str) -> Any:
        info = r.git.commit_info(sha)
        assert info is not None
        return shapes.rest_commit(base, store, r, info, None)

    return paginate(r.git.git(*args).decode().split(), render)


@bp.get("/repos/<owner>/<name>/commits/<path:ref>")
def get_commit(owner: str, name: str, ref: str) -> Any:
    r = _repo(owner, name)
    sha = r.git.resolve(ref)
    info = r.git.commit_info(sha) if sha else None
    if info is None:
        raise ApiError(
            422 if sha is None and len(ref) != 40 else 404,
            f"No commit found for SHA: {ref}",
            "https://docs.github.com/rest/commits/commits#get-a-commit",
        )
    parent = info.parents[0] if info.parents else _empty_tree(r)
    return jsonify(
        shapes.rest_commit(base_url(), ctx().store, r, info, r.git.diff(parent, info.sha))
    )


def _empty_tree(r: Repo) -> str:
    return r.git.empty_tree()


# --- contents, compare, tarball -----------------------------------------------------------


@bp.get("/repos/<owner>/<name>/contents/")
@bp.get("/repos/<owner>/<name>/contents/<path:path>")
def get_contents(owner: str, name: str, path: str = "") -> Any:
    r = _repo(owner, name)
    ref = request.args.get("ref") or r.default_branch
    sha = r.git.resolve(ref)
    if sha is None:
        raise ApiError(
            404, f"No commit found for the ref {ref}", f"{DOC_CONTENTS}#get-repository-content"
        )
    info = r.git.commit_info(sha)
    assert info is not None
    path = path.strip("/")
    url = f"{base_url()}/repos/{r.full_name}"

    def entry(kind: str, entry_path: str, entry_sha: str, size: int) -> dict[str, Any]:
        self_url = f"{url}/contents/{entry_path}?ref={ref}"
        git_url = f"{url}/git/{'trees' if kind == 'dir' else 'blobs'}/{entry_sha}"
        html = (
            f"{base_url()}/{r.full_name}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{entry_path}"
        )
        return {
            "type": kind,
            "size": size,
            "name": entry_path.rsplit("/", 1)[-1],
            "path": entry_path,
            "sha": entry_sha,
            "url": self_url,
            "git_url": git_url,
            "html_url": html,
            "download_url": f"{base_url()}/_sandbox/raw/{r.full_name}/{ref}/{entry_path}"
            if kind == "file"
            else None,
            "_links": {"self": self_url, "git": git_url, "html": html},
        }

    if not path:
        target = ("040000", "tree", info.tree)
    else:
        listed = [e for e in r.git.ls_tree(info.tree, recursive=True) if e.path == path]
        if not listed:
            not_found(f"{DOC_CONTENTS}#get-repository-content")
        target = (listed[0].mode, listed[0].type, listed[0].sha)
    if target[1] == "tree":
        children = r.git.ls_tree(target[2], recursive=False)
        return jsonify(
            [
                entry(
                    "dir" if c.type == "tree" else "file",
                    f"{path}/{c.path}".lstrip("/"),
                    c.sha,
                    c.size or 0,
                )
                for c in children
            ]
        )
    obj = r.git.read_object(target[2])
    assert obj is not None
    item = entry("file", path, target[2], len(obj[1]))
    item["encoding"] = "base64"
    item["content"] = base64.encodebytes(obj[1]).decode()
    return jsonify(item)


@bp.get("/repos/<owner>/<name>/compare/<path:basehead>")
def compare(owner: str, name: str, basehead: str) -> Any:
    r = _repo(owner, name)
    base_rev, sep, head_rev = basehead.partition("...")
    if not sep:
        not_found(DOC_COMPARE)
    base_sha, head_sha = r.git.resolve(base_rev), r.git.resolve(head_rev)
    if base_sha is None or head_sha is None:
        not_found(DOC_COMPARE)
    merge_base = r.git.merge_base(base_sha, head_sha) or _empty_tree(r)
    ahead = r.git.rev_list(head_sha, base_sha)
    behind = r.git.rev_list(base_sha, head_sha)
    status = (
        "identical"
        if not ahead and not behind
        else "ahead"
        if not behind
        else "behind"
        if not ahead
        else "diverged"
    )
    store, base = ctx().store, base_url()
    # Asked with `page`/`per_page`, GitHub pages the commits (oldest first, `Link` to the
    # others) and lists the files on the first page only; otherwise the first 250 commits.
    paged = "page" in request.args or "per_page" in request.args
    per_page, page = page_args() if paged else (250, 1)
    chunk = ahead[(page - 1) * per_page : page * per_page]  # oldest first
    commits = [
        shapes.rest_commit(base, store, r, i, None) for i in map(r.git.commit_info, chunk) if i
    ]
    files = (
        [shapes.file_change(base, r, f, head_sha) for f in r.git.diff(merge_base, head_sha)[:300]]
        if page == 1
        else []
    )
    base_info = r.git.commit_info(base_sha)
    mb_info = r.git.commit_info(merge_base)
    assert base_info is not None
    url = f"{base}/repos/{r.full_name}/compare/{basehead}"
    resp = jsonify(
        {
            "url": url,
            "html_url": f"{base}/{r.full_name}/compare/{basehead}",
            "permalink_url": f"{base}/{r.full_name}/compare/{base_sha}...{head_sha}",
            "diff_url": f"{base}/{r.full_name}/compare/{basehead}.diff",
            "patch_url": f"{base}/{r.full_name}/compare/{basehead}.patch",
            "base_commit": shapes.rest_commit(base, store, r, base_info, None),
            "merge_base_commit": shapes.rest_commit(base, store, r, mb_info, None)
            if mb_info
            else None,
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": commits,
            "files": files,
        }
    )
    if paged:
        link_pages(resp, page, max((len(ahead) + per_page - 1) // per_page, 1), per_page)
    return resp


@bp.get("/repos/<owner>/<name>/tarball")
@bp.get("/repos/<owner>/<name>/tarball/<path:ref>")
def tarball(owner: str, name: str, ref: str = "") -> Any:
    # https://docs.github.com/en/rest/repos/contents#download-a-repository-archive-tar
    # answers a 302 to codeload; here codeload is this server's /_codeload.
    r = _repo(owner, name)
    sha = r.git.resolve(ref or r.default_branch)
    if sha is None:
        not_found("https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar")
    return redirect(f"{base_url()}/_codeload/{r.full_name}/legacy.tar.gz/{sha}", code=302)


@bp.get("/_codeload/<owner>/<name>/legacy.tar.gz/<sha>")
def codeload(owner: str, name: str, sha: str) -> Any:
    r = _repo(owner, name)
    if r.git.resolve(sha) != sha:
        not_found()
    data = r.git.archive(sha, f"{r.owner}-{r.name}-{sha[:7]}")
    return Response(
        data,
        mimetype="application/x-gzip",
        headers={
            "Content-Disposition": f"attachment; filename={r.owner}-{r.name}-{sha[:7]}.tar.gz"
        },
    )


@bp.get("/_sandbox/raw/<owner>/<name>/<ref>/<path:path>")
def raw(owner: str, name: str, ref: str, path: str) -> Any:
    r = _repo(owner, name)
    sha = r.git.resolve(ref)
    info = r.git.commit_info(sha) if sha else None
    found = [e for e in r.git.ls_tree(info.tree, recursive=True) if e.path == path] if info else []
    obj = r.git.read_object(found[0].sha) if found else None
    if obj is None:
        not_found()
    return Response(obj[1], mimetype="text/plain")
