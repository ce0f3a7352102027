"""Adapter: the product's repository-config defaults, read once from `config/defaults.yml`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import bot
from bot.core.config import RepoConfig, load_defaults

DEFAULTS_PATH = Path(bot.__file__).resolve().parents[1] / "config" / "defaults.yml"


@cache
def default_repo_config() -> RepoConfig:
    """The shipped defaults; the built-in values when the data file is not installed (a wheel
    without the repository's `config/`), which a test keeps equal to the file."""
    if not DEFAULTS_PATH.is_file():
        return RepoConfig()
    return load_defaults(DEFAULTS_PATH.read_text(encoding="utf-8"), "config/defaults.yml")
