"""`docs-refresh setup`: create the GitHub App from its manifest in one click (see
`bot.cli.app_setup` for the flow and what it writes)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.app_setup import GITHUB_URL, MANIFEST_PATH, SetupOptions, SetupServer

OPEN = "Open {url} in a browser and press the button (Ctrl-C to stop)."
WROTE = "Wrote {target}; the private key is {key}. Install the App, then run `docs-refresh run`."


@click.command("setup")
@click.option("--org", default=None, help="Create the App for this organization (default: you).")
@click.option(
    "--github-url",
    default=GITHUB_URL,
    show_default=True,
    help="GitHub's web address: a GitHub Enterprise Server, or the sandbox.",
)
@click.option(
    "--api-url",
    default=None,
    help="Its REST API (default: api.github.com, or <github-url>/api/v3).",
)
@click.option("--webhook-url", default=None, help="Where the bot's /webhook answers (or later).")
@click.option("--name", default=None, help="The App's name (default: the manifest's).")
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="The dotenv file to write; the private key goes beside it.",
)
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=MANIFEST_PATH,
    help="The App manifest (default: config/app-manifest.yml).",
)
@click.option("--overwrite", is_flag=True, help="Replace values .env already has without asking.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface for the page.")
@click.option("--port", default=3000, show_default=True, help="Port for the page (0: any free).")
def setup(
    org: str | None,
    github_url: str,
    api_url: str | None,
    webhook_url: str | None,
    name: str | None,
    env_file: Path,
    manifest: Path,
    overwrite: bool,
    host: str,
    port: int,
) -> None:
    """Serve a page with one button that creates the GitHub App from its manifest.

    GitHub sends the browser back here with a code, traded for the App's id, private key
    and webhook secret: APP_ID, PRIVATE_KEY_PATH and WEBHOOK_SECRET go into .env (a value
    already there is replaced only when you confirm on the page, or with --overwrite).
    """
    options = SetupOptions(
        github_url=github_url,
        api_url=api_url,
        org=org,
        webhook_url=webhook_url,
        name=name,
        env_path=env_file,
        overwrite=overwrite,
        manifest_path=manifest,
    )
    with SetupServer(options, host, port) as server:
        click.echo(OPEN.format(url=server.url), err=True)
        try:
            while not server.wait(0.5):
                pass
        except KeyboardInterrupt:
            raise click.Abort() from None
        click.echo(
            WROTE.format(target=server.state.written_to, key=server.state.key_path), err=True
        )
