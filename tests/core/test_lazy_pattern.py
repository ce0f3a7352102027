import re
from collections.abc import Iterator

import pytest

from bot.core import lazy_pattern
from bot.core.lazy_pattern import LazyPattern, lazy


@pytest.fixture
def unregistered() -> Iterator[list[LazyPattern]]:
    # Patterns made here are not the product's: the linearity probe of tests/reliability
    # walks `lazy_pattern.ALL` and must not meet these test-only ones.
    made: list[LazyPattern] = []
    yield made
    for pattern in made:
        lazy_pattern.ALL.remove(pattern)


def test_a_lazy_pattern_answers_as_the_compiled_one(unregistered: list[LazyPattern]) -> None:
    made = lazy(r"(?P<word>[a-z]+)(\d)", re.I)
    unregistered.append(made)  # type: ignore[arg-type]
    compiled = re.compile(r"(?P<word>[a-z]+)(\d)", re.I)
    text = "ab1 C2 d"
    assert made.pattern == compiled.pattern
    assert made.search(text).group("word") == "ab"  # type: ignore[union-attr]
    assert [m.span() for m in made.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert made.findall(text) == compiled.findall(text)
    assert made.sub("-", text) == compiled.sub("-", text)
    assert (made.flags, made.groups, made.groupindex) == (
        compiled.flags,
        compiled.groups,
        compiled.groupindex,
    )


def test_a_lazy_pattern_compiles_once_and_only_when_used(
    unregistered: list[LazyPattern],
) -> None:
    made = LazyPattern(rb"x+", 0)
    unregistered.append(made)
    assert "search" not in vars(made)  # reading `.pattern` compiled nothing
    assert made.pattern == rb"x+"
    first = made.search
    assert made.search is first  # the compiled pattern's method, kept
    assert made.match(b"xx") is not None


def test_every_lazy_pattern_of_the_core_compiles() -> None:
    # Patterns compile on first use: this is where a broken one must show, not in a run.
    import bot.core.analysis  # imports every pattern table
    import bot.core.flows  # noqa: F401

    assert len(lazy_pattern.ALL) > 200
    for made in lazy_pattern.ALL:
        assert isinstance(made.compiled(), re.Pattern), made.pattern
