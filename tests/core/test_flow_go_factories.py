"""Go routes whose handler a factory makes (`mux.HandleFunc("/p", Save(db))`), and interface
families whose implementations share the interface's name in packages of their own, with
many methods each (`flow_dispatch`). Invented code: a pager that posts notes."""

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

PAGER = {
    "go.mod": b"module example.com/pager\n\ngo 1.22\n",
    "web/web.go": (
        b"package web\n\n"
        b'import "net/http"\n\n'
        b"type Config struct{ Token string }\n\n"
        b"type notes struct{}\n\n"
        b"func (n *notes) list(w http.ResponseWriter, r *http.Request) {\n"
        b'\t_, _ = http.Get("https://list.notely.dev/all")\n}\n\n'
        b"func logged(f http.HandlerFunc) http.HandlerFunc { return f }\n\n"
        b"type meter struct{}\n\n"
        b"func counter(cfg *Config) *meter { return &meter{} }\n\n"
        b"func Serve(cfg *Config) {\n"
        b"\tmux := http.NewServeMux()\n"
        b"\tn := &notes{}\n"
        b'\tmux.HandleFunc("/notes", logged(n.list))\n'
        b'\tmux.HandleFunc("/push", PushNote(cfg))\n'
        b'\tmux.HandleFunc("/count", wrapAll(counter(cfg)))\n'
        b'\t_ = http.ListenAndServe(":8080", mux)\n}\n\n'
        b"func wrapAll(m *meter) http.HandlerFunc { return nil }\n"
    ),
    "web/push.go": (
        b"package web\n\n"
        b'import (\n\t"net/http"\n\t"strings"\n)\n\n'
        b"// PushNote makes the handler: the function it returns is written here.\n"
        b"func PushNote(cfg *Config) http.HandlerFunc {\n"
        b"\treturn func(w http.ResponseWriter, r *http.Request) {\n"
        b'\t\t_, _ = http.Post("https://relay.pushably.io/in", "text/plain", '
        b"strings.NewReader(cfg.Token))\n"
        b"\t}\n}\n"
    ),
}


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_the_reader_keeps_what_a_go_function_returns_first() -> None:
    fc = go_calls(
        b"package p\n\n"
        b'import "example.com/x/web/v2"\n\n'
        b"func A(c *Config) web.Handler { return nil }\n"
        b"func B() (*Store, error) { return nil, nil }\n"
        b"func C() func(int) { return nil }\n"
        b"func D() {}\n"
        b"func (s *S) E() (x Sink) { return }\n"
    )
    assert fc is not None
    assert fc.returns == (("A", "web.Handler"), ("B", "Store"), ("C", "func"), ("S.E", "Sink"))


def test_a_route_whose_handler_a_factory_makes_starts_at_the_factory() -> None:
    facts = facts_of(PAGER)
    push = [f for f in facts.flows if f.hops[0].path == "web/push.go"]
    assert push, [f.name for f in facts.flows]
    assert "relay.pushably.io" in push[0].sinks[0].what
    assert [(h.path, h.line, h.what) for h in push[0].hops[:2]] == [
        ("web/push.go", 9, "http entry point (PushNote)"),
        ("web/web.go", 23, "routes /push to PushNote"),  # the factory, not its argument
    ]


def test_a_wrapped_method_value_and_a_non_handler_call_are_not_factories() -> None:
    facts = facts_of(PAGER)
    entries = {(f.hops[0].path, f.hops[0].what) for f in facts.flows}
    # `logged(n.list)`: the wrapped method is the handler, not `logged`.
    assert ("web/web.go", "http entry point (notes.list)") in entries
    assert all("(logged)" not in what for _p, what in entries)
    # `wrapAll(counter(cfg))`: two callees on the line; `counter` makes no handler, so it
    # starts nothing (`wrapAll`, which does, reaches no sink here).
    assert all("(counter)" not in what for _p, what in entries)


