"""A line that only shows a service to the browser (an avatar URL) or counts work (a StatsD
client) is no flow sink; the file's other sinks stay."""

from __future__ import annotations

from bot.core.flow_sinks import file_sinks
from bot.core.model import Evidence, FileFacts, OutboundCall, Service, Signal


def test_avatar_and_statsd_lines_are_not_sinks() -> None:
    facts = FileFacts(
        "python",
        signals=(Signal("config.avatar", "avatar URL", 7, "avatar-url:gravatar"),),
        calls=(
            OutboundCall("statsd", 3, "statsd", "", "settings.STATSD_HOST", "setting"),
            OutboundCall("smtp", 12, "smtplib", "", "settings.EMAIL_HOST", "setting"),
        ),
    )
    services = {
        "app/models.py": [
            (7, Service("Gravatar", "cms", "configured", (Evidence("app/models.py", 7),))),
            (3, Service("StatsD server", "monitoring", "used", (Evidence("app/models.py", 3),))),
            (12, Service("SMTP", "email", "used", (Evidence("app/models.py", 12),))),
        ]
    }
    sinks = file_sinks("app/models.py", facts, services)
    assert {s.line for s in sinks} == {12}


def test_a_url_handed_to_a_wrapper_stays_a_sink_beside_the_files_own_client_call() -> None:
    facts = FileFacts(
        "ruby",
        calls=(
            OutboundCall("http", 4, "oauth2", "api.forge.io", "", "literal"),
            OutboundCall("candidate", 9, "call:fetch", "forge.io", "", "literal"),
        ),
    )
    forge = Service("Forge", "vcs", "used", (Evidence("lib/forge.rb", 4),))
    services = {"lib/forge.rb": [(4, forge), (9, forge), (2, forge)]}
    sinks = file_sinks("lib/forge.rb", facts, services, hosts={"api.forge.io": "Forge"})
    # the client call (4) and the handed URL (9); not the library's require (2)
    assert sorted((s.line, s.name) for s in sinks) == [(4, "Forge"), (9, "Forge")]


def test_a_request_without_a_host_says_the_service_named_at_its_line() -> None:
    facts = FileFacts(
        "go",
        calls=(
            OutboundCall("http", 5, "net/http", "", "p.URL", "user"),
            OutboundCall("http", 9, "net/http", "", "hook.URL", "user"),
        ),
    )
    gauge = Service("Gauge", "HTTP API", "used", (Evidence("board/panel-gauge.go", 5),))
    hooks = Service("User endpoints", "webhooks", "used", (Evidence("board/panel-gauge.go", 9),))
    services = {"board/panel-gauge.go": [(5, gauge), (9, hooks)]}
    sinks = {s.line: s.what for s in file_sinks("board/panel-gauge.go", facts, services)}
    assert sinks[5] == "sends an HTTP request to Gauge (net/http)"
    # addresses users give (the webhooks category) name no one destination
    assert sinks[9] == "sends an HTTP request (net/http)"
