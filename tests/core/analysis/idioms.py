"""Helpers for the idiom tests: files in, the repository's hand-offs and schedules out, through
the same gate, scanners and pairing as `analyze` (`movement.with_movement`, `pair_handoffs`,
`collect_schedules`)."""

from __future__ import annotations

from bot.core.analysis.movement import collect_schedules, pair_handoffs, with_movement
from bot.core.model import FileFacts, Handoff, Schedule

LANGUAGE = {
    ".js": "javascript",
    ".ts": "typescript",
    ".mjs": "javascript",
    ".go": "go",
    ".py": "python",
    ".rb": "ruby",
}


def facts_of(files: dict[str, str]) -> dict[str, FileFacts]:
    out = {}
    for path, text in files.items():
        language = LANGUAGE["." + path.rpartition(".")[2]]
        out[path] = with_movement(FileFacts(language), text.encode())
    return out


def handoffs(files: dict[str, str]) -> tuple[Handoff, ...]:
    return pair_handoffs(facts_of(files), lambda _: False)


def schedules(files: dict[str, str]) -> tuple[Schedule, ...]:
    return collect_schedules(facts_of(files), lambda _: False)


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first line holding `marker` (fixtures cite by content)."""
    for i, line in enumerate(text.split("\n"), 1):
        if marker in line:
            return i
    raise AssertionError(f"{marker!r} not in fixture")


def ends(
    found: tuple[Handoff, ...],
) -> dict[str, tuple[set[tuple[str, int]], set[tuple[str, int]]]]:
    """name -> (producer sites, consumer sites)."""
    return {
        h.name: ({(e.path, e.line) for e in h.producers}, {(e.path, e.line) for e in h.consumers})
        for h in found
    }


def paired(
    files: dict[str, str], name: str, producer: tuple[str, str], consumer: tuple[str, str]
) -> None:
    """Assert a hand-off `name` with a producer and a consumer at the lines holding the markers."""
    got = ends(handoffs(files))
    assert name in got, f"{name!r} not found; found {sorted(got)}"
    prods, cons = got[name]
    p = (producer[0], line_of(files[producer[0]], producer[1]))
    c = (consumer[0], line_of(files[consumer[0]], consumer[1]))
    assert p in prods, f"producer {p} not in {sorted(prods)}"
    assert c in cons, f"consumer {c} not in {sorted(cons)}"


def scheduled(files: dict[str, str], path: str, marker: str) -> Schedule:
    """The schedule cited at the line holding `marker`."""
    line = line_of(files[path], marker)
    for s in schedules(files):
        if any(e.path == path and e.line == line for e in s.evidence):
            return s
    raise AssertionError(f"no schedule at {path}:{line}; found {schedules(files)}")
