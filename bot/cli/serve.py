"""`docs-refresh serve | worker | run`: the GitHub App's processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bot.app import logs
from bot.settings import Settings

GUNICORN_CONFIG = "config/gunicorn.conf.py"
NO_GUNICORN_CONFIG = "cannot find {path}: run from the project folder or pass --config"


def _config_path(given: str | None) -> str:
    for candidate in (given, GUNICORN_CONFIG, Path(__file__).parents[2] / GUNICORN_CONFIG):
        if candidate is not None and Path(candidate).is_file():
            return str(candidate)
    raise click.UsageError(NO_GUNICORN_CONFIG.format(path=given or GUNICORN_CONFIG))


@click.command()
@click.option("--config", "config", default=None, help="gunicorn config file.")
def serve(config: str | None) -> None:
    """Run the web process: gunicorn with config/gunicorn.conf.py, binding $PORT."""
    Settings.from_env()  # refuse to start without WEBHOOK_SECRET, with the message
    args = [sys.executable, "-m", "gunicorn", "--config", _config_path(config), "bot.app.wsgi:app"]
    os.execv(sys.executable, args)  # noqa: S606 - replace this process: signals reach gunicorn


@click.command()
@click.option("--threads", type=int, default=None, help="Jobs run at once (WORKER_THREADS).")
def worker(threads: int | None) -> None:
    """Run the worker: the huey consumer that runs refresh jobs."""
    from bot.app.tasks import build_queue

    settings = Settings.from_env()
    settings.require_github()  # refuse now, not at the first job
    logs.configure(settings.log_level)
    queue = build_queue(settings)
    queue.consumer(threads).run()


@click.command()
@click.option("--threads", type=int, default=None, help="Jobs run at once (WORKER_THREADS).")
def run(threads: int | None) -> None:
    """Run web and worker in one process: the embedded default for one machine."""
    from bot.app.embedded import Embedded

    settings = Settings.from_env()
    settings.require_github()
    logs.configure(settings.log_level)
    Embedded(settings, threads).run()


__all__ = ["run", "serve", "worker"]
