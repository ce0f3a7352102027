"""Work handed on in one repository: workerpool pools, forked scripts named by a template
and parent/child messages typed by a field (`handoffs_inproc_workers_js`), async calls
deferred (`handoffs_deferred_js`), delayed queues in sorted sets (`handoffs_sorted_sets_js`).
Invented apps analysed for real, look-alikes that must not match, then hostile inputs."""

from __future__ import annotations

import time

from bot.core.analysis.handoffs_deferred_js import deferred_sites
from bot.core.analysis.handoffs_inproc_workers_js import fits, worker_sites
from bot.core.analysis.handoffs_sorted_sets_js import sorted_set_sites
from tests.core.analysis.analysed import by_name, ends, facts_of

APP = {
    "package.json": b'{"name": "mill", "dependencies": {"workerpool": "^9.0.0"}}\n',
    "lib/grind.js": (
        b"const path = require('path')\n"
        b"const workerpool = require('workerpool')\n"
        b"const pool = workerpool.pool(\n"
        b"  path.join(__dirname, 'grind_worker.js'), { maxWorkers: 2 }\n"
        b")\n"
        b"exports.grind = async (grain) => pool.exec('mill', [grain])\n"
    ),
    "lib/grind_worker.js": (
        b"const workerpool = require('workerpool')\n"
        b"function mill(grain) { return grain }\n"
        b"workerpool.worker({ mill })\n"
    ),
    "lib/bake.js": (
        b"exports.bake = function (kind, id) {\n"
        b"  const oven = require('child_process').fork(`./lib/jobs/bake-${kind}.js`, [])\n"
        b"  oven.send({ id })\n"
        b"}\n"
        b"exports.tell = function () {\n"
        b"  process.send({\n"
        b"    action: 'flour:low',\n"
        b"  })\n"
        b"  process.send({ note: 'hello' })\n"
        b"}\n"
    ),
    "lib/jobs/bake-bread.js": b"process.on('message', async (msg) => {\n  return msg.id\n})\n",
    "lib/jobs/bake-cake.js": b"process.on('message', async (msg) => {\n  return msg.id\n})\n",
    "lib/jobs/cool-down.js": b"process.on('message', async (msg) => {\n  return msg\n})\n",
    "supervisor.js": (
        b"const { fork } = require('child_process')\n"
        b"const child = fork('lib/bake.js')\n"
        b"child.on('message', (message) => {\n"
        b"  switch (message.action) {\n"
        b"    case 'flour:low':\n"
        b"      order()\n"
        b"      break\n"
        b"    case 'never:sent':\n"
        b"      break\n"
        b"  }\n"
        b"})\n"
    ),
}


def test_a_workerpool_exec_pairs_with_the_pool_script() -> None:
    handoffs = by_name(facts_of(APP))
    assert ends(handoffs["grind_worker"]) == ({"lib/grind.js:6"}, {"lib/grind_worker.js:3"})


def test_a_templated_fork_pairs_with_each_script_it_fits() -> None:
    handoffs = by_name(facts_of(APP))
    assert ends(handoffs["bake-bread"]) == ({"lib/bake.js:3"}, {"lib/jobs/bake-bread.js:1"})
    assert ends(handoffs["bake-cake"]) == ({"lib/bake.js:3"}, {"lib/jobs/bake-cake.js:1"})
    assert "cool-down" not in handoffs  # no template fits it, nothing forks it


def test_a_typed_message_to_the_parent_pairs_with_its_case() -> None:
    handoffs = by_name(facts_of(APP))
    assert ends(handoffs["flour:low"]) == ({"lib/bake.js:7"}, {"supervisor.js:5"})
    assert "never:sent" not in handoffs


def test_templates_fit_only_names_of_their_shape() -> None:
    assert fits("export-${kind}", "export-posts")
    assert fits("a-${x}-b-${y}", "a-1-b-2")
    assert not fits("export-${kind}", "import-posts")
    assert not fits("export", "export")
    # a name that is all template names no script
    text = "const c = require('child_process').fork(`${dir}/${n}.js`)\nc.send(1)\n"
    assert worker_sites(text) == []


def test_hostile_inputs_finish_quickly() -> None:
    hostile = [
        "process.send({" + " action" * 100_000 + "\n",
        "child.on('message', m => {\n" + "case 'x':\n" * 50_000,
        "x.on('message', f)\n" * 50_000,
        "const p = workerpool.pool(" + "'a'," * 100_000 + "\n",
        "workerpool." * 100_000 + "\n",
        "require('child_process').fork(`" + "${a}" * 50_000 + ".js`)\n",
        ("process.send({ action: 'a' })\n" * 30_000),
    ]
    for text in hostile:
        start = time.perf_counter()
        worker_sites(text)
        assert time.perf_counter() - start < 2.0
    start = time.perf_counter()
    fits("${a}x" * 2_000, "x" * 100_000)
    assert time.perf_counter() - start < 2.0


