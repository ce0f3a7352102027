"""One real git repository on disk, driven through the `git` command line.

Why the git CLI and not a library: it is installed wherever the bot runs, it is the
reference implementation (what it writes, `git log` shows, by definition), and the
plumbing commands the API needs map one to one onto it: `cat-file --batch` (one
long-lived process, so blob reads cost a pipe round-trip, not a fork), `ls-tree`,
`hash-object`, `read-tree`/`update-index`/`write-tree` on a private index for
`POST /git/trees`, `commit-tree`, `update-ref` with the old value (compare-and-swap)
and `archive` for tarballs. pygit2/dulwich would add a dependency and a second
implementation of the object store to trust.

Writes hold `self.lock`; reads go straight to git, which is safe against concurrent writers.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40
# Git's identity for commits whose author the request does not name.
_GIT_ENV_BASE = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


NOT_A_REPOSITORY = "{path} is not the top folder of a git repository"


class GitError(RuntimeError):
    """A git command failed; `stderr` says why."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str
    type: str  # blob | tree | commit
    sha: str
    path: str
    size: int | None


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str
    date: str  # ISO 8601, UTC, "Z"


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of a diff. `status` uses GitHub's words: added, removed, modified."""

    path: str
    status: str
    sha: str  # blob after (before, for removed)
    additions: int
    deletions: int
    patch: str | None


_STATUS = {"A": "added", "D": "removed", "M": "modified", "T": "changed"}


