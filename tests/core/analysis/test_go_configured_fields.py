"""A Go request to a field every struct literal of the file sets from the program's
configuration goes where the operator configured, not to a user's URL
(`egress_learn._go_config_field`)."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_services import USER_CONFIGURED
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

GO_MOD = b"module example.com/relay\n\ngo 1.22\n"


def names(files: dict[str, bytes]) -> set[str]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    return {i.name for i in facts.integrations}


def relay(literals: str) -> bytes:
    return (
        "package relay\n\n"
        'import (\n\t"net/http"\n\t"strings"\n)\n\n'
        "type notifier struct {\n\tendpoint string\n}\n\n"
        f"func build(app *App, form Form) []*notifier {{\n{literals}}}\n\n"
        "func (n *notifier) send(body string) error {\n"
        '\treq, err := http.NewRequest("POST", n.endpoint, strings.NewReader(body))\n'
        "\tif err != nil {\n\t\treturn err\n\t}\n"
        "\t_, err = http.DefaultClient.Do(req)\n\treturn err\n}\n"
    ).encode()


def test_a_field_set_from_the_configuration_is_that_setting() -> None:
    src = relay(
        "\treturn []*notifier{\n"
        "\t\t&notifier{endpoint: app.Config().Alerts.RelayEndpoint},\n"
        "\t\t&notifier{endpoint: app.cfg.Backup.RelayEndpoint},\n\t}\n"
    )
    got = names({"go.mod": GO_MOD, "relay.go": src})
    assert "HTTP endpoint configured by RelayEndpoint" in got, got
    assert USER_CONFIGURED not in got


def test_a_field_any_literal_sets_from_a_request_stays_user_data() -> None:
    # One literal takes the destination from a submitted form: a user's URL after all.
    src = relay(
        "\treturn []*notifier{\n"
        "\t\t{endpoint: app.Config().Alerts.RelayEndpoint},\n"
        '\t\t{endpoint: form.Get("hook")},\n\t}\n'
    )
    got = names({"go.mod": GO_MOD, "relay.go": src})
    assert not any(n.startswith("HTTP endpoint configured by") for n in got), got
    assert USER_CONFIGURED in got, got


def test_a_comment_or_a_plain_value_chain_is_no_configuration() -> None:
    # `form.Fields.URL` has no configuration segment; a literal in a comment is no literal.
    src = relay(
        "\t// &notifier{endpoint: app.Config().Alerts.RelayEndpoint}\n"
        "\treturn []*notifier{&notifier{endpoint: form.Fields.URL}}\n"
    )
    got = names({"go.mod": GO_MOD, "relay.go": src})
    assert not any(n.startswith("HTTP endpoint configured by") for n in got), got
    assert USER_CONFIGURED in got, got


def test_configured_fields_stay_fast_on_hostile_files() -> None:
    many = "".join(f"\t\t&notifier{{endpoint: app.cfg.S{i}.Endpoint}},\n" for i in range(3_000))
    deep = "\t\t&notifier{endpoint: " + "a." * 5_000 + "b},\n"
    src = relay("\treturn []*notifier{\n" + many + deep + "\t}\n")
    long = b"package relay\n\nvar x = notifier{endpoint: app.cfg." + b"x" * 200_000 + b"}\n"
    started = time.monotonic()
    names({"go.mod": GO_MOD, "relay.go": src, "long.go": long})
    assert time.monotonic() - started < 20
