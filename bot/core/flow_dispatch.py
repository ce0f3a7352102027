"""Flow starts at the implementations of a dispatched Go interface method.

A Go program that keeps many kinds of one thing (dashboard widgets, notifiers, metadata
agents) holds them as an interface and calls a method on the interface value
(`w.update(ctx)` over `[]widget`). The walk from the caller cannot tell which type runs, and
the parser rarely sees the value's type at all (a slice field's element, a map's value).
The work each kind does is in its own method, so each implementation is a flow start of its
own: the method `M` of interface `I`, called somewhere on a value (`x.M(…)`), with at least
`MIN_IMPLEMENTERS` types in the repository that define `M` and, with the methods of the
structs they embed, most of `I`'s methods. Generic: the shape is Go's structural typing,
no library or name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.call_sites import FileCalls

MIN_IMPLEMENTERS = 3  # fewer is a type and its test double, not a family of kinds
MAX_STARTS = 64  # implementation methods taken as starts, per repository
COVER = 4, 5  # the share of the interface's methods a type (with what it embeds) defines


def dispatched_methods(
    paths: Iterable[str], calls: Callable[[str], FileCalls | None]
) -> list[tuple[str, int, str, tuple[str, ...]]]:
    """(path, `func` line, interface, the files that call the method, implementations
    last) of each implementation of a dispatched interface method, in path order, at most
    `MAX_STARTS`.
    `paths`: the Go files to read (no tests)."""
    interfaces: dict[tuple[str, str], set[str]] = {}
    methods: dict[tuple[str, str], dict[str, tuple[str, int]]] = {}
    embeds: dict[tuple[str, str], set[str]] = {}
    called: dict[str, set[str]] = {}  # method name → files with a call `x.name(…)`
    for path in sorted(paths):
        fc = calls(path)
        if fc is None:
            continue
        folder = path.rpartition("/")[0]
        for iface, name in fc.interfaces:
            interfaces.setdefault((folder, iface), set()).add(name)
        for fn in fc.funcs:
            owner, _, name = fn.qual.rpartition(".")
            # `Serve.func12` (an inline route handler) is no method: its owner is a function.
            if owner and "." not in owner and not name.startswith("func"):
                methods.setdefault((folder, owner), {}).setdefault(name, (path, fn.line))
        for owner, fname, spec, ftype in fc.fields:
            if not spec and fname == ftype:  # an embedded struct of the same package
                embeds.setdefault((folder, owner), set()).add(ftype)
        for c in fc.calls:
            # (Not a method of a call's result, `c.Status(200).Send(b)`: a builder's.)
            if len(c.parts) > 1 and c.made_by != c.parts[:-1]:
                called.setdefault(c.parts[-1], set()).add(path)
    families: list[list[tuple[str, int, str, tuple[str, ...]]]] = []
    for (_folder, iface), wanted in sorted(interfaces.items()):
        if len(wanted) < 2:
            continue  # `Stringer`-like one-method interfaces: every type has a `String`
        need = max(2, (len(wanted) * COVER[0]) // COVER[1])
        for method in sorted(wanted & called.keys()):
            found = [
                where[method]
                for (home, typ), where in sorted(methods.items())
                if method in where
                and "mock" not in typ.lower()
                and len(defined_methods(home, typ, methods, embeds) & wanted) >= need
            ]
            if len(found) >= MIN_IMPLEMENTERS:
                # A file that is itself an implementation mostly calls its own type's
                # method (`p.Defaults.Validate()`): the other callers come first.
                mine = {p for p, _line in found}
                by = tuple(sorted(called[method], key=lambda c: (c in mine, c)))
                families.append(sorted({(p, line, iface, by) for p, line in found}))
    # Over the cap, each method gets its turn (the first implementation of each, then the
    # second…): a large family's many methods, in path order, would leave its other methods
    # (the one that sends) no start at all.
    out = [f[i] for i in range(max(map(len, families), default=0)) for f in families if i < len(f)]
    return sorted(dict.fromkeys(out[:MAX_STARTS]))


def defined_methods(
    folder: str,
    typ: str,
    methods: dict[tuple[str, str], dict[str, tuple[str, int]]],
    embeds: dict[tuple[str, str], set[str]],
) -> set[str]:
    """The methods `typ` has: its own and those of the structs it embeds, two levels down."""
    out = set(methods.get((folder, typ), {}))
    for inner in embeds.get((folder, typ), set()):
        out |= set(methods.get((folder, inner), {}))
        for deeper in embeds.get((folder, inner), set()):
            out |= set(methods.get((folder, deeper), {}))
    return out
