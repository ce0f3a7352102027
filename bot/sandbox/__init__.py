"""A GitHub-compatible REST server over real git repositories: GitHub without GitHub.

PyGithub talks to it through `base_url` exactly as to api.github.com. See `start_sandbox`.
"""

from bot.sandbox.server import DEFAULT_WEBHOOK_SECRET, SandboxHandle, start_sandbox
from bot.sandbox.webhooks import signature

__all__ = ["DEFAULT_WEBHOOK_SECRET", "SandboxHandle", "signature", "start_sandbox"]
