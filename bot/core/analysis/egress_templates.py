"""Scripts and stylesheets a server-rendered page template makes the browser load from
another host: `<script src="https://host/…">` (or protocol-relative `//host/…`) in an HTML,
ERB, HAML, Slim… template, written as HTML or in the template language's own tag syntax (Slim
`script src="…"`, HAML `%script{src: "…"}` / `%script(src="…")`); a stylesheet link
(`<link rel="stylesheet" href="https://host/…">`); Rails' tag helpers given an absolute URL
(`javascript_include_tag "https://host/…"`, `stylesheet_link_tag "https://host/…"`), which
render those same elements.

Why generic: a page loads third-party code the same way in every templating language — a
`script` element with a `src` — and the host written is the destination (a font kit, a
widget, an analytics tag). A `src` built from a template slot (`//#{host}/x.js`,
`{{ cdn }}/x.js`) or a local path names no host; loopback and numeric hosts are the
developer's machine. Lines that are comments in the template language are skipped.

A bounded line scan: at most `MAX_CALLS` hosts, each tag read in `MAX_TAG` characters of
its line; no nested repetition. Each hit is an `http` call with client ``browser-script``
and origin ``literal`` (as `egress_snippets`), which `egress_services` names by its host.

A layout nobody uses loads nothing: a Django/Jinja/Twig template with an empty
`{% block x %}{% endblock %}` slot and no `{% extends %}` of its own is written to be
extended, and one that no template of the repository extends, includes or imports by its
file name (`unused_layouts`) is never rendered, so its scripts make no claim. Each template
says what it is (`LAYOUT` meta) and which templates it names (`NAMES` meta; a name built
from a value, `{% extends parent %}`, names every layout).
"""

from __future__ import annotations

from collections.abc import Mapping
from posixpath import basename

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
LAYOUT = "template.layout"  # meta: "1" on a template written only to be extended
NAMES = "template.names"  # meta: a template name this one extends, includes or imports
ANY = "*"  # a name built from a value: it may be any template
MAX_NAMES = 50
# `{% extends "base.html" %}`, `{%- include 'x/y.html' %}`, `{% from "m.html" import a %}`.
_NAMED = lazy(
    r"""\{%-?[ \t]*+(?:extends|include|import|from|embed|use|layout|render|sandbox)[ \t]++"""
    r"""(?:(["'])([^"'\n{}%]{1,200}+)\1|[^"'\s%]{1,100}+)"""
)
# An empty slot, `{% block content %}{% endblock %}`: what a child fills in.
_EMPTY_BLOCK = lazy(
    r"\{%-?[ \t]*+block[ \t]++\w{1,100}+[ \t]*+-?%\}[ \t\r\n]{0,200}+\{%-?[ \t]*+endblock\b"
)
# A stylesheet link: `<link … rel="stylesheet" … href="https://…">` (the attributes in any
# order, read in the tag's own characters), and Rails' helpers that render a script or a
# stylesheet element from their first argument (`javascript_include_tag "https://…"`).
_LINK = lazy(r"<link\b([^<>]{0,400}+)")
_STYLESHEET = lazy(r"""\brel[ \t]*+=[ \t]*+["']?stylesheet\b""")
_HREF = lazy(r"""\bhref[ \t]*+=[ \t]*+["'](?:https?:)?//""")
_HELPER = lazy(
    r"""\b(?:javascript_include_tag|stylesheet_link_tag)[ \t]*+\(?[ \t]*+["'](?:https?:)?//"""
)
_GATES = ("script", "stylesheet", "include_tag", "link_tag")


def template_script_calls(data: bytes) -> tuple[OutboundCall, ...]:
    if b"script" not in data and b"stylesheet" not in data and b"link_tag" not in data:
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
        if "//" not in line or not any(g in line for g in _GATES):
            continue
        for at in _url_starts(line):
            h = _HOST.match(line, at, at + 300)
            host = h.group(1).lower() if h is not None else ""
            if not host or host in seen or _local(host):
                continue
            seen.add(host)
            out.append(OutboundCall("http", i, CLIENT, host, origin="literal"))
            if len(out) >= MAX_CALLS:
                return tuple(out)
    return tuple(out)


