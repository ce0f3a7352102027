"""The flow-start readers added for issue 18 item 3 (`route_refs_python`, `ruby_starts`,
`js_starts`) on lookalikes that must give no start, and on hostile input (huge lines,
unterminated strings, deep nesting) that must give an answer quickly."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis.javascript import extract_javascript
from bot.core.analysis.python import extract_python
from bot.core.analysis.route_refs_python import python_route_signals
from bot.core.analysis.ruby import extract_ruby
from bot.core.analysis.ruby_starts import ruby_start_signals
from bot.core.analysis.scan import Lines


def entry_lines(signals: object) -> list[tuple[str, int | None]]:
    return [(s.name, s.line) for s in signals if s.kind.startswith("entrypoint.")]  # type: ignore[attr-defined]


def test_python_route_calls_name_their_handler_and_skip_keyword_only_rules() -> None:
    text = (
        "app.add_url_rule('/a', view_func=views.show)\n"
        "app.add_url_rule('/b', endpoint='b')\n"  # no handler named
        "routes = [Route('/c', endpoint=handlers.make), WebSocketRoute('/d', Feed)]\n"
        "app.router.add_post('/e', handlers.create)\n"
        "app.add_route('/f', ItemResource())\n"
        "app.router.add_route('PUT', '/h', handlers.replace)\n"
        "app.add_url_rule('/i', 'i', views.index)\n"
        "requests.get('/g', params)\n"  # a client call, not a route
    )
    got = [(s.name, s.detail) for s in python_route_signals(text, Lines(text))]
    assert got == [
        ("/a", "views.show"),
        ("/c", "handlers.make"),
        ("/d", "Feed"),
        ("POST /e", "handlers.create"),
        ("/f", "ItemResource"),
        ("PUT /h", "handlers.replace"),
        ("/i", "views.index"),
    ]


def test_tornado_rows_count_only_in_tornado_files() -> None:
    rows = "handlers = [(r'/items', ItemHandler), (r'/x', 'not a class')]\n"
    assert python_route_signals(rows, Lines(rows)) == []
    text = "import tornado.web\n" + rows
    assert [(s.name, s.detail) for s in python_route_signals(text, Lines(text))] == [
        ("/items", "ItemHandler")
    ]


def test_ruby_verb_blocks_start_flows_only_in_a_framework_file() -> None:
    plain = "class Fetcher\n  def run\n    get '/x' do |r|\n    end\n  end\nend\n"
    assert ruby_start_signals(plain, Lines(plain), False) == []
    assert entry_lines(extract_ruby("task default: :spec\n").signals) == []  # not a .rake file
    rake = "namespace :db do\n  task seed: :environment do\n  end\nend\n"
    assert entry_lines(extract_ruby(rake, rake=True).signals) == [("Rake task", 2)]


def test_a_graphql_typing_is_no_resolver_map_and_a_query_builder_no_procedure() -> None:
    typings = "export type Resolvers = {\n  Query: {\n    items?: Resolver<Item[]>;\n  };\n};\n"
    assert entry_lines(extract_javascript(typings, "typescript").signals) == []
    builder = "const rows = await db.query(async (tx) => tx.select());\n"
    assert entry_lines(extract_javascript(builder, "typescript").signals) == []
    action = "const x = 'use server';\n"  # a string, not the directive
    assert entry_lines(extract_javascript(action, "typescript").signals) == []


HOSTILE_PY = [
    "import tornado\n" + "(r'/" + "a" * 200_000 + "\n",
    "import tornado\n" + "(r'/x', " * 30_000 + "\n",
    "app.add_url_rule('/x', " + "(" * 50_000 + "\n",
    "Route('/x', " + "view_func=" * 30_000 + "\n",
    "web.post('/x', '" + "\\'" * 50_000 + "\n",
    "@post('" + "x" * 200_000 + "\nimport litestar\n",
]
HOSTILE_RUBY = [
    "require 'sinatra'\n" + "post '/x' " * 30_000 + "\n",
    "class A < Roda\n" + "r.on " * 50_000 + "do\n",
    "Grape::API\n" + "  get '" + "x" * 200_000 + "\n",
    "class X < Y::Action\n" + "def handle(" * 40_000 + "\n",
    "task " + ":" * 100_000 + "\n",
    "def initialize(app" + " " * 100_000 + "\n" + "  def call(env)\n" * 50_000,
    "class A::BController < C::DController\n" + "  def x\n" * 50_000,
    "class " + "A::" * 30_000 + "BController < " + "C::" * 30_000 + "DController\n",
    "perform_later\n" + "config.after_initialize " * 30_000 + "do\n",
]
HOSTILE_JS = [
    "export async function action(" + "(" * 50_000 + "\n",
    "x.route({\n handler: (" + "a, " * 50_000 + "\n",
    "procedure.mutation(async ({ " + "input, " * 40_000 + "\n",
    "Mutation: {\n" + " " * 200_000 + "\n",
    "'use server'" + "\n" * 50_000,
    "'use server\n" + "`" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE_PY, ids=lambda t: t[:16])
def test_hostile_python_route_calls(text: str) -> None:
    start = time.process_time()
    extract_python(text)
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize("text", HOSTILE_RUBY, ids=lambda t: t[:16])
def test_hostile_ruby_starts(text: str) -> None:
    start = time.process_time()
    extract_ruby(text, rake=True)
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize("text", HOSTILE_JS, ids=lambda t: t[:16])
def test_hostile_js_starts(text: str) -> None:
    start = time.process_time()
    extract_javascript(text, "typescript")
    assert time.process_time() - start < 2.0
