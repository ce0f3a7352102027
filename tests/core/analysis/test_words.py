"""The word index answers every gate exactly as a substring test over the text would.

Texts are cut from the needles' own pieces, separators, "_" and non-ASCII characters, so
that needles meet themselves inside longer words, at word edges and across separators.
"""

from __future__ import annotations

import re
import time

from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import words
from bot.core.analysis.words import Needles, Parts, contains, words_of

_NEEDLES = [
    ".delay(", "delay(", "huey", "Job)", "@task", "etTimeout(", "\nfrom pywebpush import",
    "x-nf-", "cf-", ".mmdb", "@", "<-", "register(", "class ", "_task", "é(",
]  # fmt: skip
_PIECES = [
    "delay", "Delay", "huey", "Job", "task", "set", "Timeout", "from", "pywebpush", "import",
    "x", "nf", "cf", "CF", "mmdb", "MMDB", "register", "class", "_", "-", ".", "(", ")", "@",
    " ", "\n", "<", "é", "\ufffd", "1",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_", b"abcdefghijklmnopqrstuvwxyz-")


@given(_TEXTS, st.sampled_from(_NEEDLES))
def test_contains_is_a_substring_test(text: str, needle: str) -> None:
    assert contains(text, needle) == (needle in text)
    data, raw = text.encode(), needle.encode()
    assert contains(data, raw) == (raw in data)


@given(_TEXTS)
def test_needles_answer_as_any_and_in_order(text: str) -> None:
    gate = Needles(_NEEDLES)
    assert gate.any_in(text) == any(n in text for n in _NEEDLES)
    maybe = gate.maybe_in(text)
    assert [n for n in _NEEDLES if n in text] == [n for n in maybe if n in text]


@given(_TEXTS)
def test_folded_needles_keep_every_needle_a_folded_text_holds(text: str) -> None:
    data = text.encode()
    folded = data.translate(_FOLD)
    needles = [b"cf-", b"x-nf-", b".mmdb", b"vercel", b"eo-ip", b"o-connecting"]
    maybe = Needles(needles, folded=True).maybe_in(data)
    assert [n for n in needles if n in folded] == [n for n in maybe if n in folded]


@given(_TEXTS)
def test_words_of_a_pattern_are_what_it_cannot_match_without(text: str) -> None:
    index = words_of(text)
    for pattern, parts in (
        (r"@[\w.]*task\b", Parts("task ")),
        (r"\.delay\(", Parts(" delay ")),
        (r"_task", Parts("_task")),
        (r"\.(?:delay|set)\w*", Parts(" delay", " set")),
        (r"\.(?:delay|set)\b", Parts(" delay ", " set ", " x ")),
    ):
        if re.search(pattern, text):
            assert index.has_any(parts), (pattern, text)


def test_a_text_and_its_bytes_share_one_index() -> None:
    clean = b"import huey\n" * 10
    assert words_of(clean.decode()) is words_of(clean)


def test_the_index_is_linear_on_pathological_files() -> None:
    words._recent = ()
    for text in ("a " * 500_000, "a" * 1_000_000, "é" * 500_000, "_(" * 500_000):
        start = time.process_time()
        assert not contains(text, ".delay(")
        assert time.process_time() - start < 1.0, text[:10]
