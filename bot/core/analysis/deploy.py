"""Deployment files: Dockerfile, Compose, Procfile and platform configs.

Signals: ``deployment.<platform>`` (one per file, or per service/stage), entry points
(``entrypoint.http|worker|scheduler``), ``observability.health`` for health checks, and
``config.*`` for images, ports and add-ons that name datastores.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from bot.core.analysis.manifest_text import (
    FileExtractor,
    base,
    decode,
    find_line,
    parts,
    process_kind,
    url_scheme,
)
from bot.core.model import EnvRead, FileFacts, Signal

EMPTY = FileFacts(language="config")

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


def parse_dockerfile(data: bytes) -> FileFacts:
    signals: list[Signal] = []
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
        elif word == "HEALTHCHECK" and args.split()[:1] != ["NONE"]:
            check = _command_text(re.sub(r"^(--\S+\s+)*CMD\s+", "", args))
            signals.append(Signal("observability.health", "Docker HEALTHCHECK", number, check))
    if command:
        kind = process_kind("", command[1], "http" if exposed else None)
        if kind == "http" and not exposed:
            kind = None  # a server that exposes no port is not reachable from outside
        if kind:
            signals.append(Signal(f"entrypoint.{kind}", "Dockerfile", command[0], command[1]))
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


# --- YAML with line numbers ---------------------------------------------------------------------


def _compose_yaml(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _items(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) of a mapping, following ``<<`` merge keys."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value == "<<":
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in merged:
                yield from _items(item)
        elif isinstance(key, yaml.ScalarNode):
            yield str(key.value), key, value


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    for name, _, value in _items(node):
        if name == key:
            return value
    return None


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def _words(node: yaml.Node | None) -> str:
    if isinstance(node, yaml.SequenceNode):
        return " ".join(_scalar(n) for n in node.value)
    return _scalar(node)


# --- Compose ------------------------------------------------------------------------------------

_COMPOSE_FILE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")


def is_compose(path: str) -> bool:
    return bool(_COMPOSE_FILE.match(base(path)))


def parse_compose(data: bytes) -> FileFacts:
    root = _compose_yaml(decode(data))
    services = _get(root, "services")
    signals: list[Signal] = []
    env: list[EnvRead] = []
    for name, key, service in _items(services):
        image = _scalar(_get(service, "image"))
        build = _get(service, "build") is not None
        signals.append(Signal("deployment.compose", name, _line(key), image or "build"))
        if image:
            image_node = _get(service, "image")
            assert image_node is not None
            signals.append(Signal("config.compose.image", name, _line(image_node), image))
        depends = _get(service, "depends_on")
        targets = (
            [(_scalar(n), n) for n in depends.value]
            if isinstance(depends, yaml.SequenceNode)
            else [(k, kn) for k, kn, _ in _items(depends)]
        )
        for target, node in targets:
            signals.append(Signal("config.compose.depends_on", name, _line(node), target))
        check = _get(service, "healthcheck")
        if check is not None and _scalar(_get(check, "disable")).lower() != "true":
            test = _words(_get(check, "test"))
            test = re.sub(r"^(CMD-SHELL|CMD)\s+", "", test)
            signals.append(
                Signal("observability.health", f"compose healthcheck: {name}", _line(check), test)
            )
        env += _compose_env(_get(service, "environment"), name, signals)
        if build:
            command = _words(_get(service, "command")) or _words(_get(service, "entrypoint"))
            ports = _get(service, "ports") is not None
            kind = process_kind(name, command, "http" if ports else None)
            if kind:
                signals.append(Signal(f"entrypoint.{kind}", name, _line(key), command))
    return FileFacts(
        language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(set(signals)))
    )


def _compose_env(node: yaml.Node | None, service: str, signals: list[Signal]) -> list[EnvRead]:
    pairs: list[tuple[str, str, int]] = []
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            key, _, value = _scalar(item).partition("=")
            pairs.append((key.strip(), value.strip(), _line(item)))
    else:
        pairs = [(k, _scalar(v), _line(kn)) for k, kn, v in _items(node)]
    found = []
    for key, value, line in pairs:
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", key):
            found.append(EnvRead(key, line))
            scheme = url_scheme(value)
            if scheme:
                signals.append(Signal("config.url", key, line, scheme))
    return found


# --- Procfile -----------------------------------------------------------------------------------

_PROCESS = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.+)$")


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


# --- platforms ------------------------------------------------------------------------------------


def _presence(name: str, platform: str, label: str, match: Callable[[str], bool]) -> FileExtractor:
    """A platform whose config file's presence is the fact (its content adds nothing we use)."""

    def parse(data: bytes) -> FileFacts:
        return FileFacts(language="config", signals=(Signal(f"deployment.{platform}", label),))

    return FileExtractor(name, 1, match, parse)


def _is_clevercloud(path: str) -> bool:
    return "clevercloud" in parts(path)[:-1] and base(path).endswith(".json")


