from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis.catalog import (
    Catalog,
    image_name,
    js_package_name,
    normalize_pypi,
)
from bot.core.analysis.catalog_yaml import load_catalog
from bot.core.errors import ConfigError
from bot.local.catalog_file import CATALOG_PATH, default_catalog

SMALL = """\
version: 1
services:
  - name: PostgreSQL
    category: datastore
    pypi: [psycopg2-binary, Psycopg]
    import: [psycopg2]
    npm: [pg]
    gem: [pg]
    go: [github.com/jackc/pgx]
    image: [postgres, postgis/postgis]
    env: [POSTGRES_, PGHOST]
    scheme: [postgres, postgresql]
    config: [django.db.backends.postgresql, postgresql]
  - name: AWS
    category: cloud
    npm: ["@aws-sdk/*"]
    pypi: ["boto3"]
    go: [github.com/aws/aws-sdk-go-v2]
    env: [AWS_]
  - name: Amazon S3
    category: storage
    npm: ["@aws-sdk/client-s3"]
    go: [github.com/aws/aws-sdk-go-v2/service/s3]
    env: [AWS_S3_]
  - name: Google Cloud Storage
    category: storage
    pypi: [google-cloud-storage]
    import: [google.cloud.storage]
    require: [google/cloud/storage]
  - name: Sentry
    category: monitoring
    observability: errors
    pypi: [sentry-sdk]
observability:
  - {name: structlog, kind: logging, pypi: [structlog]}
resilience:
  - name: urllib3 Retry
    kind: retry
    import: ["urllib3.util.retry", "urllib3.util:Retry"]
  - {name: Sidekiq retries, kind: retry, gem: [sidekiq]}
deployment:
  - {name: Heroku, kind: heroku, env: [HEROKU_]}
"""


@pytest.fixture
def small() -> Catalog:
    return load_catalog(SMALL)


def names(entries: tuple[object, ...]) -> list[str]:
    return [getattr(e, "name") for e in entries]  # noqa: B009 - entries are catalog Entry


def test_pep503_normalisation_folds_case_and_separators() -> None:
    assert normalize_pypi("Psycopg2_Binary") == "psycopg2-binary"
    assert normalize_pypi("zope.interface") == "zope-interface"
    assert normalize_pypi("a__-.b") == "a-b"


def test_package_lookup_normalises_the_queried_name(small: Catalog) -> None:
    assert names(small.by_package("pypi", "PSYCOPG2_binary")) == ["PostgreSQL"]
    assert names(small.by_package("pypi", "psycopg")) == ["PostgreSQL"]
    assert names(small.by_package("npm", "PG")) == ["PostgreSQL"]
    assert small.by_package("pypi", "psycopg3") == ()
    assert small.by_package("cargo", "pg") == ()


def test_python_import_uses_explicit_and_derived_names_by_longest_prefix(small: Catalog) -> None:
    assert names(small.by_python_import("psycopg2.extras")) == ["PostgreSQL"]
    # sentry-sdk → sentry_sdk without an explicit import entry
    assert names(small.by_python_import("sentry_sdk.integrations.flask")) == ["Sentry"]
    assert names(small.by_python_import("google.cloud.storage")) == ["Google Cloud Storage"]
    assert small.by_python_import("google.cloud") == ()
    assert small.by_python_import("psycopg2_binary_x") == ()


def test_python_import_matches_module_colon_name_keys(small: Catalog) -> None:
    assert names(small.by_python_import("urllib3.util", ("Retry",))) == ["urllib3 Retry"]
    assert small.by_python_import("urllib3.util", ("Timeout",)) == ()
    assert names(small.by_python_import("urllib3.util.retry")) == ["urllib3 Retry"]


def test_js_specifier_reduces_to_package_and_scoped_exact_beats_wildcard(small: Catalog) -> None:
    assert js_package_name("@aws-sdk/client-s3/dist-es/x.js") == "@aws-sdk/client-s3"
    assert js_package_name("lodash/fp") == "lodash"
    assert js_package_name("./util") == ""
    assert js_package_name("node:fs") == ""
    assert js_package_name("@/components/x") == ""
    assert names(small.by_js_import("@aws-sdk/client-s3")) == ["Amazon S3"]
    assert names(small.by_js_import("@aws-sdk/client-sqs")) == ["AWS"]
    assert names(small.by_js_import("pg/lib/client")) == ["PostgreSQL"]


