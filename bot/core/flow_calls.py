"""Where a call goes: from a call site in one file to a function of another (issue 18).

`CallGraph.steps(path, scope)` gives the same-repository calls a function (or, with scope
"", a whole module) makes, each resolved to the file and function it runs, in source order.
Python names resolve through the file's imports (`from bot.app.webhooks import
verify_signature`, re-exports through a package's `__init__.py`, star imports included),
JavaScript/TypeScript names through `import`/`require` and barrels. Calls on objects go
through the class the object is declared with (`queue: Queue` → `Queue.submit`,
`self.storage` → the field's declared class, `this.mailService` → an injected service, a
module-level `notifier = Notifier()`, a local made by a function annotated `-> Parser`);
`flow_members` says which methods such a call runs (inherited, or an interface's
implementations). Go, JavaScript/TypeScript and Ruby calls are resolved in `flow_calls_go`,
`flow_calls_js` and `flow_calls_ruby`, an ORM's queries found in `flow_orm`. A call whose
target is not seen is not a hop: the walk falls back to imports (`flows`). `read(path)`
parses a file on first use only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.call_sites import Call, FileCalls, Func, Sink
from bot.core.flow_calls_go import GoCalls
from bot.core.flow_calls_js import JsCalls
from bot.core.flow_calls_ruby import RubyCalls
from bot.core.flow_defs import (
    MAX_REEXPORT,
    MAX_REEXPORTS,
    ReadCalls,
    ReadClasses,
    Resolve,
    defined,
    first,
    on_return,
)
from bot.core.flow_members import Members
from bot.core.flow_orm import OrmSinks
from bot.core.flow_rails import RailsModels
from bot.core.flow_stores import StoreCalls
from bot.core.model import FileFacts, ImportRef

__all__ = ["CallGraph", "ReadCalls", "ReadClasses", "Resolve"]
_READ = frozenset({"python", "go", "ruby", "javascript", "typescript"})
# A call that runs the handlers registered on a registry (`router.dispatch(event, gh)`):
# its steps are those handlers, at most `MAX_HANDLERS` (see `CallGraph._py_dispatch`).
DISPATCHING = frozenset({"dispatch", "emit"})
MAX_HANDLERS = 32


class CallGraph:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read: ReadCalls,
        skip: Callable[[str], bool] = lambda _: False,
        read_classes: ReadClasses | None = None,
    ):
        self.facts = facts
        self.skip = skip
        self.resolve = resolve
        self._read = read
        self._calls: dict[str, FileCalls | None] = {}
        self._steps: dict[tuple[str, str], list[tuple[str, str, int, str]]] = {}
        self._wrapping: set[tuple[str, int]] = set()  # (path, line) of `with f(...)` calls
        # (path, line) of dispatch calls → (target, qual) → what the handler handles
        self._dispatched: dict[tuple[str, int], dict[tuple[str, str], str]] = {}
        self.go = GoCalls(facts, resolve, self.calls)
        # What a call on a class instance runs: inherited methods, implementations.
        self.members = Members(facts, self.calls, skip)
        # A Rails app's models and the stores its constants reach (`flow_rails`).
        self.rails = RailsModels(facts, self.calls, skip)
        self.orm = OrmSinks(facts, self.calls, self.rails)
        self.js = JsCalls(facts, resolve, self.calls, self.members)
        self.ruby = RubyCalls(facts, self.calls, skip)
        # Other ORMs', drivers' and clients' calls (`flow_stores`, tables in `store_ops`).
        self.stores = StoreCalls(facts, self.calls, self.js.module, skip, read_classes)

    def calls(self, path: str) -> FileCalls | None:
        if path not in self._calls:
            f = self.facts.get(path)
            self._calls[path] = self._read(path) if f is not None and f.language in _READ else None
        return self._calls[path]

    def scope_at(self, path: str, line: int | None) -> str:
        fc = self.calls(path)
        return fc.scope_at(line) if fc is not None and line is not None else ""

    def in_scope(self, path: str, scope: str, line: int | None) -> bool:
        """Whether a line of `path` belongs to `scope`: in its span, or at module level
        (an import or a module-level client is part of every function that uses it). A
        scope no function has (`"-"`) holds the module-level lines only."""
        if not scope or line is None:
            return True
        fc = self.calls(path)
        if fc is None:
            return True
        spans = [f for f in fc.funcs if f.qual == scope or f.qual.startswith(scope + ".")]
        # A method's class was built first: its constructor's lines (the client it made)
        # belong to each method, as a field's initialiser in the class body does.
        owner = scope.rpartition(".")[0]
        if owner:
            # Go's constructor by convention: `NewTelegram` built the `Telegram` a method
            # runs on (with the library client its fields hold).
            built = (f"{owner}.constructor", f"{owner}.__init__", f"New{owner}")
            spans += [f for f in fc.funcs if f.qual in built]
        if any(f.first <= line <= f.end for f in spans):
            return True
        return not any(f.first <= line <= f.end for f in fc.funcs)

    def function_at(self, path: str, line: int | None) -> Func | None:
        """The innermost function of `path` that holds `line`."""
        fc = self.calls(path)
        if fc is None or line is None:
            return None
        qual = fc.scope_at(line)
        return next((f for f in fc.funcs if f.qual == qual), None)

    def job_method(self, path: str) -> str:
        """`SendWebmentionJob.perform` when the file's one job class defines it, else ""."""
        fc = self.calls(path)
        found = [f.qual for f in fc.funcs if f.qual.endswith(".perform")] if fc else []
        return found[0] if len(found) == 1 else ""

    def package_files(self, path: str) -> list[str]:
        """The other files of a Go file's package (none for other languages)."""
        if not path.endswith(".go"):
            return []
        return self.go.files(path.rpartition("/")[0])

    def steps(self, path: str, scope: str) -> list[tuple[str, str, int, str]]:
        """(target path, target scope, call line, "calls x.f") for the resolved calls of
        `scope` in `path` (all of the file when `scope` is ""), in source order."""
        key = (path, scope)
        found = self._steps.get(key)
        if found is not None:
            return found
        out: list[tuple[str, str, int, str]] = []
        fc = self.calls(path)
        seen: set[tuple[str, str]] = set()
        f = self.facts.get(path)
        # A nested function's calls are not its parent's: it runs when it is called back.
        for call in sorted(fc.calls_in(scope) if fc is not None else (), key=lambda c: c.line):
            if f is None:
                break
            if f.language == "python":
                targets = self._python(path, f, fc, call)
            elif f.language == "go":
                targets = self.go.steps(path, call)
            elif f.language == "ruby":
                targets = self.ruby.steps(path, call)
                # A model's write runs the callbacks it declares for it.
                for target, qual, hook in self.rails.callbacks(call):
                    if (target, qual) not in seen:
                        seen.add((target, qual))
                        label = _label(path, target, qual).removeprefix("calls ")
                        out.append((target, qual, call.line, f"runs {label} ({hook} callback)"))
            else:
                targets = self.js.steps(path, call)
            # A default export called by its import's name (`import load from "./loader"`
            # runs `loadDocument`): the hop names the call as the line writes it.
            js = f.language in ("javascript", "typescript")
            written = call.parts[-1] if call.parts and js else ""
            for target, qual in targets:
                if (target, qual) in seen or (target, qual) == (path, scope):
                    continue
                seen.add((target, qual))
                handles = self._dispatched.get((path, call.line), {}).get((target, qual))
                what = _label(path, target, qual)
                if (
                    written
                    and written != qual.rpartition(".")[2]
                    and written not in what.split(".")
                ):
                    what = f"calls {written} ({what[6:]})"
                if handles is not None:  # not a call of the handler's name: a dispatch
                    what = "dispatches " + (f"{handles} " if handles else "") + "to " + what[6:]
                out.append((target, qual, call.line, what))
                if call.context:
                    self._wrapping.add((path, call.line))
        self._steps[key] = out
        return out

    def forwarded(self, path: str) -> list[tuple[str, str, int, str]]:
        """Steps of a JS/TS module that only hands on what it imports (a Next.js route file
        re-exporting its handler): to each function it names, cited at its import."""
        f = self.facts.get(path)
        if f is None or f.language not in ("javascript", "typescript"):
            return []
        return [(t, q, line, f"imports {spec}") for t, q, line, spec in self.js.forwarded(path)]

    def side_steps(self, path: str, scope: str) -> list[tuple[str, str, int, str]]:
        """The steps of `scope` that are plain functions of other modules (`verify_signature`,
        `parse_event`), not methods nor the `with` blocks around the work."""
        home = path.rpartition("/")[0] if path.endswith(".go") else path  # a Go package
        return [
            s
            for s in self.steps(path, scope)
            if not s[0].startswith(home) and "." not in s[1] and (path, s[2]) not in self._wrapping
        ]

    def orm_sinks(self, path: str, scope: str) -> list[Sink]:
        """Queries through an ORM in `scope` (`flow_orm`), else through another library's
        client (`flow_stores`): where a function reads or writes the database. A Ruby file's
        Active Record sinks and its other stores' both count."""
        found = self.orm.sinks(path, scope)
        if found and not path.endswith(".rb"):
            return found
        fc = self.calls(path)
        return found + self.stores.sinks(path, fc, scope) if fc is not None else found

    def js_reference(self, path: str, parts: tuple[str, ...]) -> tuple[str, str] | None:
        """The function `a.b` names in JS/TS file `path` without calling it (a route's handler)."""
        return self.js.reference(path, parts)

    # --- Python ---------------------------------------------------------------------

    def _python(
        self, path: str, f: FileFacts, fc: FileCalls | None, call: Call
    ) -> list[tuple[str, str]]:
        parts = call.parts
        if len(parts) == 2 and parts[1] in DISPATCHING and fc is not None:
            handlers = self._py_dispatch(path, fc, parts[0])
            if handlers:
                self._dispatched[(path, call.line)] = handlers
                return list(handlers)
        if call.head_type is not None:
            return self._py_method(path, call.head_type[1], parts[1:])
        if call.made_by and len(parts) > 1:
            return self._py_made(path, call.made_by, parts[1:])
        if parts[0] in ("self", "cls"):
            return []
        hit = self._py_name(path, parts[0], parts[1:], 0)
        return [hit] if hit else []

    def _py_made(
        self, path: str, made_by: tuple[str, ...], rest: tuple[str, ...]
    ) -> list[tuple[str, str]]:
        """`parser.parse()` after `parser = get_parser(…)`: on the class `get_parser`'s
        return annotation names (`-> Parser`), as its own module sees that name."""
        if made_by[0] in ("self", "cls"):
            return []
        maker = self._py_name(path, made_by[0], made_by[1:], 0)
        return on_return(self.calls, maker, rest, self._py_method)

    def _py_dispatch(self, path: str, fc: FileCalls, registry: str) -> dict[tuple[str, str], str]:
        """The handlers `registry.dispatch(...)` runs: the functions registered on it by a
        decorator (`@registry.register(...)`) in this file, in the modules whose registries
        it is built from (`registry = Router(a.router, b.router)`), or in the module it is
        imported from; (file, function) → what each handles."""
        sources: list[tuple[str, str]] = [(path, registry)]
        for name, args in fc.registries:
            if name == registry:
                for module, attr in args:
                    found = self._py_module(path, module)
                    if found is not None:
                        sources.append((found, attr))
        if len(sources) == 1 and not any(r == registry for r, _q, _h in fc.registered):
            for ref in self.facts[path].imports:
                if registry in ref.names:
                    whole = self.resolve(path, "python", ref)
                    if whole is not None and whole != path and whole in self.facts:
                        sources.append((whole, registry))
                    break
        out: dict[tuple[str, str], str] = {}
        for home, name in sources:
            held = self.calls(home) if home in self.facts else None
            for reg, qual, handles in held.registered if held is not None else ():
                if reg == name and len(out) < MAX_HANDLERS:
                    out.setdefault((home, qual), handles)
        return out

    def py_function(self, path: str, name: str) -> tuple[str, int] | None:
        """(file, `def` line) of the Python function `name` is in `path` (defined there or
        imported), or None (a class, a name it does not resolve)."""
        hit = self._py_name(path, name, (), 0)
        fc = self.calls(hit[0]) if hit is not None else None
        if hit is None or fc is None:
            return None
        return next(((hit[0], f.line) for f in fc.funcs if f.qual == hit[1]), None)

    def py_aliased(self, path: str, parts: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
        """(module file, the names left to find in it) when `parts[0]` is a name `path`
        imports under another name (`from app.api import views as api_views`,
        `import app.jobs as jobs`): the module it names, or the module that defines it."""
        fc = self.calls(path)
        if fc is None or self.facts[path].language != "python" or not fc.aliases:
            return None
        target = dict(fc.aliases).get(parts[0])
        if target is None:
            return None
        spec = target.lstrip(".")
        level = len(target) - len(spec)
        module = self.resolve(path, "python", ImportRef(spec, 0, level))
        if module is not None and module in self.facts and module != path and parts[1:]:
            return module, parts[1:]  # the alias names a module
        parent, _, name = spec.rpartition(".")
        above = None
        if parent or level:
            above = self.resolve(path, "python", ImportRef(parent, 0, level))
        if above is not None and above in self.facts and above != path:
            return above, (name, *parts[1:])  # the alias names a function or class
        return None

    def _py_module(self, path: str, name: str) -> str | None:
        """The repository file a module name of `path` is (`from . import stage`)."""
        for ref in self.facts[path].imports:
            if name in ref.names:
                base = ref.spec + "." if ref.spec else ""
                sub = ImportRef(base + name, ref.line, ref.level, (), ref.kind)
                module = self.resolve(path, "python", sub)
                return module if module is not None and module in self.facts else None
            if not ref.names and ref.spec.rpartition(".")[2] == name:  # `import app.stage`
                module = self.resolve(path, "python", ref)
                return module if module is not None and module in self.facts else None
        return None

    def _py_name(
        self, path: str, name: str, rest: tuple[str, ...], depth: int
    ) -> tuple[str, str] | None:
        """The function `name(.rest)` calls, as `path` sees `name`."""
        fc = self.calls(path)
        if fc is None:
            return None
        local = defined(fc, name, rest)
        if local is not None:
            return (path, local)
        if name in fc.classes:
            return first(self._py_method(path, name, rest))
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # a module-level instance: `notifier = Notifier()`
            return first(self._py_method(path, made, rest))
        aliased = self.py_aliased(path, (name, *rest))
        if aliased is not None and depth < MAX_REEXPORT:
            return self._py_in(aliased[0], aliased[1][0], aliased[1][1:])
        f = self.facts[path]
        if depth and not any(name in ref.names for ref in f.imports):
            # A package's `from .parsers import *` (re-exports only: depth > 0).
            for ref in f.imports[:MAX_REEXPORTS]:
                if ref.names == ("*",):
                    star = self.resolve(path, "python", ref)
                    if star and star != path and star in self.facts and depth < MAX_REEXPORT:
                        hit = self._py_name(star, name, rest, depth + 1)
                        if hit is not None:
                            return hit
        for ref in f.imports:
            if name in ref.names:
                base = ref.spec + "." if ref.spec else ""
                sub = ImportRef(base + name, ref.line, ref.level, (), ref.kind)
                module = self.resolve(path, "python", sub)
                whole = self.resolve(path, "python", ref)
                # `from app import tasks` (the resolver may give the submodule for both)
                stem = module.rpartition("/")[2].removesuffix(".py") if module else ""
                if module and (module != whole or stem == name) and module.endswith(".py") and rest:
                    return self._py_in(module, rest[0], rest[1:])
                if whole and whole.endswith(".py") and whole in self.facts:
                    hit = self._py_in(whole, name, rest)
                    if hit is None and depth < MAX_REEXPORT and whole != path:
                        hit = self._py_name(whole, name, rest, depth + 1)  # a re-export
                    return hit
            elif not ref.names and ref.spec and rest:
                spec = ref.spec.split(".")
                dotted = (name, *rest)
                if tuple(spec) == dotted[: len(spec)] and len(dotted) > len(spec):
                    module = self.resolve(path, "python", ref)
                    if module and module.endswith(".py"):
                        tail = dotted[len(spec) :]
                        return self._py_in(module, tail[0], tail[1:])
        return None

    def _py_in(self, path: str, name: str, rest: tuple[str, ...]) -> tuple[str, str] | None:
        fc = self.calls(path) if path in self.facts else None
        if fc is None:
            return None
        qual = defined(fc, name, rest)
        if qual is not None:
            return (path, qual)
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # `from app.clients import notifier`: an instance made there
            return first(self._py_method(path, made, rest))
        return None

    def _py_method(self, path: str, cls: str, rest: tuple[str, ...]) -> list[tuple[str, str]]:
        """`Cls.method` (through declared fields: `self.storage.submit` → `Storage.submit`),
        inherited, or an abstract method's implementations (`flow_members`)."""
        home = self._py_class(path, cls)
        for _ in range(len(rest) - 1):
            if home is None:
                return []
            field = self.members.field(home, rest[0], self._py_class)
            if field is None:
                return []
            home = self._py_class(home[0], field)
            rest = rest[1:]
        if home is None or not rest:
            return []
        return self.members.methods(home, rest[0], self._py_class)

    def py_class(self, path: str, cls: str) -> tuple[str, str] | None:
        """(file, class) that `cls` names in `path` (a class view's base)."""
        return self._py_class(path, cls)

    def _py_class(self, path: str, cls: str, depth: int = 0) -> tuple[str, str] | None:
        """(file, class) that `cls` names in `path`."""
        fc = self.calls(path)
        if fc is None:
            return None
        if cls in fc.classes:
            return (path, cls)
        for ref in self.facts[path].imports:
            if cls in ref.names:
                whole = self.resolve(path, "python", ref)
                if whole is None or whole == path or whole not in self.facts:
                    return None
                return self._py_class(whole, cls, depth + 1) if depth < MAX_REEXPORT else None
        return None

    # --- JavaScript / TypeScript -------------------------------------------------------


def _label(path: str, target: str, qual: str) -> str:
    """`calls verify_signature`, with the module when it is another file's; a constructor
    by its class, as the line writes it (`Config()` runs `Config.__init__`)."""
    qual = qual.removesuffix(".__init__")
    if target == path:
        return f"calls {qual}"
    if target.endswith(".go"):  # a Go package is its folder
        stem = target.rpartition("/")[0].rpartition("/")[2]
    else:
        stem = target.rpartition("/")[2].rpartition(".")[0]
    return f"calls {stem}.{qual}" if stem and stem != "__init__" else f"calls {qual}"
