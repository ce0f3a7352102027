"""Polling loops as schedules: a loop that never ends by its own condition and sleeps."""

from __future__ import annotations

import time

from bot.core.analysis.loops import go_loops, js_loops, python_loops, ruby_loops
from bot.core.analysis.movement import collect_schedules, with_movement
from bot.core.analysis.schedules import go_schedules
from bot.core.model import FileFacts, ScheduleSite

DJANGO_COMMAND = """\
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sends due reminders"

    def handle(self, *args, **options):
        self.stdout.write("started")
        while True:
            sent = self.send_due()
            # time.sleep(0.5) in a comment does not count
            if not sent:
                time.sleep(5)

    def send_due(self):
        return 0
"""


def rows(sites: tuple[ScheduleSite, ...]) -> set[tuple[str, str, int]]:
    return {(s.name, s.schedule, s.line) for s in sites}


def test_a_command_that_loops_forever_and_sleeps_is_a_schedule_cited_at_loop_and_sleep() -> None:
    assert rows(python_loops(DJANGO_COMMAND)) == {
        ("handle", "loop, sleeps 5", 11),
        ("handle", "loop, sleeps 5", 15),
    }


def test_waits_for_a_condition_and_short_sleeps_are_not_schedules() -> None:
    text = (
        "import time\n"
        "def wait_ready(server, deadline):\n"
        "    while time.monotonic() < deadline:\n"  # ends by its own condition
        "        time.sleep(3)\n"
        "def poll():\n"
        "    while True:\n"
        "        if ready():\n"
        "            break\n"
        "        time.sleep(0.05)\n"  # a probe, not a pace
        "def after():\n"
        "    while True:\n"
        "        work()\n"
        "    time.sleep(10)\n"  # after the loop, not in it
    )
    assert python_loops(text) == ()


def test_async_workers_and_stop_flags_with_a_computed_pace() -> None:
    text = (
        "import asyncio, random\n"
        "class Poller:\n"
        "    async def run_forever(self):\n"
        "        while not self.stopping:\n"
        "            await self.fetch()\n"
        "            await asyncio.sleep(random.uniform(1, self.interval))\n"
    )
    assert rows(python_loops(text)) == {
        ("run_forever", "loop, sleeps random.uniform(1, self.interval)", 4),
        ("run_forever", "loop, sleeps random.uniform(1, self.interval)", 6),
    }


def test_go_for_loops_with_a_sleep_or_a_timer_and_ruby_loop_blocks() -> None:
    go = (
        "package main\n"
        "\n"
        "func (w *Watchdog) ping(interval time.Duration) {\n"
        "\tfor {\n"
        "\t\tnotify()\n"
        "\t\ttime.Sleep(interval / 2)\n"
        "\t}\n"
        "}\n"
        "\n"
        "func probe() {\n"
        "\tfor {\n"
        "\t\ttime.Sleep(50 * time.Millisecond)\n"
        "\t}\n"
        "}\n"
    )
    assert rows(go_loops(go)) == {
        ("ping", "loop, sleeps interval / 2", 4),
        ("ping", "loop, sleeps interval / 2", 6),
    }
    ruby = (
        "class Sweeper\n"
        "  def self.start\n"
        "    loop do\n"
        "      sweep!\n"
        "      sleep 60\n"
        "    end\n"
        "  end\n"
        "end\n"
    )
    assert rows(ruby_loops(ruby)) == {
        ("start", "loop, sleeps 60", 3),
        ("start", "loop, sleeps 60", 5),
    }


def test_a_loop_in_a_generic_method_is_named_by_its_file_and_cited_twice() -> None:
    facts = with_movement(FileFacts("python"), DJANGO_COMMAND.encode())
    path = "app/management/commands/sendreminders.py"
    (schedule,) = collect_schedules({path: facts}, lambda _: False)
    assert schedule.name == "sendreminders"
    assert schedule.mechanism == "loop"
    assert [(e.path, e.line) for e in schedule.evidence] == [(path, 11), (path, 15)]


def test_a_minifier_registration_is_not_a_cron_job() -> None:
    # `AddFunc` is also how tdewolff/minify registers a minifier for a media type.
    text = (
        'm.AddFunc("text/css", css.Minify)\n'
        'c.AddFunc("@every 5m", sweep)\n'
        'c.AddFunc("0 3 * * *", nightly)\n'
    )
    assert {s.name for s in go_schedules(text)} == {"sweep", "nightly"}


def test_hostile_nesting_is_linear() -> None:
    deep = "".join("    " * (i % 400) + "while True:\n" for i in range(20_000))
    deep += "    " * 400 + "time.sleep(5)\n"
    started = time.process_time()
    python_loops(deep)
    python_loops("while True:\n" + "    time.sleep(x)\n" * 50_000)
    go_loops("\tfor {\n" * 20_000 + "time.Sleep(" * 20_000)
    ruby_loops("loop do\n  sleep " + "(" * 50_000)
    assert time.process_time() - started < 2.0


def test_a_loop_in_a_development_tool_is_not_the_products_schedule() -> None:
    from bot.core.flows import is_development

    facts = with_movement(FileFacts("python"), DJANGO_COMMAND.encode())
    found = collect_schedules({"bench/loadgen.py": facts}, lambda _: False, is_development)
    assert found == ()


def test_a_loop_that_counts_its_attempts_is_a_retry_not_a_schedule() -> None:
    text = (
        "def main():\n"
        "    max_retry = 10\n"
        "    wait_seconds = 1\n"
        "    while True:\n"
        "        if connect():\n"
        "            break\n"
        "        max_retry -= 1\n"
        "        sleep(wait_seconds)\n"
    )
    assert python_loops(text) == ()


