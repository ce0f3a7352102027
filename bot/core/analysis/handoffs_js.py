"""JavaScript/TypeScript hand-off sites in one file (moved out of `handoffs`, which keeps the
Python and Ruby scanners and `sites_for`).

Per library, the two ends and the name they pair by (`movement.pair_handoffs`):

* Bull / BullMQ / bee-queue: a queue variable (`new Queue('q')`, `new Bull(…)`, or a factory
  whose name says queue: `createQueue('q')`) and its `.add`/`.addBulk`/`.createJob` (producers)
  and `.process` (consumer); `new Queue('q').add(…)`; `new Worker('q', fn)`; a BullMQ
  `FlowProducer`'s `queueName: 'q'` entries. NestJS: `@InjectQueue('q') x: Queue` + `this.x.add`,
  `@Processor('q')` with its `process()` (WorkerHost) or `@Process('job')` methods.
* Agenda (`agenda.define('job')` / `agenda.now|schedule|create('job')`), pg-boss
  (`boss.send('q')` / `boss.work|fetch('q')`), graphile-worker (`addJob('task')` / a `taskList`
  object's keys): named by the job or queue both ends say.
* kafkajs (`send({topic})`, `subscribe({topic(s)})`), amqplib (`sendToQueue('q')`,
  `publish('exchange')`, `consume('q')` or a queue bound to an exchange), Redis pub/sub
  (`publish('c')`, `subscribe('c')`), AWS SQS (`SendMessageCommand` / `ReceiveMessageCommand`,
  named by the `QueueUrl`'s setting), Socket.IO (`emit('event')` / `on('event')` in a file that
  names socket.io).
* GraphQL subscriptions (graphql-subscriptions' `PubSub` and its Redis/PostgreSQL twins): a
  resolver's `pubsub.asyncIterator('x')` consumes what any `.publish('x', …)` produces. The
  `asyncIterator` call is the library's own; a `.publish('x'` without a broker's name in its
  file is unconfirmed (`UNCONFIRMED`): it counts only when some consumer answers `x`.

In-process events (`EventEmitter.emit`, NestJS `@OnEvent`) are no hand-off: no queue, no other
process. Every pattern is linear (bounded repeats, literal-first), lines are cut at `MAX_LINE`,
and the look-aheads over following lines are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields
from operator import attrgetter

from bot.core.analysis.handoffs_python_patterns import UNCONFIRMED
from bot.core.analysis.scan import Lines, finditer_near
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000  # characters of a line that patterns look at
MAX_PROCESS_LOOKAHEAD = 80  # lines from `@Processor` to its `process(` method
MAX_DECORATED = 4  # lines from `@Process(` to its method
MAX_CALL_LINES = 8  # lines of a call's arguments searched for a key (`QueueUrl`, `repeat`)
MAX_TASK_LIST = 400  # lines of a graphile-worker `taskList` object read for its keys
MAX_TASK_LISTS = 20  # such objects per file

_JS_TRIGGERS = (
    "Queue",
    "Worker(",
    "Processor(",
    ".process(",
    "topic",
    "sendToQueue",
    ".consume(",
    # Pub/sub with a channel string (RxJS's `.subscribe(x => …)` is everywhere in Angular).
    ".publish('",
    '.publish("',
    ".subscribe('",
    '.subscribe("',
    "agenda",
    "Agenda",
    "boss",
    "Boss",
    "addJob(",
    "taskList",
    "MessageCommand",
    "sqs",
    "socket.io",
    "FlowProducer",
    "@SubscribeMessage(",
    "Iterator(",
)
_LIT = r"['\"`][\w.:/\- ]{1,200}['\"`]"
_NAME_ARG = r"\s*(['\"`][\w.:/\-]{1,200}['\"`]|[A-Za-z_$][\w$.]{0,200})"
_JS_NEW_QUEUE = lazy(
    r"(?:(?:const|let|var|this\.|readonly\s|private\s|public\s)\s*+)?(?<![\w$])"
    r"([A-Za-z_$][\w$]*+)\s*+[:=][^=\n]{0,200}?new\s++(?:Queue|Bull|BullQueue|BeeQueue)\s*+"
    r"(?:<[^>\n]{0,200}>)?\(" + _NAME_ARG
)
# `const reports = createQueue('reports')`: a factory whose name says queue, given a name.
_JS_QUEUE_FACTORY = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100}+)\s*+=\s*+(?:await\s++)?(?:[A-Za-z_$][\w$]{0,100}\.)?"
    r"(?!new\b)[A-Za-z_$]?[\w$]{0,60}(?<=[a-z])Queue[\w$]{0,60}\(\s*+"
    r"(['\"`][\w.:/\-]{1,200}['\"`]|[A-Z][A-Z0-9_]{0,100}+(?![\w$(]))"
)
_JS_NEW_QUEUE_ADD = lazy(
    r"new\s++(?:Queue|Bull)\s*+\(\s*+(['\"`][\w.:/\-]{1,200}['\"`])[^)\n]{0,200}\)\s*+\."
    r"(?:add|addBulk)\("
)
_JS_INJECT = lazy(
    r"@InjectQueue\("
    + _NAME_ARG
    + r"\s*\)\s*(?:(?:private|public|protected|readonly)\s+)*([A-Za-z_$][\w$]*)"
)
_JS_WORKER = lazy(r"new\s+Worker\s*(?:<[^>\n]{0,200}>)?\(" + _NAME_ARG)
# The module a BullMQ/Bull `Worker` comes from (`bullmq`, `bull`, `@scope/bullmq-pro`): a
# `new Worker(` elsewhere is a Web Worker or a worker thread (`new Worker(new URL(…))`).
_JS_BULL_IMPORT = lazy(
    r"(?:\bfrom|\brequire\(|\bimport\()\s{0,20}['\"`](?:@[\w.\-]{1,100}/)?bull(?:mq(?:-pro)?)?['\"`/]"
)
_JS_PROCESSOR = lazy(r"@Processor\(\s*(?:\{\s*name\s*:)?" + _NAME_ARG)
_JS_ADD = lazy(r"(?<![\w$])([A-Za-z_$][\w$]*+)\s*+\.\s*+(?:add|addBulk|createJob)\s*+\(")
_JS_PROCESS = lazy(r"(?<![\w$])([A-Za-z_$][\w$]*+)\s*+\.\s*+process\s*+\(")
_ADD_WORDS = (".add", ".createJob")
MAX_RECEIVER = 256  # characters of `name .` read before an `.add(`: no real receiver is longer


def queue_adds(line: str) -> list[re.Match[str]]:
    """`x.add(` / `x.addBulk(` / `x.createJob(` calls of a line, each read in a window that
    ends at its method name, so a long line costs its length once, not once per position."""
    found: dict[int, re.Match[str]] = {}
    for word in _ADD_WORDS:
        p = line.find(word)
        while p != -1:
            for m in _JS_ADD.finditer(line, max(0, p - MAX_RECEIVER), p + len(word) + 64):
                found.setdefault(m.start(), m)
            p = line.find(word, p + 1)
    return [found[k] for k in sorted(found)]


_JS_KAFKA_SEND = lazy(r"\.send(?:Batch)?\(\s*\{\s*topic\s*:" + _NAME_ARG)
_JS_KAFKA_SUB = lazy(r"\.subscribe\(\s*\{\s*topics?\s*:\s*\[?" + _NAME_ARG)
_JS_AMQP_SEND = lazy(
    r"\.sendToQueue\(\s*(['\"`][\w.:/\-]{1,200}['\"`]|[A-Za-z_$][\w$]{0,200}+(?![\w$.]))"
)
_JS_AMQP_CONSUME = lazy(r"\.consume\(\s*(['\"`][\w.:/\-]{1,200}['\"`]|[A-Za-z_$][\w$.]{0,200})")
_JS_AMQP_BIND = lazy(r"\.bindQueue\([^,\n]{1,200},\s*(['\"`][\w.:/\-]{1,200}['\"`])")
_JS_AMQP_ASSERT = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100})\s*=\s*(?:await\s++)?[\w$.]{0,100}\.assertQueue\(\s*"
    r"(['\"`][\w.:/\-]{1,200}['\"`])"
)
_JS_PUB = lazy(r"\.publish\(\s*(['\"`][\w.:/\-]{1,200}['\"`])")
_JS_SUB = lazy(r"\.subscribe\(\s*(['\"`][\w.:/\-]{1,200}['\"`])")
_JS_FLOW_QUEUE = lazy(r"(?<![\w$])queueName\s*:\s*(['\"`][\w.:/\-]{1,200}['\"`])")
_JS_PROCESS_DECORATOR = lazy(r"\A\s*+@Process\(\s*+(?:(['\"`][\w.:/\-]{1,200}['\"`])|\{)?")
_JS_METHOD = lazy(
    r"\A\s*+(?:(?:public|private|protected|async|static)\s++)*([A-Za-z_$][\w$]*+)\s*+\("
)
# Agenda and pg-boss: a receiver named for the library (`agenda.now(`, `this.boss.send(`).
_JS_AGENDA = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100})\s*+\.\s*+(define|now|schedule|create)\(\s*+"
    r"(" + _LIT + r"|[A-Za-z_$][\w$.]{0,200})(?:\s*+,\s*+(" + _LIT + r"|[A-Z][\w$.]{0,200}))?"
)
_JS_BOSS = lazy(
    r"(?<![\w$])([A-Za-z_$][\w$]{0,100})\s*+\.\s*+(send|sendAfter|sendThrottled|sendDebounced"
    r"|sendSingleton|work|fetch)\(\s*+(" + _LIT + r"|[A-Z][\w$.]{0,200})"
)
_JS_ADD_JOB = lazy(
    r"(?<![\w$])(?:([A-Za-z_$][\w$]{0,100})\s*+\.\s*+)?(?:quickAddJob\([^,\n]{1,200},\s*+|addJob\(\s*+)"
    r"(" + _LIT + r"|[A-Z][A-Z0-9_]{0,100}+(?![\w$(]))"
)
_JS_TASK_LIST = lazy(r"(?<![\w$])taskList\b[^{\n]{0,100}\{")
_JS_TASK_KEY = lazy(
    r"\A\s*+(?:(['\"]?)([A-Za-z_$][\w$\-]{0,100})\1\s*+:\s*+(?:async\b|function\b|\(|[A-Za-z_$])"
    r"|([A-Za-z_$][\w$]{0,100})\s*+,?\s*+\Z|async\s++([A-Za-z_$][\w$]{0,100})\s*+\()"
)
_JS_SQS = lazy(
    r"(?:new\s++(SendMessage|SendMessageBatch|ReceiveMessage)Command\(|"
    r"\.(sendMessage|sendMessageBatch|receiveMessage)\()"
)
_JS_QUEUE_URL = lazy(
    r"(?<![\w$])[Qq]ueueUrl\s*:\s*(?:process\.env\.([A-Za-z_]\w{0,100})|(['\"`])([^'\"`\n]{1,300})\2"
    r"|([A-Za-z_$][\w$.]{0,200}))"
)
_JS_SOCKET_EMIT = lazy(
    r"(?<![\w$.])(?:this\.)?(io|socket|server|client|nsp|namespace)\b[\w$.()'\"`\-]{0,200}?"
    r"\.emit\(\s*+(" + _LIT + r")"
)
# `this.` + the longest receiver word + the 200 characters between it and `.emit(`
_EMIT_REACH = len("this.") + len("namespace") + 200
_JS_SOCKET_ON = lazy(
    r"(?:(?<![\w$.])(?:this\.)?(?:socket|client)\s*+\.\s*+on\(\s*+(" + _LIT + r")"
    r"|@SubscribeMessage\(\s*+(" + _LIT + r"))"
)
# Socket.IO's own events and a client's connection events: no message of the app's.
_SOCKET_RESERVED = frozenset(
    {
        *("connect", "connection", "disconnect", "disconnecting", "error", "connect_error"),
        *("reconnect", "reconnect_attempt", "reconnect_error", "reconnect_failed", "ping"),
        *("newListener", "removeListener", "close", "open", "message"),
    }
)


def _js_comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith("//") or s.startswith("*")


MAX_BLOCKS = 5_000


def block_comment_lines(text: str) -> frozenset[int]:
    """Lines inside `/* … */` (a commented-out handler is no consumer): one `find` pass,
    at most `MAX_BLOCKS` blocks. A `/*` inside a string may hide a few lines, which is rare."""
    if "/*" not in text:
        return frozenset()
    at = Lines(text)
    out: set[int] = set()
    pos = text.find("/*")
    blocks = 0
    while pos != -1 and blocks < MAX_BLOCKS:
        end = text.find("*/", pos + 2)
        stop = len(text) if end == -1 else end
        first, last = at.at(pos), at.at(stop)
        out.update(range(first + 1, last))  # the opening and closing lines may hold code
        if end == -1:
            break
        blocks += 1
        pos = text.find("/*", end + 2)
    return frozenset(out)


def _js_name(token: str) -> str:
    token = token.strip("'\"`")
    return token.rpartition(".")[2] if "." in token and not token[:1].isupper() else token


def _literal(token: str) -> str:
    """A quoted token's text, "" for an identifier."""
    return token[1:-1] if token[:1] in "'\"`" else ""


