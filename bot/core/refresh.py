"""The refresh engine: snapshot + config in, the docs' new text and a facts summary out.

Pure: it reads only through the snapshot and returns values; writers (the CLI, the service)
decide what to do with the changes. Steps:

1. If the caller says which paths changed and none is tracked, stop: no analysis, no reads.
2. Find the docs (configured, or every `.md` under `docs/` and `.context/` with a
   `data-flow` block (v1) or a data-flow front matter (v2, `bot.core.documents`)), repair
   what the wild does to them, parse their markers or their headings.
3. Analyse the snapshot once, render the owned sections, replace them in each doc.
4. Guard each new text against the repaired one, and return what changed.

Repairs (an LLM's chatter and fence around the block, a leaked `</file>`…) are the only
edits outside the owned subsections, they are listed in `DocChange.repairs`, and the guard
runs on the repaired text so every other byte is still proven unchanged.

The facts summary compares against the facts of a base snapshot when the caller has one
(the service has the base branch and the new head; with the facts cache that costs only the
blobs that differ). Facts are not stored in the docs: a digest cannot say what changed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from bot.core.analysis import analyze
from bot.core.analysis.catalog import Catalog
from bot.core.config import RepoConfig
from bot.core.document_sections import replace_document_sections
from bot.core.documents import is_data_flow_doc, may_be_data_flow_doc
from bot.core.errors import UserError
from bot.core.facts_cache import FactsCache
from bot.core.factsdiff import FactsDiff, diff_facts
from bot.core.gc_pause import paused
from bot.core.guard import ensure_unchanged_outside
from bot.core.job_budget import JobBudget
from bot.core.markers import parse_document
from bot.core.model import RepoFacts
from bot.core.render import MODULE_DEPENDENCIES, render_data_flow, render_module_dependencies
from bot.core.repair import repair
from bot.core.sections import OWNED_SLUGS, replace_sections
from bot.core.snapshot import Snapshot
from bot.core.warm import Warm

DOC_ROOTS = ("docs/", ".context/")
BLOCK_ID = "data-flow"
START_MARKER = "agent-update:start:"

DOC_MISSING = "configured doc not found in the repository"
NOT_UTF8 = "not UTF-8 text: {error}"
HAND_EDITED_KEPT = "kept hand-edited subsection(s): {slugs} (use force to overwrite)"


@dataclass(frozen=True, slots=True)
class DocChange:
    path: str
    old: str  # the doc as it is in the snapshot
    new: str  # what it should be
    changed_sections: tuple[str, ...]  # owned slugs rewritten or added
    hand_edited: tuple[str, ...]  # owned slugs a person edited (kept unless forced)
    repairs: tuple[str, ...]  # "line N: what was repaired" (lines of `old`)


@dataclass(frozen=True, slots=True)
class RefreshResult:
    changes: tuple[DocChange, ...]
    facts: RepoFacts
    # Lint-style problems (`.path`, `.line`, `.message`; `str()` is `path:line: message`):
    # those docs are left as they are, the others still refreshed.
    problems: tuple[UserError, ...]
    affected: bool
    docs: tuple[str, ...] = ()  # every doc looked at, changed or not
    notes: tuple[str, ...] = ()  # worth saying, not errors: "path: kept hand-edited …"
    facts_diff: FactsDiff | None = None  # against `base`, when one was given

    @property
    def stale(self) -> bool:
        return bool(self.changes)


def refresh(
    snapshot: Snapshot,
    config: RepoConfig,
    *,
    cache: FactsCache,
    catalog: Catalog | None,
    changed_paths: Collection[str] | None = None,
    force: bool = False,
    base: Snapshot | None = None,
    warm: Warm | None = None,
    budget: JobBudget | None = None,
) -> RefreshResult:
    """Regenerate every affected doc in `snapshot` (see the module docstring). `warm`, the
    state the last refresh of this repository left (`bot.core.warm`), is used and updated.
    `budget`: the job's time; JobDeadline (nothing returned) once it is spent."""
    if changed_paths is not None and not config.tracks_any(changed_paths):
        return RefreshResult(changes=(), facts=RepoFacts(), problems=(), affected=False)
    with paused():  # analysis and render keep what they allocate (bot.core.gc_pause)
        return _refresh(snapshot, config, cache, catalog, force, base, warm, budget)


