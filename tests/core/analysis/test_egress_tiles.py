"""Map tile servers a page's map loads from (`egress_tiles`)."""

from __future__ import annotations

import time

from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.egress_tiles import tile_calls

LAYERS_JS = b"""\
export const layers = {
  streets: { url: "https://{s}.tiles.example-carto.org/base/{z}/{x}/{y}.png", maxZoom: 19 },
  topo: { url: 'https://topo.example-relief.net/{z}/{y}/{x}', maxZoom: 17 },
  // old: { url: "https://retired.example-tiles.com/{z}/{x}/{y}.png" },
  local: { url: "http://localhost:8080/{z}/{x}/{y}.png" },
}
const VECTOR = `https://vec.example-planet.io/planet/{z}/{x}/{y}.mvt`
const glyphs = "https://fonts.example-glyphs.dev/fonts/{fontstack}/{range}.pbf"
const api = "https://api.example-photos.com/assets/{id}/thumb"
const docs = "https://docs.example-help.com/zoom/{z}"
"""


def _hosts(data: bytes) -> dict[str, int]:
    return {c.host: c.line for c in tile_calls(data)}


def test_tile_and_glyph_templates_name_the_hosts_a_map_loads_from() -> None:
    # A comment, loopback, a URL with other placeholders and one with `{z}` only are not.
    assert _hosts(LAYERS_JS) == {
        "tiles.example-carto.org": 2,
        "topo.example-relief.net": 3,
        "vec.example-planet.io": 7,
        "fonts.example-glyphs.dev": 8,
    }
    call = tile_calls(LAYERS_JS)[0]
    assert (call.kind, call.client, call.origin) == ("http", "map-tiles", "literal")


def test_a_template_a_tile_layer_call_sends_is_that_one_call() -> None:
    src = b'const layer = L.tileLayer("https://one.example-osm.org/{z}/{x}/{y}.png")\n'
    found = [(c.line, c.host) for c in outbound_calls("javascript", src)[0]]
    assert found == [(1, "one.example-osm.org")]


def test_other_languages_templates_count_too() -> None:
    py = b'folium.TileLayer(tiles="https://py.example-tiles.org/{z}/{x}/{y}.png", attr="x")\n'
    assert _hosts(py) == {"py.example-tiles.org": 1}


def test_hostile_templates_are_bounded() -> None:
    start = time.process_time()
    tile_calls(b'"https://' + b"a." * 500_000 + b'/{z}/{x}/{y}"\n')
    tile_calls(b'"//x.io/' + b"{z}" * 500_000 + b'"\n')
    tile_calls(b"'https://t.example.org/{z}/{x}/{y}.png'\n" * 100_000)
    tile_calls(b"{z}" + b'"//' * 500_000)
    tile_calls(bytes(range(256)) * 4_000 + b"{z}")
    assert time.process_time() - start < 5
