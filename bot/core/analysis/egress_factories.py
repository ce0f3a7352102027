"""Ruby methods a file defines, read for egress: what each returns, and which build a client.

* A method's value: the expression its body ends with (or its `return`'s), so a URL given
  as a call of the file's own method (`HTTParty.get(query_url(q))`, `Request.new(check_url)`
  with `def check_url; "https://…#{q}"; end`) resolves to the host that method writes
  (`egress_resolve`). Generic: a method returning a URL is how Ruby classes name endpoints.
* A client factory: a method that takes no argument and builds an HTTP client of the
  tables (`def http; @http ||= Faraday.new(…); end`). A mixin (a concern) defines it once and
  every class that includes it sends through it: `http.get(url)`, `http.run_request(:post,
  url, …)` in any file. The call is a request when its file defines the factory, else a
  ``candidate`` with client ``factory:<name>`` that the aggregation keeps only when some file
  defines that factory (meta ``egress.factory``). Generic: the shape is a memoised client
  behind a method, whatever the method is called.

Bounded: `MAX_METHODS` methods a file, `MAX_FACTORY_NODES` nodes of a body searched for the
constructor.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.analysis.egress_file import _CALLS, _args, _callee, _File, _function_of, _parameters
from bot.core.analysis.treesitter import Node, line, text, walk
from bot.core.model import OutboundCall

MAX_METHODS = 500
MAX_FACTORY_NODES = 400
FACTORY_META = "egress.factory"
FACTORY_CLIENT = "factory:"
# Constructors of a client object that is then sent requests (not one request each).
CLIENT_CONSTRUCTORS = frozenset(
    {"Faraday.new", "Faraday::Connection.new", "Excon.new", "HTTPClient.new", "Net::HTTP.new"}
)
# A client's request methods, the URL first; `run_request(method, url, …)` and
# `send(:verb, url, …)` take it second.
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head"})
_SECOND = frozenset({"run_request", "send", "public_send"})
_SKIP = frozenset({"comment", "empty_statement"})


def learn_ruby_method(f: _File, node: Node) -> None:
    """Remember the method's returned expression, and whether it is a client factory."""
    if len(f.methods) >= MAX_METHODS:
        return
    name_node = node.child_by_field_name("name")
    if name_node is None or name_node.type != "identifier":
        return  # `def self.x`, operators: not called bare
    name = text(name_node, 80)
    body = node.child_by_field_name("body") or next(
        (c for c in node.named_children if c.type == "body_statement"), None
    )
    if body is None:
        return
    statements = [c for c in body.named_children if c.type not in _SKIP]
    if not statements:
        return
    last = statements[-1]
    if last.type == "return" and last.named_child_count:
        last = last.named_children[0]
        if last.type == "argument_list" and last.named_child_count:
            last = last.named_children[0]
    f.methods.setdefault(name, last)
    if node.child_by_field_name("parameters") is not None:
        return  # a factory takes nothing: `http.get(url)` calls it bare
    for inner in walk(body, _CALLS, MAX_FACTORY_NODES):
        made = _callee(inner)
        if made in CLIENT_CONSTRUCTORS:
            f.factories[name] = made.rsplit(".", 1)[0]
            return


def factory_call(
    f: _File,
    node: Node,
    written: str,
    resolve: Callable[[_File, Node | None, int, Node], tuple[str, str, str]],
    timeout: str,
) -> OutboundCall | None:
    """`http.get(url)` with `http` a bare method call (no local, no parameter): a request
    through a client factory (see the module doc), or None."""
    receiver_name, _, verb = written.rpartition(".")
    if not receiver_name.isidentifier() or not receiver_name[:1].islower():
        return None
    if verb not in _VERBS and verb not in _SECOND:
        return None
    receiver = node.child_by_field_name("receiver")
    if receiver is None or receiver.type not in ("identifier", "call"):
        return None
    if receiver.type == "call" and (
        receiver.child_by_field_name("receiver") is not None
        or receiver.child_by_field_name("arguments") is not None
    ):
        return None
    client = ""
    if receiver_name in f.values or receiver_name in f.bindings:
        bound = f.values.get(receiver_name)
        made = _callee(bound) if bound is not None and bound.type in _CALLS else ""
        if made not in CLIENT_CONSTRUCTORS:
            return None  # a local variable or a name bound in the file: not a method
        client = made.rsplit(".", 1)[0]  # `http = Faraday.new { … }; http.post(url)`
    function = _function_of(f, node)
    if function is not None and receiver_name in _parameters(function):
        return None
    args = _args(node)
    index = 1 if verb in _SECOND else 0
    if len(args) <= index:
        return None
    if verb in ("send", "public_send") and text(args[0], 20).lstrip(":") not in _VERBS:
        return None
    host, configured_by, origin = resolve(f, args[index], 0, node)
    client = client or f.factories.get(receiver_name, "")
    if client:
        return OutboundCall("http", line(node), client, host, configured_by, origin, timeout)
    return OutboundCall(
        "candidate",
        line(node),
        FACTORY_CLIENT + receiver_name,
        host,
        configured_by,
        origin,
        timeout,
    )


def factory_names(metas: list[tuple[str, str]]) -> set[str]:
    return {v for k, v in metas if k == FACTORY_META}
