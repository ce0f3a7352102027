"""Configuration files: Python settings modules, `.env` examples, Rails config, Prisma schemas.

These emit `configured` evidence: `config.*` signals whose `detail` is a value the catalog
knows (a Django ENGINE, a Rails adapter, a URL scheme — never a whole URL, which may hold a
password) and `EnvRead`s for the variable names a deployment must set.
"""

from __future__ import annotations

import ast
import re

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import (
    ENV_REF,
    FileExtractor,
    base,
    decode,
    parts,
    url_scheme,
)
from bot.core.lazy_pattern import lazy
from bot.core.model import EnvRead, FileFacts, Signal

_UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")
_URL_IN_TEXT = lazy(r"""(?<![\w+.-])([a-z][a-z0-9+.-]*)://""")
# Settings whose string value names an implementation the catalog may know.
_ENGINE_KEYS = ("ENGINE", "BACKEND")
_BACKEND_SETTING = re.compile(r"(_BACKEND|_STORAGE|_ENGINE|_ADAPTER)$")
# A settings dict's key naming the class a library instantiates (huey's `"huey_class":
# "huey.SqliteHuey"`): its value, a dotted path, names the implementation too.
_CLASS_KEY = re.compile(r"(?:\A|_)(?i:class)\Z")

# --- Python settings modules (Django settings, Flask config) -----------------------------


def is_python_settings(path: str) -> bool:
    name = base(path)
    if not name.endswith(".py"):
        return False
    dirs = parts(path)[:-1]
    return (
        name in ("settings.py", "config.py")
        or name.endswith("_settings.py")
        or (bool(dirs) and dirs[-1] == "settings")
    )


def parse_python_settings(data: bytes) -> FileFacts:
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return FileFacts(language="config")
    signals: list[Signal] = []
    for node in _statements(tree.body):
        for name, value in _assignments(node):
            signals.append(Signal("config.setting", name, node.lineno))
            signals += _setting_signals(name, value)
        for name, value in _added(node):
            signals += _setting_signals(name, value)
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


def _statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Module-level statements, including those under `if`/`try`/`with` and in classes
    (settings are often set conditionally, and Flask configs are classes)."""
    found: list[ast.stmt] = []
    for node in body:
        found.append(node)
        if isinstance(node, ast.If):
            found += _statements(node.body) + _statements(node.orelse)
        elif isinstance(node, ast.Try):
            blocks = [node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)]
            for block in blocks:
                found += _statements(block)
        elif isinstance(node, ast.With | ast.ClassDef):
            found += _statements(node.body)
    return found


_ADDING = frozenset({"insert", "append", "extend"})


def _added(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    """`AUTHENTICATION_BACKENDS.insert(0, "…")`, `.append("…")`, `.extend([…])`: entries
    added to a list setting in place, as a list of what is added."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return []
    func = node.value.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr in _ADDING
        and isinstance(func.value, ast.Name)
        and _UPPER.match(func.value.id)
    ):
        return []
    args = node.value.args
    if func.attr == "extend":
        return [(func.value.id, args[0])] if len(args) == 1 else []
    item = args[-1] if len(args) == (2 if func.attr == "insert" else 1) else None
    return [(func.value.id, ast.List([item]))] if item is not None else []


