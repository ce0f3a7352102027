"""`Conversation` over PyGithub: comments, reactions, permissions, check runs, fast-forwards.

Like `GithubGateway`, each method is the REST call it names, through PyGithub's requester
(so the client's write pacing and GET retries apply). Writes are never retried blindly:
a retried POST could comment twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import github
from github import Auth, GithubException, GithubIntegration

from bot.github.gateway import COMPARE_FILE_LIMIT, MAX_WRITE_WAIT, _retry_after
from bot.service.ports.conversation import (
    REACTIONS,
    BranchMoved,
    CheckOutput,
    CommentRef,
    Comparison,
    Permission,
    PullDetails,
)

PER_PAGE = 100
# A pull request with 3,000 comments is past anything a sticky comment should search.
MAX_COMMENT_PAGES = 30


class GithubConversation:
    def __init__(
        self, client: github.Github, repo: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._client = client
        self._base = f"/repos/{repo}"
        self._sleep = sleep

    def pull(self, number: int) -> PullDetails:
        data = self._call("GET", f"{self._base}/pulls/{number}")
        head_repo = (data["head"].get("repo") or {}).get("full_name")
        return PullDetails(
            number=int(data["number"]),
            state=str(data["state"]),
            merged=bool(data.get("merged") or data.get("merged_at")),
            draft=bool(data.get("draft")),
            head_sha=str(data["head"]["sha"]),
            head_ref=str(data["head"]["ref"]),
            head_repo=str(head_repo) if head_repo else None,
            base_ref=str(data["base"]["ref"]),
            base_sha=str(data["base"]["sha"]),
            html_url=str(data.get("html_url") or ""),
        )

    def compare(self, base: str, head: str) -> Comparison:
        data = self._call("GET", f"{self._base}/compare/{quote(base)}...{quote(head)}")
        merge_base = str((data.get("merge_base_commit") or {}).get("sha") or base)
        files = data.get("files")
        if not isinstance(files, list) or len(files) >= COMPARE_FILE_LIMIT:
            return Comparison(merge_base, None)  # GitHub lists at most 300 files
        paths = {f["filename"] for f in files}
        paths |= {f["previous_filename"] for f in files if f.get("previous_filename")}
        return Comparison(merge_base, tuple(sorted(paths)))

    def issue_comments(self, number: int) -> Sequence[CommentRef]:
        found: list[CommentRef] = []
        for page in range(1, MAX_COMMENT_PAGES + 1):
            params = {"per_page": str(PER_PAGE), "page": str(page)}
            data = self._call("GET", f"{self._base}/issues/{number}/comments", params=params)
            found += [
                CommentRef(
                    int(c["id"]), str((c.get("user") or {}).get("login") or ""), c["body"] or ""
                )
                for c in data
            ]
            if len(data) < PER_PAGE:
                break
        return tuple(found)

    def create_comment(self, number: int, body: str) -> int:
        data = self._call("POST", f"{self._base}/issues/{number}/comments", {"body": body})
        return int(data["id"])

    def edit_comment(self, comment_id: int, body: str) -> None:
        self._call("PATCH", f"{self._base}/issues/comments/{comment_id}", {"body": body})

    def react(self, comment_id: int, content: str) -> None:
        if content not in REACTIONS:
            raise ValueError(f"not a GitHub reaction: {content!r}")
        path = f"{self._base}/issues/comments/{comment_id}/reactions"
        self._call("POST", path, {"content": content})

    def permission(self, login: str) -> Permission:
        path = f"{self._base}/collaborators/{quote(login)}/permission"
        try:
            data = self._call("GET", path)
        except GithubException as err:
            if err.status == 404:  # not a collaborator, or not a user at all
                return Permission("none")
            raise
        role = data.get("role_name")
        return Permission(str(data.get("permission") or "none"), str(role) if role else None)

    def report_check(self, head_sha: str, name: str, output: CheckOutput) -> int | None:
        first, *rest = output.batches()
        payload = {
            "name": name,
            "head_sha": head_sha,
            "status": "completed",
            "conclusion": output.conclusion,
            "output": first,
        }
        try:
            created = self._call("POST", f"{self._base}/check-runs", payload)
        except GithubException as err:
            if err.status in (403, 404):  # the installation lacks checks:write
                return None
            raise
        check_id = int(created["id"])
        # GitHub appends the annotations of each update to the run's list.
        for batch in rest:
            self._call("PATCH", f"{self._base}/check-runs/{check_id}", {"output": batch})
        return check_id

    def advance_branch(self, branch: str, sha: str) -> None:
        path = f"{self._base}/git/refs/heads/{quote(branch)}"
        try:
            self._call("PATCH", path, {"sha": sha, "force": False})
        except GithubException as err:
            if err.status == 422:  # "Update is not a fast forward"
                raise BranchMoved(branch) from err
            raise

    def _call(
        self,
        verb: str,
        path: str,
        payload: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        requester = self._client.requester
        try:
            _, data = requester.requestJsonAndCheck(verb, path, parameters=params, input=payload)
        except GithubException as err:
            # A write refused for rate (secondary limit) was not done: once more after the
            # wait, as the gateway does. GETs are retried by the client's own policy.
            wait = _retry_after(err) if verb != "GET" else None
            if wait is None or wait > MAX_WRITE_WAIT:
                raise
            self._sleep(wait)
            _, data = requester.requestJsonAndCheck(verb, path, parameters=params, input=payload)
        return data


_APP_LOGINS: dict[tuple[str, int], str] = {}
_APP_LOGINS_LOCK = threading.Lock()


def app_login(api_url: str, app_id: int, private_key: str) -> str:
    """The app's own account, `<slug>[bot]`, asked once per process (`GET /app`, as the app)."""
    key = (api_url, app_id)
    with _APP_LOGINS_LOCK:
        if key not in _APP_LOGINS:
            integration = GithubIntegration(
                auth=Auth.AppAuth(app_id, private_key), base_url=api_url
            )
            _APP_LOGINS[key] = f"{integration.get_app().slug}[bot]"
        return _APP_LOGINS[key]
