"""The consumer of a Python task called through a method its decorator added: the `def`
that `send_report.delay(…)`, `.apply_async(…)`, `.run_in_thread(…)`, `.kiq(…)` or
`.send(…)` names, whatever library the decorator comes from.

Why it is generic: a plain function has no `.delay`; a name called so is a function some
decorator (or a wrapping call, `task = register(...)(fn)`) turned into a task object, and
the function it wraps is what runs on the other side. So the rule does not need to know the
task library (Celery, huey, dramatiq, taskiq, a project's own processor): it follows the
producer's name to where it is defined, through the producer file's imports (`from app.jobs
import send_report`, `from app import jobs` + `jobs.send_report`, `import … as …`, imports
inside a function) or its own file, and takes:

* a module-level `def name` (or one under a module-level `if`/`try`) with a decorator that
  is no plain-function decorator (`property`, `lru_cache`, `contextmanager`…): the consumer
  is cited at the `def`;
* `name = decorator(…)(fn)` at module level, the wrapping form: the consumer is the `def`
  of `fn` (through that module's imports when it is imported, `fn as fn_service` followed),
  or the assignment when `fn` is not found.

The mechanism is named for the decorator's package as the defining file imports it
(`task_processor`, shown "task processor"), else for the decorator. Only producer names no
consumer answers to are looked up, at most `MAX_PRODUCERS` of them; files are read through
the linker's bounded reader; one package `__init__.py` re-export is followed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from bot.core.analysis.handoff_targets import consumed_names
from bot.core.analysis.handoffs_python_patterns import imported_aliases
from bot.core.analysis.py_defs import closing_paren
from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite, ImportRef

MAX_PRODUCERS = 2_000  # producer sites looked up
MAX_IMPORTS = 300  # imports of one file looked through
MAX_DECORATOR_LINES = 12  # lines between a decorator's `@` and its `def`
MAX_WRAP_TEXT = 800  # characters of a wrapping assignment read
MAX_FINDS = 200  # places a name is looked at in one file
MAX_REEXPORTS = 1  # package files a name is followed through
MAX_BACK = 2_000  # lines walked back from a `def` to the block that holds it

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadText = Callable[[str], "tuple[str, list[str]] | None"]

# The methods a task decorator adds that enqueue or start the task. `.send` is dramatiq's;
# a `.send(` on anything else (a signal, a mail) never resolves to a decorated `def`.
TASK_VERBS = ("delay", "apply_async", "run_in_thread", "send", "kiq", "defer_async")
# The producer sites this rule looks up (a `.delay(` in a file with a task word is taken
# for Celery's by the line scan, one elsewhere is "unconfirmed").
_LOOKED_UP = frozenset({"celery", "unconfirmed", "dramatiq", "huey"})
_CALL = lazy(
    r"(?<![\w.])((?:[A-Za-z_]\w{0,100}+\.){0,2}[A-Za-z_]\w{0,100}+)\."
    r"(?:delay|apply_async|run_in_thread|send|kiq|defer_async)\("
)
# Decorators that return a plain function or a descriptor: nothing they make has `.delay`.
_PLAIN = frozenset(
    {
        *("property", "staticmethod", "classmethod", "cached_property", "abstractmethod"),
        *("lru_cache", "cache", "wraps", "contextmanager", "asynccontextmanager", "overload"),
        *("override", "final", "fixture", "setter", "getter", "deleter", "dataclass"),
    }
)
_DECORATOR = lazy(r"\A([ \t]*+)@[ \t]*+([A-Za-z_][\w.]{0,200}+)")
_BLOCK = lazy(r"\A(?:if|elif|else|try|except|finally|with)\b")
# Matched where the "(" is (blanks skipped by `_after_blanks`): literal-led.
_WRAPPED = lazy(r"\([ \t\n]*+([A-Za-z_][\w.]{0,200}+)[ \t\n]*+,?[ \t\n]*+\)")
_CALLEE = lazy(r"\A[ \t]*+=[ \t]*+([A-Za-z_][\w.]{0,200}+)[ \t]*+\(")


def decorated_consumers(
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    read: ReadText,
    skip: Callable[[str], bool],
) -> Iterable[tuple[str, HandoffSite]]:
    """(path, consumer site) for each task a producer calls through a decorator's method
    whose definition this repository holds and no consumer already answers to."""
    consumed = consumed_names(facts, skip)
    finder = _Finder(facts, resolve, read)
    looked = 0
    done: set[tuple[str, str]] = set()  # (defining file, name) already given a consumer
    for path, f in facts.items():
        if skip(path) or f.language != "python":
            continue
        producers = [
            s
            for s in f.handoffs
            if s.role == "produce" and s.mechanism in _LOOKED_UP and s.name not in consumed
        ]
        if not producers:
            continue
        got = read(path)
        if got is None:
            continue
        lines = got[1]
        renamed: dict[str, str] | None = None
        for s in producers:
            if looked >= MAX_PRODUCERS:
                return
            looked += 1
            if s.line > len(lines):
                continue
            if renamed is None:
                renamed = imported_aliases(lines) if " as " in got[0] else {}
            for receiver in _receivers(lines[s.line - 1], s.name, renamed):
                found = finder.task(path, receiver, renamed)
                if found is None:
                    continue
                where, site = found
                if (where, site.name) not in done:
                    done.add((where, site.name))
                    yield where, replace_name(site, s.name)
                break


def replace_name(site: HandoffSite, name: str) -> HandoffSite:
    """The consumer named as the producer names it (its registered name kept as an alias)."""
    if site.name == name:
        return site
    return HandoffSite(site.role, site.mechanism, name, site.line, (site.name, *site.aliases))


def _receivers(line: str, name: str, renamed: Mapping[str, str]) -> list[list[str]]:
    """The dotted receivers on `line` whose last part is `name` (or an alias of it)."""
    out = []
    for m in _CALL.finditer(line.split("#", 1)[0]):
        parts = m.group(1).split(".")
        if parts[-1] == name or renamed.get(parts[-1]) == name:
            out.append(parts)
    return out


class _Finder:
    def __init__(self, facts: Mapping[str, FileFacts], resolve: Resolve, read: ReadText):
        self.facts = facts
        self.resolve = resolve
        self.read = read
        self._memo: dict[tuple[str, str, int], tuple[str, HandoffSite] | None] = {}

    def task(
        self, path: str, receiver: list[str], renamed: Mapping[str, str]
    ) -> tuple[str, HandoffSite] | None:
        """Where the task `receiver` names (as seen from `path`) is defined, as a consumer."""
        name = renamed.get(receiver[-1], receiver[-1])
        for candidate in self._modules(path, receiver[:-1], name, renamed):
            found = self.defined(candidate, name, MAX_REEXPORTS)
            if found is not None:
                return candidate if found[0] == "" else found[0], found[1]
        return None

    def _modules(
        self, path: str, qualifier: list[str], name: str, renamed: Mapping[str, str]
    ) -> list[str]:
        """The files that may define `name`, by the producer file's imports."""
        imports = self.facts[path].imports[:MAX_IMPORTS]
        refs: list[ImportRef] = []
        if not qualifier:
            refs = [r for r in imports if name in r.names]
        elif len(qualifier) == 1:
            module = renamed.get(qualifier[0], qualifier[0])
            for r in imports:
                if module in r.names:  # `from app import jobs`
                    spec = f"{r.spec}.{module}" if r.spec else module
                    refs.append(ImportRef(spec, r.line, r.level))
                elif not r.names and r.spec.rpartition(".")[2] == module:
                    refs.append(r)  # `import app.jobs as jobs`
        else:
            dotted = ".".join(qualifier)
            refs = [r for r in imports if not r.names and r.spec == dotted]
        out = [got for r in refs if (got := self.resolve(path, "python", r))]
        if not qualifier:
            out.append(path)  # a task defined in the producer's own file
        return list(dict.fromkeys(out))

    def defined(self, module: str, name: str, hops: int) -> tuple[str, HandoffSite] | None:
        """("" or the file it was found in, consumer) for `name` in `module`."""
        key = (module, name, hops)
        if key not in self._memo:
            self._memo[key] = None  # a cycle of re-exports ends here
            self._memo[key] = self._defined(module, name, hops)
        return self._memo[key]

    def _defined(self, module: str, name: str, hops: int) -> tuple[str, HandoffSite] | None:
        f = self.facts.get(module)
        got = self.read(module) if f is not None and f.language == "python" else None
        if got is None:
            return None
        text, lines = got
        at = Lines(text)
        for pos in _places(text, name):
            i = at.at(pos)
            line = lines[i - 1]
            code = line.lstrip()
            indent = len(line) - len(code)
            if not _module_level(lines, i, indent):
                continue
            if code.startswith(("def ", "async def ")):
                decorator = _decorator(lines, i, indent)
                if decorator is not None:
                    return "", HandoffSite("consume", self._mechanism(module, decorator), name, i)
            elif code.startswith(name):
                wrapped = _wrapping(text, pos + len(name))
                if wrapped is not None:
                    return self._wrapped(module, name, i, *wrapped)
        if hops > 0 and module.endswith("__init__.py"):
            # a package that re-exports the name: `from .jobs import send_report`
            for r in f.imports[:MAX_IMPORTS] if f is not None else ():
                if name in r.names and (got2 := self.resolve(module, "python", r)):
                    found = self.defined(got2, name, hops - 1)
                    if found is not None:
                        return got2 if found[0] == "" else found[0], found[1]
        return None

    def _wrapped(
        self, module: str, name: str, line: int, decorator: str, fn: str
    ) -> tuple[str, HandoffSite]:
        """`name = decorator(…)(fn)`: the consumer is `fn`'s `def`, else the assignment."""
        mechanism = self._mechanism(module, decorator)
        got = self.read(module)
        renamed = imported_aliases(got[1]) if got is not None and " as " in got[0] else {}
        original = renamed.get(fn, fn)
        f = self.facts[module]
        homes = [
            r2
            for r in f.imports[:MAX_IMPORTS]
            if original in r.names and (r2 := self.resolve(module, "python", r))
        ]
        for home in [*homes, module]:
            at = _def_line(self.read(home), original)
            if at is not None:
                aliases = (original,) if original != name else ()
                site = HandoffSite("consume", mechanism, name, at, aliases)
                return ("" if home == module else home), site
        return "", HandoffSite("consume", mechanism, name, line)

    def _mechanism(self, module: str, decorator: str) -> str:
        """The decorator's package as `module` imports it (`task_processor` read as "task
        processor"), else the decorator's name."""
        head = decorator.split(".")[0]
        for r in self.facts[module].imports[:MAX_IMPORTS]:
            if r.spec and not r.level and (head in r.names or r.spec.split(".")[-1] == head):
                return r.spec.split(".")[0].replace("_", " ")
        return decorator.rpartition(".")[2]