def queue_variables(text: str, lines: list[str]) -> dict[str, str]:
    """variable -> queue name, for `new Queue('q')`, `createQueue('q')`, `@InjectQueue('q') x`."""
    queues: dict[str, str] = {}
    at = Lines(text)
    needles = ("Queue(", "Queue<", "Bull(")
    # Each line once, however many `Queue(` it holds.
    for i in sorted({at.at(pos) for pos in _positions(text, needles)}):
        line = lines[i - 1]
        if "new" in line:  # `QueueCursor` and `import { Queue }` are not queues
            for m in _JS_NEW_QUEUE.finditer(line):
                queues[m.group(1)] = _js_name(m.group(2))
        if "=" in line:
            for m in _JS_QUEUE_FACTORY.finditer(line):
                queues.setdefault(m.group(1), _js_name(m.group(2)))
    if "@InjectQueue" in text:
        # The decorator and the parameter it names are often on two lines.
        at = Lines(text)
        for i in sorted({at.at(pos) - 1 for pos in _positions(text, ("@InjectQueue",))}):
            joined = lines[i] + " " + (lines[i + 1] if i + 1 < len(lines) else "")
            for m in _JS_INJECT.finditer(joined):
                queues[m.group(2)] = _js_name(m.group(1))
    return queues


_JS_TAIL = lazy(r"(?<![\w$])([A-Za-z_$][\w$]{0,100})[ \t]*+\Z")
_JS_PROCESS_DEF = lazy(r"(?:(?:public|async)[ \t]++){0,2}process[ \t]*+\(")


