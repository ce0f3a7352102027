"""Node's worker threads and forked children (`handoffs_inproc`): work handed to a script.

* worker_threads: `const w = new Worker('./resize.js', …)` (also `path.join(__dirname, …)`,
  `new URL('./resize.js', import.meta.url)`) in a file that imports `worker_threads`; the
  producer is each `w.postMessage(…)`, else the `new Worker(` line (its `workerData`). The
  consumer is `parentPort.on('message', …)` (or `.once`) in the script.
* child_process: `const c = fork('./child.js')`; `c.send(…)` produces (else the `fork(`
  line); `process.on('message', …)` in the child consumes. A script path built from a
  template (`fork(`./jobs/export-${kind}.js`)`) is named so (`export-${kind}`) and
  `handoffs_inproc` pairs it with each script whose name it fits.
* messages between a parent and its children typed by a field: `process.send({ action:
  'reload', … })` produces `reload`; a `case 'reload':` (or `msg.action === 'reload'`) in an
  `.on('message', …)` handler consumes it (named by the value, on either side).
* workerpool: `const p = workerpool.pool('./hash.js')`; each `p.exec('fn', …)` produces
  (mechanism `WORKER`), `workerpool.worker({ … })` in the script consumes.

Both ends are named by the script's file name without its extension (`resize`). The script
does not know its own name here (facts are a function of the bytes), so its consumer is
named `FILE` and `name_scripts` names it by its path when the ends are paired.
"""

from __future__ import annotations

import re

from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000
WORKER = "worker-thread"
CHILD = "child-process"
FILE = "{file}"  # the consumer's name until its path names it

_WT = re.compile(r"['\"](?:node:)?worker_threads['\"]")
_CP = re.compile(r"['\"](?:node:)?child_process['\"]")
_VAR = r"(?:(?:const|let|var)[ \t]++|this\.)?([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+"
_NEW_WORKER = lazy(r"(?:" + _VAR + r")?new[ \t]++Worker[ \t]*+\(([^\n]{0,400}+)")
_FORK = lazy(
    r"(?:" + _VAR + r")?(?<![\w$])(?:[A-Za-z_$][\w$]{0,60}+\.|require\([^()\n]{1,60}+\)\.)?"
    r"fork[ \t]*+\(([^\n]{0,400}+)"
)
_SCRIPT = lazy(r"['\"`]([\w./@\-]{1,300}+)['\"`]|`([\w./@\-${}]{1,300}+)`")
_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts")
_PARENT_ON = lazy(r"parentPort\??\.(?:on|once|addListener)\([ \t]*+['\"]message['\"]")
_PROCESS_ON = re.compile(r"(?<![\w$.])process\.(?:on|once)\([ \t]*+['\"]message['\"]")


_POOL = lazy(r"(?:" + _VAR + r")?(?<![\w$])workerpool\.pool[ \t]*+\(([^\n]{0,400}+)")
_POOL_WORKER = lazy(r"(?<![\w$.])workerpool\.worker[ \t]*+\(")
MAX_POOL_ARG_LINES = 3  # `workerpool.pool(\n  path.join(__dirname, 'x.js'), …)`


def may_hold(text: str) -> bool:
    return (
        contains(text, "worker_threads")
        or contains(text, "child_process")
        or contains(text, "'message'")
        or contains(text, "workerpool")
    )


def worker_sites(text: str) -> list[HandoffSite]:
    threads = _WT.search(text) is not None
    children = _CP.search(text) is not None
    pools = "workerpool" in text
    if not threads and not children and not pools and "message" not in text:
        return []
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    out: list[HandoffSite] = []
    made: list[tuple[str, str, str, int]] = []  # (mechanism, variable, script, line)
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith(("//", "*", "/*")):
            continue
        if threads and "Worker" in line:
            m = _NEW_WORKER.search(line)
            script = _script(m.group(2)) if m else ""
            if m and script:
                made.append((WORKER, m.group(1) or "", script, i))
        if children and "fork" in line:
            m = _FORK.search(line)
            script = _script(m.group(2)) if m else ""
            if m and script:
                made.append((CHILD, m.group(1) or "", script, i))
        if pools and "workerpool." in line:
            _pool_line(lines, i, made, out)
        if "process.send(" in line:
            _typed_send(lines, i, out)
        if "message" in line and _ON_MESSAGE.search(line):
            _typed_cases(lines, i, out)
        if "message" in line:
            if threads and _PARENT_ON.search(line):
                out.append(HandoffSite("consume", WORKER, FILE, i))
            elif _PROCESS_ON.search(line):
                out.append(HandoffSite("consume", CHILD, FILE, i))
    for mech, var, script, at in made:
        verb = ".exec(" if mech == POOL else ".postMessage(" if mech == WORKER else ".send("
        sends = [
            i
            for i, line in enumerate(lines, 1)
            if var and var + verb in line and re.search(r"(?<![\w$])" + re.escape(var + verb), line)
        ]
        for i in sends or [at]:
            if mech == POOL:  # `pool.exec(…)` names the pool, not the script
                out.append(HandoffSite("produce", WORKER, script, i, (var,)))
            else:
                out.append(HandoffSite("produce", mech, script, i))
    return out


