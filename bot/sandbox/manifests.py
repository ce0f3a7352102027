"""GitHub's side of the manifest flow: register the app from a manifest, hand back a code,
trade the code for the app's credentials.

1. A form POST of `manifest` (JSON) to `/settings/apps/new` (or
   `/organizations/<org>/settings/apps/new`), `?state=…` kept: GitHub shows what the app
   asks for and one "Create GitHub App" button; so does the sandbox.
2. The button creates the app and redirects to the manifest's `redirect_url` with
   `?code=…&state=…`. A code is good for one conversion within an hour.
3. `POST /app-manifests/{code}/conversions` (no authentication) answers 201 with the app
   and its `client_id`, `client_secret`, `webhook_secret` and `pem`.

The sandbox serves one app, so registering gives *that* app (`APP_ID`) a new key pair —
added to the keys its JWT check accepts — and a new webhook secret (and the manifest's
webhook URL, when active), with which every later delivery is signed: the credentials the
flow hands out are the ones that work.

Docs: https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest
and https://docs.github.com/en/rest/apps/apps#create-a-github-app-from-a-manifest
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, redirect, render_template_string, request

from bot.sandbox import shapes
from bot.sandbox.auth import new_key_pem, public_key_pem
from bot.sandbox.rest import ApiError, base_url, created, ctx

bp = Blueprint("manifests", __name__)

CODE_TTL = 3600  # GitHub: "The code … expires after one hour"
DOC_CONVERSION = "https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest"
MAX_MANIFEST = 64 * 1024
BAD_MANIFEST = "Invalid GitHub App manifest: {reason}"

APPROVE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Create GitHub App</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;color:#1f2328}
h1{font-size:1.5rem} dt{font-weight:600;margin-top:.6rem} dd{margin:0}
button{background:#1f883d;color:#fff;border:0;border-radius:6px;padding:.6rem 1.2rem;
font-size:1rem;cursor:pointer} .sandbox{color:#6e7781;font-size:.85rem}
</style></head><body>
<p class="sandbox">docs-refresh sandbox: GitHub's app registration, served locally</p>
<h1>Create GitHub App for {{ owner }}</h1>
<dl>
<dt>GitHub App name</dt><dd id="app-name">{{ manifest.name }}</dd>
<dt>Homepage URL</dt><dd>{{ manifest.url }}</dd>
<dt>Webhook</dt><dd>{{ hook or "inactive" }}</dd>
<dt>Redirect URL</dt><dd>{{ manifest.redirect_url }}</dd>
<dt>Permissions</dt><dd>{{ permissions or "none" }}</dd>
<dt>Events</dt><dd>{{ events or "none" }}</dd>
</dl>
<form method="post" action="{{ action }}">
<input type="hidden" name="manifest" value="{{ raw }}">
<input type="hidden" name="state" value="{{ state }}">
<input type="hidden" name="owner" value="{{ owner }}">
<button id="create" type="submit">Create GitHub App for {{ owner }}</button>
</form></body></html>
"""
ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
<body><h1>Unprocessable</h1><p id="error">{{ message }}</p></body></html>
"""


def parse_manifest(raw: str) -> dict[str, Any]:
    """The manifest as GitHub checks it, or ValueError saying what is wrong."""
    if len(raw) > MAX_MANIFEST:
        raise ValueError("too large")
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(manifest, dict):
        raise ValueError("not a JSON object")
    for key in ("name", "url", "redirect_url"):
        if not isinstance(manifest.get(key), str) or not manifest[key].strip():
            raise ValueError(f"{key} is required")
    if urlsplit(manifest["redirect_url"]).scheme not in ("http", "https"):
        raise ValueError("redirect_url must be an http(s) URL")
    hook = manifest.get("hook_attributes")
    if hook is not None and (not isinstance(hook, dict) or not isinstance(hook.get("url"), str)):
        raise ValueError("hook_attributes.url is required")
    for key in ("default_permissions",):
        if not isinstance(manifest.get(key, {}), dict):
            raise ValueError(f"{key} must be an object")
    if not isinstance(manifest.get("default_events", []), list):
        raise ValueError("default_events must be a list")
    return manifest


def _error(message: str) -> Response:
    return Response(render_template_string(ERROR_PAGE, message=message), status=422)


@bp.post("/settings/apps/new")
@bp.post("/organizations/<org>/settings/apps/new")
def new_app(org: str | None = None) -> Response:
    """GitHub's "Create GitHub App" page for the manifest just posted."""
    raw = request.form.get("manifest", "")
    try:
        manifest = parse_manifest(raw)
    except ValueError as err:
        return _error(BAD_MANIFEST.format(reason=err))
    store = ctx().store
    owner = org or (next(iter(store.repos.values())).owner if store.repos else "sandbox")
    hook = manifest.get("hook_attributes") or {}
    permissions = manifest.get("default_permissions") or {}
    page = render_template_string(
        APPROVE_PAGE,
        owner=owner,
        manifest=manifest,
        raw=raw,
        state=request.args.get("state", ""),
        action=f"{base_url()}/settings/apps/new/create",
        hook=hook.get("url") if hook.get("active", True) else None,
        permissions=", ".join(f"{k}: {v}" for k, v in sorted(permissions.items())),
        events=", ".join(str(e) for e in manifest.get("default_events") or []),
    )
    return Response(page, mimetype="text/html")


@bp.post("/settings/apps/new/create")
def create_app() -> Response:
    """The button: the app exists now; back to the redirect URL with a one-time code."""
    try:
        manifest = parse_manifest(request.form.get("manifest", ""))
    except ValueError as err:
        return _error(BAD_MANIFEST.format(reason=err))
    store = ctx().store
    code = secrets.token_hex(10)
    with store.lock:
        store.manifest_codes[code] = (store.clock() + CODE_TTL, manifest)
    query = {"code": code}
    state = request.form.get("state", "")
    if state:
        query["state"] = state
    target = manifest["redirect_url"]
    sep = "&" if urlsplit(target).query else "?"
    return redirect(f"{target}{sep}{urlencode(query)}", code=302)  # type: ignore[return-value]


@bp.post("/app-manifests/<code>/conversions")
def conversion(code: str) -> Any:
    """Trade a code for the app's credentials, once."""
    c = ctx()
    store = c.store
    with store.lock:
        expires, manifest = store.manifest_codes.pop(code, (0.0, None))
    if manifest is None or expires <= store.clock():
        raise ApiError(404, "Not Found", DOC_CONVERSION)
    pem = new_key_pem()
    secret = secrets.token_hex(20)
    hook = manifest.get("hook_attributes") or {}
    with store.lock:
        c.extra_public_keys.append(public_key_pem(pem))
        c.webhook_secret = secret
        if hook.get("url") and hook.get("active", True):
            c.webhook_url = str(hook["url"])
    app = shapes.app(base_url(), store)
    app.update(
        {
            "name": manifest["name"],
            "description": manifest.get("description") or "",
            "external_url": manifest["url"],
            "permissions": manifest.get("default_permissions") or {},
            "events": list(manifest.get("default_events") or []),
            "client_id": "Iv1." + secrets.token_hex(8),
            "client_secret": secrets.token_hex(20),
            "webhook_secret": secret,
            "pem": pem.decode("ascii"),
        }
    )
    return created(app)
