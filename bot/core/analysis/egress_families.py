"""A folder of sibling clients: the part of each file's name before their shared role word
names the service that file talks to.

`print/octo_service.rb`, `print/moon_service.rb`, `print/resin_service.rb`: three or more
files of one folder (`MIN_MEMBERS`) named `<name>_<role>` with the same client-like role
word (`ROLES`: service, client, adapter…), each making outbound calls of its own, are one
family; `<name>` is the service each calls, whoever hands it the URL (a user's print host,
a setting). Generic: the layout says it (a folder per kind of remote system, a file per
system), not any service's name. The folder itself must not be a role or layout word (a
Rails `app/services/` of unrelated service objects is no family): `folder_ok` says so.
Pure: paths in, a map out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from posixpath import basename, dirname, splitext

from bot.core.lazy_pattern import lazy

MIN_MEMBERS = 3
ROLES = frozenset(
    {"service", "client", "adapter", "provider", "driver", "connector", "api", "gateway",
     "integration", "backend", "transport", "connection"}
)  # fmt: skip
# `octo_print_service`, `moon-client`, `ResinAdapter`: the name, then the role word.
_SNAKE = lazy(r"\A([a-z0-9][a-z0-9_-]{0,60}?)[_-]([a-z]{2,20}+)\Z")
_CAMEL = lazy(r"\A([A-Z][A-Za-z0-9]{0,60}?)([A-Z][a-z]{1,20}+)\Z")


def _split(stem: str) -> tuple[str, str] | None:
    m = _SNAKE.match(stem) or _CAMEL.match(stem)
    if m is None:
        return None
    role = m.group(2).lower()
    return (m.group(1), role) if role in ROLES else None


def family_members(paths: Iterable[str], folder_ok: Callable[[str], bool]) -> dict[str, str]:
    """path → the service name its family's layout gives it, for the paths (files making
    outbound calls) that belong to a family."""
    groups: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for path in paths:
        folder = dirname(path)
        if not folder or not folder_ok(basename(folder)):
            continue
        split = _split(splitext(basename(path))[0])
        if split is not None:
            groups[(folder, split[1])][path] = split[0]
    out: dict[str, str] = {}
    for members in groups.values():
        if len(set(members.values())) >= MIN_MEMBERS:
            out.update(members)
    return out
