"""Outbound calls per language: every client of the tables and every destination form.

Fixtures are small files written for these tests. Each test states what one call sends
where; `calls()` returns (line, client, host, configured_by, origin) for readability.
"""

from __future__ import annotations

import pytest

from bot.core.analysis.egress import _canonical, _File, outbound_calls
from bot.core.model import OutboundCall


def calls(language: str, source: str) -> list[tuple[int, str, str, str, str]]:
    found, _, _ = outbound_calls(language, source.encode())
    return [(c.line, c.client, c.host, c.configured_by, c.origin) for c in found]


def one(language: str, source: str) -> OutboundCall:
    found, _, _ = outbound_calls(language, source.encode())
    assert len(found) == 1, found
    return found[0]


# --- Python -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "client"),
    [
        ('import requests\nrequests.post("https://api.example.io/v1/x", json={})\n', "requests"),
        ('import requests\nrequests.request("GET", "https://api.example.io/v1")\n', "requests"),
        ('import httpx\nhttpx.get("https://api.example.io/v1")\n', "httpx"),
        (
            "import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n"
            '        await c.get("https://api.example.io/v1")\n',
            "httpx",
        ),
        (
            "import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n"
            '        await s.post("https://api.example.io/v1")\n',
            "aiohttp",
        ),
        (
            'from urllib.request import urlopen\nurlopen("https://api.example.io/v1")\n',
            "urllib.request",
        ),
        (
            'import urllib.request\nurllib.request.urlopen("https://api.example.io/v1")\n',
            "urllib.request",
        ),
        (
            'import urllib3\nhttp = urllib3.PoolManager()\nhttp.request("GET", "https://api.example.io/v1")\n',
            "urllib3",
        ),
        ('import http.client\nhttp.client.HTTPSConnection("api.example.io")\n', "http.client"),
        (
            'import pycurl\nc = pycurl.Curl()\nc.setopt(pycurl.URL, "https://api.example.io/v1")\n',
            "pycurl",
        ),
        ('import requests as r\nr.get("https://api.example.io/v1")\n', "requests"),
        (
            'import requests\ns = requests.Session()\ns.get("https://api.example.io/v1")\n',
            "requests",
        ),
    ],
)
def test_python_clients_send_to_the_literal_host(source: str, client: str) -> None:
    call = one("python", source)
    assert (call.client, call.host, call.origin) == (client, "api.example.io", "literal")


def test_python_f_string_with_a_literal_host_names_it() -> None:
    src = 'import requests\ndef f(chat):\n    requests.post(f"https://api.telegram.org/bot{chat}/send")\n'
    assert calls("python", src) == [(3, "requests", "api.telegram.org", "", "literal")]


def test_python_constant_in_the_same_file_gives_its_host() -> None:
    src = (
        'import requests\nBASE = "https://hooks.slack.com/services"\nrequests.post(BASE + "/T0")\n'
    )
    assert calls("python", src) == [(3, "requests", "hooks.slack.com", "", "literal")]


def test_python_setting_and_env_var_say_what_configures_the_url() -> None:
    src = (
        "import os\nimport requests\nfrom django.conf import settings\n"
        "requests.get(settings.RELEASE_CHECK_URL, timeout=3)\n"
        'requests.get(os.environ["BILLING_URL"])\n'
        'requests.get(os.getenv("AUDIT_URL"))\n'
    )
    assert calls("python", src) == [
        (4, "requests", "", "settings.RELEASE_CHECK_URL", "setting"),
        (5, "requests", "", "BILLING_URL", "env"),
        (6, "requests", "", "AUDIT_URL", "env"),
    ]


def test_python_url_from_a_stored_hook_is_user_data() -> None:
    src = (
        "import requests\n"
        "def deliver(hook, body):\n"
        "    requests.post(hook.payload_url, data=body)\n"
    )
    assert calls("python", src) == [(3, "requests", "", "hook.payload_url", "user")]


def test_python_wrapper_makes_its_callers_outbound_calls() -> None:
    src = (
        "import requests\n"
        "def post_json(url, body):\n"
        "    return requests.post(url, json=body, timeout=5)\n"
        'post_json("https://api.sendgrid.com/v3/mail/send", {})\n'
    )
    found, _, meta = outbound_calls("python", src.encode())
    rows = [(c.line, c.client, c.host, c.origin) for c in found]
    assert rows == [
        (3, "requests", "", "parameter"),
        (4, "wrapper:post_json", "api.sendgrid.com", "literal"),
    ]
    assert ("egress.wrapper", "post_json") in meta


def test_python_timeout_at_the_call_is_kept() -> None:
    assert (
        one("python", 'import requests\nrequests.get("https://a.example.io", timeout=10)\n').timeout
        == "10"
    )


def test_python_module_level_url_constant_is_exported_for_other_files() -> None:
    _, _, meta = outbound_calls("python", b'CENSUS_URL = "https://census.example.net/api/"\n')
    assert meta == (("egress.const", "CENSUS_URL=census.example.net"),)


