"""Flows reach the datastore where the code writes or reads it (issue 18, item 3): one small
hand-written app per library idiom, a route in one file calling a function of another file
that makes the store call. The flow from the route must end at that call's line, in a sink
that names the store."""

from __future__ import annotations

import re
import time

import pytest

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.core.store_ops import is_store_call
from bot.local.catalog_file import default_catalog

# Sinks `flow_calls` writes itself (not `flow_stores`): no library label to rank by.
FLOW_CALLS_SINKS = ("(Prisma ", "(Sequelize ", ".query.", ".objects.", "db.session.")


def facts_of(files: dict[str, str]) -> RepoFacts:
    data = {p: t.encode() for p, t in files.items()}
    return analyze(MemorySnapshot(data), MemoryFactsCache(), default_catalog())


def line_of(text: str, marker: str) -> int:
    for i, line in enumerate(text.split("\n"), 1):
        if marker in line:
            return i
    raise AssertionError(f"{marker!r} not in fixture")


def reaches(files: dict[str, str], entry: str, target: str, word: str) -> None:
    """A flow from `entry` has a sink at the line of `target` marked `# store` (`// store`
    in JS and Go) whose text says `word`."""
    mark = "# store" if target.endswith((".py", ".rb")) else "// store"
    want = (target, line_of(files[target], mark))
    flows = facts_of(files).flows
    got = [
        (s.path, s.line, s.what)
        for f in flows
        if any(h.path == entry for h in f.hops)
        for s in f.sinks
    ]
    hit = [w for p, ln, w in got if (p, ln) == want]
    assert hit, f"no sink at {want}; flows from {entry}: {got}"
    assert any(word.lower() in w.lower() for w in hit), hit
    # Every label `flow_stores` writes is known to the ranking (`store_ops.LABELS`).
    assert all(is_store_call(w) or any(m in w for m in FLOW_CALLS_SINKS) for w in hit), hit


# --- Python ---------------------------------------------------------------------------------

FLASK_ROUTE = """from flask import Flask, request
from app.repo import save_item

app = Flask(__name__)


@app.route("/items", methods=["POST"])
def create_item():
    save_item(request.json)
    return "", 201
"""


def py_app(requirements: str, repo: str, **more: str) -> dict[str, str]:
    return {
        "requirements.txt": requirements,
        "app/routes.py": FLASK_ROUTE,
        "app/repo.py": repo,
        **more,
    }


