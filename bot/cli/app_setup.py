"""Creating the GitHub App from its manifest (GitHub's manifest flow), for `docs-refresh setup`.

A small local web app with one page and one button. The button is a form POST of the
manifest (`config/app-manifest.yml`, with this page's callback as `redirect_url`) to
`<github>/settings/apps/new` or `<github>/organizations/<org>/settings/apps/new`. GitHub
creates the app and sends the browser back with a one-time `code` (and our `state`, which is
checked); the code is traded at `POST <api>/app-manifests/{code}/conversions` for the app's
id, private key and webhook secret. The key goes to a file of its own (mode 0600, never
over another file) and `.env` gets `APP_ID`, `PRIVATE_KEY_PATH` and `WEBHOOK_SECRET` (and
`GITHUB_API_URL` when it is not github.com's). A value `.env` already holds is replaced only
after the page asks and the person says so (or with `overwrite=True`); kept, the new values
go to `.env.new` so nothing GitHub handed out once is lost.

Docs: https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
import yaml
from dotenv import dotenv_values, set_key, unset_key
from flask import Flask, Response, abort, render_template_string, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from bot.cli.setup_pages import CONFIRM_PAGE, DONE_PAGE, PAGE_STYLE, START_PAGE

MANIFEST_PATH = Path(__file__).resolve().parents[2] / "config" / "app-manifest.yml"
GITHUB_URL = "https://github.com"
GITHUB_API_URL = "https://api.github.com"
CALLBACK = "/callback"
# Keys this flow writes, and those that would make it moot if left (PRIVATE_KEY wins over
# PRIVATE_KEY_PATH in `bot.settings`, so replacing the key removes it).
WRITTEN = ("APP_ID", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GITHUB_API_URL")
SHADOWING = ("PRIVATE_KEY",)
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
BAD_STATE = "This page was not opened by this setup (its state does not match); start again."
EXCHANGE_FAILED = "GitHub did not trade the code for the app's credentials: {status} {message}"


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} does not hold a manifest (a mapping)")
    return data


def build_manifest(
    base: Mapping[str, Any], *, redirect_url: str, webhook_url: str | None, name: str | None
) -> dict[str, Any]:
    """The manifest to post: `base` with this page as `redirect_url`, the webhook given or
    left out (GitHub then creates the App with its webhook inactive, to set later)."""
    manifest = {k: v for k, v in base.items() if k != "hook_attributes"}
    manifest["redirect_url"] = redirect_url
    if name:
        manifest["name"] = name
    if webhook_url:
        manifest["hook_attributes"] = {"url": webhook_url, "active": True}
    return manifest


def create_url(github_url: str, org: str | None) -> str:
    root = github_url.rstrip("/")
    if org:
        return f"{root}/organizations/{quote(org, safe='')}/settings/apps/new"
    return f"{root}/settings/apps/new"


def default_api_url(github_url: str) -> str:
    """api.github.com for github.com, `<host>/api/v3` for a GitHub Enterprise Server."""
    root = github_url.rstrip("/")
    return GITHUB_API_URL if root == GITHUB_URL else f"{root}/api/v3"


def env_values(app: Mapping[str, Any], key_path: Path, api_url: str) -> dict[str, str]:
    """What `.env` gets from a conversion's answer (`key_path`: where the pem was written)."""
    values = {
        "APP_ID": str(app["id"]),
        "PRIVATE_KEY_PATH": str(key_path),
        "WEBHOOK_SECRET": str(app.get("webhook_secret") or ""),
    }
    if api_url.rstrip("/") != GITHUB_API_URL:
        values["GITHUB_API_URL"] = api_url.rstrip("/")
    return values


def conflicts(existing: Mapping[str, str | None], new: Mapping[str, str]) -> list[str]:
    """Keys `.env` already sets to something else (in the order written), and those that
    would shadow the new values."""
    out = [k for k, v in new.items() if existing.get(k) and existing.get(k) != v]
    return out + [k for k in SHADOWING if existing.get(k)]


