"""Services, datastores, deployment, observability and resilience from fixture repositories.

The four fixture repositories go through the real pipeline (`analyze`: extractors, cache,
catalog); the rules (dev-only, test paths, locks, caps) are pinned with hand-built facts.
"""

from __future__ import annotations

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.catalog_yaml import load_catalog
from bot.core.analysis.services import (
    EVIDENCE_CAP,
    ServiceFacts,
    collect_services,
    dev_group,
    dev_only_path,
    non_product_path,
)
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import (
    Dependency,
    EnvRead,
    Evidence,
    FileFacts,
    ImportRef,
    Item,
    RepoFacts,
    Service,
    Signal,
)
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

E = Evidence


def _files(texts: dict[str, str]) -> dict[str, bytes]:
    return {path: text.encode() for path, text in texts.items()}


FLASK = _files(
    {
        "requirements.txt": """\
Flask==3.0.3
psycopg2-binary==2.9.9
redis>=5
stripe==9.0
gunicorn
tenacity
""",
        "requirements-dev.txt": """\
-r requirements.txt
pytest
sentry-sdk
fakeredis
""",
        "app/__init__.py": """\
import os

from flask import Flask

from app import billing

app = Flask(__name__)
app.config['DATABASE_URL'] = os.environ['DATABASE_URL']
""",
        "app/db.py": """\
import psycopg2
from redis import Redis


def connect():
    return psycopg2.connect()
""",
        "app/billing.py": """\
import os

import stripe
from tenacity import retry, stop_after_attempt

stripe.api_key = os.environ['STRIPE_SECRET_KEY']
""",
        "tests/test_billing.py": """\
import sentry_sdk
import fakeredis
""",
        ".env.example": """\
DATABASE_URL=postgres://app@localhost/app
REDIS_URL=redis://localhost:6379/0
STRIPE_SECRET_KEY=
""",
        "Procfile": """\
web: gunicorn app:app
worker: rq worker
""",
    }
)
RAILS = _files(
    {
        "Gemfile": """\
source "https://rubygems.org"

gem "rails", "~> 7.1"
gem "pg", "~> 1.5"
gem "puma"
gem "sidekiq", "~> 7.2"

group :development, :test do
  gem "rspec-rails"
  gem "dotenv-rails"
end
""",
        "Gemfile.lock": """\
GEM
  specs:
    redis-client (0.22.0)

DEPENDENCIES
  pg (~> 1.5)
  rspec-rails
  sidekiq (~> 7.2)
""",
        "config/database.yml": """\
default: &default
  adapter: postgresql
  encoding: unicode

development:
  <<: *default
  database: app_dev

test:
  <<: *default
  database: app_test

production:
  <<: *default
  url: <%= ENV["DATABASE_URL"] %>
""",
        "config/application.rb": """\
require_relative "boot"
require "rails/all"

module Shop
  class Application < Rails::Application
    config.active_job.queue_adapter = :sidekiq
  end
end
""",
        "config/initializers/sidekiq.rb": """\
require "sidekiq"

Sidekiq.configure_server do |config|
  config.redis = { url: ENV.fetch("REDIS_URL") }
end
""",
        "config/sidekiq.yml": """\
:concurrency: 5
:queues:
  - default
""",
        "app/jobs/receipt_job.rb": """\
class ReceiptJob
  include Sidekiq::Job

  def perform(id)
  end
end
""",
        "Procfile": """\
web: bundle exec puma -C config/puma.rb
worker: bundle exec sidekiq -C config/sidekiq.yml
""",
    }
)
NEXT = _files(
    {
        "package.json": """\
{
  "name": "shop-web",
  "private": true,
  "scripts": {
    "dev": "next dev",
    "build": "next build",
    "start": "next start"
  },
  "dependencies": {
    "next": "14.2.3",
    "react": "18.3.1",
    "@prisma/client": "5.14.0",
    "@sentry/nextjs": "8.7.0"
  },
  "devDependencies": {
    "prisma": "5.14.0",
    "@playwright/test": "1.44.0"
  }
}
""",
        "prisma/schema.prisma": """\
generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id Int @id
}
""",
        "src/lib/db.ts": """\
import { PrismaClient } from "@prisma/client";

export const db = new PrismaClient();
""",
        "src/app/api/users/route.ts": """\
import { NextResponse } from "next/server";
import * as Sentry from "@sentry/nextjs";
import { db } from "../../../lib/db";

export async function GET() {
  return NextResponse.json(await db.user.findMany());
}
""",
        "vercel.json": """\
{
  "crons": [{ "path": "/api/cron", "schedule": "0 5 * * *" }]
}
""",
        ".env.example": """\
DATABASE_URL=postgresql://user:pass@localhost:5432/shop
SENTRY_DSN=
""",
    }
)
GO = _files(
    {
        "go.mod": """\
module example.com/orders

go 1.22

require (
	github.com/jackc/pgx/v5 v5.5.5
	github.com/redis/go-redis/v9 v9.5.1
	github.com/cenkalti/backoff/v4 v4.3.0
	github.com/sony/gobreaker v0.5.0
	go.uber.org/zap v1.27.0
	github.com/stretchr/testify v1.9.0
	golang.org/x/sys v0.20.0 // indirect
)
""",
        "cmd/orders/main.go": """\
package main

import (
	"net/http"
	"os"

	"example.com/orders/internal/store"
	"go.uber.org/zap"
)

func main() {
	log, _ := zap.NewProduction()
	s := store.New(os.Getenv("DATABASE_URL"))
	_ = s
	_ = log
	http.ListenAndServe(":8080", nil)
}
""",
        "internal/store/store.go": """\
package store

import (
	"github.com/cenkalti/backoff/v4"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sony/gobreaker"
)

type Store struct{ pool *pgxpool.Pool }

func New(url string) *Store {
	_ = backoff.NewExponentialBackOff()
	_ = gobreaker.Settings{}
	return &Store{}
}
""",
        "internal/store/store_test.go": """\
package store

import "github.com/stretchr/testify/require"
""",
        "Dockerfile": """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /orders ./cmd/orders

FROM gcr.io/distroless/base
COPY --from=build /orders /orders
EXPOSE 8080
ENTRYPOINT ["/orders"]
""",
        "docker-compose.yml": """\
services:
  orders:
    build: .
    ports: ["8080:8080"]
    depends_on: [db, cache]
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready"]
  cache:
    image: redis:7
""",
    }
)


