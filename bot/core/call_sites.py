"""What a file's calls and definitions are, as the flows read them (issue 18).

Plain data, made by `bot.core.analysis.calls` from a file's bytes and read by
`bot.core.flow_calls`: kept apart from both so that the flows do not import the analysis
package that runs them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

OBJECT_EXPORT = "{}"
# A reader's mark, in its table of local types, for a local a call made (its callee follows).
MADE_BY = "\0"  # a JS module's `module.exports = { a, b }`: its own functions, by name


@dataclass(frozen=True, slots=True)
class Func:
    """A function or method: `qual` is `f`, `Class.method`, `outer.inner` (Go: `Type.Method`)."""

    qual: str
    line: int  # the `def`/`func` line
    first: int  # its first decorator's line, or `line`
    end: int


@dataclass(frozen=True, slots=True)
class Call:
    line: int  # the line of the callee's last name (`submit` of `self.storage.submit(`)
    scope: str  # the enclosing function's `qual`, "" at module level
    parts: tuple[str, ...]  # the callee as written: ("queue", "submit")
    # (import spec or "", type name) of `parts[0]`, when the parser sees its type.
    head_type: tuple[str, str] | None = None
    context: bool = False  # `with logs.context(...)`: wraps the work, is not a step of it
    # The callee (as written) whose result `parts[0]` holds, when its type is not
    # seen here (`parser = get_parser(name)`): the walk types it by that function's
    # return annotation (`FileCalls.returns`).
    made_by: tuple[str, ...] = ()
    # Ruby: the constant the receiver's value comes from (`Post` of `Post.where(…).first`,
    # of `@post.comments.create` when `@post = Post.find(…)`, of a model's own `save`), so
    # the walk can tell an Active Record query from an Array's `find`.
    root: str = ""


@dataclass(frozen=True, slots=True)
class FileCalls:
    funcs: tuple[Func, ...]
    calls: tuple[Call, ...]
    # (owner type, field, import spec or "", field type): `storage: Storage` in a class body;
    # owner "" for a module-level instance (`notifier = Notifier()`, JS `const x = new X()`).
    fields: tuple[tuple[str, str, str, str], ...] = ()
    # Go: (name as used in the file, import spec); Python leaves it to the import facts.
    aliases: tuple[tuple[str, str], ...] = ()
    # Go: (interface, method); TypeScript: (interface or abstract class, method it declares
    # without a body), so a call on that type goes on to the implementations.
    interfaces: tuple[tuple[str, str], ...] = ()
    # Python classes / Go type names / JS classes and TypeScript interfaces declared here.
    classes: tuple[str, ...] = ()
    # JavaScript/TypeScript: (local name, module spec, imported name; "*" for a namespace).
    imports: tuple[tuple[str, str, str], ...] = ()
    # Python: handlers a decorator registers on a module-level registry, (registry name,
    # function qual, what it handles: `pull_request opened`), and registries built from
    # other modules' (`router = Router(a.router, b.router)`: ("router", (("a", "router"), …))).
    registered: tuple[tuple[str, str, str], ...] = ()
    registries: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()
    # JavaScript/TypeScript: what the module exports by default (`module.exports = x`,
    # `export default x`): a name defined in the file, or `OBJECT_EXPORT`.
    default_export: str = ""
    # Python / JavaScript / TypeScript: (class, a base it extends or implements, as written).
    bases: tuple[tuple[str, str], ...] = ()
    # Python: methods declared abstract (`@abstractmethod`, or a body of `...`, `pass` or
    # `raise NotImplementedError`): a call on them runs a subclass's override.
    abstract: tuple[str, ...] = ()
    # (function qual, the class its return annotation names): `-> Parser`, `: Promise<T>`.
    returns: tuple[tuple[str, str], ...] = ()
    # Python: classes that name their model (a class-based view or viewset's `model = Site`,
    # `queryset = Device.objects.all()`): (class, its line, its last line, model, that line).
    views: tuple[tuple[str, int, int, str, int], ...] = ()
    # A large Python file is indexed, not parsed: its calls are read one function at a time
    # (`calls_in`), by this, when a walk reaches that function.
    reader: Callable[[str], tuple[Call, ...]] | None = field(default=None, compare=False)

    def calls_in(self, scope: str) -> tuple[Call, ...]:
        """The calls made in function `scope` itself ("": all of the file's)."""
        if self.reader is not None:
            return self.reader(scope)
        if not scope:
            return self.calls
        return tuple(c for c in self.calls if c.scope == scope)

    def scope_at(self, line: int) -> str:
        """The innermost function whose decorators or body hold `line`, or ""."""
        best = ""
        width = None
        for f in self.funcs:
            if f.first <= line <= f.end and (width is None or f.end - f.first < width):
                best, width = f.qual, f.end - f.first
        return best


# Hand-off mechanisms whose bus stays in the process (`handoffs_go_events`): a publish there
# fans out to listeners that run on their own, so a flow's walk ranks it after where the data
# is stored or sent (`flow_rank.sink_kind`).
IN_PROCESS_BUSES = frozenset({"event-bus", "watermill gochannel"})


@dataclass(frozen=True, slots=True)
class Sink:
    """Where data lands, seen at one line by a flow's walk: `kind` is queue | datastore |
    external. Here, beside the calls, so the readers of sinks (`flow_rails`) and the walk
    (`flow_calls`) share it without importing each other."""

    kind: str
    name: str
    line: int | None
    what: str
    reach: int | None = None  # the line whose function it belongs to, when not `line`
