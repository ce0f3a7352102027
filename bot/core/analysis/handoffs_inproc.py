"""Hand-offs inside one application (issue 18): an in-memory queue filled in one place and
drained by a loop elsewhere, and PostgreSQL's LISTEN/NOTIFY, in any language.

Per-file and pure like `handoffs`; the language scanners are `handoffs_inproc_python`,
`handoffs_inproc_ruby`, `handoffs_inproc_js` and `handoffs_inproc_workers_js` (Node worker
threads and forked children, named by their script). Every mechanism here needs both ends
(`movement._BOTH_ENDS`, `INPROC`): a `.put(` whose queue no loop drains, a `NOTIFY` nobody
listens to, says nothing. A queue is named by its variable (`update_q`), so the file that
makes it also says so (a `declare` site): the ends in files that only import the name count
only when some file makes a queue of that name (`keep_declared`), since `.put(`/`.push(` on
an imported name is also a cache's or a list's.

Not here, on purpose: `threading.Thread(target=f)` (unless handed a job row made for it:
`handoffs_thread_jobs`), Node's `EventEmitter`, NestJS
`@OnEvent`, Django signals. They run code, not a queue of work another part drains
(the development repositories' truth says so: microblog's mail thread, docmost's events).
blinker's named signals are here (`handoffs_signals`), only between two files: one name
is one object in the whole process, which is how a module hands events to another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.core.analysis import handoffs_thread_jobs as thread_jobs
from bot.core.analysis.handoff_task_objects import task_api_sites
from bot.core.analysis.handoffs_inproc_js import js_inproc_sites, js_may_hold
from bot.core.analysis.handoffs_inproc_python import python_inproc_sites, python_may_hold
from bot.core.analysis.handoffs_inproc_ruby import ruby_inproc_sites
from bot.core.analysis.handoffs_inproc_workers_js import (
    CHILD,
    FILE,
    WORKER,
    fits,
    script_name,
    worker_sites,
)
from bot.core.analysis.handoffs_inproc_workers_js import may_hold as workers_may_hold
from bot.core.analysis.handoffs_signals import SIGNAL, cross_file, signal_sites
from bot.core.analysis.handoffs_signals import may_hold as signals_may_hold
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

MAX_LINE = 2_000
QUEUE = "in-process-queue"
PG = "pg-notify"
NOTIFICATIONS = "as-notifications"
# Mechanisms whose one end alone is no hand-off (their unpaired producers are no flow sink).
INPROC = frozenset({QUEUE, PG, NOTIFICATIONS, WORKER, CHILD, SIGNAL, thread_jobs.MECHANISM})
_SCRIPTED = frozenset({WORKER, CHILD})  # ends named by a script's file

# `NOTIFY jobs, 'payload'`, `pg_notify('jobs', …)` in a SQL string; `LISTEN jobs`; asyncpg's
# `add_listener('jobs', cb)`, Go pq's `listener.Listen("jobs")`, pg-listen's `listenTo('jobs')`.
# Upper case only: the SQL words in lower case are everyday English in code.
_NOTIFY = lazy(r"(?<![\w.])NOTIFY[ \t]++\"?([A-Za-z_]\w{0,100}+)")
_PG_NOTIFY = lazy(r"pg_notify\([ \t]*+['\"]([A-Za-z_]\w{0,100}+)['\"]")
_LISTEN = lazy(r"(?<![\w.])LISTEN[ \t]++\"?([A-Za-z_]\w{0,100}+)")
# pq's `Listen("jobs")` has one argument: `net.Listen("tcp", addr)` is a socket.
_LISTENER = lazy(
    r"\.(?:(?:add_listener|listenTo)\([ \t]*+['\"]([A-Za-z_]\w{0,100}+)['\"][ \t]*+[,)]"
    r"|Listen\([ \t]*+\"([A-Za-z_]\w{0,100}+)\"[ \t]*+\))"
)
_PG_WORDS = ("NOTIFY", "LISTEN", "pg_notify", "add_listener(", ".Listen(", "listenTo(")
_PG = Needles(_PG_WORDS)
_COMMENTS = ("#", "//", "--", "/*", "*")


def inproc_sites(language: str, text: str) -> tuple[HandoffSite, ...]:
    """The in-process and LISTEN/NOTIFY sites of one file (see the module doc)."""
    out: list[HandoffSite] = []
    if language == "python":
        out += python_inproc_sites(text) + thread_jobs.thread_job_sites(text)
        out += task_api_sites(text)
        if signals_may_hold(text):
            out += signal_sites(text)
    elif language == "ruby":
        out += ruby_inproc_sites(text)
    elif language in ("javascript", "typescript"):
        out += js_inproc_sites(text)
        if workers_may_hold(text):
            out += worker_sites(text)
    if language in ("python", "ruby", "javascript", "typescript", "go") and _PG.any_in(text):
        out += _pg_sites(text)
    return tuple(dict.fromkeys(out))  # 50,000 `.get()` in one loop are one consumer


def may_move(language: str, text: str) -> bool:
    """Whether a Python or JS/TS file could hold a site here (`movement`'s gate)."""
    if _PG.any_in(text):
        return True
    if language == "python":
        return python_may_hold(text) or signals_may_hold(text) or thread_jobs.may_hold(text)
    return js_may_hold(text) or workers_may_hold(text)


def _pg_sites(text: str) -> list[HandoffSite]:
    out: list[HandoffSite] = []
    for i, raw in enumerate(text.split("\n"), 1):
        if not any(w in raw for w in _PG_WORDS):
            continue
        line = raw[:MAX_LINE]
        if line.lstrip().startswith(_COMMENTS):
            continue
        quote = min(
            (p for p in (line.find("'"), line.find('"'), line.find("`")) if p != -1), default=-1
        )
        for pattern, role in ((_NOTIFY, "produce"), (_PG_NOTIFY, "produce"), (_LISTEN, "consume")):
            for m in pattern.finditer(line):
                # SQL words count inside a string only (a constant named LISTEN is none).
                if pattern is not _PG_NOTIFY and not 0 <= quote < m.start():
                    continue
                name = m.group(1) if pattern is _PG_NOTIFY else m.group(1).lower()
                out.append(HandoffSite(role, PG, name, i))
        for m in _LISTENER.finditer(line):
            out.append(HandoffSite("consume", PG, m.group(1) or m.group(2), i))
    return out


def settle(facts: Mapping[str, FileFacts]) -> dict[str, FileFacts]:
    """`facts` without the in-process queue ends whose name no file makes a queue of, nor
    the signal ends that no other file answers, and with a worker script's consumer named
    by its file."""
    return _name_scripts(cross_file(keep_declared(facts)))


def _name_scripts(facts: dict[str, FileFacts]) -> dict[str, FileFacts]:
    for path, f in facts.items():
        if any(s.name == FILE for s in f.handoffs):
            named = replace_name(f.handoffs, script_name(path))
            facts[path] = replace(f, handoffs=named)
    return _fit_templates(facts)


MAX_FITS = 20  # scripts one templated script name is paired with


def _fit_templates(facts: dict[str, FileFacts]) -> dict[str, FileFacts]:
    """A producer naming its script by a template (`export-${kind}`) produces to each
    script whose name fits it (`export-posts`, `export-uploads`)."""
    templated = [
        path
        for path, f in facts.items()
        if any(
            s.role == "produce" and "${" in s.name and s.mechanism in _SCRIPTED for s in f.handoffs
        )
    ]
    if not templated:
        return facts
    scripts = sorted(
        {
            s.name
            for f in facts.values()
            for s in f.handoffs
            if s.role == "consume" and s.mechanism in _SCRIPTED
        }
    )
    for path in templated:
        sites: list[HandoffSite] = []
        for s in facts[path].handoffs:
            if s.role != "produce" or "${" not in s.name or s.mechanism not in _SCRIPTED:
                sites.append(s)
                continue
            fitting = [n for n in scripts if fits(s.name, n)][:MAX_FITS]
            sites.extend(replace(s, name=n) for n in fitting)
        facts[path] = replace(facts[path], handoffs=tuple(sites))
    return facts


def replace_name(sites: tuple[HandoffSite, ...], name: str) -> tuple[HandoffSite, ...]:
    return tuple(replace(s, name=name) if s.name == FILE else s for s in sites)


def keep_declared(facts: Mapping[str, FileFacts]) -> dict[str, FileFacts]:
    """`facts` without the in-process queue ends whose name no file makes a queue of. A
    variable made from a class of the repository (`made`) is made a queue when some file
    defines that class as one (`queue-class`)."""
    kinds = {
        s.name
        for f in facts.values()
        for s in f.handoffs
        if s.role == "queue-class" and s.mechanism == QUEUE
    }
    declared = {
        s.name
        for f in facts.values()
        for s in f.handoffs
        if s.mechanism == QUEUE
        and (s.role == "declare" or (s.role == "made" and s.aliases and s.aliases[0] in kinds))
    }
    out = dict(facts)
    for path, f in facts.items():
        if any(s.mechanism == QUEUE and s.name not in declared for s in f.handoffs):
            kept = tuple(
                s
                for s in f.handoffs
                if s.mechanism != QUEUE or s.name in declared or s.role == "queue-class"
            )
            out[path] = replace(f, handoffs=kept)
    return out