def run(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


# --- fixture repositories, end to end ----------------------------------------------------


def test_flask_app_with_postgres_redis_stripe() -> None:
    facts = run(FLASK)
    assert facts.datastores == (
        Service(
            "PostgreSQL",
            "datastore",
            "used",
            (E("app/db.py", 1), E(".env.example", 1), E("requirements.txt", 2)),
        ),
        Service(
            "Redis",
            "datastore",
            "used",
            (E("app/db.py", 2), E(".env.example", 2), E("requirements.txt", 3)),
        ),
    )
    assert facts.integrations == (
        Service(
            "Stripe",
            "payments",
            "used",
            (
                E("app/billing.py", 3),
                E(".env.example", 3),
                E("app/billing.py", 6),
                E("requirements.txt", 4),
            ),
        ),
    )
    # sentry-sdk is only in requirements-dev.txt and tests/: no error-tracking claim.
    assert facts.observability == ()
    assert facts.resilience == (
        Item("tenacity", "retry", (E("app/billing.py", 4), E("requirements.txt", 6)), "used"),
    )
    assert facts.deployment == (Item("Procfile", "procfile", (E("Procfile", 1), E("Procfile", 2))),)


def test_rails_app_with_sidekiq() -> None:
    facts = run(RAILS)
    assert facts.datastores == (
        Service(
            "PostgreSQL",
            "datastore",
            "configured",
            (E("config/database.yml", 2), E("Gemfile", 4)),
        ),
        Service("Redis", "datastore", "configured", (E("config/initializers/sidekiq.rb", 4),)),
    )
    assert facts.integrations == (
        Service(
            "Sidekiq",
            "queue",
            "used",
            (
                E("config/initializers/sidekiq.rb", 1),
                E("config/application.rb", 6),
                E("config/sidekiq.yml", None),
                E("Gemfile", 6),
            ),
        ),
    )
    assert facts.resilience == (
        Item(
            "Sidekiq retries",
            "retry",
            (E("config/initializers/sidekiq.rb", 1), E("Gemfile", 6)),
            "used",
        ),
    )
    assert facts.deployment == (Item("Procfile", "procfile", (E("Procfile", 1), E("Procfile", 2))),)
    # rspec-rails is in the lock too, but the Gemfile beside it says :development/:test.
    assert all("rspec" not in s.name.lower() for s in facts.integrations)


def test_nextjs_app_with_prisma() -> None:
    facts = run(NEXT)
    # Prisma is an ORM, not a system: the datastore is what its schema and env name.
    assert facts.datastores == (
        Service(
            "PostgreSQL",
            "datastore",
            "configured",
            (E(".env.example", 1), E("prisma/schema.prisma", 6)),
        ),
    )
    sentry_evidence = (
        E("src/app/api/users/route.ts", 2),
        E(".env.example", 2),
        E("package.json", 13),
    )
    assert facts.integrations == (Service("Sentry", "monitoring", "used", sentry_evidence),)
    assert facts.observability == (Item("Sentry", "errors", sentry_evidence, "used"),)
    assert facts.deployment == (Item("Vercel", "vercel", (E("vercel.json", None),)),)
    assert facts.resilience == ()


def test_go_service() -> None:
    facts = run(GO)
    assert facts.datastores == (
        Service(
            "PostgreSQL",
            "datastore",
            "used",
            (E("internal/store/store.go", 5), E("docker-compose.yml", 7), E("go.mod", 6)),
        ),
        # go-redis is required, and compose runs redis, but no code imports it.
        Service("Redis", "datastore", "configured", (E("docker-compose.yml", 11), E("go.mod", 7))),
    )
    assert facts.integrations == ()
    assert facts.deployment == (
        Item(
            "Docker Compose",
            "compose",
            (E("docker-compose.yml", 2), E("docker-compose.yml", 6), E("docker-compose.yml", 10)),
        ),
        Item("Docker", "docker", (E("Dockerfile", 1), E("Dockerfile", 6))),
    )
    assert facts.observability == (
        Item("compose healthcheck: db", "health", (E("docker-compose.yml", 9),), "configured"),
        Item("zap", "logging", (E("cmd/orders/main.go", 8), E("go.mod", 10)), "used"),
    )
    # The extractor's "backoff" call signal folds into the library imported in that file.
    assert facts.resilience == (
        Item(
            "cenkalti/backoff",
            "backoff",
            (E("internal/store/store.go", 4), E("internal/store/store.go", 12), E("go.mod", 8)),
            "used",
        ),
        Item(
            "sony/gobreaker",
            "circuit-breaker",
            (E("internal/store/store.go", 6), E("go.mod", 9)),
            "used",
        ),
    )


def test_every_evidence_path_exists_in_the_fixture() -> None:
    for files in (FLASK, RAILS, NEXT, GO):
        facts = run(files)
        groups = (
            facts.datastores,
            facts.integrations,
            facts.deployment,
            facts.observability,
            facts.resilience,
        )
        for group in groups:
            for item in group:
                assert item.evidence
                assert all(e.path in files for e in item.evidence), item


def test_same_snapshot_gives_same_facts_and_cache_is_reused() -> None:
    cache = MemoryFactsCache()
    first = analyze(MemorySnapshot(FLASK), cache, default_catalog())
    again = analyze(MemorySnapshot(FLASK), cache, default_catalog())
    assert first == again
    assert cache.hits >= len(FLASK) - 1


# --- rules, with hand-built facts --------------------------------------------------------

CATALOG = load_catalog(
    """
services:
  - {name: PostgreSQL, category: datastore, pypi: [psycopg], gem: [pg], scheme: [postgres]}
  - name: Redis
    category: datastore
    pypi: [redis]
    npm: [ioredis]
    gem: [redis]
    go: [github.com/redis/go-redis]
    env: [REDIS_]
    image: [redis]
  - {name: Stripe, category: payments, pypi: [stripe], npm: [stripe], env: [STRIPE_]}
  - {name: Sentry, category: monitoring, observability: errors, pypi: [sentry-sdk]}
resilience:
  - {name: tenacity, kind: retry, pypi: [tenacity]}
deployment:
  - {name: Clever Cloud, kind: clevercloud, env: [CC_PYTHON_]}
"""
)


def manifest(*deps: Dependency) -> FileFacts:
    return FileFacts(language="manifest", dependencies=deps)


def python(*imports: ImportRef, env: tuple[EnvRead, ...] = ()) -> FileFacts:
    return FileFacts(language="python", imports=imports, env=env)


def names(result: ServiceFacts) -> list[str]:
    return [s.name for s in result.datastores + result.integrations]


@pytest.mark.parametrize(
    ("path", "facts"),
    [
        ("requirements-dev.txt", manifest(Dependency("pypi", "stripe", 1))),
        ("requirements/test.txt", manifest(Dependency("pypi", "stripe", 1))),
        ("dev-requirements.in", manifest(Dependency("pypi", "stripe", 1))),
        ("Procfile.dev", FileFacts("config", signals=(Signal("deployment.procfile", "web", 1),))),
        (
            "settings/local.py",
            FileFacts("python", signals=(Signal("config.setting", "STRIPE_KEY", 3),)),
        ),
        ("pyproject.toml", manifest(Dependency("pypi", "stripe", 1, "dev"))),
        ("pyproject.toml", manifest(Dependency("pypi", "stripe", 1, "optional:test"))),
        ("pyproject.toml", manifest(Dependency("pypi", "stripe", 1, "lint"))),
        ("package.json", manifest(Dependency("npm", "stripe", 1, "dev"))),
        ("package.json", manifest(Dependency("npm", "stripe", 1, "peer"))),
        ("Gemfile", manifest(Dependency("gem", "redis", 1, "test"))),
        ("go.mod", manifest(Dependency("go", "github.com/redis/go-redis/v9", 1, "indirect"))),
        ("tests/requirements.txt", manifest(Dependency("pypi", "stripe", 1))),
        ("examples/demo/package.json", manifest(Dependency("npm", "stripe", 1))),
        ("tests/test_pay.py", python(ImportRef("stripe", 1))),
        ("src/pay.spec.ts", FileFacts("typescript", imports=(ImportRef("stripe", 1),))),
        (
            "store/redis_test.go",
            FileFacts("go", imports=(ImportRef("github.com/redis/go-redis/v9", 3),)),
        ),
    ],
)
def test_dev_and_test_only_evidence_makes_no_claim(path: str, facts: FileFacts) -> None:
    assert collect_services({path: facts}, CATALOG) == ServiceFacts()


def test_production_groups_do_claim() -> None:
    files = {
        "pyproject.toml": manifest(Dependency("pypi", "redis", 4, "optional:cache")),
        "package.json": manifest(
            Dependency("npm", "stripe", 3), Dependency("npm", "ioredis", 7, "optional:npm")
        ),
    }
    result = collect_services(files, CATALOG)
    assert result.datastores == (
        Service("Redis", "datastore", "declared", (E("package.json", 7), E("pyproject.toml", 4))),
    )
    assert result.integrations == (
        Service("Stripe", "payments", "declared", (E("package.json", 3),)),
    )


def test_gemfile_lock_counts_only_without_a_gemfile_beside_it() -> None:
    lock = manifest(Dependency("gem", "pg", 9, "lock"))
    alone = collect_services({"Gemfile.lock": lock}, CATALOG)
    assert alone.datastores == (
        Service("PostgreSQL", "datastore", "declared", (E("Gemfile.lock", 9),)),
    )
    beside = collect_services({"Gemfile.lock": lock, "Gemfile": manifest()}, CATALOG)
    assert beside.datastores == ()


def test_strength_is_the_strongest_and_evidence_is_ordered_and_capped() -> None:
    files = {
        "requirements.txt": manifest(Dependency("pypi", "redis", 2)),
        ".env.example": FileFacts("config", env=(EnvRead("REDIS_URL", 1),)),
        "docker-compose.yml": FileFacts(
            "config", signals=(Signal("config.compose.image", "cache", 9, "redis:7"),)
        ),
        **{f"app/m{i}.py": python(ImportRef("redis", 1)) for i in range(6)},
    }
    (redis,) = collect_services(files, CATALOG).datastores
    assert redis.strength == "used"
    assert len(redis.evidence) == EVIDENCE_CAP
    assert redis.evidence == tuple(E(f"app/m{i}.py", 1) for i in range(EVIDENCE_CAP))
    configured_only = {k: v for k, v in files.items() if not k.startswith("app/")}
    (redis,) = collect_services(configured_only, CATALOG).datastores
    assert redis == Service(
        "Redis",
        "datastore",
        "configured",
        (E(".env.example", 1), E("docker-compose.yml", 9), E("requirements.txt", 2)),
    )


def test_capped_evidence_shows_each_file_once_before_repeating_one() -> None:
    files = {
        "a.py": python(ImportRef("redis", 1), ImportRef("redis.client", 2), ImportRef("redis", 3)),
        "b.py": python(ImportRef("redis", 7)),
        ".env": FileFacts("config", env=(EnvRead("REDIS_URL", 1),)),
    }
    (redis,) = collect_services(files, CATALOG).datastores
    assert redis.evidence == (E("a.py", 1), E("b.py", 7), E("a.py", 2), E("a.py", 3), E(".env", 1))


def test_one_line_found_twice_is_one_piece_of_evidence_at_its_strongest() -> None:
    env = FileFacts(
        "config",
        env=(EnvRead("REDIS_URL", 2),),
        signals=(Signal("config.url", "REDIS_URL", 2, "redis"),),
    )
    (redis,) = collect_services(
        {".env": env},
        load_catalog(
            "services:\n  - {name: Redis, category: datastore, env: [REDIS_URL], scheme: [redis]}\n"
        ),
    ).datastores
    assert redis.evidence == (E(".env", 2),)


def test_repository_own_python_package_shadows_a_catalog_name() -> None:
    files = {
        "stripe/__init__.py": python(),
        "app.py": python(
            ImportRef("stripe.client", 1), ImportRef("", 2, level=1, names=("redis",))
        ),
    }
    assert collect_services(files, CATALOG) == ServiceFacts()


def test_go_imports_of_the_repository_module_are_not_services() -> None:
    files = {
        "go.mod": FileFacts("manifest", meta=(("module", "github.com/redis/go-redis"),)),
        "x.go": FileFacts("go", imports=(ImportRef("github.com/redis/go-redis/internal", 3),)),
    }
    assert collect_services(files, CATALOG) == ServiceFacts()


def test_url_schemes_and_settings_names_configure_services() -> None:
    files = {
        ".env.example": FileFacts(
            "config", signals=(Signal("config.url", "DATABASE_URL", 1, "postgres"),)
        ),
        "proj/settings.py": FileFacts(
            "python", signals=(Signal("config.setting", "STRIPE_SECRET_KEY", 12),)
        ),
    }
    result = collect_services(files, CATALOG)
    assert names(result) == ["PostgreSQL", "Stripe"]
    assert {s.strength for s in result.datastores + result.integrations} == {"configured"}


def test_service_with_an_observability_aspect_is_also_an_observability_item() -> None:
    result = collect_services({"app.py": python(ImportRef("sentry_sdk", 4))}, CATALOG)
    assert result.integrations == (Service("Sentry", "monitoring", "used", (E("app.py", 4),)),)
    assert result.observability == (Item("Sentry", "errors", (E("app.py", 4),), "used"),)


def test_a_service_with_an_aspect_agrees_with_its_item_when_code_signals_fold_in() -> None:
    files = {
        "Gemfile": manifest(Dependency("gem", "sentry-ruby", 8)),
        "config/initializers/sentry.rb": FileFacts(
            "ruby", signals=(Signal("observability.errors", "Sentry", 3),)
        ),
    }
    catalog = load_catalog(
        "services:\n  - {name: Sentry, category: monitoring, observability: errors,"
        " gem: [sentry-ruby]}\n"
    )
    result = collect_services(files, catalog)
    evidence = (E("config/initializers/sentry.rb", 3), E("Gemfile", 8))
    assert result.integrations == (Service("Sentry", "monitoring", "used", evidence),)
    assert result.observability == (Item("Sentry", "errors", evidence, "used"),)


def test_code_signals_fold_into_an_imported_library_of_their_kind_only() -> None:
    files = {
        "jobs.py": FileFacts(
            "python",
            imports=(ImportRef("tenacity", 1, names=("retry",)),),
            signals=(Signal("resilience.retry", "retry decorator", 8),),
        ),
        "client.py": FileFacts(
            "python", signals=(Signal("resilience.retry", "retry decorator", 20),)
        ),
    }
    assert collect_services(files, CATALOG).resilience == (
        Item("retry decorator", "retry", (E("client.py", 20),), "used"),
        Item("tenacity", "retry", (E("jobs.py", 1), E("jobs.py", 8)), "used"),
    )


def test_deployment_items_merge_platform_files_and_platform_env() -> None:
    files = {
        "clevercloud/python.json": FileFacts(
            "config", signals=(Signal("deployment.clevercloud", "Clever Cloud"),)
        ),
        ".env.example": FileFacts("config", env=(EnvRead("CC_PYTHON_MODULE", 3),)),
        "Procfile": FileFacts("config", signals=(Signal("deployment.procfile", "web", 1, "x"),)),
        "k8s/x.yaml": FileFacts("config", signals=(Signal("deployment.kubernetes", "Job", 2),)),
    }
    assert collect_services(files, CATALOG).deployment == (
        Item("Clever Cloud", "clevercloud", (E(".env.example", 3), E("clevercloud/python.json"))),
        Item("kubernetes", "kubernetes", (E("k8s/x.yaml", 2),)),
        Item("procfile", "procfile", (E("Procfile", 1),)),
    )


def test_result_does_not_depend_on_mapping_order() -> None:
    files = {
        "b.py": python(ImportRef("redis", 2)),
        "a.py": python(ImportRef("redis", 5)),
        "requirements.txt": manifest(Dependency("pypi", "redis", 1)),
    }
    backwards = dict(reversed(list(files.items())))
    assert collect_services(files, CATALOG) == collect_services(backwards, CATALOG)


def test_analyze_without_catalog_still_reports_signal_items() -> None:
    facts = analyze(MemorySnapshot(GO), MemoryFactsCache())
    assert facts.datastores == ()
    assert [i.kind for i in facts.deployment] == ["compose", "docker"]
    assert [i.name for i in facts.observability] == ["compose healthcheck: db"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("requirements-dev.txt", True),
        ("requirements_test.txt", True),
        ("dev-requirements.txt", True),
        ("requirements/local.txt", True),
        ("requirements/docs.in", True),
        ("requirements.txt", False),
        ("requirements/base.txt", False),
        ("requirements/production.txt", False),
        ("requirements-prod.txt", False),
        ("Procfile.dev", True),
        ("Procfile", False),
        ("docker-compose.ci.yml", True),
        ("docker/Dockerfile.dev", True),
        (".env.development", True),
        (".env.local.example", False),
        (".env.example", False),
        ("proj/settings/local.py", True),
        ("proj/settings/production.py", False),
        ("config/environments/development.rb", True),
        ("config/environments/production.rb", False),
        ("app/dev_tools.py", False),
        ("proj/local_settings.py", True),
        ("app/config_test.py", True),
        ("app/config_prod.py", False),
        ("src/testing_utils.ts", False),
    ],
)
def test_dev_only_path(path: str, expected: bool) -> None:
    assert dev_only_path(path) is expected


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("main", False),
        ("optional:s3", False),
        ("optional:npm", False),
        ("dev", True),
        ("test", True),
        ("optional:tests", True),
        ("typing", True),
        ("peer", True),
        ("indirect", True),
        ("lock", True),
    ],
)
def test_dev_group(group: str, expected: bool) -> None:
    assert dev_group(group) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_x.py", True),
        ("app/test_views.py", True),
        ("pkg/conftest.py", True),
        ("internal/store/store_test.go", True),
        ("src/x.spec.tsx", True),
        ("spec/models/user_spec.rb", True),
        ("examples/demo/app.py", True),
        ("app/views.py", False),
        ("src/contest.py", False),
        ("latest/x.go", False),
    ],
)
def test_non_product_path(path: str, expected: bool) -> None:
    assert non_product_path(path) is expected