PY_CASES = {
    "sqlalchemy-2-execute": (
        "flask\nsqlalchemy\npsycopg2-binary\n",
        "from sqlalchemy import insert, select\nfrom sqlalchemy.orm import Session\n\n"
        "def save_item(data, session: Session):\n"
        "    session.execute(insert(Item).values(**data))  # store\n",
        "PostgreSQL",
    ),
    "sqlalchemy-scalars": (
        "flask\nsqlalchemy\npsycopg2-binary\n",
        "from sqlalchemy import select\n\n"
        "def save_item(data, db_session):\n"
        "    return db_session.scalars(select(Item)).all()  # store\n",
        "database",
    ),
    "sqlalchemy-async-session": (
        "flask\nsqlalchemy\nasyncpg\n",
        "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "async def save_item(data, s: AsyncSession):\n"
        "    await s.get(Item, data['id'])  # store\n",
        "PostgreSQL",
    ),
    "flask-sqlalchemy-query": (
        "flask\nflask-sqlalchemy\n",
        "from app.models import Item\n\n"
        "def save_item(data):\n"
        "    return Item.query.filter_by(name=data['name']).first()  # store\n",
        "database",
    ),
    "sqlmodel-exec": (
        "flask\nsqlmodel\n",
        "from sqlmodel import Session, select\n\n"
        "def save_item(data, session: Session):\n"
        "    return session.exec(select(Item)).first()  # store\n",
        "SQLModel",
    ),
    "peewee-model": (
        "flask\npeewee\n",
        "from app.models import Item\n\n"
        "def save_item(data):\n"
        "    return Item.create(**data)  # store\n",
        "Peewee",
    ),
    "tortoise-model": (
        "flask\ntortoise-orm\n",
        "from app.models import Item\n\n"
        "async def save_item(data):\n"
        "    return await Item.get_or_none(id=data['id'])  # store\n",
        "Tortoise",
    ),
    "django-instance-save": (
        "flask\ndjango\npsycopg2\n",
        "from app.models import Item\n\n"
        "def save_item(data):\n"
        "    item = Item(name=data['name'])\n"
        "    item.save()  # store\n",
        "PostgreSQL",
    ),
    "sqlite3-cursor": (
        "flask\n",
        "import sqlite3\n\n"
        "def save_item(data):\n"
        "    conn = sqlite3.connect('app.db')\n"
        "    cur = conn.cursor()\n"
        "    cur.execute('INSERT INTO items VALUES (?)', (data,))  # store\n",
        "SQLite",
    ),
    "psycopg-conn": (
        "flask\npsycopg\n",
        "import psycopg\n\n"
        "def save_item(data, conn):\n"
        "    conn.execute('INSERT INTO items VALUES (%s)', (data,))  # store\n",
        "PostgreSQL",
    ),
    "asyncpg-fetch": (
        "flask\nasyncpg\n",
        "import asyncpg\n\n"
        "async def save_item(data, conn):\n"
        "    return await conn.fetchrow('SELECT 1')  # store\n",
        "PostgreSQL",
    ),
    "pymongo": (
        "flask\npymongo\n",
        "from pymongo import MongoClient\n\n"
        "db = MongoClient()['shop']\n\n"
        "def save_item(data):\n"
        "    db.items.insert_one(data)  # store\n",
        "MongoDB",
    ),
    "redis-py": (
        "flask\nredis\n",
        "import redis\n\n"
        "r = redis.Redis()\n\n"
        "def save_item(data):\n"
        "    r.hset('items', data['id'], data['name'])  # store\n",
        "Redis",
    ),
    "elasticsearch": (
        "flask\nelasticsearch\n",
        "from elasticsearch import Elasticsearch\n\n"
        "es = Elasticsearch('http://localhost:9200')\n\n"
        "def save_item(data):\n"
        "    es.index(index='items', document=data)  # store\n",
        "Elasticsearch",
    ),
}
PY_MODELS = {
    "peewee-model": "import peewee\n\nclass Item(peewee.Model):\n    pass\n",
    "tortoise-model": "from tortoise.models import Model\n\nclass Item(Model):\n    pass\n",
    "django-instance-save": "from django.db import models\n\nclass Item(models.Model):\n    pass\n",
    "flask-sqlalchemy-query": (
        "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n"
        "class Item(db.Model):\n    pass\n"
    ),
}


@pytest.mark.parametrize("idiom", sorted(PY_CASES))
def test_python_store_idioms(idiom: str) -> None:
    requirements, repo, word = PY_CASES[idiom]
    more = {"app/models.py": PY_MODELS[idiom]} if idiom in PY_MODELS else {}
    reaches(py_app(requirements, repo, **more), "app/routes.py", "app/repo.py", word)


def test_a_save_on_what_is_not_a_model_is_no_query() -> None:
    files = py_app(
        "flask\ndjango\n",
        "from app.models import Item\n\n"
        "class Draft:\n    pass\n\n"
        "def save_item(data):\n"
        "    d = Draft()\n"
        "    d.save()  # store\n",
        **{"app/models.py": PY_MODELS["django-instance-save"]},
    )
    whats = [s.what for f in facts_of(files).flows for s in f.sinks]
    assert not any("save" in w for w in whats), whats


# --- JavaScript / TypeScript ----------------------------------------------------------------

