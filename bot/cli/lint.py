"""`docs-refresh lint`: read documents, print their problems; never writes."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import click

from bot.cli.diagrams import NOT_CHECKED, available, diagram_problems
from bot.cli.refresh import load_config
from bot.core.documents import may_be_data_flow_doc
from bot.core.errors import ConfigError
from bot.core.lint import Problem, lint_text
from bot.local.defaults_file import default_repo_config

DEFAULT_FOLDERS = ("docs", ".context")
SKIPPED_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__"})
NOT_UTF8 = "not valid UTF-8 ({reason}); docs must be UTF-8 text"
NOTHING_FOUND = (
    "docs-refresh lint: no documents with agent-update markers or a data-flow front matter found"
)
SUMMARY = "docs-refresh lint: {problems} problem(s) in {files} of {checked} document(s)"

# Cheap pre-filter for folder walks; the real marker check happens in lint_text.
_HAS_MARKERS = re.compile(r"<!--\s*agent-update:")


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def lint(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    """Check data-flow docs for malformed markers or front matter, LLM damage, hand edits
    and Mermaid diagrams that do not parse (where mermaidx is installed).

    PATHS are files or folders (default: docs/ and .context/). A folder is searched for
    .md files with agent-update markers (v1) or a data-flow front matter (v2, dotcontext);
    a file is always checked. Prints one
    `path:line: message` per problem. Exit status: 0 clean, 1 problems, 2 usage error.
    """
    roots = paths or tuple(Path(f) for f in DEFAULT_FOLDERS if Path(f).is_dir())
    checked = 0
    problems: list[Problem] = []
    headings = _heading_ids()
    for path in documents(roots):
        checked += 1
        problems.extend(lint_file(path, headings))
    for problem in problems:
        click.echo(str(problem))
    if checked and not available():
        click.echo(f"docs-refresh lint: {NOT_CHECKED}", err=True)
    if not checked:
        click.echo(NOTHING_FOUND, err=True)
    if problems:
        files = len({p.path for p in problems})
        click.echo(SUMMARY.format(problems=len(problems), files=files, checked=checked), err=True)
        ctx.exit(1)


def documents(roots: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the marked .md files under folders, each once, in order."""
    seen: set[Path] = set()
    for root in roots:
        found = [root] if root.is_file() else _marked(root)
        for path in found:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                yield path


def _marked(folder: Path) -> list[Path]:
    out: list[Path] = []
    if folder.is_symlink():
        return out  # a folder given as a link is not searched: `docs -> /` walks no disk
    for path in sorted(_markdown_under(folder)):
        if SKIPPED_DIRS.intersection(path.relative_to(folder).parts) or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if _HAS_MARKERS.search(text) or may_be_data_flow_doc(text, path.as_posix()):
            out.append(path)
    return out


def _markdown_under(folder: Path) -> Iterator[Path]:
    """The .md files under `folder`, never through a symlink (os.walk does not follow)."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            if name.endswith(".md") and not os.path.islink(os.path.join(dirpath, name)):
                yield Path(dirpath, name)


def _heading_ids() -> dict[str, str]:
    """Translated v2 headings: the config of the repository lint runs in, else the defaults
    (a broken config is `check`'s to report, with its line)."""
    try:
        return load_config(Path.cwd()).heading_ids()
    except ConfigError:
        return default_repo_config().heading_ids()


def lint_file(path: Path, headings: Mapping[str, str] | None = None) -> list[Problem]:
    data = path.read_bytes()
    try:
        # Bytes decoded as-is: no newline translation, a BOM stays a character.
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return [
            Problem(
                str(path), data.count(b"\n", 0, err.start) + 1, NOT_UTF8.format(reason=err.reason)
            )
        ]
    return sorted(lint_text(text, str(path), headings) + diagram_problems(text, str(path)))
