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
implementations). Go calls are resolved in `flow_calls_go`. A call whose target is not seen
is not a hop: the walk falls back to imports (`flows`). `read(path)` parses a file on first
use only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.call_sites import OBJECT_EXPORT, Call, FileCalls, Func, Sink
from bot.core.flow_calls_go import GoCalls
from bot.core.flow_members import Members
from bot.core.flow_stores import StoreCalls
from bot.core.model import FileFacts, ImportRef

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadCalls = Callable[[str], "FileCalls | None"]
ReadClasses = Callable[[str], "frozenset[str] | None"]
# SQLAlchemy session calls that read or write the database. (Go's database/sql handles are
# left to the package's driver import, which names the store.)
SQLALCHEMY_SESSION_OPS = frozenset(
    {"add", "add_all", "commit", "execute", "scalar", "scalars", "query", "merge", "flush"}
)
# `session.get`/`.delete` are also an HTTP session's: only on Flask-SQLAlchemy's `db.session`.
SQLALCHEMY_DB_SESSION_OPS = frozenset({"get", "delete"})
# Prisma Client's model methods: `prisma.<model>.<op>(...)` reads or writes the database.
PRISMA_OPS = frozenset(
    """
    findUnique findUniqueOrThrow findFirst findFirstOrThrow findMany create createMany
    createManyAndReturn update updateMany upsert delete deleteMany count aggregate groupBy
    """.split()  # noqa: SIM905 (words read better as words)
)
# Sequelize's static model methods: `Document.findByPk(id)` reads or writes the database, in
# a repository whose code imports Sequelize (a model class imported by the calling file).
SEQUELIZE_OPS = frozenset(
    """
    findByPk findOne findAll findAndCountAll findOrCreate findOrBuild findCreateFind create
    bulkCreate update destroy upsert count increment decrement restore
    """.split()  # noqa: SIM905
)
SEQUELIZE_SPECS = ("sequelize", "sequelize-typescript")
_READ = frozenset({"python", "go", "ruby", "javascript", "typescript"})
MAX_REEXPORTS = 12  # `export * from` lines of a barrel file followed for one name
# Method names Rails, Active Record and Ruby give every object: a repository that defines
# one of them once (`def update` in one controller) has not made every `.update(` its own.
RUBY_COMMON = frozenset(
    """
    new create update destroy show index edit save save! update! create! destroy! find
    find_by where each map select reject call perform process to_s to_h to_a to_param
    as_json present? blank? valid? delete reload first last count sum includes order limit
    render redirect_to initialize set get fetch run send build add remove clear merge parse
    load start stop close open read write notify deliver include? exists? any? none? empty?
    size length name id key value join split call! log puts raise require attr_accessor
    """.split()  # noqa: SIM905 (words read better as words)
)
MAX_REEXPORT = 2
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
        self._rb: tuple[dict[str, str], dict[str, list[tuple[str, str]]]] | None = None
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
        from bot.core.flow_rails import RailsModels  # (it builds this module's `Sink`)

        self.rails = RailsModels(facts, self.calls, skip)
        self._sequelize: bool | None = None
        # Other ORMs', drivers' and clients' calls (`flow_stores`, tables in `store_ops`).
        self.stores = StoreCalls(facts, self.calls, self._js_module, skip, read_classes)

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
                targets = self._ruby(path, call)
                # A model's write runs the callbacks it declares for it.
                for target, qual, hook in self.rails.callbacks(call):
                    if (target, qual) not in seen:
                        seen.add((target, qual))
                        label = _label(path, target, qual).removeprefix("calls ")
                        out.append((target, qual, call.line, f"runs {label} ({hook} callback)"))
            else:
                targets = self._js(path, call)
            for target, qual in targets:
                if (target, qual) in seen or (target, qual) == (path, scope):
                    continue
                seen.add((target, qual))
                handles = self._dispatched.get((path, call.line), {}).get((target, qual))
                what = _label(path, target, qual)
                if handles is not None:  # not a call of the handler's name: a dispatch
                    what = "dispatches " + (f"{handles} " if handles else "") + "to " + what[6:]
                out.append((target, qual, call.line, what))
                if call.context:
                    self._wrapping.add((path, call.line))
        self._steps[key] = out
        return out

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
        """Queries through an ORM manager in `scope` (Django's `Document.objects.create(...)`):
        where a function reads or writes the database. The first one of the scope."""
        fc = self.calls(path)
        if fc is None:
            return []
        python = path.endswith(".py")
        if path.endswith(".rb"):
            return self.rails.sinks(path, fc, scope) + self.stores.sinks(path, fc, scope)
        for call in fc.calls_in(scope):
            parts = call.parts
            if not python and len(parts) == 2 and self._sequelize_model(fc, parts):
                what = f"queries the database (Sequelize {parts[0]}.{parts[1]})"
                return [Sink("datastore", "database (Sequelize)", call.line, what)]
            if len(parts) < 3:
                continue
            if python and parts[-2] == "objects":  # Django: `Document.objects.create(...)`
                what = f"queries the database ({parts[-3]}.objects.{parts[-1]})"
                return [Sink("datastore", "database (ORM)", call.line, what)]
            if python and (
                (parts[-2] == "session" and parts[-1] in SQLALCHEMY_SESSION_OPS)
                or (parts[-3:-1] == ("db", "session") and parts[-1] in SQLALCHEMY_DB_SESSION_OPS)
                or (parts[-2] == "query" and parts[-3][:1].isupper())
            ):  # SQLAlchemy: `db.session.add(post)`, Flask-SQLAlchemy's `User.query.get(1)`
                what = f"queries the database ({'.'.join(parts[-3:])})"
                return [Sink("datastore", "database (ORM)", call.line, what)]
            if not python and parts[-1] in PRISMA_OPS and "prisma" in parts[-3].lower():
                # Prisma: `this.prismaService.marketData.upsert(...)`
                what = f"queries the database (Prisma {parts[-2]}.{parts[-1]})"
                return [Sink("datastore", "database (Prisma)", call.line, what)]
        return self.stores.sinks(path, fc, scope)

    def _sequelize_model(self, fc: FileCalls, parts: tuple[str, ...]) -> bool:
        """`Comment.findByPk` of a model class the file imports (or declares), in a
        repository whose code imports Sequelize (`Object.create` is no model's)."""
        if parts[1] not in SEQUELIZE_OPS or not parts[0][:1].isupper():
            return False
        if self._sequelize is None:
            self._sequelize = any(
                i.spec in SEQUELIZE_SPECS for f in self.facts.values() for i in f.imports
            )
        if not self._sequelize:
            return False
        return parts[0] in fc.classes or any(local == parts[0] for local, _, _ in fc.imports)

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
        return self._made(maker, rest, self._py_method)

    def _made(
        self,
        maker: tuple[str, str] | None,
        rest: tuple[str, ...],
        method: Callable[[str, str, tuple[str, ...]], list[tuple[str, str]]],
    ) -> list[tuple[str, str]]:
        """`rest` called on what function `maker` returns, by its declared return type."""
        if maker is None or maker[1].endswith((".__init__", ".constructor")):
            return []
        fc = self.calls(maker[0])
        returned = next((t for q, t in fc.returns if q == maker[1]), None) if fc else None
        return method(maker[0], returned, rest) if returned else []

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
        local = _py_defined(fc, name, rest)
        if local is not None:
            return (path, local)
        if name in fc.classes:
            return _first(self._py_method(path, name, rest))
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # a module-level instance: `notifier = Notifier()`
            return _first(self._py_method(path, made, rest))
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
        qual = _py_defined(fc, name, rest)
        if qual is not None:
            return (path, qual)
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # `from app.clients import notifier`: an instance made there
            return _first(self._py_method(path, made, rest))
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

    def js_reference(self, path: str, parts: tuple[str, ...]) -> tuple[str, str] | None:
        """The function `a.b` names in `path` without calling it (a route's handler)."""
        return self._js_name(path, parts[0], parts[1:]) if parts else None

    def _js(self, path: str, call: Call) -> list[tuple[str, str]]:
        """`helper()`, `imported()`, `ns.f()`, `Cls.f()`, `this.f()`, `this.svc.f()` (the
        field typed by a constructor parameter property)."""
        parts = call.parts
        if call.head_type is not None:
            return self._js_method(path, call.head_type[1], parts[1:])
        if call.made_by and len(parts) > 1:
            maker = self._js_name(path, call.made_by[0], call.made_by[1:])
            return self._made(maker, parts[1:], self._js_method)
        hit = self._js_name(path, parts[0], parts[1:]) if parts[0] != "this" else None
        return [hit] if hit else []

    def _js_name(self, path: str, name: str, rest: tuple[str, ...]) -> tuple[str, str] | None:
        fc = self.calls(path)
        if fc is None:
            return None
        local = _py_defined(fc, name, rest)  # functions and classes are looked up alike
        if local is not None:
            return (path, local)
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # `const mailer = new Mailer()` at module level
            return _first(self._js_method(path, made, rest))
        for local_name, spec, imported in fc.imports:
            if local_name != name:
                continue
            target = self._js_module(path, spec)
            if target is None:
                return None
            if imported == "*":
                return self._js_export(target, rest[0], rest[1:], 0) if rest else None
            return self._js_export(target, imported, rest, 0)
        return None

    def _js_module(self, path: str, spec: str) -> str | None:
        f = self.facts.get(path)
        target = self.resolve(path, f.language if f else "typescript", ImportRef(spec, 0))
        return target if target is not None and target in self.facts else None

    def _js_export(
        self, path: str, name: str, rest: tuple[str, ...], depth: int
    ) -> tuple[str, str] | None:
        """`name(.rest)` as exported by `path`, through `export … from` re-exports."""
        fc = self.calls(path)
        if fc is None:
            return None
        if name == "default":
            qual = _js_default(fc, rest)
            return (path, qual) if qual is not None else None
        local = _py_defined(fc, name, rest)
        if local is not None:
            return (path, local)
        made = self.members.instance(path, name) if rest else None
        if made is not None:  # `export const mailer = new Mailer()`
            return _first(self._js_method(path, made, rest))
        if depth >= MAX_REEXPORT:
            return None
        for ref in self.facts[path].imports[:MAX_REEXPORTS]:
            if ref.kind != "export":
                continue
            target = self._js_module(path, ref.spec)
            if target is not None and target != path:
                hit = self._js_export(target, name, rest, depth + 1)
                if hit is None and rest and name in ref.names:
                    # `module.exports.users = require("./users")`: the module is the name.
                    hit = self._js_export(target, "default", rest, depth + 1)
                if hit is not None:
                    return hit
        return None

    def _js_class(self, path: str, cls: str) -> tuple[str, str] | None:
        fc = self.calls(path)
        if fc is None:
            return None
        if cls in fc.classes:
            return (path, cls)
        for local_name, spec, imported in fc.imports:
            if local_name == cls and imported == "default":  # `import Mailer from "./mailer"`
                target = self._js_module(path, spec)
                found = self.calls(target) if target else None
                name = found.default_export if found else ""
                return (target, name) if target and found and name in found.classes else None
            if local_name == cls and imported != "*":
                target = self._js_module(path, spec)
                return self._js_class_export(target, imported, 0) if target else None
        return None

    def _js_class_export(self, path: str, name: str, depth: int) -> tuple[str, str] | None:
        """The class (or interface) `name` that `path` exports, through `export … from`
        re-exports (a barrel `index.ts`)."""
        fc = self.calls(path)
        if fc is None:
            return None
        if name in fc.classes:
            return (path, name)
        if depth >= MAX_REEXPORT:
            return None
        for ref in self.facts[path].imports[:MAX_REEXPORTS]:
            if ref.kind != "export" or (ref.names and name not in ref.names):
                continue
            target = self._js_module(path, ref.spec)
            if target is not None and target != path:
                hit = self._js_class_export(target, name, depth + 1)
                if hit is not None:
                    return hit
        return None

    def _js_method(self, path: str, cls: str, rest: tuple[str, ...]) -> list[tuple[str, str]]:
        """`rest[-1]` on an instance of `cls` (as `path` names it), through the fields of
        `rest[:-1]`: the class's method, an inherited one, or an interface's implementations."""
        home = self._js_class(path, cls)
        for name in rest[:-1]:
            if home is None:
                return []
            field = self.members.field(home, name, self._js_class)
            home = self._js_class(home[0], field) if field is not None else None
        if home is None or not rest:
            return []
        return self.members.methods(home, rest[-1], self._js_class)

    # --- Ruby --------------------------------------------------------------------------

    def _ruby(self, path: str, call: Call) -> list[tuple[str, str]]:
        """By class (`Sponge.new.try_fetch` → `Sponge.try_fetch`), then by a method name
        defined once among the repository's Ruby files (Rails loads constants by name, so
        there are no imports to follow); never a name Rails or Ruby define themselves."""
        method = call.parts[-1]
        if method.startswith(("perform_", "deliver_")):
            return []  # a hand-off, not a call: the enqueue is the sink
        fc = self.calls(path)
        if len(call.parts) == 1 and fc is not None:  # `fetch(url)`: the class's own method
            owner = call.scope.rpartition(".")[0]
            if any(fn.qual == f"{owner}.{method}" for fn in fc.funcs):
                return [(path, f"{owner}.{method}")]
        by_qual, by_name = self._ruby_index()
        if call.head_type is not None:
            hit = by_qual.get(f"{call.head_type[1]}.{method}")
            if hit is not None:
                return [(hit, f"{call.head_type[1]}.{method}")]
        if method in RUBY_COMMON:
            return []
        found = by_name.get(method, [])
        return found[:1] if len(found) == 1 else []

    def _ruby_index(self) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
        """`Class.method` → file, and method name → its definitions, over the Ruby files
        (parsed on the first Ruby call a walk asks about)."""
        if self._rb is None:
            by_qual: dict[str, str] = {}
            by_name: dict[str, list[tuple[str, str]]] = {}
            for p, f in self.facts.items():
                if f.language != "ruby" or self.skip(p):
                    continue
                fc = self.calls(p)
                for fn in fc.funcs if fc is not None else ():
                    by_qual.setdefault(fn.qual, p)
                    by_name.setdefault(fn.qual.rpartition(".")[2], []).append((p, fn.qual))
            self._rb = (by_qual, by_name)
        return self._rb


