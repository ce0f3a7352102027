"""Adapter: one commit of a local git repository as a `Snapshot` (for `--base REV`).

Files are listed from the commit's tree with the same skip rules as `LocalSnapshot`, so the
two snapshots differ only where the code differs. Blobs are read one by one, on demand: the
facts cache is keyed by blob SHA, so comparing a working tree with its HEAD reads only the
blobs that changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.core.errors import SetupError
from bot.core.filters import PathFilter
from bot.core.snapshot import FileEntry
from bot.local.checkout import run_git

UNKNOWN_REVISION = "{rev!r} is not a commit of the git repository at {root}"

_REGULAR_MODES = (b"100644", b"100755")


class RevisionSnapshot:
    def __init__(self, root: Path, rev: str) -> None:
        self.root = Path(root).resolve()
        try:
            sha = self._git("rev-parse", "--verify", "-q", f"{rev}^{{commit}}").strip().decode()
        except SetupError:
            sha = ""
        if not sha:
            raise SetupError(UNKNOWN_REVISION.format(rev=rev, root=self.root))
        self._source = sha
        self._blobs: dict[str, str] = {}
        sizes: dict[str, int] = {}
        # -l adds sizes; paths are relative to `root` when it is a subfolder of the checkout.
        for record in self._git("ls-tree", "-r", "-l", "-z", sha, "--", ".").split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, blob, size = meta.split()
            if kind == b"blob" and mode in _REGULAR_MODES:
                path = raw_path.decode("utf-8", "surrogateescape")
                self._blobs[path] = blob.decode()
                sizes[path] = int(size)
        attributes = {
            p: self.read(p).decode("utf-8", "replace")
            for p in self._blobs
            if p.rpartition("/")[2] == ".gitattributes"
        }
        keep = PathFilter.from_files(attributes)
        self._entries = tuple(
            sorted(
                FileEntry(p, sha_, sizes[p])
                for p, sha_ in self._blobs.items()
                if keep.skip_reason(p, sizes[p]) is None
            )
        )

    @property
    def source(self) -> str | None:
        return self._source

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        return self._git("cat-file", "blob", self._blobs[path])

    def _git(self, *args: str) -> bytes:
        return run_git(self.root, *args)
