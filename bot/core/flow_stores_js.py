"""JavaScript/TypeScript store calls (`flow_stores`): Prisma clients by any name, TypeORM,
MikroORM, Drizzle, Kysely, Knex, Mongoose, SQL and Redis clients, the MongoDB driver.

A receiver's library is where its value comes from (`_origin`): the library's import, a
module-level `new Pool()`, or a value another module builds (`export const db =
drizzle(…)`, `export default knex(…)`), followed through at most `MAX_ORIGIN_DEPTH` modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.core import store_ops as ops
from bot.core.call_sites import Call, FileCalls, Sink
from bot.core.model import FileFacts


class StoreCalls(Protocol):
    """What the language matchers use of `flow_stores.StoreCalls`."""

    facts: Mapping[str, FileFacts]

    def calls(self, path: str) -> FileCalls | None: ...
    def module_of(self, path: str, spec: str) -> str | None: ...
    def uses(self, specs: tuple[str, ...]) -> bool: ...
    def sink(self, call: Call, label: str, store: str, what: str) -> Sink: ...


MAX_ORIGIN_DEPTH = 2  # modules followed to the one that builds a client
_PREFIXES = tuple(p for p, _ in ops.JS_PREFIXED)


class JsStores:
    def __init__(self, core: StoreCalls):
        self.core = core
        # Asked again for each store call a walk meets: a file's answers, once each (the
        # file's calls are kept beside them, so an entry is only read for the same object).
        self._origins: dict[tuple[str, str, int], tuple[FileCalls, str]] = {}
        self._made: dict[str, tuple[FileCalls, str]] = {}

    def sink(self, path: str, f: FileFacts, fc: FileCalls, call: Call) -> Sink | None:
        parts = call.parts
        this = parts[0] == "this" and len(parts) > 1
        head, rest = (parts[1], parts[2:]) if this else (parts[0], parts[1:])
        typed = self._field_type(fc, call, head) if this else ""
        origin = _js_spec(fc, typed) if this else self._origin(path, fc, head, 0)
        found = self._library(path, fc, call, head, rest, origin, typed)
        if found is None:
            return None
        label, store = found
        what = ".".join((head, *rest)) if rest else f"{head}(…)"
        return self.core.sink(call, label, store, what)

    def _library(
        self,
        path: str,
        fc: FileCalls,
        call: Call,
        head: str,
        rest: tuple[str, ...],
        origin: str,
        typed: str,
    ) -> tuple[str, str] | None:
        """(library label, store) of a call that reads or writes a store, else None."""
        uses = self.core.uses
        op = call.parts[-1]
        first = rest[0] if rest else ""
        if origin == "@prisma/client" or ("prisma" in head.lower() and uses(("@prisma/client",))):
            model_op = len(rest) == 2 and op in ops.PRISMA_OPS_JS
            return ("Prisma", "") if model_op or first in ops.PRISMA_CLIENT_OPS else None
        if uses(("typeorm",)) and _typeorm(head, rest, op, origin, typed):
            return ("TypeORM", "")
        mikro = origin.startswith("@mikro-orm/") or typed in ops.MIKRO_TYPES
        if rest and op in ops.MIKRO_OPS and uses(("@mikro-orm/",)) and (mikro or head == "em"):
            return ("MikroORM", "")
        if origin.startswith("drizzle-orm") and first in ops.DRIZZLE_OPS:
            return ("Drizzle", "")
        if first in ops.KYSELY_OPS and uses(("kysely",)):
            return ("Kysely", "")
        label, store = ops.JS_CLIENTS.get(origin, ("", ""))
        if origin == "knex" and (not rest or first in ops.KNEX_OPS):
            return (label, store)
        if store == "Redis" and first.lower() in ops.REDIS_OPS:
            return (label, store)
        if store == "Meilisearch" and first in ops.SEARCH_CLIENT_OPS:
            return (label, store)
        sql_ops = ops.SQLITE_CLIENT_OPS if store == "SQLite" else ops.SQL_CLIENT_OPS
        if store in ops.SQL_STORES and first in sql_ops:
            return (label, store)
        if len(call.parts) == 2 and uses(("mongoose",)):
            if op in ops.MONGOOSE_OPS and self._mongoose_model(path, fc, head):
                return ("Mongoose", "MongoDB")
            made = call.made_by[0] if call.made_by else (call.head_type or ("", ""))[1]
            if op in ops.DOC_OPS and made and self._mongoose_model(path, fc, made):
                return ("Mongoose", "MongoDB")
        if rest and op in ops.MONGO_DRIVER_OPS and uses(("mongodb",)):
            return ("MongoDB driver", "MongoDB")
        if rest and ops.redis_name(head) and op.lower() in ops.REDIS_OPS:
            return (
                ("Redis client", "Redis") if uses(("ioredis", "redis", "@redis/client")) else None
            )
        return None

    def _field_type(self, fc: FileCalls, call: Call, name: str) -> str:
        """The declared type of `this.<name>` (`Repository<User>` → `Repository`)."""
        owner = call.head_type[1] if call.head_type is not None else ""
        return next((t for o, fld, _, t in fc.fields if o == owner and fld == name), "")

    def _origin(self, path: str, fc: FileCalls, name: str, depth: int) -> str:
        """The library a value `name` of `path` comes from: an import of the library, a
        module-level `new Pool()`, a value another module builds from one (`export const db
        = drizzle(pool)`, `module.exports = knex(config)`), else ""."""
        key = (path, name, depth)
        known = self._origins.get(key)
        if known is not None and known[0] is fc:
            return known[1]
        found = self._find_origin(path, fc, name, depth)
        self._origins[key] = (fc, found)
        return found

    def _find_origin(self, path: str, fc: FileCalls, name: str, depth: int) -> str:
        for o, fld, _, typ in fc.fields:
            if o == "" and fld == name:
                return _js_spec(fc, typ)
        for local, spec, imported in fc.imports:
            if local != name:
                continue
            if _store_spec(spec) or not spec.startswith("."):
                found_spec = _store_spec(spec)
                # a workspace package or a path alias (`@acme/search/client`, `@/lib/db`)
                # is a module of the repository like a relative one
                if found_spec or self.core.module_of(path, spec) is None:
                    return found_spec
            target = self.core.module_of(path, spec)
            found = self.core.calls(target) if target is not None else None
            if found is None or depth >= MAX_ORIGIN_DEPTH or target is None:
                return ""
            inner = found.default_export if imported == "default" else imported
            if inner in found.classes or any(fn.qual == inner for fn in found.funcs):
                return ""  # a function or class of the module, not a value it built
            deeper = self._origin(target, found, inner, depth + 1) if inner else ""
            if deeper:
                return deeper
            libs = [_store_spec(r.spec) for r in self.core.facts[target].imports]
            return next((s for s in libs if s), "")
        if name in fc.classes or any(fn.qual == name for fn in fc.funcs):
            return ""
        made = self._made.get(path)
        if made is None or made[0] is not fc:
            made = (fc, _made_here(fc))
            self._made[path] = made
        return made[1]

    def _mongoose_model(self, path: str, fc: FileCalls, name: str) -> bool:
        """`User` is a Mongoose model: capitalised, imported from (or declared in) a module
        that imports mongoose."""
        if not name[:1].isupper():
            return False
        if name in fc.classes or any(fn.qual == name for fn in fc.funcs):
            return False
        for local, spec, _ in fc.imports:
            if local == name and spec.startswith("."):
                target = self.core.module_of(path, spec)
                f = self.core.facts.get(target) if target is not None else None
                return f is not None and any(r.spec == "mongoose" for r in f.imports)
        own = self.core.facts.get(path)
        return (
            own is not None
            and any(r.spec == "mongoose" for r in own.imports)
            and not any(local == name for local, _, _ in fc.imports)
        )


def _js_spec(fc: FileCalls, typ: str) -> str:
    """The store library a JS type name is imported from (`Pool` → pg)."""
    for local, spec, _ in fc.imports:
        if local == typ:
            return _store_spec(spec)
    return ""


def _store_spec(spec: str) -> str:
    """`spec` when it is a store library the tables know (drizzle and MikroORM by prefix)."""
    if spec in ops.JS_CLIENTS or spec in ("typeorm", "mongoose", "kysely"):
        return spec
    return spec if spec.startswith(_PREFIXES) else ""


def _typeorm(head: str, rest: tuple[str, ...], op: str, origin: str, typed: str) -> bool:
    """`getRepository(Item)`, or an op on a value typed or named as a TypeORM repository or
    entity manager (a field typed by one of the repository's own classes is not)."""
    if op in ("getRepository", "getCustomRepository", "getMongoRepository"):
        return True
    if not rest or op not in ops.TYPEORM_OPS:
        return False
    if origin == "typeorm" or typed in ops.TYPEORM_TYPES:
        return True
    return not typed and not origin and head.endswith(("Repository", "manager", "Manager"))


def _made_here(fc: FileCalls) -> str:
    """The one store library whose factory the module calls at its top level (`const client
    = createClient()`, `const pool = mysql.createPool(…)`): the client a local name holds
    there (the reader keeps no assignment that is not a `new`)."""
    specs = {local: _store_spec(spec) for local, spec, _ in fc.imports}
    made = {specs[c.parts[0]] for c in fc.calls if not c.scope and specs.get(c.parts[0])}
    return made.pop() if len(made) == 1 else ""
