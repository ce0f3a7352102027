"""`docs-refresh demo`: the whole app against the sandbox, in one command.

It serves `examples/shop` (a shop whose LLM-written data-flow doc went stale) from a local
GitHub sandbox, starts the bot (web + embedded SQLite queue) pointed at it, commits a code
change that adds an integration as a person would, lets the sandbox deliver the signed
push webhook, waits for the bot's pull request and prints its title, body and diff.
Exit 0 only when that pull request really exists in the sandbox.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import click

import bot

EXAMPLE = Path(bot.__file__).resolve().parents[1] / "examples" / "shop"
REPO = "octo/shop"
BOT_BRANCH = "docs-refresh/main"
CHANGE = {
    "requirements.txt": None,  # filled from the example, plus one line
    "shop/mail.py": (
        '"""Order confirmation emails through SendGrid."""\n\n'
        "import os\n\nimport sendgrid\nfrom sendgrid.helpers.mail import Mail\n\n\n"
        "def send_confirmation(order_id: int, to: str) -> None:\n"
        '    client = sendgrid.SendGridAPIClient(os.environ["SENDGRID_API_KEY"])\n'
        '    client.send(Mail(to_emails=to, subject=f"Order {order_id}"))\n'
    ),
}
NO_EXAMPLE = "the example repository {path} is missing; run the demo from a source checkout"
TIMED_OUT = "no pull request from {branch} after {seconds:.0f}s; the bot's log is above"


@click.command()
@click.option("--timeout", default=90.0, show_default=True, help="Seconds to wait for the PR.")
@click.option(
    "--write-interval",
    default=1.0,
    show_default=True,
    help="Seconds between the bot's writes (GitHub asks for one).",
)
@click.option("--keep", is_flag=True, help="Keep the temporary folder and print its path.")
def demo(timeout: float, write_interval: float, keep: bool) -> None:
    """Run the bot against a local GitHub sandbox and show the pull request it opens."""
    if not EXAMPLE.is_dir():
        raise click.ClickException(NO_EXAMPLE.format(path=EXAMPLE))
    work = Path(tempfile.mkdtemp(prefix="docs-refresh-demo-"))
    try:
        code = _run(work, timeout, write_interval)
    finally:
        if keep:
            click.echo(f"kept {work}", err=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    raise click.exceptions.Exit(code)


def _run(work: Path, timeout: float, write_interval: float) -> int:
    from bot.sandbox.server import start_sandbox

    repo = _example_repo(work / "shop")
    with start_sandbox({REPO: repo}, data_dir=work / "sandbox") as sb:
        url, stop_bot = start_bot(sb, work / "bot", write_interval)
        try:
            sb.webhook_url = f"{url}/webhook"
            click.echo(f"sandbox {sb.api_url} · bot {url}", err=True)
            requirements = (repo / "requirements.txt").read_text(encoding="utf-8")
            files = dict(CHANGE, **{"requirements.txt": requirements + "sendgrid==6.11.0\n"})
            push = sb.admin(
                "POST",
                f"/_sandbox/repos/{REPO}/commits",
                {"branch": "main", "files": files, "user": "ada", "message": "Email orders"},
            )
            statuses = [d.get("status") for d in push.get("deliveries", [])]
            click.echo(
                f"pushed {push['after'][:12]} (add SendGrid); webhook → {statuses}", err=True
            )
            pr = wait_for_pull(sb, timeout)
        finally:
            stop_bot()
        if pr is None:
            click.echo(TIMED_OUT.format(branch=BOT_BRANCH, seconds=timeout), err=True)
            return 1
        git = sb.store.repos[REPO].git
        diff = git.git("diff", f"{pr['base']['sha']}...{pr['head']['sha']}").decode()
        click.echo(f"# {pr['title']}\n\n{pr['html_url']}\n\n{pr['body']}\n")
        click.echo(diff)
        return 0


def _example_repo(path: Path) -> Path:
    shutil.copytree(EXAMPLE, path, ignore=shutil.ignore_patterns("__pycache__", ".git"))
    env = {
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(path),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-qm", "shop")):
        subprocess.run(["git", *args], cwd=path, env=env, check=True, capture_output=True)
    return path


def start_bot(sb: Any, data_dir: Path, write_interval: float) -> tuple[str, Any]:
    """The bot's web app and worker threads in this process, on the embedded SQLite queue."""
    from werkzeug.serving import make_server

    from bot.app.tasks import build_queue
    from bot.app.web import create_app
    from bot.settings import Settings

    settings = Settings(
        webhook_secret=sb.webhook_secret,
        app_id=sb.app_id,
        private_key=sb.private_key_pem,
        github_api_url=sb.api_url,
        data_dir=data_dir,
        log_level="WARNING",
        github_write_interval=write_interval,
    )
    queue = build_queue(settings)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the output
    server = make_server("127.0.0.1", 0, create_app(settings, queue=queue), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="demo-bot", daemon=True)
    thread.start()
    consumer = queue.consumer(2)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()

    def stop() -> None:
        consumer.stop(graceful=True)
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.port}", stop


def wait_for_pull(sb: Any, timeout: float) -> dict[str, Any] | None:
    import requests

    deadline = time.monotonic() + timeout
    url = f"{sb.api_url}/repos/{REPO}/pulls"
    headers = {"Authorization": f"token {_token(sb)}"}
    while time.monotonic() < deadline:
        found = requests.get(
            url, params={"head": f"octo:{BOT_BRANCH}"}, headers=headers, timeout=10
        )
        if found.ok and found.json():
            pull: dict[str, Any] = found.json()[0]
            return pull
        time.sleep(0.5)
    return None


def _token(sb: Any) -> str:
    from bot.github.auth import ClientOptions, TokenCache

    return TokenCache(sb.app_id, sb.private_key_pem, ClientOptions(api_url=sb.api_url)).token(
        sb.installation_id
    )
