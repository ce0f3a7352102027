from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.errors import GuardError, MarkerError
from bot.core.guard import MARKERS, OUTSIDE, ensure_unchanged_outside, find_violations
from bot.core.markers import parse_document, replace_body

DOC = """---
id: data-flow
---

<!-- agent-update:start:data-flow -->
# Data Flow

old text

<!-- agent-readonly:guidance -->
## AI Update Checklist
1. Validate flows.

<!-- agent-readonly:sources -->
## Acceptable Sources
- ADRs.

<!-- agent-update:end -->
trailing prose
"""


def test_replacing_the_head_is_not_a_violation() -> None:
    new = replace_body(DOC, "# Data Flow\n\nnew text, longer\nand two lines")
    assert new != DOC
    assert find_violations(DOC, new, "doc.md") == []
    ensure_unchanged_outside(DOC, new, "doc.md")


def test_edited_readonly_region_is_named_with_its_line() -> None:
    new = DOC.replace("1. Validate flows.", "1. Validate flows!")
    (violation,) = find_violations(DOC, new)
    assert (violation.region, violation.line) == ("guidance", 10)
    with pytest.raises(GuardError) as info:
        ensure_unchanged_outside(DOC, new, "docs/data-flow.md")
    assert "guidance" in str(info.value)
    assert str(info.value).startswith("docs/data-flow.md:10: refusing to write")


def test_whitespace_only_change_in_readonly_region_is_caught() -> None:
    new = DOC.replace("- ADRs.\n", "- ADRs. \n")
    assert [v.region for v in find_violations(DOC, new)] == ["sources"]


def test_text_outside_the_block_is_protected() -> None:
    assert [(v.region, v.line) for v in find_violations(DOC, DOC.replace("id: data", "id: x"))] == [
        (OUTSIDE, 2)
    ]
    after = find_violations(DOC, DOC.replace("trailing prose", "trailing  prose"))
    assert [(v.region, v.line) for v in after] == [(OUTSIDE, 19)]


def test_line_ending_change_outside_is_a_violation() -> None:
    assert find_violations(DOC, DOC.replace("trailing prose\n", "trailing prose\r\n"))


def test_removed_or_added_or_reordered_regions_are_violations() -> None:
    removed = DOC.replace("<!-- agent-readonly:sources -->\n## Acceptable Sources\n- ADRs.\n\n", "")
    assert [v.region for v in find_violations(DOC, removed)] == ["sources"]
    added = DOC.replace("old text", "old text\n\n<!-- agent-readonly:mine -->\nx")
    assert "mine" in {v.region for v in find_violations(DOC, added)}


def test_changed_marker_and_malformed_new_document_are_violations() -> None:
    spaced = DOC.replace("<!-- agent-update:end -->", "<!--  agent-update:end -->")
    assert [v.region for v in find_violations(DOC, spaced)] == [MARKERS]
    broken = DOC.replace("<!-- agent-update:end -->", "")
    (violation,) = find_violations(DOC, broken)
    assert violation.region == MARKERS
    assert "malformed" in violation.message
    renamed = DOC.replace("start:data-flow", "start:other")
    assert [v.region for v in find_violations(DOC, renamed)] == [MARKERS]


def test_malformed_old_document_raises_marker_error() -> None:
    with pytest.raises(MarkerError):
        find_violations("<!-- agent-update:end -->\n", "", "x.md")


def test_crlf_document_with_bom_is_guarded_exactly() -> None:
    crlf = "\ufeff" + DOC.replace("\n", "\r\n")
    new = replace_body(crlf, "fresh")
    assert "\r\nfresh\r\n" in new
    assert find_violations(crlf, new) == []
    assert find_violations(crlf, new.replace("\ufeff", "", 1))


# --- property: any head replacement keeps every protected byte ------------------------

bodies = st.lists(
    st.sampled_from(["text", "# heading", "- item", "```", "`code`", "", "  ", "é", "|a|"]),
    max_size=12,
).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(bodies, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_any_body_replacement_keeps_regions_and_outside_identical(
    body: str, nl: str, bom: bool
) -> None:
    text = ("\ufeff" if bom else "") + DOC.replace("\n", nl)
    new = replace_body(text, body)
    if body.split("\n").count("```") % 2:
        # An unclosed fence turns the markers after it into prose: the guard must refuse.
        assert [v.region for v in find_violations(text, new)] == [MARKERS]
        return
    assert find_violations(text, new) == []
    old_doc, new_doc = parse_document(text), parse_document(new)
    assert [r.text for r in old_doc.blocks[0].readonly] == [
        r.text for r in new_doc.blocks[0].readonly
    ]
    assert new[: new_doc.blocks[0].start] == text[: old_doc.blocks[0].start]
    assert new[new_doc.blocks[0].end :] == text[old_doc.blocks[0].end :]
    assert replace_body(new, body) == new
