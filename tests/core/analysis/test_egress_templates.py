"""Scripts and stylesheets a page template loads from another host (`egress_templates`)."""

from __future__ import annotations

import time

from bot.core.analysis.egress_templates import (
    is_page_template,
    template_meta,
    template_script_calls,
)

HTML = b"""\
<html><head>
  <script src="https://widgets.example-chat.io/v2/loader.js" async></script>
  <!-- <script src="https://old-tracker.example.net/t.js"></script> -->
  <!--
  <script src="https://also-old.example.net/t.js"></script>
  -->
  <script src="{{ cdn_base }}/app.js"></script>
  <script src="http://localhost:35729/livereload.js"></script>
  <img src="https://pixel.example-ads.com/p.gif">
  <%= javascript_include_tag "https://helper.example.org/x.js" %>
  <p>Write &lt;script src="https://quoted.example.org/x.js"&gt; in your page.</p>
</head></html>
"""

SLIM = b"""\
head
  / script src="//commented.example.net/kit.js"
  script src="//fonts.example-kit.net/abc123.js"
  <script src="//inline-html.example-kit.net/k.js"></script>
  script src="//#{asset_host}/dynamic.js"
"""

HAML = b"""\
%head
  -# %script{src: "https://commented.example.net/a.js"}
  %script{src: "https://maps.example-geo.com/api.js?key=x"}
  %script(src="https://charts.example-viz.org/c.js")
"""


def _hosts(data: bytes) -> dict[str, int]:
    return {c.host: c.line for c in template_script_calls(data)}


def test_html_scripts_from_other_hosts_are_calls() -> None:
    # Rails' helper given an absolute URL renders the same `<script src>` element.
    assert _hosts(HTML) == {"widgets.example-chat.io": 2, "helper.example.org": 10}


STYLES = b"""\
<head>
  <link rel="stylesheet" href="https://styles.example-cdn.net/lib@1/lib.css" crossorigin="" />
  <link href="//late-rel.example-cdn.org/x.css" media="all" rel='stylesheet'>
  <link rel="preconnect" href="https://fonts.example-preconnect.com">
  <link rel="icon" href="https://icons.example-favicon.com/f.ico">
  <link rel="stylesheet" href="/assets/local.css">
  <!-- <link rel="stylesheet" href="https://commented.example.net/a.css"> -->
  <%= stylesheet_link_tag "https://sheet-helper.example.io/s.css", media: "all" %>
  <%= stylesheet_link_tag "application", "data-turbo-track": "reload" %>
  <%= link_to "Docs", "https://docs.example-help.com/guide" %>
</head>
"""


def test_stylesheet_links_from_other_hosts_are_calls() -> None:
    # A preconnect hint, a favicon, a local sheet, a comment and a plain link load no
    # stylesheet from another host.
    assert _hosts(STYLES) == {
        "styles.example-cdn.net": 2,
        "late-rel.example-cdn.org": 3,
        "sheet-helper.example.io": 8,
    }


def test_slim_and_haml_script_tags_are_read() -> None:
    assert _hosts(SLIM) == {"fonts.example-kit.net": 3, "inline-html.example-kit.net": 4}
    assert _hosts(HAML) == {"maps.example-geo.com": 3, "charts.example-viz.org": 4}
    (call,) = template_script_calls(b'<script src="https://a.example.io/x.js"></script>\n')
    assert (call.kind, call.client, call.origin) == ("http", "browser-script", "literal")


def test_only_page_templates_are_read() -> None:
    assert is_page_template("app/views/layouts/_head.html.slim")
    assert is_page_template("templates/base.html")
    assert not is_page_template("node_modules/pkg/index.html")
    assert not is_page_template("app/assets/loader.js")


def test_hostile_templates_are_bounded() -> None:
    start = time.process_time()
    template_script_calls(b"<script" * 500_000)
    template_script_calls(b'<script src="//' + b"a." * 500_000 + b"\n")
    template_script_calls(b"<script src='//x.io/'>\n" * 200_000)
    template_script_calls(b"<!--\n" + b"script src='//x.io/'\n" * 200_000)
    template_script_calls((b" " * 1_000_000 + b"script src=//\n") * 5)
    template_script_calls(b"<link rel=stylesheet " * 200_000 + b"href='//x.io/'>\n")
    template_script_calls(b"<link rel='stylesheet' href='//x.io/a.css'>//\n" * 100_000)
    template_script_calls(b"<%= stylesheet_link_tag '//" + b"a." * 500_000 + b"\n")
    assert time.process_time() - start < 10


def _scripts(files: dict[str, bytes]) -> set[str]:
    from bot.core.analysis import analyze
    from bot.core.facts_cache import MemoryFactsCache
    from bot.core.snapshot import MemorySnapshot
    from bot.local.catalog_file import default_catalog

    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    return {h for s in facts.integrations for h in s.hosts}


LAYOUT = b"""\
{% load static %}
<html><head>
<script src="https://cdn.widgetpark.io/w.js"></script>
</head><body>{% block body %}{% endblock body %}</body></html>
"""


def test_a_layout_no_template_extends_loads_nothing() -> None:
    assert template_meta(LAYOUT) == (("template.layout", "1"),)
    assert _scripts({"web/templates/layout.html": LAYOUT}) == set()
    # the same layout extended by a page is rendered, and its scripts are claimed
    page = b'{% extends "layout.html" %}{% block body %}hi{% endblock %}\n'
    used = {"web/templates/layout.html": LAYOUT, "web/templates/home.html": page}
    assert _scripts(used) == {"cdn.widgetpark.io"}


def test_a_layout_named_by_another_folder_or_by_a_value_stays() -> None:
    # `shop/layout.html` names another layout than `layout.html`; a built name may be any
    other = b'{% extends "shop/layout.html" %}\n'
    assert (
        _scripts({"t/layout.html": LAYOUT, "t/p.html": other, "t/shop/layout.html": b"x"}) == set()
    )
    built = b"{% extends parent_template %}\n"
    assert _scripts({"t/layout.html": LAYOUT, "t/p.html": built}) == {"cdn.widgetpark.io"}
    # look-alikes: a page with content in its blocks, a page that extends, is no layout
    full = b"<script src='https://a.pagecdn.io/x.js'></script>{% block b %}<p>x</p>{% endblock %}"
    assert template_meta(full) == ()
    child = b'{% extends "base.html" %}{% block b %}{% endblock %}'
    assert template_meta(child) == (("template.names", "base.html"),)
    assert _scripts({"t/full.html": full}) == {"a.pagecdn.io"}


def test_template_meta_stays_bounded_on_hostile_input() -> None:
    start = time.process_time()
    template_meta(b"{% extends '" * 300_000)
    template_meta(b"{% block a %}" + b" " * 1_000_000 + b"{% endblock %}")
    template_meta(b'{%- include "' + b"a" * 1_000_000)
    template_meta(b"{% block " + b"x" * 1_000_000)
    assert len(template_meta(b"{% include 'a%d.html' %}\n" * 10_000)) <= 51
    assert time.process_time() - start < 2
