"""Requests a service worker queues while offline and replays later (workbox-background-sync).

    const outbox = new Queue('cart-sync', { maxRetentionTime: 60 });
    … fetchDidFail: async ({ request }) => { await outbox.pushRequest({ request }); }

In a file that imports `workbox-background-sync`: `new Queue('name', …)` is the consumer
(the library replays the queue's requests when the browser is back online, or runs the
`onSync` given there), and `.pushRequest(` / `.unshiftRequest(` on the variable holding it
is the producer, both named by the queue's name. A `Queue` of any other library, or a push
onto a variable no such queue was assigned to, is nothing. Both ends are needed
(`movement._BOTH_ENDS`). Lines are cut at `MAX_LINE`; patterns are bounded and literal-led.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "workbox-background-sync"
MAX_LINE = 2_000
MAX_SITES = 100

_LIBRARY = ("'workbox-background-sync'", '"workbox-background-sync"')
_MADE = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+new[ \t]++Queue[ \t]*+\([ \t]*+"
    r"(['\"`])([\w:.\-]{1,200}+)\2"
)
_PUSH = lazy(r"(?<![\w$.])([A-Za-z_$][\w$]{0,100}+)\.(?:push|unshift)Request\(")


def may_hold(text: str) -> bool:
    return "Queue" in text and any(name in text for name in _LIBRARY)


def background_sync_sites(text: str) -> tuple[HandoffSite, ...]:
    if not may_hold(text):
        return ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    queues: dict[str, str] = {}  # variable -> queue name
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        if "Queue" not in line or line.lstrip().startswith(("//", "*")):
            continue
        m = _MADE.search(line)
        if m is not None and len(out) < MAX_SITES:
            queues[m.group(1)] = m.group(3)
            out.append(HandoffSite("consume", MECHANISM, m.group(3), i))
    if not queues:
        return ()
    for i, line in enumerate(lines, 1):
        if "Request(" not in line or line.lstrip().startswith(("//", "*")):
            continue
        for p in _PUSH.finditer(line):
            name = queues.get(p.group(1))
            if name is not None and len(out) < 2 * MAX_SITES:
                out.append(HandoffSite("produce", MECHANISM, name, i))
    return tuple(out)
