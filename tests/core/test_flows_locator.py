"""JS flows through a service locator (`flow_calls_js._located`): an app whose modules call
each other as `APP.models.loaves.bake()`, a global filled at boot, with Objection models
(`flow_orm`) and GraphQL resolver maps whose resolvers are async method shorthands
(`js_starts`). Invented app, analysed for real; look-alikes must not resolve."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

BAKERY = {
    "package.json": (
        b'{"name": "bakery", "scripts": {"start": "node server/index.js"},\n'
        b' "dependencies": {"express": "4", "objection": "3", "knex": "2", "pg": "8"}}\n'
    ),
    "server/index.js": (
        b"global.APP = {}\nAPP.models = require('./core/db').init()\nrequire('./master')\n"
    ),
    "server/master.js": (
        b"const express = require('express')\n"
        b"const app = express()\n"
        b"app.use('/', require('./controllers/shop'))\n"
        b"app.listen(3000)\n"
    ),
    "server/core/db.js": (
        b"module.exports = {\n"
        b"  init() {\n"
        b"    return { loaves: require('../models/loaves') }\n"
        b"  }\n"
        b"}\n"
    ),
    "server/models/loaves.js": (
        b"const Model = require('objection').Model\n"
        b"\n"
        b"module.exports = class Loaf extends Model {\n"
        b"  static get tableName() { return 'loaves' }\n"
        b"\n"
        b"  static async bake(opts) {\n"
        b"    return APP.models.loaves.query().insert(opts)\n"
        b"  }\n"
        b"}\n"
    ),
    "server/controllers/shop.js": (
        b"const express = require('express')\n"
        b"const router = express.Router()\n"
        b"\n"
        b"router.post('/bake', async (req, res) => {\n"
        b"  const loaf = await APP.models.loaves.bake(req.body)\n"
        b"  res.json(loaf)\n"
        b"})\n"
        b"\n"
        b"module.exports = router\n"
    ),
    "server/graph/resolvers/loaf.js": (
        b"module.exports = {\n"
        b"  Query: {\n"
        b"    async loaves() { return {} }\n"
        b"  },\n"
        b"  LoafMutation: {\n"
        b"    async bake(obj, args) {\n"
        b"      return APP.models.loaves.bake(args)\n"
        b"    }\n"
        b"  }\n"
        b"}\n"
    ),
    # look-alikes: a same-named method of a file of another stem, a stem with two files
    # defining the method, and a local head that the file binds
    "server/helpers/ovens.js": (b"module.exports = { bake() { return 1 } }\n"),
    "server/a/crusts.js": b"module.exports = { trim() { return 1 } }\n",
    "cli/loaves.js": b"async function bake() { return 2 }\nbake()\n",  # not exported
    "server/b/crusts.js": b"module.exports = { trim() { return 2 } }\n",
    "server/controllers/misc.js": (
        b"const express = require('express')\n"
        b"const ovens = require('../helpers/ovens')\n"
        b"const router = express.Router()\n"
        b"router.get('/trim', (req, res) => {\n"
        b"  APP.parts.crusts.trim()\n"
        b"  res.end()\n"
        b"})\n"
        b"module.exports = router\n"
    ),
}


def _facts(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_a_route_reaches_the_model_through_the_service_locator() -> None:
    facts = _facts(BAKERY)
    bake = [f for f in facts.flows if any(h.path == "server/controllers/shop.js" for h in f.hops)]
    assert bake, [f.name for f in facts.flows]
    hops = {(h.path, h.line) for f in bake for h in f.hops}
    assert ("server/controllers/shop.js", 5) in hops  # the located call's own line
    sinks = {s.what for f in bake for s in f.sinks}
    assert any("Objection loaves.query" in s for s in sinks), sinks


def test_resolver_maps_with_async_shorthand_resolvers_start_flows() -> None:
    facts = _facts(BAKERY)
    names = {e.name for e in facts.entrypoints}
    assert any("GraphQL resolvers" in n for n in names), names
    graph = [f for f in facts.flows if any("resolvers/loaf.js" in h.path for h in f.hops)]
    assert any("database" in s.what for f in graph for s in f.sinks)


def test_ambiguous_or_unknown_stems_stay_unresolved() -> None:
    facts = _facts(BAKERY)
    for f in facts.flows:
        assert not any("crusts.js" in h.path for h in f.hops)
        assert not any("ovens.js" in h.path for h in f.hops)


def test_many_located_calls_analyse_quickly() -> None:
    files = dict(BAKERY)
    files["server/controllers/many.js"] = (
        b"const express = require('express')\nconst router = express.Router()\n"
        b"router.get('/m', async (req, res) => {\n"
        + b"  APP.models.loaves.bake(1)\n  APP.x.y.z.w()\n" * 3_000
        + b"})\nmodule.exports = router\n"
    )
    start = time.perf_counter()
    _facts(files)
    assert time.perf_counter() - start < 30.0
