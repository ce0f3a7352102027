import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import pool
from bot.core.model import (
    Dependency,
    EnvRead,
    Evidence,
    FileFacts,
    HandoffSite,
    ImportRef,
    OutboundCall,
    RepoFacts,
    ScheduleSite,
    Service,
    Signal,
)
from bot.core.snapshot import MemorySnapshot, git_blob_sha


def test_git_blob_sha_matches_git_for_known_content() -> None:
    # `printf 'hello\n' | git hash-object --stdin`
    assert git_blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_file_facts_round_trip_through_json() -> None:
    facts = FileFacts(
        language="python",
        imports=(ImportRef("os.path", 1), ImportRef("", 2, level=1, names=("sub",))),
        env=(EnvRead("DATABASE_URL", 3),),
        signals=(Signal("entrypoint.http", "Flask route /", 7, "GET /"),),
        dependencies=(Dependency("pypi", "flask", 1),),
        meta=(("module", "example.com/x"),),
        calls=(OutboundCall("http", 9, "requests", "api.example.com", "", "literal", "10"),),
    )
    assert FileFacts.from_json(facts.to_json()) == facts


_text = st.text(max_size=12)
_line = st.integers(min_value=1, max_value=10**6)
_file_facts = st.builds(
    FileFacts,
    language=st.sampled_from(["python", "typescript", "ruby", "manifest", "other"]),
    imports=st.lists(
        st.builds(
            ImportRef,
            _text,
            _line,
            st.integers(0, 3),
            st.lists(_text, max_size=3).map(tuple),
            st.sampled_from(["import", "require", "dynamic"]),
            st.lists(_line, max_size=3).map(tuple),
        ),
        max_size=4,
    ).map(tuple),
    env=st.lists(st.builds(EnvRead, _text, _line), max_size=3).map(tuple),
    signals=st.lists(st.builds(Signal, _text, _text, st.none() | _line, _text), max_size=3).map(
        tuple
    ),
    dependencies=st.lists(
        st.builds(Dependency, _text, _text, st.none() | _line, _text), max_size=3
    ).map(tuple),
    meta=st.lists(st.tuples(_text, _text), max_size=2).map(tuple),
    handoffs=st.lists(
        st.builds(
            HandoffSite,
            st.sampled_from(("produce", "consume")),
            _text,
            _text,
            _line,
            st.lists(_text, max_size=2).map(tuple),
        ),
        max_size=2,
    ).map(tuple),
    schedules=st.lists(st.builds(ScheduleSite, _text, _text, _text, _line, _text), max_size=2).map(
        tuple
    ),
    calls=st.lists(
        st.builds(OutboundCall, _text, _line, _text, _text, _text, _text, _text), max_size=3
    ).map(tuple),
)


@given(_file_facts)
def test_file_facts_round_trip_through_a_compact_json_row(facts: FileFacts) -> None:
    stored = json.dumps(facts.to_row(), separators=(",", ":"))
    assert FileFacts.from_row(json.loads(stored)) == facts


@given(_file_facts)
def test_file_facts_travel_back_from_a_pool_worker_whole(facts: FileFacts) -> None:
    assert pool.unpack(pool.pack([("k", facts)])) == [("k", facts)]


def test_an_import_row_of_five_items_has_no_name_lines() -> None:
    row = FileFacts("python", imports=(ImportRef("a", 1, 0, ("b",)),)).to_row()
    assert len(row[1][0]) == 5
    assert FileFacts.from_row(row).imports == (ImportRef("a", 1, 0, ("b",)),)
    bad = [*row[:1], [["a", 1, 0, ["b"], "import", [2], [3]]], *row[2:]]
    with pytest.raises(ValueError, match="five or six"):
        FileFacts.from_row(bad)


def test_a_row_written_before_outbound_calls_is_refused_so_it_is_recomputed() -> None:
    with pytest.raises(ValueError, match="unpack"):
        FileFacts.from_row(["python", [], [], [], [], [], [], []])


def test_repo_facts_json_has_documented_top_level() -> None:
    facts = RepoFacts(
        source="abc",
        datastores=(Service("PostgreSQL", "datastore", "used", (Evidence("app.py", 3),)),),
    )
    data = facts.to_json()
    assert list(data) == [
        "version",
        "source",
        "entrypoints",
        "modules",
        "edges",
        "datastores",
        "integrations",
        "deployment",
        "observability",
        "resilience",
        "handoffs",
        "schedules",
        "flows",
        "skipped",
    ]
    assert data["datastores"][0]["evidence"] == [{"path": "app.py", "line": 3}]


def test_memory_snapshot_lists_sorted_entries_and_applies_changes() -> None:
    snap = MemorySnapshot({"b.py": b"x", "a.py": b"y"})
    assert [e.path for e in snap.entries()] == ["a.py", "b.py"]
    changed = snap.with_files({"a.py": None, "c.py": b"z"})
    assert [e.path for e in changed.entries()] == ["b.py", "c.py"]
