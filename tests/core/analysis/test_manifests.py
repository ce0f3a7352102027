from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.analysis.manifest_text import FileExtractor, process_kind
from bot.core.analysis.manifests import MANIFEST_EXTRACTORS, manifest_extractors_for
from bot.core.model import Dependency, EnvRead, FileFacts, Signal
from bot.local.catalog_file import default_catalog


def facts(path: str, text: str) -> FileFacts:
    chosen = manifest_extractors_for(path)
    assert len(chosen) == 1, (path, [e.name for e in chosen])
    return chosen[0].extract(path, text.encode())


def deps(path: str, text: str) -> list[tuple[str, int | None, str]]:
    return [(d.name, d.line, d.group) for d in facts(path, text).dependencies]


# --- the registry contract ---------------------------------------------------------------


def test_extractor_names_are_unique_and_versions_positive() -> None:
    names = [e.name for e in MANIFEST_EXTRACTORS]
    assert len(names) == len(set(names))
    assert all(isinstance(e, FileExtractor) and e.version >= 1 for e in MANIFEST_EXTRACTORS)


def test_facts_depend_on_bytes_not_on_the_path() -> None:
    # The cache key is extractor + blob SHA: two paths with one extractor must agree.
    data = b"flask\nredis==5\n"
    (extractor,) = manifest_extractors_for("requirements.txt")
    assert extractor.matches("requirements-dev.txt")
    assert extractor.extract("requirements.txt", data) == extractor.extract(
        "requirements-dev.txt", data
    )


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("requirements.txt", "requirements"),
        ("requirements/base.txt", "requirements"),
        ("dev-requirements.in", "requirements"),
        ("svc/pyproject.toml", "pyproject"),
        ("Pipfile", "pipfile"),
        ("setup.py", "setup_py"),
        ("setup.cfg", "setup_cfg"),
        ("web/package.json", "package_json"),
        ("Gemfile", "gemfile"),
        ("Gemfile.lock", "gemfile_lock"),
        ("go.mod", "go_mod"),
        ("proj/settings.py", "python_settings"),
        ("config/settings/production.py", "python_settings"),
        (".env.example", "env_file"),
        ("deploy/example.env", "env_file"),
        ("config/database.yml", "rails_database"),
        ("config/cable.yml", "rails_cable"),
        ("config/storage.yml", "rails_storage"),
        ("config/sidekiq.yml", "rails_sidekiq"),
        ("config/environments/production.rb", "rails_config"),
        ("prisma/schema.prisma", "prisma"),
        ("Dockerfile", "dockerfile"),
        ("docker/worker.Dockerfile", "dockerfile"),
        ("Dockerfile.prod", "dockerfile"),
        ("docker-compose.yml", "compose"),
        ("compose.override.yaml", "compose"),
        ("Procfile", "procfile"),
        ("clevercloud/python.json", "clevercloud"),
        ("app.json", "heroku_app_json"),
        ("heroku.yml", "heroku_yml"),
        ("fly.toml", "fly_toml"),
        ("render.yaml", "render_yaml"),
        ("vercel.json", "vercel_json"),
        ("netlify.toml", "netlify_toml"),
        ("k8s/deployment.yaml", "kubernetes"),
        ("charts/api/Chart.yaml", "helm_chart"),
    ],
)
def test_each_file_kind_has_exactly_one_extractor(path: str, name: str) -> None:
    assert [e.name for e in manifest_extractors_for(path)] == [name]


@pytest.mark.parametrize(
    "path",
    [
        "constraints.txt",
        "node_modules/x/package.json",
        "README.md",
        "app/models.py",
        ".env.test",
        "config/environments/test.rb",
        "docs/conf.yml",
        "mobile/app.json",
    ],
)
def test_unrelated_files_are_not_claimed(path: str) -> None:
    assert manifest_extractors_for(path) == ()


