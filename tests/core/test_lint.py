from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.lint import ERROR, WARNING, Problem, lint_text
from bot.core.markers import split_lines
from bot.core.sections import replace_sections

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lint" / "data-flow.md"


def test_example_document_is_clean() -> None:
    assert lint_text(EXAMPLE.read_text("utf-8"), "data-flow.md") == []


def test_hand_edited_subsection_is_reported_at_its_heading() -> None:
    text = EXAMPLE.read_text("utf-8").replace("datastore, used", "datastore, and MySQL too")
    (problem,) = lint_text(text, "d.md")
    assert (problem.line, problem.severity) == (32, WARNING)
    assert problem.message.startswith("'External Integrations' was edited by hand")
    assert str(problem).startswith("d.md:32: 'External Integrations'")


def test_malformed_markers_are_errors_with_lines() -> None:
    text = "# T\n\n<!-- agent-readonly:x -->\n<!-- agent-update:start:a -->\n"
    assert lint_text(text, "m.md") == [
        Problem("m.md", 3, "agent-readonly:x outside any agent-update block", ERROR),
        Problem("m.md", 4, "agent-update:start:a has no agent-update:end", ERROR),
    ]


def test_lines_point_into_the_original_after_repairs() -> None:
    # The fence and chatter come off first; the unknown marker is reported where it is.
    text = (
        "Here is the doc:\n\n```markdown\n<!-- agent-update:start:data-flow -->\n"
        "<!-- agent-bogus -->\nbody\n<!-- agent-update:end -->\n```\n"
    )
    assert [(p.line, p.severity, p.message.split(" ")[0]) for p in lint_text(text, "f.md")] == [
        (1, WARNING, "model"),
        (3, WARNING, "agent-update"),
        (5, ERROR, "unknown"),
    ]


def test_hand_edit_line_is_mapped_through_removed_front_matter() -> None:
    sections = {"internal-movement": "- a", "external-integrations": "- b"}
    text = replace_sections(
        "<!-- agent-update:start:data-flow -->\n---\nowner: model\n---\n\n"
        "Intro <!-- agent-fill:x -->t<!-- /agent-fill -->\n"
        "\n## Internal Movement\n\n## External Integrations\n<!-- agent-update:end -->\n",
        sections,
    ).text.replace("- b", "- b, edited")
    problems = lint_text(text, "x.md")
    assert [(p.line, p.message.split(" ")[0]) for p in problems] == [
        (2, "YAML"),
        (6, "agent-fill:x"),
        (14, "'External"),
    ]
    assert text.split("\n")[13] == "## External Integrations"


def test_documents_without_markers_are_clean() -> None:
    assert lint_text("# Just prose\n\n`<!-- agent-update:end -->`\n", "p.md") == []


FRAGMENTS = [
    "<!-- agent-update:start:data-flow -->", "<!-- agent-update:end -->",
    "<!-- agent-readonly:guidance -->", "<!-- agent-fill:x -->", "<!-- /agent-fill -->",
    "<!-- agent-nope -->", "```markdown", "```", "---", "a: 1", "</file>", "Sure, here it is.",
    "## High-level Flow", "## External Integrations", "<!-- docs-refresh:checksum 0123456789ab -->",
    "\n", "\n", "\r\n", "text", "\ufeff", "`",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_lint_never_raises_and_points_at_existing_lines(text: str) -> None:
    last = len(split_lines(text)) or 1
    for problem in lint_text(text, "r.md"):
        assert 1 <= problem.line <= last
        assert problem.severity in (ERROR, WARNING)
