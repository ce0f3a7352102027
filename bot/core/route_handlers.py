"""Which function a route registered by reference runs (issue 18).

The extractors record `route.handler` signals (`bot.core.analysis.route_refs`): a route and
the handler as written at its registration (`views.ping`, `handler.saveEntry`,
`userController.getLogin`). `route_starts` resolves each to the function a flow starts at:

* Python: through the routes file's imports (`from hc.api import views` → `hc/api/views.py`,
  `ping`); a class-based view (`views.X.as_view()`) starts at its own HTTP-method handlers.
* Go: a method value (`handler.saveEntry`) is the method of that name in the routes file's
  package, when one type there has it; `pkg.Fn` a function of the imported package.
* JavaScript/TypeScript: through the call reader's import bindings, as calls resolve, or a
  `route.module` signal (`const users = require("./users")`) to the module's `exports.f`.

A reference that does not resolve is not a start: the routes file's own flow stays. Pure;
bounded by `MAX_STARTS` resolved handlers per repository.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.core.call_sites import FileCalls
from bot.core.flow_calls import CallGraph
from bot.core.model import FileFacts, ImportRef, Signal

KIND = "route.handler"
INLINE = "func"  # the handler of a route written inline (`bot.core.analysis.route_refs`)
MODULE_KIND = "route.module"  # `const users = require("./users")`, for a handler's head
MAX_STARTS = 300  # handlers walked from, per repository (each walk is bounded on its own)
MAX_RESOLVED = 4 * MAX_STARTS  # registrations resolved to their handlers, per repository
MAX_ROUTES_FILES = 60  # routes files that give starts
# Files with registrations looked at: an app's browser code (`client.post("/x", data)`)
# looks like routes and resolves to no handler; it must not use up the files that do.
MAX_ROUTES_LOOKED = 4 * MAX_ROUTES_FILES
MAX_VIEW_STARTS = 1_000  # class-based views that inherit their methods (one flow each, no walk)
# `path("api/", include("hc.api.urls"))` (`bot.core.analysis.route_prefixes`, which the
# core may not import: analysis imports the flows).
INCLUDE_KIND = "route.include"
ACTION_KIND = "route.action"  # a DRF viewset's `@action` method (`route_refs`)
MAX_GO_PARTS = 4  # `s.adminRest.migrator.exportCtrl`: a method value through fields
MAX_INCLUDES = 6  # Django includes followed up from one routes file
MAX_PREFIX = 300
# A class-based view's methods that answer a request.
VIEW_METHODS = ("get", "post", "put", "patch", "delete")
# Falcon's resource responders (`app.add_route("/items", ItemResource())`).
RESPONDERS = ("on_get", "on_post", "on_put", "on_patch", "on_delete")
# What Django calls on a class-based view besides its verbs: a form view's `form_valid`/
# `form_invalid`, a form wizard's `done`, `dispatch` (a view that routes every method
# itself). Started at when the view defines them or inherits them from a base class in the
# repository (`class ResetView(GenericResetView)`); Django's own bases are not read.
VIEW_HOOKS = ("dispatch", "form_valid", "form_invalid", "done")
MAX_INHERITED = 8  # hooks taken from a view's bases, per view
MAX_INSTANCE_METHODS = 6  # methods started at for a class instance routed as a view
# The HTTP method a class-based view's or a viewset's method answers.
_ACTION_VERBS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "list": "GET",
    "retrieve": "GET",
    "create": "POST",
    "perform_create": "POST",
    "update": "PUT",
    "perform_update": "PUT",
    "partial_update": "PATCH",
    "destroy": "DELETE",
    "perform_destroy": "DELETE",
    "on_get": "GET",
    "on_post": "POST",
    "on_put": "PUT",
    "on_patch": "PATCH",
    "on_delete": "DELETE",
    "form_valid": "POST",
    "form_invalid": "POST",
    "done": "POST",
}
# A DRF viewset's actions, and the hooks its inherited actions call (a viewset that only
# sets `queryset` has none of them: not a start).
VIEWSET_METHODS = (
    "list",
    "create",
    "retrieve",
    "update",
    "partial_update",
    "destroy",
    "perform_create",
    "perform_update",
    "perform_destroy",
)
_WEBHOOK_WORDS = ("webhook", "hook")


@dataclass(frozen=True, slots=True)
class RouteStart:
    """A handler a route runs: where it is registered and the function that handles it."""

    route: str  # as registered (`/entry/save/{entryID}`, `ping/<uuid:code>/`)
    ref: str  # the handler as written at the registration (`handler.saveEntry`)
    routes_path: str
    routes_line: int
    path: str  # the handler's file
    qual: str  # its function (`handler.saveEntry`, `ping`, `CheckView.get`)
    line: int  # its `def`/`func` line (a class-based view's: its `class` line)
    view: bool = False  # a class-based view that inherits its methods (no walk of its own)

    @property
    def method(self) -> str:
        """`POST` of `POST /subscribe`; "" when the registration names no method."""
        head, _, rest = self.route.partition(" ")
        return head if rest.startswith("/") else ""

    @property
    def writes(self) -> bool:
        """A request that changes something (or may: a route for every method)."""
        return self.method in ("POST", "PUT", "PATCH", "DELETE")

    @property
    def kind(self) -> str:
        low = self.route.lower()
        return "webhook" if any(w in low for w in _WEBHOOK_WORDS) else "http"

    @property
    def display(self) -> str:
        """The route as a reader writes it: with a leading slash, or the handler's name."""
        method = self.method
        route = self.route[len(method) :].strip().lstrip("^").rstrip("$")
        if not route.strip("/"):
            route = "/" if route else self.ref
        elif not route.startswith("/"):
            route = "/" + route
        return f"{method} {route}" if method else route


