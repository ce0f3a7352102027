"""Flows that follow calls (issue 18): the call reader per language, and the walks over
small hand-written apps in each language, analysed for real (parser, resolver, catalog)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.calls import file_calls, python_calls
from bot.core.call_sites import Call
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Flow, RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def chain(flow: Flow) -> list[tuple[str, int | None, str]]:
    return [(h.path, h.line, h.what) for h in (*flow.hops, *flow.sinks[:1])]


def flow_from(facts: RepoFacts, path: str, sink: str) -> Flow:
    return next(f for f in facts.flows if f.hops[0].path == path and sink in f.name)


# --- the call reader ---------------------------------------------------------------------


def test_python_calls_know_the_type_of_parameters_self_and_fields() -> None:
    src = (
        b"from app.tasks import Queue\n"
        b"class Intake:\n"
        b"    storage: Storage\n"
        b"    def take(self, queue: Queue, body) -> None:\n"
        b"        with logs.context(x=1):\n"
        b"            verify(body)\n"
        b"            queue.submit(body)\n"
        b"            self.storage.put(\n"
        b"                body)\n"
        b"            self.helper()\n"
        b"        def later():\n"
        b"            run(body)\n"
    )
    fc = python_calls(src)
    assert fc is not None
    assert [f.qual for f in fc.funcs] == ["Intake.take", "Intake.take.later"]
    assert fc.fields == (("Intake", "storage", "", "Storage"),)
    got = {c.parts: c for c in fc.calls}
    assert got[("logs", "context")].context
    assert got[("verify",)] == Call(6, "Intake.take", ("verify",))
    assert got[("queue", "submit")].head_type == ("", "Queue")
    # The line of the method's own name, where a multi-line call says what it calls.
    assert got[("self", "storage", "put")].line == 8
    assert got[("self", "helper")].head_type == ("", "Intake")
    assert got[("run",)].scope == "Intake.take.later"


def test_the_reader_gives_up_on_what_it_cannot_parse_without_recursing() -> None:
    assert python_calls(b"def broken(:\n") is None
    assert python_calls(b"x = " + b"(" * 100_000 + b")" * 100_000 + b"\n") is None
    assert file_calls("go", b"x" * 500_000) is None  # over MAX_BYTES: not read
    assert file_calls("markdown", b"# hi\n") is None


# --- Python ------------------------------------------------------------------------------

WEB = {
    "Procfile": b"web: gunicorn app.web:app\n",
    "requirements.txt": b"flask\nhuey\nredis\n",
    "app/__init__.py": b"",
    "app/web.py": (
        b"from flask import Flask, request\n"
        b"from app.hooks import verify_signature, parse_event\n"
        b"from app.queue import Queue\n"
        b"app = Flask(__name__)\n"
        b"\n"
        b"@app.post('/hook')\n"
        b"def hook():\n"
        b"    queue: Queue = app.extensions['queue']\n"
        b"    verify_signature(request.data)\n"
        b"    event = parse_event(request.data)\n"
        b"    return accept(queue, event)\n"
        b"\n"
        b"def accept(queue: Queue, event):\n"
        b"    return queue.submit(event)\n"
    ),
    "app/hooks.py": (
        b"import hmac\n\ndef verify_signature(body):\n    return hmac.compare_digest(body, body)\n"
        b"\ndef parse_event(body):\n    return body\n"
    ),
    "app/queue.py": (
        b"from huey import RedisHuey\n"
        b"huey = RedisHuey()\n"
        b"\n"
        b"@huey.task()\n"
        b"def run_job(event):\n"
        b"    return event\n"
        b"\n"
        b"class Queue:\n"
        b"    def submit(self, event):\n"
        b"        return run_job.s(event)\n"
    ),
}


def test_a_webhook_flow_verifies_then_calls_its_way_to_the_enqueue() -> None:
    flow = flow_from(facts_of(WEB), "app/web.py", "run_job")
    assert chain(flow) == [
        ("app/web.py", 6, "webhook entry point (hook)"),
        ("app/web.py", 9, "calls hooks.verify_signature"),
        ("app/web.py", 10, "calls hooks.parse_event"),
        ("app/web.py", 11, "calls accept"),
        ("app/web.py", 14, "calls queue.Queue.submit"),
        ("app/queue.py", 10, "enqueues run_job (huey)"),
    ]


def test_without_a_call_that_resolves_the_flow_follows_imports() -> None:
    files = {
        **WEB,
        "app/web.py": (
            b"from flask import Flask\nfrom app import queue\napp = Flask(__name__)\n"
            b"\n@app.post('/hook')\ndef hook():\n    return getattr(queue, 'x')()\n"
        ),
    }
    flow = flow_from(facts_of(files), "app/web.py", "run_job")
    assert chain(flow)[1] == ("app/web.py", 2, "imports app.queue")


def test_a_module_of_tasks_gives_a_flow_per_task_named_for_it() -> None:
    files = {
        "requirements.txt": b"celery\nrequests\n",
        "app/__init__.py": b"",
        "app/tasks.py": (
            b"from celery import shared_task\n"
            b"from app.models import Document\n"
            b"from app import notify\n"
            b"\n@shared_task\ndef index(pk):\n    Document.objects.get(pk=pk)\n"
            b"\n@shared_task\ndef tell(pk):\n    notify.post(pk)\n"
        ),
        "app/models.py": b"class Document:\n    pass\n",
        "app/notify.py": (
            b"import requests\n\ndef post(pk):\n"
            b"    requests.post('https://hooks.example.com/x', json=pk, timeout=5)\n"
        ),
    }
    facts = facts_of(files)
    names = {f.name for f in facts.flows}
    assert "index (app/tasks.py) → database (ORM)" in names
    assert "tell (app/tasks.py) → hooks.example.com" in names
    tell = next(f for f in facts.flows if f.name.startswith("tell"))
    assert chain(tell) == [
        ("app/tasks.py", 9, "worker entry point (tell)"),
        ("app/tasks.py", 11, "calls notify.post"),
        ("app/notify.py", 4, "sends an HTTP request to hooks.example.com (requests)"),
    ]


# --- Go ----------------------------------------------------------------------------------

GO = {
    "go.mod": b"module example.com/memo\n\ngo 1.22\n",
    "api/service.go": (
        b"package api\n\n"
        b'import "example.com/memo/store"\n\n'
        b"type Service struct {\n\tStore *store.Store\n}\n"
    ),
    "api/memo.go": (
        b"package api\n\n"
        b'import (\n\t"context"\n\n\tpb "example.com/memo/proto"\n'
        b'\t"example.com/memo/store"\n)\n\n'
        b"func (s *Service) CreateMemo(ctx context.Context, request *pb.CreateMemoRequest)"
        b" (*pb.Memo, error) {\n"
        b"\tm, err := s.Store.CreateMemo(ctx, &store.Memo{})\n"
        b"\treturn nil, err\n}\n"
    ),
    "proto/memo.go": b"package proto\n\ntype CreateMemoRequest struct{}\ntype Memo struct{}\n",
    "store/store.go": (
        b"package store\n\n"
        b'import "context"\n\n'
        b"type Memo struct{}\n\n"
        b"type Driver interface {\n"
        b"\tCreateMemo(ctx context.Context, m *Memo) (*Memo, error)\n"
        b"\tListMemos(ctx context.Context) ([]*Memo, error)\n}\n\n"
        b"type Store struct {\n\tdriver Driver\n}\n\n"
        b"func (s *Store) CreateMemo(ctx context.Context, m *Memo) (*Memo, error) {\n"
        b"\treturn s.driver.CreateMemo(ctx, m)\n}\n"
    ),
    "store/db/sqlite/sqlite.go": (
        b"package sqlite\n\n"
        b'import (\n\t"database/sql"\n\n\t_ "modernc.org/sqlite"\n)\n\n'
        b"type DB struct {\n\tdb *sql.DB\n}\n"
    ),
    "store/db/sqlite/memo.go": (
        b"package sqlite\n\n"
        b'import (\n\t"context"\n\n\t"example.com/memo/store"\n)\n\n'
        b"func (d *DB) CreateMemo(ctx context.Context, m *store.Memo) (*store.Memo, error) {\n"
        b'\t_, err := d.db.ExecContext(ctx, "INSERT INTO memo")\n\treturn m, err\n}\n\n'
        b"func (d *DB) ListMemos(ctx context.Context) ([]*store.Memo, error) {\n"
        b"\treturn nil, nil\n}\n"
    ),
}


def test_a_go_handler_reaches_the_database_through_a_field_and_an_interface() -> None:
    facts = facts_of(GO)
    flow = flow_from(facts, "api/memo.go", "SQLite")
    assert flow.rank == "public"
    assert chain(flow) == [
        ("api/memo.go", 10, "http entry point (Service.CreateMemo)"),
        ("api/memo.go", 11, "calls store.Store.CreateMemo"),
        ("store/store.go", 17, "calls sqlite.DB.CreateMemo"),
        # The query on the `*sql.DB` field, named by the package's driver import.
        (
            "store/db/sqlite/memo.go",
            10,
            "queries the SQLite database (database/sql db.ExecContext)",
        ),
    ]


def test_an_interface_with_several_drivers_names_every_store_it_may_reach() -> None:
    # memos: the same `CreateMemo` call reaches MySQL or SQLite by configuration; the flow
    # names the first and says the other, each with the driver's import line.
    mysql = {
        "store/db/mysql/mysql.go": (
            b"package mysql\n\n"
            b'import (\n\t"database/sql"\n\n\t_ "github.com/go-sql-driver/mysql"\n)\n\n'
            b"type DB struct {\n\tdb *sql.DB\n}\n"
        ),
        "store/db/mysql/memo.go": GO["store/db/sqlite/memo.go"].replace(
            b"package sqlite", b"package mysql"
        ),
    }
    facts = facts_of({**GO, **mysql})
    flow = flow_from(facts, "api/memo.go", "MySQL")
    assert flow.name.endswith("→ MySQL (or SQLite)")
    assert [(h.path, h.line, h.what) for h in flow.alternatives] == [
        ("store/db/sqlite/sqlite.go", 6, "uses SQLite")
    ]


# --- Ruby --------------------------------------------------------------------------------

RAILS = {
    "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
    "app/controllers/accounts_controller.rb": (
        b"class AccountsController < ApplicationController\n"
        b"  before_action :set_account\n"
        b"\n"
        b"  def show\n"
        b"  end\n"
        b"\n"
        b"  def sync\n"
        b"    @account.sync_later\n"
        b"    redirect_to @account\n"
        b"  end\n"
        b"end\n"
    ),
    "app/models/concerns/syncable.rb": (
        b"module Syncable\n  def sync_later\n    SyncJob.perform_later(self)\n  end\nend\n"
    ),
    "app/jobs/sync_job.rb": (
        b"class SyncJob < ApplicationJob\n  def perform(account)\n  end\nend\n"
    ),
}


def test_a_rails_action_is_cited_at_its_def_and_reaches_the_job_by_method_name() -> None:
    flow = flow_from(facts_of(RAILS), "app/controllers/accounts_controller.rb", "SyncJob")
    assert chain(flow) == [
        (
            "app/controllers/accounts_controller.rb",
            7,
            "http entry point (AccountsController.sync)",
        ),
        ("app/controllers/accounts_controller.rb", 8, "calls syncable.Syncable.sync_later"),
        ("app/models/concerns/syncable.rb", 3, "enqueues SyncJob (activejob)"),
    ]


# --- TypeScript --------------------------------------------------------------------------

NEST = {
    "package.json": b'{"dependencies": {"@nestjs/core": "10", "@prisma/client": "5"}}\n',
    "src/orders.controller.ts": (
        b"import { Controller, Post } from '@nestjs/common';\n"
        b"import { OrdersService } from './orders.service';\n"
        b"\n"
        b"@Controller('orders')\n"
        b"export class OrdersController {\n"
        b"  public constructor(private readonly orders: OrdersService) {}\n"
        b"\n"
        b"  @Post()\n"
        b"  public async create() {\n"
        b"    return this.orders.create({});\n"
        b"  }\n"
        b"}\n"
    ),
    "src/orders.service.ts": (
        b"import { Injectable } from '@nestjs/common';\n"
        b"import { PrismaService } from './prisma.service';\n"
        b"\n"
        b"@Injectable()\n"
        b"export class OrdersService {\n"
        b"  public constructor(private readonly prismaService: PrismaService) {}\n"
        b"\n"
        b"  public create(data) {\n"
        b"    return this.prismaService.order.create({ data });\n"
        b"  }\n"
        b"}\n"
    ),
    "src/prisma.service.ts": b"export class PrismaService {}\n",
}


def test_a_nest_controller_reaches_prisma_through_injected_services() -> None:
    flow = flow_from(facts_of(NEST), "src/orders.controller.ts", "Prisma")
    assert chain(flow)[1:] == [
        ("src/orders.controller.ts", 10, "calls orders.service.OrdersService.create"),
        ("src/orders.service.ts", 9, "queries the database (Prisma order.create)"),
    ]


def test_a_large_python_file_is_indexed_and_read_a_function_at_a_time_alike() -> None:
    # Past SMALL_PYTHON the file is indexed by lines and its functions parsed one by one;
    # decorators over several lines, brackets closing at a lower indentation, strings over
    # several lines and a continued last statement must not move a function's end.
    from bot.core.analysis.calls import SMALL_PYTHON, python_index

    unit = (
        "@decorate(\n    a=1,\n)\n"
        "def f{i}(x: Queue):\n"
        '    """Doc\nat column zero\n"""\n'
        "    call(x,\n"
        ")\n"
        "    x.submit(1)\n"
        "    return g(1,\n             2)\n"
        "\n"
        "class C{i}:\n    storage: Storage\n\n    def m(self):\n        self.storage.put(1) \\\n"
        "            .then(2)\n"
    )
    text = "".join(unit.format(i=i) for i in range(SMALL_PYTHON // len(unit) + 5)).encode()
    assert len(text) > SMALL_PYTHON
    full, index = python_calls(text), python_index(text)
    assert full is not None
    assert index is not None
    assert index.funcs == tuple(sorted(full.funcs, key=lambda f: f.line))
    assert set(index.fields) <= set(full.fields)
    assert index.fields
    for fn in full.funcs:
        key = lambda c: (c.line, c.parts)  # noqa: E731
        assert sorted(index.calls_in(fn.qual), key=key) == sorted(
            (c for c in full.calls if c.scope == fn.qual), key=key
        ), fn.qual


def test_calls_are_read_once_per_blob() -> None:
    # A warm refresh walks the same files again: their calls come from the memo by blob id,
    # so the App asks GitHub for no blob it already read (a changed file has a new id).
    from bot.core.analysis.calls import memo_file_calls

    reads: list[str] = []

    def read(text: str):  # type: ignore[no-untyped-def]
        def go() -> bytes:
            reads.append(text)
            return text.encode()

        return go

    first = memo_file_calls("b1-memo-test", "python", read("def f():\n    g()\n"))
    again = memo_file_calls("b1-memo-test", "python", read("never read"))
    other = memo_file_calls("b2-memo-test", "python", read("def f():\n    h()\n"))
    assert reads == ["def f():\n    g()\n", "def f():\n    h()\n"]
    assert first is again
    assert first is not None
    assert other is not None
    assert [c.parts for c in other.calls] != [c.parts for c in first.calls]


def test_the_call_reader_gives_up_early_on_garbage_but_reads_real_code() -> None:
    # Its parse budget is tighter than extraction's (no per-file deadline here): Ruby's error
    # recovery on `<!-- ` runs spends ~180 us a progress report; real code reports ~0.01 a byte.
    from bot.core.analysis import treesitter as ts
    from bot.core.analysis.calls import PARSE_FLOOR, PARSE_PER_BYTE

    garbage = b"<!-- " * 8_000
    assert ts.parse("ruby", garbage, PARSE_PER_BYTE, PARSE_FLOOR) is None
    real = b"class Sync\n  def perform(account)\n    Api.post(account.url, body)\n  end\nend\n"
    assert ts.parse("ruby", real * 800, PARSE_PER_BYTE, PARSE_FLOOR) is not None


def _flows_of(files: dict[str, bytes]) -> tuple[Flow, ...]:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog()).flows


def test_sqlalchemy_sessions_are_where_data_lands() -> None:
    flask = {
        "requirements.txt": b"flask\nflask-sqlalchemy\npsycopg2\n",
        "app/__init__.py": b"from flask import Flask\napp = Flask(__name__)\n",
        "app/models.py": b"from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
        "app/routes.py": (
            b"from app import app\n"
            b"from app.models import db, Post\n\n"
            b"@app.route('/posts', methods=['POST'])\n"
            b"def create_post():\n"
            b"    post = Post(body='x')\n"
            b"    db.session.add(post)\n"
            b"    db.session.commit()\n"
            b"    return '', 201\n"
        ),
        "app/feeds.py": (
            b"from app import app\nimport requests\n\n"
            b"class Fetcher:\n"
            b"    session = requests.Session()\n\n"
            b"    def fetch(self):\n"
            b"        return self.session.get('https://feeds.example.org/a.xml', timeout=5)\n\n"
            b"@app.route('/feeds')\n"
            b"def feeds():\n"
            b"    return Fetcher().fetch().text\n"
        ),
    }
    sinks = [s for f in _flows_of(flask) if f.hops[0].path == "app/routes.py" for s in f.sinks]
    assert any(
        # The repository's SQL store (psycopg2: PostgreSQL) named in the text (`flow_stores`).
        (s.path, s.line, s.what)
        == ("app/routes.py", 7, "queries the PostgreSQL database (db.session.add)")
        for s in sinks
    )
    # An HTTP session's `get` is an outbound call, not a query.
    whats = {s.what for f in _flows_of(flask) for s in f.sinks}
    assert not any("session.get" in w for w in whats), whats