class GitRepo:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock = threading.RLock()
        self._batch: subprocess.Popen[bytes] | None = None
        self._batch_lock = threading.Lock()
        self._check_top_level()

    def _check_top_level(self) -> None:
        """Refuse a folder that is not itself a repository (inside one does not count)."""
        out = self.git("rev-parse", "--is-bare-repository", "--absolute-git-dir").decode()
        bare, git_dir = out.splitlines()
        if bare == "true":
            root = Path(git_dir)
        else:
            root = Path(self.git("rev-parse", "--show-toplevel").decode().strip())
        if root.resolve() != self.path.resolve():
            raise GitError(NOT_A_REPOSITORY.format(path=self.path))

    # --- plumbing -------------------------------------------------------------------

    def git(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        full_env = {**os.environ, **_GIT_ENV_BASE, **(env or {})}
        proc = subprocess.run(
            ["git", "-C", str(self.path), *args],
            input=stdin,
            capture_output=True,
            env=full_env,
            check=False,
        )
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def _ok(self, *args: str) -> bool:
        try:
            self.git(*args)
        except GitError:
            return False
        return True

    def read_object(self, sha: str) -> tuple[str, bytes] | None:
        """(type, content) through one long-lived `git cat-file --batch`, or None if missing."""
        if not sha or any(c in sha for c in " \n\t"):
            return None
        with self._batch_lock:
            proc = self._batch
            if proc is None or proc.poll() is not None:
                proc = self._batch = subprocess.Popen(
                    ["git", "-C", str(self.path), "cat-file", "--batch"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env={**os.environ, **_GIT_ENV_BASE},
                )
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.write(sha.encode() + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().decode().split()
            if len(header) != 3:
                return None  # "<sha> missing" or "ambiguous"
            size = int(header[2])
            data = proc.stdout.read(size + 1)[:size]
            return header[1], data

    def close(self) -> None:
        with self._batch_lock:
            if self._batch is not None:
                assert self._batch.stdin is not None
                self._batch.stdin.close()
                self._batch.wait(timeout=5)
                if self._batch.stdout is not None:
                    self._batch.stdout.close()
                self._batch = None

    # --- refs -------------------------------------------------------------------------

    def resolve(self, rev: str) -> str | None:
        """The commit a branch, tag, ref or SHA names, or None."""
        if not rev or rev.startswith("-"):
            return None
        candidates = [f"refs/heads/{rev}", f"refs/tags/{rev}", rev]
        if len(rev) == 40 and all(c in "0123456789abcdef" for c in rev):
            candidates = [rev]
        for candidate in candidates:
            try:
                out = self.git("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
            except GitError:
                continue
            return out.decode().strip()
        return None

    def object_type(self, sha: str) -> str | None:
        try:
            return self.git("cat-file", "-t", sha).decode().strip()
        except GitError:
            return None

    def refs(self, prefix: str = "refs/") -> list[tuple[str, str, str]]:
        """(name, sha, type) of every ref under `prefix`, sorted by name."""
        out = self.git("for-each-ref", "--format=%(refname) %(objectname) %(objecttype)", prefix)
        rows = [line.split(" ") for line in out.decode().splitlines() if line]
        return sorted((r[0], r[1], r[2]) for r in rows)

    def ref_sha(self, ref: str) -> str | None:
        for name, sha, _ in self.refs(ref):
            if name == ref:
                return sha
        return None

    def update_ref(self, ref: str, new: str, old: str | None) -> None:
        """Move `ref` to `new`, only if it still points at `old` (None: must not exist)."""
        self.git("update-ref", ref, new, old or ZERO_SHA)

    def delete_ref(self, ref: str, old: str) -> None:
        self.git("update-ref", "-d", ref, old)

    def default_branch(self) -> str:
        try:
            out = self.git("symbolic-ref", "--short", "HEAD").decode().strip()
        except GitError:
            out = ""
        return out or "main"

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self._ok("merge-base", "--is-ancestor", ancestor, descendant)

    def merge_base(self, a: str, b: str) -> str | None:
        try:
            return self.git("merge-base", a, b).decode().strip() or None
        except GitError:
            return None

    def rev_list(self, include: str, *exclude: str, limit: int = 2048) -> list[str]:
        """Commits reachable from `include` and not from `exclude`, oldest first."""
        args = ["rev-list", "--reverse", f"--max-count={limit}", include]
        if exclude:
            args += ["--not", *exclude]
        return self.git(*args).decode().split()

    def fetch(self, source: Path, sha: str, ref: str) -> None:
        """Copy `sha` (and its history) from another repository into `ref` here (fork PRs)."""
        with self.lock:
            self.git("fetch", "--quiet", "--no-tags", str(source), f"+{sha}:{ref}")

    # --- objects ------------------------------------------------------------------------

    def ls_tree(self, tree: str, *, recursive: bool) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z", "--full-tree"]
        if recursive:
            args += ["-r", "-t"]
        entries = []
        for record in self.git(*args, tree).decode(errors="surrogateescape").split("\0"):
            if not record:
                continue
            meta, path = record.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, sha, path, None if size == "-" else int(size)))
        return entries

    def hash_blob(self, data: bytes) -> str:
        with self.lock:
            return self.git("hash-object", "-w", "--stdin", stdin=data).decode().strip()

    def empty_tree(self) -> str:
        """The empty tree, written so older gits can diff a root commit against it."""
        with self.lock:
            return (
                self.git("hash-object", "-t", "tree", "-w", "--stdin", stdin=b"").decode().strip()
            )

    def write_tree(self, base_tree: str | None, changes: list[tuple[str, str, str | None]]) -> str:
        """A new tree: `base_tree` (or empty) with `changes` of (path, mode, sha or None=delete).

        A private index file keeps this off the repository's own index and safe to run
        in parallel; `mode` 040000 places a whole tree at `path`.
        """
        with self.lock, tempfile.TemporaryDirectory(prefix="sandbox-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base_tree:
                self.git("read-tree", base_tree, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            for path, mode, sha in changes:
                self._remove_path(path, env)
                if sha is None:
                    continue
                if mode == "040000":
                    self.git("read-tree", f"--prefix={path}/", sha, env=env)
                else:
                    self.git(
                        "update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=env
                    )
            return self.git("write-tree", env=env).decode().strip()

    def _remove_path(self, path: str, env: dict[str, str]) -> None:
        listed = self.git("ls-files", "-z", "--", path, env=env).decode(errors="surrogateescape")
        victims = [p for p in listed.split("\0") if p and (p == path or p.startswith(path + "/"))]
        if victims:
            self.git(
                "update-index",
                "--force-remove",
                "-z",
                "--stdin",
                stdin="\0".join(victims).encode(),
                env=env,
            )

    def commit_tree(
        self, tree: str, parents: list[str], message: str, author: Person, committer: Person
    ) -> str:
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": author.date,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": committer.date,
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        with self.lock:
            return self.git(*args, stdin=message.encode(), env=env).decode().strip()

    def commit_info(self, sha: str) -> CommitInfo | None:
        obj = self.read_object(sha)
        if obj is None or obj[0] != "commit":
            return None
        head, _, message = obj[1].decode(errors="replace").partition("\n\n")
        tree, parents, people = "", [], {}
        for line in head.splitlines():
            key, _, value = line.partition(" ")
            if key == "tree":
                tree = value
            elif key == "parent":
                parents.append(value)
            elif key in ("author", "committer"):
                people[key] = _person(value)
        full = sha if len(sha) == 40 else self.git("rev-parse", sha).decode().strip()
        # GitHub answers the message without the newline `git commit` ends it with.
        return CommitInfo(
            full, tree, tuple(parents), people["author"], people["committer"], message.rstrip("\n")
        )

    # --- diffs and archives ---------------------------------------------------------------

    def changed_paths(self, sha: str) -> dict[str, list[str]]:
        """added/modified/removed paths of one commit against its first parent (push payloads)."""
        out = self.git(
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--no-commit-id",
            "--root",
            "--name-status",
            sha,
        )
        fields = [f for f in out.decode(errors="surrogateescape").split("\0") if f]
        result: dict[str, list[str]] = {"added": [], "modified": [], "removed": []}
        for status, path in zip(fields[::2], fields[1::2], strict=True):
            key = {"A": "added", "D": "removed"}.get(status[0], "modified")
            result[key].append(path)
        return result

    def diff(self, base: str, head: str) -> list[FileChange]:
        """Per-file changes from `base` to `head`, with GitHub-style patches (hunks only)."""
        raw = self.git("diff-tree", "-r", "-z", "--no-renames", base, head).decode(
            errors="surrogateescape"
        )
        fields = [f for f in raw.split("\0") if f]
        numstat = self.git("diff-tree", "-r", "-z", "--no-renames", "--numstat", base, head)
        counts: dict[str, tuple[int, int]] = {}
        for record in numstat.decode(errors="surrogateescape").split("\0"):
            parts = record.split("\t")
            if len(parts) == 3:
                counts[parts[2]] = (_count(parts[0]), _count(parts[1]))
        patches = self._patches(base, head)
        changes = []
        for meta, path in zip(fields[::2], fields[1::2], strict=True):
            _, _, old_sha, new_sha, status = meta.lstrip(":").split()
            kind = _STATUS.get(status[0], "modified")
            added, deleted = counts.get(path, (0, 0))
            sha = old_sha if kind == "removed" else new_sha
            changes.append(FileChange(path, kind, sha, added, deleted, patches.get(path)))
        return changes

    def _patches(self, base: str, head: str) -> dict[str, str]:
        text = self.git("diff", "--no-renames", "--no-color", "--no-ext-diff", base, head).decode(
            errors="replace"
        )
        patches: dict[str, str] = {}
        for chunk in text.split("\ndiff --git "):
            lines = chunk.removeprefix("diff --git ").split("\n")
            path = next((ln[6:] for ln in lines if ln.startswith("+++ b/")), None)
            path = path or next((ln[6:] for ln in lines if ln.startswith("--- a/")), None)
            start = next((i for i, ln in enumerate(lines) if ln.startswith("@@")), None)
            if path is not None and start is not None:
                patches[path] = "\n".join(lines[start:]).rstrip("\n")
        return patches

    def archive(self, sha: str, prefix: str) -> bytes:
        return self.git("archive", "--format=tar.gz", f"--prefix={prefix}/", sha)


def _count(numstat: str) -> int:
    return 0 if numstat == "-" else int(numstat)  # "-" marks a binary file


def _person(value: str) -> Person:
    """Parse `Name <email> 1700000000 +0000` into a Person with a UTC ISO date."""
    from datetime import UTC, datetime

    name, _, rest = value.partition(" <")
    email, _, stamp = rest.partition("> ")
    seconds = int(stamp.split()[0]) if stamp else 0
    date = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Person(name, email, date)
