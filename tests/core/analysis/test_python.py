"""The Python extractor on hand-written files, including syntax that fools naive scanners."""

from __future__ import annotations

from bot.core.analysis.python import PythonExtractor, _ast_imports, extract_python
from bot.core.model import EnvRead, ImportRef

TRICKY = '''"""Module docstring.

Example:
    import not_a_dependency
    from fake import thing
"""
from __future__ import annotations

import os, sys as system
import json  # import commented_out
# import also_commented
from . import sibling
from ..pkg.sub import (
    alpha,
    beta as b,  # trailing comment
)
from .models import \\
    User
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from heavy.types import Thing
    import only_for_types
else:
    import runtime_fallback

try:
    import ujson as fast_json
except ImportError:
    fast_json = None


def lazy():
    import requests
    text = "import in_a_string"
    return requests, text
'''


def refs(text: str) -> list[tuple[str, int, int, tuple[str, ...]]]:
    return [(r.spec, r.line, r.level, r.names) for r in extract_python(text).imports]


def test_imports_handle_multiline_relative_aliases_and_skip_comments_docstrings_type_checking() -> (
    None
):
    assert refs(TRICKY) == [
        ("", 12, 1, ("sibling",)),
        ("json", 10, 0, ()),
        ("models", 17, 1, ("User",)),
        ("os", 9, 0, ()),
        ("pkg.sub", 13, 2, ("alpha", "beta")),
        ("requests", 34, 0, ()),
        ("runtime_fallback", 25, 0, ()),
        ("sys", 9, 0, ()),
        ("typing", 19, 0, ("TYPE_CHECKING",)),
        ("ujson", 28, 0, ()),
    ]


def test_fast_scan_and_ast_agree_on_the_tricky_file() -> None:
    fast = set(extract_python(TRICKY).imports)
    careful = set(_ast_imports(TRICKY))
    assert fast == careful


def test_unrecognised_type_checking_test_falls_back_to_ast() -> None:
    text = (
        "import typing\n"
        "if not typing.TYPE_CHECKING:\n"
        "    import runtime\n"
        "if typing.TYPE_CHECKING and True:\n"
        "    import typed\n"
    )
    specs = {r.spec for r in extract_python(text).imports}
    # ast keeps both (only a bare `if TYPE_CHECKING` body is dropped), and nothing is lost.
    assert specs == {"typing", "runtime", "typed"}


def test_unpaired_triple_quote_falls_back_to_ast() -> None:
    text = 'x = \'"""\'\nimport os\n'
    assert [r.spec for r in extract_python(text).imports] == ["os"]


def test_invalid_python_gives_no_imports_rather_than_an_error() -> None:
    assert extract_python("print 'py2'\nx = '''\nimport os\n").imports == ()


def test_dynamic_imports_with_literal_names_are_recorded() -> None:
    text = "import importlib\nmod = importlib.import_module('plugins.stripe')\n"
    assert ImportRef("plugins.stripe", 2, kind="dynamic") in extract_python(text).imports


def test_environment_reads_in_all_common_forms() -> None:
    text = (
        "import os\n"
        "from os import getenv\n"
        "A = os.environ['DATABASE_URL']\n"
        "B = os.environ.get(\"REDIS_URL\", 'x')\n"
        "C = os.getenv('SENTRY_DSN')\n"
        "D = getenv('PORT')\n"
        "E = env('STRIPE_KEY')\n"
        "# F = os.environ['COMMENTED']\n"
        "G = env.bool('DEBUG')\n"
    )
    assert extract_python(text).env == (
        EnvRead("DATABASE_URL", 3),
        EnvRead("DEBUG", 9),
        EnvRead("PORT", 6),
        EnvRead("REDIS_URL", 4),
        EnvRead("SENTRY_DSN", 5),
        EnvRead("STRIPE_KEY", 7),
    )


def kinds(text: str) -> set[tuple[str, str, int | None, str]]:
    return {(s.kind, s.name, s.line, s.detail) for s in extract_python(text).signals}