def _places(text: str, name: str) -> list[int]:
    """Positions of `def name(` and of a line starting `name =` (bounded)."""
    out: list[int] = []
    for needle in (f"def {name}(", f"def {name} (", f"\n{name} =", f"\n{name}="):
        pos = text.find(needle)
        while pos != -1 and len(out) < MAX_FINDS:
            start = pos + 1 if needle.startswith("\n") else text.rfind("\n", 0, pos) + 1
            out.append(start if needle.startswith("\n") else pos)
            pos = text.find(needle, pos + len(needle))
    if text.startswith((f"{name} =", f"{name}=")):
        out.append(0)
    return sorted(set(out))


def _module_level(lines: list[str], i: int, indent: int) -> bool:
    """Whether line `i` is at module level, or in a module-level `if`/`try`/`with` block."""
    if indent == 0:
        return True
    for j in range(i - 2, max(-1, i - 2 - MAX_BACK), -1):
        text = lines[j]
        code = text.lstrip()
        if not code or code.startswith(("#", ")", "]", "}", "@")):
            continue
        if len(text) - len(code) < indent:
            return len(text) - len(code) == 0 and _BLOCK.match(code) is not None
    return False


def _decorator(lines: list[str], i: int, indent: int) -> str | None:
    """The outermost task-like decorator over the `def` on line `i`, or None."""
    found: str | None = None
    for j in range(i - 2, max(-1, i - 2 - MAX_DECORATOR_LINES), -1):
        text = lines[j]
        code = text.lstrip()
        if not code or code.startswith("#"):
            continue
        level = len(text) - len(code)
        if level > indent or (level == indent and code[0] in ")]}"):
            continue  # a decorator's arguments over several lines
        m = _DECORATOR.match(text)
        if m is None or len(m.group(1)) != indent:
            break
        if m.group(2).rpartition(".")[2] in _PLAIN:
            return None
        found = m.group(2)
    return found


