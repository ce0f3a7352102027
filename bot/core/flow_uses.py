"""Whether a file that imports a datastore or service library uses it (issue 18).

A catalog match at an import line says the file names the library, not that data goes
there: `error.js` requires mongoose only for `err instanceof mongoose.Error`. A flow's sink
at an import line stands when the file calls the library (`mongoose.connect(...)`,
`new Pool(...)`, `mongoose.model(...)`) or calls through a field typed by it (`this.repo
.find()` with `repo: Repository<User>`), and then cites that call; it is dropped when the
file only uses the library's types, errors or constants. A file that hands the library on
(`module.exports = mongoose`) keeps its import line: its importers make the calls.

Only where the parser gives the file's bindings (JavaScript/TypeScript: `import` and
`require`; Go: the import's package name). Python's `import x as y` is not in the import
facts, so a Python sink is left as found.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.call_sites import Call, FileCalls, Sink
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts

_JS = frozenset({"javascript", "typescript"})
_IMPORT_KINDS = frozenset({"import", "require"})
_GO_PACKAGE = lazy(r"(?!v[0-9]+$)[a-z][a-z0-9_]*+")  # `sql`, `pgxpool`; not `v8`, `yaml.v3`


def may_drop(f: FileFacts, sinks: Sequence[Sink]) -> bool:
    """Whether `used_sinks` could change `sinks`: a JS/Go file with a library sink at one of
    its import lines (otherwise the file's calls need not be read at all)."""
    if f.language not in (*_JS, "go") or not sinks:
        return False
    lines = {ref.line for ref in f.imports if ref.kind in _IMPORT_KINDS}
    return any(s.kind != "queue" and s.what.startswith("uses ") and s.line in lines for s in sinks)


def used_sinks(f: FileFacts, fc: FileCalls | None, sinks: Sequence[Sink]) -> list[Sink]:
    """`sinks` with each library sink seen at an import line moved to the call that uses
    the library, or left out when nothing in the file calls it."""
    if fc is None or f.language not in (*_JS, "go"):
        return list(sinks)
    specs: dict[int, list[str]] = {}
    for ref in f.imports:
        if ref.kind in _IMPORT_KINDS:
            specs.setdefault(ref.line, []).append(ref.spec)
    out: list[Sink] = []
    seen: set[tuple[str, int | None]] = set()
    for sink in sinks:
        at = sink.line
        if sink.kind != "queue" and sink.what.startswith("uses ") and at in specs:
            use = _use_line(f.language, fc, specs[at], at)
            if use is None:
                continue
            # Cited at the call; reached as the import is (the whole file uses it).
            sink = Sink(sink.kind, sink.name, use, sink.what, reach=at)
        if (sink.what, sink.line) not in seen:
            seen.add((sink.what, sink.line))
            out.append(sink)
    return out


def _bindings(language: str, fc: FileCalls, specs: Sequence[str]) -> set[str] | None:
    """The names the file gives the import; None when the reader cannot tell (a Go path
    whose last element is a version, `go-redis/redis/v8`, or not a package name)."""
    if language in _JS:
        return {local for local, spec, _ in fc.imports if spec in specs}
    out = set()
    for alias, spec in fc.aliases:
        if spec in specs:
            last = spec.rpartition("/")[2]
            if alias == last and not _GO_PACKAGE.fullmatch(last):
                return None
            out.add(alias)
    return out


def _use_line(language: str, fc: FileCalls, specs: Sequence[str], line: int) -> int | None:
    """The line of the first call that uses the import (one that reads or writes before
    one that builds a type), `line` when it is not known, None when there is none."""
    names = _bindings(language, fc, specs)
    if not names:
        return line  # a side-effect import, or a binding the reader does not see
    if fc.default_export in names:
        return line  # the module hands the library on
    typed = {(o, field) for o, field, spec, typ in fc.fields if typ in names or spec in specs}
    used = [c for c in fc.calls if _uses(c, names, specs, typed)]
    if not used:
        return None
    acting = [c for c in used if c.parts[-1][:1].islower()]
    return min(c.line for c in acting or used)


def _uses(call: Call, names: set[str], specs: Sequence[str], typed: set[tuple[str, str]]) -> bool:
    parts = call.parts
    if parts[0] in names:
        # `mongoose.Types.ObjectId.isValid(id)`: a helper of one of its types, not a use.
        return not any(p[:1].isupper() for p in parts[1:-1])
    head = call.head_type
    if head is None or len(parts) < 2:
        return False
    if head[0] in specs:
        return True  # Go: `db.Query(...)` with the parameter `db *sql.DB`
    # `this.repo.find()` with `repo: Repository<User>`, `s.db.Query(...)` with a field
    # `db *sql.DB`: a client the file was given, built from the library.
    return len(parts) >= 3 and (head[1], parts[1]) in typed