def test_every_deployment_platform_emitted_has_a_catalog_name() -> None:
    catalog = default_catalog()
    platforms = {e.kind for e in catalog.entries if e.section == "deployment"}
    samples = {
        "Dockerfile": "FROM python:3.12\n",
        "compose.yaml": "services:\n  a:\n    image: x\n",
        "Procfile": "web: x\n",
        "clevercloud/python.json": "{}",
        "app.json": '{"stack": "heroku-22"}',
        "heroku.yml": "build: {}\n",
        "fly.toml": 'app = "x"\n',
        "render.yaml": "services: []\n",
        "vercel.json": "{}",
        "netlify.toml": "",
        "railway.toml": "",
        "serverless.yml": "",
        "app.yaml": "runtime: python312\n",
        ".ebextensions/01.config": "",
        "k8s/a.yaml": "apiVersion: v1\nkind: Service\n",
        "charts/a/Chart.yaml": "name: a\n",
        "deploy/uwsgi.ini": "[uwsgi]\nmodule = a:app\n",
        "deploy/supervisor/a.conf": "[program:a]\ncommand=a\n",
        "deploy/a.service": "[Service]\nExecStart=/usr/bin/a\n",
    }
    emitted = {
        s.kind.split(".", 1)[1]
        for path, text in samples.items()
        for s in facts(path, text).signals
        if s.kind.startswith("deployment.")
    }
    assert emitted == platforms


# --- Python ---------------------------------------------------------------------------------


def test_requirements_normalise_names_and_skip_options_comments_and_urls() -> None:
    text = (
        "# pinned\n"
        "-r base.txt\n"
        "--index-url https://example.invalid/simple\n"
        "Flask[async]==3.0  # web\n"
        "psycopg2_binary>=2.9 ; python_version >= '3.8'\n"
        "-e git+https://example.invalid/x.git#egg=My.Lib\n"
        "https://example.invalid/pkg.whl\n"
        "redis \\\n"
        "    --hash=sha256:abc\n"
        "stripe @ https://example.invalid/stripe.tar.gz\n"
    )
    assert deps("requirements.txt", text) == [
        ("flask", 4, "main"),
        ("my-lib", 6, "main"),
        ("psycopg2-binary", 5, "main"),
        ("redis", 8, "main"),
        ("stripe", 10, "main"),
    ]


PYPROJECT = """\
[project]
name = "svc"
dependencies = [
  "Django>=5",
  "celery[redis]>=5.3",
]

[project.optional-dependencies]
s3 = ["boto3"]
test = ["pytest"]

[project.scripts]
svc = "svc.cli:main"

[dependency-groups]
dev = ["ruff"]
lint = ["mypy"]

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2"
sentry-sdk = { version = "^2", optional = true }

[tool.poetry.group.dev.dependencies]
pytest-django = "*"

[tool.poetry.scripts]
svc-admin = "svc.admin:run"
"""


def test_pyproject_reads_pep621_groups_poetry_and_scripts_with_lines() -> None:
    result = facts("pyproject.toml", PYPROJECT)
    assert [(d.name, d.line, d.group) for d in result.dependencies] == [
        ("boto3", 9, "optional:s3"),
        ("celery", 5, "main"),
        ("django", 4, "main"),
        ("mypy", 17, "lint"),
        ("pytest", 10, "optional:test"),
        ("pytest-django", 25, "dev"),
        ("requests", 21, "main"),
        ("ruff", 16, "dev"),
        ("sentry-sdk", 22, "optional:poetry"),
    ]
    assert result.signals == (
        Signal("entrypoint.cli", "svc", 13, "svc.cli:main"),
        Signal("entrypoint.cli", "svc-admin", 28, "svc.admin:run"),
    )
    assert result.meta == (("name", "svc"),)


def test_broken_toml_gives_empty_facts_not_an_error() -> None:
    assert facts("pyproject.toml", "[project\n").dependencies == ()


def test_pipfile_packages_and_dev_packages() -> None:
    text = '[packages]\nflask = "*"\n"PyMySQL" = "*"\n\n[dev-packages]\npytest = "*"\n'
    assert deps("Pipfile", text) == [
        ("flask", 2, "main"),
        ("pymysql", 3, "main"),
        ("pytest", 6, "dev"),
    ]


SETUP_PY = """\
from setuptools import setup

REQUIRES = [
    "requests>=2",
    "pika",
]

setup(
    name="x",
    install_requires=REQUIRES + ["boto3"],
    extras_require={"redis": ["redis>=4"], "dev": ["pytest"]},
    tests_require=["mock"],
    entry_points={"console_scripts": ["x-run = x.main:run"]},
)
"""


def test_setup_py_is_read_with_ast_following_module_level_lists() -> None:
    result = facts("setup.py", SETUP_PY)
    assert [(d.name, d.line, d.group) for d in result.dependencies] == [
        ("boto3", 10, "main"),
        ("mock", 12, "test"),
        ("pika", 5, "main"),
        ("pytest", 11, "optional:dev"),
        ("redis", 11, "optional:redis"),
        ("requests", 4, "main"),
    ]
    assert result.signals == (Signal("entrypoint.cli", "x-run", 13, "x.main:run"),)


