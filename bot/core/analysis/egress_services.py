"""External integrations from outbound calls: each call's destination becomes a service.

Rules, per call in product code (tests, examples and dev files make no claim):

* a literal host → the catalog service listing that host (``hosts:``), else an integration
  named by the host, category "HTTP API"; local and reserved hosts (localhost, example.com,
  ``*.local``, ``*.test``) are not egress;
* a name resolved to a host elsewhere (a settings module's ``CENSUS_URL = "https://…"``,
  meta ``egress.const``) → that host;
* a member of a plugin family (a folder of member folders the code loads by a path built
  from a value: `egress_families`) is named by its member folder, as a service folder is;
  a family only a comment line loads makes no claim;
* a member of a subclass registry (a folder of plugin classes on one base, one a file:
  `egress_registry`) is named as a service folder is, by its word (`telegram_agent.rb` →
  Telegram); where the catalog has no such service and no host spells the word, by its
  class (`Website Agent`);
* otherwise, in a folder named for a service (``notification-providers/<name>.js``,
  ``providers/<name>/``, ``integrations/<name>/transport.py``, ``plugins/<name>/…``, a
  client file ``lib/<name>/client.rb``) → that service, the call as evidence, whatever gives
  the URL (user data, the caller's argument, an unread value); a generic folder word
  (``server``, ``lib``, ``api``…: `_GENERIC_FOLDERS`) never names one;
* or a member of a folder of sibling clients (`print/<name>_service.rb`, three or more
  sharing a client-like role word, `egress_file_families`) → the service `<name>`;
* an address the code reads (a setting, an object's field) in a client file named for a
  catalogued service (`spam_assassin.rb` → SpamAssassin) → that service;
* a request to an address the code is handed (user data, a parameter, an unread value) in a
  file of a family (`widget-<name>.go` among ≥ 5 siblings: `egress_file_families`) → the
  service its name says;
* a URL from user data → one item, "User-configured HTTP endpoints (outgoing webhooks)";
  not a Go field of what a call returned that its package declares only as a decoded
  payload's (`_decoded`);
* a URL from another request's response → the service of the SDK that returned it, else
  nothing (`egress_response`);
* a module method another file defines as a setting with a literal default
  (`Report.endpoint` → `ENV.fetch("X", "https://host")`, meta ``egress.env_default``) →
  that host, configured by X;
* a setting or env var → an integration "HTTP endpoint configured by X";
* a relative URL (the app's own server) or an unknown one → nothing;
* a DNS query (`Resolv::DNS.new`) → "DNS";
* a StatsD client → "StatsD server"; a raw socket (`egress_sockets`) → its written host, else
  "Server at X (socket)" for the setting, env var or field X holding its address;
* a provider's webhook whose signature the app checks (`egress_inbound`) → the provider its
  file in a folder of webhooks is named for.

A ``candidate`` call (a URL literal passed to some function) counts only when some file
defines a wrapper of that name, or, for a request through a client factory
(``factory:<name>``, `egress_factories`), a factory of that name. Services merge with
the catalog's by name: the call site is then the strongest evidence ("used") and its
host, settings and timeout are added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from posixpath import basename, dirname, join, normpath, splitext

from bot.core.analysis.catalog import Catalog
from bot.core.analysis.deploy import COMPOSE_MOUNT
from bot.core.analysis.egress import wrapper_names
from bot.core.analysis.egress_bases import BASE_CLIENT_META, EXTENDS_META, client_bases
from bot.core.analysis.egress_bases import CLIENT as BASE_CLIENT
from bot.core.analysis.egress_factories import FACTORY_CLIENT, factory_names
from bot.core.analysis.egress_families import families
from bot.core.analysis.egress_file_families import family_members, family_names
from bot.core.analysis.egress_gates import ENV_DEFAULT_META
from bot.core.analysis.egress_inbound import KIND as INBOUND
from bot.core.analysis.egress_inbound import SERVED_CLIENT, webhook_stem
from bot.core.analysis.egress_names import catalogued_name, folder_display
from bot.core.analysis.egress_registry import registry_members
from bot.core.analysis.egress_resolve import WELL_KNOWN
from bot.core.analysis.egress_response import RETURNED_FIELD
from bot.core.analysis.egress_scripts import CLIENT as SCRIPT_CLIENT
from bot.core.analysis.egress_templates import unused_layouts
from bot.core.analysis.golang import BUILD_TOOL, GENERATOR, PAYLOAD_FIELD
from bot.core.analysis.manifests_js import SCRIPTS_RUN
from bot.core.analysis.services import EVIDENCE_CAP, dev_only_path, non_product_path
from bot.core.model import Evidence, FileFacts, OutboundCall, Service

_SCOPED = re.compile(r"(?:[A-Z]\w{0,80}::){1,8}[A-Z][A-Z0-9_]{1,80}")  # Ruby `Acme::NEWS_URL`
_KEYED = re.compile(r"""\[:?["']?(\w{1,100})["']?\]""")
USER_CONFIGURED = "User-configured HTTP endpoints (outgoing webhooks)"
HTTP_API = "HTTP API"
GIT_REMOTES = "Git remote repositories (clone, fetch)"
STATSD = "StatsD server"  # metrics sent over UDP/TCP to a StatsD (or DogStatsD) daemon
DNS = "DNS"  # name servers queried by the code (`egress_sockets.RUBY_DNS`)
SMTP = "SMTP"  # the catalog's row for mail submitted over SMTP (its name merges the two)
SERVICE_FOLDERS = frozenset(
    {"providers", "provider", "notifiers", "notifier", "notification-providers",
     "notification_providers", "notifications", "integrations", "integration", "channels",
     "senders", "webhooks", "plugins", "connectors"}
)  # fmt: skip
# Folder words that say where code runs or how it is laid out, never whom it calls: after a
# service folder (`plugins/webhooks/server/…`) they name no service.
_GENERIC_FOLDERS = frozenset(
    {"server", "client", "lib", "src", "app", "api", "utils", "tasks", "services", "shared",
     "common", "internal", "pkg", "core"}
)  # fmt: skip
_GENERIC_STEMS = frozenset(
    {"index", "base", "util", "utils", "common", "types", "provider", "providers", "__init__",
     "notification-provider", "notification_provider", "notifier", "notifiers", "helpers",
     "interface", "registry", "mod", "main", "models", "model", "test", "spec"}
)  # fmt: skip
_LOCAL_HOST = re.compile(
    r"^(localhost|127\.[\d.]+|0\.0\.0\.0|\[::1?\]|host\.docker\.internal|.*\.(local|localhost|"
    r"test|invalid|example|internal)|(.*\.)?example\.(com|org|net))$"
)
# Names through which code reads its settings module's top-level names (Django's
# `settings.X`, a `config.X` module): the name after them is the module's own.
_SETTINGS_MODULES = ("settings.", "config.", "conf.")
_SECRET_WORDS = ("TOKEN", "KEY", "SECRET", "PASSWORD", "PASS", "AUTH", "CREDENTIAL", "DSN")


@dataclass
class _Found:
    category: str
    evidence: set[Evidence] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)
    configured_by: set[str] = field(default_factory=set)
    auth: set[str] = field(default_factory=set)
    timeouts: set[str] = field(default_factory=set)


def service_folder_name(path: str) -> str:
    """The service a path is named for: the part after a `SERVICE_FOLDERS` folder."""
    parts = path.split("/")
    for i, part in enumerate(parts[:-1]):
        if part.lower() in SERVICE_FOLDERS:
            if part.lower() == "plugins" and i + 2 >= len(parts):
                continue  # `editor/plugins/UploadPlugin.ts`: a plugin file, not a service's folder
            at = i + 1
            if parts[at].lower() in _PROTOCOL_FOLDERS and at + 1 < len(parts):
                at += 1  # `providers/oauth/<name>.py`: the protocol groups the services
            elif parts[at].lower() in _MEMBER_FOLDERS and at + 1 < len(parts):
                at += 1  # `notifications/agents/<name>.ts`: the folder holds the members
            stem = splitext(parts[at])[0]
            if _service_stem(stem):
                return stem
    # A client file of its own folder under lib (`lib/<name>/client.rb`): that folder is
    # the service the client talks to.
    if (
        len(parts) >= 3
        and parts[-3].lower() == "lib"
        and splitext(parts[-1])[0].lower() == "client"
        and _service_stem(parts[-2])
    ):
        return parts[-2]
    return ""


# Sign-in protocols: below a service folder (`provider/oauth/`) they group the providers
# that speak them, and the file or folder below names the provider.
_PROTOCOL_FOLDERS = frozenset({"oauth", "oauth2", "oidc", "openid", "saml", "sso"})
# Words for a folder of a service folder's members (`notifications/agents/`): each file or
# folder below is one member; the word itself names none.
_MEMBER_FOLDERS = frozenset(
    {"agents", "agent", "adapters", "adapter", "backends", "backend", "drivers", "driver",
     "transports", "transport", "clients", "senders", "sender", "impl", "implementations"}
)  # fmt: skip


# Words of a transport, not a party: `senders/http_sender.rb` sends wherever it is told.
_TRANSPORT_WORDS = frozenset(
    {
        "http",
        "https",
        "smtp",
        "webhook",
        "webhooks",
        "sender",
        "client",
        "request",
        "rest",
        "api",
        "connector",
    }
)


# Words of a file's or folder's role in a framework's layout (Django, Rails, Express, Nest…):
# `webhooks/views.py`, `integrations/tasks/`, `providers/utils.ts` hold code of some kind, and
# such a name says what the code is, never whom it calls. Why generic: the words are the
# layouts' own (a module per role), not any service's name.
_ROLE_WORDS = frozenset(
    {"views", "view", "tasks", "task", "utils", "util", "helpers", "helper", "models", "model",
     "serializers", "serializer", "urls", "routes", "router", "routers", "admin", "forms",
     "handlers", "handler", "controllers", "controller", "services", "service", "signals",
     "receivers", "constants", "exceptions", "types", "schemas", "permissions", "decorators",
     "mixins", "managers", "manager", "validators", "filters", "apps", "middleware", "settings",
     "migrations", "management", "commands", "tests", "test", "fixtures", "factories", "jobs",
     "workers", "dataclasses", "enums", "selectors", "querysets", "viewsets", "wrappers"}
)  # fmt: skip


# Words that mark a family's shared code (`social.abstract.ts`, `base_client.py` beside the
# members): what such a file fetches is each member's, and its name is no service's.
_SHARED_WORDS = frozenset({"abstract", "base", "interface", "interfaces", "shared"})


def _service_stem(stem: str) -> bool:
    low = stem.lower()
    words = [w for w in re.split(r"[-_.]+", low) if w]
    return (
        not _SHARED_WORDS.intersection(words)
        and not (len(words) > 1 and all(w in _TRANSPORT_WORDS for w in words))
        and not (
            words
            and all(w in _ROLE_WORDS or w in _TRANSPORT_WORDS for w in words)
            and any(w in _ROLE_WORDS for w in words)
        )
        and low not in _GENERIC_STEMS
        and low not in _GENERIC_FOLDERS
        and low not in SERVICE_FOLDERS  # `integration/integration.go`
        and low not in _MEMBER_FOLDERS  # `notifications/agents/agent.ts`: the members' base
        and re.fullmatch(r"[\w.-]{2,40}", stem) is not None
    )


_BROWSER_DIRS = frozenset(
    {"web", "frontend", "client", "public", "static", "assets", "www", "ui", "components",
     "pages", "views", "javascript"}
)  # fmt: skip


def browser_path(path: str) -> bool:
    """Code that runs in the browser by its place (`web/src/…`, `app/javascript/…`,
    `*.tsx`): there a request to a handed-over URL goes to the app's own server."""
    if path.endswith((".tsx", ".jsx", ".vue", ".svelte")):
        return True
    if not path.endswith((".js", ".ts", ".mjs")):
        return False
    return bool({p.lower() for p in path.split("/")[:-1]} & _BROWSER_DIRS)


def egress_services(
    files: Mapping[str, FileFacts], catalog: Catalog
) -> tuple[tuple[Service, ...], tuple[Service, ...]]:
    """(services found through catalog hosts or folder names, plain HTTP integrations)."""
    wrappers = wrapper_names(kv for f in files.values() if f.calls for kv in f.meta)
    # A request through a client factory another file defines (`egress_factories`) counts
    # as a call of that factory's name.
    wrappers |= {
        FACTORY_CLIENT + name
        for name in factory_names([kv for f in files.values() if f.calls for kv in f.meta])
    }
    # A class on a client base (`egress_bases`) requests as a wrapper's caller does.
    wrappers |= client_bases(
        kv for f in files.values() for kv in f.meta if kv[0] in (BASE_CLIENT_META, EXTENDS_META)
    )
    consts: dict[str, set[str]] = {}
    for path, f in files.items():
        if non_product_path(path):
            continue  # a test's fake server (`BaseURL: "https://fake.io"`) sets no default
        for key, value in f.meta:
            if key == "egress.const":
                name, _, host = value.partition("=")
                consts.setdefault(name, set()).add(host)
    spelled: dict[str, list[str]] = {}
    for f in files.values():
        for key, value in f.meta:
            if key == "egress.spelling":
                stem, _, name = value.partition("=")
                spelled.setdefault(stem, []).append(name)
    defaults = _env_defaults(files)
    role_members = family_members(
        (p for p, f in files.items() if f.calls and not non_product_path(p)), _family_folder
    )
    found: dict[str, _Found] = {}
    generated_by = _generators(files)
    members = registry_members(files)
    family = families(files)
    unused = unused_layouts(files)
    payload = _payload_fields(files)
    named_files = family_names(p for p in files if not non_product_path(p))
    projects = _subproject_scripts(files)
    mounted = _image_mounts(files)
    for path in sorted(files):
        f = files[path]
        if not f.calls or non_product_path(path) or dev_only_path(path):
            continue
        if any(s.kind == BUILD_TOOL for s in f.signals):
            continue  # a magefile, a `go run` script: kept out of the product's build
        if _subproject_script(path, projects):
            continue
        if _dev_mounted(path, mounted):
            continue  # bound only into a dev compose file's emulator: not the app's code
        if path.startswith("tools/") and path.endswith(".go"):
            continue  # Go's top-level `tools/`: a developer's programs (load generators)
        if path in generated_by or dirname(path) in generated_by:
            continue  # a program `go generate` runs at build time: not the app's calls
        if family.is_dead(path):
            continue  # a plugin family only a comment loads (`egress_families`): never runs
        if path in unused:
            continue  # a layout no template extends (`egress_templates`): never rendered
        secrets = {e.name for e in f.env if any(w in e.name.upper() for w in _SECRET_WORDS)}
        # A member of a plugin family (`egress_families`): its loader proves the folder.
        in_family = family.member(path) if _service_stem(family.member(path)) else ""
        # A role-suffix family (`social/<name>.provider.ts`) names each file's service more
        # closely than a service folder above it (`integrations/social/`: a category).
        folder = in_family or role_members.get(path, "") or service_folder_name(path)
        member = members.get(path) if not folder else None
        if member is not None:
            folder = member[0]  # a plugin of a subclass registry (`egress_registry`)
        browser = browser_path(path)
        # A wrapper's own request in a folder named for a service names it only when no call
        # of the file names a destination otherwise (its callers there give the host).
        calls = [
            c
            for c in f.calls
            if c.kind != "candidate" or _kept(c, wrappers) or (browser and _browser_loads(c))
        ]
        # a request through a client base's inherited client is a request of this file
        calls = [replace(c, kind="http") if _inherited(c, wrappers) else c for c in calls]
        if not folder or any(
            _destination(c, folder, consts, catalog) for c in calls if c.origin != "parameter"
        ):
            calls = [c for c in calls if c.origin != "parameter"]
        for call in calls:
            if not call.host and call.configured_by and defaults:
                call = _with_default(call, defaults)
            if browser and call.origin in ("user", "unknown") and not call.host:
                continue  # a page's request to a URL it was handed: its own server, most often
            if call.origin == "user" and payload and _decoded(path, f, call, payload):
                continue  # a link another service answered with: not a user's endpoint
            if (
                call.kind == "candidate"
                and not _kept(call, wrappers)
                and not (browser and _browser_loads(call))
            ):
                continue
            if in_family and call.origin == "unknown" and call.client != SCRIPT_CLIENT:
                # a family member (a renderer, a strategy) fetching a URL from what it
                # processes (an image on a page): not the service its folder names
                continue
            named: tuple[str, str, str] | None = None
            if not folder and not call.host and call.kind in ("http", "socket"):
                named = _named_client(path, call, catalog)
            if named is not None:
                pass
            elif call.kind == "dns":
                named = (*(catalogued_name(DNS, catalog) or (DNS, "network")), "")
            elif call.kind == "smtp":
                named = _smtp_destination(call, catalog)
            elif call.kind == "git":
                named = _git_destination(call, catalog)
            elif call.kind in ("statsd", "socket") and not folder:
                named = _socket_destination(call, catalog)
            elif call.kind == INBOUND and call.client.startswith(SERVED_CLIENT):
                named = call.client.removeprefix(SERVED_CLIENT), "messaging", ""
            elif call.kind == INBOUND:  # a provider's webhook: the folder names who posts
                stem = webhook_stem(path)
                ok = stem and _service_stem(stem)
                named = _inbound_source(stem, catalog, spelled) if ok else None
            else:
                named = _destination(call, folder, consts, catalog, spelled)
                kin = named_files.get(path, "") if not folder else ""
                if kin and (named is None or named[0] == USER_CONFIGURED):
                    named = _family_destination(call, kin, catalog, spelled)
                if named is not None and named[0] == USER_CONFIGURED:
                    named = _well_known(f, call) or named
            if named is None:
                continue
            name, category, host = named
            if (
                member is not None
                and category == HTTP_API
                and (name, category) == _folder_service(folder, catalog, spelled)
                and not _host_names(host, folder)
            ):
                name = member[1]  # no service of that name: the plugin's class (`Website Agent`)
            item = found.setdefault(name, _Found(category))
            item.evidence.add(Evidence(path, call.line))
            if host:
                item.hosts.add(host)
            if call.configured_by and call.origin in ("env", "setting"):
                item.configured_by.add(call.configured_by)
            if call.timeout:
                item.timeouts.add(call.timeout)
            item.auth.update(secrets)
    out = []
    for name, item in found.items():
        evidence = tuple(sorted(item.evidence)[:EVIDENCE_CAP])
        out.append(
            Service(
                name,
                item.category,
                "used",
                evidence,
                hosts=tuple(sorted(item.hosts)),
                configured_by=tuple(sorted(item.configured_by)),
                auth=tuple(sorted(item.auth)),
                timeout=", ".join(sorted(item.timeouts))[:60],
            )
        )
    return (), tuple(sorted(out, key=lambda s: (s.name.casefold(), s.name)))


# A page's call that points a loader at another host: `loader.setDecoderPath("https://…")`,
# `setLibraryPath`, `preloadMaterials(url)`, `loadScript(url)`. The method's name says it
# loads from, or sets where to load from, the URL it is given; the browser then fetches it.
_LOADER_METHOD = re.compile(
    r"(?:pre)?load[A-Z]\w{0,60}|(?:pre)?load|set\w{0,60}(?:Path|BaseUrl|BaseURL|BaseUri|Cdn\w{0,20})"
)


def _browser_loads(call: OutboundCall) -> bool:
    """A URL literal of another host given to a loader's method in browser code."""
    method = call.client.removeprefix("call:").rsplit(".", 1)[-1]
    return bool(call.host) and call.origin == "literal" and bool(_LOADER_METHOD.fullmatch(method))


def _family_folder(name: str) -> bool:
    """A folder that may hold a family of clients: not a layout or role word itself."""
    low = name.lower()
    return low not in _ROLE_WORDS and low not in _GENERIC_FOLDERS and low not in SERVICE_FOLDERS


def _env_defaults(files: Mapping[str, FileFacts]) -> dict[str, tuple[str, str]]:
    """`Owner.method` → (env var, default host) of the module methods files define as a
    setting with a literal default; a name two files define differently is left out."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for path, f in files.items():
        if non_product_path(path):
            continue
        for key, value in f.meta:
            if key == ENV_DEFAULT_META:
                name, env, host = value.split("=", 2)
                seen.setdefault(name.rsplit("::", 1)[-1], set()).add((env, host))
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


def _with_default(call: OutboundCall, defaults: Mapping[str, tuple[str, str]]) -> OutboundCall:
    found = defaults.get(call.configured_by.rsplit("::", 1)[-1])
    if found is None:
        return call
    return replace(call, host=found[1], configured_by=found[0], origin="env")


def _host_names(host: str, word: str) -> bool:
    """Whether a host spells the word (`api.wit.ai` and `witai`): the word is the service."""
    key = re.sub(r"[^a-z0-9]", "", word.lower())
    return bool(host) and len(key) >= 3 and key in re.sub(r"[^a-z0-9]", "", host.lower())


def _inherited(call: OutboundCall, wrappers: set[str]) -> bool:
    """A request through a client base (`egress_bases`) some file defines."""
    return call.client.startswith(BASE_CLIENT) and _kept(call, wrappers)


def _kept(call: OutboundCall, wrappers: set[str]) -> bool:
    """A candidate is kept when some file defines the wrapper or client factory it calls."""
    return call.client.removeprefix("call:") in wrappers


def _named_client(path: str, call: OutboundCall, catalog: Catalog) -> tuple[str, str, str] | None:
    """A request or socket to an address the code reads (`Net::HTTP.new(@config.host, …)`)
    from a client file named for a catalogued service (`rspamd.rb`, `spam_assassin.rb`):
    that service. The address a parameter gives is the caller's (a wrapper's), not this."""
    if call.origin in ("parameter", "relative"):
        return None
    stem = splitext(path.rpartition("/")[2])[0]
    if not _service_stem(stem):
        return None
    found = catalogued_name(stem, catalog)
    return None if found is None else (*found, "")


def _inbound_source(
    stem: str, catalog: Catalog, spelled: Mapping[str, list[str]]
) -> tuple[str, str, str]:
    name, category = _folder_service(stem, catalog, spelled)
    return name, "webhooks" if category == HTTP_API else category, ""


def _subproject_scripts(files: Mapping[str, FileFacts]) -> dict[str, str]:
    """The folders that hold a `package.json` (`frontend/`; the root as ""), each with the
    commands its scripts run."""
    out: dict[str, str] = {}
    for p, f in files.items():
        if p == "package.json" or p.endswith("/package.json"):
            out[dirname(p)] = " ".join(v for k, v in f.meta if k == SCRIPTS_RUN)
    return out


def _subproject_script(path: str, projects: Mapping[str, str]) -> bool:
    """A file in the `scripts/` folder beside a sub-project's `package.json` that none of
    its scripts runs (`frontend/scripts/deploy-preview.mjs`, run by CI): like a top-level
    `scripts/` folder, a maintainer's. One its scripts run (`postinstall`) builds the
    product and keeps its calls. The root's own `scripts/` folder is judged the same way
    against the root `package.json` (a contributors list refreshed by a CI workflow)."""
    if path.startswith("scripts/"):
        head, rest = "", path[len("scripts/") :]
    else:
        head, _, rest = path.partition("/scripts/")
    return bool(rest) and head in projects and basename(path) not in projects[head]


def _image_mounts(files: Mapping[str, FileFacts]) -> tuple[frozenset[str], frozenset[str]]:
    """(paths dev-only compose files bind into a service run from an image, paths other
    compose files bind so). Only a file or a folder two deep counts: binding `.` or `./src`
    into a `node` image runs the app itself."""
    dev: set[str] = set()
    other: set[str] = set()
    for path, f in files.items():
        for sig in f.signals:
            if sig.kind != COMPOSE_MOUNT:
                continue
            bound = normpath(join(dirname(path), sig.detail))
            if bound.startswith("..") or ("/" not in bound and "." not in basename(bound)):
                continue
            (dev if dev_only_path(path) else other).add(bound)
    return frozenset(dev), frozenset(other)


def _dev_mounted(path: str, mounted: tuple[frozenset[str], frozenset[str]]) -> bool:
    """Whether `path` (or a folder of it) is bound only by dev-only compose files."""
    dev, other = mounted
    if not dev:
        return False
    ancestors = {path}
    folder = dirname(path)
    while folder:
        ancestors.add(folder)
        folder = dirname(folder)
    return bool(ancestors & dev) and not ancestors & other


def _generators(files: Mapping[str, FileFacts]) -> set[str]:
    """The folders (or files) that `//go:generate go run ./x` lines name, from the root."""
    out: set[str] = set()
    for path, f in files.items():
        if f.language != "go":
            continue
        for sig in f.signals:
            if sig.kind == GENERATOR:
                out.add(normpath(join(dirname(path), sig.detail)))
    return out


def _destination(
    call: OutboundCall,
    folder: str,
    consts: Mapping[str, set[str]],
    catalog: Catalog,
    spelled: Mapping[str, list[str]] | None = None,
) -> tuple[str, str, str] | None:
    host = call.host
    if not host and call.origin in ("constant", "setting", "field") and call.configured_by:
        # `X.config.api[:base]` / `X.config.api["base"]` is learnt as `X.config.api.base`.
        keyed = _KEYED.sub(r".\1", call.configured_by)
        # `Acme::NEWS_URL` (Ruby) is learnt as `NEWS_URL` in its module's file
        last = call.configured_by.rsplit(".", 1)[-1].rpartition("::")[2]
        # `settings.API["base"]` reads the settings module's top-level `API = {"base": …}`
        module = keyed.partition(".")[2] if keyed.startswith(_SETTINGS_MODULES) else keyed
        for key in dict.fromkeys((keyed, call.configured_by, last, module)):
            hosts = consts.get(key, set())
            if len(hosts) == 1:
                host = next(iter(hosts))
                break
    if host:
        if _LOCAL_HOST.match(host):
            return None
        entries = [e for e in catalog.by_host(host) if e.section == "services"]
        if entries:
            return entries[0].name, entries[0].category, host
        if folder:
            return (*_folder_service(folder, catalog, spelled), host)
        return host, HTTP_API, host
    # "field": a value's field whose default no struct literal sets, a destination unknown
    if call.origin == "relative" or (
        call.origin in ("unknown", "parameter", "field") and not folder
    ):
        return None
    if folder:  # the folder's code calls out, whoever hands it the URL
        return (*_folder_service(folder, catalog, spelled), "")
    if call.origin == "response":
        return _response_destination(call, catalog)
    if call.origin in ("user", "described"):
        named = _user_setting_service(call.configured_by, catalog, spelled)
        return named if named is not None else (USER_CONFIGURED, "webhooks", "")
    if call.origin == "constant" and _SCOPED.fullmatch(call.configured_by):
        return None  # another module's constant whose value no file showed: unknown
    if call.origin in ("env", "setting", "constant") and call.configured_by:
        return f"HTTP endpoint configured by {call.configured_by}", HTTP_API, ""
    return None


# A user's setting holding a server's address, named for that server (`settings.jellyfin_url`,
# `prefs.gitea_host`): the user points the app at their own instance of the service the
# setting names. A name of a role or of a kind of address says no service (`webhook_url`).
_USER_SETTING = re.compile(r"\A([a-z][a-z0-9]{2,30}+)_(?:url|uri|host|endpoint|server|address)\Z")
_SETTING_ROLES = frozenset(
    {"webhook", "callback", "redirect", "return", "base", "api", "server", "site", "home",
     "image", "avatar", "icon", "photo", "picture", "logo", "feed", "rss", "remote", "target",
     "custom", "public", "private", "proxy", "endpoint", "notification", "hook", "request",
     "source", "origin", "destination", "upstream", "backend", "service", "external", "app",
     "web", "website", "homepage", "blog", "profile", "page", "link", "download", "upload",
     "file", "media", "asset", "assets", "cdn", "static", "login", "logout", "auth", "oauth",
     "token", "issuer", "discovery", "metadata", "smtp", "mail", "email", "host", "instance",
     "default", "fallback", "primary", "secondary", "local", "internal", "tracking", "video",
     "audio", "stream", "preview", "thumbnail", "cover", "banner", "inbox", "outbox", "actor",
     "ping", "health", "status", "report", "push", "sync", "import", "export", "url", "uri",
     # the standard endpoints of a protocol, named by the document that lists them
     "jwks", "jwk", "keys", "certs", "openid", "oidc", "sso", "saml", "acs", "introspection",
     "userinfo", "authorization", "authorize", "revocation", "registration", "next", "prev"}
)  # fmt: skip


def _user_setting_service(
    configured_by: str, catalog: Catalog, spelled: Mapping[str, list[str]] | None
) -> tuple[str, str, str] | None:
    """The service a user setting's name says the URL is of, or None."""
    last = _KEYED.sub(r".\1", configured_by).rpartition(".")[2]
    m = _USER_SETTING.match(last)
    if m is None or m.group(1) in _SETTING_ROLES or not _service_stem(m.group(1)):
        return None
    return (*_folder_service(m.group(1), catalog, spelled), "")


