"""JavaScript/TypeScript jobs declared as definitions that name the event they run on, and
the calls that send that event (Inngest, Trigger.dev v2, an application's own job client over
pluggable backends).

* Producer: `<x>.triggerJob|sendEvent|send|enqueue|dispatch({ name: 'x', payload|data … })`,
  cited at the line naming the verb. Both keys are needed (a `send({ name })` of another
  library carries no payload), and it counts only where a definition of "x" exists: the
  producer is `UNCONFIRMED` until `movement.pair_handoffs` pairs it.
* Consumer: an object whose `trigger` (an object, or `eventTrigger({…})`) names the event,
  with a `handler`/`run` function beside it at the same indentation, cited at that key; or
  Inngest's `createFunction(options, { event: 'x' }, fn)`. When the handler only loads a
  module (`const h = await import('./x.handler'); await h.run(…)`), a raw `job-handler` site
  carries the module and the member called, and `link_job_handlers` cites the consumer at that
  member's export in the module (the definition's line when it is not found).
* Schedule: a `cron: '…'` in such a trigger (or `cronTrigger({ cron })`), or Inngest's
  `createFunction(options, { cron: '…' }, fn)`, named by the job.

Names are a literal or a `const X = '…'` of the same file. Patterns are literal-led and
bounded; the objects are read over at most `MAX_OBJECT_TEXT` characters and
`MAX_OBJECT_LINES` lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from bot.core.analysis.handoffs_python_patterns import UNCONFIRMED
from bot.core.analysis.scan import Lines
from bot.core.analysis.words import Needles
from bot.core.model import FileFacts, HandoffSite, ImportRef, ScheduleSite

MECHANISM = "job-event"
HANDLER = "job-handler"  # raw site: (module spec, member) of a handler loaded on demand
MAX_LINE = 2_000
MAX_OBJECT_TEXT = 1_500  # characters of an object literal read for its keys
MAX_OBJECT_LINES = 60  # lines around `trigger:` searched for the definition's handler
MAX_HANDLER_LINES = 12  # lines of a handler read for the module it loads
MAX_SITES = 400
MAX_CALLS = 300  # calls and `trigger:` keys looked at per file (each reads an object)
MAX_CONSTANTS = 400

# The cheap gate: a producer's call opening its object, a definition's trigger, Inngest.
GATE = (
    *("triggerJob(", "sendEvent(", "send({", "enqueue({", "dispatch({", "trigger:"),
    "createFunction(",
)

_VERB = re.compile(
    r"\.[ \t]*+(triggerJob|sendEvent|send|enqueue|dispatch)[ \t]*+\([ \t\n]{0,200}+\{"
)
_TRIGGER = re.compile(
    r"(?<![\w$])trigger[ \t]*+:[ \t]*+(?:(eventTrigger|cronTrigger)[ \t]*+\([ \t]*+)?\{"
)
_CREATE_FUNCTION = re.compile(r"\.[ \t]*+createFunction[ \t]*+\(")
_CONST = re.compile(
    r"^[ \t]*+(?:export[ \t]++)?const[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+(?::[^=\n]{0,100}+)?"
    r"=[ \t]*+\n?[ \t]*+(['\"`])([\w.:/\-]{1,200}+)\2[ \t]*+(?:as[ \t]++const[ \t]*+)?;?[ \t]*+$",
    re.M,
)
_LIT = re.compile(r"\A[ \t\n]*+(['\"`])([\w.:/\- ]{1,200}+)\1[ \t\n]*+\Z")
_CRON = re.compile(r"\A[ \t\n]*+(['\"`])([^'\"`\n]{1,100}+)\1[ \t\n]*+\Z")
_IDENT = re.compile(r"\A[ \t\n]*+([A-Za-z_$][\w$]{0,100}+)[ \t\n]*+\Z")
_KEY = re.compile(r"\A[ \t\n]*+(?:async[ \t]++)?(['\"]?)([A-Za-z_$][\w$]{0,100}+)\1[ \t]*+(:|\()?")
_HANDLER_KEY = re.compile(r"\A([ \t]*+)(?:async[ \t]++)?(handler|run)[ \t]*+(?::|\()")
_DYNAMIC = re.compile(r"(?<![\w$.])import\([ \t]*+(['\"])(\.{1,2}/[^'\"\n]{1,200}+)\1[ \t]*+\)")
_LOADED_AS = re.compile(
    r"(?:const|let|var)[ \t]++(?:([A-Za-z_$][\w$]{0,100}+)|\{[ \t]*+([A-Za-z_$][\w$]{0,100}+))"
    r"[^=\n]{0,100}+=[ \t]*+(?:await[ \t]++)?import\("
)


_GATE_NEEDLES = Needles(GATE)  # their words first (`words`): most files hold none


def may_define(text: str) -> bool:
    return _GATE_NEEDLES.any_in(text)


_SPECIAL = re.compile(r"[()\[\]{}'\"`\\\n,]")


def _object(text: str, start: int) -> str:
    """The object literal opening at `text[start] == "{"`, its braces included (cut at
    `MAX_OBJECT_TEXT`); strings are skipped so a brace in one does not count."""
    depth = 0
    quote = ""
    end = min(len(text), start + MAX_OBJECT_TEXT)
    escaped = -1
    for m in _SPECIAL.finditer(text, start, end):
        k, ch = m.start(), m.group()
        if quote:
            if ch == "\\":
                escaped = k + 1
            elif k != escaped and (ch == quote or (ch == "\n" and quote != "`")):
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return text[start : k + 1]
    return text[start:end]


def top_keys(obj: str) -> dict[str, str]:
    """An object literal's top-level keys and their values' text (`{ a: 1, b }`: a -> "1",
    b -> "b"; a method `run() {…}` -> its text)."""
    out: dict[str, str] = {}
    depth = 0
    quote = ""
    part_start = 1
    for m in _SPECIAL.finditer(obj):
        k, ch = m.start(), m.group()
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if (depth == 1 and ch == ",") or (depth == 0 and k):
            _entry(obj[part_start:k], out)
            part_start = k + 1
            if depth == 0:
                return out
    _entry(obj[part_start:], out)  # cut before its end
    return out


def _entry(part: str, out: dict[str, str]) -> None:
    m = _KEY.match(part)
    if m is None:
        return
    if m.group(3) == ":":
        out.setdefault(m.group(2), part[m.end() :])
    else:
        out.setdefault(m.group(2), part[m.start(2) :])


def _name(value: str, constants: Mapping[str, str]) -> str:
    lit = _LIT.match(value)
    if lit is not None:
        return lit.group(2)
    ident = _IDENT.match(value)
    return constants.get(ident.group(1), "") if ident is not None else ""


class _Constants(Mapping[str, str]):
    """The file's `const X = '…'` strings, read the first time a name needs one."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._found is None:
            self._found = {}
            if "const" in self._text:
                for n, m in enumerate(_CONST.finditer(self._text)):
                    if n >= MAX_CONSTANTS:
                        break
                    self._found.setdefault(m.group(1), m.group(3))
        return self._found

    def __getitem__(self, key: str) -> str:
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("//", "*", "/*"))