EXPRESS_ROUTE = """import express from "express";
import { saveItem } from "./repo";

const router = express.Router();

router.post("/items", async (req, res) => {
  await saveItem(req.body);
  res.sendStatus(201);
});

export default router;
"""


def js_app(deps: str, repo: str, **more: str) -> dict[str, str]:
    pkg = '{"dependencies": {"express": "4", ' + deps + "}}\n"
    return {"package.json": pkg, "src/routes.ts": EXPRESS_ROUTE, "src/repo.ts": repo, **more}


JS_CASES = {
    "prisma-aliased-client": (
        '"@prisma/client": "5"',
        'import { db } from "./client";\n\n'
        "export async function saveItem(data) {\n"
        "  return db.item.create({ data }); // store\n}\n",
        {
            "src/client.ts": (
                'import { PrismaClient } from "@prisma/client";\n'
                "\n"
                "export const db = new PrismaClient();\n"
            ),
            "prisma/schema.prisma": (
                'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
            ),
        },
        "PostgreSQL",
    ),
    "prisma-transaction": (
        '"@prisma/client": "5"',
        'import { PrismaClient } from "@prisma/client";\n\nconst prisma = new PrismaClient();\n\n'
        "export async function saveItem(data) {\n"
        "  return prisma.$transaction([]); // store\n}\n",
        {},
        "Prisma",
    ),
    "typeorm-get-repository": (
        '"typeorm": "0.3"',
        'import { AppDataSource } from "./data-source";\n\n'
        "export async function saveItem(data) {\n"
        "  return AppDataSource.getRepository(Item).save(data); // store\n}\n",
        {
            "src/data-source.ts": (
                'import { DataSource } from "typeorm";\n'
                "\n"
                'export const AppDataSource = new DataSource({ type: "postgres" });\n'
            )
        },
        "TypeORM",
    ),
    "mongoose-model": (
        '"mongoose": "8"',
        'import Item from "./item.model";\n\n'
        "export async function saveItem(data) {\n"
        "  return Item.findOneAndUpdate({ id: data.id }, data); // store\n}\n",
        {
            "src/item.model.ts": (
                'import mongoose from "mongoose";\n'
                "\n"
                "const schema = new mongoose.Schema({});\n"
                'export default mongoose.model("Item", schema);\n'
            )
        },
        "MongoDB",
    ),
    "knex": (
        '"knex": "3", "pg": "8"',
        'import db from "./db";\n\n'
        "export async function saveItem(data) {\n"
        '  return db("items").insert(data); // store\n}\n',
        {
            "src/db.ts": (
                'import knex from "knex";\n'
                "\n"
                'const db = knex({ client: "pg" });\n'
                "export default db;\n"
            )
        },
        "Knex",
    ),
    "drizzle": (
        '"drizzle-orm": "0.30", "pg": "8"',
        'import { db } from "./db";\n\n'
        "export async function saveItem(data) {\n"
        "  return db.insert(items).values(data); // store\n}\n",
        {
            "src/db.ts": (
                'import { drizzle } from "drizzle-orm/node-postgres";\n'
                "\n"
                "export const db = drizzle(process.env.DATABASE_URL);\n"
            )
        },
        "Drizzle",
    ),
    "kysely": (
        '"kysely": "0.27"',
        "export async function saveItem(db, data) {\n"
        '  return db.insertInto("item").values(data).execute(); // store\n}\n',
        {},
        "Kysely",
    ),
    "mikro-orm": (
        '"@mikro-orm/core": "6"',
        "export async function saveItem(em, data) {\n"
        "  await em.persistAndFlush(data); // store\n}\n",
        {},
        "MikroORM",
    ),
    "pg-pool": (
        '"pg": "8"',
        'import { Pool } from "pg";\n\nconst pool = new Pool();\n\n'
        "export async function saveItem(data) {\n"
        '  return pool.query("INSERT INTO items VALUES ($1)", [data]); // store\n}\n',
        {},
        "PostgreSQL",
    ),
    "better-sqlite3": (
        '"better-sqlite3": "9"',
        'import Database from "better-sqlite3";\n\nconst db = new Database("app.db");\n\n'
        "export function saveItem(data) {\n"
        '  db.prepare("INSERT INTO items VALUES (?)").run(data); // store\n}\n',
        {},
        "SQLite",
    ),
    "ioredis": (
        '"ioredis": "5"',
        'import Redis from "ioredis";\n\nconst redis = new Redis();\n\n'
        "export async function saveItem(data) {\n"
        '  await redis.hset("items", data.id, data.name); // store\n}\n',
        {},
        "Redis",
    ),
    "mongodb-driver": (
        '"mongodb": "6"',
        "export async function saveItem(collection, data) {\n"
        "  await collection.insertOne(data); // store\n}\n",
        {},
        "MongoDB",
    ),
    "node-redis": (
        '"redis": "4"',
        'import { createClient } from "redis";\n\nconst client = createClient();\n\n'
        "export async function saveItem(data) {\n"
        '  await client.set("item", data.name); // store\n}\n',
        {},
        "Redis",
    ),
    "mysql2-pool": (
        '"mysql2": "3"',
        'import mysql from "mysql2/promise";\n\nconst pool = mysql.createPool({});\n\n'
        "export async function saveItem(data) {\n"
        '  await pool.execute("INSERT INTO items VALUES (?)", [data]); // store\n}\n',
        {},
        "MySQL",
    ),
    "prisma-query-raw": (
        '"@prisma/client": "5"',
        'import { PrismaClient } from "@prisma/client";\n\nconst prisma = new PrismaClient();\n\n'
        "export async function saveItem(data) {\n"
        "  return prisma.$queryRaw`SELECT * FROM items`; // store\n}\n",
        {},
        "Prisma",
    ),
    "mongoose-document-save": (
        '"mongoose": "8"',
        'import Item from "./item.model";\n\n'
        "export async function saveItem(data) {\n"
        "  const doc = new Item(data);\n"
        "  await doc.save(); // store\n}\n",
        {
            "src/item.model.ts": (
                'import mongoose from "mongoose";\n\n'
                'export default mongoose.model("Item", new mongoose.Schema({}));\n'
            )
        },
        "Mongoose",
    ),
    "sequelize-model": (
        '"sequelize": "6", "pg": "8"',
        'import { Item } from "./item.model";\n\n'
        "export async function saveItem(data) {\n"
        "  return Item.create(data); // store\n}\n",
        {
            "src/item.model.ts": (
                'import { Model } from "sequelize";\n\nexport class Item extends Model {}\n'
            )
        },
        "Sequelize",
    ),
}


