from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import sections
from bot.core.errors import MarkerError
from bot.core.guard import find_violations
from bot.core.markers import parse_document
from bot.core.sections import (
    GENERATED,
    HAND_EDITED,
    OWNED_SECTIONS,
    UNMARKED,
    checksum,
    heading_slug,
    inspect_sections,
    replace_sections,
)

TEMPLATE = """<!-- agent-update:start:data-flow -->
# Data Flow & Integrations

Explain how data enters, moves through, and exits the system.

## High-level Flow
- Summarize the primary pipeline.

## Internal Movement
- Describe how modules collaborate.

## Team Notes
Written by a person; not ours.

## External Integrations
- <!-- agent-fill:integration -->**Integration** — Purpose.<!-- /agent-fill -->

## Observability & Failure Modes
- Metrics, traces, or logs.

<!-- agent-readonly:guidance -->
## AI Update Checklist
1. Validate flows.

<!-- agent-readonly:sources -->
## Acceptable Sources
- ADRs.

<!-- agent-update:end -->
"""

BODIES = {
    "high-level-flow": "```mermaid\ngraph LR\n  web --> bot\n```\n",
    "internal-movement": "- `bot` → `core` (12 imports, `bot/app/web.py:3`)",
    "external-integrations": "- **Stripe** — payments (`requirements.txt:4`)\n",
    "observability-failure-modes": "None detected.",
}


def test_owned_sections_are_the_four_canonical_slugs() -> None:
    assert [s.slug for s in OWNED_SECTIONS] == [
        "high-level-flow",
        "internal-movement",
        "external-integrations",
        "observability-failure-modes",
    ]
    assert dict(OWNED_SECTIONS)["observability-failure-modes"] == "Observability & Failure Modes"


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("High-level Flow", "high-level-flow"),
        ("HIGH LEVEL FLOW", "high-level-flow"),
        ("Observability and Failure Modes", "observability-failure-modes"),
        ("Observability & Failure-Modes", "observability-failure-modes"),
        ("**External Integrations**", "external-integrations"),
    ],
)
def test_heading_slug_tolerates_case_punctuation_and_and(heading: str, slug: str) -> None:
    assert heading_slug(heading) == slug


def test_replaces_owned_content_keeps_intro_unknown_sections_and_regions() -> None:
    update = replace_sections(TEMPLATE, BODIES, path="doc.md")
    assert update.changed == tuple(BODIES)
    assert (update.hand_edited, update.added) == ((), ())
    text = update.text
    assert "Explain how data enters" in text
    assert "## Team Notes\nWritten by a person; not ours.\n\n## External" in text
    assert "- Summarize the primary pipeline." not in text
    assert "agent-fill" not in text
    marker = f"<!-- docs-refresh:checksum {checksum(BODIES['internal-movement'])} -->"
    assert f"## Internal Movement\n\n{marker}\n\n- `bot` → `core`" in text
    assert find_violations(TEMPLATE, text) == []


def test_second_call_with_same_sections_changes_nothing() -> None:
    once = replace_sections(TEMPLATE, BODIES)
    twice = replace_sections(once.text, BODIES)
    assert twice.text == once.text
    assert (twice.changed, twice.hand_edited, twice.added) == ((), (), ())
    assert [s.state for s in inspect_sections(once.text)] == [GENERATED] * 4


def test_new_generated_content_replaces_unedited_generated_content() -> None:
    once = replace_sections(TEMPLATE, BODIES).text
    update = replace_sections(once, {**BODIES, "observability-failure-modes": "- Sentry"})
    assert update.changed == ("observability-failure-modes",)
    assert "- Sentry" in update.text
    assert "None detected." not in update.text


def test_hand_edited_section_is_kept_and_reported_unless_forced() -> None:
    once = replace_sections(TEMPLATE, BODIES).text
    edited = once.replace("- **Stripe** — payments", "- **Stripe** — payments, and PayPal too")
    assert [s.state for s in inspect_sections(edited)][2] == HAND_EDITED
    kept = replace_sections(edited, {**BODIES, "external-integrations": "- nothing"})
    assert kept.hand_edited == ("external-integrations",)
    assert kept.changed == ()
    assert kept.text == edited
    forced = replace_sections(edited, {**BODIES, "external-integrations": "- nothing"}, force=True)
    assert forced.hand_edited == ("external-integrations",)
    assert forced.changed == ("external-integrations",)
    assert "PayPal" not in forced.text
    assert "- nothing" in forced.text