def test_python_dead_calls_in_comments_and_strings_do_not_count() -> None:
    src = (
        "import requests\n"
        '# requests.get("https://dead.example.io")\n'
        'DOC = """requests.post("https://dead2.example.io")"""\n'
        "x = 'requests.get(\"https://dead3.example.io\")'\n"
    )
    assert calls("python", src) == []


def test_python_parameter_annotated_with_a_client_type_is_that_client() -> None:
    src = (
        "import httpx\n"
        "from typing import Optional\n"
        "from aiohttp import ClientSession\n"
        "async def check(n, *, session: ClientSession):\n"
        '    async with session.head("https://issues.example.org/i") as res:\n'
        "        return res.status\n"
        "def fetch(c: Optional[httpx.AsyncClient] = None, r: 'requests.Session | None' = None):\n"
        '    c.get("https://b.example.com")\n'
        "def unrelated(session: Session, db: 'sqlalchemy.orm.Session', plain):\n"
        '    session.get("https://no1.example.com")\n'
        '    db.get("https://no2.example.com")\n'
        '    plain.get("https://no3.example.com")\n'
        "def shadowed(session: ClientSession):\n"
        "    def inner(session):\n"
        '        session.get("https://no4.example.com")\n'
        '    # session.get("https://dead.example.io")\n'
        "    doc = \"session.post('https://dead2.example.io')\"\n"
    )
    # The others are at most candidates (kept only if some file defines a wrapper `get`).
    assert [c for c in calls("python", src) if c[1] != "call:get"] == [
        (5, "aiohttp", "issues.example.org", "", "literal"),
        (8, "httpx", "b.example.com", "", "literal"),
    ]


def test_python_async_with_client_session_is_an_instance() -> None:
    src = (
        "import aiohttp\n"
        "async def own():\n"
        "    async with aiohttp.ClientSession() as s:\n"
        '        await s.post("https://c.example.com")\n'
    )
    assert calls("python", src) == [(4, "aiohttp", "c.example.com", "", "literal")]


def test_python_url_from_a_table_of_literals_names_every_host() -> None:
    src = (
        "from aiohttp import ClientSession\n"
        "CHECK_URL: dict[str, str] = {\n"
        '    "gh": "https://api.example.com/issues/{n}",\n'
        '    "old": "https://tracker.example.org/issue{n}",\n'
        "}\n"
        "def elsewhere():\n"
        '    url = "https://docs.example.net/guide"\n'
        "    return url\n"
        "async def check(n, kind, *, session: ClientSession):\n"
        "    url = CHECK_URL[kind].format(n=n)\n"
        "    await session.head(url)\n"
        '    await session.get(CHECK_URL["old"].format(n=n))\n'
        '    await session.get(f"{CHECK_URL[kind]}/comments")\n'
    )
    assert calls("python", src) == [
        (11, "aiohttp", "api.example.com", "", "literal"),
        (11, "aiohttp", "tracker.example.org", "", "literal"),
        (12, "aiohttp", "tracker.example.org", "", "literal"),
        (13, "aiohttp", "api.example.com", "", "literal"),
        (13, "aiohttp", "tracker.example.org", "", "literal"),
    ]


def test_python_table_inside_a_function_or_of_non_urls_is_not_a_destination() -> None:
    src = (
        "import requests\n"
        'NAMES = {"a": "alpha", "b": "beta"}\n'
        "def f(k, s: requests.Session):\n"
        '    local = {"a": "https://local.example.com"}\n'
        "    s.get(local[k])\n"
        "    s.get(NAMES[k])\n"
    )
    assert all(c[2] == "" for c in calls("python", src))


def test_python_relative_url_is_not_a_destination() -> None:
    assert one("python", 'import requests\nrequests.get("/health")\n').origin == "relative"


# --- JavaScript / TypeScript ------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "client"),
    [
        ('fetch("https://api.example.io/v1");', "fetch"),
        ('const axios = require("axios");\naxios.post("https://api.example.io/v1", {});', "axios"),
        ('import axios from "axios";\naxios({url: "https://api.example.io/v1"});', "axios"),
        ('import axios from "axios";\naxios.request({url: "https://api.example.io/v1"});', "axios"),
        ('import got from "got";\ngot.post("https://api.example.io/v1");', "got"),
        ('import ky from "ky";\nky.get("https://api.example.io/v1");', "ky"),
        ('import fetch from "node-fetch";\nfetch("https://api.example.io/v1");', "node-fetch"),
        ('import { request } from "undici";\nrequest("https://api.example.io/v1");', "undici"),
        (
            'import superagent from "superagent";\nsuperagent.get("https://api.example.io/v1");',
            "superagent",
        ),
        ('import { ofetch } from "ofetch";\nofetch("https://api.example.io/v1");', "ofetch"),
    ],
)
def test_js_clients_send_to_the_literal_host(source: str, client: str) -> None:
    call = one("javascript", source)
    assert (call.client, call.host, call.origin) == (client, "api.example.io", "literal")


