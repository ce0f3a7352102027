"""Where a call reads or writes a datastore through its library (issue 18): ORMs, query
builders, drivers and clients beyond those `flow_calls` and `flow_rails` know (SQLAlchemy
sessions by any name, Peewee/Tortoise/SQLModel/Django models, DB-API cursors, pymongo,
redis-py, Elasticsearch; Prisma clients by any name, TypeORM, Mongoose, Knex, Drizzle,
Kysely, MikroORM, pg/mysql2/SQLite clients, Redis and MongoDB drivers; GORM, sqlx, pgx,
ent, bun, goqu, sqlc, mongo-driver, go-redis; Sequel, ROM, raw SQL and Redis in Ruby).

A call is a sink only when its receiver is seen to come from the library: its declared
type, the import or the module that built it, a model class of the ORM, or a name the
library's users give it in a repository that uses the library. The operations per library
are tables (`store_ops`). The sink names the store: the library's own (Redis, MongoDB), the
driver's, else the SQL store the repository's datastore facts name (`name_stores`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.core import store_ops as ops
from bot.core.call_sites import Call, FileCalls, Sink
from bot.core.flow_models import Defines, PyModels
from bot.core.flow_stores_go import GoStores
from bot.core.flow_stores_js import JsStores
from bot.core.model import FileFacts

ModuleOf = Callable[[str, str], "str | None"]  # (importing file, spec) → file


class StoreCalls:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        calls: Callable[[str], FileCalls | None],
        module_of: ModuleOf,
        skip: Callable[[str], bool] = lambda _: False,
        defines: Defines | None = None,
    ):
        self.facts = facts
        self.calls = calls
        self.module_of = module_of
        self.skip = skip
        self.defines = defines  # names a file's class lines may define (`class_heads`)
        self.sql = ""  # the repository's SQL store, from its datastore facts
        self._libs: frozenset[str] | None = None
        self._models: PyModels | None = None
        self._uses: dict[tuple[str, ...], bool] = {}
        self.js = JsStores(self)
        self.go = GoStores(self)

    def name_stores(self, names: list[str]) -> None:
        """The SQL store the datastore facts name (`PostgreSQL` from the Prisma datasource)."""
        self.sql = next((n for n in ops.SQL_STORES if n in names), "")

    def libs(self) -> frozenset[str]:
        """Every import spec and declared dependency of the repository (and each Python
        spec's top package): whether it uses a library at all."""
        if self._libs is None:
            found: set[str] = set()
            for f in self.facts.values():
                for ref in f.imports:
                    found.add(ref.spec)
                    found.add(ref.spec.partition(".")[0])
                found.update(d.name for d in f.dependencies)
            self._libs = frozenset(found)
        return self._libs

    def uses(self, specs: tuple[str, ...]) -> bool:
        # Asked for every call a walk meets, of a few fixed tables: answered once each.
        used = self._uses.get(specs)
        if used is None:
            libs = self.libs()
            used = any(s in libs or (s.endswith("/") and _prefixed(libs, s)) for s in specs)
            self._uses[specs] = used
        return used

    def sink(self, call: Call, label: str, store: str, what: str) -> Sink:
        """A datastore sink named for its store (SQL: the driver's, else the repository's)."""
        if store in ("", "SQL"):
            named = store == "" and self.sql
            name = self.sql if named else f"database ({label})"
            text = f"queries the {self.sql} database" if named else "queries the database"
            return Sink("datastore", name, call.line, f"{text} ({label} {what})")
        if store in ops.SQL_STORES:
            return Sink(
                "datastore", store, call.line, f"queries the {store} database ({label} {what})"
            )
        return Sink("datastore", store, call.line, f"queries {store} ({label} {what})")

    def named(self, sinks: list[Sink]) -> list[Sink]:
        """`flow_calls`' own queries (`queries the database (Order.objects.get)`) with the
        repository's SQL store in their text, when its facts name one."""
        if not self.sql:
            return sinks
        plain = "queries the database ("
        return [
            replace(s, what=f"queries the {self.sql} database (" + s.what[len(plain) :])
            if s.what.startswith(plain)
            else s
            for s in sinks
        ]

    def sinks(self, path: str, fc: FileCalls, scope: str) -> list[Sink]:
        """The first store call of `scope`."""
        f = self.facts.get(path)
        if f is None:
            return []
        match = {
            "python": self._python,
            "javascript": self.js.sink,
            "typescript": self.js.sink,
            "go": self.go.sink,
            "ruby": self._ruby,
        }.get(f.language)
        if match is None:
            return []
        for call in fc.calls_in(scope):
            found = match(path, f, fc, call)
            if found is not None:
                return [found]
        return []

    # --- Python ---------------------------------------------------------------------------

    def _python(self, path: str, f: FileFacts, fc: FileCalls, call: Call) -> Sink | None:
        parts = call.parts
        if len(parts) < 2:
            return None
        op, recv = parts[-1], parts[-2]
        typ = call.head_type[1] if call.head_type is not None and len(parts) == 2 else ""
        what = ".".join(parts[-2:])
        if self.uses(ops.SQLALCHEMY_SPECS) and (
            (
                op in ops.SESSION_OPS
                and (recv.lower().endswith("session") or typ in ops.SESSION_TYPES)
            )
            or (op in ops.SESSION_TYPED_OPS and typ in ops.SESSION_TYPES)
        ):
            return self.sink(call, "SQLModel" if op == "exec" else "SQLAlchemy", "", what)
        models = self.models
        if len(parts) == 2 and op in ops.MODEL_OPS and (label := models.label(recv)):
            return self.sink(call, label, "", what)
        if op in ops.INSTANCE_OPS and len(parts) == 2:
            made = call.made_by[0] if call.made_by else typ
            if label := models.label(made):
                return self.sink(call, label, "", f"{made}.{op}")
        if op in ops.DBAPI_OPS and _dbapi_name(recv, call.made_by):
            store = self._driver(f)
            if store:
                return self.sink(call, "DB-API", store, what)
        for lib in ops.PY_LIBS:
            if not self.uses(lib.specs):
                continue
            if lib.store == "Redis":
                maker = call.made_by[-1] if call.made_by else ""
                client = ops.redis_name(recv) or typ in ("Redis", "StrictRedis")
                client = client or maker in ("Redis", "StrictRedis", "from_url")
                if client and op.lower() in ops.REDIS_OPS:
                    return self.sink(call, lib.label, lib.store, what)
            elif op in lib.ops and (lib.store == "MongoDB" or _search_name(recv, typ, f, lib)):
                return self.sink(call, lib.label, lib.store, what)
        return None

    def _driver(self, f: FileFacts) -> str:
        """The SQL store of the DB-API driver the file imports, else the repository's."""
        for ref in f.imports:
            store = ops.DRIVER_STORES.get(ref.spec.partition(".")[0])
            if store and ref.spec.partition(".")[0] in _PY_DRIVERS:
                return store
        used = [ops.DRIVER_STORES[d] for d in _PY_DRIVERS if d in self.libs()]
        return used[0] if used else ""

    @property
    def models(self) -> PyModels:
        """The repository's Python model classes, answered a name at a time (`flow_models`)."""
        if self._models is None:
            self._models = PyModels(self.facts, self.calls, self.skip, self.libs(), self.defines)
        return self._models

    # --- Ruby -----------------------------------------------------------------------------

    def _ruby(self, path: str, f: FileFacts, fc: FileCalls, call: Call) -> Sink | None:
        parts = call.parts
        if len(parts) < 2:
            return None
        recv, op = parts[-2], parts[-1]
        what = f"{recv}.{op}"
        if recv.endswith(".connection") and op in ops.RAW_SQL_OPS:
            return self.sink(call, "Active Record", "", what)
        sequel = recv == "DB" or recv.startswith("DB[")  # Sequel's database constant
        if sequel and op in ops.SEQUEL_OPS and self.uses(("sequel",)):
            return self.sink(call, "Sequel", "", what)
        repo = recv.lower().endswith(("repo", "repository"))
        repo = repo or call.root.endswith(("Repo", "Repository"))
        if repo and op in ops.ROM_OPS and self.uses(("rom", "rom-repository", "rom-sql")):
            return self.sink(call, "ROM", "", what)
        redis = recv in ops.RUBY_REDIS or ops.redis_name(recv)
        if redis and op in ops.REDIS_OPS and self.uses(("redis",)):
            return self.sink(call, "redis-rb", "Redis", what)
        return None


_PY_DRIVERS = (
    "sqlite3",
    "aiosqlite",
    "psycopg",
    "psycopg2",
    "asyncpg",
    "pymysql",
    "MySQLdb",
    "aiomysql",
)


def _prefixed(libs: frozenset[str], prefix: str) -> bool:
    return any(x.startswith(prefix) for x in libs)


def _search_name(recv: str, typ: str, f: FileFacts, lib: ops.StoreLib) -> bool:
    """`es`, `self.elastic`, `search_client`: a search client by its name or type (a bare
    `client` in a file that imports the library)."""
    low = recv.lower()
    if typ in ops.SEARCH_TYPES or low == "es" or "elastic" in low or "search" in low:
        return True
    return low == "client" and any(r.spec.partition(".")[0] in lib.specs for r in f.imports)


def _dbapi_name(recv: str, made_by: tuple[str, ...]) -> bool:
    """`cur`, `cursor`, `self.conn`, `db_connection`, or a value a `connect()`/`cursor()` made."""
    low = recv.lower()
    if low in ops.DBAPI_NAMES or low.endswith(("cursor", "_cur", "conn", "connection")):
        return True
    return bool(made_by) and made_by[-1] in ops.DBAPI_MAKERS