def parse_clevercloud(data: bytes) -> FileFacts:
    text = decode(data)
    signals = [Signal("deployment.clevercloud", "Clever Cloud")]
    try:
        doc: Any = json.loads(text)
    except ValueError:
        doc = {}
    deploy = doc.get("deploy") if isinstance(doc, dict) else None
    if isinstance(deploy, dict) and isinstance(deploy.get("module"), str):
        line = find_line(text.splitlines(), r'"module"\s*:')
        signals.append(Signal("entrypoint.http", "clevercloud", line, deploy["module"]))
    return FileFacts(language="config", signals=tuple(sorted(signals)))


_HEROKU_KEYS = ("buildpacks", "formation", "addons", "stack", "environments")


def parse_heroku_app_json(data: bytes) -> FileFacts:
    """Heroku's app.json; an app.json without Heroku keys (Expo's) says nothing."""
    text = decode(data)
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return EMPTY
    if not isinstance(doc, dict) or not any(k in doc for k in _HEROKU_KEYS):
        return EMPTY
    lines = text.splitlines()
    signals = [Signal("deployment.heroku", "Heroku app.json")]
    addons = doc.get("addons")
    for addon in addons if isinstance(addons, list) else []:
        plan = addon.get("plan") if isinstance(addon, dict) else addon
        if isinstance(plan, str):
            line = find_line(lines, re.escape(f'"{plan}'))
            signals.append(Signal("config.heroku.addon", plan, line, plan.split(":")[0]))
    env = doc.get("env")
    keys = list(env) if isinstance(env, dict) else []
    reads = [EnvRead(k, find_line(lines, re.escape(f'"{k}"')) or 1) for k in keys]
    return FileFacts(
        language="config", env=tuple(sorted(set(reads))), signals=tuple(sorted(set(signals)))
    )


def parse_heroku_yml(data: bytes) -> FileFacts:
    root = _compose_yaml(decode(data))
    signals = [Signal("deployment.heroku", "heroku.yml")]
    for name, key, value in _items(_get(root, "run")):
        command = (
            _scalar(value) or _scalar(_get(value, "command")) or _words(_get(value, "command"))
        )
        kind = process_kind(name, command, "worker")
        if kind:
            signals.append(Signal(f"entrypoint.{kind}", name, _line(key), command))
    for item in getattr(_get(_get(root, "setup"), "addons"), "value", []):
        plan = _scalar(_get(item, "plan"))
        if plan:
            signals.append(Signal("config.heroku.addon", plan, _line(item), plan.split(":")[0]))
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