def test_js_template_literal_with_a_literal_host_names_it() -> None:
    src = (
        'const axios = require("axios");\n'
        "axios.post(`https://api.telegram.org/bot${token}/sendMessage`, {});"
    )
    assert calls("javascript", src) == [(2, "axios", "api.telegram.org", "", "literal")]


def test_a_leaflet_tile_layer_fetches_from_its_template_host() -> None:
    src = (
        'import L from "leaflet";\n'
        'L.tileLayer("//{s}.tiles.example-maps.io/{z}/{x}/{y}.png", {});\n'
        'L.tileLayer("/tiles/{z}/{x}/{y}.png");\n'
        'fetch("//cdn.example-assets.io/app.json");\n'
    )
    assert calls("javascript", src) == [
        (2, "leaflet", "tiles.example-maps.io", "", "literal"),
        (3, "leaflet", "", "", "relative"),  # the app's own server
        (4, "fetch", "cdn.example-assets.io", "", "literal"),
    ]
    # another library's `tileLayer` is no tile fetch (a URL literal handed to some function)
    other = 'import maps from "my-maps";\nmaps.tileLayer("https://tiles.example-maps.io/x");\n'
    assert [c.kind for c in outbound_calls("javascript", other.encode())[0]] == ["candidate"]


def test_js_template_whose_host_is_an_env_var_is_configured_by_it() -> None:
    src = "fetch(`${process.env.BILLING_URL}/charge`);"
    assert calls("javascript", src) == [(1, "fetch", "", "BILLING_URL", "env")]


def test_js_axios_instance_calls_go_to_its_base_url() -> None:
    src = (
        'import axios from "axios";\n'
        'const api = axios.create({ baseURL: "https://api.github.com" });\n'
        'api.get("/repos/x/y");\n'
    )
    assert calls("javascript", src) == [(3, "axios", "api.github.com", "", "literal")]


def test_js_options_object_names_the_user_configured_url_and_timeout() -> None:
    src = (
        'const axios = require("axios");\n'
        "async function send(notification) {\n"
        '  const options = { method: "POST", url: notification.webhookUrl, timeout: 5000 };\n'
        "  await axios.request(options);\n"
        "}\n"
    )
    call = one("javascript", src)
    assert (call.configured_by, call.origin, call.timeout) == (
        "notification.webhookUrl",
        "user",
        "5000",
    )


def test_js_class_field_wrapper_and_its_chain_make_callers_outbound() -> None:
    src = (
        'const axios = require("axios");\n'
        "class Teams {\n"
        "  _send = async (webhookUrl, payload) => { await axios.post(webhookUrl, payload); };\n"
        "  _general = (webhookUrl, msg) => this._send(webhookUrl, { msg });\n"
        "  async notify(notification) { await this._general(notification.webhookUrl, 'x'); }\n"
        "}\n"
    )
    rows = calls("javascript", src)
    assert (5, "wrapper:_general", "", "notification.webhookUrl", "user") in rows


def test_js_constant_object_field_is_exported_and_resolved() -> None:
    src = (
        'const GEO = { endpoint: "https://nominatim.openstreetmap.org/reverse" } as const;\n'
        "fetch(`${GEO.endpoint}?q=1`);\n"
    )
    found, _, meta = outbound_calls("typescript", src.encode())
    assert ("egress.const", "GEO.endpoint=nominatim.openstreetmap.org") in meta
    assert [(c.configured_by, c.origin) for c in found] == [("GEO.endpoint", "constant")]


def test_ts_parameter_typed_as_an_axios_instance_and_a_url_array() -> None:
    src = (
        "import axios, { AxiosInstance } from 'axios';\n"
        'const HOSTS = ["https://one.example.com/a", "https://two.example.com/b"];\n'
        "export async function f(client: AxiosInstance, other: Foo, i: number) {\n"
        "  await client.get(HOSTS[i]);\n"
        '  await other.get("https://no.example.com");\n'
        '  // client.get("https://dead.example.io")\n'
        "}\n"
    )
    found = [c for c in calls("typescript", src) if not c[1].startswith("call:")]
    assert found == [
        (4, "axios", "one.example.com", "", "literal"),
        (4, "axios", "two.example.com", "", "literal"),
    ]


def test_js_dead_calls_in_comments_and_strings_do_not_count() -> None:
    src = (
        '// fetch("https://dead.example.io")\n'
        '/* axios.post("https://dead2.example.io") */\n'
        "const s = 'fetch(\"https://dead3.example.io\")';\n"
    )
    assert calls("javascript", src) == []


def test_tsx_parses_with_its_own_grammar() -> None:
    src = 'export const A = () => { fetch("https://api.example.io/x"); return <div/>; };\n'
    assert calls("tsx", src) == [(1, "fetch", "api.example.io", "", "literal")]


