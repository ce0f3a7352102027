"""A database table polled as a queue through ActiveRecord (Ruby), across files.

The consumer (per file, `claim_sites`): a statement that claims rows of a model for one
worker, so that no other worker takes them — `Model.<scopes>.update_all(locked_by: me,
locked_at: now)` (a lock column written on the rows it selected), or a select with
`lock("FOR UPDATE SKIP LOCKED")`. The statement may run over several lines (`Model.where(…)`
then `.limit(1)` then `.update_all(…)`). It is cited at the class's entry method (`call`,
`perform`, `run`…) that calls the claiming method, else at the claiming method's `def`.

The producers (`link_ruby_tables`): every `Model.create(`/`create!(`/`insert_all(` and
every `.<table>.create(` through an association (`account.pending_exports.create!` for
`PendingExport`) in the repository's Ruby files; and, one level up, the calls of the method
that holds such a create (`def enqueue_export` → `report.enqueue_export`; `def self.emit`
→ `PendingExport.emit(`), cited at the call with the method's name. Rails loads constants
without imports, so files are searched by the names they hold (`MAX_FILES` read,
`MAX_SITES` producers per model). Patterns are linear; loops are capped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping

from bot.core.analysis.table_queue import MECHANISM as TABLE
from bot.core.analysis.words import contains
from bot.core.model import FileFacts, HandoffSite

MAX_LINE = 2_000
MAX_CHAIN = 20  # continuation lines (`.where(…)` on its own line) read per statement
MAX_CLAIMS = 50
MAX_FILES = 2_000
MAX_TEXT = 2_000_000
MAX_SITES = 60  # producers per model
MAX_WRAPPERS = 40
MAX_ENTRIES = 20  # entry methods (`def call`) looked into per file
MAX_MODELS = 20
MAX_BODY = 500  # lines of an entry method read for the claiming method's name

_DEF = re.compile(r"\A([ \t]*+)def[ \t]++(self\.)?([a-z_]\w{0,100}+[?!]?)")
_CLASS = re.compile(r"\A[ \t]*+class[ \t]++(?:(<<)|(?:[A-Z]\w{0,100}+::){0,10}([A-Z]\w{0,100}+))")
# A statement that starts with a model constant (maybe assigned): `Job.where(…)`, `rows = Job`
_HEAD = re.compile(
    r"\A[ \t]*+(?:[@a-z_]\w{0,100}+[ \t]*+=[ \t]*+)?(?:::)?(?:[A-Z]\w{0,100}+::){0,10}"
    r"([A-Z]\w{0,100}+)[ \t]*+(?:\.|\Z)"
)
_LOCK_COLUMN = re.compile(
    r"\.update_all\([^\n]{0,400}?\b(?:locked|claimed|leased|reserved|picked)_(?:by|at|until)"
    r"[ \t]*+(?::|=>|=)"
)
_SKIP_LOCKED = re.compile(r"\.lock\([^\n]{0,200}?SKIP[ \t]++LOCKED", re.IGNORECASE)
# The methods a worker loop calls on a job object.
_ENTRIES = frozenset({"call", "perform", "run", "process", "work", "execute", "tick"})
_NOT_MODELS = frozenset({"ActiveRecord", "Rails", "Time", "Date", "DateTime", "Thread"})
# A model's rows made by a call on the class or on an association (`.exports.create!(`).
_MADE = r"\.(?:create!?|insert!?|insert_all!?|find_or_create_by!?)(?![\w?!])"
# Methods too common to follow across files by name alone.
_COMMON = frozenset(
    {"call", "perform", "run", "process", "save", "create", "update", "initialize", "new"}
)


def claim_sites(text: str) -> tuple[HandoffSite, ...]:
    """Consumers of tables claimed as queues in one Ruby file."""
    if (
        not contains(text, "update_all")
        and not contains(text, "SKIP LOCKED")
        and not contains(text, "skip locked")
    ):
        return ()
    lines = [raw[:MAX_LINE] for raw in text.split("\n")]
    defs: list[tuple[int, int, str]] = []  # (line, indent, name)
    claims: list[tuple[str, int, str]] = []  # (model, line of the holding def, its name)
    k = 0
    while k < len(lines) and len(claims) < MAX_CLAIMS:
        line = lines[k]
        d = _DEF.match(line)
        if d is not None:
            defs.append((k + 1, len(d.group(1)), d.group(3)))
            k += 1
            continue
        head = _HEAD.match(line)
        if head is None or head.group(1) in _NOT_MODELS or line.lstrip().startswith("#"):
            k += 1
            continue
        end = k + 1
        while end < len(lines) and end - k <= MAX_CHAIN and lines[end].lstrip().startswith("."):
            end += 1
        statement = "".join(part.strip() for part in lines[k:end])
        if _LOCK_COLUMN.search(statement) or _SKIP_LOCKED.search(statement):
            indent = len(line) - len(line.lstrip())
            holder = next((d for d in reversed(defs) if d[1] < indent), None)
            if holder is not None:
                claims.append((head.group(1), holder[0], holder[2]))
        k = end
    out: set[HandoffSite] = set()
    named = [d for d in defs if d[2] in _ENTRIES][:MAX_ENTRIES]
    for model, at, name in claims:
        entries = [d[0] for d in named if d[0] != at and _calls(lines, d, name)]
        for cited in entries or [at]:
            out.add(HandoffSite("consume", TABLE, model, cited))
    return tuple(sorted(out))


def _calls(lines: list[str], d: tuple[int, int, str], name: str) -> bool:
    """Whether the body of the method defined at `d` names `name` (up to the next `def` at
    its level or above)."""
    word = re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w?!])")
    for line in lines[d[0] : d[0] + MAX_BODY]:
        m = _DEF.match(line)
        if m is not None and len(m.group(1)) <= d[1]:
            return False
        if word.search(line) and not line.lstrip().startswith("#"):
            return True
    return False


def _table(model: str) -> str:
    """`PendingExport` -> `pending_exports`, the association's usual name."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", model).lower()
    if snake.endswith("y") and snake[-2:-1] not in "aeiou":
        return snake[:-1] + "ies"
    if snake.endswith(("s", "x", "ch", "sh")):
        return snake + "es"
    return snake + "s"