def parse_fly_toml(data: bytes) -> FileFacts:
    text = decode(data)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return EMPTY
    lines = text.splitlines()
    signals = [Signal("deployment.fly", "fly.toml", None, str(doc.get("app", "")))]
    check = find_line(lines, r"^\s*\[\[?\s*(\w+\.)?(http_)?checks\b|^\s*\[checks")
    if check:
        signals.append(Signal("observability.health", "Fly.io health check", check))
    processes = doc.get("processes")
    if isinstance(processes, dict):
        for name, command in processes.items():
            kind = process_kind(name, str(command), "worker")
            if kind:
                line = find_line(lines, rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
                signals.append(Signal(f"entrypoint.{kind}", name, line, str(command)))
    elif "http_service" in doc or "services" in doc:
        line = find_line(lines, r"^\s*\[\[?(http_service|services)\b")
        signals.append(Signal("entrypoint.http", "fly", line))
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


_RENDER_KINDS = {"web": "http", "worker": "worker", "cron": "scheduler", "pserv": "http"}
_RENDER_STORES = {"redis": "redis", "keyvalue": "redis"}


def parse_render_yaml(data: bytes) -> FileFacts:
    root = _compose_yaml(decode(data))
    signals = [Signal("deployment.render", "render.yaml")]
    services = _get(root, "services")
    for service in getattr(services, "value", []):
        name = _scalar(_get(service, "name"))
        kind = _scalar(_get(service, "type"))
        if kind in _RENDER_KINDS:
            command = _scalar(_get(service, "startCommand"))
            signals.append(
                Signal(f"entrypoint.{_RENDER_KINDS[kind]}", name, _line(service), command)
            )
        elif kind in _RENDER_STORES:
            signals.append(Signal("config.render", name, _line(service), _RENDER_STORES[kind]))
        health = _get(service, "healthCheckPath")
        if health is not None:
            signals.append(
                Signal(
                    "observability.health",
                    f"Render health check: {name}",
                    _line(health),
                    _scalar(health),
                )
            )
    for database in getattr(_get(root, "databases"), "value", []):
        name = _scalar(_get(database, "name"))
        signals.append(Signal("config.render", name, _line(database), "postgresql"))
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


def parse_vercel_json(data: bytes) -> FileFacts:
    text = decode(data)
    signals = [Signal("deployment.vercel", "vercel.json")]
    try:
        doc: Any = json.loads(text)
    except ValueError:
        doc = {}
    crons = doc.get("crons") if isinstance(doc, dict) else None
    lines = text.splitlines()
    for cron in crons if isinstance(crons, list) else []:
        if isinstance(cron, dict) and isinstance(cron.get("path"), str):
            line = find_line(lines, re.escape(f'"{cron["path"]}"'))
            signals.append(
                Signal("entrypoint.scheduler", cron["path"], line, str(cron.get("schedule", "")))
            )
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


# --- Kubernetes and Helm ------------------------------------------------------------------

_K8S_DIRS = {
    "k8s",
    "kubernetes",
    "kube",
    ".k8s",
    "manifests",
    "deploy",
    "deployment",
    "deployments",
    "kustomize",
    "overlays",
    "helm",
    "charts",
    "templates",
    "base",
}
_KIND = re.compile(r"^kind:\s*([A-Za-z]+)\s*$")
_K8S_IMAGE = re.compile(r"""^\s*(?:-\s+)?image:\s*["']?([^\s"']+)""")
# Container env entries; upper-case only, so container and port names are not taken.
_K8S_ENV = re.compile(r"^\s*-\s+name:\s*[\"']?([A-Z][A-Z0-9_]*)[\"']?\s*$")
_PROBE = re.compile(r"^\s*(livenessProbe|readinessProbe|startupProbe):")


def is_kubernetes(path: str) -> bool:
    name = base(path)
    if not name.endswith((".yaml", ".yml")) or name == "Chart.yaml":
        return False
    return name.startswith("kustomization.") or bool(_K8S_DIRS & set(parts(path)[:-1]))


def parse_kubernetes(data: bytes) -> FileFacts:
    text = decode(data)
    if not re.search(r"^apiVersion:", text, re.MULTILINE):
        return EMPTY
    signals: list[Signal] = []
    env: list[EnvRead] = []
    for number, line in enumerate(text.splitlines(), 1):
        kind = _KIND.match(line)
        if kind:
            signals.append(Signal("deployment.kubernetes", kind.group(1), number))
        probe = _PROBE.match(line)
        if probe:
            signals.append(Signal("observability.health", f"Kubernetes {probe.group(1)}", number))
        image = _K8S_IMAGE.match(line)
        if image and "{{" not in image.group(1):
            signals.append(Signal("config.image", "kubernetes", number, image.group(1)))
        variable = _K8S_ENV.match(line)
        if variable:
            env.append(EnvRead(variable.group(1), number))
    return FileFacts(
        language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(set(signals)))
    )


def parse_chart_yaml(data: bytes) -> FileFacts:
    lines = decode(data).splitlines()
    line = find_line(lines, r"^name:")
    name = lines[line - 1].split(":", 1)[1].strip().strip("\"'") if line else ""
    return FileFacts(
        language="config", signals=(Signal("deployment.helm", "Chart.yaml", line, name),)
    )


def _file_named(*names: str) -> Callable[[str], bool]:
    return lambda p: base(p) in names


DEPLOY_EXTRACTORS = (
    FileExtractor("dockerfile", 1, is_dockerfile, parse_dockerfile),
    FileExtractor("compose", 1, is_compose, parse_compose),
    FileExtractor(
        "procfile",
        1,
        lambda p: base(p) == "Procfile" or base(p).startswith("Procfile."),
        parse_procfile,
    ),
    FileExtractor("clevercloud", 1, _is_clevercloud, parse_clevercloud),
    FileExtractor("heroku_app_json", 1, lambda p: p == "app.json", parse_heroku_app_json),
    FileExtractor("heroku_yml", 1, lambda p: base(p) == "heroku.yml", parse_heroku_yml),
    FileExtractor("fly_toml", 1, lambda p: base(p) == "fly.toml", parse_fly_toml),
    FileExtractor(
        "render_yaml", 1, lambda p: base(p) in ("render.yaml", "render.yml"), parse_render_yaml
    ),
    FileExtractor("vercel_json", 1, lambda p: base(p) == "vercel.json", parse_vercel_json),
    _presence("netlify_toml", "netlify", "netlify.toml", _file_named("netlify.toml")),
    _presence(
        "railway_json", "railway", "railway.json", _file_named("railway.json", "railway.toml")
    ),
    _presence(
        "serverless_yml",
        "serverless",
        "serverless.yml",
        _file_named("serverless.yml", "serverless.yaml"),
    ),
    _presence(
        "appengine_app_yaml", "appengine", "app.yaml", lambda p: p in ("app.yaml", "app.yml")
    ),
    _presence(
        "elasticbeanstalk",
        "elasticbeanstalk",
        "Elastic Beanstalk config",
        lambda p: p.startswith((".ebextensions/", ".elasticbeanstalk/")),
    ),
    FileExtractor("kubernetes", 1, is_kubernetes, parse_kubernetes),
    FileExtractor("helm_chart", 1, lambda p: base(p) == "Chart.yaml", parse_chart_yaml),
)
