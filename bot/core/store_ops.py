"""What a datastore library's calls are, as tables (issue 18): per library, the import specs
that show it, the store it writes to ("" for a SQL library: the repository's SQL store names
it) and the methods that read or write. `flow_stores` applies them to a file's calls.

Like CodeQL's framework models: the engine stays generic, a new library is a row.
"""

from __future__ import annotations

from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class StoreLib:
    label: str  # how the sink names the library: "redis-py", "GORM"
    store: str  # "Redis", "MongoDB"; "" for SQL (named by the repository's datastore facts)
    specs: tuple[str, ...]  # import specs (or their prefixes, ending in "/") that show it
    ops: frozenset[str]


LIBRARY_QUERY = " ("  # `queries <store> (<library label> <call>)`: a `flow_stores` sink


def is_store_call(what: str) -> bool:
    """A sink text `flow_stores` wrote (`queries Redis (redis-py r.hset)`), by its label."""
    if not what.startswith("queries "):
        return False
    inside = what.partition(LIBRARY_QUERY)[2]
    return inside.rpartition(" ")[0] in LABELS


SQL_STORES = ("PostgreSQL", "MySQL", "MariaDB", "SQLite")
# A SQL driver names its store itself.
DRIVER_STORES = {
    "sqlite3": "SQLite",
    "aiosqlite": "SQLite",
    "psycopg": "PostgreSQL",
    "psycopg2": "PostgreSQL",
    "asyncpg": "PostgreSQL",
    "pymysql": "MySQL",
    "MySQLdb": "MySQL",
    "aiomysql": "MySQL",
    "pg": "PostgreSQL",
    "postgres": "PostgreSQL",
    "mysql": "MySQL",
    "mysql2": "MySQL",
    "mysql2/promise": "MySQL",
    "better-sqlite3": "SQLite",
    "sqlite": "SQLite",
}

# --- Python ---------------------------------------------------------------------------------
SQLALCHEMY_SPECS = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy")
# A session's reads and writes (`exec` is SQLModel's); `get`/`delete` only on a typed session.
SESSION_OPS = _words("add add_all commit execute scalar scalars query merge flush exec refresh")
SESSION_TYPES = frozenset({"Session", "AsyncSession", "scoped_session"})
SESSION_TYPED_OPS = _words("get delete")
# Model classes' own queries, per ORM: Peewee, Tortoise, SQLModel/Flask-SQLAlchemy classes.
MODEL_OPS = _words(
    """
    create get get_or_none get_by_id get_or_create select insert insert_many update delete
    delete_by_id replace filter all exclude update_or_create bulk_create bulk_update
    """
)
# What a model instance does to its row (Django, Peewee, Tortoise, Mongo-like ODMs).
INSTANCE_OPS = _words("save delete delete_instance refresh_from_db update_from_dict")
# Base classes that make a model, by ORM (the file must import it for a bare `Model`).
MODEL_ROOTS = {
    "django": ("models.Model", "Django ORM"),
    "peewee": ("Model", "Peewee"),
    "tortoise": ("Model", "Tortoise ORM"),
    "sqlmodel": ("SQLModel", "SQLModel"),
    "flask_sqlalchemy": ("db.Model", "Flask-SQLAlchemy"),
}
DBAPI_OPS = _words(
    "execute executemany executescript fetch fetchrow fetchval copy_records_to_table"
)
# Names a DB-API connection or cursor goes by (`cur.execute`, `self.conn.execute`).
DBAPI_NAMES = ("cursor", "cur", "conn", "connection", "con", "db", "c")
DBAPI_MAKERS = frozenset({"cursor", "connect", "acquire", "get_connection", "get_db"})
PY_LIBS = (
    StoreLib(
        "pymongo",
        "MongoDB",
        ("pymongo", "motor", "motor.motor_asyncio"),
        _words(
            """
            insert_one insert_many find_one find_one_and_update find_one_and_delete
            find_one_and_replace update_one update_many delete_one delete_many replace_one
            count_documents bulk_write aggregate
            """
        ),
    ),
    StoreLib("redis-py", "Redis", ("redis", "redis.asyncio", "aioredis"), frozenset()),
    StoreLib(
        "Elasticsearch",
        "Elasticsearch",
        ("elasticsearch", "elasticsearch_dsl"),
        _words("index search bulk update delete_by_query update_by_query msearch"),
    ),
    StoreLib(
        "OpenSearch",
        "OpenSearch",
        ("opensearchpy",),
        _words("index search bulk update delete_by_query update_by_query msearch"),
    ),
)
# Redis commands, as redis-py, ioredis and go-redis (lower-cased) spell them.
REDIS_OPS = _words(
    """
    set get mset mget setex setnx getset hset hget hmset hmget hgetall hdel hincrby lpush
    rpush lpop rpop lrange ltrim sadd srem smembers sismember zadd zrem zrange zrangebyscore
    zrevrange incr incrby decr expire pexpire publish xadd xread xreadgroup pipeline del
    delete exists getdel
    """
)