def link_ruby_tables(
    facts: Mapping[str, FileFacts], read: Callable[[str], str | None], skip: Callable[[str], bool]
) -> tuple[dict[str, set[HandoffSite]], set[tuple[str, int]]]:
    """Producer sites of the Ruby tables some file claims as a queue, by file; and the
    (path, line) of those found through a method that creates the row."""
    models = {
        s.name
        for p, f in facts.items()
        if f.language == "ruby" and not skip(p)
        for s in f.handoffs
        if s.role == "consume" and s.mechanism == TABLE
    }
    if not models:
        return {}, set()
    models = set(sorted(models)[:MAX_MODELS])
    ruby = sorted(p for p, f in facts.items() if f.language == "ruby" and not skip(p))[:MAX_FILES]
    texts: dict[str, str] = {}
    for p in ruby:
        texts[p] = (read(p) or "")[:MAX_TEXT]
    added: dict[str, set[HandoffSite]] = defaultdict(set)
    derived: set[tuple[str, int]] = set()
    for model in sorted(models):
        table = _table(model)
        made = re.compile(rf"(?:(?<!\w){model}|\.{table}){_MADE}")
        wrappers: list[tuple[str, str, bool, str, int]] = []  # (path, name, on class, owner, line)
        count = 0
        for p in ruby:
            text = texts[p]
            if model not in text and f".{table}." not in text:
                continue
            lines = text.split("\n")
            for i, raw in enumerate(lines, 1):
                line = raw[:MAX_LINE]
                if line.lstrip().startswith("#") or (model not in line and table not in line):
                    continue
                m = made.search(line)
                if m is None or count >= MAX_SITES:
                    continue
                via = (table,) if m.group(0).startswith(".") else ()
                added[p].add(HandoffSite("produce", TABLE, model, i, via))
                count += 1
                holder = _holder(lines, i)
                if holder is not None and len(wrappers) < MAX_WRAPPERS:
                    wrappers.append((p, *holder, i))
        for home, name, on_class, owner, at in wrappers:
            for p, site in _callers(texts, home, name, on_class, owner, at, model):
                if count >= MAX_SITES:
                    break
                added[p].add(site)
                derived.add((p, site.line))
                count += 1
    return dict(added), derived


def _holder(lines: list[str], i: int) -> tuple[str, bool, str] | None:
    """The method around line `i` (its name, whether it is a class method) and the class
    it belongs to, read upwards by indentation."""
    indent = len(lines[i - 1]) - len(lines[i - 1].lstrip())
    name: str | None = None
    on_class = False
    for k in range(i - 2, max(-1, i - 2 - 2_000), -1):
        line = lines[k][:MAX_LINE]
        here = len(line) - len(line.lstrip())
        if not line.strip() or here >= indent or line.lstrip().startswith("#"):
            continue
        indent = here
        if name is None:
            d = _DEF.match(line)
            if d is None:
                continue
            name, on_class = d.group(3), d.group(2) is not None
            continue
        c = _CLASS.match(line)
        if c is not None:
            if c.group(1):  # `class << self`
                on_class = True
                continue
            if name in _COMMON:
                return None
            return name, on_class, c.group(2)
    return None


def _callers(
    texts: Mapping[str, str],
    home: str,
    name: str,
    on_class: bool,
    owner: str,
    at: int,
    model: str,
) -> list[tuple[str, HandoffSite]]:
    """Calls of a row-creating method: `Owner.name` for a class method; for an instance
    method `x.name` anywhere (a name with an underscore: specific enough) and a bare
    `name` in its own file."""
    word = re.escape(name)
    own = re.compile(rf"(?<![\w:@$]){word}(?![\w?!=:])")  # bare or `self.name` at home
    if on_class:
        call = re.compile(rf"(?<!\w){owner}\.{word}(?![\w?!=:])")
    else:
        call = re.compile(rf"\.{word}(?![\w?!=:])")
    out: list[tuple[str, HandoffSite]] = []
    for p, text in texts.items():
        if name not in text or (not on_class and "_" not in name and p != home):
            continue
        pattern = own if p == home and not on_class else call
        for i, raw in enumerate(text.split("\n"), 1):
            line = raw[:MAX_LINE]
            if name not in line or (p == home and i == at):
                continue
            if line.lstrip().startswith(("#", "def ")) or pattern.search(line) is None:
                continue
            out.append((p, HandoffSite("produce", TABLE, model, i, (name,))))
            if len(out) >= MAX_SITES:
                return out
    return out
