"""Framework configuration that chooses external services: Rails Active Storage and mail.

Per file (cached facts):

* ``config/storage.yml``: each service block (``amazon: {service: S3, …}``) → a
  ``config.rails.storage`` signal whose detail names the catalog's service: ``S3``, ``GCS``,
  ``AzureStorage``, ``Disk``, or, for an S3 block whose ``endpoint:`` names another
  provider, that provider (``*.r2.cloudflarestorage.com`` → Cloudflare R2, MinIO,
  DigitalOcean Spaces). The ``test:`` block makes no claim. Meta ``rails.storage`` =
  ``name=detail`` for the join below.
* ``config/environments/*.rb``, ``config/application.rb``, ``config/initializers/*.rb``:
  ``config.active_storage.service = :name`` (or ``ENV.fetch("X", "default")``) → meta
  ``rails.storage.env`` = ``environment|name|X|line``; ``smtp_settings`` whose ``address``
  comes from ``ENV`` → meta ``rails.smtp.env`` = ``X|line``; an OmniAuth provider
  (``provider :github``, Devise's ``config.omniauth :github``) → a ``config.omniauth``
  signal whose detail ``omniauth_github`` the catalog maps to the provider; the geocoder
  gem's ``lookup: :nominatim`` in a file that calls ``Geocoder.configure`` → a
  ``config.geocoder`` signal whose detail ``geocoder:nominatim`` names the service.
* Django settings: the env var read where ``EMAIL_HOST`` is set (from the settings and env
  facts the Python extractors already make).

Across files (`framework_integrations`): a storage service chosen by an environment
variable is "configured by" it (the selecting line joins the evidence); a service that no
environment can choose — every environment names another one literally — is only declared
(the storage.yml block exists; no deployment uses it). A service claimed only by env names in
storage.yml that no block names (``CLOUDFLARE_…`` in an R2 block) is dropped. Development and
test environments choose nothing for the app.

ERB tags are replaced by a same-length placeholder before YAML is read, so lines hold; the
file is read through `yaml_nodes` (bounded size, errors and deep nesting give no facts).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import replace
from posixpath import basename, splitext
from urllib.parse import urlsplit

from bot.core.analysis.catalog import Catalog
from bot.core.analysis.claims import claims
from bot.core.analysis.config_files import is_rails_config, parse_rails_config
from bot.core.analysis.manifest_text import ENV_REF, FileExtractor, decode
from bot.core.analysis.scan import blanked
from bot.core.analysis.services import EVIDENCE_CAP, RANK, dev_only_path, non_product_path
from bot.core.analysis.words import Needles
from bot.core.analysis.yaml_nodes import compose_yaml, get, items, line_of, scalar
from bot.core.lazy_pattern import lazy
from bot.core.model import EnvRead, Evidence, FileFacts, OutboundCall, Service, Signal

FRAMEWORK_VERSION = 3  # 2: Netlify, DigitalOcean and EdgeOne request headers
# 3: the geocoder gem's lookups (`Geocoder.configure(lookup: :x)`)
MAX_CONFIG_BYTES = 256 * 1024  # environment files are a few KB
MAX_STORAGE_BYTES = 64 * 1024  # storage.yml too; block nesting within this stays shallow
_MAX_FLOW = 1000  # `[` and `{`: PyYAML's composer recurses once per level

# S3-compatible providers an `endpoint:` host names (suffix → catalog config token).
_ENDPOINT_PROVIDERS = (
    ("r2.cloudflarestorage.com", "cloudflare_r2"),
    ("digitaloceanspaces.com", "digitalocean_spaces"),
)
_NOT_DEPLOYED = frozenset({"test", "development"})

# --- config/storage.yml ------------------------------------------------------------------------


def without_erb(text: str) -> str:
    """`text` with every ``<% … %>`` tag replaced by ``x`` characters of the same length
    (newlines kept), so YAML reads the rest with the original lines. One pass; an
    unterminated tag blanks the rest of the text."""
    out: list[str] = []
    at = 0
    while True:
        start = text.find("<%", at)
        if start < 0:
            out.append(text[at:])
            break
        end = text.find("%>", start + 2)
        stop = len(text) if end < 0 else end + 2
        out.append(text[at:start])
        out.append(blanked(text[start:stop], "x"))
        at = stop
        if end < 0:
            break
    return "".join(out)


def _storage_token(service: str, endpoint: str) -> str:
    if service != "S3" or not endpoint:
        return service
    try:
        host = (urlsplit(endpoint).hostname or "").lower()
    except ValueError:
        return service
    for suffix, token in _ENDPOINT_PROVIDERS:
        if host == suffix or host.endswith("." + suffix):
            return token
    if re.search(r"(^|[.-])minio([.-]|$)", host):
        return "minio"
    return service


def parse_rails_storage(data: bytes) -> FileFacts:
    if len(data) > MAX_STORAGE_BYTES or data.count(b"[") + data.count(b"{") > _MAX_FLOW:
        return FileFacts(language="config")  # not a storage.yml; deep flow nesting recurses
    text = decode(data)
    try:
        root = compose_yaml(without_erb(text))
    except RecursionError:
        return FileFacts(language="config")
    signals: list[Signal] = []
    meta: list[tuple[str, str]] = []
    for name, _, block in items(root):
        service_node = get(block, "service")
        service = scalar(service_node)
        if name == "test" or service_node is None or not re.fullmatch(r"\w{1,40}", service):
            continue
        token = _storage_token(service, scalar(get(block, "endpoint")))
        signals.append(Signal("config.rails.storage", name, line_of(service_node), token))
        meta.append(("rails.storage", f"{name}={token}"))
    env = [
        EnvRead(var, number)
        for number, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith("#")
        for var in ENV_REF.findall(line)
    ]
    return FileFacts(
        language="config",
        env=tuple(sorted(set(env))),
        signals=tuple(sorted(set(signals))),
        meta=tuple(sorted(set(meta))),
    )


def is_rails_storage(path: str) -> bool:
    return path == "config/storage.yml" or path.endswith("/config/storage.yml")


# --- Rails Ruby config: which storage service each environment uses, SMTP from ENV ----------

_STORAGE_SETTING = lazy(r"^\s*config\.active_storage\.service\s*=\s*(.{1,200})")
_SYMBOL = lazy(r"""^:["']?(\w+)""")
_ENV_DEFAULT = lazy(
    r"""ENV(?:\.fetch\(\s*|\[\s*)["']([A-Z][A-Z0-9_]*)["']\s*[\])]?(?:\s*,\s*[:"']?(\w*))?"""
)
_ADDRESS = lazy(r"""^\s*[:"']?address["']?\s*(?::|=>)\s*(.{1,200})""")
# OmniAuth's builder (`provider :github, …`) or Devise's (`config.omniauth :github, …`).
_OMNIAUTH = lazy(r"^\s*(?:provider|config\.omniauth)\s*\(?\s*:(\w{1,40})")
_SMTP_WINDOW = 20  # lines after `smtp_settings` where its `address:` may be
# The geocoder gem's service: `lookup: :nominatim` in `Geocoder.configure(…)`, or a settings
# hash handed to it (`settings[:lookup] = :photon`), in a file that configures it. Each
# lookup a branch may choose is a service the app can call (`ip_lookup:` is another key).
_GEOCODER = "Geocoder.configure"
_LOOKUP = lazy(
    r"""(?:(?<![\w:])[:"']?lookup["']?\s*(?::|=>)|\[\s*:lookup\s*\]\s*=)\s*:(\w{1,40})"""
)