_JS_TRIGGER_NEEDLES = Needles(_JS_TRIGGERS)  # their words first (`words`): most files hold none


def javascript_sites(text: str) -> tuple[HandoffSite, ...]:
    if not _JS_TRIGGER_NEEDLES.any_in(text):
        return ()
    # `split("\n")`: line numbers count "\n" as `Lines` does.
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    out: list[HandoffSite] = []
    queues = queue_variables(text, lines)
    if queues:
        _queue_calls(text, lines, queues, out)
    # The other patterns each start with a literal: one pass over the whole text apiece,
    # and only for those whose literal is there (a line-by-line loop over every pattern
    # cost ~3x the file's extraction on an Angular app full of `.subscribe(`).
    amqp = "amqp" in text
    bull = "bull" in text and _JS_BULL_IMPORT.search(text) is not None
    for literal, pattern, role, mech in _JS_PATTERNS:
        if literal not in text or not any(n in text for n in _JS_LIBRARY.get(mech, ("",))):
            continue
        if mech == "redis-pubsub" and role == "produce" and amqp:
            continue  # amqplib's `publish(exchange, …)`: read below
        named = mech == "amqp" and role == "consume"  # an expression: read by `_amqp`
        at = Lines(text)
        for m in pattern.finditer(text):
            i = at.at(m.start())
            if _js_comment(lines[i - 1] if i <= len(lines) else ""):
                continue
            if named and not _literal(m.group(1)):
                continue
            if literal == "Worker" and _literal(m.group(1)).endswith(_SCRIPTS):
                continue  # `new Worker('resize.js')`: a thread's script (`handoffs_inproc`)
            if literal == "Worker" and not bull and not _queue_literal(m.group(1)):
                # `new Worker(new URL(…))`, `new Worker(scriptPath)`: a Web Worker or a
                # worker thread, in a file that imports no Bull (a queue's name is a word)
                continue
            out.append(HandoffSite(role, mech, _js_name(m.group(1)), i))
            if literal == "@Processor(":
                _processor_methods(lines, i, _js_name(m.group(1)), out)
    if amqp:
        _amqp(text, lines, out)
    if "Iterator(" in text or (".publish(" in text and not amqp and "edis" not in text):
        _graphql_pubsub(text, lines, out)
    if "agenda" in text or "Agenda" in text:
        _library_calls(text, lines, _JS_AGENDA, "agenda", out)
    if "boss" in text or "Boss" in text:
        _library_calls(text, lines, _JS_BOSS, "pg-boss", out)
    if "addJob(" in text or "taskList" in text:
        _graphile(text, lines, out)
    if "MessageCommand(" in text or "Message(" in text:
        _sqs(text, lines, out)
    if "socket.io" in text or "@SubscribeMessage(" in text:
        _socket_io(text, lines, out)
    hidden = block_comment_lines(text) if out else frozenset()
    return _sorted(o for o in out if o.name and o.line not in hidden)


