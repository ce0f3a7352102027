"""Go event buses keyed by an event type's name, channels held in package variables,
watermill router topics, cron wrappers named like the library's method, loops whose log line
says "retry", and Go files a build constraint keeps out of the product. One tiny invented app
per idiom, both ends asserted by line; each look-alike gives nothing."""

from __future__ import annotations

import time

from bot.core.analysis.golang import BUILD_TOOL, build_tool_tag, extract_go
from bot.core.analysis.handoffs_go_brokers import broker_sites
from bot.core.analysis.handoffs_go_events import (
    MECHANISM,
    WATERMILL_GOCHANNEL,
    event_sites,
)
from bot.core.analysis.handoffs_go_globals import global_sites
from bot.core.analysis.loops import go_loops
from bot.core.analysis.schedules_go_wrappers import wrapper_sites
from bot.core.call_sites import IN_PROCESS_BUSES
from tests.core.analysis.test_idioms_go_wiring import GO_MOD, at, ends, facts_of

# --- an event bus keyed by the event type's name ------------------------------------------

BUS = """package bus

type Event interface {
\tName() string
}

type Listener interface {
\tHandle(payload []byte) error
}

var listeners = map[string][]Listener{}

func Listen(name string, l Listener) {
\tlisteners[name] = append(listeners[name], l)
}

func Publish(e Event) error {
\treturn deliver(e.Name(), e)
}
"""
EVENTS = """package orders

type OrderPlaced struct {
\tID int64
}

func (o *OrderPlaced) Name() string {
\treturn "order.placed"
}

type OrderShipped struct{ ID int64 }

func (o *OrderShipped) Name() string { return "order.shipped" }
"""
LISTENERS = """package orders

import "example.com/kiln/bus"

type SendReceipt struct{}

func (s *SendReceipt) Name() string {
\treturn "send.receipt"
}

func (s *SendReceipt) Handle(payload []byte) error {
\treturn mailer.Send(payload)
}

type Relay struct{ topic string }

func (r *Relay) Handle(payload []byte) error {
\treturn post(r.topic, payload)
}

func OnEvent(e bus.Event) {
\tbus.Listen(e.Name(), &Relay{topic: e.Name()})
}

func Register() {
\tbus.Listen((&OrderPlaced{}).Name(), &SendReceipt{})
\tOnEvent(&OrderShipped{})
}
"""
CHECKOUT = """package checkout

import (
\t"example.com/kiln/bus"
\t"example.com/kiln/orders"
)

func Place(id int64) error {
\tif err := bus.Publish(&orders.OrderPlaced{ID: id}); err != nil {
\t\treturn err
\t}
\treturn bus.Publish(&orders.OrderShipped{ID: id})
}
"""


def _bus_app() -> dict[str, str]:
    return {
        "go.mod": GO_MOD,
        "bus/bus.go": BUS,
        "orders/events.go": EVENTS,
        "orders/listeners.go": LISTENERS,
        "checkout/checkout.go": CHECKOUT,
    }


def test_a_publish_of_a_named_event_pairs_with_the_listeners_registered_for_its_name() -> None:
    files = _bus_app()
    got = ends(files)
    assert got["order.placed"] == (
        {at(files, "checkout/checkout.go", "orders.OrderPlaced{")},
        {at(files, "orders/listeners.go", "func (s *SendReceipt) Handle")},
    )
    # registered through a function handing its parameter's name on
    assert got["order.shipped"] == (
        {at(files, "checkout/checkout.go", "orders.OrderShipped{")},
        {at(files, "orders/listeners.go", "func (r *Relay) Handle")},
    )
    mechanisms = {h.mechanism for h in facts_of(files).handoffs}
    assert mechanisms == {MECHANISM}


def test_a_type_with_a_name_method_that_no_listener_is_registered_for_is_no_hand_off() -> None:
    files = _bus_app()
    files["orders/listeners.go"] = LISTENERS.replace(
        "\tbus.Listen((&OrderPlaced{}).Name(), &SendReceipt{})\n", ""
    ).replace("\tOnEvent(&OrderShipped{})\n", "")
    assert ends(files) == {}


