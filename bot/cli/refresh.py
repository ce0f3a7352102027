"""`docs-refresh refresh|check|init|facts`: the refresh engine on a local checkout.

The same pure core the GitHub App runs, with the working tree as the snapshot and files on
disk as the output. Exit codes follow `bot.cli`: 0 fresh/done, 1 stale (check), 2 errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from bot.catalog_file import default_catalog
from bot.core.analysis import analyze
from bot.core.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.core.facts_cache import MemoryFactsCache
from bot.core.refresh import DOC_ROOTS, RefreshResult, refresh
from bot.core.scaffold import SCAFFOLD_PATH, scaffold_data_flow
from bot.core.snapshot import FileEntry, Snapshot, git_blob_sha
from bot.defaults_file import default_repo_config
from bot.diffs import unified_diff
from bot.git_revision import RevisionSnapshot
from bot.local import LocalSnapshot

PROGRESS_MIN_FILES = 200  # below this a scan is instant; a bar would only flicker

FRESH = "docs are fresh: {docs}"
NO_DOCS = (
    "no doc with an agent-update:start:data-flow block under docs/ or .context/;"
    " run `docs-refresh init` to create docs/data-flow.md"
)
STALE = "docs are stale: {docs}; run `docs-refresh refresh` to update them"
WROTE = "refreshed {path} ({sections})"
WOULD_WRITE = "would refresh {path} ({sections})"
REPAIRED = "repaired {path}: {note}"
INIT_EXISTS = "{path} already has a data-flow block; nothing to do (run `docs-refresh refresh`)"
INIT_WROTE = "created {path}"
SCANNING = "scanning"


def load_config(root: Path) -> RepoConfig:
    """The repository's `.github/docs-refresh.yml` over the product defaults."""
    defaults = default_repo_config()
    config_file = root / CONFIG_PATH
    if not config_file.is_file():
        return defaults
    return parse_repo_config(config_file.read_text("utf-8"), CONFIG_PATH, defaults)


class _Overlay:
    """A snapshot plus docs on disk it does not list (untracked in git, e.g. just created).

    Only docs are added, never code: the analysis sees exactly what git tracks.
    """

    def __init__(self, inner: Snapshot, extra: Mapping[str, bytes]) -> None:
        self._inner = inner
        self._extra = dict(extra)
        listed = {e.path: e for e in inner.entries()}
        for path, data in self._extra.items():
            listed[path] = FileEntry(path, git_blob_sha(data), len(data))
        self._entries = tuple(sorted(listed.values()))
        self.bar: Any = None

    @property
    def source(self) -> str | None:
        return None if self._extra else self._inner.source

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        if self.bar is not None:
            self.bar.update(1)
        if path in self._extra:
            return self._extra[path]
        return self._inner.read(path)


def local_snapshot(root: Path, config: RepoConfig) -> _Overlay:
    inner = LocalSnapshot(root)
    listed = {e.path for e in inner.entries()}
    wanted: list[Path] = []
    if config.docs is not None:
        wanted = [root / p for p in config.docs]
    else:
        for folder in DOC_ROOTS:
            if (root / folder).is_dir():
                wanted += sorted((root / folder).rglob("*.md"))
    extra = {}
    for file in wanted:
        rel = file.relative_to(root).as_posix()
        if rel not in listed and file.is_file() and not file.is_symlink():
            extra[rel] = file.read_bytes()
    return _Overlay(inner, extra)


@contextmanager
def _progress(snapshot: _Overlay) -> Iterator[None]:
    total = len(snapshot.entries())
    if not sys.stderr.isatty() or total < PROGRESS_MIN_FILES:
        yield
        return
    with click.progressbar(length=total, label=SCANNING, file=sys.stderr) as bar:
        snapshot.bar = bar
        try:
            yield
        finally:
            snapshot.bar = None


def run_refresh(root: Path, *, force: bool = False, base: str | None = None) -> RefreshResult:
    """The engine on the checkout at `root`; `base` (a git revision) adds a facts summary."""
    config = load_config(root)
    snapshot = local_snapshot(root, config)
    base_snapshot = RevisionSnapshot(root, base) if base else None
    with _progress(snapshot):
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
root_argument = click.argument(
    "path",
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
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
            # Bytes, not text mode: the doc's own line endings are kept as generated.
            (root / change.path).write_bytes(change.new.encode("utf-8"))
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
    if result.changes:
        for change in result.changes:
            click.echo(unified_diff(change.path, change.old, change.new), nl=False)
        stale = ", ".join(c.path for c in result.changes)
        click.echo(f"docs-refresh: {STALE.format(docs=stale)}", err=True)
        sys.exit(1)
    click.echo(f"docs-refresh: {FRESH.format(docs=', '.join(result.docs))}", err=True)


@click.command("init")
@root_argument
def init_command(path: Path) -> None:
    """Create docs/data-flow.md with ai-coders-context markers when PATH has no data-flow doc."""
    root = path.resolve()
    existing = run_refresh(root)
    _report(existing)
    if existing.docs or existing.problems:
        click.echo(INIT_EXISTS.format(path=", ".join(existing.docs) or "this repository"), err=True)
        sys.exit(2 if existing.problems else 0)
    target = root / SCAFFOLD_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(scaffold_data_flow().encode("utf-8"))
    result = run_refresh(root)
    _report(result)
    for change in result.changes:
        (root / change.path).write_bytes(change.new.encode("utf-8"))
    click.echo(INIT_WROTE.format(path=SCAFFOLD_PATH), err=True)


@click.command("facts")
@root_argument
@click.option(
    "--json", "as_json", is_flag=True, help="Print the facts as JSON (docs/facts-schema.md)."
)
def facts_command(path: Path, as_json: bool) -> None:
    """Print what the analysis finds in the repository at PATH, with evidence."""
    overlay = _Overlay(LocalSnapshot(path.resolve()), {})
    with _progress(overlay):
        facts = analyze(overlay, MemoryFactsCache(), default_catalog())
    if as_json:
        click.echo(json.dumps(facts.to_json(), indent=2, ensure_ascii=False))
        return
    data = facts.to_json()
    click.echo(f"source: {facts.source or '(working tree)'}")
    for key in list(data)[2:]:
        names = [item.get("name") or f"{item['source']} -> {item['target']}" for item in data[key]]
        click.echo(f"{key} ({len(names)}): {', '.join(names) if names else 'none detected'}")
