"""A local checkout (or a plain folder) as a `Snapshot`.

In a git checkout the files are the tracked ones (`git ls-files`) and the untracked ones
git does not ignore (a new module not yet added counts, as in the user's working tree;
`untracked` names them), and the bytes are the working tree's, so uncommitted edits count.
Blob SHAs come from the index; only the files `git status` reports as modified or untracked
are read and hashed. `source` is HEAD's SHA when no file under `root` differs from HEAD,
staged or not, and none is untracked (the snapshot then is that commit's tree there),
otherwise None.

A folder without git (or one git does not track at all) is walked instead; every file is
hashed the way git hashes a blob, and `source` is None. Symlinks and submodules are
skipped. The skip rules are `bot.core.filters`.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.errors import SetupError
from bot.core.filters import MAX_FILE_BYTES, ROOT_VENDORED_DIRS, VENDORED_DIRS, PathFilter
from bot.core.snapshot import FileEntry, git_blob_sha
from bot.local.git_index import index_key, read_index

GIT_FAILED = "git failed in {root}: {error}"
NOT_A_FOLDER = "not a folder: {root}"

_REGULAR_MODES = (b"100644", b"100755")
# `git ls-files -s --debug -z`: "mode sha stage\tpath\0" then stat lines ending in "size: N".
_LS_FILES_DEBUG = re.compile(rb"(\d{6}) ([0-9a-f]{40,64}) \d\t([^\0]*)\0[^\0]*?size: (\d+)")


class LocalSnapshot:
    """Files of a working tree, as the core's `Snapshot` protocol wants them."""

    # Reads are plain file reads: a forked extraction worker may read for itself.
    fork_safe = True

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise SetupError(NOT_A_FOLDER.format(root=self.root))
        self._repo = _repository(self.root)
        self.is_git = self._repo is not None
        self._source: str | None = None
        self._entries: tuple[FileEntry, ...] = ()
        self._tracked = False
        # Files git does not track yet but does not ignore either, counted in `entries`.
        self.untracked: tuple[str, ...] = ()
        if self._repo is not None:
            self._entries = self._git_entries(self._repo)
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
        return run_git(self.root, *args)

    def _git_entries(self, repo: _Repository) -> tuple[FileEntry, ...]:
        # `git status` first: it refreshes the index, whose recorded sizes are then those of
        # the working tree for every file it does not report. Paths are relative to `root`,
        # even when `root` is a subfolder of the checkout.
        changed, head, untracked = self._changed_paths(repo.prefix)
        listing = self._listing(repo)
        self._tracked = bool(listing.index)
        if not listing.index:
            untracked = set()  # a folder git does not track at all is walked as a folder
        self._source = None if changed or untracked or not listing.index else head
        if not changed and not untracked:
            return listing.kept
        out = [e for e in listing.kept if e.path not in changed]
        for path in changed:
            if path not in listing.index:
                continue  # no longer in the index (a staged deletion): not analysed
            entry = self._read_entry(path, listing.keep, repo.algorithm)
            if entry is not None:
                out.append(entry)
        counted = []
        for path in sorted(untracked):
            if os.path.islink(f"{self.root}{os.sep}{path}"):
                continue  # as for tracked files: a link is not read through
            entry = self._read_entry(path, listing.keep, repo.algorithm)
            if entry is not None:
                out.append(entry)
                counted.append(path)
        self.untracked = tuple(counted)
        return tuple(sorted(out))

    def _read_entry(self, path: str, keep: PathFilter, algorithm: str) -> FileEntry | None:
        """The working tree's file at `path`, hashed; None when gone or skipped."""
        full = f"{self.root}{os.sep}{path}"  # plain strings: pathlib costs more than the reads
        try:
            with open(full, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None  # deleted in the working tree: not part of what is analysed
        size = len(data) if len(data) <= MAX_FILE_BYTES else os.stat(full).st_size
        if keep.skip_reason(path, size) is not None:
            return None
        return FileEntry(path, git_blob_sha(data, algorithm), size)

    def _listing(self, repo: _Repository) -> _Listing:
        """The index's files under `root`, filtered by size and path: parsed once per version
        of the index file (and of the `.gitattributes` files) in this process."""
        key = index_key(repo.index)
        cached = _INDEXES.get((key, repo.prefix)) if key is not None else None
        if cached is None:
            index = self._read_index(repo)
            # Found with the index, not on every listing: that looked at each of its paths.
            found = tuple(p for p in index if p.rpartition("/")[2] == ".gitattributes")
            cached = (index, found)
            if key is not None:
                _remember(_INDEXES, (key, repo.prefix), cached)
        index, attribute_files = cached
        attributes = {}
        for path in attribute_files:
            try:
                with open(f"{self.root}{os.sep}{path}", encoding="utf-8", errors="replace") as f:
                    attributes[path] = f.read()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue
        listing_key = (key, repo.prefix, tuple(sorted(attributes.items())))
        listing = _LISTINGS.get(listing_key) if key is not None else None
        if listing is None:
            keep = PathFilter.from_files(attributes)
            kept = tuple(
                sorted(
                    FileEntry(path, sha, size)
                    for path, (sha, size) in index.items()
                    if keep.skip_reason(path, size) is None
                )
            )
            listing = _Listing(index, keep, kept)
            if key is not None:
                _remember(_LISTINGS, listing_key, listing)
        return listing

    def _read_index(self, repo: _Repository) -> dict[str, tuple[str, int]]:
        """path (relative to `root`) -> (blob sha, working-tree size) of regular files."""
        raw = read_index(repo.index, repo.hash_len)
        if raw is None:  # a format the reader leaves to git (v4, split or sparse index)
            listing = self._git("ls-files", "-s", "--debug", "-z", "--", ".")
            raw = {}
            for m in _LS_FILES_DEBUG.finditer(listing):
                if m.group(1) in _REGULAR_MODES:  # symlinks, submodules skipped
                    raw[m.group(3)] = (m.group(2).decode(), int(m.group(4)))
            top = b""  # ls-files already answers relative to `root`
        else:
            top = repo.prefix.encode("utf-8", "surrogateescape")
        out: dict[str, tuple[str, int]] = {}
        cut = len(top)
        for name, value in raw.items():
            if name.startswith(top):
                out[name[cut:].decode("utf-8", "surrogateescape")] = value
        return out

    def _changed_paths(self, prefix: str) -> tuple[set[str], str | None, set[str]]:
        """Tracked paths whose working-tree or staged content differs from HEAD, HEAD's
        commit (None before the first) and the untracked, not ignored, files: one
        `git status` answers all three."""
        out = self._git(
            "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--", "."
        )
        changed: set[str] = set()
        untracked: set[str] = set()
        head = None
        records = out.split(b"\0")
        i = 0
        while i < len(records):
            record = records[i]
            i += 1
            if record.startswith(b"# branch.oid "):
                oid = record[len(b"# branch.oid ") :].decode()
                head = None if oid == "(initial)" else oid
                continue
            if record.startswith(b"? "):
                path = record[2:].decode("utf-8", "surrogateescape")
                untracked.add(path[len(prefix) :] if prefix and path.startswith(prefix) else path)
                continue
            fields = _STATUS_FIELDS.get(record[:2])
            if fields is None:
                continue  # other headers
            parts = record.split(b" ", fields)
            if len(parts) <= fields:
                continue
            if record[:1] == b"2":
                i += 1  # the next record is the rename's source path
            path = parts[fields].decode("utf-8", "surrogateescape")
            if prefix and path.startswith(prefix):
                path = path[len(prefix) :]
            changed.add(path)
        return changed, head, untracked

    # --- plain folder ---------------------------------------------------------------

    def _folder_entries(self) -> tuple[FileEntry, ...]:
        attributes: dict[str, str] = {}
        found: list[tuple[str, str, os.stat_result]] = []  # (path, full path, its stat)
        for dirpath, rel_dir, files in _walk(str(self.root)):
            for name in files:
                full = f"{dirpath}{os.sep}{name}"
                path = name if not rel_dir else f"{rel_dir}/{name}"
                if name == ".gitattributes":
                    attributes[path] = Path(full).read_text("utf-8", "replace")
                found.append((path, full, os.stat(full)))
        keep = PathFilter.from_files(attributes)
        # A file whose times are this close to now may change again within the same clock
        # tick without its stat moving: it is hashed every time, never remembered.
        recent = time.time_ns() - RACY_NS
        out = []
        for path, full, st in found:
            if keep.skip_reason(path, st.st_size) is not None:
                continue
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            known = _FOLDER_SHAS.get(full)
            if known is not None and known[0] == stamp:
                sha = known[1]
            else:
                with open(full, "rb") as handle:
                    sha = git_blob_sha(handle.read())
                if max(st.st_mtime_ns, st.st_ctime_ns) < recent:
                    if len(_FOLDER_SHAS) >= _FOLDER_SHAS_MAX:
                        _FOLDER_SHAS.clear()
                    _FOLDER_SHAS[full] = (stamp, sha)
            out.append(FileEntry(path, sha, st.st_size))
        out.sort(key=_path_of)  # each path once: their order is the entries' (no __lt__ calls)
        return tuple(out)


def _path_of(entry: FileEntry) -> str:
    return entry.path


def _walk(root: str) -> Iterator[tuple[str, str, list[str]]]:
    """(folder, its path relative to `root` or "", the names of its files), as `os.walk`
    would give them top-down with vendored folders pruned and sorted: links to files or
    folders are not files here and are not followed (one `scandir` entry tells, where
    `os.walk` plus `os.path.islink` asked the file system twice per file)."""
    stack = [(root, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            scan = os.scandir(folder)
        except OSError:
            continue
        files: list[str] = []
        subfolders: list[str] = []
        with scan:
            while True:
                try:
                    entry = next(scan)
                except StopIteration:
                    break
                except OSError:
                    break  # as os.walk: the folder is left as far as it was read
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    try:
                        link = entry.is_symlink()
                    except OSError:
                        link = False
                    pruned = entry.name in VENDORED_DIRS or (
                        not rel and entry.name in ROOT_VENDORED_DIRS
                    )
                    if not link and not pruned:
                        subfolders.append(entry.name)
                elif not entry.is_symlink():
                    files.append(entry.name)
        yield folder, rel, files
        for name in sorted(subfolders, reverse=True):
            stack.append((f"{folder}{os.sep}{name}", f"{rel}/{name}" if rel else name))


def inside(root: Path, rel: str) -> Path | None:
    """`root / rel` when every step from `root` to it is a real folder (no symlink, no
    `..`), whether or not the file itself exists yet; None otherwise. Docs and config are
    read and written only through this: a tracked `docs -> /elsewhere` (or `docs -> /`)
    must never lead the CLI outside the checkout."""
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") for p in parts) or rel.startswith("/"):
        return None
    here = root
    for part in parts:
        here = here / part
        if here.is_symlink():
            return None
    return here


def walk_docs(root: Path, folder: str, suffix: str = ".md") -> list[str]:
    """Paths (relative to `root`, sorted) of the `suffix` files under `folder`, never
    through a symlink: the folder itself, a subfolder or the file."""
    top = inside(root, folder.strip("/"))
    if top is None or not top.is_dir():
        return []
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(top):  # os.walk never follows links
        dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames:
            if name.endswith(suffix) and not os.path.islink(os.path.join(dirpath, name)):
                found.append(f"{rel_dir}/{name}")
    return sorted(found)


@dataclass(frozen=True, slots=True)
class _Repository:
    prefix: str  # `root` relative to the checkout's top, "" or ending in "/"
    index: str  # the index file's path
    algorithm: str  # the object format: "sha1" or "sha256"

    @property
    def hash_len(self) -> int:
        return 32 if self.algorithm == "sha256" else 20


@dataclass(frozen=True, slots=True)
class _Listing:
    index: dict[str, tuple[str, int]]
    keep: PathFilter
    kept: tuple[FileEntry, ...]  # sorted; by the index's sizes


# Parsed indexes and filtered listings by index version: a long-lived process (the worker,
# a watch loop, the benchmark) lists a 20,000-file checkout again in a `git status`.
_INDEXES: dict[object, tuple[dict[str, tuple[str, int]], tuple[str, ...]]] = {}
_LISTINGS: dict[object, _Listing] = {}
_MEMO_MAX = 4
# Plain folders listed in this process: full path -> ((size, mtime, ctime, inode), blob SHA),
# so a folder listed again (a warm refresh) reads and hashes only the files whose stat moved,
# as git's index does. Entries are made only for files older than `RACY_NS` at listing.
_FOLDER_SHAS: dict[str, tuple[tuple[int, int, int, int], str]] = {}
_FOLDER_SHAS_MAX = 200_000
RACY_NS = 2_000_000_000


def _remember(memo: dict[object, Any], key: object, value: object) -> None:
    while len(memo) >= _MEMO_MAX:
        memo.pop(next(iter(memo)))
    memo[key] = value


# `git status --porcelain=v2` records: how many space-separated fields precede the path
# (ordinary, renamed or copied, unmerged).
_STATUS_FIELDS = {b"1 ": 8, b"2 ": 9, b"u ": 10}
# Which checkout a folder is in, per folder: asked of git once per process while the index
# file it named is there (a checkout's index path and object format do not change).
_REPOSITORIES: dict[object, _Repository] = {}


def _repository(root: Path) -> _Repository | None:
    """The checkout `root` is in, or None (no git, or not a checkout)."""
    key = (str(root), os.environ.get("GIT_DIR", ""), os.environ.get("GIT_INDEX_FILE", ""))
    known = _REPOSITORIES.get(key)
    if known is not None and os.path.isfile(known.index):
        return known
    if not key[1] and not _may_be_in_git(root):
        return None  # git would look where this did, and say the same, ~2 ms later
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-prefix", "--git-path", "index", "--show-object-format"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return None  # no git binary: treat as a plain folder
    lines = done.stdout.decode("utf-8", "surrogateescape").split("\n")
    if done.returncode != 0 or len(lines) < 3:
        return None
    prefix, index, object_format = lines[0], lines[1], lines[2]
    found = _Repository(
        prefix=prefix,
        index=os.path.join(root, index),
        algorithm="sha256" if object_format == "sha256" else "sha1",
    )
    _remember(_REPOSITORIES, key, found)
    return found


def _may_be_in_git(root: Path) -> bool:
    """Whether git's own search could find a repository for `root`: some folder from it up
    holds a `.git` (a folder or a file pointing to one) or is one (a bare repository has its
    `HEAD` on top). Neither anywhere, and no GIT_DIR, and git finds none."""
    exists = os.path.lexists
    return any(
        exists(os.path.join(folder, ".git")) or exists(os.path.join(folder, "HEAD"))
        for folder in (root, *root.parents)
    )


def run_git(root: Path, *args: str) -> bytes:
    """`git ARGS` in `root` (paths unquoted); a failure is a SetupError naming the folder."""
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=root,
            check=True,
            capture_output=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", b"") or str(err).encode()
        raise SetupError(
            GIT_FAILED.format(root=root, error=detail.decode(errors="replace").strip())
        ) from err
