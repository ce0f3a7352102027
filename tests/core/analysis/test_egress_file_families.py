"""File families (`egress_file_families`): a request to a handed-over address in `panel-<name>.go`
among five or more siblings is named by `<name>`. Invented Go app; look-alikes: a family
of four, a written host, a setting's URL, a folder of differently named files."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_file_families import MIN_FAMILY, family_names
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def _panel(word: str, body: str) -> bytes:
    return (
        f'package board\n\nimport "net/http"\n\ntype {word}Panel struct{{ URL string }}\n\n'
        f"func (p *{word}Panel) refresh() {{\n{body}\n}}\n"
    ).encode()


SEND = "\n\t_, _ = http.DefaultClient.Do(req)"
HANDED = '\treq, _ := http.NewRequest("GET", p.URL+"/api/stats", nil)' + SEND
WRITTEN = '\treq, _ := http.NewRequest("GET", "https://api.tidewatch.io/v2", nil)' + SEND


def _board(count: int) -> dict[str, bytes]:
    files = {"go.mod": b"module example.com/board\n\ngo 1.22\n"}
    words = ["gauge", "tides", "ledger", "pulse", "orbit", "quill"][:count]
    for word in words:
        files[f"board/panel-{word}.go"] = _panel(word, HANDED if word != "tides" else WRITTEN)
    # Not of the family: another prefix in the same folder.
    files["board/store-rows.go"] = _panel("rows", HANDED)
    return files


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_family_members_are_named_after_their_prefix() -> None:
    paths = [f"w/widget-{w}.go" for w in ("a1", "b2", "c3", "d4", "e5")] + [
        "w/widget.go",  # no suffix
        "w/page-x.go",  # another prefix
        "w/widget-x.ts",  # another extension
        "v/widget-zz.go",  # another folder
    ]
    assert family_names(paths) == {p: p[9:-3] for p in paths[:MIN_FAMILY]}
    assert family_names(paths[: MIN_FAMILY - 1]) == {}


def test_a_handed_over_address_in_a_family_file_is_named_by_the_file() -> None:
    names = {s.name for s in facts_of(_board(6)).integrations}
    assert {"Gauge", "Ledger", "Pulse", "Orbit", "Quill"} <= names
    assert "api.tidewatch.io" in names  # a written host keeps its own name
    assert "Rows" not in names
    assert "Tides" not in names


def test_four_siblings_are_no_family() -> None:
    names = {s.name for s in facts_of(_board(4)).integrations}
    assert not {"Gauge", "Ledger", "Pulse"} & names


def test_hostile_many_paths_stay_linear() -> None:
    paths = [f"d{i % 50}/p-{i}{'-x' * 200}.go" for i in range(100_000)]
    began = time.process_time()
    assert len(family_names(paths)) == 100_000
    assert time.process_time() - began < 5


def test_a_family_member_named_for_a_transport_or_a_role_names_no_service() -> None:
    files = _board(6)
    files["board/panel-httpclient.go"] = _panel("hc", HANDED)  # the family's own client
    names = {s.name for s in facts_of(files).integrations}
    assert "Httpclient" not in names
    dotted = [f"a/detect-{w}.client.ts" for w in ("a", "b", "c", "d", "e")]
    assert family_names(dotted) == {}
