"""Plugin folders of connectors (`plugin_registry`, `egress_plugins`): each registered class of
a file that reaches outside is an integration; a driver used only there is no datastore."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.plugin_registry import plugin_signals
from bot.core.analysis.scan import Lines
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

REGISTRY = (
    "class BaseSource:\n    pass\n\n\nclass BaseHttpSource(BaseSource):\n    pass\n\n\n"
    "SOURCES = {}\n\n\ndef register(cls):\n    SOURCES[cls.__name__] = cls\n"
)


def source(cls: str, body: str, head: str = "", base: str = "BaseSource") -> str:
    return (
        f"{head}from lens.sources import {base}, register\n\n\n"
        f"class {cls}({base}):\n{body}\n\n"
        f"register({cls})\n"
    )


APP = {
    "requirements.txt": "flask\npsycopg2\npymysql\n",
    "lens/__init__.py": "",
    "lens/db.py": "import psycopg2\n\nconn = psycopg2.connect('')\n",
    "lens/sources/__init__.py": REGISTRY,
    "lens/sources/mariadb.py": source(
        "Maria",
        "    @classmethod\n    def name(cls):\n        return 'MariaDB server'\n",
        head="try:\n    import pymysql\nexcept ImportError:\n    pymysql = None\n",
    ),
    "lens/sources/warehouse.py": source("Warehouse", "    pass\n", head="import psycopg2\n"),
    "lens/sources/tiles.py": source(
        "TileServer", "    name = 'Tile server'\n", base="BaseHttpSource"
    ),
    "lens/sources/metrics.py": source(
        "Metrics",
        "    def run(self, url):\n        return requests.get(url, timeout=5)\n",
        head="import requests\n",
    ),
    "lens/sources/forked.py": source("ForkedMaria", "    pass\n", base="Maria").replace(
        "import Maria, register", "import register\nfrom lens.sources.mariadb import Maria"
    ),
    # Look-alikes: a plugin over the app's own models, and one that reaches nothing.
    "lens/sources/saved.py": source("Saved", "    pass\n", head="from lens import models\n"),
    "lens/sources/shell.py": source("Shell", "    pass\n", head="import subprocess\n"),
    "lens/models.py": "",
}


def facts_of(files: dict[str, str]) -> RepoFacts:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snapshot, MemoryFactsCache(), default_catalog())


def test_each_connector_of_a_plugin_folder_is_an_integration() -> None:
    facts = facts_of(APP)
    names = {s.name for s in facts.integrations}
    assert {"MariaDB server", "Warehouse", "Tile server", "Metrics", "ForkedMaria"} <= names
    assert not {"Saved", "Shell"} & names  # the app's own models; nothing outside
    maria = next(s for s in facts.integrations if s.name == "MariaDB server")
    assert maria.category == "plugin (lens/sources/)"
    assert maria.evidence[0].path == "lens/sources/mariadb.py"


def test_a_driver_used_only_by_connectors_is_no_datastore() -> None:
    facts = facts_of(APP)
    stores = {s.name for s in facts.datastores}
    assert "PostgreSQL" in stores  # the app's own connection (lens/db.py) as well
    assert "MySQL" not in stores  # pymysql, imported by one runner only


def test_fewer_registering_files_than_a_plugin_folder_claim_nothing() -> None:
    files = {
        p: t for p, t in APP.items() if not p.endswith(("tiles.py", "metrics.py", "forked.py"))
    }
    names = {s.name for s in facts_of(files).integrations}
    assert "MariaDB server" not in names
    assert "Warehouse" not in names


def test_the_display_name_and_the_bases_are_read_from_the_class() -> None:
    text = source("Kylin", "    @classmethod\n    def name(cls):\n        return 'Apache Kylin'\n")
    (sig,) = plugin_signals(text, Lines(text))
    assert (sig.name, sig.detail, sig.line) == ("Apache Kylin", "Kylin(BaseSource)", 10)
    # a class registered here but defined elsewhere, or registered inside a function: none
    assert plugin_signals("from x import A\n\nregister(A)\n", Lines("")) == []
    inner = "class A:\n    pass\n\ndef setup():\n    register(A)\n"
    assert plugin_signals(inner, Lines(inner)) == []


@pytest.mark.parametrize(
    "text",
    [
        "class A(\n" + "register(A)\n" * 50_000,
        "class A:\n" + "    def name(cls):\n" * 50_000 + "register(A)\n",
        "register(" + "A" * 200_000 + ")\nclass " + "A" * 200_000 + ":\n",
    ],
    ids=["many-registrations", "many-name-methods", "long-names"],
)
def test_hostile_files_are_read_quickly(text: str) -> None:
    started = time.process_time()
    plugin_signals(text, Lines(text))
    assert time.process_time() - started < 2.0