def route_starts(
    facts: Mapping[str, FileFacts],
    graph: CallGraph,
    skip: Callable[[str], bool] = lambda _: False,
) -> list[RouteStart]:
    """The handlers the repository's route registrations run (one start per handler, at
    its first registration in path order). When they are more than `MAX_STARTS` walked
    handlers, each routes file gets its turn (one handler of each file, then a second…),
    so that the files late in path order (`workspace.py` after `user.py`) keep theirs."""
    by_file: list[list[RouteStart]] = []
    seen: set[tuple[str, str]] = set()
    views = resolved = 0  # class views are not walked: their own (larger) cap
    prefixes = include_prefixes(facts, graph)
    routes_files = [
        p for p, f in facts.items() if any(s.kind == KIND for s in f.signals) and not skip(p)
    ]
    for path in sorted(routes_files)[:MAX_ROUTES_LOOKED]:
        if len(by_file) >= MAX_ROUTES_FILES or resolved >= MAX_RESOLVED:
            break
        found_here: list[RouteStart] = []
        f = facts[path]
        signals = sorted((s for s in f.signals if s.kind == KIND), key=lambda s: s.line or 0)
        for sig in signals:
            if sig.line is None or resolved >= MAX_RESOLVED:
                break
            resolved += 1
            found = (
                _inline(graph, path, sig.line)
                if sig.detail == INLINE
                else resolve_handler(graph, facts, path, sig.detail, sig.line)
            )
            for target, qual in found:
                if skip(target) or (target, qual) in seen:
                    continue
                view = class_view(graph, target, qual)
                fn = graph.function_at(target, _def_line(graph, target, qual))
                if view is not None:
                    if views >= MAX_VIEW_STARTS:
                        continue
                    def_line = view[1]  # a class-based view that inherits its methods
                elif fn is None or fn.qual != qual:
                    continue
                else:
                    def_line = fn.line
                seen.add((target, qual))
                route = django_join(prefixes[path], sig.name) if path in prefixes else sig.name
                verb = _ACTION_VERBS.get(qual.rpartition(".")[2]) if "." in qual else None
                if verb and f.language == "python":  # `CartView.post`, a viewset's `create`
                    route = f"{verb} {_slashed(route)}"
                ref = sig.detail
                if (
                    target.endswith(".go")
                    and ref != INLINE
                    and qual.rpartition(".")[2] != ref.rpartition(".")[2]
                ):
                    ref = qual  # a handler factory's (`_go_factory`), not its argument
                start = RouteStart(
                    route, ref, path, sig.line, target, qual, def_line, view is not None
                )
                found_here.append(start)
                views += start.view
        if found_here:
            by_file.append(found_here)
    return _fair_share([start for starts in by_file for start in starts], by_file)


