"""Ruby hand-off sites in one file: where a job is enqueued and where it is performed.

Per-file and pure (bytes in, `HandoffSite`s out), like `handoffs` (which dispatches here);
`movement.pair_handoffs` pairs the ends by name across files. Lines are cut at `MAX_LINE`
characters and every pattern is anchored or starts with a literal, its repeats bounded.

* Sidekiq (`include Sidekiq::Job|Worker`, `perform_async|in|at|bulk`, `Sidekiq::Client.push|
  push_bulk("class" => X, …)`, a local `k = cond ? X : Y` then `k.perform_async`), ActiveJob
  (`class X < ApplicationJob`, `perform_later`, `set(...).perform_later`,
  `ActiveJob.perform_all_later` of `X.new(...)`), ActionMailer `deliver_later` (consumer: the
  mailer class).
* Resque (`Resque.enqueue(X, ...)`, `enqueue_to|in|at`) and DelayedJob
  (`Delayed::Job.enqueue(X.new(...))`): the consumer is a class that defines `perform` or
  `self.perform` with no job base, a "job-class" site kept only when something enqueues it
  (a service object with `perform` is common). DelayedJob's `x.delay.m(...)` produces `m`;
  `handle_asynchronously :m` makes `m` a consumer.
* Action Cable `broadcast` / Turbo Streams `broadcast_*_to` and `stream_from|for`; a
  record's own stream (`order.broadcast_refresh`, a component's `turbo_stream_from order`),
  paired with templates by `handoffs_views`.
* job-iteration's `build_enumerator`/`each_iteration` stand for `perform`; every class with
  a base is a ``subclass`` site, so a job enqueued by name whose file has no `perform`
  runs its base's (`handoff_subclasses`).
* Notifier classes (`deliver_by :email`) and their deliveries (`X.with(…).deliver(…)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter

from bot.core.analysis.handoff_subclasses import subclass_site
from bot.core.analysis.handoffs_views import MECHANISM as VIEW_STREAMS
from bot.core.analysis.handoffs_views import SUBSCRIBE, stream_name
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MAX_LINE = 2_000  # characters of a line that patterns look at
MAX_LOOKBACK = 3  # lines searched for the receiver of a chained `.perform_later`
_ORDER = attrgetter(*(f.name for f in fields(HandoffSite)))  # as `handoffs.SITE_ORDER`


def _sorted(sites: Iterable[HandoffSite]) -> tuple[HandoffSite, ...]:
    return tuple(sorted(set(sites), key=_ORDER))


_RB_TRIGGERS = (
    "perform",
    "deliver_later",
    "Sidekiq",
    "Job",
    "Mailer",
    "broadcast",
    "stream_",
    "Resque",
    ".delay",
    "handle_asynchronously",
    "deliver",
)
_RB_ANY_TRIGGER = Needles(_RB_TRIGGERS)
_RB_PERFORM = lazy(
    r"(?:(?<![\w:])(?:[^\WA-Z]|:)*+([A-Z][\w:]*+)\s*+)?(?:\.set\b[^\n]{0,200}?)?"
    r"\.(perform_later|perform_async|perform_in|perform_at|perform_bulk)\b"
)
_RB_CONST_LINE = lazy(r"\A\s*+(?:([A-Z][\w:]*+)\s*+$|([A-Z][\w:]*+)\s*+\.set\b)")
_RB_MAILER = lazy(
    r"(?<![\w:])(?:[^\WA-Z]|:)*+((?:[A-Z][\w:]*)?Mailer)\b[^\n]{0,300}?\.deliver_later\b"
)
_RB_CLASS = lazy(r"\A\s*+class\s++([A-Z][\w:]*+)\s*+(?:<\s*+([A-Z][\w:]*+))?")
_RB_SIDEKIQ = lazy(r"\A\s*+include\s++Sidekiq::(?:Job|Worker)\b")
# `perform`, or job-iteration's pair (`build_enumerator`/`each_iteration`) that its
# `perform` drives: the method the job runs, cited at the first of them.
_RB_DEF_PERFORM = lazy(r"\A\s*+def\s++(self\.)?(?:perform|build_enumerator|each_iteration)\b")
_RB_DEF_MAIL = lazy(r"\A\s*+def\s++([a-z_]\w{0,100}+[!?]?)")
_RB_ONE_LINE_END = lazy(r";\s*+end\b")  # `class Error < StandardError; end`
MAX_OPEN = 50  # classes open at once
# `Resque.enqueue(X, …)`, `Resque.enqueue_to(:q, X)`, `Resque.enqueue_in(5.minutes, X)`:
# the class is the first constant argument.
_RB_RESQUE = lazy(
    r"\bResque\.enqueue(?:_to|_in|_at|_at_with_queue|_in_with_queue)?\s*+\(?\s*+"
    r"(?:[^,\n()]{1,100}+,\s*+){0,2}?(?:::)?([A-Z][\w:]{0,200}+)"
)
_RB_DJ_ENQUEUE = lazy(r"\bDelayed::Job\.enqueue\s*+\(?\s*+(?:::)?([A-Z][\w:]{0,200}+)\.new\b")
# `x.delay.m(…)` / `x.delay(queue: "q").m`: DelayedJob's proxy. A `.delay` read as a value
# (`config.delay.to_i`, `retry.delay.seconds`) is not one.
_RB_DELAY = lazy(r"\.delay(?:\([^()\n]{0,200}+\))?\.([a-z_]\w{0,100}+[!?]?)")
_RB_DELAY_VALUES = frozenset(
    {"to_i", "to_f", "to_s", "to_r", "to_d", "seconds", "second", "minutes", "minute", "hours"}
    | {"hour", "days", "day", "in_milliseconds", "nil?", "present?", "blank?", "zero?", "abs"}
    | {"positive?", "negative?", "round", "ceil", "floor", "inspect", "call", "then", "tap"}
)
_RB_HANDLE_ASYNC = lazy(r"\A\s*+handle_asynchronously\s*+\(?\s*+:(\w{1,100}+[!?]?)")
_RB_ALL_LATER = lazy(r"(?<![\w:])(?:::)?([A-Z][\w:]{0,200}+)\.new\b")
_RB_BROADCAST = lazy(
    r"(?:ActionCable\.server\.broadcast|broadcast_\w{1,80}?_to|broadcast_to)(?!\w)\s*+\(?\s*+"
    r"([\"':@]?[\w.\-:]++)"
)
# `@order.broadcast_refresh` / `x.broadcast_replace_later`: a push to the record's stream;
# the `_to` forms name their stream in an argument (`_RB_BROADCAST`).
_RB_RECORD_PUSH = lazy(
    r"(?<![\w@.:])(@?[a-z_]\w{0,100}+)\.broadcast_(?:refresh|replace|update|append|prepend"
    r"|remove|render|action)(?:_later)?\b(?!_to)"
)
# A notifier class (`deliver_by :email do`): its deliveries run as jobs; enqueued by
# `Notifier.with(params).deliver(recipients)` (`deliver_later` alike).
_RB_DELIVER_BY = lazy(r"\A[ \t]*+deliver_by[ \t(]++:")
_RB_NOTIFY = lazy(
    r"(?<![\w:])(?:::)?([A-Z][\w:]{0,200}+)\.with\b[^\n]{0,300}?\)\.deliver(?:_later)?\b"
)
NOTIFIER = "notifier"
_RB_STREAM = lazy(r"\A\s*+stream_(from|for)\s*+\(?\s*+([\"':@]?[\w.\-:]++)")
# `PointsChannel.broadcast_to(user, data)` pushes to the stream that channel's `stream_for
# user` subscribed: both ends are named by the channel class, not by the record's variable
# (`user` on one side, `current_user` on the other).
_RB_CHANNEL_PUSH = lazy(
    r"(?<![\w:])((?:[A-Z]\w{0,100}+::){0,6}[A-Z]\w{0,100}?Channel)\.(broadcast_to)\b"
)


@dataclass(slots=True)
class _Open:
    """A class being read: its kind ("activejob", "sidekiq", "mailer", "" or "done" once
    its `perform` is found), indentation and line."""

    name: str
    kind: str
    indent: int
    line: int


def ruby_sites(text: str) -> tuple[HandoffSite, ...]:
    if not _RB_ANY_TRIGGER.any_in(text):
        return _rb_subclasses(text) if "<" in text else ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[HandoffSite] = []
    # The classes open at a line, outermost first. A class nested in a job (an error class it
    # raises) must not end the job before its `def perform`; a class ends at the `end` of its
    # indentation or at the next class as shallow as it.
    opened: list[_Open] = []
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#") or not stripped:
            continue
        indent = len(line) - len(stripped)
        if stripped.startswith("end") and stripped[3:4] in ("", " ", ";", "#", ".", ")"):
            while opened and opened[-1].indent >= indent:
                opened.pop()
            continue
        m = _RB_CLASS.match(line)
        if m:
            while opened and opened[-1].indent >= indent:
                opened.pop()
            name, base = m.group(1), m.group(2) or ""
            kind = ""
            if base.endswith("Job") or base == "ActiveJob::Base":
                kind = "activejob"
            elif base.endswith("Mailer") or base == "ActionMailer::Base":
                kind = "mailer"
                out.append(HandoffSite("consume", "actionmailer", _rb_last(name), i))
            if base and kind != "mailer":
                # Performs by inheritance when its file has no `perform` (`handoff_subclasses`).
                out.append(subclass_site(_rb_last(name), _rb_last(base), i, kind))
            if not _RB_ONE_LINE_END.search(line) and len(opened) < MAX_OPEN:
                opened.append(_Open(name, kind, indent, i))
            continue
        inner = opened[-1] if opened and opened[-1].indent < indent else None
        if inner and "deliver_by" in line and _RB_DELIVER_BY.match(line):
            out.append(HandoffSite("consume", NOTIFIER, _rb_last(inner.name), inner.line))
            continue
        if inner and _RB_SIDEKIQ.match(line):
            inner.kind = "sidekiq"
            continue
        if inner and inner.kind != "mailer" and _RB_DEF_PERFORM.match(line):
            # A class with no job base that performs (Resque, DelayedJob): kept only when
            # something enqueues it (`movement.pair_handoffs`).
            if inner.kind != "done":
                kind = inner.kind or "job-class"
                out.append(HandoffSite("consume", kind, _rb_last(inner.name), i))
                inner.kind = "done"
            continue
        if inner and inner.kind == "mailer" and stripped.startswith("def "):
            d = _RB_DEF_MAIL.match(line)
            if d and d.group(1) != "self":
                # `Mailer.welcome(u).deliver_later` names the mail: its hand-off is
                # `Mailer.welcome`, cited at the class and at the method. "job-class": kept
                # only when something delivers that mail (`movement.pair_handoffs`).
                mail = f"{_rb_last(inner.name)}.{d.group(1)}"
                out.append(HandoffSite("consume", "job-class", mail, inner.line))
                out.append(HandoffSite("consume", "job-class", mail, i))
            continue
        _rb_other(lines, i, line, out)
        if "Sidekiq::Client" in line:
            _rb_client_push(lines, i, opened[-1].name if opened else "", out)
        if "perform_" in line:
            for m in _RB_PERFORM.finditer(line):
                const = m.group(1) or _rb_receiver(lines, i)
                mech = "activejob" if m.group(2) == "perform_later" else "sidekiq"
                via = () if m.group(1) else (m.group(2),)  # the line names the call only
                if m.group(1) and "::" in m.group(1):
                    # `Digests::Monthly::SendJob`: as written, it tells same-named jobs apart
                    via = (m.group(1).lstrip(":"),)
                if const:
                    out.append(HandoffSite("produce", mech, _rb_last(const), i, via))
                else:
                    for name in _rb_local_classes(lines, i, line[: m.start(2)]):
                        out.append(HandoffSite("produce", mech, name, i, via))
        if "deliver_later" in line:
            for m in _RB_MAILER.finditer(line):
                mailer = _rb_last(m.group(1))
                mail = _rb_mail(line[m.start(1) :], "")
                via = (mailer,) if mail else ()  # what the line names (`flow_sinks`)
                out.append(HandoffSite("produce", "actionmailer", mailer + mail, i, via))
            if "Mailer" not in line and line.lstrip().startswith(")"):
                # `Mailer.with(\n  …\n).welcome.deliver_later` or `Mailer.welcome(\n…\n)
                # .deliver_later`: the mailer opened the call, cited where it is named.
                at = _rb_mailer_above(lines, i)
                if at:
                    o = _RB_MAILER_OPEN.match(lines[at - 1])
                    if o:
                        # Cited at both lines (the mailer's and the mail's), each with the
                        # name it shows.
                        mailer = _rb_last(o.group(1))
                        mail = _rb_mail(lines[at - 1][o.start(1) :], line)
                        # The closing line shows the mail's name, else only the delivery
                        # call: a hop cited there names what the line shows.
                        shown = (mail[1:],) if mail and mail[1:] in line else ("deliver_later",)
                        via = (mailer,) if mail else ()
                        out.append(HandoffSite("produce", "actionmailer", mailer + mail, at, via))
                        out.append(HandoffSite("produce", "actionmailer", mailer + mail, i, shown))
        if ".deliver" in line and ".with" in line:
            for m in _RB_NOTIFY.finditer(line):
                if not m.group(1).endswith("Mailer") and not _in_quotes(line, m.start()):
                    # (a mailer's `.with(…).mail.deliver_later` has its own rule)
                    out.append(HandoffSite("produce", NOTIFIER, _rb_last(m.group(1)), i))
        if ".enqueue" in line:
            e = _RB_ENQUEUE.match(line)
            if e:
                job = _rb_made_above(lines, i, e.group(1))
                if job:
                    out.append(HandoffSite("produce", "activejob", _rb_last(job), i))
        if "broadcast" in line:
            pushed = set()
            for c in _RB_CHANNEL_PUSH.finditer(line) if "Channel." in line else ():
                if not _in_quotes(line, c.start()):  # (its record may be on the next line)
                    pushed.add(c.start(2))
                    out.append(HandoffSite("produce", "actioncable", _rb_last(c.group(1)), i))
            for m in _RB_BROADCAST.finditer(line):
                if m.start() not in pushed:
                    out.append(HandoffSite("produce", "actioncable", _rb_stream(m.group(1)), i))
            for m in _RB_RECORD_PUSH.finditer(line):
                # `order.broadcast_refresh`: the record's own stream (`handoffs_views`).
                if not _in_quotes(line, m.start()):
                    out.append(HandoffSite("produce", VIEW_STREAMS, stream_name(m.group(1)), i))
        elif "stream_" in line:
            m = _RB_STREAM.match(line)
            channel = opened[-1].name if opened and opened[-1].name.endswith("Channel") else ""
            if m and m.group(1) == "for" and channel:
                out.append(HandoffSite("consume", "actioncable", _rb_last(channel), i))
            elif m:
                out.append(HandoffSite("consume", "actioncable", _rb_stream(m.group(2)), i))
            elif "turbo_stream_from" in line:
                # A view component rendering the subscription a template would (`handoffs_views`)
                for t in SUBSCRIBE.finditer(line):
                    out.append(HandoffSite("consume", VIEW_STREAMS, stream_name(t.group(1)), i))
    return _sorted(out)


_RB_CLASS_BASE = lazy(r"class[ \t]++([A-Z][\w:]{0,200}+)[ \t]*+<[ \t]*+([A-Z][\w:]{0,200}+)", re.M)
MAX_SUBCLASSES = 200  # classes with a base read from one file


def _rb_subclasses(text: str) -> tuple[HandoffSite, ...]:
    """A file with no job words: only its classes with a base, which may perform through
    it (`handoff_subclasses`). Lines of code only: a class line starts its line."""
    out: list[HandoffSite] = []
    for m in _RB_CLASS_BASE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if text[start : m.start()].strip():
            continue  # in a comment or a string, or after other code
        base = m.group(2)
        if not (base.endswith("Mailer") or base == "ActionMailer::Base"):
            line = text.count("\n", 0, m.start()) + 1
            out.append(subclass_site(_rb_last(m.group(1)), _rb_last(base), line, ""))
        if len(out) >= MAX_SUBCLASSES:
            break
    return _sorted(out)


def _in_quotes(line: str, at: int) -> bool:
    """Whether position `at` of the line sits inside a quoted string (an odd count of one
    quote before it): code quoted in a message is no call."""
    head = line[:at]
    return head.count('"') % 2 == 1 or head.count("'") % 2 == 1


def _rb_other(lines: Sequence[str], i: int, line: str, out: list[HandoffSite]) -> None:
    """Resque, DelayedJob and `ActiveJob.perform_all_later` sites on line `i`."""
    if "Resque" in line:
        for m in _RB_RESQUE.finditer(line):
            out.append(HandoffSite("produce", "resque", _rb_last(m.group(1)), i))
    if "Delayed::Job" in line:
        for m in _RB_DJ_ENQUEUE.finditer(line):
            out.append(HandoffSite("produce", "delayed_job", _rb_last(m.group(1)), i))
    if ".delay" in line:
        for m in _RB_DELAY.finditer(line):
            if m.group(1) not in _RB_DELAY_VALUES:
                out.append(HandoffSite("produce", "delayed_job", m.group(1), i))
    if "handle_asynchronously" in line:
        h = _RB_HANDLE_ASYNC.match(line)
        if h:
            out.append(HandoffSite("consume", "delayed_job", h.group(1), i))
    if "perform_all_later" in line:
        # `ActiveJob.perform_all_later(jobs)`: the jobs are made on this line or just above.
        for back in range(i, max(0, i - 1 - MAX_LOOKBACK), -1):
            made = [_rb_last(m.group(1)) for m in _RB_ALL_LATER.finditer(lines[back - 1])]
            if made:
                for name in made:
                    out.append(HandoffSite("produce", "activejob", name, back))
                return


# `Sidekiq::Client.push("class" => X, "args" => […])`, `push_bulk(…)`: the job is the hash's
# "class" (a constant, its name as a string, or `self.class`), on the call's line or the few
# lines the call spans.
_RB_CLIENT_PUSH = lazy(r"\bSidekiq::Client\.push(?:_bulk)?\b")
_RB_CLASS_KEY = lazy(
    r"""(?:["']class["']\s*+=>|\bclass:)\s*+["']?(?:::)?([A-Z][\w:]{0,200}+|self\.class\b)"""
)
MAX_PUSH_LINES = 8
# `klass = urgent ? FastJob : SlowJob` (or `= FastJob`, `= a || B`) a few lines above
# `klass.perform_async(…)`: each constant of the right-hand side is enqueued.
_RB_LOCAL_RECEIVER = lazy(r"(?<![\w.:@$])([a-z_]\w{0,100}+)\s*+\.\s*+\Z")
_RB_CONSTS_ONLY = lazy(r"\A[\w:?| \t]{1,300}+\Z")
_RB_CONST = lazy(r"(?<![\w:])(?:::)?([A-Z][\w:]{0,200}+)")
MAX_LOCAL_LOOKBACK = 10


def _rb_client_push(lines: Sequence[str], i: int, here: str, out: list[HandoffSite]) -> None:
    """The job a `Sidekiq::Client.push` / `push_bulk` on line `i` enqueues (`here`: the class
    the line is in, for `"class" => self.class`)."""
    m = _RB_CLIENT_PUSH.search(lines[i - 1])
    if not m:
        return
    text = lines[i - 1][m.end() :]
    depth = 0
    for j in range(i, min(len(lines), i + MAX_PUSH_LINES - 1) + 1):
        if j > i:
            text = lines[j - 1]
        k = _RB_CLASS_KEY.search(text)
        if k and text[k.end() : k.end() + 7].startswith(("[", ".fetch(")):
            return  # a job looked up in a table by a key (`handoff_job_maps_ruby`)
        if k:
            name = _rb_last(here if k.group(1) == "self.class" else k.group(1))
            if name:
                # the line names the call only, when the class is below it or `self.class`
                via = () if name in lines[i - 1] else (m.group(0).rpartition(".")[2],)
                out.append(HandoffSite("produce", "sidekiq", name, i, via))
            return
        depth += text.count("(") + text.count("{") - text.count(")") - text.count("}")
        if depth <= 0:
            return  # the call ended without naming a "class"


def _rb_local_classes(lines: Sequence[str], i: int, before: str) -> list[str]:
    """The job classes a local variable that receives `.perform_async` was set to."""
    r = _RB_LOCAL_RECEIVER.search(before)
    if not r:
        return []
    var = r.group(1)
    lead = re.compile(rf"\A\s*+{re.escape(var)}\s*+=(?![=~>])\s*+")
    for back in range(i - 1, max(0, i - 1 - MAX_LOCAL_LOOKBACK), -1):
        a = lead.match(lines[back - 1])
        if a:
            rhs = lines[back - 1][a.end() :].strip()
            if not _RB_CONSTS_ONLY.match(rhs):
                return []
            return [_rb_last(c.group(1)) for c in _RB_CONST.finditer(rhs)]
    return []


def _rb_last(name: str) -> str:
    return name.rpartition("::")[2]


_RB_MAIL_METHOD = lazy(r"\.(\w++)\s*+\.deliver_later\b")
_RB_MAILER_OPEN = lazy(r"\A\s*+(?:[\w@.]++\s*+=\s*+)?((?:[A-Z][\w:]*)?Mailer)\b")
# After the mailer's name: `.welcome`, or `.with(…)` (no nested parentheses) then `.welcome`.
_RB_MAIL_AFTER = lazy(
    r"\A[\w:]++\s*+\.\s*+(?:with\b\s*+(?:\([^()\n]{0,300}+\))?\s*+\.\s*+)?([a-z_]\w{0,100}+)"
)
_RB_ENQUEUE = lazy(r"\A\s*+([a-z_]\w{0,100}+)\.enqueue\b")
_RB_JOB_NEW = lazy(r"\A\s*+([a-z_]\w{0,100}+)\s*+=\s*+(?:::)?([A-Z][\w:]{0,200}+)\.new\b")
MAX_MAILER_LOOKBACK = 8


def _rb_mailer_above(lines: Sequence[str], line_no: int) -> int:
    """The line of the mailer whose call a line starting with `)` closes, a few lines up."""
    for back in range(line_no - 1, max(0, line_no - 1 - MAX_MAILER_LOOKBACK), -1):
        if _RB_MAILER_OPEN.match(lines[back - 1]):
            return back
    return 0


def _rb_mail(call: str, closing: str) -> str:
    """`.welcome` of `Mailer.welcome(…)` / `Mailer.with(…).welcome`, or of the line that
    closes the call (`).welcome.deliver_later`); "" when the mail is not named."""
    m = _RB_MAIL_AFTER.match(call)
    if m and m.group(1) not in ("with", "deliver_later"):
        return "." + m.group(1)
    m = _RB_MAIL_METHOD.search(closing or call)
    return "." + m.group(1) if m and m.group(1) not in ("with", "deliver_later") else ""


def _rb_made_above(lines: Sequence[str], line_no: int, var: str) -> str:
    """The job class `var = XJob.new(…)` made a few lines above `var.enqueue`."""
    for back in range(line_no - 1, max(0, line_no - 1 - MAX_MAILER_LOOKBACK), -1):
        m = _RB_JOB_NEW.match(lines[back - 1])
        if m and m.group(1) == var:
            return m.group(2) if m.group(2).endswith("Job") else ""
    return ""


def _rb_stream(token: str) -> str:
    return token.strip("\"':@")


def _rb_receiver(lines: Sequence[str], line_no: int) -> str:
    """The constant a chained `.perform_later` on its own line was called on."""
    for back in range(line_no - 1, max(0, line_no - 1 - MAX_LOOKBACK), -1):
        m = _RB_CONST_LINE.match(lines[back - 1])
        if m:
            return m.group(1) or m.group(2)
    return ""