def is_rails_ruby_config(path: str) -> bool:
    """`config/application.rb`, `config/environments/*.rb` but test.rb, and
    `config/initializers/*.rb` (where `smtp_settings` often are)."""
    if is_rails_config(path):
        return True
    if not path.endswith(".rb") or not (path.startswith("config/") or "/config/" in path):
        return False
    tail = path.rsplit("config/", 1)[-1]
    return tail.count("/") == 1 and tail.startswith("initializers/")


def parse_rails_ruby_config(path: str, data: bytes) -> FileFacts:
    if len(data) > MAX_CONFIG_BYTES or not any(
        word in data for word in (b"active_storage", b"smtp", b"omniauth", b"provider", b"lookup")
    ):
        return FileFacts(language="config")
    geocoder = _GEOCODER.encode() in data
    environment = (
        splitext(basename(path))[0] if "/environments/" in "/" + path else "all environments"
    )
    meta: list[tuple[str, str]] = []
    signals: list[Signal] = []
    smtp_left = 0
    for number, line in enumerate(decode(data).splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        oauth = _OMNIAUTH.match(line)
        if oauth and environment not in _NOT_DEPLOYED:
            name = oauth.group(1)
            signals.append(Signal("config.omniauth", name, number, f"omniauth_{name}"))
        lookup = _LOOKUP.search(line) if geocoder and "lookup" in line else None
        if lookup:
            name = lookup.group(1)
            signals.append(Signal("config.geocoder", name, number, f"geocoder:{name}"))
        chosen = _STORAGE_SETTING.match(line)
        if chosen:
            value = chosen.group(1)
            symbol = _SYMBOL.match(value)
            from_env = _ENV_DEFAULT.search(value)
            if symbol:
                meta.append(("rails.storage.env", f"{environment}|{symbol.group(1)}||{number}"))
            elif from_env:
                var, default = from_env.group(1), from_env.group(2) or ""
                meta.append(("rails.storage.env", f"{environment}|{default}|{var}|{number}"))
        if "smtp_settings" in line:
            smtp_left = _SMTP_WINDOW
        elif smtp_left:
            smtp_left -= 1
            address = _ADDRESS.match(line)
            if address:
                smtp_left = 0
                found = _ENV_DEFAULT.search(address.group(1))
                if found and environment not in _NOT_DEPLOYED:
                    meta.append(("rails.smtp.env", f"{found.group(1)}|{number}"))
    return FileFacts(
        language="config", signals=tuple(sorted(set(signals))), meta=tuple(sorted(set(meta)))
    )


class _RubyConfig(FileExtractor):
    """Rails Ruby config: `config_files.parse_rails_config`'s adapter settings and this
    module's storage choices and SMTP address (it needs the path: the environment is the
    file's name). One extractor, so each file kind keeps exactly one."""

    def extract(self, path: str, data: bytes) -> FileFacts:
        mine = parse_rails_ruby_config(path, data)
        if not is_rails_config(path):
            return mine
        settings = parse_rails_config(data)
        return replace(
            settings,
            signals=tuple(sorted({*settings.signals, *mine.signals})),
            meta=tuple(sorted({*settings.meta, *mine.meta})),
        )


# --- request headers a CDN adds, GeoIP database files, read in code ----------------------------

# The name inside a string literal (a quote, or one backtick: not RST's double backticks in a
# docstring), a literal prefix first, then a bounded name: one linear pass over the lowered
# bytes (``(?i)`` is several times slower than lowering once).
_OPEN = rb"(?:[\"']|(?<!`)`)"
_CLOSE = rb"(?=[\"']|`(?!`))"
_CDN_HEADER = re.compile(
    _OPEN + rb"(?:http_)?(cf[-_](?:ipcountry|connecting[-_]ip|ray|ipcity|iplatitude|"
    rb"iplongitude|region(?:[-_]code)?|visitor)|x[-_]vercel[-_][a-z_-]{2,30}|"
    rb"cloudfront[-_][a-z_-]{2,40}|fastly[-_](?:client[-_]ip|ssl)|"
    # Netlify (docs.netlify.com, "Netlify request headers"), DigitalOcean App Platform
    # (docs.digitalocean.com, "App Platform request headers"), Tencent EdgeOne (edgeone.ai).
    rb"x[-_]nf[-_](?:client[-_]connection[-_]ip|geo)|do[-_]connecting[-_]ip|"
    rb"eo[-_](?:ipcountry|region[-_]code|ipcity|connecting[-_]ip))" + _CLOSE
)
# A database file's name, at the end of a string literal.
_MMDB = re.compile(rb"[\w-]{1,80}\.mmdb" + _CLOSE)
_COMMENT_START = (b"#", b"//", b"*", b"/*", b"--")
_NEEDLES = (
    b"ipcountry", b"connecting", b"cf-", b"vercel", b"cloudfront", b"fastly", b".mmdb", b"x-nf-",
    b"x_nf_", b"eo-ip", b"eo_ip", b"eo-region", b"eo_region",
)  # fmt: skip
# What a hit of either pattern holds (`_CDN_HEADER` in the lowered bytes, `_MMDB` in the
# bytes): a file with none has no hit, whatever `_NEEDLES` let in ("connecting" is common
# in prose), so the patterns are not run over it.
_HIT_NEEDLES = (
    b"cf-", b"cf_", b"vercel", b"cloudfront", b"fastly", b"x-nf-", b"x_nf_", b"do-connecting",
    b"do_connecting", b"eo-ip", b"eo_ip", b"eo-region", b"eo_region", b"eo-connecting",
    b"eo_connecting",
)  # fmt: skip
# The first gate, over one folded copy of the bytes (lower case, "_" read as "-"): each of
# `_HIT_NEEDLES` folds onto a text holding one of `_GATE_NEEDLES`, and ".mmdb" folds onto
# itself, so a file without any of these nine holds no hit; nine passes instead of a
# lowering and sixteen (most code files stop here).
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_", b"abcdefghijklmnopqrstuvwxyz-")
_GATE_NEEDLES = (
    b"cf-", b"vercel", b"cloudfront", b"fastly", b"x-nf-", b"o-connecting", b"eo-ip",
    b"eo-region", b".mmdb",
)  # fmt: skip
_GATE = Needles(_GATE_NEEDLES, folded=True)
_MAX_HITS = 200  # per pattern and file: a generated file full of them says nothing more


def is_code(path: str) -> bool:
    return path.endswith(_CODE_SUFFIXES)


_CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".rb", ".go")


