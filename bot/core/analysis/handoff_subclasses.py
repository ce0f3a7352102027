"""Jobs that perform by inheritance: a class enqueued by name whose own file defines no
`perform` runs the one its base class (or the base's base) defines.

`handoffs_ruby` records every class with a base as a ``subclass`` site (name, base in
`aliases[0]`); `movement.pair_handoffs` asks here for the consumers of the names it found
produced but not consumed. Pure: sites in, sites out. Bases are followed by name, at most
`MAX_DEPTH` steps, a cycle stopping the walk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot.core.model import HandoffSite

ROLE = "subclass"
MAX_DEPTH = 8  # base classes followed from one enqueued class

Sited = tuple[str, HandoffSite]


def subclass_site(name: str, base: str, line: int, mechanism: str) -> HandoffSite:
    return HandoffSite(ROLE, mechanism or "job-class", name, line, (base,))


def inherited_consumers(
    produced: Iterable[str],
    consumers: Mapping[str, list[Sited]],
    subclasses: Mapping[str, Sited],
) -> tuple[dict[str, list[Sited]], set[str]]:
    """For each produced name with no consumer of its own: the class line, then the sites of
    the nearest base that performs, renamed to the produced name. Also the bases used so,
    which are consumers only through their subclasses (abstract jobs, not hand-offs)."""
    found: dict[str, list[Sited]] = {}
    bases: set[str] = set()
    for name in produced:
        if name in consumers or name not in subclasses:
            continue
        path, own = subclasses[name]
        seen = {name}
        base = own.aliases[0] if own.aliases else ""
        for _ in range(MAX_DEPTH):
            if not base or base in seen:
                break
            seen.add(base)
            if base in consumers:
                sites = consumers[base]
                mech = next((s.mechanism for _, s in sites if s.mechanism != "job-class"), "")
                head = replace(own, role="consume", mechanism=mech or own.mechanism, aliases=())
                found[name] = [(path, head)]
                found[name] += [(p, replace(s, name=name, aliases=())) for p, s in sites]
                bases.add(base)
                break
            nxt = subclasses.get(base)
            base = nxt[1].aliases[0] if nxt and nxt[1].aliases else ""
    return found, bases
