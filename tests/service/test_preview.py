"""The preview flow on hand-written fakes: which comment and check each situation gives."""

from __future__ import annotations

from dataclasses import replace

from bot.core.config import RepoConfig
from bot.core.errors import ConfigError, MarkerError
from bot.core.job_budget import JobDeadline
from bot.service.comments import PREVIEW_MARKER
from bot.service.engine import Problem
from bot.service.ports.conversation import CommentRef
from bot.service.preview import preview_pull_request
from tests.fakes_conversation import APP, REPO, FakeConversation, FakeEngine, pull


def run(conv: FakeConversation, engine: FakeEngine) -> str:
    return preview_pull_request(REPO, 7, conv, engine, APP)


def test_stale_pull_gets_one_comment_and_a_neutral_check() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    assert run(conv, engine) == "stale"
    [body] = conv.bodies
    assert body.startswith(PREVIEW_MARKER)
    assert "Integration added: **Stripe**" in body
    [(sha, output)] = conv.checks
    assert sha == "a" * 40
    assert output.conclusion == "neutral"


def test_the_same_preview_twice_writes_the_comment_once() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    run(conv, engine)
    run(conv, engine)
    assert len(conv.comments) == 1
    assert conv.edits == []


def test_a_new_head_edits_the_sticky_in_place() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    run(conv, engine)
    conv.pulls = [pull(head_sha="c" * 40)]
    run(conv, engine)
    assert len(conv.comments) == 1
    assert conv.edits == [1]
    assert "`ccccccc`" in conv.bodies[0]


def test_a_marker_pasted_by_a_person_is_not_the_sticky() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    conv.comments.append(CommentRef(1, "mallory", f"{PREVIEW_MARKER} mine"))
    run(conv, engine)
    assert conv.edits == []
    assert len(conv.comments) == 2


def test_fresh_again_edits_the_sticky_but_never_opens_one() -> None:
    conv, engine = FakeConversation(), FakeEngine(docs=())
    assert run(conv, engine) == "fresh"
    assert conv.comments == []
    assert [o.conclusion for _, o in conv.checks] == ["success"]
    conv2, engine2 = FakeConversation(), FakeEngine()
    run(conv2, engine2)
    engine2.docs = ()
    assert run(conv2, engine2) == "fresh"
    [body] = conv2.bodies
    assert "unaffected again" in body


def test_untracked_change_is_not_evaluated() -> None:
    conv, engine = FakeConversation(changed=("tests/test_x.py", "README.md")), FakeEngine()
    assert run(conv, engine) == "untracked"
    assert engine.evaluated == []
    assert conv.comments == []
    assert [o.conclusion for _, o in conv.checks] == ["success"]


def test_unknown_changed_paths_are_evaluated() -> None:
    conv, engine = FakeConversation(changed=None), FakeEngine()
    assert run(conv, engine) == "stale"


def test_facts_are_compared_with_the_fork_point_not_the_base_tip() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    run(conv, engine)
    assert conv.compared == [("b" * 40, "a" * 40)]
    assert engine.bases == ["f" * 40]


def test_drafts_are_skipped_unless_configured() -> None:
    conv, engine = FakeConversation(pulls=[pull(draft=True)]), FakeEngine()
    assert run(conv, engine) == "draft"
    assert conv.checks == []
    engine.repo_config = replace(RepoConfig(), preview_drafts=True)
    assert run(conv, engine) == "stale"


def test_closed_pull_is_left_alone() -> None:
    conv, engine = FakeConversation(pulls=[pull(state="closed")]), FakeEngine()
    assert run(conv, engine) == "closed"
    assert conv.checks == []
    assert conv.comments == []


def test_comments_false_keeps_only_the_check_with_the_configured_conclusion() -> None:
    config = replace(RepoConfig(), comments=False, check_stale_conclusion="failure")
    conv, engine = FakeConversation(), FakeEngine(repo_config=config)
    assert run(conv, engine) == "stale"
    assert conv.comments == []
    assert [o.conclusion for _, o in conv.checks] == ["failure"]


def test_malformed_docs_fail_the_check_with_annotations() -> None:
    problems = (Problem("docs/a.md", 4, "start marker without an end"),)
    conv, engine = FakeConversation(), FakeEngine(problems=problems)
    assert run(conv, engine) == "malformed"
    [(_, output)] = conv.checks
    assert output.conclusion == "failure"
    assert [(a.path, a.start_line) for a in output.annotations] == [("docs/a.md", 4)]
    assert conv.comments == []


