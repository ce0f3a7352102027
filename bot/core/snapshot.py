"""A repository as the core sees it: paths, blob SHAs and sizes, plus a way to read bytes.

Adapters provide snapshots (a local checkout, the GitHub tree API, a tarball); the core
only reads through this protocol, so it stays free of disk and network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, order=True)
class FileEntry:
    path: str  # POSIX, relative to the repository root
    sha: str  # git blob SHA-1 (hex)
    size: int


def git_blob_sha(data: bytes, algorithm: str = "sha1") -> str:
    """The id git gives these bytes as a blob (so a folder without git hashes like git);
    `algorithm` is the repository's object format, "sha1" or "sha256"."""
    header = b"blob %d\0" % len(data)
    return hashlib.new(algorithm, header + data, usedforsecurity=False).hexdigest()


class Snapshot(Protocol):
    @property
    def source(self) -> str | None:
        """The commit SHA this snapshot is of, or None (a working tree, a plain folder)."""

    def entries(self) -> Sequence[FileEntry]:
        """Every analysable file, sorted by path."""

    def read(self, path: str) -> bytes:
        """The bytes of one file listed in `entries()`."""


class MemorySnapshot:
    """A snapshot held in memory: tests, the sandbox, and snapshots built from a tarball."""

    def __init__(self, files: Mapping[str, bytes], source: str | None = None) -> None:
        self._files = dict(files)
        self._source = source
        self._entries = tuple(
            sorted(FileEntry(p, git_blob_sha(b), len(b)) for p, b in self._files.items())
        )

    @property
    def source(self) -> str | None:
        return self._source

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        return self._files[path]

    def with_files(
        self, changes: Mapping[str, bytes | None], source: str | None = None
    ) -> MemorySnapshot:
        """A new snapshot with files replaced, added, or (value None) removed."""
        files = dict(self._files)
        for path, data in changes.items():
            if data is None:
                files.pop(path, None)
            else:
                files[path] = data
        return MemorySnapshot(files, source)


def paths_of(snapshot: Snapshot) -> Iterable[str]:
    return (e.path for e in snapshot.entries())
