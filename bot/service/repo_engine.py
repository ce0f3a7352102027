"""`Engine` over a `RepoGateway` and the pure core: what the docs would become at a commit.

The same pieces as the refresh service (config from the default branch, a lazy snapshot,
facts cached by blob SHA), so a preview reads only the blobs it has not seen: for a pull
request, the files it changes. With the job's `budget`, `evaluate` raises `JobDeadline`
(nothing written) once it is spent; the preview or the command reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from bot.core.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.core.documents import HEADINGS
from bot.core.facts_cache import FactsCache
from bot.core.job_budget import JobBudget
from bot.core.model import Evidence
from bot.core.refresh import refresh
from bot.core.warm import Warm
from bot.service.diffs import DocDiff
from bot.service.engine import Evaluation, Problem
from bot.service.ports import Head, Identity, RepoGateway


class RepoEngine:
    def __init__(
        self,
        gateway: RepoGateway,
        *,
        defaults: RepoConfig,
        cache: FactsCache,
        catalog: Any,
        identity: Identity,
        warm: Warm | None = None,
        budget: JobBudget | None = None,
    ) -> None:
        self._gateway = gateway
        self._budget = budget  # the job's time, shared by every evaluation in the job
        # What the last evaluation of this pull request left (`bot.core.warm`), if kept.
        self._warm = warm
        self._defaults = defaults
        self._cache = cache
        self._catalog = catalog
        self._identity = identity
        self._config: RepoConfig | None = None

    def config(self) -> RepoConfig:
        if self._config is None:
            text = self._gateway.config_text(CONFIG_PATH)
            self._config = (
                self._defaults
                if text is None
                else parse_repo_config(text, CONFIG_PATH, self._defaults)
            )
        return self._config

    def evaluate(
        self,
        head_sha: str,
        *,
        base_sha: str | None,
        changed_paths: Collection[str] | None,
        force: bool = False,
    ) -> Evaluation:
        snapshot = self._gateway.snapshot(head_sha)
        base = self._gateway.snapshot(base_sha) if base_sha else None
        result = refresh(
            snapshot,
            self.config(),
            cache=self._cache,
            catalog=self._catalog,
            changed_paths=changed_paths,
            force=force,
            base=base,
            warm=self._warm,
            budget=self._budget,
        )
        docs = tuple(
            DocDiff(
                c.path,
                c.old,
                c.new,
                _headings(c.changed_sections),
                () if force else _headings(c.hand_edited),
                tuple(c.repairs),
            )
            for c in result.changes
        )
        facts = ""
        if result.facts_diff is not None:
            link = _linker(self._gateway, head_sha)
            facts = "".join(f"- {line}\n" for line in result.facts_diff.lines(link))
        problems = tuple(Problem(p.path or "", p.line, p.message) for p in result.problems)
        return Evaluation(head=snapshot.head, docs=docs, facts_markdown=facts, problems=problems)

    def commit_docs(self, parent: Head, files: Mapping[str, bytes], message: str) -> str:
        return self._gateway.write_commit(parent, files, message, self._identity)


def _headings(slugs: Collection[str]) -> tuple[str, ...]:
    return tuple(HEADINGS.get(s, s) for s in slugs)


def _linker(gateway: RepoGateway, sha: str) -> Callable[[Evidence], str]:
    def link(ev: Evidence) -> str:
        where = f"{ev.path}:{ev.line}" if ev.line is not None else ev.path
        return f"[`{where}`]({gateway.blob_url(sha, ev.path, ev.line)})"

    return link
