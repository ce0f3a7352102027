"""Ruby egress shapes: URLs a method of the file returns, client factories a mixin defines,
dynamic verbs, and folders of plugin classes on one base (`egress_registry`). Neutral,
invented apps; each rule has a look-alike that must not match."""

from __future__ import annotations

import time

from bot.core.analysis.egress import outbound_calls
from bot.core.model import RepoFacts, Service
from bot.local.catalog_file import default_catalog
from tests.core.analysis import idiom_apps

CATALOG = default_catalog()


def facts_of(files: dict[str, str]) -> RepoFacts:
    snapshot = idiom_apps.MemorySnapshot({p: t.encode() for p, t in files.items()})
    return idiom_apps.analyze(snapshot, idiom_apps.MemoryFactsCache(), CATALOG)


# A mixin that memoises an HTTP client behind a method.
FETCHING = (
    "module Fetching\n  def http\n    @http ||= Faraday.new(request: { timeout: 5 }) { |b|\n"
    "      b.adapter Faraday.default_adapter\n    }\n  end\nend\n"
)


def _named(facts: RepoFacts, name: str) -> Service | None:
    return next((s for s in facts.integrations if s.name == name), None)


def _member(word: str, klass: str, body: str) -> str:
    return (
        f"module Gadgets\n  class {klass} < Gadget\n    include Fetching\n\n"
        f"    def check\n{body}\n    end\n  end\nend\n"
    )


def _registry(extra: dict[str, str]) -> dict[str, str]:
    files = {"app/concerns/fetching.rb": FETCHING, "app/models/gadget.rb": "class Gadget\nend\n"}
    for word in ("alpha", "beta", "gamma", "delta"):
        klass = word.capitalize() + "Gadget"
        files[f"app/models/gadgets/{word}_gadget.rb"] = _member(word, klass, "      1")
    files.update(extra)
    return files


def test_a_url_returned_by_a_method_of_the_file_gives_its_host() -> None:
    src = (
        b"class Beacon\n  def ping(q)\n    HTTParty.get(lookup_url(q))\n  end\n\n"
        b"  def poll\n    Typhoeus::Request.new(feed_url).run\n  end\n\n"
        b"  def lookup_url(q)\n    'https://api.lookup-svc.io/v2?q=' + q\n  end\n\n"
        b'  def feed_url\n    "https://feeds.relay-svc.net/x?#{stamp}"\n  end\nend\n'
    )
    calls, _, _ = outbound_calls("ruby", src)
    assert {(c.line, c.host) for c in calls} >= {
        (3, "api.lookup-svc.io"),
        (7, "feeds.relay-svc.net"),
    }


def test_a_method_returning_no_url_gives_no_host() -> None:
    src = (
        b"class Beacon\n  def ping\n    HTTParty.get(target)\n  end\n\n"
        b"  def target\n    settings.fetch('target')\n  end\nend\n"
    )
    calls, _, _ = outbound_calls("ruby", src)
    assert [c.host for c in calls] == [""]


def test_a_dynamic_verb_and_multipart_client_are_requests() -> None:
    src = (
        b"class Pusher\n  BASE = 'https://api.push-svc.io/v1/'\n"
        b"  def call(verb, path)\n    HTTParty.send(verb, BASE + path, body: {})\n  end\n"
        b"  def upload\n    HTTMultiParty.post('https://files.push-svc.io/up', body: {})\n"
        b"  end\nend\n"
    )
    calls, _, _ = outbound_calls("ruby", src)
    found = {(c.line, c.host) for c in calls}
    assert found == {(4, "api.push-svc.io"), (7, "files.push-svc.io")}


def test_a_send_of_something_else_is_no_request() -> None:
    src = (
        b"class Pusher\n  def call\n"
        b"    HTTParty.send(:include, 'https://x.push-svc.io/')\n  end\nend\n"
    )
    calls, _, _ = outbound_calls("ruby", src)
    assert not [c for c in calls if c.kind == "http"]


