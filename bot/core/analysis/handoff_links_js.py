"""The other half of `handoff_wrappers_js`: what a JS/TS job layer's definitions make of
the repository's other files, in the analysis stage (after extraction; pure given the
reader).

* `js-base`: the base's subclasses, in its file and the files importing it (followed one
  abstract level further), each a consumer at its `perform`/`process` (or the abstract
  parent's, when it keeps that one), and `new Sub().schedule(` / `Sub.schedule(` in the
  files importing the subclass, producers of its job.
* `js-wrapper`: each call of the enqueue function with a literal job name, and
  `queue.process("name", …)` in the same files as its consumer.
* `js-event-model` + `js-handles`: `Event.create({ name: "x" })` (a making call of the
  model that enqueues its own rows) produces "x", and a processor that lists "x" consumes
  it: only names that some code makes are kept, so a processor's list alone says nothing.

At most `MAX_FILES` files per definition, `MAX_SUBCLASSES` subclasses per base,
`MAX_CALLERS` producers per job; the files' text is read once and cut at `MAX_TEXT`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from bot.core.analysis.handoff_wrappers_js import (
    BASE,
    CLASS_HEAD,
    CONSUMER_METHODS,
    EVENT_MODEL,
    HANDLES,
    JOB_KEY_LITERAL,
    MAX_CALL_TEXT,
    METHOD_HEAD,
    ROLES,
    WRAPPER,
    call_arg,
    code_of,
)
from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite, ImportRef

MAX_SUBCLASSES = 200  # per base class
MAX_CALLERS = 40  # producer sites per job
MAX_WRAPPERS = 100
MAX_FILES = 400  # files searched per base or wrapper
MAX_TEXT = 2_000_000  # characters of one file searched (by every linker)
MAX_CLASS_LINES = 400  # lines of a subclass searched for its consumer method
MAX_DEPTH = 2  # base -> abstract subclass -> subclass

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadText = Callable[[str], "str | None"]
_JS = frozenset({"javascript", "typescript"})


def _stem(path: str) -> str:
    name = path.rpartition("/")[2].partition(".")[0]
    return path.rpartition("/")[0].rpartition("/")[2] if name == "index" else name


def _literal_at(call: str, index: int) -> str | None:
    """The string literal passed as argument `index` (top-level commas only)."""
    return _lit(call_arg(call, index))


_LIT = lazy(r"\A[ \t\n]*+(['\"`])([\w.:/\-]{1,200}+)\1[ \t\n]*+\Z")


def _lit(arg: str) -> str | None:
    m = _LIT.match(arg)
    return m.group(2) if m else None


# The model's calls that make a row (a query's `where: { name: … }` names no new event).
_MAKES = (
    r"[ \t]*+\.[ \t]*+(?:create|schedule|insert|emit|publish|enqueue|dispatch)\w{0,60}+"
    r"[ \t]*+\("
)


class LinkerState:
    """What every cross-file linker holds: the facts, how to resolve and read files, and the
    sites it adds (`derived`: the producer lines it made, not read off one file)."""

    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read: ReadText,
        skip: Callable[[str], bool],
    ) -> None:
        self.facts = facts
        self.resolve = resolve
        self.read = read
        self.skip = skip
        self.added: dict[str, set[HandoffSite]] = defaultdict(set)
        self.derived: set[tuple[str, int]] = set()
        self._texts: dict[str, tuple[str, list[str]] | None] = {}

    def text(self, path: str) -> tuple[str, list[str]] | None:
        """The file's text (cut at `MAX_TEXT`) and its lines, read once."""
        if path not in self._texts:
            text = self.read(path)
            cut = None if text is None else text[:MAX_TEXT]
            self._texts[path] = None if cut is None else (cut, cut.split("\n"))
        return self._texts[path]


