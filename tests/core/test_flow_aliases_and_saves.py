"""Flows through Python names imported under another name, and a validated form's or
serializer's `.save()` as a database write (the held-out wger run: `router.register(…,
api_views.LogViewSet)` after `from app.api import views as api_views` resolved to nothing,
and a viewset's `perform_create` that only calls `serializer.save()` reached no sink)."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.calls_python import _line_aliases, python_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

IMPORTS = (
    "import os\n"
    "import shop.jobs as jobs_mod\n"
    "from shop.api import views as api_views, serializers\n"
    "from . import helpers as h\n"
    "from ..core import tasks as core_tasks  # a comment\n"
    "from shop.models import *\n"
    "from shop.util import slug as slug\n"
    "def f():\n"
    "    import shop.local as hidden\n"
)


def test_a_file_s_renaming_imports_are_read_by_parse_and_by_lines_alike() -> None:
    fc = python_calls(IMPORTS)
    assert fc is not None
    expected = (
        ("jobs_mod", "shop.jobs"),
        ("api_views", "shop.api.views"),
        ("h", ".helpers"),
        ("core_tasks", "..core.tasks"),
    )
    assert fc.aliases == expected
    assert _line_aliases(IMPORTS.split("\n")) == expected


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


APP = {
    "requirements.txt": b"django\ndjangorestframework\nrequests\n",
    "shop/__init__.py": b"",
    "shop/api/__init__.py": b"",
    "shop/models.py": b"from django.db import models\n\nclass Order(models.Model):\n"
    b"    total = models.IntegerField()\n",
    "shop/urls.py": b"from rest_framework.routers import DefaultRouter\n"
    b"from shop.api import views as api_views\n\n"
    b"router = DefaultRouter()\n"
    b"router.register('orders', api_views.OrderViewSet)\n"
    b"urlpatterns = router.urls\n",
    "shop/api/views.py": b"from rest_framework import viewsets\n"
    b"from shop.models import Order\n\n"
    b"class OrderViewSet(viewsets.ModelViewSet):\n"
    b"    queryset = Order.objects.none()\n\n"
    b"    def perform_create(self, serializer):\n"
    b"        serializer.save(owner=self.request.user)\n"  # 8
    b"\n"
    b"    def perform_update(self, serializer):\n"
    b"        self.cache.save()\n"  # 11: a cache's save, no row
    b"        report.save()\n",  # 12: a name that says nothing of a form
}


def test_a_viewset_registered_through_an_aliased_module_saves_its_serializer_row() -> None:
    facts = facts_of(APP)
    starts = [f for f in facts.flows if any(h.path == "shop/api/views.py" for h in f.hops)]
    sinks = {(s.path, s.line, s.what) for f in starts for s in f.sinks}
    assert any(line == 8 and "serializer.save" in what for _, line, what in sinks)
    assert not any(line in (11, 12) for _, line, _ in sinks)


def test_a_form_named_for_its_role_saves_its_row() -> None:
    files = {
        "requirements.txt": b"django\n",
        "web/__init__.py": b"",
        "web/urls.py": b"from django.urls import path\nfrom web import views as pages\n\n"
        b"urlpatterns = [path('signup/', pages.signup)]\n",
        "web/views.py": b"from web.forms import SignupForm\n\n"
        b"def signup(request):\n"
        b"    signup_form = SignupForm(request.POST)\n"
        b"    signup_form.save()\n",
    }
    facts = facts_of(files)
    sinks = {(s.path, s.line, s.what) for f in facts.flows for s in f.sinks}
    assert ("web/views.py", 5, "queries the database (signup_form.save)") in {
        (p, n, w.replace(" PostgreSQL", "")) for p, n, w in sinks
    }


def test_hostile_import_lines_are_read_quickly() -> None:
    hostile = [
        "from a import " + "b as c, " * 10_000,
        "import " + "x" * 200_000 + " as y",
        "from " + "." * 100_000 + " import a as b",
        "\n".join(f"from m{i} import n as o{i}" for i in range(100_000)),
        "from a import (" + "(" * 300 + "b as c",
    ]
    for text in hostile:
        start = time.process_time()
        found = _line_aliases(text.split("\n"))
        assert len(found) <= 200
        assert time.process_time() - start < 2.0
