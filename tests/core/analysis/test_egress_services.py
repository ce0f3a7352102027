"""Integrations from outbound calls: naming by catalog host, by host, by folder, user data,
settings; wrappers across files; and the grounding property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import analyze
from bot.core.analysis.egress_services import (
    USER_CONFIGURED,
    browser_path,
    egress_services,
    merge_integrations,
    service_folder_name,
)
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, FileFacts, OutboundCall, Service
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def found(files: dict[str, FileFacts]) -> dict[str, Service]:
    _, services = egress_services(files, CATALOG)
    return {s.name: s for s in services}


def http(
    line: int, host: str = "", by: str = "", origin: str = "literal", **kw: str
) -> OutboundCall:
    return OutboundCall(
        "http", line, kw.get("client", "requests"), host, by, origin, kw.get("timeout", "")
    )


def test_a_catalogued_host_names_its_service() -> None:
    files = {"app/notify.py": FileFacts("python", calls=(http(7, "hooks.slack.com"),))}
    assert found(files)["Slack"].hosts == ("hooks.slack.com",)


def test_an_unknown_host_is_an_http_api_named_by_it() -> None:
    files = {"app/geo.py": FileFacts("python", calls=(http(3, "api.geo.example-corp.io"),))}
    service = found(files)["api.geo.example-corp.io"]
    assert (service.category, service.strength, service.evidence) == (
        "HTTP API",
        "used",
        (Evidence("app/geo.py", 3),),
    )


def test_local_and_reserved_hosts_are_not_egress() -> None:
    calls = tuple(
        http(i, h)
        for i, h in enumerate(["localhost", "127.0.0.1", "api.example.com", "db.internal"], 1)
    )
    assert found({"app/x.py": FileFacts("python", calls=calls)}) == {}


def test_a_user_configured_url_is_one_item_with_every_call_site() -> None:
    files = {
        "app/hooks.py": FileFacts("python", calls=(http(4, by="hook.url", origin="user"),)),
        "app/feeds.py": FileFacts("python", calls=(http(9, by="feed.url", origin="user"),)),
    }
    service = found(files)[USER_CONFIGURED]
    assert service.evidence == (Evidence("app/feeds.py", 9), Evidence("app/hooks.py", 4))


def test_a_folder_named_for_a_service_names_a_configured_destination() -> None:
    path = "server/notification-providers/gotify.js"
    files = {
        path: FileFacts("javascript", calls=(http(18, by="n.gotifyServerUrl", origin="user"),))
    }
    assert found(files)["Gotify"].evidence == (Evidence(path, 18),)
    assert service_folder_name("server/notification-providers/index.js") == ""
    assert service_folder_name("app/models/provider/github.rb") == "github"


def test_a_members_folder_under_a_service_folder_is_named_by_the_member() -> None:
    # `agents/` holds the members: the file names the service, the folder word never does
    assert service_folder_name("srv/notifications/agents/chirpline.ts") == "chirpline"
    assert service_folder_name("srv/notifications/agents/agent.ts") == ""
    assert service_folder_name("srv/integrations/drivers/quackmail/send.py") == "quackmail"
    # look-alike: an `agents` folder of its own (no service folder above) names nothing
    assert service_folder_name("app/agents/planner.py") == ""


def test_a_setting_resolved_through_a_settings_module_constant_gives_the_host() -> None:
    files = {
        "proj/settings.py": FileFacts(
            "python", meta=(("egress.const", "CENSUS_URL=census.example-corp.net"),)
        ),
        "core/jobs.py": FileFacts(
            "python", calls=(http(102, by="settings.CENSUS_URL", origin="setting"),)
        ),
    }
    service = found(files)["census.example-corp.net"]
    assert service.evidence == (Evidence("core/jobs.py", 102),)


def test_an_unresolved_setting_is_named_for_it() -> None:
    files = {"core/jobs.py": FileFacts("python", calls=(http(5, by="RELEASE_URL", origin="env"),))}
    assert found(files)["HTTP endpoint configured by RELEASE_URL"].configured_by == ("RELEASE_URL",)


def test_candidates_count_only_where_the_repository_defines_that_wrapper() -> None:
    caller = FileFacts(
        "ruby",
        calls=(OutboundCall("candidate", 21, "call:fetch", "api.pushover.net", "", "literal"),),
    )
    assert found({"extras/pushover.rb": caller}) == {}
    wrapper = FileFacts(
        "ruby", meta=(("egress.wrapper", "fetch"),), calls=(http(177, origin="parameter"),)
    )
    both = found({"extras/pushover.rb": caller, "extras/sponge.rb": wrapper})
    assert list(both) == ["Pushover"]


def test_tests_examples_relative_and_parameter_urls_make_no_claim() -> None:
    files = {
        "tests/test_x.py": FileFacts("python", calls=(http(1, "api.stripe.com"),)),
        "app/a.py": FileFacts(
            "python", calls=(http(2, origin="relative"), http(3, by="url", origin="parameter"))
        ),
    }
    assert found(files) == {}


def test_browser_code_handing_over_a_url_is_its_own_server() -> None:
    assert browser_path("web/src/components/map.ts")
    assert browser_path("src/App.tsx")
    files = {
        "web/src/api.ts": FileFacts("typescript", calls=(http(3, by="form.action", origin="user"),))
    }
    assert found(files) == {}


def test_credentials_read_beside_the_call_are_its_authentication() -> None:
    from bot.core.model import EnvRead

    files = {
        "app/mail.py": FileFacts(
            "python",
            env=(EnvRead("SENDGRID_API_KEY", 2), EnvRead("LOG_LEVEL", 3)),
            calls=(http(9, "api.sendgrid.com", timeout="10"),),
        )
    }
    service = found(files)["SendGrid"]
    assert (service.auth, service.timeout) == (("SENDGRID_API_KEY",), "10")


def test_merge_adds_call_sites_and_hosts_to_the_catalog_service() -> None:
    catalogued = (Service("Slack", "messaging", "declared", (Evidence("requirements.txt", 3),)),)
    called = (
        Service(
            "Slack", "messaging", "used", (Evidence("app/n.py", 7),), hosts=("hooks.slack.com",)
        ),
    )
    merged = merge_integrations(catalogued, called)
    assert merged == (
        Service(
            "Slack",
            "messaging",
            "used",
            (Evidence("app/n.py", 7), Evidence("requirements.txt", 3)),
            hosts=("hooks.slack.com",),
        ),
    )


def test_user_data_passed_to_another_files_wrapper_is_a_user_configured_endpoint() -> None:
    wrapper = (
        b"class Sponge\n  def try_fetch(url, method = :get)\n    Net::HTTP.get(URI(url))\n"
        b"  end\n  def fetch(url)\n    try_fetch(url)\n  end\nend\n"
    )
    # (Parsed because it holds a URL literal: a file is read for calls only when its bytes
    # show a client's name or one, see `egress.triggered`.)
    job = (
        b'class SendWebmentionJob\n  REL = "http://webmention.org/"\n  def perform(story)\n'
        b"    sp = Sponge.new\n"
        b"    sp.try_fetch(URI::RFC2396_PARSER.escape(story.url), :get)\n"
        b'    # sp.try_fetch(story.dead_url)\n    note = "sp.try_fetch(story.url)"\n'
        b"  end\nend\n"
    )
    cache = (
        b'class Feed\n  REL = "http://webmention.org/"\n  def body(story)\n'
        b"    Rails.cache.fetch(story.url) { 1 }\n  end\nend\n"
    )
    facts = analyze(
        MemorySnapshot({"extras/sponge.rb": wrapper, "app/jobs/webmention.rb": job}),
        MemoryFactsCache(),
        CATALOG,
    )
    service = {s.name: s for s in facts.integrations}[USER_CONFIGURED]
    assert service.evidence == (Evidence("app/jobs/webmention.rb", 5),)
    # A collection's `fetch` with a URL-named key is not a call of the wrapper named fetch.
    only_cache = analyze(
        MemorySnapshot({"extras/sponge.rb": wrapper, "app/models/feed.rb": cache}),
        MemoryFactsCache(),
        CATALOG,
    )
    assert USER_CONFIGURED not in {s.name for s in only_cache.integrations}


def test_end_to_end_a_wrapper_in_one_file_and_its_calls_in_another() -> None:
    snapshot = MemorySnapshot(
        {
            "lib/http_client.rb": (
                b"class Client\n  def fetch(url)\n    Net::HTTP.get(URI(url))\n  end\nend\n"
            ),
            "app/jobs/tlds.rb": (
                b'LIST = "https://data.iana.org/TLD/tlds.txt"\nClient.new.fetch(LIST)\n'
            ),
        }
    )
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    service = {s.name: s for s in facts.integrations}["data.iana.org"]
    assert service.evidence == (Evidence("app/jobs/tlds.rb", 2),)


def test_a_service_folder_names_the_destination_its_caller_hands_it() -> None:
    files = {
        "internal/integration/beeper/beeper.go": FileFacts(
            "go", calls=(http(48, by="endpointURL", origin="parameter"),)
        ),
        # the folder's own dispatcher is no service
        "internal/integration/integration.go": FileFacts(
            "go", calls=(http(12, by="hook.url", origin="user"),)
        ),
    }
    assert service_folder_name("internal/integration/integration.go") == ""
    services = found(files)
    assert services["Beeper"].evidence == (Evidence("internal/integration/beeper/beeper.go", 48),)
    assert set(services) == {"Beeper", USER_CONFIGURED}


def test_end_to_end_transports_posting_through_a_base_class_in_another_file() -> None:
    snapshot = MemorySnapshot(
        {
            "app/lib/curl.py": (
                b"import pycurl\n\n\ndef request(method, url):\n    c = pycurl.Curl()\n"
                b"    c.setopt(pycurl.URL, url.encode())\n    c.perform()\n\n\n"
                b"def post(url, data=None):\n    return request('post', url)\n"
            ),
            "app/transports.py": (
                b"from app.lib import curl\n\n\nclass Transport:\n"
                b"    def post(self, url, **kw):\n        return curl.post(url, **kw)\n"
            ),
            "app/integrations/beeper/transport.py": (
                b"from app.transports import Transport\n\n\nclass Beeper(Transport):\n"
                b"    def notify(self, check):\n        self.post(self.channel.value, json={})\n"
            ),
            "app/integrations/pager/transport.py": (
                b"from app.transports import Transport\n\n\nclass Pager(Transport):\n"
                b'    URL = "https://events.pager.example.io/v1/enqueue"\n\n'
                b"    def notify(self, check):\n        self.post(self.URL, json={})\n"
            ),
        }
    )
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    services = {s.name: s for s in facts.integrations}
    assert services["Beeper"].evidence == (Evidence("app/integrations/beeper/transport.py", 6),)
    # a written host is the destination, even in a folder named for a service
    assert services["Pager"].hosts == ("events.pager.example.io",)


_hosts = st.sampled_from(["hooks.slack.com", "api.x.io", "localhost", "", "api.telegram.org"])
_origins = st.sampled_from(
    ["literal", "env", "setting", "user", "parameter", "relative", "unknown", "constant"]
)
_paths = st.sampled_from(
    [
        "app/a.py",
        "tests/t.py",
        "server/providers/matrix.js",
        "web/src/x.ts",
        "lib/c.rb",
        "docs/d.py",
    ]
)
_calls = st.builds(
    OutboundCall,
    st.sampled_from(["http", "candidate"]),
    st.integers(1, 500),
    st.sampled_from(["requests", "call:fetch", "axios"]),
    _hosts,
    st.sampled_from(["", "X_URL", "settings.Y", "hook.url"]),
    _origins,
    st.sampled_from(["", "5"]),
)


@given(st.dictionaries(_paths, st.lists(_calls, max_size=4).map(tuple), max_size=5))
def test_no_integration_without_a_call_line_of_a_product_file_as_evidence(
    raw: dict[str, tuple[OutboundCall, ...]],
) -> None:
    files = {
        p: FileFacts("python", calls=c, meta=(("egress.wrapper", "fetch"),)) for p, c in raw.items()
    }
    for service in found(files).values():
        assert service.evidence
        for ev in service.evidence:
            assert ev.line is not None
            assert any(c.line == ev.line for c in raw[ev.path])
            assert not ev.path.startswith(("tests/", "docs/"))


def test_a_wrapper_in_a_service_folder_is_not_a_second_item_beside_its_callers_host() -> None:
    files = {
        "server/providers/beeper.js": FileFacts(
            "javascript",
            calls=(
                http(30, "api.pushover.net", client="wrapper:post"),
                http(93, by="url", origin="parameter", client="axios"),
            ),
        ),
    }
    assert set(found(files)) == {"Pushover"}


def test_a_generic_folder_word_never_names_a_service() -> None:
    # `webhooks/server/…`: "server" is where the code runs, not whom it calls.
    for path in (
        "plugins/webhooks/server/tasks/Deliver.ts",
        "integrations/client/send.ts",
        "providers/lib/x.py",
        "integrations/api/call.go",
        "plugins/core/index.ts",
        "plugins/shared/http.ts",
        "integrations/utils/fetch.ts",
        "plugins/src/a.ts",
    ):
        assert service_folder_name(path) == "", path
    files = {
        "plugins/webhooks/server/tasks/Deliver.ts": FileFacts(
            "typescript", calls=(http(8, by="url", origin="unknown"),)
        )
    }
    assert "Server" not in found(files)


def test_a_plugins_folder_names_its_service_like_an_integrations_folder() -> None:
    assert service_folder_name("plugins/figma/server/figma.ts") == "figma"
    assert service_folder_name("plugins/iframely/server/api.ts") == "iframely"
    assert service_folder_name("shared/editor/plugins/UploadPlugin.ts") == ""  # a file, no folder
    path = "plugins/acmewidgets/server/acme.ts"
    files = {path: FileFacts("typescript", calls=(http(5, by="token.url", origin="user"),))}
    assert found(files)["Acmewidgets"].evidence == (Evidence(path, 5),)


def test_a_client_file_in_a_lib_folder_names_the_folders_service() -> None:
    assert service_folder_name("lib/tufrepo/client.rb") == "tufrepo"
    assert service_folder_name("lib/tufrepo/client.py") == "tufrepo"
    # only a client file; a generic folder under lib is still no service
    assert service_folder_name("lib/tufrepo/helpers.rb") == ""
    assert service_folder_name("lib/utils/client.rb") == ""
    assert service_folder_name("lib/client.rb") == ""
    assert service_folder_name("app/lib/x/y/client.rb") == ""


def test_a_rails_config_value_is_the_host_its_initializer_sets_never_user_data() -> None:
    snapshot = MemorySnapshot(
        {
            "config/initializers/ledger.rb": (
                b"Shopfront::Application.config.ledger_api = {\n"
                b'  live: "https://api.ledgerly.io/v2",\n'
                b'  trial: "https://trial.ledgerly.io/v2"\n}\n'
            ),
            "app/controllers/ledgers_controller.rb": (
                b"class LedgersController < ApplicationController\n"
                b"  def create\n"
                b"    post_entry(Shopfront::Application.config.ledger_api[:live])\n"
                b"    post_entry(Shopfront::Application.config.audit_url)\n  end\n\n"
                b"  def post_entry(endpoint)\n    HTTP.post(endpoint, json: {a: 1})\n  end\nend\n"
            ),
            # `details` is a method of the object (no local, no parameter): not a user's URL
            "app/models/preview.rb": (
                b"class Preview\n  def thumb\n"
                b'    HTTP.head(details["thumb_url"].sub("s", "l"))\n  end\nend\n'
            ),
            # a block's parameter is a local: a user's hook stays user data
            "app/models/hook_sender.rb": (
                b"class HookSender\n  def send_all\n"
                b'    hooks.each do |hook|\n      HTTP.post(hook["url"])\n    end\n  end\nend\n'
            ),
        }
    )
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    services = {s.name: s for s in facts.integrations}
    assert services["api.ledgerly.io"].evidence == (
        Evidence("app/controllers/ledgers_controller.rb", 3),
    )
    assert "HTTP endpoint configured by Shopfront::Application.config.audit_url" in services
    assert services[USER_CONFIGURED].evidence == (Evidence("app/models/hook_sender.rb", 4),)


def test_a_program_go_generate_runs_is_not_the_apps_egress() -> None:
    snapshot = MemorySnapshot(
        {
            "go.mod": b"module example.com/app\n\ngo 1.22\n",
            "text/tables.go": b"package text\n\n//go:generate go run ./gen -out tables.go\n",
            "text/gen/main.go": b'package main\n\nimport "net/http"\n\nfunc main() {\n'
            b'\tclient := &http.Client{}\n\tclient.Get("https://data.tables.io/list.txt")\n}\n',
            "web/hook.go": b'package web\n\nimport "net/http"\n\nfunc ping() {\n'
            b'\thttp.Get("https://api.pinger.io/v1")\n}\n',
        }
    )
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    assert [s.name for s in facts.integrations] == ["api.pinger.io"]


def test_a_go_field_resolves_to_the_default_a_struct_literal_gives_it() -> None:
    files = {
        "server/config.go": FileFacts(
            "go", meta=(("egress.const", "SmsBaseURL=api.sms-vendor.example-corp.net"),)
        ),
        "server/sms.go": FileFacts(
            "go", calls=(http(12, by="s.config.SmsBaseURL", origin="field", client="net/http"),)
        ),
        # a field no struct literal sets (the app's own base URL, a row's URL) names nothing
        "server/loop.go": FileFacts(
            "go", calls=(http(7, by="s.conf.BaseURL", origin="field", client="net/http"),)
        ),
    }
    services = found(files)
    assert services["api.sms-vendor.example-corp.net"].evidence == (Evidence("server/sms.go", 12),)
    assert len(services) == 1
    # a test's fake server sets no default the product reads
    files["server/sms_test.go"] = FileFacts(
        "go", meta=(("egress.const", "BaseURL=fake-upstream.example-corp.net"),)
    )
    assert "fake-upstream.example-corp.net" not in found(files)


def test_a_file_or_folder_named_for_its_role_in_the_layout_names_no_service() -> None:
    # `hooks/views.py`, `integrations/tasks/…`, `providers/webhook_utils.ts`: what the code
    # is, not whom it calls; look-alikes named for a party still name it
    assert service_folder_name("shop/webhooks/views.py") == ""
    assert service_folder_name("shop/integrations/tasks/sync.py") == ""
    assert service_folder_name("src/providers/webhook_utils.ts") == ""
    assert service_folder_name("src/providers/request_handlers.py") == ""
    assert service_folder_name("shop/webhooks/pagerduty.py") == "pagerduty"
    assert service_folder_name("shop/integrations/task_rabbit/client.py") == "task_rabbit"


def test_a_sign_in_protocol_folder_groups_the_providers_below_it() -> None:
    assert service_folder_name("auth/providers/oauth/keyforge.py") == "keyforge"
    assert service_folder_name("auth/provider/oidc/idhub/client.ts") == "idhub"
    # look-alikes: the protocol's shared code names no provider; other folders as before
    assert service_folder_name("auth/providers/oauth/base.py") == ""
    assert service_folder_name("app/integrations/chatly/client.py") == "chatly"


def test_a_ruby_constant_of_another_module_is_the_host_its_module_sets() -> None:
    # `Acme::NEWS_URL` built from the module's own literal (`"#{HOME}/news".freeze`) is
    # that host; a frozen literal is its URL too
    snapshot = MemorySnapshot(
        {
            "lib/acme.rb": (
                b"module Acme\n"
                b"  HOME_URL = 'https://www.acme-widgets.io'\n"
                b'  NEWS_URL = "#{HOME_URL}/news".freeze\n'
                b"  PARTS_URL = 'https://parts.acme-widgets.io/v1'.freeze\n"
                b"  HOME_LABEL = 'Acme'.freeze\n"
                b"end\n"
            ),
            "app/controllers/news_controller.rb": (
                b"class NewsController < ApplicationController\n"
                b"  def update\n"
                b"    Faraday.post(Acme::NEWS_URL, params.to_json)\n"
                b"  end\n\n"
                b"  def parts\n"
                b"    Faraday.get(::Acme::PARTS_URL)\n"
                b"  end\n"
                b"end\n"
            ),
        }
    )
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    services = {s.name: s for s in facts.integrations}
    assert services["www.acme-widgets.io"].evidence == (
        Evidence("app/controllers/news_controller.rb", 3),
    )
    assert services["parts.acme-widgets.io"].evidence == (
        Evidence("app/controllers/news_controller.rb", 7),
    )


def test_a_scoped_name_that_is_no_constant_or_no_url_names_no_host() -> None:
    # look-alikes: a class (`Acme::Client`), a method of a module (`Acme.url`), a frozen
    # value that is no URL, a `.freeze` given arguments
    snapshot = MemorySnapshot(
        {
            "lib/acme.rb": (
                b"module Acme\n"
                b"  LABEL = 'Acme widgets'.freeze\n"
                b"  ODD = 'https://odd.acme-widgets.io'.freeze(1)\n"
                b"end\n"
            ),
            "app/controllers/news_controller.rb": (
                b"class NewsController < ApplicationController\n"
                b"  def update\n"
                b"    Faraday.post(Acme::Client, params.to_json)\n"
                b"    Faraday.post(Acme::LABEL, params.to_json)\n"
                b"    Faraday.post(Acme::ODD, params.to_json)\n"
                b"  end\n"
                b"end\n"
            ),
        }
    )
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    names = {s.name for s in facts.integrations}
    assert not any("acme-widgets" in n for n in names)
    assert not any(n.startswith("HTTP endpoint configured by") for n in names)


def test_hostile_scoped_constants_stay_bounded() -> None:
    import time

    deep = "A::" * 5_000 + "URL"
    src = "class C\n  def go\n    Faraday.post(" + deep + ")\n  end\nend\n"
    frozen = "X = " + "'https://h.acme-widgets.io'" + ".freeze" * 2_000 + "\n"
    start = time.perf_counter()
    analyze(
        MemorySnapshot({"app/c.rb": src.encode(), "lib/x.rb": frozen.encode()}),
        MemoryFactsCache(),
        CATALOG,
    )
    assert time.perf_counter() - start < 5.0


def test_another_modules_constant_whose_value_is_unseen_names_nothing() -> None:
    files = {
        "app/news.rb": FileFacts(
            "ruby", calls=(http(3, by="Acme::LABEL", origin="constant", client="Faraday"),)
        )
    }
    assert found(files) == {}
    files["lib/acme.rb"] = FileFacts("ruby", meta=(("egress.const", "LABEL=www.acme-widgets.io"),))
    assert found(files)["www.acme-widgets.io"].evidence == (Evidence("app/news.rb", 3),)


def _root_scripts(ran: str) -> dict[str, FileFacts]:
    manifest = FileFacts("manifest", meta=(("scripts.run", ran),) if ran else ())
    call = (http(12, "api.tally.example-corp.io", client="fetch"),)
    return {
        "package.json": manifest,
        "scripts/refresh-credits.mjs": FileFacts("javascript", calls=call),
    }


def test_a_root_script_no_package_script_runs_is_a_maintainers() -> None:
    # run only by a CI workflow: the root manifest's scripts never name it
    assert found(_root_scripts("next build && node scripts/other.mjs")) == {}


def test_a_root_script_the_manifest_runs_keeps_its_calls() -> None:
    files = _root_scripts("node scripts/refresh-credits.mjs")
    assert "api.tally.example-corp.io" in found(files)
    # without a root manifest nothing says how the folder is used: kept as before
    del files["package.json"]
    assert "api.tally.example-corp.io" in found(files)


def test_a_huge_scripts_text_and_deep_paths_stay_bounded() -> None:
    files = _root_scripts("x" * 200_000)
    files["scripts/" + "a/" * 2000 + "b.mjs"] = files["scripts/refresh-credits.mjs"]
    assert found(files) == {}
