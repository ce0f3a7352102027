"""A repository's own pub/sub module (`handoffs_pubsub_js`), cron jobs given as the `cron`
package's `{ cronTime, onTick }` object to any call (`schedules_cron_options_js`), URLs led
by a path-named value (`egress_resolve`), jQuery's requests (`http_models`) and
ActivityStreams headers (`egress_links`). Small invented apps analysed for real, look-alikes
that must not match, then hostile inputs."""

from __future__ import annotations

import time

from bot.core.analysis.egress_links import media_type_signals
from bot.core.analysis.handoffs_pubsub_js import pubsub_sites
from bot.core.analysis.schedules_cron_options_js import cron_option_jobs
from tests.core.analysis.analysed import by_name, ends, facts_of

PKG = b'{"name": "hive", "dependencies": {"express": "^4.0.0", "cron": "^3.0.0"}}\n'

APP = {
    "package.json": PKG,
    "lib/wire.js": (
        b"const { EventEmitter } = require('events')\n"
        b"const local = new EventEmitter()\n"
        b"module.exports = {\n"
        b"  publish(event, data) { process.send({ event, data }) },\n"
        b"  on(event, fn) { local.on(event, fn) },\n"
        b"}\n"
    ),
    "lib/clock.js": (
        b"const { CronJob } = require('cron')\n"
        b"exports.register = function (opts) {\n"
        b"  return new CronJob(opts.cronTime, opts.onTick, null, true)\n"
        b"}\n"
    ),
    "lib/honey.js": (
        b"const wire = require('./wire')\n"
        b"const clock = require('./clock')\n"
        b"const events = require('./events')\n"
        b"exports.harvest = function (jar) {\n"
        b"  wire.publish('jar:filled', jar.id)\n"
        b"  // wire.publish('jar:broken', jar.id)\n"
        b"  events.emit('jar:emptied', jar.id)\n"
        b"}\n"
        b"exports.start = async function () {\n"
        b"  await clock.register({\n"
        b"    name: 'hive:inspect',\n"
        b"    cronTime: '*/15 * * * *',\n"
        b"    onTick: inspect,\n"
        b"  })\n"
        b"  const settings = { cronTime: '0 0 * * *' }\n"
        b"  await restart('hive:report', `0 ${hour} * * *`)\n"
        b"}\n"
        b"async function restart(name, spec) {\n"
        b"  await clock.register({\n"
        b"    name,\n"
        b"    cronTime: spec,\n"
        b"    onTick: report,\n"
        b"  })\n"
        b"}\n"
    ),
    "lib/keeper.js": (
        b"const wire = require('./wire')\n"
        b"const events = require('./events')\n"
        b"const ws = require('ws')\n"
        b"wire.on('jar:filled', id => count(id))\n"
        b"wire.on('jar:broken', id => count(id))\n"
        b"events.on('jar:emptied', id => count(id))\n"
        b"ws.on('connection', s => s)\n"
    ),
    "lib/events.js": (
        b"const { EventEmitter } = require('events')\nmodule.exports = new EventEmitter()\n"
    ),
    "public/stats.js": (
        b"export function load(config) {\n"
        b"  return fetch(`${config.relative_path}/api/stats`).then(r => r.json())\n"
        b"}\n"
        b"export function remote(config) {\n"
        b"  return fetch(`${config.statsServer}/api/stats`).then(r => r.json())\n"
        b"}\n"
        b"export function more(config, page) {\n"
        b"  $.ajax({ url: config.relative_path + '/api/more/' + page })\n"
        b"  $.get(`${config.asset_base_url}/templates/${page}.js`)\n"
        b"  $.ajax({\n    method: 'get',\n"
        b"    url: 'https://api.skinvault.io/api/list.json',\n  })\n"
        b"}\n"
    ),
}


def test_a_message_published_on_the_own_bus_pairs_with_its_subscriber() -> None:
    handoffs = by_name(facts_of(APP))
    filled = handoffs["jar:filled"]
    assert filled.mechanism == "pubsub"
    assert ends(filled) == ({"lib/honey.js:5"}, {"lib/keeper.js:4"})


def test_one_end_alone_and_in_process_events_are_no_hand_off() -> None:
    names = set(by_name(facts_of(APP)))
    # a commented-out publish, an EventEmitter's emit/on, a package's `.on`
    assert not names & {"jar:broken", "jar:emptied", "connection"}


def test_bindings_must_be_relative_modules() -> None:
    text = "const bus = require('bus')\nbus.publish('a', 1)\nbus.on('a', f)\n"
    assert pubsub_sites(text) == ()
    text = "import bus from '../bus'\nbus.publish('a', 1)\nbus.subscribe(\"a\", f)\n"
    assert [(s.role, s.line) for s in pubsub_sites(text)] == [("consume", 3), ("produce", 2)]


