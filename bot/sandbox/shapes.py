"""JSON bodies in GitHub's documented shapes, with absolute URLs under the sandbox's base.

Each builder cites the REST reference page whose response schema it follows and fills the
keys GitHub sends there (tests/sandbox/test_github_shapes.py checks them against GitHub's
own description); URL fields point back at this server, so a client that follows them
(PyGithub completing a lazy object, or following `Link`) stays here. Users and
repositories are in `bot.sandbox.accounts`.
"""

from __future__ import annotations

import zlib

from bot.sandbox.accounts import EPOCH, Json, app, node_id, repository, user
from bot.sandbox.gitrepo import CommitInfo, FileChange, Person
from bot.sandbox.store import (
    BOT_LOGIN,
    CheckRun,
    Comment,
    Issue,
    Reaction,
    Repo,
    Store,
)

__all__ = ["EPOCH", "Json", "app", "node_id", "repository", "user"]


def ref(base: str, r: Repo, name: str, sha: str, kind: str) -> Json:
    # https://docs.github.com/en/rest/git/refs#get-a-reference
    url = f"{base}/repos/{r.full_name}"
    return {
        "ref": name,
        "node_id": node_id("Ref", f"{r.id}:{name}"),
        "url": f"{url}/git/{name}",
        "object": {"type": kind, "sha": sha, "url": f"{url}/git/{kind}s/{sha}"},
    }


def person(p: Person) -> Json:
    return {"name": p.name, "email": p.email, "date": p.date}


