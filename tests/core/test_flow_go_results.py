"""Go calls on what another call returned: a local a lookup function fills
(`n := reg.NotifierFor(kind)`; `n.Send(…)`), a method called on a call's result
(`store.Current().Save(x)`, `tx.WithContext(ctx).Create(&row)`), typed by the callee's
declared result. Invented code: a kennel that pages its keepers."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.calls import go_calls
from bot.core.call_sites import FileCalls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_dispatch import dispatched_methods
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_the_reader_types_locals_and_chains_by_the_call_that_made_them() -> None:
    fc = go_calls(
        b"package k\n\n"
        b'import "gorm.io/gorm"\n\n'
        b"type Repo struct{ db *gorm.DB }\n\n"
        b"func (r *Repo) Put(ctx int, reg *Registry) {\n"
        b"\tr.db.WithContext(ctx).Where(1).First(&x)\n"
        b"\tn := reg.NotifierFor(2)\n"
        b"\tn.Send(3)\n"
        b"\tshelf.Current().Save(4)\n"
        b"\tpens[0].Open()\n"
        b"\tLabel(5).Print()\n"
        b"}\n"
    )
    assert fc is not None
    got = {c.parts: (c.head_type, c.made_by) for c in fc.calls if len(c.parts) > 1}
    assert got[("r", "db", "WithContext", "Where", "First")] == (
        ("", "Repo"),
        ("r", "db", "WithContext", "Where"),
    )
    assert got[("n", "Send")] == (None, ("reg", "NotifierFor"))
    assert got[("shelf", "Current", "Save")] == (None, ("shelf", "Current"))
    # An index or a conversion starts no chain the reader names.
    assert not any(p[-1] in ("Open", "Print") for p in got)


KENNEL = {
    "go.mod": b"module example.com/kennel\n\ngo 1.22\n",
    "page/page.go": (
        b"package page\n\ntype Notifier interface {\n\tSend(msg string) error\n\tName() string\n}\n"
    ),
    "page/setup.go": (
        b"package page\n\n"
        b'import "net/http"\n\n'
        b"type Registry struct{ all map[string]Notifier }\n\n"
        b"func (r *Registry) NotifierFor(kind string) Notifier { return r.all[kind] }\n\n"
        b"type Stats struct{}\n\n"
        b"func (r *Registry) StatsFor(kind string) *Stats { return &Stats{} }\n\n"
        b"func (s *Stats) Send(msg string) error {\n"
        b'\t_, err := http.Post("https://stats.countly.dev/c", "text/plain", nil)\n'
        b"\treturn err\n}\n"
    ),
    "page/beeper/beeper.go": (
        b"package beeper\n\n"
        b'import "net/http"\n\n'
        b"type Notifier struct{ URL string }\n\n"
        b'func (b *Notifier) Name() string { return "beeper" }\n\n'
        b"func (b *Notifier) Send(msg string) error {\n"
        b'\t_, err := http.Post("https://api.beeperly.io/v1/page", "text/plain", nil)\n'
        b"\treturn err\n}\n"
    ),
    "page/horn/horn.go": (
        b"package horn\n\n"
        b'import "net/http"\n\n'
        b"type Notifier struct{}\n\n"
        b'func (h *Notifier) Name() string { return "horn" }\n\n'
        b"func (h *Notifier) Send(msg string) error {\n"
        b'\t_, err := http.Post("https://hooks.hornly.net/in", "text/plain", nil)\n'
        b"\treturn err\n}\n"
    ),
    "main.go": (
        b"package main\n\n"
        b'import (\n\t"time"\n\n\t"example.com/kennel/page"\n'
        b'\t_ "example.com/kennel/page/beeper"\n\t_ "example.com/kennel/page/horn"\n)\n\n'
        b"func watch(reg *page.Registry) {\n"
        b"\tfor range time.Tick(time.Minute) {\n"
        b'\t\tn := reg.NotifierFor("dog")\n'
        b'\t\t_ = n.Send("bark")\n'
        b'\t\ts := reg.StatsFor("dog")\n'
        b'\t\t_ = s.Send("count")\n'
        b"\t}\n}\n\n"
        b"func main() {\n\tgo watch(&page.Registry{})\n\tselect {}\n}\n"
    ),
}


def test_a_lookup_returning_an_interface_goes_on_to_its_implementations() -> None:
    facts = facts_of(KENNEL)
    flow = next(f for f in facts.flows if f.hops[0].path == "main.go")
    assert ("main.go", 14, "calls beeper.Notifier.Send") in [
        (h.path, h.line, h.what) for h in flow.hops
    ]
    assert "beeperly" in flow.sinks[0].what
    assert "hooks.hornly.net" in flow.name  # the other implementation, as an alternative


def test_a_lookup_returning_a_concrete_type_calls_that_type_only() -> None:
    # `StatsFor` returns `*Stats` (line 16): never the notifiers' `Send`. (A concrete
    # result's methods are not followed at all: mostly accessors, they would use up the
    # walk's budget.)
    facts = facts_of(KENNEL)
    at16 = [h.what for f in facts.flows for h in f.hops if (h.path, h.line) == ("main.go", 16)]
    assert all("Notifier" not in w for w in at16)
    assert all("countly" not in s.what for f in facts.flows for s in f.sinks)


def test_a_builder_chain_is_no_dispatching_call() -> None:
    # `c.Status(200).Send(b)` calls a builder's `Send`: it makes no `Send` dispatched.
    files = {
        "p/p.go": (
            b"package p\n\n"
            b"type S interface {\n\tSend(m string)\n\tStop()\n}\n\n"
            b"type A struct{}\n\nfunc (A) Send(m string) {}\nfunc (A) Stop() {}\n\n"
            b"type B struct{}\n\nfunc (B) Send(m string) {}\nfunc (B) Stop() {}\n\n"
            b"type C struct{}\n\nfunc (C) Send(m string) {}\nfunc (C) Stop() {}\n\n"
            b'func reply(c *Ctx) { c.Status(200).Send("ok") }\n'
        )
    }
    parsed = {p: go_calls(b) for p, b in files.items()}

    def read(path: str) -> FileCalls | None:
        return parsed.get(path)

    assert dispatched_methods(list(parsed), read) == []


def test_hostile_long_chains_and_many_made_locals_stay_bounded() -> None:
    chain = "x" + ".f()" * 3_000
    locals_ = "".join(f"\tv{i} := reg.Get{i}()\n\tv{i}.Run()\n" for i in range(10_000))
    src = f"package p\n\nfunc big(reg *R) {{\n\t{chain}\n{locals_}}}\n".encode()
    began = time.process_time()
    fc = go_calls(src)
    assert fc is not None
    assert all(len(c.parts) <= 7 for c in fc.calls)
    facts_of({"go.mod": b"module example.com/p\n", "p/p.go": src})
    assert time.process_time() - began < 30


def test_a_query_chained_on_a_typed_handle_is_a_store_call() -> None:
    files = {
        "go.mod": b"module example.com/barn\n\ngo 1.22\n\nrequire gorm.io/gorm v1.25.0\n",
        "barn/barn.go": (
            b"package barn\n\n"
            b'import (\n\t"context"\n\t"net/http"\n\n\t"gorm.io/gorm"\n)\n\n'
            b"type Hay struct{ ID int }\n\n"
            b"type Barn struct{ db *gorm.DB }\n\n"
            b"func (b *Barn) stack(w http.ResponseWriter, r *http.Request) {\n"
            b"\tvar h Hay\n"
            b'\t_ = b.db.WithContext(context.Background()).Where("id = ?", 1).First(&h).Error\n'
            b"}\n\n"
            b"func (b *Barn) routes(mux *http.ServeMux) {\n"
            b'\tmux.HandleFunc("/hay", b.stack)\n}\n'
        ),
    }
    facts = facts_of(files)
    sinks = [s.what for f in facts.flows for s in f.sinks]
    assert any("GORM" in s and "First" in s for s in sinks), sinks
