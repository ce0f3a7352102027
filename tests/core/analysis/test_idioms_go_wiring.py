"""Go work wired through the repository's own small types, one tiny invented app per idiom:
routes and schedules added through the repository's own registrar or cron wrapper, a queue
type declared as a channel, a buffer woken by a signal channel, work stored then a worker
woken, a channel made in one function and handed to a sender and a receiver, a channel
field of a named channel type behind a thin wrapper. Both ends asserted by line; each
look-alike gives nothing. Also: a nested `external/` package is code, and a URL field of a
decoded answer is no user endpoint."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_services import USER_CONFIGURED
from bot.core.analysis.handoffs import go_sites
from bot.core.analysis.handoffs_go_buffers import buffer_sites
from bot.core.analysis.handoffs_go_chantypes import chan_type_sites
from bot.core.analysis.handoffs_go_fed import fed_sites
from bot.core.analysis.handoffs_go_wake import wake_sites
from bot.core.analysis.route_wrappers_go import go_wrapped_routes
from bot.core.analysis.schedules_go_wrappers import wrapper_sites
from bot.core.facts_cache import MemoryFactsCache
from bot.core.filters import PathFilter
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog
from tests.core.analysis.idioms import line_of

GO_MOD = "module example.com/kiln\n\ngo 1.22\n"


def facts_of(files: dict[str, str]) -> RepoFacts:
    snap = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snap, MemoryFactsCache(), default_catalog())


def ends(files: dict[str, str]) -> dict[str, tuple[set[tuple[str, int]], set[tuple[str, int]]]]:
    return {
        h.name: (
            {(e.path, e.line or 0) for e in h.producers},
            {(e.path, e.line or 0) for e in h.consumers},
        )
        for h in facts_of(files).handoffs
    }


def at(files: dict[str, str], path: str, marker: str) -> tuple[str, int]:
    return path, line_of(files[path], marker)


# --- schedules through the repository's cron wrapper ------------------------------------

CLOCK = """package clock

import "github.com/robfig/cron/v3"

type Clock struct{ cr *cron.Cron }

func (c *Clock) Every(spec string, job func()) (int, error) {
\tid, err := c.cr.AddFunc(spec, job)
\treturn int(id), err
}
"""
TIMES = """package times

const (
\tSweepEvery = "@every 15m"
\tLabel      = "kiln"
)
"""
BOOT = """package boot

import (
\t"example.com/kiln/clock"
\t"example.com/kiln/times"
)

func start(c *clock.Clock, cfg Config, s *Sweeper) {
\tc.Every(cfg.Server.CompactSpec, func() {
\t\ts.Compact()
\t})
\tc.Every(times.SweepEvery, func() {
\t\ts.Sweep()
\t})
}
"""
# a package that does not import the wrapper's, and a method given a path and a closure
ELSEWHERE = """package web

func wire(r *Router, h *Hub) {
\tr.Every(h.Spec, func() {
\t\th.Ping()
\t})
\tr.Handle("/ping", func() {
\t\th.Ping()
\t})
}
"""


def test_entries_added_through_a_cron_wrapper_are_schedules() -> None:
    files = {
        "go.mod": GO_MOD,
        "clock/clock.go": CLOCK,
        "times/times.go": TIMES,
        "boot/boot.go": BOOT,
        "web/web.go": ELSEWHERE,
    }
    got = {(s.name, s.schedule): s.evidence for s in facts_of(files).schedules}
    assert {k: [(e.path, e.line) for e in v] for k, v in got.items()} == {
        ("Compact", "cfg.Server.CompactSpec"): [at(files, "boot/boot.go", "CompactSpec")],
        ("Sweep", "@every 15m"): [at(files, "boot/boot.go", "times.SweepEvery")],
    }


def test_a_method_taking_a_closure_with_no_cron_behind_it_is_no_wrapper() -> None:
    plain = CLOCK.replace("c.cr.AddFunc(spec, job)", "c.run(spec, job), nil")
    assert [s for s in wrapper_sites(plain) if s.mechanism == "cron-wrapper-def"] == []
    no_cron = CLOCK.replace('import "github.com/robfig/cron/v3"\n', "")
    assert [s for s in wrapper_sites(no_cron) if s.mechanism == "cron-wrapper-def"] == []


# --- a queue type declared as a channel ----------------------------------------------

QUEUE = """package thumbs

import "time"

type Task struct{ ID string }

type backlog chan *Task

func newBacklog(render func(*Task)) backlog {
\tq := make(chan *Task, 64)
\tgo func() {
\t\tfor {
\t\t\tt := <-q
\t\t\trender(t)
\t\t\ttime.Sleep(time.Second)
\t\t}
\t}()
\treturn q
}

