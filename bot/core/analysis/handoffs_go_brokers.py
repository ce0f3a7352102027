"""Go hand-offs through task queues and brokers, in one file (channels: `handoffs_go`).

Each library's calls count only in a file that names it (its import path says it), since the
method names are common (`HandleFunc` is net/http's too, `Publish` an event bus's):

* asynq: `asynq.NewTask("type" | TypeX)` produces (where the task is made: the enqueue takes
  it from there), `mux.HandleFunc|Handle("type" | TypeX)` consumes. Task types held in string
  constants are named by the constant and resolved to its value (`go_constants`).
* machinery: `&tasks.Signature{Name: "add"}` produces, `RegisterTask("add")` and the keys of
  `RegisterTasks(map[string]interface{}{"add": …})` consume.
* NATS: `Publish|PublishAsync|Request("subject")` / `Subscribe|QueueSubscribe|…("subject")`
  and a JetStream consumer's `FilterSubject`. go-redis: `Publish(ctx, "channel")` /
  `Subscribe(ctx, "channel")` in a file that imports redis and not NATS.
* Kafka: a `Topic: "t"` field of a kafka-go `Writer`/`Message` or a sarama `ProducerMessage`
  produces, of a kafka-go `ReaderConfig` consumes; sarama `ConsumePartition("t")` and a
  consumer group's `Consume(ctx, []string{"t"})` consume.
* RabbitMQ (amqp091-go / streadway): `Publish[WithContext]([ctx,] exchange, key, …)` produces
  to the exchange, or to the queue the key names when the exchange is ""; `Consume(queue)`
  consumes from the queue (a `QueueDeclare`d variable's name) and from the exchanges it is
  bound to (`QueueBind(q.Name, key, "exchange")`).
* watermill: a router handler's literal topics (`AddHandler(name, "in", sub, "out", pub, f)`,
  `AddNoPublisherHandler`/`AddConsumerHandler(name, "in", sub, f)`) and the topic its
  poison-queue middleware republishes failed messages to (`middleware.PoisonQueue(pub, "t")`).

Lines are cut at `MAX_LINE`; every pattern is anchored or literal-first with bounded repeats.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite, Signal

MAX_LINE = 2_000
MAX_SITES = 2_000
MAX_CONTEXT = 6  # lines above a `Topic:` field searched for the literal that holds it
MAX_MAP_LINES = 200  # lines of a `RegisterTasks(map…{` literal read for its keys
MAX_CONSTANTS = 500

_STR = r"\"([^\"\n]{1,200})\""
_IDENT = r"([A-Za-z_][\w.]{0,200})"
_ASYNQ_TASK = lazy(r"asynq\.NewTask\(\s*+(?:" + _STR + "|" + _IDENT + ")")
_ASYNQ_HANDLE = lazy(
    r"(?<![\w.])([A-Za-z_]\w{0,100})\.(?:HandleFunc|Handle)\(\s*+(?:" + _STR + "|" + _IDENT + ")"
)
# watermill (ThreeDotsLabs): a router's handlers and the poison-queue middleware.
_WM_HANDLER = lazy(
    r"\.Add(?:NoPublisher|Consumer)?Handler\(\s*+[^,\n]{1,200}+,\s*+"
    + _STR
    + r"(?:\s*+,\s*+[A-Za-z_][\w.]{0,100}+\s*+,\s*+"
    + _STR
    + ")?"
)
_WM_POISON = lazy(r"\bPoisonQueue\(\s*+[A-Za-z_][\w.]{0,100}+\s*+,\s*+" + _STR)
_MACH_REGISTER = lazy(r"\.RegisterTask\(\s*+" + _STR)
_MACH_MAP_KEY = lazy(r"\A\s*+" + _STR + r"\s*+:")
_MACH_NAME = lazy(r"(?<!\w)Name:\s*+" + _STR)
_PUBLISH = lazy(
    r"\.(?:Publish|PublishAsync|PublishMsg|Request)\(\s*+(?:[A-Za-z_]\w{0,60}\s*+,\s*+)?" + _STR
)
_SUBSCRIBE = lazy(
    r"\.(?:Subscribe|QueueSubscribe|ChanSubscribe|SubscribeSync|QueueSubscribeSync"
    r"|ChanQueueSubscribe|PullSubscribe|PSubscribe)\(\s*+(?:[A-Za-z_]\w{0,60}\s*+,\s*+)?" + _STR
)
_FILTER_SUBJECT = lazy(r"(?<!\w)FilterSubjects?:\s*+(?:\[\]string\{\s*+)?" + _STR)
_TOPIC = lazy(r"(?<!\w)Topic:\s*+" + _STR)
_PRODUCER_CONTEXT = lazy(r"Writer\b|ProducerMessage\b|Message\{")
_CONSUMER_CONTEXT = lazy(r"Reader(?:Config)?\b")
_CONSUME_PARTITION = lazy(r"\.ConsumePartition\(\s*+" + _STR)
_GROUP_CONSUME = lazy(r"\.Consume\([^,\n]{1,100},\s*+\[\]string\{\s*+" + _STR)
_AMQP_DECLARE = lazy(
    r"\A\s*+([A-Za-z_]\w{0,100})\s*+,\s*+\w+\s*+:?=\s*+[\w.]{1,200}\.QueueDeclare\(\s*+" + _STR
)
_AMQP_PUBLISH = lazy(r"\.(Publish|PublishWithContext)\(([^\n]{0,400})")
_AMQP_CONSUME = lazy(r"\.Consume\(\s*+(?:" + _STR + r"|([A-Za-z_]\w{0,100})\.Name\b)")
_AMQP_BIND = lazy(r"\.QueueBind\([^,\n]{1,200},[^,\n]{1,200},\s*+" + _STR)
_GO_CONST = lazy(
    r"\A\s*+(?:const\s++)?([A-Za-z_]\w{0,100})\s*+(?:string\s*+)?=\s*+" + _STR + r"\s*+\Z"
)


def broker_sites(text: str) -> list[HandoffSite]:
    """Task-queue and broker ends in a Go file (see the module doc)."""
    libs = [
        lib
        for lib in ("asynq", "machinery", "nats", "redis", "kafka", "sarama", "amqp")
        if lib in text
    ]
    if "ThreeDotsLabs/watermill" in text:
        libs.append("watermill")
    if not libs:
        return []
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[HandoffSite] = []
    amqp = "amqp" in libs
    mux, signature = "ServeMux" in text, "Signature" in text  # once: not per line
    declared: dict[str, str] = {}
    bound: list[str] = []
    for i, line in enumerate(lines, 1):
        if len(out) >= MAX_SITES:
            break
        stripped = line.lstrip()
        if stripped.startswith("//") or ("(" not in line and ":" not in line):
            continue
        if "asynq" in libs:
            _asynq(line, i, out, mux)
        if "machinery" in libs:
            _machinery(lines, line, i, out, signature)
        if amqp:
            _amqp(line, i, declared, bound, out)
        elif "nats" in libs or "redis" in libs:
            mech = "nats" if "nats" in libs else "redis-pubsub"
            if "Publish" in line or "Request(" in line:
                for m in _PUBLISH.finditer(line):
                    out.append(HandoffSite("produce", mech, m.group(1), i))
            if "Subscribe" in line:
                for m in _SUBSCRIBE.finditer(line):
                    out.append(HandoffSite("consume", mech, m.group(1), i))
            if "FilterSubject" in line and mech == "nats":
                for m in _FILTER_SUBJECT.finditer(line):
                    out.append(HandoffSite("consume", mech, m.group(1), i))
        if "kafka" in libs or "sarama" in libs:
            _kafka(lines, line, i, out)
        if "watermill" in libs and ("Handler(" in line or "PoisonQueue" in line):
            _watermill(line, i, out)
    if amqp and bound:
        # A consumer of a queue bound to an exchange takes what is published to it.
        for site in [s for s in out if s.mechanism == "amqp" and s.role == "consume"]:
            out.extend(HandoffSite("consume", "amqp", name, site.line) for name in bound[:8])
    return out


def _watermill(line: str, i: int, out: list[HandoffSite]) -> None:
    """A router handler's literal topics (`AddHandler(name, "in", sub, "out", pub, f)`,
    `AddNoPublisherHandler` / `AddConsumerHandler(name, "in", sub, f)`) and the topic the
    poison-queue middleware republishes failed messages to."""
    for m in _WM_HANDLER.finditer(line):
        out.append(HandoffSite("consume", "watermill", m.group(1), i))
        if m.group(2):
            out.append(HandoffSite("produce", "watermill", m.group(2), i))
    for m in _WM_POISON.finditer(line):
        out.append(HandoffSite("produce", "watermill", m.group(1), i))


def _asynq(line: str, i: int, out: list[HandoffSite], mux: bool) -> None:
    if "NewTask(" in line:
        for m in _ASYNQ_TASK.finditer(line):
            out.append(HandoffSite("produce", "asynq", m.group(1) or _last(m.group(2)), i))
    if mux and "Handle" in line:  # an asynq `ServeMux` is made or passed in this file
        for m in _ASYNQ_HANDLE.finditer(line):
            name = m.group(2) or _last(m.group(3))
            if m.group(1) in ("http", "router", "r", "e", "app", "g"):
                continue  # net/http's, gorilla's, echo's, gin's routes
            if name and not name.startswith("/"):
                out.append(HandoffSite("consume", "asynq", name, i))


def _machinery(
    lines: list[str], line: str, i: int, out: list[HandoffSite], signature: bool
) -> None:
    for m in _MACH_REGISTER.finditer(line):
        out.append(HandoffSite("consume", "machinery", m.group(1), i))
    if "RegisterTasks(" in line:
        for j in range(i, min(len(lines), i + MAX_MAP_LINES)):
            if lines[j].lstrip().startswith("})"):
                break
            k = _MACH_MAP_KEY.match(lines[j])
            if k:
                out.append(HandoffSite("consume", "machinery", k.group(1), j + 1))
    if signature and "Name:" in line:
        for m in _MACH_NAME.finditer(line):
            out.append(HandoffSite("produce", "machinery", m.group(1), i))


def _kafka(lines: list[str], line: str, i: int, out: list[HandoffSite]) -> None:
    if "Topic:" in line:
        for m in _TOPIC.finditer(line):
            role = ""
            for j in range(i - 1, max(-1, i - 1 - MAX_CONTEXT), -1):
                text = lines[j][: m.start()] if j == i - 1 else lines[j]
                if _PRODUCER_CONTEXT.search(text):
                    role = "produce"
                elif _CONSUMER_CONTEXT.search(text):
                    role = "consume"
                if role:
                    break
            if role:
                # A producer is cited where its literal opens when that is close above.
                out.append(HandoffSite(role, "kafka", m.group(1), i))
    if "Consume" in line:
        for pattern in (_CONSUME_PARTITION, _GROUP_CONSUME):
            for m in pattern.finditer(line):
                out.append(HandoffSite("consume", "kafka", m.group(1), i))


def _amqp(
    line: str, i: int, declared: dict[str, str], bound: list[str], out: list[HandoffSite]
) -> None:
    if "QueueDeclare(" in line:
        d = _AMQP_DECLARE.match(line)
        if d:
            declared[d.group(1)] = d.group(2)
    if "QueueBind(" in line:
        for m in _AMQP_BIND.finditer(line):
            bound.append(m.group(1))
    if "Publish" in line:
        for m in _AMQP_PUBLISH.finditer(line):
            args = [a.strip() for a in m.group(2).split(",", 4)]
            if m.group(1) == "PublishWithContext":
                args = args[1:]
            if len(args) < 2:
                continue
            exchange, key = _quoted(args[0]), args[1]
            name = exchange
            if exchange == "" and args[0] == '""':
                name = _quoted(key) or declared.get(key.removesuffix(".Name"), "")
            if name:
                out.append(HandoffSite("produce", "amqp", name, i))
    if "Consume(" in line:
        for m in _AMQP_CONSUME.finditer(line):
            name = m.group(1) or declared.get(m.group(2) or "", "")
            if name:
                out.append(HandoffSite("consume", "amqp", name, i))
            elif m.group(2):
                out.append(HandoffSite("consume", "amqp", "", i))  # named by its bindings


def _quoted(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] == token[-1] == '"' else ""


def _last(token: str | None) -> str:
    return (token or "").rpartition(".")[2]


def go_constants(text: str) -> tuple[Signal, ...]:
    """`const.string` signals for a task-queue file's string constants (`TypeEmailDelivery =
    "email:deliver"`): `movement.pair_handoffs` names both ends by the value."""
    if "asynq" not in text and "machinery" not in text:
        return ()
    out: list[Signal] = []
    for i, line in enumerate(text.splitlines(), 1):
        if '"' in line and "=" in line:
            m = _GO_CONST.match(line[:MAX_LINE])
            if m:
                out.append(Signal("const.string", m.group(1), i, m.group(2)))
                if len(out) >= MAX_CONSTANTS:
                    break
    return tuple(out)
