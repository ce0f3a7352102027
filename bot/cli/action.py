"""`docs-refresh action`: the step of the GitHub Action (`action.yml` at the repository root).

Run as GitHub Actions runs it: the inputs arrive as `INPUT_*` variables, the checkout is
`GITHUB_WORKSPACE`, the event is the JSON file at `GITHUB_EVENT_PATH`, and what the step has
to say goes to stdout as workflow commands (`::error file=…,line=…::…`, one annotation per
problem) and to the Markdown file at `GITHUB_STEP_SUMMARY` (the job summary).

- `check` (the default): exit 1 when a doc is stale (its diff printed), when a doc has a
  malformed marker or a lint error; 0 when every doc is fresh.
- `refresh`: rewrite the stale docs in the workspace, for a later step to commit; exit 2
  only on errors.

Repository content is untrusted: every path and message is escaped for the workflow-command
syntax and for Markdown, and the summary's diff is cut to a bounded size.

Docs: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bot.cli.refresh import NO_DOCS, run_refresh, write_doc
from bot.core.lint import ERROR, Problem, lint_text
from bot.core.refresh import RefreshResult
from bot.service.diffs import unified_diff

MODES = ("check", "refresh")
# The summary file may hold 1 MiB per step; the diff gets a part of it and says when cut.
SUMMARY_DIFF_LIMIT = 60_000
DIFF_CUT = "… diff cut at {limit} characters; run `docs-refresh check` locally for all of it"
TITLE = "docs-refresh"
NO_BASE = (
    "No facts diff: the base commit {base} is not in this checkout."
    " Give `actions/checkout` `fetch-depth: 0` to see what changed in the facts."
)
FIX_STALE = (
    "Run `docs-refresh refresh` and commit the result, or run this action with"
    " `mode: refresh` and commit the workspace in a later step."
)
STATE_LINE = {
    ("check", True): "**Stale**: {count} doc(s) no longer match the code.",
    ("check", False): "**Fresh**: every data-flow doc matches the code.",
    ("refresh", True): "**Refreshed** {count} doc(s) in the workspace; commit them to keep them.",
    ("refresh", False): "**Fresh**: nothing to refresh.",
}
BROKEN = "**Errors** in {count} doc(s), left as they are (see Problems below)."


@dataclass(frozen=True, slots=True)
class Annotation:
    """One workflow command that GitHub shows on a file's line."""

    level: str  # error | warning | notice
    path: str
    line: int
    message: str

    def command(self) -> str:
        """`::error file=…,line=…,title=…::message`, escaped as the runner unescapes it."""
        props = f"file={_escape_property(self.path)},line={self.line},title={TITLE}"
        return f"::{self.level} {props}::{_escape_data(self.message)}"


def _escape_data(text: str) -> str:
    # The runner's own escaping (actions/toolkit `escapeData`): a newline would end the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # `escapeProperty`: also `:` and `,`, which separate properties.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations_for(
    result: RefreshResult, lint: Sequence[Problem], prefix: str = ""
) -> list[Annotation]:
    """Refresh errors first, then the lint findings on other lines, each once, sorted.

    `prefix` is the checked folder relative to the workspace: GitHub places annotations by
    paths from the repository root.
    """
    found: dict[tuple[str, int], Annotation] = {}
    for err in result.problems:
        path = err.path or "."
        key = (path, err.line or 1)
        found.setdefault(key, Annotation("error", prefix + path, err.line or 1, err.message))
    for problem in lint:
        level = "error" if problem.severity == ERROR else "warning"
        key = (problem.path, problem.line)
        found.setdefault(
            key, Annotation(level, prefix + problem.path, problem.line, problem.message)
        )
    return sorted(found.values(), key=lambda a: (a.path, a.line, a.level, a.message))


def lint_docs(root: Path, docs: Iterable[str]) -> list[Problem]:
    """The lint findings of each doc the refresh looked at (paths relative to `root`)."""
    problems: list[Problem] = []
    for doc in docs:
        try:
            text = (root / doc).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the refresh reports what it cannot read
        problems.extend(lint_text(text, doc))
    return problems