# --- Ruby -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "client"),
    [
        ('Net::HTTP.get(URI("https://api.example.io/v1"))', "Net::HTTP"),
        ('Net::HTTP.post(URI.parse("https://api.example.io/v1"), body)', "Net::HTTP"),
        ('Faraday.new(url: "https://api.example.io")', "Faraday"),
        ('Faraday.get("https://api.example.io/v1")', "Faraday"),
        ('HTTParty.get("https://api.example.io/v1")', "HTTParty"),
        ('RestClient.post("https://api.example.io/v1", payload)', "RestClient"),
        ('Excon.get("https://api.example.io/v1")', "Excon"),
        ('Typhoeus.get("https://api.example.io/v1")', "Typhoeus"),
        ('HTTP.auth("x").get("https://api.example.io/v1")', "http.rb"),
        ('URI.open("https://api.example.io/v1")', "OpenURI"),
        ('OAuth2::Client.new(id, secret, site: "https://api.example.io")', "oauth2"),
        ('OAuth2::Client.new(id, secret, {site: "https://api.example.io"})', "oauth2"),
        ('o = {site: "https://api.example.io"}\nOAuth::Consumer.new(k, s, o)', "oauth"),
        ('HTTP.get(URI::HTTPS.build(host: "api.example.io", path: "/v1"))', "http.rb"),
    ],
)
def test_ruby_clients_send_to_the_literal_host(source: str, client: str) -> None:
    call = one("ruby", source + "\n")
    assert (call.client, call.host, call.origin) == (client, "api.example.io", "literal")


def test_ruby_httparty_base_uri_names_the_host() -> None:
    src = 'class Api\n  include HTTParty\n  base_uri "https://api.example.io"\nend\n'
    assert calls("ruby", src) == [(3, "HTTParty", "api.example.io", "", "literal")]


def test_ruby_interpolated_host_from_credentials_is_a_setting() -> None:
    src = 'Net::HTTP.get(URI("https://#{Rails.application.credentials.mastodon.host}/api"))\n'
    assert calls("ruby", src) == [
        (1, "Net::HTTP", "", "Rails.application.credentials.mastodon.host", "setting")
    ]


def test_ruby_uri_build_host_from_env_is_configured_by_it() -> None:
    src = 'HTTP.get(URI::HTTP.build({host: ENV["LEDGER_HOST"], path: "/x"}))\n'
    assert calls("ruby", src) == [(1, "http.rb", "", "LEDGER_HOST", "env")]


def test_ruby_env_url_is_configured_by_it() -> None:
    assert calls("ruby", 'RestClient.post(ENV["HOOK_URL"], body)\n') == [
        (1, "RestClient", "", "HOOK_URL", "env")
    ]


def test_ruby_own_wrapper_class_is_found_and_its_calls_elsewhere_are_candidates() -> None:
    wrapper = (
        "class Sponge\n"
        "  def fetch(url, method = :get)\n"
        "    uri = URI.parse(url)\n"
        "    Net::HTTP.new(resolve(uri.host), uri.port)\n"
        "  end\n"
        "end\n"
    )
    _, _, meta = outbound_calls("ruby", wrapper.encode())
    assert meta == (("egress.wrapper", "fetch"),)
    caller = 's = Sponge.new\ns.fetch("https://api.pushover.net/1/messages.json", :post)\n'
    assert calls("ruby", caller) == [(2, "call:fetch", "api.pushover.net", "", "literal")]


def test_ruby_dead_call_in_a_comment_does_not_count() -> None:
    assert calls("ruby", '# HTTParty.get("https://dead.example.io")\nx = 1\n') == []


# --- Go ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        'http.Get("https://api.example.io/v1")',
        'http.Post("https://api.example.io/v1", "application/json", nil)',
        'http.NewRequest("POST", "https://api.example.io/v1", nil)',
        'http.NewRequestWithContext(ctx, "GET", "https://api.example.io/v1", nil)',
    ],
)
def test_go_net_http_sends_to_the_literal_host(body: str) -> None:
    src = f'package a\nimport "net/http"\nfunc f() {{ {body} }}\n'
    call = one("go", src)
    assert (call.client, call.host, call.origin) == ("net/http", "api.example.io", "literal")


def test_go_resty_request_chain_is_an_outbound_call() -> None:
    src = (
        "package a\n"
        'func f(c *resty.Client) { c.R().SetBody(b).Post("https://api.example.io/v1") }\n'
    )
    assert calls("go", src) == [(2, "resty", "api.example.io", "", "literal")]


def test_go_constant_and_getenv_destinations() -> None:
    src = (
        "package a\n"
        'const defaultEndpoint = "https://api.openai.com/v1"\n'
        "func f(p *Payload) {\n"
        '  http.Get(defaultEndpoint + "/audio")\n'
        '  http.NewRequest("POST", os.Getenv("HOOK_URL"), nil)\n'
        '  http.NewRequest("POST", p.URL, nil)\n'
        "}\n"
    )
    assert calls("go", src) == [
        (4, "net/http", "api.openai.com", "", "literal"),
        (5, "net/http", "", "HOOK_URL", "env"),
        (6, "net/http", "", "p.URL", "user"),
    ]


