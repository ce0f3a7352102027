"""The Python extractor on hand-written files, including syntax that fools naive scanners."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.analysis import python
from bot.core.analysis.python import PythonExtractor, _ast_imports, extract_python
from bot.core.model import EnvRead, FileFacts, ImportRef

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


def test_each_name_of_a_statement_spanning_lines_has_its_own_line() -> None:
    text = (
        "from . import (\n"
        "    ledger,\n"
        "    # a note between names\n"
        "    courier as c,  # trailing\n"
        ")\n"
        "from shop.parts import (gear,\n    wheel)\n"
        "from shop.one import (cog, bolt)\n"
        "from shop.two import nut, \\\n    washer\n"
    )
    spread = {r.spec: r.name_lines for r in extract_python(text).imports}
    assert spread == {"": (2, 4), "shop.parts": (6, 7), "shop.one": (), "shop.two": (9, 10)}
    assert set(extract_python(text).imports) == set(_ast_imports(text))
    assert set(extract_python(TRICKY).imports) == set(_ast_imports(TRICKY))


def test_names_too_far_apart_keep_the_statement_line() -> None:
    text = "from . import (\n" + "\n" * 20 + "    far,\n    farther,\n)\n"
    (ref,) = extract_python(text).imports
    assert (ref.line, ref.name_lines) == (1, ())


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
        ("route.handler", "orders/", 4, "views.orders"),  # the view each route runs
        ("route.handler", "^hooks/stripe/$", 5, "views.stripe_webhook"),
    }


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["re_", "path(", "re_path(", "x", "_", " ", "'a'", '"/b"', "r", "\n"]))
)
@example(["xre_path(", "'a'"])
@example(["re_re_path(", "'a'"])
def test_django_route_rule_matches_as_the_pattern_with_an_optional_prefix(parts: list[str]) -> None:
    # The rule is written `(?:re_path|path)` so that the engine skips ahead: the matches are
    # those of the plain `(?:re_)?path` it replaced, starts and groups alike.
    from bot.core.analysis.python_rules import RULES
    from bot.core.analysis.scan import literal_first

    [rule] = [r for r in RULES if r.name == "Django route"]
    plain = literal_first(r"\b(?:re_)?path\(\s*r?[\"'](?P<route>[^\"']*)[\"']", re.M)
    text = "".join(parts)
    found = [(m.span(), m.group("route")) for m in rule.pattern.finditer(text)]
    assert found == [(m.span(), m.group("route")) for m in plain.finditer(text)]


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


# Import lines from a small grammar with the variations that matter to a reader: the
# one-match reading of simple lines must give what the statement parser gives, including
# where the parser gives up (then ast decides).
_one_of = st.sampled_from
_INDENT = _one_of(["", "    ", "\t", "if TYPE_CHECKING:\n    "])
_GAP = _one_of([" ", "  ", "\t", ""])
_ITEM = _one_of([
    "x", "y_2", "*", "x as y", "(x", "x)", "", "é", "x  as  y", "x\tas y", "x as\ty",
    "a.b", "a.b as c", "* as z", "x as", "as", "as as as", "x as y as z", "a.", "1x",
])  # fmt: skip
_ITEMS = st.tuples(st.lists(_ITEM, max_size=3), _one_of([", ", ",", " ,", " , ", ",\t"]))
_TAIL = _one_of(["", " ", "\t", "  # c", "; import z", "\\", ",", " \r", "\u00a0"])
_END = _one_of(["\n", "\r\n", "\r", ""])
IMPORT_LINES = st.one_of(
    st.tuples(_INDENT, st.just("import"), _GAP, _ITEMS, _TAIL, _END).map(
        lambda p: "".join(p[:3]) + p[3][1].join(p[3][0]) + "".join(p[4:])
    ),
    st.tuples(
        _INDENT,
        st.just("from"),
        _GAP,
        _one_of(["", ".", ".."]),
        _one_of(["os", "a.b", "__future__", "", "a.", "é", "x1", "1x", "as"]),
        _one_of([" import ", "  import ", " import\t", "\timport ", " import", "", " import  "]),
        _ITEMS,
        _TAIL,
        _END,
    ).map(lambda p: "".join(p[:6]) + p[6][1].join(p[6][0]) + "".join(p[7:])),
)


def _without_one_match_reading(text: str) -> FileFacts:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(python, "_SIMPLE", re.compile(r"(?!)"))
        return extract_python(text)


@settings(max_examples=2500, deadline=None)
@given(st.lists(IMPORT_LINES, min_size=1, max_size=3))
# Lines the reading got wrong once, or nearly: a leading " as", an empty module, __future__.
@example(["import x, as as y\n"])
@example(["from os import x, as as as\n"])
@example(["from  import x\n", "from .__future__ import x\n"])
@example(["import a.b as c, d\tas e\n", "from x import a,\tb as c\r\n"])
def test_simple_lines_read_in_one_match_as_the_parser_reads_them(lines: list[str]) -> None:
    # Each line alone too: one line the parser gives up on sends the whole file to ast.
    joined = "".join(lines)
    for text in (*lines, f"import os\n{joined}\nx = 1\n", f'"""doc\n{joined}"""\n{joined}'):
        assert extract_python(text) == _without_one_match_reading(text)


def test_simple_line_forms_are_read_in_one_match() -> None:
    text = (
        "import a.b\nfrom .c import d, e as f\nfrom .__future__ import x\nfrom f import *\n"
        "import g as h, i\n"
    )
    assert [m.group() for m in map(python._SIMPLE.match, text.splitlines()) if m] == [
        "import a.b",
        "from .c import d, e as f",
        "from .__future__ import x",
        "from f import *",
        "import g as h, i",
    ]
    assert refs(text) == [
        ("a.b", 1, 0, ()),
        ("c", 2, 1, ("d", "e")),
        ("f", 4, 0, ("*",)),
        ("g", 5, 0, ()),
        ("i", 5, 0, ()),
    ]


_STATEMENT_PIECES = ("import", "from", " ", "\t", "\n", "\r", "x", "#", "(", "\f", ".")


@given(st.lists(st.sampled_from(_STATEMENT_PIECES), max_size=14))
def test_statement_starts_are_the_regex_scan(pieces: list[str]) -> None:
    # The keyword positions the scan replaced: a regex over the text with "\n" in front.
    text = "".join(pieces)
    statement = re.compile(r"\n([ \t]*)(?:import|from)[ \t]")
    expected = [m.end(1) - 1 for m in statement.finditer("\n" + text)]
    assert python._statement_starts(text) == expected


def test_a_health_path_is_a_health_check_only_where_a_route_is_declared() -> None:
    text = (
        "@app.get('/healthz')\n"
        "def healthz(): ...\n"
        "app.add_url_rule('/health', view_func=ok)\n"
        "urlpatterns = [path('health/', views.ok)]\n"
        "RULES = [rule('/health', 'pattern')]\n"  # a table key, not a route
        "requests.get('http://svc/health')\n"  # a client's URL
        "client.get('/health')\n"  # a test client's request
    )
    assert {line for k, _, line, _ in kinds(text) if k == "observability.health"} == {1, 3, 4}


def test_the_health_rule_stays_linear_on_a_long_dotted_decorator() -> None:
    text = "@" + "a." * 50_000 + "\n" + "health " * 10_000 + "\n"
    assert not [k for k, *_ in kinds(text) if k == "observability.health"]
