"""Pull-request previews end to end: sandbox → signed webhook → web → queue → job → sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app.jobs import Job, JobKey
from bot.app.webhooks import Event
from bot.handlers import router
from bot.service.comments import PREVIEW_MARKER
from tests.app.harness import DOC, REPO, STRIPE, Harness, initial_files, start

pytestmark = pytest.mark.slow


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from start(tmp_path, initial_files())


def open_stripe_pull(h: Harness, branch: str = "add-stripe") -> int:
    h.commit("alice", branch, STRIPE, **{"from": "main", "deliver": False})
    return h.open_pull("alice", branch)


def test_pull_request_adding_a_dependency_gets_one_preview_comment(harness: Harness) -> None:
    number = open_stripe_pull(harness)
    assert ("preview", "stale") in harness.run_jobs()
    [comment] = harness.bot_comments(number)
    body = comment["body"]
    assert body.startswith(PREVIEW_MARKER)
    assert f"`{DOC}`" in body
    assert "External Integrations" in body
    assert "Integration added: **Stripe**" in body
    assert "<details><summary>Doc diff" in body
    assert "/refresh-docs" in body
    head = harness.head("add-stripe")
    [check] = harness.check_runs(head)
    assert check["name"] == "docs-refresh"
    assert check["conclusion"] == "neutral"
    assert "stale" in check["output"]["title"]


def test_more_pushes_edit_the_one_comment_in_place(harness: Harness) -> None:
    number = open_stripe_pull(harness)
    harness.run_jobs()
    [first] = harness.bot_comments(number)
    heads = []
    for i in range(3):
        extra = {"shop/payments.py": STRIPE["shop/payments.py"] + f"\nVERSION = {i}\n"}
        heads.append(harness.commit("alice", "add-stripe", extra))
        assert ("preview", "stale") in harness.run_jobs()
    [last] = harness.bot_comments(number)
    assert last["id"] == first["id"]
    assert f"`{heads[-1][:7]}`" in last["body"]
    assert len(harness.requests_made("POST", f"/issues/{number}/comments")) == 1
    assert len(harness.requests_made("PATCH", "/issues/comments/")) == 3
    assert [c["conclusion"] for c in harness.check_runs(heads[-1])] == ["neutral"]


def test_a_push_that_undoes_the_change_marks_the_comment_unaffected(harness: Harness) -> None:
    number = open_stripe_pull(harness)
    harness.run_jobs()
    # Still a tracked change (orders.py), but no longer one the docs would show.
    undo = {
        "requirements.txt": "flask>=3\n",
        "shop/payments.py": None,
        "shop/orders.py": "def all_orders():\n    return [1]\n",
    }
    head = harness.commit("alice", "add-stripe", undo)
    assert ("preview", "fresh") in harness.run_jobs()
    [comment] = harness.bot_comments(number)
    assert comment["body"].startswith(PREVIEW_MARKER)
    assert "unaffected again" in comment["body"]
    assert [c["conclusion"] for c in harness.check_runs(head)] == ["success"]


def test_pull_request_touching_only_tests_gets_no_comment(harness: Harness) -> None:
    files = {"tests/test_more.py": "import stripe\n\n\ndef test_x():\n    assert stripe\n"}
    harness.commit("alice", "more-tests", files, **{"from": "main", "deliver": False})
    number = harness.open_pull("alice", "more-tests")
    assert harness.run_jobs() == [("preview", "untracked")]
    assert harness.comments(number) == []
    [check] = harness.check_runs(harness.head("more-tests"))
    assert check["conclusion"] == "success"
    assert harness.requests_made("POST", "/comments") == []


def test_draft_pull_request_is_skipped(harness: Harness) -> None:
    harness.commit("alice", "draft", STRIPE, **{"from": "main", "deliver": False})
    number = harness.open_pull("alice", "draft", draft=True)
    assert harness.run_jobs() == [("preview", "draft")]
    assert harness.comments(number) == []
    assert harness.check_runs(harness.head("draft")) == []


@pytest.fixture
def quiet_harness(tmp_path: Path) -> Iterator[Harness]:
    config = "comments: false\ncheck_stale_conclusion: failure\n"
    yield from start(tmp_path, initial_files({".github/docs-refresh.yml": config}))


def test_comments_false_and_failure_conclusion_are_respected(quiet_harness: Harness) -> None:
    number = open_stripe_pull(quiet_harness)
    assert ("preview", "stale") in quiet_harness.run_jobs()
    assert quiet_harness.comments(number) == []
    [check] = quiet_harness.check_runs(quiet_harness.head("add-stripe"))
    assert check["conclusion"] == "failure"


MALFORMED = (
    "# Broken\n\n<!-- agent-update:start:data-flow -->\n## High-level Flow\n\nno end marker\n"
)


def test_malformed_docs_fail_the_check_with_annotations_in_batches_of_50(harness: Harness) -> None:
    broken = {f"docs/broken-{i:02}.md": MALFORMED for i in range(60)}
    harness.commit(
        "alice", "break-docs", {**broken, **STRIPE}, **{"from": "main", "deliver": False}
    )
    number = harness.open_pull("alice", "break-docs")
    assert ("preview", "malformed") in harness.run_jobs()
    [check] = harness.check_runs(harness.head("break-docs"))
    assert check["conclusion"] == "failure"
    annotations = harness.annotations(check["id"])
    assert len(annotations) == 60
    assert {a["path"] for a in annotations} == set(broken)
    assert all(a["start_line"] == 3 for a in annotations)
    assert len(harness.requests_made("POST", "/check-runs")) == 1
    assert len(harness.requests_made("PATCH", "/check-runs/")) == 1
    assert harness.comments(number) == []


def test_a_later_push_reads_only_the_blobs_it_changed(harness: Harness) -> None:
    open_stripe_pull(harness)
    harness.run_jobs()
    harness.sb.clear_request_log()
    changed = {"shop/payments.py": STRIPE["shop/payments.py"] + "\nCURRENCY = 'eur'\n"}
    harness.commit("alice", "add-stripe", changed)
    harness.run_jobs()
    blobs = harness.requests_made("GET", "/git/blobs/")
    assert len(blobs) == 1  # the new payments.py; facts and docs of the rest are cached
    assert harness.requests_made("GET", "/tarball/") == []


def _pull_event(action: str, head_ref: str = "feature", state: str = "open") -> Event:
    payload = {
        "action": action,
        "installation": {"id": 1},
        "repository": {"full_name": REPO},
        "pull_request": {"number": 5, "state": state, "head": {"ref": head_ref}},
    }
    return Event("pull_request", "delivery-1", payload)


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_head_changing_actions_queue_one_keyed_preview(action: str) -> None:
    [job] = router.dispatch(_pull_event(action))
    assert isinstance(job, Job)
    assert job.name == "preview"
    assert job.key == JobKey(1, REPO, "pull/5", "preview")


@pytest.mark.parametrize("action", ["closed", "labeled", "edited", "converted_to_draft"])
def test_other_pull_request_actions_queue_nothing(action: str) -> None:
    assert router.dispatch(_pull_event(action)) == []


def test_the_bots_own_docs_pull_request_is_not_previewed() -> None:
    assert router.dispatch(_pull_event("synchronize", head_ref="docs-refresh/main")) == []


def test_what_main_gained_since_the_fork_is_not_blamed_on_the_pull(harness: Harness) -> None:
    harness.commit("alice", "add-stripe", STRIPE, **{"from": "main", "deliver": False})
    redis = {"requirements.txt": "flask>=3\nredis>=5\n", "shop/cache.py": "import redis\n"}
    harness.commit("octo", "main", redis, deliver=False)
    number = harness.open_pull("alice", "add-stripe")
    assert ("preview", "stale") in harness.run_jobs()
    [comment] = harness.bot_comments(number)
    assert "Integration added: **Stripe**" in comment["body"]
    assert "Redis" not in comment["body"].split("<details>")[0]


def test_a_pull_that_breaks_the_docs_markers_fails_the_check(harness: Harness) -> None:
    doc = harness.show("main", DOC).replace("<!-- agent-update:end -->", "")
    harness.commit("alice", "edit-doc", {DOC: doc}, **{"from": "main", "deliver": False})
    number = harness.open_pull("alice", "edit-doc")
    assert ("preview", "malformed") in harness.run_jobs()
    [check] = harness.check_runs(harness.head("edit-doc"))
    assert check["conclusion"] == "failure"
    [annotation] = harness.annotations(check["id"])
    assert annotation["path"] == DOC
    assert (
        annotation["start_line"]
        == doc.splitlines().index("<!-- agent-update:start:data-flow -->") + 1
    )
    assert harness.comments(number) == []


WRAPPED = "haniellevi__celula-connect__.context__docs__data-flow.md"


@pytest.fixture
def wrapped_harness(tmp_path: Path, shared_corpus: Path) -> Iterator[Harness]:
    """`main` carries a real LLM-written doc: fenced in ```markdown, front matter inside."""
    doc = (shared_corpus / "docs" / WRAPPED).read_text(encoding="utf-8")
    yield from start(tmp_path, {**initial_files(), DOC: doc})


def test_a_real_llm_written_doc_previews_its_repairs_and_keeps_readonly_text(
    wrapped_harness: Harness,
) -> None:
    h = wrapped_harness
    doc = h.show("main", DOC)
    number = open_stripe_pull(h)
    assert ("preview", "stale") in h.run_jobs()
    [comment] = h.bot_comments(number)
    assert "also gets repaired outside its generated sections" in comment["body"]
    assert "Integration added: **Stripe**" in comment["body"]
    h.comment("octo", number, "/refresh-docs")
    assert ("command", "committed") in h.run_jobs()
    refreshed = h.show("add-stripe", DOC)
    readonly = doc[
        doc.index("<!-- agent-readonly:guidance -->") : doc.index("<!-- agent-update:end")
    ]
    assert readonly in refreshed
    assert not refreshed.startswith("```")


def test_a_synchronize_is_previewed_from_the_state_the_last_preview_left(
    harness: Harness,
) -> None:
    number = open_stripe_pull(harness)
    harness.run_jobs()
    kept = harness.ctx.deps.warm
    [key] = [k for k in kept.held() if isinstance(k, tuple) and k[1:] == (REPO, "pull", number)]
    extra = {"shop/payments.py": STRIPE["shop/payments.py"] + "\nVERSION = 2\n"}
    head = harness.commit("alice", "add-stripe", extra)
    assert ("preview", "stale") in harness.run_jobs()
    [comment] = harness.bot_comments(number)
    assert f"`{head[:7]}`" in comment["body"]
    assert "Integration added: **Stripe**" in comment["body"]
    with kept.use(key) as warm:
        assert warm.repo_facts is not None
        assert warm.repo_facts.source == head  # the state moved to the new head
