"""The sandbox's WSGI app: composes the blueprints and wraps every API request with
fault injection, authentication, rate-limit headers and the request log."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from bot.sandbox import (
    admin,
    api_app,
    api_git,
    api_issues,
    api_pulls,
    api_repo,
    manifests,
    observers,
)
from bot.sandbox.api_git import NOT_FAST_FORWARD
from bot.sandbox.auth import AuthFailure, check_token, verify_app_jwt_any
from bot.sandbox.rest import CONTEXT_KEY, ApiError, Context, ctx

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

RATE_LIMIT = 5000
RATE_LIMIT_ANONYMOUS = 60
RATE_WINDOW = 3600
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    " If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
PRIMARY_LIMIT = "API rate limit exceeded for installation ID {installation_id}."
SERVER_ERROR = "Server Error"
REQUIRES_AUTH = "Requires authentication"
DOC_AUTH = "https://docs.github.com/rest/overview/authenticating-to-the-rest-api"
DOC_LIMITS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
# Endpoints that take the app's JWT rather than an installation token.
_JWT_PATHS = re.compile(
    r"^/app(/.*)?$|^/repos/[^/]+/[^/]+/installation$|^/(orgs|users)/[^/]+/installation$"
)
_OPEN_PATHS = re.compile(r"^/_sandbox/|^/_codeload/|^/rate_limit$")
# GitHub's web pages of the manifest flow (a browser's, not the API's) and the conversion,
# which takes no credentials: the one-time code is the credential.
_WEB_PATHS = re.compile(r"^(/organizations/[^/]+)?/settings/apps/new(/create)?$")
_NO_AUTH_PATHS = re.compile(r"^/app-manifests/[^/]+/conversions$")
# What anyone may read without credentials: public repositories and users.
_PUBLIC_READS = re.compile(
    r"^/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)(?!/installation$)(/.*)?$|^/users/[^/]+$"
)
_READ_METHODS = ("GET", "HEAD", "OPTIONS")
JSON_TYPE = "application/json; charset=utf-8"


class SandboxApp:
    """One sandbox's WSGI app: the shared routes, with this sandbox's context in the environ."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.flask = _routes()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        environ[CONTEXT_KEY] = self.context
        return self.flask(environ, start_response)


def create_app(context: Context) -> SandboxApp:
    return SandboxApp(context)