def _wrapping(text: str, at: int) -> tuple[str, str] | None:
    """(decorator, fn) when `text[at:]` reads `= decorator(…)(fn)`."""
    window = text[at : at + MAX_WRAP_TEXT]
    m = _CALLEE.match(window)
    if m is None:
        return None
    end = closing_paren(window, m.end())
    if end is None:
        return None
    w = _WRAPPED.match(window, _after_blanks(window, end + 1))
    return (m.group(1), w.group(1).rpartition(".")[2]) if w is not None else None


def _after_blanks(text: str, at: int) -> int:
    """`at` moved past spaces and tabs."""
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


_DEF_AT = re.compile(r"(?:async[ \t]++)?def[ \t]++([A-Za-z_]\w{0,100}+)")


def _def_line(got: tuple[str, list[str]] | None, func: str) -> int | None:
    """The line of a module-level `def func` in the file."""
    if got is None:
        return None
    text = got[0]
    for needle in (f"def {func}(", f"def {func} ("):
        pos = text.find(needle)
        for _ in range(MAX_FINDS):
            if pos == -1:
                break
            start = text.rfind("\n", 0, pos) + 1
            m = _DEF_AT.match(text, start)
            if m is not None and m.group(1) == func:
                return Lines(text).at(start)
            pos = text.find(needle, pos + len(needle))
    return None
