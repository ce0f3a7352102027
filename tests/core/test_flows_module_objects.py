"""JS modules that are objects whose methods are assigned after (`const Jobs =
module.exports; Jobs.prune = async function …`): the call graph follows `Jobs.prune()` in the
file and `jobs.prune()` in its importers (`calls_js`, `flow_defs.defined`), and a cron job
whose `onTick:` names such a method starts its flow there (`flows._scheduled_js_function`).
Invented app analysed for real; look-alikes must not resolve."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.calls import file_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

ORCHARD = {
    "package.json": (
        b'{"name": "orchard", "scripts": {"start": "node src/app.js"},\n'
        b' "dependencies": {"cron": "3", "nodemailer": "6"}}\n'
    ),
    "src/app.js": b"require('./harvest').startJobs()\n",
    "src/clock.js": (
        b"const { CronJob } = require('cron')\n"
        b"exports.addJob = function (opts) {\n"
        b"  return new CronJob(opts.cronTime, opts.onTick, null, true)\n"
        b"}\n"
    ),
    "src/harvest.js": (
        b"const clock = require('./clock')\n"
        b"const mail = require('./mail')\n"
        b"\n"
        b"const Harvest = module.exports\n"
        b"\n"
        b"Harvest.startJobs = async function () {\n"
        b"  await clock.addJob({\n"
        b"    name: 'harvest:pick',\n"
        b"    cronTime: '0 6 * * *',\n"
        b"    onTick: Harvest.pick,\n"
        b"  })\n"
        b"}\n"
        b"\n"
        b"Harvest.pick = async function () {\n"
        b"  await Harvest.report('picked')\n"
        b"}\n"
        b"\n"
        b"Harvest.report = async (what) => {\n"
        b"  await mail.send(what)\n"
        b"}\n"
    ),
    "src/mail.js": (
        b"const nodemailer = require('nodemailer')\n"
        b"const transport = nodemailer.createTransport({ host: 'smtp.orchard.example' })\n"
        b"const Mail = module.exports\n"
        b"Mail.send = async function (text) {\n"
        b"  await transport.sendMail({ to: 'grower@orchard.example', text })\n"
        b"}\n"
    ),
}


def _facts(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_methods_assigned_to_the_exports_object_are_functions() -> None:
    fc = file_calls("javascript", ORCHARD["src/harvest.js"])
    assert fc is not None
    quals = {f.qual: f.line for f in fc.funcs}
    assert quals["Harvest.pick"] == 14
    assert quals["Harvest.report"] == 18
    assert fc.default_export == "Harvest"


def test_look_alikes_are_no_methods() -> None:
    text = (
        b"const x = require('x')\n"
        b"x.handler = require('./handler')\n"  # a module, not a function written here
        b"module.exports.ready = true\n"
        b"function outer() {\n  inner.run = function () {}\n}\n"  # inside a function
        b"this.go = function () {}\n"
    )
    fc = file_calls("javascript", text)
    assert fc is not None
    assert {f.qual for f in fc.funcs} == {"outer"}


def test_a_cron_job_flow_starts_at_its_on_tick_method_and_follows_the_object() -> None:
    facts = _facts(ORCHARD)
    picked = [f for f in facts.flows if f.name.startswith("Harvest.pick (src/harvest.js)")]
    assert picked, [f.name for f in facts.flows]
    cited = {(h.path, h.line) for f in picked for h in f.hops}
    # the clock's job, the method it runs, the method that one calls, then the mailer
    assert ("src/harvest.js", 15) in cited
    assert ("src/harvest.js", 19) in cited
    assert any("SMTP" in s.what or "smtp" in s.what for f in picked for s in f.sinks)
