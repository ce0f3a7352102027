"""Wrappers: functions of the file whose parameter is the URL of a request they make.

A call of a wrapper is an outbound call at its own argument (`_wrapper_call`); a function
whose parameter reaches a request is marked one (`_mark_wrapper`). Also here: requests
through an HTTP verb a class inherits (`self.post(url)`, `_own_verb_call`), Go request
builders (a field the file's requests send to, set from a parameter) and Go oauth2 token
endpoints.
"""

from __future__ import annotations

import re

from bot.core.analysis.egress_file import (
    _STRING_TYPES,
    _URL_NAME,
    _args,
    _callee,
    _element,
    _enclosing_class,
    _enclosing_function,
    _File,
    _function_name,
    _parameters,
    _string_literal,
    _timeout,
)
from bot.core.analysis.egress_resolve import _resolve
from bot.core.analysis.treesitter import Node, line, text
from bot.core.model import OutboundCall

_OWN_VERBS = frozenset({"get", "post", "put", "patch", "delete", "request"})
_HTTP_METHOD_NAMES = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


def _own_verb_call(f: _File, node: Node, written: str) -> OutboundCall | None:
    """`self.post(url, …)` (`cls.`, `this.`) in a class with a base class that does not
    define `post` itself: a request through a method it inherits, most often from a base
    class in another file. A candidate: the aggregation keeps it only when some file defines
    a wrapper of that name. Any destination but a relative one or a parameter is kept (an
    unknown one names the service of a folder named for it)."""
    head, _, verb = written.partition(".")
    if head not in ("self", "cls", "this") or verb not in _OWN_VERBS:
        return None
    owner = _enclosing_class(node)
    if owner is None or not _has_base(owner) or verb in _methods_of(owner):
        return None
    args = _args(node)
    if not args:
        return None
    url = args[0]
    if verb == "request" and len(args) > 1 and _names_a_method(url):
        url = args[1]
    host, configured_by, origin = _resolve(f, url, 0, node)
    if origin in ("relative", "parameter") or (url.type in _STRING_TYPES and not host):
        return None  # `self.get("/health")`, `self.get("size")`: no destination written
    # Mappings and collections have `get` and `delete` too: there only a URL-named value is a
    # destination.
    named = _URL_NAME.search(re.split(r"[.:]", text(url, 120))[-1]) is not None
    if origin == "unknown" and verb in ("get", "delete") and not named:
        return None
    return OutboundCall(
        "candidate", line(node), f"call:{verb}", host, configured_by, origin, _timeout(f, node)
    )


def _names_a_method(node: Node) -> bool:
    """`"post"`, `method`, `http_method`: the first argument of `request(method, url)`."""
    if node.type in _STRING_TYPES:
        return _string_literal(node).lower() in _HTTP_METHOD_NAMES
    return node.type == "identifier" and text(node, 40).lower().endswith(("method", "verb"))


def _has_base(owner: Node) -> bool:
    """Whether a class names a base class (`class A(Base)`, `class A extends B`)."""
    bases = owner.child_by_field_name("superclasses")
    if bases is not None:
        return any(text(b, 80) not in ("object", "") for b in bases.named_children[:10])
    return any(c.type == "class_heritage" for c in owner.named_children[:5])


def _methods_of(owner: Node) -> set[str]:
    """The names of the methods a class body defines itself."""
    body = owner.child_by_field_name("body")
    names: set[str] = set()
    for item in body.named_children[:300] if body is not None else ():
        if item.type == "decorated_definition":
            item = item.child_by_field_name("definition") or item
        if item.type in ("function_definition", "method_definition"):
            names.add(text(item.child_by_field_name("name"), 80))
    return names


def _note_sent_field(f: _File, node: Node, url: Node) -> None:
    """Go: a request to `r.endpoint` in a method of `r`: `endpoint` is a sent field."""
    if f.language != "go":
        return
    while url.type == "call_expression":  # `r.endpoint.String()`
        function = url.child_by_field_name("function")
        if function is None or function.type != "selector_expression":
            return
        url = function.child_by_field_name("operand") or url
        if url is function:
            return
    if url.type != "selector_expression":
        return
    operand = url.child_by_field_name("operand")
    function = _enclosing_function(node)
    if operand is None or operand.type != "identifier" or function is None:
        return
    if text(operand, 80) in _receiver_names(function):
        f.sent_fields.add(text(url.child_by_field_name("field"), 80))


