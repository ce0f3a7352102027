"""The Ruby extractor on hand-written files."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.analysis import ruby
from bot.core.analysis.ruby import RubyExtractor, constant_refs, extract_ruby
from bot.core.analysis.scan import Lines

TRICKY = """\
require 'json'
require_relative "../lib/helper"
require("net/http")
# require 'commented'
x = "#{name} # not a comment"; require 'after_interpolation'
=begin
require 'in_block_comment'
=end
token = ENV['STRIPE_KEY']
url = ENV.fetch("DATABASE_URL", nil)
"""


def test_requires_with_lines_and_comments_ignored() -> None:
    got = [(r.spec, r.line, r.kind) for r in extract_ruby(TRICKY).imports]
    assert got == [
        ("../lib/helper", 2, "require_relative"),
        ("after_interpolation", 5, "require"),
        ("json", 1, "require"),
        ("net/http", 3, "require"),
    ]


def test_a_require_whose_path_is_on_the_next_line_cites_the_path() -> None:
    text = 'require(\n  "billing/ledger"\n)\nautoload :Courier,\n  "billing/courier"\n'
    got = [(r.spec, r.line) for r in extract_ruby(text).imports]
    assert got == [("billing/courier", 5), ("billing/ledger", 2)]


def test_env_reads() -> None:
    assert [(e.name, e.line) for e in extract_ruby(TRICKY).env] == [
        ("DATABASE_URL", 10),
        ("STRIPE_KEY", 9),
    ]


def test_routes_controllers_and_jobs() -> None:
    routes = (
        "Rails.application.routes.draw do\n"
        "  resources :orders\n"
        "  post '/webhooks/stripe', to: 'hooks#stripe'\n"
        "  get 'health', to: 'health#show'\n"
        "end\n"
    )
    found = {(s.kind, s.name, s.line, s.detail) for s in extract_ruby(routes).signals}
    assert found == {
        ("entrypoint.http", "Rails routes", 1, ""),
        ("entrypoint.http", "resources", 2, "orders"),
        ("entrypoint.webhook", "route", 3, "/webhooks/stripe"),
        ("entrypoint.http", "route", 4, "health"),
    }
    controller = "class OrdersController < ApplicationController\nend\n"
    assert [s.name for s in extract_ruby(controller).signals] == ["Rails controller"]
    job = "class SyncJob\n  include Sidekiq::Job\n  sidekiq_options retry: 5\nend\n"
    assert {(s.kind, s.line) for s in extract_ruby(job).signals} == {
        ("entrypoint.worker", 2),
        ("resilience.retry", 3),
    }


def test_route_words_outside_a_routes_file_are_not_routes() -> None:
    assert extract_ruby("get 'x'\n").signals == ()


def test_extractor_matches_ruby_sources_and_rakefiles() -> None:
    extractor = RubyExtractor()
    assert extractor.matches("app/models/user.rb")
    assert extractor.matches("lib/tasks/db.rake")
    assert extractor.matches("config.ru")
    assert not extractor.matches("Gemfile.lock")


def test_constant_references_are_recorded_once_and_strings_ignored() -> None:
    text = (
        "class OrdersController < ApplicationController\n"
        "  LIMIT = 5\n"
        "  def create\n"
        '    inv = Billing::Invoice.new(note: "Hello World")\n'
        "    ::Payments::StripeGateway.charge(inv) # Commented::Thing\n"
        "    Billing::Invoice.find(1); JSON.parse(x); @Foo = 1\n"
        "  end\n"
        "end\n"
    )
    facts = extract_ruby(text)
    assert all(r.kind != "constant" for r in facts.imports)
    constants = sorted((r.spec, r.line) for r in constant_refs(facts))
    assert constants == [
        ("ApplicationController", 1),
        ("Billing::Invoice", 4),
        ("OrdersController", 1),
        ("Payments::StripeGateway", 5),
    ]


# The reference reading of constant references: one regex with its look-behind.
_CONSTANT = re.compile(r"(?<![\w:@$])(?:::)?((?:[A-Z][a-z0-9]\w*)(?:::[A-Z][a-z0-9]\w*)*)")


def _constants_by_look_behind(code: str) -> list[tuple[str, str]]:
    seen: dict[str, int] = {}
    for m in _CONSTANT.finditer(code):
        if m.group(1) not in seen:
            seen[m.group(1)] = m.start(1)
            if len(seen) >= ruby.MAX_CONSTANTS:
                break
    lines = Lines(code)
    return [(ruby.CONSTANT_META, f"{lines.at(at)}:{name}") for name, at in seen.items()]


RUBY_PIECES = ["Foo", "Ba", "B", "::", ":", "@", "$", "a", "_", "1", " ", "\n", "É", "é", "(", "."]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(RUBY_PIECES), max_size=30).map("".join))
def test_constant_names_checked_after_matching_are_those_the_look_behind_finds(
    code: str,
) -> None:
    assert ruby._constants(code, Lines(code)) == _constants_by_look_behind(code)
