"""Import specifiers to repository paths, for every language the extractors read.

`Resolver` is built once per analysis from the snapshot's path list, the facts (go.mod
module paths, package.json names) and a few small config files (tsconfig/jsconfig,
pnpm-workspace.yaml). `resolve(path, ref)` gives the file (or folder, ending in "/") an
import points at inside the repository, or None for anything external.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.analysis.javascript import JS_SUFFIXES, TS_SUFFIXES, strip_comments
from bot.core.globs import Glob
from bot.core.model import FileFacts, ImportRef

JS_TRY = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".json", ".vue", ".svelte")
PY_PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
TSCONFIG_NAMES = ("tsconfig.json", "jsconfig.json", "tsconfig.base.json")
MAX_LIB_UP = 12  # folders walked up from a file to the SvelteKit project whose `src/lib` it imports
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def is_resolution_config(path: str) -> bool:
    """Files `analyze` reads for resolution (besides facts): tsconfig/jsconfig, pnpm workspaces."""
    name = path.rpartition("/")[2]
    return (
        name in TSCONFIG_NAMES
        or name == "pnpm-workspace.yaml"
        or (name.startswith("tsconfig") and name.endswith(".json"))
    )


def parent(path: str) -> str:
    return path.rpartition("/")[0]


def join(base: str, rel: str) -> str | None:
    """`rel` against folder `base`, normalised; None when it climbs out of the repository."""
    joined = posixpath.normpath(posixpath.join(base, rel)) if base else posixpath.normpath(rel)
    if joined.startswith("../") or joined == "..":
        return None
    return "" if joined == "." else joined


@dataclass(frozen=True, slots=True)
class TsConfig:
    folder: str  # where the tsconfig lives
    base_url: str | None  # repository path baseUrl points at
    paths: tuple[tuple[str, tuple[str, ...]], ...]  # pattern -> targets (repository paths)


def parse_tsconfig(
    path: str, text: str, read: Mapping[str, str], depth: int = 0
) -> tuple[str | None, dict[str, list[str]]]:
    """(baseUrl, paths) of one tsconfig as repository paths, following local `extends`."""
    try:
        doc = json.loads(_TRAILING_COMMA.sub(r"\1", strip_comments(text)))
    except (ValueError, RecursionError):
        return None, {}
    if not isinstance(doc, dict):
        return None, {}
    folder = parent(path)
    base_url: str | None = None
    paths: dict[str, list[str]] = {}
    extends = doc.get("extends")
    if isinstance(extends, str) and extends.startswith(".") and depth < 5:
        target = join(folder, extends if extends.endswith(".json") else extends + ".json")
        if target is not None and target in read:
            base_url, paths = parse_tsconfig(target, read[target], read, depth + 1)
    options = doc.get("compilerOptions")
    if isinstance(options, dict):
        if isinstance(options.get("baseUrl"), str):
            base_url = join(folder, options["baseUrl"])
        if isinstance(options.get("paths"), dict):
            # Targets of `paths` are relative to baseUrl (or to the tsconfig without one).
            anchor = base_url if base_url is not None else folder
            paths = {}
            for pattern, targets in options["paths"].items():
                if isinstance(targets, list):
                    resolved = [join(anchor, t) for t in targets if isinstance(t, str)]
                    paths[pattern] = [t for t in resolved if t is not None]
    return base_url, paths


def workspace_globs(facts: Mapping[str, FileFacts], configs: Mapping[str, str]) -> list[str]:
    """Workspace patterns (repository paths) from package.json facts and pnpm-workspace.yaml."""
    globs: list[str] = []
    for path, f in facts.items():
        for key, value in f.meta:
            if key == "workspaces" and path.endswith("package.json"):
                globs += [g for g in (join(parent(path), w) for w in value.split(",") if w) if g]
    for path, text in configs.items():
        if path.endswith("pnpm-workspace.yaml"):
            for m in re.finditer(r"^[ \t]*-[ \t]*[\"']?([^\"'\n#]+?)[\"']?[ \t]*$", text, re.M):
                if not m.group(1).startswith("!"):
                    target = join(parent(path), m.group(1))
                    if target:
                        globs.append(target)
    return sorted(set(globs))


def workspace_glob(pattern: str) -> Glob:
    """A workspace glob (`packages/*`, `apps/**`), matched against whole folder paths in
    time linear in the path (`bot.core.globs`: repository globs never backtrack)."""
    return Glob("/" + pattern.strip("/"))


_UNSEEN = object()  # a memo miss (None is a resolution: "not in this repository")


class Resolver:
    def __init__(
        self,
        paths: Iterable[str],
        facts: Mapping[str, FileFacts],
        configs: Mapping[str, str] | None = None,
    ) -> None:
        configs = configs or {}
        self.files = frozenset(paths)
        self.dirs = _folders(self.files)
        # Only folders holding Python count for Python: `import docs` must not hit docs/.
        self.py_dirs = _folders(p for p in self.files if p.endswith(".py"))
        self.py_roots = self._python_roots()
        self._py_root_set = frozenset(self.py_roots)
        self._absolute: dict[tuple[str, str, tuple[str, ...]], str | None] = {}
        self._homes: dict[str, str] = {}  # folder -> its deepest Python root
        self._js_memo: dict[tuple[str, str], object] = {}  # (folder, spec) -> file or None
        self.go_modules = sorted(
            (
                (value, parent(p))
                for p, f in facts.items()
                for key, value in f.meta
                if key == "module" and p.rpartition("/")[2] == "go.mod"
            ),
            key=lambda mv: -len(mv[0]),
        )
        self.packages = self._js_packages(facts)
        self.workspace_dirs = self._workspace_dirs(workspace_globs(facts, configs))
        self.tsconfigs = self._tsconfigs(configs)
        self.ruby_lib_dirs = sorted(
            (d for d in self.dirs if d == "lib" or d.endswith("/lib")), key=lambda d: (len(d), d)
        )
        self.autoload = self._autoload_index()

    # --- setup ---------------------------------------------------------------------

    def _python_roots(self) -> list[str]:
        """Folders that are on `sys.path` when the code runs, as far as the tree shows:
        the root, project folders (pyproject/setup), their `src/`, and every folder that
        holds a package without being one (`service/core/__init__.py`, no
        `service/__init__.py`: `import core` is how `service/` code says it)."""
        roots = {""}
        for p in self.files:
            folder, _, name = p.rpartition("/")
            if name in PY_PROJECT_FILES:
                roots.add(folder)
            elif name == "__init__.py" and folder:
                above = parent(folder)
                if above and f"{above}/__init__.py" not in self.files:
                    roots.add(above)
        for root in list(roots):
            src = f"{root}/src" if root else "src"
            if src in self.dirs:
                roots.add(src)
        return sorted(roots, key=lambda r: (-len(r), r))

    def _home_root(self, path: str) -> str:
        """The deepest Python root above `path`: its own imports are tried there first."""
        start = folder = parent(path)
        home = self._homes.get(start)
        if home is None:  # each folder is walked up once: every file of it asks
            while folder and folder not in self._py_root_set:
                folder = parent(folder)
            home = self._homes[start] = folder
        return home

    def _autoload_index(self) -> dict[str, str]:
        """Rails/Zeitwerk: `billing/invoice` -> the file defining `Billing::Invoice`, from the
        autoload roots (each folder directly under an `app/`, its `concerns/`, and `lib/`)."""
        roots = [d for d in self.dirs if d.rpartition("/")[0].rpartition("/")[2] == "app"]
        roots += [f"{d}/concerns" for d in roots if f"{d}/concerns" in self.dirs]
        root_set = frozenset(roots) | frozenset(self.ruby_lib_dirs)
        index: dict[str, str] = {}
        if not root_set:
            return index
        for path in sorted(p for p in self.files if p.endswith(".rb")):
            folder = parent(path)
            while folder:
                if folder in root_set:
                    index.setdefault(path[len(folder) + 1 : -3], path)
                folder = parent(folder)
        return index

    def _js_packages(self, facts: Mapping[str, FileFacts]) -> dict[str, str]:
        packages: dict[str, str] = {}
        for path in sorted(facts):
            if path.rpartition("/")[2] != "package.json" or "/" not in path:
                continue
            for key, value in facts[path].meta:
                if key == "name" and value not in packages:
                    packages[value] = parent(path)
        return packages

    def _workspace_dirs(self, globs: list[str]) -> tuple[str, ...]:
        patterns = [workspace_glob(g) for g in globs]
        found = {
            parent(p)
            for p in self.files
            if p.endswith("/package.json") and any(g.fullmatch(parent(p)) for g in patterns)
        }
        return tuple(sorted(found))

    def _tsconfigs(self, configs: Mapping[str, str]) -> list[TsConfig]:
        out = []
        for path in sorted(configs):
            if path.rpartition("/")[2] not in ("tsconfig.json", "jsconfig.json"):
                continue
            base_url, paths = parse_tsconfig(path, configs[path], configs)
            out.append(
                TsConfig(
                    parent(path),
                    base_url,
                    tuple((k, tuple(v)) for k, v in sorted(paths.items())),
                )
            )
        return sorted(out, key=lambda t: (-len(t.folder), t.folder))

    def fingerprint(self) -> str:
        """Everything besides the path list that resolution depends on, as text."""
        return repr(
            (
                self.py_roots,
                self.go_modules,
                sorted(self.packages.items()),
                self.workspace_dirs,
                self.tsconfigs,
                self.ruby_lib_dirs,
                len(self.autoload),
            )
        )

    # --- resolution ----------------------------------------------------------------

    def resolve(self, path: str, language: str, ref: ImportRef) -> str | None:
        if language == "python":
            return self.python(path, ref)
        if language in ("javascript", "typescript"):
            return self.javascript(path, ref.spec)
        if language == "ruby":
            return self.ruby(path, ref)
        if language == "go":
            return self.go(ref.spec)
        return None

    def python(self, path: str, ref: ImportRef) -> str | None:
        if ref.level:
            return self._python_relative(path, ref)
        home = self._home_root(path)
        key = (home, ref.spec, ref.names)
        found = self._absolute.get(key, _UNSEEN)
        if found is _UNSEEN:  # the same imports recur in every file (and in flows' walks)
            parts = [p for p in ref.spec.split(".") if p]
            order = [home, *(r for r in self.py_roots if r != home)]
            found = self._absolute[key] = next(
                (hit for root in order if (hit := self._py_at(root, parts))), None
            )
        return found  # type: ignore[return-value]

    def _python_relative(self, path: str, ref: ImportRef) -> str | None:
        parts = [p for p in ref.spec.split(".") if p]
        base = parent(path)
        for _ in range(ref.level - 1):
            if not base:
                return None
            base = parent(base)
        for name in ref.names:  # `from . import sub`: the name may be a module
            hit = self._py_at(base, [*parts, name], exact=True)
            if hit:
                return hit
        return self._py_at(base, parts) if parts else (base + "/" if base else None)

    def _py_at(self, base: str, parts: list[str], exact: bool = False) -> str | None:
        for i in range(len(parts), 0 if not exact else len(parts) - 1, -1):
            stem = "/".join(parts[:i])
            cand = f"{base}/{stem}" if base else stem
            if cand + ".py" in self.files:
                return cand + ".py"
            if cand + "/__init__.py" in self.files:
                return cand + "/__init__.py"
            if cand in self.py_dirs:
                return cand + "/"
        return None

    def javascript(self, path: str, spec: str) -> str | None:
        # The answer depends on the file's folder, not its name (a relative spec is joined
        # to the folder; a tsconfig applies to a file when it applies to its folder), and
        # every file of a folder asks the same specs, the flows' walks again.
        key = (parent(path), spec)
        found = self._js_memo.get(key, _UNSEEN)
        if found is _UNSEEN:
            found = self._js_memo[key] = self._javascript(path, spec)
        return found  # type: ignore[return-value]

    def _javascript(self, path: str, spec: str) -> str | None:
        if spec.startswith("."):
            target = join(parent(path), spec)
            return None if target is None else self._js_file(target)
        for ts in self.tsconfigs:
            if ts.folder and not path.startswith(ts.folder + "/"):
                continue
            hit = self._ts_paths(ts, spec)
            if hit:
                return hit
        if spec == "$lib" or spec.startswith("$lib/"):
            return self._svelte_lib(path, spec)
        name = _package_name(spec)
        if name in self.packages:
            folder = self.packages[name]
            rest = spec[len(name) :].lstrip("/")
            if rest:
                return self._js_file(f"{folder}/{rest}") or self._js_file(f"{folder}/src/{rest}")
            for entry in ("src/index", "index", "lib/index", "src/main", "main"):
                hit = self._js_file(f"{folder}/{entry}")
                if hit:
                    return hit
            return folder + "/package.json"
        return None

    def _svelte_lib(self, path: str, spec: str) -> str | None:
        """SvelteKit's `$lib` alias: the `src/lib` of the nearest project above `path` (its
        tsconfig paths are generated into `.svelte-kit/`, which is not committed)."""
        folder = parent(path)
        for _ in range(MAX_LIB_UP):
            lib = f"{folder}/src/lib" if folder else "src/lib"
            if lib in self.dirs:
                return self._js_file(lib + spec[len("$lib") :])
            if not folder:
                return None
            folder = parent(folder)
        return None

    def _ts_paths(self, ts: TsConfig, spec: str) -> str | None:
        for pattern, targets in ts.paths:
            prefix, star, suffix = pattern.partition("*")
            if star:
                if not (spec.startswith(prefix) and spec.endswith(suffix)):
                    continue
                middle = spec[len(prefix) : len(spec) - len(suffix) if suffix else None]
            elif spec != pattern:
                continue
            else:
                middle = ""
            for target in targets:
                hit = self._js_file(target.replace("*", middle, 1))
                if hit:
                    return hit
        if ts.base_url is not None:
            return self._js_file(f"{ts.base_url}/{spec}" if ts.base_url else spec)
        return None

    def _js_file(self, target: str) -> str | None:
        if target in self.files and target.endswith((*JS_SUFFIXES, *TS_SUFFIXES, ".json")):
            return target
        stem, dot, ext = target.rpartition(".")
        if dot and f".{ext}" in (".js", ".jsx", ".mjs", ".cjs"):
            for swap in (".ts", ".tsx", ".mts", ".cts"):  # ESM TypeScript writes ".js"
                if stem + swap in self.files:
                    return stem + swap
        for suffix in JS_TRY:
            if target + suffix in self.files:
                return target + suffix
        for suffix in JS_TRY:
            index = f"{target}/index{suffix}" if target else f"index{suffix}"
            if index in self.files:
                return index
        return None

    def ruby(self, path: str, ref: ImportRef) -> str | None:
        if ref.kind == "constant":
            return self._constant(ref.spec)
        spec = ref.spec if ref.spec.endswith(".rb") else ref.spec + ".rb"
        if ref.kind == "require_relative":
            target = join(parent(path), spec)
            return target if target in self.files else None
        for lib in self.ruby_lib_dirs:
            if f"{lib}/{spec}" in self.files:
                return f"{lib}/{spec}"
        return spec if spec in self.files else None

    def _constant(self, name: str) -> str | None:
        """The file that defines a constant, or the one of its closest namespace."""
        if not self.autoload:
            return None
        parts = [underscore(p) for p in name.split("::")]
        for end in range(len(parts), 0, -1):
            hit = self.autoload.get("/".join(parts[:end]))
            if hit:
                return hit
        return None

    def go(self, spec: str) -> str | None:
        for module, folder in self.go_modules:
            if spec == module or spec.startswith(module + "/"):
                rest = spec[len(module) :].lstrip("/")
                target = "/".join(p for p in (folder, rest) if p)
                if target in self.dirs or target == "":
                    return target + "/" if target else None
        return None


def underscore(name: str) -> str:
    """Rails' `underscore` for one constant segment: `HTTPClient` -> `http_client`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", name).lower()


def _package_name(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


def _folders(paths: Iterable[str]) -> frozenset[str]:
    """Every folder that holds one of `paths`, at any depth (each climbed once)."""
    seen: set[str] = set()
    for folder in {p.rpartition("/")[0] for p in paths}:
        while folder and folder not in seen:
            seen.add(folder)
            folder = folder.rpartition("/")[0]
    return frozenset(seen)
