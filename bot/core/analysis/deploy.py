"""Container and process deployment files: Dockerfile, Compose, Procfile, Caddyfile.

Signals: ``deployment.<platform>`` (per base image, service or process), entry points
(``entrypoint.http|worker|scheduler``), ``observability.health`` for health checks, and
``config.*`` for images and ports that name datastores. A Caddy server built in a Dockerfile
(`xcaddy build --with <go module>`) declares each module it compiles in as a Go dependency
(a DNS provider for ACME challenges, `caddy-dns/<provider>`); a Caddyfile that sets an ACME
issuer (`acme_ca`, `acme_dns`, `acme_eab`, `tls <email>`) orders certificates from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from posixpath import normpath
from typing import TYPE_CHECKING

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, base, decode, process_kind, url_scheme
from bot.core.analysis.schedules_compose import compose_schedules
from bot.core.analysis.yaml_nodes import (
    compose_yaml,
    get,
    items,
    line_of,
    scalar,
    sequence,
    words,
)
from bot.core.lazy_pattern import lazy
from bot.core.model import Dependency, EnvRead, FileFacts, Signal

if TYPE_CHECKING:
    import yaml

COMPOSE_MOUNT = "config.compose.mount"  # detail: a repository path bound into an image

# --- Dockerfile --------------------------------------------------------------------------------


def is_dockerfile(path: str) -> bool:
    name = base(path)
    lower = name.lower()
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith("Dockerfile.")
        or lower.endswith((".dockerfile", ".containerfile"))
    )


def _instructions(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, INSTRUCTION, arguments) with backslash continuations joined."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        while line.rstrip().endswith("\\") and index < len(lines):
            nxt = lines[index]
            index += 1
            if nxt.lstrip().startswith("#"):
                continue
            line = line.rstrip()[:-1] + " " + nxt.strip()
        word, _, rest = line.strip().partition(" ")
        yield number, word.upper(), rest.strip()


def _command_text(args: str) -> str:
    if args.startswith("["):
        try:
            value = json.loads(args)
        except ValueError:
            return args
        if isinstance(value, list):
            return " ".join(str(v) for v in value)
    return args


# `xcaddy build v2.8 --with github.com/caddy-dns/cloudflare@v0.2.1 --with ./local`: the
# modules compiled into the server (a module path has a host with a dot first).
_XCADDY_WITH = lazy(
    r"--with[ \t=]++([a-z0-9][a-z0-9-]{0,62}+(?:\.[a-z0-9-]{1,63}+){1,5}+/[\w./~-]{1,200}+)"
)
MAX_MODULES = 50
_XCADDY = lazy(r"(?:^|[\s;&|/(])xcaddy[ \t]++build\b")


def _built_modules(args: str, line: int) -> list[Dependency]:
    if "xcaddy" not in args or "--with" not in args:
        return []
    run = _XCADDY.search(args[:20_000])
    if run is None:
        return []
    found = [
        m.group(1).rstrip("/")
        for m in _XCADDY_WITH.finditer(args[: run.start() + 20_000], run.end())
    ]
    return [Dependency("go", module, line) for module in found[:MAX_MODULES]]


def parse_dockerfile(data: bytes) -> FileFacts:
    signals: list[Signal] = []
    env: list[EnvRead] = []
    built: list[Dependency] = []
    stages: set[str] = set()
    exposed = False
    command: tuple[int, str] | None = None
    for number, word, args in _instructions(decode(data)):
        if word == "FROM":
            tokens = [t for t in args.split() if not t.startswith("--")]
            if not tokens:
                continue
            image = tokens[0]
            if len(tokens) >= 3 and tokens[1].lower() == "as":
                stages.add(tokens[2].lower())
            if image.lower() != "scratch" and image.lower() not in stages:
                signals.append(Signal("deployment.docker", "Dockerfile", number, image))
        elif word == "EXPOSE":
            exposed = True
            signals.append(Signal("config.docker.expose", "EXPOSE", number, args))
        elif word in ("CMD", "ENTRYPOINT"):
            command = (number, _command_text(args))
        elif word == "ENV":
            for key, value in _env_pairs(args):
                env.append(EnvRead(key, number))
                if url_scheme(value):
                    signals.append(Signal("config.url", key, number, url_scheme(value)))
                signals.extend(backend_choice(key, value, number))
        elif word == "RUN":
            built.extend(_built_modules(args, number))
        elif word == "HEALTHCHECK" and args.split()[:1] != ["NONE"]:
            check = _command_text(re.sub(r"^(--\S+\s+)*CMD\s+", "", args))
            signals.append(Signal("observability.health", "Docker HEALTHCHECK", number, check))
    if command:
        kind = process_kind("", command[1], "http" if exposed else None)
        if kind == "http" and not exposed:
            kind = None  # a server that exposes no port is not reachable from outside
        if kind:
            signals.append(Signal(f"entrypoint.{kind}", "Dockerfile", command[0], command[1]))
    return FileFacts(
        language="config",
        env=tuple(sorted(set(env))),
        signals=tuple(sorted(set(signals))),
        dependencies=tuple(sorted(set(built))),
    )


# --- Caddyfile ----------------------------------------------------------------------------------

ACME = "caddy:acme"  # the catalog's `config` value of the ACME certificate authority
# An issuer option or directive first on its line; `tls` only with an e-mail (an account).
# (Read at the start of a stripped line: led by its literal, the scan stays linear.)
_ACME_LINE = lazy(r"(?:acme_ca|acme_dns|acme_eab)\b|tls[ \t]++[^\s{}#@]{1,200}+@")


def parse_caddyfile(data: bytes) -> FileFacts:
    for number, line in enumerate(decode(data).splitlines()[:20_000], 1):
        if _ACME_LINE.match(line[:2_000].lstrip()) is not None:
            signal = Signal("config.tls", "ACME issuer", number, ACME)
            return FileFacts(language="config", signals=(signal,))
    return FileFacts(language="config")


def is_caddyfile(path: str) -> bool:
    name = base(path)
    return name == "Caddyfile" or name.startswith("Caddyfile.") or name.endswith(".caddyfile")


# An environment variable that picks a backend class or module for the app
# (`DJANGO_DB_ENGINE=django.db.backends.sqlite3`, `CACHE_BACKEND=django_redis.cache.X`):
# the catalog's `config` values name the service; a dotted module path only, so a host
# name (`redis.internal`) or a bare word is never read as one.
_BACKEND_KEY = lazy(r"(?i)ENGINE|BACKEND|DRIVER|ADAPTER|STORAGE")
_MODULE_PATH = lazy(r"[A-Za-z_]\w{0,60}+(?:\.[A-Za-z_]\w{0,60}+){1,10}+")
BACKEND = "config.env.backend"


def backend_choice(key: str, value: str, line: int) -> list[Signal]:
    """A `config.env.backend` signal when `key` names a backend and `value` is a module path."""
    if len(value) > 300 or not _BACKEND_KEY.search(key) or not _MODULE_PATH.fullmatch(value):
        return []
    return [Signal(BACKEND, key, line, value)]


# A name starts where no name character precedes it: a long word is scanned once, not
# once from each of its letters.
_ENV_PAIR = re.compile(r"""(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*+)=("[^"]*+"|'[^']*+'|\S*)""")


