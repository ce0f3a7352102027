"""Routers: each feature module owns one; `bot.handlers` composes them (à la gidgethub).

A handler is a pure function of the event that returns the work to queue. It must not call
GitHub: the web process answers in milliseconds and leaves the slow part to the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.app.jobs import Action
from bot.app.webhooks import Event

Handler = Callable[[Event], Iterable[Action]]
H = TypeVar("H", bound=Handler)


class Router:
    def __init__(self, *others: Router) -> None:
        # event name -> action (None: every action) -> handlers, in registration order
        self._routes: dict[str, dict[str | None, list[Handler]]] = {}
        for other in others:
            for event, by_action in other._routes.items():
                for action, handlers in by_action.items():
                    for handler in handlers:
                        self.add(handler, event, action)

    def add(self, handler: Handler, event: str, action: str | None = None) -> None:
        self._routes.setdefault(event, {}).setdefault(action, []).append(handler)

    def register(self, event: str, action: str | None = None) -> Callable[[H], H]:
        """Decorator: `@router.register("push")`, `@router.register("installation", "created")`."""

        def decorate(handler: H) -> H:
            self.add(handler, event, action)
            return handler

        return decorate

    def handles(self, event: str) -> bool:
        """Whether any handler listens to `event` (checked before parsing the body)."""
        return event in self._routes

    def events(self) -> tuple[str, ...]:
        return tuple(sorted(self._routes))

    def fetch(self, event: Event) -> list[Handler]:
        by_action = self._routes.get(event.name, {})
        found = list(by_action.get(None, ()))
        if event.action is not None:
            found.extend(by_action.get(event.action, ()))
        return found

    def dispatch(self, event: Event) -> list[Action]:
        """Every action the matching handlers ask for, in order."""
        return [action for handler in self.fetch(event) for action in handler(event)]