class _JsLinker(LinkerState):
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read: ReadText,
        skip: Callable[[str], bool],
    ) -> None:
        super().__init__(facts, resolve, read, skip)
        self._importers: dict[str, set[str]] = {}
        self._resolved: set[str] = set()

    def files(self, target: str) -> list[str]:
        """`target` and the JS/TS files whose imports resolve to it (those whose spec ends
        in the target's stem are resolved, once per stem)."""
        stem = _stem(target)
        if stem not in self._resolved:
            self._resolved.add(stem)
            for path, f in self.facts.items():
                if f.language not in _JS or self.skip(path):
                    continue
                for ref in f.imports:
                    spec = ref.spec.rpartition("/")[2].partition(".")[0]
                    if spec == stem or (spec == "" and stem == "index"):
                        got = self.resolve(path, f.language, ref)
                        if got:
                            self._importers.setdefault(got, set()).add(path)
        return [target, *sorted(self._importers.get(target, set()) - {target})][:MAX_FILES]

    def run(self) -> None:
        raw: dict[str, list[tuple[str, HandoffSite]]] = defaultdict(list)
        produced: set[str] = set()
        for path, f in self.facts.items():
            if f.language not in _JS or self.skip(path):
                continue
            for s in f.handoffs:
                if s.role in ROLES:
                    raw[s.role].append((path, s))
                elif s.role == "produce":
                    produced.add(s.name)
        for path, s in raw[BASE][:MAX_WRAPPERS]:
            self.base(path, s.name, s.aliases, 1)
        for path, s in raw[WRAPPER][:MAX_WRAPPERS]:
            self.wrapper(path, s)
        for path in sorted({p for p, _ in raw[EVENT_MODEL]})[:MAX_WRAPPERS]:
            for s in {s.name: s for p, s in raw[EVENT_MODEL] if p == path}.values():
                self.event_model(path, s.name)
        # an event a processor handles is a hand-off only where the code also makes it
        produced |= {s.name for sites in self.added.values() for s in sites if s.role == "produce"}
        for path, s in raw[HANDLES]:
            if s.name in produced:
                self.added[path].add(HandoffSite("consume", "bull", s.name, s.line, s.aliases))

    def base(
        self,
        path: str,
        base: str,
        how: tuple[str, ...],
        level: int,
        inherited: tuple[str, int] | None = None,
    ) -> None:
        """The subclasses of `base` (in its file and the files importing it); `inherited`:
        where the consumer method is when a subclass does not define its own."""
        extends = re.compile(
            r"(abstract[ \t]++)?class[ \t]++([A-Za-z_$][\w$]{0,100}+)(?:[ \t]*+<[^>\n]{0,200}>)?"
            r"[ \t]++extends[ \t]++" + re.escape(base) + r"(?![\w$])"
        )
        found = 0
        for p in self.files(path):
            got = self.text(p)
            if got is None:
                continue
            text, lines = got
            if base not in text:
                continue
            at = Lines(text)
            for m in extends.finditer(text):
                i = at.at(m.start())
                if code_of(lines[i - 1]).lstrip().startswith(("*", "/*")):
                    continue
                found += 1
                if found > MAX_SUBCLASSES:
                    return
                self.subclass(p, lines, i, m.group(2), bool(m.group(1)), how, level, inherited)

    def subclass(
        self,
        path: str,
        lines: list[str],
        i: int,
        name: str,
        abstract: bool,
        how: tuple[str, ...],
        level: int,
        inherited: tuple[str, int] | None,
    ) -> None:
        method, identity = (*how, "", "")[:2]
        body = lines[i - 1 : i - 1 + MAX_CLASS_LINES]
        consumer = None
        job = name if identity == "name" else ""  # a field or `super(…)` must give it
        for k, raw in enumerate(body):
            line = code_of(raw)
            if k and CLASS_HEAD.match(line):
                break
            mm = METHOD_HEAD.match(line)
            if (
                consumer is None
                and mm is not None
                and mm.group(2) in CONSUMER_METHODS
                and "abstract" not in mm.group(1)
            ):
                consumer = i + k
            if identity == "name" or identity.startswith("static:"):
                field = "name" if identity == "name" else identity.partition(":")[2]
                sm = re.search(
                    r"static[ \t]++(?:readonly[ \t]++)?"
                    + re.escape(field)
                    + r"[ \t]*+(?::[^=\n]{0,100}?)?=[ \t]*+(['\"`])([\w.:/\-]{1,200}+)\1",
                    line,
                )
                if sm is not None:
                    job = sm.group(2)
            elif identity.startswith("super:") and "super(" in line:
                value = _literal_at(
                    line[line.find("super(") + 6 :], int(identity.partition(":")[2])
                )
                if value:
                    job = value
        at = (path, consumer) if consumer is not None else inherited
        if abstract:
            # never made itself (`new` of an abstract class does not compile): its
            # subclasses are the jobs, consumed by its `perform` when they keep it
            if level < MAX_DEPTH:
                self.base(path, name, how, level + 1, at)
            return
        if at is None or not job:
            return
        aliases = (name,) if job != name else ()
        # "job-class": a subclass nothing here enqueues (a cron registry's, a dead one) is
        # no hand-off (`movement.pair_handoffs`); with a producer, the producer's mechanism
        self.added[at[0]].add(HandoffSite("consume", "job-class", job, at[1], aliases))
        self.producers(path, name, job, method)

    def producers(self, path: str, cls: str, job: str, method: str) -> None:
        call = re.compile(
            r"(?:new[ \t]++"
            + re.escape(cls)
            + r"[ \t]*+\([^()\n]{0,200}\)[ \t]*+\)?|(?<![\w$.])"
            + re.escape(cls)
            + r")[ \t\n]{0,80}+\.[ \t]*+"
            + re.escape(method)
            + r"[ \t]*+\("
        )
        for found, (p, i, m, text) in enumerate(self.calls_in(path, cls, call), 1):
            # `new X()` then `.schedule(` on the next line: cited where the call is made,
            # the line that names the method
            i += text.count("\n", m.start(), m.end())
            self.added[p].add(HandoffSite("produce", "bull", job, i, (method,)))
            self.derived.add((p, i))
            if found >= MAX_CALLERS:
                return

    def calls_in(
        self, path: str, needle: str, call: re.Pattern[str]
    ) -> Iterator[tuple[str, int, re.Match[str], str]]:
        """Each match of `call` in the files that may call into `path` (those holding
        `needle`), outside comments: (file, line, match, the file's text)."""
        for p in self.files(path):
            got = self.text(p)
            if got is None or needle not in got[0]:
                continue
            text, lines = got
            at = Lines(text)
            for m in call.finditer(text):
                i = at.at(m.start())
                if not code_of(lines[i - 1]).lstrip().startswith(("*", "/*")):
                    yield p, i, m, text

    def event_model(self, path: str, model: str) -> None:
        """`Event.create({ name: "documents.update", … })` (any static call of the model
        with a literal `name:`) in the files that import it: producers of that event."""
        call = re.compile(r"(?<![\w$.])" + re.escape(model) + _MAKES)
        found = 0
        for p, i, m, text in self.calls_in(path, model, call):
            args = text[m.end() : m.end() + MAX_CALL_TEXT]
            name = None
            for k in range(3):  # `create({…})`, `createFromContext(ctx, {…})`
                arg = call_arg(args, k)
                key = JOB_KEY_LITERAL.search(arg) if arg.lstrip().startswith("{") else None
                if key is not None:
                    name = key.group(2)
                    break
            if name is None:
                continue
            self.added[p].add(HandoffSite("produce", "bull", name, i, (model,)))
            self.derived.add((p, i))
            found += 1
            if found >= MAX_CALLERS:
                return

    def wrapper(self, path: str, w: HandoffSite) -> None:
        _param, index, kind = (*w.aliases, "", "0", "func")[:3]
        name = re.escape(w.name)
        call = re.compile((r"\." if kind == "method" else r"(?<![\w$.])") + name + r"[ \t]*+\(")
        defined = re.compile(
            r"(?:function|async)[ \t]*+\*?[ \t]*+" + name + r"|(?:const|let|var)[ \t]++" + name
        )
        found = 0
        jobs: set[str] = set()
        files = self.files(path)
        for p in files:
            got = self.text(p)
            if got is None or w.name not in got[0]:
                continue
            text, lines = got
            at = Lines(text)
            for m in call.finditer(text):
                i = at.at(m.start())
                line = code_of(lines[i - 1])
                if line.lstrip().startswith(("*", "/*")) or defined.search(line):
                    continue
                job = _literal_at(text[m.end() : m.end() + MAX_CALL_TEXT], int(index))
                if not job:
                    continue
                jobs.add(job)
                self.added[p].add(HandoffSite("produce", "bull", job, i, (w.name,)))
                self.derived.add((p, i))
                found += 1
                if found >= MAX_CALLERS:
                    break
            if found >= MAX_CALLERS:
                break
        if jobs:
            self.named_processors(files, jobs)

    def named_processors(self, files: list[str], jobs: set[str]) -> None:
        """`queue.process("x", …)`: the consumer of job "x" in the wrapper's files."""
        pattern = re.compile(r"\.process[ \t]*+\([ \t]*+(['\"`])([\w.:/\-]{1,200}+)\1")
        for p in files:
            got = self.text(p)
            if got is None or ".process" not in got[0]:
                continue
            at = Lines(got[0])
            for m in pattern.finditer(got[0]):
                if m.group(2) in jobs:
                    self.added[p].add(HandoffSite("consume", "bull", m.group(2), at.at(m.start())))


def link_js(
    facts: Mapping[str, FileFacts], resolve: Resolve, read: ReadText, skip: Callable[[str], bool]
) -> tuple[dict[str, set[HandoffSite]], set[tuple[str, int]]]:
    """Consumers and producers found through the job layers `wrapper_sites` found."""
    if not any(s.role in ROLES for f in facts.values() if f.language in _JS for s in f.handoffs):
        return {}, set()
    linker = _JsLinker(facts, resolve, read, skip)
    linker.run()
    return dict(linker.added), linker.derived
