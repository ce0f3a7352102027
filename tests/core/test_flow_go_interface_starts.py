"""Go flows that start at each implementation of a dispatched interface method
(`flow_dispatch`), function values handed to a call, and another file's package-level
requests kept out of every function's walk. Invented code: a board of panels."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.calls import go_calls
from bot.core.call_sites import FileCalls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_dispatch import MAX_STARTS, dispatched_methods
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

BOARD = {
    "go.mod": b"module example.com/board\n\ngo 1.22\n",
    "board/panel.go": (
        b"package board\n\n"
        b'import "context"\n\n'
        b"type panel interface {\n\trefresh(ctx context.Context)\n\tpaint() string\n"
        b"\tkind() string\n\tid() int\n}\n\n"
        b"type panelBase struct{ ID int }\n\n"
        b'func (b *panelBase) kind() string { return "base" }\n\n'
        b"func (b *panelBase) id() int { return b.ID }\n\n"
        b"type panels []panel\n\n"
        b"type sheet struct{ Items panels }\n\n"
        b"func (s *sheet) refreshAll() {\n"
        b"\tfor i := range s.Items {\n"
        b"\t\tp := s.Items[i]\n"
        b"\t\tp.refresh(context.Background())\n"
        b"\t}\n"
        b"\t// p.paint() is done by the template\n"
        b"}\n"
    ),
    "board/panel-sky.go": (
        b"package board\n\n"
        b'import (\n\t"context"\n\t"net/http"\n)\n\n'
        b"type skyPanel struct {\n\tpanelBase\n\tCity string\n}\n\n"
        b"func (p *skyPanel) refresh(ctx context.Context) {\n"
        b"\trunAll(fetchSky, []string{p.City})\n}\n\n"
        b'func (p *skyPanel) paint() string { return "sky" }\n\n'
        b"func fetchSky(city string) {\n"
        b'\treq, _ := http.NewRequest("GET", "https://api.skyfeed.io/now?c="+city, nil)\n'
        b"\t_, _ = http.DefaultClient.Do(req)\n}\n"
    ),
    "board/panel-quote.go": (
        b"package board\n\n"
        b'import (\n\t"context"\n\t"net/http"\n)\n\n'
        b"type quotePanel struct{ panelBase }\n\n"
        b"func (p *quotePanel) refresh(ctx context.Context) {\n"
        b'\treq, _ := http.NewRequest("GET", "https://quotes.tickerly.net/v1/q", nil)\n'
        b"\t_, _ = http.DefaultClient.Do(req)\n}\n\n"
        b'func (p *quotePanel) paint() string { return "quote" }\n'
    ),
    "board/panel-note.go": (
        b"package board\n\n"
        b'import "context"\n\n'
        b"type notePanel struct{ panelBase }\n\n"
        b"func (p *notePanel) refresh(ctx context.Context) {}\n\n"
        b'func (p *notePanel) paint() string { return "note" }\n'
    ),
    # A same-named method on a type that is no panel (no paint, no base): not a start.
    "board/cache.go": (
        b"package board\n\n"
        b'import (\n\t"context"\n\t"net/http"\n)\n\n'
        b"type cache struct{}\n\n"
        b"func (c *cache) refresh(ctx context.Context) {\n"
        b'\treq, _ := http.NewRequest("GET", "https://mirror.cachely.org/x", nil)\n'
        b"\t_, _ = http.DefaultClient.Do(req)\n}\n"
    ),
    "board/pool.go": (
        b"package board\n\n"
        b"func runAll(task func(string), items []string) {\n"
        b"\tfor _, it := range items {\n\t\ttask(it)\n\t}\n}\n"
    ),
    # A table of checks written at package level: its requests run when a check is
    # called, not in every function of the package.
    "board/checks.go": (
        b"package board\n\n"
        b'import "net/http"\n\n'
        b"var checks = []func() error{\n"
        b"\tfunc() error {\n"
        b'\t\t_, err := http.Get("https://probe.checkly-dns.net/q")\n'
        b"\t\treturn err\n\t},\n}\n"
    ),
}


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def _calls(files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    parsed = {p: go_calls(b) for p, b in files.items() if p.endswith(".go")}

    def read(path: str) -> FileCalls | None:
        return parsed.get(path)

    return list(parsed), read


def test_each_implementation_of_a_called_interface_method_is_a_start() -> None:
    paths, read = _calls(BOARD)
    got = [(p, iface) for p, _line, iface, _by in dispatched_methods(paths, read)]
    # The three panels' `refresh`; not `paint` (only a comment calls it), not the cache's.
    assert got == [
        ("board/panel-note.go", "panel"),
        ("board/panel-quote.go", "panel"),
        ("board/panel-sky.go", "panel"),
    ]
    assert {by for *_, by in dispatched_methods(paths, read)} == {("board/panel.go",)}


def test_two_implementations_are_no_family() -> None:
    two = {k: v for k, v in BOARD.items() if k != "board/panel-note.go"}
    paths, read = _calls(two)
    assert dispatched_methods(paths, read) == []


def test_panel_flows_reach_their_hosts_through_a_function_value() -> None:
    facts = facts_of(BOARD)
    # Keyed by the implementation's file: each flow starts at the call that dispatches.
    by_entry = {f.hops[1].path: f for f in facts.flows}
    sky = by_entry.get("board/panel-sky.go")
    assert sky is not None, [f.name for f in facts.flows]
    assert "api.skyfeed.io" in sky.sinks[0].what
    assert [(h.path, h.what) for h in sky.hops] == [
        ("board/panel.go", "calls p.refresh on each implementation"),
        ("board/panel-sky.go", "worker entry point (skyPanel.refresh)"),
        ("board/panel-sky.go", "calls fetchSky"),
    ]
    assert BOARD["board/panel.go"].splitlines()[sky.hops[0].line - 1].strip() == (
        b"p.refresh(context.Background())"
    )
    assert "tickerly" in by_entry["board/panel-quote.go"].sinks[0].what
    # The cache's `refresh` starts nothing; the package-level check table is no one's sink.
    assert "board/cache.go" not in by_entry
    assert all("checkly" not in s.what for f in facts.flows for s in f.sinks)


def test_function_values_skip_locals_and_parameters() -> None:
    src = (
        b"package x\n\n"
        b"type Task struct{}\n\n"
        b"func run(task Task) {\n"
        b"\tlocal := 1\n"
        b"\tuse(task, local, helper, nil)\n"
        b"}\n"
    )
    fc = go_calls(src)
    assert fc is not None
    bare = [c.parts for c in fc.calls if len(c.parts) == 1]
    # `task` is a typed parameter; `local` is handed on, and the walk resolves only names
    # the package defines as functions.
    assert ("helper",) in bare
    assert ("task",) not in bare
    assert ("nil",) not in bare


def test_hostile_many_types_and_long_argument_lists_stay_fast() -> None:
    # 20k types, each defining the method of a two-method interface, and one line with
    # 50k identifiers handed to one call.
    many = "".join(
        f"type T{i} struct{{}}\nfunc (t T{i}) Run() {{}}\nfunc (t T{i}) Stop() {{}}\n"
        for i in range(20_000)
    )
    src = (
        "package p\n\ntype R interface {\n\tRun()\n\tStop()\n}\n\n"
        + many
        + "func go1(r R) {\n\tr.Run()\n\tcall("
        + ", ".join(f"a{i}" for i in range(50_000))
        + ")\n}\n"
    ).encode()
    began = time.process_time()
    paths, read = _calls({"p/p.go": src})
    dispatched_methods(paths, read)
    assert time.process_time() - began < 20


def test_a_large_family_is_capped() -> None:
    types = "".join(
        f"type T{i} struct{{}}\nfunc (t T{i}) Run() {{}}\nfunc (t T{i}) Stop() {{}}\n"
        for i in range(200)
    )
    head = "package p\n\ntype R interface {\n\tRun()\n\tStop()\n}\n\n"
    src = f"{head}{types}func go1(r R) {{ r.Run() }}\n"
    paths, read = _calls({"p/p.go": src.encode()})
    assert len(dispatched_methods(paths, read)) == MAX_STARTS


def test_an_unexported_method_on_an_unseen_type_is_the_packages_own() -> None:
    files = dict(BOARD)
    files["board/server.go"] = (
        b"package board\n\n"
        b'import "net/http"\n\n'
        b"type app struct{ sheets map[string]*sheet }\n\n"
        b"func (a *app) show(w http.ResponseWriter, r *http.Request) {\n"
        b'\tsh, ok := a.sheets[r.PathValue("name")]\n'
        b"\tif ok {\n\t\tsh.refreshAll()\n\t}\n"
        b"\tsh.flush()\n"
        b"}\n\n"
        b"func (a *app) serve() {\n"
        b"\tmux := http.NewServeMux()\n"
        b'\tmux.HandleFunc("GET /board/{name}", a.show)\n'
        b'\t_ = http.ListenAndServe(":8080", mux)\n}\n'
    )
    # Two types define `flush` and no interface declares it: which one runs is unknown.
    files["board/flush.go"] = (
        b"package board\n\n"
        b'import "net/http"\n\n'
        b"type rows struct{}\n\ntype cells struct{}\n\n"
        b'func (r *rows) flush() { _, _ = http.Get("https://rows.flushly.net/x") }\n\n'
        b'func (c *cells) flush() { _, _ = http.Get("https://cells.flushly.net/x") }\n'
    )
    facts = facts_of(files)
    shown = [f for f in facts.flows if f.hops[0].path == "board/server.go"]
    assert shown, [f.name for f in facts.flows]
    hops = [h.what for f in shown for h in f.hops]
    assert "calls board.sheet.refreshAll" in hops
    assert "calls board.cache.refresh" not in hops  # a `refresh` of no panel
    # …and through the interface call in it, on to the panels' requests.
    assert any("skyfeed" in s.what or "tickerly" in s.what for f in shown for s in f.sinks)
    assert all("flushly" not in s.what for f in shown for s in f.sinks)