def test_ruby_require_tries_gem_names_and_path_prefixes(small: Catalog) -> None:
    assert names(small.by_ruby_require("sidekiq/web")) == ["Sidekiq retries"]
    assert names(small.by_ruby_require("pg")) == ["PostgreSQL"]
    assert names(small.by_ruby_require("google/cloud/storage")) == ["Google Cloud Storage"]
    assert small.by_ruby_require("json") == ()


def test_go_import_matches_longest_module_prefix_on_segment_boundaries(small: Catalog) -> None:
    assert names(small.by_go_import("github.com/jackc/pgx/v5/pgxpool")) == ["PostgreSQL"]
    assert names(small.by_go_import("github.com/aws/aws-sdk-go-v2/service/s3")) == ["Amazon S3"]
    assert names(small.by_go_import("github.com/aws/aws-sdk-go-v2/config")) == ["AWS"]
    assert small.by_go_import("github.com/jackc/pgxfoo") == ()
    assert names(small.by_package("go", "github.com/jackc/pgx/v5")) == ["PostgreSQL"]


def test_image_lookup_strips_registry_library_tag_and_digest(small: Catalog) -> None:
    assert image_name("docker.io/library/postgres:16-alpine@sha256:abc") == "postgres"
    assert image_name("localhost:5000/postgis/postgis:15") == "postgis/postgis"
    assert names(small.by_image("postgres:16")) == ["PostgreSQL"]
    assert names(small.by_image("postgis/postgis")) == ["PostgreSQL"]
    assert small.by_image("python:3.12-slim") == ()


def test_env_lookup_prefers_exact_then_longest_prefix(small: Catalog) -> None:
    assert names(small.by_env("PGHOST")) == ["PostgreSQL"]
    assert names(small.by_env("AWS_S3_BUCKET")) == ["Amazon S3"]
    assert names(small.by_env("AWS_REGION")) == ["AWS"]
    assert names(small.by_env("HEROKU_APP_NAME")) == ["Heroku"]
    assert small.by_env("DATABASE_URL") == ()


def test_scheme_and_config_lookups(small: Catalog) -> None:
    assert names(small.by_scheme("PostgreSQL+psycopg")) == ["PostgreSQL"]
    assert small.by_scheme("https") == ()
    assert names(small.by_config("django.db.backends.postgresql")) == ["PostgreSQL"]
    assert names(small.by_config("postgresql")) == ["PostgreSQL"]
    assert small.by_config("sqlite3") == ()


def test_entries_carry_section_category_kind_and_line(small: Catalog) -> None:
    by_name = {e.name: e for e in small.entries}
    assert by_name["Sentry"].category == "monitoring"
    assert by_name["Sentry"].observability == "errors"
    assert by_name["structlog"].section == "observability"
    assert by_name["structlog"].kind == "logging"
    assert by_name["PostgreSQL"].line == 3
    heroku = small.platform("heroku")
    assert heroku is not None
    assert heroku.name == "Heroku"
    assert small.platform("nope") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("services:\n  - name: X\n    category: nope\n    pypi: [x]\n", 3, "unknown category"),
        ("services:\n  - name: X\n    pypi: [x]\n", 2, "needs 'category'"),
        ("services:\n  - category: queue\n    pypi: [x]\n", 2, "needs 'name'"),
        ("services:\n  - name: X\n    category: queue\n    pipy: [x]\n", 4, "unknown key 'pipy'"),
        ("services:\n  - name: X\n    category: queue\n", 2, "has no matcher"),
        ("services:\n  - name: X\n    category: queue\n    pypi: x\n", 4, "non-empty list"),
        ("services:\n  - name: X\n    category: queue\n    pypi: []\n", 4, "non-empty list"),
        (
            "services:\n  - {name: A, category: queue, pypi: [Foo_Bar]}\n"
            "  - {name: B, category: queue, pypi: [foo-bar]}\n",
            3,
            "already maps to 'A'",
        ),
        (
            "services:\n  - {name: A, category: queue, pypi: [a]}\n"
            "  - {name: A, category: queue, pypi: [b]}\n",
            3,
            "entry name 'A' already used at line 2",
        ),
        ("resilience:\n  - {name: t, kind: retries, pypi: [t]}\n", 2, "unknown resilience kind"),
        (
            "services:\n  - name: X\n    category: queue\n    pypi: [a]\n    pypi: [b]\n",
            5,
            "key 'pypi' appears twice",
        ),
        ("extras:\n  - {name: t}\n", 1, "unknown section 'extras'"),
        ("services: {a: 1}\n", 1, "must be a list"),
        ("services:\n  - [a]\n", 2, "must be a list of mappings"),
        ("- a\n", 1, "top level must be a mapping"),
        ("services:\n  - {name: A, category: queue, pypi: [a]\n", 3, "invalid YAML"),
    ],
)
def test_invalid_catalog_raises_config_error_with_line(text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_catalog(text, "cat.yml")
    assert caught.value.path == "cat.yml"
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"cat.yml:{line}: ")


