"""Adapter: the packaged integrations catalog, read once from `config/integrations.yml`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import bot
from bot.core.analysis.catalog import Catalog, load_catalog

CATALOG_PATH = Path(bot.__file__).resolve().parents[1] / "config" / "integrations.yml"


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with the app; a bad file raises `ConfigError` naming the line."""
    return load_catalog(CATALOG_PATH.read_text(encoding="utf-8"), "config/integrations.yml")
