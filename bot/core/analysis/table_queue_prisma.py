"""A database table polled as a queue through Prisma (JavaScript/TypeScript), across files.

The consumer: a function that polls forever (a `loops.js_loops` schedule) and selects rows of
a model whose marker field is unset — `prisma.link.findMany({ where: { lastPreserved: null
} })`, in its own file or in a helper it imports (`getBatch({ where: { indexVersion: null }
})`). A marker is a field the schema (`*.prisma`) declares optional or Boolean on that model,
written `field: null` or `field: false`. The consumer is cited at the polling function's
`function` line, and at the exported functions of its file that call it (the worker's entry
calls a private loop).

The producers: the places that make rows wait — every `.<model>.create(`, `createMany(` or
`upsert(` of that model (a new row starts with its markers unset) and every `.<model>.update(`
or `updateMany(` whose `data` sets a marker back to `null`/`false`. They are cited at the
call. One hand-off per model, named by the model. Bounded: `MAX_FILES` files searched,
`MAX_SITES` producers per model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.core.analysis.loops import MECHANISM as LOOP
from bot.core.analysis.scan import Lines
from bot.core.analysis.table_queue import MECHANISM as TABLE
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite, ImportRef

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadText = Callable[[str], "str | None"]

MAX_FILES = 2_000  # JS/TS files searched for producers
MAX_TEXT = 1_000_000  # characters of one file searched
MAX_IMPORTS = 30  # imported files read per consumer file
MAX_SITES = 60  # producers per model
MAX_CALL = 3_000  # characters of a call's arguments read for its `data`
MAX_UPDATES = 200  # update calls read per file
MAX_BODY = 500  # lines of an exported function read for a call of its loop
_JS = frozenset({"javascript", "typescript"})

_MODEL = lazy(r"^model[ \t]++([A-Za-z_]\w{0,100})[ \t]*+\{", re.MULTILINE)
# `lastPreserved DateTime?`, `aiTagged Boolean @default(false)`
_FIELD = lazy(r"^[ \t]*+([A-Za-z_]\w{0,100})[ \t]++(?:\w{1,60}\?|Boolean\b)", re.MULTILINE)
_FIND = lazy(r"\.([a-z]\w{0,100})\.find(?:Many|First)\(")
_MARKER = lazy(r"(?<![\w.])([A-Za-z_]\w{0,100})[ \t]*+:[ \t]*+(?:null|false)\b")
_WRITE = lazy(r"\.([a-z]\w{0,100})\.(create|createMany|upsert|update|updateMany)\(")
_EXPORTED = lazy(
    r"export[ \t]++(?:default[ \t]++)?(?:async[ \t]++)?function\*?[ \t]*+([A-Za-z_$][\w$]{0,100})"
)


def schema_markers(texts: list[str]) -> dict[str, frozenset[str]]:
    """Prisma client accessor (`link` for `model Link`) -> its optional and Boolean fields."""
    out: dict[str, frozenset[str]] = {}
    for text in texts:
        for m in _MODEL.finditer(text):
            end = text.find("\n}", m.end())
            body = text[m.end() : end if end != -1 else len(text)]
            name = m.group(1)
            out[name[0].lower() + name[1:]] = frozenset(f.group(1) for f in _FIELD.finditer(body))
    return out


def link_prisma(
    facts: Mapping[str, FileFacts], resolve: Resolve, read: ReadText, skip: Callable[[str], bool]
) -> dict[str, set[HandoffSite]]:
    """Consumer and producer sites of Prisma tables polled as queues, by file."""
    pollers = [
        p
        for p, f in facts.items()
        if f.language in _JS and not skip(p) and any(s.mechanism == LOOP for s in f.schedules)
    ]
    if not pollers:
        return {}
    schemas = [t for p in facts if p.endswith(".prisma") if (t := read(p)) is not None]
    models = schema_markers(schemas)
    if not models:
        return {}
    added: dict[str, set[HandoffSite]] = {}
    polled: dict[str, set[str]] = {}  # accessor -> marker fields polled
    for path in pollers:
        text = _text(read, path)
        if text is None:
            continue
        texts = [text]
        for ref in facts[path].imports[:MAX_IMPORTS]:
            got = resolve(path, facts[path].language, ref)
            if got and got in facts and facts[got].language in _JS and not skip(got):
                more = _text(read, got)
                if more is not None:
                    texts.append(more)
        found = _polled(texts, models)
        lines = _consumer_lines(text, facts[path]) if found else []
        if not lines or _never_started(facts, resolve, read, skip, path, text, lines):
            continue
        for accessor, fields in found.items():
            polled.setdefault(accessor, set()).update(fields)
            model = accessor[0].upper() + accessor[1:]
            for line in lines:
                added.setdefault(path, set()).add(HandoffSite("consume", TABLE, model, line))
    if polled:
        _producers(facts, read, skip, polled, added)
    return added


def _text(read: ReadText, path: str) -> str | None:
    text = read(path)
    return None if text is None else text[:MAX_TEXT]


def _polled(texts: list[str], models: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    """accessor -> marker fields, for the models these texts select with an unset marker."""
    selected = {m.group(1) for t in texts for m in _FIND.finditer(t) if m.group(1) in models}
    markers = {m.group(1) for t in texts for m in _MARKER.finditer(t)}
    out: dict[str, set[str]] = {}
    for accessor in selected:
        fields = markers & models[accessor]
        if fields:
            out[accessor] = fields
    return out


def _consumer_lines(text: str, f: FileFacts) -> list[int]:
    """The `function` lines of the file's polling loops, and of its exported functions
    that call a loop function that is not exported itself."""
    lines = text.split("\n")
    holders = {s.name for s in f.schedules if s.mechanism == LOOP and s.name}
    out: list[int] = []
    exported: dict[str, int] = {}
    for i, line in enumerate(lines, 1):
        m = _EXPORTED.match(line)
        if m:
            exported[m.group(1)] = i
    private = []
    for name in sorted(holders):
        head = re.compile(rf"(?:function\*?[ \t]*+{re.escape(name)}\b|{re.escape(name)}[ \t]*+=)")
        at = next((i for i, line in enumerate(lines, 1) if head.search(line)), None)
        if at is not None:
            out.append(at)
            if name not in exported:
                private.append(name)
    for name, at in exported.items():
        if name in holders:
            continue
        body = _body(lines, at)
        if any(f"{p}(" in body for p in private):
            out.append(at)
    return sorted(set(out))


def _never_started(
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    read: ReadText,
    skip: Callable[[str], bool],
    path: str,
    text: str,
    lines: list[int],
) -> bool:
    """Whether the files that import the poller's module only import it: none calls one
    of its exported loop functions outside a comment (`// startReminders();`). A module
    nothing imports is run as it is (`tsx worker.ts`)."""
    all_lines = text.split("\n")
    names = set()
    for at in lines:
        m = _EXPORTED.match(all_lines[at - 1])
        if m:
            names.add(m.group(1))
    if not names:
        return False
    stem = path.rpartition("/")[2].partition(".")[0]
    importers = 0
    for other, f in facts.items():
        if other == path or f.language not in _JS or skip(other):
            continue
        refs = [r for r in f.imports if r.spec.rpartition("/")[2].partition(".")[0] == stem]
        if not any(resolve(other, f.language, r) == path for r in refs):
            continue
        importers += 1
        got = _text(read, other)
        if got is None:
            return False
        for line in got.split("\n"):
            code = line.strip()
            if not code.startswith(("//", "*", "/*", "import ")) and any(
                f"{n}(" in code for n in names
            ):
                return False
        if importers >= MAX_IMPORTS:
            return False
    return importers > 0


def _body(lines: list[str], at: int) -> str:
    """A top-level function's text: from its line to the next line closing at column 0."""
    end = at
    last = min(len(lines), at + MAX_BODY)
    while end < last and not lines[end].startswith("}"):
        end += 1
    return "\n".join(lines[at : end + 1])


