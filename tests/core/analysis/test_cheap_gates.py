"""Cheaper first gates over a file's bytes: each lets in every file the gate it replaced let in
(the CDN headers) or decides exactly as it did (a Python client's import), so no fact moves.

Texts are cut from the needles and their neighbours at random, in both cases and with both
separators, so that each rewrite meets the spellings the old gate was written for.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import egress, framework_config, handoff_wrappers_js, http_models, loops
from bot.core.analysis.framework_config import parse_request_headers
from bot.core.analysis.js_starts import JS_START_RULES
from bot.core.analysis.python_rules import ENV_PATTERNS
from bot.core.model import FileFacts

_HIT_NEEDLES = framework_config._HIT_NEEDLES
_GATE_NEEDLES = framework_config._GATE_NEEDLES
_FOLD = framework_config._FOLD


def _old_cdn_gate(data: bytes) -> bool:
    low = data.lower()
    return b".mmdb" in data or any(needle in low for needle in _HIT_NEEDLES)


def _new_cdn_gate(data: bytes) -> bool:
    folded = data.translate(_FOLD)
    return any(needle in folded for needle in _GATE_NEEDLES)


def test_every_hit_needle_folds_onto_a_gate_needle() -> None:
    for needle in (*_HIT_NEEDLES, b".mmdb"):
        folded = needle.translate(_FOLD)
        assert any(gate in folded for gate in _GATE_NEEDLES), needle


_CDN_PIECES = [
    *(n.decode() for n in _HIT_NEEDLES), *(n.decode().upper() for n in _HIT_NEEDLES),
    "CF", "cf", "Cf", "-", "_", "X", "x", "NF", "nf", "EO", "eo", "DO", "do", "o", "e",
    "connecting", "Connecting", "ip", "IP", "region", "Region", "ipcountry", ".mmdb", ".MMDB",
    "mmdb", ".", "Vercel", "CloudFront", "Fastly", "http_", "HTTP_", '"', "'", "`", " ", "\n",
    "#", "é",
]  # fmt: skip


@given(st.lists(st.sampled_from(_CDN_PIECES), max_size=12))
def test_the_folded_cdn_gate_lets_in_every_file_the_old_gate_let_in(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    if _old_cdn_gate(data):
        assert _new_cdn_gate(data)
    if not _new_cdn_gate(data):
        assert parse_request_headers(data) == FileFacts(language="config")


def test_headers_in_any_case_and_either_separator_still_pass_the_folded_gate() -> None:
    data = b'a = request.META["HTTP_CF_CONNECTING_IP"]\nb = h.get("Do-Connecting-IP")\n'
    assert [s.name for s in parse_request_headers(data).signals] == [
        "cf-connecting-ip",
        "do-connecting-ip",
    ]


# The gate as it was: any client needle, then one pattern over both keywords (with the SDK
# clients' modules), or a verb the class inherits, or a URL in code.
_OLD_PY_IMPORT = re.compile(
    rb"(?:import|from)[ \t]+"
    rb"(?:requests|httpx|aiohttp|urllib|pycurl|http\.client|subprocess|smtplib|dulwich|git\b|pygit2"
    rb"|gidgethub|github\b|slack_sdk)"
)


def _old_python_trigger(data: bytes) -> bool:
    if any(n in data for n in http_models.NEEDLES["python"]) and _OLD_PY_IMPORT.search(data):
        return True
    return http_models.own_verb_call(data) or http_models.url_in_code(data)


_PY_PIECES = [
    *(n.decode() for n in http_models.NEEDLES["python"]), "import", "from", "git", "gitx",
    "git.Repo", "urllib3", "http", "client", ".", " ", "\t", "\n", "import ", "from ", "x",
    '("https://', "= 'http://", "#", "é", "gidgethub", "github", "slack_sdk", "self.post(",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PY_PIECES), max_size=12))
def test_the_python_client_gate_decides_as_the_old_one(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert egress.triggered("python", data) == _old_python_trigger(data)


def test_a_git_import_alone_does_not_open_a_python_file_as_before() -> None:
    # `git` is among the imports but not among the needles: the needles still decide.
    assert not egress.triggered("python", b"import git\nrepo = git.Repo('.')\n")
    assert egress.triggered("python", b"import git\nfrom git import clone_from\n")


def test_every_python_env_trigger_holds_the_needle_tested_first() -> None:
    # `python._env_reads` returns nothing at once for a text without "env".
    assert all("env" in trigger for trigger, _ in ENV_PATTERNS)


def test_got_and_ky_open_a_javascript_file_only_as_written_in_code() -> None:
    for code in (b'import ky from "ky"\n', b"await got.post(u)\n", b"kyClient.get(u)\n",
                 b'require("ky-universal")\n', b"const api = ky.create({})\n"):  # fmt: skip
        assert egress.triggered("typescript", code), code
    for code in (b'import { Kysely } from "kysely"\n', b"// I forgot\n", b"sticky = 1\n",
                 b"gotten = 2\n"):  # fmt: skip
        assert not egress.triggered("typescript", code), code


# Patterns led by a literal instead of a lookbehind, `^` or alternation (tried at every
# byte): each finds what the pattern it replaced found.
_OLD_SHORT = re.compile(rb"(?<![\w$])(?:got|ky)(?![a-z])")
_SHORT_PIECES = ["got", "ky", "Got", "kysely", "for", "sticky", "$", "_", "x", "9", " ", ".",
                 "\n", "(", "KY", "é"]  # fmt: skip


@given(st.lists(st.sampled_from(_SHORT_PIECES), max_size=10))
def test_the_got_ky_gate_decides_as_the_old_pattern(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert http_models.js_short_needle(data) == (_OLD_SHORT.search(data) is not None)


_OLD_ACTION = re.compile(
    r"^export\s++(?:async\s++)?function\s++(?:action|loader|clientAction)\b", re.M
)
_ACTION_PIECES = ["export", " ", "\t", "\n", "async ", "function ", "action", "loader",
                  "clientAction", "x", "(", "// "]  # fmt: skip


@given(st.lists(st.sampled_from(_ACTION_PIECES), max_size=10))
def test_the_route_module_action_rule_matches_where_the_old_one_did(pieces: list[str]) -> None:
    text = "".join(pieces)
    (rule,) = [r for r in JS_START_RULES if r.name == "route module action"]
    assert [m.span() for m in rule.pattern.finditer(text)] == [
        m.span() for m in _OLD_ACTION.finditer(text)
    ]


_LOOP_PIECES = ["while", "for", " ", "\t", "(", ";", "true", "1", "!", "this.", "x", "\n"]


@given(st.lists(st.sampled_from(_LOOP_PIECES), max_size=10))
def test_the_js_loop_head_halves_find_a_head_where_the_alternation_did(pieces: list[str]) -> None:
    text = "".join(pieces)
    halves = any(half.search(text) is not None for half in loops._JS_HEAD_HALVES)
    assert halves == (loops._JS_HEAD.search(text) is not None)


_BOUND_PIECES = ["q", "x$", "_", " ", "\t", "\n", "=", "==", ":", " Foo<A>", "new ", "Queue",
                 "Bull", "Set", "Map", "WeakSet", "Array", "[", "(", "createQueue",
                 "makeQueue", "1", "é"]  # fmt: skip


@given(st.lists(st.sampled_from(_BOUND_PIECES), max_size=14))
def test_names_bound_on_the_right_hand_sides_lines_are_those_of_the_whole_text(
    pieces: list[str],
) -> None:
    text = "".join(pieces)
    for pattern, rhs in (
        (handoff_wrappers_js._QUEUE_MADE, handoff_wrappers_js._QUEUE_MADE_RHS),
        (handoff_wrappers_js._COLLECTION, handoff_wrappers_js._COLLECTION_RHS),
    ):
        whole = {m.group(1) for m in pattern.finditer(text)}
        assert handoff_wrappers_js._bound_on_lines(pattern, rhs, text) == whole
