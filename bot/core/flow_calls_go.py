"""Go calls: where a call in a Go file goes (issue 18), split from `flow_calls`.

A Go package is its folder. A name resolves to a package function (`store.New`), a method
on a typed receiver or parameter, through struct fields (`s.Store.CreateMemo` →
`store.Store.CreateMemo`), and from an interface method to its implementations: the types
that have most of the interface's methods, in the packages that import the interface's
package, then (Go's interfaces are structural) in the packages imported where the
interface's or the caller's package is wired up. At most `MAX_GO_PACKAGES` packages are
searched and `MAX_IMPLEMENTATIONS` implementations kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.call_sites import Call, FileCalls
from bot.core.flow_dispatch import defined_methods
from bot.core.model import FileFacts, ImportRef

Resolve = Callable[[str, str, ImportRef], "str | None"]
MAX_IMPLEMENTATIONS = 3
MAX_GO_PACKAGES = 48  # packages searched for a Go interface's implementations


class GoCalls:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        calls: Callable[[str], FileCalls | None],
    ):
        self.facts = facts
        self.resolve = resolve
        self.calls = calls
        self._dirs: dict[str, list[str]] | None = None
        self._importers: dict[str, list[str]] | None = None
        self._imported: dict[str, list[str]] = {}  # package folder → folders it imports

    def steps(self, path: str, call: Call) -> list[tuple[str, str]]:
        fc = self.calls(path)
        if fc is None:
            return []
        folder = path.rpartition("/")[0]
        parts = call.parts
        if len(parts) == 1:
            return self._func(folder, parts[0])
        aliases = dict(fc.aliases)
        if call.made_by and call.head_type is None:
            made = self._on_made(path, fc, call)
            if made:
                return made
            if call.made_by == parts[:-1]:
                return []  # a builder's chain: what the inner call returns is not seen
        if call.head_type is not None:
            spec, typ = call.head_type
            home = self._folder(spec) if spec else folder
            return self._method(home, typ, parts[1:]) if home is not None else []
        if parts[0] in aliases and len(parts) == 2:
            home = self._folder(aliases[parts[0]])
            return self._func(home, parts[1]) if home is not None else []
        if parts[-1][:1].islower():
            return self._unexported(folder, parts[-1])
        return []

    def _on_made(self, path: str, fc: FileCalls, call: Call) -> list[tuple[str, str]]:
        """`x.M(…)` where `x` holds what a call returned (`p := cfg.ProviderFor(k)`,
        `registry.Get().M(…)`): when the callee is declared to return an interface
        (`FileCalls.returns`), `M` of its implementations. The inner call is the one
        recorded in the same function (its head's type is known there)."""
        maker = next(
            (c for c in fc.calls if c.parts == call.made_by and c.scope == call.scope), None
        )
        if maker is None or maker.made_by:
            return []  # (one level: a chain of results is not followed)
        for target, qual in self.steps(path, maker)[:1]:
            tc = self.calls(target)
            made = next((t for q, t in (tc.returns if tc else ()) if q == qual), "")
            spec, _, typ = made.rpartition(".")
            if not typ or typ == "func":
                return []
            home = self._folder(spec) if spec else target.rpartition("/")[0]
            # Only an interface: which type runs is what the walk cannot otherwise tell. A
            # concrete result's methods are mostly accessors and builder steps (`v.Set`,
            # `err.Error`), steps that would use up a walk's budget before its sinks.
            wanted = self._interface(home, typ) if home is not None else set()
            method = call.parts[-1]
            if home is None or method not in wanted:
                return []
            return self._implementations(home, method, wanted, home)
        return []

    def _unexported(self, folder: str, method: str) -> list[tuple[str, str]]:
        """`x.m(…)` on a value whose type the parser does not see (a map's or a slice
        field's element): an unexported method is only ever a method of the package's own
        types, so the one type that defines `m` is the callee; when several do and an
        interface of the package declares `m`, the call dispatches to them (at most
        `MAX_IMPLEMENTATIONS`, as a typed interface call does)."""
        owners: list[tuple[str, str]] = []
        interfaces: dict[str, set[str]] = {}
        methods: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}
        embeds: dict[tuple[str, str], set[str]] = {}
        for p in self.files(folder):
            fc = self.calls(p)
            if fc is None:
                continue
            for iface, name in fc.interfaces:
                interfaces.setdefault(iface, set()).add(name)
            for fn in fc.funcs:
                owner, _, name = fn.qual.rpartition(".")
                if owner and "." not in owner:
                    methods.setdefault((folder, owner), {})[name] = (p, fn.line)
                    if name == method:
                        owners.append((p, fn.qual))
            for owner, fname, spec, ftype in fc.fields:
                if not spec and fname == ftype:
                    embeds.setdefault((folder, owner), set()).add(ftype)
        if len(owners) == 1:
            return owners
        # Several: the implementations of an interface of the package that declares it
        # (with what they embed, most of its methods), not every type with that name.
        out: list[tuple[str, str]] = []
        for wanted in (w for w in interfaces.values() if method in w and len(w) > 1):
            need = max(2, (len(wanted) * 4) // 5)
            out += [
                (p, qual)
                for p, qual in owners
                if len(defined_methods(folder, qual.rpartition(".")[0], methods, embeds) & wanted)
                >= need
            ]
        return list(dict.fromkeys(out))[:MAX_IMPLEMENTATIONS]

    def _folder(self, spec: str) -> str | None:
        target = self.resolve("", "go", ImportRef(spec, 0))
        return target.rstrip("/") if target is not None else None

    def files(self, folder: str) -> list[str]:
        if self._dirs is None:
            dirs: dict[str, list[str]] = {}
            for p, f in self.facts.items():
                if f.language == "go" and not p.endswith("_test.go"):
                    dirs.setdefault(p.rpartition("/")[0], []).append(p)
            self._dirs = {k: sorted(v) for k, v in dirs.items()}
        return self._dirs.get(folder, [])

    def _func(self, folder: str, qual: str) -> list[tuple[str, str]]:
        for p in self.files(folder):
            fc = self.calls(p)
            if fc is not None and any(fn.qual == qual for fn in fc.funcs):
                return [(p, qual)]
        return []

    def _method(self, folder: str, typ: str, rest: tuple[str, ...]) -> list[tuple[str, str]]:
        """The method `rest[-1]` on `typ` (in `folder`), through the fields of `rest[:-1]`."""
        start = folder
        for name in rest[:-1]:
            nxt = None
            for p in self.files(folder):
                fc = self.calls(p)
                for owner, field, spec, ftype in fc.fields if fc is not None else ():
                    if owner == typ and field == name:
                        nxt = (spec, ftype)
                        break
                if nxt is not None:
                    break
            if nxt is None:
                return []
            home = self._folder(nxt[0]) if nxt[0] else folder
            if home is None:
                return []
            folder, typ = home, nxt[1]
        method = rest[-1]
        found = self._func(folder, f"{typ}.{method}")
        if found:
            return found
        wanted = self._interface(folder, typ)
        if method in wanted:
            return self._implementations(folder, method, wanted, start)
        return []

    def _interface(self, folder: str, typ: str) -> set[str]:
        """The methods of interface `typ` declared in `folder` (empty when it is not one)."""
        out: set[str] = set()
        for p in self.files(folder):
            fc = self.calls(p)
            out.update(m for i, m in (fc.interfaces if fc is not None else ()) if i == typ)
        return out

    def _implementations(
        self, folder: str, method: str, wanted: set[str], caller: str = ""
    ) -> list[tuple[str, str]]:
        """`method` on the types that implement the interface (most of `wanted`), in the
        repository's packages that import `folder`, then (Go's interfaces are structural: an
        implementation need not import its interface) in the packages imported where the
        interface's or the caller's package is wired up (`main` imports both), at most
        `MAX_GO_PACKAGES` packages in all."""
        if self._importers is None:
            importers: dict[str, set[str]] = {}
            imported: dict[str, set[str]] = {}
            for p, f in self.facts.items():
                if f.language != "go" or p.endswith("_test.go"):
                    continue
                for ref in f.imports:
                    home = self.resolve(p, "go", ref)
                    if home is not None:
                        importers.setdefault(home.rstrip("/"), set()).add(p.rpartition("/")[0])
                        imported.setdefault(p.rpartition("/")[0], set()).add(home.rstrip("/"))
            self._importers = {k: sorted(v) for k, v in importers.items()}
            self._imported = {k: sorted(v) for k, v in imported.items()}
        out: list[tuple[str, str]] = []
        need = max(1, (len(wanted) * 4) // 5)
        first = self._importers.get(folder, [])
        wiring = [
            pkg
            for user in (*first, *self._importers.get(caller, []))
            for pkg in self._imported.get(user, [])
        ]
        # The interface's own package first: its implementations often live beside it
        # (`notify.Destination` with `notify.Email`, `notify.Telegram`).
        others = list(dict.fromkeys((folder, *first, *wiring)))
        for other in [o for o in others if o == folder or o != caller][:MAX_GO_PACKAGES]:
            methods: dict[str, set[str]] = {}
            where: dict[str, str] = {}
            for p in self.files(other):
                fc = self.calls(p)
                for fn in fc.funcs if fc is not None else ():
                    owner, _, name = fn.qual.rpartition(".")
                    if owner and name in wanted:
                        methods.setdefault(owner, set()).add(name)
                        if name == method:
                            where[owner] = p
            for owner in sorted(where):
                # Generated test doubles (moq's `InterfaceMock`, mockery's `mock_x.go`) are
                # not where data goes, though they live in the package.
                if "Mock" in owner or "mock" in where[owner].rpartition("/")[2]:
                    continue
                # Beside the interface, a type with only some of its methods is the one
                # that holds and wraps it (`Store.CreateMemo` calling `s.driver.CreateMemo`).
                if len(methods[owner]) >= (len(wanted) if other == folder else need):
                    out.append((where[owner], f"{owner}.{method}"))
            if len(out) >= MAX_IMPLEMENTATIONS:
                break
        return out[:MAX_IMPLEMENTATIONS]