def test_fastapi_utils_repeat_every_is_a_schedule() -> None:
    from bot.core.analysis.schedules import python_schedules

    text = (
        "from fastapi_utils.tasks import repeat_every\n\n"
        "@repeat_every(minutes=60 * 24, wait_first=False)\n"
        "def run_daily():\n"
        "    purge()\n"
    )
    assert [(s.name, s.mechanism, s.line) for s in python_schedules(text)] == [
        ("run_daily", "repeat_every", 4)
    ]


STOPPABLE = """\
import threading
import time

stop = threading.Event()


def refresh_rates():
    while not stop.is_set():
        fetch_rates()
        stop.wait(3600)


def dispatcher(app):
    last_audit = 0
    while not app.state.halt.is_set():
        now = time.time()
        if now - last_audit >= 300:
            audit_workers()
            last_audit = now
        if paused():
            app.state.halt.wait(1)
            continue
        for item in due_items():
            send(item)
        app.state.halt.wait(PACE_SECONDS)


def mail_sender(outbox):
    while not stop.is_set():
        try:
            msg = outbox.get(block=False)
        except Exception:
            stop.wait(1)
            continue
        deliver(msg)
"""


def test_a_loop_paced_by_its_stop_event_is_a_schedule() -> None:
    got = rows(python_loops(STOPPABLE))
    assert ("refresh_rates", "loop, sleeps 3600", 8) in got
    assert ("refresh_rates", "loop, sleeps 3600", 10) in got


def test_the_loop_pace_is_its_shallowest_sleep_and_an_elapsed_check_is_its_own_schedule() -> None:
    got = rows(python_loops(STOPPABLE))
    assert ("dispatcher", "loop, sleeps PACE_SECONDS", 25) in got
    assert not any(line == 21 for _, _, line in got)  # the wait of the paused branch
    assert ("dispatcher", "every 300 s, in a loop", 17) in got


def test_a_loop_that_drains_a_queue_is_a_consumer_not_a_schedule() -> None:
    assert not any(name == "mail_sender" for name, _, _ in rows(python_loops(STOPPABLE)))


def test_an_elapsed_check_whose_stamp_is_never_reset_is_nothing() -> None:
    text = (
        "def run():\n    started = now()\n    while True:\n"
        "        if now() - started > 60:\n            log('slow')\n"
        "        time.sleep(5)\n"
    )
    assert {s for _, s, _ in rows(python_loops(text))} == {"loop, sleeps 5"}


def test_hostile_event_loops_are_quick() -> None:
    start = time.process_time()
    python_loops("while not " + "a." * 50_000 + "is_set():\n" + "  x.wait(" * 30_000 + "\n")
    python_loops("while True:\n" + "  if a - b > 1:\n" * 30_000 + "  sleep(5)\n")
    assert time.process_time() - start < 2.0


NODE_POLLER = """\
import { setTimeout as sleep } from "node:timers/promises";
import { nextBatch, handle } from "./store";

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function drainOutbox(pause: number) {
  while (true) {
    const rows = await nextBatch();
    if (rows.length === 0) {
      await delay(pause);
      continue;
    }
    await Promise.allSettled(rows.map((row) => handle(row)));
    await delay(pause);
  }
}

export const refreshCovers = async () => {
  for (;;) {
    await handle(null);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
};

class Probe {
  async waitUntilReady() {
    while (true) {
      if (await ready()) return;
      await sleep(200);
    }
  }

  async reconnect() {
    let attempt = 0;
    while (true) {
      attempt += 1;
      await sleep(5000);
    }
  }
}
"""


def test_a_node_loop_that_awaits_a_delay_is_a_schedule_cited_at_its_last_body_sleep() -> None:
    assert rows(js_loops(NODE_POLLER)) == {
        ("drainOutbox", "loop, sleeps pause", 7),
        ("drainOutbox", "loop, sleeps pause", 14),
        ("refreshCovers", "loop, sleeps 60_000", 19),
        ("refreshCovers", "loop, sleeps 60_000", 21),
    }  # a wait under a second polls a condition; a loop counting attempts retries


def test_a_page_loop_is_not_a_schedule_but_a_worker_file_loop_is() -> None:
    text = NODE_POLLER.encode()
    facts = {
        "web/components/Poller.tsx": with_movement(FileFacts(language="typescript"), text),
        "worker/jobs/outbox.ts": with_movement(FileFacts(language="typescript"), text),
    }
    found = collect_schedules(facts, lambda _: False)
    assert {ev.path for s in found for ev in s.evidence} == {"worker/jobs/outbox.ts"}
    assert {s.name for s in found} == {"drainOutbox", "refreshCovers"}


def test_a_go_loop_waiting_on_a_timer_to_a_wall_clock_time_is_a_daily_schedule() -> None:
    go = (
        "package jobs\n\n"
        "func (r *Reaper) nightly() {\n"
        "\tfor {\n"
        "\t\tnext := nextMidnight(time.Now())\n"
        "\t\twait := time.NewTimer(time.Until(next))\n"
        "\t\tselect {\n"
        "\t\tcase <-wait.C:\n"
        "\t\t\tr.sweep()\n"
        "\t\tcase <-r.done:\n"
        "\t\t\treturn\n"
        "\t\t}\n"
        "\t}\n"
        "}\n"
    )
    assert rows(go_loops(go)) == {
        ("nightly", "loop, sleeps time.Until(next)", 4),
        ("nightly", "loop, sleeps time.Until(next)", 6),
    }
    # a timer for a duration in a receive loop is the receive's timeout, not a pace
    timeout = go.replace("time.NewTimer(time.Until(next))", "time.NewTimer(5 * time.Second)")
    assert go_loops(timeout) == ()
