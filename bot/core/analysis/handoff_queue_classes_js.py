"""JS/TS queues held by a class and workers started through a registrar (BullMQ-style layers
in a monorepo, where no line says both the queue's name and `.add(`).

Two shapes, each a library's queue made where a name is known and used where it is not:

* A queue class: a class whose method makes `new Queue(NAME, …)` (`NAME` a string, an enum
  member `QueueName.Jobs`, or a local built from one, `` `${QueueName.Jobs}-${i}` ``) and hands
  it out (`static getInstance()`). In the files importing the class (through re-exports too),
  `Jobs.getInstance(…)?.add(…)` or `const q = Jobs.getInstance(…); … q.add(…)` produce to it.
* A worker registrar: a function or method whose body starts `new Worker(p, …q…)` with `p`
  and `q` its own parameters (`static register(name, processor) { new Worker(name,
  wrap(processor)) }`). Each call `Manager.register(QueueName.Jobs, jobsProcessor)` consumes
  the queue it names, cited at the processor's definition (followed through the caller's
  import), where the work is. A name that is a `forEach((shard) =>` parameter over a queue
  class's method (`Jobs.getShardNames().forEach(…)`) names that class's queue. The
  registrar's own `new Worker(p` site names a parameter, no queue: it is dropped.

Per file (`class_queue_sites`, cached with the file's facts) only the definitions are found;
`link_queue_classes` reads the importing files. Both ends are named as written (an enum member
is resolved to its value when hand-offs are paired). Patterns are literal-led with bounded
repeats; every scan is capped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping

from bot.core.analysis.handoff_links_js import ReadText, Resolve
from bot.core.analysis.handoff_queues_js import _Linker as _ImportLinker
from bot.core.analysis.py_defs import split_args
from bot.core.analysis.scan import Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

QUEUE_CLASS = "js-queue-class"
REGISTRAR = "js-worker-registrar"
ROLES = frozenset({QUEUE_CLASS, REGISTRAR})
MECHANISM = "bull"
MAX_SITES = 100  # definitions per file
MAX_CLASS_LINES = 400  # lines from a class's head to a `new Queue(` in it
MAX_HEAD_BACK = 200  # lines walked up from `new Worker(` to its function's head
MAX_HEAD_LINES = 8  # lines a function's parameters may span
MAX_ARGS_TEXT = 2_000  # characters of a call read for its arguments
MAX_USES = 2_000  # uses of a class or registrar looked at per file
MAX_ALIAS_SPAN = 150  # lines from `const q = Jobs.getInstance()` to `q.add(`
MAX_SHARD_BACK = 12  # lines from a registration up to the loop naming its shard
MAX_CLASSES = 400
MAX_REGISTRARS = 20
_JS = frozenset({"javascript", "typescript"})

_CLASS = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:default[ \t]++)?(?:abstract[ \t]++)?class[ \t]++"
    r"([A-Za-z_$][\w$]{0,100}+)"
)
# the first argument after `new Queue<…>(`: a string, `Enum.Member`, or a local
_FIRST = lazy(
    r"[ \t\n]{0,80}+(?:(['\"`])([\w.:/\-{}]{1,200}+)\1|([A-Za-z_$][\w$]{0,100}+"
    r"(?:\.[A-Za-z_$][\w$]{0,100}+)?))[ \t\n]{0,80}+[,)]"
)
# `const name = "x"`, `= Enum.Member`, `` = `${Enum.Member}-${i}` ``
_LOCAL_VALUE = (
    r"(?:const|let|var)[ \t]++{}[ \t]*+(?::[^=\n]{{0,200}}+)?=[ \t]*+"
    r"(?:(['\"])([\w.:/\-{{}}]{{1,200}}+)\1|`\$\{{([A-Z][\w$]{{0,100}}+\.[A-Za-z_$][\w$]{{0,100}}+)\}}"
    r"|([A-Z][\w$]{{0,100}}+\.[A-Za-z_$][\w$]{{0,100}}+)[ \t]*+[;,\n])"
)
_FUNC_HEAD = lazy(
    r"\A[ \t]*+(?:export[ \t]++)?(?:default[ \t]++)?(?:async[ \t]++)?function[ \t]*+\*?[ \t]*+"
    r"([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?:<[^>\n]{0,200}>)?\("
    r"|\A[ \t]*+(?:export[ \t]++)?(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+"
    r"(?::[^=\n]{0,200}?)?=[ \t]*+(?:async[ \t]++)?\("
    r"|\A[ \t]*+(?:(?:public|private|protected|static|async|override)[ \t]++){0,4}+"
    r"([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?:<[^>\n]{0,200}>)?\("
)
_NOT_NAMES = frozenset(
    {"if", "for", "while", "switch", "catch", "return", "function", "await", "new", "super"}
    | {"with", "else", "do", "try", "typeof", "void", "delete", "yield", "throw", "case"}
)
# what follows a head's ")": a return type, then its body
_BODY = lazy(r"[ \t\n]{0,80}+(?::[^{};=\n]{0,200}+)?[ \t\n]{0,80}+(?:\{|=>)")
_IDENT = lazy(r"\A[A-Za-z_$][\w$]{0,100}+\Z")
_MEMBER = lazy(r"\A[A-Z][\w$]{0,100}+\.[A-Za-z_$][\w$]{0,100}+\Z")
_LITERAL = lazy(r"\A(['\"`])([\w.:/\-{}]{1,200}+)\1\Z")
_CALLEE_HEAD = lazy(r"\A(?:await[ \t]++)?([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?:\(|\Z)")
_PUT_AFTER = lazy(r"[ \t\n]{0,80}+(?:\?\.|!?\.)[ \t\n]*+(add|addBulk)[ \t]*+\(")
_DECL = lazy(
    r"(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?::[^=\n]{0,200}+)?=(?![=>])"
)


def _code(line: str) -> bool:
    return not line.lstrip().startswith(("//", "*", "/*"))


def _enclosing_class(lines: list[str], i: int) -> str:
    """The class whose body holds line `i` (1-based): the nearest head above with no
    top-level `}` between."""
    for k in range(i - 1, max(-1, i - 1 - MAX_CLASS_LINES), -1):
        line = lines[k]
        if line.rstrip() == "}" and k != i - 1:
            return ""
        if "class" in line:
            m = _CLASS.match(line)
            if m is not None:
                return m.group(1)
    return ""


def _queue_name(text: str, lines: list[str], pos: int, i: int) -> str:
    """The first argument of the `new Queue…(` at `pos`: as written, or a local's value."""
    k = text.find("(", pos, pos + 400)
    if k == -1:
        return ""
    m = _FIRST.match(text, k + 1)
    if m is None:
        return ""
    if m.group(2):
        return m.group(2)
    token = m.group(3)
    if "." in token:
        return token if token[:1].isupper() else ""
    local = re.compile(_LOCAL_VALUE.format(re.escape(token)))
    for j in range(i - 1, max(-1, i - 1 - MAX_HEAD_BACK), -1):
        if token in lines[j]:
            v = local.search(lines[j])
            if v is not None:
                return v.group(2) or v.group(3) or v.group(4) or ""
    return ""


