"""Where a function reads or writes the database through an ORM (issue 18), split from
`flow_calls`: Django managers, SQLAlchemy sessions, Prisma Client, Sequelize models, and a
Rails app's models (`flow_rails`)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.call_sites import FileCalls, Sink
from bot.core.flow_defs import ReadCalls
from bot.core.flow_rails import RailsModels
from bot.core.model import FileFacts

# SQLAlchemy session calls that read or write the database. (Go's database/sql handles are
# `flow_stores_go`'s, named by the driver the repository imports.)
SQLALCHEMY_SESSION_OPS = frozenset(
    {"add", "add_all", "commit", "execute", "scalar", "scalars", "query", "merge", "flush"}
)
# `session.get`/`.delete` are also an HTTP session's: only on Flask-SQLAlchemy's `db.session`.
SQLALCHEMY_DB_SESSION_OPS = frozenset({"get", "delete"})
# Prisma Client's model methods: `prisma.<model>.<op>(...)` reads or writes the database.
PRISMA_OPS = frozenset(
    """
    findUnique findUniqueOrThrow findFirst findFirstOrThrow findMany create createMany
    createManyAndReturn update updateMany upsert delete deleteMany count aggregate groupBy
    """.split()  # noqa: SIM905 (words read better as words)
)
# Sequelize's static model methods: `Document.findByPk(id)` reads or writes the database, in
# a repository whose code imports Sequelize (a model class imported by the calling file).
SEQUELIZE_OPS = frozenset(
    """
    findByPk findOne findAll findAndCountAll findOrCreate findOrBuild findCreateFind create
    bulkCreate update destroy upsert count increment decrement restore
    """.split()  # noqa: SIM905
)
SEQUELIZE_SPECS = ("sequelize", "sequelize-typescript")
# Objection.js: a model class's query builder (`Page.query()`, `page.$query()`), called on
# the class or through a service locator's `models.pages` (the model file's name). Only on
# a name that is a model: a file importing Objection, by its class or its file name.
OBJECTION_OPS = frozenset({"query", "$query", "$relatedQuery", "relatedQuery"})
OBJECTION_SPEC = "objection"
MAX_OBJECTION_MODELS = 200  # model files parsed for their class names
# What a form or serializer object is called (`serializer`, `form`, `user_form`): its
# `.save()` writes the model row it validated (Django's ModelForm, DRF's ModelSerializer).
_VALIDATED = ("serializer", "form")


def _validated(name: str) -> bool:
    low = name.lower()
    return low in _VALIDATED or low.endswith(tuple("_" + v for v in _VALIDATED))


class OrmSinks:
    def __init__(self, facts: Mapping[str, FileFacts], calls: ReadCalls, rails: RailsModels):
        self.facts = facts
        self.calls = calls
        self.rails = rails
        self._sequelize: bool | None = None
        self._objection: frozenset[str] | None = None

    def sinks(self, path: str, scope: str) -> list[Sink]:
        """Queries through an ORM manager in `scope` (Django's `Document.objects.create(...)`):
        where a function reads or writes the database. The first one of the scope."""
        fc = self.calls(path)
        if fc is None:
            return []
        python = path.endswith(".py")
        if path.endswith(".rb"):
            return self.rails.sinks(path, fc, scope)
        for call in fc.calls_in(scope):
            parts = call.parts
            if python and len(parts) == 2 and parts[1] == "save" and _validated(parts[0]):
                # a Django ModelForm's or a DRF ModelSerializer's `form.save()`: its row
                what = f"queries the database ({parts[0]}.save)"
                return [Sink("datastore", "database (ORM)", call.line, what)]
            if not python and len(parts) == 2 and self._sequelize_model(fc, parts):
                what = f"queries the database (Sequelize {parts[0]}.{parts[1]})"
                return [Sink("datastore", "database (Sequelize)", call.line, what)]
            if (
                not python
                and len(parts) >= 2
                and parts[-1] in OBJECTION_OPS
                and parts[-2] in self._objection_models()
            ):
                what = f"queries the database (Objection {parts[-2]}.{parts[-1]})"
                return [Sink("datastore", "database (Objection)", call.line, what)]
            if len(parts) < 3:
                continue
            if python and parts[-2] == "objects":  # Django: `Document.objects.create(...)`
                what = f"queries the database ({parts[-3]}.objects.{parts[-1]})"
                return [Sink("datastore", "database (ORM)", call.line, what)]
            if python and (
                (parts[-2] == "session" and parts[-1] in SQLALCHEMY_SESSION_OPS)
                or (parts[-3:-1] == ("db", "session") and parts[-1] in SQLALCHEMY_DB_SESSION_OPS)
                or (parts[-2] == "query" and parts[-3][:1].isupper())
            ):  # SQLAlchemy: `db.session.add(post)`, Flask-SQLAlchemy's `User.query.get(1)`
                what = f"queries the database ({'.'.join(parts[-3:])})"
                return [Sink("datastore", "database (ORM)", call.line, what)]
            if not python and parts[-1] in PRISMA_OPS and "prisma" in parts[-3].lower():
                # Prisma: `this.prismaService.marketData.upsert(...)`
                what = f"queries the database (Prisma {parts[-2]}.{parts[-1]})"
                return [Sink("datastore", "database (Prisma)", call.line, what)]
        return []

    def _objection_models(self) -> frozenset[str]:
        """Names an Objection model goes by: the files importing Objection (`pages` of
        `models/pages.js`) and the classes they export (`Page`)."""
        if self._objection is None:
            names: set[str] = set()
            for path, f in self.facts.items():
                if f.language in ("javascript", "typescript") and any(
                    i.spec == OBJECTION_SPEC for i in f.imports
                ):
                    names.add(path.rpartition("/")[2].partition(".")[0])
                    fc = self.calls(path) if len(names) <= MAX_OBJECTION_MODELS else None
                    if fc is not None and fc.default_export:
                        names.add(fc.default_export)
            self._objection = frozenset(names)
        return self._objection

    def _sequelize_model(self, fc: FileCalls, parts: tuple[str, ...]) -> bool:
        """`Comment.findByPk` of a model class the file imports (or declares), in a
        repository whose code imports Sequelize (`Object.create` is no model's)."""
        if parts[1] not in SEQUELIZE_OPS or not parts[0][:1].isupper():
            return False
        if self._sequelize is None:
            self._sequelize = any(
                i.spec in SEQUELIZE_SPECS for f in self.facts.values() for i in f.imports
            )
        if not self._sequelize:
            return False
        return parts[0] in fc.classes or any(local == parts[0] for local, _, _ in fc.imports)
