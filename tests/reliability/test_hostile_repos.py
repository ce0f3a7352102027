"""Issue 15's hostile repositories, generated here: none hangs, crashes or steers the bot.

Each case is a small shop plus one hostile file, name or link (`hostile_repos.CASES`).
`docs-refresh facts --json`, `refresh` and `check` run on it as processes with a timeout:
each finishes in bounded time and memory without a traceback, the shop's own files still
appear in the doc, the doc keeps exactly its own markers, nothing outside the checkout is
written, and a case that breaks the repository's config gets a config error (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.hostile_repos import CASES, Case, run_case

TIMEOUT = 30.0  # wall seconds before a run counts as a hang (the machine is shared)
CPU_SECONDS = 5.0  # what one command may cost
PEAK_MB = 400.0


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_repository_is_analysed_in_bounded_time_without_steering(
    case: Case, tmp_path: Path
) -> None:
    outcome = run_case(case, tmp_path, TIMEOUT)
    for run in (outcome.facts, outcome.refresh, outcome.check):
        assert not run.hung, f"{run.command} hung:\n{run.stderr}"
        assert not run.traceback, f"{run.command} crashed:\n{run.stderr}"
        assert run.cpu < CPU_SECONDS, f"{run.command}: {run.cpu:.1f} s of CPU"
        assert run.peak_mb < PEAK_MB, f"{run.command}: {run.peak_mb:.0f} MB"
    assert outcome.facts.code == 0, outcome.facts.stderr
    if case.config_error:
        assert outcome.refresh.code == 2, outcome.refresh.stderr
        assert ".github/docs-refresh.yml" in outcome.refresh.stderr or "linked/" in (
            outcome.refresh.stderr
        )
    else:
        assert outcome.refresh.code == 0, outcome.refresh.stderr
        assert outcome.check.code == 0, outcome.check.stderr  # fresh: nothing was steered
    assert set(case.skips) <= set(outcome.skipped), outcome.skipped
    assert outcome.normal_files_read
    assert outcome.markers_intact
    assert outcome.outside_untouched
