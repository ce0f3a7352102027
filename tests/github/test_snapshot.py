"""RemoteSnapshot keeps small docs, config and resolution files by blob SHA across jobs, so a
later snapshot of the same blobs reads none of them again (bench/api_calls.py's one-file push
on a TypeScript repository: 10 requests, not 12)."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator, Mapping

from bot.core.snapshot import git_blob_sha
from bot.github.snapshot import RemoteSnapshot, TreeItem
from bot.service.ports import Head

FILES = {
    "tsconfig.json": b'{"compilerOptions": {"baseUrl": "src"}}\n',
    "docs/data-flow.md": b"# Data flow\n",
    "src/app.ts": b'import { x } from "./x";\n',
}


class Blobs:
    """The blob store's interface over a dict (what SQLite or Redis hold in production)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get_blob(self, sha: str) -> bytes | None:
        return self.data.get(sha)

    def put_blobs(self, items: Mapping[str, bytes]) -> None:
        self.data.update(items)


def tarball() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, data in FILES.items():
            info = tarfile.TarInfo(f"octo-shop-abc123/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def snapshot(blobs: Blobs, reads: list[str]) -> RemoteSnapshot:
    by_sha = {git_blob_sha(d): d for d in FILES.values()}
    items = [TreeItem(p, "100644", "blob", git_blob_sha(d), len(d)) for p, d in FILES.items()]

    def read_blob(sha: str) -> bytes:
        reads.append(sha)
        return by_sha[sha]

    def read_tarball() -> Iterator[bytes]:
        reads.append("tarball")
        yield tarball()

    return RemoteSnapshot(
        Head("c" * 40, "t" * 40),
        items,
        read_blob=read_blob,
        read_tarball=read_tarball,
        blobs=blobs,
        blob_budget=1,
    )


def test_tsconfig_from_a_cold_tarball_is_not_read_again_by_a_later_snapshot() -> None:
    blobs, reads = Blobs(), []
    cold = snapshot(blobs, reads)
    cold.expect_reads(len(FILES))  # a cold start: the tarball at once
    assert {p: cold.read(p) for p in FILES} == FILES
    assert reads == ["tarball"]

    later_reads: list[str] = []
    later = snapshot(blobs, later_reads)
    assert later.read("tsconfig.json") == FILES["tsconfig.json"]
    assert later.read("docs/data-flow.md") == FILES["docs/data-flow.md"]
    assert later_reads == []


def test_source_files_are_not_kept_in_the_blob_store() -> None:
    blobs, reads = Blobs(), []
    snapshot(blobs, reads).read("src/app.ts")
    assert reads == [git_blob_sha(FILES["src/app.ts"])]
    assert blobs.data == {}


def test_vendored_generated_and_gitattributes_paths_are_skipped_like_a_checkout() -> None:
    # The App and `docs-refresh check` must see the same files, or they write different docs.
    files = {
        ".gitattributes": b"legacy/** linguist-vendored\n",
        "legacy/old.py": b"import stripe\n",
        "node_modules/left-pad/index.js": b"module.exports = 1;\n",
        "static/app.min.js": b"var a=1;\n",
        "src/app.py": b"import os\n",
    }
    by_sha = {git_blob_sha(d): d for d in files.values()}
    items = [TreeItem(p, "100644", "blob", git_blob_sha(d), len(d)) for p, d in files.items()]
    reads: list[str] = []

    def read_blob(sha: str) -> bytes:
        reads.append(sha)
        return by_sha[sha]

    blobs = Blobs()
    snap = RemoteSnapshot(
        Head("c" * 40, "t" * 40),
        items,
        read_blob=read_blob,
        read_tarball=lambda: iter(()),
        blobs=blobs,
    )
    assert [e.path for e in snap.entries()] == [".gitattributes", "src/app.py"]
    assert reads == [git_blob_sha(files[".gitattributes"])]
    # Kept by SHA: the next snapshot of the same tree costs no request for it.
    RemoteSnapshot(
        Head("c" * 40, "t" * 40),
        items,
        read_blob=read_blob,
        read_tarball=lambda: iter(()),
        blobs=blobs,
    )
    assert len(reads) == 1