def test_same_package_may_name_a_service_and_a_resilience_library(small: Catalog) -> None:
    catalog = load_catalog(
        "services:\n  - {name: Sidekiq, category: queue, gem: [sidekiq]}\n"
        "resilience:\n  - {name: Sidekiq retries, kind: retry, gem: [sidekiq]}\n"
    )
    assert names(catalog.by_package("gem", "sidekiq")) == ["Sidekiq", "Sidekiq retries"]


def test_shipped_catalog_loads_and_covers_the_four_ecosystems() -> None:
    catalog = default_catalog()
    assert default_catalog() is catalog  # read once
    assert CATALOG_PATH.name == "integrations.yml"
    counts = {eco: 0 for eco in ("pypi", "npm", "gem", "go")}
    text = CATALOG_PATH.read_text(encoding="utf-8")
    for line in text.splitlines():
        for eco in counts:
            if line.strip().startswith(f"{eco}:"):
                counts[eco] += line.count(",") + 1
    assert all(n >= 150 for n in counts.values()), counts
    assert len(catalog.entries) >= 250


@pytest.mark.parametrize(
    ("lookup", "expected"),
    [
        (("package", "pypi", "psycopg2-binary"), "PostgreSQL"),
        (("package", "pypi", "PyMySQL"), "MySQL"),
        (("package", "pypi", "django-redis"), "Redis"),
        (("package", "npm", "ioredis"), "Redis"),
        (("package", "npm", "@prisma/client"), None),
        (("package", "npm", "socket.io"), None),  # serves the app's own channel
        (("package", "npm", "socket.io-client"), None),
        (("import", "socketio"), None),
        (("package", "gem", "sidekiq"), "Sidekiq"),
        (("package", "gem", "pg"), "PostgreSQL"),
        (("package", "npm", "@sentry/nextjs"), "Sentry"),
        (("package", "npm", "@aws-sdk/client-s3"), "Amazon S3"),
        (("package", "pypi", "google-cloud-pubsub"), "Google Cloud Pub/Sub"),
        (("package", "pypi", "google-cloud-translate"), "Google Cloud Translation"),
        (("package", "pypi", "google-cloud-videointelligence"), "Google Cloud"),
        (("import", "MySQLdb"), "MySQL"),
        (("import", "hcaptcha.fields"), "hCaptcha"),
        (("package", "pypi", "django-hCaptcha"), "hCaptcha"),
        (("import", "pytubefix"), "YouTube"),
        (("import", "litellm"), "LLM providers (LiteLLM)"),
        (("import", "webdav3.client"), "WebDAV server"),
        (
            ("import", "allauth.socialaccount.providers.oauth2"),
            "OAuth / OpenID Connect providers (django-allauth socialaccount)",
        ),
        (("import", "allauth.account.forms"), None),  # local accounts call nobody
        (("import", "webdav"), None),  # a server library's name, not the client
        (("import", "yaml"), None),
        (("import", "flask"), None),
        (("go", "github.com/redis/go-redis/v9"), "Redis"),
        (("go", "github.com/stripe/stripe-go/v76/customer"), "Stripe"),
        (("image", "bitnami/redis:7.2"), "Redis"),
        (("image", "rabbitmq:3-management"), "RabbitMQ"),
        (("env", "STRIPE_WEBHOOK_SECRET"), "Stripe"),
        (("env", "OPENAI_API_KEY"), "OpenAI"),
        (("env", "SENTRY_DSN"), "Sentry"),
        (("env", "REDIS_URL"), "Redis"),
        (("env", "DATABASE_URL"), None),
        (("env", "CC_HEALTH_CHECK_PATH"), "Clever Cloud"),
        (("scheme", "rediss"), "Redis"),
        (("scheme", "mongodb+srv"), "MongoDB"),
        (("config", "django_redis.cache.RedisCache"), "Redis"),
        (("config", "django.db.backends.sqlite3"), "SQLite"),
        (("config", "S3"), "Amazon S3"),
        (("config", "sidekiq"), "Sidekiq"),
        (("config", "social_core.backends.github.GithubOAuth2"), "GitHub OAuth"),
        (
            ("config", "social_core.backends.azuread_tenant.AzureADTenantOAuth2"),
            "Microsoft Entra ID (Azure AD)",
        ),
        (("config", "social_core.backends.utils"), None),
        (("config", "program:apprise"), "Apprise"),
        (("config", "knex:pg"), "PostgreSQL"),
        (("js", "next-auth/providers/github"), "GitHub OAuth"),
        (("js", "@auth/core/providers/google"), "Google Sign-In"),
        (("js", "knex/lib/dialects/sqlite3/index.js"), "SQLite"),
        (("js", "next-auth/react"), None),  # next-auth itself talks to what it is configured with
        (("js", "knex"), None),  # a query builder for many databases proves none
        (("js", "pg/lib/client"), "PostgreSQL"),  # a deep import of a listed package
        # one row per queue library: `bull` is not BullMQ
        (("package", "npm", "bull"), "Bull"),
        (("package", "npm", "@nestjs/bull"), "Bull"),
        (("package", "npm", "bullmq"), "BullMQ"),
        (("package", "npm", "@nestjs/bullmq"), "BullMQ"),
        (("package", "npm", "bee-queue"), "Bee-Queue"),
        (("package", "npm", "kue"), "Kue"),
        (("package", "gem", "pwned"), "Have I Been Pwned"),
        (("package", "gem", "sigstore"), "Sigstore"),
        (("package", "gem", "openid_connect"), "OpenID Connect provider"),
        (("package", "gem", "gravatar-ultimate"), "Gravatar"),
        (("package", "gem", "statsd-instrument"), "StatsD server"),
        (("package", "gem", "mail"), None),
        (("package", "gem", "librato-rails"), "Librato"),  # a message library, not an SMTP server
    ],
)
def test_shipped_catalog_answers_common_lookups(
    lookup: tuple[str, ...], expected: str | None
) -> None:
    catalog = default_catalog()
    kind, *args = lookup
    found = {
        "package": lambda: catalog.by_package(args[0], args[1]),
        "import": lambda: catalog.by_python_import(args[0]),
        "js": lambda: catalog.by_js_import(args[0]),
        "go": lambda: catalog.by_go_import(args[0]),
        "image": lambda: catalog.by_image(args[0]),
        "env": lambda: catalog.by_env(args[0]),
        "scheme": lambda: catalog.by_scheme(args[0]),
        "config": lambda: catalog.by_config(args[0]),
    }[kind]()
    services = [e.name for e in found if e.section in ("services", "deployment")]
    assert services[:1] == ([expected] if expected else [])


def test_shipped_catalog_has_resilience_and_observability_libraries() -> None:
    catalog = default_catalog()
    by = {
        (eco, name): [e.name for e in catalog.by_package(eco, name)]
        for eco, name in [
            ("pypi", "tenacity"),
            ("pypi", "backoff"),
            ("pypi", "pybreaker"),
            ("npm", "opossum"),
            ("npm", "p-retry"),
            ("gem", "retriable"),
            ("go", "github.com/cenkalti/backoff/v4"),
            ("go", "github.com/sony/gobreaker"),
            ("pypi", "structlog"),
            ("npm", "pino"),
            ("go", "go.uber.org/zap"),
            ("pypi", "prometheus-client"),
            ("pypi", "opentelemetry-sdk"),
        ]
    }
    assert all(by.values()), by
    assert [e.name for e in catalog.by_python_import("urllib3.util", ("Retry",))] == [
        "urllib3 Retry"
    ]


@given(st.text(alphabet="abcXYZ019-_.", min_size=1, max_size=20))
def test_pep503_normalisation_is_idempotent_and_separator_blind(name: str) -> None:
    once = normalize_pypi(name)
    assert normalize_pypi(once) == once
    assert normalize_pypi(name.replace("-", "_").upper()) == once
