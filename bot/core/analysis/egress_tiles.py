"""Map tile servers a page's map loads from: a tile URL template written in code.

A string literal holding a URL whose path has the XYZ placeholders (`{z}`, `{x}` and `{y}`:
`"https://{s}.tile.example.org/{z}/{x}/{y}.png"`) or a style's glyph placeholders
(`{fontstack}` and `{range}`) is a template that only a map library fills in: Leaflet,
OpenLayers, MapLibre, Mapbox GL, deck.gl and folium all take it as written, from a call or
from a table of layers the page picks from. The browser then fetches the tiles from that
host, so the host is where the map's requests go wherever the template is handed over.
A leading subdomain placeholder (`{s}.`, `{a-c}.`) is the host's load-balancing prefix and
not part of its name. Comment lines, loopback and numeric hosts are not.

A bounded byte scan, gated on the placeholder: at most `MAX_HOSTS` hosts per file, each
template read in `MAX_TEMPLATE` bytes. Each host is an `http` call with client
``map-tiles`` and origin ``literal``, which `egress_services` names by its host.
"""

from __future__ import annotations

from bot.core.analysis.scan import line_at
from bot.core.lazy_pattern import lazy
from bot.core.model import OutboundCall

CLIENT = "map-tiles"
MAX_HOSTS = 20
MAX_TEMPLATE = 300  # bytes of a template after its host
MAX_LITERALS = 2_000  # URL literals looked at in one file
# A quoted URL (scheme or protocol-relative), an optional subdomain placeholder, the host,
# then the rest of the literal (no quote, no space).
_URL = lazy(
    rb"""["'`](?:https?:)?//(?:\{[a-z0-9,:-]{1,20}+\}\.)?"""
    rb"([A-Za-z0-9-]{1,63}+(?:\.[A-Za-z0-9-]{1,63}+){1,8}+)([^\"'`\s]{0,300}+)"
)
# Each set of placeholders a template fills: tiles, or a style's glyphs.
_TEMPLATES = ((b"{z}", b"{x}", b"{y}"), (b"{fontstack}", b"{range}"))
_COMMENTS = (b"//", b"#", b"*", b"/*", b"<!--")


def tile_calls(data: bytes) -> tuple[OutboundCall, ...]:
    if (b"{z}" not in data and b"{fontstack}" not in data) or b"//" not in data:
        return ()
    out: list[OutboundCall] = []
    seen: set[str] = set()
    for n, m in enumerate(_URL.finditer(data)):
        if n >= MAX_LITERALS or len(out) >= MAX_HOSTS:
            break
        rest = m.group(2)
        if not any(all(p in rest for p in marks) for marks in _TEMPLATES):
            continue
        host = m.group(1).decode("ascii").lower()
        if host in seen or _local(host) or _commented(data, m.start()):
            continue
        seen.add(host)
        out.append(OutboundCall("http", line_at(data, m.start()), CLIENT, host, origin="literal"))
    return tuple(out)


def _commented(data: bytes, at: int) -> bool:
    start = data.rfind(b"\n", 0, at) + 1
    return data[start:at].lstrip().startswith(_COMMENTS)


def _local(host: str) -> bool:
    return host.startswith(("localhost", "127.")) or host.replace(".", "").isdigit()


__all__ = ["CLIENT", "tile_calls"]
