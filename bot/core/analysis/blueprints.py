"""Python routers registered under a prefix in another file (issue 18).

`app.register_blueprint(auth_bp, url_prefix="/auth")` (Flask) and
`app.include_router(users.router, prefix="/users")` (FastAPI) put every route that
blueprint or router declares under the prefix; the routes are decorated elsewhere
(`@bp.route("/login")` in `app/auth/routes.py`, with `from app.auth import bp`).

The Python extractor records each registration as a `route.prefix` signal: `name` the
router as the module that defines it knows it (`bp` of `from app.auth import bp as
auth_bp`, `users.router`), `detail` the prefix. `blueprint_prefixes` resolves the module
through the registering file's imports and gives the prefix to that module and to every
file that imports the router's name from it. Linear patterns, capped counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.analysis.scan import Lines
from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, ImportRef, Signal

KIND = "route.prefix"
MAX_REGISTERED = 50  # registrations read from one file
MAX_ALIASES = 200
MAX_PREFIX = 200

# `.register_blueprint(auth_bp, url_prefix="/auth")`, `.include_router(\n  users.router,\n
# prefix="/users",\n)`: the keyword may follow other arguments, on later lines.
_REGISTER = lazy(
    r"\.(?:register_blueprint|include_router)\(\s*+(?P<name>[A-Za-z_]\w{0,80}(?:\.[A-Za-z_]\w{0,80})?)"
    r"\s*+,(?P<rest>[^()]{0,300})"
)
_PREFIX_ARG = lazy(r"\b(?:url_)?prefix\s*+=\s*+[\"'](?P<prefix>[^\"'\n]{0,200})[\"']")
# `import bp as auth_bp` / `from app.auth import bp as auth_bp`: the local name's original.
_ALIAS = lazy(r"\b(?P<orig>[A-Za-z_]\w{0,80})[ \t]++as[ \t]++(?P<local>[A-Za-z_]\w{0,80})\b")

Resolve = Callable[[str, str, ImportRef], "str | None"]


def registration_signals(text: str, lines: Lines) -> list[Signal]:
    """One `route.prefix` signal per router registered under a prefix in this file."""
    if not contains(text, "register_blueprint(") and not contains(text, "include_router("):
        return []
    found: list[tuple[int, str, str]] = []
    for m in _REGISTER.finditer(text):
        arg = _PREFIX_ARG.search(m.group("rest"))
        if arg is not None and arg.group("prefix").strip("/"):
            found.append((m.start(), m.group("name"), arg.group("prefix")))
            if len(found) >= MAX_REGISTERED:
                break
    if not found:
        return []
    heads = {name.partition(".")[0] for _, name, _ in found}
    aliases: dict[str, str] = {}
    for m in _ALIAS.finditer(text):
        if m.group("local") in heads and len(aliases) < MAX_ALIASES:
            aliases.setdefault(m.group("local"), m.group("orig"))
    out = []
    for at, name, prefix in found:
        head, dot, rest = name.partition(".")
        out.append(Signal(KIND, aliases.get(head, head) + dot + rest, lines.at(at), prefix))
    return out


def blueprint_prefixes(facts: Mapping[str, FileFacts], resolve: Resolve) -> dict[str, str]:
    """File → the prefix its decorated routes are registered under (`app/auth/routes.py`
    → `/auth`), for the files of routers registered with a prefix (the first by file and
    line when one is registered twice)."""
    defined: dict[tuple[str, str], str] = {}  # (module file, router name) → prefix
    for path in sorted(facts):
        f = facts[path]
        if f.language != "python":
            continue
        for s in sorted((s for s in f.signals if s.kind == KIND), key=lambda s: s.line or 0):
            home = _home(facts, resolve, path, s.name, s.line or 0)
            if home is not None and len(s.detail) <= MAX_PREFIX:
                defined.setdefault(home, s.detail)
    if not defined:
        return {}
    out: dict[str, str] = {}
    for (module, _name), prefix in defined.items():
        out.setdefault(module, prefix)
    names = {name for _module, name in defined}
    for path, f in facts.items():
        if f.language != "python" or path in out:
            continue
        for ref in f.imports:
            wanted = names.intersection(ref.names)
            if not wanted:
                continue
            module = resolve(path, "python", ref) or ""
            hits = [defined[(module, n)] for n in sorted(wanted) if (module, n) in defined]
            if hits:
                out[path] = hits[0]
                break
    return out


def _home(
    facts: Mapping[str, FileFacts], resolve: Resolve, path: str, name: str, line: int
) -> tuple[str, str] | None:
    """(the module that defines the router, its name there) for `name` as `path` imports it:
    `bp` of `from app.auth import bp` → (`app/auth/__init__.py`, `bp`); `users.router` of
    `from app.api import users` → (`app/api/users.py`, `router`)."""
    head, _, attr = name.partition(".")
    # Of the imports binding that name (`from app.auth import bp`, `from app.api import bp`
    # in one factory), the last one above the registration.
    binding = [r for r in facts[path].imports if head in r.names]
    above = [r for r in binding if r.line <= line]
    for ref in sorted(above, key=lambda r: -r.line)[:1] or binding[:1]:
        if attr:  # `from app.api import users`: the submodule `app.api.users`
            base = ref.spec + "." if ref.spec else ""
            module = resolve(path, "python", ImportRef(base + head, ref.line, ref.level))
            return (module, attr) if module is not None and module in facts else None
        module = resolve(path, "python", ref)
        return (module, head) if module is not None and module in facts else None
    return None
