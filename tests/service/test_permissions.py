"""Who may run `/refresh-docs`: the permission endpoint decides; bots and the app never run."""

from __future__ import annotations

import pytest

from bot.service.permissions import Actor, authorize, grants_write, is_ignored
from bot.service.ports.conversation import Permission

APP = "docs-refresh[bot]"


class Lookup:
    """Counts calls so tests can tell the fast path from the endpoint."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        self.calls: list[str] = []

    def __call__(self, login: str) -> Permission:
        self.calls.append(login)
        return self.permission


@pytest.mark.parametrize(
    ("permission", "expected"),
    [
        (Permission("admin", "admin"), True),
        (Permission("write", "maintain"), True),
        (Permission("write", "write"), True),
        (Permission("write"), True),
        (Permission("read", "triage"), False),
        (Permission("read", "read"), False),
        (Permission("none"), False),
        (Permission("write", "custom-deployer"), True),
    ],
)
def test_write_maintain_and_admin_grant_the_command(permission: Permission, expected: bool) -> None:
    assert grants_write(permission) is expected


def test_writer_is_allowed_after_asking_the_endpoint() -> None:
    lookup = Lookup(Permission("write", "write"))
    decision = authorize(Actor("octo", "User", "COLLABORATOR"), APP, lookup)
    assert decision.allowed
    assert lookup.calls == ["octo"]


@pytest.mark.parametrize("association", ["COLLABORATOR", "MEMBER", "CONTRIBUTOR", "NONE"])
def test_read_only_user_is_refused_whatever_the_association(association: str) -> None:
    lookup = Lookup(Permission("read", "read"))
    decision = authorize(Actor("reader", "User", association), APP, lookup)
    assert decision.verdict == "refused"
    assert lookup.calls == ["reader"]


def test_owner_is_allowed_without_a_call() -> None:
    lookup = Lookup(Permission("none"))
    assert authorize(Actor("boss", "User", "OWNER"), APP, lookup).allowed
    assert lookup.calls == []


@pytest.mark.parametrize(
    "actor",
    [
        Actor("docs-refresh[bot]", "Bot", "NONE"),
        Actor("Docs-Refresh[bot]", "Bot", "OWNER"),
        Actor("dependabot[bot]", "Bot", "NONE"),
        Actor("renovate", "Bot", "MEMBER"),
        Actor("someapp[bot]", "User", "NONE"),
    ],
)
def test_bots_and_the_app_itself_are_ignored_without_a_call(actor: Actor) -> None:
    lookup = Lookup(Permission("admin", "admin"))
    decision = authorize(actor, APP, lookup)
    assert decision.verdict == "ignored"
    assert lookup.calls == []


def test_the_apps_own_login_is_reported_as_self() -> None:
    decision = authorize(Actor(APP, "Bot", "NONE"), APP, Lookup(Permission("admin")))
    assert decision.reason == "self"


def test_a_person_is_not_ignored() -> None:
    assert not is_ignored(Actor("octo", "User", "NONE"), APP)
    assert not is_ignored(Actor("octo", "User", "NONE"), None)
