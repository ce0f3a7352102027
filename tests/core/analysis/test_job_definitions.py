"""Jobs declared as definitions that name the event they run on (an application's own job
client, Inngest, Trigger.dev v2), and the calls that send that event. Small apps written for
these tests, analysed for real (the handler a definition loads on demand is followed)."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.job_definitions_js import definition_sites, top_keys
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog
from tests.core.analysis.idioms import line_of

PKG = b'{"name": "ledger", "dependencies": {"zod": "^3.0.0"}}\n'


def facts_of(files: dict[str, str]) -> RepoFacts:
    snap = {"package.json": PKG, **{p: t.encode() for p, t in files.items()}}
    return analyze(MemorySnapshot(snap), MemoryFactsCache(), default_catalog())


def ends(facts: RepoFacts, name: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    for h in facts.handoffs:
        if h.name == name:
            return (
                {(e.path, e.line) for e in h.producers},
                {(e.path, e.line) for e in h.consumers},
            )
    raise AssertionError(f"{name!r} not in {[h.name for h in facts.handoffs]}")


def at(files: dict[str, str], path: str, marker: str) -> tuple[str, int]:
    return path, line_of(files[path], marker)


# --- an application's own job client: definitions + triggerJob ---------------------------

DEFINED = {
    "src/tasks/defs/export-report.ts": (
        "import { z } from 'zod';\n"
        "\n"
        "const EXPORT_REPORT_TASK_ID =\n"
        "  'reports.export.requested';\n"
        "\n"
        "export const EXPORT_REPORT_TASK = {\n"
        "  id: EXPORT_REPORT_TASK_ID,\n"
        "  name: 'Export Report',\n"
        "  version: '2',\n"
        "  trigger: {\n"
        "    name: EXPORT_REPORT_TASK_ID,\n"
        "    schema: z.object({ userId: z.number() }),\n"
        "  },\n"
        "  handler: async ({ payload, io }) => {\n"
        "    const mod = await import('./export-report.handler');\n"
        "\n"
        "    await mod.run({ payload, io });\n"
        "  },\n"
        "};\n"
    ),
    "src/tasks/defs/export-report.handler.ts": (
        "import { db } from '../../db';\n"
        "\n"
        "type Args = { payload: { userId: number } };\n"
        "\n"
        "export const run = async ({ payload }: Args) => {\n"
        "  await db.report.create({ data: payload });\n"
        "};\n"
    ),
    "src/tasks/defs/purge-sessions.ts": (
        "const PURGE_ID = 'internal.purge-sessions';\n"
        "\n"
        "export const PURGE_SESSIONS_TASK = {\n"
        "  id: PURGE_ID,\n"
        "  name: 'Purge sessions',\n"
        "  trigger: {\n"
        "    name: PURGE_ID,\n"
        "    cron: '0 3 * * *', // nightly\n"
        "  },\n"
        "  handler: async () => {\n"
        "    await purgeExpired();\n"
        "  },\n"
        "};\n"
    ),
    "src/db.ts": "export const db = {} as any;\n",
    "src/routes/reports.ts": (
        "import { tasks } from '../tasks/client';\n"
        "\n"
        "export async function requestExport(userId: number) {\n"
        "  await tasks\n"
        "    .triggerJob({\n"
        "      name: 'reports.export.requested',\n"
        "      payload: { userId },\n"
        "    });\n"
        "}\n"
    ),
    # look-alikes: a menu's trigger, a send of another library, a dispatch with no definition
    "src/ui/menu.ts": (
        "export const menu = {\n  trigger: { name: 'hover' },\n  placement: 'bottom',\n};\n"
    ),
    "src/metrics.ts": (
        "export async function flush(client: any, data: object) {\n"
        "  await client.send({ name: 'metrics.flush', data });\n"
        "  store.dispatch({ name: 'reports.export.requested' });\n"
        "}\n"
    ),
}


def test_a_trigger_job_call_pairs_with_the_definition_and_its_loaded_handler() -> None:
    facts = facts_of(DEFINED)
    prods, cons = ends(facts, "reports.export.requested")
    assert prods == {at(DEFINED, "src/routes/reports.ts", ".triggerJob({")}
    # the definition loads the handler module: the consumer is its `export const run`
    assert cons == {at(DEFINED, "src/tasks/defs/export-report.handler.ts", "export const run")}


def test_a_cron_in_a_definition_is_a_schedule_and_no_hand_off_alone() -> None:
    facts = facts_of(DEFINED)
    found = [s for s in facts.schedules if s.name == "internal.purge-sessions"]
    assert [(s.schedule, s.evidence[0].line) for s in found] == [
        ("0 3 * * *", line_of(DEFINED["src/tasks/defs/purge-sessions.ts"], "cron:"))
    ]
    assert "internal.purge-sessions" not in {h.name for h in facts.handoffs}


def test_look_alikes_make_no_hand_off() -> None:
    facts = facts_of(DEFINED)
    assert {h.name for h in facts.handoffs} == {"reports.export.requested"}
    # `dispatch({ name })` without a payload is no producer, nor a `send` nobody defines
    prods, _ = ends(facts, "reports.export.requested")
    assert all(p != "src/metrics.ts" for p, _ in prods)
    assert not any(s.name == "hover" for s in facts.schedules)


# --- Inngest -----------------------------------------------------------------------------

INNGEST = {
    "src/inngest/functions.ts": (
        "import { inngest } from './client';\n"
        "\n"
        "export const welcome = inngest.createFunction(\n"
        "  { id: 'welcome-flow' },\n"
        "  { event: 'shop/customer.signed_up' },\n"
        "  async ({ event, step }) => {\n"
        "    await step.run('mail', () => mailer.welcome(event.data.id));\n"
        "  },\n"
        ");\n"
        "\n"
        "export const rollup = inngest.createFunction(\n"
        "  { id: 'nightly-rollup' },\n"
        "  { cron: 'TZ=Europe/Paris 0 2 * * *' },\n"
        "  async () => rollupSales(),\n"
        ");\n"
    ),
    "src/api/signup.ts": (
        "import { inngest } from '../inngest/client';\n"
        "\n"
        "export async function signup(id: string) {\n"
        "  await inngest.send({ name: 'shop/customer.signed_up', data: { id } });\n"
        "}\n"
    ),
}


def test_inngest_send_pairs_with_create_function_and_its_cron_is_a_schedule() -> None:
    facts = facts_of(INNGEST)
    prods, cons = ends(facts, "shop/customer.signed_up")
    assert prods == {at(INNGEST, "src/api/signup.ts", "inngest.send(")}
    assert cons == {at(INNGEST, "src/inngest/functions.ts", "welcome = inngest")}
    rollup = [s for s in facts.schedules if s.name == "nightly-rollup"]
    assert [s.schedule for s in rollup] == ["TZ=Europe/Paris 0 2 * * *"]


# --- Trigger.dev v2 ----------------------------------------------------------------------

TRIGGER_DEV = {
    "src/jobs/invoices.ts": (
        "import { eventTrigger, cronTrigger } from '@trigger.dev/sdk';\n"
        "import { client } from '../trigger';\n"
        "\n"
        "client.defineJob({\n"
        "  id: 'invoice-paid',\n"
        "  name: 'Invoice paid',\n"
        "  version: '0.0.1',\n"
        "  trigger: eventTrigger({ name: 'billing.invoice.paid' }),\n"
        "  run: async (payload, io, ctx) => {\n"
        "    await io.logger.info('paid');\n"
        "  },\n"
        "});\n"
        "\n"
        "client.defineJob({\n"
        "  id: 'dunning-sweep',\n"
        "  name: 'Dunning',\n"
        "  version: '0.0.1',\n"
        "  trigger: cronTrigger({ cron: '*/30 * * * *' }),\n"
        "  run: async () => sweep(),\n"
        "});\n"
    ),
    "src/billing.ts": (
        "export async function paid(id: string) {\n"
        "  await client.sendEvent({ name: 'billing.invoice.paid', payload: { id } });\n"
        "}\n"
    ),
}


def test_trigger_dev_send_event_pairs_with_define_job_and_cron_trigger_is_a_schedule() -> None:
    facts = facts_of(TRIGGER_DEV)
    prods, cons = ends(facts, "billing.invoice.paid")
    assert prods == {at(TRIGGER_DEV, "src/billing.ts", "sendEvent(")}
    assert cons == {at(TRIGGER_DEV, "src/jobs/invoices.ts", "run: async (payload")}
    sweep = [s for s in facts.schedules if s.name == "dunning-sweep"]
    assert [s.schedule for s in sweep] == ["*/30 * * * *"]


# --- the parts ---------------------------------------------------------------------------


def test_top_keys_reads_one_level_with_strings_and_nesting() -> None:
    keys = top_keys("{ name: 'a,b}', payload: { x: [1, 2] }, data, run() { return 1 } }")
    assert keys["name"].strip() == "'a,b}'"
    assert keys["payload"].strip() == "{ x: [1, 2] }"
    assert keys["data"].strip() == "data"
    assert "run" in keys


def test_hostile_input_gives_nothing_quickly() -> None:
    hostile = [
        ".triggerJob({" * 20_000,
        "x.send({ name: '" + "a" * 100_000,
        "trigger: {" * 20_000 + "\n" + "  handler: () => {}\n" * 5_000,
        "{" * 50_000 + "trigger: { name: 'x' }\n" + "}" * 50_000,
        ("  trigger: {\n    name: 'j',\n  },\n" + "  handler: async () => {\n") * 3_000,
        "inngest.createFunction({ id: 'x' }, " * 5_000,
        "const A = '" + "b" * 100_000 + "\n",
    ]
    for text in hostile:
        start = time.perf_counter()
        definition_sites(text)
        assert time.perf_counter() - start < 2.0
