"""Names and paths from the repository can never reshape the Markdown they are written in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.core.escape import code_span, one_line, text
from bot.core.marker_scan import scan_markers

_MD = MarkdownIt("commonmark").enable("table")
_HOSTILE = st.text(alphabet="`|<>!-#@[]()\n\r \\*_ab", max_size=40)


@given(_HOSTILE.filter(lambda s: s.strip()))
def test_a_code_span_shows_the_value_on_one_line_and_cannot_be_closed(value: str) -> None:
    tokens = _MD.parseInline("x " + code_span(value) + " y")[0].children or []
    codes = [t for t in tokens if t.type == "code_inline"]
    assert len(codes) == 1
    assert codes[0].content == one_line(value).replace("|", "\\|")


@given(_HOSTILE)
def test_text_holds_no_code_tag_comment_link_or_line_break(value: str) -> None:
    out = text(value)
    assert "`" not in out
    assert "<" not in out
    assert ">" not in out
    assert "\n" not in out
    assert "\r" not in out
    tokens = _MD.parseInline(out)[0].children or []
    assert {t.type for t in tokens} <= {"text", "softbreak", "text_special"}


def test_a_folder_named_like_an_end_marker_adds_no_marker() -> None:
    name = "a`<!-- agent-update:end -->`b/mod.py"
    doc = (
        "<!-- agent-update:start:data-flow -->\n"
        f"The module {code_span(name)} and {text(name)}.\n\n"
        f"| Module |\n|---|\n| {code_span(name)} |\n"
        "<!-- agent-update:end -->\n"
    )
    assert [m.kind for m in scan_markers(doc)] == ["start", "end"]


def test_line_breaks_and_mentions_are_neutralised() -> None:
    assert code_span("shop/x\n# Owned/mod.py") == "`shop/x\\n# Owned/mod.py`"
    assert "@\u2060octocat" in text("@octocat")
    assert text("https://evil.example") == "https:\\/\\/evil.example"
