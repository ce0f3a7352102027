"""The feature handlers: one small router per feature (`push`, `pull_request`, `commands`,
`installation`), each turning an event into jobs, plus the job functions the worker runs for
it (`refresh`). Composed in one place, here: adding a feature is one line.

Importing a feature module also registers its worker jobs (`bot.app.registry.job`), so the web
process and the worker know the same job names. May import `bot.service`, `bot.core`,
`bot.settings` and the entry layer's vocabulary (`bot.app.jobs`, `registry`, `routing`,
`webhooks`, `worker_context`, `preview_tasks`); never `bot.cli`, and adapters only inside job
functions (so the web process never loads PyGithub).
"""

from __future__ import annotations

from bot.app.routing import Router
from bot.handlers import commands, installation, pull_request, push, refresh

ROUTERS: tuple[Router, ...] = (
    push.router,
    installation.router,
    pull_request.router,
    commands.router,
)

router = Router(*ROUTERS)

__all__ = ["ROUTERS", "refresh", "router"]