@pytest.mark.parametrize("idiom", sorted(JS_CASES))
def test_js_store_idioms(idiom: str) -> None:
    deps, repo, more, word = JS_CASES[idiom]
    reaches(js_app(deps, repo, **more), "src/routes.ts", "src/repo.ts", word)


NEST_TYPEORM = {
    "package.json": (
        '{"dependencies": {"@nestjs/core": "10", "typeorm": "0.3",'
        ' "@nestjs/typeorm": "10", "pg": "8"}}\n'
    ),
    "src/items.controller.ts": (
        "import { Controller, Post, Body } from '@nestjs/common';\n"
        "import { ItemsService } from './items.service';\n\n"
        "@Controller('items')\n"
        "export class ItemsController {\n"
        "  constructor(private readonly items: ItemsService) {}\n\n"
        "  @Post()\n"
        "  create(@Body() body) {\n"
        "    return this.items.create(body);\n"
        "  }\n"
        "}\n"
    ),
    "src/items.service.ts": (
        "import { Injectable } from '@nestjs/common';\n"
        "import { InjectRepository } from '@nestjs/typeorm';\n"
        "import { Repository } from 'typeorm';\n\n"
        "@Injectable()\n"
        "export class ItemsService {\n"
        "  constructor(@InjectRepository(Item) private readonly repo: Repository<Item>) {}\n\n"
        "  create(body) {\n"
        "    return this.repo.save(body); // store\n"
        "  }\n"
        "}\n"
    ),
}


