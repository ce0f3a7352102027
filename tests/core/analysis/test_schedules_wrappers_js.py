"""JS/TS schedules set through a repository's own layer (`schedules_wrappers_js`): a
scheduling helper given a cron, and subclasses of a runner base paced by a timer. Invented
fixtures, analysed for real, with look-alikes and hostile inputs."""

from __future__ import annotations

import time

from bot.core.analysis.schedules_wrappers_js import MECHANISM, PACED, helper_schedules
from tests.core.analysis.analysed import facts_of

HELPER = (
    'import { scheduleRepeating } from "./repeating";\n'
    "\n"
    "export function boot(q: unknown) {\n"
    "  scheduleRepeating(q, {\n"
    "    jobName: Chores.Sweep,\n"
    '    pattern: "*/15 * * * *", // every quarter (of an hour)\n'
    "  });\n"
    "  scheduleRepeating(q, { name: 'tidy', cron: TIDY_CRON_SPEC });\n"
    "}\n"
)

BASE = (
    "export abstract class Ticker {\n"
    "  protected abstract get name(): string;\n"
    "  protected abstract get pauseIntervalMs(): number;\n"
    "  protected abstract work(): Promise<void>;\n"
    "\n"
    "  start() {\n"
    "    this.timer = setTimeout(async () => {\n"
    "      await this.work();\n"
    "      this.start();\n"
    "    }, this.pauseIntervalMs);\n"
    "  }\n"
    "}\n"
)
LOCKED = (
    'import { Ticker } from "./ticker";\n'
    "\n"
    "export abstract class LockedTicker extends Ticker {\n"
    "  protected get name(): string {\n"
    '    return "locked";\n'
    "  }\n"
    "}\n"
)
SWEEPER = (
    'import { LockedTicker } from "../lib/locked";\n'
    "\n"
    "export class Sweeper extends LockedTicker {\n"
    "  protected get pauseIntervalMs(): number {\n"
    "    return settings.SWEEP_MS;\n"
    "  }\n"
    "\n"
    "  protected async work() {}\n"
    "}\n"
)
# look-alikes: a subclass of a base no timer paces, a getter of another member
WIDGET = (
    "export abstract class Widget {\n"
    "  protected abstract get refreshIntervalMs(): number;\n"
    "  draw() {\n"
    "    return this.refreshIntervalMs;\n"
    "  }\n"
    "}\n"
    "export class Clock extends Widget {\n"
    "  protected get refreshIntervalMs(): number {\n"
    "    return 1000;\n"
    "  }\n"
    "}\n"
    'export class Named extends Sweeper {\n  get label() {\n    return "n";\n  }\n}\n'
)


def test_helper_calls_given_a_cron_are_schedules() -> None:
    got = [(s.name, s.schedule, s.mechanism, s.line, s.target) for s in helper_schedules(HELPER)]
    assert got == [
        ("Sweep", "*/15 * * * *", MECHANISM, 6, "scheduleRepeating"),
        ("tidy", "TIDY_CRON_SPEC", MECHANISM, 8, "scheduleRepeating"),
    ]


def test_helper_look_alikes_are_no_schedules() -> None:
    texts = [
        # a regular expression's pattern, a helper whose name says nothing of a clock
        'scheduleCheck(input, { pattern: "^[a-z]+$" });\n',
        'validate(input, { pattern: "0 3 * * *" });\n',
        # the libraries' own calls are `schedules_js`'s
        'queue.upsertJobScheduler("x", { pattern: "0 3 * * *" });\n',
        # a constant that is no cron, a commented-out call
        "scheduleRepeating(q, { pattern: DEFAULT_PATTERN });\n",
        '// scheduleRepeating(q, { pattern: "0 3 * * *" });\n',
        '//   pattern: "0 3 * * *",\nscheduleRepeating(q, {});\n',
    ]
    for text in texts:
        assert [s for s in helper_schedules(text) if s.mechanism == MECHANISM] == [], text


def test_subclasses_of_a_timer_paced_base_are_loops() -> None:
    files = {
        "package.json": b'{"name": "broom"}\n',
        "src/lib/ticker.ts": BASE.encode(),
        "src/lib/locked.ts": LOCKED.encode(),
        "src/jobs/sweeper.ts": SWEEPER.encode(),
        "src/ui/widget.ts": WIDGET.encode(),
    }
    found = [
        (s.name, s.schedule, [f"{e.path}:{e.line}" for e in s.evidence])
        for s in facts_of(files).schedules
        if s.mechanism == PACED
    ]
    assert found == [("Sweeper", "every settings.SWEEP_MS", ["src/jobs/sweeper.ts:4"])]


def test_hostile_input_finishes_quickly() -> None:
    hostile = [
        "scheduleX(" * 50_000 + 'pattern: "0 3 * * *"\n',
        ("  pattern: '* * * * *',\n" * 20_000),
        "class A extends B {\n" + "  get x() {\n" * 30_000,
        "abstract class A {\n" + "  abstract get intervalMs(): number;\n" * 20_000 + "setTimeout(",
        "class " * 50_000,
        "pattern: " + "'" * 100_000,
    ]
    for text in hostile:
        start = time.perf_counter()
        helper_schedules(text)
        assert time.perf_counter() - start < 2.0
