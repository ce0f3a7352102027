"""The job budget in the core: checked after each file and between stages, on the caller's
clock (here one that moves a second per file read), naming the file being read when the
time ran out and the files not read; what was read before is cached."""

from __future__ import annotations

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.extract import extract_all
from bot.core.config import RepoConfig
from bot.core.facts_cache import MemoryFactsCache
from bot.core.job_budget import JobBudget, JobDeadline
from bot.core.refresh import refresh
from bot.core.snapshot import MemorySnapshot

FILES = {f"app/m{i}.py": f"import os\nX{i} = os.environ['K{i}']\n".encode() for i in range(8)}


class Ticking(MemorySnapshot):
    """Each file read takes one second on `now`."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__(files)
        self.now = 0.0
        self.reads: list[str] = []

    def read(self, path: str) -> bytes:
        self.now += 1.0
        self.reads.append(path)
        return super().read(path)

    def budget(self, seconds: float) -> JobBudget:
        return JobBudget(seconds, self.now, lambda: self.now)


def test_extraction_stops_after_the_file_that_spent_the_budget() -> None:
    snapshot = Ticking(FILES)
    cache = MemoryFactsCache()
    with pytest.raises(JobDeadline) as caught:
        extract_all(snapshot, cache, budget=snapshot.budget(3.0))
    err = caught.value
    assert err.stage == "reading files"
    assert err.path == snapshot.reads[-1]  # the third file: its read took the last second
    assert len(snapshot.reads) == 3
    assert sorted(err.not_read) == sorted(set(FILES) - set(snapshot.reads))
    assert err.path in str(err)
    # What was read is kept: the next run reads only the rest.
    again = Ticking(FILES)
    facts = extract_all(again, cache)
    assert sorted(again.reads) == sorted(err.not_read)
    assert sorted(facts) == sorted(FILES)


def test_extraction_on_several_processes_stops_too() -> None:
    snapshot = Ticking(FILES)
    with pytest.raises(JobDeadline) as caught:
        extract_all(
            snapshot, MemoryFactsCache(), workers=2, parallel_min=1, budget=snapshot.budget(2.0)
        )
    assert caught.value.path in FILES
    assert len(caught.value.not_read) < len(FILES)


def test_files_skipped_on_their_own_are_listed() -> None:
    files = dict(FILES)
    files["package.json"] = b'{"dependencies": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    snapshot = Ticking(files)
    with pytest.raises(JobDeadline) as caught:
        extract_all(snapshot, MemoryFactsCache(), budget=snapshot.budget(float(len(files))))
    assert ("package.json", "nested deeper than 200 levels") in caught.value.skipped


def test_a_budget_spent_before_the_analysis_reads_nothing() -> None:
    snapshot = Ticking(FILES)
    budget = JobBudget(5.0, 0.0, lambda: 5.0)
    with pytest.raises(JobDeadline) as caught:
        analyze(snapshot, MemoryFactsCache(), None, budget=budget)
    assert caught.value.stage == "getting the repository"
    assert caught.value.path is None
    assert snapshot.reads == []


def test_refresh_stops_between_stages_and_within_budget_changes_nothing() -> None:
    snapshot = Ticking(FILES)
    spent_after_reads = JobBudget(8.0, 0.0, lambda: snapshot.now)
    with pytest.raises(JobDeadline) as caught:
        refresh(
            snapshot, RepoConfig(), cache=MemoryFactsCache(), catalog=None, budget=spent_after_reads
        )
    assert caught.value.path == snapshot.reads[-1]  # the eighth file ended the budget
    roomy = Ticking(FILES)
    timed = refresh(
        roomy, RepoConfig(), cache=MemoryFactsCache(), catalog=None, budget=roomy.budget(100.0)
    )
    plain = refresh(Ticking(FILES), RepoConfig(), cache=MemoryFactsCache(), catalog=None)
    assert timed.facts == plain.facts
