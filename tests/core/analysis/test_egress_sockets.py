"""StatsD clients and raw sockets to a configured server: what each language's call sends,
and the lookalikes that must not count (a local class of the same name, a database's
`connect`, a `net` that is not the standard library's)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.egress import outbound_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def sent(language: str, source: str, kind: str) -> list[tuple[int, str, str, str]]:
    found, _, _ = outbound_calls(language, source.encode())
    return [(c.line, c.client, c.host, c.configured_by) for c in found if c.kind == kind]


def test_python_statsd_clients() -> None:
    source = (
        "from django.conf import settings\n"
        "from statsd.client.udp import StatsClient\n"
        "import datadog\n"
        "a = StatsClient(host=settings.STATSD_HOST, port=8125)\n"
        "b = datadog.DogStatsd(host='metrics.acme-corp.io')\n"
        "# c = StatsClient(host='x')\n"
    )
    assert sent("python", source, "statsd") == [
        (4, "statsd", "", "settings.STATSD_HOST"),
        (5, "datadog", "metrics.acme-corp.io", ""),
    ]


def test_python_lookalike_statsd_is_not_claimed() -> None:
    source = (
        "import requests\n"
        "class StatsClient:\n    pass\n"
        "c = StatsClient(host='metrics.acme-corp.io')\n"
        "db.connect(settings.DATABASE_HOST)\n"
    )
    assert sent("python", source, "statsd") == []
    assert sent("python", source, "socket") == []


def test_javascript_statsd_and_sockets() -> None:
    source = (
        "const StatsD = require('hot-shots');\n"
        "const net = require('net');\n"
        "const m = new StatsD({ host: process.env.STATSD_HOST });\n"
        "const s = net.createConnection({ host: process.env.RELAY_HOST, port: 25 });\n"
    )
    assert sent("javascript", source, "statsd") == [(3, "hot-shots", "", "STATSD_HOST")]
    assert sent("javascript", source, "socket") == [(4, "net", "", "RELAY_HOST")]


def test_javascript_lookalikes() -> None:
    source = (
        "class StatsD { constructor(o) {} }\n"
        "const net = require('./net');\n"
        "const m = new StatsD({ host: process.env.STATSD_HOST });\n"
        "net.createConnection({ host: process.env.RELAY_HOST });\n"
        "mongoose.connect(process.env.MONGO_URL);\n"
    )
    assert sent("javascript", source, "statsd") == []
    assert sent("javascript", source, "socket") == []


def test_go_statsd_and_dial() -> None:
    source = (
        "package metrics\n\n"
        'import (\n\t"net"\n\t"os"\n\t"github.com/cactus/go-statsd-client/v5/statsd"\n)\n\n'
        "func Start(cfg Config) {\n"
        '\tc, _ := statsd.NewClient(os.Getenv("STATSD_ADDR"), "app")\n'
        '\tconn, _ := net.Dial("unix", cfg.SignalSocket)\n'
        "\t_, _ = c, conn\n}\n"
    )
    assert sent("go", source, "statsd") == [(10, "statsd", "", "STATSD_ADDR")]
    assert sent("go", source, "socket") == [(11, "net", "", "cfg.SignalSocket")]


def test_go_lookalikes() -> None:
    source = (
        "package x\n\n"
        'import (\n\t"os"\n\tnet "example.com/acme/net"\n\tstatsd "example.com/acme/stats"\n)\n\n'
        "func Start() {\n"
        '\tnet.Dial("unix", os.Getenv("SOCK"))\n'
        '\tstatsd.NewClient(os.Getenv("STATSD_ADDR"))\n}\n'
    )
    assert sent("go", source, "socket") == []
    assert sent("go", source, "statsd") == []


def test_end_to_end_items() -> None:
    files = {
        "hc/lib/metrics.py": (
            b"from django.conf import settings\nfrom statsd.client.udp import StatsClient\n"
            b"client = StatsClient(host=settings.STATSD_HOST, port=8125)\n"
        ),
        "app/relay.go": (
            b'package app\n\nimport (\n\t"net"\n\t"os"\n)\n\n'
            b'func Open() {\n\tnet.Dial("tcp", os.Getenv("RELAY_ADDR"))\n}\n'
        ),
    }
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    by_name = {s.name: s for s in facts.integrations}
    statsd = by_name["StatsD server"]
    assert (statsd.category, statsd.configured_by) == ("monitoring", ("settings.STATSD_HOST",))
    relay = by_name["Server at RELAY_ADDR (socket)"]
    assert relay.configured_by == ("RELAY_ADDR",)
