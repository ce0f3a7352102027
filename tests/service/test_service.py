"""The refresh service against the sandbox: PyGithub over real HTTP, real git underneath."""

from __future__ import annotations

import itertools
from pathlib import Path

from bot.core.job_budget import JobBudget
from bot.service.publishing import FOREIGN_MARKER, State, branch_for
from bot.service.refresh import RefreshRequest, refresh_branch, repository_has_docs
from tests.helpers.sandbox import forbid_check_runs
from tests.service.conftest import DOC, Shop, start_shop

BOT_BRANCH = branch_for("main")
STRIPE_LIKE = {
    "requirements.txt": "flask==3.0.3\ngunicorn==22.0.0\npsycopg[binary]==3.2.1\nredis==5.0.7\n"
    "stripe==10.5.0\ntenacity==8.5.0\nsendgrid==6.11.0\n",
    "shop/mail.py": '"""Order emails."""\n\nimport sendgrid\n\n\ndef client():\n'
    "    return sendgrid.SendGridAPIClient()\n",
}


def add_integration(shop: Shop) -> tuple[str, tuple[str, ...]]:
    push = shop.commit(dict(STRIPE_LIKE))
    return push["before"], tuple(sorted(STRIPE_LIKE))


def test_push_opens_a_pr_with_the_refreshed_doc(shop: Shop) -> None:
    before, changed = add_integration(shop)
    outcome = shop.refresh(changed, before)
    assert outcome.action == "opened"
    (pr,) = shop.pulls()
    assert pr.pull.head_ref == BOT_BRANCH
    new = shop.file_at(BOT_BRANCH, DOC).decode()
    assert new != shop.file_at("main", DOC).decode()
    assert "SendGrid" in new
    assert "shop/payments.py" in new  # evidence, not the LLM's invented Kafka
    state = State.from_body(pr.body)
    assert state is not None
    assert state.base == outcome.head
    assert "SendGrid" in pr.body  # the facts summary


def test_second_push_updates_the_same_pr(shop: Shop) -> None:
    before, changed = add_integration(shop)
    first = shop.refresh(changed, before)
    push = shop.commit({"shop/search.py": "import boto3\n\n\ndef s3():\n    return boto3\n"})
    second = shop.refresh(("shop/search.py",), push["before"])
    assert (first.action, second.action) == ("opened", "updated")
    assert first.pr_number == second.pr_number
    assert len(shop.pulls()) == 1
    tip = shop.sb.store.repos["octo/shop"].git.commit_info(shop.pulls()[0].pull.head_sha)
    assert tip is not None
    assert tip.parents == (second.head,)  # rebuilt as one commit on the current base head


def test_push_touching_no_tracked_path_writes_nothing(shop: Shop) -> None:
    before, changed = add_integration(shop)
    shop.refresh(changed, before)
    push = shop.commit({"README.md": "# Shop\n\nNow with more words.\n"})
    shop.sb.clear_request_log()
    outcome = shop.refresh(("README.md",), push["before"])
    assert outcome.action == "not-affected"
    assert shop.writes() == []
    assert len(shop.sb.request_log()) <= 2


def test_unchanged_head_refreshed_again_writes_nothing(shop: Shop) -> None:
    before, changed = add_integration(shop)
    shop.refresh(changed, before)
    shop.sb.clear_request_log()
    assert shop.refresh().action == "unchanged"
    assert shop.writes() == []


def test_docs_made_fresh_on_base_close_the_pr(shop: Shop) -> None:
    before, changed = add_integration(shop)
    shop.refresh(changed, before)
    fresh = shop.file_at(BOT_BRANCH, DOC).decode()
    push = shop.commit({DOC: fresh})
    outcome = shop.refresh((DOC,), push["before"])
    assert outcome.action == "closed"
    (pr,) = shop.pulls()
    assert pr.state == "closed"
    assert shop.sb.store.repos["octo/shop"].git.ref_sha(f"refs/heads/{BOT_BRANCH}") is None


