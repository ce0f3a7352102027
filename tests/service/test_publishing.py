from __future__ import annotations

from dataclasses import replace

import pytest

from bot.service.ports import Head
from bot.service.publishing import (
    FOREIGN_MARKER,
    DocNote,
    Proposal,
    State,
    branch_for,
    publish,
)
from bot.service.refresh import BOT_IDENTITY
from tests.service.fakes import FakeGateway, FakeRepo

DOC = "docs/data-flow.md"


@pytest.fixture
def repo() -> FakeRepo:
    state = FakeRepo()
    state.commit_files("main", {DOC: b"old\n", "app.py": b"import os\n"})
    return state


def proposal(repo: FakeRepo, new: bytes | None, **extra: object) -> Proposal:
    sha = repo.branches["main"]
    old = repo.commits[sha].files[DOC]
    files = {} if new is None else {DOC: new}
    return Proposal(
        base="main",
        head=Head(sha, "tree-" + sha),
        files=files,
        origin={DOC: old} if files else {},
        title="docs: refresh",
        labels=("documentation",),
        **extra,  # type: ignore[arg-type]
    )


def test_first_publish_opens_one_pr_with_state_and_labels(repo: FakeRepo) -> None:
    done = publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    assert done.action == "opened"
    (pr,) = repo.pulls
    assert pr.labels == ("documentation",)
    state = State.from_body(pr.body)
    assert state is not None
    assert state.base == repo.branches["main"]
    assert state.head == repo.branches[branch_for("main")] == done.commit
    bot_commit = repo.commits[done.commit]
    assert bot_commit.parents == (repo.branches["main"],)
    assert bot_commit.files[DOC] == b"new\n"


def test_same_content_again_writes_nothing(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    repo.calls.clear()
    done = publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    assert done.action == "unchanged"
    assert repo.writes == []


def test_new_content_updates_the_same_pr(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    repo.commit_files("main", {"app.py": b"import stripe\n"})
    done = publish(FakeGateway(repo), proposal(repo, b"newer\n"), BOT_IDENTITY)
    assert done.action == "updated"
    assert len(repo.pulls) == 1
    tip = repo.commits[repo.branches[branch_for("main")]]
    assert tip.parents == (repo.branches["main"],)
    assert tip.files[DOC] == b"newer\n"


def test_fresh_docs_close_the_open_pr_and_delete_its_branch(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    done = publish(FakeGateway(repo), proposal(repo, None), BOT_IDENTITY)
    assert done.action == "closed"
    assert repo.pulls[0].state == "closed"
    assert branch_for("main") not in repo.branches
    assert len(repo.comments[1]) == 1


def test_fresh_docs_without_pr_write_nothing(repo: FakeRepo) -> None:
    done = publish(FakeGateway(repo), proposal(repo, None), BOT_IDENTITY)
    assert done.action == "fresh"
    assert repo.writes == []


def test_person_commit_on_bot_branch_is_kept_and_commented_once(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    person_tip = repo.commit_files(branch_for("main"), {DOC: b"by hand\n"})
    for _ in range(2):
        done = publish(FakeGateway(repo), proposal(repo, b"newer\n"), BOT_IDENTITY)
        assert done.action == "blocked"
    assert repo.branches[branch_for("main")] == person_tip
    assert [FOREIGN_MARKER in c.body for c in repo.comments[1]] == [True]


def test_force_takes_over_a_person_commit(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    repo.commit_files(branch_for("main"), {DOC: b"by hand\n"})
    done = publish(FakeGateway(repo), proposal(repo, b"newer\n", force=True), BOT_IDENTITY)
    assert done.action == "updated"
    assert repo.commits[repo.branches[branch_for("main")]].files[DOC] == b"newer\n"


def test_pr_closed_by_a_person_is_not_reopened_with_same_content(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    FakeGateway(repo).close_pull(1)
    repo.calls.clear()
    done = publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    assert done.action == "declined"
    assert repo.writes == []
    again = publish(FakeGateway(repo), proposal(repo, b"different\n"), BOT_IDENTITY)
    assert again.action == "opened"
    assert [p.state for p in repo.pulls] == ["closed", "open"]


def test_state_round_trips_and_ignores_garbage() -> None:
    state = State("a" * 40, "a" * 40, head="b" * 40, docs="d", origin="o")
    assert State.from_body("text\n" + state.to_comment() + "\n") == state
    assert State.from_body("<!-- docs-refresh:state {nope} -->") is None
    assert State.from_body("") is None


def test_body_lists_repairs_and_hand_edits(repo: FakeRepo) -> None:
    note = DocNote(DOC, ("high-level-flow",), hand_edited=True, repairs=("unwrapped a fence",))
    publish(FakeGateway(repo), proposal(repo, b"new\n", notes=(note,)), BOT_IDENTITY)
    body = repo.pulls[0].body
    assert "except the repairs listed below." in body
    assert "  - repaired: unwrapped a fence" in body
    assert "hand-edited text kept" in body


def test_huge_facts_summary_is_cut_to_fit_with_state_kept(repo: FakeRepo) -> None:
    facts = "\n".join(f"- Integration added: **S{i}**" for i in range(20_000))
    publish(FakeGateway(repo), proposal(repo, b"new\n", facts_markdown=facts), BOT_IDENTITY)
    body = repo.pulls[0].body
    assert len(body) <= 65_536
    assert "cut to fit" in body
    assert State.from_body(body) is not None


def test_pr_the_bot_closed_is_reopened_when_the_same_docs_go_stale_again(
    repo: FakeRepo,
) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    assert publish(FakeGateway(repo), proposal(repo, None), BOT_IDENTITY).action == "closed"
    closed = State.from_body(repo.pulls[0].body)
    assert closed is not None
    assert closed.closed
    again = publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    assert again.action == "opened"


def test_a_newly_configured_label_is_added_without_a_new_commit(repo: FakeRepo) -> None:
    publish(FakeGateway(repo), proposal(repo, b"new\n"), BOT_IDENTITY)
    repo.calls.clear()
    wanted = replace(proposal(repo, b"new\n"), labels=("documentation", "bot"))
    assert publish(FakeGateway(repo), wanted, BOT_IDENTITY).action == "unchanged"
    assert repo.writes == ["write:labels"]
    assert repo.pulls[0].labels == ("bot", "documentation")
