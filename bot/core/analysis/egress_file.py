"""What one egress walk knows of a file, and how it reads the file's syntax.

The `_File` state (`egress`'s walk fills it: names bound, imports, client instances,
wrappers) and the tree readers every part of the walk shares: a call's callee in the file's
import names, its arguments and keywords, the function or class around a node, a string
literal's text. No part of this module resolves a destination (`egress_resolve`).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.core.analysis import egress_sdk
from bot.core.analysis.treesitter import Node, text
from bot.core.model import Signal

_TIMEOUT_KEYS = frozenset(
    {"timeout", "connect_timeout", "read_timeout", "open_timeout", "write_timeout",
     "connectTimeout", "readTimeout", "requestTimeout"}
)  # fmt: skip
_STRING_TYPES = frozenset(
    {"string", "template_string", "interpreted_string_literal", "raw_string_literal",
     "string_literal", "concatenated_string"}
)  # fmt: skip
_CALLS = frozenset({"call", "call_expression", "new_expression"})
# A name that says it holds a URL: `url`, `feed_url`, `apiEndpoint`, `c.webhookURL`, `apiLink`.
_URL_NAME = re.compile(
    r"(?:^|_)(?:[Uu]rl|URL|[Uu]ri|URI|[Ee]ndpoint|ENDPOINT)s?$"
    r"|[a-z0-9](?:Url|URL|Uri|URI|Endpoint|Link)s?$|_link$"
)
_FUNCTIONS = frozenset(
    {"function_definition", "function_declaration", "method_definition", "arrow_function",
     "function_expression", "method", "singleton_method", "method_declaration"}
)  # fmt: skip
_CLASSES = frozenset({"class_declaration", "class", "class_definition", "class_expression"})
_NUMBER_TYPES = frozenset({"integer", "float", "number", "int_literal", "float_literal"})


@dataclass
class _File:
    """What one walk learned about a file: names bound to values, client instances,
    import aliases and the wrappers it defines."""

    language: str
    aliases: dict[str, str] = field(default_factory=dict)  # local name -> canonical module path
    values: dict[str, Node] = field(default_factory=dict)  # name -> the value bound to it
    # name -> (assignment, value) of its first bindings: a name bound more than once
    # resolves to its binding in the function where it is read, if any (`_local_binding`)
    bindings: dict[str, list[tuple[Node, Node]]] = field(default_factory=dict)
    local: dict[str, dict[int, Node]] = field(default_factory=dict)  # name -> function id -> value
    # node id -> the function the node is or is in (`_function_of`: asked per binding and name)
    functions: dict[int, Node | None] = field(default_factory=dict)
    instances: dict[str, tuple[str, Node | None]] = field(default_factory=dict)
    wrappers: dict[str, int] = field(default_factory=dict)  # function name -> URL param index
    consts: dict[str, str] = field(default_factory=dict)  # top-level name -> literal host
    # Go: fields of a method's receiver that its request sends to (`r.endpoint`): a function
    # that sets one from its parameter is a wrapper (a request builder, `_field_wrappers`)
    sent_fields: set[str] = field(default_factory=set)
    # Go: keyed fields every struct literal of the file sets from the program's configuration
    # (`server: app.Config().Proxy.API`) -> that setting's name; "" where literals disagree
    config_fields: dict[str, str] = field(default_factory=dict)
    # Go: names declared or bound as a `*http.Client` (`client *http.Client`, `c: &http.Client{`)
    # whose `Get`/`Post`/`PostForm`/`Head` take the URL first (`http_clients`)
    go_clients: frozenset[str] = frozenset()
    signals: list[Signal] = field(default_factory=list)
    # Ruby: method name -> the expression its body ends with (what it returns), for a URL
    # argument that calls a method of the same file (`get(check_url)`: `egress_resolve`)
    methods: dict[str, Node] = field(default_factory=dict)
    # Ruby: methods taking no argument that build an HTTP client (`def http; Faraday.new`):
    # `http.get(url)` in any file is a request (meta ``egress.factory``, `egress_factories`)
    factories: dict[str, str] = field(default_factory=dict)  # name -> client library
    # function id -> its parameters' names, asked per call (`egress_candidates._handed`)
    parameters: dict[int, frozenset[str]] = field(default_factory=dict)
    sdk: egress_sdk.SdkNames = field(default_factory=egress_sdk.SdkNames)  # client parameters
    # `heads()`, kept while no alias or instance is added (the two maps never lose a key,
    # so their sizes say whether their names moved): asked once per call in the file.
    _heads_at: tuple[int, int] = (-1, -1)
    _heads: frozenset[str] = frozenset()

    def heads(self) -> frozenset[str]:
        """The first segments of the aliases and instance names (a call whose callee starts
        with none of them keeps its name)."""
        at = (len(self.instances), len(self.aliases))
        if at != self._heads_at:
            names = (*self.instances, *self.aliases)
            self._heads = frozenset(n.split(".", 1)[0] for n in names)
            self._heads_at = at
        return self._heads


def _lang(language: str) -> str:
    return "javascript" if language in ("typescript", "tsx") else language


# The callees read in the file being walked, by (node id, start byte): each call's is asked
# by several readers (bindings, calls, wrappers, loops), and reading one walks the callee's
# subtree. Set per file by `remembering_callees`; context-local, so threads don't share it.
_CALLEES: contextvars.ContextVar[dict[tuple[int, int], str] | None] = contextvars.ContextVar(
    "egress_callees", default=None
)


@contextlib.contextmanager
def remembering_callees() -> Iterator[None]:
    """Within this block (one file's tree), `_callee` reads each call once."""
    token = _CALLEES.set({})
    try:
        yield
    finally:
        _CALLEES.reset(token)


def _callee(node: Node) -> str:
    """`a.b.c` for the called expression; calls inside a chain read as `x.R().Get`."""
    memo = _CALLEES.get()
    if memo is None:
        return _read_callee(node)
    key = (node.id, node.start_byte)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _read_callee(node)
    return found


def _read_callee(node: Node) -> str:
    if node.type == "call":
        # A Ruby call names its parts `receiver` and `method`; a Python call has neither.
        receiver = node.child_by_field_name("receiver")
        method_node = node.child_by_field_name("method")
        if receiver is not None or method_node is not None:
            method = text(method_node, 80)
            return f"{_expr_name(receiver)}.{method}" if receiver is not None else method
    function = node.child_by_field_name("function") or node.child_by_field_name("constructor")
    if function is not None and function.type == "await_expression" and function.named_child_count:
        # TypeScript reads `await api.get<T>(url)` as a call of `await api.get`: the awaited
        # expression is what is called
        function = function.named_children[0]
    return _expr_name(function)


def _expr_name(node: Node | None, depth: int = 0) -> str:
    if node is None or depth > 8:
        return ""
    kind = node.type
    if kind in ("identifier", "constant", "property_identifier", "field_identifier",
                "package_identifier", "type_identifier"):  # fmt: skip
        return text(node, 80)
    if kind in ("attribute", "member_expression", "selector_expression"):
        obj = node.child_by_field_name("object") or node.child_by_field_name("operand")
        prop = (node.child_by_field_name("attribute") or node.child_by_field_name("property")
                or node.child_by_field_name("field"))  # fmt: skip
        return f"{_expr_name(obj, depth + 1)}.{text(prop, 80)}"
    if kind == "scope_resolution":
        scope = node.child_by_field_name("scope")
        name = text(node.child_by_field_name("name"), 80)
        return f"{_expr_name(scope, depth + 1)}::{name}" if scope is not None else name
    if kind in _CALLS:
        if kind == "call" and node.child_by_field_name("arguments") is None:
            return _callee(node)  # Ruby: `a.b.c` is a chain of calls without arguments
        return _callee(node) + "()"
    if kind in ("this", "self"):
        return kind
    return ""


def _canonical(f: _File, callee: str) -> str:
    """The callee with the file's import alias or client instance at its head replaced by
    the library path (`r.get` after `import requests as r` → `requests.get`)."""
    if not callee:
        return ""
    head = callee.split(".", 1)[0].split("(", 1)[0]
    if head not in f.heads():
        return callee
    # The longest name that is the callee or a head of it up to a ".": its prefixes, from
    # the whole callee down, cut at each "." (an instance before an alias of the same name).
    end = len(callee)
    while end >= 0:
        name, rest = callee[:end], callee[end:]
        if name in f.instances:
            return (
                f.instances[name][0]
                + (".*" if f.language == "javascript" and rest else "")
                + ("" if f.language == "javascript" and rest else rest)
            )
        if name in f.aliases:
            return f.aliases[name] + rest
        end = callee.rfind(".", 0, end)
    return callee


def _args(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    if args is None:
        return []
    return [
        a
        for a in args.named_children
        if a.type not in ("comment", "keyword_argument", "pair", "block_argument")
    ] + []


def _keyword(f: _File, node: Node, key: str) -> Node | None:
    """The value of keyword argument (or object/hash key) `key` of call `node`."""
    args = node.child_by_field_name("arguments")
    if args is None or not key:
        return None
    for arg in args.named_children:
        found = _key_in(f, arg, key, 0)
        if found is not None:
            return found
    return None


def _key_in(f: _File, node: Node, key: str, depth: int) -> Node | None:
    if node.type == "keyword_argument" and text(node.child_by_field_name("name")) == key:
        return node.child_by_field_name("value")
    if node.type == "pair":
        k = text(node.child_by_field_name("key"), 80).strip("\"':")
        if k == key:
            return node.child_by_field_name("value")
    if node.type in ("object", "hash", "dictionary") and depth < 2:
        for child in node.named_children:
            found = _key_in(f, child, key, depth + 1)
            if found is not None:
                return found
    if node.type == "identifier" and depth < 2 and node.text is not None:
        bound = f.values.get(text(node, 80))
        if bound is not None and bound.type in ("object", "hash", "dictionary"):
            return _key_in(f, bound, key, depth + 1)
    return None


def _timeout(f: _File, node: Node) -> str:
    """The timeout set at the call: its literal value, or "set" when it is an expression.
    The first key in sorted order that any argument sets (each as `_key_in` finds it), read
    in one walk over the arguments for all the keys instead of one walk per key."""
    args = node.child_by_field_name("arguments")
    if args is None:
        return ""
    found: dict[str, Node] = {}
    for arg in args.named_children:
        _keys_in(f, arg, found, 0)
    for key in _TIMEOUT_ORDER:
        value = found.get(key)
        if value is not None:
            return text(value, 16) if value.type in _NUMBER_TYPES else "set"
    return ""


_TIMEOUT_ORDER = tuple(sorted(_TIMEOUT_KEYS))


def _keys_in(f: _File, node: Node, found: dict[str, Node], depth: int) -> None:
    """`_key_in` for every key of `_TIMEOUT_KEYS` at once: each key's first value, in the
    order `_key_in` looks, lands in `found`."""
    kind = node.type
    if kind == "keyword_argument":
        name = text(node.child_by_field_name("name"))
        if name in _TIMEOUT_KEYS and name not in found:
            value = node.child_by_field_name("value")
            if value is not None:
                found[name] = value
    elif kind == "pair":
        k = text(node.child_by_field_name("key"), 80).strip("\"':")
        if k in _TIMEOUT_KEYS and k not in found:
            value = node.child_by_field_name("value")
            if value is not None:
                found[k] = value
    elif kind in ("object", "hash", "dictionary"):
        if depth < 2:
            for child in node.named_children:
                _keys_in(f, child, found, depth + 1)
    elif kind == "identifier" and depth < 2 and node.text is not None:
        bound = f.values.get(text(node, 80))
        if bound is not None and bound.type in ("object", "hash", "dictionary"):
            _keys_in(f, bound, found, depth + 1)


def _first(nodes: list[Node]) -> Node | None:
    return nodes[0] if nodes else None


def _enclosing_class(node: Node) -> Node | None:
    current = node.parent
    for _ in range(300):
        if current is None:
            return None
        if current.type in _CLASSES:
            return current
        current = current.parent
    return None


def _element(node: Node) -> Node:
    """A Go `literal_element` holds its expression."""
    if node.type == "literal_element" and node.named_child_count:
        return node.named_children[0]
    return node


def _local_binding(f: _File, name: str, function: Node) -> Node | None:
    """The value `name` is first bound to in `function`, when the file binds it more than
    once (`url = …` in two functions: each reads its own)."""
    by_function = f.local.get(name)
    if by_function is None:  # once per name: a name is read many times
        bindings = f.bindings.get(name, ())
        by_function = {}
        for at, value in bindings if len(bindings) > 1 else ():
            around = _function_of(f, at)
            if around is not None:
                by_function.setdefault(around.id, value)
        f.local[name] = by_function
    return by_function.get(function.id)


def _function_of(f: _File, node: Node) -> Node | None:
    """`_enclosing_function`, remembered for the nodes it passes (minified code nests deep)."""
    passed: list[int] = []
    current = node.parent
    for _ in range(200):
        if current is None:
            found = None
            break
        if current.id in f.functions:
            found = f.functions[current.id]
            break
        if current.type in _FUNCTIONS:
            found = current
            break
        passed.append(current.id)
        current = current.parent
    else:
        return None  # too deep: not remembered (the bound counts from `node`)
    for at in passed:
        f.functions[at] = found
    return found


def _enclosing_function(node: Node) -> Node | None:
    current = node.parent
    depth = 0
    while current is not None and depth < 200:
        if current.type in _FUNCTIONS:
            return current
        current = current.parent
        depth += 1
    return None


def _parameters(function: Node) -> list[str]:
    params = function.child_by_field_name("parameters")
    if params is None:
        return []
    names: list[str] = []
    for p in params.named_children:
        if p.type == "parameter_declaration":  # Go: `a, b string` names two
            names.extend(text(n, 80) for n in p.children_by_field_name("name")[:20])
            continue
        ident = (
            p
            if p.type in ("identifier",)
            else (
                p.child_by_field_name("name")
                or p.child_by_field_name("pattern")
                or (p.named_children[0] if p.named_child_count else None)
            )
        )
        names.append(text(ident, 80))
    return names


MAX_PARAMETERS = 60


def parameter_default(function: Node | None, name: str) -> Node | None:
    """The default value of `function`'s parameter `name` (`url=settings.X` in Python and
    TypeScript, `url = X` in JavaScript and Ruby), or None."""
    params = function.child_by_field_name("parameters") if function is not None else None
    if params is None or not name:
        return None
    for p in params.named_children[:MAX_PARAMETERS]:
        value = p.child_by_field_name("value")
        if p.type == "assignment_pattern":  # JavaScript: `left = right`
            value = p.child_by_field_name("right")
        if value is None:
            continue
        ident = p.child_by_field_name("name") or p.child_by_field_name("pattern")
        ident = ident or p.child_by_field_name("left")
        if text(ident, 80) == name:
            return value
    return None


def _function_name(function: Node) -> str:
    name = function.child_by_field_name("name")
    if name is not None:
        return text(name, 80)
    parent = function.parent
    if parent is not None and parent.type in (
        "variable_declarator",
        "pair",
        "assignment_expression",
        "field_definition",
        "public_field_definition",
    ):
        target = (
            parent.child_by_field_name("name")
            or parent.child_by_field_name("key")
            or parent.child_by_field_name("left")
            or parent.child_by_field_name("property")
        )
        return text(target, 80).rsplit(".", 1)[-1]
    return ""


def _string_literal(node: Node | None) -> str:
    """The text of a string literal without quotes (interpolations dropped)."""
    if node is None:
        return ""
    parts = [
        c
        for c in node.named_children
        if c.type
        in (
            "string_fragment",
            "string_content",
            "interpreted_string_literal_content",
            "escape_sequence",
        )
    ]
    if parts:
        return "".join(text(p, 400) for p in parts)
    raw = text(node, 400)
    return raw.strip("\"'`") if node.type in _STRING_TYPES else ""