def test_go_dead_call_in_a_string_does_not_count() -> None:
    src = 'package a\nvar s = "http.Get(\\"https://dead.example.io\\")"\n// http.Get("https://x.io")\n'
    assert calls("go", src) == []


# --- files that say nothing -------------------------------------------------------


def test_a_file_without_trigger_words_is_not_parsed() -> None:
    assert outbound_calls("python", b"x = 1\n") == ((), (), ())


# --- a field of a stored row: `this.url` in a model class ----------------------------------


@pytest.mark.parametrize(
    ("language", "source", "origin"),
    [
        (
            "javascript",
            'const axios = require("axios");\nclass Monitor extends BeanModel {\n'
            "  async check() {\n    return axios.get(this.url, { timeout: 5000 });\n  }\n}\n",
            "user",
        ),
        (
            "javascript",
            'const axios = require("axios");\nclass Api extends BaseClient {\n'
            "  ping() {\n    return axios.get(this.url);\n  }\n}\n",
            "unknown",
        ),
        (
            "python",
            "import requests\nfrom django.db import models\n\n\nclass Feed(models.Model):\n"
            "    def fetch(self):\n        return requests.get(self.feed_url, timeout=10)\n",
            "user",
        ),
        (
            "python",
            "import requests\n\n\nclass Client:\n"
            "    def fetch(self):\n        return requests.get(self.base_url)\n",
            "unknown",
        ),
        (
            "ruby",
            "class Story < ApplicationRecord\n  def ping\n    Net::HTTP.get(URI(self.url))\n"
            "  end\nend\n",
            "user",
        ),
    ],
)
def test_a_url_field_of_a_model_class_is_user_data(language: str, source: str, origin: str) -> None:
    found, _, _ = outbound_calls(language, source.encode())
    assert found
    assert {c.origin for c in found} == {origin}


def test_a_callee_takes_the_longest_known_name_at_its_head() -> None:
    # Looked up by the callee's own prefixes (cut at each "."), not by a scan of every name.
    f = _File("python")
    f.aliases.update({"a": "liba", "a.b": "libab", "r": "requests"})
    f.instances["a.b"] = ("Client", None)
    assert _canonical(f, "a.b.c") == "Client.c"  # an instance before an alias
    assert _canonical(f, "a.x()") == "liba.x()"
    assert _canonical(f, "r") == "requests"
    assert _canonical(f, "ab.c") == "ab.c"  # a head ends at a "."
    assert _canonical(f, "a.bc") == "liba.bc"
    js = _File("javascript")
    js.instances["api"] = ("axios", None)
    assert _canonical(js, "api.get") == "axios.*"


# --- requests through a base class's method, and Go request builders (issue 17) -----------


def test_an_inherited_http_verb_is_a_candidate_with_its_destination() -> None:
    source = (
        "from notify.base import Transport\n\n\n"
        "class Beeper(Transport):\n"
        '    ENDPOINT = "https://api.beeper.example.io/v2/send"\n\n'
        "    def notify(self, alert):\n"
        "        self.post(self.ENDPOINT, json={})\n"
        "        self.post(self.channel.hook_url)\n"
        '        self.request("put", alert.target_url)\n'
        "        self.put(self.lookup())\n"
        "        self.get(self.lookup())\n"
    )
    assert calls("python", source) == [
        (8, "call:post", "api.beeper.example.io", "", "literal"),
        (9, "call:post", "", "self.channel.hook_url", "unknown"),  # named by its folder
        (10, "call:request", "", "alert.target_url", "user"),
        (11, "call:put", "", "", "unknown"),  # `get` needs more: dicts have one too
    ]


@pytest.mark.parametrize(
    "source",
    [
        # no base class: `post` is nobody's inherited request
        "class Plain:\n    def go(self):\n        self.post(self.hook_url)\n",
        # the class defines `post` itself: its own method, not an inherited request
        "class Own(Base):\n    def post(self, x):\n        return x\n"
        "    def go(self):\n        self.post(self.hook_url)\n",
        # a parameter, a relative path and a plain key are no destination
        "class P(Base):\n    def go(self, url):\n        self.post(url)\n"
        '        self.get("/health")\n        self.get("cache-key")\n',
        # a dict subclass reading its keys
        "class Bag(dict):\n    def size(self):\n        return self.get('size')\n",
    ],
)
def test_own_methods_and_non_destinations_are_not_inherited_requests(source: str) -> None:
    assert calls("python", source) == []


def test_a_js_subclass_calling_this_post_is_a_candidate() -> None:
    source = (
        "class Pager extends HttpSender {\n"
        "  send(alert) {\n    return this.post(alert.webhookUrl, { body: 1 });\n  }\n}\n"
    )
    assert calls("javascript", source) == [(3, "call:post", "", "alert.webhookUrl", "user")]


