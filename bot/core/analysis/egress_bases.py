"""API clients built on a base class that holds the HTTP client (JavaScript/TypeScript).

A base class whose constructor makes the client from its first parameter
(`constructor(baseUrl, …) { this.axios = axios.create({ baseURL: baseUrl }) }`) is a
*client base* (meta ``egress.base_client``: its name). A class extending it sends its
requests to the URL it hands up (`super('https://api.example.org/3', …)`), and a call of the
inherited client (`this.axios.get('/movie')`) is a request to wherever the base points. Each
is a candidate with client ``base:<Base>``: the aggregation keeps it only when some file
defines that base as a client base, directly or through a chain of subclasses (meta
``egress.extends``: ``Sub<Base``), as it keeps a wrapper's calls. Generic: it reads the
shape (a constructor parameter into a client factory's base URL, `extends`, `super`), never a
name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.core.analysis.egress_file import _CLASSES, _args, _enclosing_class, _File, _parameters
from bot.core.analysis.treesitter import Node, line, text
from bot.core.model import OutboundCall

if TYPE_CHECKING:
    from collections.abc import Callable

BASE_CLIENT_META = "egress.base_client"
EXTENDS_META = "egress.extends"
CLIENT = "base:"
MAX_ROUNDS = 5  # subclass chains followed (`Radarr < ServarrBase < ExternalAPI`)
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "request", "options"})


def class_name(cls: Node | None) -> str:
    if cls is None or cls.type not in _CLASSES:
        return ""
    return text(cls.child_by_field_name("name"), 80)


def extended(cls: Node | None) -> str:
    """The class `cls` extends (`class A extends B<T>` → `B`), or ""."""
    if cls is None:
        return ""
    for child in cls.children:
        if child.type == "class_heritage":
            for clause in child.named_children:
                if clause.type == "extends_clause":
                    value = clause.child_by_field_name("value")
                    if value is None and clause.named_child_count:
                        value = clause.named_children[0]
                    if value is not None and value.type == "identifier":
                        return text(value, 80)
    return ""


def base_meta(f: _File, method_of: Callable[[Node], Node | None]) -> list[tuple[str, str]]:
    """`egress.base_client` for each class of the file whose constructor hands its first
    parameter to a client factory as the base URL (an instance `this.x` whose base is that
    parameter)."""
    out: list[tuple[str, str]] = []
    for name, (_, base) in list(f.instances.items())[:50]:
        if not name.startswith("this.") or base is None or base.type != "identifier":
            continue
        method = method_of(base)
        if method is None or text(method.child_by_field_name("name"), 20) != "constructor":
            continue
        params = _parameters(method)
        if params[:1] != [text(base, 80)]:
            continue
        owner = class_name(_enclosing_class(method))
        if owner:
            out.append((BASE_CLIENT_META, owner))
    return out


def extends_meta(classes: Iterable[Node]) -> list[tuple[str, str]]:
    """`egress.extends` (`Sub<Base`) for the file's classes that extend another."""
    out = []
    for cls in classes:
        name, base = class_name(cls), extended(cls)
        if name and base:
            out.append((EXTENDS_META, f"{name}<{base}"))
    return out


def base_call(
    f: _File,
    node: Node,
    written: str,
    resolve: Callable[[_File, Node, int, Node], tuple[str, str, str]],
) -> OutboundCall | None:
    """`super(url, …)` in a class extending a base, or a verb of an inherited client
    (`this.axios.get(…)`, the client not made in this file): a ``base:<Base>`` candidate."""
    if f.language != "javascript":
        return None
    function = node.child_by_field_name("function")
    if function is not None and function.type == "super":
        base = extended(_enclosing_class(node))
        args = _args(node)
        if not base or not args:
            return None
        host, configured_by, origin = resolve(f, args[0], 0, node)
        if origin not in ("literal", "env", "setting", "constant") or not (host or configured_by):
            return None
        return OutboundCall("candidate", line(node), CLIENT + base, host, configured_by, origin)
    head, _, verb = written.rpartition(".")
    if verb not in _VERBS or not head.startswith("this.") or head.count(".") != 1:
        return None
    if head in f.instances or head in f.values:
        return None  # a client this file makes: its own rules read it
    base = extended(_enclosing_class(node))
    if not base:
        return None
    return OutboundCall("candidate", line(node), CLIENT + base, "", "", "unknown")


def client_bases(meta: Iterable[tuple[str, str]]) -> set[str]:
    """The client bases, and the classes extending one (followed `MAX_ROUNDS` deep), as
    ``base:<Name>`` client names."""
    bases: set[str] = set()
    parents: dict[str, set[str]] = {}
    for key, value in meta:
        if key == BASE_CLIENT_META:
            bases.add(value)
        elif key == EXTENDS_META:
            sub, _, base = value.partition("<")
            parents.setdefault(sub, set()).add(base)
    for _ in range(MAX_ROUNDS):
        grown = {sub for sub, of in parents.items() if of & bases} - bases
        if not grown:
            break
        bases |= grown
    return {CLIENT + b for b in bases}


__all__ = [
    "BASE_CLIENT_META",
    "CLIENT",
    "EXTENDS_META",
    "base_call",
    "base_meta",
    "client_bases",
    "extends_meta",
]
