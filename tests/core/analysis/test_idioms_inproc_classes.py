"""In-process hand-offs that take more than one file to see (held-out repositories): a queue
class of the repository's own, a queue passed to a helper or a worker as a parameter, and
blinker's named signals between modules. One hand-written tiny app per idiom, analysed for
real (the wrapper and drainer links need the whole pipeline)."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.handoffs_inproc import inproc_sites
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog
from tests.core.analysis.idioms import line_of


def facts_of(files: dict[str, str]) -> RepoFacts:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snapshot, MemoryFactsCache(), default_catalog())


def ends(files: dict[str, str]) -> dict[str, tuple[set[str], set[str], str]]:
    out = {}
    for h in facts_of(files).handoffs:
        out[h.name] = (
            {f"{e.path}:{e.line}" for e in h.producers},
            {f"{e.path}:{e.line}" for e in h.consumers},
            h.mechanism,
        )
    return out


def at(files: dict[str, str], path: str, marker: str) -> str:
    return f"{path}:{line_of(files[path], marker)}"


# --- a queue class of the repository, passed around as a parameter ------------------------

MAILROOM = {
    "mailroom/__init__.py": "",
    "mailroom/queues.py": (
        "import queue\nimport threading\n\n\n"
        "class ParcelQueue:\n"
        '    """Parcels by priority; wakes one courier per parcel."""\n\n'
        "    def __init__(self):\n"
        "        self._wake = queue.Queue()\n"
        "        self._items = []\n"
        "        self._lock = threading.Lock()\n\n"
        "    def put(self, item, timeout=None):\n"
        "        with self._lock:\n"
        "            self._items.append(item)\n"
        "        self._wake.put(True)\n\n"
        "    def get(self, timeout=None):\n"
        "        self._wake.get(timeout=timeout)\n"
        "        with self._lock:\n"
        "            return self._items.pop(0)\n\n"
        "    def drain(self):\n"
        "        while not self._wake.empty():\n"
        "            self._wake.get_nowait()\n"
    ),
    "mailroom/state.py": (
        "from mailroom.queues import ParcelQueue\n\n"
        "parcels = ParcelQueue()\nreceipts = ParcelQueue()\n"
    ),
    "mailroom/helpers.py": (
        "def enqueue_safe(q, item, quiet=False):\n"
        "    try:\n"
        "        q.put(item, timeout=5)\n"
        "        return True\n"
        "    except Exception:\n"
        "        return False\n"
    ),
    "mailroom/views.py": (
        "from mailroom import helpers\nfrom mailroom.state import parcels\n\n\n"
        "def post_parcel(request):\n"
        "    helpers.enqueue_safe(parcels, {'id': request.id})\n"
        "    return 'queued'\n"
    ),
    "mailroom/api.py": (
        "from mailroom import helpers\n\n\n"
        "class ParcelResource:\n"
        "    def __init__(self, **kwargs):\n"
        "        self.parcels = kwargs['parcels']\n\n"
        "    def post(self, parcel_id):\n"
        "        helpers.enqueue_safe(self.parcels, {'id': parcel_id})\n"
    ),
    "mailroom/courier.py": (
        "def courier(worker_id, inbox, outbox):\n"
        "    while True:\n"
        "        parcel = inbox.get(timeout=1)\n"
        "        deliver(parcel)\n"
    ),
    # the helpers module handed on as an object to a module its importer imports
    "mailroom/panel.py": (
        "def build_panel(parcels, helpers):\n"
        "    def recheck(parcel_id):\n"
        "        helpers.enqueue_safe(parcels, {'id': parcel_id})\n"
        "    return recheck\n"
    ),
    "mailroom/site.py": (
        "import mailroom.panel as panel\n"
        "from mailroom import helpers\n"
        "from mailroom.state import parcels\n\n"
        "recheck = panel.build_panel(parcels, helpers)\n"
    ),
    "mailroom/pool.py": (
        "from mailroom.courier import courier\n\n\n"
        "async def spawn(n, outbox):\n"
        "    from mailroom.state import parcels\n"
        "    await courier(n, parcels, outbox)\n"
    ),
    "mailroom/receipts.py": (
        "class Receipts:\n"
        "    def __init__(self, receipts):\n"
        "        self.receipts = receipts\n\n"
        "    def signed(self, parcel):\n"
        "        self.receipts.put({'id': parcel})\n"
    ),
    "mailroom/runner.py": (
        "import threading\n\n"
        "from mailroom.courier import courier\n"
        "from mailroom.state import parcels, receipts\n\n\n"
        "def start():\n"
        "    threading.Thread(target=courier, args=(1, parcels, receipts)).start()\n\n\n"
        "def archive():\n"
        "    while True:\n"
        "        item = receipts.get(block=True)\n"
        "        store(item)\n"
    ),
}


def test_a_queue_class_instance_passed_to_a_helper_and_a_worker() -> None:
    files = MAILROOM
    got = ends(files)
    prods, cons, mech = got["parcels"]
    assert mech == "in-process-queue"
    assert at(files, "mailroom/views.py", "enqueue_safe(parcels") in prods
    assert at(files, "mailroom/api.py", "enqueue_safe(self.parcels") in prods
    assert at(files, "mailroom/panel.py", "helpers.enqueue_safe(parcels") in prods
    assert cons == {at(files, "mailroom/courier.py", "def courier")}
    # the attribute set from the parameter of its name, drained by a loop elsewhere
    prods, cons, _ = got["receipts"]
    assert at(files, "mailroom/receipts.py", "self.receipts.put(") in prods
    assert at(files, "mailroom/runner.py", "def archive") in cons


def test_the_queue_class_own_plumbing_is_no_hand_off() -> None:
    assert "_wake" not in ends(MAILROOM)


def test_a_class_named_like_a_queue_that_is_none_gives_nothing() -> None:
    files = {
        # `TaskQueue` here is a list wrapper without a queue inside; `q` in `save` is an
        # HTTP session a caller passes; `inbox.get` outside a loop is one take.
        "shop/kinds.py": "class TaskQueue:\n    def put(self, x):\n        self.items.append(x)\n",
        "shop/state.py": "from shop.kinds import TaskQueue\n\ntasks = TaskQueue()\n",
        "shop/save.py": "def save(q, doc):\n    q.put('/docs', json=doc)\n",
        "shop/use.py": "from shop.save import save\nfrom shop.state import tasks\n\n"
        "def go(session):\n    save(session, {})\n    tasks.put(1)\n\n"
        "def once(inbox):\n    return inbox.get(timeout=1)\n",
        "shop/loop.py": "from shop.state import tasks\n\ndef spin():\n"
        "    while True:\n        tasks.get(timeout=1)\n",
    }
    assert ends(files) == {}


# --- blinker named signals ----------------------------------------------------------------

SIGNALS = {
    "desk/__init__.py": "",
    "desk/jobs.py": (
        "from blinker import signal\n\n\n"
        "def finish(ticket):\n"
        "    signal('ticket_closed').send(ticket_id=ticket.id)\n\n\n"
        "class Board:\n"
        "    def __init__(self):\n"
        "        self.moved_signal = signal('ticket_moved')\n\n"
        "    def move(self, ticket):\n"
        "        self.moved_signal.send(ticket_id=ticket.id)\n"
    ),
    "desk/models.py": (
        "from blinker import signal\n\n\n"
        "def touch(ticket):\n"
        "    bump = signal('ticket_touched')\n"
        "    bump.send(ticket_id=ticket.id)\n\n\n"
        "def lonely(ticket):\n"
        "    signal('nobody_listens').send(ticket_id=ticket.id)\n"
    ),
    "desk/bus.py": "from blinker import signal\n\nticket_moved = signal('ticket_moved')\n",
    "desk/push.py": (
        "from blinker import signal\n\n"
        "from desk.bus import ticket_moved as moved\n\n\n"
        "class Push:\n"
        "    def __init__(self, hub):\n"
        "        self.hub = hub\n"
        "        closed = signal('ticket_closed')\n"
        "        closed.connect(self.on_closed, weak=False)\n"
        "        moved.connect(self.on_moved)\n\n"
        "    def on_closed(self, *args, **kwargs):\n"
        "        self.hub.emit('closed', kwargs)\n\n"
        "    def on_moved(self, *args, **kwargs):\n"
        "        self.hub.emit('moved', kwargs)\n\n\n"
        "@signal('ticket_touched').connect\n"
        "def on_touched(sender, **kwargs):\n"
        "    log(kwargs)\n"
    ),
}


def test_blinker_signals_sent_in_one_module_and_received_in_another() -> None:
    files = SIGNALS
    got = ends(files)
    prods, cons, mech = got["ticket_closed"]
    assert mech == "blinker-signal"
    assert prods == {at(files, "desk/jobs.py", "signal('ticket_closed').send")}
    assert cons == {at(files, "desk/push.py", "def on_closed")}
    prods, cons, _ = got["ticket_moved"]
    assert prods == {at(files, "desk/jobs.py", "self.moved_signal.send")}
    assert cons == {at(files, "desk/push.py", "def on_moved")}
    prods, cons, _ = got["ticket_touched"]
    assert prods == {at(files, "desk/models.py", "bump.send")}
    assert cons == {at(files, "desk/push.py", "def on_touched")}
    assert "nobody_listens" not in got
    # a send through a variable says which (a flow's sink cites "via bump")
    sent = [s for s in inproc_sites("python", files["desk/models.py"]) if s.role == "produce"]
    assert [(s.name, s.aliases) for s in sent] == [
        ("ticket_touched", ("bump",)),
        ("nobody_listens", ()),
    ]


def test_signals_within_one_module_or_django_signals_are_nothing() -> None:
    files = {
        "one/app.py": "from blinker import signal\n\n"
        "def on_saved(sender):\n    pass\n\n"
        "signal('saved').connect(on_saved)\n\n"
        "def save():\n    signal('saved').send()\n",
        "two/models.py": "from django.db.models.signals import post_save\n"
        "post_save.connect(reindex, sender=Book)\n",
        "two/views.py": "from django.dispatch import Signal\nsaved = Signal()\n"
        "def go():\n    saved.send(sender=None)\n",
    }
    assert ends(files) == {}


HOSTILE = [
    "from blinker import signal\n" + "signal('a').send(" * 50_000 + "\n",
    "from blinker import signal\n" + "x = signal('" + "a" * 200_000 + "\n",
    "import blinker\n" + "a.connect(" * 50_000 + "\n",
    "import queue\nclass AQueue:\n" + "  class B:\n" * 3_000 + "    def put(self):\n",
    "import queue\nq = queue.Queue()\nclass C:\n  def put(self, q):\n" + "    q.put(1)\n" * 30_000,
    "def f(" + "a, " * 50_000 + "q):\n  while True:\n    q.get(timeout=1)\n",
    "x = " + "A." * 50_000 + "Queue(\n",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda x: str(x)[:20])
def test_hostile_input_gives_sites_or_nothing_quickly(text: str) -> None:
    start = time.process_time()
    inproc_sites("python", text)
    assert time.process_time() - start < 2.0
