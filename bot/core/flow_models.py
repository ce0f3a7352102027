"""Python model classes of a repository (Django, Peewee, Tortoise, SQLModel, Flask-SQLAlchemy)
with their ORM, answered one class name at a time (`flow_stores`).

A model class extends the ORM's model class in a file that imports the ORM, or extends a
model class (up to `MAX_MODEL_LEVELS` levels). Only the candidate files (Python files that
import an ORM or have "model" in their path) count, read in the repository's order: the
first file that makes a class a model names its ORM, and at each level the last base that
does. A name is answered from the files whose class lines may define it (`defines`) and,
level by level, the same for its bases, so a flow that meets three models parses their
files and their ancestors' instead of every models module of the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core import store_ops as ops
from bot.core.call_sites import FileCalls
from bot.core.model import FileFacts

MAX_MODEL_LEVELS = 4  # subclass levels of model classes
Defines = Callable[[str], "frozenset[str] | None"]  # names a file's class lines may define


class PyModels:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        calls: Callable[[str], FileCalls | None],
        skip: Callable[[str], bool],
        libs: frozenset[str],
        defines: Defines | None,
    ):
        self._calls = calls
        self._defines = defines
        self._roots = [r for r in ops.MODEL_ROOTS if r in libs]
        # (path, the top packages it imports), in the repository's order
        self._files: list[tuple[str, frozenset[str]]] = []
        for p, f in facts.items() if self._roots else ():
            if f.language != "python" or skip(p):
                continue
            tops = frozenset(ref.spec.partition(".")[0] for ref in f.imports)
            if tops & set(self._roots) or "model" in p:
                self._files.append((p, tops))
        self._heads: dict[str, frozenset[str] | None] = {}
        self._pairs: dict[str, list[tuple[str, frozenset[str]]]] = {}  # class → (base, tops)
        self._found: dict[tuple[str, int], str] = {}

    def label(self, name: str) -> str:
        """The ORM label of the model class `name`, or "" when it is none."""
        return self._at(name, MAX_MODEL_LEVELS) if name and self._files else ""

    def _at(self, name: str, level: int) -> str:
        """The label `name` has once `level` levels of subclasses are found."""
        key = (name, level)
        if key not in self._found:
            self._found[key] = self._root(name) if level == 0 else self._step(name, level)
        return self._found[key]

    def _root(self, name: str) -> str:
        # The first pair (in the files' order) whose base is an imported ORM's model class.
        for base, tops in self._bases(name):
            last = base.rpartition(".")[2]  # the reader keeps a base's last name
            for orm in self._roots:
                root, label = ops.MODEL_ROOTS[orm]
                if orm in tops and last == root.rpartition(".")[2]:
                    return label
        return ""

    def _step(self, name: str, level: int) -> str:
        before = self._at(name, level - 1)
        if before:
            return before
        label = ""  # the last pair whose base was a model one level before wins
        for base, _ in self._bases(name):
            found = self._at(base.rpartition(".")[2], level - 1)
            if found:
                label = found
        return label

    def _bases(self, name: str) -> list[tuple[str, frozenset[str]]]:
        """(base, the file's top imports) of every class `name` in the candidate files."""
        if name not in self._pairs:
            last = name.rpartition(".")[2]
            out: list[tuple[str, frozenset[str]]] = []
            for p, tops in self._files:
                if self._defines is not None:
                    if p not in self._heads:
                        self._heads[p] = self._defines(p)
                    heads = self._heads[p]
                    if heads is not None and last not in heads:
                        continue
                fc = self._calls(p)
                out.extend((b, tops) for c, b in (fc.bases if fc is not None else ()) if c == name)
            self._pairs[name] = out
        return self._pairs[name]
