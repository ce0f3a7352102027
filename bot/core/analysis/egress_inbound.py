"""Inbound webhooks: a service that posts to the app, seen where the app checks its signature.

A provider's webhook makes no outbound call: the provider sends, the app verifies. The code
shows who sends when a file in a folder of webhooks is named for the provider
(`webhooks/<name>.go`, `webhooks/<name>/handler.py`) and checks the request's signature or
shared secret there (`hmac.Equal`, `ecdsa.Verify`, `subtle.ConstantTimeCompare`,
`hmac.compare_digest`, `crypto.timingSafeEqual`, `secure_compare`). That check is cited as an
``inbound`` call (`OutboundCall.kind`); `egress_services` names the service by the folder.
A folder word that names no one (`handler`, `incoming`, `verify`…) makes no claim, and a
file that only signs what it sends compares nothing.

An endpoint a protocol defines for another system to call (`SERVED`: a Matrix homeserver
posts to a push gateway's `/_matrix/push/v1/notify`) is the same wherever it is written: a
string literal holding its path is an ``inbound`` call whose client names the system.
"""

from __future__ import annotations

from posixpath import splitext

from bot.core.analysis.scan import code_hits, line_at
from bot.core.analysis.words import Needles, contains
from bot.core.model import OutboundCall

KIND = "inbound"
MAX_LOOKS = 50  # occurrences of one check looked at (the rest may all be comments)
WEBHOOK_FOLDERS = frozenset({"webhooks", "webhook"})
# Constant-time comparisons and signature checks: what a receiver does with a signature.
CHECKS = (
    b"hmac.Equal(",
    b"compare_digest(",
    b"ecdsa.Verify(",
    b"ed25519.Verify(",
    b"rsa.VerifyPKCS1v15(",
    b"rsa.VerifyPSS(",
    b"ConstantTimeCompare(",
    b"timingSafeEqual(",
    b"secure_compare(",
)
# Words for the parts of any webhook layer, not for whom it hears from.
_LAYER_WORDS = frozenset(
    {"webhook", "webhooks", "hook", "hooks", "handler", "handlers", "receiver", "receivers",
     "inbound", "incoming", "outgoing", "outbound", "verify", "verifier", "signature",
     "signatures", "routes", "router", "controller", "controllers", "views", "view",
     "delivery", "deliveries", "dispatcher", "dispatch", "sender", "senders", "event",
     "events", "payload", "payloads", "service", "services", "validate", "validation",
     "security", "auth", "middleware", "processor", "processors", "parser", "parsers"}
)  # fmt: skip
# Suffixes a provider's file often carries (`stripe_controller.rb`, `github-webhook.ts`).
_SUFFIXES = ("_controller", "_webhooks", "_webhook", "-webhooks", "-webhook", "_handler",
             "-handler", "_hook", "-hook", "_receiver")  # fmt: skip


# Paths a protocol fixes for the system that calls them → that system, as a service.
SERVED = {b"/_matrix/push/v1/notify": "Matrix push gateway"}
SERVED_CLIENT = "served:"  # `OutboundCall.client` of such an endpoint: "served:<system>"
_QUOTES = (b'"', b"'", b"`")
_PLAIN_QUOTES = (b'"', b"'")
_COMMENT_LEADS = (b"//", b"#", b"*", b"/*")


def webhook_stem(path: str) -> str:
    """The provider a path in a folder of webhooks is named for (`sendgrid` of
    `internal/webhooks/sendgrid.go`), "" when none."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() not in WEBHOOK_FOLDERS:
            continue
        stem = splitext(parts[i + 1])[0]
        for suffix in _SUFFIXES:
            if stem.lower().endswith(suffix) and len(stem) > len(suffix):
                stem = stem[: -len(suffix)]
                break
        if stem.lower() not in _LAYER_WORDS:
            return stem
    return ""


def served_calls(data: bytes, quotes: tuple[bytes, ...] = _QUOTES) -> tuple[OutboundCall, ...]:
    """The first string literal of each protocol endpoint of `SERVED` the file holds (not in
    a comment), as an ``inbound`` call. The literal is the whole string (closed by its own
    quote right after the path) and no mapping's key (`{"/_matrix/…": "Matrix"}` is a table
    naming the path, as an analyzer's own is, not a route)."""
    out: list[OutboundCall] = []
    for needle, system in SERVED.items():
        for at in code_hits(data, needle, _COMMENT_LEADS, MAX_LOOKS):
            quote = data[at - 1 : at]
            end = at + len(needle)
            quoted = quote in quotes and data[end : end + 1] == quote
            key = data[end + 1 : end + 40].lstrip(b" \t").startswith(b":")
            if quoted and not key:
                line = line_at(data, at)
                out.append(OutboundCall(KIND, line, SERVED_CLIENT + system, origin="unknown"))
                break
    return tuple(out)


_CHECK_NEEDLES = Needles(CHECKS)  # their words first (`words`): most files hold none


def inbound_calls(path: str, data: bytes) -> tuple[OutboundCall, ...]:
    """The first signature check of a provider's webhook file, and the protocol endpoints
    it serves, as ``inbound`` calls."""
    # a backtick quotes a string in JS and Go, not in Python (Markdown in a docstring) or Ruby
    quotes = _QUOTES if not path.endswith((".py", ".rb")) else _PLAIN_QUOTES
    served = served_calls(data, quotes) if contains(data, b"/_matrix/") else ()
    # The path first: only a provider's webhook file can hold one, and its test is cheap.
    if not webhook_stem(path):
        return served
    if not _CHECK_NEEDLES.any_in(data):
        return ()
    for check in CHECKS:
        for at in code_hits(data, check, _COMMENT_LEADS, MAX_LOOKS):
            line = line_at(data, at)
            return (*served, OutboundCall(KIND, line, "signature check", origin="unknown"))
    return served