def definition_sites(text: str) -> tuple[tuple[HandoffSite, ...], tuple[ScheduleSite, ...]]:
    """The producers, consumers (or raw handler sites) and schedules of one file."""
    if not may_define(text):
        return (), ()
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    constants = _Constants(text)
    sites: list[HandoffSite] = []
    schedules: list[ScheduleSite] = []
    at = Lines(text)
    seen: set[int] = set()
    for n, m in enumerate(_VERB.finditer(text)):
        if n >= MAX_CALLS or len(sites) >= MAX_SITES:
            break
        i = at.at(m.start(1))
        if i in seen or _comment(lines[i - 1]):
            continue
        seen.add(i)
        keys = top_keys(_object(text, m.end() - 1))
        name = _name(keys.get("name", ""), constants)
        if name and ("payload" in keys or "data" in keys):
            sites.append(HandoffSite("produce", UNCONFIRMED, name, i, (m.group(1),)))
    if "trigger" in text:
        at = Lines(text)  # `trigger:` or `trigger :`
        seen.clear()
        for n, m in enumerate(_TRIGGER.finditer(text)):
            if n >= MAX_CALLS or len(sites) >= MAX_SITES:
                break
            i = at.at(m.start())
            if i in seen or _comment(lines[i - 1]):
                continue
            seen.add(i)
            keys = top_keys(_object(text, m.end() - 1))
            name = _name(keys.get("name", ""), constants)
            cron = _CRON.match(keys.get("cron", ""))
            job = name or _definition_id(lines, i, constants)
            handler = _handler(lines, i, job) if job else []
            if not handler:
                continue  # a `trigger:` of something else (a menu's, a hook's)
            if cron is not None:
                line = _line_holding(lines, i, "cron")
                schedules.append(ScheduleSite(job, cron.group(2), MECHANISM, line, job))
            if name and m.group(1) != "cronTrigger":
                sites.extend(handler)
    if "createFunction" in text:
        _inngest(text, lines, constants, sites, schedules)
    return tuple(sites), tuple(schedules)


def _line_holding(lines: list[str], i: int, word: str) -> int:
    """The first line from `i` (1-based) within the object's lines holding `word:`."""
    for k in range(i - 1, min(len(lines), i - 1 + MAX_OBJECT_LINES)):
        if re.search(r"(?<![\w$])" + word + r"[ \t]*+:", lines[k]):
            return k + 1
    return i


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _definition_id(lines: list[str], i: int, constants: Mapping[str, str]) -> str:
    """A cron-only definition's `id:` at the `trigger:` key's indentation (above it)."""
    width = _indent(lines[i - 1])
    for k in range(i - 2, max(-1, i - 2 - MAX_OBJECT_LINES), -1):
        line = lines[k]
        if line.strip() and _indent(line) < width:
            break
        m = re.match(r"\A[ \t]*+id[ \t]*+:[ \t]*+([^,\n]{1,200}+)", line)
        if m is not None and _indent(line) == width:
            return _name(m.group(1).rstrip(), constants)
    return ""