def test_a_service_named_only_in_an_example_env_file_is_not_claimed() -> None:
    files = {
        "package.json": b'{"name": "x", "dependencies": {"express": "^4"}}',
        ".env.example": b"OPENAI_API_KEY=sk-xxxx\nSTRIPE_KEY=sk_test\n",
        "app.js": b"const express = require('express');\nexpress().listen(3000);\n",
    }
    names = {
        s.name
        for s in analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog()).integrations
    }
    assert "OpenAI" not in names
    files["ai.js"] = b"const key = process.env.OPENAI_API_KEY;\nmodule.exports = key;\n"
    names = {
        s.name
        for s in analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog()).integrations
    }
    assert "OpenAI" in names


def test_a_top_level_dev_folder_is_not_the_app_but_a_module_named_dev_is() -> None:
    from bot.core.analysis.services import non_product_path

    assert non_product_path("dev/code-generation/gen_locales.py")
    assert not non_product_path("app/dev/tools.py")
    assert not non_product_path("dev.py")


def test_a_service_named_only_by_a_maintainers_script_is_not_the_apps() -> None:
    # A translation script at the top of the repository imports an SDK no manifest of the
    # app declares; the app's own module imports Stripe.
    files = {
        "scripts/translate.py": python(ImportRef("stripe", 3)),
        "scripts/requirements.txt": manifest(Dependency("pypi", "redis", 1)),
        "app/pay.py": python(ImportRef("sentry_sdk", 2)),
    }
    found = collect_services(files, CATALOG)
    assert [s.name for s in (*found.datastores, *found.integrations)] == ["Sentry"]
    files["app/pay.py"] = python(ImportRef("stripe", 2))
    (stripe,) = collect_services(files, CATALOG).integrations
    assert stripe.evidence == (E("app/pay.py", 2), E("scripts/translate.py", 3))