def _receiver_names(function: Node) -> list[str]:
    """Go: the name a method's receiver is bound to (`p` of `func (p *Poster) send(…)`)."""
    receiver = function.child_by_field_name("receiver")
    return [
        text(n, 80)
        for p in (receiver.named_children[:4] if receiver is not None else ())
        for n in p.children_by_field_name("name")[:4]
    ]


def _field_wrappers(f: _File, nodes: list[Node]) -> None:
    """Go: a function that sets a sent field from its parameter (`&Builder{endpoint: u}`,
    `b.endpoint = u`) is a wrapper whose callers' argument is the destination."""
    for node in nodes:
        pairs: list[tuple[str, Node | None]] = []
        if node.type == "composite_literal":
            body = node.child_by_field_name("body")
            for element in body.named_children[:60] if body is not None else ():
                if element.type == "keyed_element" and element.named_child_count == 2:
                    key, value = element.named_children
                    pairs.append((text(_element(key), 80), _element(value)))
        elif node.type == "assignment_statement":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and right is not None and left.named_child_count == 1:
                target = left.named_children[0]
                if target.type == "selector_expression" and right.named_child_count == 1:
                    field_name = text(target.child_by_field_name("field"), 80)
                    pairs.append((field_name, right.named_children[0]))
        for field_name, given in pairs:
            if field_name in f.sent_fields and given is not None and given.type == "identifier":
                _mark_wrapper(f, node, text(given, 80))


def _go_token_endpoint(f: _File, node: Node) -> OutboundCall | None:
    """`oauth2.Endpoint{TokenURL: …}` (golang.org/x/oauth2): the config's code exchange posts
    to its token URL, so a written host there is where sign-in calls out."""
    if not text(node.child_by_field_name("type"), 40).endswith("oauth2.Endpoint"):
        return None
    body = node.child_by_field_name("body")
    for element in body.named_children[:20] if body is not None else ():
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = (_element(n) for n in element.named_children)
        if text(key, 20) == "TokenURL":
            host, _, origin = _resolve(f, value, 0, node)
            if origin == "literal" and host:
                return OutboundCall(
                    "http", line(element), "golang.org/x/oauth2", host, "", "literal"
                )
    return None


def _wrapper_call(f: _File, node: Node) -> OutboundCall | None:
    callee = _callee(node)
    head, _, name = callee.rpartition(".")
    if head not in ("", "this", "self", "cls", "@") and not _own_receiver(f, node, head):
        return None
    index = f.wrappers.get(name)
    if index is None:
        return None
    args = _args(node)
    if len(args) <= index:
        return None
    host, configured_by, origin = _resolve(f, args[index], 0, node)
    if origin == "parameter":
        _mark_wrapper(f, node, configured_by)
        return None
    if origin == "relative":
        return None
    return OutboundCall(
        "http", line(node), f"wrapper:{name}", host, configured_by, origin, _timeout(f, node)
    )


def _own_receiver(f: _File, node: Node, head: str) -> bool:
    """Go: whether `head` is the receiver of the method the call is in (`p.exec(…)` in a
    method of `p`: the file's own wrapper, as `self.` is in Python)."""
    if f.language != "go" or not head.isidentifier():
        return False
    function = _enclosing_function(node)
    return function is not None and head in _receiver_names(function)


def _mark_wrapper(f: _File, node: Node, parameter: str) -> bool:
    """Make the function around `node` a wrapper whose `parameter` is the URL; whether it is."""
    function = _enclosing_function(node)
    if function is None:
        return False
    params = _parameters(function)
    name = _function_name(function)
    if not name or parameter not in params:
        return False
    index = params.index(parameter)
    if f.language == "python" and params and params[0] in ("self", "cls"):
        index -= 1
    if index < 0:
        return False
    f.wrappers.setdefault(name, index)
    return True
