"""One-shot actor alarms paired with the actor's `Alarm` method (`handoffs_go_alarms`)."""

from __future__ import annotations

import time

from bot.core.analysis.handoffs_go import go_sites

ACTOR = (
    "package tally\n"
    "func (k *keeper) Nudge(ctx context.Context) error {\n"
    "\treturn k.client.SetAlarm(ctx, alarmRecount, vat.AlarmProperties{\n"  # 3
    "\t\tDueTime: time.Now().Add(recountDelay),\n"
    "\t})\n"
    "}\n"
    "func (k *keeper) Start(ctx context.Context) error {\n"
    "\treturn k.client.SetAlarm(ctx, alarmSweep, vat.AlarmProperties{\n"  # 8: repeats
    "\t\tDueTime:  time.Now(),\n"
    '\t\tInterval: "PT1H",\n'
    "\t})\n"
    "}\n"
    "func (k *keeper) Alarm(ctx context.Context, name string, _ vat.Envelope) error {\n"  # 13
    "\treturn k.recount(ctx)\n"
    "}\n"
)


def test_a_one_shot_alarm_is_handed_to_the_files_alarm_method() -> None:
    got = {(s.role, s.mechanism, s.name, s.line) for s in go_sites(ACTOR)}
    assert got == {
        ("produce", "actor-alarm", "alarmRecount", 3),
        ("consume", "actor-alarm", "alarmRecount", 13),
    }


def test_look_alikes_are_no_alarm_handoffs() -> None:
    # a SetAlarm with no Alarm method in the file (a phone clock API), and a commented one
    clock = (
        "func wake(d *Device) { d.SetAlarm(ctx, morning, Props{At: t}) }\n"
        "// k.client.SetAlarm(ctx, x, vat.AlarmProperties{})\n"
        "func (d *Device) Alarm() string { return d.tone }\n"
    )
    assert not [s for s in go_sites(clock) if s.mechanism == "actor-alarm"]


def test_alarm_scan_is_bounded_on_hostile_input() -> None:
    start = time.process_time()
    go_sites("c.SetAlarm(ctx, a, p{\n" * 100_000 + "func (k *K) Alarm(c C, n string) {}\n")
    go_sites("SetAlarm(" * 200_000 + "\nAlarm(")
    go_sites("func (k *K) Alarm(" + "(" * 500_000 + "string")
    assert time.process_time() - start < 10