def test_flask_fastapi_routes_and_webhooks_are_http_entry_points() -> None:
    text = (
        "from flask import Flask; from fastapi import FastAPI\n"
        "app = Flask(__name__)\n"
        "@app.route('/users', methods=['GET'])\n"
        "def users(): ...\n"
        '@router.post("/webhooks/github")\n'
        "def hook(): ...\n"
        "api = FastAPI()\n"
    )
    assert kinds(text) == {
        ("entrypoint.http", "Flask app", 2, ""),
        ("entrypoint.http", "HTTP route", 3, "/users"),
        ("entrypoint.webhook", "HTTP route", 5, "/webhooks/github"),
        ("entrypoint.http", "FastAPI app", 7, ""),
    }


def test_clis_workers_schedulers_and_call_site_signals() -> None:
    text = (
        "import celery, click, logging, sentry_sdk\n"
        "log = logging.getLogger(__name__)\n"
        "sentry_sdk.init(dsn='x')\n"
        "app = celery.Celery('proj')\n"
        "@click.command()\n"
        "def main(): ...\n"
        "@app.task(bind=True)\n"
        "def work(): ...\n"
        "@huey.periodic_task(crontab(minute='0'))\n"
        "def nightly(): ...\n"
        "@retry(stop=stop_after_attempt(3))\n"
        "def flaky(): ...\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    found = {(k, n, line) for k, n, line, _ in kinds(text)}
    assert found == {
        ("observability.logging", "logging", 2),
        ("observability.errors", "Sentry", 3),
        ("entrypoint.worker", "Celery app", 4),
        ("entrypoint.cli", "click command", 5),
        ("entrypoint.worker", "task", 7),
        ("entrypoint.scheduler", "periodic task", 9),
        ("resilience.retry", "retry decorator", 11),
        ("entrypoint.cli", "__main__", 13),
    }


def test_signals_in_comments_and_docstrings_are_ignored() -> None:
    text = '"""\n@app.route("/doc")\n"""\n# sentry_sdk.init()\nx = 1\n'
    assert extract_python(text).signals == ()


def test_extractor_matches_python_files_only() -> None:
    extractor = PythonExtractor()
    assert extractor.matches("pkg/mod.py")
    assert not extractor.matches("pkg/mod.pyc")
    assert extractor.extract("a.py", b"import os\n").language == "python"


def test_pathologically_nested_code_gives_no_imports_instead_of_crashing() -> None:
    text = 'x = \'"""\'\nimport os\ny = ' + "(" * 5000 + ")" * 5000 + "\n"
    assert extract_python(text).imports == ()


def test_django_urlpatterns_and_routes() -> None:
    text = (
        "from django.urls import path, re_path\n"
        "from . import views\n"
        "urlpatterns = [\n"
        "    path('orders/', views.orders),\n"
        "    re_path(r'^hooks/stripe/$', views.stripe_webhook),\n"
        "]\n"
    )
    assert kinds(text) == {
        ("entrypoint.http", "Django URLs", 3, ""),
        ("entrypoint.http", "Django route", 4, "orders/"),
        ("entrypoint.webhook", "Django route", 5, "^hooks/stripe/$"),
    }


def test_code_written_inside_string_literals_is_not_a_fact() -> None:
    # Generators and rule tables hold code as strings; none of it runs here.
    text = (
        "import os\n"
        "SAMPLE = '    key = os.environ[\"SENDGRID_API_KEY\"]\\n'\n"
        'RULE = r"\\bbeat_schedule\\b"\n'
        "ROUTE = \"@app.route('/health')\"\n"
        'DOC = """a\n'
        'b""" + os.environ["REAL_AFTER_DOCSTRING"]\n'
        'x = "#not a comment"; y = os.getenv("REAL_AFTER_STRING")\n'
        "beat_schedule = {}\n"
    )
    facts = extract_python(text)
    assert [e.name for e in facts.env] == ["REAL_AFTER_DOCSTRING", "REAL_AFTER_STRING"]
    assert [(s.name, s.line) for s in facts.signals if s.kind == "entrypoint.scheduler"] == [
        ("Celery beat", 8)
    ]
    assert not [s for s in facts.signals if s.kind.startswith("entrypoint.http")]