def _fair_share(starts: list[RouteStart], by_file: list[list[RouteStart]]) -> list[RouteStart]:
    """`starts` (in path order) with at most `MAX_STARTS` walked ones, taken a turn per
    file; class views (not walked) all stay."""
    walked = [s for s in starts if not s.view]
    if len(walked) <= MAX_STARTS:
        return starts
    kept: set[int] = set()
    queues = [[s for s in starts if not s.view] for starts in by_file]
    turn = 0
    while len(kept) < MAX_STARTS:
        taken = False
        for queue in queues:
            if turn < len(queue) and len(kept) < MAX_STARTS:
                kept.add(id(queue[turn]))
                taken = True
        if not taken:
            break
        turn += 1
    return [s for s in starts if s.view or id(s) in kept]


def include_prefixes(facts: Mapping[str, FileFacts], graph: CallGraph) -> dict[str, str]:
    """Django routes file → the prefix it is included under (`hc/api/urls.py` → `api/` for
    `path("api/", include("hc.api.urls"))`), joined along at most `MAX_INCLUDES` includes;
    a file included at several prefixes takes the first (by file and line)."""
    parents: dict[str, list[tuple[str, int, str]]] = {}
    for path, f in facts.items():
        if f.language != "python":
            continue
        for s in f.signals:
            if s.kind != INCLUDE_KIND:
                continue
            target = graph.resolve(path, "python", ImportRef(s.name, s.line or 0))
            if target is not None and target != path and target in facts:
                parents.setdefault(target, []).append((path, s.line or 0, s.detail))
    out: dict[str, str] = {}
    for target in parents:
        prefix, at, seen = "", target, {target}
        for _ in range(MAX_INCLUDES):
            above = parents.get(at)
            if not above:
                break
            parent, _line, here = min(above)
            prefix = django_join(here, prefix) if here else prefix
            if parent in seen:
                break
            seen.add(parent)
            at = parent
        if prefix and len(prefix) <= MAX_PREFIX:
            out[target] = prefix
    return out


def class_view(graph: CallGraph, path: str, qual: str) -> tuple[str, int, int, str, int] | None:
    """The class-based view `qual` of `path` that names its model (`model = Site`): (class,
    line, last line, model, that line); None for a function or a method."""
    fc = graph.calls(path) if "." not in qual else None
    return next((v for v in fc.views if v[0] == qual), None) if fc is not None else None


def _inline(graph: CallGraph, path: str, line: int) -> list[tuple[str, str]]:
    """The inline function a route registered at `line` runs: Go's `Serve.func12`, written
    on that line or the next; JavaScript's `route12`, registered on that line."""
    fc = graph.calls(path)
    if fc is None:
        return []
    go = path.endswith(".go")
    for fn in fc.funcs:
        name = fn.qual.rpartition(".")[2]
        if go and fn.line in (line, line + 1) and name == f"func{fn.line}":
            return [(path, fn.qual)]
        # JavaScript/TypeScript: named by the line of its route (`route12`,
        # `bot.core.analysis.calls_js`).
        if not go and fn.line == line and name == f"route{line}":
            return [(path, fn.qual)]
    return []


