"""Hand-off sites that take more than one file to see, added before the pairing.

* Producer wrappers: a function whose body enqueues or sends (`def launch_task(self, name)`
  around `q.enqueue(f"app.tasks.{name}")`, Go's `func (p *Pool) Push(jobs)` around
  `p.queue <- job`) is a producer API, so its call sites are producers of the same hand-off.
  When the wrapper names the job from a parameter, each caller's literal argument names it
  (`launch_task("export_posts", …)` enqueues `app.tasks.export_posts`), and the wrapper's
  own line is kept as a producer of that job. One level only (a wrapper of a wrapper is
  not followed), callers only in files that import the wrapper's module (Python; or that
  import its name from a package `__init__.py` re-exporting it, `MAX_REEXPORTS` deep) or in
  packages that import the wrapper's package (Go), or its own file or package, at most
  `MAX_CALLERS` per wrapper.
* Jobs named by a function (`handoff_targets`): its `def` is the consumer. A thread job's
  `target=obj.method` (`handoffs_thread_jobs`): the nearest `def method` the producer's
  file reaches by its imports.
* RQ jobs named by a dotted path through a wrapper: the consumer is the function at that
  path (`app/tasks.py`, `def export_posts`).
* Go channels in struct fields: a goroutine started with a field as its argument k
  (`go w.Run(p.queue, …)`) and a function of the same package and name whose parameter k is
  a channel of the same element type that it receives from make the field's sends producers
  and that function a consumer, named by the element type (`model.Job`). The limits: the
  types are compared as written (an import alias defeats it), only a spawn in the same
  package is followed, and two fields of one element type in a package are one hand-off.
  A field received from by a function of its package (`for r := range s.queue`, `case r :=
  <-s.queue:`, a `drain` site) is the same: its sends produce, the function (or the
  goroutine literal around the receive) consumes.

Reads the caller files' text (bounded by `MAX_FILES` and `handoff_links_js.MAX_TEXT`), so
this runs in the analysis stage, after extraction; it is pure given the reader.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from bot.core.analysis import (
    handoff_links_js,
    handoff_queue_classes_js,
    handoff_queues_js,
    handoff_wrappers_js,
    handoff_wrappers_ruby,
    job_definitions_js,
)
from bot.core.analysis import handoff_task_objects as task_objects
from bot.core.analysis import handoffs_go_buffers as buffers
from bot.core.analysis import handoffs_go_callbacks as callbacks
from bot.core.analysis import handoffs_go_events as events
from bot.core.analysis import handoffs_go_globals as globals_
from bot.core.analysis import handoffs_thread_jobs as thread_jobs
from bot.core.analysis.handoff_decorated import decorated_consumers
from bot.core.analysis.handoff_targets import target_consumers
from bot.core.analysis.handoffs import SITE_ORDER
from bot.core.analysis.handoffs_go import SENT_SIGNALS
from bot.core.analysis.handoffs_go_hubs import PUBLISH, RECEIVE, SUBSCRIBE
from bot.core.analysis.handoffs_inproc_python import QUEUE
from bot.core.analysis.handoffs_python_patterns import _COMMON_METHODS
from bot.core.analysis.py_defs import DefIndex, split_args
from bot.core.analysis.scan import Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.analysis.table_queue import MECHANISM as TABLE
from bot.core.analysis.table_queue_go import link_go_tables
from bot.core.analysis.table_queue_prisma import link_prisma
from bot.core.analysis.table_queue_ruby import link_ruby_tables
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite, ImportRef

MAX_CALLERS = 20  # call sites taken per wrapper
MAX_WRAPPERS = 200
MAX_FILES = 400  # files searched per wrapper
MAX_CALL_TEXT = 600  # characters after a call's "(" read for its arguments
MAX_NAMES = 50
MAX_REEXPORTS = 2  # package `__init__.py` files a wrapper's name is followed through
MAX_FINDS = 2_000  # places a model's name is looked at in one file
MAX_SAVE_LINES = 30  # lines between `x = Model(` and `x.save(`
MAX_THREAD_DEPTH = 4  # import levels searched for a thread job's target method

_Sites = list[tuple[str, HandoffSite]]
Resolve = handoff_links_js.Resolve
ReadText = handoff_links_js.ReadText
_LITERAL = lazy(r"\A(['\"])([\w.:\-]{1,200}+)\1\Z")
_IDENT = re.compile(r"\A[A-Za-z_][\w.]{0,200}+\Z")
# Matched on a line's code past its indentation: no leading run of blanks to rescan.
_ASSIGNED = lazy(r"([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+")
_KWARG = lazy(r"\A([A-Za-z_]\w{0,100}+)[ \t]*+=(?!=)[ \t]*+(.{0,400})\Z", re.S)


def _dir(path: str) -> str:
    return path.rpartition("/")[0]


def _made(
    got: tuple[str, list[str]], model: str, factories: list[int] | None = None
) -> list[tuple[int, tuple[str, ...]]]:
    """Lines that write a row of `model`: `Model.objects.create(` or `.bulk_create(`, or the
    `x.save(` a few lines below `x = Model(` in the same block (a model made and never saved
    is no row), with the name that line uses for the row (`x`) when it does not name the
    model. A row made and returned unsaved (`return x`) has its line put in `factories`:
    the function is a factory whose callers save it."""
    text, lines = got
    at = Lines(text)
    out: list[tuple[int, tuple[str, ...]]] = []
    create = model + ".objects.create("
    bulk = model + ".objects.bulk_create("  # many rows in one statement
    for pos in _positions(text, (model + "(", create, bulk), MAX_FINDS):
        before = text[pos - 1] if pos else " "
        if before.isalnum() or before in "_.":
            continue
        i = at.at(pos)
        line = lines[i - 1]
        if line.lstrip().startswith("#"):
            continue
        via: tuple[str, ...] = ()
        if text.startswith((create, bulk), pos):
            saved: int | None = i
        else:
            code = line.lstrip()
            m = _ASSIGNED.match(code)
            saved = None
            if m is not None and code[m.end() :].startswith(model + "("):
                saved, via = _saved(lines, i, m.group(1)), (m.group(1),)
                returned = saved is None and _saved(lines, i, m.group(1), "return ")
                if returned and factories is not None:
                    factories.append(i)
        if saved is not None and all(saved != line for line, _ in out):
            out.append((saved, via))
            if len(out) >= MAX_CALLERS:
                break
    return out


def _saved(lines: list[str], i: int, var: str, verb: str = "") -> int | None:
    """The line, within `MAX_SAVE_LINES` below line `i` and in its block, that calls
    `var.save(` (or, given a `verb`, that reads `verb var`, as `return x`)."""
    needle = verb + var if verb else var + ".save("
    indent = len(lines[i - 1]) - len(lines[i - 1].lstrip())
    for k in range(i, min(len(lines), i + MAX_SAVE_LINES)):
        code = lines[k].rstrip()
        if code and len(code) - len(code.lstrip()) < indent and not code.lstrip().startswith(")"):
            return None  # the block (the function) ended: a save below is another row's
        if verb:
            if code.strip() == needle:
                return k + 1
            continue
        pos = lines[k].find(needle)
        if pos != -1 and (
            pos == 0 or not (lines[k][pos - 1].isalnum() or lines[k][pos - 1] in "_.")
        ):
            return k + 1
    return None


def _stem(path: str) -> str:
    """The name a module is imported by: `app/models.py` -> models, `app/jobs/__init__.py`
    -> jobs."""
    name = path.rpartition("/")[2].removesuffix(".py")
    return _dir(path).rpartition("/")[2] if name == "__init__" else name


def _last(name: str) -> str:
    return re.split(r"[.:]", name)[-1]


class _Linker(handoff_links_js.LinkerState):
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read_text: ReadText,
        skip: Callable[[str], bool],
    ) -> None:
        super().__init__(facts, resolve, read_text, skip)
        self.dropped: dict[str, set[HandoffSite]] = defaultdict(set)
        # callers of a wrapper whose job is fixed: the flows' call walk enters the wrapper
        # and reaches its own enqueue line, which says more than the call does
        self.walkable: dict[str, set[HandoffSite]] = defaultdict(set)
        self._importers: dict[str, set[str]] | None = None
        self._go_dirs: dict[str, set[str]] | None = None
        self.python_wrappers: set[str] = set()
        self.wrapper_names: set[str] = set()  # Python wrappers' function names
        self.lifted: list[tuple[str, HandoffSite]] = []  # functions calling a huey task
        self._defs: dict[str, DefIndex] = {}

    # --- reading ---

    def lines(self, path: str) -> list[str] | None:
        got = self.text(path)
        return None if got is None else got[1]

    def importers(self, target: str) -> set[str]:
        """Python files whose imports resolve to `target`. Only imports that name the
        module's last part (`app.models`, `from app import models`, `.models`) are
        resolved: resolving every import of a large Django project cost ~0.1 s."""
        if self._importers is None:
            self._importers = defaultdict(set)
            stems = {_stem(p) for p in self.python_wrappers}
            for path, f in self.facts.items():
                if f.language != "python" or self.skip(path):
                    continue
                for ref in f.imports:
                    # `from app import models` imports app/models.py too
                    subs = [
                        ImportRef(f"{ref.spec}.{n}" if ref.spec else n, ref.line, ref.level)
                        for n in ref.names[:MAX_NAMES]
                        if n in stems
                    ]
                    # `from app.jobs import enqueue_report`: the package that re-exports it
                    if ref.spec.rpartition(".")[2] in stems or any(
                        n in self.wrapper_names for n in ref.names[:MAX_NAMES]
                    ):
                        subs.append(ref)
                    for sub in subs:
                        got = self.resolve(path, "python", sub)
                        if got:
                            self._importers[got].add(path)
        return self._importers.get(target, set())

    def go_dirs(self, wrapper_dir: str) -> set[str]:
        """Go package folders that import `wrapper_dir`'s package, with that folder."""
        if self._go_dirs is None:
            self._go_dirs = defaultdict(set)
            for path, f in self.facts.items():
                if f.language != "go" or self.skip(path):
                    continue
                for ref in f.imports:
                    got = self.resolve(path, "go", ref)
                    if got:
                        self._go_dirs[got.rstrip("/")].add(_dir(path))
        return {wrapper_dir} | self._go_dirs.get(wrapper_dir, set())

    # --- the rules ---

    def run(self) -> None:
        wrappers: list[tuple[str, HandoffSite]] = []
        drainers: _Sites = []
        threads: _Sites = []
        sends: _Sites = []
        spawns: _Sites = []
        receives: _Sites = []
        foreign: _Sites = []
        hubs: _Sites = []
        registries: _Sites = []
        frecvs: _Sites = []
        bus: _Sites = []
        package_vars: _Sites = []
        for path, f in self.facts.items():
            if not f.handoffs or self.skip(path):
                continue
            for s in f.handoffs:
                if s.role == "wrapper":
                    wrappers.append((path, s))
                elif s.role == "drainer":
                    drainers.append((path, s))
                elif s.role == thread_jobs.TARGET:
                    threads.append((path, s))
                elif s.role == "send":
                    sends.append((path, s))
                elif s.role in _GO_FOREIGN:
                    foreign.append((path, s))
                elif s.role in _GO_HUB:
                    hubs.append((path, s))
                elif s.role in _GO_REGISTRY:
                    registries.append((path, s))
                elif s.role == buffers.WRAPPER:
                    wrappers.append((path, s))
                elif s.role == "frecv":
                    frecvs.append((path, s))
                elif s.role in events.ROLES:
                    bus.append((path, s))
                elif s.role in globals_.ROLES:
                    package_vars.append((path, s))
                elif s.role == "spawn":
                    spawns.append((path, s))
                elif s.role in ("receive", "drain"):
                    receives.append((path, s))
        for path, s in self.table_consumers():
            wrappers += self.table_producers(path, s)
        self.python_wrappers = {p for p, w in wrappers if w.mechanism not in _GO_MECHANISMS}
        self.python_wrappers |= {p for p, _ in drainers}
        self.wrapper_names = {w.name for p, w in wrappers if w.mechanism != "go-channel"}
        promoted = self.go_fields(sends, spawns, receives, foreign)
        self.go_pipelines(foreign, receives)
        self.go_exported(sends, spawns, foreign, frecvs)
        wrappers += self.go_hubs(hubs)
        wrappers += self.go_callbacks(registries)
        events.link_events(self, bus)
        globals_.link_globals(self, package_vars)
        promoted |= {(p, w.line) for p, w in wrappers if w.role in _GO_CONFIRMED}
        for path, w in wrappers[:MAX_WRAPPERS]:
            if w.mechanism in _GO_MECHANISMS:
                if (path, w.line) in promoted:
                    self.go_callers(path, w)
            else:
                self.python_callers(path, w)
        self.huey_wrappers()
        for path, site in target_consumers(self.facts, self.resolve, self.lines, self.skip):
            self.add(path, site)
        for path, d in drainers[:MAX_WRAPPERS]:
            self.drainer_queues(path, d)
        for path, t in threads[:MAX_WRAPPERS]:
            self.thread_target(path, t)

    def table_consumers(self) -> list[tuple[str, HandoffSite]]:
        return [
            (path, s)
            for path, f in self.facts.items()
            if not self.skip(path)
            if f.language == "python"  # Ruby's: `table_queue_ruby`
            for s in f.handoffs
            if s.role == "consume" and s.mechanism == TABLE
        ]

    def table_producers(self, path: str, consumer: HandoffSite) -> list[tuple[str, HandoffSite]]:
        """Where rows of a table polled as a queue are made (`Flip(...)`,
        `Flip.objects.create(`): in the model's module, the consumer's file and the files
        that import the model from that module. Each function that makes them is a wrapper
        (its callers produce too)."""
        model = consumer.name
        home = self._model_file(path, model)
        files = [path] if home is None else [home, path]
        if home is not None:
            for p, f in self.facts.items():
                if len(files) >= MAX_FILES:
                    break
                if p in files or f.language != "python" or self.skip(p):
                    continue
                if any(
                    model in ref.names and self.resolve(p, "python", ref) == home
                    for ref in f.imports
                ):
                    files.append(p)
        wrappers: list[tuple[str, HandoffSite]] = []
        found = 0
        for p in files:
            got = self.text(p)
            if got is None:
                continue
            factories: list[int] = []
            made = [(p, i, via) for i, via in _made(got, model, factories)]
            made += self.factory_saves(files, p, factories)
            for q, i, via in made:
                self.add(q, HandoffSite("produce", TABLE, model, i, via))
                if q not in self._defs:
                    self._defs[q] = DefIndex(*(self.text(q) or ("", [])))
                d = self._defs[q].holding(i)
                if d is not None and d.line != consumer.line and not d.name.startswith("__"):
                    kind = "method" if d.method else "func"
                    wrappers.append(
                        (q, HandoffSite("wrapper", TABLE, d.name, i, (model, "", "", kind)))
                    )
                found += 1
                if found >= MAX_CALLERS:
                    return wrappers
        return wrappers

    def factory_saves(
        self, files: list[str], path: str, factories: list[int]
    ) -> list[tuple[str, int, tuple[str, ...]]]:
        """(file, line, row name) of each `y.save(` below `y = [module.]factory(` in
        `files`, for the functions of `path` that make a row and return it unsaved (their
        lines in `factories`)."""
        got = self.text(path)
        if got is None or not factories:
            return []
        if path not in self._defs:
            self._defs[path] = DefIndex(*got)
        out: list[tuple[str, int, tuple[str, ...]]] = []
        for line in factories[:MAX_CALLERS]:
            d = self._defs[path].holding(line)
            if d is None or d.method or d.name.startswith("__"):
                continue
            for p in files:
                lines = self.lines(p)
                if lines is None:
                    continue
                for i, _after in self.calls(p, d.name, method=False, skip_prefix="def"):
                    m = _ASSIGNED.match(lines[i - 1].lstrip())
                    saved = None if m is None else _saved(lines, i, m.group(1))
                    if m is not None and saved is not None:
                        out.append((p, saved, (m.group(1),)))
                    if len(out) >= MAX_CALLERS:
                        return out
        return out

    def _model_file(self, path: str, model: str) -> str | None:
        """The module the consumer's file imports `model` from (or its own file)."""
        for ref in self.facts[path].imports:
            if model in ref.names:
                got = self.resolve(path, "python", ref)
                if got and got in self.facts:
                    return got
        return None

    def go_fields(
        self, sends: _Sites, spawns: _Sites, receives: _Sites, foreign: _Sites | None = None
    ) -> set[tuple[str, int]]:
        """Pairs spawns and receivers; returns the (path, line) of the sends made producers."""
        foreign = foreign or []
        spawned = {(_dir(p), s.name, *s.aliases[:2]) for p, s in spawns}
        fields: set[tuple[str, str]] = set()  # (package folder, element type)
        # A field drained by a function of the package (`for r := range s.queue`): the
        # struct's own worker; its sends (and their wrappers' callers) produce. So do sends
        # on it from another file of the package (`fsend`), and sends on a channel parameter
        # (`psend`) of a function the package calls with the field (`pass`).
        sent = {(_dir(p), s.aliases[0]) for p, s in sends if s.aliases}
        sent |= {(_dir(p), s.name) for p, s in foreign if s.role == "fsend"}
        param_sends: dict[tuple[str, ...], _Sites] = defaultdict(list)
        for p, s in foreign:
            if s.role == "psend":
                param_sends[(s.name, *s.aliases[:2])].append((p, s))
        # (caller's path, pass site, the sends on the parameter it reaches): a function of
        # that name in the caller's package or in one the caller's package imports.
        passes: list[tuple[str, HandoffSite, _Sites]] = []
        for p, s in foreign:
            if s.role == "pass":
                reached = [
                    (home, send)
                    for home, send in param_sends.get((s.name, *s.aliases[:2]), [])[:MAX_CALLERS]
                    if _dir(p) in self.go_dirs(_dir(home))
                ]
                if reached:
                    passes.append((p, s, reached))
        sent |= {(_dir(p), s.aliases[2]) for p, s, _ in passes}
        drained: dict[tuple[str, str], str] = {}  # (package folder, field) -> element type
        for path, s in receives:
            if s.role == "drain":
                if (_dir(path), s.aliases[0]) in sent:
                    self.add(path, HandoffSite("consume", "go-channel", s.name, s.line))
                    fields.add((_dir(path), s.name))
                    drained[(_dir(path), s.aliases[0])] = s.name
                continue
            if s.aliases[0] in SENT_SIGNALS:
                continue  # a signal parameter: only through a field the program sends on
            if (_dir(path), s.name, *s.aliases[:2]) in spawned:
                self.add(path, HandoffSite("consume", "go-channel", s.aliases[0], s.line))
                fields.add((_dir(path), s.aliases[0]))
        self.go_passed_receivers(foreign, receives, sent, fields, drained)
        out = set()
        for path, s in sends:
            if (_dir(path), s.name) in fields:
                # "via queue": the line names the field, not the element type
                self.add(path, HandoffSite("produce", "go-channel", s.name, s.line, s.aliases[:1]))
                out.add((path, s.line))
        for path, s in foreign:
            if s.role == "fsend" and (_dir(path), s.name) in drained:
                elem = drained[(_dir(path), s.name)]
                self.add(path, HandoffSite("produce", "go-channel", elem, s.line, (s.name,)))
        for path, s, reached in passes:
            if drained.get((_dir(path), s.aliases[2])) == s.aliases[0]:
                for home, send in reached:
                    site = HandoffSite(
                        "produce", "go-channel", s.aliases[0], send.line, send.aliases[2:3]
                    )
                    self.add(home, site)
        return out

    def go_pipelines(self, foreign: _Sites, receives: _Sites) -> None:
        """A channel made in one function and handed to two calls (``lpass``): one whose
        function sends on that parameter (``psend``, directly or through one ``pfwd``) and
        one whose function receives from it (``receive``), each in the maker's package or
        one it imports. The sends produce, the receiving function consumes (its `func`
        line), named by the element type."""
        lpasses: dict[tuple[str, str, str], _Sites] = defaultdict(list)
        for p, s in foreign:
            if s.role == "lpass":
                lpasses[(p, s.aliases[3], s.aliases[2])].append((p, s))
        if not lpasses:
            return
        psends: dict[tuple[str, ...], _Sites] = defaultdict(list)
        fwds: dict[tuple[str, ...], list[tuple[str, str, str]]] = defaultdict(list)
        for p, s in foreign:
            if s.role == "psend":
                psends[(s.name, *s.aliases[:2])].append((p, s))
            elif s.role == "pfwd":
                fwds[(s.name, *s.aliases[:2])].append((p, s.aliases[2], s.aliases[3]))
        takers: dict[tuple[str, ...], _Sites] = defaultdict(list)
        for p, s in receives:
            if s.role == "receive":
                takers[(s.name, *s.aliases[:2])].append((p, s))

        def near(home: str, there: str) -> bool:
            return _dir(home) in self.go_dirs(_dir(there))

        for (path, _, _), passed in sorted(lpasses.items()):
            sent: _Sites = []
            taken: _Sites = []
            for _, s in passed:
                key = (s.name, s.aliases[0], s.aliases[1])
                sent += [x for x in psends.get(key, []) if near(path, x[0])]
                for fp, callee, j in fwds.get(key, [])[:MAX_CALLERS]:
                    if near(path, fp):
                        got = psends.get((callee, s.aliases[0], j), [])
                        sent += [x for x in got if _dir(x[0]) == _dir(fp)]
                taken += [x for x in takers.get(key, []) if near(path, x[0])]
            if not sent or not taken:
                continue
            name = passed[0][1].aliases[0].lstrip("*")
            for p, x in taken[:MAX_CALLERS]:
                self.add(p, HandoffSite("consume", "go-channel", name, x.line))
            for p, x in sent[:MAX_CALLERS]:
                self.add(p, HandoffSite("produce", "go-channel", name, x.line, x.aliases[2:3]))

    def go_passed_receivers(
        self,
        foreign: _Sites,
        receives: _Sites,
        sent: set[tuple[str, str]],
        fields: set[tuple[str, str]],
        drained: dict[tuple[str, str], str],
    ) -> None:
        """A function that receives from its channel parameter k, called with a field the
        package sends on as argument k (`<-awaitStop(stopCh, …)` beside `stopCh: stopCh,`):
        that function consumes, and the field's sends produce."""
        by_name: dict[tuple[str, ...], _Sites] = defaultdict(list)
        for p, s in receives:
            if s.role == "receive":
                by_name[(s.name, *s.aliases[:2])].append((p, s))
        for p, s in foreign:
            if s.role != "pass" or (_dir(p), s.aliases[2]) not in sent:
                continue
            for home, r in by_name.get((s.name, *s.aliases[:2]), [])[:MAX_CALLERS]:
                if _dir(p) in self.go_dirs(_dir(home)):
                    self.add(home, HandoffSite("consume", "go-channel", s.aliases[0], r.line))
                    fields.add((_dir(p), s.aliases[0]))
                    drained[(_dir(p), s.aliases[2])] = s.aliases[0]

    def go_hubs(self, hubs: _Sites) -> list[tuple[str, HandoffSite]]:
        """Broadcast hubs (`handoffs_go_hubs`): a function that receives from the channel a
        hub's subscribing method returned (in the hub's package or one importing it)
        consumes; the publishing method is then a wrapper whose callers produce."""
        subscribe = {(_dir(p), s.name): s.aliases[0] for p, s in hubs if s.role == SUBSCRIBE}
        out: list[tuple[str, HandoffSite]] = []
        for home, name in sorted({(d, n) for d, n in subscribe}):
            elem = subscribe[(home, name)]
            dirs = self.go_dirs(home)
            heard = False
            for p, s in hubs:
                if s.role == RECEIVE and s.name == name and _dir(p) in dirs:
                    self.add(p, HandoffSite("consume", "go-channel", elem, s.line))
                    heard = True
            if heard:
                out += [
                    (p, HandoffSite("hub-wrapper", "go-channel", s.name, s.line, (elem, "method")))
                    for p, s in hubs
                    if s.role == PUBLISH and _dir(p) == home and s.aliases[0] == elem
                ]
        return out

    def go_exported(self, sends: _Sites, spawns: _Sites, foreign: _Sites, frecvs: _Sites) -> None:
        """An exported channel field received in another package (`for m := range
        cl.Messages`, a ``frecv`` site): the package that declares it sends on it directly
        (`c.Messages <- m`), or hands it to a function (`go loop(ctx, c.Messages)`) that
        sends on that parameter itself or through one function it passes the parameter to
        (a ``pfwd`` site). Those sends produce; the receiving function consumes."""
        if not frecvs:
            return
        psends: dict[tuple[str, ...], _Sites] = defaultdict(list)
        fwds: dict[tuple[str, ...], list[tuple[str, str]]] = defaultdict(list)
        for p, s in foreign:
            if s.role == "psend":
                psends[(_dir(p), s.name, *s.aliases[:2])].append((p, s))
            elif s.role == "pfwd":
                fwds[(_dir(p), s.name, *s.aliases[:2])].append((s.aliases[2], s.aliases[3]))
        sources: dict[tuple[str, str], _Sites] = defaultdict(list)
        for p, s in sends:
            if s.aliases and s.aliases[0][:1].isupper():
                # named by the element type without its pointer (`*Item` is the hand-off `Item`)
                name = s.name.lstrip("*")
                site = HandoffSite("produce", "go-channel", name, s.line, s.aliases[:1])
                sources[(_dir(p), s.aliases[0])].append((p, site))
        for p, s in [*spawns, *(x for x in foreign if x[1].role == "pass")]:
            if len(s.aliases) < 3 or not s.aliases[2][:1].isupper():
                continue
            home, elem, k = _dir(p), s.aliases[0], s.aliases[1]
            reached = list(psends.get((home, s.name, elem, k), []))
            for callee, j in fwds.get((home, s.name, elem, k), [])[:MAX_CALLERS]:
                reached += psends.get((home, callee, elem, j), [])
            for hp, send in reached[:MAX_CALLERS]:
                name = elem.lstrip("*")
                site = HandoffSite("produce", "go-channel", name, send.line, send.aliases[2:3])
                sources[(home, s.aliases[2])].append((hp, site))
        for p, r in frecvs:
            for (home, field), found in sorted(sources.items()):
                if field == r.name and home != _dir(p) and _dir(p) in self.go_dirs(home):
                    self.add(p, HandoffSite("consume", "go-channel", found[0][1].name, r.line))
                    for hp, site in found:
                        self.add(hp, site)

    def go_callbacks(self, sites: _Sites) -> list[tuple[str, HandoffSite]]:
        """Callback registries (`handoffs_go_callbacks`): the function around each call of
        the subscribing method with its arity (in its package or one importing it) consumes,
        cited at its `func` line; the publishing methods are then wrappers whose callers
        produce."""
        out: list[tuple[str, HandoffSite]] = []
        for home_path, sub in sites:
            if sub.role != callbacks.SUBSCRIBE:
                continue
            label, arity = sub.aliases[0], int(sub.aliases[1])
            home = _dir(home_path)
            files = [
                p
                for p, f in self.facts.items()
                if f.language == "go" and _dir(p) in self.go_dirs(home) and not self.skip(p)
            ]
            heard = 0
            for p in files[:MAX_FILES]:
                lines = self.lines(p) or []
                for i, after in self.calls(p, sub.name, method=True, skip_prefix="func"):
                    at = _enclosing_func(lines, i)
                    if at and _arity(after, arity):
                        self.add(p, HandoffSite("consume", callbacks.MECHANISM, label, at))
                        heard += 1
                if heard >= MAX_CALLERS:
                    break
            if heard:
                out += [
                    (p, replace(s, role="hub-wrapper", aliases=(label, "method", s.aliases[1])))
                    for p, s in sites
                    if s.role == callbacks.PUBLISH and _dir(p) == home and s.aliases[0] == label
                ]
        return out

    def go_callers(self, path: str, w: HandoffSite) -> None:
        elem, kind, arity = (*w.aliases, "", "", "")[:3]
        home = _dir(path)
        # an unexported name is only called from its own package
        dirs = self.go_dirs(home) if w.name[:1].isupper() else {home}
        files = [
            p
            for p, f in self.facts.items()
            if f.language == "go" and _dir(p) in dirs and not self.skip(p)
        ]
        found = 0
        for p in files[:MAX_FILES]:
            for i, after in self.calls(p, w.name, method=kind == "method", skip_prefix="func"):
                if arity and not _arity(after, int(arity)):
                    continue
                site = HandoffSite("produce", w.mechanism, elem, i, (w.name,))
                self.add(p, site, True)
                if w.mechanism == "go-channel":
                    # the flows' walk reaches the send inside the wrapper; a registry's or a
                    # buffer's publishing method holds no site of its own
                    self.walkable[p].add(site)
                found += 1
                if found >= MAX_CALLERS:
                    return

    def reexporters(self, importers: list[str], name: str) -> list[str]:
        """Files that import `name` from a package `__init__.py` that re-exports it from
        one of `importers` (`from .execution import enqueue_report` in `jobs/__init__.py`,
        then `from app.jobs import enqueue_report`), `MAX_REEXPORTS` packages deep."""
        seen = set(importers)
        out: list[str] = []
        frontier = importers
        for _ in range(MAX_REEXPORTS):
            packages = [
                p
                for p in frontier
                if p.endswith("__init__.py")
                and any(name in ref.names for ref in self.facts[p].imports)
            ]
            frontier = []
            for package in packages:
                for p in sorted(self.importers(package) - seen):
                    if any(name in ref.names for ref in self.facts[p].imports):
                        seen.add(p)
                        frontier.append(p)
            out += frontier
            if not frontier or len(out) >= MAX_FILES:
                break
        return out[:MAX_FILES]

    def python_callers(self, path: str, w: HandoffSite) -> None:
        inner, param, index, kind = (*w.aliases, "", "", "", "")[:4]
        importers = sorted(self.importers(path) - {path})
        if kind == "func":
            importers += self.reexporters(importers, w.name)
        files = [path, *importers]
        qualifier = {p: "" for p in files}
        if w.mechanism == QUEUE and kind == "func":
            # The module handed on as an object (`build_views(store, jobs_module)`): its
            # qualified calls in the files its importers import
            # (`jobs_module.enqueue_safe(q, …)`) call the wrapper too.
            for p in self.imported_by(importers):
                if p not in qualifier and len(qualifier) < MAX_FILES:
                    qualifier[p] = _stem(path)
                    files.append(p)
        found = 0
        named: set[str] = set()
        for p in files[:MAX_FILES]:
            for i, after in self.calls(
                p, w.name, method=kind == "method", skip_prefix="def", qualifier=qualifier[p]
            ):
                name = inner
                if param:
                    value = _argument(after, int(index), param, bare=inner == f"{{{param}}}")
                    if value is None:
                        continue
                    name = inner.replace(f"{{{param}}}", value)
                    named.add(name)
                site = HandoffSite("produce", w.mechanism, _last(name), i, (w.name,))
                self.add(p, site, True)
                if w.mechanism == "huey" and inner == w.name:
                    self.lift_huey(p, i, w.name)
                if not param:
                    self.walkable[p].add(site)
                found += 1
                if found >= MAX_CALLERS:
                    break
            if found >= MAX_CALLERS:
                break
        if not named:
            return
        self.dropped[path].add(HandoffSite("produce", w.mechanism, inner, w.line))
        if inner == f"{{{param}}}":  # the bare parameter: the site was named by it
            self.dropped[path].add(HandoffSite("produce", w.mechanism, param, w.line))
        for name in sorted(named):
            # "via name": the line names the job by the parameter
            self.add(path, HandoffSite("produce", w.mechanism, _last(name), w.line, (param,)))
            if w.mechanism == "rq" and "." in name:
                self.dotted_consumer(name)

    def lift_huey(self, path: str, i: int, task: str) -> None:
        """A huey task called at line `i` is enqueued there, so the function holding the
        call is a producer wrapper of that task, as one holding `.delay(` is (huey is the
        evidence: its tasks enqueue when called, Celery's and Dramatiq's run inline).
        Kept for `huey_wrappers`; a function that is itself a huey task is skipped (its
        callers are found already)."""
        text = self.text(path)
        if text is None or len(self.lifted) >= MAX_WRAPPERS:
            return
        if path not in self._defs:
            self._defs[path] = DefIndex(*text)
        d = self._defs[path].holding(i)
        if d is None or d.name.startswith("__") or d.name == task:
            return
        if d.method and d.name.casefold() in _COMMON_METHODS:
            return
        own = self.facts[path].handoffs or ()
        if any(s.role == "consume" and s.name == d.name for s in own):
            return
        kind = "method" if d.method else "func"
        site = HandoffSite("wrapper", "huey", d.name, i, (task, "", "", kind))
        if (path, site) not in self.lifted:
            self.lifted.append((path, site))

    def huey_wrappers(self) -> None:
        """The callers of the functions `lift_huey` kept: one level, as for any wrapper."""
        if not self.lifted:
            return
        self.python_wrappers |= {p for p, _ in self.lifted}
        self.wrapper_names |= {w.name for _, w in self.lifted}
        self._importers = None  # the new names widen the imports that count
        for path, w in list(self.lifted):
            self.python_callers(path, w)

    def drainer_queues(self, path: str, d: HandoffSite) -> None:
        """A function looping on its parameter's `.get()` consumes each queue its callers
        pass for that parameter (`run_worker(jobs)`), cited at its `def`."""
        param, index, kind = (*d.aliases, "", "", "")[:3]
        files = [path, *sorted(self.importers(path) - {path})]
        found = 0
        for p in files[:MAX_FILES]:
            calls = [a for _, a in self.calls(p, d.name, kind == "method", skip_prefix="def")]
            calls += self.thread_args(p, d.name, own=p == path)
            for after in calls:
                value = _argument(after, int(index or 0), param, bare=True)
                if value is not None:
                    self.add(path, HandoffSite("consume", d.mechanism, _last(value), d.line))
                    found += 1
                if found >= MAX_CALLERS:
                    return

    def thread_target(self, path: str, t: HandoffSite) -> None:
        """The `def` a thread job's `target=obj.method` runs: the nearest one in the files
        `path` reaches by its imports, breadth first (`MAX_THREAD_DEPTH` levels, at most
        `MAX_FILES` files), since the object's class is imported on the way."""
        seen = {path}
        frontier = [path]
        for _ in range(MAX_THREAD_DEPTH):
            reached: list[str] = []
            for p in frontier:
                for got in self.imported_by([p]):
                    if got in seen or len(seen) >= MAX_FILES:
                        continue
                    seen.add(got)
                    reached.append(got)
                    at = _def_line(self.lines(got) or [], t.name)
                    if at is not None:
                        self.add(got, HandoffSite("consume", t.mechanism, t.name, at))
                        return
            frontier = reached

    def thread_args(self, path: str, name: str, own: bool = False) -> list[str]:
        """The arguments a `Thread(target=name, args=(…))` in `path` passes to `name`, as a
        call's text (no `kwargs=`: the drainer's parameter is named by position). In the
        drainer's `own` file, `target=self.name` (or `cls.name`) is that function too: a
        class starting its own worker method on a queue it holds."""
        got = self.text(path)
        if got is None:
            return []
        text = got[0]
        out: list[str] = []
        needles = [f"target={q}{name}" for q in ("", "self.", "cls.")[: 3 if own else 1]]
        for pos in _positions(text, tuple(needles), MAX_CALLERS):
            start = pos + len("target=")
            for qualifier in ("self.", "cls.") if own else ():
                if text.startswith(qualifier + name, start):
                    start += len(qualifier)
            end = start + len(name)
            if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                continue
            window = text[end : end + MAX_CALL_TEXT]
            at = window.find("args=(")
            if at != -1 and ")" in window[:at] and window[:at].count("(") < window[:at].count(")"):
                continue  # the Thread( call closed before `args=`
            if at != -1:
                out.append(window[at + len("args=(") :])
        return out

    def dotted_consumer(self, dotted: str) -> None:
        """The function an RQ job's dotted path names, in this repository."""
        module, _, func = dotted.rpartition(".")
        base = module.replace(".", "/")
        for candidate in (f"{base}.py", f"{base}/__init__.py", f"src/{base}.py"):
            if candidate not in self.facts or self.skip(candidate):
                continue
            lines = self.lines(candidate) or []
            for i, line in enumerate(lines, 1):
                if line.startswith(("def ", "async def ")) and _defines(line, func):
                    self.add(candidate, HandoffSite("consume", "rq", func, i))
                    return

    def imported_by(self, importers: list[str]) -> list[str]:
        """The Python files that `importers` import (a module or one named from a package)."""
        out: list[str] = []
        for path in importers[:MAX_FILES]:
            for ref in self.facts[path].imports:
                subs = [ref] + [
                    ImportRef(f"{ref.spec}.{n}" if ref.spec else n, ref.line, ref.level)
                    for n in ref.names[:MAX_NAMES]
                ]
                for sub in subs:
                    got = self.resolve(path, "python", sub)
                    if got and got in self.facts and not self.skip(got) and got not in out:
                        out.append(got)
                if len(out) >= MAX_FILES:
                    return out
        return out

    def calls(
        self, path: str, name: str, method: bool, skip_prefix: str, qualifier: str = ""
    ) -> Iterable[tuple[int, str]]:
        """(line, text after the call's "(") for each call of `name` in `path` (only as
        `qualifier.name(` when a qualifier is given)."""
        got = self.text(path)
        if got is None:
            return
        text, lines = got
        needle = name + "("
        at = Lines(text)
        # The needle is found in the whole text (in C); only its lines are looked at.
        places = []
        found = text.find(needle)
        while found != -1:
            i = at.at(found)
            places.append(i)
            end = text.find("\n", found)
            found = -1 if end == -1 else text.find(needle, end)
        for i in places:
            line = lines[i - 1]
            pos = line.find(needle)
            stripped = line.lstrip()
            if stripped.startswith(("#", "//", skip_prefix + " ", "async def ")):
                continue
            while pos != -1:
                before = line[pos - 1] if pos else " "
                if qualifier and not _qualified(line, pos, qualifier):
                    pos = line.find(needle, pos + 1)
                    continue
                if (before == ".") if method else not (before.isalnum() or before == "_"):
                    start = pos + len(needle)
                    after = [line[start : start + MAX_CALL_TEXT], *lines[i : i + 5]]
                    rest = "\n".join(part[:MAX_CALL_TEXT] for part in after)
                    yield i, rest[:MAX_CALL_TEXT]
                    break
                pos = line.find(needle, pos + 1)

    def add(self, path: str, site: HandoffSite, derived: bool = False) -> None:
        self.added[path].add(site)
        if derived:
            self.derived.add((path, site.line))