def test_mailbox_clients_and_captcha_hosts_name_their_services() -> None:
    facts = run(
        {
            "go.mod": b"module example.com/app\n\ngo 1.22\n",
            "bounces/box.go": b'package bounces\n\nimport "github.com/knadh/go-pop3"\n\n'
            b"var _ = pop3.New\n",
            "mailin/fetch.py": b"import imaplib\n\nbox = imaplib.IMAP4_SSL(HOST)\n",
            "forms/check.go": b'package forms\n\nimport "net/http"\n\nfunc ok() {\n'
            b'\thttp.PostForm("https://api.hcaptcha.com/siteverify", nil)\n}\n',
        }
    )
    assert {s.name for s in facts.integrations} == {"POP3 mailbox", "IMAP mailbox", "hCaptcha"}


def test_a_package_nobody_imports_with_only_its_public_id_read_is_no_claim() -> None:
    # the SDK is declared and never imported; the code reads the app's client id only to
    # hand it to a page: nothing calls the provider
    files = {
        "requirements.txt": manifest(Dependency("pypi", "stripe", 4)),
        "app/config_view.py": python(env=(EnvRead("STRIPE_CLIENT_ID", 12),)),
    }
    assert names(collect_services(files, CATALOG)) == []


def test_a_python_package_nobody_imports_is_no_claim() -> None:
    # pinned in the manifests and never imported: a left-over pin calls nobody
    pinned = {
        "requirements.txt": manifest(Dependency("pypi", "stripe", 4)),
        "pyproject.toml": manifest(Dependency("pypi", "stripe", 9)),
        "app/views.py": python(ImportRef("json", 1)),
    }
    assert names(collect_services(pinned, CATALOG)) == []
    # look-alikes that keep it: an import, an npm package (not judged so), a datastore
    imported = {**pinned, "app/pay.py": python(ImportRef("stripe", 1))}
    assert names(collect_services(imported, CATALOG)) == ["Stripe"]
    npm = {"package.json": manifest(Dependency("npm", "stripe", 2))}
    assert names(collect_services(npm, CATALOG)) == ["Stripe"]
    store = {"requirements.txt": manifest(Dependency("pypi", "redis", 2))}
    assert names(collect_services(store, CATALOG)) == ["Redis"]


def test_a_secret_read_an_import_or_a_lone_read_keeps_the_claim() -> None:
    declared = {"requirements.txt": manifest(Dependency("pypi", "stripe", 4))}
    secret = {
        **declared,
        "app/pay.py": python(env=(EnvRead("STRIPE_CLIENT_ID", 3), EnvRead("STRIPE_SECRET_KEY", 4))),
    }
    imported = {
        **declared,
        "app/pay.py": python(ImportRef("stripe", 1), env=(EnvRead("STRIPE_CLIENT_ID", 3),)),
    }
    read_only = {"app/pay.py": python(env=(EnvRead("STRIPE_CLIENT_ID", 3),))}
    for files in (secret, imported, read_only):
        assert names(collect_services(files, CATALOG)) == ["Stripe"]
    # a datastore is never dropped so (its client may be built from settings)
    redis = {
        "requirements.txt": manifest(Dependency("pypi", "redis", 2)),
        "app/cache.py": python(env=(EnvRead("REDIS_APP_ID", 5),)),
    }
    assert names(collect_services(redis, CATALOG)) == ["Redis"]
