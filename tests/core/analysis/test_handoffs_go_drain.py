"""Go struct channels drained by the struct's own worker (`drain` sites), in-function
pipelines cited at the ranging function, and goroutines started through `.Go(func`.

Fixtures written for these tests: an alerting service whose `Enqueue` method puts requests on
a buffered field that its `loop` goroutine receives in a `select`, a thumbnail service whose
`Queue` method starts its own drain once (`group.Go(func() {`) and a pipeline whose
function ranges over the channel its goroutine fills.
"""

from __future__ import annotations

import time

from bot.core.analysis.handoffs import go_sites
from tests.core.analysis.test_handoff_links import GO_MOD, by_name, ends, facts_of

ALERTS = b"""package alerts

import "sync"

type Alert struct{ Text string }

type Hub struct {
\tpending chan Alert
\tacks    chan Ack
\tstop    chan struct{}
\twg      sync.WaitGroup
}

func New(size int) *Hub {
\th := &Hub{pending: make(chan Alert, size), acks: make(chan Ack, size)}
\tgo h.loop()
\treturn h
}

// Enqueue drops the alert when the queue is full
func (h *Hub) Enqueue(a Alert) {
\tselect {
\tcase h.pending <- a:
\tdefault:
\t}
}

func (h *Hub) loop() {
\tfor {
\t\tselect {
\t\tcase a, ok := <-h.pending:
\t\t\tif !ok {
\t\t\t\treturn
\t\t\t}
\t\t\tdeliver(a)
\t\tcase <-h.stop:
\t\t\treturn
\t\t}
\t}
}

func (h *Hub) Close() { close(h.acks) }
"""

WEB = b"""package web

import "example.com/app/alerts"

type Server struct{ hub *alerts.Hub }

func (s *Server) post(text string) {
\ts.hub.Enqueue(alerts.Alert{Text: text})
}
"""

THUMBS = b"""package thumbs

import (
\t"sync"
\t"time"
)

type job struct{ ids func() []string }

type Service struct {
\tonce  sync.Once
\tgroup sync.WaitGroup
\tqueue chan job
}

func (s *Service) Queue(idsFn func() []string) {
\ts.once.Do(func() {
\t\ts.queue = make(chan job, 100)
\t\ts.group.Go(func() {
\t\t\tfor j := range s.queue {
\t\t\t\ttime.Sleep(time.Second)
\t\t\t\tmake_thumbs(j.ids())
\t\t\t}
\t\t})
\t})
\ts.queue <- job{ids: idsFn}
}
"""

STORE = b"""package store

import "example.com/app/thumbs"

type Data struct{ Thumbs *thumbs.Service }

func (d *Data) Save(ids []string) {
\td.Thumbs.Queue(func() []string { return ids })
}
"""


def test_a_field_drained_by_its_structs_goroutine_pairs_with_the_senders_callers() -> None:
    files = {"go.mod": GO_MOD, "alerts/hub.go": ALERTS, "web/server.go": WEB}
    found = by_name(facts_of(files))
    assert set(found) == {"Alert"}  # `acks` is only closed, `stop` is a signal
    assert ends(found["Alert"]) == (
        {"alerts/hub.go:23", "web/server.go:8"},
        {"alerts/hub.go:28"},  # the draining method, at its `func`
    )


def test_a_drain_inside_a_group_goroutine_is_cited_at_the_goroutine() -> None:
    files = {"go.mod": GO_MOD, "thumbs/thumbs.go": THUMBS, "store/data.go": STORE}
    found = by_name(facts_of(files))
    assert set(found) == {"job"}  # the local `s.queue` reading is the same hand-off
    assert ends(found["job"]) == (
        {"thumbs/thumbs.go:26", "store/data.go:8"},
        {"thumbs/thumbs.go:19"},
    )


def test_an_in_function_pipeline_is_consumed_by_the_ranging_function() -> None:
    src = (
        "package p\n\nfunc Pipe(items []int) {\n\tch := make(chan int)\n"
        "\tgo func() {\n\t\tfor _, it := range items {\n\t\t\tch <- it\n\t\t}\n"
        "\t\tclose(ch)\n\t}()\n\tfor v := range ch {\n\t\tuse(v)\n\t}\n}\n"
    )
    assert {(s.role, s.name, s.line) for s in go_sites(src)} == {
        ("produce", "ch", 7),
        ("consume", "ch", 3),  # the function that ranges, as a def would be cited
    }


