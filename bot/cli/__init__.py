"""`docs-refresh` command line. Each feature module owns its commands; this composes them.

This is the one place that turns the error family into exit codes:
0 clean, 1 problems found (stale docs, lint findings), 2 errors (usage, bad input, setup).
An entry layer beside `bot.app`: may import every layer below (`serve` and `demo` start the
App's processes); nothing imports it.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
from typing import Any

import click

from bot import __version__
from bot.core.errors import DocsRefreshError

# (module, attribute): each module defines click commands; order is the --help order.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("bot.cli.refresh", "refresh_command"),
    ("bot.cli.refresh", "check_command"),
    ("bot.cli.refresh", "init_command"),
    ("bot.cli.facts", "facts_command"),
    ("bot.cli.lint", "lint"),
    ("bot.cli.action", "action"),
    ("bot.cli.serve", "serve"),
    ("bot.cli.serve", "worker"),
    ("bot.cli.serve", "run"),
    ("bot.cli.demo", "demo"),
    ("bot.cli.sandbox", "sandbox"),
    ("bot.cli.setup", "setup"),
)


class _LazyGroup(click.Group):
    """Imports a command's module only when that command runs: `docs-refresh facts` need not
    load Flask, the sandbox and PyGithub (about 0.4 s of a whole run). A command's name is
    its attribute without `_command`; `commands` (help, tests) still loads them all."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded = False

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        if not self._loaded:
            self._loaded = True
            for module, attr in COMMANDS:
                self.add_command(getattr(importlib.import_module(module), attr))
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if not self._loaded:
            for module, attr in COMMANDS:
                if attr.removesuffix("_command") == cmd_name:
                    command = getattr(importlib.import_module(module), attr)
                    if isinstance(command, click.Command) and command.name == cmd_name:
                        return command
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [attr.removesuffix("_command") for _module, attr in COMMANDS]


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="docs-refresh")
def cli() -> None:
    """Keep ai-coders-context architecture docs true to the code."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    # At exit the interpreter's collections walk every object the run kept (~35 ms of CPU
    # after a networkx `facts`) to free memory the OS takes back anyway; frozen objects are
    # skipped. Registered again, not twice, when called more than once in one process.
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)
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