def write_env(path: Path, values: Mapping[str, str], *, remove: tuple[str, ...] = ()) -> None:
    """Set `values` in the dotenv file at `path` (made 0600 when new), other lines kept."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for key, value in values.items():
        set_key(path, key, value, quote_mode="always")
    for key in remove:
        if key in dotenv_values(path):
            unset_key(path, key)


def write_key(folder: Path, slug: str, pem: str) -> Path:
    """The private key in a new file of its own, 0600; an existing file is never replaced."""
    stem = re.sub(r"[^A-Za-z0-9._-]", "-", slug)[:80] or "app"
    for n in range(1000):
        path = folder / (f"{stem}.private-key.pem" if n == 0 else f"{stem}.{n}.private-key.pem")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(pem)
        return path
    raise FileExistsError(f"no free name for the private key in {folder}")


def exchange_code(api_url: str, code: str, timeout: float = 30.0) -> dict[str, Any]:
    """`POST /app-manifests/{code}/conversions`: the app, its key and its secrets."""
    resp = requests.post(
        f"{api_url.rstrip('/')}/app-manifests/{code}/conversions",
        headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
        timeout=timeout,
    )
    if resp.status_code != 201:
        try:
            message = str(resp.json().get("message", ""))
        except ValueError:
            message = resp.text[:200]
        raise RuntimeError(EXCHANGE_FAILED.format(status=resp.status_code, message=message))
    data = resp.json()
    if not isinstance(data, dict) or not all(k in data for k in ("id", "pem", "webhook_secret")):
        raise RuntimeError(EXCHANGE_FAILED.format(status=201, message="unexpected answer"))
    return data


@dataclass
class SetupOptions:
    github_url: str = GITHUB_URL
    api_url: str | None = None  # default: from github_url
    org: str | None = None
    webhook_url: str | None = None
    name: str | None = None
    env_path: Path = Path(".env")
    overwrite: bool = False
    manifest_path: Path = MANIFEST_PATH

    @property
    def api(self) -> str:
        return (self.api_url or default_api_url(self.github_url)).rstrip("/")


@dataclass
class SetupState:
    """What one run of the flow has learned; guarded by `lock`."""

    state: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    lock: threading.Lock = field(default_factory=threading.Lock)
    app: dict[str, Any] | None = None
    pending: dict[str, str] | None = None  # values waiting for the person's answer
    key_path: Path | None = None
    written_to: Path | None = None
    webhook: bool = False  # a webhook URL was given (else the done page says to set one)
    done: threading.Event = field(default_factory=threading.Event)


def create_setup_app(options: SetupOptions, state: SetupState | None = None) -> Flask:
    """The setup page's WSGI app. `state.done` is set once `.env` (or `.env.new`) is written
    and the page that says so has been sent."""
    flow = state or SetupState()
    app = Flask("bot.cli.app_setup")
    flow.webhook = bool(options.webhook_url)
    env_path = options.env_path.resolve()

    def existing() -> dict[str, str | None]:
        return dotenv_values(env_path) if env_path.is_file() else {}

    @app.get("/")
    def start() -> str:
        callback = request.host_url.rstrip("/") + CALLBACK
        base = load_manifest(options.manifest_path)
        manifest = build_manifest(
            base, redirect_url=callback, webhook_url=options.webhook_url, name=options.name
        )
        permissions = manifest.get("default_permissions") or {}
        target = create_url(options.github_url, options.org)
        return render_template_string(
            START_PAGE,
            style=PAGE_STYLE,
            manifest=manifest,
            manifest_json=json.dumps(manifest, sort_keys=True),
            manifest_path=options.manifest_path.name,
            create_url=target,
            github_host=target.split("/")[2],
            state=flow.state,
            webhook=options.webhook_url,
            permissions=", ".join(f"{k}: {v}" for k, v in sorted(permissions.items())),
            events=", ".join(str(e) for e in manifest.get("default_events") or []),
            env_path=env_path,
            key_dir=env_path.parent,
            api_url=options.api != GITHUB_API_URL,
            existing=[k for k in (*WRITTEN, *SHADOWING) if existing().get(k)],
        )

    @app.get(CALLBACK)
    def callback() -> str:
        if not secrets.compare_digest(request.args.get("state", ""), flow.state):
            abort(Response(BAD_STATE, status=400))
        code = request.args.get("code", "")
        if not _CODE.match(code):
            abort(Response("GitHub sent no usable code; start again.", status=400))
        with flow.lock:
            if flow.app is not None:  # a reload: the code is spent, the app exists
                return _finish_or_ask(flow, options, env_path, existing())
            try:
                data = exchange_code(options.api, code)
            except (RuntimeError, requests.RequestException) as err:
                abort(Response(str(err), status=502))
            flow.app = data
            flow.key_path = write_key(env_path.parent, str(data.get("slug") or "app"), data["pem"])
            flow.pending = env_values(data, flow.key_path, options.api)
            return _finish_or_ask(flow, options, env_path, existing())

    @app.after_request
    def finish(resp: Response) -> Response:
        # Done once the page saying so has been sent, not before: the command exits then.
        if flow.written_to is not None and not flow.done.is_set():
            resp.call_on_close(flow.done.set)
        return resp

    @app.post("/confirm")
    def confirm() -> str:
        if not secrets.compare_digest(request.form.get("state", ""), flow.state):
            abort(Response(BAD_STATE, status=400))
        with flow.lock:
            if flow.pending is None or flow.app is None:
                abort(Response("Nothing is waiting to be written.", status=409))
            if request.form.get("choice") == "replace":
                return _write(flow, env_path, remove=SHADOWING)
            return _write(flow, env_path.with_name(env_path.name + ".new"))

    return app


def _finish_or_ask(
    flow: SetupState, options: SetupOptions, env_path: Path, existing: Mapping[str, str | None]
) -> str:
    assert flow.pending is not None
    assert flow.app is not None
    if flow.written_to is not None:
        return _done_page(flow)
    clash = conflicts(existing, flow.pending)
    if clash and not options.overwrite:
        return render_template_string(
            CONFIRM_PAGE,
            style=PAGE_STYLE,
            app_name=flow.app.get("name"),
            app_id=flow.app.get("id"),
            env_path=env_path,
            conflicts=clash,
            state=flow.state,
        )
    return _write(flow, env_path, remove=SHADOWING if clash else ())


def _write(flow: SetupState, target: Path, remove: tuple[str, ...] = ()) -> str:
    assert flow.pending is not None
    write_env(target, flow.pending, remove=remove)
    flow.written_to = target
    return _done_page(flow)


def _done_page(flow: SetupState) -> str:
    assert flow.app is not None
    assert flow.pending is not None
    return render_template_string(
        DONE_PAGE,
        style=PAGE_STYLE,
        app_name=flow.app.get("name"),
        app_id=flow.app.get("id"),
        written=list(flow.pending),
        target=flow.written_to,
        key_path=flow.key_path,
        install_url=f"{flow.app.get('html_url', '')}/installations/new",
        webhook=flow.webhook,
    )


class _QuietHandler(WSGIRequestHandler):
    """No line per request: the command prints what the person needs, and no URL with a code."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class SetupServer:
    """The setup page served on a thread: `url` to open, `wait()` until `.env` is written."""

    def __init__(self, options: SetupOptions, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = SetupState()
        self.options = options
        self._server: BaseWSGIServer = make_server(
            host,
            port,
            create_setup_app(options, self.state),
            threaded=True,
            request_handler=_QuietHandler,
        )
        self.url = f"http://{host}:{self._server.port}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        return self.state.done.wait(timeout)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SetupServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
