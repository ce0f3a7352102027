"""tree-sitter, bounded: hostile files finish in time proportional to their size."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.treesitter import find, find_sets, parse, reading, text, walk

SIZE = 120_000

# Ordinary code of about SIZE bytes per language: the yardstick for the hostile inputs.
ORDINARY = {
    "python": b"import requests\n"
    + b"def f(x):\n    return requests.get('https://a.example.io/x', timeout=3)\n" * 1_600,
    "javascript": b"function f(x) { return fetch('https://a.example.io/x', {timeout: 3}); }\n"
    * 1_600,
    "ruby": b"def f(x)\n  HTTParty.get('https://a.example.io/x', timeout: 3)\nend\n" * 2_000,
    "go": b"package a\n" + b'func f() { http.Get("https://a.example.io/x") }\n' * 2_400,
}

HOSTILE = [
    ("python", b"import requests\nx = " + b"(" * SIZE),
    ("python", b"import requests\nrequests.get('https://a.io/" + b"a" * SIZE + b"')\n"),
    ("python", b"import requests\nrequests.get('https://a.io/\n" + b"x = '\n" * (SIZE // 6)),
    ("python", b"import requests\nrequests.get('https://a.io/\xff\xfe')\n" * (SIZE // 40)),
    ("javascript", b"fetch(" + b"[" * SIZE),
    ("javascript", b"fetch(`https://a.io/${" + b"a+" * (SIZE // 2)),
    ("javascript", b"fetch('https://a.io');" + b"function f(url){ " * (SIZE // 17)),
    ("javascript", b"f(" * (SIZE // 2) + b"fetch('https://a.io')"),
    ("ruby", b"Net::HTTP.get(" + b"{a: " * (SIZE // 4)),
    ("ruby", b'Net::HTTP.get(URI("https://#{' * (SIZE // 30)),
    ("go", b"package a\nfunc f() { http.Get(" + b"(" * SIZE),
    # Unterminated block comments: the lexer rescanned to the end from each opening.
    ("go", b"/* " * (SIZE // 6) + b'http.Get("https://a.io/")' * (SIZE // 50)),
    ("javascript", b"/* " * (SIZE // 6) + b"fetch('https://a.io/')" * (SIZE // 44)),
    ("ruby", b"=begin\n" * (SIZE // 14) + b'Net::HTTP.get(URI("https://a.io"))\n' * (SIZE // 70)),
]


def cpu(language: str, data: bytes) -> float:
    """Best of three: CPU time of this thread for one `outbound_calls`."""
    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        outbound_calls(language, data)
        best = min(best, time.thread_time() - start)
    return best


@pytest.mark.parametrize(("language", "data"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_costs_no_more_than_a_few_ordinary_files(language: str, data: bytes) -> None:
    yardstick = cpu(language, ORDINARY[language])
    assert cpu(language, data) <= 10 * yardstick + 0.5


def test_walk_and_find_visit_a_million_nested_nodes_without_recursion() -> None:
    root = parse("javascript", b"x = " + b"[" * 1_000_000)
    assert root is not None
    assert sum(1 for _ in walk(root, frozenset({"array"}))) >= 0
    assert isinstance(find("javascript", root, frozenset({"call_expression"})), list)


def test_text_is_sliced_from_the_source_and_capped() -> None:
    data = b'x = "' + "é".encode() * 500 + b'"\n'
    root = parse("python", data)
    assert root is not None
    with reading(data):
        assert text(root, 10) == 'x = "ééééé'


def test_unknown_grammar_is_refused() -> None:
    with pytest.raises(ValueError, match="no tree-sitter grammar"):
        parse("cobol", b"")


@pytest.mark.parametrize(
    "source",
    [b"ab", b"abcdef", "é".encode() * 3, b"\xff\xfe\xfd\xfc", b"a\xffb", "ééé".encode() + b"x"],
)
def test_text_of_a_short_node_is_cut_by_characters_as_a_long_one(source: bytes) -> None:
    # Short nodes skip the cut (no more characters than bytes): what a limit leaves is the same
    # either way, with or without the source being read, invalid bytes replaced.
    data = b"x = " + source + b"\n"
    root = parse("python", data)
    assert root is not None
    expect = data.decode("utf-8", "replace")
    for limit in range(1, 14):
        with reading(data):
            assert text(root, limit) == expect[:limit]
        assert text(root, limit) == expect[:limit]


def test_callees_remembered_within_a_file_are_those_read_afresh() -> None:
    from bot.core.analysis.egress_file import _CALLEES, _callee, remembering_callees

    data = b"a.b(c.d(x)).e(f())\nimport g\ng.h.i(j)(k)\n"
    root = parse("python", data)
    assert root is not None
    calls = find("python", root, frozenset({"call"}))
    with reading(data):
        fresh = [_callee(c) for c in calls]
        with remembering_callees():
            assert [_callee(c) for c in calls] == fresh
            assert [_callee(c) for c in calls] == fresh  # the second time from the memo
            assert len(_CALLEES.get() or {}) >= len(calls)
        assert _CALLEES.get() is None
    assert fresh == ["a.b().e", "a.b", "c.d", "f", "g.h.i()", "g.h.i"]


@pytest.mark.parametrize(
    ("language", "data", "calls"),
    [
        ("go", b"package a\n/* x */\nfunc f() { g() }\n/* open", 1),
        ("javascript", b"f();\n/* open /* still comment\ng();", 1),
        ("ruby", b"f()\n=begin\ng()\n=end\nh()\n=begin\nk()\n", 2),
    ],
)
def test_an_unterminated_block_comment_runs_to_the_end_of_the_file(
    language: str, data: bytes, calls: int
) -> None:
    # Closed at the end of the file, as an editor shows it: what follows it is no code.
    root = parse(language, data)
    assert root is not None
    kinds = {"go": "call_expression", "javascript": "call_expression", "ruby": "call"}
    assert len(find(language, root, frozenset({kinds[language]}))) == calls


def test_find_sets_gives_each_set_what_find_gives_it() -> None:
    data = b"class A\n  def run\n    save && x.call(1)\n  end\nend\nfoo = bar(baz)\n"
    root = parse("ruby", data)
    assert root is not None
    sets = (
        frozenset({"class", "method", "call", "assignment"}),
        frozenset({"identifier"}),
        frozenset({"no_such_kind"}),
    )
    found = find_sets("ruby", root, *sets)
    assert [[n.id for n in nodes] for nodes in found] == [
        [n.id for n in find("ruby", root, types)] for types in sets
    ]
    assert found[1]
    assert not found[2]


def test_find_sets_caps_each_list_as_find_does(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.core.analysis.treesitter as ts

    monkeypatch.setattr(ts, "MAX_FOUND", 3)
    root = parse("javascript", b"a(b(c(d(e(f)))));\nlet g = h;\n")
    assert root is not None
    calls, names = find_sets("javascript", root, frozenset({"call_expression"}), _IDENTIFIERS)
    assert [n.id for n in calls] == [n.id for n in find("javascript", root, _CALLS)]
    assert [n.id for n in names] == [n.id for n in find("javascript", root, _IDENTIFIERS)]
    assert len(calls) == len(names) == 3


_CALLS = frozenset({"call_expression"})
_IDENTIFIERS = frozenset({"identifier"})