def test_a_value_handed_to_a_call_not_named_for_publishing_is_no_producer() -> None:
    lines = ["\tif err := store.Save(&orders.OrderPlaced{ID: id}); err != nil {"]
    assert event_sites(lines) == []
    # nor is a publish of a lowercase value (`&cfg{`), a struct of settings
    assert event_sites(["\tbus.Publish(&cfg{Debug: true})"]) == []


def test_a_generic_registrar_reading_the_name_off_a_type_parameter_registers_its_callers() -> None:
    audit = """package audit

import "example.com/kiln/bus"

type recorder struct{ handle func([]byte) error }

func (r *recorder) Handle(p []byte) error { return r.handle(p) }

func Track[T any, PT interface {
\t*T
\tbus.Event
}](write func(PT) string) {
\tname := PT(new(T)).Name()
\tbus.Listen(name, &recorder{handle: func(p []byte) error {
\t\treturn appendLine(write(PT(new(T))))
\t}})
}
"""
    wiring = """package orders

import "example.com/kiln/audit"

func Audit() {
\taudit.Track(func(e *OrderPlaced) string { return "placed" })
}
"""
    files = {
        "go.mod": GO_MOD,
        "bus/bus.go": BUS,
        "orders/events.go": EVENTS,
        "orders/audit.go": wiring,
        "audit/audit.go": audit,
        "checkout/checkout.go": CHECKOUT,
    }
    got = ends(files)
    assert got["order.placed"] == (
        {at(files, "checkout/checkout.go", "orders.OrderPlaced{")},
        {at(files, "audit/audit.go", "bus.Listen(name")},  # the handler is the closure
    )


def test_watermill_names_the_mechanism_and_in_process_buses_rank_after_stores() -> None:
    files = _bus_app()
    files["bus/bus.go"] = BUS.replace(
        "package bus\n",
        'package bus\n\nimport "github.com/ThreeDotsLabs/watermill/pubsub/gochannel"\n',
    )
    assert {h.mechanism for h in facts_of(files).handoffs} == {WATERMILL_GOCHANNEL}
    assert {MECHANISM, WATERMILL_GOCHANNEL} <= IN_PROCESS_BUSES


def test_watermill_router_topics_and_the_poison_queue_are_both_ends() -> None:
    text = """package events

import "github.com/ThreeDotsLabs/watermill/message/router/middleware"

func run() {
\tpoison, _ := middleware.PoisonQueue(pub, "dead.letters")
\trouter.AddConsumerHandler("dead.logger", "dead.letters", pub, logIt)
\trouter.AddHandler("resize", "images.uploaded", sub, "images.resized", pub, resize)
}
"""
    got = {(s.role, s.name) for s in broker_sites(text)}
    assert got == {
        ("produce", "dead.letters"),
        ("consume", "dead.letters"),
        ("consume", "images.uploaded"),
        ("produce", "images.resized"),
    }
    # the same calls in a file that does not import watermill are another library's
    assert broker_sites(text.replace("ThreeDotsLabs/watermill", "acme/menus")) == []


# --- a channel held in a package variable ---------------------------------------------------

OUTBOX = """package outbox

var Pending chan *Letter

func Start() {
\tPending = make(chan *Letter, 64)
\tq := Pending
\tgo func() {
\t\tfor {
\t\t\tselect {
\t\t\tcase l, ok := <-q:
\t\t\t\tif !ok {
\t\t\t\t\treturn
\t\t\t\t}
\t\t\t\tdeliver(l)
\t\t\t}
\t\t}
\t}()
}
"""
SEND = """package outbox

func Post(l *Letter) {
\tPending <- l
}
"""
CALLER = """package signup

import "example.com/kiln/outbox"

func Welcome(l *outbox.Letter) {
\toutbox.Pending <- l
}
"""


def test_a_package_variable_channel_pairs_its_sends_with_the_daemon_draining_a_copy() -> None:
    files = {
        "go.mod": GO_MOD,
        "outbox/outbox.go": OUTBOX,
        "outbox/send.go": SEND,
        "signup/signup.go": CALLER,
    }
    assert ends(files)["outbox.Pending"] == (
        {at(files, "outbox/send.go", "Pending <- l"), at(files, "signup/signup.go", "Pending <-")},
        {at(files, "outbox/outbox.go", "go func()")},
    )


