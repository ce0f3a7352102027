"""One error family for everything a user (or an operator) can get wrong.

Every error knows where it happened (`path:line`) so the CLI, check runs and
comments can point at the exact spot. Exactly one place per entry point maps
these to exit codes or HTTP statuses.
"""

from __future__ import annotations


class DocsRefreshError(Exception):
    """Base of the family. `str(err)` is `path:line: message` (or less when unknown)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line is not None:
            where = f"{self.path}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class UserError(DocsRefreshError):
    """The repository's content is wrong; report it there, never retry."""


class MarkerError(UserError):
    """A document's agent-* markers are malformed."""


class ConfigError(UserError):
    """`.github/docs-refresh.yml` (or another config input) is invalid."""


class GuardError(DocsRefreshError):
    """A write would have changed bytes the bot does not own. Nothing was written."""


class SetupError(DocsRefreshError):
    """The operator's settings are missing or wrong (keys, secrets, URLs)."""