def _head(lines: list[str], i: int, param: str) -> tuple[str, list[str]] | None:
    """The nearest function or method head above line `i` whose parameters include
    `param`: its name and its parameters' names."""
    for k in range(i - 1, max(-1, i - 1 - MAX_HEAD_BACK), -1):
        line = lines[k]
        if "(" not in line:
            continue
        m = _FUNC_HEAD.match(line)
        if m is None:
            continue
        name = m.group(1) or m.group(2) or m.group(3)
        if name in _NOT_NAMES:
            continue
        joined = "\n".join(lines[k : k + MAX_HEAD_LINES])  # starts with the head's line
        close = _closing(joined, m.end())
        if close is None or _BODY.match(joined, close + 1) is None:
            continue  # a call (`f(name);`), not a head
        params = [_param_name(p) for p in split_args(joined[m.end() : close + 1])]
        if param in params:
            return name, params
    return None


def _param_name(raw: str) -> str:
    return raw.lstrip(".").split(":")[0].split("=")[0].strip().rstrip("?")


def class_queue_sites(text: str) -> tuple[HandoffSite, ...]:
    """`js-queue-class` (the queue's name as written, the class as alias) and
    `js-worker-registrar` (the function, aliases: its owner, the name's and the
    processor's parameter index) sites of one file."""
    if "new Queue" not in text and "new Worker" not in text:
        return ()
    lines = text.split("\n")
    at = Lines(text)
    out: list[HandoffSite] = []
    for pos in _positions(text, ("new Queue", "new Worker"), cap=MAX_SITES):
        i = at.at(pos)
        if not _code(lines[i - 1]):
            continue
        word = "Queue" if text.startswith("Queue", pos + 4) else "Worker"
        after = text[pos + 4 + len(word) : pos + 5 + len(word)]
        if not after or after not in "<( \t\n":
            continue  # `new QueueEvents(`, `new WorkerPool(`
        if word == "Queue":
            owner = _enclosing_class(lines, i)
            name = _queue_name(text, lines, pos, i) if owner else ""
            if name:
                out.append(HandoffSite(QUEUE_CLASS, MECHANISM, name, i, (owner,)))
            continue
        site = _registrar(text, lines, pos, i)
        if site is not None:
            out.append(site)
    return tuple(out)


