"""Scripts a server-rendered page template makes the browser load from another host:
`<script src="https://host/…">` (or protocol-relative `//host/…`) in an HTML, ERB, HAML,
Slim… template, written as HTML or in the template language's own tag syntax (Slim
`script src="…"`, HAML `%script{src: "…"}` / `%script(src="…")`).

Why generic: a page loads third-party code the same way in every templating language — a
`script` element with a `src` — and the host written is the destination (a font kit, a
widget, an analytics tag). A `src` built from a template slot (`//#{host}/x.js`,
`{{ cdn }}/x.js`) or a local path names no host; loopback and numeric hosts are the
developer's machine. Lines that are comments in the template language are skipped.

A bounded line scan: at most `MAX_CALLS` hosts, each tag read in `MAX_TAG` characters of
its line; no nested repetition. Each hit is an `http` call with client ``browser-script``
and origin ``literal`` (as `egress_snippets`), which `egress_services` names by its host.
"""

from __future__ import annotations

from bot.core.analysis.claims import claims
from bot.core.analysis.egress_scripts import CLIENT
from bot.core.analysis.manifest_text import FileExtractor, decode
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, OutboundCall

MAX_LINE = 2_000
MAX_TAG = 400  # characters after a tag read for its `src`
MAX_CALLS = 50
_SUFFIXES = (
    ".html", ".htm", ".erb", ".haml", ".slim", ".ejs", ".hbs", ".handlebars", ".mustache",
    ".twig", ".jinja", ".jinja2", ".j2", ".njk", ".liquid", ".tmpl", ".gohtml",
)  # fmt: skip
_EXTENSIONS = tuple(s.lstrip(".") for s in _SUFFIXES)
# A script element: HTML `<script`, Slim `script` first on its line, HAML `%script`.
_TAG = lazy(r"(?:<|%|\A[ \t]*+)script\b")
# Its `src` (`src="…"`, `src: "…"`, `:src => "…"`, `"src" => "…"`), then the URL's scheme
# (optional: `//host` keeps the page's).
_SRC = lazy(r"""[ \t({,:"']src["']?[ \t]*+(?:=>?|:)[ \t]*+["'](?:https?:)?//""")
_HOST = lazy(r"([A-Za-z0-9\-]{1,63}+(?:\.[A-Za-z0-9\-]{1,63}+){1,8}+)(?=[/:?#\"'])")
# Comment lines: HTML `<!--`, Slim `/` and `/!`, HAML `-#`, ERB `<%#`, Jinja/Twig `{#`.
_COMMENT_LEADS = ("<!--", "/", "-#", "<%#", "{#", "{{!")


def template_script_calls(data: bytes) -> tuple[OutboundCall, ...]:
    if b"script" not in data:
        return ()
    out: list[OutboundCall] = []
    seen: set[str] = set()
    in_comment = False
    for i, line in enumerate(decode(data).splitlines(), 1):
        line = line[:MAX_LINE]
        stripped = line.lstrip()
        if in_comment:
            in_comment = "-->" not in line
            continue
        if stripped.startswith(_COMMENT_LEADS):
            in_comment = stripped.startswith("<!--") and "-->" not in stripped
            continue
        if "script" not in line or "//" not in line:
            continue
        for m in _TAG.finditer(line):
            src = _SRC.search(line, m.end(), m.end() + MAX_TAG)
            if src is None:
                continue
            h = _HOST.match(line, src.end(), src.end() + 300)
            host = h.group(1).lower() if h is not None else ""
            if not host or host in seen or _local(host):
                continue
            seen.add(host)
            out.append(OutboundCall("http", i, CLIENT, host, origin="literal"))
            if len(out) >= MAX_CALLS:
                return tuple(out)
    return tuple(out)


def _local(host: str) -> bool:
    return host.startswith(("localhost", "127.")) or host.replace(".", "").isdigit()


def parse_templates(data: bytes) -> FileFacts:
    calls = template_script_calls(data)
    return FileFacts(language="other", calls=tuple(sorted(calls)))


def is_page_template(path: str) -> bool:
    return path.endswith(_SUFFIXES) and "node_modules/" not in path


TEMPLATE_SCRIPT_EXTRACTOR = FileExtractor(
    "template_scripts", 1, is_page_template, parse_templates, claims(extensions=_EXTENSIONS)
)

__all__ = ["TEMPLATE_SCRIPT_EXTRACTOR", "template_script_calls"]
