"""Webhook deliveries, sans-I/O: verify the signature, then parse the event.

Like gidgethub's `Event.from_http`: headers and the raw body in, an `Event` (or a
`WebhookError` carrying its HTTP status) out. No Flask, no network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"

NO_SIGNATURE = "missing X-Hub-Signature-256: set the app's webhook secret to WEBHOOK_SECRET"
BAD_SIGNATURE = "signature does not match: verify that the webhook secret matches WEBHOOK_SECRET"
NO_EVENT = "missing X-GitHub-Event header"
NOT_JSON = "the body is not a JSON object (set the webhook content type to application/json)"


class WebhookError(Exception):
    """A delivery that cannot be accepted; `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignatureError(WebhookError):
    status = 401


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by case-insensitive name (plain dicts in tests, werkzeug headers live)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def verify_signature(body: bytes, signature: str | None, secret: str) -> None:
    """Raise SignatureError unless `signature` is `sha256=<hmac of body>`; constant time."""
    if not signature:
        raise SignatureError(NO_SIGNATURE)
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureError(BAD_SIGNATURE)


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value GitHub would send (for the sandbox and tests)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Event:
    name: str  # X-GitHub-Event
    delivery_id: str | None  # X-GitHub-Delivery
    payload: Mapping[str, Any]

    @property
    def action(self) -> str | None:
        value = self.payload.get("action")
        return value if isinstance(value, str) else None

    @property
    def installation_id(self) -> int | None:
        installation = self.payload.get("installation")
        value = installation.get("id") if isinstance(installation, Mapping) else None
        # GitHub's ids are positive 64-bit integers; anything else (a bool, 10**40) is not one.
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
            return value
        return None

    @property
    def repo(self) -> str | None:
        repository = self.payload.get("repository")
        if isinstance(repository, Mapping) and isinstance(repository.get("full_name"), str):
            return str(repository["full_name"])
        return None


def parse_event(name: str | None, delivery_id: str | None, body: bytes) -> Event:
    """The event of a delivery whose signature was already verified."""
    if not name or not name.strip():
        raise WebhookError(NO_EVENT)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nesting too deep to parse
        raise WebhookError(NOT_JSON) from None
    if not isinstance(payload, dict):
        raise WebhookError(NOT_JSON)
    delivery = delivery_id.strip() if delivery_id else None
    return Event(name.strip(), delivery or None, payload)


def event_from_http(headers: Mapping[str, str], body: bytes, secret: str) -> Event:
    """Verify, then parse: the whole sans-I/O intake in one call."""
    verify_signature(body, header(headers, SIGNATURE_HEADER), secret)
    return parse_event(header(headers, EVENT_HEADER), header(headers, DELIVERY_HEADER), body)
