"""Data sent to a server over a socket rather than HTTP: a StatsD client, or a raw TCP/UNIX
socket to a configured address. Data tables, and the reading of one call node.

* StatsD (`STATSD`): ``statsd.StatsClient(host=…)``, ``datadog.DogStatsd(host=…)``,
  hot-shots / node-statsd / statsd-client ``new StatsD({host})``, Go ``statsd.New(addr)``
  of a statsd package, Ruby ``Statsd.new(host)`` and statsd-instrument's
  ``StatsD.increment(…)`` (its singleton client, at STATSD_ADDR) → an `OutboundCall` of
  kind ``statsd``.
* A raw socket (`SOCKETS`): Python ``socket.create_connection((host, port))``, Ruby
  ``TCPSocket.new(host, port)``, Node
  ``net.createConnection({host})`` / ``net.connect``, Go ``net.Dial(network, addr)`` → kind
  ``socket``; the item is named by what configures the address (`egress_services`).

A JavaScript or Go call counts only when the name it goes through is imported from such a
module (a local class called ``StatsD``, a ``net`` that is the project's own package, a
database's ``connect`` are not these). Python callees arrive canonical (import-resolved).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.core.analysis.treesitter import Node, line, text
from bot.core.lazy_pattern import lazy
from bot.core.model import OutboundCall

# Python: canonical callee → (position of the server argument, its keyword, client).
PY_STATSD: dict[str, tuple[int, str, str]] = {
    "statsd.StatsClient": (0, "host", "statsd"),
    "statsd.TCPStatsClient": (0, "host", "statsd"),
    "statsd.UnixSocketStatsClient": (0, "socket_path", "statsd"),
    "statsd.client.StatsClient": (0, "host", "statsd"),
    "statsd.client.udp.StatsClient": (0, "host", "statsd"),
    "statsd.client.tcp.TCPStatsClient": (0, "host", "statsd"),
    "datadog.DogStatsd": (0, "host", "datadog"),
    "datadog.dogstatsd.DogStatsd": (0, "host", "datadog"),
    "datadog.dogstatsd.base.DogStatsd": (0, "host", "datadog"),
}
PY_SOCKETS: dict[str, tuple[int, str, str]] = {
    "socket.create_connection": (0, "address", "socket"),
}
RUBY_STATSD: dict[str, tuple[int, str, str]] = {
    "Statsd.new": (0, "", "statsd-ruby"),
    "Datadog::Statsd.new": (0, "", "dogstatsd-ruby"),
}
# Ruby's raw TCP sockets (stdlib `socket`): the server is the first argument.
RUBY_SOCKETS: dict[str, tuple[int, str, str]] = {
    "TCPSocket.new": (0, "", "TCPSocket"),
    "TCPSocket.open": (0, "", "TCPSocket"),
    "Socket.tcp": (0, "", "Socket.tcp"),
}
# Ruby DNS queries the code makes itself (the standard library's `Resolv`, dnsruby): to
# name servers, the system's or the ones it is given.
RUBY_DNS = frozenset(
    {"Resolv::DNS.new", "Resolv::DNS.open", "Resolv.getaddress", "Resolv.getaddresses",
     "Resolv.getname", "Resolv.getnames", "Dnsruby::Resolver.new", "Dnsruby::DNS.new",
     "Net::DNS::Resolver.new"}
)  # fmt: skip
# statsd-instrument sends through the `StatsD` module's singleton client (no constructor).
RUBY_STATSD_METRICS = frozenset(
    {"increment", "measure", "gauge", "histogram", "distribution", "set", "event",
     "service_check"}
)  # fmt: skip
_DEFINES_STATSD = lazy(r"^[ \t]*(?:class|module)[ \t]+StatsD\b", re.M)
# JavaScript: modules whose export (constructor or factory) is a StatsD client.
JS_STATSD_MODULES = frozenset(
    {"hot-shots", "node-statsd", "statsd-client", "lynx", "node-dogstatsd", "datadog-metrics"}
)
JS_NET_MODULES = frozenset({"net", "node:net"})
JS_NET_CALLS = frozenset({"createConnection", "connect"})
GO_STATSD_CALLS = frozenset({"New", "NewClient", "NewBufferedClient", "NewClientWithConfig"})
GO_DIALS = {"Dial": 1, "DialTimeout": 1}
MAX_SCAN = 65_536  # bytes of the file's head read for its imports

_JS_IMPORT = re.compile(
    r"(?:(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*require\("
    r"""[ \t]*['"]([^'"\n]{1,100})['"]"""
    r"|import[ \t]+(?:\*[ \t]+as[ \t]+)?([A-Za-z_$][\w$]*)[ \t]+from[ \t]+"
    r"""['"]([^'"\n]{1,100})['"])"""
)
# `const { A, B: C } = require("pkg")`, `import { A, B as C } from "pkg"`.
_JS_NAMED = re.compile(
    r"(?:(?:const|let|var)[ \t]*\{([^{}]{1,400})\}[ \t]*=[ \t]*require\("
    r"""[ \t]*['"]([^'"\n]{1,100})['"]"""
    r"|import[ \t]*(?:[A-Za-z_$][\w$]*[ \t]*,[ \t]*)?\{([^{}]{1,400})\}[ \t]*from[ \t]*"
    r"""['"]([^'"\n]{1,100})['"])"""
)
_GO_IMPORT = lazy(r"""^[ \t]*(?:import[ \t]+)?(?:([A-Za-z_]\w*)[ \t]+)?"([^"\n]{1,200})"$""", re.M)

