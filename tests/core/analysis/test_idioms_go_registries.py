"""Go in-process hand-offs that take the whole repository to see, one tiny app per idiom: a
callback registry (subscribers' functions in a map, a publishing method calls each), a queue
type whose channel a getter returns, a map or slice buffer flushed by a ticker, an exported
channel field received in another package. Both ends asserted by line; each look-alike
gives nothing. Also Web Push from a server to the web app's service worker."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.handoffs import go_sites
from bot.core.analysis.handoffs_go_buffers import buffer_sites
from bot.core.analysis.handoffs_go_callbacks import callback_sites
from bot.core.analysis.handoffs_go_hubs import getter_sites
from bot.core.analysis.handoffs_webpush import web_push_sites
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog
from tests.core.analysis.idioms import line_of

GO_MOD = "module example.com/relay\n\ngo 1.22\n"


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


# --- a callback registry --------------------------------------------------------------

ROOM = """package chat

import "sync"

type Note struct{ Body string }

// listener is called for every note posted to a room
type listener func(n *Note) error

type member struct {
\tfn   listener
\tname string
}

type room struct {
\tmembers map[string]*member
\tmu      sync.Mutex
}

func (r *room) Join(name string, fn listener) {
\tr.mu.Lock()
\tdefer r.mu.Unlock()
\tr.members[name] = &member{fn: fn, name: name}
}

func (r *room) Post(n *Note) {
\tr.mu.Lock()
\tlist := make([]*member, 0)
\tfor _, m := range r.members {
\t\tlist = append(list, m)
\t}
\tr.mu.Unlock()
\tfor _, m := range list {
\t\tgo func(fn listener) {
\t\t\t_ = fn(n)
\t\t}(m.fn)
\t}
}

func (r *room) Count() int {
\tn := 0
\tfor range r.members {
\t\tn++
\t}
\treturn n
}
"""
STREAM = """package chat

import "net/http"

func (s *Service) streamNotes(w http.ResponseWriter, req *http.Request) error {
\tr := s.room(req.URL.Path)
\twrite := func(n *Note) error {
\t\t_, err := w.Write([]byte(n.Body))
\t\treturn err
\t}
\tr.Join(req.RemoteAddr, write)
\t<-req.Context().Done()
\treturn nil
}

func (s *Service) postNote(w http.ResponseWriter, req *http.Request) error {
\tn := &Note{Body: req.FormValue("body")}
\ts.room(req.URL.Path).Post(n)
\treturn nil
}

func (s *Service) wrongJoin() {
\ts.lobby.Join("only one argument")
}
"""


def test_a_callback_registry_pairs_the_posting_call_with_the_function_that_joins() -> None:
    files = {"go.mod": GO_MOD, "chat/room.go": ROOM, "chat/stream.go": STREAM}
    got = ends(files)
    assert "listener" in got, sorted(got)
    producers, consumers = got["listener"]
    assert producers == {at(files, "chat/stream.go", ".Post(n)")}
    # the function around the `Join(` call, cited at its `func`; a call with another
    # number of arguments is some other method
    assert consumers == {at(files, "chat/stream.go", "func (s *Service) streamNotes")}


def test_a_registry_whose_methods_never_call_the_functions_is_no_hand_off() -> None:
    # Post only counts its members: nothing calls a listener
    quiet = ROOM.replace("\t\t\t_ = fn(n)\n", "\t\t\t_ = n\n")
    files = {"go.mod": GO_MOD, "chat/room.go": quiet, "chat/stream.go": STREAM}
    assert "listener" not in ends(files)
    # a map of plain values with a Join and a ranging method is no registry either
    plain = ROOM.replace("fn listener)", "fn string)").replace("type listener func", "type x func")
    assert callback_sites(plain.split("\n")) == []


# --- a queue type whose channel a getter returns ---------------------------------------

BATCHER = """package batch

import (
\t"sync"
\t"time"
)

type Batcher[T any] struct {
\tsize    int
\tpending []T
\tout     chan []T
\tmu      sync.Mutex
}

func New[T any](size int, every time.Duration) *Batcher[T] {
\tb := &Batcher[T]{size: size, out: make(chan []T)}
\tgo b.tick(every)
\treturn b
}

func (b *Batcher[T]) Add(v T) {
\tb.mu.Lock()
\tb.pending = append(b.pending, v)
\tvar full []T
\tif len(b.pending) >= b.size {
\t\tfull = b.take()
\t}
\tb.mu.Unlock()
\tif full != nil {
\t\tb.out <- full
\t}
}

func (b *Batcher[T]) Batches() <-chan []T {
\treturn b.out
}

func (b *Batcher[T]) take() []T {
\tall := b.pending
\tb.pending = nil
\treturn all
}

