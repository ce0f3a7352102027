"""A service worker's offline request queue (workbox-background-sync): the queue made with
its name consumes, a failed request pushed onto it produces."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis.handoffs_background_sync_js import background_sync_sites
from tests.core.analysis.test_idioms_inproc_classes import at, ends

WORKER = {
    "web/src/sw.ts": (
        "import {registerRoute} from 'workbox-routing';\n"
        "import {NetworkOnly} from 'workbox-strategies';\n"
        'import {Queue} from "workbox-background-sync";\n\n'
        "const outbox = new Queue('basket-replay', {\n"
        "    maxRetentionTime: 60,\n"
        "});\n\n"
        "registerRoute(\n"
        "    new RegExp('api/basket/([0-9]+)'),\n"
        "    new NetworkOnly({\n"
        "        plugins: [{\n"
        "            fetchDidFail: async ({request}) => {\n"
        "                await outbox.pushRequest({request});\n"
        "            },\n"
        "        }],\n"
        "    }),\n"
        "    'PATCH'\n"
        ")\n"
    ),
}


def test_a_failed_request_queued_for_replay_is_a_hand_off() -> None:
    files = WORKER
    prods, cons, mech = ends(files)["basket-replay"]
    assert mech == "workbox-background-sync"
    assert prods == {at(files, "web/src/sw.ts", "outbox.pushRequest(")}
    assert cons == {at(files, "web/src/sw.ts", "new Queue('basket-replay'")}


def test_a_queue_of_another_library_is_nothing() -> None:
    text = (
        "import Queue from 'p-queue';\n"
        "const jobs = new Queue('uploads');\n"
        "jobs.pushRequest({request});\n"
    )
    assert background_sync_sites(text) == ()
    # the library imported, but the push is onto a variable that holds no queue of it
    text = (
        "import {Queue} from 'workbox-background-sync';\n"
        "const outbox = new Queue('basket-replay');\n"
        "other.pushRequest({request});\n"
    )
    assert [s.role for s in background_sync_sites(text)] == ["consume"]
    assert "basket-replay" not in ends({"sw.js": text})


HOSTILE = [
    "'workbox-background-sync'\n" + "q = new Queue('" * 40_000 + "\n",
    "'workbox-background-sync'\nq = new Queue('a')\n" + "q.pushRequest(" * 60_000 + "\n",
    "'workbox-background-sync'\n" + "".join(f"q{i} = new Queue('n{i}')\n" for i in range(20_000)),
    "'workbox-background-sync' Queue\n" + "a" * 300_000 + ".pushRequest(\n",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda x: str(x)[30:50])
def test_hostile_input_stays_bounded(text: str) -> None:
    start = time.process_time()
    background_sync_sites(text)
    assert time.process_time() - start < 2.0
