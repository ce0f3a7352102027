"""Page templates that subscribe to a record's stream: the browser end of a server push.

A template line `<%= turbo_stream_from @order %>` opens a WebSocket subscription to the
record's stream; the server end is a `order.broadcast_refresh` (or `_replace`, `_later`…)
on the record (`handoffs_ruby`). Both ends are named by the variable that holds the record
(`@order` and `order` alike, `STREAM_SUFFIX` added so no job of that name pairs with
them): the only name the code gives the stream. Pure: bytes in, `FileFacts` out.
"""

from __future__ import annotations

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, decode
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

MECHANISM = "turbo-streams"
STREAM_SUFFIX = " stream"
MAX_SITES = 200  # subscriptions read from one template
_TEMPLATES = (".html.erb", ".turbo_stream.erb", ".html.haml", ".html.slim")
# A plain variable as the first argument: `turbo_stream_from @x` / `(x)`; a constant or a
# call (`Thing.model_name.plural`) names a stream no record variable pairs with.
SUBSCRIBE = lazy(r"turbo_stream_from[ \t]*+\(?[ \t]*+(@?[a-z_]\w{0,100}+)(?![\w.(\[:])")


def stream_name(variable: str) -> str:
    return variable.lstrip("@") + STREAM_SUFFIX


def is_template(path: str) -> bool:
    return path.endswith(_TEMPLATES)


def template_sites(data: bytes) -> FileFacts:
    if b"turbo_stream_from" not in data:
        return FileFacts(language="other")
    text = decode(data)
    out: list[HandoffSite] = []
    line, seen = 1, 0  # lines counted once, up to each match in turn
    for m in SUBSCRIBE.finditer(text):
        line, seen = line + text.count("\n", seen, m.start()), m.start()
        out.append(HandoffSite("consume", MECHANISM, stream_name(m.group(1)), line))
        if len(out) >= MAX_SITES:
            break
    return FileFacts(language="other", handoffs=tuple(sorted(set(out))))


TEMPLATE_EXTRACTOR = FileExtractor(
    "template_streams",
    1,
    is_template,
    template_sites,
    claims(extensions=("erb", "haml", "slim")),
)
