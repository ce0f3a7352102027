"""Page snippets kept in YAML string values: the hosts their elements and scripts load
from; a snippet loading from a configured URL is named by its plugin folder, and names
nothing elsewhere; commented tags and a YAML file without a script name nothing."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_snippets import snippet_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def names(files: dict[str, bytes]) -> dict[str, tuple[tuple[str, int | None], ...]]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    return {s.name: tuple((e.path, e.line) for e in s.evidence) for s in facts.integrations}


REPO = {
    "srv/tags.js": (
        b"const path = require('path')\n"
        b"module.exports = (key) => fs.readFile(path.join(ROOT, 'addons/trackers', key,"
        b" 'snippet.yml'))\n"
    ),
    "srv/addons/trackers/peekly/snippet.yml": (
        b"head: |\n"
        b'  <script async src="https://cdn.peekly-stats.net/p.js?id={{siteId}}"></script>\n'
        b'  <noscript><img src="https://px.peekly-stats.net/{{siteId}}" alt=""></noscript>\n'
    ),
    "srv/addons/trackers/countwise/snippet.yml": (
        b"head: |\n"
        b"  <script>\n"
        b"    var u = '{{serverUrl}}';\n"
        b"    var g = document.createElement('script'); g.src = u + 'cw.js';\n"
        b"  </script>\n"
    ),
    "srv/addons/trackers/chatter/snippet.yml": (
        b"body: |\n  <script src='https://{{account}}.chatter-widgets.io/embed.js'></script>\n"
    ),
    # look-alikes: a snippet in no plugin folder loading from a configured URL; a commented
    # tag; a YAML file with a URL and no script
    "views/partials/chat.yml": (
        b'widget: "<script defer src=\\"https://app.talkbubble.io/w.js\\"></script>"\n'
    ),
    "config/banner.yml": b'html: |\n  <script src="{{bannerUrl}}/b.js"></script>\n',
    "config/old.yml": b'# <script src="https://gone.oldtracker.com/t.js"></script>\nx: 1\n',
    "config/links.yml": b"docs: https://docs.handbook-site.org/start\n",
}


def test_elements_in_a_snippet_name_the_hosts_they_load_from() -> None:
    found = names(REPO)
    assert found["app.talkbubble.io"] == (("views/partials/chat.yml", 1),)
    # in a plugin family's member folder, the folder names the service (its hosts kept)
    assert found["Peekly"][0] == ("srv/addons/trackers/peekly/snippet.yml", 2)
    calls = snippet_calls(REPO["srv/addons/trackers/peekly/snippet.yml"])
    assert [(c.host, c.line) for c in calls] == [
        ("cdn.peekly-stats.net", 2), ("px.peekly-stats.net", 3)
    ]  # fmt: skip


def test_a_snippet_loading_from_a_configured_url_is_named_by_its_folder() -> None:
    found = names(REPO)
    assert found["Countwise"] == (("srv/addons/trackers/countwise/snippet.yml", 2),)


def test_a_template_slot_leading_the_host_names_the_domain_it_is_under() -> None:
    calls = snippet_calls(REPO["srv/addons/trackers/chatter/snippet.yml"])
    assert [c.host for c in calls] == ["chatter-widgets.io"]


def test_commented_tags_and_plain_urls_name_nothing() -> None:
    found = names(REPO)
    assert not any("oldtracker" in n or "handbook" in n or "anner" in n for n in found)
    assert snippet_calls(REPO["config/links.yml"]) == ()


def test_hostile_snippets_are_quick() -> None:
    texts = [
        b"<script" + b" src=" * 100_000,
        b"<script src='https://" + b"a." * 200_000,
        b"<img " * 200_000,
        b"<script>" + b"{{" * 200_000 + b"x",
        b'<script src="https://{{' + b"x" * 400_000 + b'}}.a.b/"',
        (b'<script src="https://a.b/c"></script>\n' * 100_000),
    ]
    start = time.process_time()
    for data in texts:
        snippet_calls(data)
    assert time.process_time() - start < 3.0