def test_person_commit_on_bot_branch_is_kept_with_one_comment(shop: Shop) -> None:
    before, changed = add_integration(shop)
    shop.refresh(changed, before)
    theirs = shop.commit({DOC: "# Mine now\n"}, branch=BOT_BRANCH)["sha"]
    for name in ("a", "b"):
        push = shop.commit({f"shop/{name}.py": "import requests\n"})
        assert shop.refresh((f"shop/{name}.py",), push["before"]).action == "blocked"
    git = shop.sb.store.repos["octo/shop"].git
    assert git.ref_sha(f"refs/heads/{BOT_BRANCH}") == theirs
    comments = [c for c in shop.sb.store.comments.values() if FOREIGN_MARKER in c.body]
    assert len(comments) == 1


def test_bad_marker_reports_a_check_run_with_file_and_line_and_no_pr(shop: Shop) -> None:
    text = shop.file_at("main", DOC).decode()
    broken = text.replace("<!-- agent-update:end -->", "")
    push = shop.commit({DOC: broken})
    outcome = shop.refresh((DOC,), push["before"])
    assert outcome.action == "user-error"
    assert shop.pulls() == []
    (run,) = shop.sb.store.check_runs.values()
    assert run.conclusion == "failure"
    assert run.head_sha == outcome.head
    (note,) = run.annotations
    assert note["path"] == DOC
    assert note["start_line"] > 1
    assert f"{DOC}:{note['start_line']}" in run.output["summary"]


def test_fresh_docs_on_base_open_no_pr(shop: Shop) -> None:
    before, changed = add_integration(shop)
    shop.refresh(changed, before)
    shop.sb.admin("POST", "/_sandbox/repos/octo/shop/pulls/1/close", {"merge": True, "user": "ada"})
    shop.sb.clear_request_log()
    outcome = shop.refresh()
    assert outcome.action == "fresh"
    assert len(shop.pulls()) == 1
    assert shop.writes() == []


def test_bad_marker_without_checks_permission_comments_on_the_bot_pr(shop: Shop) -> None:
    before, changed = add_integration(shop)
    opened = shop.refresh(changed, before)
    text = shop.file_at("main", DOC).decode()
    push = shop.commit({DOC: text.replace("<!-- agent-update:end -->", "")})
    forbid_check_runs(shop.sb)
    outcome = shop.refresh((DOC,), push["before"])
    assert outcome.action == "user-error"
    assert outcome.pr_number == opened.pr_number
    (comment,) = [c for c in shop.sb.store.comments.values() if DOC in c.body]
    assert f"{DOC}:" in comment.body
    assert shop.pulls()[0].state == "open"  # a failure never closes the PR


def test_repository_has_docs_finds_agent_update_blocks(shop: Shop, tmp_path: Path) -> None:
    assert repository_has_docs(shop.sb.installation_id, "octo/shop", shop.deps)
    bare = start_shop(tmp_path / "bare", {"app.py": "import os\n", "docs/notes.md": "# Notes\n"})
    try:
        assert not repository_has_docs(bare.sb.installation_id, "octo/shop", bare.deps)
    finally:
        bare.sb.stop()


def test_unknown_before_still_refreshes_without_a_facts_summary(shop: Shop) -> None:
    shop.commit(dict(STRIPE_LIKE))
    outcome = shop.refresh(None, "0123456789abcdef0123456789abcdef01234567")
    assert outcome.action == "opened"
    (pr,) = shop.pulls()
    assert "What changed in the facts" not in pr.body


def test_pr_closed_unmerged_is_not_reopened_for_the_same_docs(shop: Shop) -> None:
    before, changed = add_integration(shop)
    shop.refresh(changed, before)
    shop.sb.admin("POST", "/_sandbox/repos/octo/shop/pulls/1/close", {"user": "ada"})
    shop.sb.clear_request_log()
    assert shop.refresh().action == "declined"
    assert shop.writes() == []
    push = shop.commit({"shop/files.py": "import boto3\n"})
    reopened = shop.refresh(("shop/files.py",), push["before"])
    assert reopened.action == "opened"  # new content is a new proposal
    assert [p.state for p in shop.pulls()] == ["closed", "open"]


