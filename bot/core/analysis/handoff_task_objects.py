"""Task objects handed to a worker's queue through a method of the class that holds it.

    class Worker(threading.Thread):
        def __init__(self):
            self.jobs = queue.Queue()
        @classmethod
        def add(cls, owner, job):
            cls.instance().jobs.put(Entry(owner, job))

    Worker.add(user, ResizeJob(image))        # elsewhere: a producer of `ResizeJob`
    class ResizeJob(BaseJob):
        def run(self, worker): ...             # its consumer

The method holding the put (`task_api_sites`, a `task-api` site) is found in the class's
file; `link_task_objects` then reads the files that import that file for calls of the
method (`Worker.add(`, `worker.add(`) given a new object of a class (`ResizeJob(…)`) whose
definition the caller's file imports and which defines `run` (or `execute`, `perform`,
`__call__`): the call produces, the class's `run` consumes, named by the class. A call
handing on an object made elsewhere (`Worker.add(user, make())`) produces each class made
by a factory `lambda: ResizeJob(…)` in the files importing the caller's file (a job
scheduler fed such factories). Bounded: `MAX_FILES`, `MAX_CALLS`, lines cut at `MAX_LINE`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

from bot.core.analysis.handoff_links_js import LinkerState
from bot.core.analysis.handoffs_inproc_python import QUEUE
from bot.core.analysis.py_defs import DefIndex, split_args
from bot.core.analysis.python import _string_spans
from bot.core.analysis.scan import blanked
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite, ImportRef

API = "task-api"
MAX_LINE = 2_000
MAX_FILES = 400  # importing files read per method
MAX_CALLS = 60  # calls of one method taken
MAX_CALL_TEXT = 600
MAX_CLASS_LINES = 2_000  # lines of a class body searched for its `run`
RUN_METHODS = ("run", "execute", "perform", "__call__")

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadText = Callable[[str], "str | None"]

_HELD = lazy(
    r"\A[ \t]*+self\.([A-Za-z_]\w{0,100}+)[ \t]*+=[ \t]*+(?:[A-Za-z_]\w{0,100}+\.){0,3}+"
    r"([A-Za-z_]\w{0,100}+)\("
)
# `self.jobs.put(` / `ins.jobs.put(` / `cls.instance().jobs.put(`
_PUT = lazy(
    r"(?<![\w.])(?:[A-Za-z_]\w{0,100}+(?:\(\))?+\.){1,2}([A-Za-z_]\w{0,100}+)\.put(?:_nowait)?\("
)
_CLASS = lazy(r"\A([ \t]*+)class[ \t]++([A-Za-z_]\w{0,100}+)")
_NEW_OBJECT = lazy(r"\A[ \t\n]*+(?:[A-Za-z_]\w{0,100}+[ \t]*+=(?!=)[ \t]*+)?([A-Z]\w{0,100}+)\(")
_HANDED = lazy(
    r"\A[ \t\n]*+(?:[A-Za-z_]\w{0,100}+[ \t]*+=(?!=)[ \t]*+)?[a-z_]\w{0,100}+(?:\(\))?+"
    r"[ \t\n]*+\Z"
)
_FACTORY = lazy(r"lambda[ \t]*+:[ \t]*+([A-Z]\w{0,100}+)\(")
_RUN_DEF = lazy(r"\A([ \t]++)(?:async[ \t]++)?def[ \t]++(\w{1,100}+)[ \t]*+\(")


def may_hold(text: str) -> bool:
    return "Queue(" in text and ".put" in text and "class " in text


def _code(text: str) -> str:
    """`text` with its triple-quoted strings blanked (lines kept): a docstring's example of
    the shape is no queue and no producer."""
    spans = _string_spans(text)
    if not spans:
        return text
    parts, at = [], 0
    for start, end in spans:
        parts += [text[at:start], blanked(text[start:end])]
        at = end
    parts.append(text[at:])
    return "".join(parts)


def task_api_sites(text: str) -> list[HandoffSite]:
    """A `task-api` site for each method of a class that puts on a queue the class holds
    (`self.jobs = …Queue()`), named by the method, its class in `aliases`."""
    if not may_hold(text):
        return []
    text = _code(text)
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    held = {
        m.group(1)
        for line in lines
        if "Queue(" in line and (m := _HELD.match(line)) and m.group(2).endswith("Queue")
    }
    if not held:
        return []
    defs: DefIndex | None = None
    out: list[HandoffSite] = []
    for i, line in enumerate(lines, 1):
        if ".put" not in line or line.lstrip().startswith("#"):
            continue
        m = _PUT.search(line)
        if m is None or m.group(1) not in held:
            continue
        defs = defs or DefIndex(text, lines)
        d = defs.holding(i)
        if d is None or d.indent == 0 or d.name.startswith("_"):
            continue
        owner = _owner(lines, d.line, d.indent)
        if owner:
            out.append(HandoffSite(API, QUEUE, d.name, i, (owner,)))
    return out


def _owner(lines: list[str], line: int, indent: int) -> str:
    """The class whose body holds the `def` on `line` (indented `indent`)."""
    for j in range(line - 2, max(-1, line - 2 - MAX_CLASS_LINES), -1):
        c = _CLASS.match(lines[j]) if "class " in lines[j] else None
        if c is not None and len(c.group(1)) < indent:
            return c.group(2)
    return ""


def _run_line(lines: list[str], cls: str) -> int | None:
    """The line of the run method defined in the body of `class cls`, or None."""
    for i, line in enumerate(lines):
        if "class " not in line:
            continue
        c = _CLASS.match(line)
        if c is None or c.group(2) != cls:
            continue
        indent = len(c.group(1))
        for k in range(i + 1, min(len(lines), i + 1 + MAX_CLASS_LINES)):
            body = lines[k]
            code = body.lstrip()
            if code and not code.startswith("#") and len(body) - len(code) <= indent:
                return None
            d = _RUN_DEF.match(body) if "def " in body else None
            if d is not None and d.group(2) in RUN_METHODS:
                return k + 1
        return None
    return None


class _TaskLinker(LinkerState):
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read: ReadText,
        skip: Callable[[str], bool],
    ) -> None:
        super().__init__(facts, resolve, read, skip)
        self._lines: dict[str, list[str] | None] = {}
        self._importers: dict[str, set[str]] | None = None
        self.api = ("", 0)  # the file and line of the put the method being linked holds

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            text = self.read(path)
            self._lines[path] = (
                None if text is None else [x[:MAX_LINE] for x in _code(text).split("\n")]
            )
        return self._lines[path]

    def importers(self, target: str) -> set[str]:
        if self._importers is None:
            self._importers = defaultdict(set)
            for path, f in self.facts.items():
                if f.language != "python" or self.skip(path):
                    continue
                for ref in f.imports:
                    got = self.resolve(path, "python", ref)
                    if got:
                        self._importers[got].add(path)
        return self._importers.get(target, set())

    def class_file(self, path: str, cls: str) -> str | None:
        """The file defining `cls` that `path` imports it from (or `path` itself)."""
        for ref in self.facts[path].imports:
            if cls in ref.names:
                return self.resolve(path, "python", ref)
        return path

    def consumer(self, path: str, cls: str) -> tuple[str, int] | None:
        home = self.class_file(path, cls)
        lines = self.lines(home) if home and home in self.facts else None
        at = _run_line(lines, cls) if lines is not None else None
        return (home, at) if home and at else None

    def factories(self, path: str) -> list[tuple[str, str, int]]:
        """The classes made by `lambda: X(…)` in the files importing `path`, as consumers."""
        out: list[tuple[str, str, int]] = []
        for p in sorted(self.importers(path))[:MAX_FILES]:
            lines = self.lines(p) or []
            for line in lines:
                if "lambda" in line:
                    for m in _FACTORY.finditer(line):
                        got = self.consumer(p, m.group(1))
                        if got and (m.group(1), *got) not in out:
                            out.append((m.group(1), *got))
        return out

    def link(self, path: str, site: HandoffSite) -> None:
        self.api = (path, site.line)
        method = site.name
        owner = site.aliases[0] if site.aliases else ""
        if not owner:
            return
        needle = "." + method + "("
        taken = 0
        for p in [path, *sorted(self.importers(path) - {path})][:MAX_FILES]:
            lines = self.lines(p)
            if lines is None:
                continue
            for i, line in enumerate(lines, 1):
                if needle not in line or line.lstrip().startswith(("#", "def ", "async def ")):
                    continue
                at = line.find(needle)
                start = at + len(needle)
                # an object made elsewhere counts only when handed to the class by name
                # (`Worker.add(user, job)`; `session.add(row)` is a collection's)
                by_class = line[:at].endswith(owner) and not line[: at - len(owner)].endswith(
                    (".", "_")
                )
                after = "\n".join([line[start:], *lines[i : i + 5]])[:MAX_CALL_TEXT]
                for arg in split_args(after):
                    new = _NEW_OBJECT.match(arg)
                    if new is not None:
                        got = self.consumer(p, new.group(1))
                        if got is not None:
                            self.pair(p, i, new.group(1), [got])
                            taken += 1
                    elif by_class and _HANDED.match(arg) and p != path:
                        made = self.factories(p)
                        for cls, home, at in made:
                            # the line names the method, not the class: "via Worker.add"
                            self.pair(p, i, cls, [(home, at)], f"{owner}.{method}")
                        taken += bool(made)
                if taken >= MAX_CALLS:
                    return

    def pair(
        self, path: str, line: int, cls: str, consumers: list[tuple[str, int]], via: str = ""
    ) -> None:
        # the queue the method puts on carries each task class (`keep_declared` keeps
        # in-process ends whose name some file declares)
        self.added[self.api[0]].add(HandoffSite("declare", QUEUE, cls, self.api[1]))
        self.added[path].add(HandoffSite("produce", QUEUE, cls, line, (via,) if via else ()))
        self.derived.add((path, line))
        for home, at in consumers:
            self.added[home].add(HandoffSite("consume", QUEUE, cls, at))


def link_task_objects(
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    read: ReadText,
    skip: Callable[[str], bool],
) -> tuple[dict[str, set[HandoffSite]], set[tuple[str, int]]]:
    """Producer and consumer sites of the task objects handed to each `task-api` method."""
    apis = [
        (path, s)
        for path, f in facts.items()
        if f.language == "python" and not skip(path)
        for s in f.handoffs
        if s.role == API
    ]
    if not apis:
        return {}, set()
    linker = _TaskLinker(facts, resolve, read, skip)
    for path, site in apis:
        linker.link(path, site)
    return dict(linker.added), linker.derived