func (b *Batcher[T]) tick(every time.Duration) {
\tt := time.NewTicker(every)
\tfor range t.C {
\t\tb.mu.Lock()
\t\tall := b.take()
\t\tb.mu.Unlock()
\t\tb.out <- all
\t}
}
"""
STORE = """package store

import "example.com/relay/batch"

type Store struct{ rows *batch.Batcher[*Row] }

func (s *Store) Save(r *Row) {
\ts.rows.Add(r)
}

func (s *Store) writeLoop() {
\tfor rows := range s.rows.Batches() {
\t\ts.insert(rows)
\t}
}
"""


def test_a_queue_type_pairs_its_callers_with_the_loop_ranging_over_its_getter() -> None:
    files = {"go.mod": GO_MOD, "batch/batcher.go": BATCHER, "store/store.go": STORE}
    got = ends(files)
    assert "Batcher" in got, sorted(got)  # a generic element type says nothing: the type's name
    producers, consumers = got["Batcher"]
    assert producers == {at(files, "store/store.go", "s.rows.Add(r)")}
    assert consumers == {at(files, "store/store.go", "func (s *Store) writeLoop")}
    # the ticker goroutine the type starts itself is its own worker, not a producer; the
    # slice it appends to and takes from inline is no buffer hand-off of its own
    assert not any(p == "batch/batcher.go" for p, _ in producers)
    assert "pending" not in got


def test_a_getter_nobody_ranges_over_is_no_hand_off() -> None:
    quiet = STORE.replace("range s.rows.Batches()", "range s.list()")
    files = {"go.mod": GO_MOD, "batch/batcher.go": BATCHER, "store/store.go": quiet}
    assert "Batcher" not in ends(files)


# --- a buffer flushed by a ticker -------------------------------------------------------

COUNTER = """package usage

import (
\t"sync"
\t"time"
)

type Tracker struct {
\tmu      sync.Mutex
\tpending map[string]int
\tdb      DB
}

func NewTracker(db DB) *Tracker {
\tt := &Tracker{pending: make(map[string]int), db: db}
\tgo t.loop(time.Minute)
\treturn t
}

func (t *Tracker) Note(user string, n int) {
\tt.mu.Lock()
\tdefer t.mu.Unlock()
\tt.pending[user] = n
}

func (t *Tracker) Reset() {
\tt.mu.Lock()
\tt.pending = make(map[string]int)
\tt.mu.Unlock()
}

func (t *Tracker) loop(every time.Duration) {
\ttick := time.NewTicker(every)
\tfor range tick.C {
\t\tt.flush()
\t}
}

func (t *Tracker) flush() {
\tt.mu.Lock()
\tbatch := t.pending
\tt.pending = make(map[string]int)
\tt.mu.Unlock()
\tfor user, n := range batch {
\t\tt.db.Exec("UPDATE usage SET n = ? WHERE user = ?", n, user)
\t}
}
"""
API = """package api

import "example.com/relay/usage"

func (a *API) handle(user string) {
\tgo a.tracker.Note(user, 1)
}
"""


def test_a_buffer_flushed_by_a_ticker_pairs_the_storing_calls_with_the_flush() -> None:
    files = {"go.mod": GO_MOD, "usage/tracker.go": COUNTER, "api/api.go": API}
    got = ends(files)
    assert "pending" in got, sorted(got)
    producers, consumers = got["pending"]
    assert producers == {at(files, "api/api.go", "a.tracker.Note(")}
    # the ticker's flush, not the Reset that empties it too
    assert consumers == {at(files, "usage/tracker.go", "func (t *Tracker) flush")}


def test_a_cache_emptied_by_a_ticker_is_no_buffer() -> None:
    # the ticker's method empties the map without handing on what it held
    cache = COUNTER.replace("\tbatch := t.pending\n", "").replace("range batch", "range t.db")
    assert buffer_sites(cache.split("\n")) == []


def test_a_buffer_without_a_ticker_or_a_lock_is_no_hand_off() -> None:
    no_ticker = COUNTER.replace("time.NewTicker(every)", "make(chan int)")
    assert buffer_sites(no_ticker.split("\n")) == []
    no_lock = COUNTER.replace(
        "\tt.mu.Lock()\n\tdefer t.mu.Unlock()\n\tt.pending[user]", "\tt.pending[user]"
    )
    assert buffer_sites(no_lock.split("\n")) == []


# --- an exported channel field received in another package ----------------------------

FEED = """package feed

import "context"

type Reader struct {
\tItems chan *Item
}

func (r *Reader) Follow(ctx context.Context, url string) {
\tgo follow(ctx, r.Items, url)
}

func follow(ctx context.Context, out chan *Item, url string) {
\tfor {
\t\tif err := fetch(ctx, out, url); err != nil {
\t\t\treturn
\t\t}
\t}
}