def test_a_nest_controller_reaches_an_injected_typeorm_repository() -> None:
    reaches(NEST_TYPEORM, "src/items.controller.ts", "src/items.service.ts", "TypeORM")


# --- Go -------------------------------------------------------------------------------------

GO_MAIN = """package main

import (
\t"net/http"

\t"example.com/shop/api"
)

func main() {
\thttp.HandleFunc("/items", api.CreateItem)
\thttp.ListenAndServe(":8080", nil)
}
"""
GO_API = """package api

import (
\t"net/http"

\t"example.com/shop/store"
)

func CreateItem(w http.ResponseWriter, r *http.Request) {
\tstore.SaveItem(r.Context(), r.FormValue("name"))
}
"""


def go_app(imports: str, body: str, **more: str) -> dict[str, str]:
    store = f'package store\n\nimport (\n\t"context"\n{imports})\n\n{body}'
    return {
        "go.mod": "module example.com/shop\n\ngo 1.22\n",
        "main.go": GO_MAIN,
        "api/api.go": GO_API,
        "store/store.go": store,
        **more,
    }


GO_CASES = {
    "gorm-typed": (
        '\t"gorm.io/gorm"\n',
        "type Item struct{ Name string }\n\n"
        "func save(ctx context.Context, db *gorm.DB, name string) {\n"
        '\tdb.Where("name = ?", name).First(&Item{}) // store\n}\n\n'
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "GORM",
    ),
    "sqlx": (
        '\t"github.com/jmoiron/sqlx"\n',
        "type Store struct{ db *sqlx.DB }\n\n"
        "func save(ctx context.Context, s *Store, name string) {\n"
        '\ts.db.NamedExec("INSERT INTO items (name) VALUES (:name)", name) // store\n}\n\n'
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "sqlx",
    ),
    "pgx": (
        '\t"github.com/jackc/pgx/v5/pgxpool"\n',
        "func save(ctx context.Context, pool *pgxpool.Pool, name string) {\n"
        '\tpool.Exec(ctx, "INSERT INTO items VALUES ($1)", name) // store\n}\n\n'
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "PostgreSQL",
    ),
    "mongo-driver": (
        '\t"go.mongodb.org/mongo-driver/mongo"\n',
        "func save(ctx context.Context, coll *mongo.Collection, name string) {\n"
        "\tcoll.InsertOne(ctx, name) // store\n}\n\n"
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "MongoDB",
    ),
    "go-redis": (
        '\t"github.com/redis/go-redis/v9"\n',
        "var rdb = redis.NewClient(&redis.Options{})\n\n"
        "func SaveItem(ctx context.Context, name string) {\n"
        '\trdb.Set(ctx, "item", name, 0) // store\n}\n',
        "Redis",
    ),
    "bun": (
        '\t"github.com/uptrace/bun"\n',
        "func save(ctx context.Context, db *bun.DB, name string) {\n"
        "\tdb.NewInsert().Model(&name).Exec(ctx) // store\n}\n\n"
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "bun",
    ),
    "ent": (
        '\t"example.com/shop/ent"\n',
        "func save(ctx context.Context, client *ent.Client, name string) {\n"
        "\tclient.Item.Create().SetName(name).Save(ctx) // store\n}\n\n"
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "ent",
    ),
    "sqlc": (
        '\t"example.com/shop/db"\n',
        "func save(ctx context.Context, q *db.Queries, name string) {\n"
        "\tq.CreateItem(ctx, name) // store\n}\n\n"
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "sqlc",
    ),
    "goqu": (
        '\t"github.com/doug-martin/goqu/v9"\n',
        "func save(ctx context.Context, db *goqu.Database, name string) {\n"
        '\tdb.Insert("items").Rows(name).Executor().Exec() // store\n}\n\n'
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "goqu",
    ),
    "gorm-field": (
        '\t"gorm.io/gorm"\n',
        "type Store struct{ db *gorm.DB }\n\n"
        "func save(ctx context.Context, s *Store, name string) {\n"
        "\ts.db.Create(&name) // store\n}\n\n"
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "GORM",
    ),
    "database/sql-typed": (
        '\t"database/sql"\n',
        "func save(ctx context.Context, db *sql.DB, name string) {\n"
        '\tdb.ExecContext(ctx, "INSERT INTO items VALUES (?)", name) // store\n}\n\n'
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "database/sql",
    ),
    # The repository's own store type embeds the handle: its methods are database/sql's.
    "database/sql-embedded": (
        '\t"database/sql"\n',
        "type vault struct {\n\t*sql.DB\n\tdialect string\n}\n\n"
        "type Shop struct{ db *vault }\n\n"
        "func save(ctx context.Context, s *Shop, name string) {\n"
        '\ts.db.Exec("INSERT INTO items VALUES (?)", name) // store\n}\n\n'
        "func SaveItem(ctx context.Context, name string) {\n\tsave(ctx, nil, name)\n}\n",
        "database/sql",
    ),
}
GO_MORE = {
    "ent": {"ent/client.go": "package ent\n\ntype Client struct{}\n"},
    "sqlc": {
        "sqlc.yaml": 'version: "2"\nsql:\n  - engine: "postgresql"\n',
        "db/db.go": (
            "// Code generated by sqlc. DO NOT EDIT.\n\npackage db\n\n"
            "type DBTX interface{}\n\ntype Queries struct{ db DBTX }\n"
        ),
    },
}