def _queue_literal(arg: str) -> bool:
    """A literal that may name a queue (`'emails'`), not a script's path or URL."""
    name = _literal(arg)
    return bool(name) and "/" not in name and not name.endswith(_SCRIPTS)


GRAPHQL_PUBSUB = "graphql-subscriptions"
_JS_ITERATOR = lazy(
    r"\.async(?:Iterable)?Iterator\([ \t]*+\[?[ \t]*+(['\"`][\w.:/\-]{1,200}['\"`])"
)


def _graphql_pubsub(text: str, lines: list[str], out: list[HandoffSite]) -> None:
    """GraphQL subscriptions' ends (see the module doc)."""
    at = Lines(text)
    found = []
    if "Iterator(" in text:
        found += [(m, "consume", GRAPHQL_PUBSUB) for m in _JS_ITERATOR.finditer(text)]
    if ".publish(" in text and "amqp" not in text and "edis" not in text:
        found += [(m, "produce", UNCONFIRMED) for m in _JS_PUB.finditer(text)]
    for m, role, mech in found:
        i = at.at(m.start())
        if not _js_comment(lines[i - 1] if i <= len(lines) else ""):
            out.append(HandoffSite(role, mech, _js_name(m.group(1)), i))


# The dataclass's own order as a key, as `handoffs.SITE_ORDER` (not imported: no cycle).
_SITE_ORDER = attrgetter(*(f.name for f in fields(HandoffSite)))


