"""JS/TS queues told by their shape (`handoff_queues_js`): a binding made once with a string
name, put to in some files and handed to a runner in another, whatever the library. Small
apps written for these tests (invented names), analysed for real, each with look-alikes that
must not match."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.handoff_queues_js import _enclosing, _Linker, queue_definitions
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog
from tests.core.analysis.idioms import line_of

PKG = b'{"name": "darkroom", "dependencies": {"zod": "^3.0.0"}}\n'

APP = {
    "lib/channels.ts": (
        "import { makeChannel, Mailbox } from './backend';\n"
        "\n"
        "export const ThumbJobs = makeChannel<{ photoId: string }>(\n"
        "  'thumb_jobs',\n"
        "  { retries: 2 },\n"
        ");\n"
        "export const SlowThumbJobs = makeChannel<{ photoId: string }>('slow_thumb_jobs', {});\n"
        "export const MailJobs = new Mailbox('mail_jobs');\n"
        "// look-alikes: a counter that is added to, a channel nothing puts to\n"
        "export const hits = meter.createCounter('page_hits');\n"
        "export const AuditJobs = makeChannel('audit_jobs', {});\n"
        "export const Shelf = new Store('shelf');\n"
        "\n"
        "export async function requestThumb(photoId: string) {\n"
        "  if (!photoId) {\n"
        "    return;\n"
        "  }\n"
        "  await ThumbJobs.enqueue({ photoId });\n"
        "}\n"
    ),
    "lib/index.ts": "export * from './channels';\n",
    "api/photos.ts": (
        "import { ThumbJobs, SlowThumbJobs, hits, Shelf } from '../lib';\n"
        "\n"
        "export async function upload(photo: { id: string; bulk: boolean }) {\n"
        "  hits.add(1);\n"
        "  Shelf.push(photo);\n"
        "  drawShelf(Shelf, 3);\n"
        "  const jobs = photo.bulk\n"
        "    ? SlowThumbJobs\n"
        "    : ThumbJobs;\n"
        "  await jobs.enqueue({ photoId: photo.id });\n"
        "}\n"
    ),
    "api/albums.ts": (
        "import { requestThumb } from '../lib';\n"
        "\n"
        "export async function addToAlbum(id: string) {\n"
        "  await requestThumb(id);\n"
        "}\n"
    ),
    "api/mail.ts": (
        "import { MailJobs } from '../lib/channels';\n"
        "\n"
        "export const invite = async (to: string) => {\n"
        "  await MailJobs.publish({ to });\n"
        "};\n"
    ),
    "worker/thumbs.ts": (
        "import { backend } from './backend';\n"
        "import { ThumbJobs, SlowThumbJobs, AuditJobs, hits } from '../lib';\n"
        "\n"
        "export function startThumbs() {\n"
        "  for (const q of [ThumbJobs]) {\n"
        "    console.log(q);\n"
        "  }\n"
        "  backend.createRunner<{ photoId: string }>(\n"
        "    ThumbJobs,\n"
        "    { run: async (job) => resize(job.data.photoId) },\n"
        "  );\n"
        "  backend.createRunner(SlowThumbJobs, { run: resizeLater });\n"
        "  backend.createRunner(AuditJobs, { run: audit });\n"
        "  report(hits);\n"
        "}\n"
    ),
    "worker/mailer.ts": (
        "import { Mailbox } from '../lib/backend';\n"
        "\n"
        "export class MailWorker {\n"
        "  static async start(q: Mailbox, log = true) {\n"
        "    return startConsumer(\n"
        "      q,\n"
        "      async (msg) => deliver(msg),\n"
        "    );\n"
        "  }\n"
        "}\n"
    ),
    "worker/main.ts": (
        "import { MailWorker } from './mailer';\n"
        "import { MailJobs } from '../lib';\n"
        "import { startThumbs } from './thumbs';\n"
        "\n"
        "startThumbs();\n"
        "MailWorker.start(MailJobs);\n"
    ),
}


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


def at(path: str, marker: str, files: dict[str, str] = APP) -> tuple[str, int]:
    return path, line_of(files[path], marker)


def test_definitions_are_top_level_calls_given_a_name() -> None:
    sites = queue_definitions(APP["lib/channels.ts"])
    got = {(s.name, s.aliases[0]) for s in sites}
    assert ("thumb_jobs", "ThumbJobs") in got  # generic arguments, name on the next line
    assert ("mail_jobs", "MailJobs") in got  # a constructor
    inner = queue_definitions("function f() {\n  const q = makeChannel('inner');\n}\n")
    assert inner == ()  # not at a module's top level
    assert queue_definitions("const fs = require('fs');\n") == ()


def test_producers_and_runners_pair_through_the_imported_binding() -> None:
    facts = facts_of(APP)
    prods, cons = ends(facts, "thumb_jobs")
    assert at("lib/channels.ts", "await ThumbJobs.enqueue") in prods
    assert at("api/photos.ts", "await jobs.enqueue") in prods  # a local holding either queue
    assert at("api/albums.ts", "await requestThumb(id)") in prods  # a function around a put
    assert cons == {at("worker/thumbs.ts", "backend.createRunner<")}
    slow_prods, slow_cons = ends(facts, "slow_thumb_jobs")
    assert at("api/photos.ts", "await jobs.enqueue") in slow_prods
    assert slow_cons == {at("worker/thumbs.ts", "createRunner(SlowThumbJobs")}


def test_a_runner_handed_a_parameter_consumes_what_its_callers_pass() -> None:
    prods, cons = ends(facts_of(APP), "mail_jobs")
    assert prods == {at("api/mail.ts", "MailJobs.publish")}
    assert cons == {at("worker/mailer.ts", "return startConsumer(")}


def test_look_alikes_are_no_queue() -> None:
    names = {h.name for h in facts_of(APP).handoffs}
    assert "page_hits" not in names  # added to, never handed to a runner
    assert "audit_jobs" not in names  # handed to a runner, never put to
    assert "shelf" not in names  # pushed to and handed to a drawing function


def test_a_put_inside_an_anonymous_callback_has_no_callers() -> None:
    lines = [
        "export const router = build({",
        "  go: proc.mutation(async ({ input }) => {",
        "    await Jobs.enqueue(input);",
        "  }),",
        "});",
        "",
    ]
    assert _enclosing(lines, 3) is None
    method = [
        "export class Ledger {",
        "  async settleLater(",
        "    id: string,",
        "  ): Promise<void> {",
        "    await Jobs.enqueue({ id });",
        "  }",
        "}",
        "",
    ]
    assert _enclosing(method, 5) == ("settleLater", "Ledger")


def test_hostile_input_finishes_quickly() -> None:
    hostile = [
        "export const A = make<" + "<" * 50_000 + "\n",
        "const A = make(" + " " * 100_000 + "'x')\n",
        ("export const Q = makeQueue('q');\n" * 5_000),
        "const " * 30_000,
        "x" * 200_000 + "\nconst Q = f('" + "a" * 100_000,
    ]
    for text in hostile:
        start = time.perf_counter()
        queue_definitions(text)
        assert time.perf_counter() - start < 2.0
    # the linker's walk back from an argument and up from a put are bounded
    deep = "f(" * 40_000 + "Q, 1" + ")" * 40_000
    start = time.perf_counter()
    _Linker.callee(deep, deep.index("Q"), deep.index("Q") + 1)
    lines = ["  " * k + "if (x) {" for k in range(5_000)] + ["  " * 5_000 + "Q.enqueue(1);"]
    _enclosing(lines, len(lines))
    assert time.perf_counter() - start < 2.0


def test_hostile_files_analyse_quickly() -> None:
    files = {
        "lib/q.ts": "export const Q = makeQueue('q');\n" + "Q.enqueue(1);\n" * 3_000,
        "w.ts": "import { Q } from './lib/q';\n" + "runner(" * 5_000 + "Q" + ")" * 5_000 + "\n",
        "u.ts": "import { Q } from './lib/q';\nconst a = x ? Q : Q;\n" + "a.push(1);\n" * 2_000,
    }
    start = time.perf_counter()
    facts_of(files)
    assert time.perf_counter() - start < 20.0