DEFERRED = (
    "const db = require('./db')\n"
    "const Hive = module.exports\n"
    "Hive.store = async function (jar) {\n"
    "  await db.put(jar)\n"
    "  setImmediate(() => {\n"
    "    console.log('stored')\n"
    "    Hive.announce(jar)\n"
    "  })\n"
    "  setTimeout(() => { tidy(jar) }, 10)\n"
    "  setTimeout(() => { warm() }, 10)\n"
    "}\n"
    "Hive.announce = async function (jar) {\n"
    "  return jar\n"
    "}\n"
    "Hive.log = async (m) => m\n"
    "function tidy(jar) { return jar }\n"
    "async function warm() { return 1 }\n"
    "setInterval(() => warm(), 1000)\n"
    "setTimeout(() => { Hive.announce(0) }, 10)\n"
)


def test_an_async_function_deferred_from_a_function_is_a_hand_off() -> None:
    sites = {(s.role, s.name, s.line) for s in deferred_sites(DEFERRED)}
    # `console.log` is no call of `Hive.log`; `tidy` is not async; `warm` is the first run
    # of a schedule; the top-level timer is start-up wiring
    assert sites == {("produce", "announce()", 5), ("consume", "announce()", 12)}


def test_deferred_calls_in_browser_code_are_left_out() -> None:
    assert deferred_sites(DEFERRED + "document.title = 'x'\n") == ()


def test_deferred_hostile_inputs_finish_quickly() -> None:
    hostile = [
        "async function f() {}\n  setImmediate(() => {\n" + "f(" * 100_000 + "\n",
        "  setTimeout(() => {\n" * 50_000,
        "async function f() {}\n" + "  setImmediate(() => { f() })\n" * 30_000,
        "x = async () => 1\n" + " " * 500_000 + "setImmediate(() => {\n",
    ]
    for text in hostile:
        start = time.perf_counter()
        deferred_sites(text)
        assert time.perf_counter() - start < 2.0


SETS = {
    "package.json": b'{"name": "post", "dependencies": {"redis": "^4.0.0"}}\n',
    "lib/outbox.js": (
        b"const redis = require('./redis')\n"
        b"exports.later = async function (msg, when) {\n"
        b"  await redis.zAdd('outbox:due', { score: when, value: msg.id })\n"
        b"  await redis.zAdd('outbox:seen', { score: Date.now(), value: msg.id })\n"
        b"}\n"
        b"exports.batch = async function (msgs) {\n"
        b"  const keys = []\n"
        b"  for (const m of msgs) {\n"
        b"    keys.push(['outbox:due', m.when, m.id])\n"
        b"  }\n"
        b"  await redis.sortedSetAddBulk(keys)\n"
        b"}\n"
    ),
    "lib/courier.js": (
        b"const redis = require('./redis')\n"
        b"async function deliverDue() {\n"
        b"  const ids = await redis.zRangeByScore('outbox:due', '-inf', Date.now())\n"
        b"  return ids\n"
        b"}\n"
        b"async function sweep() {\n"
        b"  return redis.zRangeByScore('outbox:seen', '-inf', Date.now() - 3600)\n"
        b"}\n"
        b"module.exports = { deliverDue, sweep }\n"
    ),
}


def test_a_sorted_set_read_by_score_up_to_now_is_a_delayed_queue() -> None:
    handoffs = by_name(facts_of(SETS))
    due = handoffs["outbox:due"]
    assert ends(due) == ({"lib/outbox.js:3", "lib/outbox.js:9"}, {"lib/courier.js:2"})
    # an expiry sweep (`Date.now() - ttl`) is no queue, and an add alone no hand-off
    assert "outbox:seen" not in handoffs


def test_sorted_set_hostile_inputs_finish_quickly() -> None:
    hostile = [
        "x.zAdd('" + "k" * 300_000 + "'\n",
        "a.push('k')\n" * 30_000 + "zadd(a)\n",
        "  zRangeByScore('k', " + "0, " * 100_000 + "now)\n",
        "function f() {\n" + "  " * 200_000 + "zRangeByScore('k', 0, now)\n",
        ("keys.push(['k', 1])\n" + "x\n" * 20) * 5_000,
    ]
    for text in hostile:
        start = time.perf_counter()
        sorted_set_sites(text)
        assert time.perf_counter() - start < 2.0
