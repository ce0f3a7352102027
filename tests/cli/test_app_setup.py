"""`docs-refresh setup` against the sandbox's side of GitHub's manifest flow, over real HTTP.

The page's forms are submitted here as a browser would submit them (tests/cli/
test_setup_browser.py does it in headless Chromium); the credentials written are then used
to authenticate against the sandbox.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests

from bot.cli.app_setup import (
    SetupOptions,
    SetupServer,
    build_manifest,
    conflicts,
    create_url,
    default_api_url,
    write_key,
)
from bot.github.factory import gateway_factory
from bot.sandbox import SandboxHandle, start_sandbox
from bot.sandbox.auth import new_key_pem
from bot.settings import Settings


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    repo = tmp_path / "demo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    git = ["git", "-c", "user.name=a", "-c", "user.email=a@example.com", "-C", str(repo)]
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    with start_sandbox({"octo/demo": repo}, data_dir=tmp_path / "sandbox") as sb:
        yield sb


def options(sb: SandboxHandle, env: Path, **extra: object) -> SetupOptions:
    return SetupOptions(github_url=sb.api_url, api_url=sb.api_url, env_path=env, **extra)  # type: ignore[arg-type]


def form(page: str, field: str) -> str:
    found = re.search(rf'name="{field}" value="([^"]*)"', page)
    assert found, f"no {field} field in the page"
    return html.unescape(found.group(1))


def action(page: str) -> str:
    found = re.search(r'<form method="post" action="([^"]+)"', page)
    assert found
    return html.unescape(found.group(1))


def press_create(server: SetupServer) -> requests.Response:
    """The setup page's button, then the sandbox's "Create GitHub App" button."""
    page = requests.get(server.url, timeout=10).text
    approve = requests.post(action(page), data={"manifest": form(page, "manifest")}, timeout=10)
    assert approve.status_code == 200, approve.text
    fields = {k: form(approve.text, k) for k in ("manifest", "state", "owner")}
    return requests.post(action(approve.text), data=fields, timeout=10)  # follows the redirect


def test_one_click_writes_env_whose_key_authenticates_against_the_sandbox(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    env = tmp_path / "app" / ".env"
    env.parent.mkdir()
    hook = "http://127.0.0.1:9/webhook"
    with SetupServer(options(sandbox, env, webhook_url=hook)) as server:
        done = press_create(server)
        assert server.wait(5)
    assert done.status_code == 200
    assert 'id="done"' in done.text
    assert "/apps/docs-refresh-sandbox/installations/new" in done.text
    values = Settings.from_env(environ={}, dotenv_path=env)
    key_path = env.parent / "docs-refresh-sandbox.private-key.pem"
    assert values.app_id == sandbox.app_id
    assert values.private_key == key_path.read_text()
    assert values.private_key != sandbox.private_key_pem  # a new key, not the sandbox's own
    assert values.github_api_url == sandbox.api_url
    assert values.webhook_secret == sandbox.webhook_secret  # deliveries are signed with it
    assert sandbox.webhook_url == hook
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert env.stat().st_mode & 0o777 == 0o600
    gateway = gateway_factory(values, None)(sandbox.installation_id, "octo/demo")
    assert gateway.default_branch() == "main"  # JWT → installation token → API
    log = sandbox.request_log()
    assert [r["path"] for r in log if r["auth"] == "app"] == [
        f"/app/installations/{sandbox.installation_id}/access_tokens"
    ]
    assert any(r["path"].startswith("/app-manifests/") and r["status"] == 201 for r in log)


def test_the_manifest_posted_is_the_shipped_one_with_this_page_as_redirect(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    with SetupServer(options(sandbox, tmp_path / ".env", name="docs-refresh-acme")) as server:
        page = requests.get(server.url, timeout=10).text
    manifest = json.loads(form(page, "manifest"))
    assert manifest["name"] == "docs-refresh-acme"
    assert manifest["redirect_url"] == server.url + "callback"
    assert "hook_attributes" not in manifest  # no webhook URL yet: set later, as Probot allows
    assert manifest["default_events"] == ["push", "pull_request", "issue_comment"]
    assert manifest["default_permissions"]["contents"] == "write"
    assert action(page).startswith(f"{sandbox.api_url}/settings/apps/new?state=")
    assert "none yet: set" in page


def test_an_org_app_is_created_through_the_org_form(sandbox: SandboxHandle, tmp_path: Path) -> None:
    with SetupServer(options(sandbox, tmp_path / ".env", org="acme")) as server:
        page = requests.get(server.url, timeout=10).text
        assert action(page).startswith(f"{sandbox.api_url}/organizations/acme/settings/apps/new?")
        done = press_create(server)
    assert 'id="done"' in done.text


def test_existing_values_are_replaced_only_when_the_person_confirms(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    env = tmp_path / ".env"
    env.write_text("LOG_LEVEL=DEBUG\nAPP_ID=7\nPRIVATE_KEY='old pem'\n")
    with SetupServer(options(sandbox, env)) as server:
        assert "already sets\nAPP_ID, PRIVATE_KEY." in requests.get(server.url, timeout=10).text
        ask = press_create(server)
        assert re.findall(r"<li><code>(\w+)</code></li>", ask.text) == ["APP_ID", "PRIVATE_KEY"]
        assert env.read_text() == "LOG_LEVEL=DEBUG\nAPP_ID=7\nPRIVATE_KEY='old pem'\n"
        assert not server.state.done.is_set()
        state = form(ask.text, "state")
        done = requests.post(
            server.url + "confirm", data={"state": state, "choice": "replace"}, timeout=10
        )
        assert server.wait(5)
    assert 'id="done"' in done.text
    text = env.read_text()
    assert text.startswith("LOG_LEVEL=DEBUG\nAPP_ID='1'\n")
    assert "PRIVATE_KEY=" not in text  # it would win over the new PRIVATE_KEY_PATH
    settings = Settings.from_env(environ={}, dotenv_path=env)
    assert gateway_factory(settings, None)(1, "octo/demo").default_branch() == "main"


def test_keeping_existing_values_writes_the_new_ones_beside_them(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    env = tmp_path / ".env"
    env.write_text("WEBHOOK_SECRET=mine\n")
    with SetupServer(options(sandbox, env)) as server:
        ask = press_create(server)
        state = form(ask.text, "state")
        requests.post(server.url + "confirm", data={"state": state, "choice": "keep"}, timeout=10)
        assert server.wait(5)
    assert env.read_text() == "WEBHOOK_SECRET=mine\n"
    new = (tmp_path / ".env.new").read_text()
    assert "APP_ID='1'" in new
    assert f"WEBHOOK_SECRET='{sandbox.webhook_secret}'" in new


def test_overwrite_flag_replaces_without_asking(sandbox: SandboxHandle, tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("APP_ID=7\n")
    with SetupServer(options(sandbox, env, overwrite=True)) as server:
        assert 'id="done"' in press_create(server).text
    assert env.read_text().startswith("APP_ID='1'\n")


def test_a_callback_with_another_state_is_refused_and_spends_no_code(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    with SetupServer(options(sandbox, tmp_path / ".env")) as server:
        resp = requests.get(f"{server.url}callback?code=abc&state=forged", timeout=10)
        assert resp.status_code == 400
        resp = requests.post(server.url + "confirm", data={"state": "forged"}, timeout=10)
        assert resp.status_code == 400
    assert not (tmp_path / ".env").exists()
    assert not any(r["path"].startswith("/app-manifests/") for r in sandbox.request_log())


def test_a_reloaded_callback_shows_the_result_without_spending_the_code_again(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    with SetupServer(options(sandbox, tmp_path / ".env")) as server:
        done = press_create(server)
        again = requests.get(done.url, timeout=10)
    assert 'id="done"' in again.text
    conversions = [r for r in sandbox.request_log() if r["path"].startswith("/app-manifests/")]
    assert len(conversions) == 1


def test_the_key_file_never_replaces_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "bot.private-key.pem").write_text("someone's key")
    path = write_key(tmp_path, "bot", "PEM")
    assert path == tmp_path / "bot.1.private-key.pem"
    assert (tmp_path / "bot.private-key.pem").read_text() == "someone's key"
    assert write_key(tmp_path, "../../etc/x", "PEM").parent == tmp_path


def test_manifest_urls_and_conflicts() -> None:
    base = {"name": "n", "url": "u", "hook_attributes": {"url": "https://YOUR-HOST/webhook"}}
    built = build_manifest(base, redirect_url="http://l/callback", webhook_url=None, name=None)
    assert built == {"name": "n", "url": "u", "redirect_url": "http://l/callback"}
    hooked = build_manifest(base, redirect_url="r", webhook_url="https://h/webhook", name="m")
    assert hooked["hook_attributes"] == {"url": "https://h/webhook", "active": True}
    assert hooked["name"] == "m"
    assert create_url("https://github.com/", None) == "https://github.com/settings/apps/new"
    assert create_url("https://ghe.example", "a b") == (
        "https://ghe.example/organizations/a%20b/settings/apps/new"
    )
    assert default_api_url("https://github.com") == "https://api.github.com"
    assert default_api_url("https://ghe.example/") == "https://ghe.example/api/v3"
    assert conflicts({"APP_ID": "1", "WEBHOOK_SECRET": ""}, {"APP_ID": "1"}) == []
    assert conflicts({"APP_ID": "2", "PRIVATE_KEY": "x"}, {"APP_ID": "1"}) == [
        "APP_ID",
        "PRIVATE_KEY",
    ]


# --- the sandbox's side ----------------------------------------------------------------------


def test_conversion_answers_githubs_shape_once_and_the_old_key_still_works(
    sandbox: SandboxHandle,
) -> None:
    manifest = {"name": "x", "url": "https://x.example", "redirect_url": "http://127.0.0.1:9/cb"}
    create = requests.post(
        f"{sandbox.api_url}/settings/apps/new/create",
        data={"manifest": json.dumps(manifest), "state": "s1"},
        allow_redirects=False,
        timeout=10,
    )
    assert create.status_code == 302
    target = create.headers["Location"]
    assert target.startswith("http://127.0.0.1:9/cb?code=")
    assert target.endswith("&state=s1")
    code = target.split("code=")[1].split("&")[0]
    resp = requests.post(f"{sandbox.api_url}/app-manifests/{code}/conversions", timeout=10)
    assert resp.status_code == 201
    app = resp.json()
    for key in ("id", "slug", "node_id", "owner", "name", "html_url", "permissions", "events"):
        assert key in app
    assert app["client_id"].startswith("Iv1.")
    assert app["pem"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert len(app["webhook_secret"]) == 40
    again = requests.post(f"{sandbox.api_url}/app-manifests/{code}/conversions", timeout=10)
    assert again.status_code == 404
    for pem in (app["pem"], sandbox.private_key_pem):
        now = int(time.time())
        token = jwt.encode({"iat": now - 60, "exp": now + 300, "iss": "1"}, pem, "RS256")
        got = requests.get(
            f"{sandbox.api_url}/app", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert got.status_code == 200


def test_a_jwt_signed_by_an_unknown_key_is_refused(sandbox: SandboxHandle) -> None:
    now = int(time.time())
    token = jwt.encode({"iat": now, "exp": now + 300, "iss": "1"}, new_key_pem(), "RS256")
    got = requests.get(
        f"{sandbox.api_url}/app", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert got.status_code == 401
    assert got.json()["message"] == "A JSON web token could not be decoded"


def test_the_approval_page_escapes_the_manifest_and_refuses_a_broken_one(
    sandbox: SandboxHandle,
) -> None:
    manifest = {"name": "<script>x</script>", "url": "u", "redirect_url": "http://h/cb"}
    page = requests.post(
        f"{sandbox.api_url}/settings/apps/new",
        data={"manifest": json.dumps(manifest)},
        timeout=10,
    )
    assert page.status_code == 200
    assert "<script>x" not in page.text
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text
    for bad in ("[]", "{", json.dumps({"name": "n", "url": "u"})):
        resp = requests.post(
            f"{sandbox.api_url}/settings/apps/new", data={"manifest": bad}, timeout=10
        )
        assert resp.status_code == 422
    assert not sandbox.request_log()  # web pages are not API requests


def test_the_setup_command_serves_the_page_and_exits_once_env_is_written(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    env = tmp_path / "bot" / ".env"
    env.parent.mkdir()
    command = [
        str(Path(sys.executable).with_name("docs-refresh")),
        "setup",
        "--github-url",
        sandbox.api_url,
        "--api-url",
        sandbox.api_url,
        "--env-file",
        str(env),
        "--port",
        "0",
    ]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        try:
            first = proc.stderr.readline()
            found = re.match(r"Open (http://127\.0\.0\.1:\d+/) in a browser", first)
            assert found, first
            page = requests.get(found.group(1), timeout=10).text
            manifest = form(page, "manifest")
            approve = requests.post(action(page), data={"manifest": manifest}, timeout=10)
            fields = {k: form(approve.text, k) for k in ("manifest", "state", "owner")}
            done = requests.post(action(approve.text), data=fields, timeout=10)
            assert 'id="done"' in done.text  # the whole page arrived before the exit
            assert proc.wait(timeout=30) == 0
            rest = proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert f"Wrote {env}; the private key is {env.parent}/docs-refresh-sandbox" in rest
    assert "APP_ID='1'" in env.read_text()