def _sorted(sites: Iterable[HandoffSite]) -> tuple[HandoffSite, ...]:
    return tuple(sorted(set(sites), key=_SITE_ORDER))


def _queue_calls(
    text: str, lines: list[str], queues: dict[str, str], out: list[HandoffSite]
) -> None:
    at = Lines(text)
    for i in sorted({at.at(p) for p in _positions(text, (".add", ".process", ".createJob"))}):
        line = lines[i - 1]
        if _js_comment(line):
            continue
        adds = [(m.group(1), i) for m in queue_adds(line)]
        if not adds and line.lstrip().startswith((".add(", ".addBulk(")) and i > 1:
            # `this.generalQueue\n  .add(…)`: the queue is named (and cited) a line up.
            above = _JS_TAIL.search(lines[i - 2])
            adds = [(above.group(1), i - 1)] if above else []
        for var, where in adds:
            if var in queues:
                via = (var,) if var != queues[var] else ()
                out.append(HandoffSite("produce", "bull", queues[var], where, via))
        for m in _JS_PROCESS.finditer(line):
            if m.group(1) in queues:
                out.append(HandoffSite("consume", "bull", queues[m.group(1)], i))


def _processor_methods(lines: list[str], i: int, name: str, out: list[HandoffSite]) -> None:
    """A WorkerHost consumes in its `process(job)` method, a Bull consumer in each method under
    `@Process('job')`: cited there too (the processor's line stays, for the class)."""
    seen_process = False
    for j in range(i, min(len(lines), i + MAX_PROCESS_LOOKAHEAD)):
        stripped = lines[j].lstrip()
        if stripped.startswith("@Processor("):
            return  # the next class's
        if not seen_process and _JS_PROCESS_DEF.match(stripped):
            out.append(HandoffSite("consume", "bull", name, j + 1))
            seen_process = True
        elif stripped.startswith("@Process("):
            d = _JS_PROCESS_DECORATOR.match(stripped)
            job = _literal(d.group(1)) if d and d.group(1) else ""
            for k in range(j + 1, min(len(lines), j + 1 + MAX_DECORATED)):
                if lines[k].lstrip().startswith("@"):
                    continue
                if _JS_METHOD.match(lines[k]):
                    out.append(HandoffSite("consume", "bull", name, k + 1, (job,) if job else ()))
                break