def parse_request_headers(data: bytes) -> FileFacts:
    """``config.header`` signals: a CDN's request header the code reads (``cf-ipcountry``,
    Django's ``HTTP_CF_IPCOUNTRY``, ``x-vercel-ip-country``, ``cloudfront-viewer-country``,
    ``fastly-client-ip``), named as sent (lower case, dashes), and ``mmdb`` for a GeoIP
    database file named in code; each inside a string literal. Lines that are comments and
    mentions in prose (a docstring's double backticks) make none."""
    maybe = _GATE.maybe_in(data)  # the file's words first: most code files stop here
    if not maybe:
        return FileFacts(language="config")
    folded = data.translate(_FOLD)  # cheap gates: substring tests before any pattern runs
    if not any(needle in folded for needle in maybe):
        return FileFacts(language="config")
    low = data.lower()
    if not (b".mmdb" in data or any(needle in low for needle in _HIT_NEEDLES)):
        return FileFacts(language="config")
    if not any(needle in low for needle in _NEEDLES):
        return FileFacts(language="config")
    found: list[Signal] = []
    hits = [
        (m.start(), m.group(1).lower().replace(b"_", b"-"))
        for m in itertools.islice(_CDN_HEADER.finditer(low), _MAX_HITS)
    ]
    hits += [(m.start(), b"mmdb") for m in itertools.islice(_MMDB.finditer(data), _MAX_HITS)]
    line, at, line_start = 1, 0, 0
    for start, name in sorted(hits):
        newlines = data.count(b"\n", at, start)
        if newlines:
            line += newlines
            line_start = data.rfind(b"\n", at, start) + 1
        at = start
        # A bounded look back: a comment marker opens the line, after some indentation.
        if data[line_start : min(start, line_start + 200)].lstrip().startswith(_COMMENT_START):
            continue
        header = name.decode("ascii", "replace")
        found.append(Signal("config.header", header, line, header))
    return FileFacts(language="config", signals=tuple(sorted(set(found))))


