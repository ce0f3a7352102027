"""Hand-written resilience in one file's syntax tree: timeouts, backoff, Retry-After.

Signals (``resilience.<kind>``, aggregated into Observability & Failure Modes like the
catalog's libraries), each at the line that shows it:

* ``timeout`` — a call given a timeout (``timeout=`` and its kin as a keyword, an options
  object's or hash's key, ``x.read_timeout = …``) and Go's ``http.Client{Timeout: …}``;
* ``backoff`` — a loop that sleeps and grows its delay (``**``, ``<<``, ``*=``, a call named
  for backoff), or a delay computed as ``2 ** attempt`` / ``1 << attempt`` / ``pow(2, n)``;
* ``retry`` — code that reads a ``Retry-After`` header: the name as a string literal (never a
  comment) given to a call, a lookup or a membership test.

What was searched is `SEARCHED`: the renderer says it when nothing is found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.core.analysis.treesitter import MAX_FOUND, Node, find, line, text, walk
from bot.core.analysis.words import Needles, contains
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

# Plain words (the docs' code spans are paths that exist).
SEARCHED = (
    "calls given a timeout (a timeout keyword, an options object's or hash's timeout key, "
    "read_timeout assignments, Go http.Client Timeout), loops that sleep and grow their delay, "
    "delays computed as 2 ** attempt or 1 << attempt, Retry-After header reads, and the "
    "catalog's retry, backoff and circuit-breaker libraries"
)
TIMEOUT_KEYS = frozenset(
    {"timeout", "connect_timeout", "read_timeout", "open_timeout", "write_timeout",
     "connectTimeout", "readTimeout", "requestTimeout", "Timeout"}
)  # fmt: skip
# A file is parsed for these only when its bytes show one: a timeout given as a keyword, key
# or attribute; a sleep; a power or shift of a retry counter; a Retry-After header.
_TIMEOUT = re.compile(rb"imeout\s*[=:]")
_SLEEP_CALLS = (b"leep(", b"etTimeout(", b"delay(")  # sleep( Sleep( setTimeout( delay(
_COUNTERS = (b"ttempt", b"retr", b"tries")
_SLEEPS_ANY = Needles(_SLEEP_CALLS)
_SLEEPS_UNNAMED = Needles(c for c in _SLEEP_CALLS if c != b"etTimeout(")
_COUNTERS_ANY = Needles(_COUNTERS)
_POWER = re.compile(rb"(?:\*\*|<<)\s*\(?[\w.]*(?:attempt|retr|tries)|pow\(\s*2(?:\.0)?\s*,")


def _power_of_counter(data: bytes, limit: int = 2_000) -> bool:
    """`** attempt`, `<< retries`, `pow(2,` somewhere in `data` (each operator's occurrences
    looked at, at most `limit` in all)."""
    for op in (b"**", b"<<", b"pow("):
        at = data.find(op)
        for _ in range(limit):
            if at < 0:
                break
            if _POWER.match(data, at):
                return True
            at = data.find(op, at + len(op))
    return False


_RETRY_AFTER = lazy(rb"(?i)retry-after")

# Compiled once: asked per assignment and per call in a loop (a cache lookup each otherwise).
_TIMEOUT_ATTRIBUTE = re.compile(r"[._](?:read_|open_|write_|connect_)?timeout$")
_GROWING = lazy(r"(?i)backoff|exponential")
_BINARY = frozenset({"binary_operator", "binary_expression", "binary"})
_SLEEPS = frozenset({"sleep", "Sleep", "setTimeout", "delay", "wait", "sleepFor"})
_COUNTER = lazy(r"(?i)attempt|retr|tries|\btry")
_LOOPS = frozenset({"while_statement", "for_statement", "do_statement", "until", "while"})
_LOOP_SCAN = 3_000  # nodes looked at inside one loop
_SLEEP_WORDS = (b"sleep", b"Sleep", b"setTimeout", b"delay", b"wait")
MAX_LOOPS = 200  # loops looked into per file
MAX_SIGNALS = 200  # per file: the aggregation caps evidence far below this


def triggered(data: bytes) -> bool:
    at = data.find(b"imeout") if contains(data, b"imeout") else -1
    named = at >= 0  # "setTimeout(" holds "imeout": without one, no pass looks for it
    for _ in range(1_000):  # occurrences looked at
        if at < 0:
            break
        if _TIMEOUT.match(data, at):
            return True
        at = data.find(b"imeout", at + 6)
    if (_SLEEPS_ANY if named else _SLEEPS_UNNAMED).any_in(data):
        return True
    if (contains(data, b"etry-") or contains(data, b"ETRY-")) and _RETRY_AFTER.search(
        data
    ) is not None:
        return True
    return _COUNTERS_ANY.any_in(data) and _power_of_counter(data)


def resilience_signals(
    language: str,
    nodes: Iterable[Node],
    root: Node,
    data: bytes,
    name_of: Callable[[Node], str],
) -> list[Signal]:
    """Signals from the found `nodes` (calls, loops, assignments, composite literals) of a
    `language` tree of `data`; `name_of(call)` names a call (``time.sleep``). At most
    `MAX_SIGNALS` (the first ones in the file), and loops are looked into only when their
    text names a sleep, at most `MAX_LOOPS` of them."""
    out: list[Signal] = []
    loops = 0
    for node in nodes:
        kind = node.type
        if kind in ("call", "call_expression"):
            if _has_timeout(node):
                out.append(Signal("resilience.timeout", "timeout set on calls", line(node)))
        elif kind in ("assignment", "assignment_expression"):
            left = text(node.child_by_field_name("left"), 120)
            if _TIMEOUT_ATTRIBUTE.search(left):
                out.append(Signal("resilience.timeout", "timeout set on calls", line(node)))
        elif kind == "composite_literal":
            body = node.child_by_field_name("body")
            if text(node.child_by_field_name("type"), 40).endswith("http.Client") and any(
                text(k.child_by_field_name("key"), 20) == "Timeout"
                for k in (body.named_children if body is not None else [])
                if k.type == "keyed_element"
            ):
                out.append(Signal("resilience.timeout", "timeout set on calls", line(node)))
        elif kind in _LOOPS and loops < MAX_LOOPS and _sleeps_inside(data, node):
            loops += 1
            if _backoff_loop(node, name_of):
                out.append(Signal("resilience.backoff", "hand-written backoff", line(node)))
        if len(out) >= MAX_SIGNALS:
            return out
    if b"**" in data or b"<<" in data:
        for node in _powers(language, root, data):
            if _exponential(node):
                out.append(Signal("resilience.backoff", "hand-written backoff", line(node)))
    if b"retry-after" in data.lower():
        strings = frozenset({"string", "interpreted_string_literal"})
        for node in find(language, root, strings):
            if text(node, 40).strip("\"'`").lower() == "retry-after" and _reads(node):
                out.append(Signal("resilience.retry", "Retry-After honoured", line(node)))
    return out


# Operators looked up one by one (`_powers`) in a file that writes at most this many; past
# it, one walk over the whole tree finds its binary expressions instead.
MAX_OPERATOR_LOOKUPS = 100


def _powers(language: str, root: Node, data: bytes) -> Iterable[Node]:
    """The binary expressions `_exponential` may accept (an operator written `**` or `<<`):
    found from where those two bytes are written, not by a walk over every node of the
    tree (most Python files have some, as `**kwargs`). Each occurrence's smallest node is
    climbed while it spans exactly the two bytes (an operator, or an ERROR holding one):
    the parent of any of them that is a binary expression is one whose operator they are.
    Each lookup goes down from the root (its cost is the tree's depth), so a file with many
    occurrences, or one large enough that the walk's own cap could matter, is walked."""
    found: list[int] = []
    for op in (b"**", b"<<"):
        at = data.find(op)
        while at >= 0 and len(found) <= MAX_OPERATOR_LOOKUPS:
            found.append(at)
            at = data.find(op, at + 1)  # "***" holds two
    if len(found) > MAX_OPERATOR_LOOKUPS or len(data) > MAX_FOUND:
        return find(language, root, _BINARY)
    out: dict[int, Node] = {}
    for at in found:
        node = root.descendant_for_byte_range(at, at + 2)
        while node is not None:
            parent = node.parent
            if parent is None:
                break
            if parent.type in _BINARY:
                out.setdefault(parent.id, parent)
            if parent.start_byte != at or parent.end_byte != at + 2:
                break
            node = parent
    return list(out.values())


_LOOKUPS = frozenset(
    {"argument_list", "arguments", "subscript", "subscript_expression", "element_reference",
     "index_expression"}
)  # fmt: skip


def _reads(node: Node) -> bool:
    """Whether a header name is read where it stands: a call's argument (`headers.get(…)`),
    a lookup (`headers[…]`) or a membership test (`… in headers`); not a key of a literal
    mapping (code sending one) nor an equality test (code about the name itself)."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in _LOOKUPS:
        return True
    return parent.type in ("comparison_operator", "binary_expression") and any(
        text(child, 4) == "in" for child in parent.children if not child.is_named
    )


def _sleeps_inside(data: bytes, loop: Node) -> bool:
    start, end = loop.start_byte, loop.end_byte
    return any(data.find(word, start, end) >= 0 for word in _SLEEP_WORDS)


def _has_timeout(call: Node) -> bool:
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    for arg in args.named_children:
        if arg.type == "keyword_argument":
            if text(arg.child_by_field_name("name"), 40) in TIMEOUT_KEYS:
                return True
        elif _mapping_has_timeout(arg, 0):
            return True
    return False


def _mapping_has_timeout(node: Node, depth: int) -> bool:
    """A `timeout` key in an options object or hash, or one nested in it (Faraday's
    ``request: {timeout: 5}``), at most two levels down."""
    if node.type == "pair":
        if _key(node) in TIMEOUT_KEYS:
            return True
        value = node.child_by_field_name("value")
        return value is not None and depth < 2 and _mapping_has_timeout(value, depth + 1)
    if node.type in ("object", "hash") and depth < 3:
        return any(_mapping_has_timeout(child, depth + 1) for child in node.named_children[:40])
    return False


def _key(pair: Node) -> str:
    return text(pair.child_by_field_name("key"), 40).strip("\"':")


def _backoff_loop(loop: Node, name_of: Callable[[Node], str]) -> bool:
    sleeps = grows = False
    for node in walk(loop, frozenset({"call", "call_expression", "augmented_assignment",
                                      "assignment_expression", *_BINARY}), _LOOP_SCAN):  # fmt: skip
        kind = node.type
        if kind in ("call", "call_expression"):
            name = name_of(node)
            last = name.rsplit(".", 1)[-1]
            if last in _SLEEPS:
                sleeps = True
            if _GROWING.search(name):
                grows = True
        elif (kind == "augmented_assignment" and "*=" in text(node, 200)) or (
            kind in _BINARY and _operator(node) in ("**", "<<")
        ):
            grows = True
        if sleeps and grows:
            return True
    return False


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    if op is not None:
        return text(op, 4)
    return text(node.children[1], 4) if node.child_count == 3 else ""


def _exponential(node: Node) -> bool:
    """`2 ** attempt`, `2.0 ** n`, `1 << retries` (a delay that doubles per attempt)."""
    op = _operator(node)
    if op not in ("**", "<<"):
        return False
    left = node.child_by_field_name("left") or node.children[0]
    right = node.child_by_field_name("right") or node.children[-1]
    try:
        base = float(text(left, 8))
    except ValueError:
        return False
    if base != (2.0 if op == "**" else 1.0):
        return False
    return bool(_COUNTER.search(text(right, 40)))