def test_setup_cfg_install_requires_and_console_scripts() -> None:
    text = (
        "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    requests\n    "
        "pika>=1\n\n[options.entry_points]\nconsole_scripts =\n    x = x.cli:main\n"
    )
    result = facts("setup.cfg", text)
    assert [(d.name, d.line) for d in result.dependencies] == [("pika", 7), ("requests", 6)]
    assert result.signals == (Signal("entrypoint.cli", "x", 11, "x.cli:main"),)


DJANGO_SETTINGS = """\
import os

DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "app",
    }
}
CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": os.environ["R"]}}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "amqp://guest@localhost//")
EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"


class Production:
    SENTRY_DSN = os.environ.get("SENTRY_DSN")
"""


def test_python_settings_emit_engines_backends_url_schemes_and_setting_names() -> None:
    result = facts("proj/settings.py", DJANGO_SETTINGS)
    assert result.language == "config"
    assert result.signals == (
        Signal("config.django", "CACHES", 10, "django_redis.cache.RedisCache"),
        Signal("config.django", "DATABASES", 6, "django.db.backends.postgresql"),
        Signal("config.django", "EMAIL_BACKEND", 12, "anymail.backends.mailgun.EmailBackend"),
        Signal("config.setting", "CACHES", 10),
        Signal("config.setting", "CELERY_BROKER_URL", 11),
        Signal("config.setting", "DATABASES", 4),
        Signal("config.setting", "DEBUG", 3),
        Signal("config.setting", "EMAIL_BACKEND", 12),
        Signal("config.setting", "SENTRY_DSN", 16),
        Signal("config.url", "CELERY_BROKER_URL", 11, "amqp"),
    )


def test_python_settings_set_conditionally_or_by_item_are_seen() -> None:
    text = (
        "import os\n\nSTORAGES = {}\n"
        'if "AWS_STORAGE_BUCKET_NAME" in os.environ:\n'
        '    AWS_STORAGE_BUCKET_NAME = os.getenv("AWS_STORAGE_BUCKET_NAME")\n'
        '    STORAGES["default"]["BACKEND"] = "storages.backends.s3boto3.S3Boto3Storage"\n'
        "try:\n    from .local import *\nexcept ImportError:\n"
        '    CACHE_URL = "memcached://127.0.0.1:11211"\n'
    )
    assert facts("proj/settings/production.py", text).signals == (
        Signal("config.django", "STORAGES", 6, "storages.backends.s3boto3.S3Boto3Storage"),
        Signal("config.setting", "AWS_STORAGE_BUCKET_NAME", 5),
        Signal("config.setting", "CACHE_URL", 10),
        Signal("config.setting", "STORAGES", 3),
        Signal("config.setting", "STORAGES", 6),
        Signal("config.url", "CACHE_URL", 10, "memcached"),
    )


def test_a_settings_dict_naming_its_class_by_a_dotted_path_is_a_config_value() -> None:
    text = (
        "JOBS = {\n"
        '    "queue_class": "taskq.FileQueue",\n'
        '    "css_class": "wide pane",\n'  # no dotted path: not a class
        '    "classic": "taskq.Other",\n'  # a key that only starts with the word
        "}\n"
    )
    assert facts("proj/settings.py", text).signals == (
        Signal("config.django", "JOBS", 2, "taskq.FileQueue"),
        Signal("config.setting", "JOBS", 1),
    )


def test_hostile_class_keys_stay_fast() -> None:
    import time

    start = time.process_time()
    entries = "".join(f'    "k{i}_class": "{"a." * 200}x",\n' for i in range(20_000))
    text = "JOBS = {\n" + entries + '    "' + "_" * 100_000 + 'class": "a.b",\n}\n'
    assert len(facts("proj/settings.py", text).signals) == 2  # the setting, the last key
    assert time.process_time() - start < 20  # generous: a shared machine


def test_huey_sqlite_storage_is_a_datastore_in_the_catalog() -> None:
    (entry,) = default_catalog().by_config("huey.SqliteHuey")
    assert entry.category == "datastore"
    assert default_catalog().by_config("hueyx.SqliteHuey") == ()


