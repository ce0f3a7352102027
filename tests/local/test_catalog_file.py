"""The packaged catalog and its pickle in the user's cache folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.local import catalog_file
from bot.local.catalog_file import CACHE_ENV, CATALOG_PATH, cache_dir

build = catalog_file.default_catalog.__wrapped__  # the function under the per-process memo


def names(catalog: object) -> list[str]:
    return sorted(e.name for e in catalog.by_python_import("redis"))  # type: ignore[attr-defined]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_built_catalog_is_kept_and_loaded_the_same(folder: Path) -> None:
    first = build()
    [stored] = folder.glob("catalog-*.pickle")
    again = build()
    assert again is not first  # it came from the file
    assert names(again) == names(first) == ["Redis"]
    assert [p.name for p in folder.iterdir()] == [stored.name]  # no temporary left behind


def test_a_corrupt_file_is_built_again_and_replaced(folder: Path) -> None:
    build()
    [stored] = folder.glob("catalog-*.pickle")
    stored.write_bytes(b"\x80\x05not a pickle")
    assert names(build()) == ["Redis"]
    assert stored.read_bytes()[:1] == b"\x80"
    assert build() is not None


def test_an_unwritable_folder_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert names(build()) == ["Redis"]


def test_another_catalog_text_is_another_file(folder: Path) -> None:
    text = CATALOG_PATH.read_text(encoding="utf-8")
    assert catalog_file._cache_file(text) != catalog_file._cache_file(text + "\n")


def test_cache_folder_follows_xdg_then_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/x")
    assert cache_dir() == Path("/x/docs-refresh")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/h")
    assert cache_dir() == Path("/h/.cache/docs-refresh")
