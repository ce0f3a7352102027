from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.markers import parse_document, scan_markers
from bot.core.repair import repair

CELULA = "haniellevi__celula-connect__.context__docs__data-flow.md"
SEED = "000_c4b9b4dc4cb3c7a8.txt"


def seed_document(corpus: Path) -> str:
    """The seed as the model wrote it: drop the web page's 6 header lines and its `|` gutter
    (each source line break shows as two gutter lines, a blank line as four)."""
    lines = (corpus / "docs" / SEED).read_text("utf-8").split("\n")[6:]
    out: list[str] = []
    run = 0
    for line in lines:
        if line == "|":
            run += 1
            continue
        out.extend([""] * max(0, run // 2 - 1))
        run = 0
        out.append(line)
    return "\n".join(out) + "\n"


def raw_region(text: str, name: str) -> str:
    """A readonly region cut by plain text search, usable even where the markers are prose."""
    start = text.index(f"<!-- agent-readonly:{name} -->")
    following = re.compile(r"<!-- agent-(readonly:[a-z-]+|update:end) -->")
    found = following.search(text, start + 1)
    assert found
    return text[start : found.start()]


def corpus_text(corpus: Path, name: str) -> str:
    return (corpus / "docs" / name).read_bytes().decode("utf-8")


def test_celula_fenced_document_is_restored_to_a_top_level_block(shared_corpus: Path) -> None:
    original = corpus_text(shared_corpus, CELULA)
    fixed = repair(original, CELULA)
    assert [(n.line, n.message) for n in fixed.notes] == [
        (1, "agent-update block wrapped in a ```markdown code fence (closed at line 87)")
    ]
    doc = parse_document(fixed.text, CELULA)
    (block,) = doc.blocks
    assert block.id == "data-flow"
    assert [r.name for r in block.readonly] == ["guidance", "sources"]
    for region in block.readonly:
        assert region.text == raw_region(original, region.name)
    assert fixed.text.startswith("---\nai_update_goal:")  # the scaffold's front matter stays
    assert fixed.text.endswith("<!-- agent-update:end -->\n")
    assert "```mermaid\ngraph TD\n" in fixed.text
    assert fixed.text.count("```") == 2
    assert repair(fixed.text) == type(fixed)(fixed.text, ())


def test_seed_reply_loses_fence_and_chatter_and_keeps_regions(shared_corpus: Path) -> None:
    original = seed_document(shared_corpus)
    fixed = repair(original, "docs/data-flow.md")
    messages = [(n.line, n.message.split(":")[0]) for n in fixed.notes]
    assert messages == [
        (1, "model chatter before the block"),
        (3, "agent-update block wrapped in a ```markdown code fence (closed at line 81)"),
        (83, "model chatter after the block"),
    ]
    assert "I'll update" in fixed.notes[0].message
    assert "Key updates made" in fixed.notes[2].message
    assert fixed.text.startswith("<!-- agent-update:start:data-flow -->\n# Data Flow")
    assert fixed.text.endswith("<!-- agent-update:end -->\n")
    for chatter in ("I'll update", "Here's the refreshed", "Key updates made", "```markdown"):
        assert chatter not in fixed.text
    (block,) = parse_document(fixed.text).blocks
    for region in block.readonly:
        assert region.text == raw_region(original, region.name)
    assert [r.name for r in block.readonly] == ["guidance", "sources"]
    assert repair(fixed.text).notes == ()


@pytest.mark.parametrize("variant", ["crlf", "bom", "bom-crlf"])
def test_fenced_repair_keeps_bom_and_line_endings(shared_corpus: Path, variant: str) -> None:
    text = corpus_text(shared_corpus, CELULA)
    if "crlf" in variant:
        text = text.replace("\n", "\r\n")
    if "bom" in variant:
        text = "\ufeff" + text
    fixed = repair(text)
    assert [n.line for n in fixed.notes] == [1]
    assert fixed.text.startswith("\ufeff---" if "bom" in variant else "---")
    assert ("\r\n" in fixed.text) == ("crlf" in variant)
    assert len(parse_document(fixed.text).blocks) == 1


def test_leaked_file_tag_is_removed_with_its_blank_lead(shared_corpus: Path) -> None:
    name = "vinilana__ai-coders-context__.context__docs__data-flow.md"
    original = corpus_text(shared_corpus, name)
    fixed = repair(original)
    assert [(n.line, n.message) for n in fixed.notes] == [
        (73, "leaked </file> line outside the block")
    ]
    assert fixed.text == original.replace(
        "<!-- agent-update:end -->\n\n</file>\n", "<!-- agent-update:end -->\n"
    )
    assert fixed.text.startswith("---\nid: data-flow\n")


def test_fill_wrapper_is_unwrapped_keeping_its_text(shared_corpus: Path) -> None:
    original = corpus_text(shared_corpus, "aiob3__mapa__.context__docs__data-flow.md")
    fixed = repair(original)
    assert [(n.line, n.message) for n in fixed.notes] == [
        (13, "agent-fill:integration wrapper left around text in block 'data-flow'")
    ]
    assert "- **Integration** — Purpose, authentication" in fixed.text
    assert "agent-fill" not in fixed.text
    assert repair(fixed.text).notes == ()


@pytest.mark.parametrize(
    "name",
    ["ffbdm__OpenRouterRAG1__.context__docs__tooling.md", "README.md"],
)
def test_clean_documents_are_left_alone(shared_corpus: Path, name: str) -> None:
    text = corpus_text(shared_corpus, name)
    assert repair(text) == type(repair(text))(text, ())


def test_front_matter_invented_inside_the_block_is_removed() -> None:
    text = (
        "<!-- agent-update:start:data-flow -->\n\n---\nai_update_goal: x\nrequired_inputs:\n"
        "  - a\n---\n\n# Data Flow\n\n<!-- agent-readonly:guidance -->\nkeep\n"
        "<!-- agent-update:end -->\n"
    )
    fixed = repair(text)
    assert [(n.line, n.message) for n in fixed.notes] == [
        (3, "YAML front matter inside agent-update block 'data-flow' (lines 3-7)")
    ]
    assert fixed.text == (
        "<!-- agent-update:start:data-flow -->\n\n# Data Flow\n\n"
        "<!-- agent-readonly:guidance -->\nkeep\n<!-- agent-update:end -->\n"
    )
    assert repair(fixed.text).notes == ()


def test_horizontal_rule_then_prose_is_not_front_matter() -> None:
    text = "<!-- agent-update:start:x -->\n---\nJust prose: not a mapping? yes it is.\n"
    text += "\nmore prose\n<!-- agent-update:end -->\n"
    assert repair(text).notes == ()


def test_fill_inside_readonly_region_is_untouched() -> None:
    text = (
        "<!-- agent-update:start:x -->\nhead\n<!-- agent-readonly:guidance -->\n"
        "<!-- agent-fill:y -->keep me wrapped<!-- /agent-fill -->\n<!-- agent-update:end -->\n"
    )
    assert repair(text).notes == ()


def test_fenced_example_next_to_a_real_block_is_not_a_wrapper() -> None:
    text = (
        "Example:\n\n```markdown\n<!-- agent-update:start:demo -->\n"
        "<!-- agent-update:end -->\n```\n"
        "\n<!-- agent-update:start:data-flow -->\nbody\n<!-- agent-update:end -->\n"
    )
    assert repair(text).notes == ()


def test_unclosed_wrapper_loses_its_opening_fence() -> None:
    text = "Here's the refreshed content:\n\n```md\n<!-- agent-update:start:data-flow -->\nbody\n"
    text += "<!-- agent-update:end -->\n"
    fixed = repair(text)
    assert [n.message.split(":")[0] for n in fixed.notes] == [
        "model chatter before the block",
        "agent-update block wrapped in a ```md code fence that is never closed",
    ]
    assert fixed.text == "<!-- agent-update:start:data-flow -->\nbody\n<!-- agent-update:end -->\n"


def test_prose_after_the_fence_with_a_heading_is_kept() -> None:
    text = "```markdown\n<!-- agent-update:start:x -->\nbody\n<!-- agent-update:end -->\n```\n"
    text += "\n## See also\n\nmore\n"
    fixed = repair(text)
    assert (
        fixed.text
        == "<!-- agent-update:start:x -->\nbody\n<!-- agent-update:end -->\n\n## See also\n\nmore\n"
    )
    assert [m.kind for m in scan_markers(fixed.text)] == ["start", "end"]


FRAGMENTS = [
    "<!-- agent-update:start:data-flow -->", "<!-- agent-update:end -->",
    "<!-- agent-readonly:guidance -->", "<!-- agent-fill:x -->", "<!-- /agent-fill -->",
    "```markdown", "```", "---", "a: 1", "</file>", "<file>", "I'll update it.",
    "Key updates made:", "# H", "\n", "\n", "\n", "\r\n", "text", "\ufeff", "`",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_repair_is_idempotent_on_random_documents(text: str) -> None:
    once = repair(text)
    twice = repair(once.text)
    assert twice.notes == ()
    assert twice.text == once.text


def test_fenced_example_in_a_guide_without_a_real_block_is_not_a_wrapper() -> None:
    guide = (
        "# Writing docs\n\nA block looks like this:\n\n```markdown\n"
        "<!-- agent-update:start:data-flow -->\n<!-- agent-update:end -->\n```\n"
    )
    assert repair(guide).notes == ()
    wrapped_text = "```markdown\n<!-- agent-update:start:x -->\n```\n\nreal prose here\n"
    wrapped_text = wrapped_text.replace("```\n\n", "body\n```\n\n")  # no end marker at all
    assert [n.message for n in repair(wrapped_text).notes] == [
        "agent-update block wrapped in a ```markdown code fence that is never closed"
    ]


def test_fence_with_prose_between_it_and_the_start_marker_is_not_a_wrapper() -> None:
    text = "```markdown\nExample first\n<!-- agent-update:start:x -->\n"
    text += "<!-- agent-update:end -->\n```\n"
    assert repair(text).notes == ()
