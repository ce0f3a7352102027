"""JS/TS queues held by a class and workers started through a registrar
(`handoff_queue_classes_js`). A small invented monorepo, analysed for real, with look-alikes
that must not match and hostile inputs that must stay quick."""

from __future__ import annotations

import time

from bot.core.analysis.handoff_queue_classes_js import (
    QUEUE_CLASS,
    REGISTRAR,
    _alias_puts,
    _head,
    class_queue_sites,
)
from tests.core.analysis.analysed import by_name, ends, facts_of

PKG = '{"name": "kiln", "private": true, "dependencies": {"bullmq": "^5.0.0"}}\n'


def _files(files: dict[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in files.items()}


APP = {
    "package.json": PKG,
    "common/src/names.ts": (
        "export enum LineName {\n"
        '  Glaze = "glaze-line",\n'
        '  Fire = "fire-line",\n'
        '  Idle = "idle-line",\n'
        "}\n"
    ),
    "common/src/lines/glazeLine.ts": (
        'import { Queue } from "bullmq";\n'
        'import { LineName } from "../names";\n'
        "\n"
        "export class GlazeLine {\n"
        "  private static held: Queue | null = null;\n"
        "\n"
        "  public static get(): Queue | null {\n"
        "    if (GlazeLine.held) return GlazeLine.held;\n"
        "    GlazeLine.held = redisReady()\n"
        "      ? new Queue<{ potId: string }>(\n"
        "          LineName.Glaze,\n"
        "          { connection: conn() },\n"
        "        )\n"
        "      : null;\n"
        "    return GlazeLine.held;\n"
        "  }\n"
        "}\n"
    ),
    "common/src/lines/fireLine.ts": (
        'import { Queue } from "bullmq";\n'
        'import { LineName } from "../names";\n'
        "\n"
        "export class FireLine {\n"
        "  public static shards(): string[] {\n"
        "    return [0, 1].map((i) => `${LineName.Fire}-${i}`);\n"
        "  }\n"
        "\n"
        "  public static get(key: string): Queue {\n"
        "    const label = `${LineName.Fire}-${pick(key)}`;\n"
        "    return new Queue(label, { connection: conn() });\n"
        "  }\n"
        "}\n"
    ),
    "common/src/index.ts": (
        'export * from "./names";\nexport * from "./lines/glazeLine";\n'
        'export * from "./lines/fireLine";\n'
    ),
    "web/src/routes/pots.ts": (
        'import { GlazeLine, FireLine } from "../../../common/src";\n'
        "\n"
        "export async function glazePot(potId: string) {\n"
        "  const line =\n"
        "    GlazeLine.get();\n"
        "  if (!line) {\n"
        "    return;\n"
        "  }\n"
        "  await line.add(\n"
        '    "glaze",\n'
        "    { potId },\n"
        "  );\n"
        "}\n"
        "\n"
        "export async function firePot(potId: string) {\n"
        '  await FireLine.get(potId)?.add("fire", { potId });\n'
        "}\n"
        "\n"
        "// look-alikes: a class's other method, a set that is added to\n"
        "export function shardCount() {\n"
        "  const names = FireLine.shards();\n"
        "  const seen = new Set<string>();\n"
        '  seen.add("x");\n'
        "  return names.length;\n"
        "}\n"
    ),
    "worker/src/kilns/manager.ts": (
        'import { Worker, Processor } from "bullmq";\n'
        "\n"
        "export class KilnManager {\n"
        "  private static running: Record<string, Worker> = {};\n"
        "\n"
        "  public static enrol(\n"
        "    lineName: string,\n"
        "    processor: Processor,\n"
        "    extra: Record<string, unknown> = {},\n"
        "  ): void {\n"
        "    const options = optionsFor(lineName);\n"
        "    const worker = new Worker(\n"
        "      lineName,\n"
        "      KilnManager.timed(processor, lineName),\n"
        "      { ...options, ...extra },\n"
        "    );\n"
        "    KilnManager.running[lineName] = worker;\n"
        "  }\n"
        "}\n"
    ),
    "worker/src/kilns/glaze.ts": (
        'import { Job } from "bullmq";\n'
        "\n"
        "export const glazeProcessor = async (job: Job) => {\n"
        "  await paint(job.data.potId);\n"
        "};\n"
    ),
    "worker/src/kilns/fire.ts": (
        "export const fireProcessorFor = (hot: boolean) => async (job: { data: unknown }) => {\n"
        "  await bake(job.data, hot);\n"
        "};\n"
    ),
    "worker/src/main.ts": (
        'import { LineName, FireLine } from "../../common/src";\n'
        'import { KilnManager } from "./kilns/manager";\n'
        'import { glazeProcessor } from "./kilns/glaze";\n'
        'import { fireProcessorFor } from "./kilns/fire";\n'
        "\n"
        "KilnManager.enrol(LineName.Glaze, glazeProcessor, { concurrency: 2 });\n"
        "\n"
        "const fireShards = FireLine.shards();\n"
        "fireShards.forEach((shard) => {\n"
        "  KilnManager.enrol(\n"
        "    shard as LineName,\n"
        "    fireProcessorFor(true),\n"
        "  );\n"
        "});\n"
        "// look-alike: a registration of a queue nothing puts to, a name from nowhere\n"
        "KilnManager.enrol(LineName.Idle, glazeProcessor);\n"
        "KilnManager.enrol(someName(), glazeProcessor);\n"
    ),
}


def test_queue_class_and_registrar_pair_across_packages() -> None:
    found = by_name(facts_of(_files(APP)))
    glaze = found["glaze-line"]
    assert glaze.mechanism == "bull"
    produced, consumed = ends(glaze)
    assert produced == {"web/src/routes/pots.ts:9"}
    assert consumed == {"worker/src/kilns/glaze.ts:3"}  # the processor's definition
    fire = found["fire-line"]
    assert ends(fire) == ({"web/src/routes/pots.ts:16"}, {"worker/src/kilns/fire.ts:1"})
    # the registrar's own `new Worker(lineName` names a parameter, no queue
    assert "lineName" not in found
    assert "x" not in found
    assert "names" not in found


def test_per_file_sites_name_the_queue_as_written() -> None:
    glaze = class_queue_sites(APP["common/src/lines/glazeLine.ts"])
    assert [(s.role, s.name, s.line, s.aliases) for s in glaze] == [
        (QUEUE_CLASS, "LineName.Glaze", 10, ("GlazeLine",))
    ]
    fire = class_queue_sites(APP["common/src/lines/fireLine.ts"])
    assert [(s.name, s.aliases) for s in fire] == [("LineName.Fire", ("FireLine",))]
    manager = class_queue_sites(APP["worker/src/kilns/manager.ts"])
    assert [(s.role, s.name, s.aliases) for s in manager] == [
        (REGISTRAR, "enrol", ("KilnManager", "0", "1", "lineName"))
    ]


def test_look_alikes_are_no_queue_class_or_registrar() -> None:
    texts = [
        # a queue made at the top level, not in a class: the per-file rules' business
        'import { Queue } from "bullmq";\nexport const q = new Queue("mail");\n',
        # `new QueueEvents(` / `new WorkerPool(`: other classes
        "class A {\n  m() {\n    return new QueueEvents(Names.Mail);\n  }\n}\n",
        "class B {\n  m(n, f) {\n    return new WorkerPool(n, f);\n  }\n}\n",
        # a Worker given a literal, or a name that is no parameter of its function
        "function go(f) {\n  new Worker('mail', f);\n}\n",
        "function go(f) {\n  const n = pick();\n  new Worker(n, f);\n}\n",
        # a call that mentions the parameter is not a head
        "class C {\n  start(n, f) {\n    use(n);\n    new Worker(n, other);\n  }\n}\n",
        # a commented-out queue
        "class D {\n  m() {\n    // return new Queue(Names.Mail);\n  }\n}\n",
    ]
    for text in texts:
        assert class_queue_sites(text) == (), text


def test_look_alike_app_without_consumer_claims_no_registrar_queue() -> None:
    files = {
        "package.json": PKG,
        "lib/pool.ts": (
            "export class Pool {\n"
            "  static start(name: string, job: () => void) {\n"
            "    return spawnThread(name, job);\n"
            "  }\n"
            "}\n"
        ),
        "main.ts": 'import { Pool } from "./lib/pool";\nPool.start(Names.Mail, run);\n',
    }
    assert by_name(facts_of(_files(files))) == {}


def test_hostile_input_finishes_quickly() -> None:
    hostile = [
        "class A {\n" + "  new Queue(" * 20_000 + "\n}\n",
        "class A {\n  m() {\n    new Queue<" + "<" * 100_000 + "\n",
        "new Worker(" + "(" * 100_000,
        "class A {\n  m(" + "a, " * 30_000 + ") {\n    new Worker(a, b);\n  }\n}\n",
        "new Worker(n, f);\n" + "  f(n) {\n" * 20_000,
        "class Q {\n" + "x\n" * 50_000 + "  new Queue(name, {});\n",
    ]
    for text in hostile:
        start = time.perf_counter()
        class_queue_sites(text)
        assert time.perf_counter() - start < 2.0
    lines = ["  q.add(1);"] * 200_000
    start = time.perf_counter()
    _alias_puts(lines, 1, "q")
    _head(["  f(n) {"] * 100_000 + ["new Worker(n, f)"], 100_001, "n")
    assert time.perf_counter() - start < 2.0


def test_hostile_files_analyse_quickly() -> None:
    files = {
        "package.json": PKG,
        "lib/q.ts": (
            'import { Queue } from "bullmq";\n'
            "export class Jobs {\n  static get() {\n    return new Queue(Names.Jobs);\n  }\n}\n"
        ),
        "a.ts": 'import { Jobs } from "./lib/q";\n' + "Jobs.get()?.add(1);\n" * 3_000,
        "b.ts": 'import { Jobs } from "./lib/q";\n' + "Jobs.get(" * 5_000 + "\n",
        "m.ts": (
            "export class M {\n  static reg(n: string, p: unknown) {\n"
            "    new Worker(n, p);\n  }\n}\n"
        ),
        "c.ts": 'import { M } from "./m";\n' + "M.reg(Names.Jobs, proc);\n" * 3_000,
    }
    start = time.perf_counter()
    facts_of(_files(files))
    assert time.perf_counter() - start < 20.0