def test_a_package_variable_nobody_sends_to_or_a_local_channel_is_no_hand_off() -> None:
    files = {"go.mod": GO_MOD, "outbox/outbox.go": OUTBOX}
    assert ends(files) == {}
    local = "package p\n\nfunc f() {\n\tch := make(chan int)\n\tch <- 1\n}\n"
    assert global_sites(local.split("\n")) == []
    signal = "package p\n\nvar Stop chan struct{}\n\nfunc f() {\n\t<-Stop\n}\n"
    assert global_sites(signal.split("\n")) == []


# --- schedules ------------------------------------------------------------------------------

CRON = """package cron

import "github.com/robfig/cron/v3"

var c *cron.Cron

func Schedule(spec string, f func()) error {
\t_, err := c.AddFunc(spec, f)
\treturn err
}
"""
JOBS = """package jobs

import "example.com/kiln/cron"

func RegisterSweep() {
\t_ = cron.Schedule("0 * * * *", sweep)
}

func sweep() {
\tpurge()
}
"""


def test_a_cron_wrapper_named_schedule_given_a_named_function_is_a_schedule() -> None:
    files = {"go.mod": GO_MOD, "cron/cron.go": CRON, "jobs/jobs.go": JOBS}
    got = {(s.name, s.schedule): s.evidence for s in facts_of(files).schedules}
    assert [(e.path, e.line) for e in got[("sweep", "0 * * * *")]] == [
        at(files, "jobs/jobs.go", "cron.Schedule(")
    ]


def test_a_call_given_a_path_and_a_function_is_no_schedule() -> None:
    text = 'package web\n\nfunc routes() {\n\tmux.Schedule("/sweep", sweep)\n}\n'
    assert [s for s in wrapper_sites(text) if s.mechanism == "cron-wrapper-call"] == []


def test_a_loop_paced_by_a_timer_whose_log_line_says_retry_is_a_schedule() -> None:
    text = """package lic

func loop() {
\tfor {
\t\tselect {
\t\tcase <-stop:
\t\t\treturn
\t\tcase <-time.After(interval):
\t\t}
\t\tif err := check(); err != nil {
\t\t\tlog.Warn("check failed, next retry in 1 hour")
\t\t}
\t}
}
"""
    assert {s.line for s in go_loops(text)} == {4, 8}
    counted = text.replace('log.Warn("check failed, next retry in 1 hour")', "retries++")
    assert go_loops(counted) == ()


# --- build tools ----------------------------------------------------------------------------


def test_a_mage_or_ignore_build_constraint_marks_a_build_tool() -> None:
    mage = '//go:build mage\n\npackage main\n\nfunc Deploy() { http.Get("https://x.example") }\n'
    assert build_tool_tag(mage) == "mage"
    assert any(s.kind == BUILD_TOOL for s in extract_go(mage).signals)
    assert build_tool_tag("// +build ignore\n\npackage main\n") == "ignore"
    assert build_tool_tag("//go:build mage && linux\n\npackage main\n") == "mage"


def test_a_constraint_that_does_not_require_the_tag_is_no_build_tool() -> None:
    assert build_tool_tag("//go:build !mage\n\npackage main\n") == ""
    assert build_tool_tag("//go:build linux || mage\n\npackage main\n") == ""
    assert build_tool_tag("// +build mage linux\n\npackage main\n") == ""
    assert build_tool_tag("package main\n\n//go:build mage\n") == ""  # below the clause
    assert build_tool_tag("//go:build linux\n\npackage main\n") == ""


# --- hostile input ----------------------------------------------------------------------


def test_hostile_event_and_package_variable_inputs_stay_fast() -> None:
    start = time.process_time()
    long = ["\tbus.Publish(" + "(&a{}" * 20_000 + ")"[:2_000]] * 200
    event_sites([line[:2_000] for line in long])
    event_sites(["\tx.Listen(" + "a, " * 5_000 + "&L{"] * 500)
    event_sites(["func (e *E) Name() string {" + "{" * 1_990] * 1_000)
    event_sites(["\tbus.Listen(name, &L{"] * 2_000 + ["func f() {"] + ["\tx := 1"] * 2_000)
    global_sites(["var Q chan *T"] * 2_000 + ["func f() {", "\tq := Q"] + ["\t<-q <-q"] * 2_000)
    global_sites(["package p"] + ["\tQ <- " + "x" * 1_990] * 2_000)
    go_loops("func f() {\n\tfor {\n" + '\t\t"' + "retry " * 300 + "\n" * 1 + "\t}\n}\n" * 500)
    build_tool_tag("//go:build " + "mage && " * 100_000)
    assert time.process_time() - start < 5


