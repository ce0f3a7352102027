"""A small shop: a catalogue, a cart in Redis, orders in Postgres, payments with Stripe."""

import logging

from flask import Flask

from shop import catalog, checkout, webhooks
from shop.config import Config


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config or Config.from_env())
    logging.basicConfig(level=app.config["LOG_LEVEL"])
    app.register_blueprint(catalog.bp)
    app.register_blueprint(checkout.bp)
    app.register_blueprint(webhooks.bp)

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    return app
