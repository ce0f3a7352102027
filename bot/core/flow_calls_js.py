"""JavaScript/TypeScript calls: where a call in a JS/TS file goes (issue 18), split from
`flow_calls`.

Names resolve through `import`/`require` and barrels (`export … from`, at most
`MAX_REEXPORT` deep), a module's default export (a function, a class, the functions of
`module.exports = { f, g }`), module-level instances (`const mailer = new Mailer()`), and
calls on objects through the class they are declared with (`flow_members`).

A call through a service locator (`APP.models.orders.place()`, `APP.mail.send()`, on a head
the file neither imports nor defines: a global the app fills at boot) names its module by
the receiver's last segment: it goes to the one file of that stem (`orders.js`) whose
default export (`module.exports = class Orders`, `= { place() {} }`) defines the method.
Two such files, or none, and the call stays unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.call_sites import OBJECT_EXPORT, Call, FileCalls
from bot.core.flow_defs import (
    MAX_REEXPORT,
    ReadCalls,
    Resolve,
    defined,
    first,
    on_return,
)
from bot.core.flow_members import Members
from bot.core.model import FileFacts, ImportRef

# `export * from` lines of a package's barrel (`index.ts`) followed for one name: a shared
# package's barrel re-exports every module it has, past the first dozen.
MAX_BARREL_EXPORTS = 240
MAX_FORWARDED = 8  # names a module of no code of its own hands on (`forwarded`)
LOCATED_PARTS = 3  # `head.stem.method`: a bare `stem.method()` is a local's more often
MAX_STEM_FILES = 8  # files of one stem read for a located call (`index.js` is everywhere)
_JS_LANGUAGES = frozenset({"javascript", "typescript"})


def _stems(facts: Mapping[str, FileFacts]) -> dict[str, tuple[str, ...]]:
    """JS/TS files by their name without its extension (`src/models/orders.js` → `orders`)."""
    out: dict[str, list[str]] = {}
    for path, f in facts.items():
        if f.language in _JS_LANGUAGES:
            stem = path.rpartition("/")[2].partition(".")[0]
            out.setdefault(stem, []).append(path)
    return {k: tuple(sorted(v)) for k, v in out.items()}


class JsCalls:
    def __init__(
        self, facts: Mapping[str, FileFacts], resolve: Resolve, calls: ReadCalls, members: Members
    ):
        self.facts = facts
        self.resolve = resolve
        self.calls = calls
        self.members = members
        self._stems: dict[str, tuple[str, ...]] | None = None
        # (barrel, name, rest, depth) -> what it exports: a long barrel is searched once
        self._exports: dict[tuple[str, str, tuple[str, ...], int], tuple[str, str] | None] = {}

    def reference(self, path: str, parts: tuple[str, ...]) -> tuple[str, str] | None:
        """The function `a.b` names in `path` without calling it (a route's handler)."""
        return self._name(path, parts[0], parts[1:]) if parts else None

    def steps(self, path: str, call: Call) -> list[tuple[str, str]]:
        """`helper()`, `imported()`, `ns.f()`, `Cls.f()`, `this.f()`, `this.svc.f()` (the
        field typed by a constructor parameter property)."""
        parts = call.parts
        if call.head_type is not None:
            return self._method(path, call.head_type[1], parts[1:])
        if call.made_by and len(parts) > 1:
            maker = self._name(path, call.made_by[0], call.made_by[1:])
            return on_return(self.calls, maker, parts[1:], self._method)
        hit = self._name(path, parts[0], parts[1:]) if parts[0] != "this" else None
        if hit is None and len(parts) >= LOCATED_PARTS and parts[0] != "this":
            hit = self._located(path, parts)
        return [hit] if hit else []

    def forwarded(self, path: str) -> list[tuple[str, str, int, str]]:
        """(target, qual, line, spec) for a module that defines no function and calls
        nothing, only hands on what it imports: a route file `export { h as default } from
        "./h"`, `export const POST = handler`, `export default handler`. Each name goes to
        the function it is; a value (`withAuth({ GET: get })`) to its module as a whole
        (qual ""), whose calls then all run."""
        fc = self.calls(path)
        f = self.facts.get(path)
        if fc is None or f is None or fc.funcs or fc.calls or fc.classes:
            return []
        lines = {ref.spec: ref.line for ref in f.imports}
        named: list[tuple[str, str, str]] = [
            (spec, imported, spec) for _local, spec, imported in fc.imports if imported != "*"
        ]
        named += [
            (ref.spec, name, ref.spec)
            for ref in f.imports
            if ref.kind == "export"
            for name in ref.names or ("default",)
        ]
        out: list[tuple[str, str, int, str]] = []
        for spec, name, _ in named[:MAX_FORWARDED]:
            target = self.module(path, spec)
            if target is None or target == path or spec not in lines:
                continue
            hit = self._export(target, name, (), 0)
            if hit is None or hit[1] not in {g.qual for g in (self.calls(hit[0]) or fc).funcs}:
                hit = (target, "")  # a value built at module level: its module runs
            if all(o[:2] != hit for o in out):
                out.append((hit[0], hit[1], lines[spec], spec))
        return out

    def _located(self, path: str, parts: tuple[str, ...]) -> tuple[str, str] | None:
        """`X.….stem.method()` on a head `path` does not bind: the one repository file
        named `stem` that defines `method` (see the module doc)."""
        fc = self.calls(path)
        if fc is None or any(local == parts[0] for local, _spec, _name in fc.imports):
            return None
        if defined(fc, parts[0], ()) is not None or parts[0] in fc.classes:
            return None
        if self._stems is None:
            self._stems = _stems(self.facts)
        hits = []
        for target in self._stems.get(parts[-2], ())[:MAX_STEM_FILES]:
            tc = self.calls(target)
            if tc is None or not tc.default_export:
                continue  # a locator holds what a module exports: a private helper is none
            quals = (parts[-1], f"{tc.default_export}.{parts[-1]}")
            hits += [(target, f.qual) for f in tc.funcs if f.qual in quals][:1]
        return hits[0] if len(hits) == 1 else None

    def _name(self, path: str, name: str, rest: tuple[str, ...]) -> tuple[str, str] | None:
        fc = self.calls(path)
        if fc is None:
            return None
        local = defined(fc, name, rest)  # functions and classes are looked up alike
        if local is not None:
            return (path, local)
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # `const mailer = new Mailer()` at module level
            return first(self._method(path, made, rest))
        for local_name, spec, imported in fc.imports:
            if local_name != name:
                continue
            target = self.module(path, spec)
            if target is None:
                return None
            if imported == "*":
                return self._export(target, rest[0], rest[1:], 0) if rest else None
            return self._export(target, imported, rest, 0)
        return None

    def module(self, path: str, spec: str) -> str | None:
        """The repository file an import spec of JS/TS file `path` names, if any."""
        f = self.facts.get(path)
        target = self.resolve(path, f.language if f else "typescript", ImportRef(spec, 0))
        return target if target is not None and target in self.facts else None

    def _export(
        self, path: str, name: str, rest: tuple[str, ...], depth: int
    ) -> tuple[str, str] | None:
        """`name(.rest)` as exported by `path`, through `export … from` re-exports."""
        fc = self.calls(path)
        if fc is None:
            return None
        if name == "default":
            qual = _js_default(fc, rest)
            return (path, qual) if qual is not None else None
        local = defined(fc, name, rest)
        if local is not None:
            return (path, local)
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # `export const mailer = new Mailer()`
            return first(self._method(path, made, rest))
        if depth >= MAX_REEXPORT:
            return None
        key = (path, name, rest, depth)
        if key in self._exports:
            return self._exports[key]
        self._exports[key] = None  # a barrel that re-exports itself ends here
        found = None
        for ref in self.facts[path].imports[:MAX_BARREL_EXPORTS]:
            if ref.kind != "export":
                continue
            target = self.module(path, ref.spec)
            if target is not None and target != path:
                hit = self._export(target, name, rest, depth + 1)
                if hit is None and rest and name in ref.names:
                    # `module.exports.users = require("./users")`: the module is the name.
                    hit = self._export(target, "default", rest, depth + 1)
                if hit is not None:
                    found = hit
                    break
        self._exports[key] = found
        return found

    def _class(self, path: str, cls: str) -> tuple[str, str] | None:
        fc = self.calls(path)
        if fc is None:
            return None
        if cls in fc.classes:
            return (path, cls)
        for local_name, spec, imported in fc.imports:
            if local_name == cls and imported == "default":  # `import Mailer from "./mailer"`
                target = self.module(path, spec)
                found = self.calls(target) if target else None
                name = found.default_export if found else ""
                return (target, name) if target and found and name in found.classes else None
            if local_name == cls and imported != "*":
                target = self.module(path, spec)
                return self._class_export(target, imported, 0) if target else None
        return None

    def _class_export(self, path: str, name: str, depth: int) -> tuple[str, str] | None:
        """The class (or interface) `name` that `path` exports, through `export … from`
        re-exports (a barrel `index.ts`)."""
        fc = self.calls(path)
        if fc is None:
            return None
        if name in fc.classes:
            return (path, name)
        if depth >= MAX_REEXPORT:
            return None
        key = (path, name, ("<class>",), depth)
        if key in self._exports:
            return self._exports[key]
        self._exports[key] = None
        found = None
        for ref in self.facts[path].imports[:MAX_BARREL_EXPORTS]:
            if ref.kind != "export" or (ref.names and name not in ref.names):
                continue
            target = self.module(path, ref.spec)
            if target is not None and target != path:
                hit = self._class_export(target, name, depth + 1)
                if hit is not None:
                    found = hit
                    break
        self._exports[key] = found
        return found

    def _method(self, path: str, cls: str, rest: tuple[str, ...]) -> list[tuple[str, str]]:
        """`rest[-1]` on an instance of `cls` (as `path` names it), through the fields of
        `rest[:-1]`: the class's method, an inherited one, or an interface's implementations."""
        home = self._class(path, cls)
        for name in rest[:-1]:
            if home is None:
                return []
            field = self.members.field(home, name, self._class)
            home = self._class(home[0], field) if field is not None else None
        if home is None or not rest:
            return []
        return self.members.methods(home, rest[-1], self._class)


def _js_default(fc: FileCalls, rest: tuple[str, ...]) -> str | None:
    """The `qual` of `x.f` (or `x()`) where x is a module's default export: a function or
    class the module defines, or one of the functions of `module.exports = { f, g }`."""
    name = fc.default_export
    if name == OBJECT_EXPORT:
        return defined(fc, rest[0], rest[1:]) if rest else None
    if not name:
        return None
    found = defined(fc, name, rest)
    declared = name in fc.classes or any(f.qual == name for f in fc.funcs)
    if found is None and rest and not declared:
        # A value built at module level (`module.exports = mongoose.model("User", …)`,
        # a knex client): `User.create(…)` runs what the module's top level set up. No
        # function has this name, so the walk sees the module-level lines only.
        return ".".join((name, *rest))
    return found