def _payload_fields(files: Mapping[str, FileFacts]) -> set[tuple[str, str]]:
    """(package folder, field) of the Go payload structs' destination fields."""
    return {
        (dirname(p), s.name)
        for p, f in files.items()
        if f.language == "go"
        for s in f.signals
        if s.kind == PAYLOAD_FIELD
    }


def _decoded(path: str, f: FileFacts, call: OutboundCall, payload: set[tuple[str, str]]) -> bool:
    """Whether a Go call's URL is a field of a value a call returned (`a, err :=
    l.fetch(…)`, `a.URL`) that the package declares only as a decoded payload's field (a
    struct tagged `json:`/`xml:` and not for storage): the answer of the service the
    package talks to, not an address a user configured. Generic: it asks the package's own
    struct tags, never a name."""
    if f.language != "go" or not any(s.kind == RETURNED_FIELD for s in f.signals):
        return False
    if not any(
        s.kind == RETURNED_FIELD and s.line == call.line and s.name == call.configured_by
        for s in f.signals
    ):
        return False
    return (dirname(path), call.configured_by.rpartition(".")[2]) in payload


def _well_known(f: FileFacts, call: OutboundCall) -> tuple[str, str, str] | None:
    """A discovery request (`https://{domain}/.well-known/webfinger`) to the server a user
    names: a remote server of the same protocol, named by the resource asked."""
    for sig in f.signals:
        if sig.kind == WELL_KNOWN and sig.line == call.line:
            return f"Remote servers named by users (/.well-known/{sig.name})", HTTP_API, ""
    return None