def test_a_go_request_builder_that_stores_its_endpoint_is_a_wrapper() -> None:
    source = (
        'package client\n\nimport "net/http"\n\n'
        "type builder struct {\n\tendpoint string\n\tmethod   string\n}\n\n"
        "func NewBuilder(endpoint string) *builder {\n"
        "\treturn &builder{endpoint: endpoint, method: http.MethodGet}\n}\n\n"
        "func (b *builder) Retarget(next string) { b.endpoint = next }\n\n"
        "func (b *builder) Send() (*http.Response, error) {\n"
        "\treq, err := http.NewRequest(b.method, b.endpoint, nil)\n"
        "\tif err != nil {\n\t\treturn nil, err\n\t}\n"
        "\treturn http.DefaultClient.Do(req)\n}\n"
    )
    _, _, meta = outbound_calls("go", source.encode())
    assert ("egress.wrapper", "NewBuilder") in meta
    assert ("egress.wrapper", "Retarget") in meta


def test_go_calls_of_another_files_builder_are_candidates() -> None:
    source = (
        'package pinger\n\nimport (\n\t"net/http"\n\t"example.io/app/client"\n)\n\n'
        "type Client struct{ hookURL string }\n\n"
        "func (c *Client) Ping(base string) error {\n"
        '\tapiEndpoint := "https://api.pinger.example.io/v1/" + base\n'
        "\t_, err := client.NewBuilder(apiEndpoint).Send()\n"
        "\t_, err = client.NewBuilder(c.hookURL).Send()\n"
        "\t_, err = client.NewBuilder(joinPath(c.base, base)).Send()\n"
        "\t_, err = client.NewBuilder(c.name).Send()\n"
        "\t_ = http.MethodGet\n\treturn err\n}\n"
    )
    assert calls("go", source) == [
        (12, "call:NewBuilder", "api.pinger.example.io", "", "literal"),
        (13, "call:NewBuilder", "", "c.hookURL", "user"),
    ]


def test_go_url_struct_literal_gives_its_host_to_a_nested_call() -> None:
    source = (
        'package video\n\nimport "net/url"\n\n'
        "func Fetch(rb *Fetcher) error {\n"
        '\tapiURL := url.URL{Scheme: "https", Host: "www.videos.example.io", Path: "v3/items"}\n'
        "\t_, err := Handle(rb.ExecuteRequest(apiURL.String()))\n"
        "\treturn err\n}\n"
    )
    assert calls("go", source) == [
        (7, "call:ExecuteRequest", "www.videos.example.io", "", "literal")
    ]


@pytest.mark.parametrize(
    "source",
    [
        "package x\nfunc f() { u := url.URL{" + "Host: a, " * 3000 + "}; g(u.String()) }\n",
        "package x\nfunc f() { x := &T{"
        + "endpoint: e, " * 3000
        + "} }\n"
        + "func (r *T) S() { http.Get(r.endpoint) }\n",
        'package x\nimport "net/http"\n'
        + "func (r *T) S() { http.Get(r.endpoint.String().String()) }\n" * 400,
    ],
)
def test_go_builder_and_url_literal_rules_on_hostile_input(source: str) -> None:
    outbound_calls("go", source.encode())  # bounded: returns, whatever it finds


def test_go_oauth2_endpoint_token_url_is_where_sign_in_calls_out() -> None:
    source = (
        'package auth\n\nimport "golang.org/x/oauth2"\n\n'
        'const tokenURL = "https://oauth.provider.example.io/token"\n\n'
        "func Config() *oauth2.Config {\n"
        "\treturn &oauth2.Config{Endpoint: oauth2.Endpoint{\n"
        '\t\tAuthURL:  "https://login.provider.example.io/auth",\n'
        "\t\tTokenURL: tokenURL,\n\t}}\n}\n"
    )
    assert calls("go", source) == [
        (10, "golang.org/x/oauth2", "oauth.provider.example.io", "", "literal")
    ]


def test_the_inherited_verb_trigger_reads_the_receiver_and_is_bounded() -> None:
    from bot.core.analysis.http_models import own_verb_call

    assert own_verb_call(b"class A(B):\n    def f(self):\n        self.post(u)\n")
    assert own_verb_call(b"this.request(x)")
    assert own_verb_call(b"cls.request('post', u)")
    assert not own_verb_call(b"client.post(u)")
    assert not own_verb_call(b"self.get(u)")  # not a reason to parse on its own
    assert not own_verb_call(b"x.post(" * 200_000)  # many misses: bounded, returns
    source = "class A(Base):\n    def f(self):\n" + "        self.post(self.hook_url)\n" * 2000
    found, _, _ = outbound_calls("python", source.encode())
    assert 0 < len(found) <= 400