def test_a_field_only_sent_or_only_received_is_no_hand_off() -> None:
    only_sent = ALERTS.replace(b"case a, ok := <-h.pending:", b"case <-h.stop:")
    assert by_name(facts_of({"go.mod": GO_MOD, "alerts/hub.go": only_sent})) == {}
    no_send = ALERTS.replace(b"case h.pending <- a:", b"case <-h.stop:")
    assert by_name(facts_of({"go.mod": GO_MOD, "alerts/hub.go": no_send})) == {}


def test_hostile_drain_lines_stay_fast() -> None:
    start = time.process_time()
    go_sites(
        "type T struct {\n\tq chan X\n}\nfunc (t *T) f(a func() int) {\n"
        + ("\tt.g.Go(func() {\n" + "<-t.q " * 300 + "range t.q\n") * 5_000
        + "}\n"
    )
    go_sites(
        "type T struct {\n\tq chan X\n}\n" + "func (t *T) f(a func() int) {\n<-t.q\n}\n" * 30_000
    )
    assert time.process_time() - start < 20  # generous: a shared machine


# A relay hub whose inbox is drained by its own `Run`, filled from another file of the
# package through a value (`b.h.inbox <- n`) and by a fetcher of another package that is
# handed the field (`h.src.Fetch(50, h.inbox)`) and sends on its channel parameter.
HUB = b"""package relay

import (
\t"example.com/app/fetcher"
\t"example.com/app/model"
)

type Hub struct {
\tinbox chan model.Note
\tsrc   *fetcher.Source
}

func (h *Hub) Run() {
\tfor n := range h.inbox {
\t\tkeep(n)
\t}
}

func (h *Hub) Poll() error {
\treturn h.src.Fetch(50, h.inbox)
}
"""

BATCH = b"""package relay

import "example.com/app/model"

type batch struct{ h *Hub }

func (b *batch) flush(items []model.Note) {
\tfor _, n := range items {
\t\tb.h.inbox <- n
\t}
}
"""

FETCHER = b"""package fetcher

import "example.com/app/model"

type Source struct{}

func (s *Source) Fetch(limit int, out chan model.Note) error {
\tfor i := 0; i < limit; i++ {
\t\tselect {
\t\tcase out <- model.Note{ID: i}:
\t\tdefault:
\t\t}
\t}
\treturn nil
}
"""


def test_a_drained_field_is_fed_from_another_file_and_through_a_channel_parameter() -> None:
    files = {
        "go.mod": GO_MOD,
        "relay/hub.go": HUB,
        "relay/batch.go": BATCH,
        "fetcher/fetch.go": FETCHER,
    }
    found = by_name(facts_of(files))
    assert set(found) == {"model.Note"}
    assert ends(found["model.Note"]) == (
        {"relay/batch.go:9", "fetcher/fetch.go:10"},
        {"relay/hub.go:13"},
    )


def test_a_channel_parameter_is_no_producer_for_a_package_that_does_not_import_it() -> None:
    # The same function name in a package the hub does not import: not the one it calls.
    hub = HUB.replace(b'\t"example.com/app/fetcher"\n', b"").replace(b"*fetcher.Source", b"*Source")
    files = {"go.mod": GO_MOD, "relay/hub.go": hub, "fetcher/fetch.go": FETCHER}
    assert by_name(facts_of(files)) == {}


def test_hostile_foreign_sends_and_passes_stay_fast() -> None:
    start = time.process_time()
    go_sites("func f(c chan X) {\n" + ("\ta" + ".b" * 900 + " <- v\n") * 3_000 + "}\n")
    go_sites(
        "type T struct {\n\tq chan X\n}\nfunc (t *T) f() {\n"
        + ("\t" + "g(" * 300 + "t.q" + ")" * 300 + "\n") * 2_000
        + ("\t" + "a" * 1_500 + "(t.q, t.q\n") * 2_000
        + "}\n"
    )
    go_sites("chan\n" + ("func f(a func(" + "(" * 900 + ", b chan X\n") * 2_000)
    go_sites(
        "func f() {\n" + ("\tin := a.b.c.Listen(" + "x." * 600 + "\n") * 2_000 + "<-in\n" * 3_000
    )
    go_sites(
        "type B struct {\n"
        + "\tl map[int]chan M\n" * 3_000
        + "}\n"
        + "func (b *B) x() chan M {\n" * 2_000
    )
    go_sites("type T struct {\n\tq chan X\n}\n" + "\tq: " + "q" * 1_900 + ",\n" * 5_000)
    assert time.process_time() - start < 20  # generous: a shared machine


