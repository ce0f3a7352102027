"""REST plumbing shared by the API blueprints: the per-app context, GitHub's error
bodies, `Link` pagination and request-body helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlencode

from flask import Response, jsonify, request

from bot.sandbox import webhooks
from bot.sandbox.store import BOT_LOGIN, Repo, Store

DOCS = "https://docs.github.com/rest"
NOT_FOUND = "Not Found"
VALIDATION_FAILED = "Validation Failed"
PER_PAGE_DEFAULT = 30
PER_PAGE_MAX = 100


@dataclass
class Context:
    store: Store
    public_key: bytes
    private_key_path: Path
    webhook_url: str | None = None
    webhook_secret: str = ""
    token_ttl: float = 3600.0
    # Deliver the webhooks GitHub sends for the app's own API writes (push, pull_request,
    # issue_comment), so a bot can be tested for ignoring its own events.
    api_webhooks: bool = False
    outbox: webhooks.Outbox | None = None
    # Keys added by registering the app from a manifest (`bot.sandbox.manifests`).
    extra_public_keys: list[bytes] = field(default_factory=list)


CONTEXT_KEY = "docs_refresh.sandbox"


def ctx() -> Context:
    """This request's sandbox (the WSGI wrapper puts it in the environ)."""
    context: Context = request.environ[CONTEXT_KEY]
    return context


def base_url() -> str:
    """This server's own base URL as the client reached it (so clients' host checks pass)."""
    return request.host_url.rstrip("/")


class ApiError(Exception):
    """Answered as GitHub's error body: `{"message", "documentation_url", "status"[, "errors"]}`.

    Shape: https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api
    """

    def __init__(
        self,
        status: int,
        message: str,
        doc: str = DOCS,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.doc = doc
        self.errors = errors
        self.headers = headers or {}

    def response(self) -> Response:
        body: dict[str, Any] = {
            "message": self.message,
            "documentation_url": self.doc,
            "status": str(self.status),
        }
        if self.errors is not None:
            body["errors"] = self.errors
        resp = jsonify(body)
        resp.status_code = self.status
        resp.headers.update(self.headers)
        return resp


def not_found(doc: str = DOCS) -> NoReturn:
    raise ApiError(404, NOT_FOUND, doc)


def invalid(
    resource: str, field_name: str, code: str = "missing_field", doc: str = DOCS
) -> NoReturn:
    # https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#validation-failed
    raise ApiError(
        422, VALIDATION_FAILED, doc, [{"resource": resource, "code": code, "field": field_name}]
    )


def find_repo(owner: str, name: str) -> Repo:
    repo = ctx().store.repo(owner, name)
    if repo is None:
        not_found("https://docs.github.com/rest/repos/repos#get-a-repository")
    return repo


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ApiError(400, "Problems parsing JSON")
    return data


def actor() -> str:
    """Who makes this API request: the app's bot user (installation tokens are the app)."""
    return BOT_LOGIN


def echo(event: str, build: Callable[[], dict[str, Any]]) -> None:
    """When `api_webhooks` is on, queue the webhook this API write causes on GitHub.

    The payload is built now, from the state this write produced; the outbox delivers it
    on its own thread, in order, as GitHub delivers after the write rather than within it.
    """
    c = ctx()
    if c.api_webhooks and c.outbox is not None:
        c.outbox.put(c.webhook_url, c.webhook_secret, event, build())


def created(payload: Any) -> Response:
    """201 with the new resource; `Location` is its API URL, as GitHub answers a create."""
    resp = jsonify(payload)
    resp.status_code = 201
    if isinstance(payload, dict) and isinstance(payload.get("url"), str):
        resp.headers["Location"] = payload["url"]
    return resp


def paginate(items: list[Any], render: Callable[[Any], Any] | None = None) -> Response:
    """A page of `items` with GitHub's `Link` header (first/prev/next/last), per `page`/`per_page`.

    https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
    """
    per_page, page = page_args()
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    if render is not None:  # build only this page's bodies
        chunk = [render(item) for item in chunk]
    resp = jsonify(chunk)
    link_pages(resp, page, last, per_page)
    return resp


def page_args() -> tuple[int, int]:
    """(`per_page`, `page`) of this request, within GitHub's bounds."""
    try:
        per_page = min(max(int(request.args.get("per_page", PER_PAGE_DEFAULT)), 1), PER_PAGE_MAX)
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        per_page, page = PER_PAGE_DEFAULT, 1
    return per_page, page


def link_pages(resp: Response, page: int, last: int, per_page: int) -> None:
    """GitHub's `Link` header (prev/next/last/first) on `resp`, when there is another page."""
    links = []
    for rel, target in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
        if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
            args = {**request.args.to_dict(), "per_page": str(per_page), "page": str(target)}
            links.append(f'<{base_url()}{request.path}?{urlencode(args)}>; rel="{rel}"')
    if links:
        resp.headers["Link"] = ", ".join(links)
