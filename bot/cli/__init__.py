"""`docs-refresh` command line. Each feature module owns its commands; this composes them.

This is the one place that turns the error family into exit codes:
0 clean, 1 problems found (stale docs, lint findings), 2 errors (usage, bad input, setup).
"""

from __future__ import annotations

import importlib
import sys

import click

from bot import __version__
from bot.core.errors import DocsRefreshError

# (module, attribute): each module defines click commands; order is the --help order.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("bot.cli.refresh", "refresh_command"),
    ("bot.cli.refresh", "check_command"),
    ("bot.cli.refresh", "init_command"),
    ("bot.cli.refresh", "facts_command"),
    ("bot.cli.lint", "lint"),
    ("bot.cli.serve", "serve"),
    ("bot.cli.serve", "worker"),
    ("bot.cli.serve", "run"),
    ("bot.cli.demo", "demo"),
    ("bot.cli.sandbox", "sandbox"),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docs-refresh")
def cli() -> None:
    """Keep ai-coders-context architecture docs true to the code."""


for _module, _attr in COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        # Without standalone mode click returns a command's `ctx.exit(code)` instead of exiting.
        code = cli.main(args=argv, prog_name="docs-refresh", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except click.ClickException as err:  # usage errors: click's own message, exit 2
        err.show()
        sys.exit(2)
    except click.Abort:
        sys.exit(130)
    except DocsRefreshError as err:
        click.echo(f"docs-refresh: {err}", err=True)
        sys.exit(2)