@functools.cache
def _routes() -> Flask:
    """One Flask app per process: compiling its ~80 routes costs a quarter of a second, and
    sandboxes differ only by context, which each request carries in its environ."""
    app = Flask("bot.sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep GitHub's field order
    app.json.mimetype = JSON_TYPE  # type: ignore[attr-defined]  # GitHub names the charset
    blueprints = (admin, api_app, api_git, api_issues, api_pulls, api_repo, manifests)
    for bp in (module.bp for module in blueprints):
        app.register_blueprint(bp)
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(ApiError, lambda err: err.response())
    app.register_error_handler(HTTPException, _http_error)
    return app


def _is_admin() -> bool:
    """Not an API request: not logged, not counted, never faulted."""
    if _WEB_PATHS.match(request.path):
        return True
    return bool(_OPEN_PATHS.match(request.path)) and request.path != "/rate_limit"


def _before() -> Response | None:
    g.started, g.auth, g.fault, g.credential = (
        time.monotonic(),
        None,
        None,
        request.remote_addr or "-",
    )
    g.request_id = ctx().store.next_request_id()
    if _is_admin():
        return None
    fault = ctx().store.take_fault(request.method, request.path)
    if fault is not None:
        g.fault = fault.kind
        if fault.kind == "delay":
            time.sleep(fault.delay)
        else:
            return _fault_response(
                fault.kind, fault.status, fault.message, fault.retry_after
            ).response()
    if _OPEN_PATHS.match(request.path) or _NO_AUTH_PATHS.match(request.path):
        return None
    if request.url_rule is None:
        return None  # unknown routes answer 404 with or without credentials
    _authenticate()
    return None


def _fault_response(
    kind: str, status: int | None, message: str | None, retry_after: int
) -> ApiError:
    if kind == "secondary_limit":
        # https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits
        text = message or SECONDARY_LIMIT.format(request_id=_request_id())
        return ApiError(status or 403, text, DOC_LIMITS, headers={"retry-after": str(retry_after)})
    if kind == "primary_limit":
        text = message or PRIMARY_LIMIT.format(installation_id=1)
        reset = int(ctx().store.clock()) + retry_after
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
        return ApiError(status or 403, text, DOC_LIMITS, headers=headers)
    if kind == "unprocessable":
        return ApiError(status or 422, message or NOT_FAST_FORWARD)
    return ApiError(status or 502, message or SERVER_ERROR)


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if not header and _anonymous_read():
        return  # GitHub serves public data to anyone, under the anonymous rate limit
    if scheme.lower() not in ("bearer", "token") or not credential:
        raise ApiError(401, REQUIRES_AUTH, DOC_AUTH)
    c = ctx()
    try:
        if _JWT_PATHS.match(request.path):
            keys = [c.public_key, *c.extra_public_keys]
            verify_app_jwt_any(credential, keys, c.store.clock())
            g.auth = "app"
        else:
            check_token(c.store, credential)
            g.auth = "installation"
    except AuthFailure as err:
        raise ApiError(401, err.message, DOC_AUTH) from err
    g.credential = credential


def _anonymous_read() -> bool:
    """A read without credentials that GitHub answers: a public repository's (a private
    one answers 404, as if absent) or a user's."""
    found = _PUBLIC_READS.match(request.path) if request.method in _READ_METHODS else None
    if found is None:
        return False
    if found.group("owner") is None:
        return True
    repo = ctx().store.repo(found.group("owner"), found.group("name"))
    if repo is None or repo.private:
        raise ApiError(404, "Not Found", "https://docs.github.com/rest")
    return True


def _request_id() -> str:
    return str(g.get("request_id") or ctx().store.next_request_id())


def _after(resp: Response) -> Response:
    store = ctx().store
    now = store.clock()
    key = str(g.get("credential", "-"))
    limit = RATE_LIMIT if g.get("auth") else RATE_LIMIT_ANONYMOUS
    admin_request = _is_admin()
    with store.lock:
        if not admin_request:
            store.rate_used[key] = store.rate_used.get(key, 0) + 1
        used = store.rate_used.get(key, 0)
        if not admin_request:
            store.requests.append(
                {
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode(),
                    "status": resp.status_code,
                    "write": request.method not in _READ_METHODS,
                    "auth": g.get("auth"),
                    "fault": g.get("fault"),
                    "duration_ms": round(
                        (time.monotonic() - g.get("started", time.monotonic())) * 1000, 2
                    ),
                }
            )
    # https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
    headers: dict[str, Any] = {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(max(limit - used, 0)),
        "x-ratelimit-used": str(used),
        "x-ratelimit-reset": str(int(now // RATE_WINDOW + 1) * RATE_WINDOW),
        "x-ratelimit-resource": "core",
        "x-github-request-id": _request_id(),
        "x-github-api-version-selected": "2022-11-28",
    }
    for name, value in headers.items():
        resp.headers.setdefault(name, value)
    if observers.watching() and not admin_request:
        observers.notify(
            observers.Answer(
                request.method,
                request.path,
                request.query_string.decode(),
                resp.status_code,
                tuple(resp.headers.items()),
                b"" if resp.is_streamed else resp.get_data(),
                g.get("fault"),
                g.get("auth"),
            )
        )
    return resp


def _http_error(err: HTTPException) -> Response:
    status = err.code or 500
    message = {404: "Not Found", 405: "Method Not Allowed"}.get(status, err.name)
    return ApiError(status, message).response()
