"""Fixtures for the sandbox's own tests; they come from tests/helpers/sandbox.py, where
other test packages can import them too."""

from __future__ import annotations

from tests.helpers.sandbox import (
    sandbox,
    sandbox_data_dir,
    sandbox_repo,
    sandbox_template_repo,
    webhook_receiver,
)

__all__ = [
    "sandbox",
    "sandbox_data_dir",
    "sandbox_repo",
    "sandbox_template_repo",
    "webhook_receiver",
]