def _handler(lines: list[str], i: int, name: str) -> list[HandoffSite]:
    """The `handler`/`run` key beside `trigger:` (same indentation, same object): a consumer
    there, or a raw `job-handler` site when its body loads a module and calls a member."""
    width = _indent(lines[i - 1])
    found = None
    for step in (1, -1):
        k = i - 1 + step
        while 0 <= k < len(lines) and abs(k - (i - 1)) <= MAX_OBJECT_LINES:
            line = lines[k]
            if line.strip() and _indent(line) < width:
                break
            h = _HANDLER_KEY.match(line)
            if h is not None and len(h.group(1)) == width:
                found = k
                break
            k += step
        if found is not None:
            break
    if found is None:
        return []
    body = lines[found : found + MAX_HANDLER_LINES]
    joined = "\n".join(body)
    loaded = _DYNAMIC.search(joined)
    if loaded is not None:
        member = _member(joined)
        if member:
            return [HandoffSite(HANDLER, MECHANISM, name, found + 1, (loaded.group(2), member))]
    return [HandoffSite("consume", MECHANISM, name, found + 1)]


def _member(body: str) -> str:
    """The member a handler calls on the module it loaded (`h.run(`, `const { run } =`)."""
    m = _LOADED_AS.search(body)
    if m is None:
        return ""
    if m.group(2):
        return m.group(2)
    call = re.search(r"(?<![\w$])" + re.escape(m.group(1)) + r"\.([A-Za-z_$][\w$]{0,100}+)\(", body)
    return call.group(1) if call else ""


def _inngest(
    text: str,
    lines: list[str],
    constants: Mapping[str, str],
    sites: list[HandoffSite],
    schedules: list[ScheduleSite],
) -> None:
    """`inngest.createFunction({ id: 'x' }, { event: 'app/x' } | { cron: '…' }, fn)`."""
    at = Lines(text)
    for n, m in enumerate(_CREATE_FUNCTION.finditer(text)):
        if n >= MAX_CALLS or len(sites) >= MAX_SITES:
            break
        i = at.at(m.start())
        if _comment(lines[i - 1]):
            continue
        first = text.find("{", m.end(), m.end() + 200)
        if first == -1 or text[m.end() : first].strip():
            continue
        options = _object(text, first)
        rest = first + len(options)
        second = text.find("{", rest, rest + 200)
        if second == -1 or text[rest:second].strip() != ",":
            continue
        job = _name(top_keys(options).get("id", ""), constants)
        trigger = top_keys(_object(text, second))
        event = _name(trigger.get("event", ""), constants)
        cron = _CRON.match(trigger.get("cron", ""))
        if event:
            sites.append(HandoffSite("consume", MECHANISM, event, i, (job,) if job else ()))
        if cron is not None:
            line = at.at(second)
            schedules.append(
                ScheduleSite(job or "inngest function", cron.group(2), MECHANISM, line, job)
            )


_JS = frozenset({"javascript", "typescript"})
_EXPORT = (
    r"^[ \t]*+export[ \t]++(?:default[ \t]++)?(?:async[ \t]++)?"
    r"(?:function[ \t]*+\*?|const|let|var)[ \t]++"
)

Resolve = Callable[[str, str, ImportRef], "str | None"]
ReadText = Callable[[str], "str | None"]


def link_job_handlers(
    facts: Mapping[str, FileFacts], resolve: Resolve, read: ReadText, skip: Callable[[str], bool]
) -> dict[str, set[HandoffSite]]:
    """Each raw `job-handler` site made a consumer at the loaded module's export of the member
    it calls (`export const run`), or at the definition's handler when that is not found."""
    added: dict[str, set[HandoffSite]] = {}
    for path, f in facts.items():
        if f.language not in _JS or skip(path):
            continue
        for s in f.handoffs:
            if s.role != HANDLER:
                continue
            spec, member = (*s.aliases, "", "")[:2]
            where = (path, s.line)
            ref = next(
                (r for r in f.imports if r.spec == spec), ImportRef(spec, s.line, kind="dynamic")
            )
            target = resolve(path, f.language, ref)
            text = read(target) if target else None
            if target and text is not None:
                export = re.compile(_EXPORT + re.escape(member) + r"(?![\w$])", re.M)
                found = export.search(text[:2_000_000])
                if found is not None:
                    where = (target, text.count("\n", 0, found.start()) + 1)
            added.setdefault(where[0], set()).add(
                HandoffSite("consume", MECHANISM, s.name, where[1])
            )
    return added
