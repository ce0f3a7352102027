"""How an item named for a service folder is spelled (`hc/integrations/msteamsw/`,
`notification-providers/aliyun-sms.js`).

A folder's name is often squeezed (``msteamsw``, ``archiveorg``) while the code beside it
spells the service out (``class MsTeamsWorkflow``, ``class AliyunSMS``). `spellings` reads
the names a file defines at the start of a line (a class, a Go type, a Ruby module) that are
the folder's name, or abbreviate it (the folder's name cuts into one of its words);
`folder_display` picks the
catalog's row when its name matches the folder or a spelling (letters and digits only,
case-insensitive), else the code's spelling, else the folder's own words. Nothing is made
up: every letter shown comes from the folder or the code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from bot.core.analysis.catalog import Catalog
from bot.core.lazy_pattern import lazy

HTTP_API = "HTTP API"
MAX_NAMES = 200  # definitions looked at per file
# A definition at the start of a line: a name in a comment or a string does not count.
# One anchored, linear pattern (no nested repetition).
_DEFINED = lazy(
    rb"^[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?(?:abstract[ \t]+)?"
    rb"(?:class|type|module)[ \t]+([A-Za-z_][A-Za-z0-9_]{1,60})",
    re.M,
)
_CAMEL = lazy(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
MIN_PREFIX = 4  # an abbreviated folder shorter than this matches too many names


# Cached: `_catalogued` keys every catalog service's name on each call (~500 of them).
@functools.lru_cache(maxsize=1 << 14)
def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def spellings(stem: str, data: bytes) -> tuple[str, ...]:
    """The names `data` defines that spell the folder `stem`: equal to it, or starting with
    it when it has at least `MIN_PREFIX` letters and digits."""
    want = _key(stem)
    if not want:
        return ()
    out: list[str] = []
    for i, m in enumerate(_DEFINED.finditer(data)):
        if i >= MAX_NAMES:
            break
        name = m.group(1).decode("ascii")
        if name.islower() or name in out:
            continue  # all lower case: it says no more than the folder does
        key = _key(name)
        if key == want or (len(want) >= MIN_PREFIX and _cut_short(name, want)):
            out.append(name)
    return tuple(out)


def _cut_short(name: str, want: str) -> bool:
    """Whether `want` abbreviates `name` by cutting into one of its words (``msteamsw`` of
    ``MsTeamsWorkflow``), not ending where a word ends (``ntfy`` of ``NtfyAction``: that
    is the service's name followed by something else)."""
    if not _key(name).startswith(want):
        return False
    at = 0
    for word in _CAMEL.findall(name):
        at += len(word)
        if at == len(want):
            return False
        if at > len(want):
            return True
    return False


def _catalogued(keys: Iterable[str], catalog: Catalog) -> tuple[str, str] | None:
    wanted = {k for k in keys if k}
    for entry in catalog.entries:
        if entry.section == "services" and _key(entry.name) in wanted:
            return entry.name, entry.category
    return None


def catalogued_name(stem: str, catalog: Catalog) -> tuple[str, str] | None:
    """(name, category) of the catalog's service a file or folder is named for exactly."""
    return _catalogued((_key(stem),), catalog)


def _words_as(stem: str, spelling: str) -> str:
    """`spelling`'s letters cut where `stem` has separators (``aliyun-sms`` + ``AliyunSMS``
    → ``Aliyun SMS``)."""
    parts = [p for p in re.split(r"[-_. ]+", stem) if p]
    out, at = [], 0
    for part in parts:
        out.append(spelling[at : at + len(part)])
        at += len(part)
    return " ".join(out)


def folder_display(stem: str, names: Iterable[str], catalog: Catalog) -> tuple[str, str]:
    """(name, category) of the service a folder is named for."""
    names = tuple(names)
    found = _catalogued((_key(stem), *(_key(n) for n in names)), catalog)
    if found is not None:
        return found
    want = _key(stem)
    exact = [n for n in names if re.fullmatch(r"[A-Za-z0-9_]+", n) and _key(n) == want]
    if exact:
        spelling = exact[0].replace("_", "")
        if len(spelling) == len(want):
            return (_words_as(stem, spelling) if re.search(r"[-_. ]", stem) else spelling), HTTP_API
    longer = sorted((n for n in names if _key(n) != want), key=lambda n: (len(n), n))
    if longer:
        return " ".join(_CAMEL.findall(longer[0])), HTTP_API
    words = [p for p in re.split(r"[-_ ]+", stem) if p]
    if all(w.isalnum() and w.islower() for w in words):
        return " ".join(w[0].upper() + w[1:] for w in words), HTTP_API
    return stem, HTTP_API


__all__ = ["catalogued_name", "folder_display", "spellings"]
