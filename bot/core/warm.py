"""What one refresh of a repository leaves for the next one in the same process.

A one-file push to a 20,000-file repository should cost that file, not the repository
(promise 7). The facts cache already spares the reads and the parsing; `Warm` spares the
aggregation, the rendering and the doc work after them:

- per-file facts are carried over for every path whose blob SHA did not change;
- when the changed files' facts are equal to what they were (an edit inside a function body,
  a comment) and no file came or went, the repository's facts are the previous ones, and so
  are the rendered sections and every doc's refreshed text;
- when they differ, the import resolver is kept if what it reads (the path list, manifests'
  metadata, tsconfig/pnpm files) did not change, and the rest is aggregated again.

A `Warm` is a plain value owned by its caller (the worker keeps one per repository, the
benchmark one per run): the core holds no state of its own, and a stale `Warm` can only cost
time, never correctness, because every reuse is checked against the new snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.model import FileFacts, RepoFacts
from bot.core.snapshot import FileEntry


@dataclass(slots=True)
class Delta:
    """How a snapshot's files differ from the previous analysis's."""

    changed: list[str]  # same path, another blob (sorted)
    added: list[str]
    removed: list[str]

    @property
    def same_paths(self) -> bool:
        return not self.added and not self.removed


@dataclass(slots=True)
class Warm:
    catalog: object | None = None
    entries: Sequence[FileEntry] = ()
    shas: list[str] = field(default_factory=list)
    facts: dict[str, FileFacts] = field(default_factory=dict)
    # The analysis stages' own states (`bot.core.analysis`: Resolver, Graph, Services,
    # Entrypoints); Any keeps this module a leaf.
    resolver: Any = None
    graph: Any = None
    services: Any = None
    entrypoints: Any = None
    repo_facts: RepoFacts | None = None
    # Bumped whenever the repository's facts or its path list change; what was derived
    # from them (the sections, a whole refresh result) is kept with the generation it is of.
    generation: int = 0
    changed: list[str] = field(default_factory=list)  # by the last analysis, same paths
    sections: tuple[int, dict[str, str]] | None = None
    result: tuple[int, Any, Any] | None = None  # (generation, what it depends on, result)
    plain_docs: dict[str, str] = field(default_factory=dict)  # Markdown without a block: sha

    def delta(self, entries: Sequence[FileEntry]) -> Delta | None:
        """The difference from the last analysis, or None when there was none to compare."""
        if self.repo_facts is None:
            return None
        old = self.entries
        # Lists compared in C: a generator over 20k pairs cost more than the rest of a
        # warm analysis.
        if len(old) == len(entries) and [e.path for e in entries] == [e.path for e in old]:
            shas = [e.sha for e in entries]
            if shas == self.shas:
                return Delta([], [], [])
            changed = [e.path for e, sha in zip(entries, self.shas, strict=True) if e.sha != sha]
            return Delta(changed, [], [])
        before = {e.path: e.sha for e in old}
        now = {e.path for e in entries}
        return Delta(
            changed=[e.path for e in entries if e.path in before and before[e.path] != e.sha],
            added=[e.path for e in entries if e.path not in before],
            removed=sorted(p for p in before if p not in now),
        )

    def remember(
        self,
        catalog: object | None,
        entries: Sequence[FileEntry],
        facts: dict[str, FileFacts],
        repo_facts: RepoFacts,
        *,
        edited: list[str] | None,
    ) -> None:
        """Keep this analysis. `edited`: when its facts and paths are the previous ones, the
        files whose bytes changed all the same (docs, comments); None when they are not."""
        same = edited is not None
        self.changed = edited or []
        self.catalog = catalog
        self.entries = entries
        self.shas = [e.sha for e in entries]
        self.facts = facts
        if not same:
            self.generation += 1
        self.repo_facts = repo_facts

    def forget(self) -> None:
        """Back to knowing nothing (after a failure that may have left it half-updated)."""
        fresh = Warm()
        for name in self.__slots__:
            setattr(self, name, getattr(fresh, name))
