"""Scripts and pixels a page makes the browser load from another host: a third party's
widget, tracker or SDK injected at run time, which `import` and `fetch` never show.

Why generic: the browser has few ways to load code from a URL, and each is written the same
in every app: a `<script>` element made in code and given its `src` (`s.src = "https://…"`,
`s.setAttribute("src", "https://…")`, in a file that calls `createElement("script")`), or a
loader helper named for what it loads (`loadScript("https://…")`,
`Utils.loadScriptPromise(…)`, `injectScript(…)`, `appendImage("https://…/pixel.gif")`, with
the URL on its line or the next), or an element set to load asynchronously before its `src`
(`t.async=1;t.src="https://…"`, the vendors' loader snippet). The host written in the URL is
the destination; a URL whose host is built (`https://${host}/…`) or local names nothing. An
element's `src` given a URL built on a base (`['src', `${server}/…`]`,
`setAttribute('src', `${base}/x`)`) loads from the host the base's default writes
(`const server = opts.server || 'https://…'`), cited at that default.

A byte scan of JS/TS files: each `://` off a comment line (at most `MAX_HITS`) is looked at
with the `MAX_BEFORE` bytes before it. Each hit is an `http` call with client
``browser-script`` and origin ``literal``, which `egress_services` names by its host.
"""

from __future__ import annotations

import re
from itertools import islice

from bot.core.analysis.scan import code_hits
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import OutboundCall

CLIENT = "browser-script"
MAX_HITS = 200  # `://` occurrences looked at per file
MAX_BEFORE = 160  # bytes before a URL searched for what loads it
MAX_CALLS = 50
_COMMENTS = (b"//", b"*", b"/*", b"<!--")
_SCRIPT_ELEMENT = lazy(rb"createElement\([ \t]*+['\"`]script['\"`]", re.I)
# `t.async=1;t.src="https://…"`: only a script element loads asynchronously, so an element
# set so just before its `src` is one, whatever variable named its tag (the async loader
# snippets of analytics vendors pass "script" in as a parameter).
_ASYNC = lazy(rb"\.async[ \t]*+=[ \t]*+(?:1|!0|true)\b")
# What is written right before the URL's quote (`https` and its `://` cut off).
_SRC = lazy(rb"(?:\.src[ \t]*+=|setAttribute\([ \t]*+['\"]src['\"][ \t]*+,)[ \t]*+['\"`]https?\Z")
_LOADER = lazy(
    rb"(?:(?:load|inject|append|add|insert)[A-Za-z_]{0,40}?script"
    rb"|(?:append|insert|track|fire)[A-Za-z_]{0,40}?(?:image|pixel))[A-Za-z_]{0,40}+"
    rb"[ \t]*+\([ \t\r\n]*+['\"`]https?\Z",
    re.I,
)
_HOST = lazy(rb"([A-Za-z0-9\-]{1,63}+(?:\.[A-Za-z0-9\-]{1,63}+){1,8}+)(?=[/:?#'\"`])")


# `'src', `${base}/…``: an element's source built on a named base URL.
_SRC_BUILT = lazy(rb"""['"]src['"][ \t]*+,[ \t]*+`\$\{([A-Za-z_$][\w$]{0,60}+)\}/""")
MAX_BASES = 10


def script_calls(data: bytes) -> tuple[OutboundCall, ...]:
    """The scripts and pixels `data` (a JS/TS file) makes the browser load, by host."""
    if b"://" not in data:
        return ()
    built = _built_sources(data) if b"src" in data and b"${" in data else []
    element = _SCRIPT_ELEMENT.search(data) is not None
    asynced = b".async" in data
    if not element and not asynced and not _may_load(data):
        return tuple(built)
    out: list[OutboundCall] = list(built)
    seen: set[str] = {c.host for c in built}
    line, counted = 1, 0  # line numbers counted forward from the last hit
    for at in code_hits(data, b"://", _COMMENTS, MAX_HITS):
        before = data[max(0, at - MAX_BEFORE) : at]
        loaded = (
            (element or (asynced and _ASYNC.search(before) is not None))
            and _SRC.search(before) is not None
        ) or _LOADER.search(before) is not None
        if not loaded:
            continue
        host = _HOST.match(data, at + 3, at + 3 + 600)
        if host is None:
            continue
        name = host.group(1).decode("ascii").lower()
        if name in seen:
            continue
        seen.add(name)
        line += data.count(b"\n", counted, at)
        counted = at
        out.append(OutboundCall("http", line, CLIENT, name, origin="literal"))
        if len(out) >= MAX_CALLS:
            break
    return tuple(out)


_LOADERS = Needles((b"cript", b"CRIPT", b"mage", b"MAGE", b"ixel", b"IXEL"))


def _built_sources(data: bytes) -> list[OutboundCall]:
    """Elements whose `src` is a URL built on a base whose default is written: the host of
    that default, at its line."""
    out: list[OutboundCall] = []
    names: list[bytes] = []
    for n, m in enumerate(_SRC_BUILT.finditer(data)):
        if n >= MAX_BASES:
            break
        start = data.rfind(b"\n", 0, m.start()) + 1
        if not data[start : m.start()].lstrip().startswith(_COMMENTS) and m.group(1) not in names:
            names.append(m.group(1))
    for name in names:
        # Led by the name (a literal): the engine jumps between its occurrences.
        pattern = re.compile(
            re.escape(name) + rb"[ \t]*+=[^=\n>][^\n]{0,200}?"
            rb"""(?:\|\||\?\?)[ \t]*+['"`]https?://"""
        )
        tried = islice(pattern.finditer(data), MAX_BASES)
        default = next((m for m in tried if not _in_word(data, m.start())), None)
        if default is None:
            continue
        host = _HOST.match(data, default.end(), default.end() + 600)
        if host is not None:
            line = data.count(b"\n", 0, default.start()) + 1
            found = host.group(1).decode("ascii").lower()
            out.append(OutboundCall("http", line, CLIENT, found, origin="literal"))
    return out


def _in_word(data: bytes, at: int) -> bool:
    """Whether the name at `at` continues a longer name or a member (`opts.server`)."""
    before = data[at - 1 : at]
    return bool(before) and (before.isalnum() or before in b"_$.")


def _may_load(data: bytes) -> bool:
    """Whether a loader's name (`…script…`, `…image…`, `…pixel…`) may be in `data`."""
    return _LOADERS.any_in(data)


__all__ = ["CLIENT", "script_calls"]