# --- JavaScript -----------------------------------------------------------------------------

PACKAGE_JSON = """\
{
  "name": "@acme/web",
  "bin": {"acme": "bin/acme.js"},
  "scripts": {
    "dev": "next dev",
    "start": "next start"
  },
  "dependencies": {
    "next": "14.2.0",
    "@prisma/client": "^5",
    "Stripe": "^14"
  },
  "devDependencies": {
    "prisma": "^5",
    "@sentry/nextjs": "^8"
  },
  "peerDependencies": {"react": "^18"},
  "workspaces": ["packages/*"]
}
"""


def test_package_json_groups_bin_start_script_and_meta() -> None:
    result = facts("package.json", PACKAGE_JSON)
    assert [(d.name, d.line, d.group) for d in result.dependencies] == [
        ("@prisma/client", 10, "main"),
        ("@sentry/nextjs", 15, "dev"),
        ("next", 9, "main"),
        ("prisma", 14, "dev"),
        ("react", 17, "peer"),
        ("stripe", 11, "main"),
    ]
    assert result.signals == (
        Signal("entrypoint.cli", "acme", 3, "bin/acme.js"),
        Signal("entrypoint.http", "start", 6, "next start"),
    )
    assert result.meta == (
        ("name", "@acme/web"),
        ("scripts.run", "next dev next start"),  # what its scripts run (`egress_services`)
        ("workspaces", "packages/*"),
    )


def test_package_json_start_script_running_a_worker_is_a_worker() -> None:
    result = facts("package.json", '{"scripts": {"start": "node worker.js"}}')
    assert result.signals == (Signal("entrypoint.worker", "start", 1, "node worker.js"),)


# --- Ruby and Go --------------------------------------------------------------------------------

GEMFILE = """\
source "https://rubygems.org"

gem "rails", "~> 7.1"
gem 'pg'
gem "sidekiq", ">= 7" # jobs
gem "rubocop", require: false, group: :development

platforms :mri do
  gem "stackprof"
end

group :development, :test do
  gem "rspec-rails"
  if ENV["CI"]
    gem "simplecov"
  end
  gem "faker"
end

group :production do
  gem "lograge"
end
"""


def test_gemfile_groups_from_blocks_and_inline_options() -> None:
    assert deps("Gemfile", GEMFILE) == [
        ("faker", 17, "dev"),
        ("lograge", 21, "main"),
        ("pg", 4, "main"),
        ("rails", 3, "main"),
        ("rspec-rails", 13, "dev"),
        ("rubocop", 6, "dev"),
        ("sidekiq", 5, "main"),
        ("simplecov", 15, "dev"),
        ("stackprof", 9, "main"),
    ]


def test_gemfile_lock_reads_direct_dependencies_only() -> None:
    text = (
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    redis-client (0.19.0)\n\n"
        "PLATFORMS\n  ruby\n\nDEPENDENCIES\n  pg (~> 1.5)\n  sidekiq\n  my_gem!\n\n"
        "BUNDLED WITH\n   2.5.3\n"
    )
    assert deps("Gemfile.lock", text) == [
        ("my_gem", 12, "lock"),
        ("pg", 10, "lock"),
        ("sidekiq", 11, "lock"),
    ]


def test_go_mod_module_requires_and_indirect() -> None:
    text = (
        "module example.com/svc\n\ngo 1.22\n\nrequire github.com/lib/pq v1.10.9\n\n"
        "require (\n\tgithub.com/redis/go-redis/v9 v9.5.1\n"
        "\tgolang.org/x/sys v0.20.0 // indirect\n)\n"
    )
    result = facts("go.mod", text)
    assert result.dependencies == (
        Dependency("go", "github.com/lib/pq", 5, "main"),
        Dependency("go", "github.com/redis/go-redis/v9", 8, "main"),
        Dependency("go", "golang.org/x/sys", 9, "indirect"),
    )
    assert result.meta == (("module", "example.com/svc"),)


# --- config files ----------------------------------------------------------------------------