# --- Next.js config: rewrites, redirects and images from external hosts ---------------------

_NEXT_SECTION = lazy(r"\b(rewrites|redirects|remotePatterns|domains)\b")
_NEXT_DESTINATION = lazy(r"""\bdestination\s*:\s*["'`]https?://([A-Za-z0-9.-]{1,253})""")
_NEXT_HOSTNAME = lazy(r"""\bhostname\s*:\s*["'`]([A-Za-z0-9.*-]{1,253})["'`]""")
_NEXT_DOMAINS = lazy(r"""\bdomains\s*:\s*\[([^\]]{0,2000})\]""")
_QUOTED_HOST = lazy(r"""["'`]([A-Za-z0-9.-]{1,253})["'`]""")
_NEXT_CLIENT = {
    "rewrites": "next.config rewrites",  # the server proxies the request there
    "redirects": "next.config redirects",
    "remotePatterns": "next/image",  # the image optimizer fetches from there
    "domains": "next/image",
}


def is_next_config(path: str) -> bool:
    name = basename(path)
    return name.startswith("next.config.") and name.endswith((".js", ".mjs", ".cjs", ".ts", ".mts"))


def parse_next_config(data: bytes) -> FileFacts:
    """Outbound destinations a Next.js config names with a literal host: a rewrite's or a
    redirect's ``destination: "https://host/…"`` and the image optimizer's
    ``images.remotePatterns`` ``hostname``s and ``images.domains``. The section is the last
    of ``rewrites``/``redirects``/``remotePatterns``/``domains`` named above the line."""
    if len(data) > MAX_CONFIG_BYTES:
        return FileFacts(language="config")
    calls: list[OutboundCall] = []
    section = ""
    for number, line in enumerate(decode(data).splitlines(), 1):
        text = line[:2000]  # config lines are short; a minified one proves nothing more
        if text.lstrip().startswith(("//", "*", "/*")):
            continue
        named = _NEXT_SECTION.findall(text)
        if named:
            section = named[-1]
        hosts: list[tuple[str, str]] = []
        found = _NEXT_DESTINATION.search(text)
        if found and section in ("rewrites", "redirects"):
            hosts.append((found.group(1), _NEXT_CLIENT[section]))
        found = _NEXT_HOSTNAME.search(text)
        if found and section == "remotePatterns" and "*" not in found.group(1).lstrip("*."):
            hosts.append((found.group(1).lstrip("*."), "next/image"))
        listed = _NEXT_DOMAINS.search(text)
        if listed:
            hosts += [(h, "next/image") for h in _QUOTED_HOST.findall(listed.group(1))]
        for host, client in hosts:
            if "." in host:
                calls.append(OutboundCall("http", number, client, host.lower(), "", "literal"))
    return FileFacts(language="config", calls=tuple(sorted(set(calls))))