def test_ruby_constant_reads_its_own_class_binding_first() -> None:
    # Ruby constants are looked up lexically: the nested class's KEYS_URL shadows the outer.
    source = (
        "class Outer\n"
        '  KEYS_URL = "https://api.first-corp.io/keys"\n'
        "  def self.keys\n    Faraday.get(KEYS_URL)\n  end\n"
        "  class Inner < Outer\n"
        '    KEYS_URL = "https://storage.second-corp.io/keys"\n'
        "    def self.keys\n      Faraday.get(KEYS_URL)\n    end\n"
        "  end\n"
        "  class Other\n    def self.keys\n      Faraday.get(KEYS_URL)\n    end\n  end\n"
        "end\n"
    )
    hosts = [(c[0], c[2]) for c in calls("ruby", source)]
    assert hosts == [
        (4, "api.first-corp.io"),
        (9, "storage.second-corp.io"),
        (14, "api.first-corp.io"),
    ]


def test_go_http_client_verbs_on_a_declared_client_send_to_their_url() -> None:
    src = (
        'package verify\n\nimport (\n\t"net/http"\n\t"net/url"\n)\n\n'
        'const checkURL = "https://api.verifier.io/check"\n\n'
        "type Checker struct {\n\tclient *http.Client\n\tcache  *Cache\n}\n\n"
        "func (c *Checker) Check(token string) error {\n"
        '\tresp, err := c.client.PostForm(checkURL, url.Values{"t": {token}})\n'
        '\t_, _ = c.cache.Get("https://api.verifier.io/cached")\n'
        "\treturn err\n}\n"
    )
    # The cache's `Get` is no client's (a candidate at most): the declared client sends.
    sent = [c for c in calls("go", src) if c[1] == "net/http"]
    assert sent == [(16, "net/http", "api.verifier.io", "", "literal")]


def test_go_method_calls_its_own_wrapper_through_its_receiver() -> None:
    src = (
        'package notify\n\nimport (\n\t"bytes"\n\t"net/http"\n)\n\n'
        "type Poster struct {\n\tc    *http.Client\n\thook *Hook\n}\n\n"
        "func (p *Poster) Push(body []byte) error {\n"
        "\treturn p.exec(http.MethodPost, p.hook.TargetURL, body)\n}\n\n"
        "func (p *Poster) exec(method, rURL string, body []byte) error {\n"
        "\treq, _ := http.NewRequest(method, rURL, bytes.NewReader(body))\n"
        "\t_, err := p.c.Do(req)\n\treturn err\n}\n"
    )
    assert (14, "wrapper:exec", "", "p.hook.TargetURL", "user") in calls("go", src)


@pytest.mark.parametrize(
    "source",
    [
        "http.Client" + "a" * 200_000,
        "package a\n" + "x := &http.Client{\n" * 20_000,
        "package a\n" + "\tc *http.Client\n\tc.c.c.PostForm(" * 5_000,
    ],
)
def test_go_http_client_names_on_hostile_input(source: str) -> None:
    import time

    start = time.process_time()
    outbound_calls("go", source.encode())
    assert time.process_time() - start < 10  # generous: a shared machine


GO_SMS = """package server

import (
\t"fmt"
\t"net/http"
)

func (s *Server) sendSMS(to string) error {
\tu := fmt.Sprintf("%s/v1/messages/%s", s.config.SmsBaseURL, to)
\treq, _ := http.NewRequest(http.MethodPost, u, nil)
\t_, err := http.DefaultClient.Do(req)
\treturn err
}

func (s *Server) replay(m *Msg) {
\tu := fmt.Sprintf("%s/%s", s.backend.hook.TargetURL, m.ID)
\treq, _ := http.NewRequest("POST", u, nil)
\ts.handle(req)
}

func (s *Server) relative(id string) {
\treq, _ := http.NewRequest("GET", fmt.Sprintf("%d/x", id), nil)
\ts.handle(req)
}
"""
GO_DEFAULTS = """package server

func NewConfig() *Config {
\treturn &Config{
\t\tListenHTTP:                 ":80",
\t\tSmsBaseURL:                 "https://api.sms-vendor.example-corp.net",
\t\tRetries:                    3,
\t}
}
"""


def test_go_sprintf_with_a_leading_verb_reads_its_first_argument_as_the_base() -> None:
    found, _, _ = outbound_calls("go", GO_SMS.encode())
    by_line = {c.line: (c.configured_by, c.origin) for c in found if c.kind == "http"}
    lines = GO_SMS.split("\n")
    at = [i for i, line in enumerate(lines, 1) if "http.NewRequest(" in line]
    # a value's field: a struct literal elsewhere may give its default
    assert by_line[at[0]] == ("s.config.SmsBaseURL", "field")
    assert by_line[at[1]] == ("s.backend.hook.TargetURL", "field")
    assert by_line[at[2]] == ("", "unknown")  # `%d` says nothing of a host