def _refresh(
    snapshot: Snapshot,
    config: RepoConfig,
    cache: FactsCache,
    catalog: Catalog | None,
    force: bool,
    base: Snapshot | None,
    warm: Warm | None,
    budget: JobBudget | None = None,
) -> RefreshResult:
    paths = tuple(e.path for e in snapshot.entries())
    generation = warm.generation if warm is not None else None
    previous = warm.repo_facts if warm is not None else None
    facts = analyze(snapshot, cache, catalog, warm, budget=budget)
    depends = (config, force)
    if warm is not None and base is None and warm.generation == generation:
        # The same facts and paths as last time: the same result, unless a doc was edited.
        last = warm.result
        edited_docs = any(_may_be_doc(p, config) for p in warm.changed)
        if last is not None and last[0] == generation and last[1] == depends and not edited_docs:
            kept: RefreshResult = last[2]
            return replace(kept, facts=facts)
    if warm is not None and warm.sections is not None and warm.sections[0] == warm.generation:
        sections = warm.sections[1]
    else:
        sections = render_sections(facts, paths)
        if warm is not None:
            warm.sections = (warm.generation, sections)
    changes: list[DocChange] = []
    problems: list[UserError] = []
    notes: list[str] = []
    docs = find_docs(snapshot, config, paths, problems, warm)
    looked_at: list[str] = []
    for path, text in docs:
        try:
            change = refresh_doc(
                path,
                text,
                sections,
                force=force,
                any_block=config.docs is not None,
                headings=config.heading_ids(),
            )
        except UserError as err:
            err.path = err.path or path
            problems.append(err)
            continue
        if change is None:
            continue  # found by discovery, but its only data-flow marker is not a real one
        looked_at.append(path)
        if change.hand_edited and not force:
            notes.append(f"{path}: " + HAND_EDITED_KEPT.format(slugs=", ".join(change.hand_edited)))
        if change.new != change.old:
            changes.append(change)
    facts_diff = None
    if base is not None:
        # The base is most often the commit refreshed last time: its facts are known.
        if previous is None or not base.source or previous.source != base.source:
            previous = analyze(base, cache, catalog, budget=budget)
        facts_diff = diff_facts(previous, facts)
    result = RefreshResult(
        changes=tuple(changes),
        facts=facts,
        problems=tuple(problems),
        affected=True,
        docs=tuple(looked_at),
        notes=tuple(notes),
        facts_diff=facts_diff,
    )
    if warm is not None and base is None:
        warm.result = (warm.generation, depends, result)
    return result


def _may_be_doc(path: str, config: RepoConfig) -> bool:
    return path.endswith(".md") or (config.docs is not None and path in config.docs)


def render_sections(facts: RepoFacts, paths: Collection[str]) -> dict[str, str]:
    """Every owned section's body, v1 and v2 (v2 docs also own Module Dependencies)."""
    sections = render_data_flow(facts, paths)
    sections[MODULE_DEPENDENCIES] = render_module_dependencies(facts, paths)
    return sections


def refresh_doc(
    path: str,
    text: str,
    sections: Mapping[str, str],
    *,
    force: bool = False,
    any_block: bool = True,
    headings: Mapping[str, str] | None = None,
) -> DocChange | None:
    """One doc's new text. Raises `MarkerError` when its markers are malformed, and
    `FrontMatterError` when a v2 doc's front matter is broken.

    A doc with agent-update markers is v1: its `data-flow` block is refreshed; without one,
    the doc's only block when `any_block` (a doc the config names), else nothing (None).
    A doc without markers whose front matter names it data-flow is v2 (`bot.core.documents`,
    `headings` for translated ones), and so is a doc without markers when `any_block`
    (the config names it: headings-only docs are kept fresh too). Anything else is nothing.
    """
    repaired = repair(text, path)
    ids = [b.id for b in parse_document(repaired.text, path).blocks]
    if not ids and (any_block or is_data_flow_doc(repaired.text, path)):
        # Guarded inside, against the same repaired text (`ensure_document_unchanged_outside`).
        update = replace_document_sections(
            repaired.text, sections, path=path, headings=headings, force=force
        )
    else:
        if BLOCK_ID not in ids and not any_block:
            return None
        block_id = BLOCK_ID if BLOCK_ID in ids else None
        v1 = {slug: body for slug, body in sections.items() if slug in OWNED_SLUGS}
        update = replace_sections(repaired.text, v1, path=path, block_id=block_id, force=force)
        ensure_unchanged_outside(repaired.text, update.text, path)
    return DocChange(
        path=path,
        old=text,
        new=update.text,
        changed_sections=tuple(update.changed) + tuple(update.added),
        hand_edited=tuple(update.hand_edited),
        repairs=tuple(f"line {n.line}: {n.message}" for n in repaired.notes),
    )


def find_docs(
    snapshot: Snapshot,
    config: RepoConfig,
    paths: Collection[str],
    problems: list[UserError],
    warm: Warm | None = None,
) -> list[tuple[str, str]]:
    """(path, text) of every doc to refresh, sorted by path; problems appended for the rest.
    With `warm`, a Markdown file already read without a block is not read again at the
    same blob."""
    found: list[tuple[str, str]] = []
    if config.docs is not None:
        known = set(paths)
        for path in sorted(set(config.docs)):
            if path not in known:
                problems.append(UserError(DOC_MISSING, path=path))
                continue
            text = _text(snapshot, path, problems)
            if text is not None:
                found.append((path, text))
        return found
    candidates = sorted(p for p in paths if p.endswith(".md") and p.startswith(DOC_ROOTS))
    shas = (
        {e.path: e.sha for e in snapshot.entries() if e.path.endswith(".md")}
        if warm is not None and candidates
        else {}
    )
    for path in candidates:
        if warm is not None and warm.plain_docs.get(path) == shas.get(path, ""):
            continue
        text = _text(snapshot, path, problems)
        if text is None:
            continue
        if START_MARKER + BLOCK_ID not in text and not may_be_data_flow_doc(text, path):
            if warm is not None and path in shas:
                warm.plain_docs[path] = shas[path]
            continue
        found.append((path, text))
    return found


def _text(snapshot: Snapshot, path: str, problems: list[UserError]) -> str | None:
    try:
        return snapshot.read(path).decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(UserError(NOT_UTF8.format(error=err.reason), path=path))
        return None