def test_env_example_keys_url_schemes_and_clever_cloud_health_path() -> None:
    text = (
        "# settings\nDATABASE_URL=postgresql+psycopg://u:secret@db/app\nexport REDIS_URL='redis://r:6379'\n"
        "STRIPE_SECRET_KEY=\nCC_HEALTH_CHECK_PATH=/healthz  # probe\nnot a line\n"
    )
    result = facts(".env.example", text)
    assert result.env == (
        EnvRead("CC_HEALTH_CHECK_PATH", 5),
        EnvRead("DATABASE_URL", 2),
        EnvRead("REDIS_URL", 3),
        EnvRead("STRIPE_SECRET_KEY", 4),
    )
    assert result.signals == (
        Signal("config.url", "DATABASE_URL", 2, "postgresql+psycopg"),
        Signal("config.url", "REDIS_URL", 3, "redis"),
        Signal("observability.health", "Clever Cloud health check", 5, "/healthz"),
    )
    assert "secret" not in repr(result)  # never the URL itself: it may hold a password


def test_rails_database_yml_adapters_env_refs_skip_test_environment() -> None:
    text = (
        "default: &default\n  adapter: postgresql\n"
        '  pool: <%= ENV.fetch("RAILS_MAX_THREADS") { 5 } %>\n'
        "\ndevelopment:\n  <<: *default\n\ntest:\n  adapter: sqlite3\n\n"
        'production:\n  <<: *default\n  url: <%= ENV["DATABASE_URL"] %>\n'
    )
    result = facts("config/database.yml", text)
    assert result.signals == (Signal("config.rails.database", "default", 2, "postgresql"),)
    assert result.env == (EnvRead("DATABASE_URL", 13), EnvRead("RAILS_MAX_THREADS", 3))


def test_rails_cable_and_storage_yml() -> None:
    cable = facts(
        "config/cable.yml",
        "production:\n  adapter: redis\n"
        '  url: <%= ENV.fetch("REDIS_URL") { "redis://localhost:6379/1" } %>\n',
    )
    assert cable.signals == (
        Signal("config.rails.cable", "production", 2, "redis"),
        Signal("config.url", "production", 3, "redis"),
    )
    assert cable.env == (EnvRead("REDIS_URL", 3),)
    storage = facts(
        "config/storage.yml",
        "local:\n  service: Disk\n\namazon:\n  service: S3\n  bucket: b\n",
    )
    assert storage.signals == (
        Signal("config.rails.storage", "amazon", 5, "S3"),
        Signal("config.rails.storage", "local", 2, "Disk"),
    )


def test_rails_environment_config_settings() -> None:
    text = (
        "Rails.application.configure do\n  config.active_job.queue_adapter = :sidekiq\n"
        "  # config.cache_store = :mem_cache_store\n"
        "  config.cache_store = :redis_cache_store, {}\nend\n"
    )
    result = facts("config/environments/production.rb", text)
    assert result.signals == (
        Signal("config.rails", "active_job.queue_adapter", 2, "sidekiq"),
        Signal("config.rails", "cache_store", 4, "redis_cache_store"),
    )


def test_prisma_datasource_provider_and_env() -> None:
    text = (
        'generator client {\n  provider = "prisma-client-js"\n}\n\n'
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
    )
    result = facts("prisma/schema.prisma", text)
    assert result.signals == (Signal("config.prisma", "db", 6, "postgresql"),)
    assert result.env == (EnvRead("DATABASE_URL", 7),)


# --- deployment ---------------------------------------------------------------------------------

DOCKERFILE = """\
FROM --platform=linux/amd64 python:3.12-slim AS base
RUN pip install \\
    -r requirements.txt
FROM base AS runtime
EXPOSE 8000
HEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/healthz || exit 1
CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"]
"""


def test_dockerfile_base_images_expose_healthcheck_and_http_entrypoint() -> None:
    result = facts("Dockerfile", DOCKERFILE)
    assert result.signals == (
        Signal("config.docker.expose", "EXPOSE", 5, "8000"),
        Signal("deployment.docker", "Dockerfile", 1, "python:3.12-slim"),
        Signal("entrypoint.http", "Dockerfile", 7, "gunicorn app:app --bind 0.0.0.0:8000"),
        Signal(
            "observability.health",
            "Docker HEALTHCHECK",
            6,
            "curl -f http://localhost:8000/healthz || exit 1",
        ),
    )


def test_dockerfile_env_names_and_url_schemes() -> None:
    text = (
        'FROM python:3.12\nENV REDIS_URL=redis://cache:6379 MODE="a b"\nENV LEGACY_KEY some value\n'
    )
    result = facts("Dockerfile", text)
    assert result.env == (EnvRead("LEGACY_KEY", 3), EnvRead("MODE", 2), EnvRead("REDIS_URL", 2))
    assert Signal("config.url", "REDIS_URL", 2, "redis") in result.signals
    assert facts("Dockerfile", "ENV\nENV \\\n").env == ()  # found by the property test


