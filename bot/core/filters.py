"""Which files are worth analysing. Pure rules shared by every snapshot (local, GitHub tree).

The rules, in order (the first that applies gives the reason):

1. `.gitattributes` wins where it speaks: `linguist-vendored` / `linguist-generated` (set)
   skip a path; `-linguist-vendored`, `linguist-vendored=false` (and the same for generated)
   keep it even when rules 2–4 would skip it. Last matching line wins, as in git.
2. Vendored folders anywhere in the path: `VENDORED_DIRS` (node_modules, vendor, third_party,
   dist, build, virtualenvs, caches…); `ROOT_VENDORED_DIRS` (`external`) only at the root.
3. Generated or minified by name: `GENERATED_SUFFIXES` (`*.min.js`, `*_pb2.py`, `*.pb.go`,
   source maps, lock-free bundles…).
4. Binary by extension (`BINARY_EXTENSIONS`), or larger than `MAX_FILE_BYTES`.

Two more rules need the bytes, so they run where bytes are read (extraction): a NUL byte in
the first 8 KiB means binary; a long first line, or very long lines on average under a
banner, on a `.js`/`.css` file means minified (`content_skip_reason`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core import limits
from bot.core.globs import compile_glob

MAX_FILE_BYTES = limits.MAX_FILE_BYTES  # kept here too: the listings import it from filters

VENDORED_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "jspm_packages",
        "vendor",
        "vendors",
        "third_party",
        "third-party",
        "thirdparty",
        "dist",
        "build",
        "out",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".output",
        ".turbo",
        ".cache",
        "coverage",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".git",
        ".hg",
        ".svn",
        "Pods",
        "Carthage",
        ".bundle",
        ".yarn",
    }
)

# Vendored only as the repository's top folder: `external/` at the root holds submodules and
# copied libraries (the C/C++ convention), while a nested `core/external/` or
# `app/services/external/` is usually a package of the application itself (its adapters to
# external services), and skipping it hid a whole package's code.
ROOT_VENDORED_DIRS = frozenset({"external"})

GENERATED_SUFFIXES = (
    ".min.js",
    ".min.mjs",
    ".min.css",
    ".bundle.js",
    ".chunk.js",
    ".map",
    "_pb2.py",
    "_pb2_grpc.py",
    "_pb2.pyi",
    ".pb.go",
    ".pb.gw.go",
    "_generated.go",
    ".gen.go",
    "_string.go",
    ".generated.ts",
    ".generated.js",
    ".d.ts.map",
)

GENERATED_NAMES = frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "bun.lockb"})

BINARY_EXTENSIONS = frozenset(
    (
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "ico",
        "icns",
        "webp",
        "avif",
        "tif",
        "tiff",
        "psd",
        "svgz",
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "zip",
        "gz",
        "tgz",
        "bz2",
        "xz",
        "zst",
        "7z",
        "rar",
        "tar",
        "jar",
        "war",
        "ear",
        "whl",
        "egg",
        "so",
        "dylib",
        "dll",
        "exe",
        "bin",
        "o",
        "a",
        "lib",
        "obj",
        "class",
        "pyc",
        "pyo",
        "pyd",
        "wasm",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "mp3",
        "mp4",
        "m4a",
        "wav",
        "ogg",
        "flac",
        "mov",
        "avi",
        "mkv",
        "webm",
        "sqlite",
        "sqlite3",
        "db",
        "mdb",
        "pkl",
        "pickle",
        "npy",
        "npz",
        "h5",
        "parquet",
        "onnx",
        "pt",
    )
)

MINIFIED_EXTENSIONS = (".js", ".mjs", ".cjs", ".css")
MINIFIED_LINE = 2_000  # a first line this long in JS/CSS is a bundle, not source
# Bytes per line on average past which JS/CSS is a bundle even under a licence banner
# (`/* Lib 1.2 … */` then 6,000-character lines): written source averages well under 100.
MINIFIED_AVERAGE = 300
BINARY_SNIFF = 8_192


@dataclass(frozen=True, slots=True)
class AttributeRule:
    """One `.gitattributes` line about linguist: where it applies and what it sets."""

    base: str  # folder of the .gitattributes file ("" at the root)
    pattern: str
    vendored: bool | None
    generated: bool | None


def parse_gitattributes(text: str, base: str = "") -> tuple[AttributeRule, ...]:
    """The linguist-vendored/generated lines of one `.gitattributes` file."""
    rules: list[AttributeRule] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pattern, *attrs = line.split()
        values: dict[str, bool] = {}
        for attr in attrs:
            for key in ("linguist-vendored", "linguist-generated"):
                if attr in (key, f"{key}=true", f"{key}=1"):
                    values[key] = True
                elif attr in (f"-{key}", f"!{key}", f"{key}=false", f"{key}=0"):
                    values[key] = False
        if values:
            rules.append(
                AttributeRule(
                    base,
                    pattern,
                    values.get("linguist-vendored"),
                    values.get("linguist-generated"),
                )
            )
    return tuple(rules)


class PathFilter:
    """Decides, from a path and a size alone, whether a file is analysed."""

    def __init__(self, rules: Iterable[AttributeRule] = ()) -> None:
        # gitattributes patterns are gitignore's dialect, matched without backtracking
        # (`bot.core.globs`): a repository's own globs must not hang every listing.
        self._rules = [(r, compile_glob(r.pattern)) for r in rules]

    @classmethod
    def from_files(cls, attributes: Mapping[str, str]) -> PathFilter:
        """`attributes` maps each `.gitattributes` path to its text."""
        rules: list[AttributeRule] = []
        # Deeper files come later so they win, as git's precedence does.
        for path in sorted(attributes, key=lambda p: (p.count("/"), p)):
            base = path.rpartition("/")[0]
            rules.extend(parse_gitattributes(attributes[path], base))
        return cls(rules)

    def _linguist(self, path: str) -> bool | None:
        """True: attributes skip it; False: attributes keep it; None: they say nothing."""
        vendored: bool | None = None
        generated: bool | None = None
        for rule, glob in self._rules:  # per attribute, the last matching line wins
            rel = path
            if rule.base:
                if not path.startswith(rule.base + "/"):
                    continue
                rel = path[len(rule.base) + 1 :]
            if not glob.match(rel):
                continue
            if rule.vendored is not None:
                vendored = rule.vendored
            if rule.generated is not None:
                generated = rule.generated
        if vendored or generated:
            return True
        if vendored is False or generated is False:
            return False
        return None

    def skip_reason(self, path: str, size: int) -> str | None:
        """Why `path` is not analysed, or None when it is."""
        if size > MAX_FILE_BYTES:
            return "huge"
        linguist = self._linguist(path) if self._rules else None
        if linguist is True:
            return "gitattributes"
        name = path.rpartition("/")[2]
        ext = name.rpartition(".")[2].lower() if "." in name else ""
        if ext in BINARY_EXTENSIONS:
            return "binary"
        if linguist is False:
            return None
        folders = path.split("/")[:-1]
        if not VENDORED_DIRS.isdisjoint(folders) or (
            folders[:1] and folders[0] in ROOT_VENDORED_DIRS
        ):
            return "vendored"
        if name in GENERATED_NAMES or name.endswith(GENERATED_SUFFIXES):
            return "generated"
        return None


def content_skip_reason(path: str, data: bytes) -> str | None:
    """Rules that need the bytes: binary (a NUL byte), minified (a very long first line)."""
    if b"\0" in data[:BINARY_SNIFF]:
        return "binary"
    if path.endswith(MINIFIED_EXTENSIONS):
        end = data.find(b"\n")
        first = len(data) if end < 0 else end
        if first > MINIFIED_LINE:
            return "minified"
        lines = data.count(b"\n") + 1
        if len(data) > MINIFIED_LINE and len(data) > MINIFIED_AVERAGE * lines:
            return "minified"
    return None
