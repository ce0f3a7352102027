"""The `/refresh-docs` flow on hand-written fakes: authorisation, reactions, writes, replies."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.core.errors import MarkerError
from bot.core.job_budget import JobDeadline
from bot.service.engine import Problem
from bot.service.permissions import Actor
from bot.service.ports.conversation import Permission
from bot.service.refresh_command import BaseRefresh, CommandRequest, run_command
from tests.fakes_conversation import APP, REPO, FakeConversation, FakeEngine, pull

WRITER = Actor("wendy", "User", "COLLABORATOR")


@dataclass
class FakeRefresher:
    base: str = "main"
    url: str | None = "http://sandbox/octo/shop/pull/9"
    tip: str | None = None
    calls: list[bool] = field(default_factory=list)

    def foreign_tip(self) -> str | None:
        return self.tip

    def refresh(self, force: bool) -> BaseRefresh:
        self.calls.append(force)
        return BaseRefresh(self.url, self.base)


def request(
    body: str = "/refresh-docs", actor: Actor = WRITER, is_pull: bool = True
) -> CommandRequest:
    return CommandRequest(REPO, 7, 42, body, actor, is_pull)


def conversation(**kwargs: object) -> FakeConversation:
    conv = FakeConversation(**kwargs)  # type: ignore[arg-type]
    conv.permissions["wendy"] = Permission("write", "write")
    conv.permissions["rita"] = Permission("read", "read")
    return conv


def test_writer_commits_onto_the_pull_branch_with_eyes_then_rocket() -> None:
    conv, engine = conversation(), FakeEngine()
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "committed"
    [(parent, files)] = engine.commits
    assert parent.sha == "a" * 40
    assert files == {".context/docs/data-flow.md": b"new\n"}
    assert conv.moves == [("feature", f"{1:040x}")]
    assert conv.reactions == [(42, "eyes"), (42, "rocket")]
    assert conv.comments == []  # quiet: the commit and the rocket say it


def test_read_only_user_is_refused_without_any_other_write() -> None:
    conv, engine = conversation(), FakeEngine()
    actor = Actor("rita", "User", "COLLABORATOR")
    assert run_command(request(actor=actor), conv, engine, APP, FakeRefresher()) == "refused"
    [reply] = conv.bodies
    assert "@rita" in reply
    assert "write, maintain or admin" in reply
    assert conv.reactions == []
    assert engine.evaluated == []


@pytest.mark.parametrize("login", [APP, "renovate[bot]"])
def test_the_app_and_other_bots_get_no_answer_at_all(login: str) -> None:
    conv, engine = conversation(), FakeEngine()
    actor = Actor(login, "Bot", "NONE")
    assert run_command(request(actor=actor), conv, engine, APP, FakeRefresher()).startswith(
        "ignored"
    )
    assert conv.lookups == []
    assert conv.comments == []
    assert conv.reactions == []


def test_help_and_unknown_reply_with_help_and_do_nothing_else() -> None:
    conv, engine = conversation(), FakeEngine()
    assert run_command(request("/refresh-docs help"), conv, engine, APP, FakeRefresher()) == "help"
    assert run_command(request("/refresh-docs now"), conv, engine, APP, FakeRefresher()) == (
        "unknown"
    )
    assert "`/refresh-docs now`" in conv.bodies[1]
    assert engine.evaluated == []
    assert conv.reactions == []


def test_text_without_a_command_is_not_answered() -> None:
    conv = conversation()
    assert run_command(request("thanks!"), conv, FakeEngine(), APP, FakeRefresher()) == "no-command"
    assert conv.lookups == []


def test_closed_pull_gets_a_reply_and_no_write() -> None:
    conv, engine = conversation(pulls=[pull(state="closed")]), FakeEngine()
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "closed"
    assert "closed" in conv.bodies[0]
    assert engine.commits == []
    assert conv.reactions == [(42, "eyes")]


def test_force_regenerates_hand_edits() -> None:
    conv, engine = conversation(), FakeEngine()
    run_command(request("/refresh-docs FORCE"), conv, engine, APP, FakeRefresher())
    assert engine.evaluated == [("a" * 40, True)]
    assert engine.bases == [None]  # no facts summary in replies: one tree analysed


def test_fork_pull_gets_the_patch_and_no_write() -> None:
    conv, engine = conversation(pulls=[pull(head_repo="forker/shop")]), FakeEngine()
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "patch"
    assert "git apply" in conv.bodies[0]
    assert engine.commits == []
    assert conv.moves == []
    assert conv.reactions == [(42, "eyes"), (42, "rocket")]


def test_fresh_docs_are_said_to_be_fresh() -> None:
    conv, engine = conversation(), FakeEngine(docs=())
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "fresh"
    assert "already fresh" in conv.bodies[0]
    assert engine.commits == []


def test_a_push_in_between_is_redone_on_the_new_head() -> None:
    pulls = [pull(), pull(head_sha="c" * 40)]
    conv, engine = conversation(pulls=pulls, refuse_moves=1), FakeEngine()
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "committed"
    assert [parent.sha for parent, _ in engine.commits] == ["a" * 40, "c" * 40]
    assert len(conv.moves) == 1


def test_a_branch_that_keeps_moving_is_a_failure_with_confused() -> None:
    conv, engine = conversation(refuse_moves=5), FakeEngine()
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "failed"
    assert conv.reactions == [(42, "eyes"), (42, "confused")]
    assert "kept moving" in conv.bodies[0]


def test_malformed_docs_are_a_failure_that_names_the_line() -> None:
    problems = (Problem("docs/a.md", 4, "start marker without an end"),)
    conv, engine = conversation(), FakeEngine(problems=problems)
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "failed"
    assert "docs/a.md:4" in conv.bodies[0]
    assert conv.reactions[-1] == (42, "confused")


def test_an_engine_error_is_reported_and_not_raised() -> None:
    error = MarkerError("two starts", path="docs/b.md", line=9)
    conv = conversation()
    outcome = run_command(request(), conv, FakeEngine(evaluate_error=error), APP, FakeRefresher())
    assert outcome == "failed"
    assert "docs/b.md:9: two starts" in conv.bodies[0]


def test_an_unexpected_error_says_so_without_details() -> None:
    conv = conversation()
    engine = FakeEngine(evaluate_error=RuntimeError("token=secret"))
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "failed"
    assert "secret" not in conv.bodies[0]
    assert "internal error" in conv.bodies[0]


def test_issue_command_refreshes_the_base_and_links_the_pull() -> None:
    conv, refresher = conversation(), FakeRefresher()
    outcome = run_command(request(is_pull=False), conv, FakeEngine(), APP, refresher)
    assert outcome == "base-refreshed"
    assert refresher.calls == [False]
    assert "http://sandbox/octo/shop/pull/9" in conv.bodies[0]
    assert conv.reactions == [(42, "eyes"), (42, "rocket")]


def test_issue_command_with_fresh_base_says_no_pull_is_needed() -> None:
    conv, refresher = conversation(), FakeRefresher(url=None)
    assert run_command(request(is_pull=False), conv, FakeEngine(), APP, refresher) == "base-fresh"
    assert "already fresh" in conv.bodies[0]


def test_force_takeover_is_announced_before_the_refresh() -> None:
    conv, refresher = conversation(), FakeRefresher(tip="d" * 40)
    run_command(request("/refresh-docs force", is_pull=False), conv, FakeEngine(), APP, refresher)
    assert refresher.calls == [True]
    takeover, link = conv.bodies
    assert "Taking over `docs-refresh/main`" in takeover
    assert "`ddddddd`" in takeover
    assert "pull/9" in link


def test_a_foreign_tip_is_not_announced_without_force() -> None:
    conv, refresher = conversation(), FakeRefresher(tip="d" * 40)
    run_command(request(is_pull=False), conv, FakeEngine(), APP, refresher)
    assert len(conv.bodies) == 1


def test_command_on_the_bots_own_docs_pull_rebuilds_it_from_the_base() -> None:
    conv = conversation(pulls=[pull(head_ref="docs-refresh/main")])
    refresher, engine = FakeRefresher(tip="d" * 40), FakeEngine()
    outcome = run_command(request("/refresh-docs force"), conv, engine, APP, refresher)
    assert outcome == "base-refreshed"
    assert refresher.calls == [True]
    assert engine.commits == []
    assert "Taking over `docs-refresh/main`" in conv.bodies[0]


class HostError(Exception):
    """Shaped like PyGithub's GithubException: it carries the HTTP status."""

    def __init__(self, status: int) -> None:
        super().__init__(f"{status}")
        self.status = status


