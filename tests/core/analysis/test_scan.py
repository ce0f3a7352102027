"""Scanning helpers: word boundaries restored after `literal_first`, lines from offsets."""

from __future__ import annotations

import re

import pytest

from bot.core.analysis.scan import (
    ALL_RULES,
    Lines,
    finditer_near,
    literal_first,
    matches_at,
    starts_word,
)


def test_literal_first_drops_leading_boundaries_of_top_level_alternatives_only() -> None:
    pattern = literal_first(r"\bfoo\(|\bbar(?:\b|x)|@baz")
    assert pattern.pattern == r"foo\(|bar(?:\b|x)|@baz"


def test_starts_word_rejects_matches_that_begin_inside_a_word() -> None:
    text = "xfoo( foo( .foo( @baz"
    found = [m.start() for m in literal_first(r"\bfoo\(").finditer(text)]
    assert [p for p in found if starts_word(text, p)] == [6, 12]
    assert starts_word("@baz", 0)


def test_lines_maps_offsets_in_any_order() -> None:
    lines = Lines("a\nb\nc")
    assert [lines.at(4), lines.at(0), lines.at(2), lines.at(3)] == [3, 1, 2, 2]


def test_every_signal_rule_compiles_and_keeps_its_groups() -> None:
    # Rules compile on first use: this is where a broken pattern must show, not in a run.
    import bot.core.analysis.extract  # noqa: F401 - imports every rule table

    assert len(ALL_RULES) > 50
    for made in ALL_RULES:
        compiled = made.pattern
        assert compiled is made.pattern  # compiled once
        assert not made.detail or made.detail in compiled.groupindex, made


def test_blanked_is_the_substitution_it_replaces() -> None:
    import re

    from bot.core.analysis.scan import blanked

    for text in ("", "\n", "a\nb\r\n\tc é", "/* x\n\n y */", "\n\nxy\n"):
        for fill in (" ", "x"):
            assert blanked(text, fill) == re.sub(r"[^\n]", fill, text)


_EMIT = re.compile(r"(?<![\w$.])(?:this\.)?(io|socket)\b[\w$.()]{0,20}?\.emit\(\s*+'(\w+)'")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "io.emit('a'); x.io.emit('b'); socket.to(room).emit('c')\nthis.io.emit('d')",
        "socket" + "." * 30 + "emit('far') io.emit('near')",
        ".emit(" * 50 + "io.emit('last')",
        "io.emit('a')io.emit('b')",
    ],
)
def test_finditer_near_finds_what_finditer_finds(text: str) -> None:
    reach = len("this.") + len("socket") + 20
    assert [m.span() for m in finditer_near(_EMIT, text, ".emit(", reach)] == [
        m.span() for m in _EMIT.finditer(text)
    ]


_CALL = re.compile(rb"(?:join|resolve)\((?<!\w\w\w\w\w\w\w\w)[^()\n]{0,20}?'(\w+)'")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"path.join(a, 'x') resolve('y') join(join('z'))",
        b"xjoin('a')\nresolve(\n'b') join('c'join('d')",
        b"join(" * 100 + b"'e')",
    ],
)
def test_matches_at_finds_what_finditer_finds(data: bytes) -> None:
    found = [m.span() for m in matches_at(_CALL, data, (b"join(", b"resolve("))]
    assert found == [m.span() for m in _CALL.finditer(data)]
