"""The App setup flow in a real headless browser (Chromium + chromedriver, driven by
Selenium) against the sandbox, then the bot started from the `.env` it wrote.

Skipped, with the reason, where Chromium or chromedriver is missing; under `CI=true` a
missing browser fails instead (CI installs it: `./scripts/test` does, as root).
`SETUP_SCREENSHOTS=<folder>` keeps a PNG of each page.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.app_setup import SetupOptions, SetupServer
from bot.sandbox import SandboxHandle, start_sandbox
from tests.app.processes import LIVE, docs_refresh, healthy, process_env, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NO_BROWSER = (
    "headless Chromium is not installed ({missing}): `apt-get install chromium chromium-driver`"
    " (./scripts/test installs them when run as root)"
)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    missing = [
        name for name, found in (("chromium", chromium), ("chromedriver", driver)) if not found
    ]
    if missing:
        message = NO_BROWSER.format(missing=", ".join(missing))
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download anything
    options = Options()
    options.binary_location = str(chromium)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument("--window-size=1000,860")
    drv = webdriver.Chrome(service=Service(executable_path=str(driver)), options=options)
    drv.implicitly_wait(10)
    try:
        yield drv
    finally:
        drv.quit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shot(driver: object, name: str) -> None:
    folder = os.environ.get("SETUP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))  # type: ignore[attr-defined]


@pytest.fixture
def shop_sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    repo = tmp_path / "shop"
    shutil.copytree(ROOT / "examples" / "shop", repo, ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-c", "user.name=a", "-c", "user.email=a@example.com", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "shop"], check=True)
    with start_sandbox({"octo/shop": repo}, data_dir=tmp_path / "sandbox") as sb:
        yield sb


def test_setup_in_headless_chromium_leaves_an_env_the_bot_runs_with(
    browser: object, shop_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    drv: object = browser
    sb = shop_sandbox
    port = free_port()
    home = tmp_path / "bot"
    home.mkdir()
    options = SetupOptions(
        github_url=sb.api_url,
        api_url=sb.api_url,
        env_path=home / ".env",
        webhook_url=f"http://127.0.0.1:{port}/webhook",
    )
    with SetupServer(options) as server:
        drv.get(server.url)  # type: ignore[attr-defined]
        shot(drv, "1-setup-page")
        assert drv.title == "Create the docs-refresh GitHub App"  # type: ignore[attr-defined]
        drv.find_element(By.ID, "create").click()  # type: ignore[attr-defined]
        name = drv.find_element(By.ID, "app-name")  # type: ignore[attr-defined]
        assert name.text == "docs-refresh"
        shot(drv, "2-sandbox-approval")
        drv.find_element(By.ID, "create").click()  # type: ignore[attr-defined]
        done = drv.find_element(By.ID, "done")  # type: ignore[attr-defined]
        assert "App ID 1" in done.text
        shot(drv, "3-done")
        assert server.wait(10)
    written = (home / ".env").read_text()
    assert f"GITHUB_API_URL='{sb.api_url}'" in written

    # The bot from that .env alone: the sandbox signs the push with the new webhook secret
    # (the bot would answer 401 otherwise) and the refresh authenticates with the new key.
    env = process_env(
        tmp_path,
        {
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "GITHUB_WRITE_INTERVAL": "0",
            "SETTLE_SECONDS": "0",
        },
    )
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(docs_refresh("run"), cwd=home, env=env, stdout=out, stderr=out)
    LIVE.append(proc)
    try:
        wait_for(lambda: healthy(port), 60, "docs-refresh run to answer /healthz", [log])
        sb.admin(
            "POST",
            "/_sandbox/repos/octo/shop/commits",
            {"user": "ann", "branch": "main", "files": {"shop/mail.py": "import smtplib\n"}},
        )
        assert [d["status"] for d in sb.deliveries()] == [202]

        def pull_opened() -> bool:
            with sb.store.lock:
                return any(
                    i.pull and i.pull.head_ref == "docs-refresh/main"
                    for i in sb.store.issues.values()
                )

        wait_for(pull_opened, 60, "the docs pull request", [log])
    finally:
        LIVE.remove(proc)
        proc.terminate()
        proc.wait(timeout=20)
    tokens = [r for r in sb.request_log() if r["auth"] == "app"]
    assert tokens
    assert all(r["status"] == 201 for r in tokens)