def _producers(
    facts: Mapping[str, FileFacts],
    read: ReadText,
    skip: Callable[[str], bool],
    polled: dict[str, set[str]],
    added: dict[str, set[HandoffSite]],
) -> None:
    needles = tuple(f".{a}." for a in polled)
    count: dict[str, int] = {}
    looked = 0
    for path in sorted(facts):
        f = facts[path]
        if f.language not in _JS or skip(path) or _seed(path):
            continue
        looked += 1
        if looked > MAX_FILES:
            break
        text = _text(read, path)
        if text is None or not any(n in text for n in needles):
            continue
        at = Lines(text)
        read_calls = 0
        for m in _WRITE.finditer(text):
            accessor, verb = m.group(1), m.group(2)
            if accessor not in polled or count.get(accessor, 0) >= MAX_SITES:
                continue
            if verb.startswith("update"):
                read_calls += 1
                if read_calls > MAX_UPDATES:
                    break
                if not _resets(text, m.end(), polled[accessor]):
                    continue
            model = accessor[0].upper() + accessor[1:]
            added.setdefault(path, set()).add(
                # via the client's name for it, which the line shows (`db.photo.create(`)
                HandoffSite("produce", TABLE, model, at.at(m.start()), (accessor,))
            )
            count[accessor] = count.get(accessor, 0) + 1


def _seed(path: str) -> bool:
    """A seed script (`prisma/seed.ts`, `seeds/users.js`) fills a fresh database once."""
    parts = path.split("/")
    stem = parts[-1].partition(".")[0]
    return stem in ("seed", "seeds") or any(p in ("seed", "seeds", "seeders") for p in parts[:-1])


def _resets(text: str, start: int, fields: set[str]) -> bool:
    """Whether the update call opening at `start` sets one of `fields` to null/false in its
    `data` (not in its `where`)."""
    args = text[start : start + MAX_CALL]
    depth = 1
    for i, ch in enumerate(args):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            args = args[:i]
            break
    data = args.find("data")
    if data == -1:
        return False
    return any(m.group(1) in fields for m in _MARKER.finditer(args, data))
