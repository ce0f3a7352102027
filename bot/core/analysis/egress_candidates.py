"""Candidates: calls to something else whose first argument is a URL (`_candidate`).

A wrapper defined in another file cannot be seen from this one: the aggregation keeps a
candidate only when some file defines a wrapper of its name (meta ``egress.wrapper``).
"""

from __future__ import annotations

import builtins
import re

from bot.core.analysis import http_models as models
from bot.core.analysis.egress_file import (
    _CALLS,
    _STRING_TYPES,
    _URL_NAME,
    _args,
    _callee,
    _canonical,
    _File,
    _function_of,
    _keyword,
    _parameters,
)
from bot.core.analysis.egress_resolve import _resolve
from bot.core.analysis.treesitter import Node, line, text
from bot.core.model import OutboundCall

# Calls that make or reshape a URL (never a request of their own).
_URL_MAKERS = frozenset(
    {"URI", "URL", "parse", "urlparse", "urlsplit", "urljoin", "join", "Sprintf", "format", "str",
     "String", "encodeURI", "encodeURIComponent", "quote", "escape", "new", "Parse", "sub",
     "gsub", "replace", "redirect", "redirect_to", "link_to", "href", "open_in_browser"}
)  # fmt: skip
_CANDIDATE_ARGS = _STRING_TYPES | {"identifier", "constant", "binary", "binary_expression",
                                   "binary_operator", "call", "call_expression"}  # fmt: skip


# A Ruby client class built on a written URL (`Graph::Client.new("https://api.x.io/gql")`):
# the object then sends its requests there. The class's name says it is a client; a plain
# `X.new(url)` (a link, a record) says nothing.
_CLIENT_CLASS = re.compile(r"(?:Client|Api|API|Connection)(?:\.new)?\Z")


def _client_made(f: _File, node: Node, callee: str, first: Node) -> OutboundCall | None:
    host, configured_by, origin = _resolve(f, first, 0, node)
    if origin != "literal" or not host:
        return None
    return OutboundCall(
        "http", line(node), callee.removesuffix(".new"), host, configured_by, origin
    )


def _candidate(
    f: _File, node: Node, callee: str, args: list[Node] | None = None
) -> OutboundCall | None:
    """A call to something else whose first argument is a URL with a written host, or one
    held by a setting or env var: kept for the aggregation, which knows every file's
    wrappers (a repository's own HTTP helper defined in another file). `args`: the call's
    `_args`, when the caller has them."""
    if args is None:
        args = _args(node)
    if not args and f.language == "python":
        keyed = _keyword(f, node, "url")  # `get_data(url=remote_id, params=…)`
        args = [keyed] if keyed is not None else []
    if not args or args[0].type not in _ARG_TYPES:
        return None
    name = callee.rsplit(".", 1)[-1]
    if name == "new" and _CLIENT_CLASS.search(callee) and args[0].type in _STRING_TYPES:
        return _client_made(f, node, callee, args[0])
    if not name or not name.replace("_", "a").isalnum() or name in _URL_MAKERS:
        return None
    first = args[0]
    # Before the parent test: both only rule the call out, and a node's parent is found by
    # a walk down from the root.
    handed = _handed(f, node, name, first)
    if handed is not None:
        return handed
    if first.type in ("identifier", "constant") and text(first, 80) not in f.values:
        written = text(first, 80)
        if f.language == "python" and _SETTING_NAME.fullmatch(written):
            # `get_data(RELEASE_API)`: a setting imported by name (`from app.settings
            # import RELEASE_API`); the aggregation reads its default where it is set
            return OutboundCall("candidate", line(node), f"call:{name}", "", written, "setting")
        return None  # a parameter or a name from elsewhere: never a written host
    # A URL-named argument (`apiEndpoint`, `c.webhookURL`) keeps the call even when its value
    # cannot be read: in a folder named for a service, the service is the destination.
    urlish = _URL_NAME.search(_SEPARATORS.split(text(first, 120))[-1]) is not None
    if first.type in _FIELD_ARGS and not urlish:
        return None
    parent = node.parent
    if parent is not None and parent.type in ("argument_list", "arguments") and _sends(f, parent):
        return None  # `get(URI("https://…"))`: the outer call is the one that sends
    host, configured_by, origin = _resolve(f, first, 0, node)
    if origin == "user" and name in _GENERIC_METHODS and not (urlish and _on_module(callee)):
        # `cache.fetch(story.url)`: too common a name to be a wrapper's, unless a module's
        # own (`Outbound::HTTP.post(hook.url)`: a class method, as HTTP helpers are written)
        return None
    if origin == "unknown" and urlish and name not in _GENERIC_METHODS:
        return OutboundCall("candidate", line(node), f"call:{name}", "", "", "unknown")
    if origin not in ("literal", "env", "setting", "user") or (origin == "literal" and not host):
        return None
    return OutboundCall("candidate", line(node), f"call:{name}", host, configured_by, origin)


_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]{1,60}")
# Python's own functions and dunders: never a package's request helper.
_NOT_HELPERS = frozenset(n for n in dir(builtins) if n.islower() or n.startswith("_")) | {
    "__init__",
    "super",
}


def _handed(f: _File, node: Node, name: str, first: Node) -> OutboundCall | None:
    """A Python method passing its own parameter to a helper (`get_data(remote_id)` in a
    plugin class): a candidate of origin "parameter", kept only where the helper is a
    wrapper and the file's folder or plugin registry names the service."""
    if f.language != "python" or first.type != "identifier":
        return None
    if name in _NOT_HELPERS or name in _GENERIC_METHODS:
        return None
    function = _function_of(f, node)
    if function is None:
        return None
    params = f.parameters.get(function.id)
    if params is None:
        params = f.parameters[function.id] = frozenset(_parameters(function))
    if text(first, 80) not in params:
        return None
    return OutboundCall("candidate", line(node), f"call:{name}", "", text(first, 80), "parameter")


_SEPARATORS = re.compile(r"[.:]")
_MODULE = re.compile(r"(?:::)?[A-Z]\w{0,100}+(?:::[A-Z]\w{0,100}+){0,10}+")


def _on_module(callee: str) -> bool:
    """Whether a Ruby call is made on a constant (`Outbound::HTTP.post`), not an object."""
    head = callee.rpartition(".")[0]
    return bool(head) and _MODULE.fullmatch(head) is not None


_FIELD_ARGS = frozenset({"attribute", "member_expression", "selector_expression"})
_ARG_TYPES = _CANDIDATE_ARGS | _FIELD_ARGS


def _sends(f: _File, arguments: Node) -> bool:
    """Whether the call whose arguments these are is a request of the tables: a call nested
    in another one's arguments is a candidate of its own unless the outer call sends."""
    outer = arguments.parent
    if outer is None or outer.type not in _CALLS:
        return False
    callee = _canonical(f, _callee(outer))
    return callee in models.MODELS[f.language] or callee.rsplit(".", 1)[-1] in _URL_MAKERS


# Method names of collections and caches as much as of HTTP wrappers: a call of one with user
# data is kept as a candidate only under a more specific name (`try_fetch`, `send_webhook`).
_GENERIC_METHODS = frozenset(
    {"get", "fetch", "post", "put", "patch", "delete", "head", "request", "call", "send", "open",
     "read", "write", "add", "set", "update", "create", "find", "load", "run", "perform"}
)  # fmt: skip