def _def_line(lines: list[str], func: str) -> int | None:
    """The line of the first `def func(` at any indentation (a method too), or None."""
    needle = "def " + func
    for i, line in enumerate(lines, 1):
        if needle in line:
            code = line.lstrip().removeprefix("async ")
            if code.startswith(needle) and code[len(needle) :].lstrip().startswith("("):
                return i
    return None


def _qualified(line: str, pos: int, qualifier: str) -> bool:
    """Whether the call at `pos` is written `qualifier.name(` (not `x.qualifier.name(`)."""
    start = pos - len(qualifier) - 1
    if start < 0 or line[start:pos] != qualifier + ".":
        return False
    return start == 0 or not (line[start - 1].isalnum() or line[start - 1] in "_.")


def _enclosing_func(lines: list[str], i: int) -> int:
    """The line of the top-level `func` holding line `i` (gofmt), 0 when none."""
    for k in range(i - 1, -1, -1):
        if lines[k].startswith("func"):
            return k + 1
        if lines[k].startswith("}") and k != i - 1:
            return 0
    return 0


def _arity(after: str, arity: int) -> bool:
    """Whether a call whose text after "(" is `after` passes `arity` arguments (any number
    when the signature is variadic, -1)."""
    return arity < 0 or len(split_args(after)) == arity