def test_a_github_error_says_so_and_asks_to_try_again() -> None:
    conv = conversation()
    engine = FakeEngine(evaluate_error=HostError(502))
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "failed"
    assert "GitHub answered 502" in conv.bodies[0]
    assert conv.reactions[-1] == (42, "confused")


def test_a_command_out_of_time_replies_naming_the_file_and_commits_nothing() -> None:
    error = JobDeadline("reading files", 240.0, "app/a`b @octo.py")
    conv, engine = conversation(), FakeEngine(evaluate_error=error)
    assert run_command(request(), conv, engine, APP, FakeRefresher()) == "timed-out"
    assert engine.commits == []
    assert conv.moves == []
    assert conv.reactions == [(42, "eyes"), (42, "confused")]
    [body] = conv.bodies
    assert "`/refresh-docs` ran out of time" in body
    assert "while reading ``app/a`b @octo.py``" in body


@dataclass
class LateRefresher(FakeRefresher):
    def refresh(self, force: bool) -> BaseRefresh:
        raise JobDeadline("resolving imports", 240.0)


def test_a_base_refresh_out_of_time_is_answered_the_same_way() -> None:
    conv = conversation()
    outcome = run_command(request(is_pull=False), conv, FakeEngine(), APP, LateRefresher())
    assert outcome == "timed-out"
    assert "while resolving imports" in conv.bodies[0]
