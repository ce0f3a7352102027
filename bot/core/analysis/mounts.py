"""Route paths with the prefixes their routers are mounted at (issue 18).

`app.use("/v1", routes)` in `app.js` and `router.use("/users", userRoute)` in
`routes/v1/index.js` put `user.route.js`'s `router.get("/:id")` at `/v1/users/:id`. The
JavaScript extractor records each mount as a `route.mount` signal (the module spec, the
path); here the specs are resolved to files and the chain above a routes file is joined,
at most `MAX_CHAIN` mounts and `MAX_PREFIX` characters. A file mounted at several paths
takes the first (by file and line). Pure: facts and a resolver in, entry points out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from bot.core.model import Entrypoint, FileFacts, ImportRef

MAX_CHAIN = 4
MAX_PREFIX = 200
_LANGUAGES = frozenset({"javascript", "typescript"})
_ROUTED = frozenset({"http", "webhook"})

Resolve = Callable[[str, str, ImportRef], "str | None"]


def mount_prefixes(facts: Mapping[str, FileFacts], resolve: Resolve) -> dict[str, str]:
    """File → the path its routes are mounted under (`/v1/users`), for mounted files."""
    parents: dict[str, list[tuple[str, int, str]]] = {}
    for path, f in facts.items():
        if f.language not in _LANGUAGES:
            continue
        for s in f.signals:
            if s.kind != "route.mount":
                continue
            target = resolve(path, f.language, ImportRef(s.name, s.line or 0))
            if target is not None and target != path:
                parents.setdefault(target, []).append((path, s.line or 0, s.detail))
    out = {}
    for target in parents:
        prefix = ""
        at = target
        seen = {target}
        for _ in range(MAX_CHAIN):
            mounts = parents.get(at)
            if not mounts:
                break
            parent, _line, here = min(mounts)
            prefix = join(here, prefix)
            if parent in seen:
                break
            seen.add(parent)
            at = parent
        if prefix.strip("/") and len(prefix) <= MAX_PREFIX:
            out[target] = prefix
    return out


def join(prefix: str, path: str) -> str:
    """`/v1` + `/users` → `/v1/users`; `/users` + `/` → `/users`."""
    rest = path.lstrip("/")
    head = prefix.rstrip("/")
    return f"{head}/{rest}" if rest else (head or "/")


def with_mounts(
    entries: Sequence[Entrypoint], prefixes: Mapping[str, str]
) -> tuple[Entrypoint, ...]:
    """HTTP entry points of one mounted routes file, their routes prefixed."""
    if not prefixes:
        return tuple(entries)
    out = []
    for e in entries:
        paths = {ev.path for ev in e.evidence}
        prefix = prefixes.get(next(iter(paths))) if len(paths) == 1 else None
        if e.kind in _ROUTED and prefix and e.detail.startswith("/"):
            routes = [join(prefix, r) if r.startswith("/") else r for r in e.detail.split(", ")]
            e = replace(e, detail=", ".join(routes))
        out.append(e)
    return tuple(out)
