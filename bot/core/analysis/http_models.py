"""Which library calls are HTTP requests, and which argument is the URL: data, per language.

Transcribed from GitHub CodeQL's framework models (MIT License, Copyright (c) GitHub, Inc.;
`Http::Client::Request` in python/ql/lib/semmle/python/frameworks/{Requests,Httpx,Aiohttp,
Stdlib,Urllib3,Pycurl}.qll, javascript/ql/lib/semmle/javascript/frameworks/ClientRequests.qll,
ruby/ql/lib/codeql/ruby/frameworks/http_clients/*.qll and go/ql/lib/semmle/go/frameworks/
{stdlib/NetHttp,Resty}.qll): the calls, and the position or keyword of their URL argument.

A callee is written canonically: the library's module and the attribute path
(``requests.get``, ``axios.post``, ``Net::HTTP.get``, ``http.NewRequest``). ``Cls.*`` under
a constructor means a method on an instance it made (`CONSTRUCTORS` lists which calls make
one, and the keyword that gives the instance a base URL).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.core.analysis.words import Parts, words_of


class UrlArg(NamedTuple):
    """Where the URL is: positional index (-1 for none), keyword or object key name."""

    position: int
    keyword: str = "url"
    client: str = ""
    host_only: bool = False  # the argument is a host, not a URL (http.client, Net::HTTP.new)
    host: str = ""  # the one API host an SDK's verbs go to, given only a path (`GitHubBub.get`)


def _verbs(prefix: str, verbs: str, arg: UrlArg) -> dict[str, UrlArg]:
    return {f"{prefix}.{verb}": arg for verb in verbs.split()}


_PY_VERBS = "get post put patch delete head options"

PYTHON: dict[str, UrlArg] = {
    **_verbs("requests", _PY_VERBS, UrlArg(0, "url", "requests")),
    "requests.request": UrlArg(1, "url", "requests"),
    "requests.Request": UrlArg(1, "url", "requests"),
    **_verbs("requests.Session", _PY_VERBS, UrlArg(0, "url", "requests")),
    "requests.Session.request": UrlArg(1, "url", "requests"),
    **_verbs("httpx", _PY_VERBS, UrlArg(0, "url", "httpx")),
    "httpx.request": UrlArg(1, "url", "httpx"),
    "httpx.stream": UrlArg(1, "url", "httpx"),
    **_verbs("httpx.Client", _PY_VERBS, UrlArg(0, "url", "httpx")),
    "httpx.Client.request": UrlArg(1, "url", "httpx"),
    "httpx.Client.stream": UrlArg(1, "url", "httpx"),
    **_verbs("httpx.AsyncClient", _PY_VERBS, UrlArg(0, "url", "httpx")),
    "httpx.AsyncClient.request": UrlArg(1, "url", "httpx"),
    "httpx.AsyncClient.stream": UrlArg(1, "url", "httpx"),
    **_verbs("aiohttp.ClientSession", _PY_VERBS + " ws_connect", UrlArg(0, "url", "aiohttp")),
    "aiohttp.ClientSession.request": UrlArg(1, "url", "aiohttp"),
    "aiohttp.request": UrlArg(1, "url", "aiohttp"),
    "urllib.request.urlopen": UrlArg(0, "url", "urllib.request"),
    "urllib.request.Request": UrlArg(0, "url", "urllib.request"),
    "urllib.request.urlretrieve": UrlArg(0, "url", "urllib.request"),
    "urllib3.request": UrlArg(1, "url", "urllib3"),
    "urllib3.PoolManager.request": UrlArg(1, "url", "urllib3"),
    "urllib3.PoolManager.urlopen": UrlArg(1, "url", "urllib3"),
    "urllib3.HTTPConnectionPool": UrlArg(0, "host", "urllib3", host_only=True),
    "urllib3.HTTPSConnectionPool": UrlArg(0, "host", "urllib3", host_only=True),
    "http.client.HTTPConnection": UrlArg(0, "host", "http.client", host_only=True),
    "http.client.HTTPSConnection": UrlArg(0, "host", "http.client", host_only=True),
    "pycurl.Curl.setopt": UrlArg(1, "", "pycurl"),  # only with pycurl.URL first (egress.py)
    # OpenTelemetry's OTLP exporters send spans, logs and metrics to their `endpoint`
    **{
        f"opentelemetry.exporter.otlp.proto.{wire}.{module}.{cls}": UrlArg(
            0, "endpoint", "opentelemetry"
        )
        for wire in ("grpc", "http")
        for module, cls in (
            ("trace_exporter", "OTLPSpanExporter"),
            ("_log_exporter", "OTLPLogExporter"),
            ("metric_exporter", "OTLPMetricExporter"),
        )
    },
}
PYTHON_CONSTRUCTORS: dict[str, str] = {
    "requests.Session": "",
    "requests.session": "",
    "httpx.Client": "base_url",
    "httpx.AsyncClient": "base_url",
    "aiohttp.ClientSession": "base_url",
    "urllib3.PoolManager": "",
    "pycurl.Curl": "",
}

# A parameter annotated with a client type (`session: ClientSession`, `client: AxiosInstance`)
# is an instance: the type, canonically, and the constructor whose instances it names.
PYTHON_CLIENT_TYPES: dict[str, str] = {
    "requests.Session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "httpx.Client": "httpx.Client",
    "httpx.AsyncClient": "httpx.AsyncClient",
    "aiohttp.ClientSession": "aiohttp.ClientSession",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "urllib3.PoolManager": "urllib3.PoolManager",
}
JAVASCRIPT_CLIENT_TYPES: dict[str, str] = {
    "axios.AxiosInstance": "axios.create",
    "got.Got": "got.extend",
    "ky.KyInstance": "ky.create",
}

_JS_VERBS = "get post put patch delete head options"
_JS_REQUEST = ("request", "request-promise", "request-promise-native")

JAVASCRIPT: dict[str, UrlArg] = {
    "fetch": UrlArg(0, "url", "fetch"),
    "window.fetch": UrlArg(0, "url", "fetch"),
    "globalThis.fetch": UrlArg(0, "url", "fetch"),
    "$fetch": UrlArg(0, "url", "ofetch"),
    "axios": UrlArg(0, "url", "axios"),
    **_verbs("axios", _JS_VERBS + " postForm putForm patchForm", UrlArg(0, "url", "axios")),
    "axios.request": UrlArg(-1, "url", "axios"),
    "axios.create.*": UrlArg(0, "url", "axios"),  # methods of an instance (see below)
    "got": UrlArg(0, "url", "got"),
    **_verbs("got", _JS_VERBS + " stream", UrlArg(0, "url", "got")),
    "ky": UrlArg(0, "url", "ky"),
    **_verbs("ky", _JS_VERBS, UrlArg(0, "url", "ky")),
    "node-fetch": UrlArg(0, "url", "node-fetch"),
    "undici.request": UrlArg(0, "url", "undici"),
    "undici.fetch": UrlArg(0, "url", "undici"),
    "undici.stream": UrlArg(0, "url", "undici"),
    **_verbs("superagent", _JS_VERBS + " del", UrlArg(0, "url", "superagent")),
    "ofetch.ofetch": UrlArg(0, "url", "ofetch"),
    "ofetch.$fetch": UrlArg(0, "url", "ofetch"),
    # jQuery's global (CodeQL `JQuery::ClientRequest`): `$.ajax(url)` / `$.ajax({ url })`
    **{
        f"{g}.{verb}": UrlArg(0, "url", "jQuery")
        for g in ("$", "jQuery")
        for verb in ("ajax", "get", "getJSON", "post")
    },
    # A map's tile layer: the browser fetches each tile from the URL template's host.
    "leaflet.tileLayer": UrlArg(0, "url", "leaflet"),
    # request and its promise wrappers: `request(url)`, `request({ uri })`, `request.post(…)`
    **{
        spec: model
        for module in _JS_REQUEST
        for spec, model in {
            module: UrlArg(0, "uri", module),
            **_verbs(module, _JS_VERBS + " del", UrlArg(0, "uri", module)),
        }.items()
    },
}
# A call that makes a client instance, and the config key giving it a base URL.
JAVASCRIPT_CONSTRUCTORS: dict[str, str] = {
    "axios.create": "baseURL",
    "got.extend": "prefixUrl",
    "ky.create": "prefixUrl",
    "ky.extend": "prefixUrl",
    "ofetch.ofetch.create": "baseURL",
}
JAVASCRIPT_MODULES = frozenset(
    {"axios", "got", "ky", "node-fetch", "undici", "superagent", "ofetch", "leaflet", *_JS_REQUEST}
)

_RB_VERBS = "get post put patch delete head options"

RUBY: dict[str, UrlArg] = {
    **_verbs("Net::HTTP", "get get_response post post_form get_print", UrlArg(0, "", "Net::HTTP")),
    "Net::HTTP.start": UrlArg(0, "", "Net::HTTP", host_only=True),
    "Net::HTTP.new": UrlArg(0, "", "Net::HTTP", host_only=True),
    "Faraday.new": UrlArg(0, "url", "Faraday"),
    **_verbs("Faraday", _RB_VERBS, UrlArg(0, "url", "Faraday")),
    **_verbs("HTTParty", _RB_VERBS, UrlArg(0, "", "HTTParty")),
    **_verbs("HTTMultiParty", _RB_VERBS, UrlArg(0, "", "HTTParty")),  # httmultiparty
    "base_uri": UrlArg(0, "", "HTTParty"),  # in a class that includes HTTParty (egress.py)
    **_verbs("RestClient", _RB_VERBS, UrlArg(0, "", "RestClient")),
    "RestClient::Request.execute": UrlArg(-1, "url", "RestClient"),
    **_verbs("Excon", _RB_VERBS + " new", UrlArg(0, "", "Excon")),
    **_verbs("Typhoeus", _RB_VERBS, UrlArg(0, "", "Typhoeus")),
    "Typhoeus::Request.new": UrlArg(0, "", "Typhoeus"),
    **_verbs("HTTP", _RB_VERBS + " request", UrlArg(0, "", "http.rb")),
    "URI.open": UrlArg(0, "", "OpenURI"),
    # git_hub_bub: a GitHub REST client whose verbs take an API path (its host is fixed).
    **_verbs("GitHubBub", _RB_VERBS, UrlArg(0, "", "git_hub_bub", host="api.github.com")),
    "OpenURI.open_uri": UrlArg(0, "", "OpenURI"),
    # OAuth clients: the provider's address is the options' `site:` (third argument)
    "OAuth::Consumer.new": UrlArg(2, "site", "oauth"),
    "OAuth2::Client.new": UrlArg(2, "site", "oauth2"),
}

GO: dict[str, UrlArg] = {
    **_verbs("http", "Get Post Head PostForm", UrlArg(0, "", "net/http")),
    "http.NewRequest": UrlArg(1, "", "net/http"),
    "http.NewRequestWithContext": UrlArg(2, "", "net/http"),
}
# An `http.Client`'s own verbs (`client.PostForm(url, form)`), the URL first.
GO_CLIENT_VERBS = frozenset({"Get", "Post", "PostForm", "Head"})
# resty: `client.R()…Get(url)`, and `resty.New().SetBaseURL(url)`.
GO_RESTY_VERBS = frozenset({"Get", "Post", "Put", "Patch", "Delete", "Head", "Options"})

MODELS: dict[str, dict[str, UrlArg]] = {
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "typescript": JAVASCRIPT,
    "ruby": RUBY,
    "go": GO,
}

# A file is parsed only when its bytes show one of its language's `NEEDLES` (an import of a
# Python client; a client's name elsewhere), or a URL literal written as an argument or a
# value (`URL_IN_CODE`: a file whose only URLs are in docstrings and comments is not parsed).
# Substring searches first, one linear pattern after: scanning must cost far less than parsing.
# Python: a client's name is common in prose ("requests"); its import is what counts.
# The import of a client, as `(?:import|from)[ \t]+(?:requests|…)` would find it, written as
# two patterns: one that starts with a literal is searched in C from one occurrence of it to
# the next, so the two cost a third of that one pattern, and less than the Python `NEEDLES`.
_PY_MODULES = (
    rb"(?:requests|httpx|aiohttp|urllib|pycurl|http\.client|subprocess|smtplib|dulwich|git\b"
    rb"|pygit2|gidgethub|github\b|slack_sdk"  # the last three: SDK clients (`sdk_models`)
    rb"|statsd|datadog|socket\b"  # StatsD clients, raw sockets (`egress_sockets`)
    rb"|opentelemetry\.exporter)"  # OTLP exporters
)
PY_IMPORT = re.compile(rb"import[ \t]+" + _PY_MODULES)
PY_FROM = re.compile(rb"from[ \t]+" + _PY_MODULES)

# A call of an HTTP verb on the object itself (`self.post(url…)`, `this.request(…)`): a class
# that inherits its requests from a base class in another file (`egress._own_verb_call`).
# Two substring searches (a regex with a leading alternation costs ~40 ns a byte, each search
# ~1-2): a file whose only such calls are `self.get(`, `.put(`, `.patch(` or `.delete(` is not
# parsed for them (dicts have `get` and `delete`; the others are rare alone).
_OWN_VERBS = (b".post(", b".request(")


def own_verb_call(data: bytes, limit: int = 200) -> bool:
    """Whether `self.`, `cls.` or `this.` is written before one of `_OWN_VERBS`."""
    words = words_of(data)
    for verb in _OWN_VERBS:
        at = data.find(verb) if words.may_hold(verb) else -1
        for _ in range(limit):
            if at < 0:
                break
            if (
                data[max(0, at - 4) : at] in (b"self", b"this")
                or data[max(0, at - 3) : at] == b"cls"
            ):
                return True
            at = data.find(verb, at + 1)
    return False


_URL_SCHEMES = Parts(" http ", " https ")
_BEFORE_URL = re.compile(rb"""[(=,:\[]\s*[fFbBrR]?["'`]https?\Z""")


def url_in_code(data: bytes, limit: int = 2_000) -> bool:
    """Whether some `://` of `data` (at most `limit` looked at) ends a URL literal's start
    written as an argument, value or item: `("https://`, `= f"https://`, `: 'http://`."""
    if not words_of(data).has_any(_URL_SCHEMES):
        return False  # what `_BEFORE_URL` ends with
    at = data.find(b"://")
    for _ in range(limit):
        if at < 0:
            return False
        if _BEFORE_URL.search(data, max(0, at - 64), at):  # gofmt aligns `Key:  "https`
            return True
        at = data.find(b"://", at + 3)
    return False


_PY_CLIENTS = (b"requests", b"httpx", b"aiohttp", b"urllib", b"pycurl", b"http.client")
# `got` and `ky` as written in code (`import ky from "ky"`, `got.post(`, `kyClient`), not as
# the inside or head of another word (`forgot`, `sticky`, `kysely`, `gotten`): as plain
# substrings they let in most files of a repository that uses Kysely, each parsed for nothing.
# One pattern per word, each led by its literal and looking behind after it: a leading
# lookbehind and alternation is tried at every byte (~40 ns a byte, ~0.17 s of docmost's
# cold run); led by a literal, the engine jumps from one occurrence to the next (~20x less).
_JS_SHORT = (
    re.compile(rb"got(?<![\w$]got)(?![a-z])"),
    re.compile(rb"ky(?<![\w$]ky)(?![a-z])"),
)


def js_short_needle(data: bytes) -> bool:
    """Whether `got` or `ky` is written as a word in code (not after a letter, digit, `_`
    or `$`, not before a lower-case letter)."""
    return any(pattern.search(data) is not None for pattern in _JS_SHORT)


# With the other kinds of `egress_other`: SMTP, programs run, knex.
# The words `_PY_MODULES` cannot match without (see `words.Words.has_any`).
PY_MODULE_WORDS = Parts(
    *(" requests", " httpx", " aiohttp", " urllib", " pycurl", " http", " subprocess"),
    *(" smtplib", " dulwich", " git ", " pygit2", " gidgethub", " github ", " slack_sdk"),
    *(" statsd", " datadog", " socket ", " opentelemetry"),
)
NEEDLES: dict[str, tuple[bytes, ...]] = {
    "python": (
        *_PY_CLIENTS,
        *(b"subprocess", b"smtplib", b"dulwich", b"clone_from", b"pygit2"),
        *(b"gidgethub", b"github", b"slack_sdk"),  # SDK clients (`sdk_models`)
        *(b"StatsClient", b"DogStatsd", b"create_connection"),  # `egress_sockets`
        b"OTLP",  # OpenTelemetry's exporters
    ),
    "javascript": (
        b"fetch(",
        b"axios",
        b"undici",
        b"superagent",
        b"ofetch",
        b"tileLayer(",
        b"spawn",
        b"execFile",
        b"execa",
        b"child_process",
        b"createTransport",
        b"knex(",
        b"Knex(",
        b"octokit",
        b"passport-",  # OAuth strategies' token URLs (`egress_other._passport_token`)
        *(b"require('request", b'require("request', b"from 'request", b'from "request'),
        # `egress_sockets`: StatsD clients, raw sockets
        *(b"statsd", b"StatsD", b"hot-shots", b"lynx", b"createConnection", b"net.connect"),
    ),
    "ruby": (
        b"Net::HTTP",
        b"Faraday",
        b"HTTParty",
        b"HTTMultiParty",
        b"RestClient",
        b"Excon",
        b"Typhoeus",
        b"HTTP.",
        b"URI.open",
        b"open_uri",
        b"GitHubBub",
        *(b"OAuth::Consumer", b"OAuth2::Client"),
        b"Net::SMTP",
        b"Git.clone",
        b"clone_at",
        b"Open3",
        b"system(",
        b'system "',
        b"system '",
        b"spawn(",
        b"Statsd.new",  # `egress_sockets`
        b"StatsD.",  # statsd-instrument's singleton (`egress_sockets`)
        b"TCPSocket",  # raw sockets and DNS queries (`egress_sockets`)
        b"Socket.tcp",
        b"Resolv",
        b"Dnsruby",
        b"Net::DNS",
    ),
    "go": (
        *(b"net/http", b"resty", b"os/exec", b"net/smtp", b"url.URL{", b"oauth2.Endpoint{"),
        *(b"statsd", b"net.Dial"),  # `egress_sockets`
    ),
}
