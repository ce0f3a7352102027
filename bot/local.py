"""A local checkout (or a plain folder) as a `Snapshot`.

In a git checkout the files are the tracked ones (`git ls-files`), and the bytes are the
working tree's, so uncommitted edits count. Blob SHAs come from the index; only the files
`git status` reports as modified are read and hashed again. `source` is HEAD's SHA when no
tracked file differs from HEAD (the snapshot then is that commit), otherwise None.

A folder without git (or one git does not track at all) is walked instead; every file is
hashed the way git hashes a blob, and `source` is None. Symlinks and submodules are
skipped. The skip rules are `bot.core.filters`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from bot.core.errors import SetupError
from bot.core.filters import VENDORED_DIRS, PathFilter
from bot.core.snapshot import FileEntry, git_blob_sha

GIT_FAILED = "git failed in {root}: {error}"
NOT_A_FOLDER = "not a folder: {root}"

_REGULAR_MODES = ("100644", "100755")


class LocalSnapshot:
    """Files of a working tree, as the core's `Snapshot` protocol wants them."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SetupError(NOT_A_FOLDER.format(root=self.root))
        self.is_git = _git_toplevel(self.root) is not None
        self._source: str | None = None
        self._entries: tuple[FileEntry, ...] = ()
        self._tracked = False
        if self.is_git:
            self._entries = self._git_entries()
        if not self._entries and not self._tracked:
            # Not a checkout, or a folder git does not track (ignored, or never added).
            self.is_git = False
            self._source = None
            self._entries = self._folder_entries()

    @property
    def source(self) -> str | None:
        return self._source

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        with open(f"{self.root}{os.sep}{path}", "rb") as handle:
            return handle.read()

    # --- git checkout ---------------------------------------------------------------

    def _git(self, *args: str) -> bytes:
        try:
            return subprocess.run(
                ["git", "-c", "core.quotepath=off", *args],
                cwd=self.root,
                check=True,
                capture_output=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError) as err:
            detail = getattr(err, "stderr", b"") or str(err).encode()
            raise SetupError(
                GIT_FAILED.format(root=self.root, error=detail.decode(errors="replace").strip())
            ) from err

    def _git_entries(self) -> tuple[FileEntry, ...]:
        # Paths relative to `root`, even when `root` is a subfolder of the checkout.
        index: dict[str, str] = {}
        for record in self._git("ls-files", "-s", "-z", "--", ".").split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, sha, _stage = meta.decode().split(" ")
            if mode in _REGULAR_MODES:  # symlinks (120000) and submodules (160000) skipped
                index[raw_path.decode("utf-8", "surrogateescape")] = sha
        self._tracked = bool(index)
        changed = self._changed_paths() if index else set()
        self._source = None if changed else self._head()
        attributes = {
            p: (self.root / p).read_text("utf-8", "replace")
            for p in index
            if p.rpartition("/")[2] == ".gitattributes" and (self.root / p).is_file()
        }
        keep = PathFilter.from_files(attributes)
        out: list[FileEntry] = []
        prefix = f"{self.root}{os.sep}"  # plain strings: pathlib costs more than the stat
        for path, sha in index.items():
            try:
                size = os.stat(prefix + path).st_size
            except FileNotFoundError:
                continue  # deleted in the working tree: not part of what is analysed
            if keep.skip_reason(path, size) is not None:
                continue
            if path in changed:
                with open(prefix + path, "rb") as handle:
                    sha = git_blob_sha(handle.read())
            out.append(FileEntry(path, sha, size))
        out.sort()
        return tuple(out)

    def _head(self) -> str | None:
        try:
            return self._git("rev-parse", "--verify", "-q", "HEAD").strip().decode() or None
        except SetupError:
            return None  # a repository without commits yet

    def _changed_paths(self) -> set[str]:
        """Tracked paths whose working-tree or staged content differs from HEAD."""
        out = self._git("status", "--porcelain=v1", "-z", "--untracked-files=no", "--", ".")
        prefix = self._git("rev-parse", "--show-prefix").strip().decode()
        changed: set[str] = set()
        records = out.split(b"\0")
        i = 0
        while i < len(records):
            record = records[i]
            i += 1
            if len(record) < 4:
                continue
            status, path = record[:2], record[3:].decode("utf-8", "surrogateescape")
            if status[:1] in (b"R", b"C"):
                i += 1  # the next record is the rename's source path
            if prefix and path.startswith(prefix):
                path = path[len(prefix) :]
            changed.add(path)
        return changed

    # --- plain folder ---------------------------------------------------------------

    def _folder_entries(self) -> tuple[FileEntry, ...]:
        attributes: dict[str, str] = {}
        found: list[tuple[str, int]] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in VENDORED_DIRS)
            rel_dir = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            for name in filenames:
                full = os.path.join(dirpath, name)
                if os.path.islink(full):
                    continue
                path = name if rel_dir == "." else f"{rel_dir}/{name}"
                if name == ".gitattributes":
                    attributes[path] = Path(full).read_text("utf-8", "replace")
                found.append((path, os.stat(full).st_size))
        keep = PathFilter.from_files(attributes)
        out = [
            FileEntry(path, git_blob_sha((self.root / path).read_bytes()), size)
            for path, size in found
            if keep.skip_reason(path, size) is None
        ]
        out.sort()
        return tuple(out)


def _git_toplevel(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None  # no git binary: treat as a plain folder
    return done.stdout.decode().strip() or None if done.returncode == 0 else None
