"""`new Worker(` is a BullMQ consumer where the file imports Bull; a Web Worker
(`new Worker(new URL('./x.ts', import.meta.url))`) or a worker thread (`new Worker(path)`)
elsewhere is none."""

from __future__ import annotations

import time

from bot.core.analysis.handoffs import javascript_sites


def ends(src: str) -> set[tuple[str, str, str, int]]:
    return {(s.role, s.mechanism, s.name, s.line) for s in javascript_sites(src)}


def test_a_bullmq_worker_named_by_a_constant_is_a_consumer() -> None:
    src = (
        "import { Worker } from 'bullmq'\n"
        "import { Names } from './names'\n"
        "const w = new Worker(Names.Mail, async (job) => send(job.data))\n"
    )
    assert ends(src) == {("consume", "bull", "Names.Mail", 3)}
    required = 'const { Worker } = require("bullmq")\nnew Worker(mailQueue, run)\n'
    assert ends(required) == {("consume", "bull", "mailQueue", 2)}
    scoped = "import { WorkerPro as Worker } from '@acme/bullmq-pro'\nnew Worker(q, run)\n"
    assert ends(scoped) == {("consume", "bull", "q", 2)}


def test_web_workers_and_worker_threads_are_no_consumers() -> None:
    # Look-alikes: a bundler's module worker, a thread started from a path variable.
    browser = (
        "export function startLayout() {\n"
        "  const worker = new Worker(\n"
        "    new URL('./layout.worker.ts', import.meta.url), { type: 'module' })\n"
        "  worker.postMessage({ nodes })\n"
        "}\n"
    )
    assert not [s for s in javascript_sites(browser) if s.mechanism == "bull"]
    thread = (
        "import { Worker } from 'node:worker_threads'\n"
        "class Counter {\n"
        "  run() { const worker = new Worker(this.scriptPath); }\n"
        "  other() { return new Worker(workerPath, { workerData }) }\n"
        "}\n"
    )
    assert not [s for s in javascript_sites(thread) if s.mechanism == "bull"]
    # a package whose name only starts like Bull's is not Bull
    board = "import { createBoard } from 'bull-board'\nnew Worker(scriptUrl)\n"
    assert not [s for s in javascript_sites(board) if s.mechanism == "bull"]
    served = "const w = new Worker('/static/js/counter', { type: 'module' })\n"
    assert not [s for s in javascript_sites(served) if s.mechanism == "bull"]


def test_huge_worker_files_stay_linear() -> None:
    # Hostile: thousands of `new Worker(` with no Bull import, an unterminated import.
    src = "import { x } from 'bull" + " " * 50_000 + "\n" + "new Worker(new URL(a)\n" * 20_000
    began = time.monotonic()
    assert not [s for s in javascript_sites(src) if s.mechanism == "bull"]
    assert time.monotonic() - began < 5
