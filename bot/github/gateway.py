"""`RepoGateway` over PyGithub: one repository of one installation, one request per call.

Calls go through PyGithub's requester (auth, pacing, retries of GETs, rate-limit waits)
with explicit REST paths, so each method's cost is exactly what it says: no completion
requests behind a property. A write refused with `retry-after` (secondary rate limit) was
not performed, so it is retried once after the wait; other failed writes are not.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import github
from github import GithubException

from bot.core.errors import ConfigError
from bot.github.snapshot import BlobStore, RemoteSnapshot, TreeItem
from bot.service.ports import (
    BranchExists,
    BranchMoved,
    CheckReport,
    Comment,
    CommitInfo,
    Comparison,
    Head,
    Identity,
    MissingCommit,
    PullRequest,
)

# GitHub's compare lists at most 300 files; a longer list may be incomplete.
COMPARE_FILE_LIMIT = 300
ANNOTATIONS_PER_REQUEST = 50
MAX_WRITE_WAIT = 120.0
CONFIG_NOT_UTF8 = "not valid UTF-8 (byte {start}); save the file as UTF-8"


class GithubGateway:
    def __init__(
        self,
        client: github.Github,
        repo: str,
        *,
        blobs: BlobStore | None = None,
        html_url: str,
        default_branches: dict[str, str] | None = None,
        blob_budget: int = 12,
        sleep: Callable[[float], None] = time.sleep,
        turn: threading.RLock | None = None,
        forget_token: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self._repo = repo
        self._blobs = blobs
        self._html = f"{html_url.rstrip('/')}/{repo}"
        self._default_branches = default_branches if default_branches is not None else {}
        self._blob_budget = blob_budget
        self._sleep = sleep
        self._base = f"/repos/{repo}"
        self._turn = turn if turn is not None else threading.RLock()
        self._forget_token = forget_token

    @property
    def repo(self) -> str:
        return self._repo

    @property
    def client(self) -> github.Github:
        """The installation's client, shared by `bot.github.conversation` (one pacing)."""
        return self._client

    # --- reads -----------------------------------------------------------------

    def default_branch(self) -> str:
        cached = self._default_branches.get(self._repo)
        if cached is None:
            cached = str(self._get(self._base)["default_branch"])
            self._default_branches[self._repo] = cached
        return cached

    def config_text(self, path: str) -> str | None:
        data = self._get_or_none(f"{self._base}/contents/{quote(path)}")
        if not isinstance(data, dict) or data.get("type") != "file":
            return None
        raw = base64.b64decode(data.get("content") or "")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:  # the repository's mistake: a config error, named
            raise ConfigError(CONFIG_NOT_UTF8.format(start=err.start), path=path) from None

    def branch_head(self, branch: str) -> str | None:
        data = self._get_or_none(f"{self._base}/git/ref/heads/{quote(branch)}")
        if not isinstance(data, dict):  # a prefix match answers with a list
            return None
        return str(data["object"]["sha"])

    def changed_paths(self, base: str, head: str) -> tuple[str, ...] | None:
        return self.compare(base, head).paths

    def compare(self, base: str, head: str) -> Comparison:
        data = self._get_or_none(f"{self._base}/compare/{quote(base)}...{quote(head)}")
        if not isinstance(data, dict) or "files" not in data:
            return Comparison(None, None)
        files = data["files"]
        paths: tuple[str, ...] | None = None
        if len(files) < COMPARE_FILE_LIMIT:
            found = {f["filename"] for f in files}
            found |= {f["previous_filename"] for f in files if f.get("previous_filename")}
            paths = tuple(sorted(found))
        return Comparison(paths, _compared_head(data))

    def snapshot(self, sha: str) -> RemoteSnapshot:
        try:
            data = self._get(f"{self._base}/git/trees/{sha}", {"recursive": "1"})
        except GithubException as err:
            if err.status in (404, 422):
                raise MissingCommit(sha) from err
            raise
        items = [
            TreeItem(e["path"], e["mode"], e["type"], e["sha"], int(e.get("size") or 0))
            for e in data["tree"]
        ]
        return RemoteSnapshot(
            Head(sha, str(data["sha"])),  # GitHub echoes `sha` here; write_commit knows
            items,
            read_blob=self.blob,
            read_tarball=lambda: self._tarball(sha),
            blobs=self._blobs,
            blob_budget=self._blob_budget,
            complete=not data.get("truncated", False),
        )

    def blob(self, sha: str) -> bytes:
        data = self._get(f"{self._base}/git/blobs/{sha}")
        return base64.b64decode(data["content"])

    def _tarball(self, sha: str) -> Iterator[bytes]:
        url = f"{self._client.requester.base_url}{self._base}/tarball/{sha}"
        with self._turn:
            _, _, chunks = self._client.requester.getStream(url, chunk_size=1 << 16)
        return iter(chunks)

    def commit(self, sha: str) -> CommitInfo:
        data = self._get(f"{self._base}/git/commits/{sha}")
        return CommitInfo(
            sha=str(data["sha"]),
            tree=str(data["tree"]["sha"]),
            parents=tuple(str(p["sha"]) for p in data["parents"]),
            author=Identity(data["author"]["name"], data["author"]["email"]),
            committer=Identity(data["committer"]["name"], data["committer"]["email"]),
        )

    def find_pull(self, head_branch: str, base: str) -> PullRequest | None:
        owner = self._repo.split("/")[0]
        params = {
            "state": "all",
            "head": f"{owner}:{head_branch}",
            "base": base,
            "sort": "created",
            "direction": "desc",
            "per_page": "1",
        }
        data = self._get(f"{self._base}/pulls", params)
        return _pull(data[0]) if data else None

    def comments(self, number: int) -> Sequence[Comment]:
        data = self._get(f"{self._base}/issues/{number}/comments", {"per_page": "100"})
        return tuple(Comment(int(c["id"]), c.get("body") or "") for c in data)

    def blob_url(self, ref: str, path: str, line: int | None = None) -> str:
        anchor = f"#L{line}" if line else ""
        return f"{self._html}/blob/{quote(ref)}/{quote(path)}{anchor}"

    def commit_url(self, sha: str) -> str:
        return f"{self._html}/commit/{sha}"

    # --- writes ----------------------------------------------------------------

    def write_commit(
        self, parent: Head, files: Mapping[str, bytes], message: str, author: Identity
    ) -> str:
        tree = []
        for path, data in sorted(files.items()):
            entry: dict[str, Any] = {"path": path, "mode": "100644", "type": "blob"}
            try:
                entry["content"] = data.decode("utf-8")
            except UnicodeDecodeError:  # only text fits inline; bytes go as a blob first
                blob = self._write("POST", f"{self._base}/git/blobs", _blob_input(data))
                entry["sha"] = blob["sha"]
            tree.append(entry)
        # GitHub's tree of a commit echoes the commit's SHA, not the tree's: ask the commit.
        base_tree = parent.tree if parent.tree != parent.sha else self.commit(parent.sha).tree
        created = self._write(
            "POST", f"{self._base}/git/trees", {"base_tree": base_tree, "tree": tree}
        )
        person = {"name": author.name, "email": author.email}
        commit = self._write(
            "POST",
            f"{self._base}/git/commits",
            {
                "message": message,
                "tree": created["sha"],
                "parents": [parent.sha],
                "author": person,
                "committer": person,
            },
        )
        return str(commit["sha"])

    def set_branch(self, branch: str, sha: str, *, create: bool) -> None:
        if create:
            try:
                self._write(
                    "POST", f"{self._base}/git/refs", {"ref": f"refs/heads/{branch}", "sha": sha}
                )
            except GithubException as err:
                if err.status == 422:  # "Reference already exists"
                    raise BranchExists(branch) from err
                raise
        else:
            try:
                self._write(
                    "PATCH",
                    f"{self._base}/git/refs/heads/{quote(branch)}",
                    {"sha": sha, "force": True},
                )
            except GithubException as err:
                if err.status == 422:  # moved meanwhile: read again before any other move
                    raise BranchMoved(branch) from err
                raise

    def delete_branch(self, branch: str) -> None:
        try:
            self._write("DELETE", f"{self._base}/git/refs/heads/{quote(branch)}")
        except GithubException as err:
            if err.status not in (404, 422):  # already gone is what we wanted
                raise

    def open_pull(
        self, base: str, head_branch: str, title: str, body: str, draft: bool
    ) -> PullRequest:
        payload = {"title": title, "head": head_branch, "base": base, "body": body, "draft": draft}
        try:
            return _pull(self._write("POST", f"{self._base}/pulls", payload))
        except GithubException as err:
            # A concurrent worker opened it first: GitHub says 422 "already exists".
            found = self.find_pull(head_branch, base) if err.status == 422 else None
            if found is None or found.state != "open":
                raise
            return found

    def edit_pull(self, number: int, *, title: str, body: str) -> None:
        self._write("PATCH", f"{self._base}/pulls/{number}", {"title": title, "body": body})

    def close_pull(self, number: int, *, body: str | None = None) -> None:
        payload: dict[str, Any] = {"state": "closed"}
        if body is not None:
            payload["body"] = body
        self._write("PATCH", f"{self._base}/pulls/{number}", payload)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:
            self._write("POST", f"{self._base}/issues/{number}/labels", {"labels": list(labels)})

    def create_comment(self, number: int, body: str) -> None:
        self._write("POST", f"{self._base}/issues/{number}/comments", {"body": body})

    def report_check(self, head_sha: str, report: CheckReport) -> bool:
        annotations = [
            {
                "path": a.path,
                "start_line": a.line,
                "end_line": a.line,
                "annotation_level": a.level,
                "message": a.message,
            }
            for a in report.annotations[:ANNOTATIONS_PER_REQUEST]
        ]
        payload = {
            "name": report.name,
            "head_sha": head_sha,
            "status": "completed",
            "conclusion": report.conclusion,
            "output": {
                "title": report.title,
                "summary": report.summary,
                "annotations": annotations,
            },
        }
        try:
            self._write("POST", f"{self._base}/check-runs", payload)
        except GithubException as err:
            if err.status in (403, 404):  # the installation lacks checks:write
                return False
            raise
        return True

    # --- transport ---------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        with self._turn:
            return self._authorized(
                lambda: self._client.requester.requestJsonAndCheck("GET", path, parameters=params)
            )[1]

    def _authorized(self, call: Callable[[], Any]) -> Any:
        """A 401 means the cached token died early: fetch a new one, once, and retry."""
        try:
            return call()
        except GithubException as err:
            if err.status != 401 or self._forget_token is None:
                raise
            self._forget_token()
            return call()

    def _get_or_none(self, path: str) -> Any:
        try:
            return self._get(path)
        except GithubException as err:
            if err.status == 404:
                return None
            raise

    def _write(self, verb: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        with self._turn:  # the wait below holds the turn: GitHub wants no request meanwhile
            return self._write_now(verb, path, payload)

    def _write_now(self, verb: str, path: str, payload: dict[str, Any] | None) -> Any:
        def call() -> Any:  # a 401 or a refusal for rate means nothing was written
            return self._client.requester.requestJsonAndCheck(verb, path, input=payload)[1]

        try:
            return self._authorized(call)
        except GithubException as err:
            wait = _retry_after(err)
            if wait is None or wait > MAX_WRITE_WAIT:
                raise
            self._sleep(wait)
            return call()


def _retry_after(err: GithubException) -> float | None:
    """Seconds to wait when GitHub refused a request for rate, before doing it."""
    if err.status not in (403, 429):
        return None
    headers = {k.lower(): v for k, v in (err.headers or {}).items()}
    if "retry-after" in headers:
        return max(0.0, float(headers["retry-after"]))
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
    return None


def _compared_head(data: dict[str, Any]) -> str | None:
    """The head's SHA from a compare answer: its last commit when the list is complete
    (GitHub lists at most 250, oldest first), the base itself when they are identical."""
    commits = data.get("commits") or []
    if data.get("status") == "identical":
        base = data.get("base_commit") or {}
        return str(base["sha"]) if "sha" in base else None
    if commits and len(commits) == data.get("total_commits"):
        return str(commits[-1]["sha"])
    return None


def _blob_input(data: bytes) -> dict[str, str]:
    return {"content": base64.b64encode(data).decode("ascii"), "encoding": "base64"}


def _pull(data: dict[str, Any]) -> PullRequest:
    return PullRequest(
        number=int(data["number"]),
        state=str(data["state"]),
        merged=bool(data.get("merged_at")) or bool(data.get("merged")),
        head_sha=str(data["head"]["sha"]),
        title=data.get("title") or "",
        body=data.get("body") or "",
        labels=tuple(sorted(label["name"] for label in data.get("labels") or ())),
        html_url=str(data.get("html_url") or ""),
    )