def _slashed(route: str) -> str:
    """A Django route as a method pattern takes it: `/orders/` of `orders/`, `/x/$` of
    `^x/$` (the method's route starts with a slash)."""
    bare = route.removeprefix("^")
    return bare if bare.startswith("/") else "/" + bare


def django_join(prefix: str, route: str) -> str:
    """Django concatenates: `api/` + `checks/` → `api/checks/`; `^api/` + `^x/$` → `^api/x/$`
    (as `route_prefixes.django_join`)."""
    return prefix.removesuffix("$") + route.removeprefix("^")


def _def_line(graph: CallGraph, path: str, qual: str) -> int | None:
    fc = graph.calls(path)
    fn = next((f for f in fc.funcs if f.qual == qual), None) if fc is not None else None
    return fn.line if fn is not None else None


def resolve_handler(
    graph: CallGraph, facts: Mapping[str, FileFacts], path: str, ref: str, line: int | None = None
) -> list[tuple[str, str]]:
    """(file, function) pairs the handler reference `ref`, written in `path`, names."""
    f = facts.get(path)
    if f is None or not ref:
        return []
    parts = tuple(ref.split("."))
    if f.language == "python":
        return _python(graph, facts, path, parts)
    if f.language == "go":
        return _go(graph, path, parts, line)
    if f.language in ("javascript", "typescript"):
        return _js(graph, facts, path, parts)
    if f.language == "ruby":
        return _rails(graph, facts, path, ref)
    return []


# --- Python -----------------------------------------------------------------------------


def _python(
    graph: CallGraph, facts: Mapping[str, FileFacts], path: str, parts: tuple[str, ...]
) -> list[tuple[str, str]]:
    instance = parts[-1].endswith("()")
    if instance:
        parts = (*parts[:-1], parts[-1].removesuffix("()"))
    home = _py_home(graph, facts, path, parts)
    if home is None:
        return []
    module, rest = home
    actions = {
        p: tuple(s for s in facts[p].signals if s.kind == ACTION_KIND)
        for p in (module,)
        if p in facts
    }
    found = _py_defined(graph, module, rest, instance, actions)
    if not found and module != path:
        # a package that re-exports the name (`api/__init__.py`: `from .items import
        # ItemResource`): one level on, through that module's own imports
        again = _py_home(graph, facts, module, rest)
        if again is not None and again[0] != module:
            more = {again[0]: tuple(s for s in facts[again[0]].signals if s.kind == ACTION_KIND)}
            found = _py_defined(graph, *again, instance, more)
    return found


def _py_home(
    graph: CallGraph, facts: Mapping[str, FileFacts], path: str, parts: tuple[str, ...]
) -> tuple[str, tuple[str, ...]] | None:
    """(module file, the names left to find in it) for `parts` as `path` sees them."""
    fc = graph.calls(path)
    if fc is None:
        return None
    name, rest = parts[0], parts[1:]
    if name in fc.classes or any(fn.qual == name for fn in fc.funcs):
        return path, parts
    aliased = graph.py_aliased(path, parts)  # `from app.api import views as api_views`
    if aliased is not None:
        return aliased
    for ref in facts[path].imports:
        if name in ref.names:
            base = ref.spec + "." if ref.spec else ""
            module = graph.resolve(path, "python", ImportRef(base + name, ref.line, ref.level))
            whole = graph.resolve(path, "python", ref)
            if module and module != whole and module in facts and rest:
                return module, rest  # `from hc.api import views`: views.ping
            if whole and whole in facts:
                return whole, parts  # `from .views import ping`: ping
            return None
        if not ref.names and ref.spec and rest:
            spec = tuple(ref.spec.split("."))
            if parts[: len(spec)] == spec and len(parts) > len(spec):
                module = graph.resolve(path, "python", ref)  # `import app.views`
                if module and module in facts:
                    return module, parts[len(spec) :]
    return None


