"""Who may run `/refresh-docs`: people with write, maintain or admin on the repository.

The collaborator permission endpoint decides. `author_association` is only a fast path:
OWNER always holds admin, so no call is needed. MEMBER and COLLABORATOR are *not* trusted
on their own: GitHub gives COLLABORATOR to read-only collaborators and MEMBER to
organisation members whose base permission is read, so they are confirmed by the
endpoint like everyone else. Bots, and the app itself, are ignored before any of this so
that two bots (or the app and its own comments) can never loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from bot.service.ports.conversation import Permission

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
# Only OWNER is certain without asking (see the module docstring).
CERTAIN_ASSOCIATIONS = frozenset({"OWNER"})

Verdict = Literal["ignored", "allowed", "refused"]


class Actor(NamedTuple):
    login: str
    type: str  # "User" | "Bot" | "Organization"
    author_association: str  # as in the comment payload, e.g. "MEMBER", "NONE"


class Decision(NamedTuple):
    verdict: Verdict
    reason: str  # bot | self | owner | permission:<role> — for logs, never shown as is

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"


def is_ignored(actor: Actor, app_login: str | None) -> bool:
    """True for bots and the app's own account (`<slug>[bot]`): never answer them."""
    if app_login and actor.login.lower() == app_login.lower():
        return True
    return actor.type == "Bot" or actor.login.lower().endswith("[bot]")


def grants_write(permission: Permission) -> bool:
    role = (permission.role_name or permission.permission or "").lower()
    return role in WRITE_ROLES or permission.permission.lower() in WRITE_ROLES


def authorize(
    actor: Actor,
    app_login: str | None,
    lookup: Callable[[str], Permission],
) -> Decision:
    """Decide whether `actor` may run the command; `lookup(login)` is called only if needed."""
    if is_ignored(actor, app_login):
        is_self = bool(app_login) and actor.login.lower() == (app_login or "").lower()
        return Decision("ignored", "self" if is_self else "bot")
    if actor.author_association.upper() in CERTAIN_ASSOCIATIONS:
        return Decision("allowed", "owner")
    permission = lookup(actor.login)
    role = permission.role_name or permission.permission
    verdict: Verdict = "allowed" if grants_write(permission) else "refused"
    return Decision(verdict, f"permission:{role}")