def redis_name(name: str) -> bool:
    """A Redis client by its name: `redis`, `redis_client`, `$redis`; not `redis_config`
    or `REDIS_URL` (its settings)."""
    low = name.lower()
    return "redis" in low and not any(w in low for w in ("conf", "setting", "option", "url"))


SEARCH_TYPES = frozenset({"Elasticsearch", "AsyncElasticsearch", "OpenSearch", "AsyncOpenSearch"})

# --- JavaScript / TypeScript ----------------------------------------------------------------
PRISMA_CLIENT_OPS = _words(
    "$transaction $queryRaw $executeRaw $queryRawUnsafe $executeRawUnsafe $runCommandRaw"
)
TYPEORM_OPS = _words(
    """
    find findOne findOneBy findBy findAndCount findOneOrFail findOneByOrFail save insert
    update delete remove softDelete restore count countBy upsert increment decrement exist
    exists query createQueryBuilder preload
    """
)
TYPEORM_TYPES = frozenset(
    {"Repository", "EntityManager", "MongoRepository", "TreeRepository", "DataSource"}
)
MONGOOSE_OPS = _words(
    """
    find findOne findById create insertMany updateOne updateMany deleteOne deleteMany
    findOneAndUpdate findOneAndDelete findByIdAndUpdate findByIdAndDelete findByIdAndRemove
    countDocuments aggregate exists replaceOne bulkWrite distinct
    """
)
DOC_OPS = _words("save remove deleteOne")
KNEX_OPS = _words("raw transaction insert select where update del delete from table")
DRIZZLE_OPS = _words("insert select selectDistinct update delete query transaction execute")
KYSELY_OPS = _words("insertInto selectFrom updateTable deleteFrom replaceInto mergeInto")
MIKRO_OPS = _words(
    """
    persistAndFlush removeAndFlush flush persist findOne findOneOrFail find findAll
    findAndCount nativeInsert nativeUpdate nativeDelete count upsert
    """
)
MIKRO_TYPES = frozenset({"EntityManager", "EntityRepository", "SqlEntityManager", "MikroORM"})
SQL_CLIENT_OPS = _words("query execute transaction begin")  # pg, mysql2, postgres.js
SQLITE_CLIENT_OPS = _words("prepare exec run all get each transaction")  # (better-)sqlite3
MONGO_DRIVER_OPS = _words(
    """
    insertOne insertMany findOne updateOne updateMany deleteOne deleteMany replaceOne
    findOneAndUpdate findOneAndDelete countDocuments bulkWrite aggregate
    """
)
# Library spec → (label, store) of a client value a module builds from it.
JS_CLIENTS = {
    "knex": ("Knex", ""),
    "kysely": ("Kysely", ""),
    "pg": ("pg", "PostgreSQL"),
    "postgres": ("postgres.js", "PostgreSQL"),
    "mysql": ("mysql", "MySQL"),
    "mysql2": ("mysql2", "MySQL"),
    "mysql2/promise": ("mysql2", "MySQL"),
    "better-sqlite3": ("better-sqlite3", "SQLite"),
    "sqlite3": ("sqlite3", "SQLite"),
    "sqlite": ("sqlite", "SQLite"),
    "ioredis": ("ioredis", "Redis"),
    "redis": ("node-redis", "Redis"),
    "@redis/client": ("node-redis", "Redis"),
    "mongodb": ("MongoDB driver", "MongoDB"),
    "@prisma/client": ("Prisma", ""),
    "meilisearch": ("Meilisearch client", "Meilisearch"),
}
# A search engine's client: the index (or the search) a call goes through.
SEARCH_CLIENT_OPS = _words(
    "index getIndex createIndex updateIndex deleteIndex getIndexes multiSearch swapIndexes"
)
JS_PREFIXED = (("drizzle-orm", "Drizzle"), ("@mikro-orm/", "MikroORM"))