def _defines(line: str, func: str) -> bool:
    head = line.removeprefix("async ").removeprefix("def ").lstrip()
    return head.startswith(func) and head[len(func) :].lstrip().startswith("(")


def _argument(after: str, index: int, param: str, bare: bool) -> str | None:
    """The literal (or, when the job is the whole argument, the name) a call passes for
    the wrapper's parameter `param`, positional `index` or by keyword."""
    args = split_args(after)
    value = None
    positional = [a for a in args if _KWARG.match(a) is None]
    for a in args:
        kw = _KWARG.match(a)
        if kw is not None and kw.group(1) == param:
            value = kw.group(2).strip()
    if value is None and index < len(positional):
        value = positional[index]
    if value is None:
        return None
    lit = _LITERAL.match(value)
    if lit is not None:
        return lit.group(2)
    if bare and _IDENT.match(value) is not None:
        return _last(value)
    return None


# Go sends the field scan leaves to this stage (`handoffs_go._other_sends`, `_passes`).
_GO_FOREIGN = frozenset({"fsend", "psend", "pass", "pfwd", "lpass"})
_GO_HUB = frozenset({PUBLISH, SUBSCRIBE, RECEIVE})
_GO_REGISTRY = frozenset({callbacks.SUBSCRIBE, callbacks.PUBLISH})
# Wrappers already known to hand off: their callers produce without a field to confirm.
_GO_CONFIRMED = frozenset({"hub-wrapper", buffers.WRAPPER})
_GO_MECHANISMS = frozenset({"go-channel", callbacks.MECHANISM, buffers.MECHANISM})
# Raw sites that only this stage turns into producers and consumers.
_RAW = frozenset(
    {"wrapper", "drainer", "receive", "drain", "target", handoff_wrappers_ruby.WRAPPER}
    | {thread_jobs.TARGET, task_objects.API}
    | {job_definitions_js.HANDLER, handoff_queues_js.DEFINITION}
    | handoff_queue_classes_js.ROLES
    | handoff_wrappers_js.ROLES
    | _GO_FOREIGN
    | _GO_HUB
    | _GO_REGISTRY
    | {buffers.WRAPPER, "frecv"}
    | events.ROLES
    | globals_.ROLES
)