def test_dockerfile_without_expose_is_not_an_http_entrypoint() -> None:
    result = facts("Dockerfile", "FROM golang:1.22\nCMD ./server\nHEALTHCHECK NONE\n")
    assert result.signals == (Signal("deployment.docker", "Dockerfile", 1, "golang:1.22"),)


COMPOSE = """\
x-env: &env
  DATABASE_URL: postgres://app:pw@db/app
services:
  web:
    build: .
    ports: ["8000:8000"]
    environment:
      <<: *env
      REDIS_URL: redis://cache:6379
    depends_on: [db, cache]
  worker:
    build: .
    command: celery -A proj worker
    environment:
      - SENTRY_DSN=
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U app"]
  cache:
    image: redis:7-alpine
"""


def test_compose_services_images_dependencies_health_env_and_entrypoints() -> None:
    result = facts("docker-compose.yml", COMPOSE)
    assert result.signals == (
        Signal("build.compose", "web", 5, ".|"),
        Signal("build.compose", "worker", 12, ".|"),
        Signal("config.compose.depends_on", "web", 10, "cache"),
        Signal("config.compose.depends_on", "web", 10, "db"),
        Signal("config.compose.image", "cache", 21, "redis:7-alpine"),
        Signal("config.compose.image", "db", 17, "postgres:16"),
        Signal("config.url", "DATABASE_URL", 2, "postgres"),
        Signal("config.url", "REDIS_URL", 9, "redis"),
        Signal("deployment.compose", "cache", 20, "redis:7-alpine"),
        Signal("deployment.compose", "db", 16, "postgres:16"),
        Signal("deployment.compose", "web", 4, "build"),
        Signal("deployment.compose", "worker", 11, "build"),
        Signal("entrypoint.http", "web", 4, ""),
        Signal("entrypoint.worker", "worker", 11, "celery -A proj worker"),
        Signal("observability.health", "compose healthcheck: db", 19, "pg_isready -U app"),
    )
    assert result.env == (
        EnvRead("DATABASE_URL", 2),
        EnvRead("REDIS_URL", 9),
        EnvRead("SENTRY_DSN", 15),
    )


def test_procfile_processes_are_classified() -> None:
    text = (
        "web: gunicorn app:app\nworker: celery -A app worker\nclock: celery -A app beat\n"
        "release: flask db upgrade\nmailer: bundle exec sidekiq -q mail\n"
    )
    result = facts("Procfile", text)
    entry = [(s.kind, s.name, s.line) for s in result.signals if s.kind.startswith("entry")]
    assert entry == [
        ("entrypoint.http", "web", 1),
        ("entrypoint.scheduler", "clock", 3),
        ("entrypoint.worker", "mailer", 5),
        ("entrypoint.worker", "worker", 2),
    ]
    assert sorted(s.line or 0 for s in result.signals if s.kind == "deployment.procfile") == [
        1,
        2,
        3,
        4,
        5,
    ]


@pytest.mark.parametrize(
    ("name", "command", "kind"),
    [
        ("web", "anything", "http"),
        ("worker", "python -m app", "worker"),
        ("clock", "python clock.py", "scheduler"),
        ("beat", "celery -A x beat", "scheduler"),
        ("jobs", "bin/jobs", "worker"),
        ("x", "celery -A proj beat -l info", "scheduler"),
        ("x", "bundle exec puma -C config/puma.rb", "http"),
        ("x", "huey_consumer app.huey", "worker"),
        ("release", "python manage.py migrate", None),
        ("x", "./run-something", None),
    ],
)
def test_process_kind(name: str, command: str, kind: str | None) -> None:
    assert process_kind(name, command, None) == kind


