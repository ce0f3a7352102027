"""`docs-refresh facts`: what the analysis finds in a local checkout, with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli.snapshots import Overlay, progress, root_argument
from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.local.catalog_file import default_catalog
from bot.local.checkout import LocalSnapshot


@click.command("facts")
@root_argument
@click.option(
    "--json", "as_json", is_flag=True, help="Print the facts as JSON (docs/facts-schema.md)."
)
def facts_command(path: Path, as_json: bool) -> None:
    """Print what the analysis finds in the repository at PATH, with evidence."""
    overlay = Overlay(LocalSnapshot(path.resolve()), {})
    with progress(overlay):
        facts = analyze(overlay, MemoryFactsCache(), default_catalog())
    if as_json:
        click.echo(json.dumps(facts.to_json(), indent=2, ensure_ascii=False))
        return
    data = facts.to_json()
    click.echo(f"source: {facts.source or '(working tree)'}")
    for key in list(data)[2:]:
        names = [item.get("name") or f"{item['source']} -> {item['target']}" for item in data[key]]
        click.echo(f"{key} ({len(names)}): {', '.join(names) if names else 'none detected'}")
