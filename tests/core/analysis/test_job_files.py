"""Jobs named by their file (`handoff_job_files`), schedules kept as YAML data
(`schedules_config`) and events a bridged bus carries between instances
(`handoffs_bridged_js`). A small invented app, analysed for real, with look-alikes that must
not match; then hostile inputs."""

from __future__ import annotations

import time

from bot.core.analysis.handoff_job_files import export_line, job_file_stem, job_sites
from bot.core.analysis.handoffs_bridged_js import bridged_sites
from bot.core.analysis.handoffs_js import javascript_sites
from bot.core.analysis.schedules_config import clock_value, config_schedules
from tests.core.analysis.analysed import facts_of

PKG = b'{"name": "kiln", "dependencies": {"express": "^4.0.0", "redis-relay": "^1.0.0"}}\n'

APP = {
    "package.json": PKG,
    "src/boot.js": (
        b"const Emitter = require('events')\nAPP.bus = { up: new Emitter(), down: new Emitter() }\n"
    ),
    "src/orders.js": (
        b"module.exports = {\n"
        b"  async place(order) {\n"
        b"    const run = await APP.clock.registerJob({\n"
        b"      name: 'glaze-report',\n"
        b"      immediate: true\n"
        b"    }, order.id)\n"
        b"    APP.clock.queueTask('fire-kiln', order)\n"
        b"    APP.bus.up.emit('orderPlaced', order.id)\n"
        b"    // APP.clock.registerJob({ name: 'cool-down' })\n"
        b"    log(\"APP.clock.queueTask('cool-down')\")\n"
        b"    APP.clock.queueTask('no-such-file', order)\n"
        b"    new JobQueue('cool-down')\n"
        b"    APP.local.emit('orderPlaced')\n"
        b"    return run.finished\n"
        b"  },\n"
        b"  watch() {\n"
        b"    APP.clock.registerJob({\n"
        b"      name: 'sweep-shelves',\n"
        b"      schedule: APP.settings.sweepEvery,\n"
        b"      repeat: true\n"
        b"    })\n"
        b"  }\n"
        b"}\n"
    ),
    "src/cache.js": (
        b"module.exports = {\n"
        b"  listen() {\n"
        b"    APP.bus.down.on('orderPlaced', id => forget(id))\n"
        b"    APP.bus.down.on('neverSent', () => {})\n"
        b"    APP.local.on('orderPlaced', () => {})\n"
        b"  }\n"
        b"}\n"
    ),
    "src/relay.js": (
        b"const Relay = require('redis-relay')\n"
        b"module.exports = {\n"
        b"  start() {\n"
        b"    const relay = new Relay()\n"
        b"    relay.onMessage(msg => {\n"
        b"      APP.bus.down.emit(msg.event, msg.value)\n"
        b"    })\n"
        b"    APP.bus.up.onAny((event, value) => relay.publish('kiln', { event, value }))\n"
        b"  }\n"
        b"}\n"
    ),
    "src/jobs/glaze-report.js": (
        b"/* builds the glaze report */\n\n"
        b"module.exports = async (orderId) => {\n  return orderId\n}\n"
    ),
    "src/jobs/fire-kiln.js": (
        b"const x = 1\n\nexport default async function (order) {\n  return x\n}\n"
    ),
    "src/jobs/sweep-shelves.js": b"module.exports = async () => {\n  return 0\n}\n",
    "src/jobs/dust-off.js": b"module.exports = async () => {\n  return 0\n}\n",
    "src/lib/cool-down.js": b"module.exports = async () => {\n  return 0\n}\n",
    "src/app/settings.yml": (
        b"name: kiln\n"
        b"schedule: PT5M\n"
        b"tasks:\n"
        b"  dustOff:\n"
        b"    onInit: true\n"
        b"    schedule: P1D\n"
        b"  nightly:\n"
        b"    cron: '0 3 * * *'\n"
        b"  weekly:\n"
        b"    interval: weekly\n"
        b"  label:\n"
        b"    schedule: Zeitplan\n"
    ),
}


def _ends(name: str) -> tuple[set[str], set[str]]:
    facts = facts_of(APP)
    for h in facts.handoffs:
        if h.name == name:
            return (
                {f"{e.path}:{e.line}" for e in h.producers},
                {f"{e.path}:{e.line}" for e in h.consumers},
            )
    return set(), set()


def test_a_job_named_in_a_call_pairs_with_the_job_file_of_that_name() -> None:
    # cited where the call names it
    assert _ends("glaze-report") == ({"src/orders.js:4"}, {"src/jobs/glaze-report.js:3"})
    assert _ends("fire-kiln") == ({"src/orders.js:7"}, {"src/jobs/fire-kiln.js:3"})


def test_names_no_job_file_answers_are_not_hand_offs() -> None:
    names = {h.name for h in facts_of(APP).handoffs}
    # a comment, a string, a queue's constructor, a file outside a job folder, no file
    assert not names & {"cool-down", "no-such-file", "sweep-shelves"}