def test_cron_option_objects_are_schedules_named_by_their_name_key() -> None:
    found = {(s.name, s.schedule) for s in facts_of(APP).schedules if s.mechanism == "cron"}
    assert ("hive:inspect", "*/15 * * * *") in found
    assert ("hive:report", "0 ${hour} * * *") in found
    # a settings object with a cronTime but no onTick is no job
    assert "0 0 * * *" not in {s for _, s in found}


def test_cron_option_sites_are_cited_at_the_call() -> None:
    text = APP["lib/honey.js"].decode()
    sites = {(s.name, s.line, s.target) for s in cron_option_jobs(text)}
    # `onTick: inspect` names what the clock runs; the parameter's job is given no target
    assert sites == {("hive:inspect", 10, "inspect"), ("hive:report", 16, "")}
    assert cron_option_jobs("x.add({ cronTime: '* * * * *' })\n") == ()
    assert cron_option_jobs("CronJob.from({\n  cronTime: '* * * * *',\n  onTick: f\n})\n") == ()


def test_a_path_named_template_prefix_is_the_same_origin() -> None:
    facts = facts_of(APP)
    named = {i.name for i in facts.integrations}
    # the app's own mount point and asset base, by template or by `+`
    assert not any("relative_path" in n or "asset_base_url" in n for n in named)
    assert any("statsServer" in n for n in named)


def test_jquery_requests_name_their_host() -> None:
    hosts = {h for i in facts_of(APP).integrations for h in i.hosts}
    assert "api.skinvault.io" in hosts


def test_hostile_inputs_finish_quickly() -> None:
    hostile = [
        "const a = require('./a')\n" + "a." * 200_000 + "publish('x')\n",
        "const a = require('./a')\n" + "a.on('" + "y" * 300_000,
        "const a = require('./" + "b" * 300_000 + "')\n",
        ("const a = require('./a')\na.publish('x', 1)\n" * 20_000),
        "x.add({ cronTime: '" + "*" * 300_000 + "', onTick: f })\n",
        "x.add({\n" + "  cronTime: spec,\n" * 50_000 + "  onTick: f })\n",
        "function f(" + "a," * 100_000 + "spec) {\n x.add({ cronTime: spec, onTick: g })\n}\n",
        "f(" * 100_000 + "\nfunction f(spec) { x.add({ cronTime: spec, onTick: g }) }\n",
        ("onTick cronTime\x00\xff" * 100_000),
        "restart(" + "'a', " * 50_000 + "\nfunction restart(n, spec) {\nx.y({ cronTime: spec,"
        " onTick: h })\n}\n",
    ]
    for text in hostile:
        start = time.perf_counter()
        pubsub_sites(text)
        cron_option_jobs(text)
        assert time.perf_counter() - start < 2.0


FEDERATED = {
    "package.json": b'{"name": "agora", "dependencies": {"express": "4"}}\n',
    "src/deliver.js": (
        b"const http = require('./http')\n"
        b"exports.deliver = async (inbox, activity) => {\n"
        b"  return http.post(inbox, {\n"
        b"    headers: { 'content-type': 'application/activity+json' },\n"
        b"    body: activity,\n"
        b"  })\n"
        b"}\n"
    ),
}
LOOK_ALIKES = {
    "package.json": b'{"name": "agora", "dependencies": {"express": "4"}}\n',
    # serving the type, listing it, and a browser page asking for it
    "src/serve.js": (
        b"const TYPES = ['application/activity+json']\n"
        b"exports.actor = (req, res) => {\n"
        b"  res.header('Content-Type', 'application/activity+json')\n"
        b"  return TYPES.includes(req.get('accept'))\n"
        b"}\n"
    ),
    "public/src/page.js": b"fetch(u, { headers: { Accept: 'application/activity+json' } })\n",
}


def test_a_request_header_speaking_activitystreams_is_federation() -> None:
    named = {i.name for i in facts_of(FEDERATED).integrations}
    assert any("ActivityPub" in n for n in named), named
    named = {i.name for i in facts_of(LOOK_ALIKES).integrations}
    assert not any("ActivityPub" in n for n in named), named


def test_media_type_hostile_inputs_finish_quickly() -> None:
    hostile = [
        b"accept: 'application/ld+json" + b" " * 500_000 + b"ns/activitystreams'\n",
        b"activity+json\n" * 100_000,
        b"'accept': 'application/" * 50_000 + b"activity+json\n",
    ]
    for data in hostile:
        start = time.perf_counter()
        media_type_signals(data, False)
        assert time.perf_counter() - start < 2.0
