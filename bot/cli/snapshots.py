"""What the local commands share: a checkout plus docs git does not track yet, a progress
bar on a terminal, the PATH argument. Light on purpose: `docs-refresh facts` imports only
this and the analysis, not the refresh engine."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from bot.core.snapshot import FileEntry, Snapshot, git_blob_sha

PROGRESS_MIN_FILES = 200  # below this a scan is instant; a bar would only flicker
SCANNING = "scanning"


class Overlay:
    """A snapshot plus docs on disk it does not list (untracked in git, e.g. just created).

    Only docs are added, never code: the analysis sees exactly what git tracks.
    """

    def __init__(self, inner: Snapshot, extra: Mapping[str, bytes]) -> None:
        self._inner = inner
        self._extra = dict(extra)
        listed = {e.path: e for e in inner.entries()}
        for path, data in self._extra.items():
            listed[path] = FileEntry(path, git_blob_sha(data), len(data))
        self._entries = tuple(sorted(listed.values()))
        self.bar: Any = None

    @property
    def source(self) -> str | None:
        return None if self._extra else self._inner.source

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        if self.bar is not None:
            self.bar.update(1)
        if path in self._extra:
            return self._extra[path]
        return self._inner.read(path)


@contextmanager
def progress(snapshot: Overlay) -> Iterator[None]:
    total = len(snapshot.entries())
    if not sys.stderr.isatty() or total < PROGRESS_MIN_FILES:
        yield
        return
    with click.progressbar(length=total, label=SCANNING, file=sys.stderr) as bar:
        snapshot.bar = bar
        try:
            yield
        finally:
            snapshot.bar = None


root_argument = click.argument(
    "path",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