def _registrar(text: str, lines: list[str], pos: int, i: int) -> HandoffSite | None:
    k = text.find("(", pos, pos + 400)
    if k == -1:
        return None
    args = split_args(text[k + 1 : k + 1 + MAX_ARGS_TEXT])
    if len(args) < 2:
        return None
    first = args[0].partition(" as ")[0].strip()
    if not _IDENT.match(first):
        return None
    head = _head(lines, i, first)
    if head is None:
        return None
    func, params = head
    words = set(re.findall(r"[A-Za-z_$][\w$]{0,100}+", args[1][:MAX_ARGS_TEXT]))
    proc = next((n for n, p in enumerate(params) if p != first and p in words), -1)
    if proc < 0:
        return None
    owner = _enclosing_class(lines, i) or func
    return HandoffSite(
        REGISTRAR, MECHANISM, func, i, (owner, str(params.index(first)), str(proc), first)
    )


class _Linker(_ImportLinker):
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read: ReadText,
        skip: Callable[[str], bool],
    ) -> None:
        super().__init__(facts, resolve, read, skip)
        self.dropped: dict[str, set[HandoffSite]] = defaultdict(set)
        self.held: dict[str, tuple[str, str]] = {}

    def link(self) -> None:
        classes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        registrars: list[tuple[str, HandoffSite]] = []
        for path, f in self.facts.items():
            if f.language not in _JS or self.skip(path):
                continue
            for s in f.handoffs:
                if s.role == QUEUE_CLASS and len(classes) < MAX_CLASSES:
                    classes[s.aliases[0]].append((path, s.name))
                elif s.role == REGISTRAR and len(registrars) < MAX_REGISTRARS:
                    registrars.append((path, s))
        # a class name two modules define with two queue names: left alone
        self.held = {c: w[0] for c, w in classes.items() if len({n for _, n in w}) == 1}
        for cls, (path, name) in self.held.items():
            for p in self.importers(path, cls):
                self.produced_in(p, cls, name)
        for path, s in registrars:
            owner, k, j, param = s.aliases[0], int(s.aliases[1]), int(s.aliases[2]), s.aliases[3]
            if self.registered(path, s.name, owner, k, j):
                self.dropped[path].add(HandoffSite("consume", MECHANISM, param, s.line))

    # -- producers ----------------------------------------------------------------------
    def produced_in(self, path: str, cls: str, name: str) -> None:
        got = self.text(path)
        if got is None or cls not in got[0]:
            return
        text, lines = got
        at = Lines(text)
        call = re.compile(
            r"(?<![\w$.])" + re.escape(cls) + r"[ \t]*+\.[ \t]*+[A-Za-z_$][\w$]{0,100}+[ \t]*+\("
        )
        for n, m in enumerate(call.finditer(text)):
            if n >= MAX_USES:
                break
            i = at.at(m.start())
            if not _code(lines[i - 1]):
                continue
            close = _closing(text, m.end())
            if close is None:
                continue
            put = _PUT_AFTER.match(text, close + 1)
            if put is not None:
                self.added[path].add(
                    HandoffSite("produce", MECHANISM, name, at.at(put.start(1)), (cls,))
                )
                continue
            alias = _declared(lines, i, cls)
            if alias:
                for j in _alias_puts(lines, i, alias):
                    self.added[path].add(HandoffSite("produce", MECHANISM, name, j, (alias,)))

    # -- consumers ----------------------------------------------------------------------
    def registered(self, path: str, func: str, owner: str, k: int, j: int) -> bool:
        call = re.compile(
            (r"(?<![\w$.])" + re.escape(owner) + r"[ \t\n]*+\.[ \t\n]*+" if owner != func else "")
            + (r"(?<![\w$])" if owner != func else r"(?<![\w$.])")
            + re.escape(func)
            + r"[ \t]*+\("
        )
        found = False
        for p in self.importers(path, owner):
            got = self.text(p)
            if got is None or func not in got[0]:
                continue
            text, lines = got
            at = Lines(text)
            for n, m in enumerate(call.finditer(text)):
                if n >= MAX_USES:
                    break
                i = at.at(m.start())
                line = lines[i - 1]
                if not _code(line) or (_FUNC_HEAD.match(line) and owner == func):
                    continue
                args = split_args(text[m.end() : m.end() + MAX_ARGS_TEXT])
                if len(args) <= max(k, j):
                    continue
                name = self.named(lines, i, args[k].partition(" as ")[0].strip().rstrip("!"))
                if not name:
                    continue
                where = self.processor(p, args[j])
                cited, line_no, alias = where if where else (p, i, func)
                self.added[cited].add(HandoffSite("consume", MECHANISM, name, line_no, (alias,)))
                found = True
        return found

    def named(self, lines: list[str], i: int, token: str) -> str:
        lit = _LITERAL.match(token)
        if lit is not None:
            return lit.group(2)
        if _MEMBER.match(token):
            return token
        if not _IDENT.match(token):
            return ""
        # `Jobs.getShardNames().forEach((shard) => register(shard, …))`
        loop = re.compile(
            r"\.(?:forEach|map)\([ \t]*+(?:async[ \t]++)?\(?[ \t]*+" + re.escape(token) + r"\b"
            r"|for[ \t]*+\([ \t]*+(?:const|let)[ \t]++" + re.escape(token) + r"[ \t]++of\b"
        )
        for b in range(i - 1, max(-1, i - 1 - MAX_SHARD_BACK), -1):
            m = loop.search(lines[b])
            if m is None:
                continue
            source = lines[b][: m.start()] if m.group(0)[0] == "." else lines[b][m.end() :]
            cls = self.class_of(lines, b, source)
            return self.held[cls][1] if cls in self.held else ""
        return ""

    def class_of(self, lines: list[str], b: int, source: str) -> str:
        """The queue class a loop's source comes from: `Jobs.method()` or a local set
        from one a few lines up."""
        for cls in self.held:
            if _member_of(cls, source):
                return cls
        var = re.search(r"([A-Za-z_$][\w$]{0,100}+)[ \t)]*+\Z", source.strip())
        if var is None:
            return ""
        decl = re.compile(r"(?<![\w$.])" + re.escape(var.group(1)) + r"[ \t]*+=[ \t]*+(.{1,300})")
        for a in range(b, max(-1, b - MAX_SHARD_BACK), -1):
            d = decl.search(lines[a])
            if d is not None:
                return next((c for c in self.held if _member_of(c, d.group(1))), "")
        return ""

    def processor(self, path: str, arg: str) -> tuple[str, int, str] | None:
        """Where the processor handed over is defined: (file, line, its name)."""
        m = _CALLEE_HEAD.match(arg.strip())
        if m is None or m.group(1) in _NOT_NAMES:
            return None
        ident = m.group(1)
        f = self.facts.get(path)
        targets = []
        if f is not None:
            for ref in f.imports:
                if ident in ref.names:
                    resolved = self.resolve(path, f.language, ref)
                    if resolved:
                        targets.append(resolved)
        targets.append(path)
        define = re.compile(
            r"\A(?:export[ \t]++)?(?:(?:const|let|var)[ \t]++|(?:async[ \t]++)?function"
            r"[ \t]*+\*?[ \t]*+)" + re.escape(ident) + r"(?![\w$])"
        )
        for target in targets[:4]:
            got = self.text(target)
            if got is None or ident not in got[0]:
                continue
            for n, line in enumerate(got[1], 1):
                if ident in line and define.match(line):
                    return target, n, ident
        return None


