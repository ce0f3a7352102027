"""`docs-refresh refresh|check|init`: the refresh engine on a local checkout.

The same pure core the GitHub App runs, with the working tree as the snapshot and files on
disk as the output. Exit codes follow `bot.cli`: 0 fresh/done, 1 stale (check), 2 errors.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from bot.cli.snapshots import Overlay, progress, root_argument
from bot.core.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.core.errors import ConfigError, SetupError
from bot.core.facts_cache import MemoryFactsCache
from bot.core.refresh import DOC_ROOTS, RefreshResult, refresh
from bot.core.scaffold import FORMATS, SCAFFOLD_PATHS, V1, V2, scaffold_doc
from bot.local.catalog_file import default_catalog
from bot.local.checkout import LocalSnapshot, inside, walk_docs
from bot.local.defaults_file import default_repo_config
from bot.local.git_revision import RevisionSnapshot
from bot.service.diffs import unified_diff

FRESH = "docs are fresh: {docs}"
NO_DOCS = (
    "no data-flow doc under docs/ or .context/ (an agent-update:start:data-flow block, or"
    " front matter with `name: data-flow`); run `docs-refresh init` to create one"
)
STALE = "docs are stale: {docs}; run `docs-refresh refresh` to update them"
WROTE = "refreshed {path} ({sections})"
WOULD_WRITE = "would refresh {path} ({sections})"
REPAIRED = "repaired {path}: {note}"
INIT_EXISTS = "{path} already has a data-flow doc; nothing to do (run `docs-refresh refresh`)"
INIT_WROTE = "created {path}"
UNTRACKED = (
    "counted {count} file(s) git does not track yet, as the working tree has them: {paths};"
    " `git add` them, or list them in .gitignore to leave them out"
)
UNTRACKED_SHOWN = 5
NOT_UTF8 = "not valid UTF-8 (byte {start}); save the file as UTF-8"
OUTSIDE = "{path} goes through a symlink; docs-refresh writes only inside the checkout"


def load_config(root: Path) -> RepoConfig:
    """The repository's `.github/docs-refresh.yml` over the product defaults."""
    defaults = default_repo_config()
    config_file = inside(root, CONFIG_PATH)  # never through a symlink
    if config_file is None or not config_file.is_file():
        return defaults
    data = config_file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(NOT_UTF8.format(start=err.start), path=CONFIG_PATH) from None
    return parse_repo_config(text, CONFIG_PATH, defaults)


def local_snapshot(root: Path, config: RepoConfig) -> Overlay:
    inner = LocalSnapshot(root)
    if inner.untracked:
        shown = ", ".join(inner.untracked[:UNTRACKED_SHOWN])
        more = len(inner.untracked) - UNTRACKED_SHOWN
        paths = shown + (f" and {more} more" if more > 0 else "")
        click.echo(
            f"docs-refresh: {UNTRACKED.format(count=len(inner.untracked), paths=paths)}", err=True
        )
    listed = {e.path for e in inner.entries()}
    wanted: list[str] = []
    if config.docs is not None:
        wanted = list(config.docs)
    else:
        for folder in DOC_ROOTS:
            wanted += walk_docs(root, folder)  # never through a symlink
    extra = {}
    for rel in wanted:
        file = inside(root, rel)
        if rel not in listed and file is not None and file.is_file():
            extra[rel] = file.read_bytes()
    return Overlay(inner, extra)


def write_doc(root: Path, rel: str, text: str) -> None:
    """Write a doc inside the checkout; a path through a symlink is refused."""
    target = inside(root, rel)
    if target is None:
        raise SetupError(OUTSIDE.format(path=rel))
    # Bytes, not text mode: the doc's own line endings are kept as generated.
    target.write_bytes(text.encode("utf-8"))


def run_refresh(root: Path, *, force: bool = False, base: str | None = None) -> RefreshResult:
    """The engine on the checkout at `root`; `base` (a git revision) adds a facts summary."""
    config = load_config(root)
    snapshot = local_snapshot(root, config)
    base_snapshot = RevisionSnapshot(root, base) if base else None
    with progress(snapshot):
        return refresh(
            snapshot,
            config,
            cache=MemoryFactsCache(),  # one cache: the base costs only the blobs that differ
            catalog=default_catalog(),
            force=force,
            base=base_snapshot,
        )


def _report(result: RefreshResult) -> None:
    for problem in result.problems:
        click.echo(f"docs-refresh: {problem}", err=True)
    for note in result.notes:
        click.echo(f"docs-refresh: {note}", err=True)
    if result.facts_diff is not None:
        click.echo(result.facts_diff.to_markdown(), err=True, nl=False)