# A family named like its interface, one package each, with more methods than the
# repository's start cap can hold in path order.
def _family(n: int) -> dict[str, bytes]:
    files = {
        "go.mod": b"module example.com/bell\n\ngo 1.22\n",
        "ring/ring.go": (
            b"package ring\n\n"
            b"type Notifier interface {\n\tCheck() error\n\tDefaults() int\n"
            b"\tPrepare() error\n\tSend(msg string) error\n}\n"
        ),
        "core/loop.go": (
            b"package core\n\n"
            b'import "example.com/bell/ring"\n\n'
            b"func lookup(kind string) ring.Notifier { return nil }\n\n"
            b"func fire(kind string) {\n"
            b"\tn := lookup(kind)\n"
            b'\t_ = n.Check()\n\t_ = n.Prepare()\n\t_ = n.Defaults()\n\t_ = n.Send("down")\n}\n'
        ),
        # Same name, another package, one of the methods: no member of the family.
        "ring/fake/fake.go": (
            b"package fake\n\ntype Notifier struct{}\n\nfunc (f *Notifier) Send(m string) error "
            b"{ return nil }\n"
        ),
    }
    for i in range(n):
        files[f"ring/k{i:02d}/k.go"] = (
            f"package k{i:02d}\n\n"
            'import "example.com/bell/ring"\n\n'
            "type Notifier struct{}\n\n"
            "var _ ring.Notifier = (*Notifier)(nil)\n\n"
            "func (p *Notifier) Check() error { return p.Prepare() }\n"
            "func (p *Notifier) Defaults() int { return 1 }\n"
            "func (p *Notifier) Prepare() error { return nil }\n"
            "func (p *Notifier) Send(m string) error { return nil }\n"
        ).encode()
    return files


def _dispatch(files: dict[str, bytes]) -> list[tuple[str, int, str, tuple[str, ...]]]:
    parsed = {p: go_calls(b) for p, b in files.items() if p.endswith(".go")}

    def read(path: str) -> FileCalls | None:
        return parsed.get(path)

    return dispatched_methods(list(parsed), read)


def test_implementations_named_like_their_interface_are_a_family() -> None:
    got = _dispatch(_family(3))
    sends = [p for p, line, iface, _by in got if line == 12]
    assert sends == ["ring/k00/k.go", "ring/k01/k.go", "ring/k02/k.go"]
    assert {iface for _p, _l, iface, _by in got} == {"Notifier"}
    assert all(not p.startswith("ring/fake/") for p, *_ in got)  # one method: no member


def test_over_the_cap_every_method_keeps_starts() -> None:
    got = _dispatch(_family(30))  # 4 methods x 30 types: over the cap
    assert len(got) == MAX_STARTS
    by_line: dict[int, int] = {}
    for _p, line, _i, _by in got:
        by_line[line] = by_line.get(line, 0) + 1
    assert set(by_line) == {9, 10, 11, 12}  # Check, Defaults, Prepare, Send: each its turn
    assert min(by_line.values()) == MAX_STARTS // 4


def test_an_implementation_calling_its_own_method_comes_after_the_dispatcher() -> None:
    got = _dispatch(_family(3))
    prepare = next(by for _p, line, _i, by in got if line == 11)
    assert prepare[0] == "core/loop.go"  # then the implementations' own `p.Prepare()`
    assert set(prepare[1:]) == {"ring/k00/k.go", "ring/k01/k.go", "ring/k02/k.go"}


def test_hostile_factory_lines_and_result_types_stay_bounded() -> None:
    # One registration line with 20k calls, and 5k functions with deeply nested results.
    calls = ", ".join(f"make{i}(cfg)" for i in range(20_000))
    funcs = "".join(
        f"func make{i}(c *Config) func(func(func(int))) {{ return nil }}\n" for i in range(5_000)
    )
    src = (
        'package p\n\nimport "net/http"\n\n'
        + funcs
        + "func Serve(cfg *Config) {\n\tmux := http.NewServeMux()\n"
        + f'\tmux.HandleFunc("/x", all({calls}))\n}}\n'
    ).encode()
    began = time.process_time()
    fc = go_calls(src)
    assert fc is not None
    assert len(fc.returns) == 5_000
    facts_of({"go.mod": b"module example.com/p\n", "p/p.go": src})
    assert time.process_time() - began < 30