@pytest.mark.parametrize("idiom", sorted(GO_CASES))
def test_go_store_idioms(idiom: str) -> None:
    imports, body, word = GO_CASES[idiom]
    files = go_app(imports, body, **GO_MORE.get(idiom, {}))
    reaches(files, "api/api.go", "store/store.go", word)


def test_a_go_type_embedding_the_apps_own_type_is_no_store() -> None:
    # `Exec` on a struct that embeds the repository's own engine (not a library handle) is
    # a call into the app, and `sql.Exec` in a comment is no call.
    body = (
        "type engine struct{}\n\n"
        "func (e *engine) Exec(q string) string { return q }\n\n"
        "type runner struct {\n\t*engine\n}\n\n"
        "var _ = sql.ErrNoRows\n\n"
        "func SaveItem(ctx context.Context, name string) {\n"
        "\t// db.Exec(name) on a *sql.DB\n"
        "\tr := &runner{}\n\tr.Exec(name)\n}\n"
    )
    assert store_sinks(go_app('\t"database/sql"\n', body)) == []


# --- Ruby -----------------------------------------------------------------------------------


def rails_app(gems: str, store: str) -> dict[str, str]:
    return {
        "Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n" + gems,
        "app/controllers/items_controller.rb": (
            "class ItemsController < ApplicationController\n"
            "  def create\n"
            "    ItemStore.new.add_item(params[:name])\n"
            "    head :created\n"
            "  end\n"
            "end\n"
        ),
        "app/services/item_store.rb": store,
    }


RB_CASES = {
    "sequel": (
        "gem 'sequel'\n",
        (
            "class ItemStore\n"
            "  def add_item(name)\n"
            "    DB[:items].insert(name: name) # store\n"
            "  end\n"
            "end\n"
        ),
        "Sequel",
    ),
    "raw-connection": (
        "gem 'pg'\n",
        "class ItemStore\n  def add_item(name)\n"
        "    ActiveRecord::Base.connection.execute('INSERT INTO items') # store\n  end\nend\n",
        "database",
    ),
    "redis": (
        "gem 'redis'\n",
        "class ItemStore\n  def add_item(name)\n    $redis.set('item', name) # store\n  end\nend\n",
        "Redis",
    ),
    "rom": (
        "gem 'rom'\ngem 'rom-sql'\n",
        (
            "class ItemStore\n"
            "  def add_item(name)\n"
            "    items_repo.create(name: name) # store\n"
            "  end\n"
            "end\n"
        ),
        "ROM",
    ),
}


