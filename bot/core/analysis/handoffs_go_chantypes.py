"""Go queue types declared as a channel: `type jobQueue chan *Job`.

The idiom: a named channel type; a constructor that makes the channel, starts a goroutine
that receives from it (`go func() { … item := <-q … }()`) and returns it; and a method of the
type that sends on its receiver (`func (q *jobQueue) push(j *Job) { *q <- j }`). The
constructor's goroutine is the consumer (cited at the constructor's `func` line, as a def);
the sending method is a producer API whose callers produce (`handoff_links.go_callers`, in
the package and the packages that import it). Generic: it keys on the shape (a type whose
underlying type is a channel, a constructor returning it that drains it, a method sending
on it), never on a name. A channel type with no draining constructor in its file is not
claimed.

Sites: ``consume`` named by the type, and ``buffer-wrapper`` (the sending method, with
(type, "method", "")), the role `handoff_links` confirms without a pairing of its own.
"""

from __future__ import annotations

from bot.core.analysis.handoffs_go_buffers import WRAPPER
from bot.core.analysis.handoffs_go_callbacks import _methods
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "go-channel"
MAX_TYPES = 20

_CHAN_TYPE = lazy(
    r"\Atype[ \t]++([A-Za-z_]\w{0,100}+)(?:\[[^\]\n]{0,100}+\])?[ \t]++(?:<-[ \t]*+)?chan\b"
)
_FUNC = lazy(r"\Afunc[ \t]++([A-Za-z_]\w{0,100}+)[ \t]*+(?:\[[^\]\n]{0,200}+\])?\(")
_METHOD = lazy(
    r"\Afunc[ \t]*+\([ \t]*+([A-Za-z_]\w{0,100}+)[ \t]++\*?[ \t]*+([A-Za-z_]\w{0,100}+)"
    r"(?:\[[^\]\n]{0,100}+\])?[ \t]*+\)[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\("
)
_MAKE = lazy(r"\A[ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+:?=[ \t]*+make\([ \t]*+(?:<-[ \t]*+)?chan\b")


def chan_type_sites(lines: list[str]) -> list[HandoffSite]:
    """The queue-type sites of one Go file's lines (see the module doc)."""
    types: set[str] = set()
    for line in lines:
        if line.startswith("type") and len(types) < MAX_TYPES:
            m = _CHAN_TYPE.match(line)
            if m:
                types.add(m.group(1))
    if not types:
        return []
    drained: dict[str, int] = {}  # type -> line of the constructor that drains it
    senders: list[tuple[str, str, int]] = []  # (type, method, line)
    for head, start, end in _methods(lines):
        sig, body = lines[head], lines[start:end]
        m = _METHOD.match(sig)
        if m:
            recv, kind, name = m.groups()
            if kind in types and any(_sends_on(line, recv) for line in body):
                senders.append((kind, name, head + 1))
            continue
        f = _FUNC.match(sig)
        if f is None:
            continue
        after = sig[f.end() :]
        made = _made_and_drained(body)
        for kind in types:
            if made and _word_in(kind, after) and any(_returns(line, made) for line in body):
                drained.setdefault(kind, head + 1)
    out: list[HandoffSite] = []
    for kind, name, at in senders:
        if kind in drained:
            out.append(HandoffSite(WRAPPER, MECHANISM, name, at, (kind, "method", "")))
    for kind in sorted({k for k, _, _ in senders} & set(drained)):
        out.append(HandoffSite("consume", MECHANISM, kind, drained[kind]))
    return out


def _made_and_drained(body: list[str]) -> str:
    """The channel a function makes and receives from in a goroutine it starts, or ""."""
    made = ""
    in_go = False
    for line in body:
        if not made and "make(" in line:
            m = _MAKE.match(line)
            if m:
                made = m.group(1)
        stripped = line.lstrip()
        if stripped.startswith("go func") or (".Go(" in line and "func" in line):
            in_go = True
        if (made and in_go and ("<-" in line or "range" in line)) and (
            _word_after(line, "<-", made) or _word_after(line, "range ", made)
        ):
            return made
    return ""


def _sends_on(line: str, recv: str) -> bool:
    """`*q <- v` or `q <- v` (also after `case`) on the method's receiver."""
    head = line.strip().removeprefix("case ").lstrip()
    for lead in ("*" + recv, recv):
        if head.startswith(lead):
            rest = head[len(lead) :].lstrip()
            if rest.startswith("<-"):
                return True
    return False


def _returns(line: str, var: str) -> bool:
    words = line.split()
    return len(words) == 2 and words[0] == "return" and words[1] == var


def _word_after(line: str, lead: str, word: str) -> bool:
    pos = line.find(lead)
    while pos != -1:
        rest = line[pos + len(lead) :].lstrip()
        if rest.startswith(word):
            after = rest[len(word) : len(word) + 1]
            if not after or not (after.isalnum() or after == "_"):
                return True
        pos = line.find(lead, pos + len(lead))
    return False


def _word_in(word: str, text: str) -> bool:
    pos = text.find(word)
    while pos != -1:
        before = text[pos - 1] if pos else " "
        end = pos + len(word)
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        pos = text.find(word, end)
    return False
