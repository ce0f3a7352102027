"""Request budgets on a repository of about 2,000 files, read from the sandbox's log.

Cost follows the change, not the repository: a first refresh reads the tree and one
tarball (not 2,000 blobs), a one-file push reads that blob, and a push that touches no
tracked path stops after the config and one compare, with no write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.conftest import Shop, example_files, start_shop

FILES = 2000
ONE_FILE_BUDGET = 12
UNTRACKED_BUDGET = 2
COLD_BUDGET = 16


def big_repo() -> dict[str, str | bytes]:
    files = example_files()
    for i in range(FILES - len(files)):
        package = f"shop/gen/p{i // 100:02}"
        files[f"{package}/m{i:04}.py"] = f"from shop import config\n\nVALUE = {i}\n"
        if i % 100 == 0:
            files[f"{package}/__init__.py"] = ""
    return files


@pytest.fixture
def big_shop(tmp_path: Path) -> Iterator[Shop]:
    handle = start_shop(tmp_path, big_repo())
    yield handle
    handle.sb.stop()


def counts(shop: Shop) -> tuple[int, int]:
    log = shop.sb.request_log()
    return len(log), sum(1 for r in log if r["write"])


@pytest.mark.slow
def test_request_counts_on_two_thousand_files(big_shop: Shop) -> None:
    shop = big_shop
    push = shop.commit({"shop/mail.py": "import sendgrid\n"})
    shop.sb.clear_request_log()
    first = shop.refresh(None, push["before"])
    cold, cold_writes = counts(shop)
    assert first.action == "opened"
    tarballs = [r for r in shop.sb.request_log() if "/tarball/" in r["path"]]
    assert len(tarballs) == 1

    push = shop.commit({"shop/search.py": "import boto3\n"})
    shop.sb.clear_request_log()
    second = shop.refresh(None, push["before"])
    one_file, one_file_writes = counts(shop)
    assert second.action == "updated"

    push = shop.commit({"README.md": "# Shop\n\nMore words.\n"})
    shop.sb.clear_request_log()
    third = shop.refresh(None, push["before"])
    untouched, untouched_writes = counts(shop)
    assert third.action == "not-affected"

    print(  # the figures the report quotes (pytest -s)
        f"\nrequests on {FILES} files: first refresh {cold} ({cold_writes} writes), "
        f"one-file push {one_file} ({one_file_writes} writes), "
        f"untracked push {untouched} ({untouched_writes} writes)"
    )
    assert cold <= COLD_BUDGET
    assert one_file <= ONE_FILE_BUDGET
    assert (untouched, untouched_writes) <= (UNTRACKED_BUDGET, 0)
    assert untouched_writes == 0
