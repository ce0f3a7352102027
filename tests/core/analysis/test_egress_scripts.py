"""Scripts and pixels a page makes the browser load from another host: a `<script>` element
given its `src`, or a loader named for what it loads; look-alikes name nothing."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_scripts import script_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def hosts(files: dict[str, bytes]) -> dict[str, tuple[tuple[str, int | None], ...]]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    return {s.name: tuple((e.path, e.line) for e in s.evidence) for s in facts.integrations}


PAGE = {
    "web/widgets.js": (
        b"export function addChat(id) {\n"
        b"  const s = document.createElement('script')\n"
        b"  s.async = true\n"
        b"  s.src = 'https://cdn.chatbubble-widgets.net/loader.js'\n"
        b"  document.head.appendChild(s)\n"
        b"  const t = document.createElement('script')\n"
        b"  t.setAttribute('src', `https://embed.surveyowl.io/w/${id}`)\n"
        b"  // s.src = 'https://old.commented.io/x.js'\n"
        b"}\n"
    ),
    "web/tracking.ts": (
        b"import Utils from './utils'\n"
        b"export const start = () => {\n"
        b"  Utils.loadScriptPromise('https://static.clickcount.co/c.js')\n"
        b"  Utils.appendImage(\n"
        b"    `https://px.adpixel.com/t.gif?v=${1}`,\n"
        b"  )\n"
        b"}\n"
    ),
    # look-alikes: an image shown on a page, a link, a host built from a value, a src in a
    # file that makes no script element
    "web/gallery.tsx": (
        b"export const Logo = () => <img src='https://images.photohost.io/logo.png' />\n"
        b"const a = new URL('https://docs.readthe.io/x')\n"
        b"const pic = document.getElementById('p')\n"
        b"pic.src = 'https://images.photohost.io/other.png'\n"
    ),
    "web/dyn.js": (
        b"const s = document.createElement('script')\n"
        b"s.src = `https://${region}.cdnfarm.org/sdk.js`\n"
    ),
}


def test_script_elements_and_loaders_name_the_host_they_load_from() -> None:
    found = hosts(PAGE)
    assert found["cdn.chatbubble-widgets.net"] == (("web/widgets.js", 4),)
    assert found["embed.surveyowl.io"] == (("web/widgets.js", 7),)
    assert found["static.clickcount.co"] == (("web/tracking.ts", 3),)
    assert found["px.adpixel.com"] == (("web/tracking.ts", 5),)


def test_images_links_built_hosts_and_comments_name_nothing() -> None:
    found = hosts(PAGE)
    assert not {"images.photohost.io", "docs.readthe.io", "old.commented.io"} & set(found)
    assert not any("cdnfarm.org" in name for name in found)


def test_hostile_input_is_quick() -> None:
    texts = [
        b"document.createElement('script')\n" + b"x.src = 'https://" * 40_000,
        b"loadScript(" * 50_000 + b"'https://a.b/c'",
        b'createElement("script")' + b"a" * 500_000 + b"://" + b"b." * 100_000,
        b"appendImage(\n" + b" " * 200_000 + b"'https://" + b"x" * 300_000,
    ]
    start = time.process_time()
    for data in texts:
        script_calls(data)
    assert time.process_time() - start < 3.0


def test_a_src_built_on_a_base_with_a_written_default_loads_from_that_host() -> None:
    data = (
        b"module.exports = (opts) => {\n"
        b"  const server = opts.server || 'https://charts.drawbox.io'\n"
        b"  const docs = opts.docs || 'https://docs.drawbox.io'\n"
        b"  const mirror = opts.mirror\n"
        b"  token.attrs = [['src', `${server}/svg/${code}`]]\n"
        b"  link.attrs = [['href', `${docs}/help`]]\n"
        b"  img.setAttribute('src', `${mirror}/x.png`)\n"
        b"  // img.setAttribute('src', `${old}/y.png`)\n"
        b"  const old = 'https://retired.drawbox.io'\n"
        b"}\n"
    )
    assert [(c.host, c.line) for c in script_calls(data)] == [("charts.drawbox.io", 2)]


def test_hostile_built_sources_are_quick() -> None:
    texts = [
        b"'src', `${a}/" * 50_000 + b"a = b || 'https://" + b"x" * 200_000,
        b"'src', `${srv}/x`\n" + b"srv = " * 100_000 + b"|| 'https://a.b/'",
        b"'src', `${srv}/x`\n" + (b"srv =" + b" " * 300 + b"\n") * 20_000,
    ]
    start = time.process_time()
    for data in texts:
        script_calls(data)
    assert time.process_time() - start < 3.0


def test_an_element_set_to_load_asynchronously_before_its_src_is_a_script() -> None:
    # a vendor's loader snippet names its tag through a parameter (`createElement(r)`)
    snippet = (
        b"export const tag = (key) => `(function(w,d,n,r){\n"
        b'  t=d.createElement(r);t.async=1;t.src="https://tag.heatlens.io/t/"+key;\n'
        b"})(window, document, 'heat', 'script')`\n"
    )
    # look-alike: an image whose `src` is set, nothing asynchronous about it
    picture = b"const p = new Image()\np.decoding = 'async'\np.src = 'https://pics.example-cdn.io/a.png'\n"
    assert [c.host for c in script_calls(snippet)] == ["tag.heatlens.io"]
    assert script_calls(picture) == ()
    assert script_calls(b"x.async=0;x.src='https://no.loader.io/x.js'\n") == ()


def test_the_async_snippet_scan_stays_fast_on_hostile_input() -> None:
    start = time.process_time()
    script_calls(b"t.async=1;t.src='https://" * 200_000)
    script_calls(b".async" * 1_000_000 + b"://")
    assert time.process_time() - start < 2
