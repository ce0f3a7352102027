"""Python manifests: requirements files, pyproject.toml, Pipfile, setup.py, setup.cfg.

Every extractor returns what the file declares, with the line of each declaration.
Whether a requirements file is a dev/test one is a fact of its *path*, decided in
aggregation (`services.dev_only_path`), never here: facts depend on bytes alone.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterable, Iterator
from typing import Any

from bot.core.analysis.catalog import normalize_pypi
from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import (
    FileExtractor,
    base,
    decode,
    find_line,
    find_line_start,
    find_quoted,
    find_text,
    parts,
)
from bot.core.lazy_pattern import lazy
from bot.core.model import Dependency, FileFacts, Signal

# PEP 508: the name, optional extras, then anything (specifiers, markers, `@ url`).
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")
_EGG = lazy(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_SECTION = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*$")

EMPTY = FileFacts(language="manifest")


def requirement_name(spec: str) -> str:
    """The normalised distribution name of a PEP 508 string, or "" for URLs/paths/options."""
    match = _REQ_NAME.match(spec)
    if not match or spec.lstrip().startswith(("-", ".", "/", "http:", "https:", "git+")):
        egg = _EGG.search(spec)
        return normalize_pypi(egg.group(1)) if egg else ""
    return normalize_pypi(match.group(1))


# --- requirements*.txt ------------------------------------------------------------------


def is_requirements(path: str) -> bool:
    name = base(path).lower()
    if name.endswith((".txt", ".in")) and ("requirements" in name or "constraints" in name):
        return "constraints" not in name  # pins of transitive packages declare nothing
    dirs = parts(path)[:-1]
    return bool(dirs) and dirs[-1].lower() == "requirements" and name.endswith((".txt", ".in"))


def parse_requirements(data: bytes) -> FileFacts:
    deps: list[Dependency] = []
    lines = decode(data).splitlines()
    index = 0
    while index < len(lines):
        start = index
        text = lines[index]
        while text.rstrip().endswith("\\") and index + 1 < len(lines):
            index += 1
            text = text.rstrip()[:-1] + " " + lines[index]
        index += 1
        text = re.sub(r"(^|\s)#(?!egg=).*$", "", text).strip()
        if not text:
            continue
        if text.startswith(("-e ", "--editable")):
            text = text.split(None, 1)[1] if " " in text else ""
        elif text.startswith("-"):
            continue  # -r, -c, --index-url, --hash…: options, not packages
        name = requirement_name(text)
        if name:
            deps.append(Dependency("pypi", name, start + 1))
    return FileFacts(language="manifest", dependencies=tuple(sorted(set(deps))))


# --- pyproject.toml ---------------------------------------------------------------------


def _section_start(lines: list[str], header: str) -> int | None:
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if match and match.group(1).replace('"', "").replace("'", "") == header:
            return index
    return None


def _quoted_line(lines: list[str], start: int | None, key: str | None, spec: str) -> int | None:
    """Line of a quoted requirement string after a section header (and key, when given)."""
    if start is None:
        return None
    begin = start
    if key is not None:
        key_line = find_line(lines, rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", start)
        begin = key_line - 1 if key_line else start
    return find_quoted(lines, spec.strip(), begin) or find_text(lines, spec.strip(), begin)


def _key_line(lines: list[str], start: int | None, key: str) -> int | None:
    if start is None:
        return None
    return find_line(lines, rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", start, re.IGNORECASE)


def _dev_group(name: str) -> str:
    key = name.lower()
    if key in ("dev", "develop", "development"):
        return "dev"
    if key in ("test", "tests", "testing"):
        return "test"
    return key


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def parse_pyproject(data: bytes) -> FileFacts:
    text = decode(data)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return EMPTY
    lines = text.splitlines()
    deps: list[Dependency] = []
    signals: list[Signal] = []
    meta: list[tuple[str, str]] = []

    def add_specs(specs: list[str], group: str, header: str, key: str | None) -> None:
        start = _section_start(lines, header)
        for spec in specs:
            name = requirement_name(spec)
            if name:
                deps.append(Dependency("pypi", name, _quoted_line(lines, start, key, spec), group))

    project = doc.get("project", {})
    if isinstance(project, dict):
        if isinstance(project.get("name"), str):
            meta.append(("name", project["name"]))
        add_specs(_strings(project.get("dependencies")), "main", "project", "dependencies")
        optional = project.get("optional-dependencies", {})
        if isinstance(optional, dict):
            for extra, specs in optional.items():
                header = "project.optional-dependencies"
                add_specs(_strings(specs), f"optional:{extra}", header, extra)
        scripts = project.get("scripts", {})
        if isinstance(scripts, dict):
            start = _section_start(lines, "project.scripts")
            for script, target in scripts.items():
                line = _key_line(lines, start, script)
                signals.append(Signal("entrypoint.cli", script, line, str(target)))
    groups = doc.get("dependency-groups", {})
    if isinstance(groups, dict):
        for group, specs in groups.items():
            add_specs(_strings(specs), _dev_group(group), "dependency-groups", group)
    tool = doc.get("tool", {})
    if isinstance(tool, dict):
        _poetry(tool.get("poetry"), lines, deps, signals)
        uv = tool.get("uv", {})
        if isinstance(uv, dict):
            add_specs(_strings(uv.get("dev-dependencies")), "dev", "tool.uv", "dev-dependencies")
        pdm = tool.get("pdm", {})
        if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
            for group, specs in pdm["dev-dependencies"].items():
                add_specs(_strings(specs), "dev", "tool.pdm.dev-dependencies", group)
    return FileFacts(
        language="manifest",
        dependencies=tuple(sorted(set(deps))),
        signals=tuple(sorted(set(signals))),
        meta=tuple(meta),
    )


def _poetry(poetry: Any, lines: list[str], deps: list[Dependency], signals: list[Signal]) -> None:
    if not isinstance(poetry, dict):
        return
    tables: list[tuple[str, Any, str]] = [
        ("tool.poetry.dependencies", poetry.get("dependencies"), "main"),
        ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), "dev"),
    ]
    for group, body in (poetry.get("group") or {}).items():
        if isinstance(body, dict):
            header = f"tool.poetry.group.{group}.dependencies"
            tables.append((header, body.get("dependencies"), _dev_group(group)))
    for header, table, group in tables:
        if not isinstance(table, dict):
            continue
        start = _section_start(lines, header)
        for name in table:
            if name.lower() == "python":
                continue
            optional = isinstance(table[name], dict) and table[name].get("optional") is True
            deps.append(
                Dependency(
                    "pypi",
                    normalize_pypi(name),
                    _key_line(lines, start, name),
                    "optional:poetry" if optional and group == "main" else group,
                )
            )
    scripts = poetry.get("scripts")
    if isinstance(scripts, dict):
        start = _section_start(lines, "tool.poetry.scripts")
        for script, target in scripts.items():
            detail = target if isinstance(target, str) else str(target.get("reference", ""))
            signals.append(
                Signal("entrypoint.cli", script, _key_line(lines, start, script), detail)
            )


# --- Pipfile ------------------------------------------------------------------------------


def parse_pipfile(data: bytes) -> FileFacts:
    text = decode(data)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return EMPTY
    lines = text.splitlines()
    deps = []
    for header, group in (("packages", "main"), ("dev-packages", "dev")):
        table = doc.get(header)
        if not isinstance(table, dict):
            continue
        start = _section_start(lines, header)
        for name in table:
            deps.append(
                Dependency("pypi", normalize_pypi(name), _key_line(lines, start, name), group)
            )
    return FileFacts(language="manifest", dependencies=tuple(sorted(set(deps))))


# --- setup.py (ast, never executed) --------------------------------------------------------


def parse_setup_py(data: bytes) -> FileFacts:
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return EMPTY
    assigned: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                assigned[target.id] = node.value
    deps: list[Dependency] = []
    signals: list[Signal] = []
    for call in ast.walk(tree):
        if not (isinstance(call, ast.Call) and _call_name(call.func) == "setup"):
            continue
        for keyword in call.keywords:
            value = _resolve(keyword.value, assigned)
            if keyword.arg == "install_requires":
                deps += _setup_deps(value, assigned, "main")
            elif keyword.arg in ("tests_require",):
                deps += _setup_deps(value, assigned, "test")
            elif keyword.arg == "extras_require" and isinstance(value, ast.Dict):
                for key, extra in zip(value.keys, value.values, strict=True):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        deps += _setup_deps(extra, assigned, f"optional:{key.value}")
            elif keyword.arg == "entry_points" and isinstance(value, ast.Dict):
                signals += _console_scripts(value, assigned)
    return FileFacts(
        language="manifest",
        dependencies=tuple(sorted(set(deps))),
        signals=tuple(sorted(set(signals))),
    )


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _resolve(node: ast.expr, assigned: dict[str, ast.expr]) -> ast.expr:
    if isinstance(node, ast.Name) and node.id in assigned:
        return assigned[node.id]
    return node


def _string_nodes(node: ast.expr, assigned: dict[str, ast.expr]) -> Iterator[ast.Constant]:
    node = _resolve(node, assigned)
    if isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _string_nodes(item, assigned)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _string_nodes(node.left, assigned)
        yield from _string_nodes(node.right, assigned)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node


def _setup_deps(node: ast.expr, assigned: dict[str, ast.expr], group: str) -> list[Dependency]:
    found = []
    for const in _string_nodes(node, assigned):
        name = requirement_name(str(const.value))
        if name:
            found.append(Dependency("pypi", name, const.lineno, group))
    return found


def _console_scripts(value: ast.Dict, assigned: dict[str, ast.expr]) -> list[Signal]:
    found = []
    for key, scripts in zip(value.keys, value.values, strict=True):
        if not (isinstance(key, ast.Constant) and key.value == "console_scripts"):
            continue
        for const in _string_nodes(scripts, assigned):
            name, _, target = str(const.value).partition("=")
            found.append(Signal("entrypoint.cli", name.strip(), const.lineno, target.strip()))
    return found


# --- setup.cfg ----------------------------------------------------------------------------


def parse_setup_cfg(data: bytes) -> FileFacts:
    import configparser  # here: most repositories have no setup.cfg (~1.5 ms of start-up)

    text = decode(data)
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return EMPTY
    lines = text.splitlines()
    deps: list[Dependency] = []
    signals: list[Signal] = []

    def specs(section: str, key: str) -> Iterable[str]:
        raw = parser.get(section, key, fallback="")
        return [s.strip() for s in raw.splitlines() if s.strip()]

    def add(section: str, key: str, group: str) -> None:
        start = _section_start(lines, section)
        for spec in specs(section, key):
            name = requirement_name(spec)
            if name:
                line = find_line_start(lines, spec, start or 0)
                deps.append(Dependency("pypi", name, line, group))

    if parser.has_section("options"):
        add("options", "install_requires", "main")
        add("options", "tests_require", "test")
    if parser.has_section("options.extras_require"):
        for extra in parser.options("options.extras_require"):
            add("options.extras_require", extra, f"optional:{extra}")
    if parser.has_section("options.entry_points"):
        start = _section_start(lines, "options.entry_points")
        for spec in specs("options.entry_points", "console_scripts"):
            name, _, target = spec.partition("=")
            line = find_line(lines, r"^\s*" + re.escape(name.strip()) + r"\s*=", start or 0)
            signals.append(Signal("entrypoint.cli", name.strip(), line, target.strip()))
    return FileFacts(
        language="manifest",
        dependencies=tuple(sorted(set(deps))),
        signals=tuple(sorted(set(signals))),
    )


PYTHON_MANIFEST_EXTRACTORS = (
    FileExtractor(
        "requirements",
        1,
        is_requirements,
        parse_requirements,
        claims(extensions=("txt", "in")),
    ),
    FileExtractor(
        "pyproject",
        1,
        lambda p: base(p) == "pyproject.toml",
        parse_pyproject,
        claims(names=("pyproject.toml",)),
    ),
    FileExtractor(
        "pipfile", 1, lambda p: base(p) == "Pipfile", parse_pipfile, claims(names=("Pipfile",))
    ),
    FileExtractor(
        "setup_py", 1, lambda p: base(p) == "setup.py", parse_setup_py, claims(names=("setup.py",))
    ),
    FileExtractor(
        "setup_cfg",
        1,
        lambda p: base(p) == "setup.cfg",
        parse_setup_cfg,
        claims(names=("setup.cfg",)),
    ),
)
