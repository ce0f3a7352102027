"""Task objects handed to a worker's queue through the class that holds it, APScheduler
triggers handed to a project's own scheduling call, and URLs read from a named class's
constant. One invented tiny app per idiom, analysed for real (the links need the pipeline)."""

from __future__ import annotations

import time

from bot.core.analysis.egress import EGRESS_VERSION
from bot.core.analysis.handoff_task_objects import task_api_sites
from bot.core.analysis.schedules_python import python_schedules
from tests.core.analysis.idiom_apps import facts_of
from tests.core.analysis.test_idioms_inproc_classes import at, ends

KITCHEN = {
    "kitchen/__init__.py": "",
    "kitchen/pass_.py": (
        "import queue\nimport threading\n\n\n"
        "class Expediter(threading.Thread):\n"
        "    _one = None\n\n"
        "    @classmethod\n"
        "    def shared(cls):\n"
        "        if cls._one is None:\n"
        "            cls._one = Expediter()\n"
        "        return cls._one\n\n"
        "    def __init__(self):\n"
        "        threading.Thread.__init__(self)\n"
        "        self.tickets = queue.Queue()\n\n"
        "    @classmethod\n"
        "    def add(cls, table, order):\n"
        "        one = cls.shared()\n"
        "        one.tickets.put((table, order))\n\n"
        "    def run(self):\n"
        "        while True:\n"
        "            table, order = self.tickets.get(timeout=1)\n"
        "            order.cook(self)\n\n\n"
        "class Order:\n"
        "    def cook(self, station):\n"
        "        self.run(station)\n"
    ),
    "kitchen/orders.py": (
        "from kitchen.pass_ import Order\n\n\n"
        "class GrillSteak(Order):\n"
        "    def __init__(self, doneness):\n"
        "        self.doneness = doneness\n\n"
        "    def run(self, station):\n"
        "        return self.doneness\n\n\n"
        "class WashDishes(Order):\n"
        "    def run(self, station):\n"
        "        return 0\n"
    ),
    "kitchen/waiter.py": (
        "from kitchen.pass_ import Expediter\n"
        "from kitchen.orders import GrillSteak\n\n\n"
        "def take_order(table, doneness):\n"
        "    Expediter.add(table, GrillSteak(doneness))\n"
    ),
    "kitchen/closing.py": (
        "from kitchen.pass_ import Expediter\n\n\n"
        "def close_up(table, make):\n"
        "    Expediter.add(table, make())\n"
    ),
    "kitchen/rota.py": (
        "from kitchen.closing import close_up\n"
        "from kitchen.orders import WashDishes\n\n\n"
        "def nightly():\n"
        "    close_up(0, lambda: WashDishes())\n"
    ),
}


def test_a_task_object_handed_to_the_queue_holder_pairs_with_its_run() -> None:
    files = KITCHEN
    found = ends(files)
    prods, cons, mech = found["GrillSteak"]
    assert mech == "in-process-queue"
    assert prods == {at(files, "kitchen/waiter.py", "Expediter.add(")}
    assert cons == {at(files, "kitchen/orders.py", "def run(self, station)")}  # the first


def test_an_object_made_by_a_factory_is_produced_where_it_is_handed_on() -> None:
    files = KITCHEN
    prods, cons, _ = ends(files)["WashDishes"]
    assert at(files, "kitchen/closing.py", "Expediter.add(") in prods
    assert cons == {"kitchen/orders.py:13"}  # WashDishes.run


def test_a_collection_add_of_an_object_is_no_task() -> None:
    # `rows.add(Plate(…))`: a set's add, and `Plate` has no run method; no queue holder
    files = {
        "diner/__init__.py": "",
        "diner/plates.py": "class Plate:\n    def wash(self):\n        return 1\n",
        "diner/shelf.py": (
            "from diner.plates import Plate\n\n\ndef stack(rows):\n    rows.add(Plate())\n"
        ),
    }
    assert "Plate" not in ends(files)


def test_a_bare_object_added_to_a_session_is_not_the_factory_producer() -> None:
    files = dict(KITCHEN)
    files["kitchen/ledger.py"] = (
        "from kitchen.pass_ import Expediter\n\n\ndef record(session, row):\n    session.add(row)\n"
    )
    prods, _, _ = ends(files)["WashDishes"]
    assert not any(p.startswith("kitchen/ledger.py") for p in prods)


def test_task_api_scan_is_bounded_on_hostile_input() -> None:
    texts = [
        "class A:\n    def f(self):\n        self.q = queue.Queue()\n" + "a.q.put(" * 30_000,
        "class A:\n  x = Queue()\n" + "    self.q = " + "a." * 50_000 + "Queue(\n.put",
        "class " * 30_000 + "\nQueue(\n.put(",
    ]
    for text in texts:
        start = time.process_time()
        task_api_sites(text)
        assert time.process_time() - start < 2.0


