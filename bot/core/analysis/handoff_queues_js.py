"""JS/TS queues told by their shape, whatever the library: one object made with a name, put to
in some files and handed to a runner in another.

Why this is generic: a queue library (or a repository's own layer over several, a plugin
behind an interface) differs in its words, but a queue's use has one shape. It is made once,
at a module's top level, by a call given the queue's name as a string (`export const Jobs =
makeQueue<T>("jobs", opts)`, `new Channel("jobs")`); code elsewhere imports that binding and
calls a put-method on it (`Jobs.enqueue(x)`, `.add`, `.push`, `.send`, `.publish`); and some
process hands the same binding to a registration whose name says it runs or consumes
(`client.createRunner(Jobs, { run })`, `new Worker(Jobs, fn)`, `registerConsumer(Jobs, h)`).
Neither end alone is claimed: a binding with put-calls and no runner (a counter's `.add`, a
set's `.push`) is no queue, and one handed to a runner that nothing puts to is no hand-off.

Per file (`queue_definitions`, cached with the file's facts) only the definitions are found,
as raw `js-named-queue` sites (the name, the binding as alias). `link_named_queues` then reads
the files that import the binding from the defining module (directly, or through a module
that re-exports it, `MAX_REEXPORT_DEPTH` deep) and the defining file itself:

* `B.enqueue(…)` (or a local `const q = cond ? B1 : B2` then `q.enqueue(…)`) produces B's
  queue, cited at the line naming the put-method;
* `register…(B, …)`, the callee's name holding runner/worker/consum/process, consumes it,
  cited at the callee's line; when the argument is the enclosing function's parameter
  (`static build(queue) { client.createRunner(queue, …) }`), the calls passing a queue
  binding in that position (`Worker.build(Jobs)`, in the files importing the function's
  module) say which queues the registration consumes;
* a named function or class method whose body puts to the queue is its producer API: each
  call of it in the files importing it is a producer too (one level, `MAX_CALLERS` each).

Every pattern is linear (literal-led, bounded repeats); files are read once, cut at
`handoff_links_js.MAX_TEXT`, and every loop is capped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from bot.core.analysis.handoff_links_js import LinkerState, ReadText, Resolve
from bot.core.analysis.scan import Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite, ImportRef

DEFINITION = "js-named-queue"
MECHANISM = "queue"
MAX_DEFINITIONS = 200  # per file
MAX_QUEUES = 400  # per repository
MAX_FILES = 400  # files read per defining module
MAX_USES = 2_000  # places a binding is looked at in one file
MAX_CALLERS = 40  # producer sites per wrapper
MAX_WRAPPERS = 200
MAX_BACK = 1_500  # characters walked back from an argument to its call's "("
MAX_ASCENT = 200  # lines walked up from a put to the function around it
MAX_BODY = 400  # lines of a function's body counted for its braces
MAX_ALIAS_LINES = 40  # lines between `const q = … B …` and `q.enqueue(`
MAX_REEXPORT_DEPTH = 2
MAX_PASSES = 20  # calls a binding is handed to, followed into their function, per queue
_JS = frozenset({"javascript", "typescript"})

# `export const Jobs = makeQueue<T>(\n  "jobs", …`, `const q = new Channel("jobs")`: read
# from each top-level `const|let|var` (a line's start), the name up to 400 characters on.
_DEF_NEEDLES = ("export const ", "export let ", "const ", "let ", "var ")
_DEF = lazy(
    r"(?:export[ \t]++)?(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+"
    r"(?::[^=\n]{0,200}+)?=[ \t\n]{0,40}+(?:await[ \t]++)?(?:new[ \t]++)?"
    r"([A-Za-z_$][\w$]{0,100}+(?:\.[A-Za-z_$][\w$]{0,100}+){0,3}+)[ \t]*+"
    r"(?:<(?:[^<>();]|<[^<>();]{0,100}+>){0,300}+>)?[ \t]*+\([ \t\n]{0,80}+"
    r"(['\"`])([\w.:/\-]{1,200}+)\3[ \t\n]*+[,)]"
)
PUT_METHODS = ("enqueue", "enqueueMany", "add", "addBulk", "push", "send", "publish")
# Calls that load a module or name a thing, never make a queue.
_NOT_MAKERS = frozenset({"require", "import", "Symbol", "String", "RegExp", "Error", "URL"})
_PUT = lazy(r"[ \t\n]{0,80}+(?:\?\.|!?\.)[ \t]*+(" + "|".join(PUT_METHODS) + r")[ \t]*+\(")
# The callee's name says it runs or takes what it is given.
_CONSUMER_WORDS = ("runner", "worker", "consum", "process")
_NEXT = lazy(r"[ \t\n]{0,80}+(\S)")
_OWNER = lazy(r"(?<![\w$.])([A-Za-z_$][\w$]{0,100}+)[ \t\n]*+\.[ \t\n]*+\Z")
_CALLEE = lazy(r"([A-Za-z_$][\w$]{0,100}+)[ \t\n]*+\Z")
_ALIAS = lazy(
    r"(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?::[^=\n]{0,200}+)?=(?!=)"
    r"([^;{}]{0,400}+)"
)
_FUNC_HEAD = lazy(
    r"\A(?:export[ \t]++)?(?:default[ \t]++)?(?:async[ \t]++)?function[ \t]*+\*?[ \t]*+"
    r"([A-Za-z_$][\w$]{0,100}+)"
    r"|\A(?:export[ \t]++)?(?:const|let|var)[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+"
    r"(?::[^=\n]{0,200}+)?=[ \t]*+(?:async[ \t]++)?(?:function\b|\(|[A-Za-z_$][\w$]{0,100}+"
    r"[ \t]*+=>)"
)
_METHOD_HEAD = lazy(
    r"\A((?:(?:public|private|protected|static|async|override|readonly)[ \t]++){0,5}+)"
    r"([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?:<[^>\n]{0,200}+>)?[ \t]*+\("
)
_CLASS_HEAD = lazy(
    r"\A(?:export[ \t]++)?(?:default[ \t]++)?(?:abstract[ \t]++)?class[ \t]++"
    r"([A-Za-z_$][\w$]{0,100}+)"
)
_NOT_NAMES = frozenset(
    {"if", "for", "while", "switch", "catch", "return", "function", "await", "new", "super"}
    | {"with", "else", "do", "try", "typeof", "void", "delete", "yield", "throw", "case"}
)
# Methods whose name alone says nothing of what they do: no caller of one is followed
# through `.name(` on something not named for its class.
_COMMON = frozenset(
    {"add", "push", "set", "get", "emit", "send", "process", "run", "handle", "create"}
    | {"update", "delete", "save", "start", "stop", "call", "execute", "init", "build"}
)


def _code(line: str) -> bool:
    s = line.lstrip()
    return not s.startswith(("//", "*", "/*"))


def queue_definitions(text: str) -> tuple[HandoffSite, ...]:
    """Top-level bindings made by a call whose first argument is a string (raw sites: the
    string as the name, the binding as alias): candidates only, kept where both ends are."""
    if "(" not in text:
        return ()
    at = Lines(text)
    out: list[HandoffSite] = []
    seen: set[int] = set()
    for pos in _positions(text, _DEF_NEEDLES):
        if pos and text[pos - 1] != "\n":
            continue  # not at a line's start: a nested declaration
        if pos in seen:
            continue
        seen.add(pos)
        m = _DEF.match(text, pos)
        if m is None or m.group(2) in _NOT_MAKERS:
            continue
        out.append(HandoffSite(DEFINITION, MECHANISM, m.group(4), at.at(pos), (m.group(1),)))
        if len(out) >= MAX_DEFINITIONS:
            break
    return tuple(out)


# producer (file, line, the name the line holds), consumer (file, line), and the calls a
# binding is handed to (file, imported holder, callee, argument index)
_Uses = tuple[list[tuple[str, int, str]], list[tuple[str, int]], list[tuple[str, str, str, int]]]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


class _Linker(LinkerState):
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        resolve: Resolve,
        read: ReadText,
        skip: Callable[[str], bool],
    ) -> None:
        super().__init__(facts, resolve, read, skip)
        self._exporters: dict[str, set[str]] | None = None
        self._passed: dict[tuple[str, str, str, int], list[tuple[str, int]]] = {}
        self.hidden: dict[str, set[HandoffSite]] = defaultdict(set)
        self._import_index: dict[str, list[tuple[str, str, ImportRef]]] | None = None

    # -- who imports what -------------------------------------------------------------
    def _index(self) -> dict[str, list[tuple[str, str, ImportRef]]]:
        """name -> (importing file, its language, the import naming it), for every JS/TS
        import naming names (resolved on demand); and `_exporters` (file -> files
        re-exporting from it: `export * from`, `export { x } from`)."""
        if self._import_index is not None:
            return self._import_index
        index: dict[str, list[tuple[str, str, ImportRef]]] = defaultdict(list)
        exporters: dict[str, set[str]] = defaultdict(set)
        for path, f in self.facts.items():
            if f.language not in _JS or self.skip(path):
                continue
            for ref in f.imports:
                if ref.kind == "export":
                    got = self.resolve(path, f.language, ref)
                    if got:
                        exporters[got].add(path)
                    continue
                for name in ref.names:
                    index[name].append((path, f.language, ref))
        self._import_index, self._exporters = index, exporters
        return index

    def importers(self, target: str, name: str) -> list[str]:
        """`target` and the files importing `name` from it or from a module re-exporting it."""
        index = self._index()
        assert self._exporters is not None
        sources = {target}
        frontier = {target}
        for _ in range(MAX_REEXPORT_DEPTH):
            frontier = {e for t in frontier for e in self._exporters.get(t, ())} - sources
            sources |= frontier
        users = sorted(
            {p for p, lang, ref in index.get(name, ()) if self.resolve(p, lang, ref) in sources}
            - {target}
        )
        return [target, *users][:MAX_FILES]

    # -- the pass -----------------------------------------------------------------------
    def run(self) -> None:
        defs: list[tuple[str, HandoffSite]] = []
        for path, f in self.facts.items():
            if f.language not in _JS or self.skip(path):
                continue
            defs.extend((path, s) for s in f.handoffs if s.role == DEFINITION)
        if not defs:
            return
        # binding -> queue, per defining file: the parameter-follow step needs them all
        self.queues: dict[str, str] = {}
        by_binding: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for path, s in defs[:MAX_QUEUES]:
            by_binding[s.aliases[0]].append((path, s.name))
        for binding, where in by_binding.items():
            if len(where) == 1:  # two modules making one binding name: left alone
                self.queues[binding] = where[0][1]
        per_queue: dict[str, _Uses] = {}
        for path, s in defs[:MAX_QUEUES]:
            binding = s.aliases[0]
            if binding not in self.queues:
                continue
            per_queue[binding] = self.uses(path, binding, s.name)
        # a parameter handed to a runner: the calls passing a queue binding there
        consumed: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for binding, (_p, cons, passes) in per_queue.items():
            consumed[self.queues[binding]].extend(cons)
            for p, owner, func, index in passes[:MAX_PASSES]:
                consumed[self.queues[binding]].extend(self.passed_to_runner(p, owner, func, index))
        for binding, (prods, _c, _ps) in per_queue.items():
            name = self.queues[binding]
            if not prods or not consumed.get(name):
                continue  # one end alone is no queue of ours
            for p, i in consumed[name]:
                self.added[p].add(HandoffSite("consume", MECHANISM, name, i, (binding,)))
            for p, i, token in prods:
                # the alias is what the cited line names (the binding, or the local holding it)
                self.added[p].add(HandoffSite("produce", MECHANISM, name, i, (token,)))
            for p, i, token in prods[:MAX_WRAPPERS]:
                if self.wrapper_callers(p, i, name):
                    # its callers are the producers a flow shows: the put inside the
                    # function is drawn for every file that only imports its module
                    self.hidden[p].add(HandoffSite("produce", MECHANISM, name, i, (token,)))

    def uses(self, path: str, binding: str, name: str) -> _Uses:
        """Producer lines (with the name the line holds), consumer lines, and the other
        calls `binding` is handed to (file, the imported name the callee hangs on, the
        callee, the argument's index), in the files that may use `binding`."""
        prods: list[tuple[str, int, str]] = []
        cons: list[tuple[str, int]] = []
        passes: list[tuple[str, str, str, int]] = []
        word = re.compile(re.escape(binding) + r"(?![\w$])")  # literal-led; the start below
        for p in self.importers(path, binding):
            got = self.text(p)
            if got is None or binding not in got[0]:
                continue
            text, lines = got
            at = Lines(text)
            aliases: list[tuple[str, int]] = []
            for n, m in enumerate(word.finditer(text)):
                if n >= MAX_USES:
                    break
                if m.start() and (text[m.start() - 1] in ".$_" or text[m.start() - 1].isalnum()):
                    continue
                i = at.at(m.start())
                if not _code(lines[i - 1]):
                    continue
                after = _next_char(text, m.end())
                if after in ".?!":
                    put = _PUT.match(text, m.end())
                    if put is not None:
                        prods.append((p, at.at(put.start(1)), binding))
                    continue
                if after in ",)":
                    call = self.callee(text, m.start(), m.end())
                    if call is not None:
                        callee, cpos, index = call
                        if any(w in callee.lower() for w in _CONSUMER_WORDS):
                            cons.append((p, at.at(cpos)))
                        else:  # handed to a function that may hand it to a runner
                            owner = _owner_before(text, cpos)
                            passes.append((p, owner or callee, callee, index))
                        continue
                if _prev_char(text, m.start()) in "=?:|":
                    alias = self.alias_of(lines, i, binding)
                    if alias:
                        aliases.append((alias, i))
            for alias, i in aliases:
                prods.extend((p, j, alias) for j in self.alias_puts(text, lines, alias, i))
        return prods, cons, passes

    @staticmethod
    def callee(text: str, start: int, end: int) -> tuple[str, int, int] | None:
        """When the token at `start:end` is a whole argument of a call: the callee's name,
        where it stands (its generic arguments skipped) and the argument's index."""
        k = end
        stop = min(len(text), end + 80)
        while k < stop and text[k] in " \t\n":
            k += 1
        if k >= len(text) or text[k] not in ",)":
            return None
        # back to the call's "(": over earlier arguments at depth 0
        depth = 0
        index = 0
        j = start - 1
        low = max(0, start - MAX_BACK)
        while j >= low:
            c = text[j]
            if c in ")]}":
                depth += 1
            elif c in "([{":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                index += 1
            elif c == ";" and depth == 0:
                return None
            j -= 1
        if j < low or text[j] != "(":
            return None
        k = j - 1
        while k >= low and text[k] in " \t\n":
            k -= 1
        if k >= low and text[k] == ">":  # `createRunner<A, B>(`: the generic arguments
            depth = 0
            while k >= low:
                if text[k] == ">":
                    depth += 1
                elif text[k] == "<":
                    depth -= 1
                    if depth == 0:
                        break
                elif text[k] == ";":
                    return None
                k -= 1
            k -= 1
        m = _CALLEE.search(text, max(low, k - 100), k + 1)
        if m is None or m.group(1) in _NOT_NAMES:
            return None
        return m.group(1), m.start(1), index

    @staticmethod
    def alias_of(lines: list[str], i: int, binding: str) -> str:
        """`const q = cond ? B1 : B2;` (over up to 4 lines): `q`, when `binding` stands as a
        value of it (after `=`, `?`, `:`, `||`, `??`)."""
        for k in range(i - 1, max(-1, i - 5), -1):
            joined = " ".join(s.strip() for s in lines[k:i])
            m = _ALIAS.search(joined)
            if m is None:
                continue
            expr = m.group(2)
            for v in re.finditer(
                r"(?:^|[=?:|]|\?\?)[ \t]*+" + re.escape(binding) + r"(?![\w$.(])", expr
            ):
                return m.group(1) if v else ""
            return ""
        return ""

    @staticmethod
    def alias_puts(text: str, lines: list[str], alias: str, i: int) -> Iterator[int]:
        put = re.compile(
            r"(?<![\w$.])"
            + re.escape(alias)
            + r"[ \t]*+(?:\?\.|!?\.)[ \t]*+(?:"
            + "|".join(PUT_METHODS)
            + r")[ \t]*+\("
        )
        for j in range(i - 1, min(len(lines), i + MAX_ALIAS_LINES)):
            if put.search(lines[j]) and _code(lines[j]):
                yield j + 1

    # -- a registration handed a parameter --------------------------------------------
    def passed_to_runner(
        self, path: str, owner: str, func: str, index: int
    ) -> list[tuple[str, int]]:
        """`Holder.func(B)` in `path`, where `Holder` (or `func`) is imported: the runner
        registrations in `func`'s body that are handed its parameter number `index`."""
        f = self.facts.get(path)
        if f is None or func in _NOT_NAMES:
            return []
        key = (path, owner, func, index)
        if key in self._passed:
            return self._passed[key]
        out: list[tuple[str, int]] = []
        self._passed[key] = out
        targets = [path]
        for ref in f.imports:
            if owner in ref.names:
                resolved = self.resolve(path, f.language, ref)
                if resolved:
                    targets.append(resolved)
        for target in targets[:4]:
            got = self.text(target)
            if got is None or func not in got[0]:
                continue
            text, lines = got
            for k, line in enumerate(lines):
                if func not in line:
                    continue
                s = line.strip()
                fm = _FUNC_HEAD.match(s)
                mm = _METHOD_HEAD.match(s)
                named = (fm is not None and func in (fm.group(1), fm.group(2))) or (
                    mm is not None and mm.group(2) == func
                )
                if not named:
                    continue
                param = _param(lines, k, line.find(func) + len(func), index)
                if param:
                    out.extend((target, i) for i in self.runners_in(text, lines, k, param))
            if out:
                break
        return out

    def runners_in(self, text: str, lines: list[str], k: int, param: str) -> Iterator[int]:
        """Lines of registrations handed `param` within the body opened at line index `k`."""
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        end = k + 1
        depth = 0
        opened = False
        for j in range(k, min(len(lines), k + MAX_BODY)):
            depth += lines[j].count("{") - lines[j].count("}")
            opened = opened or depth > 0
            end = j + 1
            if opened and depth <= 0:
                break
        body = text[starts[k] : starts[end]]
        at = Lines(text)
        word = re.compile(r"(?<![\w$.])" + re.escape(param) + r"(?![\w$])")
        for n, m in enumerate(word.finditer(body)):
            if n >= MAX_USES:
                break
            call = self.callee(text, starts[k] + m.start(), starts[k] + m.end())
            if call is not None and any(w in call[0].lower() for w in _CONSUMER_WORDS):
                yield at.at(call[1])

    # -- producer APIs ----------------------------------------------------------------
    def wrapper_callers(self, path: str, i: int, name: str) -> int:
        """The calls of the named function around the put at `path:i`, added as producers;
        how many."""
        got = self.text(path)
        if got is None:
            return 0
        text, lines = got
        head = _enclosing(lines, i)
        if head is None:
            return 0
        func, owner = head
        if owner:
            needle = owner
            call = re.compile(
                r"(?:(?<![\w$.])"
                + re.escape(owner)
                + r"|\)|this)[ \t\n]{0,40}+\.[ \t]*+"
                + re.escape(func)
                + r"[ \t]*+\("
                + (
                    ""
                    if func in _COMMON
                    else r"|(?<![\w$])[A-Za-z_$][\w$]{0,100}+[ \t]*+(?:\?\.|!?\.)[ \t]*+"
                    + re.escape(func)
                    + r"[ \t]*+\("
                )
            )
        else:
            needle = func
            call = re.compile(r"(?<![\w$.])" + re.escape(func) + r"[ \t]*+\(")
        found = 0
        for p in self.importers(path, needle):
            got = self.text(p)
            if got is None or func not in got[0]:
                continue
            text, lines = got
            at = Lines(text)
            for m in call.finditer(text):
                k = at.at(m.end() - 1)
                line = lines[k - 1]
                if not _code(line) or _declares(line, func):
                    continue
                self.added[p].add(HandoffSite("produce", MECHANISM, name, k, (func,)))
                self.derived.add((p, k))
                found += 1
                if found >= MAX_CALLERS:
                    return found
        return found


def _next_char(text: str, pos: int) -> str:
    """The first character at or after `pos` that is no blank (within 80), "" when none."""
    m = _NEXT.match(text, pos)
    return m.group(1) if m is not None else ""


def _prev_char(text: str, pos: int) -> str:
    k = pos - 1
    low = max(0, pos - 80)
    while k >= low and text[k] in " \t\n":
        k -= 1
    return text[k] if k >= low else ""


def _owner_before(text: str, pos: int) -> str:
    """`Holder` in `Holder.func(` (the callee at `pos`), "" when the callee stands alone."""
    m = _OWNER.search(text, max(0, pos - 120), pos)
    return m.group(1) if m is not None else ""


def _param(lines: list[str], k: int, col: int, index: int) -> str:
    """Parameter number `index` of the head at line index `k` (its "(" at or after `col`),
    read over up to 8 lines: its name, without type or default."""
    head = lines[k][col:] + "\n" + "\n".join(lines[k + 1 : k + 8])
    if not head.lstrip().startswith(("(", "<")):
        return ""
    start = head.find("(")
    depth = 0
    parts: list[str] = []
    cur = ""
    for c in head[start + 1 : start + 1 + MAX_BACK]:
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            if depth == 0:
                parts.append(cur)
                break
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += c
    if index >= len(parts):
        return ""
    name = parts[index].strip().lstrip(".").split(":")[0].split("=")[0].strip().rstrip("?")
    return name if re.fullmatch(r"[A-Za-z_$][\w$]{0,100}", name) else ""


def _declares(line: str, func: str) -> bool:
    """A function's own head (a method's never matches a caller's pattern: no receiver)."""
    m = _FUNC_HEAD.match(line.lstrip())
    return m is not None and func in (m.group(1), m.group(2))


def _enclosing(lines: list[str], i: int) -> tuple[str, str] | None:
    """The named function (owner "") or class method (owner: its class) whose body holds
    line `i`; None inside an anonymous function, or when none is found."""
    depth = _indent(lines[i - 1])
    for k in range(i - 2, max(-1, i - 2 - MAX_ASCENT), -1):
        line = lines[k]
        s = line.strip()
        if not s or not _code(line) or s.startswith((")", "}", "]")):
            continue  # a head's closing `) {` stands at its head's indentation
        d = _indent(line)
        if d >= depth:
            continue
        depth = d
        f = _FUNC_HEAD.match(s)
        if f is not None:
            name = f.group(1) or f.group(2)
            return (name, "") if d == 0 and _holds(lines, k, i) else None
        if "=>" in s or "function" in s or _CLASS_HEAD.match(s):
            return None
        mm = _METHOD_HEAD.match(s)
        if mm is not None and mm.group(2) not in _NOT_NAMES and "=" not in s.partition("(")[0]:
            owner = _class_above(lines, k, d)
            if owner and _holds(lines, k, i):
                return mm.group(2), owner
            return None
        if d == 0:
            return None
    return None


def _class_above(lines: list[str], k: int, depth: int) -> str:
    for j in range(k - 1, max(-1, k - MAX_ASCENT * 5), -1):
        s = lines[j].strip()
        if not s or not _code(lines[j]):
            continue
        d = _indent(lines[j])
        if d < depth:
            c = _CLASS_HEAD.match(s)
            return c.group(1) if c is not None else ""
    return ""


def _holds(lines: list[str], k: int, i: int) -> bool:
    """Whether the function starting at line index `k` is still open at line `i` (1-based)."""
    depth = 0
    opened = False
    for j in range(k, min(i - 1, k + MAX_BODY)):
        line = lines[j]
        depth += line.count("{") - line.count("}")
        if depth > 0:
            opened = True
        elif opened:
            return False
    return opened and depth > 0 and i - 1 - k < MAX_BODY


def link_named_queues(
    facts: Mapping[str, FileFacts], resolve: Resolve, read: ReadText, skip: Callable[[str], bool]
) -> tuple[dict[str, set[HandoffSite]], set[tuple[str, int]], dict[str, set[HandoffSite]]]:
    """Producers and consumers of the queues `queue_definitions` found; the producer lines
    found through a producer API (cited after the direct ones); and the puts inside such an
    API, which the flows leave to its callers."""
    if not any(
        s.role == DEFINITION for f in facts.values() if f.language in _JS for s in f.handoffs
    ):
        return {}, set(), {}
    linker = _Linker(facts, resolve, read, skip)
    linker.run()
    return dict(linker.added), linker.derived, dict(linker.hidden)
