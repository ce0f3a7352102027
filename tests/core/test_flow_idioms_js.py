"""JavaScript/TypeScript flow starts (issue 18 item 3): one small app per web framework, CLI and
worker idiom, each a route (or command, or job) declared the framework's way whose handler
calls a function that makes an outbound HTTP call; the flow must start at the route or the
handler and reach that call. The harness is `flow_idioms.py`."""

from __future__ import annotations

import pytest

from tests.core.flow_idioms import FlowIdiom, flows_of, misses

NOTIFY = (
    "export async function ping(data) {\n"
    "  return fetch('https://api.example.com/x', { method: 'POST', body: JSON.stringify(data) });\n"
    "}\n"
)
SINK = ("src/lib/notify.ts", "fetch(")


def app(idiom_id: str, files: dict[str, str], *entry: tuple[str, str]) -> FlowIdiom:
    pkg = files.pop("deps", "")
    package = '{"name": "shop", "dependencies": {' + pkg + "}}\n"
    return FlowIdiom(
        idiom_id, {"package.json": package, "src/lib/notify.ts": NOTIFY, **files}, entry, SINK
    )


IDIOMS = [
    # --- Express ------------------------------------------------------------------------
    app(
        "express-app-post",
        {
            "deps": '"express": "4"',
            "src/server.ts": "import express from 'express';\n"
            "import { ping } from './lib/notify';\n\n"
            "const app = express();\napp.post('/items', async (req, res) => {\n"
            "  await ping(req.body);\n  res.sendStatus(201);\n});\napp.listen(3000);\n",
        },
        ("src/server.ts", "app.post("),
    ),
    app(
        "express-router-mounted",
        {
            "deps": '"express": "4"',
            "src/routes/items.ts": "import { Router } from 'express';\n"
            "import { ping } from '../lib/notify';\n\nconst router = Router();\n"
            "router.post('/', async (req, res) => {\n  await ping(req.body);\n  res.end();\n});\n"
            "export default router;\n",
            "src/server.ts": "import express from 'express';\n"
            "import items from './routes/items';\n\n"
            "const app = express();\napp.use('/api/items', items);\napp.listen(3000);\n",
        },
        ("src/routes/items.ts", "router.post("),
    ),
    app(
        "express-controller-object",
        {
            "deps": '"express": "4"',
            "src/controllers/items.ts": "import { ping } from '../lib/notify';\n\n"
            "async function create(req, res) {\n  await ping(req.body);\n  res.end();\n}\n\n"
            "export default { create };\n",
            "src/routes/items.ts": "import { Router } from 'express';\n"
            "import ctrl from '../controllers/items';\n\nconst router = Router();\n"
            "router.post('/', ctrl.create);\nexport default router;\n",
        },
        ("src/routes/items.ts", "router.post("),
        ("src/controllers/items.ts", "async function create"),
    ),
    FlowIdiom(
        "express-controller-enqueues-a-bullmq-job",
        {
            "package.json": '{"name": "shop", "dependencies": {"express": "4", "bullmq": "5"}}\n',
            "src/jobs/worker.ts": "import { Worker } from 'bullmq';\n\n"
            "new Worker('deliver', async (job) => job.data);\n",
            "src/controllers/items.ts": "import { Queue } from 'bullmq';\n\n"
            "const deliveries = new Queue('deliver');\n\n"
            "export async function create(req, res) {\n"
            "  await deliveries.add('deliver', req.body);\n  res.end();\n}\n",
            "src/routes/items.ts": "import { Router } from 'express';\n"
            "import * as items from '../controllers/items';\n\nconst router = Router();\n"
            "router.post('/items', items.create);\nexport default router;\n",
        },
        (
            ("src/routes/items.ts", "router.post("),
            ("src/controllers/items.ts", "export async function create"),
        ),
        ("src/controllers/items.ts", "deliveries.add("),
    ),
    # --- Fastify, Koa, Hono ------------------------------------------------------------
    app(
        "fastify-shorthand",
        {
            "deps": '"fastify": "4"',
            "src/server.ts": "import Fastify from 'fastify';\n"
            "import { ping } from './lib/notify';\n\n"
            "const fastify = Fastify();\nfastify.post('/items', async (request) => {\n"
            "  await ping(request.body);\n  return {};\n});\nfastify.listen({ port: 3000 });\n",
        },
        ("src/server.ts", "fastify.post("),
    ),
    app(
        "fastify-route-object",
        {
            "deps": '"fastify": "4"',
            "src/server.ts": "import Fastify from 'fastify';\n"
            "import { ping } from './lib/notify';\n\n"
            "const fastify = Fastify();\nfastify.route({\n  method: 'POST',\n  url: '/items',\n"
            "  handler: async (request) => {\n    await ping(request.body);\n    return {};\n"
            "  },\n});\nfastify.listen({ port: 3000 });\n",
        },
        ("src/server.ts", "fastify.route("),
        ("src/server.ts", "url: '/items'"),
        ("src/server.ts", "handler: async"),
    ),
    app(
        "fastify-plugin-with-prefix",
        {
            "deps": '"fastify": "4"',
            "src/routes/items.ts": "import { ping } from '../lib/notify';\n\n"
            "export default async function items(fastify) {\n"
            "  fastify.post('/', async (request) => {\n    await ping(request.body);\n"
            "    return {};\n  });\n}\n",
            "src/server.ts": "import Fastify from 'fastify';\n"
            "import items from './routes/items';\n\n"
            "const fastify = Fastify();\nfastify.register(items, { prefix: '/items' });\n"
            "fastify.listen({ port: 3000 });\n",
        },
        ("src/routes/items.ts", "fastify.post("),
    ),
    app(
        "koa-router",
        {
            "deps": '"koa": "2", "@koa/router": "12"',
            "src/routes.ts": "import Router from '@koa/router';\n"
            "import { ping } from './lib/notify';\n\n"
            "const router = new Router();\nrouter.post('/items', async (ctx) => {\n"
            "  await ping(ctx.request.body);\n  ctx.status = 201;\n});\nexport default router;\n",
        },
        ("src/routes.ts", "router.post("),
    ),
    app(
        "hono-app-post",
        {
            "deps": '"hono": "4"',
            "src/index.ts": "import { Hono } from 'hono';\nimport { ping } from './lib/notify';\n\n"
            "const app = new Hono();\napp.post('/items', async (c) => {\n"
            "  await ping(await c.req.json());\n  return c.json({});\n});\nexport default app;\n",
        },
        ("src/index.ts", "app.post("),
    ),
    # --- NestJS -------------------------------------------------------------------------
    app(
        "nestjs-controller-post",
        {
            "deps": '"@nestjs/core": "10", "@nestjs/common": "10"',
            "src/items/items.service.ts": "import { Injectable } from '@nestjs/common';\n"
            "import { ping } from '../lib/notify';\n\n@Injectable()\nexport class ItemsService {\n"
            "  async create(body) {\n    await ping(body);\n  }\n}\n",
            "src/items/items.controller.ts": "import { Body, Controller, Post } "
            "from '@nestjs/common';\n"
            "import { ItemsService } from './items.service';\n\n@Controller('items')\n"
            "export class ItemsController {\n"
            "  constructor(private readonly items: ItemsService) {}\n\n"
            "  @Post()\n  async create(@Body() body) {\n    return this.items.create(body);\n"
            "  }\n}\n",
        },
        ("src/items/items.controller.ts", "@Post()"),
        ("src/items/items.controller.ts", "async create"),
    ),
    # --- Next.js, Remix, SvelteKit -------------------------------------------------------
    app(
        "nextjs-app-router-function",
        {
            "deps": '"next": "14"',
            "src/app/api/items/route.ts": "import { ping } from '@/lib/notify';\n\n"
            "export async function POST(request: Request) {\n  await ping(await request.json());\n"
            "  return Response.json({});\n}\n",
            "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["./src/*"]}}}\n',
        },
        ("src/app/api/items/route.ts", "export async function POST"),
    ),
    app(
        "nextjs-app-router-const",
        {
            "deps": '"next": "14"',
            "src/app/api/items/route.ts": "import { ping } from '../../../lib/notify';\n\n"
            "async function handler(request: Request) {\n  await ping(await request.json());\n"
            "  return Response.json({});\n}\n\nexport const POST = handler;\n",
        },
        ("src/app/api/items/route.ts", "export const POST"),
        ("src/app/api/items/route.ts", "async function handler"),
    ),
    app(
        "nextjs-pages-api-default",
        {
            "deps": '"next": "14"',
            "src/pages/api/items.ts": "import { ping } from '../../lib/notify';\n\n"
            "export default async function handler(req, res) {\n  await ping(req.body);\n"
            "  res.status(201).end();\n}\n",
        },
        ("src/pages/api/items.ts", "export default async function handler"),
    ),
    app(
        "nextjs-pages-api-wrapped-default",
        {
            "deps": '"next": "14"',
            "src/lib/auth.ts": "export function withAuth(h) {\n"
            "  return (req, res) => h(req, res);\n}\n",
            "src/pages/api/items.ts": "import { ping } from '../../lib/notify';\n"
            "import { withAuth } from '../../lib/auth';\n\n"
            "async function handler(req, res) {\n  await ping(req.body);\n"
            "  res.status(201).end();\n}\n\nexport default withAuth(handler);\n",
        },
        ("src/pages/api/items.ts", "export default withAuth"),
        ("src/pages/api/items.ts", "async function handler"),
    ),
    app(
        "nextjs-server-action",
        {
            "deps": '"next": "14"',
            "src/app/items/actions.ts": "'use server';\n\n"
            "import { ping } from '../../lib/notify';\n\n"
            "export async function createItem(form: FormData) {\n"
            "  await ping(Object.fromEntries(form));\n}\n",
        },
        ("src/app/items/actions.ts", "export async function createItem"),
    ),
    app(
        "remix-action-export",
        {
            "deps": '"@remix-run/node": "2", "@remix-run/react": "2"',
            "app/routes/items.tsx": "import { ping } from '../../src/lib/notify';\n\n"
            "export async function action({ request }) {\n"
            "  await ping(await request.formData());\n  return null;\n}\n\n"
            "export default function Items() {\n  return null;\n}\n",
        },
        ("app/routes/items.tsx", "export async function action"),
    ),
    app(
        "sveltekit-server-const",
        {
            "deps": '"@sveltejs/kit": "2"',
            "src/routes/api/items/+server.ts": "import { ping } from '$lib/notify';\n\n"
            "export const POST = async ({ request }) => {\n  await ping(await request.json());\n"
            "  return new Response();\n};\n",
            "src/lib/notify.ts": NOTIFY,
        },
        ("src/routes/api/items/+server.ts", "export const POST"),
    ),
    # --- tRPC, GraphQL -------------------------------------------------------------------
    app(
        "trpc-mutation",
        {
            "deps": '"@trpc/server": "10"',
            "src/server/routers/items.ts": "import { router, publicProcedure } from '../trpc';\n"
            "import { ping } from '../../lib/notify';\n\nexport const itemsRouter = router({\n"
            "  create: publicProcedure.mutation(async ({ input }) => {\n    await ping(input);\n"
            "  }),\n});\n",
            "src/server/trpc.ts": "import { initTRPC } from '@trpc/server';\n\n"
            "const t = initTRPC.create();\nexport const router = t.router;\n"
            "export const publicProcedure = t.procedure;\n",
        },
        ("src/server/routers/items.ts", "create: publicProcedure.mutation"),
    ),
    app(
        "apollo-resolver-map",
        {
            "deps": '"@apollo/server": "4"',
            "src/graphql/resolvers.ts": "import { ping } from '../lib/notify';\n\n"
            "export const resolvers = {\n  Mutation: {\n"
            "    createItem: async (_parent, args) => {\n      await ping(args);\n"
            "      return args;\n    },\n  },\n};\n",
        },
        ("src/graphql/resolvers.ts", "Mutation: {"),
        ("src/graphql/resolvers.ts", "createItem:"),
    ),
    # --- CLIs and workers ---------------------------------------------------------------
    app(
        "commander-command",
        {
            "deps": '"commander": "11"',
            "src/cli.ts": "import { Command } from 'commander';\n"
            "import { ping } from './lib/notify';\n\n"
            "const program = new Command();\nprogram.command('announce <name>')\n"
            "  .action(async (name) => {\n    await ping(name);\n  });\nprogram.parse();\n",
        },
        ("src/cli.ts", ".command('announce"),
        ("src/cli.ts", ".action("),
        ("src/cli.ts", "new Command()"),
        ("src/cli.ts", "import { Command }"),
    ),
    app(
        "yargs-command",
        {
            "deps": '"yargs": "17"',
            "src/cli.ts": "import yargs from 'yargs';\nimport { ping } from './lib/notify';\n\n"
            "yargs(process.argv.slice(2))\n  .command('announce <name>', 'announce', {}, "
            "async (argv) => {\n    await ping(argv.name);\n  })\n  .parse();\n",
        },
        ("src/cli.ts", ".command('announce"),
        ("src/cli.ts", "yargs(process"),
        ("src/cli.ts", "import yargs"),
    ),
    app(
        "nextjs-pages-api-past-the-cited-twenty",
        {
            "deps": '"next": "14"',
            **{
                f"src/pages/api/a{n:02}.ts": "export default function handler(req, res) {\n"
                "  res.status(200).end();\n}\n"
                for n in range(24)
            },
            "src/pages/api/z.ts": "import { ping } from '../../lib/notify';\n\n"
            "export default async function handler(req, res) {\n  await ping(req.body);\n"
            "  res.status(201).end();\n}\n",
        },
        ("src/pages/api/z.ts", "export default async function handler"),
        ("src/pages/api/z.ts", "import { ping }"),
    ),
    app(
        "node-polling-loop-worker",
        {
            "src/worker/outbox.ts": "import { ping } from '../lib/notify';\n\n"
            "const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));\n\n"
            "export async function drainOutbox(pause: number) {\n  while (true) {\n"
            "    await ping('tick');\n    await delay(pause);\n  }\n}\n",
        },
        ("src/worker/outbox.ts", "while (true)"),
        ("src/worker/outbox.ts", "await delay(pause)"),
        ("src/worker/outbox.ts", "import { ping }"),
    ),
    app(
        "bullmq-worker",
        {
            "deps": '"bullmq": "5"',
            "src/jobs/deliver.ts": "import { Worker } from 'bullmq';\n"
            "import { ping } from '../lib/notify';\n\n"
            "export const worker = new Worker('deliver', async (job) => {\n"
            "  await ping(job.data);\n});\n",
            "src/server.ts": "import { Queue } from 'bullmq';\n\n"
            "const queue = new Queue('deliver');\n"
            "export async function send(d) {\n  await queue.add('deliver', d);\n}\n",
        },
        ("src/jobs/deliver.ts", "new Worker("),
        ("src/jobs/deliver.ts", "import { Worker }"),
    ),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_js_flow_starts_at_the_route_and_reaches_the_call(idiom: FlowIdiom) -> None:
    assert misses(idiom) == []


def _next_app(extra: dict[str, str]) -> dict[str, str]:
    return {
        "package.json": '{"name": "shop", "dependencies": {"next": "14", "@prisma/client": "5",'
        ' "meilisearch": "0.40"}}\n',
        "tsconfig.json": '{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["./src/*"]}}}\n',
        "src/lib/db.ts": "import { PrismaClient } from '@prisma/client';\n\n"
        "export const db = new PrismaClient();\n",
        "src/lib/auth.ts": "import { db } from '@/lib/db';\n\n"
        "export async function requireUser(req) {\n"
        "  return db.user.findUnique({ where: { token: req.headers.token } });\n}\n",
        **extra,
    }


def test_a_helper_most_next_routes_call_first_is_walked_last() -> None:
    routes = {
        f"src/pages/api/r{n}.ts": "import { requireUser } from '@/lib/auth';\n\n"
        "export default async function handler(req, res) {\n"
        "  res.json(await requireUser(req));\n}\n"
        for n in range(6)
    }
    routes["src/lib/items.ts"] = (
        "import { db } from '@/lib/db';\n\n"
        "export async function addItem(data) {\n  return db.item.create({ data });\n}\n"
    )
    routes["src/pages/api/items.ts"] = (
        "import { requireUser } from '@/lib/auth';\nimport { addItem } from '@/lib/items';\n\n"
        "export default async function handler(req, res) {\n  await requireUser(req);\n"
        "  res.json(await addItem(req.body));\n}\n"
    )
    flows = flows_of(_next_app(routes))
    sinks = {
        (s.path, s.line)
        for f in flows
        if f.hops[0].path == "src/pages/api/items.ts"
        for s in f.sinks
    }
    assert ("src/lib/items.ts", 4) in sinks


def test_a_search_client_built_in_an_aliased_module_is_a_store_sink() -> None:
    files = _next_app(
        {
            "src/lib/search.ts": "import { MeiliSearch } from 'meilisearch';\n\n"
            "export const search = new MeiliSearch({ host: process.env.SEARCH_HOST });\n",
            "src/pages/api/find.ts": "import { search } from '@/lib/search';\n\n"
            "export default async function handler(req, res) {\n"
            "  res.json(await search.index('items').search(req.query.q));\n}\n",
        }
    )
    whats = {s.what for f in flows_of(files) for s in f.sinks if s.path == "src/pages/api/find.ts"}
    assert "queries Meilisearch (Meilisearch client search.index)" in whats
