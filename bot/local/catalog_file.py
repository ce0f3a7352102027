"""Adapter: the packaged integrations catalog, read once per process from
`config/integrations.yml`.

Parsing and validating the YAML costs a `docs-refresh facts` run ~15-20 ms of its ~0.2 s
(compared whole-process with grimp in bench/analysis.py), so the built catalog is also kept
as a pickle in the user's cache folder, named by a digest of the YAML text and of the code
that builds it: a changed file or a changed `Catalog` class is a new name, never a stale
load. The cache is an optimisation only: unreadable, unwritable or corrupt, it is ignored.
It lives in the user's own folder, which only that user (who runs this code) can write.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from functools import cache
from pathlib import Path

import bot
from bot.core.analysis import catalog as catalog_module
from bot.core.analysis.catalog import Catalog

CATALOG_PATH = Path(bot.__file__).resolve().parents[1] / "config" / "integrations.yml"
CACHE_ENV = "DOCS_REFRESH_CACHE_DIR"  # default: $XDG_CACHE_HOME/docs-refresh, ~/.cache/…


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with the app; a bad file raises `ConfigError` naming the line."""
    text = CATALOG_PATH.read_text(encoding="utf-8")
    stored = _cache_file(text)
    if stored is not None:
        found = _load(stored)
        if found is not None:
            return found
    # The YAML reader, and PyYAML with it (~15 ms of start-up), only when the pickle is stale.
    from bot.core.analysis.catalog_yaml import load_catalog

    built = load_catalog(text, "config/integrations.yml")
    if stored is not None:
        _store(stored, built)
    return built


def cache_dir() -> Path | None:
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or (
        str(Path.home() / ".cache") if "HOME" in os.environ else ""
    )
    return Path(base) / "docs-refresh" if base else None


def _cache_file(text: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(text.encode("utf-8"))
    module = Path(catalog_module.__file__ or "")
    digest.update(module.read_bytes())
    digest.update(module.with_name("catalog_yaml.py").read_bytes())  # its reader
    digest.update(f"{sys.version_info[:2]}:{pickle.HIGHEST_PROTOCOL}".encode())
    return folder / f"catalog-{digest.hexdigest()[:32]}.pickle"


def _load(path: Path) -> Catalog | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        found = pickle.loads(data)  # noqa: S301 - written by this code, in the user's folder
    except Exception:  # a torn or foreign file: build it again
        return None
    return found if isinstance(found, Catalog) else None


def _store(path: Path, built: Catalog) -> None:
    import tempfile  # here: only a stale pickle writes, and tempfile costs every run ~4 ms

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as out:
            try:
                pickle.dump(built, out, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                os.unlink(out.name)
                raise
        os.replace(out.name, path)  # readers see the whole file or none
    except OSError:
        return  # a read-only home: every run builds the catalog, as before
