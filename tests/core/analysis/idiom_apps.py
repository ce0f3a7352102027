"""The harness of the Python and Ruby idiom tables (`test_idioms_python`,
`test_idioms_ruby`): a small hand-written app per idiom, analysed for real (`analyze` over a
`MemorySnapshot`), and what its facts should say: each hand-off with both ends (the
producer's and the consumer's file), each schedule (the file that declares it and the job it
names), and, for the lookalikes, nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot


@dataclass(frozen=True)
class Idiom:
    """`handoffs`: (name, producer file, consumer file; "" when there is none to find);
    `schedules`: (file, a word of the schedule's name or target); `absent`: names that no
    hand-off nor schedule may carry."""

    id: str
    files: dict[str, str]
    handoffs: tuple[tuple[str, str, str], ...] = ()
    schedules: tuple[tuple[str, str], ...] = ()
    absent: tuple[str, ...] = ()
    notes: str = field(default="", compare=False)


def facts_of(files: dict[str, str]) -> RepoFacts:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snapshot, MemoryFactsCache())


def misses(idiom: Idiom) -> list[str]:
    """What the analysis says otherwise than the idiom's table (empty: all found)."""
    facts = facts_of(idiom.files)
    out = []
    for name, producer, consumer in idiom.handoffs:
        found = [
            h
            for h in facts.handoffs
            if h.name == name
            and any(e.path == producer for e in h.producers)
            and (not consumer or any(e.path == consumer for e in h.consumers))
        ]
        if not found:
            seen = [(h.name, h.mechanism, h.producers, h.consumers) for h in facts.handoffs]
            out.append(f"hand-off {name} {producer} -> {consumer or '?'} not found in {seen}")
    for path, word in idiom.schedules:
        found = [
            s
            for s in facts.schedules
            if any(e.path == path for e in s.evidence) and (word in s.name or word in s.target)
        ]
        if not found:
            seen = [(s.name, s.schedule, s.mechanism, s.target) for s in facts.schedules]
            out.append(f"schedule {word} in {path} not found in {seen}")
    for name in idiom.absent:
        if any(name in (h.name, *[e.path for e in h.evidence]) for h in facts.handoffs):
            out.append(f"hand-off {name} found: {facts.handoffs}")
        if any(name == s.name or name == s.target for s in facts.schedules):
            out.append(f"schedule {name} found: {facts.schedules}")
        if f"enqueues {name} " in repr(facts.flows):  # a flow's sink: "enqueues X (celery)"
            out.append(f"a flow enqueues {name}: {facts.flows}")
    return out