def _env_pairs(args: str) -> list[tuple[str, str]]:
    """``ENV A=1 B="x y"`` or the legacy ``ENV A 1`` form."""
    if not args.strip():
        return []
    if "=" not in args.split(None, 1)[0]:
        key, _, value = args.partition(" ")
        return [(key, value.strip())] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else []
    return [(k, v.strip("\"'")) for k, v in _ENV_PAIR.findall(args)]


# --- Compose ------------------------------------------------------------------------------------

_COMPOSE_FILE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")


def is_compose(path: str) -> bool:
    return bool(_COMPOSE_FILE.match(base(path)))


def parse_compose(data: bytes) -> FileFacts:
    root = compose_yaml(decode(data))
    services = get(root, "services")
    signals: list[Signal] = []
    env: list[EnvRead] = []
    for name, key, service in items(services):
        image = scalar(get(service, "image"))
        built = get(service, "build")
        build = built is not None
        if built is not None:
            # What the service runs is built from: two services with one command run one
            # program only when they are built from the same context (`processes`).
            node = built
            context = scalar(node) or scalar(get(node, "context")) or "."
            dockerfile = scalar(get(node, "dockerfile"))
            made = f"{context}|{dockerfile}"[:300]
            signals.append(Signal("build.compose", name, line_of(node), made))
        signals.append(Signal("deployment.compose", name, line_of(key), image or "build"))
        if image:
            image_node = get(service, "image")
            assert image_node is not None
            signals.append(Signal("config.compose.image", name, line_of(image_node), image))
        depends = get(service, "depends_on")
        listed = sequence(depends)  # `depends_on` is a list or a mapping
        targets = (
            [(scalar(n), n) for n in listed] if listed else [(k, kn) for k, kn, _ in items(depends)]
        )
        for target, node in targets:
            signals.append(Signal("config.compose.depends_on", name, line_of(node), target))
        check = get(service, "healthcheck")
        if check is not None and scalar(get(check, "disable")).lower() != "true":
            test = words(get(check, "test"))
            test = re.sub(r"^(CMD-SHELL|CMD)\s+", "", test)
            signals.append(
                Signal("observability.health", f"compose healthcheck: {name}", line_of(check), test)
            )
        env += _compose_env(get(service, "environment"), name, signals)
        if not build:
            signals += _image_mounts(get(service, "volumes"), name)
        if build:
            command = words(get(service, "command")) or words(get(service, "entrypoint"))
            ports = get(service, "ports") is not None
            kind = process_kind(name, command, "http" if ports else None)
            if kind:
                signals.append(Signal(f"entrypoint.{kind}", name, line_of(key), command))
    return FileFacts(
        language="config",
        env=tuple(sorted(set(env))),
        signals=tuple(sorted(set(signals))),
        schedules=compose_schedules(services),
    )


