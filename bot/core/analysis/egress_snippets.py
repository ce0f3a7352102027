"""Page snippets kept in data files: HTML a server injects into its pages, written as a
YAML string value (an analytics tag, a comments widget: ``head: |`` then ``<script …>``).

The browser loads what the snippet names from another host, which no import or request in
the app's code shows. What counts, in a YAML file holding a ``<script`` tag:

* an element that loads from a URL: ``<script src="https://host/…">``, ``<img src=…>`` (a
  pixel), ``<iframe src=…>``; and what `egress_scripts` finds in the snippet's own JS
  (``s.src = "https://…"`` after ``createElement("script")``, a loader helper) → an ``http``
  call with client ``browser-script`` to the host written;
* an element's host whose first label is a template slot
  (``src="https://{{account}}.disqus.com/…"``) is the parent domain the slot is under
  (``disqus.com``): the snippet's template fills in an account, not another service;
* a snippet whose script loads from nowhere written (``src="{{serverUrl}}/x.js"``, a URL
  built in JS) → one call of origin ``unknown`` at its first ``<script``: it names nothing,
  except in a folder named for its service (a plugin family's member, `egress_families`).

Why generic: the HTML elements that load from a URL are the same in every snippet; the
service is the host written or the folder the snippet is kept in, never a name listed here.
A bounded, linear byte scan: at most `MAX_TAGS` tags, each read in a window of `MAX_TAG`
bytes, with no nested repetition.
"""

from __future__ import annotations

import re

from bot.core.analysis.claims import claims
from bot.core.analysis.egress_scripts import CLIENT, script_calls
from bot.core.analysis.manifest_text import FileExtractor
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, OutboundCall

MAX_TAGS = 200
MAX_TAG = 400  # bytes of a tag read for its `src`
MAX_CALLS = 50
_TAG = lazy(rb"<(?:script|img|iframe)\b", re.I)
# The attribute's value may be quoted with an escaped quote (a JSON or double-quoted YAML
# string: `src=\\"https://…`).
_SRC = lazy(rb"""[ \t\r\n]src[ \t]*+=[ \t]*+\\?["']?https?://""", re.I)
# A leading template slot (`{{x}}.`, `${x}.`) then the host; the slot is read apart.
_SLOT = lazy(rb"(?:\{\{[^{}\n]{1,80}+\}\}|\$\{[^{}\n]{1,80}+\})\.")
_HOST = lazy(rb"([A-Za-z0-9\-]{1,63}+(?:\.[A-Za-z0-9\-]{1,63}+){1,8}+)(?=[/:?#'\"` >])")


def markup_calls(data: bytes) -> list[OutboundCall]:
    """The hosts that HTML markup written in a source file's strings makes the browser load
    from (a page body kept in a Go string: `<iframe src="https://…">`). Tags on `//` or
    `#` comment lines are left; a tag whose `src` is not a written URL names nothing."""
    if b"src" not in data and b"SRC" not in data:
        return []
    return _tag_calls(data, set())


def _tag_calls(data: bytes, seen: set[str]) -> list[OutboundCall]:
    out: list[OutboundCall] = []
    line, counted = 1, 0  # lines counted forward from the last tag kept
    for n, m in enumerate(_TAG.finditer(data)):
        if n >= MAX_TAGS or len(out) >= MAX_CALLS:
            break
        end = data.find(b">", m.end(), m.end() + MAX_TAG)
        src = _SRC.search(data, m.end(), end if end > 0 else m.end() + MAX_TAG)
        if src is None or _commented(data, m.start()):
            continue
        host = _host(data, src.end())
        if host and host not in seen:
            seen.add(host)
            line += data.count(b"\n", counted, m.start())
            counted = m.start()
            out.append(OutboundCall("http", line, CLIENT, host, origin="literal"))
    return out


def snippet_calls(data: bytes) -> tuple[OutboundCall, ...]:
    """The hosts a data file's HTML snippets make the browser load from."""
    first = data.find(b"<script")
    if first < 0:
        first = data.find(b"<SCRIPT")
    if first < 0:
        return ()
    seen: set[str] = set()
    out = _tag_calls(data, seen)
    for call in script_calls(data):
        if call.host not in seen and len(out) < MAX_CALLS:
            seen.add(call.host)
            out.append(call)
    if not out:  # a script whose server its settings give: named by its folder, if any
        line = data.count(b"\n", 0, first) + 1
        out.append(OutboundCall("http", line, CLIENT, origin="unknown"))
    return tuple(out)


def _host(data: bytes, at: int) -> str:
    slot = _SLOT.match(data, at, at + 200)
    if slot is not None:
        at = slot.end()  # `{{account}}.disqus.com`: the domain the slot is under
    host = _HOST.match(data, at, at + 600)
    return host.group(1).decode("ascii").lower() if host is not None else ""


def _commented(data: bytes, at: int) -> bool:
    """Whether the tag is on a YAML comment line, or inside an HTML comment begun on its
    line."""
    start = data.rfind(b"\n", 0, at) + 1
    head = data[start:at]
    code = head.lstrip()
    return code.startswith((b"#", b"//")) or (b"<!--" in head and b"-->" not in head)


def parse_snippets(data: bytes) -> FileFacts:
    calls = snippet_calls(data)
    return FileFacts(language="config", calls=calls) if calls else FileFacts(language="config")


def _is_snippet_file(path: str) -> bool:
    return path.endswith((".yml", ".yaml")) and "node_modules/" not in path


SNIPPET_EXTRACTOR = FileExtractor(
    # 3: an element set to load asynchronously before its `src` (`egress_scripts`)
    "page_snippets",
    3,
    _is_snippet_file,
    parse_snippets,
    claims(extensions=("yml", "yaml")),
)

__all__ = ["SNIPPET_EXTRACTOR", "markup_calls", "snippet_calls"]
