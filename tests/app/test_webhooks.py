from __future__ import annotations

import pytest

from bot.app.webhooks import SignatureError, WebhookError, event_from_http, sign, verify_signature

BODY = b'{"action": "created", "installation": {"id": 3}, "repository": {"full_name": "o/r"}}'


def headers(**extra: str) -> dict[str, str]:
    return {
        "x-github-event": "issue_comment",
        "x-github-delivery": "abc",
        "x-hub-signature-256": sign(BODY, "k"),
        **extra,
    }


def test_event_from_http_verifies_and_parses_with_any_header_case() -> None:
    event = event_from_http(headers(), BODY, "k")
    assert (event.name, event.delivery_id, event.action) == ("issue_comment", "abc", "created")
    assert (event.installation_id, event.repo) == (3, "o/r")


def test_known_signature_value() -> None:
    # From GitHub's docs: secret "It's a Secret to Everybody", payload "Hello, World!".
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    verify_signature(b"Hello, World!", expected, "It's a Secret to Everybody")


@pytest.mark.parametrize(
    "signature", [None, "", "sha256=00", "sha1=" + "0" * 40, sign(BODY + b" ", "k")]
)
def test_bad_or_missing_signature_is_401(signature: str | None) -> None:
    with pytest.raises(SignatureError) as err:
        verify_signature(BODY, signature, "k")
    assert err.value.status == 401


def test_not_a_json_object_is_400() -> None:
    body = b"[1, 2]"
    with pytest.raises(WebhookError) as err:
        event_from_http({**headers(), "x-hub-signature-256": sign(body, "k")}, body, "k")
    assert err.value.status == 400


def test_missing_event_header_is_400() -> None:
    h = headers()
    del h["x-github-event"]
    with pytest.raises(WebhookError, match="X-GitHub-Event"):
        event_from_http(h, BODY, "k")


def test_payload_without_installation_has_none() -> None:
    body = b'{"zen": "x"}'
    event = event_from_http({**headers(), "x-hub-signature-256": sign(body, "k")}, body, "k")
    assert (event.installation_id, event.repo, event.action) == (None, None, None)