# A bind mount's host side, from the compose file's folder: `./scripts/x.py:/etc/init/x.py`.
_BIND = re.compile(r"\./([\w.-][\w./-]{0,200})(?::|$)")
MAX_MOUNTS = 40


def _image_mounts(node: yaml.Node | None, service: str) -> list[Signal]:
    """The repository paths bound into a service run from another's image (an emulator or
    a database given the repository's init scripts): code that runs there, not in the app."""
    out = []
    for item in sequence(node)[:MAX_MOUNTS]:
        bound = _BIND.match(scalar(item) or scalar(get(item, "source")))
        if bound:
            path = normpath(bound.group(1))
            out.append(Signal(COMPOSE_MOUNT, service, line_of(item), path))
    return out


def _compose_env(node: yaml.Node | None, service: str, signals: list[Signal]) -> list[EnvRead]:
    pairs: list[tuple[str, str, int]] = []
    listed = sequence(node)  # `environment` is a list of KEY=value or a mapping
    if listed:
        for item in listed:
            key, _, value = scalar(item).partition("=")
            pairs.append((key.strip(), value.strip(), line_of(item)))
    else:
        pairs = [(k, scalar(v), line_of(kn)) for k, kn, v in items(node)]
    found = []
    for key, value, line in pairs:
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            found.append(EnvRead(key, line))
            scheme = url_scheme(value)
            if scheme:
                signals.append(Signal("config.url", key, line, scheme))
            signals.extend(backend_choice(key, value, line))
    return found


# --- Procfile -----------------------------------------------------------------------------------

_PROCESS = lazy(r"^([A-Za-z0-9_-]+)\s*:\s*(.+)$")


def parse_procfile(data: bytes) -> FileFacts:
    signals: list[Signal] = []
    for number, line in enumerate(decode(data).splitlines(), 1):
        match = _PROCESS.match(line.strip())
        if not match or line.lstrip().startswith("#"):
            continue
        name, command = match.group(1), match.group(2).strip()
        signals.append(Signal("deployment.procfile", name, number, command))
        kind = process_kind(name, command, "worker")
        if kind:
            signals.append(Signal(f"entrypoint.{kind}", name, number, command))
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


DEPLOY_EXTRACTORS = (
    FileExtractor(
        "dockerfile",
        3,  # 2: an ENV value that picks a backend module (`backend_choice`); 3: modules
        # `xcaddy build --with` compiles in (`_built_modules`)
        is_dockerfile,
        parse_dockerfile,
        claims(
            names=("Dockerfile", "Containerfile"),
            extensions=("dockerfile", "containerfile"),
            prefixes=("Dockerfile.",),
        ),
    ),
    FileExtractor(
        "compose",
        6,  # 3: services that loop with a sleep, ofelia job labels (schedules); 4: an
        # environment value that picks a backend module (`backend_choice`); 5: a loop on a
        # test of an environment variable, `sleep infinity` paces nothing; 6: repository
        # paths bound into an image's service (`COMPOSE_MOUNT`)
        is_compose,
        parse_compose,
        claims(prefixes=("compose", "docker-compose")),
    ),
    FileExtractor(
        "procfile",
        1,
        lambda p: base(p) == "Procfile" or base(p).startswith("Procfile."),
        parse_procfile,
        claims(names=("Procfile",), prefixes=("Procfile.",)),
    ),
    FileExtractor(
        "caddyfile",
        1,
        is_caddyfile,
        parse_caddyfile,
        claims(names=("Caddyfile",), prefixes=("Caddyfile.",), extensions=("caddyfile",)),
    ),
)
