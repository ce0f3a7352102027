"""File families: sibling files whose names say each is one kind of one thing, and which.

Two layouts say it, and neither names a library or a service:
* a shared prefix (`family_names`): `widget-weather.go`, `widget-rss.go`, `widget-monitor.go`
  … keep one kind per file, and the part after the prefix says what that kind talks to, as a
  service folder's file name does (`notifiers/<name>.go`). A request in such a file to an
  address the code is handed (a user's URL, a parameter, a field) is named by that part:
  "Rss", not one "user-configured endpoints" for twenty widgets. The prefix must be shared by
  `MIN_FAMILY` files of one folder.
* a shared client-like role word after the name (`family_members`): `print/octo_service.rb`,
  `print/moon_service.rb`, `print/resin_service.rb`, `MIN_MEMBERS` or more files of one folder
  named `<name>_<role>` or `<name>.<role>` (`ROLES`: service, client, adapter…), each
  making calls of its own;
  `<name>` is the service each calls, whoever hands it the URL. The folder itself must not
  be a role or layout word (a Rails `app/services/` of unrelated service objects is no
  family): the caller's `folder_ok` says so.
Pure: paths in, a map out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from posixpath import basename, dirname, splitext

from bot.core.lazy_pattern import lazy

MIN_FAMILY = 5  # siblings sharing a prefix: fewer is a pair of related files, not a family
_SEPARATORS = "-_"


def family_names(paths: Iterable[str]) -> dict[str, str]:
    """path → the name after its family's prefix (`a/widget-rss.go` → `rss`), for the
    files of a family: at least `MIN_FAMILY` files of one folder and one extension whose
    stems share the prefix before their first `-` or `_`."""
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for path in paths:
        folder, _, base = path.rpartition("/")
        stem, ext = splitext(base)
        cut = min((i for i in (stem.find(s) for s in _SEPARATORS) if i > 0), default=-1)
        # A dotted stem (`detect-fields.client.ts`) carries a role suffix, not a kind's name.
        if cut < 0 or cut + 1 >= len(stem) or "." in stem:
            continue
        groups.setdefault((folder, ext, stem[:cut]), []).append((path, stem[cut + 1 :]))
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) >= MIN_FAMILY:
            out.update(members)
    return out


MIN_MEMBERS = 3
ROLES = frozenset(
    {"service", "client", "adapter", "provider", "driver", "connector", "api", "gateway",
     "integration", "backend", "transport", "connection"}
)  # fmt: skip
# `octo_print_service`, `moon-client`, `ResinAdapter`: the name, then the role word.
_SNAKE = lazy(r"\A([a-z0-9][a-z0-9_-]{0,60}?)[_-]([a-z]{2,20}+)\Z")
_CAMEL = lazy(r"\A([A-Z][A-Za-z0-9]{0,60}?)([A-Z][a-z]{1,20}+)\Z")
_DOTTED_NAME = lazy(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,60}\Z")


def _split(stem: str) -> tuple[str, str] | None:
    name, dot, role = stem.rpartition(".")
    if dot:  # `mastodon.provider`: the role as a dotted suffix (a TypeScript habit)
        ok = role.lower() in ROLES and _DOTTED_NAME.match(name) is not None
        return (name, role.lower()) if ok else None
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
