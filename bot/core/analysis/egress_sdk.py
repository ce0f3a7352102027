"""Calls on an SDK client, read from a file's tree: which are requests, to which service.

`sdk_models` holds the data. Per file, `SdkNames` learns which parameter names hold a
client (annotated with its type, handed in by a dispatcher, or called with a method only
that client has), and `sdk_call` says which client a call goes through: a function of the
SDK, a method of an instance its constructor made (the file's instances, canonically
`gidgethub.aiohttp.GitHubAPI.getitem`), or a method of such a parameter. The nearest
enclosing function that has a parameter of the receiver's name decides (it shadows outer
ones); its annotation, when it has one, decides over the file's names. JavaScript: a method
of an instance the file's constructor call made (`new Octokit(...)`), by `js_sdk_call`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.core.analysis import sdk_models as sdks
from bot.core.analysis.treesitter import Node, text

Canonical = Callable[[str], str]
_PARAMS = frozenset(
    {"identifier", "typed_parameter", "default_parameter", "typed_default_parameter"}
)
_STOPS = frozenset({"list_splat_pattern", "keyword_separator", "dictionary_splat_pattern"})
MAX_PARAMS = 40


@dataclass
class SdkNames:
    params: dict[str, sdks.Sdk] = field(default_factory=dict)  # parameter name → its client
    # `parameters` of each function asked about, by node id: a call's receiver is looked up
    # in its enclosing functions' parameters, once per call of the file.
    read: dict[int, list[tuple[str, str, bool]]] = field(default_factory=dict)
    _imported: tuple[int, tuple[sdks.Sdk, ...]] = (-1, ())

    def marked(self, aliases: Mapping[str, str]) -> tuple[sdks.Sdk, ...]:
        """The clients with `marks` whose module the file imports (kept while no alias is
        added: the aliases never lose a key)."""
        if self._imported[0] != len(aliases):
            modules = {v.split(".", 1)[0] for v in aliases.values()}
            found = {s for s in sdks.PYTHON.values() if s.marks and s.module in modules}
            self._imported = (len(aliases), tuple(sorted(found)))
        return self._imported[1]

    def parameters_of(self, function: Node) -> list[tuple[str, str, bool]]:
        """`parameters(function)`, read once per function of the file."""
        found = self.read.get(function.id)
        if found is None:
            found = self.read[function.id] = parameters(function)
        return found


def parameters(function: Node) -> list[tuple[str, str, bool]]:
    """(name, annotation as written, positional) of a Python function's parameters."""
    params = function.child_by_field_name("parameters")
    out: list[tuple[str, str, bool]] = []
    positional = True
    for p in params.named_children[:MAX_PARAMS] if params is not None else ():
        if p.type in _STOPS:
            positional = False
            continue
        if p.type not in _PARAMS:
            continue
        if p.type == "identifier":
            name: Node | None = p
        else:
            name = p.child_by_field_name("name") or (
                p.named_children[0] if p.named_child_count else None
            )
        out.append((text(name, 80), text(p.child_by_field_name("type"), 200), positional))
    return out


def _annotated(annotation: str, canonical: Canonical) -> sdks.Sdk | None:
    """The client an annotation names: `GitHubAPI`, `"gidgethub.abc.GitHubAPI"`, `X | None`."""
    written = annotation.strip().strip("\"'")
    for wrapper in ("Optional[", "typing.Optional["):
        if written.startswith(wrapper) and written.endswith("]"):
            written = written[len(wrapper) : -1]
    for part in written.split("|")[:4]:
        found = sdks.PYTHON.get(canonical(part.strip().strip("\"'")))
        if found is not None:
            return found
    return None


def learn_function(
    names: SdkNames,
    function: Node,
    canonical: Canonical,
    values: Mapping[str, Node],
    callee: Callable[[Node], str],
) -> None:
    """Parameters of `function` that hold a client: annotated with its type, or the one a
    dispatcher hands to the handlers registered with the decorators above it."""
    params = parameters(function)
    for name, annotation, _ in params:
        found = _annotated(annotation, canonical) if annotation else None
        if found is not None:
            names.params.setdefault(name, found)
    decorated = function.parent
    if decorated is None or decorated.type != "decorated_definition":
        return
    positional = [name for name, _, pos in params if pos]
    for decorator in decorated.named_children[:8]:
        if decorator.type != "decorator" or not decorator.named_child_count:
            continue
        call = decorator.named_children[0]
        if call.type != "call":
            continue
        registry, _, method = callee(call).rpartition(".")
        made = values.get(registry)
        if made is None or made.type != "call":
            continue
        rule = sdks.DISPATCHERS.get(canonical(callee(made)))
        if rule is None or method not in rule[0] or len(positional) <= rule[1]:
            continue
        client = sdks.PYTHON.get(rule[2])
        if client is not None:
            names.params.setdefault(positional[rule[1]], client)


def learn_mark(names: SdkNames, aliases: Mapping[str, str], written: str, function: Node) -> None:
    """`gh.getitem(...)` on an unannotated parameter, in a file that imports gidgethub:
    `gh` is that client in this file."""
    receiver, _, method = written.partition(".")
    if not method or "." in method:
        return
    for sdk in names.marked(aliases):
        if method in sdk.marks:
            if any(n == receiver and not a for n, a, _ in names.parameters_of(function)):
                names.params.setdefault(receiver, sdk)
            return


# `made + "."` of every Python client constructor, for one `startswith` over all of them.
_MADE = tuple(f"{made}." for made in sdks.PYTHON)


def sdk_call(
    names: SdkNames,
    written: str,
    callee: str,
    canonical: Canonical,
    enclosing: Callable[[Node], Node | None],
    function_of: Callable[[], Node | None],
) -> sdks.Sdk | None:
    """The client a Python call `written` (canonically `callee`) sends a request through;
    `function_of()` gives the function the call is in (asked only for a method call)."""
    found = sdks.PYTHON_FUNCTIONS.get(callee)
    if found is not None:
        return found
    if callee.startswith(_MADE):  # one test for the many calls of no client's
        for made, sdk in sdks.PYTHON.items():
            if callee.startswith(made + ".") and sdks.sends(sdk, callee[len(made) + 1 :]):
                return sdk
    receiver, _, method = written.partition(".")
    if not method or not receiver.isidentifier():
        return None
    function = function_of()
    for _ in range(8):
        if function is None:
            return None
        for name, annotation, _pos in names.parameters_of(function):
            if name != receiver:
                continue
            held = _annotated(annotation, canonical) if annotation else names.params.get(name)
            return held if held is not None and sdks.sends(held, method) else None
        function = enclosing(function)
    return None


def js_sdk_call(instances: Mapping[str, tuple[str, object]], written: str) -> sdks.Sdk | None:
    """`octokit.rest.issues.create(...)` on an instance `new Octokit(...)` made in the file."""
    name, _, method = written.partition(".")
    made = instances.get(name)
    sdk = sdks.JAVASCRIPT.get(made[0]) if made is not None else None
    return sdk if sdk is not None and method and sdks.sends(sdk, method) else None
