"""Users, repositories, the app and its installation in GitHub's shapes (`simple-user`,
`repository`, `full-repository`, `integration`, `installation` of GitHub's REST
description), built from what the sandbox knows and otherwise from fixed, plausible values,
so the same state always gives the same bytes.

GitHub leaves some keys out of these objects except in particular answers; so does the
sandbox (tests/sandbox/test_github_shapes.py names each one and why).
"""

from __future__ import annotations

import base64
from typing import Any

from bot.sandbox.store import APP_ID, APP_NAME, APP_SLUG, INSTALLATION_ID, Repo, Store, User

Json = dict[str, Any]
# When the sandbox's accounts and repositories were "created" (no clock: same bytes each run).
EPOCH = "2026-01-01T00:00:00Z"


def node_id(kind: str, ident: int | str) -> str:
    return base64.b64encode(f"{kind}:{ident}".encode()).decode().rstrip("=")


def user(base: str, u: User) -> Json:
    # https://docs.github.com/en/rest/users/users#get-a-user (simple-user, as GitHub nests it)
    url = f"{base}/users/{u.login}"
    return {
        "login": u.login,
        "id": u.id,
        "node_id": node_id("User", u.id),
        "avatar_url": f"{base}/_sandbox/avatars/{u.login}",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{base}/{u.login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": u.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user(base: str, store: Store, u: User) -> Json:
    # https://docs.github.com/en/rest/users/users#get-a-user (public-user)
    with store.lock:
        owned = sum(1 for r in store.repos.values() if r.owner.lower() == u.login.lower())
    return {
        **user(base, u),
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": owned,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": EPOCH,
        "updated_at": EPOCH,
    }


def _open_issues(store: Store, r: Repo) -> int:
    with store.lock:  # GitHub counts open issues and open pull requests together
        return sum(1 for i in store.issues.values() if i.repo == r.full_name and i.state == "open")


def _forks(store: Store, r: Repo) -> int:
    with store.lock:
        return sum(
            1 for f in store.repos.values() if (f.fork_of or "").lower() == r.full_name.lower()
        )


# What the app may do in every repository it is installed on (contents: write).
APP_REPO_PERMISSIONS = {
    "admin": False,
    "maintain": False,
    "push": True,
    "triage": True,
    "pull": True,
}


def repository(base: str, store: Store, r: Repo, *, full: bool = False) -> Json:
    """A repository as GitHub nests it (`repository`), or as `GET /repos/{owner}/{repo}`
    answers it (`full-repository`: with the counts, parent and source of a fork)."""
    # https://docs.github.com/en/rest/repos/repos#get-a-repository
    url = f"{base}/repos/{r.full_name}"
    html = f"{base}/{r.full_name}"
    host = base.split("://", 1)[-1]
    forks, open_issues = _forks(store, r), _open_issues(store, r)
    body: Json = {
        "id": r.id,
        "node_id": node_id("Repository", r.id),
        "name": r.name,
        "full_name": r.full_name,
        "private": r.private,
        "owner": user(base, store.user(r.owner)),
        "html_url": html,
        "description": None,
        "fork": r.fork_of is not None,
        "url": url,
        "forks_url": f"{url}/forks",
        "keys_url": f"{url}/keys{{/key_id}}",
        "collaborators_url": f"{url}/collaborators{{/collaborator}}",
        "teams_url": f"{url}/teams",
        "hooks_url": f"{url}/hooks",
        "issue_events_url": f"{url}/issues/events{{/number}}",
        "events_url": f"{url}/events",
        "assignees_url": f"{url}/assignees{{/user}}",
        "branches_url": f"{url}/branches{{/branch}}",
        "tags_url": f"{url}/tags",
        "blobs_url": f"{url}/git/blobs{{/sha}}",
        "git_tags_url": f"{url}/git/tags{{/sha}}",
        "git_refs_url": f"{url}/git/refs{{/sha}}",
        "trees_url": f"{url}/git/trees{{/sha}}",
        "statuses_url": f"{url}/statuses/{{sha}}",
        "languages_url": f"{url}/languages",
        "stargazers_url": f"{url}/stargazers",
        "contributors_url": f"{url}/contributors",
        "subscribers_url": f"{url}/subscribers",
        "subscription_url": f"{url}/subscription",
        "commits_url": f"{url}/commits{{/sha}}",
        "git_commits_url": f"{url}/git/commits{{/sha}}",
        "comments_url": f"{url}/comments{{/number}}",
        "issue_comment_url": f"{url}/issues/comments{{/number}}",
        "contents_url": f"{url}/contents/{{+path}}",
        "compare_url": f"{url}/compare/{{base}}...{{head}}",
        "merges_url": f"{url}/merges",
        "archive_url": f"{url}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{url}/downloads",
        "issues_url": f"{url}/issues{{/number}}",
        "pulls_url": f"{url}/pulls{{/number}}",
        "milestones_url": f"{url}/milestones{{/number}}",
        "notifications_url": f"{url}/notifications{{?since,all,participating}}",
        "labels_url": f"{url}/labels{{/name}}",
        "releases_url": f"{url}/releases{{/id}}",
        "deployments_url": f"{url}/deployments",
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "pushed_at": EPOCH,
        "git_url": f"git://{host}/{r.full_name}.git",
        "ssh_url": f"git@{host.split(':', 1)[0]}:{r.full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "has_pull_requests": True,
        "pull_request_creation_policy": "all",
        "forks_count": forks,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": open_issues,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if r.private else "public",
        "forks": forks,
        "open_issues": open_issues,
        "watchers": 0,
        "default_branch": r.default_branch,
        "permissions": dict(APP_REPO_PERMISSIONS),
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_rebase_merge": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_update_branch": False,
        "use_squash_pr_title_as_default": False,
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "merge_commit_title": "MERGE_MESSAGE",
        "merge_commit_message": "PR_TITLE",
        "anonymous_access_enabled": False,
    }
    owner = store.user(r.owner)
    if full:
        body["temp_clone_token"] = ""
        if owner.type == "Organization":
            body["organization"] = user(base, owner)
        if r.fork_of:
            parent = store.repos.get(r.fork_of.lower())
            if parent is not None:
                body["parent"] = body["source"] = repository(base, store, parent)
        body["custom_properties"] = {}
        body["network_count"] = forks
        body["subscribers_count"] = 0
    return body


def app(base: str, store: Store) -> Json:
    # https://docs.github.com/en/rest/apps/apps#get-the-authenticated-app
    owner = next(iter(store.repos.values())).owner if store.repos else "sandbox"
    return {
        "id": APP_ID,
        "client_id": CLIENT_ID,
        "slug": APP_SLUG,
        "node_id": node_id("App", APP_ID),
        "owner": user(base, store.user(owner)),
        "name": APP_NAME,
        "description": "A GitHub App served by the docs-refresh sandbox",
        "external_url": base,
        "html_url": f"{base}/apps/{APP_SLUG}",
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "permissions": PERMISSIONS,
        # Apps get `installation` events without subscribing; GitHub does not list it here.
        "events": ["issue_comment", "issues", "pull_request", "push"],
    }


CLIENT_ID = "Iv23sandbox0000000001"
PERMISSIONS = {
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "checks": "write",
    "metadata": "read",
}


def installation(base: str, store: Store) -> Json:
    # https://docs.github.com/en/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app
    owner = next(iter(store.repos.values())).owner if store.repos else "sandbox"
    return {
        "id": INSTALLATION_ID,
        "account": user(base, store.user(owner)),
        "repository_selection": "all",
        "access_tokens_url": f"{base}/app/installations/{INSTALLATION_ID}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": f"{base}/settings/installations/{INSTALLATION_ID}",
        "app_id": APP_ID,
        "client_id": CLIENT_ID,
        "app_slug": APP_SLUG,
        "target_id": store.user(owner).id,
        "target_type": store.user(owner).type,
        "permissions": PERMISSIONS,
        "events": app(base, store)["events"],
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
        "contact_email": None,
    }
