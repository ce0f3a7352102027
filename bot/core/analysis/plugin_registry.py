"""Plugins a Python file registers with its package's registry: `register(ClickHouse)` at
module level, after `class ClickHouse(BaseQueryRunner)` in the same file.

A folder of such files (a data-source runner per file, an alert destination per file) is
a plugin registry: each registered class is a connector the app runs on a user's behalf
(`egress_plugins` decides that across files). Here, per file, a ``plugin.registered``
signal per registration: its name is the class's display name (`def name(cls): return
"Apache Kylin"`, or `name = "…"` in the class body), else the class name; its detail is
the class and its bases as written (`RisingWave(PostgreSQL)`); its line the `register(`
call's.

Bounded: at most `MAX_PLUGINS` registrations a file, `MAX_CLASS_LINES` lines of a class
read for its display name.
"""

from __future__ import annotations

import re

from bot.core.analysis.scan import Lines
from bot.core.analysis.words import contains
from bot.core.model import Signal

KIND = "plugin.registered"
MAX_PLUGINS = 20
MAX_CLASS_LINES = 400
# A bare call at the start of a line (module level), naming one class.
_REGISTER = re.compile(
    r"^register\([ \t]*+([A-Za-z_]\w{0,100}+)[ \t]*+\)[ \t]*+(?:#[^\n]*+)?$", re.M
)
_CLASS = r"^class[ \t]++{}\b(?:[ \t]*+\(([^()\n]{{0,300}}+)\))?"
_NAME_METHOD = re.compile(r"\A[ \t]++def[ \t]++name\([ \t]*+(?:cls|self)?[ \t]*+\)")
_NAME_ATTR = re.compile(
    r"\A[ \t]++name[ \t]*+(?::[ \t]*+str[ \t]*+)?=[ \t]*+([\"'])([^\"'\n]{1,80}+)\1"
)
_RETURN = re.compile(r"\A[ \t]++return[ \t]++([\"'])([^\"'\n]{1,80}+)\1[ \t]*+\Z")


def plugin_signals(text: str, lines: Lines) -> list[Signal]:
    if not contains(text, "register(") or not contains(text, "class "):
        return []
    split: list[str] | None = None
    out: list[Signal] = []
    for m in _REGISTER.finditer(text):
        if len(out) >= MAX_PLUGINS:
            break
        cls = m.group(1)
        found = re.search(_CLASS.format(re.escape(cls)), text, re.M)
        if found is None:
            continue  # a class imported from elsewhere: that file registers nothing itself
        split = split if split is not None else text.split("\n")
        start = lines.at(found.start())
        bases = ", ".join(b.strip() for b in (found.group(1) or "").split(",") if b.strip())
        detail = f"{cls}({bases})" if bases else cls
        out.append(Signal(KIND, _display(split, start) or cls, lines.at(m.start()), detail))
    return out


def _display(split: list[str], start: int) -> str:
    """The display name the class body at line `start` (1-based) gives, or ""."""
    for j in range(start, min(len(split), start + MAX_CLASS_LINES)):
        line = split[j]
        if line[:1] not in (" ", "\t", "") and not line.startswith(("#", ")")):
            return ""  # the class body ended
        attr = _NAME_ATTR.match(line)
        if attr is not None:
            return attr.group(2)
        if _NAME_METHOD.match(line):
            for k in range(j + 1, min(len(split), j + 3)):
                returned = _RETURN.match(split[k])
                if returned is not None:
                    return returned.group(2)
    return ""