Resolve = Callable[[Any, Node | None, int, Node], tuple[str, str, str]]
KeyIn = Callable[[Any, Node, str, int], Node | None]
Literal = Callable[[Node | None], str]


def file_imports(f: Any, node: Node) -> dict[str, str]:
    """Local name → module, for JS requires/imports and Go imports; read once per file
    (kept on the walk's state, which lives for one file)."""
    cached: dict[str, str] | None = getattr(f, "_socket_imports", None)
    if cached is not None:
        return cached
    source = text(_root(node), MAX_SCAN)
    found: dict[str, str] = {}
    if f.language == "go":
        for m in _GO_IMPORT.finditer(source):
            path = m.group(2)
            segments = [s for s in path.split("/") if not re.fullmatch(r"v\d+", s)]
            found[m.group(1) or (segments[-1] if segments else path)] = path
    else:
        for m in _JS_IMPORT.finditer(source):
            found[m.group(1) or m.group(3)] = m.group(2) or m.group(4)
        for m in _JS_NAMED.finditer(source):
            spec = m.group(2) or m.group(4)
            for item in (m.group(1) or m.group(3)).split(",")[:50]:
                local = re.split(r"[ \t\n]+as[ \t\n]+|:", item)[-1].strip()
                if re.fullmatch(r"[A-Za-z_$][\w$]*", local):
                    found[local] = spec
    f._socket_imports = found
    return found


def _defines_statsd(f: Any, node: Node) -> bool:
    """Whether the file defines its own `StatsD` class or module (a lookalike); read once
    per file."""
    cached: bool | None = getattr(f, "_defines_statsd", None)
    if cached is not None:
        return cached
    found = _DEFINES_STATSD.search(text(_root(node), MAX_SCAN)) is not None
    f._defines_statsd = found
    return found


def socket_call(
    f: Any,
    node: Node,
    callee: str,
    args: list[Node],
    resolve: Resolve,
    key_in: KeyIn,
    literal: Literal,
    server: Callable[..., OutboundCall],
) -> OutboundCall | None:
    """A StatsD client or a raw socket opened at this call, else None. `server` reads the
    server argument (`egress_other._server`)."""
    language = f.language
    if language == "python":
        model = PY_STATSD.get(callee)
        if model is not None:
            return server(f, node, args, model, resolve, key_in, literal, "statsd")
        model = PY_SOCKETS.get(callee)
        if model is not None:
            return server(f, node, args, model, resolve, key_in, literal, "socket")
        return None
    if language == "ruby":
        metric = callee.partition(".")
        if (
            metric[0] == "StatsD"
            and metric[2] in RUBY_STATSD_METRICS
            and not _defines_statsd(f, node)
        ):
            # statsd-instrument's singleton client: its address is the STATSD_ADDR env var
            return OutboundCall("statsd", line(node), "statsd-instrument", "", "STATSD_ADDR", "env")
        model = RUBY_STATSD.get(callee)
        if model is not None:
            return server(f, node, args, model, resolve, key_in, literal, "statsd")
        if callee in RUBY_DNS:
            client = callee.rpartition(".")[0]
            return OutboundCall("dns", line(node), client, "", "", "unknown")
        model = RUBY_SOCKETS.get(callee)
        return (
            None
            if model is None
            else server(f, node, args, model, resolve, key_in, literal, "socket")
        )
    head, _, rest = callee.partition(".")
    if language == "javascript":
        if not head or "." in rest:
            return None
        module = file_imports(f, node).get(head, "")
        if module in JS_STATSD_MODULES and (not rest or rest == "StatsD"):
            return server(f, node, args, (0, "host", module), resolve, key_in, literal, "statsd")
        if module in JS_NET_MODULES and rest in JS_NET_CALLS:
            return server(f, node, args, (0, "host", "net"), resolve, key_in, literal, "socket")
        return None
    if language == "go" and rest and "." not in rest:
        module = file_imports(f, node).get(head, "")
        segments = [p for p in module.split("/") if not re.fullmatch(r"v\d+", p)]
        if rest in GO_STATSD_CALLS and segments and "statsd" in segments[-1]:
            return server(f, node, args, (0, "", "statsd"), resolve, key_in, literal, "statsd")
        if module == "net" and rest in GO_DIALS:
            position = GO_DIALS[rest]
            return server(f, node, args, (position, "", "net"), resolve, key_in, literal, "socket")
    return None


__all__ = ["file_imports", "socket_call"]


def _root(node: Node) -> Node:
    """The file's root above `node` (a bounded climb)."""
    root = node
    for _ in range(10_000):
        if root.parent is None:
            break
        root = root.parent
    return root
