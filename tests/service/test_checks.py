"""`docs-refresh` check-run outputs: conclusions, summaries and annotation batches."""

from __future__ import annotations

from typing import NamedTuple

from bot.service.checks import (
    SUMMARY_LIMIT,
    fresh_output,
    malformed_output,
    stale_output,
)
from bot.service.diffs import DocDiff, size
from bot.service.ports.conversation import ANNOTATIONS_PER_REQUEST


class Problem(NamedTuple):
    path: str
    line: int | None
    message: str


DOC = DocDiff("docs/data-flow.md", "a\n", "b\n", ("High-level Flow",))


def test_fresh_docs_succeed() -> None:
    output = fresh_output()
    assert output.conclusion == "success"
    assert output.batches() == [{"title": output.title, "summary": output.summary}]
    assert "no tracked path" in fresh_output(tracked_changed=False).summary


def test_stale_docs_are_neutral_with_a_summary_by_default() -> None:
    output = stale_output([DOC], "- Integration added: **Redis**")
    assert output.conclusion == "neutral"
    assert "`docs/data-flow.md`: High-level Flow" in output.summary
    assert "Integration added: **Redis**" in output.summary
    assert "/refresh-docs" in output.summary
    assert output.annotations == ()


def test_stale_docs_can_be_configured_to_fail() -> None:
    assert stale_output([DOC], "", "failure").conclusion == "failure"


def test_malformed_docs_fail_with_an_annotation_per_problem() -> None:
    output = malformed_output(
        [
            Problem("docs/b.md", 7, "start marker without an end"),
            Problem("docs/a.md", None, "unknown marker kind"),
        ]
    )
    assert output.conclusion == "failure"
    [batch] = output.batches()
    assert batch["annotations"] == [
        {
            "path": "docs/a.md",
            "start_line": 1,
            "end_line": 1,
            "annotation_level": "failure",
            "message": "unknown marker kind",
            "title": "docs-refresh",
        },
        {
            "path": "docs/b.md",
            "start_line": 7,
            "end_line": 7,
            "annotation_level": "failure",
            "message": "start marker without an end",
            "title": "docs-refresh",
        },
    ]
    assert "`docs/b.md:7`: start marker without an end" in output.summary


def test_annotations_are_sent_fifty_per_request() -> None:
    problems = [Problem("docs/a.md", i, f"problem {i}") for i in range(1, 121)]
    batches = malformed_output(problems).batches()
    assert [len(b["annotations"]) for b in batches] == [50, 50, 20]
    assert all(len(b["annotations"]) <= ANNOTATIONS_PER_REQUEST for b in batches)
    assert all(b["title"] and b["summary"] for b in batches)
    lines = [a["start_line"] for b in batches for a in b["annotations"]]
    assert lines == list(range(1, 121))


def test_summary_is_cut_to_githubs_limit() -> None:
    problems = [Problem(f"docs/{i}.md", i, "x" * 200) for i in range(1, 800)]
    output = malformed_output(problems)
    assert size(output.summary) <= SUMMARY_LIMIT
    assert output.summary.endswith("see the annotations.")
