"""The tarball reader gives what `tarfile` gives, and reads `git archive`'s own output itself."""

from __future__ import annotations

import gzip
import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from bot.core.snapshot import git_blob_sha
from bot.github import tarball
from bot.github.snapshot import RemoteSnapshot, TreeItem
from bot.service.ports import Head

LONG = "deeply/" * 20 + "nested/module_with_a_rather_long_name.py"  # past ustar's 100 + 155
FILES = {
    "README.md": b"# shop\n",
    "src/app.py": b"import os\n",
    "src/empty.py": b"",
    "src/caf\u00e9/men\u00fc.py": b"PRICE = 1\n",  # a pax header in PAX format
    "a" * 90 + "/" + "b" * 60 + ".py": b"X = 1\n",  # ustar's prefix field
    LONG: b"Y = 2\n",
    "assets/blob.bin": bytes(range(256)) * 4000,  # ~1 MB, not a multiple of 512
}


def reference(data: bytes) -> list[tuple[str, bytes]]:
    """What the snapshot read before this reader: tarfile over the gzip stream."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        for member in archive:
            handle = archive.extractfile(member) if member.isfile() else None
            path = member.name.partition("/")[2]
            if handle is not None and path:
                out.append((path, handle.read()))
    return out


def build(fmt: int, *, gz: bool = True, extras: bool = True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gz else "w", format=fmt) as archive:
        folder = tarfile.TarInfo("octo-shop-abc123/src")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for path, data in FILES.items():
            if fmt == tarfile.USTAR_FORMAT and (path == LONG or not path.isascii()):
                continue  # ustar cannot hold these
            info = tarfile.TarInfo(f"octo-shop-abc123/{path}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if extras:
            link = tarfile.TarInfo("octo-shop-abc123/src/link.py")
            link.type, link.linkname = tarfile.SYMTYPE, "app.py"
            archive.addfile(link)
            hard = tarfile.TarInfo("octo-shop-abc123/src/hard.py")
            hard.type, hard.linkname = tarfile.LNKTYPE, "octo-shop-abc123/src/app.py"
            archive.addfile(hard)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "fmt", [tarfile.USTAR_FORMAT, tarfile.PAX_FORMAT, tarfile.GNU_FORMAT], ids=str
)
@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_same_files_as_tarfile(fmt: int, gz: bool) -> None:
    data = build(fmt, gz=gz)
    assert tarball.regular_files(data) == reference(data)
    if fmt != tarfile.GNU_FORMAT:  # ustar and pax are read here, not handed to tarfile
        assert len(list(tarball._read(tarball.unpack(data)))) == len(reference(data))


def test_git_archive_output_is_read_without_tarfile(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for path, data in FILES.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "files"], check=True)
    data = subprocess.run(
        [*git, "archive", "--format=tar.gz", "--prefix=octo-shop-abc123/", "HEAD"],
        check=True,
        capture_output=True,
    ).stdout
    plain = tarball.unpack(data)
    assert sorted(tarball._read(plain)) == sorted(  # the fast path, no fallback
        (f"octo-shop-abc123/{p}", d) for p, d in FILES.items()
    )
    assert tarball.regular_files(data) == reference(data)


def test_a_bad_checksum_gives_what_tarfile_gives() -> None:
    plain = bytearray(build(tarfile.PAX_FORMAT, gz=False, extras=False))
    second = 512 + 512  # the folder's header, then the first file's
    plain[second + 148 : second + 156] = b"0000000\0"
    got: object
    try:
        got = tarball.regular_files(bytes(plain))
    except tarfile.TarError as err:
        got = type(err)
    try:
        want: object = reference(bytes(plain))
    except tarfile.TarError as err:
        want = type(err)
    assert got == want


def test_a_gnu_long_name_is_left_to_tarfile() -> None:
    data = build(tarfile.GNU_FORMAT, gz=False)
    with pytest.raises(tarball._Unsupported):
        list(tarball._read(data))
    assert (LONG, FILES[LONG]) in tarball.regular_files(data)


def test_an_archive_unpacking_past_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(bytes(4096))
    monkeypatch.setattr(tarball, "UNPACKED_MAX_BYTES", 1024)
    with pytest.raises(tarball.TooLarge):
        tarball.unpack(data)


def test_a_snapshot_reads_blobs_when_the_tarball_unpacks_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = {"a.py": b"import os\n", "b.py": b"import sys\n"}
    by_sha = {git_blob_sha(d): d for d in files.values()}
    reads: list[str] = []

    def read_blob(sha: str) -> bytes:
        reads.append(sha)
        return by_sha[sha]

    snap = RemoteSnapshot(
        Head("c" * 40, "t" * 40),
        [TreeItem(p, "100644", "blob", git_blob_sha(d), len(d)) for p, d in files.items()],
        read_blob=read_blob,
        read_tarball=lambda: iter([gzip.compress(bytes(1 << 20))]),
        blobs=None,
        blob_budget=0,
    )
    monkeypatch.setattr(tarball, "UNPACKED_MAX_BYTES", 1024)
    assert {p: snap.read(p) for p in files} == files
    assert snap.tarball_reads == 1
    assert sorted(reads) == sorted(by_sha)


def test_a_gzip_stream_of_several_members_is_read_whole() -> None:
    plain = build(tarfile.PAX_FORMAT, gz=False)
    data = gzip.compress(plain[:10240]) + gzip.compress(plain[10240:])
    assert tarball.unpack(data) == plain
    assert tarball.regular_files(data) == reference(data)


def test_a_gzip_stream_that_ends_early_is_a_read_error() -> None:
    data = build(tarfile.PAX_FORMAT)
    with pytest.raises(tarfile.ReadError):
        tarball.regular_files(data[: len(data) // 2])
    with pytest.raises((tarfile.ReadError, EOFError)):
        reference(data[: len(data) // 2])  # as tarfile had it
