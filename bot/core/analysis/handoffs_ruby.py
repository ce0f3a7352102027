"""Ruby hand-off sites in one file: where a job is enqueued and where it is performed.

Per-file and pure (bytes in, `HandoffSite`s out), like `handoffs` (which dispatches here);
`movement.pair_handoffs` pairs the ends by name across files. Lines are cut at `MAX_LINE`
characters and every pattern is anchored or starts with a literal, its repeats bounded.

* Sidekiq (`include Sidekiq::Job|Worker`, `perform_async|in|at`), ActiveJob (`class X <
  ApplicationJob`, `perform_later`, `set(...).perform_later`, `ActiveJob.perform_all_later`
  of `X.new(...)`), ActionMailer `deliver_later` (consumer: the mailer class).
* Resque (`Resque.enqueue(X, ...)`, `enqueue_to|in|at`) and DelayedJob
  (`Delayed::Job.enqueue(X.new(...))`): the consumer is a class that defines `perform` or
  `self.perform` with no job base, a "job-class" site kept only when something enqueues it
  (a service object with `perform` is common). DelayedJob's `x.delay.m(...)` produces `m`;
  `handle_asynchronously :m` makes `m` a consumer.
* Action Cable `broadcast` / Turbo Streams `broadcast_*_to` and `stream_from|for`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import fields
from operator import attrgetter

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
)
_RB_PERFORM = re.compile(
    r"(?:(?<![\w:])(?:[^\WA-Z]|:)*+([A-Z][\w:]*+)\s*+)?(?:\.set\b[^\n]{0,200}?)?"
    r"\.(perform_later|perform_async|perform_in|perform_at|perform_bulk)\b"
)
_RB_CONST_LINE = re.compile(r"\A\s*+(?:([A-Z][\w:]*+)\s*+$|([A-Z][\w:]*+)\s*+\.set\b)")
_RB_MAILER = re.compile(
    r"(?<![\w:])(?:[^\WA-Z]|:)*+([A-Z][\w:]*Mailer)\b[^\n]{0,300}?\.deliver_later\b"
)
_RB_CLASS = re.compile(r"\A\s*+class\s++([A-Z][\w:]*+)\s*+(?:<\s*+([A-Z][\w:]*+))?")
_RB_SIDEKIQ = re.compile(r"\A\s*+include\s++Sidekiq::(?:Job|Worker)\b")
_RB_DEF_PERFORM = re.compile(r"\A\s*+def\s++(self\.)?perform\b")
# `Resque.enqueue(X, …)`, `Resque.enqueue_to(:q, X)`, `Resque.enqueue_in(5.minutes, X)`:
# the class is the first constant argument.
_RB_RESQUE = re.compile(
    r"\bResque\.enqueue(?:_to|_in|_at|_at_with_queue|_in_with_queue)?\s*+\(?\s*+"
    r"(?:[^,\n()]{1,100}+,\s*+){0,2}?(?:::)?([A-Z][\w:]{0,200}+)"
)
_RB_DJ_ENQUEUE = re.compile(r"\bDelayed::Job\.enqueue\s*+\(?\s*+(?:::)?([A-Z][\w:]{0,200}+)\.new\b")
# `x.delay.m(…)` / `x.delay(queue: "q").m`: DelayedJob's proxy. A `.delay` read as a value
# (`config.delay.to_i`, `retry.delay.seconds`) is not one.
_RB_DELAY = re.compile(r"\.delay(?:\([^()\n]{0,200}+\))?\.([a-z_]\w{0,100}+[!?]?)")
_RB_DELAY_VALUES = frozenset(
    {"to_i", "to_f", "to_s", "to_r", "to_d", "seconds", "second", "minutes", "minute", "hours"}
    | {"hour", "days", "day", "in_milliseconds", "nil?", "present?", "blank?", "zero?", "abs"}
    | {"positive?", "negative?", "round", "ceil", "floor", "inspect", "call", "then", "tap"}
)
_RB_HANDLE_ASYNC = re.compile(r"\A\s*+handle_asynchronously\s*+\(?\s*+:(\w{1,100}+[!?]?)")
_RB_ALL_LATER = re.compile(r"(?<![\w:])(?:::)?([A-Z][\w:]{0,200}+)\.new\b")
_RB_BROADCAST = re.compile(
    r"(?:ActionCable\.server\.broadcast|broadcast_\w{1,80}?_to|broadcast_to)\s*+\(?\s*+"
    r"([\"':@]?[\w.\-:]++)"
)
_RB_STREAM = re.compile(r"\A\s*+stream_(?:from|for)\s*+\(?\s*+([\"':@]?[\w.\-:]++)")


def ruby_sites(text: str) -> tuple[HandoffSite, ...]:
    if not any(t in text for t in _RB_TRIGGERS):
        return ()
    lines = [line[:MAX_LINE] for line in text.splitlines()]
    out: list[HandoffSite] = []
    open_class: tuple[str, str, int] | None = None  # (name, kind, line)
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        m = _RB_CLASS.match(line)
        if m:
            name, base = m.group(1), m.group(2) or ""
            if base.endswith("Job") or base == "ActiveJob::Base":
                open_class = (name, "activejob", i)
            elif base.endswith("Mailer") or base == "ActionMailer::Base":
                out.append(HandoffSite("consume", "actionmailer", _rb_last(name), i))
                open_class = None
            else:
                open_class = (name, "", i)
            continue
        if open_class and _RB_SIDEKIQ.match(line):
            open_class = (open_class[0], "sidekiq", open_class[2])
            continue
        if open_class and _RB_DEF_PERFORM.match(line):
            # A class with no job base that performs (Resque, DelayedJob): kept only when
            # something enqueues it (`movement.pair_handoffs`).
            kind = open_class[1] or "job-class"
            out.append(HandoffSite("consume", kind, _rb_last(open_class[0]), i))
            open_class = None
            continue
        _rb_other(lines, i, line, out)
        if "perform_" in line:
            for m in _RB_PERFORM.finditer(line):
                const = m.group(1) or _rb_receiver(lines, i)
                mech = "activejob" if m.group(2) == "perform_later" else "sidekiq"
                via = () if m.group(1) else (m.group(2),)  # the line names the call only
                if const:
                    out.append(HandoffSite("produce", mech, _rb_last(const), i, via))
        if "deliver_later" in line:
            for m in _RB_MAILER.finditer(line):
                out.append(HandoffSite("produce", "actionmailer", _rb_last(m.group(1)), i))
            if "Mailer" not in line and line.lstrip().startswith(")"):
                # `Mailer.with(\n  …\n).welcome.deliver_later`: the mailer opened the call;
                # the line itself names the mail, which is what the alias says.
                name = _rb_mailer_above(lines, i)
                mail = _RB_MAIL_METHOD.search(line)
                if name:
                    via = (mail.group(1),) if mail else ()
                    out.append(HandoffSite("produce", "actionmailer", _rb_last(name), i, via))
        if "broadcast" in line:
            for m in _RB_BROADCAST.finditer(line):
                out.append(HandoffSite("produce", "actioncable", _rb_stream(m.group(1)), i))
        elif "stream_" in line:
            m = _RB_STREAM.match(line)
            if m:
                out.append(HandoffSite("consume", "actioncable", _rb_stream(m.group(1)), i))
    return _sorted(out)


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


def _rb_last(name: str) -> str:
    return name.rpartition("::")[2]


_RB_MAIL_METHOD = re.compile(r"\.(\w+)\s*\.deliver_later\b")
_RB_MAILER_OPEN = re.compile(r"\A\s*+(?:[\w@.]++\s*+=\s*+)?([A-Z][\w:]*Mailer)\b")
MAX_MAILER_LOOKBACK = 8


def _rb_mailer_above(lines: Sequence[str], line_no: int) -> str:
    """The mailer whose call a line starting with `)` closes, a few lines up."""
    for back in range(line_no - 1, max(0, line_no - 1 - MAX_MAILER_LOOKBACK), -1):
        m = _RB_MAILER_OPEN.match(lines[back - 1])
        if m:
            return m.group(1)
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
