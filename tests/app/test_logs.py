from __future__ import annotations

import json
import logging

import pytest

from bot.app.logs import JsonFormatter, context, redact


def test_records_carry_the_bound_context() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "accepted %s", ("x",), None)
    with context(delivery="d-1", installation=5, repo="o/r"):
        line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "accepted x"
    assert (line["delivery"], line["installation"], line["repo"]) == ("d-1", 5, "o/r")
    assert "delivery" not in json.loads(JsonFormatter().format(record))


@pytest.mark.parametrize(
    "secret",
    [
        "ghs_" + "a" * 36,
        "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjEyM30.c2lnbmF0dXJl",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    ],
)
def test_tokens_and_keys_are_redacted(secret: str) -> None:
    assert secret not in redact(f"calling with {secret} now")
    assert "[redacted]" in redact(f"calling with {secret} now")


@pytest.mark.parametrize(
    "text", ["Authorization: token abc123", "authorization=Bearer abc123", "token abc123"]
)
def test_authorization_values_are_redacted(text: str) -> None:
    assert "abc123" not in redact(text)
