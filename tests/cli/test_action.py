"""The GitHub Action's step, run as the runner runs it: a separate process with GitHub's
environment variables, a workspace holding a real git repository, the job summary file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli.action import Annotation, annotations_for, summary_markdown
from bot.core.errors import MarkerError
from bot.core.lint import Problem
from bot.core.model import RepoFacts
from bot.core.refresh import RefreshResult
from tests.helpers.git import committed_copy, git

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
DOC = ".context/docs/data-flow.md"
DOCS_REFRESH = Path(sys.executable).with_name("docs-refresh")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """GITHUB_WORKSPACE after actions/checkout: the example shop, committed, docs stale."""
    return committed_copy(SHOP, tmp_path / "workspace")


def run_action(
    workspace: Path,
    tmp_path: Path,
    *,
    mode: str | None = None,
    event_name: str = "push",
    event: dict[str, object] | None = None,
) -> tuple[int, str, str]:
    """The step as the runner starts it; returns (exit code, stdout, the job summary)."""
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(event or {}))
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": "octo/shop",
        "RUNNER_TEMP": str(tmp_path),
        # What action.yml passes: an empty input is an empty variable.
        "INPUT_PATH": ".",
        "INPUT_BASE": "",
    }
    if mode is not None:
        env["INPUT_MODE"] = mode
    done = subprocess.run(
        [str(DOCS_REFRESH), "action"],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout, summary.read_text("utf-8")


def test_check_fails_on_a_stale_repository_with_the_diff_and_a_readable_summary(
    workspace: Path, tmp_path: Path
) -> None:
    code, out, summary = run_action(workspace, tmp_path)
    assert code == 1
    assert f"::group::docs-refresh diff\ndiff --git a/{DOC} b/{DOC}\n" in out
    assert out.rstrip().endswith("::endgroup::")
    assert summary.startswith("## docs-refresh (check)\n\n**Stale**: 1 doc(s) no longer match")
    assert f"| `{DOC}` | stale | " in summary
    assert "Run `docs-refresh refresh` and commit the result" in summary
    # The doc holds ``` fences itself, so the diff's fence is longer than any of them.
    assert "<details><summary>Diff</summary>\n\n````diff\ndiff --git" in summary
    assert summary.endswith("\n````\n\n</details>\n")
    assert git(workspace, "status", "--porcelain") == ""  # check writes nothing


def test_refresh_mode_leaves_the_workspace_fresh_and_check_then_passes(
    workspace: Path, tmp_path: Path
) -> None:
    code, out, summary = run_action(workspace, tmp_path, mode="refresh")
    assert code == 0
    assert f"refreshed {DOC}" in out
    assert git(workspace, "status", "--porcelain").split() == ["M", DOC]
    assert "**Refreshed** 1 doc(s) in the workspace" in summary
    assert "<summary>What was rewritten</summary>" in summary
    code, out, summary = run_action(workspace, tmp_path)
    assert code == 0
    assert "::error" not in out
    assert "**Fresh**: every data-flow doc matches the code." in summary
    assert f"| `{DOC}` | fresh |  |" in summary


def test_a_malformed_marker_is_an_error_annotation_on_its_line(
    workspace: Path, tmp_path: Path
) -> None:
    doc = workspace / DOC
    lines = doc.read_text("utf-8").splitlines(keepends=True)
    end = next(i for i, line in enumerate(lines) if "agent-update:end" in line)
    lines.insert(end, "<!-- agent-update:start:other -->\n")
    doc.write_text("".join(lines))
    git(workspace, "commit", "-qam", "two starts")
    code, out, summary = run_action(workspace, tmp_path)
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert errors
    assert errors[0].startswith(f"::error file={DOC},line={end + 1},title=docs-refresh::")
    assert "### Problems" in summary
    assert f"`{DOC}:{end + 1}` error: " in summary


def test_a_push_summary_says_what_changed_in_the_facts_since_before(
    workspace: Path, tmp_path: Path
) -> None:
    run_action(workspace, tmp_path, mode="refresh")
    git(workspace, "commit", "-qam", "docs")
    before = git(workspace, "rev-parse", "HEAD").strip()
    (workspace / "shop" / "mailer.py").write_text(
        "import smtplib\n\n\ndef send(to: str) -> None:\n"
        "    with smtplib.SMTP('smtp.example.com') as smtp:\n"
        "        smtp.sendmail('shop@example.com', [to], 'hi')\n"
    )
    git(workspace, "add", "-A")
    git(workspace, "commit", "-qm", "mail")
    code, _, summary = run_action(workspace, tmp_path, event={"before": before})
    assert code == 1
    # The import, and the call that opens the SMTP connection (an outbound call of kind smtp).
    added = "- Integration added: **SMTP** (email) — `shop/mailer.py:1`, `shop/mailer.py:5`\n"
    assert added in summary


def test_a_base_missing_from_a_shallow_checkout_is_explained_not_fatal(
    workspace: Path, tmp_path: Path
) -> None:
    event = {"pull_request": {"base": {"sha": "1234567890abcdef" * 2 + "12345678"}}}
    code, _, summary = run_action(workspace, tmp_path, event_name="pull_request", event=event)
    assert code == 1
    assert "No facts diff: the base commit `1234567890ab` is not in this checkout." in summary
    assert "`fetch-depth: 0`" in summary


def test_a_new_branch_push_has_no_base_to_compare(workspace: Path, tmp_path: Path) -> None:
    code, _, summary = run_action(workspace, tmp_path, event={"before": "0" * 40})
    assert code == 1
    assert "No facts diff" not in summary
    assert "Facts" not in summary.split("<details>")[0].split("| stale |")[1]


def test_a_repository_without_docs_passes_and_says_how_to_start(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    (repo / "app.py").write_text("print('hi')\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    code, _, summary = run_action(repo, tmp_path)
    assert code == 0
    assert "docs-refresh init" in summary


def test_annotations_escape_what_would_end_or_split_a_workflow_command() -> None:
    line = Annotation("error", "docs/a,b:c%.md", 3, "two\nlines 100%").command()
    assert line == (
        "::error file=docs/a%2Cb%3Ac%25.md,line=3,title=docs-refresh::two%0Alines 100%25"
    )
    assert "\n" not in line


def test_annotations_are_one_per_line_errors_first_and_prefixed_with_the_folder() -> None:
    result = RefreshResult(
        changes=(),
        facts=RepoFacts(),
        problems=(MarkerError("start without end", path="d.md", line=4),),
        affected=True,
        docs=("d.md",),
    )
    lint = [
        Problem("d.md", 4, "start without end"),
        Problem("d.md", 9, "'High-level Flow' was edited by hand", "warning"),
    ]
    notes = annotations_for(result, lint, prefix="sub/")
    assert notes == [
        Annotation("error", "sub/d.md", 4, "start without end"),
        Annotation("warning", "sub/d.md", 9, "'High-level Flow' was edited by hand"),
    ]


def test_the_summary_renders_hostile_paths_and_messages_inert() -> None:
    path = "docs/`x` | <img src=x>.md"
    result = RefreshResult(
        changes=(),
        facts=RepoFacts(),
        problems=(MarkerError("bad <script>alert(1)</script> [x](y)", path=path, line=1),),
        affected=True,
        docs=(path,),
    )
    text = summary_markdown("check", result, annotations_for(result, []))
    assert text.startswith("## docs-refresh (check)\n\n**Errors** in 1 doc(s), left as they")
    assert "| ``docs/`x` \\| <img src=x>.md`` | error |" in text
    assert "<script>" not in text
    assert "\\<script\\>" in text
    assert "\\[x\\](y)" in text


def test_action_yml_passes_every_input_the_command_reads() -> None:
    spec = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert spec["runs"]["using"] == "composite"
    assert spec["inputs"]["mode"]["default"] == "check"
    step = spec["runs"]["steps"][-1]
    assert step["run"] == '"$RUNNER_TEMP/docs-refresh-venv/bin/docs-refresh" action'
    for name in ("mode", "path", "base"):
        assert step["env"][f"INPUT_{name.upper()}"] == f"${{{{ inputs.{name} }}}}"
