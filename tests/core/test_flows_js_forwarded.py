"""Next.js route files that hand their handler on (`export const POST = answer`, `export { h
as default } from …`, `export default h`) and package barrels that re-export more than a
dozen modules: a route's flow walks into the handler, through the barrel, to where data
leaves. A small Next.js app written for these tests, analysed for real."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Flow, RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

PACKAGE = b'{"name": "desk", "dependencies": {"next": "14", "react": "18"}}\n'


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def reaching(facts: RepoFacts, entry: str, host: str) -> list[Flow]:
    return [
        f for f in facts.flows if f.hops[0].path == entry and any(host in s.what for s in f.sinks)
    ]


def _barrel(count: int, at: int) -> dict[str, bytes]:
    """`lib/index.ts` re-exporting `count` modules, `intake` the one at position `at`."""
    files: dict[str, bytes] = {}
    lines = []
    for i in range(count):
        name = "usage" if i == at else f"part{i}"
        lines.append(f'export * from "./{name}";\n')
        if i != at:
            files[f"lib/{name}.ts"] = f"export function helper{i}() {{ return {i}; }}\n".encode()
    files["lib/index.ts"] = "".join(lines).encode()
    files["lib/usage.ts"] = (
        b"export async function intake(batch: unknown) {\n"
        b'  await fetch("https://events.example.org/v1/batch", {\n'
        b'    method: "POST", body: JSON.stringify(batch) });\n'
        b"}\n"
    )
    return files


def test_a_route_reaches_a_function_past_the_first_dozen_of_its_barrel() -> None:
    files = {"package.json": PACKAGE, **_barrel(20, 15)}
    files["pages/api/events.ts"] = (
        b'import { intake } from "../../lib";\n'
        b"\n"
        b"export default async function handler(req: any, res: any) {\n"
        b"  await intake(req.body);\n"
        b"  res.status(207).end();\n"
        b"}\n"
    )
    found = reaching(facts_of(files), "pages/api/events.ts", "events.example.org")
    assert found
    hops = [(h.path, h.line, h.what) for h in found[0].hops]
    assert ("pages/api/events.ts", 4, "calls usage.intake") in hops


def test_an_app_route_that_exports_an_imported_handler_walks_into_it() -> None:
    files = {
        "package.json": PACKAGE,
        "app/api/chat/route.ts": (
            b'import answer from "../../../server/answer";\n'
            b"\n"
            b'export const dynamic = "force-dynamic";\n'
            b"export const POST = answer;\n"
        ),
        "server/answer.ts": (
            b'import { relay } from "./relay";\n'
            b"\n"
            b"export default async function answer(req: Request) {\n"
            b"  return relay(await req.text());\n"
            b"}\n"
        ),
        "server/relay.ts": (
            b"export async function relay(text: string) {\n"
            b'  return fetch("https://complete.example.org/v1/reply", {\n'
            b'    method: "POST", body: text });\n'
            b"}\n"
        ),
    }
    found = reaching(facts_of(files), "app/api/chat/route.ts", "complete.example.org")
    assert found
    step = found[0].hops[1]
    assert (step.path, step.line) == ("app/api/chat/route.ts", 1)
    assert step.what == "imports ../../../server/answer"
    # by calls into the handler, not through its imports
    assert ("server/answer.ts", 4, "calls relay.relay") in [
        (h.path, h.line, h.what) for h in found[0].hops
    ]


def test_a_pages_route_that_re_exports_a_wrapped_handler_walks_its_module() -> None:
    files = {
        "package.json": PACKAGE,
        "pages/api/items/[id].ts": (
            b'export { itemHandler as default } from "../../../server/items";\n'
        ),
        "server/stock.ts": (
            b"export async function lookup(id: string) {\n"
            b'  return fetch("https://stock.example.org/items/" + id);\n'
            b"}\n"
        ),
        "server/items.ts": (
            b'import { lookup } from "./stock";\n'
            b"function withAuth(methods: Record<string, any>) {\n"
            b"  return (req: any, res: any) => methods[req.method](req, res);\n"
            b"}\n"
            b"\n"
            b"const getItem = async (req: any, res: any) => {\n"
            b"  res.json(await lookup(req.query.id));\n"
            b"};\n"
            b"\n"
            b"export const itemHandler = withAuth({ GET: getItem });\n"
        ),
    }
    found = reaching(facts_of(files), "pages/api/items/[id].ts", "stock.example.org")
    assert found
    assert found[0].hops[1].what == "imports ../../../server/items"
    assert ("server/items.ts", 7, "calls stock.lookup") in [
        (h.path, h.line, h.what) for h in found[0].hops
    ]


def test_a_route_with_code_of_its_own_does_not_walk_what_it_only_imports() -> None:
    # Look-alike: the route defines its handler; an import it never calls is no step.
    files = {
        "package.json": PACKAGE,
        "pages/api/ping.ts": (
            b'import { report } from "../../server/report";\n'
            b"\n"
            b"export default function handler(req: any, res: any) {\n"
            b"  res.json({ ok: true });\n"
            b"}\n"
        ),
        "server/report.ts": (
            b"export async function report() {\n"
            b'  await fetch("https://metrics.example.org/v1/report");\n'
            b"}\n"
        ),
    }
    facts = facts_of(files)
    assert not [
        f
        for f in facts.flows
        if f.hops[0].path == "pages/api/ping.ts"
        and any("metrics.example.org" in s.what for s in f.sinks)
        and any(h.what.startswith("calls ") for h in f.hops)
    ]


def test_a_name_no_barrel_module_exports_stays_unresolved() -> None:
    # Look-alike: the barrel has twenty modules, none defines `missing`.
    files = {"package.json": PACKAGE, **_barrel(20, 19)}
    files["pages/api/none.ts"] = (
        b'import { missing } from "../../lib";\n'
        b"\n"
        b"export default async function handler(req: any, res: any) {\n"
        b"  await missing(req.body);\n"
        b"}\n"
    )
    # (The walk through imports may still pass the barrel: no call is said to reach it.)
    found = reaching(facts_of(files), "pages/api/none.ts", "events.example.org")
    assert not [h for f in found for h in f.hops if h.what.startswith("calls ")]


def test_huge_and_cyclic_barrels_stay_bounded() -> None:
    # Hostile: a barrel of thousands of re-exports, two barrels exporting each other and
    # itself, and a route asking them for names none defines.
    lines = "".join(f'export * from "./m{i}";\n' for i in range(4000))
    files = {
        "package.json": PACKAGE,
        "lib/index.ts": (lines + 'export * from "./index";\nexport * from "./other";\n').encode(),
        "lib/other.ts": b'export * from "./index";\nexport * from "./other";\n',
        "pages/api/loop.ts": (
            b'import { a, b, c } from "../../lib";\n'
            b"\n"
            b"export default async function handler(req: any, res: any) {\n"
            b"  await a(); await b(); await c();\n"
            b"}\n"
        ),
        "pages/api/shim.ts": b'export { z as default } from "../../lib";\n',
    }
    began = time.monotonic()
    facts = facts_of(files)
    assert time.monotonic() - began < 20
    assert not [f for f in facts.flows if f.sinks[0].what.startswith("sends ")]