def test_go_struct_literal_defaults_of_address_fields_are_exported_for_other_files() -> None:
    _, _, meta = outbound_calls("go", GO_DEFAULTS.encode())
    # gofmt aligns the values far from their keys: the literal is still found
    assert meta == (("egress.const", "SmsBaseURL=api.sms-vendor.example-corp.net"),)


PAGE_ACTIONS = """export const runAction = async (action) => {
  const response = await fetch(action.url, {
    method: action.method ?? "POST",
    headers: action.headers ?? {},
    body: action.body,
  });
  return response.ok;
};

export const loadPage = async (page) => {
  const response = await fetch(page.url, { method: "GET" });
  return response.json();
};
"""


def test_a_request_described_by_one_object_is_a_user_configured_endpoint() -> None:
    found, _, _ = outbound_calls("javascript", PAGE_ACTIONS.encode())
    origins = {c.line: c.origin for c in found if c.kind == "http"}
    # the action's URL and method: a request its author described; the page's own fetch
    # of a URL it was handed is still just user data (left out in browser code)
    assert origins == {2: "described", 11: "user"}


def test_js_default_after_or_and_a_path_joined_to_a_base_name_the_default_host() -> None:
    source = (
        "const VENDOR_URL = env('VENDOR_URL_OVERRIDE') || 'https://licenses.vendor-example.io';\n"
        "const MIRROR = process.env.MIRROR ?? 'https://mirror.vendor-example.io';\n"
        "export async function check(key: string) {\n"
        "  const endpoint = new URL('api/check', VENDOR_URL).toString();\n"
        "  await fetch(endpoint, { method: 'POST', body: key });\n"
        "  await fetch(`${MIRROR}/ping`);\n"
        "}\n"
    )
    got = {(line, host) for line, _, host, _, _ in calls("typescript", source)}
    assert (5, "licenses.vendor-example.io") in got
    assert (6, "mirror.vendor-example.io") in got


def test_js_or_with_no_literal_default_and_an_absolute_first_url_are_unchanged() -> None:
    source = (
        "const BASE = process.env.A || process.env.B;\n"
        "export async function go() {\n"
        "  await fetch(new URL('https://api.elsewhere-example.io/x', BASE).toString());\n"
        "  await fetch(BASE);\n"
        "}\n"
    )
    got = calls("typescript", source)
    assert (3, "api.elsewhere-example.io") in {(line, host) for line, _, host, _, _ in got}
    assert all(host == "" for line, _, host, _, _ in got if line == 4)


def test_a_ruby_sdk_verb_given_a_path_goes_to_its_fixed_host() -> None:
    # git_hub_bub's verbs take an API path: the host is the client's own.
    src = "def pull(path)\n  GitHubBub.get(path, token: t)\nend\n# GitHubBub.post(x)\n"
    assert calls("ruby", src) == [(2, "git_hub_bub", "api.github.com", "", "sdk")]
    # A same-named method of another object is no request.
    assert calls("ruby", "HubBub.get(path)\nx = 'GitHubBub.get(path)'\n") == []


def test_python_conditional_url_names_the_hosts_its_branches_write() -> None:
    src = (
        "import requests\n"
        "def search(q, page):\n"
        "    url = (\n"
        '        f"https://api.photoarchive.io/search?q={q}&page={page}"\n'
        "        if q\n"
        '        else f"https://api.photoarchive.io/list?page={page}"\n'
        "    )\n"
        "    return requests.get(url=url)\n"
    )
    assert calls("python", src) == [(8, "requests", "api.photoarchive.io", "", "literal")]
    # look-alike: branches that write no host (a handed URL, a relative path) name none
    handed = "import requests\ndef f(u, q):\n    requests.get(u if q else '/local')\n"
    assert [c[2] for c in calls("python", handed)] == [""]


def test_js_ternary_url_names_the_hosts_its_branches_write() -> None:
    src = "const u = prod ? 'https://api.one.example-eu.io/x' : 'https://api.two.example-us.io/x'\nfetch(u)\n"
    assert sorted(c[2] for c in calls("javascript", src)) == [
        "api.one.example-eu.io",
        "api.two.example-us.io",
    ]


def test_python_otlp_exporter_sends_to_its_endpoint() -> None:
    src = (
        "import os\n"
        "from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter\n"
        'endpoint = os.environ.get("TRACES_URL", "https://collector.tracehub.io")\n'
        "exporter = OTLPSpanExporter(endpoint=endpoint)\n"
        "from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter\n"
        'OTLPMetricExporter("https://metrics.tracehub.io/v1/metrics")\n'
    )
    assert calls("python", src) == [
        (4, "opentelemetry", "", "TRACES_URL", "env"),
        (6, "opentelemetry", "metrics.tracehub.io", "", "literal"),
    ]
    # look-alike: an exporter that writes to the console sends nothing
    console = (
        "from opentelemetry.sdk.trace.export import ConsoleSpanExporter\n"
        'ConsoleSpanExporter(service_name="https://not-a-url.io")\n'
    )
    assert calls("python", console) == []
