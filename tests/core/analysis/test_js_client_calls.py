"""An HTTP client's `api.get("/x")` is not a route; Express/Koa/Fastify/Hono routes stay."""

from __future__ import annotations

from bot.core.analysis.javascript import JavaScriptExtractor, TypeScriptExtractor
from bot.core.analysis.js_client_calls import client_call_starts


def _routes(path: str, code: str) -> list[tuple[str, str]]:
    ext = TypeScriptExtractor() if path.endswith((".ts", ".tsx")) else JavaScriptExtractor()
    facts = ext.extract(path, code.encode())
    return sorted(
        (s.kind, s.detail if s.kind != "route.handler" else s.name)
        for s in facts.signals
        if (s.kind in ("entrypoint.http", "entrypoint.webhook") and s.name == "HTTP route")
        or s.kind == "route.handler"
    )


def test_express_routes_with_handlers_and_mounted_router_stay() -> None:
    code = (
        'const express = require("express");\n'
        "const app = express();\n"
        "const router = express.Router();\n"
        'const users = require("./controllers/users");\n'
        'app.get("/health", (req, res) => res.send("ok"));\n'
        'router.post("/users", auth(), users.create);\n'
        'app.use("/api", router);\n'
    )
    got = _routes("src/app.js", code)
    assert ("entrypoint.http", "/health") in got
    assert ("entrypoint.http", "/users") in got
    assert ("route.handler", "POST /users") in got


def test_router_imported_from_elsewhere_keeps_routes_with_a_handler() -> None:
    code = (
        'import router from "./router";\n'
        'import { listItems } from "./items";\n'
        'router.get("/items", listItems);\n'
    )
    assert ("route.handler", "GET /items") in _routes("src/routes/items.ts", code)


def test_koa_fastify_hono_routes_stay() -> None:
    koa = (
        'import Router from "koa-router";\n'
        "const api = new Router();\n"
        'api.post("documents.list", auth(), async (ctx) => {\n  ctx.body = 1;\n});\n'
    )
    assert _routes("server/routes/api/documents.ts", koa)
    fastify = (
        'import Fastify from "fastify";\n'
        "const server = Fastify();\n"
        'server.get("/ping", { schema: {} }, async (req, reply) => "pong");\n'
        'server.post("/things", { schema, handler });\n'
    )
    got = _routes("src/server.ts", fastify)
    assert ("entrypoint.http", "/ping") in got
    assert ("entrypoint.http", "/things") in got
    hono = (
        'import { Hono } from "hono";\nconst app = new Hono();\n'
        'app.get("/a", (c) => c.text("a"));\n'
    )
    assert ("entrypoint.http", "/a") in _routes("src/index.ts", hono)


def test_axios_ky_instances_and_fetcher_wrappers_are_clients() -> None:
    code = (
        'import axios from "axios";\n'
        'import ky from "ky";\n'
        'const http = axios.create({ baseURL: "/api" });\n'
        'const kyApi = ky.create({ prefixUrl: "/api" });\n'
        'export const getUser = (id) => http.get("/users", { params: { id } });\n'
        'export const save = () => kyApi.post("/save", { json: {} });\n'
        'export const blocked = () => apiFetcher.get("/blocked");\n'
        "export const last = (max) => apiFetcher.get(`/last/${max}`);\n"
        'export const logout = () => apiFetcher.post("/logout");\n'
    )
    assert _routes("src/lib/api.js", code) == []


def test_client_post_with_params_is_a_client_call() -> None:
    code = (
        'import { client } from "~/utils/ApiClient";\n'
        "export async function fetchAuth(params) {\n"
        '  const res = await client.post("/auth.info", params);\n'
        '  await this.client.post("/documents.list", { limit: 25 });\n'
        '  await http.put("/things", body);\n'
        "  return res;\n"
        "}\n"
    )
    assert _routes("src/stores/AuthStore.ts", code) == []


def test_files_under_a_browser_folder_yield_no_routes_unless_they_make_a_server() -> None:
    code = 'router.get("/x", handler);\nsomething.post("/y", onSave);\n'
    assert _routes("frontend/app/common/routes.ts", code) == []
    assert _routes("src/components/List.tsx", code) == []
    server = 'const express = require("express");\nconst app = express();\napp.get("/x", h);\n'
    assert ("entrypoint.http", "/x") in _routes("web/server.js", server)


def test_a_handler_named_like_data_getter_is_still_a_handler() -> None:
    code = 'router.get("/data", getData);\nrouter.get("/export", exportData);\n'
    got = _routes("src/routes.js", code)
    assert ("route.handler", "GET /data") in got
    assert ("route.handler", "GET /export") in got


def test_a_browser_file_without_a_server_word_makes_requests_only() -> None:
    code = 'const api = makeApi();\napi.get("/items", (req, res) => res.send());\n'
    assert client_call_starts(code, browser=True) == {code.index(".get")}
    served = 'import express from "express";\n' + code
    assert client_call_starts(served, browser=True) == frozenset()


def test_a_typed_client_call_is_no_route_and_a_typed_route_is() -> None:
    # `api.post<Page>("/pages/create", data)` is a request; `router.get<P, B>('/x', h)` in
    # a server file is a route, the generic read past on both.
    client = (
        'import api from "@/lib/api-client";\n'
        'export const create = (data) => api.post<Page>("/pages/create", data);\n'
    )
    assert _routes("src/features/page-service.ts", client) == []
    server = (
        'import { Router } from "express";\n'
        "const router = Router();\n"
        "router.get<Record<string, unknown>, List>('/items', listItems);\n"
    )
    assert ("entrypoint.http", "/items") in _routes("server/routes/items.ts", server)