def _response_destination(call: OutboundCall, catalog: Catalog) -> tuple[str, str, str] | None:
    """A URL read from what another request returned (`egress_response`): the service of
    the SDK package that returned it (a store's rows stay user data), else left out (an
    HTTP response's link says nothing of who chose it)."""
    if not call.configured_by:
        return None
    entries = [e for e in catalog.by_js_import(call.configured_by) if e.section == "services"]
    if not entries:
        return None
    if entries[0].category in ("datastore", "search"):
        return USER_CONFIGURED, "webhooks", ""
    return entries[0].name, entries[0].category, ""


def _smtp_destination(call: OutboundCall, catalog: Catalog) -> tuple[str, str, str]:
    """A mail handed to an SMTP server: the catalog's service for its host (a relay such as
    smtp.sendgrid.net), else "SMTP" with the host when it is written and not local."""
    host = "" if _LOCAL_HOST.match(call.host or "localhost") else call.host
    entries = [e for e in catalog.by_host(host) if e.section == "services"] if host else []
    if entries:
        return entries[0].name, entries[0].category, host
    return SMTP, "email", host


def _socket_destination(call: OutboundCall, catalog: Catalog) -> tuple[str, str, str] | None:
    """A StatsD client ("StatsD server") or a raw socket: the catalog's service for a
    written host, else the server named by what configures its address (a socket whose
    address nothing names says nothing of where it goes)."""
    host = "" if call.host and _LOCAL_HOST.match(call.host) else call.host
    entries = [e for e in catalog.by_host(host) if e.section == "services"] if host else []
    if entries:
        return entries[0].name, entries[0].category, host
    if call.kind == "statsd":
        return STATSD, "monitoring", host
    if host:
        return host, HTTP_API, host
    if call.origin in ("env", "setting", "constant", "user") and call.configured_by:
        return f"Server at {call.configured_by} (socket)", HTTP_API, ""
    return None


