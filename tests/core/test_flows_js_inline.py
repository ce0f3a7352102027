"""JavaScript/TypeScript route handlers written inline (issue 18): `router.post("x.create",
auth(), async (ctx) => {…})` (koa-router), `app.get("/x", async (req, res) => {…})`
(Express, Fastify, Hono) start flows of their own, named by the route. Fixtures written
for these tests."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.calls_js import MAX_INLINE, js_calls
from bot.core.analysis.route_refs import INLINE, route_handler_signals
from bot.core.analysis.scan import Lines
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Flow, RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

KOA = {
    "package.json": (
        b'{"name": "notes", "scripts": {"start": "node server.js"},\n'
        b' "dependencies": {"koa": "2", "koa-router": "12", "nodemailer": "6", "mongoose": "8"}}\n'
    ),
    "server.js": (
        b"const Koa = require('koa');\n"
        b"const api = require('./api');\n"
        b"const app = new Koa();\n"
        b"app.use(api.routes());\n"
        b"app.listen(3000);\n"
    ),
    "mailer.js": (
        b"const nodemailer = require('nodemailer');\n"
        b"const transport = nodemailer.createTransport({});\n"
        b"exports.tell = (to) => transport.sendMail({ to });\n"
    ),
    "api.js": (
        b"const Router = require('koa-router');\n"
        b"const mailer = require('./mailer');\n"
        b"const auth = require('./auth');\n"
        b"\n"
        b"const router = new Router();\n"
        b"\n"
        b"router.post(\n"
        b"  'notes.share',\n"
        b"  auth(),\n"
        b"  async (ctx) => {\n"
        b"    const { to } = ctx.request.body;\n"
        b"    await mailer.tell(to);\n"
        b"    ctx.body = { ok: true };\n"
        b"  }\n"
        b");\n"
        b"\n"
        b"router.get('notes.list', async (ctx) => {\n"
        b"  ctx.body = [];\n"
        b"});\n"
        b"\n"
        b"module.exports = router;\n"
    ),
    "auth.js": b"module.exports = () => async (ctx, next) => next();\n",
}

EXPRESS = {
    "package.json": (
        b'{"name": "shop", "scripts": {"start": "node app.js"},\n'
        b' "dependencies": {"express": "4", "mongoose": "8"}}\n'
    ),
    "app.js": (
        b"const express = require('express');\n"
        b"const orders = require('./orders');\n"
        b"const app = express();\n"
        b"app.use('/shop', orders);\n"
        b"app.listen(3000);\n"
    ),
    "order.js": (
        b"const mongoose = require('mongoose');\n"
        b"const Order = mongoose.model('Order', new mongoose.Schema({}));\n"
        b"module.exports = Order;\n"
    ),
    "orders.js": (
        b"const express = require('express');\n"
        b"const Order = require('./order');\n"
        b"const router = express.Router();\n"
        b"\n"
        b"router.post('/orders', async function (req, res) {\n"
        b"  const order = await Order.create(req.body);\n"
        b"  res.json(order);\n"
        b"});\n"
        b"\n"
        b"module.exports = router;\n"
    ),
}


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def chain(flow: Flow) -> list[tuple[str, int | None, str]]:
    return [(h.path, h.line, h.what) for h in (*flow.hops, *flow.sinks[:1])]


def test_the_js_reader_takes_an_inline_route_handler_as_a_function_of_its_own() -> None:
    fc = js_calls(KOA["api.js"], "javascript")
    assert fc is not None
    quals = {f.qual: (f.line, f.first, f.end) for f in fc.funcs}
    assert quals["route8"] == (8, 8, 14)  # named by the route's line
    assert quals["route17"] == (17, 17, 19)
    tell = next(c for c in fc.calls if c.parts == ("mailer", "tell"))
    assert tell.scope == "route8"
    auth = next(c for c in fc.calls if c.parts == ("auth",))
    assert auth.scope == ""  # the middleware before it runs for every route: not its own


def test_route_signals_mark_inline_handlers_and_koa_rpc_names() -> None:
    text = KOA["api.js"].decode()
    sigs = route_handler_signals(text, "javascript", Lines(text))
    assert [(s.name, s.line, s.detail) for s in sigs] == [
        ("POST /notes.share", 8, INLINE),
        ("GET /notes.list", 17, INLINE),
    ]
    # A dotted name is a route only on a router: a cache's `get("key", …)` is not.
    other = "cache.get('user.name', async () => load());\n"
    assert route_handler_signals(other, "javascript", Lines(other)) == []


def test_a_koa_inline_handler_starts_a_flow_named_by_its_route() -> None:
    flows = facts_of(KOA).flows
    flow = next(f for f in flows if f.name.startswith("POST /notes.share"))
    assert flow.name == "POST /notes.share (api.js) → SMTP"
    assert chain(flow)[:3] == [
        ("api.js", 8, "http entry point (route8)"),
        ("api.js", 8, "routes POST /notes.share to func"),
        ("api.js", 12, "calls mailer.tell"),
    ]


def test_an_express_inline_handler_is_named_with_its_mount_prefix() -> None:
    flows = facts_of(EXPRESS).flows
    flow = next(f for f in flows if "MongoDB" in f.name and f.name.startswith("POST"))
    assert flow.name.startswith("POST /shop/orders (orders.js) → MongoDB")
    # The model's call is where the order is written (`flow_stores`: a Mongoose model).
    assert chain(flow)[2] == ("orders.js", 6, "queries MongoDB (Mongoose Order.create)")


def test_inline_handlers_are_capped_and_hostile_registrations_stay_fast() -> None:
    many = b"".join(
        b"router.get('/r%d', async (ctx) => { ctx.body = %d; });\n" % (i, i)
        for i in range(MAX_INLINE + 50)
    )
    fc = js_calls(many, "javascript")
    assert fc is not None
    assert sum(f.qual.startswith("route") for f in fc.funcs) == MAX_INLINE
    hostile = "router.post('" + "a." * 20_000 + "', " * 3 + "(" * 5_000 + "\n"
    hostile += 'x.get("' + "/" * 50_000 + "\n"
    started = time.perf_counter()
    route_handler_signals(hostile, "javascript", Lines(hostile))
    js_calls(hostile.encode(), "javascript")
    assert time.perf_counter() - started < 2.0


SEQUELIZE = {
    "package.json": (
        b'{"name": "wiki", "scripts": {"start": "node build/server.js"},\n'
        b' "dependencies": {"koa": "2", "koa-router": "12", "sequelize-typescript": "2"}}\n'
    ),
    "src/models/Page.ts": (
        b'import { Model, Table, Column } from "sequelize-typescript";\n'
        b"\n"
        b"@Table\n"
        b"export class Page extends Model {\n"
        b"  @Column title: string;\n"
        b"}\n"
    ),
    "src/routes/pages.ts": (
        b'import Router from "koa-router";\n'
        b'import { Page } from "../models/Page";\n'
        b"\n"
        b"const router = new Router();\n"
        b"\n"
        b'router.post("pages.info", async (ctx) => {\n'
        b"  const copy = Object.create(null);\n"
        b"  const page = await Page.findByPk(ctx.request.body.id);\n"
        b"  ctx.body = { page, copy };\n"
        b"});\n"
        b"\n"
        b"export default router;\n"
    ),
}


def test_a_sequelize_model_query_is_where_an_inline_handler_reads_the_database() -> None:
    flows = facts_of(SEQUELIZE).flows
    flow = next(f for f in flows if f.name.startswith("POST /pages.info"))
    assert flow.sinks[0].path == "src/routes/pages.ts"
    assert flow.sinks[0].line == 8  # not `Object.create` on line 7
    assert flow.sinks[0].what == "queries the database (Sequelize Page.findByPk)"
    # Without Sequelize in the repository, `Page.findByPk` is nobody's query.
    bare = dict(SEQUELIZE)
    bare["src/models/Page.ts"] = b"export class Page {}\n"
    assert not any("Sequelize" in s.what for f in facts_of(bare).flows for s in f.sinks)