def test_bad_config_reports_a_check_run_naming_its_line(shop: Shop) -> None:
    push = shop.commit({".github/docs-refresh.yml": "comments: true\nnonsense: 1\n"})
    outcome = shop.refresh((".github/docs-refresh.yml",), push["before"])
    assert outcome.action == "user-error"
    assert shop.pulls() == []
    (run,) = shop.sb.store.check_runs.values()
    assert run.head_sha == push["sha"]
    (note,) = run.annotations
    assert (note["path"], note["start_line"]) == (".github/docs-refresh.yml", 2)


def test_v2_docs_count_as_docs_to_refresh_fenced_or_not() -> None:
    from bot.service.refresh import is_doc_to_refresh

    v2 = b"---\nname: data-flow\nstatus: unfilled\n---\n"
    assert is_doc_to_refresh(v2, ".context/docs/data-flow.md")
    assert is_doc_to_refresh(b"Sure!\n\n```markdown\n" + v2 + b"```\n", "docs/x.md")
    assert is_doc_to_refresh(b"<!-- agent-update:start:data-flow -->\n", "docs/x.md")
    assert not is_doc_to_refresh(b"---\nname: architecture\n---\n# Data Flow\n", "docs/x.md")
    assert not is_doc_to_refresh(b"\xff\xfe not text", "docs/x.md")


def test_previews_name_v2_sections_as_the_template_does() -> None:
    from bot.service.repo_engine import _headings

    assert _headings(("module-dependencies", "high-level-flow")) == (
        "Module Dependencies",
        "High-level Flow",
    )


def _ticks(spent_at: int) -> JobBudget:
    """A budget spent at its `spent_at`-th look at the clock (one look per file read)."""
    count = itertools.count(1)
    return JobBudget(float(spent_at), 0.0, lambda: float(next(count)))


def test_a_refresh_out_of_time_writes_nothing_and_names_the_file_in_a_neutral_check(
    shop: Shop,
) -> None:
    before, _ = add_integration(shop)
    shop.sb.clear_request_log()
    request = RefreshRequest(
        shop.sb.installation_id, "octo/shop", "main", reason="push", before=before
    )
    outcome = refresh_branch(request, shop.deps, _ticks(3))
    assert outcome.action == "timed-out"
    assert shop.pulls() == []
    (run,) = shop.sb.store.check_runs.values()
    assert (run.name, run.conclusion, run.head_sha) == ("docs-refresh", "neutral", outcome.head)
    (note,) = run.annotations
    path = note["path"]
    assert note["annotation_level"] == "warning"
    assert outcome.message.endswith(f"while reading {path}")
    summary = run.output["summary"]
    assert f"while reading `{path}`" in summary
    assert "other file(s) not read" in summary
    assert [w for w in shop.writes() if "/repos/" in w] == ["POST /repos/octo/shop/check-runs"]
    # The next run, within its time, opens the PR (what was read is not read again).
    assert refresh_branch(request, shop.deps, _ticks(10_000)).action == "opened"


def test_out_of_time_without_checks_permission_comments_on_the_bot_pr(shop: Shop) -> None:
    before, changed = add_integration(shop)
    opened = shop.refresh(changed, before)
    push = shop.commit({"shop/extra.py": "import redis\n"})
    forbid_check_runs(shop.sb)
    request = RefreshRequest(
        shop.sb.installation_id, "octo/shop", "main", reason="push", before=push["before"]
    )
    outcome = refresh_branch(request, shop.deps, _ticks(1))
    assert outcome.action == "timed-out"
    assert outcome.pr_number == opened.pr_number
    (comment,) = [c for c in shop.sb.store.comments.values() if "in time" in c.body]
    assert "while getting the repository" in comment.body
