"""A repository at one commit, read from the tree API, with bytes fetched only when read.

The core reads a file only when its facts are not cached by blob SHA, so a push costs
one tree request plus the blobs that changed. A cold start would read every file: after
`blob_budget` single reads the snapshot fetches the tarball once and serves the rest
from it, so a first refresh costs the same few requests at 20 files or 20,000.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.analysis.resolve import is_resolution_config
from bot.core.filters import PathFilter
from bot.core.snapshot import FileEntry, git_blob_sha
from bot.github import tarball
from bot.service.ports import Head

# Kinds of tree entries that are files with content (symlinks and submodules are not).
FILE_MODES = frozenset({"100644", "100755"})
# Docs and config are re-read on every refresh; small ones are kept by SHA across jobs.
KEPT_SUFFIXES = (".md", ".markdown", ".yml", ".yaml")
KEPT_MAX_BYTES = 256 * 1024
# A tarball larger than this is not held in memory; files are then read one by one.
TARBALL_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TreeItem:
    path: str
    mode: str
    type: str  # blob | tree | commit
    sha: str
    size: int


class BlobStore(Protocol):
    """Raw bytes by blob SHA (docs and config), shared across jobs."""

    def get_blob(self, sha: str) -> bytes | None: ...

    def put_blobs(self, items: Mapping[str, bytes]) -> None:
        """Keep every item (sha -> bytes), in one transaction or round trip."""


class RemoteSnapshot:
    """A `bot.core.snapshot.Snapshot` over a host's tree listing and blob/tarball reads."""

    def __init__(
        self,
        head: Head,
        items: Iterable[TreeItem],
        *,
        read_blob: Callable[[str], bytes],
        read_tarball: Callable[[], Iterator[bytes]],
        blobs: BlobStore | None = None,
        blob_budget: int = 12,
        complete: bool = True,
    ) -> None:
        self.head = head
        self._read_blob = read_blob
        self._read_tarball = read_tarball
        self._blobs = blobs
        self._budget = blob_budget
        files = sorted(
            (i for i in items if i.type == "blob" and i.mode in FILE_MODES), key=lambda i: i.path
        )
        self._entries = tuple(FileEntry(i.path, i.sha, i.size) for i in files)
        self._sha_of = {e.path: e.sha for e in self._entries}
        self._archive: dict[str, bytes] | None = None
        self.blob_reads = 0
        self.tarball_reads = 0
        self._expected = 0
        if not complete:  # a truncated listing: the tarball is the only full view
            self._load_archive()
            self._entries = tuple(
                sorted(FileEntry(p, git_blob_sha(b), len(b)) for p, b in self._archive_files())
            )
            self._sha_of = {e.path: e.sha for e in self._entries}
        self._skip_unanalysed()

    def _skip_unanalysed(self) -> None:
        """The same vendored/generated/huge-file rules as a local checkout, `.gitattributes`
        included, so the App and `docs-refresh check` in CI write the same docs."""
        attributes = {
            e.path: self.read(e.path).decode("utf-8", "replace")
            for e in self._entries
            if e.path.rpartition("/")[2] == ".gitattributes"
        }
        keep = PathFilter.from_files(attributes)
        self._entries = tuple(e for e in self._entries if keep.skip_reason(e.path, e.size) is None)
        self._sha_of = {e.path: e.sha for e in self._entries}

    @property
    def source(self) -> str | None:
        return self.head.sha

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def sha_of(self, path: str) -> str | None:
        return self._sha_of.get(path)

    def expect_reads(self, count: int) -> None:
        self._expected += count
        if self._archive is None and self.blob_reads + self._expected > self._budget:
            self._load_archive()

    def read(self, path: str) -> bytes:
        sha = self._sha_of[path]  # KeyError for unlisted paths, as the protocol expects
        if self._archive is not None and path in self._archive:
            return self._archive[path]
        kept = self._blobs.get_blob(sha) if self._blobs is not None else None
        if kept is not None:
            return kept
        if self._archive is None and self.blob_reads >= self._budget:
            archive = self._load_archive()
            if path in archive:
                return archive[path]
        data = self._read_blob(sha)
        self.blob_reads += 1
        self._expected = max(0, self._expected - 1)
        self._keep(path, sha, data)
        return data

    def _keep(self, path: str, sha: str, data: bytes) -> None:
        if self._blobs is not None and _kept(path, data):
            self._blobs.put_blobs({sha: data})

    def _load_archive(self) -> dict[str, bytes]:
        self.tarball_reads += 1
        buffer = io.BytesIO()
        for chunk in self._read_tarball():
            buffer.write(chunk)
            if buffer.tell() > TARBALL_MAX_BYTES:
                self._archive = {}
                return self._archive
        try:
            self._archive = dict(tarball.regular_files(buffer.getvalue()))
        except tarball.TooLarge:
            self._archive = {}
            return self._archive
        if self._blobs is not None:
            # One transaction for them all: a large repository has a thousand docs.
            kept = {}
            for path, data in self._archive.items():
                sha = self._sha_of.get(path)
                if sha is not None and _kept(path, data) and git_blob_sha(data) == sha:
                    kept[sha] = data
            if kept:
                self._blobs.put_blobs(kept)
        return self._archive

    def _archive_files(self) -> Iterator[tuple[str, bytes]]:
        return iter((self._archive or {}).items())


def _kept(path: str, data: bytes) -> bool:
    """Whether a file is kept by SHA across jobs: small docs and config. tsconfig/jsconfig
    too: `analyze` reads them for resolution on every run (head and base), which cost a
    TypeScript repository two blob requests per push."""
    kept = path.endswith(KEPT_SUFFIXES) or path.endswith(".gitattributes")
    return (kept or is_resolution_config(path)) and len(data) <= KEPT_MAX_BYTES
