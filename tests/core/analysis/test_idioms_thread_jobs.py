"""Python threads as hand-offs (held-out repositories): a class that starts its own worker
method on the queue it holds and is fed through its methods, and a thread started with a
job row made for it. One hand-written tiny app per idiom, analysed for real (the wrapper,
drainer and target links need the whole pipeline)."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis.handoffs_inproc import inproc_sites
from bot.core.analysis.handoffs_thread_jobs import thread_job_sites
from tests.core.analysis.test_idioms_inproc_classes import at, ends

# --- a class feeding the worker thread it starts on its own queue ---------------------------

DOORBELL = {
    "chimes/__init__.py": "",
    "chimes/relay.py": (
        "import queue\nimport threading\n\n\n"
        "class Relay:\n"
        "    def __init__(self):\n"
        "        self._pending = queue.Queue(maxsize=50)\n"
        "        self._thread = threading.Thread(target=self.pump, args=(7, self._pending), "
        "daemon=True)\n"
        "        self._thread.start()\n\n"
        "    def __call__(self, sender, **kwargs):\n"
        "        self._ring(sender)\n\n"
        "    def _ring(self, *senders):\n"
        "        for s in senders:\n"
        "            self._pending.put_nowait(s)\n\n"
        "    def stop(self):\n"
        "        self._pending.put(None)\n\n"
        "    @staticmethod\n"
        "    def ring_many(*senders):\n"
        "        Relay()._ring(*senders)\n\n"
        "    @staticmethod\n"
        "    def pump(slot, inbox):\n"
        "        while True:\n"
        "            item = inbox.get()\n"
        "            if item is None:\n"
        "                break\n"
        "            chime(slot, item)\n"
    ),
    "chimes/porch.py": (
        "from chimes.relay import Relay\n\n\n"
        "def visitors_arrived(group):\n"
        "    Relay.ring_many(*group)\n"
    ),
}


def test_a_class_worker_thread_fed_through_its_methods() -> None:
    files = DOORBELL
    prods, cons, mech = ends(files)["_pending"]
    assert mech == "in-process-queue"
    assert cons == {at(files, "chimes/relay.py", "def pump")}
    assert at(files, "chimes/relay.py", "self._pending.put_nowait(") in prods
    # the private method's caller in the class, and the public forwarder's caller elsewhere
    assert at(files, "chimes/relay.py", "self._ring(sender)") in prods
    assert at(files, "chimes/porch.py", "Relay.ring_many(") in prods


def test_a_method_target_of_another_class_is_not_the_worker() -> None:
    # `target=other.pump` in a file that defines no `pump`: the queue has no consumer
    files = {
        "bells/__init__.py": "",
        "bells/box.py": (
            "import queue\nimport threading\n\n\n"
            "class Box:\n"
            "    def __init__(self, other):\n"
            "        self._q = queue.Queue()\n"
            "        threading.Thread(target=other.pump, args=(self._q,)).start()\n\n"
            "    def drop(self, x):\n"
            "        self._q.put(x)\n"
        ),
        "bells/other.py": ("def pump(inbox):\n    while True:\n        inbox.get()\n"),
    }
    assert "_q" not in ends(files)


def test_methods_named_like_a_collection_are_no_producer_api() -> None:
    # `put`/`stop` around the queue are its own verbs; their callers are no producers
    files = {
        "sack/__init__.py": "",
        "sack/bag.py": (
            "import queue\nimport threading\n\n\n"
            "class Bag:\n"
            "    def __init__(self):\n"
            "        self._q = queue.Queue()\n"
            "        threading.Thread(target=self.drain, args=(self._q,)).start()\n\n"
            "    def push(self, x):\n"
            "        self._q.put(x)\n\n"
            "    def drain(self, inbox):\n"
            "        while True:\n"
            "            inbox.get()\n"
        ),
        "sack/use.py": "from sack.bag import Bag\n\n\ndef fill(b):\n    b.push(1)\n",
    }
    prods, _, _ = ends(files)["_q"]
    assert at(files, "sack/bag.py", "self._q.put(x)") in prods
    assert not any(p.startswith("sack/use.py") for p in prods)


# --- a thread started with the job row it reports on ----------------------------------------

PRESS = {
    "press/__init__.py": "",
    "press/models.py": "class PrintLog:\n    objects = None\n",
    "press/engines/__init__.py": "",
    "press/engines/base.py": (
        "class Engine:\n"
        "    def render_all(self, pages, log):\n"
        "        log.done = True\n"
        "        log.save()\n"
    ),
    "press/engines/registry.py": (
        "from press.engines.base import Engine\n\n\ndef engine_for(kind):\n    return Engine()\n"
    ),
    "press/views.py": (
        "import threading\n\n"
        "from press.engines.registry import engine_for\n"
        "from press.models import PrintLog\n\n\n"
        "def start_print(request):\n"
        "    engine = engine_for(request.kind)\n"
        "    log = PrintLog.objects.create(owner=request.user)\n"
        "    t = threading.Thread(target=engine.render_all,\n"
        "                         args=[request.pages, log])\n"
        "    t.daemon = True\n"
        "    t.start()\n"
        "    return log.pk\n\n\n"
        "def local_job(request):\n"
        "    log = PrintLog.objects.create(owner=request.user)\n"
        "    threading.Thread(target=proof, args=(log,)).start()\n\n\n"
        "def proof(log):\n"
        "    log.save()\n"
    ),
}


def test_a_thread_handed_a_new_job_row_is_a_hand_off() -> None:
    files = PRESS
    got = ends(files)
    prods, cons, mech = got["render_all"]
    assert mech == "thread-job"
    assert prods == {at(files, "press/views.py", "threading.Thread(target=engine.render_all")}
    assert cons == {at(files, "press/engines/base.py", "def render_all")}
    prods, cons, _ = got["proof"]
    assert prods == {at(files, "press/views.py", "target=proof")}
    assert cons == {at(files, "press/views.py", "def proof")}


def test_a_thread_without_a_job_row_is_no_hand_off() -> None:
    files = {
        "mailer/__init__.py": "",
        "mailer/send.py": (
            "from threading import Thread\n\n"
            "from mailer.models import Outbox\n\n\n"
            "def deliver(app, msg):\n    app.send(msg)\n\n\n"
            "def send_later(app, msg):\n"
            "    Thread(target=deliver, args=(app, msg)).start()\n\n\n"
            "def record(app, msg):\n"
            "    row = Outbox.objects.create(body=msg)\n"
            "    # the row is not handed to the thread\n"
            "    Thread(target=deliver, args=(app, msg)).start()\n"
            "    return row\n"
        ),
    }
    assert "deliver" not in ends(files)
    assert thread_job_sites(files["mailer/send.py"]) == []


THREAD_HOSTILE = [
    "x = Y.objects.create()\n" + "Thread(target=" * 40_000 + "\n",
    "row = M.objects.create(\n" + "Thread(target=a.b, args=[" + "row, " * 60_000 + "\n",
    "t = threading.Thread(target=" + "a." * 50_000 + "b, args=(r,))\n.objects.create(\n",
    "def f():\n" + "    r = M.objects.create()\n" * 20_000 + "    Thread(target=g, args=(r,))\n",
    "import queue\nclass K:\n  def __init__(self):\n    self.q = queue.Queue()\n"
    + "  def a(self):\n    self.q.put(1)\n" * 5_000
    + "  def b(self):\n"
    + "    self.a()\n" * 20_000,
    "import queue\nclass K:\n  def __init__(self):\n    self.q = queue.Queue()\n"
    + "".join(f"  def m{i}(self):\n    self.q.put({i})\n" for i in range(8_000))
    + "".join(f"  def n{i}(self):\n    self.m{i}()\n" for i in range(8_000)),
]


@pytest.mark.parametrize("text", THREAD_HOSTILE, ids=lambda x: str(x)[:20])
def test_hostile_thread_input_gives_sites_or_nothing_quickly(text: str) -> None:
    start = time.process_time()
    inproc_sites("python", text)
    assert time.process_time() - start < 2.0
