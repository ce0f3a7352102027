"""Which module a path belongs to: the boxes of the data-flow diagram.

A module is, in order of precedence:

1. a package of a monorepo: the deepest folder below the root with its own package.json,
   go.mod, pyproject.toml, setup.py, Gemfile or *.gemspec (not under tests/examples/docs);
2. otherwise a top-level folder, descended through *wrappers* (a folder with no code of its
   own and one subfolder with code: `service/` → `service/core`), then split one level when
   it is a *container* (`src/`, `packages/`, `apps/`, `app/`, `cmd/`… — not `lib/`, one unit in
   Ruby gems and JS packages), or split where its code first branches when it is *dominant*
   (at least a third of the code: one box for most of the repository says nothing);
3. files at the root form the module "(root)".

The result depends only on the code paths and the package roots, so it is deterministic.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

ROOT_MODULE = "(root)"
CONTAINERS = frozenset(
    {"src", "packages", "apps", "services", "libs", "app", "cmd", "internal", "pkg", "modules"}
)
PACKAGE_FILES = frozenset({"package.json", "go.mod", "pyproject.toml", "setup.py", "Gemfile"})
NOT_PACKAGE_DIRS = frozenset(
    {
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "testdata",
        "fixtures",
        "examples",
        "example",
        "docs",
        "samples",
        "benchmarks",
        "bench",
    }
)
DOMINANT_SHARE = 3  # a module with at least 1/3 of the code files is split


def package_roots(paths: Iterable[str]) -> tuple[str, ...]:
    """Folders below the root that are packages of a monorepo, deepest first."""
    roots = set()
    for path in paths:
        folder, _, name = path.rpartition("/")
        if not folder or not (name in PACKAGE_FILES or name.endswith(".gemspec")):
            continue
        if any(p in NOT_PACKAGE_DIRS for p in folder.split("/")):
            continue
        roots.add(folder)
    return tuple(sorted(roots, key=lambda r: (-r.count("/"), r)))


class Layout:
    """Module assignment for one repository, built from its code paths and package roots."""

    def __init__(self, code_paths: Iterable[str], roots: Iterable[str]) -> None:
        self.roots = frozenset(roots)
        code = [p for p in code_paths if not self._root_of(p)]
        direct: Counter[str] = Counter()  # folder -> code files directly in it
        children: dict[str, set[str]] = defaultdict(set)  # folder -> subfolders with code
        for path in code:
            folder = path.rpartition("/")[0]
            direct[folder] += 1
            while folder:
                up = folder.rpartition("/")[0]
                if folder in children[up]:
                    break
                children[up].add(folder)
                folder = up
        # Top-level folder -> the folder its modules hang from, after wrappers.
        self.base: dict[str, str] = {}
        for top in children[""]:
            folder = top
            while not direct[folder] and len(children[folder]) == 1:
                folder = next(iter(children[folder]))
            self.base[top] = folder
        # Base folder -> the folder whose subfolders become modules.
        self.split_at: dict[str, str] = {}
        counts: Counter[str] = Counter(self._unsplit(p) for p in code)
        for base in self.base.values():
            if base.rpartition("/")[2] in CONTAINERS and children[base]:
                self.split_at[base] = base
            elif counts[base] * DOMINANT_SHARE >= len(code):
                folder = base  # split where the code first branches: `service/core/<area>`
                while len(children[folder]) == 1:
                    folder = next(iter(children[folder]))
                if len(children[folder]) >= 2:
                    self.split_at[base] = folder

    def _root_of(self, path: str) -> str:
        if self.roots:
            folder = path.rpartition("/")[0]
            while folder:
                if folder in self.roots:
                    return folder
                folder = folder.rpartition("/")[0]
        return ""

    def _unsplit(self, path: str) -> str:
        top, sep, _ = path.partition("/")
        if not sep:
            return ROOT_MODULE
        base = self.base.get(top, top)
        return base if path.startswith(base + "/") else top

    def module_of(self, path: str) -> str:
        """The module of a file, or of a folder given with a trailing "/"."""
        if path.endswith("/"):
            path += "_"  # a file in that folder
        root = self._root_of(path)
        if root:
            return root
        module = self._unsplit(path)
        split = self.split_at.get(module)
        if split is not None and path.startswith(split + "/"):
            rest = path[len(split) + 1 :]
            return f"{split}/{rest.partition('/')[0]}" if "/" in rest else split
        return module

    def fingerprint(self) -> str:
        return repr((sorted(self.roots), sorted(self.base.items()), sorted(self.split_at.items())))