def test_a_client_factory_of_a_mixin_sends_from_every_including_file() -> None:
    files = {
        "app/concerns/fetching.rb": FETCHING,
        "app/lib/charts.rb": "class Charts\n  include Fetching\n"
        "  def draw(spec)\n    http.post('https://render.chart-svc.io/v1', spec)\n  end\nend\n",
    }
    service = _named(facts_of(files), "render.chart-svc.io")
    assert service is not None
    assert [(e.path, e.line) for e in service.evidence] == [("app/lib/charts.rb", 4)]


def test_a_bare_get_without_any_factory_is_no_request() -> None:
    files = {
        "app/concerns/caching.rb": (
            "module Caching\n  def store\n    @store ||= Hash.new\n  end\nend\n"
        ),
        "app/lib/charts.rb": "class Charts\n  include Caching\n"
        "  def draw\n    store.get('https://render.chart-svc.io/v1')\n  end\nend\n",
    }
    assert _named(facts_of(files), "render.chart-svc.io") is None


def test_a_registry_member_is_named_for_its_word_or_its_class() -> None:
    files = _registry(
        {
            "app/models/gadgets/page_gadget.rb": _member(
                "page", "PageGadget", "      http.get(interpolated['url'])"
            ),
            "app/models/gadgets/telegram_gadget.rb": _member(
                "telegram", "TelegramGadget", "      http.get(interpolated['endpoint'])"
            ),
        }
    )
    facts = facts_of(files)
    page = _named(facts, "Page Gadget")
    assert page is not None
    assert page.evidence[0].path == "app/models/gadgets/page_gadget.rb"
    assert _named(facts, "Telegram") is not None  # the catalog's service of that word


def test_four_members_are_no_registry() -> None:
    files = _registry({})
    files.pop("app/models/gadgets/delta_gadget.rb")
    files["app/models/gadgets/page_gadget.rb"] = _member(
        "page", "PageGadget", "      http.get(interpolated['url'])"
    )
    facts = facts_of(files)
    assert _named(facts, "Page Gadget") is None
    assert _named(facts, "Page") is None


def test_a_rails_layer_is_no_registry() -> None:
    files = {"app/concerns/fetching.rb": FETCHING}
    for word in ("alpha", "beta", "gamma", "delta", "page"):
        klass = word.capitalize() + "Controller"
        body = "      http.get(params[:url])" if word == "page" else "      1"
        files[f"app/controllers/{word}_controller.rb"] = (
            f"class {klass} < ApplicationController\n  include Fetching\n"
            f"  def show\n{body}\n  end\nend\n"
        )
    facts = facts_of(files)
    assert _named(facts, "Page Controller") is None
    assert _named(facts, "Page") is None


def test_a_base_named_for_a_layer_is_no_registry() -> None:
    files = {"app/concerns/fetching.rb": FETCHING}
    for word in ("alpha", "beta", "gamma", "delta", "page"):
        body = "      http.get(params[:url])" if word == "page" else "      1"
        files[f"app/services/{word}_service.rb"] = (
            f"class {word.capitalize()}Service < Service\n  include Fetching\n"
            f"  def call\n{body}\n  end\nend\n"
        )
    facts = facts_of(files)
    assert _named(facts, "Page Service") is None
    assert _named(facts, "Page") is None


def test_ruby_egress_scans_are_bounded_on_hostile_input() -> None:
    from bot.core.analysis.extractors import extract_one, extractor_for

    extractor = extractor_for("app/models/a.rb")
    assert extractor is not None

    texts = [
        "class A < " + "B::" * 50_000 + "\n",
        "class " + "A::" * 50_000 + " < B\n",
        "x" + ".get(" * 60_000 + "\n",
        "def f\n" + "  http.run_request(" * 20_000 + "\nend\n",
        "def u\n  " + "u(" * 30_000 + "\nend\nHTTParty.get(u)\n",
    ]
    for text in texts:
        start = time.process_time()
        extract_one(extractor, "app/models/a.rb", text.encode())
        assert time.process_time() - start < 2.0
