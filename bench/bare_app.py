"""The floor for bench/webhook.py: a bare Flask route answering 204, nothing else.

Served by gunicorn with the production config (`config/gunicorn.conf.py`), like the App.
"""

from __future__ import annotations

from flask import Flask, Response


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/webhook")
    def webhook() -> Response:
        return Response(status=204)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response(status=204)

    return app
