"""Sticky preview and reply bodies: content, the hidden marker, and the size limit."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.service import comments
from bot.service.commands import parse_command
from bot.service.comments import (
    COMMENT_LIMIT,
    PREVIEW_MARKER,
    CommentRef,
    find_sticky,
    fork_patch_body,
    preview_body,
    unaffected_body,
)
from bot.service.diffs import DocDiff, fence_for, fit_diffs, size, truncate_diff, unified_diff

APP = "docs-refresh[bot]"
OLD = "# Data flow\n\n## External Integrations\n\n- none detected\n"
NEW = "# Data flow\n\n## External Integrations\n\n- Stripe (payments) — `requirements.txt:3`\n"
DOC = DocDiff(".context/docs/data-flow.md", OLD, NEW, ("External Integrations",))
FACTS = "- Integration added: **Stripe** (payments)"


def test_preview_names_docs_sections_facts_diff_and_how_to_apply() -> None:
    body = preview_body("0123456789abcdef", [DOC], FACTS, same_repo=True)
    assert body.startswith(PREVIEW_MARKER)
    assert "`0123456`" in body
    assert "`.context/docs/data-flow.md`: External Integrations" in body
    assert FACTS in body
    assert "<details><summary>Doc diff" in body
    assert "+- Stripe (payments)" in body
    assert "-- none detected" in body
    assert "comment `/refresh-docs` on this pull request" in body


def test_fork_preview_says_a_patch_is_replied() -> None:
    body = preview_body("abc", [DOC], FACTS, same_repo=False)
    assert "apps cannot push to forks" in body


def test_preview_without_fact_changes_says_so() -> None:
    assert comments.NO_FACTS_CHANGE in preview_body("abc", [DOC], "  ", same_repo=True)


def test_hand_edited_sections_are_announced_with_force() -> None:
    doc = DOC._replace(hand_edited=("High-level Flow",))
    body = preview_body("abc", [doc], FACTS, same_repo=True)
    assert "High-level Flow was edited by hand" in body
    assert "/refresh-docs force" in body


def test_huge_diff_is_truncated_under_the_comment_limit() -> None:
    old = "".join(f"line {i}\n" for i in range(40_000))
    new = "".join(f"line {i} changed ✓\n" for i in range(40_000))
    small = DocDiff("docs/small.md", OLD, NEW, ("External Integrations",))
    body = preview_body("abc", [DocDiff("docs/big.md", old, new), small], FACTS, same_repo=True)
    assert size(body) <= COMMENT_LIMIT
    assert "more lines of this diff not shown" in body
    # The small doc's diff is shown whole although the big one takes the rest of the room.
    assert unified_diff(small.path, small.old, small.new) in body
    assert body.rstrip().endswith("</details>")


def test_diff_of_docs_with_code_fences_gets_a_longer_fence() -> None:
    old = "```mermaid\ngraph LR\n```\n"
    new = "```mermaid\ngraph LR\n  a --> b\n```\n"
    body = preview_body("abc", [DocDiff("d.md", old, new)], "", same_repo=True)
    assert "````diff\n" in body
    assert fence_for("no ticks") == "```"
    assert fence_for("a ````` b") == "``````"


def test_sticky_is_found_only_by_marker_and_the_apps_login() -> None:
    found = [
        CommentRef(1, "someone", f"{PREVIEW_MARKER} copied by a person"),
        CommentRef(2, APP, "another reply"),
        CommentRef(3, "Docs-Refresh[bot]", f"{PREVIEW_MARKER}\nold preview"),
    ]
    sticky = find_sticky(found, APP)
    assert sticky is not None
    assert sticky.id == 3
    assert find_sticky(found[:2], APP) is None


def test_unaffected_body_keeps_the_marker() -> None:
    body = unaffected_body("fedcba9876")
    assert body.startswith(PREVIEW_MARKER)
    assert "`fedcba9`" in body
    assert "unaffected" in body


def test_fork_patch_applies_with_git(tmp_path: Path) -> None:
    repo = tmp_path / "fork"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "a.md").write_text("one\ntwo\nthree")  # no final newline
    (repo / "docs" / "b.md").write_text(OLD)
    docs = [
        DocDiff("docs/a.md", "one\ntwo\nthree", "one\n2\nthree"),
        DocDiff("docs/b.md", OLD, NEW),
    ]
    body = fork_patch_body(docs)
    patch = body.split("```diff\n", 1)[1].rsplit("```\n", 1)[0]
    (repo / "docs.patch").write_text(patch)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "apply", "docs.patch"], cwd=repo, check=True)
    assert (repo / "docs" / "a.md").read_text() == "one\n2\nthree"
    assert (repo / "docs" / "b.md").read_text() == NEW


def test_fork_patch_too_large_points_to_the_cli() -> None:
    old = "".join(f"{i}\n" for i in range(3_000))
    body = fork_patch_body([DocDiff("d.md", old, old.replace("1", "x"))], limit=8_000)
    assert size(body) <= 8_000
    assert "docs-refresh refresh" in body


def test_replies_never_contain_a_runnable_command() -> None:
    bodies = [
        preview_body("abc", [DOC], FACTS, same_repo=True),
        unaffected_body("abc"),
        comments.help_body("now"),
        comments.refused_body("reader", "o/r"),
        comments.closed_body(),
        comments.fork_patch_body([DOC]),
        comments.already_fresh_body("abc"),
        comments.committed_body("abc", ["d.md"], ["d.md"]),
        comments.docs_pr_body("http://x/pull/1", "main"),
        comments.takeover_body("docs-refresh/main", "abc"),
        comments.failed_body("boom"),
    ]
    # Defence in depth: even if the self-check failed, the bot's text never triggers itself.
    assert all(parse_command(b) is None for b in bodies)


def test_refusal_says_who_can_run_it() -> None:
    body = comments.refused_body("reader", "octo/repo")
    assert "@reader" in body
    assert "write, maintain or admin" in body
    assert "octo/repo" in body


def test_unknown_subcommand_gets_the_help_text() -> None:
    body = comments.help_body("now")
    assert "`/refresh-docs now`" in body
    assert comments.HELP in body


def test_truncate_cuts_at_line_boundaries_and_counts_hidden_lines() -> None:
    diff = "".join(f"+{i}\n" for i in range(1000))
    cut = truncate_diff(diff, 300)
    assert size(cut) <= 300
    kept = cut.splitlines()[:-1]
    assert all(line.startswith("+") for line in kept)
    assert f"{1000 - len(kept):,} more lines" in cut
    assert truncate_diff(diff, 10**6) == diff


def test_fit_diffs_gives_small_diffs_whole_and_shares_the_rest() -> None:
    small, big1, big2 = "+a\n", "+b\n" * 5000, "+c\n" * 5000
    fitted = fit_diffs([big1, small, big2], 4000)
    assert fitted[1] == small
    assert sum(size(f) for f in fitted) <= 4000
    assert abs(size(fitted[0]) - size(fitted[2])) < 100


def test_equal_texts_have_no_diff() -> None:
    assert unified_diff("d.md", "x\n", "x\n") == ""


def test_an_unknown_word_is_echoed_without_backticks_and_short() -> None:
    body = comments.help_body("`@everyone`" + "x" * 100)
    assert "`@everyone" not in body
    assert "`/refresh-docs @everyone" in body
    assert "x" * 41 not in body


def test_repairs_outside_the_generated_sections_are_listed_as_inert_code() -> None:
    doc = DOC._replace(repairs=("line 1: removed the model's chatter `I'll update` <b>",))
    body = preview_body("abc", [doc], FACTS, same_repo=True)
    assert "also gets repaired outside its generated sections" in body
    assert "- `` line 1: removed the model's chatter `I'll update` <b> ``" in body
