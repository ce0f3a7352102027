"""File families: sibling files named `<prefix>-<name>` (or `_`), one a kind of one thing.

A folder holding `widget-weather.go`, `widget-rss.go`, `widget-monitor.go` … keeps one kind
per file, and the part after the shared prefix says what that kind talks to, as a service
folder's file name does (`notifiers/<name>.go`). A request in such a file to an address the
code is handed (a user's URL, a parameter, a field) is named by that part: "Rss", not one
"user-configured endpoints" for twenty widgets. Generic: the shape is the naming, no
library or name; the prefix must be shared by `MIN_FAMILY` files of one folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from posixpath import splitext

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