MAX_MESSAGE_LINES = 4  # lines of `process.send({` read for its type field
MAX_HANDLER_LINES = 40  # lines of an `.on('message'` handler read for `case 'x':`
_TYPE_FIELD = lazy(
    r"(?<![\w$])(?:action|type|cmd|command|kind)[ \t]*+:[ \t]*+['\"]([\w:.\-]{1,100}+)['\"]"
)
_ON_MESSAGE = lazy(r"\.(?:on|once)\([ \t]*+['\"]message['\"]")
_CASE = lazy(
    r"(?:\bcase[ \t]++|\.(?:action|type|cmd|command|kind)[ \t]*+===?[ \t]*+)"
    r"['\"]([\w:.\-]{1,100}+)['\"]"
)


def _typed_send(lines: list[str], i: int, out: list[HandoffSite]) -> None:
    text = "\n".join(lines[i - 1 : i - 1 + MAX_MESSAGE_LINES])
    at = text.find("process.send(")
    m = _TYPE_FIELD.search(text, at, at + MAX_LINE) if at != -1 else None
    if m is not None and text.find(")", at + 13, m.start()) == -1:
        # cited where the type is named: the line a reader looks for it on
        out.append(HandoffSite("produce", CHILD, m.group(1), i + text.count("\n", 0, m.start())))


def _typed_cases(lines: list[str], i: int, out: list[HandoffSite]) -> None:
    for j in range(i - 1, min(len(lines), i - 1 + MAX_HANDLER_LINES)):
        if j > i - 1 and _ON_MESSAGE.search(lines[j]):
            return  # the next handler reads its own messages
        for m in _CASE.finditer(lines[j]):
            out.append(HandoffSite("consume", CHILD, m.group(1), j + 1))


POOL = "pool"  # a workerpool pool while its sites are gathered; its hand-offs are `WORKER`'s


def _pool_line(
    lines: list[str], i: int, made: list[tuple[str, str, str, int]], out: list[HandoffSite]
) -> None:
    """workerpool's two ends on line `i` (1-based): `p = workerpool.pool(script)` (its
    arguments read over `MAX_POOL_ARG_LINES` lines) or `workerpool.worker(` in the script."""
    line = lines[i - 1]
    if _POOL_WORKER.search(line):
        out.append(HandoffSite("consume", WORKER, FILE, i))
        return
    m = _POOL.search(line)
    if m is None:
        return
    script = _script(" ".join([m.group(2), *lines[i : i + MAX_POOL_ARG_LINES - 1]]))
    if script:
        made.append((POOL, m.group(1) or "", script, i))


def _script(args: str) -> str:
    """The name of the script a call's arguments name (`'./jobs/resize.js'` → `resize`)."""
    for m in _SCRIPT.finditer(args):
        path = m.group(1) or m.group(2)
        if path.endswith(_EXTENSIONS) and len(_TEMPLATE.sub("", script_name(path))) >= 3:
            return script_name(path)
    return ""


_TEMPLATE = lazy(r"\$\{[^{}]{0,100}+\}")


def fits(template: str, name: str) -> bool:
    """Whether a script named `name` fits a name built from a template (`export-${k}`)."""
    pieces = _TEMPLATE.split(template)
    if len(pieces) < 2 or not name.startswith(pieces[0]) or not name.endswith(pieces[-1]):
        return False
    at = len(pieces[0])
    for piece in pieces[1:-1]:
        found = name.find(piece, at)
        if found == -1:
            return False
        at = found + len(piece)
    return at <= len(name) - len(pieces[-1])


def script_name(path: str) -> str:
    """A script's file name without its extension: how both ends name the hand-off."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