def test_crlf_checkout_and_trimmed_spaces_do_not_look_hand_edited() -> None:
    once = replace_sections(TEMPLATE, BODIES).text
    crlf = once.replace("\n", "\r\n")
    assert [s.state for s in inspect_sections(crlf)] == [GENERATED] * 4
    update = replace_sections(crlf, BODIES)
    assert update.text == crlf
    assert update.hand_edited == ()


def test_crlf_document_gets_crlf_generated_content() -> None:
    crlf = TEMPLATE.replace("\n", "\r\n")
    update = replace_sections(crlf, BODIES)
    assert update.text == replace_sections(TEMPLATE, BODIES).text.replace("\n", "\r\n")
    assert "\n" not in update.text.replace("\r\n", "")


def test_template_content_without_checksum_is_unmarked() -> None:
    assert [s.state for s in inspect_sections(TEMPLATE)] == [UNMARKED] * 4
    assert [s.line for s in inspect_sections(TEMPLATE)] == [6, 9, 15, 18]


def test_headings_are_found_at_any_level_and_case() -> None:
    text = TEMPLATE.replace("## Internal Movement", "### internal movement")
    update = replace_sections(text, BODIES)
    assert "### internal movement\n\n<!-- docs-refresh:checksum" in update.text
    assert update.added == ()


def test_heading_inside_a_code_fence_is_not_a_section() -> None:
    text = TEMPLATE.replace(
        "Explain how data enters", "```\n## High-level Flow\n```\n\nExplain how data enters"
    )
    update = replace_sections(text, BODIES)
    assert "```\n## High-level Flow\n```" in update.text
    assert update.text.count("<!-- docs-refresh:checksum") == 4


def test_missing_section_is_added_in_canonical_order() -> None:
    text = TEMPLATE.replace("## Internal Movement\n- Describe how modules collaborate.\n\n", "")
    update = replace_sections(text, BODIES)
    assert update.added == ("internal-movement",)
    body = update.text
    assert body.index("## High-level Flow") < body.index("## Internal Movement")
    assert body.index("## Internal Movement") < body.index("## Team Notes")
    again = replace_sections(body, BODIES)
    assert (again.text, again.added, again.changed) == (body, (), ())


def test_all_sections_missing_are_appended_before_the_readonly_region() -> None:
    text = (
        "<!-- agent-update:start:data-flow -->\n# Data Flow\n\nIntro.\n\n\n"
        "<!-- agent-readonly:guidance -->\nkeep\n<!-- agent-update:end -->\n"
    )
    update = replace_sections(text, BODIES)
    assert update.added == tuple(BODIES)
    assert update.text.startswith(
        "<!-- agent-update:start:data-flow -->\n# Data Flow\n\nIntro.\n\n## High-level Flow\n"
    )
    assert update.text.endswith(
        "None detected.\n\n<!-- agent-readonly:guidance -->\nkeep\n<!-- agent-update:end -->\n"
    )
    assert replace_sections(update.text, BODIES).text == update.text


def test_empty_block_gets_all_sections() -> None:
    text = "<!-- agent-update:start:data-flow --><!-- agent-update:end -->"
    update = replace_sections(text, BODIES)
    assert update.added == tuple(BODIES)
    assert update.text.startswith("<!-- agent-update:start:data-flow -->\n## High-level Flow\n")
    assert parse_document(update.text).blocks[0].id == "data-flow"
    assert replace_sections(update.text, BODIES).text == update.text


def test_only_named_sections_are_touched() -> None:
    update = replace_sections(TEMPLATE, {"internal-movement": "- x"})
    assert update.changed == ("internal-movement",)
    assert "- Summarize the primary pipeline." in update.text


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError, match="unknown owned section"):
        replace_sections(TEMPLATE, {"deployment": "x"})
    with pytest.raises(ValueError, match="level-2 heading"):
        replace_sections(TEMPLATE, {"internal-movement": "text\n\n## Sneaky\n"})
    with pytest.raises(ValueError, match="level-3 heading"):
        replace_sections(TEMPLATE, {"high-level-flow": "### Internal Movement\n"})
    with pytest.raises(MarkerError) as info:
        replace_sections("<!-- agent-update:start:data-flow -->\n", BODIES, path="d.md")
    assert (info.value.path, info.value.line) == ("d.md", 1)
    with pytest.raises(MarkerError, match="no agent-update block 'other'"):
        replace_sections(TEMPLATE, BODIES, block_id="other")
    with pytest.raises(MarkerError, match="no agent-update block"):
        replace_sections("# no markers\n", BODIES)
    two = TEMPLATE.replace("data-flow", "a") + TEMPLATE.replace("data-flow", "b")
    with pytest.raises(MarkerError, match="and 2 other blocks; name one"):
        replace_sections(two, BODIES)