def test_a_marker_error_raised_by_the_engine_is_a_failed_check() -> None:
    error = MarkerError("two starts", path="docs/b.md", line=9)
    conv, engine = FakeConversation(), FakeEngine(evaluate_error=error)
    assert run(conv, engine) == "malformed"
    [(_, output)] = conv.checks
    assert [(a.path, a.start_line) for a in output.annotations] == [("docs/b.md", 9)]


def test_a_bad_config_fails_the_check_at_its_line() -> None:
    error = ConfigError("unknown key 'comment'", line=2)
    conv, engine = FakeConversation(), FakeEngine(config_error=error)
    assert run(conv, engine) == "bad-config"
    [(_, output)] = conv.checks
    assert [(a.path, a.start_line) for a in output.annotations] == [(".github/docs-refresh.yml", 2)]


def test_without_checks_permission_the_comment_still_comes() -> None:
    conv, engine = FakeConversation(checks_allowed=False), FakeEngine()
    assert run(conv, engine) == "stale"
    assert len(conv.comments) == 1


def test_fork_preview_says_a_patch_is_replied() -> None:
    conv, engine = FakeConversation(pulls=[pull(head_repo="forker/shop")]), FakeEngine()
    run(conv, engine)
    assert "apps cannot push to forks" in conv.bodies[0]


def test_a_change_to_a_doc_alone_is_evaluated_as_a_whole() -> None:
    conv = FakeConversation(changed=(".context/docs/data-flow.md",))
    engine = FakeEngine(problems=(Problem(".context/docs/data-flow.md", 3, "no end marker"),))
    assert run(conv, engine) == "malformed"
    assert engine.evaluated == [("a" * 40, False)]


def test_a_sticky_that_already_says_unaffected_is_not_rewritten_per_push() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    run(conv, engine)
    engine.docs = ()
    run(conv, engine)
    conv.pulls = [pull(head_sha="c" * 40)]
    run(conv, engine)
    assert conv.edits == [1]


# A file name is repository content: it shows as one code span, never as Markdown or HTML.
HOSTILE = "app/a`b <!-- x --> @octo [l](http://e).py"


def deadline() -> JobDeadline:
    return JobDeadline("reading files", 240.0, HOSTILE, ("app/next.py",))


def test_a_preview_out_of_time_is_a_neutral_check_naming_the_file_and_no_comment() -> None:
    conv, engine = FakeConversation(), FakeEngine(evaluate_error=deadline())
    assert run(conv, engine) == "timed-out"
    [(sha, output)] = conv.checks
    assert (sha, output.conclusion) == ("a" * 40, "neutral")
    assert output.title == "No preview: the job ran out of time"
    [note] = output.annotations
    assert (note.path, note.start_line, note.annotation_level) == (HOSTILE, 1, "warning")
    assert f"while reading ``{HOSTILE}``" in output.summary
    assert "@octo" not in output.summary.replace(f"``{HOSTILE}``", "")
    assert "`app/next.py`" in output.summary
    assert conv.comments == []


def test_a_preview_out_of_time_edits_the_sticky_and_comments_only_without_checks() -> None:
    conv, engine = FakeConversation(), FakeEngine()
    run(conv, engine)
    engine.evaluate_error = deadline()
    conv.pulls = [pull(head_sha="c" * 40)]
    assert run(conv, engine) == "timed-out"
    [body] = conv.bodies
    assert body.startswith(PREVIEW_MARKER)
    assert "no preview of `ccccccc`" in body
    assert "Integration added" not in body
    unchecked = FakeConversation(checks_allowed=False)
    assert run(unchecked, FakeEngine(evaluate_error=deadline())) == "timed-out"
    [said] = unchecked.bodies
    assert f"``{HOSTILE}``" in said
    quiet = FakeEngine(repo_config=replace(RepoConfig(), comments=False))
    quiet.evaluate_error = deadline()
    silent = FakeConversation(checks_allowed=False)
    assert run(silent, quiet) == "timed-out"
    assert silent.comments == []  # `comments: false` is kept, even to say this
