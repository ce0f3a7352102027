"""Whether a URL read from a field comes from another request's response, not from a user.

`egress_resolve` calls a field named like a destination (``letter.url``, ``data["next"]``)
user data: a row or a request a user filled in. That is wrong when the object is what a
request returned: ``letter = await lettersApi.create(…)`` (an SDK's answer),
``resp = requests.get(…); data = resp.json()``. `response_source` follows the field's head
name to the value bound to it (in the enclosing function first, then the file) and says

* ``""`` — it is an HTTP client's response (a call of `http_models`' tables, or its
  ``.json()`` / ``.data`` / ``.body``);
* a package name — it is what a method of an instance of a class imported from that JS
  package returned (``new LettersApi(config)`` from ``@lob/lob-typescript-sdk``);
  `egress_services` names the package's catalog service, or leaves the call out;
* None — anything else: a model's lookup (``Webhook.findById``: a class from the project's
  own files; ``prisma.webhook.findUnique``: a read of stored rows by its method's name), a
  parameter, a request body. Those stay user data.

Bounded: at most `MAX_HOPS` bindings followed per field.
"""

from __future__ import annotations

from bot.core.analysis import http_models as models
from bot.core.analysis.egress_file import (
    _CALLS,
    _callee,
    _canonical,
    _File,
    _function_of,
    _local_binding,
)
from bot.core.analysis.egress_sockets import file_imports
from bot.core.analysis.treesitter import Node, text

MAX_HOPS = 4
MAX_CLIMB = 200  # ancestors looked at for a loop around the request
# Reads of stored rows through a store client (an ORM or query builder from a package):
# `findUnique`, `findOne`, `selectFrom`, `query`; their rows are user data.
_STORE_READS = ("find", "select", "query", "where", "execute", "get_item", "scan")
_WRAPPERS = frozenset(
    {"await_expression", "await", "parenthesized_expression", "as_expression",
     "non_null_expression", "satisfies_expression"}
)  # fmt: skip
# Reading a response's payload: `resp.json()`, `res.data`, `await r.text()`.
_PAYLOAD = frozenset({"json", "text", "data", "body", "get_json", "content"})


def _bound(f: _File, name: str, call: Node) -> Node | None:
    function = _function_of(f, call)
    value = _local_binding(f, name, function) if function is not None else None
    value = value if value is not None else f.values.get(name)
    for _ in range(MAX_HOPS):
        if value is None or value.type not in _WRAPPERS or not value.named_child_count:
            break
        value = value.named_children[0]
    return value


def _package(f: _File, name: str, call: Node) -> str | None:
    """The JS package whose class `name` is an instance of (`new X(...)`, X imported from a
    package, not a relative or aliased project path)."""
    value = _bound(f, name, call)
    if value is None or value.type != "new_expression":
        return None
    return _imported_class(f, value, call)


def _imported_class(f: _File, new: Node, call: Node) -> str | None:
    cls = _callee(new).split(".", 1)[0]
    spec = file_imports(f, call).get(cls, "")
    if not spec or spec.startswith((".", "/", "@/", "~", "#")):
        return None
    return spec


# An element of a collection: `data["results"][0]` (Python), `body.items[0]` (JS).
_SUBSCRIPTS = frozenset({"subscript", "subscript_expression"})
_LOOPS = frozenset({"for_statement", "for_in_statement"})


def _loop_iterable(head: str, call: Node) -> Node | None:
    """What the nearest loop around `call` whose variable is `head` iterates over
    (`for item in data["results"]:`, `for (const item of body.items)`)."""
    current = call.parent
    for _ in range(MAX_CLIMB):
        if current is None:
            return None
        if current.type in _LOOPS:
            left = current.child_by_field_name("left")
            if left is not None and text(left, 80) == head:
                return current.child_by_field_name("right")
        current = current.parent
    return None


def _collection_base(value: Node) -> Node:
    """`data["results"][0]` → `data`: the value an element is read from."""
    for _ in range(MAX_HOPS * 4):
        if value.type not in _SUBSCRIPTS:
            break
        inner = value.child_by_field_name("value") or value.child_by_field_name("object")
        if inner is None:
            break
        value = inner
    return value


def _http_answer(f: _File, value: Node) -> bool:
    """`requests.get(url).json()`: a payload read straight off an HTTP client's call."""
    function = value.child_by_field_name("function")
    inner = function.child_by_field_name("object") if function is not None else None
    for _ in range(MAX_HOPS):
        if inner is None or inner.type not in _WRAPPERS or not inner.named_child_count:
            break
        inner = inner.named_children[0]
    if inner is None or inner.type not in _CALLS:
        return False
    family = "javascript" if f.language in ("typescript", "tsx") else f.language
    return _canonical(f, _callee(inner)) in models.MODELS.get(family, {})


def response_source(f: _File, head: str, call: Node, hops: int = 0) -> str | None:
    """See the module's docstring: "" (an HTTP response), a package name, or None."""
    if hops >= MAX_HOPS or not head:
        return None
    # a loop's variable is an element of what the loop walks (`for r in data["results"]`);
    # the nearest loop binds it before any assignment of the name elsewhere in the file
    value = _loop_iterable(head, call)
    value = value if value is not None else _bound(f, head, call)
    if value is not None and value.type in _SUBSCRIPTS:
        value = _collection_base(value)
        if value.type == "identifier":
            name = text(value, 80)
            return response_source(f, name, call, hops + 1) if name != head else None
    if value is None:
        return None
    if value.type in ("member_expression", "attribute") and value.named_child_count:
        # `const body = res.data`: the payload of another local
        inner = value.named_children[0]
        last = text(value, 120).rsplit(".", 1)[-1]
        if inner.type == "identifier" and last in _PAYLOAD:
            return response_source(f, text(inner, 80), call, hops + 1)
        return None
    if value.type not in _CALLS:
        return None
    callee = _callee(value)
    family = "javascript" if f.language in ("typescript", "tsx") else f.language
    if _canonical(f, callee) in models.MODELS.get(family, {}):
        return ""  # an HTTP client's call: its response
    receiver, _, method = callee.rpartition(".")
    if not receiver:
        return None
    if method in _PAYLOAD and "." not in receiver and receiver != head:
        return response_source(f, receiver, call, hops + 1)
    if method in _PAYLOAD and receiver.endswith(")") and _http_answer(f, value):
        return ""  # `requests.get(url).json()`
    if f.language == "python" or f.language == "go" or f.language == "ruby":
        return "" if receiver in f.instances else None
    if receiver in f.instances:
        return ""
    function = value.child_by_field_name("function")
    target = function.child_by_field_name("object") if function is not None else None
    if target is not None and target.type == "new_expression":  # `new Api(c).create(…)`
        return _imported_class(f, target, call)
    if method.startswith(_STORE_READS):
        return None  # a store client's row (`prisma.webhook.findUnique`): what a user saved
    # `client.files.create(…)`: the instance is the receiver's head
    return _package(f, receiver.split(".", 1)[0], call)


# A Go URL read from a field of what a call returned (`a.URL` after `a, err := x.get(…)`),
# cited at the request's line with the expression: `egress_services` drops it as user data
# when the field is a decoded payload's (`golang.PAYLOAD_FIELD`) in the same package.
RETURNED_FIELD = "go.returned_field"


def returned_by_call(f: _File, head: str, call: Node) -> bool:
    """Whether `head` is bound, in the function around `call`, to a call's result."""
    value = _bound(f, head, call)
    return value is not None and value.type in _CALLS


__all__ = ["RETURNED_FIELD", "response_source", "returned_by_call"]