def _git_destination(call: OutboundCall, catalog: Catalog) -> tuple[str, str, str] | None:
    """A clone or fetch: the forge a written host names (github.com → GitHub), else the
    remotes the code is given (a setting, an env var, user data)."""
    if call.host and _LOCAL_HOST.match(call.host):
        return None
    entries = (
        [e for e in catalog.by_host(call.host) if e.section == "services"] if call.host else []
    )
    if entries:
        return entries[0].name, entries[0].category, call.host
    return GIT_REMOTES, "vcs", call.host


# Where a handed-over address comes from, for a family member's request (`egress_file_families`):
# not a setting or env var (those name themselves) nor the app's own relative path.
_HANDED = frozenset({"user", "unknown", "parameter", "field", "described"})


def _family_destination(
    call: OutboundCall, kin: str, catalog: Catalog, spelled: Mapping[str, list[str]]
) -> tuple[str, str, str] | None:
    """A request without a written host, in a file of a family (`widget-rss.go`), to an
    address the code is handed: the service the file's name after the prefix says."""
    if call.host or call.kind != "http" or call.origin not in _HANDED or not _service_stem(kin):
        return None
    words = re.split(r"[-_]+", kin.lower())
    if any(w not in _TRANSPORT_WORDS and _transport_only(w) for w in words):
        return None  # `host_httpclient.go`: the family's HTTP client, whoever it is told to call
    return (*_folder_service(kin, catalog, spelled), "")


