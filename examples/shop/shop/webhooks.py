"""Stripe tells us when a payment succeeds; the receipt is sent by the worker."""

import json
import logging

from flask import Blueprint, request

from shop import cart, db, payments

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)


@bp.post("/webhooks/stripe")
def stripe_webhook():
    event = payments.parse_event(request.data, request.headers.get("Stripe-Signature", ""))
    if event.type == "payment_intent.succeeded":
        order_id = db.mark_paid(event.data.object.id)
        if order_id is not None:
            cart.client().rpush("receipts", json.dumps({"order": order_id}))
            log.info("order %s paid", order_id)
    return "", 204
