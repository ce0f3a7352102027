"""A GitHub-compatible REST server over real git repositories: GitHub without GitHub.

PyGithub talks to it through `base_url` exactly as to api.github.com. See `start_sandbox`.
It serves the tests, the benchmarks and the demo. Imports `bot.core` at most; never the bot's
processes, handlers, service or adapters (it stands in for GitHub, not for the bot).
"""

from bot.sandbox.server import DEFAULT_WEBHOOK_SECRET, SandboxHandle, start_sandbox
from bot.sandbox.webhooks import signature

__all__ = ["DEFAULT_WEBHOOK_SECRET", "SandboxHandle", "signature", "start_sandbox"]
