"""HTML a Go program keeps in its strings (a page body it serves): the hosts its tags make
the browser load from (`egress_snippets.markup_calls`)."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_snippets import markup_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

PAGE = b"""package site

// <iframe src="https://commented.feedly-ish.net/x"></iframe>
func welcome() string {
\treturn `## Hello

<a href="https://linked.docsfarm.org/about">about</a>
<div>
\t<iframe width="560" src="https://clips.vidwell.io/embed/42" allowfullscreen></iframe>
</div>`
}
"""


def test_an_iframe_in_a_go_string_loads_from_its_host() -> None:
    got = {(c.host, c.line) for c in markup_calls(PAGE)}
    assert got == {("clips.vidwell.io", 9)}  # not the link, not the comment


def test_the_host_is_an_integration_of_the_repository() -> None:
    files = {"go.mod": b"module example.com/site\n\ngo 1.22\n", "site.go": PAGE}
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    hosts = {h for i in facts.integrations for h in i.hosts}
    assert "clips.vidwell.io" in hosts
    assert not {"linked.docsfarm.org", "commented.feedly-ish.net"} & hosts


def test_markup_scan_stays_fast_on_hostile_files() -> None:
    texts = [
        b"<iframe " * 100_000,
        b"<img src=" + b"x" * 500_000,
        b'<script src="https://' + b"a." * 200_000 + b'"',
        b"//" + b"<iframe src=https://h.example.com " * 20_000,
    ]
    started = time.monotonic()
    for data in texts:
        markup_calls(data)
    assert time.monotonic() - started < 5