FRAMEWORK_EXTRACTORS = (
    FileExtractor(
        "rails_storage",
        1 + FRAMEWORK_VERSION,
        is_rails_storage,
        parse_rails_storage,
        claims(names=("storage.yml",)),
    ),
    FileExtractor(
        "nextjs_config",
        FRAMEWORK_VERSION,
        is_next_config,
        parse_next_config,
        claims(prefixes=("next.config.",)),
    ),
    _RubyConfig(
        "rails_config",
        1 + FRAMEWORK_VERSION,
        is_rails_ruby_config,
        lambda data: FileFacts(language="config"),  # unused: `extract` reads the path
        claims(extensions=("rb",)),
    ),
)
# Code files: merged with the language extractor's facts (`extractors.EXTRACTORS`).
REQUEST_HEADER_EXTRACTOR = FileExtractor(
    "request_headers",
    FRAMEWORK_VERSION,
    is_code,
    parse_request_headers,
    claims(extensions=tuple(x.lstrip(".") for x in _CODE_SUFFIXES)),
)

# --- across files ---------------------------------------------------------------------------


def framework_integrations(
    files: Mapping[str, FileFacts], integrations: tuple[Service, ...], catalog: Catalog
) -> tuple[Service, ...]:
    """`integrations` with what the environments say: which storage service each deployed
    environment chooses (by name or through an env var), and the env var holding the SMTP
    address."""
    storage: dict[str, tuple[str, str]] = {}  # block name → (token, storage.yml path)
    choices: list[tuple[str, str, str, Evidence]] = []  # (env, block, var, where)
    smtp: list[tuple[str, Evidence]] = []
    for path in sorted(files):
        if non_product_path(path):
            continue  # a test app's config (spec/dummy/config/…) is not the product's
        for key, value in files[path].meta:
            if key == "rails.storage":
                name, _, token = value.partition("=")
                storage.setdefault(name, (token, path))
            elif key == "rails.storage.env":
                env, block, var, line = [*value.split("|"), "", "", ""][:4]
                if env not in _NOT_DEPLOYED and line.isdigit():
                    choices.append((env, block, var, Evidence(path, int(line))))
            elif key == "rails.smtp.env":
                var, _, line = value.partition("|")
                if line.isdigit():
                    smtp.append((var, Evidence(path, int(line))))
        smtp += _django_smtp_env(path, files[path])
    if not (storage and choices) and not smtp:
        return integrations
    named: dict[str, str] = {}  # service name (casefolded) → storage block
    for block, (token, _) in storage.items():
        for entry in catalog.by_config(token):
            if entry.section == "services":
                named.setdefault(entry.name.casefold(), block)
    by_env_var = [c for c in choices if c[2]]
    ymls = {path for _, path in storage.values()}
    out = []
    for service in integrations:
        key = service.name.casefold()
        if key not in named and service.evidence and all(e.path in ymls for e in service.evidence):
            # storage.yml's env names (CLOUDFLARE_ACCOUNT_ID in an R2 block) configure storage,
            # not the service their prefix names.
            continue
        named_block = named.get(key)
        if named_block is not None and choices:
            yml = storage[named_block][1]
            service = _storage_choice(service, named_block, yml, choices, by_env_var)
        if service.category == "email" and key == "smtp" and smtp:
            service = replace(
                service,
                configured_by=tuple(sorted({*service.configured_by, *(v for v, _ in smtp)})),
                evidence=_joined(tuple(e for _, e in smtp), service.evidence),
            )
        out.append(service)
    return tuple(out)


