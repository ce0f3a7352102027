"""The web process: `create_app(settings=None)` for gunicorn (`bot.app.web:create_app()`).

`POST /webhook` does the least it can: verify the HMAC over the raw body, read the event
name, let the routers turn the event into jobs, and store them (with the delivery id) in
one storage round trip before answering 202. Everything slow happens in the worker.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from bot.app import logs, metrics
from bot.app.routing import Router
from bot.app.tasks import Queue, build_queue
from bot.app.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    NO_EVENT,
    SIGNATURE_HEADER,
    WebhookError,
    parse_event,
    verify_signature,
)
from bot.handlers import router as default_router
from bot.settings import Settings

# GitHub caps payloads at 25 MB; anything larger is not GitHub.
MAX_BODY = 25 * 1024 * 1024
PONG = "pong"
NOT_HANDLED = "no handler for this event"
NOTHING_TO_DO = "nothing to do"
DUPLICATE = "delivery already accepted"
TOO_LARGE = "payload too large"
HANDLER_FAILED = "a handler failed on this delivery; see the logs for its id"
QUEUE_DOWN = "the queue storage is unavailable; GitHub can redeliver this later"

log = logging.getLogger("docs_refresh.web")
bp = Blueprint("webhooks", __name__)


def create_app(
    settings: Settings | None = None, *, queue: Queue | None = None, router: Router | None = None
) -> Flask:
    settings = settings or Settings.from_env()
    logs.configure(settings.log_level)
    app = Flask("docs_refresh")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.extensions["docs_refresh"] = {
        "settings": settings,
        "queue": queue or build_queue(settings),
        "router": router or default_router,
    }
    app.register_blueprint(bp)
    return app


def _ext() -> dict[str, Any]:
    ext: dict[str, Any] = current_app.extensions["docs_refresh"]
    return ext


def _answer(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    # json.dumps straight into a Response: jsonify's provider lookup, sorting and
    # pretty-print checks cost ~a tenth of a delivery's time under load.
    body = json.dumps({"message": message, **extra}, separators=(",", ":"))
    return Response(body, mimetype="application/json"), status


# WSGI environ keys of the headers the intake reads: straight from the environ, without
# building werkzeug's header view for every delivery.
_DELIVERY = "HTTP_" + DELIVERY_HEADER.upper().replace("-", "_")
_EVENT = "HTTP_" + EVENT_HEADER.upper().replace("-", "_")
_SIGNATURE = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")


@bp.post("/webhook")
def webhook() -> tuple[Response, int]:
    ext = _ext()
    settings: Settings = ext["settings"]
    queue: Queue = ext["queue"]
    router: Router = ext["router"]
    environ = request.environ
    delivery = environ.get(_DELIVERY)
    name = (environ.get(_EVENT) or "").strip()
    with logs.context(delivery=delivery, event=name or None):
        try:
            body = request.get_data(cache=False)
        except RequestEntityTooLarge:
            queue.metrics.delivery(name or "unknown", "too_large")
            return _answer(413, TOO_LARGE)
        try:
            verify_signature(body, environ.get(_SIGNATURE), settings.webhook_secret)
            if not name:
                raise WebhookError(NO_EVENT)
            if name == "ping":
                queue.metrics.delivery(name, "pong")
                return _answer(200, PONG)
            if not router.handles(name):
                queue.metrics.delivery(name, "ignored")
                return _answer(204, NOT_HANDLED)
            event = parse_event(name, delivery, body)
        except WebhookError as err:
            outcome = "unauthorized" if err.status == 401 else "invalid"
            queue.metrics.delivery(name or "unknown", outcome)
            log.warning("rejected delivery: %s", err.message)
            return _answer(err.status, err.message)
        with logs.context(installation=event.installation_id, repo=event.repo):
            return _accept(queue, router, event)


def _accept(queue: Queue, router: Router, event: Any) -> tuple[Response, int]:
    try:
        actions = router.dispatch(event)
    except Exception:  # a handler bug: say so, and let GitHub show a failed delivery
        log.exception("a handler failed")
        queue.metrics.delivery(event.name, "error")
        return _answer(500, HANDLER_FAILED)
    if not actions:
        queue.metrics.delivery(event.name, "ignored")
        return _answer(204, NOTHING_TO_DO)
    try:
        done = queue.submit(event.delivery_id, actions, event=event.name)
    except Exception:
        log.exception("could not store the delivery")
        return _answer(503, QUEUE_DOWN)
    if done.duplicate:
        log.info("duplicate delivery dropped")
        return _answer(200, DUPLICATE)
    log.info("accepted: %d queued, %d coalesced", done.enqueued, done.coalesced)
    return _answer(202, "accepted", queued=done.enqueued, coalesced=done.coalesced)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    queue: Queue = _ext()["queue"]
    try:
        queue.storage.ping()
    except Exception as err:
        log.warning("health check failed: %s", err)
        return _answer(503, "queue storage unreachable", storage=queue.storage.kind)
    return _answer(200, "ok", storage=queue.storage.kind)


@bp.get("/metrics")
def metrics_text() -> Response:
    queue: Queue = _ext()["queue"]
    samples = [
        *queue.storage.samples(),
        metrics.gauge(metrics.QUEUE_PENDING, float(queue.huey.pending_count())),
        metrics.gauge(metrics.QUEUE_SCHEDULED, float(queue.huey.scheduled_count())),
    ]
    return Response(metrics.render(samples), mimetype="text/plain; version=0.0.4")