def _py_defined(
    graph: CallGraph,
    module: str,
    rest: tuple[str, ...],
    instance: bool = False,
    actions: Mapping[str, tuple[Signal, ...]] | None = None,
) -> list[tuple[str, str]]:
    fc = graph.calls(module)
    if fc is None or not rest:
        return []
    actions = actions or {}
    quals = {fn.qual for fn in fc.funcs}
    dotted = ".".join(rest)
    if dotted in quals and not instance:
        return [(module, dotted)]
    if instance and len(rest) == 1 and rest[0] in fc.classes:
        # An instance routed as a view (`LatestFeed()`): the framework calls the hooks
        # its class defines (a feed's `items`), whatever they are named.
        head = rest[0] + "."
        methods = sorted(
            (fn.line, fn.qual)
            for fn in fc.funcs
            if fn.qual.startswith(head)
            and "." not in fn.qual[len(head) :]
            and not fn.qual[len(head) :].startswith("_")
        )
        return [(module, qual) for _, qual in methods[:MAX_INSTANCE_METHODS]]
    if len(rest) == 1 and rest[0] in fc.classes:
        own = [
            (module, f"{rest[0]}.{m}")
            for m in (*VIEW_METHODS, *RESPONDERS, *VIEW_HOOKS, *VIEWSET_METHODS)
            if f"{rest[0]}.{m}" in quals
        ]
        # a viewset's extra actions (`@action(…)`, `route_refs.drf_action_signals`)
        own += [
            (module, s.name)
            for s in actions.get(module, ())
            if s.name.startswith(rest[0] + ".") and s.name in quals
        ][:MAX_INSTANCE_METHODS]
        own += _inherited_hooks(graph, module, rest[0], quals)
        if not own and any(v[0] == rest[0] for v in fc.views):
            return [(module, rest[0])]  # its methods are inherited: it starts at the class
        return own
    return []


def _inherited_hooks(
    graph: CallGraph, module: str, cls: str, quals: set[str]
) -> list[tuple[str, str]]:
    """The hooks (`VIEW_HOOKS`) view `cls` inherits from base classes in the repository:
    `form_valid` of `GenericResetView` for `class ResetView(GenericResetView)`. Bounded by
    the members' own climb (`flow_members.MAX_UP`)."""
    fc = graph.calls(module)
    if fc is None or not any(owner == cls for owner, _base in fc.bases):
        return []
    out: list[tuple[str, str]] = []
    for hook in VIEW_HOOKS:
        if f"{cls}.{hook}" in quals:
            continue
        hit = graph.members.inherited((module, cls), hook, graph.py_class)
        if hit is not None and hit not in out:
            out.append(hit)
        if len(out) >= MAX_INHERITED:
            break
    return out


# --- Ruby -------------------------------------------------------------------------------


def _rails(
    graph: CallGraph, facts: Mapping[str, FileFacts], path: str, ref: str
) -> list[tuple[str, str]]:
    """`mod/stories#update` of `config/routes.rb`: `update` of the controller class in
    `app/controllers/mod/stories_controller.rb`, when that controller defines it."""
    ctrl, _, action = ref.partition("#")
    root = path.removesuffix("config/routes.rb")
    target = f"{root}app/controllers/{ctrl}_controller.rb"
    fc = graph.calls(target) if target in facts else None
    if fc is None or not action:
        return []
    found = [
        fn.qual
        for fn in fc.funcs
        if fn.qual.endswith(f"Controller.{action}") and fn.qual.count(".") == 1
    ]
    return [(target, found[0])] if len(found) == 1 else []


# --- Go ---------------------------------------------------------------------------------


def _go(
    graph: CallGraph, path: str, parts: tuple[str, ...], line: int | None = None
) -> list[tuple[str, str]]:
    fc = graph.calls(path)
    if fc is None or len(parts) > MAX_GO_PARTS:
        return []
    found = _go_ref(graph, fc, path, parts, line)
    if not found and line is not None:
        return _go_factory(graph, fc, path, line)
    return found