def _first(found: list[tuple[str, str]]) -> tuple[str, str] | None:
    return found[0] if found else None


def _py_defined(fc: FileCalls, name: str, rest: tuple[str, ...]) -> str | None:
    """The `qual` `name(.rest)` calls among `fc`'s top-level definitions."""
    quals = {f.qual for f in fc.funcs}
    if not rest and name in quals:
        return name
    if name in fc.classes:
        method = f"{name}.{rest[0]}" if rest else f"{name}.__init__"
        return method if method in quals else None
    return None


def _js_default(fc: FileCalls, rest: tuple[str, ...]) -> str | None:
    """The `qual` of `x.f` (or `x()`) where x is a module's default export: a function or
    class the module defines, or one of the functions of `module.exports = { f, g }`."""
    name = fc.default_export
    if name == OBJECT_EXPORT:
        return _py_defined(fc, rest[0], rest[1:]) if rest else None
    if not name:
        return None
    found = _py_defined(fc, name, rest)
    defined = name in fc.classes or any(f.qual == name for f in fc.funcs)
    if found is None and rest and not defined:
        # A value built at module level (`module.exports = mongoose.model("User", …)`,
        # a knex client): `User.create(…)` runs what the module's top level set up. No
        # function has this name, so the walk sees the module-level lines only.
        return ".".join((name, *rest))
    return found


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