def _assignments(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.Assign):
        found = [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
        # STORAGES["default"]["BACKEND"] = "…": a dict entry set by item, named by its root.
        for target in node.targets:
            if isinstance(target, ast.Subscript) and _subscript_key(target) in _ENGINE_KEYS:
                root: ast.expr = target
                while isinstance(root, ast.Subscript):
                    root = root.value
                if isinstance(root, ast.Name):
                    found.append(
                        (root.id, ast.Dict([ast.Constant(_subscript_key(target))], [node.value]))
                    )
        return [(name, value) for name, value in found if _UPPER.match(name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return [(node.target.id, node.value)] if _UPPER.match(node.target.id) else []
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        return [(node.target.id, node.value)] if _UPPER.match(node.target.id) else []
    return []


def _subscript_key(node: ast.Subscript) -> str:
    key = node.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""


def _dotted(value: str) -> bool:
    """Whether `value` is a dotted path (`pkg.mod.Class`), by a split, not a pattern."""
    parts = value.split(".", 10)
    return len(value) <= 300 and len(parts) > 1 and all(p.isidentifier() for p in parts)


def _setting_signals(name: str, value: ast.expr) -> list[Signal]:
    found: list[Signal] = []
    if (
        _BACKEND_SETTING.search(name)
        and isinstance(value, ast.Constant)
        and isinstance(value.value, str)
    ):
        found.append(Signal("config.django", name, value.lineno, value.value))
    if name.endswith("_BACKENDS") and isinstance(value, ast.List | ast.Tuple):
        # AUTHENTICATION_BACKENDS: each entry a class path (`social_core.backends.github.
        # GithubOAuth2` names GitHub's OAuth), on its own line.
        for item in value.elts:
            if isinstance(item, ast.Constant) and isinstance(item.value, str):
                found.append(Signal("config.django", name, item.lineno, item.value))
    for node in ast.walk(value):
        if isinstance(node, ast.Dict):
            for key, item in zip(node.keys, node.values, strict=True):
                if not (
                    isinstance(key, ast.Constant)
                    and isinstance(key.value, str)
                    and isinstance(item, ast.Constant)
                    and isinstance(item.value, str)
                ):
                    continue
                if key.value in _ENGINE_KEYS or (
                    _CLASS_KEY.search(key.value) and _dotted(item.value)
                ):
                    found.append(Signal("config.django", name, item.lineno, item.value))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            scheme = url_scheme(node.value)
            if scheme:
                found.append(Signal("config.url", name, node.lineno, scheme))
    return found


# --- .env examples --------------------------------------------------------------------------

_ENV_FILE = re.compile(r"^(\.env(\.[\w.-]+)?|[\w.-]+\.env|env\.(example|sample|template|dist))$")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$")


def is_env_file(path: str) -> bool:
    name = base(path)
    # A test environment's variables are not the deployment's.
    return bool(_ENV_FILE.match(name)) and "test" not in name.lower() and name != ".envrc"


def parse_env_file(data: bytes) -> FileFacts:
    env: list[EnvRead] = []
    signals: list[Signal] = []
    for number, line in enumerate(decode(data).splitlines(), 1):
        match = _ENV_LINE.match(line)
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        value = re.sub(r"\s+#.*$", "", value).strip().strip("\"'")
        env.append(EnvRead(key, number))
        scheme = url_scheme(value)
        if scheme:
            signals.append(Signal("config.url", key, number, scheme))
        if key == "CC_HEALTH_CHECK_PATH" and value:
            signals.append(
                Signal("observability.health", "Clever Cloud health check", number, value)
            )
    return FileFacts(language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(signals)))


# --- Rails YAML config (line scan: these files are ERB templates, not always valid YAML) ----

_TOP_KEY = lazy(r"^([A-Za-z_][\w-]*)\s*:")


def _rails_yaml(kind: str, value_key: str) -> FileExtractor:
    value_rx = re.compile(rf"^\s+{value_key}\s*:\s*[\"':]?([A-Za-z][\w-]*)")

    def parse(data: bytes) -> FileFacts:
        signals: list[Signal] = []
        env: list[EnvRead] = []
        section = ""
        for number, line in enumerate(decode(data).splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            top = _TOP_KEY.match(line)
            if top:
                section = top.group(1)
            if section == "test":
                continue  # the test environment's adapter is not the app's
            match = value_rx.match(line)
            if match:
                signals.append(Signal(kind, section, number, match.group(1)))
            env += [EnvRead(name, number) for name in ENV_REF.findall(line)]
            signals += [
                Signal("config.url", section, number, s.lower()) for s in _URL_IN_TEXT.findall(line)
            ]
        return FileFacts(
            language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(set(signals)))
        )

    file = kind.rsplit(".", 1)[-1]
    return FileExtractor(
        f"rails_{file}",
        1,
        lambda p: p == f"config/{file}.yml" or p.endswith(f"/config/{file}.yml"),
        parse,
        claims(names=(f"{file}.yml",)),
    )


def parse_sidekiq_yml(data: bytes) -> FileFacts:
    return FileFacts(
        language="config", signals=(Signal("config.sidekiq", "sidekiq", None, "sidekiq"),)
    )


def _is_sidekiq_yml(path: str) -> bool:
    return path in ("config/sidekiq.yml", "sidekiq.yml") or path.endswith("/config/sidekiq.yml")


# --- Rails environment Ruby config ------------------------------------------------------------

_RAILS_SETTING = lazy(
    r"config\.(active_job\.queue_adapter|cache_store|action_mailer\.delivery_method|"
    r"action_cable\.adapter|session_store)\s*=\s*:(\w+)"
)


def is_rails_config(path: str) -> bool:
    tail = path.split("config/", 1)[-1] if "config/" in path else ""
    if not (path.startswith("config/") or "/config/" in path):
        return False
    if tail == "application.rb":
        return True
    # test.rb configures the test environment only.
    return (
        tail.startswith("environments/") and tail.endswith(".rb") and tail != "environments/test.rb"
    )


def parse_rails_config(data: bytes) -> FileFacts:
    signals = []
    for number, line in enumerate(decode(data).splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        for setting, value in _RAILS_SETTING.findall(line):
            signals.append(Signal("config.rails", setting, number, value))
    return FileFacts(language="config", signals=tuple(sorted(set(signals))))


# --- Prisma schema ---------------------------------------------------------------------------

_DATASOURCE = lazy(r"^\s*datasource\s+(\w+)\s*\{")
_PROVIDER = lazy(r"""^\s*provider\s*=\s*["']([\w-]+)["']""")
_PRISMA_ENV = lazy(r"""env\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\)""")


def parse_prisma(data: bytes) -> FileFacts:
    signals: list[Signal] = []
    env: list[EnvRead] = []
    block = ""
    for number, line in enumerate(decode(data).splitlines(), 1):
        start = _DATASOURCE.match(line)
        if start:
            block = start.group(1)
            continue
        if re.match(r"^\s*(generator|model|enum|view|type)\b", line):
            block = ""
        if not block:
            continue
        provider = _PROVIDER.match(line)
        if provider:
            signals.append(Signal("config.prisma", block, number, provider.group(1)))
        env += [EnvRead(name, number) for name in _PRISMA_ENV.findall(line)]
    return FileFacts(
        language="config", env=tuple(sorted(set(env))), signals=tuple(sorted(set(signals)))
    )


CONFIG_EXTRACTORS = (
    FileExtractor(
        "python_settings", 5, is_python_settings, parse_python_settings, claims(extensions=("py",))
    ),
    FileExtractor(
        "env_file",
        1,
        is_env_file,
        parse_env_file,
        claims(
            names=("env.example", "env.sample", "env.template", "env.dist"),
            extensions=("env",),
            prefixes=(".env",),
        ),
    ),
    _rails_yaml("config.rails.database", "adapter"),
    _rails_yaml("config.rails.cable", "adapter"),
    FileExtractor(
        "rails_sidekiq", 1, _is_sidekiq_yml, parse_sidekiq_yml, claims(names=("sidekiq.yml",))
    ),
    FileExtractor(
        "prisma", 1, lambda p: p.endswith(".prisma"), parse_prisma, claims(extensions=("prisma",))
    ),
)
