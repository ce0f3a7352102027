"""Platform configs: Clever Cloud, Heroku, Fly.io, Render, Vercel, Netlify, Railway,
Serverless, App Engine, Elastic Beanstalk, Kubernetes manifests and Helm charts."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from typing import Any

from bot.core.analysis.claims import Claims, claims
from bot.core.analysis.manifest_text import (
    FileExtractor,
    base,
    decode,
    find_line,
    parts,
    process_kind,
)
from bot.core.analysis.yaml_nodes import compose_yaml, get, items, line_of, scalar, sequence, words
from bot.core.lazy_pattern import lazy
from bot.core.model import EnvRead, FileFacts, Signal

EMPTY = FileFacts(language="config")

# --- platforms ------------------------------------------------------------------------------------


def _presence(
    name: str, platform: str, label: str, match: Callable[[str], bool], where: Claims
) -> FileExtractor:
    """A platform whose config file's presence is the fact (its content adds nothing we use)."""

    def parse(data: bytes) -> FileFacts:
        return FileFacts(language="config", signals=(Signal(f"deployment.{platform}", label),))

    return FileExtractor(name, 1, match, parse, where)


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
    root = compose_yaml(decode(data))
    signals = [Signal("deployment.heroku", "heroku.yml")]
    for name, key, value in items(get(root, "run")):
        command = scalar(value) or scalar(get(value, "command")) or words(get(value, "command"))
        kind = process_kind(name, command, "worker")
        if kind:
            signals.append(Signal(f"entrypoint.{kind}", name, line_of(key), command))
    for item in sequence(get(get(root, "setup"), "addons")):
        plan = scalar(get(item, "plan"))
        if plan:
            signals.append(Signal("config.heroku.addon", plan, line_of(item), plan.split(":")[0]))
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
    env: list[EnvRead] = []
    if isinstance(doc.get("env"), dict):
        start = (find_line(lines, r"^\s*\[env\]") or 1) - 1
        for key in doc["env"]:
            line = find_line(lines, rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", start)
            env.append(EnvRead(key, line or 1))
    return FileFacts(
        language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(set(signals)))
    )


_RENDER_KINDS = {"web": "http", "worker": "worker", "cron": "scheduler", "pserv": "http"}
_RENDER_STORES = {"redis": "redis", "keyvalue": "redis"}


def parse_render_yaml(data: bytes) -> FileFacts:
    root = compose_yaml(decode(data))
    signals = [Signal("deployment.render", "render.yaml")]
    env: list[EnvRead] = []
    services = get(root, "services")
    for service in sequence(services):
        name = scalar(get(service, "name"))
        kind = scalar(get(service, "type"))
        if kind in _RENDER_KINDS:
            command = scalar(get(service, "startCommand"))
            signals.append(
                Signal(f"entrypoint.{_RENDER_KINDS[kind]}", name, line_of(service), command)
            )
        elif kind in _RENDER_STORES:
            signals.append(Signal("config.render", name, line_of(service), _RENDER_STORES[kind]))
        for variable in sequence(get(service, "envVars")):
            key = get(variable, "key")
            if key is not None and scalar(key):
                env.append(EnvRead(scalar(key), line_of(key)))
        health = get(service, "healthCheckPath")
        if health is not None:
            signals.append(
                Signal(
                    "observability.health",
                    f"Render health check: {name}",
                    line_of(health),
                    scalar(health),
                )
            )
    for database in sequence(get(root, "databases")):
        name = scalar(get(database, "name"))
        signals.append(Signal("config.render", name, line_of(database), "postgresql"))
    return FileFacts(
        language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(set(signals)))
    )


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
_KIND = lazy(r"^kind:\s*([A-Za-z]+)\s*$")
_K8S_IMAGE = lazy(r"""^\s*(?:-\s+)?image:\s*["']?([^\s"']+)""")
# Container env entries; upper-case only, so container and port names are not taken.
_K8S_ENV = lazy(r"^\s*-\s+name:\s*[\"']?([A-Z][A-Z0-9_]*)[\"']?\s*$")
_PROBE = lazy(r"^\s*(livenessProbe|readinessProbe|startupProbe):")


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


def _file_named(*names: str) -> tuple[Callable[[str], bool], Claims]:
    return (lambda p: base(p) in names), claims(names=names)


def _named(name: str, parse: Callable[[bytes], FileFacts], *names: str) -> FileExtractor:
    match, where = _file_named(*names)
    return FileExtractor(name, 1, match, parse, where)


PLATFORM_EXTRACTORS = (
    FileExtractor(
        "clevercloud", 1, _is_clevercloud, parse_clevercloud, claims(extensions=("json",))
    ),
    FileExtractor(
        "heroku_app_json",
        1,
        lambda p: p == "app.json",
        parse_heroku_app_json,
        claims(names=("app.json",)),
    ),
    _named("heroku_yml", parse_heroku_yml, "heroku.yml"),
    _named("fly_toml", parse_fly_toml, "fly.toml"),
    _named("render_yaml", parse_render_yaml, "render.yaml", "render.yml"),
    _named("vercel_json", parse_vercel_json, "vercel.json"),
    _presence("netlify_toml", "netlify", "netlify.toml", *_file_named("netlify.toml")),
    _presence(
        "railway_json", "railway", "railway.json", *_file_named("railway.json", "railway.toml")
    ),
    _presence(
        "serverless_yml",
        "serverless",
        "serverless.yml",
        *_file_named("serverless.yml", "serverless.yaml"),
    ),
    _presence(
        "appengine_app_yaml",
        "appengine",
        "app.yaml",
        lambda p: p in ("app.yaml", "app.yml"),
        claims(names=("app.yaml", "app.yml")),
    ),
    _presence(
        "elasticbeanstalk",
        "elasticbeanstalk",
        "Elastic Beanstalk config",
        lambda p: p.startswith((".ebextensions/", ".elasticbeanstalk/")),
        claims(path_prefixes=(".ebextensions/", ".elasticbeanstalk/")),
    ),
    FileExtractor(
        "kubernetes", 1, is_kubernetes, parse_kubernetes, claims(extensions=("yaml", "yml"))
    ),
    FileExtractor(
        "helm_chart",
        1,
        lambda p: base(p) == "Chart.yaml",
        parse_chart_yaml,
        claims(names=("Chart.yaml",)),
    ),
)
