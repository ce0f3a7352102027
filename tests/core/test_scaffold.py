from __future__ import annotations

import pytest

from bot.core.document_sections import inspect_document_sections, replace_document_sections
from bot.core.documents import OWNED_IDS, is_data_flow_doc, parse_data_flow_doc
from bot.core.markers import parse_document
from bot.core.model import Edge, Evidence, Module, RepoFacts
from bot.core.refresh import render_sections
from bot.core.scaffold import SCAFFOLD_PATHS, V1, V2, scaffold_doc
from bot.core.sections import GENERATED

PATHS = ("api/app.py", "lib/db.py")
FACTS = RepoFacts(
    modules=(Module("api", "api", 1, "python"), Module("lib", "lib", 1, "python")),
    edges=(Edge("api", "lib", 2, (Evidence("api/app.py", 3),)),),
)


def test_a_v2_scaffold_has_dotcontext_front_matter_and_every_owned_section_filled() -> None:
    doc = scaffold_doc(FACTS, PATHS, V2, generated="2026-12-06")
    assert is_data_flow_doc(doc, SCAFFOLD_PATHS[V2])
    assert doc.startswith("---\ntype: doc\nname: data-flow\n")
    assert 'generated: 2026-12-06\nstatus: filled\nscaffoldVersion: "2.0.0"\n---\n' in doc
    parsed = parse_data_flow_doc(doc)
    assert tuple(parsed.owned) == OWNED_IDS
    states, repeats = inspect_document_sections(doc)
    assert {s.state for s in states} == {GENERATED}
    assert repeats == ()
    assert "- `api` → lib (2 imports, e.g. `api/app.py:3`)" in doc


def test_a_v2_scaffold_is_already_fresh_for_its_facts() -> None:
    doc = scaffold_doc(FACTS, PATHS)
    assert replace_document_sections(doc, render_sections(FACTS, PATHS)).text == doc


def test_without_a_date_the_scaffold_has_no_generated_key() -> None:
    assert "generated:" not in scaffold_doc(FACTS, PATHS)


def test_a_v1_scaffold_keeps_the_marker_layout() -> None:
    doc = scaffold_doc(FACTS, PATHS, V1)
    assert [b.id for b in parse_document(doc).blocks] == ["data-flow"]
    assert "<!-- agent-readonly:guidance -->" in doc
    assert "## Module Dependencies" not in doc


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown doc format"):
        scaffold_doc(FACTS, PATHS, "v3")
