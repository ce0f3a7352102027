"""Tasks called through a method their decorator added (`x.delay(…)`, `.run_in_thread(…)`,
`.kiq(…)`), paired with the `def` they name whatever the decorator's library, and
recurring-task decorators read over several lines. Small invented apps, analysed for real."""

from __future__ import annotations

import time

from bot.core.analysis.handoff_decorated import _decorator, _wrapping
from bot.core.analysis.schedules_python import python_schedules
from tests.core.analysis.analysed import by_name, ends, facts_of

GREENHOUSE = {
    "svc/__init__.py": b"",
    "svc/relay/__init__.py": b"",
    "svc/relay/queueing.py": (
        b"def enlist(**options):\n    def wrap(fn):\n        return fn\n    return wrap\n"
    ),
    "svc/plants/__init__.py": b"",
    "svc/plants/jobs.py": (
        b"from functools import lru_cache\n"
        b"from svc.relay.queueing import enlist\n"
        b"from svc.plants.watering import water_bed as water_bed_impl\n\n\n"
        b"@enlist(\n"
        b"    weight=3,\n"
        b")\n"
        b"def prune_stems(bed_id):\n"
        b"    return bed_id\n\n\n"
        b"@lru_cache\n"
        b"def soil_table(kind):\n"
        b"    return kind\n\n\n"
        b"water_bed = enlist(\n    weight=1,\n)(water_bed_impl)\n\n\n"
        b"@enlist()\n"
        b"def log_harvest(bed_id):\n"
        b"    return bed_id\n\n\n"
        b"def reseed(bed_id):\n"
        b"    log_harvest.delay(args=(bed_id,))\n"
    ),
    "svc/plants/watering.py": b"def water_bed(bed_id, litres):\n    return litres\n",
    "svc/plants/views.py": (
        b"from svc.plants.jobs import prune_stems, soil_table\n"
        b"from svc.plants import jobs as plant_jobs\n\n\n"
        b"def trim(request):\n"
        b"    prune_stems.delay(kwargs={'bed_id': request.bed})\n"
        b"    soil_table.delay(3)\n"
        b"    return None\n\n\n"
        b"def soak(request):\n"
        b"    plant_jobs.water_bed.run_in_thread(args=(request.bed, 4))\n"
        b"    return None\n"
    ),
}


def test_a_task_called_by_delay_pairs_with_its_decorated_def_through_the_import() -> None:
    handoffs = by_name(facts_of(GREENHOUSE))
    assert ends(handoffs["prune_stems"]) == (
        {"svc/plants/views.py:6"},
        {"svc/plants/jobs.py:9"},
    )
    assert handoffs["prune_stems"].mechanism == "svc"  # the decorator's package


def test_a_task_wrapped_by_a_call_pairs_with_the_function_it_wraps() -> None:
    handoffs = by_name(facts_of(GREENHOUSE))
    # `plant_jobs.water_bed.run_in_thread(…)` through `from svc.plants import jobs as …`
    assert ends(handoffs["water_bed"]) == (
        {"svc/plants/views.py:12"},
        {"svc/plants/watering.py:1"},
    )


def test_a_task_called_in_its_own_file_pairs_with_the_def_there() -> None:
    handoffs = by_name(facts_of(GREENHOUSE))
    assert ends(handoffs["log_harvest"]) == ({"svc/plants/jobs.py:29"}, {"svc/plants/jobs.py:24"})


def test_a_plain_function_decorator_makes_no_task() -> None:
    # look-alike: `soil_table.delay(3)` on an `@lru_cache` function is no hand-off
    handoffs = by_name(facts_of(GREENHOUSE))
    assert "soil_table" not in handoffs or not handoffs["soil_table"].consumers


def test_a_method_or_an_undecorated_function_of_the_same_name_is_no_consumer() -> None:
    files = {
        "yard/__init__.py": b"",
        "yard/tools.py": (
            b"class Shed:\n"
            b"    @staticmethod\n"
            b"    def sweep(area):\n"
            b"        return area\n\n\n"
            b"def rake(area):\n"
            b"    return area\n"
        ),
        "yard/views.py": (
            b"from yard.tools import rake\n\n\n"
            b"def tidy(request, sweep):\n"
            b"    rake.delay(request.area)\n"
            b"    sweep.delay(request.area)\n"
        ),
    }
    for h in facts_of(files).handoffs:
        assert not h.consumers, h


def test_a_send_on_a_signal_is_no_hand_off() -> None:
    files = {
        "porch/__init__.py": b"",
        "porch/signals.py": b"from blinker import Signal\nbell_rang = Signal()\n",
        "porch/views.py": (
            b"from porch.signals import bell_rang\n\n\n"
            b"def ring(request):\n"
            b"    bell_rang.send(request)\n"
        ),
    }
    assert not any(h.consumers for h in facts_of(files).handoffs if h.name == "bell_rang")


def test_decorator_and_wrapping_readers() -> None:
    lines = ["@enlist(", "    weight=1,", ")", "def prune(x):"]
    assert _decorator(lines, 4, 0) == "enlist"
    assert _decorator(["x = 1", "def prune(x):"], 2, 0) is None
    assert _decorator(["@property", "def prune(x):"], 2, 0) is None
    assert _wrapping(" = enlist(weight=f(1))(prune_impl)", 0) == ("enlist", "prune_impl")
    assert _wrapping(" = enlist(weight=1)", 0) is None
    assert _wrapping(" = enlist(weight=1\n", 0) is None  # unclosed


def test_recurring_decorators_over_several_lines_and_registering_calls_are_schedules() -> None:
    src = (
        "from periodic_lib import every_so_often, register_recurring_job\n"
        "from datetime import timedelta\n\n"
        "if FLAG:\n\n"
        "    @every_so_often(\n"
        "        run_every=timedelta(minutes=5),\n"
        "    )\n"
        "    def sweep_leaves():\n"
        "        pass\n\n\n"
        "@register_recurring_job(\n"
        "    timeout=timedelta(minutes=1),\n"
        ")\n"
        "def count_apples():\n"
        "    pass\n\n\n"
        "def hook():\n"
        "    register_recurring_job(\n"
        "        run_every=timedelta(hours=12),\n"
        "    )(water_roses)\n"
        "    register_recurring_job(run_every=timedelta(hours=1))\n"
        "    registrar(run_every=3)(not_a_schedule)\n"
    )
    sites = {(s.name, s.line) for s in python_schedules(src)}
    assert ("sweep_leaves", 9) in sites
    assert ("count_apples", 16) in sites  # the name says it recurs
    assert ("water_roses", 21) in sites
    assert not any(name == "not_a_schedule" for name, _ in sites)
    assert len(sites) == 3


def test_hostile_inputs_stay_fast() -> None:
    huge = b"x = " + b"(" * 50_000 + b"\n"
    files = {
        "h/__init__.py": b"",
        "h/jobs.py": (
            b"from lib import enlist\n"
            + b"@enlist(\n" * 3_000
            + b"def t():\n    pass\n"
            + b"t = enlist("
            + b"(" * 30_000
            + b")(t)\n"
            + huge
        ),
        "h/views.py": (
            b"from h.jobs import t\n"
            + b"t.delay("
            + b"a." * 20_000
            + b"delay(\n"
            + b"t.delay()\n" * 3_000
        ),
    }
    start = time.process_time()
    facts_of(files)
    python_schedules(
        "@register_recurring_task(\n" + "(" * 100_000 + "\n" + "register_recurring_x(" * 20_000
    )
    assert time.process_time() - start < 10