# A restart request: handlers send a signal on the app's field; main passes the channel it
# stored there to a function whose goroutine waits on it.
RESTART_MAIN = b"""package main

import (
\t"os"
\t"os/signal"
\t"syscall"
)

type App struct {
\trestart chan os.Signal
}

func main() {
\trestartCh := make(chan os.Signal, 1)
\tapp := &App{
\t\trestart: restartCh,
\t}
\tserve(app)
\tsignal.Notify(restartCh, syscall.SIGHUP)
\t<-waitRestart(restartCh, func() {
\t\tcleanup()
\t})
}
"""

RESTART_ADMIN = b"""package main

import "syscall"

func (a *App) Restart() {
\tgo func() {
\t\ta.restart <- syscall.SIGHUP
\t}()
}
"""

RESTART_WAIT = b"""package main

import "os"

func waitRestart(sig chan os.Signal, done func()) chan bool {
\tout := make(chan bool)
\tgo func() {
\t\tfor range sig {
\t\t\tdone()
\t\t}
\t}()
\treturn out
}
"""


def test_a_signal_the_program_sends_on_a_field_reaches_the_function_main_passes_it_to() -> None:
    files = {
        "go.mod": GO_MOD,
        "main.go": RESTART_MAIN,
        "admin.go": RESTART_ADMIN,
        "wait.go": RESTART_WAIT,
    }
    found = by_name(facts_of(files))
    assert set(found) == {"os.Signal"}
    assert ends(found["os.Signal"]) == ({"admin.go:7"}, {"wait.go:5"})
    # Only the OS sends (`signal.Notify`): nothing of the program's own is handed off.
    del files["admin.go"]
    assert by_name(facts_of(files)) == {}


# A broadcast bus: listeners' channels kept in a map, a broadcast to each, a stream handler
# in another package that listens and forwards what it hears.
BUS = b"""package bus

import "sync"

type Msg struct{ Text string }

type Bus struct {
\tmu        sync.Mutex
\tlisteners map[int]chan Msg
}

func (b *Bus) Listen(id int) chan Msg {
\tch := make(chan Msg, 10)
\tb.mu.Lock()
\tb.listeners[id] = ch
\tb.mu.Unlock()
\treturn ch
}

func (b *Bus) Broadcast(m Msg) {
\tfor _, ch := range b.listeners {
\t\tselect {
\t\tcase ch <- m:
\t\tdefault:
\t\t}
\t}
}

func (b *Bus) Warn(text string) {
\tb.Broadcast(Msg{Text: text})
}
"""

STREAM = b"""package web

import "example.com/app/bus"

type Server struct{ bus *bus.Bus }

func (s *Server) Stream(w Writer) error {
\tin := s.bus.Listen(7)
\tfor m := range in {
\t\tw.Write(m.Text)
\t}
\treturn nil
}
"""


def test_a_broadcast_hub_pairs_its_publishers_callers_with_who_listens() -> None:
    files = {"go.mod": GO_MOD, "bus/bus.go": BUS, "web/stream.go": STREAM}
    found = by_name(facts_of(files))
    assert set(found) == {"Msg"}
    assert ends(found["Msg"]) == ({"bus/bus.go:30"}, {"web/stream.go:7"})


def test_a_hub_nobody_listens_to_is_no_hand_off() -> None:
    quiet = STREAM.replace(b"\tfor m := range in {\n\t\tw.Write(m.Text)\n\t}\n", b"\t_ = in\n")
    assert by_name(facts_of({"go.mod": GO_MOD, "bus/bus.go": BUS, "web/stream.go": quiet})) == {}
