"""blinker named signals (`handoffs_inproc`): `signal("name").send(…)` in one module,
`signal("name").connect(handler)` in another.

A named signal is one object per name in the whole process, so a sender and a receiver
connected by that name are a hand-off between modules (a UI push fed by the workers). A
`send` is a producer; the receiver is cited at its handler's `def` when this file has it,
else at the `connect`. A variable bound to `signal("name")` (`self.done = signal("done")`,
the nearest binding above) stands for the name; a name imported from another module and
connected here (`from app.bus import done as d; d.connect(h)`) stands for the imported name.

Only in a file that mentions blinker, and a name counts only when its sender and receiver
are in different files (`cross_file`): a module that signals itself is a callback, and
Django's model signals (`post_save.connect`) are not named signals at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace

from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

MAX_LINE = 2_000
SIGNAL = "blinker-signal"

_NAME = r"['\"]([\w.:\-]{1,100}+)['\"]"
# `[self.]var = [ns.]signal("name")`
_BIND = lazy(
    r"\A[ \t]*+(?:self\.)?([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+(?:[A-Za-z_]\w{0,100}+\.)?"
    r"signal\([ \t]*+" + _NAME + r"[ \t]*+\)"
)
# `signal("name").send(` / `.connect(` on the signal itself
_DIRECT = lazy(
    r"(?<![\w.])(?:[A-Za-z_]\w{0,100}+\.)?signal\([ \t]*+" + _NAME + r"[ \t]*+\)\.(send|connect)\b"
)
# `[self.]var.send(` / `.connect(` / `.connect_via(`
_VIA_VAR = lazy(r"(?<![\w.])(?:self\.)?([A-Za-z_]\w{0,100}+)\.(send|connect)(?:_via)?\b")
_HANDLER = lazy(r"\A[ \t]*+(?:self\.)?([A-Za-z_]\w{0,100}+)")
_DEF = re.compile(r"\A[ \t]*+(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)")
_IMPORT = re.compile(r"\A[ \t]*+from[ \t]++[\w.]{1,200}+[ \t]++import[ \t]++\(?([^)\n#]{1,1000}+)")
MAX_DECORATED = 5  # lines between `@sig.connect` and its `def`


def may_hold(text: str) -> bool:
    return contains(text, "blinker") and (contains(text, "signal(") or contains(text, ".connect"))


def signal_sites(text: str) -> list[HandoffSite]:
    """The senders and receivers of blinker named signals in one Python file."""
    if "blinker" not in text:
        return []
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    defs: dict[str, int] = {}
    imported: dict[str, str] = {}  # local name -> the name imported
    for i, line in enumerate(lines, 1):
        if "def " in line and (d := _DEF.match(line)):
            defs.setdefault(d.group(1), i)
        elif "import" in line and (imp := _IMPORT.match(line)):
            for part in imp.group(1).split(","):
                words = part.split()
                if len(words) == 3 and words[1] == "as":
                    imported[words[2]] = words[0]
                elif len(words) == 1:
                    imported[words[0]] = words[0]
    bound: dict[str, str] = {}
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#") or ("send" not in line and "connect" not in line):
            if "signal(" in line and (b := _BIND.match(line)):
                bound[b.group(1)] = b.group(2)
            continue
        if "signal(" in line and (b := _BIND.match(line)):
            bound[b.group(1)] = b.group(2)
        for m in _DIRECT.finditer(line):
            out.append(_site(m.group(2), m.group(1), i, line[m.end() :], lines, defs))
        for m in _VIA_VAR.finditer(line):
            var, verb = m.group(1), m.group(2)
            name = bound.get(var)
            if name is None and verb == "connect" and var in imported and var not in bound:
                name = imported[var]
            if name is not None:
                site = _site(verb, name, i, line[m.end() :], lines, defs)
                if site.role == "produce" and var != name:
                    site = replace(site, aliases=(var,))  # "via" the name the line uses
                out.append(site)
    return out


def _site(
    verb: str, name: str, i: int, after: str, lines: list[str], defs: dict[str, int]
) -> HandoffSite:
    if verb == "send":
        return HandoffSite("produce", SIGNAL, name, i)
    at = i
    if after.startswith("("):
        h = _HANDLER.match(after[1:])
        if h is not None and h.group(1) in defs:
            at = defs[h.group(1)]
    elif lines[i - 1].lstrip().startswith("@"):
        # `@sig.connect` / `@sig.connect_via(x)` over the receiver's `def`
        for j in range(i, min(len(lines), i + MAX_DECORATED)):
            d = _DEF.match(lines[j])
            if d is not None:
                at = j + 1
                break
    return HandoffSite("consume", SIGNAL, name, at)


def cross_file(facts: Mapping[str, FileFacts]) -> dict[str, FileFacts]:
    """`facts` without the signal ends whose name has no end of the other kind in another
    file."""
    files: dict[tuple[str, str], set[str]] = defaultdict(set)  # (role, name) -> paths
    for path, f in facts.items():
        for s in f.handoffs:
            if s.mechanism == SIGNAL:
                files[(s.role, s.name)].add(path)
    if not files:
        return dict(facts)
    other = {"produce": "consume", "consume": "produce"}
    out = dict(facts)
    for path, f in facts.items():
        if not any(s.mechanism == SIGNAL for s in f.handoffs):
            continue
        kept = tuple(
            s
            for s in f.handoffs
            if s.mechanism != SIGNAL or (files.get((other.get(s.role, ""), s.name), set()) - {path})
        )
        out[path] = replace(f, handoffs=kept)
    return out