def git_commit(base: str, r: Repo, c: CommitInfo) -> Json:
    # https://docs.github.com/en/rest/git/commits#get-a-commit-object
    url = f"{base}/repos/{r.full_name}"
    return {
        "sha": c.sha,
        "node_id": node_id("Commit", c.sha),
        "url": f"{url}/git/commits/{c.sha}",
        "html_url": f"{base}/{r.full_name}/commit/{c.sha}",
        "author": person(c.author),
        "committer": person(c.committer),
        "message": c.message,
        "tree": {"sha": c.tree, "url": f"{url}/git/trees/{c.tree}"},
        "parents": [
            {
                "sha": p,
                "url": f"{url}/git/commits/{p}",
                "html_url": f"{base}/{r.full_name}/commit/{p}",
            }
            for p in c.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def file_change(base: str, r: Repo, f: FileChange, ref_sha: str) -> Json:
    # https://docs.github.com/en/rest/pulls/pulls#list-pull-requests-files (diff-entry)
    body: Json = {
        "sha": f.sha,
        "filename": f.path,
        "status": f.status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
        "blob_url": f"{base}/{r.full_name}/blob/{ref_sha}/{f.path}",
        "raw_url": f"{base}/{r.full_name}/raw/{ref_sha}/{f.path}",
        "contents_url": f"{base}/repos/{r.full_name}/contents/{f.path}?ref={ref_sha}",
    }
    if f.patch is not None:
        body["patch"] = f.patch
    return body


def rest_commit(
    base: str, store: Store, r: Repo, c: CommitInfo, files: list[FileChange] | None
) -> Json:
    # https://docs.github.com/en/rest/commits/commits#get-a-commit
    url = f"{base}/repos/{r.full_name}"
    body: Json = {
        "sha": c.sha,
        "node_id": node_id("Commit", c.sha),
        "url": f"{url}/commits/{c.sha}",
        "html_url": f"{base}/{r.full_name}/commit/{c.sha}",
        "comments_url": f"{url}/commits/{c.sha}/comments",
        "commit": {
            **{
                k: v
                for k, v in git_commit(base, r, c).items()
                if k not in ("sha", "node_id", "parents", "html_url")
            },
            "comment_count": 0,
        },
        "author": _account_by_email(base, store, c.author),
        "committer": _account_by_email(base, store, c.committer),
        "parents": [
            {"sha": p, "url": f"{url}/commits/{p}", "html_url": f"{base}/{r.full_name}/commit/{p}"}
            for p in c.parents
        ],
    }
    if files is not None:
        adds = sum(f.additions for f in files)
        dels = sum(f.deletions for f in files)
        body["stats"] = {"additions": adds, "deletions": dels, "total": adds + dels}
        body["files"] = [file_change(base, r, f, c.sha) for f in files]
    return body


def account_login(store: Store, p: Person) -> str | None:
    """The account a commit e-mail names (`login@…`, `id+login@users.noreply…`), like GitHub."""
    local = p.email.split("@", 1)[0].split("+", 1)[-1]
    found = store.users.get(local.lower())
    return found.login if found else None


def _account_by_email(base: str, store: Store, p: Person) -> Json | None:
    login = account_login(store, p)
    return user(base, store.user(login)) if login else None


def labels(base: str, r: Repo, names: list[str]) -> list[Json]:
    # https://docs.github.com/en/rest/issues/labels#list-labels-for-an-issue
    return [
        {
            "id": zlib.crc32(f"{r.full_name}:{n}".encode()),
            "node_id": node_id("Label", f"{r.id}:{n}"),
            "url": f"{base}/repos/{r.full_name}/labels/{n}",
            "name": n,
            "color": "ededed",
            "default": False,
            "description": None,
        }
        for n in names
    ]


def reactions(base: str, store: Store, subject: tuple[str, str, int], url: str) -> Json:
    # https://docs.github.com/en/rest/reactions/reactions (reaction-rollup)
    with store.lock:
        found = [x.content for x in store.reactions.values() if x.subject == subject]
    counts = {k: found.count(k) for k in REACTIONS}
    return {"url": f"{url}/reactions", "total_count": len(found), **counts}


REACTIONS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")


def performed_via(base: str, store: Store, login: str) -> Json | None:
    """The app, for what the app's installation did (GitHub's `performed_via_github_app`)."""
    return app(base, store) if login == BOT_LOGIN else None


def issue(base: str, store: Store, r: Repo, i: Issue) -> Json:
    # https://docs.github.com/en/rest/issues/issues#get-an-issue
    url = f"{base}/repos/{r.full_name}/issues/{i.number}"
    kind = "pull" if i.pull else "issues"
    body: Json = {
        "url": url,
        "repository_url": f"{base}/repos/{r.full_name}",
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{base}/{r.full_name}/{kind}/{i.number}",
        "id": i.id,
        "node_id": node_id("Issue", i.id),
        "number": i.number,
        "title": i.title,
        "user": user(base, store.user(i.user)),
        "labels": labels(base, r, i.labels),
        "state": i.state,
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": _comment_count(store, r, i.number),
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "closed_at": i.closed_at,
        "author_association": association(store, r, i.user),
        "type": None,
        "active_lock_reason": None,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "issue_dependencies_summary": {
            "blocked_by": 0,
            "blocking": 0,
            "total_blocked_by": 0,
            "total_blocking": 0,
        },
        "body": i.body,
        "closed_by": user(base, store.user(i.closed_by)) if i.closed_by else None,
        "reactions": reactions(base, store, ("issue", r.full_name, i.number), url),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": performed_via(base, store, i.user),
        "state_reason": i.state_reason,
    }
    if i.pull:
        pulls = f"{base}/repos/{r.full_name}/pulls/{i.number}"
        body["draft"] = i.pull.draft
        body["pull_request"] = {
            "url": pulls,
            "html_url": body["html_url"],
            "diff_url": f"{body['html_url']}.diff",
            "patch_url": f"{body['html_url']}.patch",
            "merged_at": i.pull.merged_at,
        }
    return body


def _comment_count(store: Store, r: Repo, number: int) -> int:
    with store.lock:  # other request threads may be adding comments
        return sum(
            1 for c in store.comments.values() if (c.repo, c.issue_number) == (r.full_name, number)
        )


def pull(base: str, store: Store, r: Repo, i: Issue, *, listed: bool = False) -> Json:
    """A pull request as `GET .../pulls/{n}` answers it, or as a list item (`listed`:
    GitHub's `pull-request-simple`, without the merge state, counts and `merged`)."""
    # https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request
    assert i.pull is not None
    p = i.pull
    head_repo = store.repos[p.head_repo.lower()]
    repo_url = f"{base}/repos/{r.full_name}"
    url = f"{repo_url}/pulls/{i.number}"
    html = f"{base}/{r.full_name}/pull/{i.number}"
    issue_url = f"{repo_url}/issues/{i.number}"
    body: Json = {
        "url": url,
        "id": i.id,
        "node_id": node_id("PullRequest", i.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_url,
        "number": i.number,
        "state": i.state,
        "locked": False,
        "title": i.title,
        "user": user(base, store.user(i.user)),
        "body": i.body,
        "created_at": i.created_at,
        "updated_at": i.updated_at,
        "closed_at": i.closed_at,
        "merged_at": p.merged_at,
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": labels(base, r, i.labels),
        "milestone": None,
        "draft": p.draft,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{repo_url}/pulls/comments{{/number}}",
        "comments_url": f"{issue_url}/comments",
        "statuses_url": f"{repo_url}/statuses/{p.head_sha}",
        "head": _part(base, store, head_repo, p.head_ref, p.head_sha),
        "base": _part(base, store, r, p.base_ref, p.base_sha),
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "issue": {"href": issue_url},
            "comments": {"href": f"{issue_url}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{repo_url}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": f"{repo_url}/statuses/{p.head_sha}"},
        },
        "author_association": association(store, r, i.user),
        "auto_merge": None,
        "active_lock_reason": None,
    }
    if listed:
        return body
    merge_base = r.git.merge_base(p.base_sha, p.head_sha) or p.base_sha
    changes = r.git.diff(merge_base, p.head_sha)
    body.update(
        {
            "merged": p.merged,
            # GitHub works mergeability out in the background and answers null until then.
            "mergeable": None,
            "rebaseable": None,
            "mergeable_state": "unknown",
            "merged_by": user(base, store.user(p.merged_by)) if p.merged_by else None,
            "comments": _comment_count(store, r, i.number),
            "review_comments": 0,
            "maintainer_can_modify": p.maintainer_can_modify,
            "commits": len(r.git.rev_list(p.head_sha, merge_base, limit=10000)),
            "additions": sum(f.additions for f in changes),
            "deletions": sum(f.deletions for f in changes),
            "changed_files": len(changes),
        }
    )
    return body


def _part(base: str, store: Store, r: Repo, ref_name: str, sha: str) -> Json:
    return {
        "label": f"{r.owner}:{ref_name}",
        "ref": ref_name,
        "sha": sha,
        "user": user(base, store.user(r.owner)),
        "repo": repository(base, store, r),
    }


def association(store: Store, r: Repo, login: str) -> str:
    # https://docs.github.com/en/graphql/reference/enums#commentauthorassociation
    if login.lower() == r.owner.lower():
        return "OWNER"
    if store.permission(r, login) != "none":
        return "COLLABORATOR"
    return "NONE"


def comment(base: str, store: Store, r: Repo, c: Comment) -> Json:
    # https://docs.github.com/en/rest/issues/comments#get-an-issue-comment
    kind = "pull" if store.issues[(r.full_name, c.issue_number)].pull else "issues"
    url = f"{base}/repos/{r.full_name}/issues/comments/{c.id}"
    return {
        "url": url,
        "html_url": f"{base}/{r.full_name}/{kind}/{c.issue_number}#issuecomment-{c.id}",
        "issue_url": f"{base}/repos/{r.full_name}/issues/{c.issue_number}",
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "user": user(base, store.user(c.user)),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "body": c.body,
        "author_association": association(store, r, c.user),
        "pin": None,
        "minimized": None,
        "reactions": reactions(base, store, ("comment", r.full_name, c.id), url),
        "performed_via_github_app": performed_via(base, store, c.user),
    }


def reaction(base: str, store: Store, x: Reaction) -> Json:
    # https://docs.github.com/en/rest/reactions/reactions#create-reaction-for-an-issue-comment
    return {
        "id": x.id,
        "node_id": node_id("Reaction", x.id),
        "user": user(base, store.user(x.user)),
        "content": x.content,
        "created_at": x.created_at,
    }


def check_run(base: str, store: Store, r: Repo, c: CheckRun) -> Json:
    # https://docs.github.com/en/rest/checks/runs#get-a-check-run
    url = f"{base}/repos/{r.full_name}/check-runs/{c.id}"
    output = {
        "title": c.output.get("title"),
        "summary": c.output.get("summary"),
        "text": c.output.get("text"),
        "annotations_count": len(c.annotations),
        "annotations_url": f"{url}/annotations",
    }
    return {
        "id": c.id,
        "node_id": node_id("CheckRun", c.id),
        "head_sha": c.head_sha,
        "external_id": c.external_id,
        "url": url,
        "html_url": f"{base}/{r.full_name}/runs/{c.id}",
        "details_url": c.details_url,
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": c.started_at,
        "completed_at": c.completed_at,
        "output": output,
        "name": c.name,
        "check_suite": {"id": c.id},
        "app": app(base, store),
        "pull_requests": [],
    }