@dataclass(frozen=True)
class Linked:
    """`facts`: with the sites above added to the files they cite; `derived`: the (path,
    line) of producers found through a wrapper (cited after the direct ones); `for_flows`:
    the same without the callers of a fixed-job wrapper (a flow walks into the wrapper)."""

    facts: dict[str, FileFacts]
    derived: frozenset[tuple[str, int]]
    for_flows: dict[str, FileFacts]


def _decorated(
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    read_text: ReadText,
    skip: Callable[[str], bool],
) -> dict[str, set[HandoffSite]]:
    """Consumers of tasks called through a decorator's method (`handoff_decorated`)."""
    texts: dict[str, tuple[str, list[str]] | None] = {}

    def read(path: str) -> tuple[str, list[str]] | None:
        if path not in texts:
            text = read_text(path)
            cut = None if text is None else text[: handoff_links_js.MAX_TEXT]
            texts[path] = None if cut is None else (cut, cut.split("\n"))
        return texts[path]

    out: dict[str, set[HandoffSite]] = defaultdict(set)
    for path, site in decorated_consumers(facts, resolve, read, skip):
        out[path].add(site)
    return out


def link_handoffs(
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    read_text: ReadText,
    skip: Callable[[str], bool],
) -> Linked:
    prisma = link_prisma(facts, resolve, read_text, skip)
    decorated = _decorated(facts, resolve, read_text, skip)
    go_tables = link_go_tables(facts, read_text, skip)
    if (
        not prisma
        and not decorated
        and not go_tables[0]
        and not any(
            s.role in _RAW or s.mechanism == TABLE for f in facts.values() for s in f.handoffs
        )
    ):
        return Linked(dict(facts), frozenset(), dict(facts))
    linker = _Linker(facts, resolve, read_text, skip)
    linker.run()
    for path, sites in prisma.items():
        linker.added[path] |= sites
    for path, sites in decorated.items():
        linker.added[path] |= sites
    for path, sites in job_definitions_js.link_job_handlers(
        facts, resolve, read_text, skip
    ).items():
        linker.added[path] |= sites
    # JS/TS and Ruby job layers (base classes, enqueue functions, helpers): their callers
    # produce, a subclass's `perform` consumes. Both ends are walked by the flows as sites.
    for found, derived in (
        handoff_links_js.link_js(facts, resolve, read_text, skip),
        handoff_wrappers_ruby.link_ruby(facts, read_text, skip),
        task_objects.link_task_objects(facts, resolve, read_text, skip),
        link_ruby_tables(facts, read_text, skip),
        go_tables,
    ):
        for path, sites in found.items():
            linker.added[path] |= sites
        linker.derived |= derived
    # JS/TS queues told by their shape: a put inside a function whose callers were found
    # is left to those callers in the flows
    found, derived, hidden = handoff_queues_js.link_named_queues(facts, resolve, read_text, skip)
    for path, sites in found.items():
        linker.added[path] |= sites
    linker.derived |= derived
    for path, sites in hidden.items():
        linker.walkable[path] |= sites
    # queues held by a class, workers started through a registrar
    found, dropped = handoff_queue_classes_js.link_queue_classes(facts, resolve, read_text, skip)
    for path, sites in found.items():
        linker.added[path] |= sites
    for path, sites in dropped.items():
        linker.dropped[path] |= sites
    out = dict(facts)
    flows = dict(facts)
    for path in set(linker.added) | set(linker.dropped):
        f = out[path]
        sites = (set(f.handoffs) - linker.dropped.get(path, set())) | linker.added.get(path, set())
        out[path] = replace(f, handoffs=tuple(sorted(sites, key=SITE_ORDER)))
        walked = sites - linker.walkable.get(path, set())
        flows[path] = replace(f, handoffs=tuple(sorted(walked, key=SITE_ORDER)))
    return Linked(out, frozenset(linker.derived), flows)
