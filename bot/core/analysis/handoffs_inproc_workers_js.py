"""Node's worker threads and forked children (`handoffs_inproc`): work handed to a script.

* worker_threads: `const w = new Worker('./resize.js', …)` (also `path.join(__dirname, …)`,
  `new URL('./resize.js', import.meta.url)`) in a file that imports `worker_threads`; the
  producer is each `w.postMessage(…)`, else the `new Worker(` line (its `workerData`). The
  consumer is `parentPort.on('message', …)` (or `.once`) in the script.
* child_process: `const c = fork('./child.js')`; `c.send(…)` produces (else the `fork(`
  line); `process.on('message', …)` in the child consumes.

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
    r"(?:" + _VAR + r")?(?<![\w$])(?:[A-Za-z_$][\w$]{0,60}+\.)?fork[ \t]*+\(([^\n]{0,400}+)"
)
_SCRIPT = lazy(r"['\"`]([\w./@\-]{1,300}+)['\"`]")
_EXTENSIONS = (".js", ".mjs", ".cjs", ".ts", ".mts")
_PARENT_ON = lazy(r"parentPort\??\.(?:on|once|addListener)\([ \t]*+['\"]message['\"]")
_PROCESS_ON = re.compile(r"(?<![\w$.])process\.(?:on|once)\([ \t]*+['\"]message['\"]")


def may_hold(text: str) -> bool:
    return (
        contains(text, "worker_threads")
        or contains(text, "child_process")
        or contains(text, "'message'")
    )


def worker_sites(text: str) -> list[HandoffSite]:
    threads = _WT.search(text) is not None
    children = _CP.search(text) is not None
    if not threads and not children and "message" not in text:
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
        if "message" in line:
            if threads and _PARENT_ON.search(line):
                out.append(HandoffSite("consume", WORKER, FILE, i))
            elif _PROCESS_ON.search(line):
                out.append(HandoffSite("consume", CHILD, FILE, i))
    for mech, var, script, at in made:
        verb = ".postMessage(" if mech == WORKER else ".send("
        sends = [
            i
            for i, line in enumerate(lines, 1)
            if var and var + verb in line and re.search(r"(?<![\w$])" + re.escape(var + verb), line)
        ]
        for i in sends or [at]:
            out.append(HandoffSite("produce", mech, script, i))
    return out


def _script(args: str) -> str:
    """The name of the script a call's arguments name (`'./jobs/resize.js'` → `resize`)."""
    for m in _SCRIPT.finditer(args):
        if m.group(1).endswith(_EXTENSIONS):
            return script_name(m.group(1))
    return ""


def script_name(path: str) -> str:
    """A script's file name without its extension: how both ends name the hand-off."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
