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