def summary_markdown(
    mode: str,
    result: RefreshResult,
    notes: Sequence[Annotation],
    *,
    base_note: str | None = None,
) -> str:
    """The job summary: the state, each doc, the facts diff, the problems, the diff.
    `base_note` is this module's own Markdown (any repository text in it already escaped)."""
    out = [f"## {TITLE} ({mode})\n\n"]
    if not result.docs and not result.problems:
        out.append(_md(NO_DOCS) + "\n")
        return "".join(out)
    stale = {c.path: c for c in result.changes}
    broken = {e.path or "." for e in result.problems}
    if broken:
        out.append(BROKEN.format(count=len(broken)) + " ")
    out.append(STATE_LINE[(mode, bool(stale))].format(count=len(stale)) + "\n\n")
    out.append("| doc | state | sections |\n|---|---|---|\n")
    for doc in sorted(set(result.docs) | broken | set(stale)):
        change = stale.get(doc)
        state = "error" if doc in broken else ("stale" if change else "fresh")
        if change is not None and mode == "refresh":
            state = "refreshed"
        sections = ", ".join(change.changed_sections) if change else ""
        out.append(f"| {_code(doc, table=True)} | {state} | {_md(sections)} |\n")
    out.append("\n")
    if result.facts_diff is not None:
        out.append(result.facts_diff.to_markdown() + "\n")
    elif base_note:
        out.append(base_note + "\n\n")
    if notes:
        out.append("### Problems\n\n")
        out += [f"- {_code(f'{a.path}:{a.line}')} {a.level}: {_md(a.message)}\n" for a in notes]
        out.append("\n")
    if stale and mode == "check":
        out.append(FIX_STALE + "\n\n")
    if stale:
        diff = "".join(unified_diff(c.path, c.old, c.new) for c in result.changes)
        if len(diff) > SUMMARY_DIFF_LIMIT:
            diff = diff[:SUMMARY_DIFF_LIMIT] + "\n" + DIFF_CUT.format(limit=SUMMARY_DIFF_LIMIT)
        fence = "`" * max(3, _longest_run(diff, "`") + 1)
        verb = "Diff" if mode == "check" else "What was rewritten"
        out.append(f"<details><summary>{verb}</summary>\n\n{fence}diff\n{diff}")
        out.append(("" if diff.endswith("\n") else "\n") + f"{fence}\n\n</details>\n")
    return "".join(out)


def _longest_run(text: str, char: str) -> int:
    best = run = 0
    for c in text:
        run = run + 1 if c == char else 0
        best = max(best, run)
    return best


def _md(text: str) -> str:
    """Repository text as inert Markdown: no HTML, no links, no emphasis."""
    out = []
    for c in text.replace("\r", " ").replace("\n", " "):
        out.append("\\" + c if c in "\\`*_[]<>|#!~&" else c)
    return "".join(out)


def _code(text: str, *, table: bool = False) -> str:
    """Inline code that no backtick in `text` can close early (in a table, no `|` either:
    GitHub splits cells before it reads code spans, and drops the backslash of `\\|`)."""
    text = text.replace("\r", " ").replace("\n", " ")
    if table:
        text = text.replace("|", "\\|")
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def event_base(event_name: str, event: Mapping[str, Any]) -> str | None:
    """The commit to compare facts with: a pull request's base, or what a push replaced."""
    if event_name in ("pull_request", "pull_request_target"):
        pull = event.get("pull_request")
        base = pull.get("base") if isinstance(pull, Mapping) else None
        sha = base.get("sha") if isinstance(base, Mapping) else None
    elif event_name == "push":
        sha = event.get("before")
    else:
        return None
    # A push that creates a branch has an all-zero `before`: there is nothing to compare with.
    return sha if isinstance(sha, str) and sha.strip("0") else None


def has_commit(root: Path, rev: str) -> bool:
    done = subprocess.run(
        ["git", "rev-parse", "--quiet", "--verify", f"{rev}^{{commit}}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _read_event(path: str | None) -> tuple[dict[str, Any], bool]:
    if not path:
        return {}, False
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return {}, False
    return (data, True) if isinstance(data, dict) else ({}, False)


def _prefix(root: Path, workspace: Path) -> str:
    try:
        rel = root.resolve().relative_to(workspace.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel + "/"


@click.command("action")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    envvar="INPUT_MODE",
    default="check",
    show_default=True,
    help="check: fail when stale; refresh: rewrite the docs in the workspace.",
)
@click.option(
    "--path",
    envvar="INPUT_PATH",
    default=".",
    show_default=True,
    help="The repository folder, relative to GITHUB_WORKSPACE.",
)
@click.option(
    "--base",
    envvar="INPUT_BASE",
    default="",
    help="Git revision to diff facts with (default: the event's base or `before`).",
)
def action(mode: str, path: str, base: str) -> None:
    """Run as a GitHub Actions step: annotations on stdout, a job summary, an exit code."""
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or ".")
    root = (workspace / path).resolve()
    if not root.is_dir():
        raise click.BadParameter(f"{root} is not a folder", param_hint="path")
    event, _ = _read_event(os.environ.get("GITHUB_EVENT_PATH"))
    wanted = base.strip() or event_base(os.environ.get("GITHUB_EVENT_NAME", ""), event)
    base_note = None
    if wanted and not has_commit(root, wanted):
        base_note, wanted = NO_BASE.format(base=_code(wanted[:12])), None
    result = run_refresh(root, base=wanted)
    notes = annotations_for(result, lint_docs(root, result.docs), _prefix(root, workspace))
    for note in notes:
        click.echo(note.command())
    if mode == "refresh":
        for change in result.changes:
            write_doc(root, change.path, change.new)  # never through a symlink
            click.echo(f"refreshed {change.path}")
    elif result.changes:
        click.echo("::group::docs-refresh diff")
        for change in result.changes:
            click.echo(unified_diff(change.path, change.old, change.new), nl=False)
        click.echo("::endgroup::")
    if not result.docs and not result.problems:
        click.echo(f"docs-refresh: {NO_DOCS}", err=True)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as out:
            out.write(summary_markdown(mode, result, notes, base_note=base_note))
    errors = any(n.level == "error" for n in notes)
    if mode == "check" and (result.changes or errors):
        sys.exit(1)
    if mode == "refresh" and result.problems:
        sys.exit(2)