def test_platform_configs() -> None:
    clever = facts("clevercloud/python.json", '{"deploy": {\n "module": "bot.app.web:app"}}')
    assert clever.signals == (
        Signal("deployment.clevercloud", "Clever Cloud"),
        Signal("entrypoint.http", "clevercloud", 2, "bot.app.web:app"),
    )
    heroku = facts(
        "app.json",
        '{"name": "x",\n "addons": ["heroku-postgresql:mini",\n {"plan": "heroku-redis"}],\n'
        ' "env": {"SECRET_KEY": {"generator": "secret"}}}',
    )
    assert heroku.signals == (
        Signal("config.heroku.addon", "heroku-postgresql:mini", 2, "heroku-postgresql"),
        Signal("config.heroku.addon", "heroku-redis", 3, "heroku-redis"),
        Signal("deployment.heroku", "Heroku app.json"),
    )
    assert heroku.env == (EnvRead("SECRET_KEY", 4),)
    assert facts("app.json", '{"expo": {"name": "x"}}') == FileFacts(language="config")
    fly = facts(
        "fly.toml",
        'app = "svc"\n[processes]\napp = "gunicorn x:app"\nworker = "python -m worker"\n\n'
        '[[http_service.checks]]\npath = "/healthz"\n',
    )
    assert fly.signals == (
        Signal("deployment.fly", "fly.toml", None, "svc"),
        Signal("entrypoint.http", "app", 1, "gunicorn x:app"),
        Signal("entrypoint.worker", "worker", 4, "python -m worker"),
        Signal("observability.health", "Fly.io health check", 6),
    )
    render = facts(
        "render.yaml",
        "services:\n  - type: web\n    name: api\n    startCommand: gunicorn x:app\n"
        "    healthCheckPath: /healthz\n"
        "    envVars:\n      - key: SENTRY_DSN\n        sync: false\n"
        "  - type: redis\n    name: cache\n"
        "databases:\n  - name: db\n",
    )
    assert render.signals == (
        Signal("config.render", "cache", 9, "redis"),
        Signal("config.render", "db", 12, "postgresql"),
        Signal("deployment.render", "render.yaml"),
        Signal("entrypoint.http", "api", 2, "gunicorn x:app"),
        Signal("observability.health", "Render health check: api", 5, "/healthz"),
    )
    assert render.env == (EnvRead("SENTRY_DSN", 7),)
    vercel = facts("vercel.json", '{"crons": [\n{"path": "/api/cron", "schedule": "0 5 * * *"}]}')
    assert vercel.signals == (
        Signal("deployment.vercel", "vercel.json"),
        Signal("entrypoint.scheduler", "/api/cron", 2, "0 5 * * *"),
    )
    assert facts("netlify.toml", "[build]\n").signals == (
        Signal("deployment.netlify", "netlify.toml"),
    )


def test_kubernetes_kinds_probes_images_env_and_helm_chart() -> None:
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.2\n"
        "          env:\n            - name: REDIS_URL\n              value: redis://r\n"
        "          livenessProbe:\n            httpGet: {path: /healthz}\n"
        "        - name: cache\n          image: redis:7\n"
        "        - name: tpl\n          image: {{ .Values.image }}\n"
        "---\napiVersion: v1\nkind: Service\n"
    )
    result = facts("k8s/web.yaml", text)
    assert result.signals == (
        Signal("config.image", "kubernetes", 8, "ghcr.io/acme/web:1.2"),
        Signal("config.image", "kubernetes", 15, "redis:7"),
        Signal("deployment.kubernetes", "Deployment", 2),
        Signal("deployment.kubernetes", "Service", 20),
        Signal("observability.health", "Kubernetes livenessProbe", 12),
    )
    assert result.env == (EnvRead("REDIS_URL", 10),)
    assert facts("k8s/values.yaml", "replicas: 2\n") == FileFacts(language="config")
    assert facts("charts/api/Chart.yaml", "apiVersion: v2\nname: api\n").signals == (
        Signal("deployment.helm", "Chart.yaml", 2, "api"),
    )


# --- robustness ---------------------------------------------------------------------------------

_JUNK = st.one_of(
    st.binary(max_size=300),
    st.text(alphabet='\n\t :=[]{}"#-\\abcENV_./@<%>', max_size=300).map(str.encode),
)


@pytest.mark.parametrize("extractor", MANIFEST_EXTRACTORS, ids=lambda e: e.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_JUNK)
def test_no_input_makes_an_extractor_raise(extractor: FileExtractor, data: bytes) -> None:
    result = extractor.extract("x", data)
    assert isinstance(result, FileFacts)
    assert FileFacts.from_json(result.to_json()) == result


