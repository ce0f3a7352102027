"""Where a JS/TS framework runs a handler it finds by convention, not by a route call
(issue 18 item 3): each is an `entrypoint.http` signal at the handler's line, so the flows
start there.

* Remix and React Router: a route module's `export async function action`/`loader`.
* Next.js server actions: a `"use server"` module's exported async functions.
* SvelteKit: `export const POST = …` in `+server.ts` (the route-handler rule in
  `javascript.RULES` already reads it; `$lib` imports resolve in `resolve.py`).
* tRPC: a procedure's resolver, `.mutation(async ({ input, ctx }) => …)` (the destructured
  `input`/`ctx` tells it from a query builder's `.query(`).
* Fastify and hapi route objects: `.route({ method, url, handler: async (request) => … })`.
* GraphQL resolver maps: `Mutation: {` and `Query: {` objects (Apollo, GraphQL Yoga, Mercurius).

Linear patterns: every repetition is bounded or possessive.
"""

from __future__ import annotations

from bot.core.analysis.scan import rule

# The line start looked behind after the literal: a leading `^` (re.M) is tried at every
# position of every file holding "export" (~5x slower on docmost, the same matches).
_EXPORTED = r"export(?<=^export)\s++(?:async\s++)?function\s++"
JS_START_RULES = (
    rule(
        "export",
        _EXPORTED + r"(?:action|loader|clientAction)\b",
        "entrypoint.http",
        "route module action",
    ),
    rule(
        "use server",
        # At a module's top, each exported async function is an action a form or a client
        # component posts to; inside a function, that function is one.
        r"^[ \t]*+[\"']use server[\"']",
        "entrypoint.http",
        "server actions",
    ),
    rule(
        "rocedure",  # `publicProcedure`, `protectedProcedure`, `t.procedure`
        r"\.(?:mutation|query|subscription)\(\s*+(?:async\s++)?\(\s*+\{[^}\n]{0,200}?\b"
        r"(?:input|ctx)\b",
        "entrypoint.http",
        "tRPC procedure",
    ),
    rule(
        # Fastify's and hapi's route objects: `server.route({ method, url, handler: async
        # (request) => … })` (the trigger keeps other objects' `handler:` out).
        ".route(",
        r"^[ \t]*+handler\s*+:\s*+(?:async\s++)?(?:function\b|\([^()\n]{0,200}\)\s*+=>)",
        "entrypoint.http",
        "route object handler",
    ),
    rule(
        "Mutation",
        # Its first member is a function (`createX: async (`, `createX(`), not a type
        # (`createX?: Resolver<…>` in generated typings).
        r"^[ \t]*+(?:Mutation|Query|Subscription)\s*+:\s*+\{[ \t]*+\n[ \t]*+"
        r"(?:async[ \t]++)?[A-Za-z_$][\w$]{0,80}+\s*+(?:\(|:\s*+(?:async\b|function\b|\())",
        "entrypoint.http",
        "GraphQL resolvers",
    ),
)
