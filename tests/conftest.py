"""Shared fixtures. `shared_corpus` points at ../shared/corpus when that folder exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.observers import Answer, Delivery, watch
from tests.helpers import github_shapes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def shared_corpus() -> Path:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"{corpus} not present (the real-input corpus lives beside the repo)")
    return corpus


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sandbox-shapes-report",
        metavar="PATH",
        help="write how the sandbox's answers compare with GitHub's descriptions to PATH"
        " (Markdown) instead of failing the tests that saw a difference",
    )


_SEEN: list[Answer | Delivery] = []
_PROBLEMS: list[str] = []


@pytest.fixture(autouse=True)
def sandbox_answers_as_github(
    request: pytest.FixtureRequest,
) -> Iterator[list[Answer | Delivery]]:
    """Every answer and webhook any sandbox gives during a test is checked against GitHub's
    own descriptions (tests/data/github_schemas.json) when the test ends; a difference
    fails the test, naming the request and the key."""
    seen: list[Answer | Delivery] = []
    with watch(seen.append):
        yield seen
    problems = github_shapes.problems(seen)
    if request.config.getoption("--sandbox-shapes-report"):
        _SEEN.extend(seen)
        _PROBLEMS.extend(problems)
    elif problems:
        pytest.fail(
            "the sandbox answered unlike GitHub:\n" + "\n".join(problems[:40]), pytrace=False
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = session.config.getoption("--sandbox-shapes-report")
    if path:
        top, nested = github_shapes.tally(_SEEN)
        counts: dict[str, int] = {}
        for problem in _PROBLEMS:
            key = re.sub(r"[0-9a-f]{40}|\b\d+\b", "N", problem)
            counts[key] = counts.get(key, 0) + 1
        listed = "\n".join(f"- {n} × {p}" for p, n in sorted(counts.items()))
        Path(path).write_text(
            f"# The sandbox against GitHub's descriptions\n\n"
            f"{len(_SEEN)} answers and deliveries, {len(_PROBLEMS)} differences.\n\n"
            f"{github_shapes.render_tally(top, nested)}\n## Differences\n\n{listed}\n",
            encoding="utf-8",
        )