func fetch(ctx context.Context, out chan *Item, url string) error {
\tfor _, it := range read(url) {
\t\tout <- it
\t}
\treturn nil
}
"""
TAIL = """package cli

import (
\t"time"

\t"example.com/relay/feed"
)

func tail(rd *feed.Reader, every time.Duration) {
\tt := time.NewTicker(every)
\tfor it := range rd.Items {
\t\tprint(it)
\t}
\t<-t.C
}
"""


def test_an_exported_channel_field_pairs_the_sends_two_calls_deep_with_the_reader() -> None:
    files = {"go.mod": GO_MOD, "feed/reader.go": FEED, "cli/tail.go": TAIL}
    got = ends(files)
    assert "Item" in got, sorted(got)  # the element type, without its pointer
    producers, consumers = got["Item"]
    assert producers == {at(files, "feed/reader.go", "out <- it")}
    assert consumers == {at(files, "cli/tail.go", "func tail(")}
    # `<-t.C` (a timer's field) has no sender in the repository: nothing
    assert "C" not in got


def test_an_exported_field_received_in_a_package_that_does_not_import_it_is_nothing() -> None:
    alone = TAIL.replace('\t"example.com/relay/feed"\n', "")
    files = {"go.mod": GO_MOD, "feed/reader.go": FEED, "cli/tail.go": alone}
    assert "Item" not in ends(files)


# --- Web Push to the service worker -----------------------------------------------------

PUSHER = """package notify

import webpush "github.com/SherClockHolmes/webpush-go"

func (n *Notifier) send(sub *webpush.Subscription, body []byte) error {
\t_, err := webpush.SendNotification(body, sub, &webpush.Options{TTL: 60})
\treturn err
}
"""
WORKER = """const showIt = async (data) => {
  await self.registration.showNotification(data.title, { body: data.body });
};

self.addEventListener("push", (event) => {
  const data = event.data.json();
  event.waitUntil(showIt(data));
});
"""


def test_web_push_pairs_the_server_send_with_the_service_worker_listener() -> None:
    files = {"go.mod": GO_MOD, "notify/push.go": PUSHER, "web/sw.js": WORKER}
    got = ends(files)
    assert "push" in got, sorted(got)
    producers, consumers = got["push"]
    assert producers == {at(files, "notify/push.go", "webpush.SendNotification(")}
    assert consumers == {
        at(files, "web/sw.js", 'addEventListener("push"'),
        at(files, "web/sw.js", "const showIt"),
    }


def test_one_end_of_web_push_alone_is_no_hand_off() -> None:
    assert "push" not in ends({"go.mod": GO_MOD, "web/sw.js": WORKER})
    # `SendNotification` of some other package in a file without webpush-go
    other = PUSHER.replace('webpush "github.com/SherClockHolmes/webpush-go"', '"example.com/x"')
    assert web_push_sites("go", other) == ()
    # a page's listener nested in a function is no service worker's
    page = "function setup() {\n  window.addEventListener('push', onPush);\n}\n"
    assert web_push_sites("javascript", page) == ()


def test_hostile_registry_queue_and_buffer_inputs_stay_fast() -> None:
    start = time.process_time()
    lines = ["type l func(" + "x " * 10_000] + ["\tm map[" + "[" * 5_000 + "]x"] * 2_000
    lines += ["func (r *T) Join(" + "a l, " * 5_000 + ") {", "\tr.m[" + "k" * 5_000 + "] = 1", "}"]
    callback_sites([line[:2_000] for line in lines])
    getter_sites(["\tout chan " + "[" * 1_999] * 3_000 + ["func (q *Q) Out() <-chan X {"] * 3_000)
    buffer_sites(
        ["\tp map[x]y"] * 3_000 + ["func (t *T) a() {", "\tt.mu.Lock()"] + ["\tt.p[k] = v"] * 3_000
    )
    go_sites("for it := range a." + "B." * 50_000 + "\n" + "<-x.Y" * 100_000 + "\n")
    web_push_sites("javascript", "self.addEventListener('push', " + "f(" * 100_000 + "\n")
    web_push_sites("go", 'webpush-go"\n' + "webpush.SendNotification(" * 50_000)
    assert time.process_time() - start < 5


def test_a_python_docstring_naming_pywebpush_is_no_producer() -> None:
    from bot.core.analysis.handoffs_webpush import web_push_sites

    doc = '"""Producers: pywebpush\'s `webpush(` sends to the push service."""\n'
    assert web_push_sites("python", doc) == ()
    real = "from pywebpush import webpush\n\n\ndef send(sub):\n    webpush(sub, data='x')\n"
    assert [(s.role, s.line) for s in web_push_sites("python", real)] == [("produce", 5)]