func (b backlog) offer(t *Task) {
\tselect {
\tcase b <- t:
\tdefault:
\t}
}
"""
THUMBS = """package thumbs

type Service struct{ todo backlog }

func (s *Service) Touch(id string) {
\ts.todo.offer(&Task{ID: id})
}
"""


def test_a_channel_type_pairs_the_method_callers_with_its_constructor_goroutine() -> None:
    files = {"go.mod": GO_MOD, "thumbs/queue.go": QUEUE, "thumbs/service.go": THUMBS}
    got = ends(files)
    assert "backlog" in got, sorted(got)
    producers, consumers = got["backlog"]
    assert producers == {at(files, "thumbs/service.go", "s.todo.offer(")}
    assert consumers == {at(files, "thumbs/queue.go", "func newBacklog")}


def test_a_channel_type_no_constructor_drains_is_no_queue() -> None:
    idle = QUEUE.replace("\t\t\tt := <-q\n\t\t\trender(t)\n", "\t\t\trender(nil)\n")
    assert chan_type_sites(idle.split("\n")) == []


# --- a buffer woken by a signal channel, and work stored then a worker woken --------------

TRACKER = """package plays

import "sync"

type Tracker struct {
\tmu      sync.Mutex
\tpending map[string]Play
\tnudge   chan struct{}
\tstop    chan struct{}
}
"""
WORKER = """package plays

func (t *Tracker) record(user string, p Play) {
\tt.mu.Lock()
\tdefer t.mu.Unlock()
\tt.pending[user] = p
\tt.poke()
}

func (t *Tracker) poke() {
\tselect {
\tcase t.nudge <- struct{}{}:
\tdefault:
\t}
}

func (t *Tracker) worker() {
\tfor {
\t\tselect {
\t\tcase <-t.stop:
\t\t\treturn
\t\tcase <-t.nudge:
\t\t}
\t\tt.mu.Lock()
\t\tbatch := t.pending
\t\tt.pending = make(map[string]Play)
\t\tt.mu.Unlock()
\t\tfor _, p := range batch {
\t\t\tt.send(p)
\t\t}
\t}
}
"""
CALLER = """package plays

func (t *Tracker) Played(user string, p Play) {
\tt.record(user, p)
}
"""


def test_a_buffer_woken_by_a_signal_field_pairs_the_storing_calls_with_the_worker() -> None:
    files = {
        "go.mod": GO_MOD,
        "plays/tracker.go": TRACKER,
        "plays/worker.go": WORKER,
        "plays/api.go": CALLER,
    }
    got = ends(files)
    assert "pending" in got, sorted(got)
    producers, consumers = got["pending"]
    assert producers == {at(files, "plays/api.go", "t.record(")}
    assert consumers == {at(files, "plays/worker.go", "func (t *Tracker) worker")}
    assert "Tracker.nudge" not in got
    assert "nudge" not in got


def test_a_buffer_whose_worker_only_stops_on_the_field_is_no_hand_off() -> None:
    stops = WORKER.replace("\t\tcase <-t.stop:\n\t\t\treturn\n\t\tcase <-t.nudge:\n", "")
    stops = stops.replace("\t\tselect {\n\t\t}\n", "\t\t<-t.stop\n")
    assert buffer_sites(stops.split("\n")) == []


OUTBOX = """package outbox

import "database/sql"

type Box struct {
\tdb   *sql.DB
\twake chan struct{}
\tquit chan struct{}
}

func (b *Box) Put(msg string) error {
\t_, err := b.db.Exec("INSERT INTO outbox (body) VALUES (?)", msg)
\tb.ring()
\treturn err
}

func (b *Box) ring() {
\tselect {
\tcase b.wake <- struct{}{}:
\tdefault:
\t}
}

func (b *Box) loop() {
\tfor {
\t\tselect {
\t\tcase <-b.quit:
\t\t\treturn
\t\tcase <-b.wake:
\t\t\tb.flush()
\t\t}
\t}
}
"""


def test_work_stored_then_a_worker_woken_pairs_the_storing_function_with_the_loop() -> None:
    files = {"go.mod": GO_MOD, "outbox/box.go": OUTBOX}
    got = ends(files)
    assert got["Box.wake"] == (
        {at(files, "outbox/box.go", "func (b *Box) Put")},
        {at(files, "outbox/box.go", "func (b *Box) loop")},
    )


def test_a_signal_that_only_stops_a_loop_is_no_hand_off() -> None:
    stop_only = OUTBOX.replace("\t\tcase <-b.wake:\n\t\t\tb.flush()\n", "").replace(
        "\t\tcase <-b.quit:\n", "\t\tcase <-b.wake:\n"
    )
    assert wake_sites(stop_only.split("\n")) == []


# --- a channel made in one function, handed to a sender and a receiver --------------------

RUNNER = """package index

