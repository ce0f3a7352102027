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
    elif case.doc_error:
        assert outcome.refresh.code == 2, outcome.refresh.stderr
        assert ".context/docs/data-flow.md" in outcome.refresh.stderr
    else:
        assert outcome.refresh.code == 0, outcome.refresh.stderr
        assert outcome.check.code == 0, outcome.check.stderr  # fresh: nothing was steered
    assert set(case.skips) <= set(outcome.skipped), outcome.skipped
    assert outcome.normal_files_read
    assert outcome.markers_intact
    assert outcome.outside_untouched


@pytest.mark.slow
def test_a_hostile_push_through_the_app_gets_its_pull_request_naming_what_was_not_read(
    tmp_path: Path,
) -> None:
    """End to end: the sandbox as GitHub, gunicorn and a worker process; one push carries
    several hostile files at once. The refresh still opens its PR in bounded time, the doc
    names the shop's files and the files it did not read, and keeps its own markers."""
    from bot.core.marker_scan import scan_markers
    from tests.reliability.hostile_repos import BY_NAME
    from tests.reliability.stack import BOT_BRANCH, DOC, stack

    hostile: dict[str, str | None] = {}
    for name in ("compose-merge-keys", "deep-package-json", "go-comment-unclosed"):
        hostile.update({p: d.decode() for p, d in BY_NAME[name].files().items()})
    hostile["a`<!-- agent-update:end -->`b/mod.py"] = "from shop import orders\n"
    with stack(tmp_path) as st:
        st.start_web()
        st.start_worker()
        st.commit("mallory", "main", hostile)
        st.wait(lambda: bool(st.pulls()), 90, "the refresh's pull request")
        doc = st.show(BOT_BRANCH, DOC)
    assert "`shop/web.py" in doc
    assert "**Not read**: 2 files" in doc
    assert "`docker-compose.yml`" in doc
    assert "`package.json`" in doc
    assert [(m.kind, m.name) for m in scan_markers(doc)] == [("start", "data-flow"), ("end", "")]