def _amqp(text: str, lines: list[str], out: list[HandoffSite]) -> None:
    """`publish('exchange', key, …)` produces to the exchange; a `consume(q.queue)` whose
    queue was asserted by name or bound to an exchange takes from it."""
    at = Lines(text)
    if ".publish(" in text:
        for m in _JS_PUB.finditer(text):
            i = at.at(m.start())
            if not _js_comment(lines[i - 1]):
                out.append(HandoffSite("produce", "amqp", _literal(m.group(1)), i))
    if ".consume(" not in text:
        return
    asserted = {m.group(1): _literal(m.group(2)) for m in _JS_AMQP_ASSERT.finditer(text)}
    bound = [_literal(m.group(1)) for m in _JS_AMQP_BIND.finditer(text)]
    at = Lines(text)
    for m in _JS_AMQP_CONSUME.finditer(text):
        token = m.group(1)
        if _literal(token):
            continue  # read by the pattern table
        i = at.at(m.start())
        root = token.split(".")[0]
        names = [*bound] if "." in token or root not in asserted else []
        if asserted.get(root):
            names.append(asserted[root])
        elif not names and "." not in token:
            names = [token]  # `consume(QUEUE)`: the constant `sendToQueue(QUEUE)` names too
        for name in names[:8]:
            out.append(HandoffSite("consume", "amqp", name, i))


def _library_calls(
    text: str, lines: list[str], pattern: re.Pattern[str], mech: str, out: list[HandoffSite]
) -> None:
    """Agenda / pg-boss calls on a receiver named for the library (`agenda`, `this.boss`)."""
    word = "agenda" if mech == "agenda" else "boss"
    # A receiver named just for the library counts anywhere (`module.exports = (agenda) =>`);
    # one that only holds the word (`agendaItems`, `bossFight`) where the file names it.
    named = any(n in text for n in _LIBRARY_NAMES[mech])
    at = Lines(text)
    for m in pattern.finditer(text):
        recv = m.group(1).lower()
        if recv not in _LIBRARY_RECEIVERS[mech] and not (named and word in recv):
            continue
        i = at.at(m.start())
        if _js_comment(lines[i - 1]):
            continue
        verb, first = m.group(2), m.group(3)
        if mech == "agenda":
            token = (m.group(4) or "") if verb == "schedule" else first  # schedule(when, name)
            role = "consume" if verb == "define" else "produce"
        else:
            token = first
            role = "consume" if verb in ("work", "fetch") else "produce"
        name = _literal(token) or (token.rpartition(".")[2] if token[:1].isupper() else "")
        if name:
            out.append(HandoffSite(role, mech, name, i))


_LIBRARY_NAMES = {
    "agenda": ("'agenda'", '"agenda"', "agenda/", "new Agenda("),
    "pg-boss": ("pg-boss", "PgBoss"),
}
_LIBRARY_RECEIVERS = {"agenda": frozenset({"agenda"}), "pg-boss": frozenset({"boss", "pgboss"})}
_GRAPHILE_RECEIVERS = ("helpers", "workerutils", "utils", "runner", "worker", "graphile")