type Row struct{ Key string }

type source interface {
\tfill(ctx Ctx, out chan<- *Row)
}

func (r *Runner) Run(ctx Ctx) error {
\trows := make(chan *Row, 16)
\tgo func() {
\t\tdefer close(rows)
\t\tr.src.fill(ctx, rows)
\t}()
\treturn r.store(ctx, rows)
}

func (r *Runner) store(ctx Ctx, in <-chan *Row) error {
\tfor row := range untilDone(ctx, in) {
\t\tr.db.Save(row)
\t}
\treturn nil
}
"""
DISK = """package index

type disk struct{ dir string }

func (d *disk) fill(ctx Ctx, out chan<- *Row) {
\tfor _, k := range d.keys() {
\t\tout <- &Row{Key: k}
\t}
}
"""


def test_a_channel_wired_between_a_sending_and_a_receiving_function_is_a_hand_off() -> None:
    files = {"go.mod": GO_MOD, "index/runner.go": RUNNER, "index/disk.go": DISK}
    got = ends(files)
    assert got["Row"] == (
        {at(files, "index/disk.go", "out <- &Row")},
        {at(files, "index/runner.go", "func (r *Runner) store")},
    )


def test_a_channel_handed_only_to_a_sender_is_no_hand_off() -> None:
    files = {
        "go.mod": GO_MOD,
        "index/runner.go": RUNNER.replace("untilDone(ctx, in)", "r.keys()"),
        "index/disk.go": DISK,
    }
    assert "Row" not in ends(files)


# --- a field of a named channel type behind a thin wrapper --------------------------------

BUS = """package bus

type (
\tevent struct{ Name string }
\tevents chan event
)

type Bus struct {
\tin events
}

func (b *Bus) Post(e event) {
\tb.in <- e
}

func (b *Bus) PostAll(e event) {
\tb.Post(e)
}

func (b *Bus) listen() {
\tfor {
\t\tselect {
\t\tcase e := <-b.in:
\t\t\tb.fanOut(e)
\t\t}
\t}
}
"""
USER = """package jobs

import "example.com/kiln/bus"

func finish(b *bus.Bus) {
\tb.PostAll(bus.Done)
}
"""


def test_a_named_channel_type_field_and_its_thin_wrapper_pair_callers_with_the_loop() -> None:
    files = {"go.mod": GO_MOD, "bus/bus.go": BUS, "jobs/jobs.go": USER}
    got = ends(files)
    assert "event" in got, sorted(got)
    producers, consumers = got["event"]
    assert at(files, "jobs/jobs.go", "b.PostAll(") in producers
    assert consumers == {at(files, "bus/bus.go", "func (b *Bus) listen")}


def test_a_long_method_calling_the_sender_is_no_wrapper() -> None:
    long = BUS.replace("\tb.Post(e)\n", "\tb.Post(e)\n" + "\tb.count++\n" * 12)
    wrappers = {s.name for s in go_sites(long) if s.role == "wrapper"}
    assert wrappers == {"Post"}


# --- a nested external/ package, and a decoded answer's link --------------------------------


def test_only_a_root_external_folder_is_vendored() -> None:
    keep = PathFilter()
    assert keep.skip_reason("external/zlib/inflate.go", 10) == "vendored"
    assert keep.skip_reason("core/external/provider.go", 10) is None


ANSWER = """package lookup

type Answer struct {
\tName string `json:"name"`
\tLink string `json:"link"`
}
"""
LOOKUP = """package lookup

import (
\t"context"
\t"net/http"
)

func (c *Client) Page(ctx context.Context, name string) (*http.Response, error) {
\ta, err := c.fetch(ctx, name)
\tif err != nil {
\t\treturn nil, err
\t}
\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, a.Link, nil)
\tif err != nil {
\t\treturn nil, err
\t}
\treturn c.hc.Do(req)
}
"""


def test_a_link_read_from_a_decoded_answer_is_no_user_endpoint() -> None:
    files = {"go.mod": GO_MOD, "lookup/answer.go": ANSWER, "lookup/page.go": LOOKUP}
    names = {s.name for s in facts_of(files).integrations}
    assert USER_CONFIGURED not in names


def test_a_link_of_a_stored_row_stays_a_user_endpoint() -> None:
    stored = ANSWER.replace('`json:"link"`', '`json:"link" db:"link"`')
    files = {"go.mod": GO_MOD, "lookup/answer.go": stored, "lookup/page.go": LOOKUP}
    names = {s.name for s in facts_of(files).integrations}
    assert USER_CONFIGURED in names


# --- hostile input ----------------------------------------------------------------------


def test_hostile_wiring_inputs_stay_fast() -> None:
    start = time.process_time()
    huge = "x.Every(" + "a." * 50_000 + ", func() {\n"
    wrapper_sites(huge + "func (c *C) Add(s string, f func(" + "(" * 5_000 + ")) {\n" + huge)
    wrapper_sites('\tX = "' + "* " * 50_000 + '"\n' + "cron\nfunc()\n" * 2_000)
    deep = ["type q chan " + "[" * 1_999] * 2_000 + ["func n() q {", "\tq := make(chan T)"] * 1_000
    chan_type_sites([line[:2_000] for line in deep])
    fed_sites(["\tx := make(chan T)"] * 2_000 + ["p.F(" + "x, " * 5_000 + ")"] * 200)
    wake_sites(["\tw chan struct{}"] * 3_000 + ["func (b *B) f() {", "\tb.w <- struct{}{}"] * 2_000)
    go_sites("type (\n" + "\te chan " + "x" * 100_000 + "\n" + "\tc := make(chan T)\n" * 5_000)
    assert time.process_time() - start < 5


# --- routes registered through the file's own registrar functions --------------------------

ROUTES = """package rest

