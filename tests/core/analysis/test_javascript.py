"""The JavaScript/TypeScript extractor on hand-written files."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.analysis import javascript
from bot.core.analysis.javascript import (
    JavaScriptExtractor,
    TypeScriptExtractor,
    extract_javascript,
    strip_comments,
)

TRICKY = """\
import React from 'react';
import {
  a,
  b as c,
} from "./local/util";
import type { Props } from '@/types';
import * as path from "node:path";
import './styles.css';
export { x } from "../shared/x";
export * from './all';
const fs = require('fs');
const dyn = require("plugins/" + name);
const lazy = await import('./lazy.js');
// import commented from 'commented';
/* const x = require('block-commented');
   import y from 'also-commented'; */
const url = "http://example.com/import x from 'not-a-comment'";
"""


def refs(text: str) -> list[tuple[str, int, str]]:
    return [(r.spec, r.line, r.kind) for r in extract_javascript(text).imports]


def test_every_import_form_with_lines_and_comments_ignored() -> None:
    got = refs(TRICKY)
    assert ("react", 1, "import") in got
    assert ("./local/util", 5, "import") in got  # the line that names the module
    assert ("@/types", 6, "import") in got
    assert ("node:path", 7, "import") in got
    assert ("./styles.css", 8, "import") in got
    assert ("../shared/x", 9, "export") in got
    assert ("./all", 10, "export") in got
    assert ("fs", 11, "require") in got
    assert ("./lazy.js", 13, "dynamic") in got
    specs = {s for s, _, _ in got}
    assert not specs & {"commented", "block-commented", "also-commented"}
    # concatenated specifiers are dynamic: nothing is claimed
    assert not any(s.startswith("plugins") for s in specs)


def test_comment_markers_inside_strings_do_not_hide_code() -> None:
    text = "const u = 'http://x';\nconst y = require('after-url');\n"
    assert refs(text) == [("after-url", 2, "require")]


def test_environment_reads() -> None:
    text = (
        "const a = process.env.DATABASE_URL;\n"
        "const b = process.env['REDIS_URL'];\n"
        "const { STRIPE_KEY, PORT: port = 3000 } = process.env;\n"
        "const c = import.meta.env.VITE_API;\n"
        "// process.env.COMMENTED\n"
    )
    env = {(e.name, e.line) for e in extract_javascript(text).env}
    assert env == {
        ("DATABASE_URL", 1),
        ("REDIS_URL", 2),
        ("STRIPE_KEY", 3),
        ("PORT", 3),
        ("VITE_API", 4),
    }


def test_express_routes_workers_and_schedulers() -> None:
    text = (
        "const app = express();\n"
        "app.get('/users', handler);\n"
        'router.post("/webhooks/stripe", hook);\n'
        "cache.get('key');\n"
        "new Worker('emails', async job => {});\n"
        "cron.schedule('0 * * * *', run);\n"
        "Sentry.init({ dsn });\n"
    )
    found = {(s.kind, s.name, s.line, s.detail) for s in extract_javascript(text).signals}
    assert found == {
        ("entrypoint.http", "Express app", 1, ""),
        ("entrypoint.http", "HTTP route", 2, "/users"),
        ("entrypoint.webhook", "HTTP route", 3, "/webhooks/stripe"),
        ("entrypoint.worker", "BullMQ worker", 5, ""),
        ("entrypoint.scheduler", "cron", 6, ""),
        ("observability.errors", "Sentry", 7, ""),
        ("route.handler", "GET /users", 2, "handler"),  # the function each route runs
        ("route.handler", "POST /webhooks/stripe", 3, "hook"),
    }


def test_typescript_routes_typed_with_generics_are_routes() -> None:
    # `router.get<Params, Body>(` with the path on the next line is a route; a typed cache
    # lookup with a key that is not a path is not, and a generic that never closes is read
    # past within its bound.
    text = (
        "routes.get<Record<string, unknown>, ListResponse>(\n"
        "  '/',\n"
        "  async (req, res) => {});\n"
        "routes.post<{ id: string }>('/items/:id', save);\n"
        "cache.get<Item>('key');\n"
        "x.get<" + "A," * 400 + "('/never');\n"
    )
    found = {(s.kind, s.name, s.line, s.detail) for s in extract_javascript(text).signals}
    routes = {(line, detail) for kind, _n, line, detail in found if kind == "entrypoint.http"}
    assert routes == {(1, "/"), (4, "/items/:id")}


def test_the_file_that_starts_the_app_is_an_http_entry_point() -> None:
    # The boilerplate shape: app.js builds the app, index.js connects the database and
    # listens; without the second entry no flow starts where the process does.
    text = (
        "const app = require('./app');\n"
        "db.connect(url).then(() => {\n"
        "  server = app.listen(port, () => log('up'));\n"
        "});\n"
        "myapp.listen(1);\n"
        "app.listener(2);\n"
    )
    found = {(s.kind, s.name, s.line) for s in extract_javascript(text).signals}
    assert found == {("entrypoint.http", "HTTP server", 3)}


def test_next_route_handlers_and_shebang_scripts() -> None:
    handler = "export async function GET(request) {}\nexport const POST = async () => {};\n"
    found = {(s.kind, s.detail) for s in extract_javascript(handler).signals}
    assert found == {("entrypoint.http", "GET"), ("entrypoint.http", "POST")}
    script = "#!/usr/bin/env node\nconsole.log(1)\n"
    assert [s.kind for s in extract_javascript(script).signals] == ["entrypoint.cli"]


def test_js_and_ts_extractors_split_by_extension_and_skip_declarations() -> None:
    js, ts = JavaScriptExtractor(), TypeScriptExtractor()
    assert js.matches("a/b.mjs")
    assert js.matches("c.jsx")
    assert not js.matches("d.ts")
    assert ts.matches("a/b.tsx")
    assert not ts.matches("types.d.ts")
    assert ts.extract("x.ts", b"import a from 'a'\n").language == "typescript"


def test_methods_named_like_imports_are_not_imports() -> None:
    text = "loader.require('x');\nmyrequire('y');\nthis.import('z');\nrequire('real');\n"
    assert refs(text) == [("real", 4, "require")]


def _strip_every_token(text: str) -> str:
    """The reference reading: every token of the text, comments blanked."""

    def blank(m: re.Match[str]) -> str:
        return m.group() if m.group("c") is None else re.sub(r"[^\n]", " ", m.group())

    return javascript._TOKENS.sub(blank, text)


JS_PIECES = [
    "//", "/*", "*/", "/", '"', "'", "`", "\\", "\n", ";", "a", "\r\n", "é",
]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(JS_PIECES), max_size=40).map("".join))
def test_comments_found_without_reading_every_string_are_those_every_token_gives(
    text: str,
) -> None:
    assert strip_comments(text) == _strip_every_token(text)


def test_imports_carry_the_names_they_take_and_barrels_the_names_they_give() -> None:
    text = (
        "const { a, b: c } = require('./x');\n"
        "module.exports.auth = require('./auth');\n"
        "exports.y = require('./y');\n"
        "const z = require('./z');\n"
        "import { P, Q as R, type S } from './p';\n"
        "import D from './d';\n"
        "export { default as E, F } from './e';\n"
        "export * from './all';\n"
        "foo.exports.k = require('./k');\n"
    )
    found = {(r.spec, r.names, r.kind) for r in extract_javascript(text).imports}
    assert found == {
        ("./x", ("a", "b"), "require"),
        ("./auth", ("auth",), "export"),
        ("./y", ("y",), "export"),
        ("./z", (), "require"),
        ("./p", ("P", "Q", "S"), "import"),
        ("./d", (), "import"),
        ("./e", ("E", "F"), "export"),
        ("./all", (), "export"),
        ("./k", (), "require"),
    }
