from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.config import RepoConfig
from bot.core.errors import MarkerError
from bot.core.facts_cache import MemoryFactsCache
from bot.core.guard import find_violations
from bot.core.model import Entrypoint, Evidence, Item, Module, RepoFacts, Service
from bot.core.refresh import RefreshResult, refresh, refresh_doc
from bot.core.render import render_data_flow
from bot.core.scaffold import scaffold_data_flow
from bot.core.snapshot import FileEntry, MemorySnapshot
from bot.local.catalog_file import default_catalog

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
DOC = ".context/docs/data-flow.md"


def shop_files() -> dict[str, bytes]:
    return {
        p.relative_to(SHOP).as_posix(): p.read_bytes()
        for p in sorted(SHOP.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def run(
    snapshot: MemorySnapshot | ShuffledSnapshot,
    config: RepoConfig | None = None,
    **kwargs: object,
) -> RefreshResult:
    return refresh(
        snapshot,
        config or RepoConfig(),
        cache=kwargs.pop("cache", MemoryFactsCache()),  # type: ignore[arg-type]
        catalog=default_catalog(),
        **kwargs,  # type: ignore[arg-type]
    )


class ShuffledSnapshot:
    """Lists its entries in a random order: the engine must not depend on it."""

    def __init__(self, files: dict[str, bytes], seed: int) -> None:
        self._inner = MemorySnapshot(files)
        self._entries = list(self._inner.entries())
        random.Random(seed).shuffle(self._entries)

    @property
    def source(self) -> str | None:
        return None

    def entries(self) -> Sequence[FileEntry]:
        return self._entries

    def read(self, path: str) -> bytes:
        return self._inner.read(path)


class NoReads(MemorySnapshot):
    def read(self, path: str) -> bytes:
        raise AssertionError(f"read {path} although nothing tracked changed")


def new_text(result: RefreshResult, path: str = DOC) -> str:
    (change,) = [c for c in result.changes if c.path == path]
    return change.new


def test_stale_llm_doc_is_rewritten_from_evidence() -> None:
    result = run(MemorySnapshot(shop_files()))
    assert result.affected
    assert result.docs == (DOC,)
    text = new_text(result)
    for invented in ("Kafka", "MongoDB", "SendGrid", "Datadog", "src/api/server.ts"):
        assert invented not in text.split("<!-- agent-readonly:guidance -->")[0]
    for found in ("PostgreSQL", "Redis", "Stripe", "`shop/payments.py"):
        assert found in text
    (change,) = result.changes
    assert set(change.changed_sections) == {
        "high-level-flow",
        "internal-movement",
        "external-integrations",
        "observability-failure-modes",
    }


def test_everything_outside_owned_subsections_is_byte_identical() -> None:
    files = shop_files()
    old = files[DOC].decode()
    new = new_text(run(MemorySnapshot(files)))
    assert find_violations(old, new, DOC) == []
    assert new.startswith(old.split("<!-- agent-update:start:data-flow -->")[0])
    tail = old[old.index("<!-- agent-readonly:guidance -->") :]
    assert new.endswith(tail)
    # An unknown subsection a person wrote survives.
    assert "## Glossary\n- **Intent**: Stripe's record" in new


def test_refresh_of_its_own_output_changes_nothing() -> None:
    files = shop_files()
    first = new_text(run(MemorySnapshot(files)))
    second = run(MemorySnapshot({**files, DOC: first.encode()}))
    assert second.changes == ()
    assert second.docs == (DOC,)


def test_two_runs_and_shuffled_file_order_give_identical_bytes() -> None:
    files = shop_files()
    expected = new_text(run(MemorySnapshot(files)))
    assert new_text(run(MemorySnapshot(files))) == expected
    for seed in range(3):
        items = list(files.items())
        random.Random(seed).shuffle(items)
        assert new_text(run(ShuffledSnapshot(dict(items), seed))) == expected


def test_every_backticked_path_in_the_doc_exists_in_the_snapshot() -> None:
    files = shop_files()
    text = new_text(run(MemorySnapshot(files)))
    head = text.split("<!-- agent-readonly:guidance -->")[0]
    generated = re.sub(r"```mermaid.*?```", "", head, flags=re.S)
    generated = generated.split("## High-level Flow", 1)[1]
    spans = [re.sub(r":\d+$", "", s) for s in re.findall(r"`([^`\n]+)`", generated)]
    spans = [s for s in spans if s != "docs-refresh facts --json"]  # "…and N more flows"
    assert spans
    folders = {"/".join(p.split("/")[:i]) for p in files for i in range(1, p.count("/") + 1)}
    missing = [s for s in spans if s not in files and s not in folders]
    assert missing == []


def test_changes_outside_tracked_paths_do_no_analysis() -> None:
    cache = MemoryFactsCache()
    result = run(
        NoReads(shop_files()),
        changed_paths=["README.md", ".context/docs/data-flow.md", "tests/test_catalog.py"],
        cache=cache,
    )
    assert not result.affected
    assert result.changes == ()
    assert cache.hits == cache.misses == 0


def test_a_tracked_change_is_affected() -> None:
    result = run(MemorySnapshot(shop_files()), changed_paths=["shop/payments.py"])
    assert result.affected
    assert result.changes


def test_malformed_doc_is_a_problem_and_the_others_still_refresh() -> None:
    files = shop_files()
    files["docs/broken.md"] = b"# x\n<!-- agent-update:start:data-flow -->\n## High-level Flow\n"
    result = run(MemorySnapshot(files))
    (problem,) = result.problems
    assert isinstance(problem, MarkerError)
    assert problem.path == "docs/broken.md"
    assert problem.line == 2
    assert [c.path for c in result.changes] == [DOC]


def test_configured_doc_that_is_missing_is_a_problem() -> None:
    config = RepoConfig(docs=("docs/nope.md", DOC))
    result = run(MemorySnapshot(shop_files()), config)
    assert [(p.path, p.message) for p in result.problems] == [
        ("docs/nope.md", "configured doc not found in the repository")
    ]
    assert [c.path for c in result.changes] == [DOC]


def test_discovery_skips_other_blocks_and_docs_outside_docs_folders() -> None:
    files = shop_files()
    tooling = b"<!-- agent-update:start:tooling -->\n# Tooling\n<!-- agent-update:end -->\n"
    files[".context/docs/tooling.md"] = tooling
    files["notes/data-flow.md"] = files[DOC]
    quoted = b"Write `<!-- agent-update:start:data-flow -->` to start a block.\n"
    files["docs/howto.md"] = quoted
    result = run(MemorySnapshot(files))
    assert result.docs == (DOC,)
    assert result.problems == ()


def test_a_configured_doc_with_one_block_of_another_name_is_refreshed() -> None:
    files = shop_files()
    files["ARCH.md"] = files[DOC].replace(b"start:data-flow", b"start:architecture")
    result = run(MemorySnapshot(files), RepoConfig(docs=("ARCH.md",)))
    assert [c.path for c in result.changes] == ["ARCH.md"]


def test_hand_edited_section_is_kept_and_noted_unless_forced() -> None:
    files = shop_files()
    first = new_text(run(MemorySnapshot(files)))
    edited = first.replace("**Datastores**", "**Datastores we run**", 1)
    assert edited != first
    files[DOC] = edited.encode()
    result = run(MemorySnapshot(files))
    assert result.changes == ()
    assert result.notes == (
        f"{DOC}: kept hand-edited subsection(s): external-integrations (use force to overwrite)",
    )
    forced = run(MemorySnapshot(files), force=True)
    assert new_text(forced) == first


def test_llm_fence_and_chatter_are_repaired_and_listed() -> None:
    files = shop_files()
    doc = files[DOC].decode()
    wrapped = "I'll update the file now.\n\n```markdown\n" + doc + "```\n\nKey updates made: all.\n"
    files[DOC] = wrapped.encode()
    (change,) = run(MemorySnapshot(files)).changes
    assert change.old == wrapped
    assert "```markdown" not in change.new
    assert "I'll update" not in change.new
    assert any("fence" in r for r in change.repairs)
    assert change.new == new_text(run(MemorySnapshot(shop_files())))


def test_base_snapshot_gives_a_summary_of_fact_changes() -> None:
    files = shop_files()
    # The base had no payments at all: no module, no dependency, no settings.
    base = {
        p: b.replace(b"STRIPE", b"PAYMENT").replace(b"stripe==10.5.0\n", b"")
        for p, b in files.items()
        if p != "shop/payments.py"
    }
    result = run(MemorySnapshot(files), base=MemorySnapshot(base))
    assert result.facts_diff is not None
    assert "Stripe" in [s.name for s in result.facts_diff.integrations_added]
    assert "Integration added: **Stripe**" in result.facts_diff.to_markdown()
    assert run(MemorySnapshot(files)).facts_diff is None


@pytest.mark.parametrize("newline", ["\r\n"])
def test_crlf_doc_keeps_its_line_endings(newline: str) -> None:
    files = shop_files()
    files[DOC] = files[DOC].decode().replace("\n", newline).encode()
    text = new_text(run(MemorySnapshot(files)))
    assert "\n" not in text.replace("\r\n", "")


def test_real_docs_from_other_tools_refresh_idempotently(shared_corpus: Path) -> None:
    docs = sorted((shared_corpus / "docs").glob("*data-flow.md"))
    assert docs
    for doc in docs:
        files = {**shop_files(), DOC: doc.read_bytes()}
        first = run(MemorySnapshot(files))
        assert first.problems == (), doc.name
        (change,) = first.changes
        assert "| Stripe | Payments | — | — | — | used |" in change.new, doc.name
        again = run(MemorySnapshot({**files, DOC: change.new.encode()}))
        assert again.changes == (), doc.name


wild = st.text(alphabet="ab_*#=-|`<>!\n []()\\", min_size=1, max_size=10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=wild, detail=wild, category=wild)
def test_any_names_render_into_a_doc_that_refreshes_idempotently(
    name: str, detail: str, category: str
) -> None:
    evidence = (Evidence("app.py", 1),)
    facts = RepoFacts(
        entrypoints=(Entrypoint(name, "http", evidence, detail),),
        modules=(Module(name, ".", 1, detail),),
        datastores=(Service(name, category, "used", evidence),),
        observability=(Item(name, category, evidence, detail),),
    )
    sections = render_data_flow(facts, ["app.py"])
    change = refresh_doc(DOC, scaffold_data_flow(), sections)
    assert change is not None
    again = refresh_doc(DOC, change.new, sections)
    assert again is not None
    assert again.new == change.new
    assert again.hand_edited == ()


# --- v2 (dotcontext) docs -------------------------------------------------------------------

V2_DOC = """\
---
type: doc
name: data-flow
description: How data moves through the system and external integrations
category: data-flow
status: unfilled
scaffoldVersion: "2.0.0"
---
## Data Flow & Integrations

Our own intro.

## Module Dependencies

- **src/** → `utils`

## Service Layer

- _Item 1_

## High-level Flow

_Add descriptive content here._

## Related Resources

- [architecture.md](./architecture.md)
"""


def test_a_v2_doc_is_discovered_and_refreshed_with_module_dependencies() -> None:
    result = run(MemorySnapshot({**shop_files(), DOC: V2_DOC.encode()}))
    assert result.docs == (DOC,)
    (change,) = result.changes
    assert change.changed_sections == (
        "module-dependencies",
        "high-level-flow",
        "internal-movement",
        "external-integrations",
        "observability-failure-modes",
    )
    assert "status: filled\n" in change.new
    assert "Our own intro." in change.new
    assert "- _Item 1_" in change.new
    assert change.new.index("## Observability & Failure Modes") < change.new.index(
        "## Related Resources"
    )
    again = run(MemorySnapshot({**shop_files(), DOC: change.new.encode()}))
    assert again.changes == ()


def test_a_v2_doc_with_broken_front_matter_is_a_problem_with_its_line() -> None:
    broken = V2_DOC.replace("description: How", "description: [How")
    result = run(MemorySnapshot({**shop_files(), DOC: broken.encode()}))
    assert result.changes == ()
    (problem,) = result.problems
    assert problem.path == DOC
    assert problem.line == 5


def test_translated_headings_come_from_the_config() -> None:
    doc = V2_DOC.replace("## High-level Flow", "## Flujo de Alto Nivel")
    plain = run(MemorySnapshot({**shop_files(), DOC: doc.encode()}))
    assert "## High-level Flow" in plain.changes[0].new
    config = RepoConfig(headings=(("Flujo de Alto Nivel", "high-level-flow"),))
    translated = run(MemorySnapshot({**shop_files(), DOC: doc.encode()}), config)
    assert "## High-level Flow" not in translated.changes[0].new
    assert "## Flujo de Alto Nivel\n\n<!-- docs-refresh:checksum" in translated.changes[0].new


def test_a_v1_doc_does_not_get_module_dependencies() -> None:
    result = run(MemorySnapshot({**shop_files(), DOC: scaffold_data_flow().encode()}))
    assert "Module Dependencies" not in result.changes[0].new


_V2_HEADINGS = st.sampled_from(
    [
        "Module Dependencies",
        "Service Layer",
        "High-level Flow",
        "Internal Movement",
        "External Integrations",
        "Observability & Failure Modes",
        "Related Resources",
        "Notas",
        "Integrações Externas",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headings=st.lists(st.tuples(st.integers(2, 3), _V2_HEADINGS), max_size=8),
    name=wild,
    unfilled=st.booleans(),
)
def test_any_v2_doc_in_a_snapshot_is_fresh_right_after_a_refresh(
    headings: list[tuple[int, str]], name: str, unfilled: bool
) -> None:
    front = V2_DOC.split("## Data Flow")[0]
    front = front if unfilled else front.replace("unfilled", "filled")
    body = "".join(f"{'#' * level} {title}\n\nText.\n\n" for level, title in headings)
    files = {"app.py": f"import requests\n\n# {name}\n".encode(), DOC: (front + body).encode()}
    first = run(MemorySnapshot(files))
    assert first.problems == ()
    new = first.changes[0].new if first.changes else front + body
    assert "status: filled\n" in new
    # `check` right after `refresh`: nothing left to change.
    assert run(MemorySnapshot({**files, DOC: new.encode()})).changes == ()


HEADINGS_ONLY = """\
# Data Flow & Integrations

This document explains how data moves.

## High-level Flow

```mermaid
sequenceDiagram
    User->>API: GET /orders
```

## Module Dependencies

### Server Dependencies

- server → shared

## Service Layer

- OrderService

## Internal Movement

State lives in the query cache.

## External Integrations

### Clerk Authentication

Sessions come from Clerk.

## Observability & Failure Modes

Logs go to stdout.
"""


def test_a_configured_headings_only_doc_is_refreshed_by_its_headings() -> None:
    config = RepoConfig(docs=(DOC,))
    result = run(MemorySnapshot({**shop_files(), DOC: HEADINGS_ONLY.encode()}), config)
    assert result.problems == ()
    (change,) = result.changes
    assert change.new.startswith("# Data Flow & Integrations\n\nThis document explains")
    assert "- OrderService" in change.new
    assert "Sessions come from Clerk." not in change.new
    assert change.new.count("<!-- docs-refresh:checksum") == 5
    again = run(MemorySnapshot({**shop_files(), DOC: change.new.encode()}), config)
    assert again.changes == ()


def test_an_unconfigured_headings_only_doc_is_left_alone() -> None:
    result = run(MemorySnapshot({**shop_files(), DOC: HEADINGS_ONLY.encode()}))
    assert result.docs == ()
    assert result.changes == ()
