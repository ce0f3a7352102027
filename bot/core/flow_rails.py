"""Where a Rails app's calls land (issue 18): Active Record models, their callbacks, and
the stores Rails code reaches through a constant (Searchkick, `Rails.cache`, aws-sdk S3), and
the files a model's Active Storage attachment uploads (`record.file.attach(…)`).

A model is a class defined in `app/models/` whose superclass is `ApplicationRecord`,
`ActiveRecord::Base` or another model. A call reads or writes its rows when its receiver's
value comes from the model (`Call.root`: the constant itself, `Post.where(…).first`, a
local or `@ivar` assigned from one, an association `@post.comments`, a model's own
`save`) and the method is one of Active Record's queries (`RECORD_OPS`); an Array's
`find` has no model behind it. The sink names the SQL store the datastore facts name.

A write (`save`, `create`, `update`, `destroy`) runs the callbacks the model declares for
it (`after_create :announce`, `after_commit :sync, on: :create`): the walk goes on into
them, at most `MAX_CALLBACKS` per call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.call_sites import Call, FileCalls, Sink
from bot.core.model import FileFacts

RECORD_OPS = frozenset(
    """
    create create! find find_by find_by! find_or_create_by find_or_create_by!
    find_or_initialize_by where update update! update_all update_column update_columns
    save save! destroy destroy! destroy_all delete_all insert insert_all insert_all! upsert
    upsert_all transaction increment! decrement! toggle! touch pluck exists? find_each
    find_in_batches first! last! lock with_lock
    """.split()  # noqa: SIM905 (words read better as words)
)
# Reads that are an Array's or Hash's too: only on the model's constant (`Post.first`).
CONSTANT_OPS = frozenset({"all", "first", "last", "count", "sum", "order", "limit", "includes"})
# The write each op is, for the callbacks it runs (`insert_all` and `update_all` run none).
WRITE_EVENTS = {
    "create": "create",
    "create!": "create",
    "find_or_create_by": "create",
    "find_or_create_by!": "create",
    "save": "create update",
    "save!": "create update",
    "update": "update",
    "update!": "update",
    "destroy": "destroy",
    "destroy!": "destroy",
}
RECORD_BASES = frozenset({"ApplicationRecord", "ActiveRecord::Base"})
MAX_CALLBACKS = 8  # callbacks one write is walked into
MAX_MODEL_LEVELS = 4  # subclass levels of models (single-table inheritance)
MAX_DEFINITIONS = 8  # definitions of one class name read (namespaces reuse names)
SQL_STORES = ("PostgreSQL", "MySQL", "MariaDB", "SQLite")
SEARCH_STORES = ("OpenSearch", "Elasticsearch")
CACHE_STORES = ("Redis", "Memcached")
S3_CLIENTS = frozenset({"Aws::S3::Client", "Aws::S3::Resource", "Aws::S3::Bucket"})
S3_OPS = frozenset(
    {"put_object", "delete_object", "delete_objects", "get_object", "copy_object", "upload_file"}
)
CACHE_OPS = frozenset({"fetch", "write", "read", "delete", "increment", "decrement", "exist?"})


class RailsModels:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        calls: Callable[[str], FileCalls | None],
        skip: Callable[[str], bool],
    ):
        self.facts = facts
        self.calls = calls
        self.skip = skip
        self.stores: dict[str, str] = {}  # "sql" | "search" | "cache" | "s3" → its name
        self._models: dict[str, str] | None = None  # model class → its file
        self._searched: set[str] = set()  # models Searchkick indexes
        self._attached: dict[str, list[str]] = {}  # model → its Active Storage attachments

    def name_stores(self, names: list[str]) -> None:
        """The stores the datastore facts name (`PostgreSQL` from database.yml)."""
        for key, known in (("sql", SQL_STORES), ("search", SEARCH_STORES), ("cache", CACHE_STORES)):
            hit = next((n for n in known if n in names), None)
            if hit is not None:
                self.stores[key] = hit
        if "Amazon S3" in names:
            self.stores["s3"] = "Amazon S3"

    def models(self) -> dict[str, str]:
        """Model class → its file (parsed on the first Ruby sink a walk asks about)."""
        if self._models is None:
            # class → its (file, superclass) definitions: a namespaced class may share a
            # model's name (`GithubFetcher::Repo < Resource` beside `Repo < ApplicationRecord`),
            # so each definition is judged, not the first one read.
            bases: dict[str, list[tuple[str, str]]] = {}
            for p, f in self.facts.items():
                if f.language != "ruby" or "app/models/" not in p or self.skip(p):
                    continue
                fc = self.calls(p)
                for cls, base in fc.bases if fc is not None else ():
                    defs = bases.setdefault(cls, [])
                    if len(defs) < MAX_DEFINITIONS:
                        defs.append((p, base))
                for hook, cls, _ in fc.registered if fc is not None else ():
                    if hook == "searchkick":
                        self._searched.add(cls)
                    elif hook == "attached":
                        model, _, attachment = cls.rpartition(".")
                        self._attached.setdefault(model, []).append(attachment)
            found = {"ApplicationRecord": ""}
            for _ in range(MAX_MODEL_LEVELS):
                more: dict[str, str] = {}
                for c, defs in bases.items():
                    for p, b in defs if c not in found else ():
                        if b in RECORD_BASES or b.rpartition("::")[2] in found:
                            more.setdefault(c, p)
                if not more:
                    break
                found.update(more)
            self._models = found
        return self._models

    def sinks(self, path: str, fc: FileCalls, scope: str) -> list[Sink]:
        """The first query of `scope` per store: a model's rows, its search index, the
        cache, S3."""
        out: dict[str, Sink] = {}
        models = self.models()
        for call in fc.calls_in(scope):
            method = call.parts[-1]
            root = call.root
            key = ""
            if method == "attach" and len(call.parts) > 1 and root in self._attached:
                # `import.file.attach(io: …)` on a model that declares an attachment:
                # Active Storage uploads the file to its service.
                if "files" not in out:
                    names = self._attached[root]
                    which = f"{root}.{names[0]}" if len(names) == 1 else root
                    store = self.stores.get("s3") or _UNNAMED["files"]
                    what = f"stores a file in {store} (ActiveStorage {which}.attach)"
                    out["files"] = Sink("datastore", store, call.line, what)
                continue
            if root in models:
                # Searchkick's own methods (`Rubygem.searchkick_search`), or `search` on a
                # model whose body says `searchkick`.
                if method.startswith("searchkick_") or (
                    method in ("search", "reindex") and root in self._searched
                ):
                    key, what = "search", f"{root}.{method}"
                elif method in RECORD_OPS or (method in CONSTANT_OPS and call.parts[0] == root):
                    key, what = "sql", f"{root}.{method}"
            elif call.parts[0] == "Rails.cache" and method in CACHE_OPS:
                key, what = "cache", f"Rails.cache.{method}"
            elif method in S3_OPS and "s3" in call.parts[0].lower():  # `s3.put_object`
                key, what = "s3", f"S3 {method}"
            if not key or key in out:
                continue
            store = self.stores.get(key) or _UNNAMED[key]
            # A model's rows live in a SQL database: said so, as `flow_stores` does.
            said = f"the {store} database" if key == "sql" and store != _UNNAMED[key] else store
            out[key] = Sink("datastore", store, call.line, f"queries {said} ({what})")
        return list(out.values())

    def callbacks(self, call: Call) -> list[tuple[str, str, str]]:
        """(model file, `Model.method`, hook) of the callbacks a write on a model runs."""
        events = WRITE_EVENTS.get(call.parts[-1])
        if events and call.head_type is not None and call.parts[0] != call.root:
            events = "create"  # `post = Post.new(…)` … `post.save`: a new row
        path = self.models().get(call.root) if events else None
        if not path or events is None:
            return []
        fc = self.calls(path)
        wanted = set(events.split())
        out = []
        for hook, qual, on in fc.registered if fc is not None else ():
            if (
                hook != "searchkick"
                and wanted & set(on.split())
                and qual.startswith(call.root + ".")
            ):
                out.append((path, qual, hook))
                if len(out) >= MAX_CALLBACKS:
                    break
        return out


_UNNAMED = {
    "sql": "database (Active Record)",
    "search": "search index (Searchkick)",
    "cache": "Rails cache",
    "s3": "Amazon S3",
    "files": "Active Storage files",
}
