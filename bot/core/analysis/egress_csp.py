"""Hosts a Content Security Policy lets the app's pages load fonts and stylesheets from.

A CSP font or style directive that names another host (`policy.font_src :self,
"https://fonts.x.com"` in Rails, `fontSrc: ["'self'", "https://fonts.x.com"]` for helmet)
is written because a page's CSS loads from it: the browser's egress, declared where the
server sets its headers. Why generic: the directive names are the CSP standard's, the
same in every framework's spelling (snake_case or camelCase). Only hosts written on the
directive's own line count (a splatted list of another line says nothing), and not on a
line that names the development environment (a dev tool's allowance), nor in a
triple-quoted string (a docstring's example).

A line scan: each line holding `Src` or `_src` and `://` (at most `MAX_LINES`). Each host is
an `http` call with client ``csp:<directive>`` and origin ``literal``, which
`egress_services` names by its host.
"""

from __future__ import annotations

from bot.core.analysis.words import words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import OutboundCall

MAX_LINE = 2_000
MAX_LINES = 200  # directive lines read from one file
MAX_HOSTS = 20  # hosts read from one line
CLIENT = "csp:"
# Fonts and stylesheets only: a page pulls them through CSS (`@import`, `url()`), which no
# other rule reads. Scripts and images a page loads show in its code (`egress_scripts`); a
# script or image host in a CSP may be an allowance nothing uses any more.
_DIRECTIVE = lazy(r"(?<![\w-])(font|style)(?:_src(?:_elem|_attr)?|Src(?:Elem|Attr)?)\b")
# The words `_DIRECTIVE` matches: no separator before or after it, so it is a whole word.
_DIRECTIVE_WORDS = frozenset(
    f"{kind}{src}".encode()
    for kind in ("font", "style")
    for src in ("_src", "_src_elem", "_src_attr", "Src", "SrcElem", "SrcAttr")
)
_URL = lazy(r"[\"'`]https://([A-Za-z0-9-]{1,63}+(?:\.[A-Za-z0-9-]{1,63}+){1,8}+)[/\"'`]")


def csp_hosts(data: bytes) -> tuple[OutboundCall, ...]:
    if words_of(data).words.isdisjoint(_DIRECTIVE_WORDS) or b"://" not in data:
        return ()
    out: list[OutboundCall] = []
    seen = 0
    in_doc = False  # inside a triple-quoted string: a docstring's example, not a policy
    for i, raw in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        quotes = raw.count('"""') + raw.count("'''")
        if in_doc or quotes:
            in_doc = in_doc != (quotes % 2 == 1)
            continue
        if "://" not in raw or ("_src" not in raw and "Src" not in raw):
            continue
        line = raw[:MAX_LINE]
        stripped = line.lstrip()
        if stripped.startswith(("#", "//", "*")) or "development" in line:
            continue
        seen += 1
        if seen > MAX_LINES:
            break
        d = _DIRECTIVE.search(line)
        if d is None:
            continue
        for n, m in enumerate(_URL.finditer(line, d.end())):
            if n >= MAX_HOSTS:
                break
            out.append(OutboundCall("http", i, CLIENT + d.group(1), m.group(1), "", "literal"))
    return tuple(out)