def _sections(slugs: Sequence[str]) -> str:
    return ", ".join(slugs) or "repairs only"


base_option = click.option(
    "--base",
    metavar="REV",
    help="Also say what changed in the facts since this git revision (e.g. HEAD, origin/main).",
)


@click.command("refresh")
@root_argument
@click.option("--dry-run", is_flag=True, help="Print the diff instead of writing files.")
@click.option("--force", is_flag=True, help="Overwrite generated text a person has edited.")
@base_option
def refresh_command(path: Path, dry_run: bool, force: bool, base: str | None) -> None:
    """Regenerate the data-flow docs of the repository at PATH (default: here) in place."""
    root = path.resolve()
    result = run_refresh(root, force=force, base=base)
    _report(result)
    if not result.docs and not result.problems:
        click.echo(f"docs-refresh: {NO_DOCS}", err=True)
    for change in result.changes:
        if dry_run:
            click.echo(unified_diff(change.path, change.old, change.new), nl=False)
            message = WOULD_WRITE
        else:
            write_doc(root, change.path, change.new)
            message = WROTE
        click.echo(
            message.format(path=change.path, sections=_sections(change.changed_sections)), err=True
        )
        for note in change.repairs:
            click.echo(REPAIRED.format(path=change.path, note=note), err=True)
    if result.problems:
        sys.exit(2)


@click.command("check")
@root_argument
@base_option
def check_command(path: Path, base: str | None) -> None:
    """Exit 0 when the data-flow docs at PATH are fresh, 1 (with a diff) when stale, 2 on errors."""
    result = run_refresh(path.resolve(), base=base)
    _report(result)
    if result.problems:
        sys.exit(2)
    if not result.docs:
        click.echo(f"docs-refresh: {NO_DOCS}", err=True)
        return
    broken = _broken_diagrams(path.resolve(), result.docs)
    if broken:
        sys.exit(2)
    if result.changes:
        for change in result.changes:
            click.echo(unified_diff(change.path, change.old, change.new), nl=False)
        stale = ", ".join(c.path for c in result.changes)
        click.echo(f"docs-refresh: {STALE.format(docs=stale)}", err=True)
        sys.exit(1)
    click.echo(f"docs-refresh: {FRESH.format(docs=', '.join(result.docs))}", err=True)


def _broken_diagrams(root: Path, docs: Sequence[str]) -> int:
    """Print each Mermaid diagram of `docs` that does not parse; how many there were."""
    from bot.cli.diagrams import NOT_CHECKED, available, diagram_problems

    if not available():
        click.echo(f"docs-refresh: {NOT_CHECKED}", err=True)
        return 0
    count = 0
    for doc in docs:
        text = (root / doc).read_bytes().decode("utf-8", "replace")
        for problem in diagram_problems(text, doc):
            click.echo(str(problem), err=True)
            count += 1
    return count


@click.command("init")
@root_argument
@click.option(
    "--format",
    "doc_format",
    type=click.Choice(FORMATS),
    default=None,
    help="v2: dotcontext's front matter and headings in .context/docs/data-flow.md; v1:"
    " agent-update markers in docs/data-flow.md. Default: v1 when the repository already"
    " has agent-update docs, else v2.",
)
def init_command(path: Path, doc_format: str | None) -> None:
    """Create a data-flow doc, filled from the code, when PATH has none."""
    root = path.resolve()
    existing = run_refresh(root)
    _report(existing)
    if existing.docs or existing.problems:
        click.echo(INIT_EXISTS.format(path=", ".join(existing.docs) or "this repository"), err=True)
        sys.exit(2 if existing.problems else 0)
    chosen = doc_format or (V1 if _has_marker_docs(root) else V2)
    target = SCAFFOLD_PATHS[chosen]
    paths = tuple(e.path for e in LocalSnapshot(root).entries())
    today = datetime.date.today().isoformat()  # dotcontext stamps `generated:`; the core can't
    text = scaffold_doc(existing.facts, paths, chosen, generated=today)
    file = inside(root, target)  # never through a symlink
    if file is None:
        raise SetupError(OUTSIDE.format(path=target))
    file.parent.mkdir(parents=True, exist_ok=True)
    write_doc(root, target, text)
    click.echo(INIT_WROTE.format(path=target), err=True)


def _has_marker_docs(root: Path) -> bool:
    """Where a team already uses agent-update markers, a new doc keeps their layout."""
    for folder in DOC_ROOTS:
        for rel in walk_docs(root, folder):  # never through a symlink
            file = inside(root, rel)
            if file is not None and file.is_file() and b"agent-update:start" in file.read_bytes():
                return True
    return False