def _member_of(cls: str, text: str) -> bool:
    """`cls.` stands in `text` as a whole name (`Jobs.` is not in `OtherJobs.`)."""
    k = text.find(cls + ".")
    while k != -1:
        if k == 0 or not (text[k - 1].isalnum() or text[k - 1] in "_$."):
            return True
        k = text.find(cls + ".", k + 1)
    return False


def _closing(text: str, start: int) -> int | None:
    """The index of the ")" closing the "(" just before `start`, within `MAX_ARGS_TEXT`."""
    depth = 0
    for k in range(start, min(len(text), start + MAX_ARGS_TEXT)):
        c = text[k]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return k if c == ")" else None
            depth -= 1
    return None


def _declared(lines: list[str], i: int, cls: str) -> str:
    """`const q =\\n  Jobs.getInstance()` (or `= deps.q ?? Jobs.getInstance()`): `q`."""
    for k in range(i - 1, max(-1, i - 5), -1):
        joined = " ".join(s.strip() for s in lines[k:i])
        m = _DECL.search(joined)
        if m is not None:
            return m.group(1) if cls in joined[m.end() :] else ""
    return ""


def _alias_puts(lines: list[str], i: int, alias: str) -> list[int]:
    put = re.compile(
        r"(?<![\w$.])" + re.escape(alias) + r"[ \t]*+(?:\?\.|!?\.)[ \t]*+(?:add|addBulk)[ \t]*+\("
    )
    again = re.compile(r"(?:const|let|var)[ \t]++" + re.escape(alias) + r"(?![\w$])")
    out = []
    for j in range(i, min(len(lines), i + MAX_ALIAS_SPAN)):
        line = lines[j]
        if line.rstrip() == "}" or again.search(line):
            break  # the function (or the binding) ends
        if alias in line and _code(line) and put.search(line):
            out.append(j + 1)
    return out


def link_queue_classes(
    facts: Mapping[str, FileFacts], resolve: Resolve, read: ReadText, skip: Callable[[str], bool]
) -> tuple[dict[str, set[HandoffSite]], dict[str, set[HandoffSite]]]:
    """Producers and consumers found through queue classes and worker registrars, and the
    registrars' own parameter-named `new Worker(` sites, to drop."""
    if not any(s.role in ROLES for f in facts.values() if f.language in _JS for s in f.handoffs):
        return {}, {}
    linker = _Linker(facts, resolve, read, skip)
    linker.link()
    return dict(linker.added), dict(linker.dropped)
