"""External Integrations and Observability as rendered: a row per integration with its host,
authentication and timeout; every absence says what was searched."""

from __future__ import annotations

from bot.core.model import Evidence, Item, RepoFacts, Service
from bot.core.render import render_data_flow

PATHS = ("app/notify.py", "app/billing.py", "bot/app/retry.py")


def sections(facts: RepoFacts) -> dict[str, str]:
    return render_data_flow(facts, PATHS)


def test_an_integration_row_shows_host_authentication_timeout_and_the_call_site() -> None:
    slack = Service(
        "Slack",
        "messaging",
        "used",
        (Evidence("app/notify.py", 12),),
        hosts=("hooks.slack.com",),
        auth=("SLACK_TOKEN",),
        timeout="10",
    )
    body = sections(RepoFacts(integrations=(slack,)))["external-integrations"]
    assert (
        "| Slack | Messaging | hooks.slack.com | SLACK\\_TOKEN | 10 | used | `app/notify.py:12` |"
        in body
    )


def test_a_configured_destination_names_its_setting() -> None:
    billing = Service(
        "HTTP endpoint configured by BILLING_URL",
        "HTTP API",
        "used",
        (Evidence("app/billing.py", 4),),
        configured_by=("BILLING_URL",),
    )
    body = sections(RepoFacts(integrations=(billing,)))["external-integrations"]
    assert "configured by BILLING\\_URL" in body


def test_host_names_are_never_code_spans() -> None:
    odd = Service("x", "HTTP API", "used", (Evidence("app/notify.py", 1),), hosts=("q`b.io",))
    body = sections(RepoFacts(integrations=(odd,)))["external-integrations"]
    assert "q'b.io" in body
    assert "`" not in body.replace("`app/notify.py:1`", "")


def test_every_none_detected_says_what_was_searched() -> None:
    rendered = sections(RepoFacts())
    for slug in ("external-integrations", "observability-failure-modes"):
        for line in rendered[slug].splitlines():
            if "none detected" in line:
                assert "Searched:" in line, line


def test_found_backoff_is_listed_instead_of_none() -> None:
    backoff = Item("hand-written backoff", "backoff", (Evidence("bot/app/retry.py", 27),), "used")
    body = sections(RepoFacts(resilience=(backoff,)))["observability-failure-modes"]
    assert "| hand-written backoff | backoff | used | `bot/app/retry.py:27` |" in body
    assert "Retries, backoff, circuit breakers and timeouts: none detected" not in body
