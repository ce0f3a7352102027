"""JavaScript flows (issue 18): mount prefixes, sinks only where a library is called,
a flow per entry point, one entry point per process, CommonJS exports followed. A small
Express app written for these tests, analysed for real (parser, resolver, catalog)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.calls_js import js_calls
from bot.core.analysis.manifests_js import parse_pm2_config
from bot.core.analysis.mounts import join, mount_prefixes, with_mounts
from bot.core.analysis.processes import merge_processes
from bot.core.call_sites import OBJECT_EXPORT, Call, FileCalls, Func, Sink
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_uses import used_sinks
from bot.core.flows import build_flows
from bot.core.model import Entrypoint, Evidence, FileFacts, Flow, ImportRef, RepoFacts, Signal
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

LIBRARY = {
    "package.json": (
        b'{"name": "library", "bin": "bin/shelve.js",\n'
        b' "scripts": {"start": "node server.js"},\n'
        b' "dependencies": {"express": "4", "mongoose": "8", "nodemailer": "6"}}\n'
    ),
    "bin/shelve.js": b"#!/usr/bin/env node\nconsole.log('shelved');\n",
    "server.js": (
        b"const mongoose = require('mongoose');\n"
        b"const app = require('./web');\n"
        b"\n"
        b"mongoose.connect(process.env.DB_URL).then(() => app.listen(3000));\n"
    ),
    "web.js": (
        b"const express = require('express');\n"
        b"const api = require('./api');\n"
        b"const { failures } = require('./failures');\n"
        b"\n"
        b"const app = express();\n"
        b"app.use('/api', api);\n"
        b"app.use(failures);\n"
        b"module.exports = app;\n"
    ),
    "failures.js": (
        b"const mongoose = require('mongoose');\n"
        b"\n"
        b"const failures = (err, req, res, next) => {\n"
        b"  res.status(err instanceof mongoose.Error.ValidationError ? 400 : 500).end();\n"
        b"};\n"
        b"module.exports = { failures };\n"
    ),
    "api/index.js": (
        b"const express = require('express');\n"
        b"const books = require('./books.routes');\n"
        b"\n"
        b"const router = express.Router();\n"
        b"const mounts = [{ path: '/books', route: books }];\n"
        b"mounts.forEach((m) => router.use(m.path, m.route));\n"
        b"module.exports = router;\n"
    ),
    "api/books.routes.js": (
        b"const express = require('express');\n"
        b"const shelf = require('../shelf');\n"
        b"\n"
        b"const router = express.Router();\n"
        b"router.get('/', shelf.list);\n"
        b"router.post('/:id/lend', shelf.lend);\n"
        b"module.exports = router;\n"
    ),
    "shelf.js": (
        b"const wrap = require('./wrap');\n"
        b"const { Book } = require('./models');\n"
        b"const courier = require('./courier');\n"
        b"\n"
        b"const list = wrap(async (req, res) => {\n"
        b"  res.json(await Book.find());\n"
        b"});\n"
        b"\n"
        b"const lend = wrap(async (req, res) => {\n"
        b"  await courier.notify(req.params.id);\n"
        b"  res.end();\n"
        b"});\n"
        b"\n"
        b"module.exports = { list, lend };\n"
    ),
    "wrap.js": b"module.exports = (fn) => (req, res, next) => fn(req, res, next).catch(next);\n",
    "models/index.js": b"module.exports.Book = require('./book');\n",
    "models/book.js": (
        b"const mongoose = require('mongoose');\n"
        b"\n"
        b"const schema = new mongoose.Schema({ title: String });\n"
        b"const Book = mongoose.model('Book', schema);\n"
        b"module.exports = Book;\n"
    ),
    "courier.js": (
        b"const nodemailer = require('nodemailer');\n"
        b"\n"
        b"const transport = nodemailer.createTransport({ host: 'smtp.example.org' });\n"
        b"\n"
        b"exports.notify = async (id) => {\n"
        b"  await transport.sendMail({ to: 'desk@example.org', text: id });\n"
        b"};\n"
    ),
}


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def chain(flow: Flow) -> list[tuple[str, int | None, str]]:
    return [(h.path, h.line, h.what) for h in (*flow.hops, *flow.sinks[:1])]


def test_routes_carry_the_prefixes_their_routers_are_mounted_at() -> None:
    facts = facts_of(LIBRARY)
    routes = next(e for e in facts.entrypoints if e.evidence[0].path == "api/books.routes.js")
    assert routes.detail == "/api/books, /api/books/:id/lend"
    names = {f.name for f in facts.flows}
    # A route's flow starts at its handler and is named by the route as mounted.
    assert "GET /api/books (shelf.js) → MongoDB" in names
    assert "POST /api/books/:id/lend (shelf.js) → SMTP" in names


def test_a_route_is_walked_through_handlers_wrappers_and_default_exports_to_the_model() -> None:
    facts = facts_of(LIBRARY)
    flow = next(
        f for f in facts.flows if f.name.startswith("GET /api/books (") and "Mongo" in f.name
    )
    assert chain(flow) == [
        ("shelf.js", 5, "http entry point (list)"),
        ("api/books.routes.js", 5, "routes GET /api/books to shelf.list"),
        ("shelf.js", 6, "calls book.Book.find"),
        ("models/book.js", 4, "uses MongoDB"),  # the model is built there, not the import
    ]
    mail = next(f for f in facts.flows if f.name.startswith("POST") and "SMTP" in f.name)
    assert chain(mail)[1:3] == [
        ("api/books.routes.js", 6, "routes POST /api/books/:id/lend to shelf.lend"),
        ("shelf.js", 10, "calls courier.notify"),
    ]


def test_a_library_imported_only_for_instanceof_is_not_where_data_lands() -> None:
    facts = facts_of(LIBRARY)
    assert not any(h.path == "failures.js" for f in facts.flows for h in (*f.hops, *f.sinks))
    start = next(f for f in facts.flows if f.hops[0].path == "server.js")
    assert chain(start)[-1] == ("server.js", 4, "uses MongoDB")  # the connect, not the require


def test_one_process_named_by_bin_script_and_start_command_is_one_entry_point() -> None:
    facts = facts_of(LIBRARY)
    cli = [e for e in facts.entrypoints if e.kind == "cli"]
    assert [(e.name, e.detail) for e in cli] == [("library", "bin/shelve.js")]
    assert {ev.path for ev in cli[0].evidence} == {"bin/shelve.js", "package.json"}
    server = [e for e in facts.entrypoints if any(ev.path == "server.js" for ev in e.evidence)]
    assert len(server) == 1
    assert server[0].detail == "node server.js"
    assert {ev.path for ev in server[0].evidence} == {"server.js", "package.json"}


def test_distinct_entry_points_keep_their_flows_to_one_last_hop() -> None:
    facts = {
        "a/routes.js": FileFacts("javascript", imports=(ImportRef("../store", 1),)),
        "b/routes.js": FileFacts("javascript", imports=(ImportRef("../store", 1),)),
        "store.js": FileFacts("javascript", signals=(Signal("sink.files", "fs", 3),)),
    }
    entries = [
        Entrypoint("HTTP route (a/routes.js)", "http", (Evidence("a/routes.js", 2),), "/a"),
        Entrypoint("HTTP route (b/routes.js)", "http", (Evidence("b/routes.js", 2),), "/b"),
    ]

    def resolve(path: str, language: str, ref: ImportRef) -> str | None:
        return "store.js" if ref.spec == "../store" else None

    flows = build_flows(entries, facts, resolve, [], [])
    assert [f.name for f in flows] == [
        "/a (a/routes.js) → local files",
        "/b (b/routes.js) → local files",
    ]


# --- pieces ------------------------------------------------------------------------------


def test_the_js_reader_sees_require_bindings_default_exports_and_handed_functions() -> None:
    fc = js_calls(
        b"const db = require('./db');\n"
        b"const { a, b: c } = require('./x');\n"
        b"const Model = require('./m').Model;\n"
        b"const run = wrap(async () => { await db.save(); });\n"
        b"exports.go = function () { return c(); };\n"
        b"router.get('/', ctrl.show);\n",
        "javascript",
    )
    assert fc is not None
    assert fc.imports == (
        ("db", "./db", "default"),
        ("a", "./x", "a"),
        ("c", "./x", "b"),
        ("Model", "./m", "Model"),
    )
    assert {f.qual for f in fc.funcs} == {"run", "go"}
    assert fc.default_export == OBJECT_EXPORT  # only `exports.x =`: the object of them
    scoped = {(c.scope, ".".join(c.parts)) for c in fc.calls}
    assert ("run", "db.save") in scoped
    assert ("go", "c") in scoped
    assert ("", "ctrl.show") in scoped  # handed to the route: called back
    assert js_calls(b"export default class Shelf {}\n", "javascript").default_export == "Shelf"
    assert js_calls(b"module.exports = store;\n", "javascript").default_export == "store"


def _sink(line: int) -> Sink:
    return Sink("datastore", "PostgreSQL", line, "uses PostgreSQL")


def _go(spec: str, calls: tuple[Call, ...], alias: str = "sql") -> tuple[FileFacts, FileCalls]:
    facts = FileFacts("go", imports=(ImportRef(spec, 3),))
    return facts, FileCalls((Func("Load", 5, 5, 9),), calls, aliases=((alias, spec),))


def test_a_go_sink_stands_where_the_file_calls_the_library_or_a_client_typed_by_it() -> None:
    only_error = _go("database/sql", (Call(6, "Load", ("errors", "Is")),))
    assert used_sinks(*only_error, [_sink(3)]) == []  # `errors.Is(err, sql.ErrNoRows)`
    opened = _go("database/sql", (Call(7, "Load", ("sql", "Open")),))
    assert [s.line for s in used_sinks(*opened, [_sink(3)])] == [7]
    assert used_sinks(*opened, [_sink(3)])[0].reach == 3  # reached as the import is
    typed = _go("database/sql", (Call(8, "Load", ("db", "Query"), ("database/sql", "DB")),))
    assert [s.line for s in used_sinks(*typed, [_sink(3)])] == [8]
    versioned = _go("github.com/example/pg/v5", (), alias="v5")
    assert [s.line for s in used_sinks(*versioned, [_sink(3)])] == [3]  # name unknown: kept


def test_a_js_sink_through_a_typed_field_or_a_handed_on_library_stands() -> None:
    facts = FileFacts("typescript", imports=(ImportRef("typeorm", 1),))
    field = FileCalls(
        (),
        (Call(9, "Repo.all", ("this", "books", "find"), ("", "Repo")),),
        (("Repo", "books", "", "Repository"),),
        imports=(("Repository", "typeorm", "Repository"),),
    )
    assert [s.line for s in used_sinks(facts, field, [_sink(1)])] == [9]
    handed = FileCalls((), (), imports=(("db", "typeorm", "default"),), default_export="db")
    assert [s.line for s in used_sinks(facts, handed, [_sink(1)])] == [1]
    helper = FileCalls(
        (),
        (Call(4, "", ("db", "Types", "ObjectId", "isValid")),),
        imports=(("db", "typeorm", "default"),),
    )
    assert used_sinks(facts, helper, [_sink(1)]) == []  # a type's helper is not a use


def test_mount_chains_are_joined_bounded_and_stop_at_a_cycle() -> None:
    assert join("/v1", "/users") == "/v1/users"
    assert join("/v1/", "/") == "/v1"
    assert join("", "/") == "/"

    def mount(spec: str, path: str) -> FileFacts:
        return FileFacts("javascript", signals=(Signal("route.mount", spec, 1, path),))

    facts = {"a.js": mount("./b", "/a"), "b.js": mount("./a", "/b"), "c.js": FileFacts("python")}

    def resolve(path: str, language: str, ref: ImportRef) -> str | None:
        return ref.spec.removeprefix("./") + ".js"

    prefixes = mount_prefixes(facts, resolve)
    assert prefixes == {"b.js": "/b/a", "a.js": "/a/b"}
    entry = Entrypoint("HTTP route (b.js)", "http", (Evidence("b.js", 3),), "/x, /y")
    assert with_mounts([entry], prefixes)[0].detail == "/b/a/x, /b/a/y"


def test_two_bin_commands_of_one_package_stay_two_and_a_compose_command_names_a_script() -> None:
    facts = {
        "package.json": FileFacts("manifest"),
        "docker-compose.yml": FileFacts(
            "config", signals=(Signal("deployment.compose", "api", 2, "build"),)
        ),
        "server.js": FileFacts("javascript"),
    }
    entries = [
        Entrypoint("pack", "cli", (Evidence("package.json", 3),), "bin/pack.js"),
        Entrypoint("unpack", "cli", (Evidence("package.json", 4),), "bin/unpack.js"),
        Entrypoint("start", "http", (Evidence("package.json", 6),), "node server.js"),
        Entrypoint("api", "http", (Evidence("docker-compose.yml", 2),), "yarn start"),
        Entrypoint("HTTP server (server.js)", "http", (Evidence("server.js", 9),)),
    ]
    merged = merge_processes(entries, facts)
    assert [(e.name, e.kind) for e in merged] == [
        ("pack", "cli"),
        ("unpack", "cli"),
        ("api", "http"),
    ]
    assert {ev.path for ev in merged[-1].evidence} == {
        "docker-compose.yml",
        "package.json",
        "server.js",
    }


def test_a_pm2_ecosystem_names_the_script_each_app_runs() -> None:
    facts = parse_pm2_config(
        b'{\n  "apps": [\n    {\n      "name": "api",\n      "script": "src/main.js"\n    },\n'
        b'    {"name": "queue-worker", "script": "src/jobs.js"}, 7, {"script": 1}\n  ]\n}\n'
    )
    assert [(s.kind, s.name, s.line, s.detail) for s in facts.signals] == [
        ("entrypoint.http", "api", 5, "src/main.js"),
        ("entrypoint.worker", "queue-worker", 7, "src/jobs.js"),
    ]
    assert parse_pm2_config(b"not json").signals == ()


def test_a_default_export_called_by_its_import_name_is_named_as_the_line_writes_it() -> None:
    facts = facts_of(
        {
            "package.json": b'{"name": "notes", "dependencies": {"express": "4", "pg": "8"}}\n',
            "server.ts": (
                b'import express from "express";\n'
                b'import fetchNote from "./noteLoader";\n'
                b"const app = express();\n"
                b'app.get("/notes/:id", async (req, res) => {\n'
                b"  res.json(await fetchNote(req.params.id));\n"
                b"});\n"
                b"app.listen(3000);\n"
            ),
            "noteLoader.ts": (
                b'import { Pool } from "pg";\n'
                b"const pool = new Pool();\n"
                b"export default async function loadNote(id: string) {\n"
                b'  return pool.query("select * from notes where id = $1", [id]);\n'
                b"}\n"
            ),
        }
    )
    hops = [h for f in facts.flows for h in f.hops if h.path == "server.ts" and h.line == 5]
    assert hops
    assert {h.what for h in hops} == {"calls fetchNote (noteLoader.loadNote)"}