def buckets_apart(
    datastores: tuple[Service, ...], integrations: tuple[Service, ...]
) -> tuple[tuple[Service, ...], tuple[Service, ...]]:
    """(datastores, integrations) with the buckets the app keeps its files in (S3, GCS, R2:
    `object-storage`) listed with the datastores: data rests there as in a database."""
    buckets = tuple(s for s in integrations if s.category == "object-storage")
    if not buckets:
        return datastores, integrations
    rest = tuple(s for s in integrations if s.category != "object-storage")
    return tuple(sorted((*datastores, *buckets), key=lambda s: (s.name.casefold(), s.name))), rest


def _django_smtp_env(path: str, facts: FileFacts) -> list[tuple[str, Evidence]]:
    """``EMAIL_HOST = os.environ[…]`` in a settings module: the env var read on the line
    that sets EMAIL_HOST holds the SMTP server's address."""
    if dev_only_path(path):
        return []
    lines = {s.line for s in facts.signals if s.kind == "config.setting" and s.name == "EMAIL_HOST"}
    return [(e.name, Evidence(path, e.line)) for e in facts.env if e.line in lines]


def _storage_choice(
    service: Service,
    block: str,
    yml: str,
    choices: list[tuple[str, str, str, Evidence]],
    by_env_var: list[tuple[str, str, str, Evidence]],
) -> Service:
    literal = [where for _, chosen, var, where in choices if not var and chosen == block]
    if literal or by_env_var:
        return replace(
            service,
            configured_by=tuple(sorted({*service.configured_by, *(c[2] for c in by_env_var)})),
            evidence=_joined((*literal, *(c[3] for c in by_env_var)), service.evidence),
        )
    # Every deployed environment names another service: storage.yml only declares this one.
    only_yml = all(e.path == yml for e in service.evidence)
    if only_yml and RANK[service.strength] <= RANK["configured"]:
        return replace(service, strength="declared")
    return service


def _joined(first: tuple[Evidence, ...], rest: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    return tuple(dict.fromkeys((*first, *rest)))[:EVIDENCE_CAP]


__all__ = [
    "FRAMEWORK_EXTRACTORS",
    "FRAMEWORK_VERSION",
    "REQUEST_HEADER_EXTRACTOR",
    "buckets_apart",
    "framework_integrations",
    "parse_next_config",
    "parse_rails_ruby_config",
    "parse_rails_storage",
    "parse_request_headers",
    "without_erb",
]