# --- a sub-project's scripts ------------------------------------------------------------

DEPLOY = """const res = await fetch("https://forge.kilnworks.dev/api/v1/repos/pulls", {
  method: "POST",
  headers: { Authorization: `token ${process.env.FORGE_TOKEN}` },
});
"""


def _hosts(files: dict[str, str]) -> set[str]:
    return {h for s in facts_of(files).integrations for h in s.hosts}


def test_a_sub_projects_script_no_package_script_runs_makes_no_integration() -> None:
    files = {
        "go.mod": GO_MOD,
        "web/package.json": '{"name": "web", "scripts": {"build": "vite build"}}',
        "web/scripts/deploy-preview.mjs": DEPLOY,
    }
    assert "forge.kilnworks.dev" not in _hosts(files)


def test_a_sub_projects_script_its_package_runs_keeps_its_calls() -> None:
    files = {
        "go.mod": GO_MOD,
        "web/package.json": (
            '{"name": "web", "scripts": {"postinstall": "node scripts/deploy-preview.mjs"}}'
        ),
        "web/scripts/deploy-preview.mjs": DEPLOY,
    }
    assert "forge.kilnworks.dev" in _hosts(files)
    # and a `scripts/` folder deeper in the app's code is the app's
    files = {
        "go.mod": GO_MOD,
        "web/package.json": '{"name": "web"}',
        "web/src/scripts/sync.mjs": DEPLOY,
    }
    assert "forge.kilnworks.dev" in _hosts(files)


def test_a_magefile_makes_no_integration() -> None:
    mage = (
        '//go:build mage\n\npackage main\n\nimport "net/http"\n\n'
        'func Release() { http.Get("https://forge.kilnworks.dev/api/v1/releases") }\n'
    )
    files = {"go.mod": GO_MOD, "magefile.go": mage}
    assert "forge.kilnworks.dev" not in _hosts(files)
    plain = mage.replace("//go:build mage\n\n", "")
    assert "forge.kilnworks.dev" in _hosts({"go.mod": GO_MOD, "main.go": plain})


def test_the_go_trello_client_names_trello() -> None:
    boards = (
        'package boards\n\nimport "github.com/adlio/trello"\n\n'
        "func mine(c *trello.Client) { c.GetMyBoards(trello.Defaults()) }\n"
    )
    files = {"go.mod": GO_MOD + "\nrequire github.com/adlio/trello v1.12.0\n", "b/b.go": boards}
    assert "Trello" in {s.name for s in facts_of(files).integrations}
    # a package merely named like it is not the client
    other = boards.replace("github.com/adlio/trello", "example.com/kiln/trellis")
    assert "Trello" not in {
        s.name for s in facts_of({"go.mod": GO_MOD, "b/b.go": other}).integrations
    }


def test_a_closure_that_sets_up_first_is_named_by_its_registering_function() -> None:
    jobs = """package jobs

import "example.com/kiln/cron"

func RegisterPurgeCron() {
\t_ = cron.Schedule("0 * * * *", func() {
\t\ts := store.Open()
\t\tdefer s.Close()
\t\tpurge(s)
\t})
}

func RegisterPingCron() {
\t_ = cron.Schedule("* * * * *", func() { ping(now()) })
}
"""
    cron = CRON.replace(
        "var c *cron.Cron\n", "var c *cron.Cron\n\nfunc Init() { c = cron.New() }\n"
    )
    files = {"go.mod": GO_MOD, "cron/cron.go": cron, "jobs/jobs.go": jobs}
    names = {(s.name, s.schedule) for s in facts_of(files).schedules}
    # the wrapper's own `c.AddFunc(spec, f)` schedules nothing of its own
    assert names == {("RegisterPurgeCron", "0 * * * *"), ("ping", "* * * * *")}
