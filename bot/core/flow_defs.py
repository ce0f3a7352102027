"""What a file defines, as the call graph looks a name up (shared by `flow_calls` and
`flow_calls_js`, split from `flow_calls`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.call_sites import FileCalls
from bot.core.model import ImportRef

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadCalls = Callable[[str], "FileCalls | None"]
ReadClasses = Callable[[str], "frozenset[str] | None"]
MAX_REEXPORTS = 12  # `export * from` lines of a barrel file followed for one name
MAX_REEXPORT = 2
Method = Callable[[str, str, tuple[str, ...]], list[tuple[str, str]]]


def first(found: list[tuple[str, str]]) -> tuple[str, str] | None:
    return found[0] if found else None


def defined(fc: FileCalls, name: str, rest: tuple[str, ...]) -> str | None:
    """The `qual` `name(.rest)` calls among `fc`'s top-level definitions."""
    quals = {f.qual for f in fc.funcs}
    if not rest and name in quals:
        return name
    if name in fc.classes:
        method = f"{name}.{rest[0]}" if rest else f"{name}.__init__"
        return method if method in quals else None
    if len(rest) == 1 and f"{name}.{rest[0]}" in quals:
        return f"{name}.{rest[0]}"  # a method assigned to an object (`Jobs.prune = …`)
    return None


def on_return(
    calls: ReadCalls,
    maker: tuple[str, str] | None,
    rest: tuple[str, ...],
    method: Method,
) -> list[tuple[str, str]]:
    """`rest` called on what function `maker` returns, by its declared return type."""
    if maker is None or maker[1].endswith((".__init__", ".constructor")):
        return []
    fc = calls(maker[0])
    returned = next((t for q, t in fc.returns if q == maker[1]), None) if fc else None
    return method(maker[0], returned, rest) if returned else []