def _go_factory(graph: CallGraph, fc: FileCalls, path: str, line: int) -> list[tuple[str, str]]:
    """A handler a factory makes at the registration (`r.Post("/x", MakeHandler(cfg))`:
    `func MakeHandler(cfg *Config) http.HandlerFunc { return func(w, r) {…} }`). The
    function returned is written inside the factory, so the factory's calls are the
    handler's: the route starts there. Only a callee on that line that is declared to
    return a handler (a type named `…Handler` / `…HandlerFunc`, or a function type) and
    only when it is the one such callee; a wrapper's argument that resolves
    (`wrap(h.save)`) is taken before this is asked."""
    out: list[tuple[str, str]] = []
    for call in fc.calls:
        if call.line != line or len(out) > 1:
            continue
        for target, qual in graph.go.steps(path, call):
            tc = graph.calls(target)
            made = next((t for q, t in (tc.returns if tc else ()) if q == qual), "")
            name = made.rpartition(".")[2]
            if made == "func" or name.endswith(("Handler", "HandlerFunc")):
                out.append((target, qual))
    return out if len(out) == 1 else []


def _go_ref(
    graph: CallGraph, fc: FileCalls, path: str, parts: tuple[str, ...], line: int | None
) -> list[tuple[str, str]]:
    files = graph.package_files(path) or [path]
    if len(parts) == 1:
        return _go_named(graph, files, lambda q: q == parts[0])
    head, method = parts[0], parts[-1]
    aliases = dict(fc.aliases)
    if head in aliases and len(parts) == 2:  # `pkg.Handler`: a function of an imported package
        folder = graph.resolve(path, "go", ImportRef(aliases[head], 0))
        if folder is None:
            return []
        folder = folder.rstrip("/")
        others = graph.package_files(folder + "/x.go")
        return _go_named(graph, others, lambda q: q == method)
    # A method value (`handler.saveEntry`, `h.list`, through fields `s.privRest.createCtrl`):
    # the one type of the package that has that method; none when several do (which one
    # `handler` is needs its type).
    found = _go_named(graph, files, lambda q: q.endswith("." + method) and q.count(".") == 1)
    if len(found) == 1 or len(parts) < 3 or line is None:
        return found if len(found) == 1 else []
    # Through a field of the registering method's receiver (`s.ImageProxy.Handler` in
    # `Rest.routes`, the field's type in another package): resolved by the receiver's type.
    fn = graph.function_at(path, line)
    owner = fn.qual.split(".")[0] if fn is not None and "." in fn.qual else ""
    if not owner:
        return []
    got = graph.go._method(path.rpartition("/")[0], owner, parts[1:])
    return got if len(got) == 1 else []


def _go_named(
    graph: CallGraph, files: list[str], wanted: Callable[[str], bool]
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in files:
        fc = graph.calls(p)
        out += [(p, fn.qual) for fn in (fc.funcs if fc is not None else ()) if wanted(fn.qual)]
    return out


# --- JavaScript / TypeScript ------------------------------------------------------------


def _js(
    graph: CallGraph, facts: Mapping[str, FileFacts], path: str, parts: tuple[str, ...]
) -> list[tuple[str, str]]:
    hit = graph.js_reference(path, parts)
    if hit is not None:
        return [hit]
    if len(parts) != 2:
        return []
    # `users.create` where `const users = require("./controllers/users")`: the module's
    # `exports.create` (or `create` it defines and exports in a `module.exports = {…}`).
    f = facts[path]
    for sig in f.signals:
        if sig.kind == MODULE_KIND and sig.name == parts[0]:
            target = graph.resolve(path, f.language, ImportRef(sig.detail, sig.line or 0))
            fc = graph.calls(target) if target is not None and target in facts else None
            if fc is not None and any(fn.qual == parts[1] for fn in fc.funcs):
                return [(target, parts[1])]  # type: ignore[list-item]
            return []
    return []