# --- Go -------------------------------------------------------------------------------------
GO_LIBS = (
    StoreLib(
        "GORM",
        "",
        ("gorm.io/gorm", "github.com/jinzhu/gorm"),
        _words(
            """
            Create Find First Last Take Where Save Delete Updates Update UpdateColumn Model
            Raw Exec Table Preload Joins Order Limit Count Transaction FirstOrCreate
            FirstOrInit Scan Pluck Select Omit Unscoped CreateInBatches FindInBatches
            """
        ),
    ),
    StoreLib(
        "sqlx",
        "",
        ("github.com/jmoiron/sqlx",),
        _words(
            """
            Select Get NamedExec NamedQuery Exec Query QueryRow Queryx QueryRowx MustExec
            Preparex Beginx SelectContext GetContext NamedExecContext ExecContext
            QueryContext QueryRowContext QueryxContext MustBegin
            """
        ),
    ),
    StoreLib(
        "pgx",
        "PostgreSQL",
        ("github.com/jackc/pgx/",),
        _words("Query QueryRow Exec Begin BeginTx SendBatch CopyFrom"),
    ),
    StoreLib(
        "bun",
        "",
        ("github.com/uptrace/bun",),
        _words("NewSelect NewInsert NewUpdate NewDelete NewRaw RunInTx NewCreateTable"),
    ),
    StoreLib(
        "goqu",
        "",
        ("github.com/doug-martin/goqu/",),
        _words("From Insert Update Delete ScanStructs ScanStruct Exec"),
    ),
    # The standard library's handles (`*sql.DB`, `*sql.Tx`), typed or embedded in the
    # repository's own store type (`type store struct{ *sql.DB }`, `GoStores._embedded`).
    StoreLib(
        "database/sql",
        "",
        ("database/sql",),
        _words(
            """
            Exec Query QueryRow ExecContext QueryContext QueryRowContext Prepare
            PrepareContext Begin BeginTx
            """
        ),
    ),
    StoreLib(
        "mongo-driver",
        "MongoDB",
        ("go.mongodb.org/mongo-driver/mongo",),
        _words(
            """
            InsertOne InsertMany Find FindOne UpdateOne UpdateMany DeleteOne DeleteMany
            ReplaceOne Aggregate CountDocuments FindOneAndUpdate FindOneAndDelete BulkWrite
            """
        ),
    ),
    StoreLib(
        "go-redis",
        "Redis",
        ("github.com/redis/go-redis/", "github.com/go-redis/redis"),
        frozenset(),  # REDIS_OPS, compared lower-cased
    ),
)
ENT_OPS = _words(
    "Create CreateBulk Query Update UpdateOne UpdateOneID Delete DeleteOne DeleteOneID Get"
)
GO_CLIENT_NAMES = frozenset({"db", "rdb", "client", "pool", "conn", "database", "cache"})
SQLC_TYPES = frozenset({"Queries", "Querier"})
SQLC_CONFIGS = ("sqlc.yaml", "sqlc.yml", "sqlc.json")

# --- Ruby -----------------------------------------------------------------------------------
SEQUEL_OPS = _words(
    "insert update delete all first where select each count run fetch exclude order import"
)
RAW_SQL_OPS = _words("execute exec_query select_all select_value select_values select_rows")
ROM_OPS = _words("create update delete by_pk all where first one changeset command insert")
RUBY_REDIS = ("$redis", "Redis.current", "REDIS", "redis", "@redis")
# Prisma Client's model methods (`db.user.create`), as `flow_calls.PRISMA_OPS`.
PRISMA_OPS_JS = _words(
    """
    findUnique findUniqueOrThrow findFirst findFirstOrThrow findMany create createMany
    createManyAndReturn update updateMany upsert delete deleteMany count aggregate groupBy
    """
)
# Every library label `flow_stores` writes (Prisma's is `flow_calls`' own, and not routine).
LABELS = frozenset(
    {
        *("SQLAlchemy", "SQLModel", "Django ORM", "Peewee", "Tortoise ORM", "Flask-SQLAlchemy"),
        *("DB-API", "pymongo", "redis-py", "Elasticsearch", "OpenSearch"),
        *("TypeORM", "MikroORM", "Drizzle", "Kysely", "Mongoose", "MongoDB driver"),
        *("Redis client", "node-redis", "ioredis", "pg", "postgres.js", "mysql", "mysql2"),
        *("better-sqlite3", "sqlite3", "sqlite", "Knex"),
        *("sqlc", "ent", "GORM", "sqlx", "pgx", "bun", "goqu", "mongo-driver", "go-redis"),
        "database/sql",
        *("Active Record", "Sequel", "ROM", "redis-rb"),
    }
)