# --- APScheduler triggers handed to the project's own wrapper ------------------------------

ROTA = {
    "rota/__init__.py": "",
    "rota/clock.py": (
        "from apscheduler.schedulers.background import BackgroundScheduler\n\n\n"
        "class Clock:\n"
        "    def __init__(self):\n"
        "        self.inner = BackgroundScheduler()\n\n"
        "    def every(self, func, trigger, name=None):\n"
        "        return self.inner.add_job(func=func, trigger=trigger, name=name)\n"
    ),
    "rota/setup.py": (
        "from apscheduler.triggers.cron import CronTrigger\n"
        "from rota.clock import Clock\n\n\n"
        "def sweep_floors():\n    pass\n\n\n"
        "def start(hour):\n"
        "    clock = Clock()\n"
        "    clock.every(func=sweep_floors, trigger=CronTrigger(hour=hour),\n"
        "                name='sweep')\n"
        "    clock.every(\n"
        "        func=sweep_floors,\n"
        "        trigger=CronTrigger(minute=5))\n"
    ),
}


def test_a_cron_trigger_handed_to_a_wrapper_is_a_schedule_at_the_call() -> None:
    schedules = [s for s in facts_of(ROTA).schedules if s.name == "sweep_floors"]
    lines = {e.line for s in schedules for e in s.evidence}
    text = ROTA["rota/setup.py"].split("\n")
    assert lines == {
        text.index("    clock.every(func=sweep_floors, trigger=CronTrigger(hour=hour),") + 1,
        text.index("    clock.every(") + 1,
    }


def test_a_trigger_word_outside_a_call_is_no_schedule() -> None:
    text = (
        "from apscheduler.triggers.cron import CronTrigger\n"
        "trigger = CronTrigger(hour=3)\n"
        "settings = dict(trigger=DateTrigger(run_date=1))\n"
    )
    assert python_schedules(text) == ()


def test_trigger_scan_is_bounded_on_hostile_input() -> None:
    texts = [
        "x(" * 50_000 + "trigger=CronTrigger(\n",
        "a" * 100_000 + "(trigger=CronTrigger(" * 10,
        ("f(\n" * 10 + "trigger=CronTrigger(" + ")" * 1_000 + "\n") * 2_000,
    ]
    for text in texts:
        start = time.process_time()
        python_schedules(text)
        assert time.process_time() - start < 2.0


# --- a URL read from a named class's constant ------------------------------------------------

CATALOG = {
    "shop/__init__.py": "",
    "shop/lookup.py": (
        "import requests\n\n\n"
        "class Atlas:\n"
        '    ROOT = "https://api.atlasmaps.io/api?q="\n\n'
        "    def find(self, q):\n"
        '        return requests.get(f"{Atlas.ROOT}{q}")\n\n\n'
        "class Other:\n"
        "    ROOT = None\n\n"
        "    def find(self, q):\n"
        '        return requests.get(f"{Missing.ROOT}{q}")\n'
    ),
}


def test_a_class_constant_read_by_class_name_resolves_to_its_literal() -> None:
    assert EGRESS_VERSION >= 34
    names = {i.name for i in facts_of(CATALOG).integrations}
    assert "api.atlasmaps.io" in names, names


def test_a_constant_of_a_class_not_in_the_file_is_not_borrowed() -> None:
    # `Missing.ROOT` names no class here: `Atlas.ROOT` must not stand in for it
    found = [i for i in facts_of(CATALOG).integrations if i.name == "api.atlasmaps.io"]
    lines = {e.line for i in found for e in i.evidence if e.path == "shop/lookup.py"}
    assert lines == {8}


def test_class_constant_lookup_is_bounded_on_hostile_input() -> None:
    files = {
        "big.py": "import requests\n\nclass A:\n    ROOT = 'https://api.atlasmaps.io'\n"
        + "requests.get(A."
        + "B." * 20_000
        + "ROOT)\n",
    }
    start = time.process_time()
    facts_of(files)
    assert time.process_time() - start < 5.0


def test_a_docstring_showing_the_shape_holds_no_queue() -> None:
    text = (
        '"""How the worker is used:\n'
        "    class Worker:\n"
        "        def __init__(self):\n"
        "            self.jobs = queue.Queue()\n"
        "        def add(self, job):\n"
        "            self.jobs.put(job)\n"
        '"""\n'
    )
    assert task_api_sites(text) == []