def test_other_block_can_be_named(shared_corpus: Path) -> None:
    text = (shared_corpus / "docs" / "ffbdm__OpenRouterRAG1__.context__docs__tooling.md").read_text(
        "utf-8"
    )
    update = replace_sections(text, BODIES, block_id="tooling")
    assert update.added == tuple(BODIES)
    assert find_violations(text, update.text) == []


def test_corpus_data_flow_docs_refresh_with_regions_intact(shared_corpus: Path) -> None:
    for name in (
        "aiob3__mapa__.context__docs__data-flow.md",
        "r2suporte__InterAlpha--App__docs__data-flow.md",
        "vinilana__ai-coders-context__.context__docs__data-flow.md",
    ):
        text = (shared_corpus / "docs" / name).read_text("utf-8")
        update = replace_sections(text, BODIES)
        assert update.changed == tuple(BODIES), name
        assert find_violations(text, update.text) == []
        assert replace_sections(update.text, BODIES).text == update.text


lines = st.sampled_from(
    ["text", "- item", "### Sub", "```", "`x`", "", "   ", "é", "| a |", "1. one", "> q"]
)
bodies = st.lists(lines, max_size=8).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({}, optional={s.slug: bodies for s in OWNED_SECTIONS}))
def test_any_generated_bodies_are_idempotent_and_guarded(sections: dict[str, str]) -> None:
    if any(b.split("\n").count("```") % 2 for b in sections.values()):
        return  # an unclosed fence would swallow the markers; the guard refuses (tested there)
    update = replace_sections(TEMPLATE, sections)
    assert find_violations(TEMPLATE, update.text) == []
    again = replace_sections(update.text, sections)
    assert again.text == update.text
    assert (again.changed, again.added, again.hand_edited) == ((), (), ())


head_lines = st.sampled_from(
    [
        "# Data Flow", "## High-level Flow", "### internal movement", "## External Integrations",
        "## Observability and Failure Modes", "## Team Notes", "text", "", "- item", "```",
        "<!-- docs-refresh:checksum 0123456789ab -->", "<!-- agent-readonly:guidance -->",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(head_lines, max_size=14), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_any_block_layout_is_refreshed_idempotently(
    lines: list[str], nl: str, inline_end: bool
) -> None:
    text = "<!-- agent-update:start:data-flow -->" + nl + nl.join(lines)
    text += "<!-- agent-update:end -->" if inline_end else nl + "<!-- agent-update:end -->" + nl
    try:
        parse_document(text)
    except MarkerError:
        return  # an unclosed fence swallowed the end marker: not a document to refresh
    update = replace_sections(text, BODIES)
    assert find_violations(text, update.text) == []
    assert {s.slug for s in inspect_sections(update.text)} == set(BODIES)
    again = replace_sections(update.text, BODIES)
    assert (again.text, again.changed, again.added) == (update.text, (), ())


def test_the_heading_precheck_never_hides_a_heading_markdown_it_finds() -> None:
    # `_reject_headings` parses only bodies the pre-check flags: every heading the parser
    # would find must be flagged, however it is nested (quotes, lists, tables around it).
    pieces = [
        "text", "Title", "- item", "* item", "+ item", "1. item", "2) item", "> quote",
        "> > deep", "  indented", "    code", "===", "---", "-", "=", "  ===", "> ---",
        "- ---", "1. ===", "| a | b |", "|---|---|", "```", "~~~", "# h1", "## h2",
        "> ## quoted", "- ### listed", "   #### spaced", "#nospace", "", "<h2>x</h2>",
        "* * *", "a\\", "[x]: /y",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(3000):
        body = "\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        if any(t.type == "heading_open" for t in sections._MD.parse(body)):
            assert sections._MAYBE_HEADING.search(body), body
