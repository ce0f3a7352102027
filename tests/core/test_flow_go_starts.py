"""Go flows through goroutines, function-literal parameters, same-package interface
implementations, constructors and route method values through fields (issue 18)."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.calls import go_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_calls_go import MAX_IMPLEMENTATIONS
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_go_locals_get_types_from_var_func_literal_parameters_and_typed_slices() -> None:
    src = (
        b"package relay\n\n"
        b"type Sink interface { Push(x int) error }\n\n"
        b"func Pump(all []Sink) {\n"
        b"\tvar first Sink\n"
        b"\tfirst.Push(1)\n"
        b"\tfor _, each := range all {\n\t\teach.Push(2)\n\t}\n"
        b"\tgo func(one Sink) {\n\t\tone.Push(3)\n\t}(first)\n"
        b"}\n"
    )
    fc = go_calls(src)
    assert fc is not None
    pushes = [(c.line, c.parts[0], c.head_type) for c in fc.calls if c.parts[-1] == "Push"]
    assert pushes == [
        (7, "first", ("", "Sink")),
        (9, "each", ("", "Sink")),
        (12, "one", ("", "Sink")),
    ]


# A fan-out worker: a queue's consumer sends to each destination in a goroutine; the
# destinations implement the interface beside it, and the SDK client is made in the
# implementation's constructor, not in the method the worker calls.
FANOUT = {
    "go.mod": b"module example.com/relay\n\ngo 1.22\n",
    "alert/alert.go": (
        b"package alert\n\n"
        b'import "context"\n\n'
        b"type Note struct{ Text string }\n\n"
        b"type Target interface {\n"
        b"\tDeliver(ctx context.Context, n Note) error\n"
        b"\tName() string\n}\n\n"
        b"type Hub struct {\n\tinbox chan Note\n\ttargets []Target\n}\n\n"
        b"func NewHub(targets ...Target) *Hub {\n"
        b"\th := &Hub{inbox: make(chan Note, 10), targets: targets}\n"
        b"\tgo h.loop()\n\treturn h\n}\n\n"
        b"func (h *Hub) Post(n Note) {\n\th.inbox <- n\n}\n\n"
        b"func (h *Hub) loop() {\n"
        b"\tfor n := range h.inbox {\n"
        b"\t\tfor _, t := range h.targets {\n"
        b"\t\t\tgo func(tg Target) {\n"
        b"\t\t\t\t_ = tg.Deliver(context.Background(), n)\n"
        b"\t\t\t}(t)\n"
        b"\t\t}\n\t}\n}\n"
    ),
    "alert/chat.go": (
        b"package alert\n\n"
        b'import (\n\t"context"\n\n\t"github.com/slack-go/slack"\n)\n\n'
        b"type Chat struct{ client *slack.Client }\n\n"
        b"func NewChat(token string) *Chat {\n"
        b"\treturn &Chat{client: slack.New(token)}\n}\n\n"
        b"func (c *Chat) Deliver(ctx context.Context, n Note) error {\n"
        b"\treturn c.post(ctx, n.Text)\n}\n\n"
        b"func (c *Chat) post(ctx context.Context, text string) error { return nil }\n\n"
        b'func (c *Chat) Name() string { return "chat" }\n'
    ),
    "alert/alert_mock.go": (
        b"package alert\n\n"
        b'import "context"\n\n'
        b"type TargetMock struct{}\n\n"
        b"func (m *TargetMock) Deliver(ctx context.Context, n Note) error { return nil }\n\n"
        b'func (m *TargetMock) Name() string { return "mock" }\n'
    ),
}


def test_a_worker_reaches_an_implementation_beside_its_interface_and_its_constructor() -> None:
    facts = facts_of(FANOUT)
    flows = [f for f in facts.flows if f.hops[0].path == "alert/alert.go" and "Slack" in f.name]
    assert flows, [f.name for f in facts.flows]
    hops = [(h.path, h.line, h.what) for h in (*flows[0].hops, *flows[0].sinks)]
    # The sink is the client the implementation's constructor made (`slack.New`).
    assert ("alert/chat.go", 12, "uses Slack") in hops
    assert all("Mock" not in w for _, _, w in hops)


ROUTED = {
    "go.mod": b"module example.com/site\n\ngo 1.22\n",
    "web/server.go": (
        b"package web\n\n"
        b'import (\n\t"net/http"\n\n\t"example.com/site/proxy"\n)\n\n'
        b"type Server struct {\n\tPics *proxy.Pictures\n}\n\n"
        b"func (s *Server) routes(mux *http.ServeMux) {\n"
        b'\tmux.HandleFunc("GET /pic", s.Pics.Serve)\n}\n'
    ),
    "proxy/pictures.go": (
        b"package proxy\n\n"
        b'import "net/http"\n\n'
        b"type Pictures struct{ client *http.Client }\n\n"
        b"func (p Pictures) Serve(w http.ResponseWriter, r *http.Request) {\n"
        b'\treq, _ := http.NewRequest("GET", "https://images.example.org/x", nil)\n'
        b"\t_, _ = p.client.Do(req)\n}\n"
    ),
}


def test_a_route_method_value_through_a_receiver_field_starts_at_the_method() -> None:
    facts = facts_of(ROUTED)
    flows = [f for f in facts.flows if f.hops[0].path == "proxy/pictures.go"]
    assert flows, [f.name for f in facts.flows]
    assert flows[0].hops[0].what == "http entry point (Pictures.Serve)"
    assert ("web/server.go", 14) in [(h.path, h.line) for h in flows[0].hops]


def test_many_implementations_and_nested_goroutines_stay_bounded() -> None:
    # Hostile: 10k types implementing one interface beside it, and 2k nested goroutines.
    many = "".join(
        f"type T{i} struct{{}}\nfunc (T{i}) Run() {{}}\n" for i in range(10_000)
    ).encode()
    nested = b"func Deep(r Runner) {\n" + b"go func(x Runner) {\n" * 2000
    nested += b"x.Run()\n" + b"}(r)\n" * 2000 + b"}\n"
    files = {
        "go.mod": b"module example.com/h\n\ngo 1.22\n",
        "h/h.go": b"package h\n\ntype Runner interface { Run() }\n\n" + many,
        "h/deep.go": b"package h\n\n" + nested,
        "h/loop.go": (
            b'package h\n\nimport "time"\n\n'
            b"func Tick(r Runner) {\n\tt := time.NewTicker(time.Second)\n"
            b"\tfor range t.C {\n\t\tr.Run()\n\t\tDeep(r)\n\t}\n}\n"
        ),
    }
    began = time.monotonic()
    facts = facts_of(files)
    assert time.monotonic() - began < 60
    for f in facts.flows:
        assert len(f.alternatives) < MAX_IMPLEMENTATIONS + 1
