"""Inbound webhooks: a provider named by its file in a folder of webhooks, claimed where the
app checks the request's signature. Fixtures are tiny apps written for these tests."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.egress_inbound import inbound_calls, webhook_stem
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

GO_MOD = b"module example.com/app\n\ngo 1.22\n"

# A mail relay's delivery events, verified with an HMAC of the body.
RELAY = b"""package hooks

import (
\t"crypto/hmac"
\t"crypto/sha256"
\t"encoding/hex"
)

type Parcelpost struct{ key []byte }

// Check compares with hmac.Equal( in constant time.
func (p *Parcelpost) Check(sig string, body []byte) bool {
\tmac := hmac.New(sha256.New, p.key)
\tmac.Write(body)
\twant, _ := hex.DecodeString(sig)
\treturn hmac.Equal(mac.Sum(nil), want)
}
"""

# A payment provider's events in Python, checked with compare_digest.
PAYMENTS = b"""import hashlib
import hmac


def verify(secret: bytes, body: bytes, given: str) -> bool:
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)
"""

# Outgoing webhooks signed for the receiver: nothing is compared.
SIGNER = b"""package webhooks

import (
\t"crypto/hmac"
\t"crypto/sha256"
)

func sign(key, body []byte) []byte {
\tmac := hmac.New(sha256.New, key)
\tmac.Write(body)
\treturn mac.Sum(nil)
}
"""


def integrations(files: dict[str, bytes]) -> dict[str, tuple[str, list[str]]]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    return {
        s.name: (s.category, [f"{e.path}:{e.line}" for e in s.evidence]) for s in facts.integrations
    }


def test_a_providers_webhook_is_claimed_at_its_signature_check() -> None:
    files = {
        "go.mod": GO_MOD,
        "internal/events/webhooks/parcelpost.go": RELAY,
        "app/webhooks/stripe_handler.py": PAYMENTS,
        "app/webhooks/index.py": PAYMENTS,  # a generic file name names no one
    }
    assert integrations(files) == {
        "Parcelpost": ("webhooks", ["internal/events/webhooks/parcelpost.go:16"]),
        "Stripe": ("payments", ["app/webhooks/stripe_handler.py:7"]),
    }


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("internal/webhooks/sender.go", SIGNER),  # signs what it sends, compares nothing
        ("internal/webhooks/handler.go", RELAY),  # a layer's word names no provider
        ("internal/webhook/verify.py", PAYMENTS),
        ("internal/providers/parcelpost.go", RELAY),  # not a folder of webhooks
        ("internal/webhooks/parcelpost.go", RELAY.replace(b"return hmac.Equal(", b"return eq(")),
    ],
)
def test_lookalikes_make_no_inbound_claim(path: str, data: bytes) -> None:
    assert inbound_calls(path, data) == ()


def test_the_folder_names_the_provider_without_a_files_suffix() -> None:
    assert webhook_stem("app/controllers/webhooks/github_controller.rb") == "github"
    assert webhook_stem("src/webhook/acme-webhook.ts") == "acme"
    assert webhook_stem("src/webhooks/index.ts") == "index"  # `_service_stem` refuses it later
    assert webhook_stem("src/hooks/acme.ts") == ""


def test_inbound_checks_on_hostile_input() -> None:
    start = time.process_time()
    inbound_calls("a/webhooks/x.go", b"// hmac.Equal(\n" * 100_000)
    inbound_calls("a/webhooks/x.go", b"hmac.Equal(" + b"x" * 2_000_000)
    assert time.process_time() - start < 5  # generous: a shared machine


GATEWAY = b"""package relay

const (
\tpushPath = "/_matrix/push/v1/notify" // the homeserver posts here
)

// handled at /_matrix/push/v1/notify (a comment names it too)
func (s *Server) routes() {
\ts.mux.HandleFunc(pushPath, s.notify)
}
"""


def test_a_protocol_endpoint_the_app_serves_names_the_system_that_calls_it() -> None:
    files = {"go.mod": GO_MOD, "relay/routes.go": GATEWAY}
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    found = {s.name: s for s in facts.integrations}
    assert "Matrix push gateway" in found, sorted(found)
    assert [(e.path, e.line) for e in found["Matrix push gateway"].evidence] == [
        ("relay/routes.go", 4)
    ]


def test_the_endpoint_named_only_in_comments_or_tests_is_no_claim() -> None:
    commented = b'package relay\n\n// posts to "/_matrix/push/v1/notify\n'
    assert inbound_calls("relay/doc.go", commented) == ()
    files = {"go.mod": GO_MOD, "relay/routes_test.go": GATEWAY}
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    assert not facts.integrations


def test_a_table_or_a_docstring_naming_the_endpoint_is_no_claim() -> None:
    # An analyzer's own rule table and its documentation name the path without serving it.
    table = b'SERVED = {b"/_matrix/push/v1/notify": "Matrix push gateway"}\n'
    docstring = b'"""A homeserver posts to `/_matrix/push/v1/notify` (see the spec)."""\n'
    longer = b'URL = "/_matrix/push/v1/notify/extra"\n'
    for data in (table, docstring, longer):
        assert inbound_calls("tool/rules.py", data) == (), data
    template = b"const path = `/_matrix/push/v1/notify`;\n"
    assert [c.line for c in inbound_calls("web/routes.ts", template)] == [1]


def test_served_endpoints_on_hostile_input_stay_fast() -> None:
    start = time.process_time()
    inbound_calls("a.go", b"// x\n" + b'// "/_matrix/push/v1/notify' * 100_000)
    assert time.process_time() - start < 2