def _transport_only(word: str) -> bool:
    """Whether a word is transport words run together (`httpclient`, `restapi`)."""
    for _ in range(4):
        if not word:
            return True
        cut = next((t for t in sorted(_TRANSPORT_WORDS, key=len) if word.startswith(t)), "")
        if not cut:
            return False
        word = word[len(cut) :]
    return not word


def _folder_service(
    stem: str, catalog: Catalog, spelled: Mapping[str, list[str]] | None = None
) -> tuple[str, str]:
    return folder_display(stem, sorted(set((spelled or {}).get(stem, ()))), catalog)


def merge_integrations(
    catalogued: tuple[Service, ...], found: tuple[Service, ...]
) -> tuple[Service, ...]:
    """The catalog's integrations with the calls' services merged in by name."""
    by_name = {s.name.casefold(): s for s in catalogued}
    for service in found:
        key = service.name.casefold()
        old = by_name.get(key)
        if old is None:
            by_name[key] = service
            continue
        evidence = tuple(dict.fromkeys((*service.evidence, *old.evidence)))[:EVIDENCE_CAP]
        by_name[key] = replace(
            old,
            strength="used",
            evidence=evidence,
            hosts=service.hosts,
            configured_by=service.configured_by,
            auth=service.auth,
            timeout=service.timeout,
        )
    return tuple(sorted(by_name.values(), key=lambda s: (s.name.casefold(), s.name)))


__all__ = ["USER_CONFIGURED", "egress_services", "merge_integrations", "service_folder_name"]