def _url_starts(line: str) -> list[int]:
    """Where the host of each remote script or stylesheet URL on `line` begins."""
    out: list[int] = []
    if "script" in line:
        for m in _TAG.finditer(line):
            src = _SRC.search(line, m.end(), m.end() + MAX_TAG)
            if src is not None:
                out.append(src.end())
    if "stylesheet" in line and "<link" in line:
        for m in _LINK.finditer(line):
            tag = m.group(1)
            href = _HREF.search(tag)
            if href is not None and _STYLESHEET.search(tag) is not None:
                out.append(m.start(1) + href.end())
    if "_tag" in line:
        out += [m.end() for m in _HELPER.finditer(line)]
    return sorted(out)


def _local(host: str) -> bool:
    return host.startswith(("localhost", "127.")) or host.replace(".", "").isdigit()


def template_meta(data: bytes) -> tuple[tuple[str, str], ...]:
    """`LAYOUT` when `data` is a layout (an empty block, no `extends`); one `NAMES` per
    template name it writes (at most `MAX_NAMES`; `ANY` for a name built from a value)."""
    if b"{%" not in data:
        return ()
    text = decode(data)
    names: set[str] = set()
    extends = False
    for n, m in enumerate(_NAMED.finditer(text)):
        if n >= MAX_NAMES:
            break
        extends = extends or "extends" in m.group(0)[:20]
        names.add(_written(m.group(2)) if m.group(2) else ANY)
    out = [(NAMES, name) for name in sorted(names)]
    if not extends and _EMPTY_BLOCK.search(text) is not None:
        out.append((LAYOUT, "1"))
    return tuple(out)


def _written(name: str) -> str:
    """The name as a path below a templates folder; a namespaced name (Twig `@App/x`) by
    its file name alone."""
    name = name.strip().removeprefix("./")
    return name.rpartition("/")[2] if name.startswith(("@", "/")) or ":" in name else name


def unused_layouts(files: Mapping[str, FileFacts]) -> frozenset[str]:
    """Paths of layouts (`LAYOUT`) that no template of `files` names: a name is a path
    below a templates folder, so it names the layouts whose path ends with it."""
    layouts: list[str] = []
    named: set[str] = set()
    for path, f in files.items():
        for key, value in f.meta:
            if key == LAYOUT:
                layouts.append(path)
            elif key == NAMES:
                named.add(value)
    if not layouts or ANY in named:
        return frozenset()
    tails = {name.rpartition("/")[2] for name in named}
    return frozenset(p for p in layouts if not _named(p, named, tails))


def _named(path: str, named: set[str], tails: set[str]) -> bool:
    if basename(path) not in tails:
        return False
    return any(path == name or path.endswith("/" + name) for name in named)


def parse_templates(data: bytes) -> FileFacts:
    calls = template_script_calls(data)
    return FileFacts(language="other", calls=tuple(sorted(calls)), meta=template_meta(data))


def is_page_template(path: str) -> bool:
    return path.endswith(_SUFFIXES) and "node_modules/" not in path


# 2: stylesheet links and Rails' include/link tag helpers given an absolute URL
TEMPLATE_SCRIPT_EXTRACTOR = FileExtractor(
    # 2: layouts and the template names each template writes (`unused_layouts`);
    # 3: stylesheet links and Rails' include/link tag helpers
    "template_scripts",
    3,
    is_page_template,
    parse_templates,
    claims(extensions=_EXTENSIONS),
)

__all__ = [
    "LAYOUT",
    "NAMES",
    "TEMPLATE_SCRIPT_EXTRACTOR",
    "template_meta",
    "template_script_calls",
    "unused_layouts",
]