@pytest.mark.parametrize("idiom", sorted(RB_CASES))
def test_ruby_store_idioms(idiom: str) -> None:
    gems, store, word = RB_CASES[idiom]
    files = rails_app(gems, store)
    reaches(files, "app/controllers/items_controller.rb", "app/services/item_store.rb", word)


# --- hostile input --------------------------------------------------------------------------


def test_store_matching_stays_fast_on_hostile_files() -> None:
    chain = ".where(a)" * 5_000
    files = {
        **py_app("flask\nredis\npymongo\nsqlalchemy\n", "def save_item(d):\n    r" + chain + "\n"),
        "app/deep.py": "x = " + "(" * 3_000 + "\n",
        "app/long.py": "r.set('" + "a" * 200_000 + "\n",
        **js_app(
            '"ioredis": "5", "mongoose": "8"',
            "export function saveItem(d) {\n  redis" + chain + "\n",
        ),
        "src/open.ts": "const s = `" + "${" * 2_000 + "\n",
    }
    started = time.monotonic()
    facts_of(files)
    assert time.monotonic() - started < 20


def store_sinks(files: dict[str, str]) -> list[str]:
    return [s.what for f in facts_of(files).flows for s in f.sinks if s.what.startswith("queries")]


def test_a_redis_setting_and_a_repository_class_of_the_app_are_no_store() -> None:
    # `redis_config.get` reads a setting; `this.repo.save` on a field typed by the app's own
    # class is a call into the app (the walk follows it), not TypeORM's.
    py = py_app(
        "flask\nredis\n",
        "import redis\n\nredis_config = {'host': 'x'}\n\n"
        "def save_item(data):\n"
        "    return redis_config.get('host')  # store\n",
    )
    assert store_sinks(py) == []
    js = js_app(
        '"typeorm": "0.3"',
        'import { ItemRepository } from "./item-repository";\n\n'
        "export class Items {\n"
        "  constructor(private readonly repo: ItemRepository) {}\n"
        "  save(data) {\n    return this.repo.save(data); // store\n  }\n}\n"
        "export async function saveItem(data) {\n  return new Items(null).save(data);\n}\n",
        **{"src/item-repository.ts": "export class ItemRepository {\n  save(d) { return d; }\n}\n"},
    )
    assert not any("TypeORM" in w for w in store_sinks(js))


def test_without_the_library_in_the_repository_the_same_calls_are_no_store() -> None:
    # `db.insertInto`, `em.persistAndFlush`, `coll.insertOne`: only where Kysely, MikroORM or
    # the MongoDB driver is a dependency.
    for idiom in ("kysely", "mikro-orm", "mongodb-driver"):
        _, repo, more, _ = JS_CASES[idiom]
        assert store_sinks(js_app('"left-pad": "1"', repo, **more)) == [], idiom


def test_the_store_label_marks_a_routine_query() -> None:
    from bot.core.store_ops import is_store_call

    assert is_store_call("queries MongoDB (Mongoose User.findById)")
    assert is_store_call("queries the PostgreSQL database (Django ORM Item.save)")
    assert not is_store_call("queries the database (Prisma order.create)")  # flow_calls' own
    assert not is_store_call("queries PostgreSQL (Post.save)")  # Active Record (flow_rails)
    assert not is_store_call("queries (" + "x " * 10_000)


def test_the_container_view_draws_a_query_to_the_store_it_names() -> None:
    from bot.core.render_flows import container_diagram

    requirements, repo, _ = PY_CASES["redis-py"]
    text = container_diagram(facts_of(py_app(requirements, repo)))
    assert re.search(r"--> ds_redis\b", text), text