def _graphile(text: str, lines: list[str], out: list[HandoffSite]) -> None:
    graphile = "graphile" in text
    at = Lines(text)
    if "addJob(" in text:
        for m in _JS_ADD_JOB.finditer(text):
            recv = (m.group(1) or "").lower()
            if not graphile and not any(r in recv for r in _GRAPHILE_RECEIVERS):
                continue
            i = at.at(m.start())
            if _js_comment(lines[i - 1]):
                continue
            token = m.group(2)
            out.append(HandoffSite("produce", "graphile-worker", _literal(token) or token, i))
    if not graphile or "taskList" not in text:
        return
    at = Lines(text)
    for n, m in enumerate(_JS_TASK_LIST.finditer(text)):
        if n >= MAX_TASK_LISTS:
            break
        start = at.at(m.start())
        depth = 1
        for j in range(start, min(len(lines), start + MAX_TASK_LIST)):
            line = lines[j]
            if depth == 1:
                k = _JS_TASK_KEY.match(line)
                if k:
                    name = k.group(2) or k.group(3) or k.group(4)
                    out.append(HandoffSite("consume", "graphile-worker", name, j + 1))
            depth += line.count("{") - line.count("}") + line.count("(") - line.count(")")
            if depth <= 0:
                break


def _sqs(text: str, lines: list[str], out: list[HandoffSite]) -> None:
    """SQS send/receive, named by what the `QueueUrl` says (its env setting, a URL's last
    part, a variable's last part) on the call's line or the few below."""
    at = Lines(text)
    for m in _JS_SQS.finditer(text):
        i = at.at(m.start())
        if _js_comment(lines[i - 1]):
            continue
        verb = (m.group(1) or m.group(2) or "").lower()
        role = "consume" if verb.startswith("receive") else "produce"
        for j in range(i - 1, min(len(lines), i - 1 + MAX_CALL_LINES)):
            u = _JS_QUEUE_URL.search(lines[j])
            if u:
                name = u.group(1) or (u.group(3) or "").rstrip("/").rpartition("/")[2]
                name = name or (u.group(4) or "").rpartition(".")[2]
                if name:
                    out.append(HandoffSite(role, "sqs", name, i))
                break


def _socket_io(text: str, lines: list[str], out: list[HandoffSite]) -> None:
    at = Lines(text)
    # An emit's `.emit(` is at most `_EMIT_REACH` after its match's start: searched from there.
    emits = finditer_near(_JS_SOCKET_EMIT, text, ".emit(", _EMIT_REACH)
    for found, role in ((emits, "produce"), (_JS_SOCKET_ON.finditer(text), "consume")):
        for m in found:
            token = m.group(2) if role == "produce" else (m.group(1) or m.group(2))
            name = _literal(token)
            if not name or name in _SOCKET_RESERVED:
                continue
            i = at.at(m.start())
            if not _js_comment(lines[i - 1]):
                out.append(HandoffSite(role, "socket.io", name, i))


_SCRIPTS = (".js", ".mjs", ".cjs", ".ts", ".mts")
_JS_PATTERNS = (
    ("Worker", _JS_WORKER, "consume", "bull"),
    ("@Processor(", _JS_PROCESSOR, "consume", "bull"),
    ("new", _JS_NEW_QUEUE_ADD, "produce", "bull"),
    ("FlowProducer", _JS_FLOW_QUEUE, "produce", "bull"),
    ("topic", _JS_KAFKA_SEND, "produce", "kafka"),
    ("topic", _JS_KAFKA_SUB, "consume", "kafka"),
    (".sendToQueue(", _JS_AMQP_SEND, "produce", "amqp"),
    (".consume(", _JS_AMQP_CONSUME, "consume", "amqp"),
    (".publish(", _JS_PUB, "produce", "redis-pubsub"),
    (".subscribe(", _JS_SUB, "consume", "redis-pubsub"),
)
# A method name alone proves no broker: micromark's `effects.consume(code)` is no amqplib
# consumer, an RxJS `.subscribe("x")` or a `{topic: …}` event no Kafka. These calls count
# only in a file that names their library (or its URL scheme): amqplib (`amqp`), kafkajs /
# node-rdkafka (`kafka`), redis / ioredis / @redis/client (`redis`).
_JS_LIBRARY = {
    "amqp": ("amqp",),
    "kafka": ("kafka",),
    "redis-pubsub": ("redis", "Redis"),
}