def test_package_json_lines_come_from_one_index_answering_as_the_line_search_did() -> None:
    from bot.core.analysis.manifest_text import find_line
    from bot.core.analysis.manifests_js import _KeyLines, parse_package_json

    lines = [
        "{",
        '  "name": "dev", "bin": {"tool": "bin/t"},',
        '  "dependencies": {"react": "18", "dev": "1",',
        '    "a":":", "lodash" : "4"},',
        '  "devDependencies": {',
        '    "react": "18",',
        '    "vite": "5"',
        "  }",
        "}",
    ]
    index = _KeyLines(lines)
    keys = ["name", "bin", "tool", "dependencies", "react", "dev", "a", ":", "lodash", "vite", "x"]
    for key in keys:
        for start in range(len(lines) + 1):
            expected = find_line(lines, '"' + re.escape(key) + r'"\s*:', start)
            assert index.line(key, start) == expected, (key, start)
    facts = parse_package_json("\n".join(lines).encode())
    assert {(d.name, d.line, d.group) for d in facts.dependencies} == {
        ("react", 3, "main"),
        ("dev", 3, "main"),
        ("a", 4, "main"),
        ("lodash", 4, "main"),
        ("react", 6, "dev"),
        ("vite", 7, "dev"),
    }


def test_a_package_json_of_65k_dependencies_has_every_line_in_linear_time() -> None:
    import json
    import time

    from bot.core.analysis.manifests_js import parse_package_json

    deps = {f"d{i}": "1" for i in range(65_000)}
    data = json.dumps({"name": "x", "dependencies": deps}, indent=2).encode()
    start = time.process_time()
    facts = parse_package_json(data)
    assert time.process_time() - start < 3  # ~0.4 s; a search per dependency cost ~5 s
    assert all(d.line == int(d.name[1:]) + 4 for d in facts.dependencies)


def test_package_json_npm_alias_declares_the_package_it_installs() -> None:
    text = (
        '{"dependencies": {\n'
        '  "search7": "npm:@acme/search-client@7",\n'
        '  "plain-alias": "npm:left-pad",\n'
        '  "tarball": "https://example.com/npm:x.tgz"\n'
        "}}\n"
    )
    assert deps("package.json", text) == [
        ("@acme/search-client", 2, "main"),
        ("left-pad", 3, "main"),
        ("plain-alias", 3, "main"),
        ("search7", 2, "main"),
        ("tarball", 4, "main"),
    ]


def test_xcaddy_build_declares_the_modules_it_compiles_in() -> None:
    text = (
        "FROM caddy:builder AS build\n"
        "RUN xcaddy build \\\n"
        "    --with github.com/caddy-dns/zonehost@v1.2.0 \\\n"
        "    --with example.org/acme/layer4 --with ./local/plugin\n"
        "RUN go build --with github.com/not-xcaddy/thing\n"
    )
    assert facts("proxy/Dockerfile", text).dependencies == (
        Dependency("go", "example.org/acme/layer4", 2),
        Dependency("go", "github.com/caddy-dns/zonehost", 2),
    )
    (dns,) = default_catalog().by_package("go", "github.com/caddy-dns/zonehost")
    assert "DNS-01" in dns.name


def test_a_caddyfile_that_sets_an_acme_issuer_orders_certificates() -> None:
    text = "{\n\temail ops@x.io\n\tacme_ca {$CA:https://ca.example-acme.org/dir}\n}\n:80 {\n}\n"
    assert facts("deploy/Caddyfile", text).signals == (
        Signal("config.tls", "ACME issuer", 3, "caddy:acme"),
    )
    assert facts("Caddyfile.prod", "site.io {\n  tls admin@site.io\n}\n").signals[0].line == 2
    (acme,) = default_catalog().by_config("caddy:acme")
    assert "ACME" in acme.name
    # look-alikes: a site behind internal or file certificates, a comment, a directive's name
    # inside another word
    quiet = (
        "# acme_ca https://x\n:443 {\n  tls internal\n  tls cert.pem key.pem\n  my_acme_ca x\n}\n"
    )
    assert facts("Caddyfile", quiet).signals == ()


def test_caddyfile_and_xcaddy_reading_stays_bounded() -> None:
    import time

    start = time.process_time()
    facts("Caddyfile", "tls " + "a" * 1_000_000 + "\n")
    facts("Caddyfile", "  tls x\n" * 200_000)
    facts("Dockerfile", "RUN xcaddy build " + "--with a.b/c " * 100_000 + "\n")
    facts("Dockerfile", "RUN xcaddy --with " + "a." * 500_000 + "\n")
    assert time.process_time() - start < 3
