"""Every feature's router, composed in one place. Adding a feature is one line here.

Importing a feature module also registers its worker jobs (`bot.jobs.job`), so the web
process and the worker know the same job names.
"""

from __future__ import annotations

from bot.handlers import commands, installation, pull_request, push, refresh
from bot.routing import Router

ROUTERS: tuple[Router, ...] = (
    push.router,
    installation.router,
    pull_request.router,
    commands.router,
)

router = Router(*ROUTERS)

__all__ = ["ROUTERS", "refresh", "router"]
