"""Go store calls (`flow_stores`): GORM, sqlx, pgx, bun, goqu, mongo-driver and go-redis by
the receiver's type (a typed parameter, or a struct field declared in the package), ent's
`client.User.Create()`, and sqlc's generated `Queries`.
"""

from __future__ import annotations

from bot.core import store_ops as ops
from bot.core.call_sites import Call, FileCalls, Sink
from bot.core.flow_stores_js import StoreCalls
from bot.core.model import FileFacts


class GoStores:
    def __init__(self, core: StoreCalls):
        self.core = core
        self._dirs: set[str] | None = None  # sqlc's generated packages, by last name

    def sink(self, path: str, f: FileFacts, fc: FileCalls, call: Call) -> Sink | None:
        parts = call.parts
        if len(parts) < 2:
            return None
        spec, typ = self._go_type(path, fc, call)
        if not spec and typ:
            spec, typ = self._embedded(path, typ)
        op = parts[-1]
        what = ".".join(parts[-2:])
        if typ in ops.SQLC_TYPES and self._sqlc(spec):
            return self.core.sink(call, "sqlc", "", what)
        if spec.endswith("/ent") and typ == "Client" and len(parts) >= 3 and op in ops.ENT_OPS:
            return self.core.sink(call, "ent", "", ".".join(parts[-2:]))
        for lib in ops.GO_LIBS:
            redis = lib.store == "Redis"
            if not _of(spec, lib.specs) and not self._versioned(path, lib, parts[-2], spec):
                continue
            if (op.lower() in ops.REDIS_OPS) if redis else (op in lib.ops):
                return self.core.sink(call, lib.label, lib.store, what)
        return None

    def _go_type(self, path: str, fc: FileCalls, call: Call) -> tuple[str, str]:
        """(import spec, type) of the value a call is made on: the typed head, or the field
        `s.db` of the head's struct (declared in any file of the package)."""
        head = call.head_type
        if head is None:
            return ("", "")
        if len(call.parts) == 2 or head[0]:
            return head
        field = call.parts[1]
        folder = path.rpartition("/")[0]
        for p, other in self.core.facts.items():
            if other.language != "go" or p.rpartition("/")[0] != folder:
                continue
            ofc = self.core.calls(p)
            for owner, name, spec, typ in ofc.fields if ofc is not None else ():
                if owner == head[1] and name == field:
                    return (spec, typ)
        return ("", "")

    def _embedded(self, path: str, typ: str) -> tuple[str, str]:
        """The library type a package's own struct embeds (`type store struct{ *sql.DB }`):
        its methods are the library's, called on the wrapper (`app.db.Exec(…)`). Only an
        embedded field (named as its type) of a library `GO_LIBS` lists."""
        folder = path.rpartition("/")[0]
        for p, other in self.core.facts.items():
            if other.language != "go" or p.rpartition("/")[0] != folder:
                continue
            ofc = self.core.calls(p)
            for owner, name, spec, ftype in ofc.fields if ofc is not None else ():
                embedded = owner == typ and name == ftype and spec
                if embedded and any(_of(spec, lib.specs) for lib in ops.GO_LIBS):
                    return (spec, ftype)
        return ("", typ)

    def _versioned(self, path: str, lib: ops.StoreLib, name: str, spec: str) -> bool:
        """An untyped receiver named as the library's clients are (`rdb`, `db`, `goquDB`) in
        a file that imports the library by a version path (`goqu/v9`, `go-redis/v9`): such
        a path gives the reader no package name to type the value with."""
        if spec:
            return False  # typed, by another library or the repository's own type
        low = name.lower()
        f = self.core.facts.get(path)
        for ref in f.imports if f is not None else ():
            *_, word, last = ("", *ref.spec.split("/"))
            versioned = _of(ref.spec, lib.specs) and last[:1] == "v" and last[1:].isdigit()
            word = word.removeprefix("go-")
            if versioned and (low in ops.GO_CLIENT_NAMES or (word and word in low)):
                return True
        return False

    def _sqlc(self, spec: str) -> bool:
        """Whether `spec`'s `Queries` is sqlc's: a repository with sqlc's config, or a
        package of that name declaring sqlc's `DBTX` beside `Queries` (its generated db.go)."""
        if self._dirs is None:
            dirs = set()
            for p, f in self.core.facts.items():
                if p.rpartition("/")[2] in ops.SQLC_CONFIGS:
                    dirs.add("*")
                elif f.language == "go" and p.endswith(("db.go", "querier.go")):
                    fc = self.core.calls(p)
                    if fc is not None and "DBTX" in fc.classes:
                        dirs.add(p.rpartition("/")[0].rpartition("/")[2])
            self._dirs = dirs
        return "*" in self._dirs or spec.rpartition("/")[2] in self._dirs


def _of(spec: str, specs: tuple[str, ...]) -> bool:
    """`spec` is one of `specs` or below one (`github.com/jackc/pgx/v5/pgxpool`)."""
    return any(spec == s or spec.startswith(s if s.endswith("/") else s + "/") for s in specs)
