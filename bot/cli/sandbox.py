"""`docs-refresh sandbox`: run the GitHub-compatible sandbox in the foreground."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from bot.sandbox import DEFAULT_WEBHOOK_SECRET, start_sandbox

BAD_REPO = "--repo takes OWNER/NAME=PATH, got {value!r}"
BAD_FORK = "--fork takes FORK=PARENT (both given with --repo), got {value!r}"
READY = "sandbox ready at {url} (Ctrl-C to stop)"


def _parse_repos(values: tuple[str, ...]) -> dict[str, Path]:
    repos: dict[str, Path] = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or name.count("/") != 1 or not path:
            raise click.BadParameter(BAD_REPO.format(value=value), param_hint="--repo")
        repos[name] = Path(path).expanduser().resolve()
    return repos


@click.command("sandbox")
@click.option(
    "--repo",
    "repos",
    multiple=True,
    required=True,
    metavar="OWNER/NAME=PATH",
    help="Serve the git repository at PATH as OWNER/NAME (repeatable).",
)
@click.option(
    "--fork",
    "forks",
    multiple=True,
    metavar="FORK=PARENT",
    help="Mark the --repo FORK as a fork of PARENT (repeatable).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=0, show_default=True, help="Port to bind; 0 picks a free one.")
@click.option("--webhook-url", default=None, help="Where to deliver webhooks (the bot's /webhook).")
@click.option(
    "--webhook-secret",
    default=DEFAULT_WEBHOOK_SECRET,
    show_default=True,
    help="Secret that signs deliveries (X-Hub-Signature-256).",
)
@click.option(
    "--api-webhooks",
    is_flag=True,
    help="Also deliver the webhooks the app's own API writes cause, as GitHub does.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keeps the app key pair across runs (default: a new temporary directory).",
)
def sandbox(
    repos: tuple[str, ...],
    forks: tuple[str, ...],
    host: str,
    port: int,
    webhook_url: str | None,
    webhook_secret: str,
    api_webhooks: bool,
    data_dir: Path | None,
) -> None:
    """Serve local git repositories through a GitHub-compatible REST API.

    Prints one JSON line on stdout when ready: api_url, app_id, installation_id,
    private_key_path, webhook_secret. Point the bot at it with GITHUB_API_URL=api_url,
    APP_ID, PRIVATE_KEY_PATH and WEBHOOK_SECRET. Refs the bot moves are moved in the
    repositories themselves: serve a clone if that matters.
    """
    served = _parse_repos(repos)
    fork_map: dict[str, str] = {}
    for value in forks:
        fork, sep, parent = value.partition("=")
        if not sep or fork not in served or parent not in served:
            raise click.BadParameter(BAD_FORK.format(value=value), param_hint="--fork")
        fork_map[fork] = parent
    handle = start_sandbox(
        served,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        data_dir=data_dir,
        host=host,
        port=port,
        forks=fork_map,
        api_webhooks=api_webhooks,
    )
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    click.echo(json.dumps(handle.info()))
    click.echo(READY.format(url=handle.api_url), err=True)
    try:
        stop.wait()
    finally:
        handle.stop()