def test_a_job_call_with_a_schedule_key_is_a_schedule_starting_at_the_job_file() -> None:
    facts = facts_of(APP)
    sweep = [s for s in facts.schedules if s.name == "sweep-shelves"]
    assert len(sweep) == 1
    cited = {f"{e.path}:{e.line}" for e in sweep[0].evidence}
    assert cited == {"src/orders.js:17", "src/jobs/sweep-shelves.js:1"}


def test_yaml_entries_holding_a_clock_are_schedules_named_by_their_entry() -> None:
    facts = facts_of(APP)
    found = {(s.name, s.schedule) for s in facts.schedules if s.mechanism == "config"}
    assert found == {("dustOff", "P1D"), ("nightly", "0 3 * * *")}
    dust = next(s for s in facts.schedules if s.name == "dustOff")
    assert {f"{e.path}:{e.line}" for e in dust.evidence} == {
        "src/app/settings.yml:6",
        "src/jobs/dust-off.js:1",
    }


def test_events_of_a_bridged_bus_are_hand_offs_via_the_bridge_transport() -> None:
    facts = facts_of(APP)
    placed = [h for h in facts.handoffs if h.name == "orderPlaced"]
    assert len(placed) == 1
    assert placed[0].mechanism == "redis-relay"
    assert {f"{e.path}:{e.line}" for e in placed[0].producers} == {"src/orders.js:8"}
    assert {f"{e.path}:{e.line}" for e in placed[0].consumers} == {"src/cache.js:3"}
    assert "neverSent" not in {h.name for h in facts.handoffs}


def test_an_emitter_without_a_bridge_is_no_hand_off() -> None:
    files = {p: t for p, t in APP.items() if p != "src/relay.js"}
    names = {h.name for h in facts_of(files).handoffs}
    assert "orderPlaced" not in names


def test_clock_values_and_job_folders() -> None:
    for clock in ("PT15M", "P1D", "*/5 * * * *"):
        assert clock_value(clock)
    for other in ("P", "PT", "weekly", "Pizza", "1 2 3"):
        assert not clock_value(other)
    assert job_file_stem("server/jobs/render.js") == "render"
    assert job_file_stem("server/lib/render.js") == ""
    assert export_line("const a = 1\nexports = function () {}\n") == 2
    assert config_schedules(b"schedule: PT5M\n") == ()  # a top-level key names nothing


def test_hostile_inputs_finish_quickly() -> None:
    hostile = [
        "a." * 100_000 + "registerJob({\n",
        "registerJob(" * 50_000,
        "registerJob({\n" + "  name: {\n" * 20_000,
        ("x.registerJob('j' + y)\n" * 20_000),
        "A" * 300_000 + "Job('x')\n",
        ("a.b.c.emit('x'); a.b.onAny(f); a.c.emit(e.v)\n" * 5_000),
        "a." * 200_000 + "emit('x')\n",
        "x.on('" + "y" * 300_000,
    ]
    for text in hostile:
        start = time.perf_counter()
        job_sites(text)
        bridged_sites(text)
        export_line(text)
        assert time.perf_counter() - start < 2.0
    yaml_hostile = [
        b"a:\n" + b"  " * 50_000 + b"schedule: PT1M\n",
        b"".join(b" " * k + b"k%d:\n" % k for k in range(3_000)) + b" " * 3_001 + b"cron: x\n",
        b"schedule: " + b"P1" * 100_000 + b"\n",
        b"a:\n  schedule: " + b"* " * 100_000 + b"\n",
        (b"jobs:\n  x:\n    schedule: PT1M\n" * 20_000),
    ]
    for data in yaml_hostile:
        start = time.perf_counter()
        config_schedules(data)
        assert time.perf_counter() - start < 2.0


def test_a_graphql_subscription_answers_what_is_published_under_its_name() -> None:
    files = {
        "package.json": b'{"name": "oven", "dependencies": {"graphql-subscriptions": "2"}}\n',
        "src/feed.js": (
            b"const { PubSub } = require('graphql-subscriptions')\n"
            b"APP.feed = new PubSub()\n"
            b"function tick(t) {\n"
            b"  APP.feed.publish('temperature', { t })\n"
            b"  APP.feed.publish('nobodyListens', { t })\n"
            b"  // APP.feed.publish('humidity', { t })\n"
            b"}\n"
            b"module.exports = { tick }\n"
        ),
        "src/resolvers/oven.js": (
            b"module.exports = {\n"
            b"  Subscription: {\n"
            b"    temperature: { subscribe: () => APP.feed.asyncIterator('temperature') },\n"
            b"    humidity: { subscribe: () => APP.feed.asyncIterator(['humidity']) }\n"
            b"  }\n"
            b"}\n"
        ),
    }
    found = {h.name: h for h in facts_of(files).handoffs}
    assert found["temperature"].mechanism == "graphql-subscriptions"
    assert {(e.path, e.line) for e in found["temperature"].producers} == {("src/feed.js", 4)}
    assert {(e.path, e.line) for e in found["temperature"].consumers} == {
        ("src/resolvers/oven.js", 3)
    }
    assert "nobodyListens" not in found
    assert "humidity" not in found  # a subscription nothing here publishes to: an API
    start = time.perf_counter()
    javascript_sites("x.asyncIterator(" + " " * 200_000 + "\n" + "a.publish('q')\n" * 20_000)
    assert time.perf_counter() - start < 2.0