import (
\t"net/http"

\t"github.com/go-chi/chi/v5"
)

func (api *Router) routes(r chi.Router) {
\treg(r, "listShelves", api.ListShelves)
\tregRaw(r, "fetchCover", api.FetchCover)
\tr.Group(func(r chi.Router) {
\t\treg(r, "ping", api.Ping)
\t})
\tlabel(r, "shelf", api.Name)
}

func reg(r chi.Router, path string, f handler) {
\tregRaw(r, path, func(w http.ResponseWriter, q *http.Request) (*Reply, error) {
\t\treturn f(q)
\t})
}

func regRaw(r chi.Router, path string, f rawHandler) {
\tmount(r, path, func(w http.ResponseWriter, q *http.Request) {
\t\tf(w, q)
\t})
}

func mount(r chi.Router, path string, fn http.HandlerFunc) {
\tr.HandleFunc("/"+path, fn)
}

func label(r chi.Router, name string, f namer) {
\tr.Use(tagger(name, f))
}
"""


def test_routes_registered_through_the_files_registrars_name_their_handlers() -> None:
    got = {(s.name, s.line, s.detail) for s in go_wrapped_routes(ROUTES)}
    assert got == {
        ("/listShelves", line_of(ROUTES, '"listShelves"'), "api.ListShelves"),
        ("/fetchCover", line_of(ROUTES, '"fetchCover"'), "api.FetchCover"),
        ("/ping", line_of(ROUTES, '"ping"'), "api.Ping"),
    }  # `label` hands its string to middleware, not to a route: no registrar


def test_hostile_registrar_inputs_stay_fast() -> None:
    start = time.process_time()
    sig = "func f(r R, p string, " + "x(" * 3_000 + ") {\n\tr.Get(p" + "(" * 5_000 + "\n}\n"
    go_wrapped_routes(sig * 50 + ('f(r, "' + "a" * 150 + '", ' + "b." * 1_000 + ")\n") * 2_000)
    assert time.process_time() - start < 5


# --- a channel an imported package fills --------------------------------------------------

WATCH = """package reload

import (
\t"github.com/acme/fswatch"
\t"os/signal"
)

type Watcher struct {
\tchanges chan fswatch.Change
\tstop    chan os.Signal
}

func (w *Watcher) Start(dir string) error {
\tw.changes = make(chan fswatch.Change, 8)
\tw.stop = make(chan os.Signal, 1)
\tsignal.Notify(w.stop, os.Interrupt)
\tif err := fswatch.Follow(dir, w.changes, fswatch.Writes); err != nil {
\t\treturn err
\t}
\tgo w.loop()
\treturn nil
}

func (w *Watcher) Close() {
\tfswatch.Stop(w.changes)
}

func (w *Watcher) loop() {
\tfor {
\t\tselect {
\t\tcase c := <-w.changes:
\t\t\tw.apply(c)
\t\tcase <-w.stop:
\t\t\treturn
\t\t}
\t}
}
"""


def test_a_channel_an_imported_package_fills_pairs_its_call_with_the_loop() -> None:
    files = {"go.mod": GO_MOD, "reload/watch.go": WATCH}
    got = ends(files)
    assert got["fswatch.Change (changes)"] == (
        {at(files, "reload/watch.go", "fswatch.Follow(")},  # not `Stop(w.changes)` alone
        {at(files, "reload/watch.go", "func (w *Watcher) loop")},
    )
    assert not any("Signal" in name for name in got)  # the runtime's signals are no work


def test_a_channel_handed_to_a_package_but_never_received_is_no_hand_off() -> None:
    unread = WATCH.replace("\t\tcase c := <-w.changes:\n\t\t\tw.apply(c)\n", "")
    assert fed_sites(unread.split("\n")) == []
