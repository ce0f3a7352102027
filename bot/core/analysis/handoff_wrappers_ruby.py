"""Ruby hand-offs behind a repository's own job helper (issue 18).

A method that enqueues a job class it is given (`def later(job, *args) = job.set(wait:
1).perform_later(*args)`, `klass.perform_async`, a symbol or string turned into the class
with `.to_s.camelize.constantize` / `"#{name}".classify.constantize`) or delivers a mailer it
is given (`mailer.with(…).public_send(action).deliver_later`) is a producer API: each call
(`later(ExportJob, id)`, `enqueue :export_job, id`, `deliver UserMailer, :welcome`) produces
the job or mail its argument names, and pairs with `class ExportJob < ApplicationJob`'s
`perform` as a direct `ExportJob.perform_later` would.

A thin wrapper of one job class (`def self.async_refresh(id)` whose body starts with
`RefreshJob.perform_later(id)`) is a producer API too: each call of it through its class
(`Feed.async_refresh(x)`, any file) or bare in its own file produces that job. Generic: a
class method that only enqueues is how a model offers its job to controllers and other
jobs; the helper's name must be at least `MIN_FIXED_NAME` long and the call must name the
class, so a same-named method elsewhere is no producer.

Per file (`wrapper_sites`, cached with the file's facts) the helpers are found as raw
`rb-wrapper` sites; `link_ruby` finds their calls. Rails loads constants without imports,
so the callers are looked for in every Ruby file whose text names the helper (at most
`MAX_FILES` files read, `MAX_CALLERS` calls per helper). Patterns are linear and the loops
capped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping

from bot.core.analysis import handoff_job_maps_ruby as job_maps
from bot.core.analysis.scan import Lines
from bot.core.analysis.words import Needles, contains
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, HandoffSite

MAX_LINE = 2_000
MAX_WRAPPERS = 50
MAX_FILES = 400
MAX_CALLERS = 40
MAX_TEXT = 2_000_000
MAX_ARGS_TEXT = 400
MIN_FIXED_NAME = 6  # a shorter helper name (`run`, `sync`) is too common to follow by name

WRAPPER = "rb-wrapper"
_DEF = lazy(
    r"\A[ \t]*+def[ \t]++(?:self\.)?([a-z_]\w{0,100}+[?!]?)[ \t]*+(?:\(([^)\n]{0,400})\)|"
    r"([^=\n#]{0,400}))"
)
# `job.perform_later`, `job.set(…).perform_later`, `job.to_s.camelize.constantize.perform_later`
_JOB_CALL = lazy(
    r"(?<![\w:@.])(?:\"\#\{[ \t]*+([a-z_]\w{0,100}+)[ \t]*+\}[\w:]{0,100}+\"|([a-z_]\w{0,100}+))"
    r"((?:\.(?:to_s|camelize|classify|constantize|safe_constantize))*+)"
    r"(?:\.set\b[^\n]{0,200}?)?\.(perform_later|perform_async|perform_in|perform_at|perform_now)\b"
)
_MAIL_CALL = lazy(
    r"(?<![\w:@.])([a-z_]\w{0,100}+)(?:\.with\b[^\n]{0,200}?)?"
    r"\.(?:public_send|send|__send__)\b[^\n]{0,200}?\.deliver_later\b"
)
# A job class enqueued by name (`RefreshJob.perform_later(id)`, `X.set(…).perform_later`).
_FIXED_JOB = lazy(
    r"(?<![\w:@.])((?:[A-Z]\w{0,100}+::){0,10}[A-Z]\w{0,100}+)(?:\.set\b[^\n]{0,200}?)?"
    r"\.(perform_later|perform_async|perform_in|perform_at)\b"
)
_CLASS_NAME = lazy(r"\A[ \t]*+class[ \t]++(?:[A-Z]\w{0,100}+::){0,10}([A-Z]\w{0,100}+)")
FIXED = "fixed"  # the aliases of a wrapper of one job class: ("", FIXED, job, its class)
_COMMON = frozenset({"perform", "call", "initialize", "method_missing", "send", "run"})
# A Redis set or list used as a queue through the repository's own helpers: a method that
# adds to the key it is given (`def enqueue_id(key, id) = redis.sadd(key, id)`) produces, one
# that takes the key's members (`spop`, `lpop`, `smembers`, a `rename` before reading)
# consumes; `enqueue_id(Digest::PENDING, id)` and `drain(PENDING)` in `class Digest` meet
# on `Digest::PENDING`.
REDIS_QUEUE = "redis-queue"
_REDIS_OPS = (
    *("sadd", "lpush", "rpush", "spop", "smembers", "lpop", "rpop", "blpop", "brpop"),
    *("rpoplpush", "lmove", "blmove", "rename", "renamenx", "zpopmin", "zpopmax"),
)
_REDIS_CALLS = Needles(f".{op}" for op in _REDIS_OPS)
_REDIS_ADD = frozenset({"sadd", "lpush", "rpush"})
_REDIS_CALL = lazy(
    r"\.(" + "|".join(_REDIS_OPS) + r")\b[ \t]*+\(?[ \t]*+([a-z_]\w{0,100}+)[ \t]*+[,)]"
)


def _params(raw: str) -> list[str]:
    out = []
    for part in raw.split(",")[:20]:
        name = part.strip().lstrip("*&").split("=")[0].split(":")[0].strip()
        out.append(name)
    return out


def wrapper_sites(text: str) -> tuple[HandoffSite, ...]:
    """`rb-wrapper` sites: (method, line, (parameter, index)) for each method that enqueues
    a job class or delivers a mailer taken from a parameter."""
    redis = _REDIS_CALLS.any_in(text)
    pushed = contains(text, "Sidekiq::Client")
    if (
        not contains(text, "perform_")
        and not contains(text, "deliver_later")
        and not redis
        and not pushed
    ):
        return ()
    out: list[HandoffSite] = []
    current: tuple[str, list[str]] | None = None
    owner, def_at = "", 0  # the class last opened; the line of the current `def`
    lines = text.split("\n")
    tables: dict[str, tuple[str, ...]] = {}
    keyed_seen: set[tuple[str, str]] = set()
    for i, raw in enumerate(lines, 1):
        line = raw[:MAX_LINE]
        stripped = line.lstrip()
        if stripped.startswith("#"):
            continue
        d = _DEF.match(line)
        if d is not None:
            current = (d.group(1), _params(d.group(2) or d.group(3) or ""))
            def_at = i
            if "=" not in line.partition(")")[2]:  # an endless `def x(a) = …` ends here
                continue
        elif stripped.startswith(("class ", "module ")):
            current = None
            named = _CLASS_NAME.match(line)
            owner = named.group(1) if named is not None else owner
        if current is None or current[0] in _COMMON:
            continue
        name, params = current
        if i == def_at + 1 or i == def_at:
            # A thin wrapper of one job class: its body starts with the enqueue
            # (`def async_check(id)` / `RefreshJob.perform_later(id)`): each call of it
            # through its class (`Feed.async_check(x)`) or in its file produces that job.
            fixed = _FIXED_JOB.search(line) if "perform_" in line else None
            if fixed is not None and owner and len(name) >= MIN_FIXED_NAME:
                mech = "activejob" if fixed.group(2) == "perform_later" else "sidekiq"
                job = fixed.group(1).rpartition("::")[2]
                out.append(HandoffSite(WRAPPER, mech, name, i, ("", FIXED, job, owner)))
        if "perform_" in line:
            for m in _JOB_CALL.finditer(line):
                param = m.group(1) or m.group(2)
                if m.group(1) and "constantize" not in m.group(3):
                    continue  # a string that is never made a class
                if param in params:
                    mech = (
                        "activejob" if m.group(4) in ("perform_later", "perform_now") else "sidekiq"
                    )
                    index = str(params.index(param))
                    out.append(HandoffSite(WRAPPER, mech, name, i, (param, index)))
        if ("perform_" in line or pushed) and ("[" in line or ".fetch(" in line):
            # `push_bulk('class' => JOBS[event], …)`, `JOBS[event].perform_async`: each
            # caller's literal key names its job through the table (`handoff_job_maps_ruby`).
            keyed = job_maps.keyed_job(line, params)
            if keyed is not None and (name, keyed[0]) in keyed_seen:
                keyed = None  # one site a method and table: its callers are found once
            if keyed is not None and keyed[0] not in tables:
                tables[keyed[0]] = job_maps.job_table(lines, keyed[0])  # read once a file
            entries = tables[keyed[0]] if keyed is not None else ()
            if keyed is not None and entries:
                keyed_seen.add((name, keyed[0]))
                index = str(params.index(keyed[1]))
                aliases = (keyed[1], index, job_maps.KEYED, *entries)
                out.append(HandoffSite(WRAPPER, keyed[2], name, i, aliases))
        if pushed and "class" in line:
            # `Sidekiq::Client.push('class' => job, …)` of a job it is given
            for m in job_maps.CLASS_PARAM.finditer(line):
                if m.group(1) in params:
                    index = str(params.index(m.group(1)))
                    out.append(HandoffSite(WRAPPER, "sidekiq", name, i, (m.group(1), index)))
        if redis and "(" in line:
            for m in _REDIS_CALL.finditer(line):
                if m.group(2) in params:
                    role = "produce" if m.group(1) in _REDIS_ADD else "consume"
                    index = str(params.index(m.group(2)))
                    out.append(
                        HandoffSite(WRAPPER, REDIS_QUEUE, name, i, (m.group(2), index, role))
                    )
        if "deliver_later" in line:
            for m in _MAIL_CALL.finditer(line):
                if m.group(1) in params:
                    index = str(params.index(m.group(1)))
                    out.append(HandoffSite(WRAPPER, "actionmailer", name, i, (m.group(1), index)))
    return tuple(sorted(set(out)))


def _camel(token: str) -> str:
    """`:export_job` / "export_job" / `Admin::ExportJob` as the class's last name."""
    token = token.strip().lstrip(":").strip("'\"")
    if not token or not re.fullmatch(r"[\w:]{1,200}", token):
        return ""
    last = token.rpartition("::")[2].rpartition("/")[2]
    if last[:1].isupper():
        return last
    return "".join(part.capitalize() for part in last.split("_") if part)


def _argument(after: str, index: int) -> str:
    """Argument `index` of a call (parenthesised or not), top-level commas only."""
    depth, start, k = 0, 0, 0
    text = after[:MAX_ARGS_TEXT]
    for pos, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return text[start:pos] if k == index else ""
            depth -= 1
        elif ch == "\n" and depth == 0:
            return text[start:pos] if k == index else ""
        elif ch == "," and depth == 0:
            if k == index:
                return text[start:pos]
            k, start = k + 1, pos + 1
    return text[start:] if k == index else ""


def link_ruby(
    facts: Mapping[str, FileFacts], read: Callable[[str], str | None], skip: Callable[[str], bool]
) -> tuple[dict[str, set[HandoffSite]], set[tuple[str, int]]]:
    wrappers = [
        (path, s)
        for path, f in facts.items()
        if f.language == "ruby" and not skip(path)
        for s in f.handoffs
        if s.role == WRAPPER
    ][:MAX_WRAPPERS]
    if not wrappers:
        return {}, set()
    added: dict[str, set[HandoffSite]] = defaultdict(set)
    derived: set[tuple[str, int]] = set()
    texts = _Texts(read)
    ruby = [p for p, f in facts.items() if f.language == "ruby" and not skip(p)]
    for path, w in wrappers:
        if w.aliases[1:2] == (FIXED,):
            fixed = _fixed_callers(path, w, ruby, texts)
            for p, site in fixed:
                added[p].add(site)
                derived.add((p, site.line))
            continue
        param, index = (*w.aliases, "", "0")[:2]
        call = re.compile(r"(?<![\w:@$])" + re.escape(w.name) + r"(?:\(|[ \t]++(?=[:A-Z\"']))")
        found = 0
        for p in ruby:
            text = texts.get(p)
            if text is None:
                break
            if w.name not in text:
                continue
            at = Lines(text)
            for m in call.finditer(text):
                i = at.at(m.start())
                if _commented_or_defined(text, m.start()):
                    continue
                if w.mechanism == REDIS_QUEUE:
                    for site in _redis_sites(text, m.start(), i, w, int(index)):
                        added[p].add(site)
                        if site.role == "produce":
                            derived.add((p, site.line))
                    found += 1
                    if found >= MAX_CALLERS:
                        break
                    continue
                argument = _argument(text[m.end() :], int(index))
                if w.aliases[2:3] == (job_maps.KEYED,):
                    job = job_maps.job_for(argument, w.aliases[3:])
                else:
                    job = _camel(argument)
                if not job:
                    continue
                via = (w.name,) if param else ()
                added[p].add(HandoffSite("produce", w.mechanism, job, i, via))
                derived.add((p, i))
                found += 1
                if found >= MAX_CALLERS:
                    break
            if found >= MAX_CALLERS:
                break
    return dict(added), derived


class _Texts:
    """The Ruby files the wrappers' callers are looked for in, each read once, `MAX_FILES`
    read in all (across every wrapper)."""

    def __init__(self, read: Callable[[str], str | None]) -> None:
        self._read = read
        self._texts: dict[str, str] = {}

    def get(self, path: str) -> str | None:
        """The file's text (cut at `MAX_TEXT`), or None once the budget is spent."""
        if path not in self._texts:
            if len(self._texts) >= MAX_FILES:
                return None
            self._texts[path] = (self._read(path) or "")[:MAX_TEXT]
        return self._texts[path]


def _commented_or_defined(text: str, start: int) -> bool:
    """Whether the name at `start` sits in a comment or is the `def` of the name itself."""
    head = text[text.rfind("\n", 0, start) + 1 : start].lstrip()
    return head.startswith(("#", "def ")) or head.endswith("def ")


def _fixed_callers(
    path: str, w: HandoffSite, ruby: list[str], texts: _Texts
) -> list[tuple[str, HandoffSite]]:
    """The producers a thin wrapper of one job class makes: `Owner.name(` anywhere, and a
    bare `name(` in the wrapper's own file (its class's other methods)."""
    _, _, job, owner = (*w.aliases, "", "", "", "")[:4]
    through = re.compile(r"(?<![\w:@$])" + re.escape(owner) + r"\." + re.escape(w.name) + r"\b")
    bare = re.compile(r"(?<![\w:@$.])" + re.escape(w.name) + r"(?:\(|[ \t]++(?=[@\w]))")
    out: list[tuple[str, HandoffSite]] = []
    for p in ruby:
        text = texts.get(p)
        if text is None:
            break
        if w.name not in text:
            continue
        at = Lines(text)
        patterns = (through, bare) if p == path else (through,)
        for pattern in patterns:
            for m in pattern.finditer(text):
                if _commented_or_defined(text, m.start()):
                    continue
                out.append(
                    (p, HandoffSite("produce", w.mechanism, job, at.at(m.start()), (w.name,)))
                )
                if len(out) >= MAX_CALLERS:
                    return out
    return out


_KEY = lazy(r"\A[ \t]*+(?:::)?((?:[A-Z]\w{0,100}+::)*+)([A-Z][A-Z0-9_]{0,100}+)[ \t]*+\Z")
_QUOTED = lazy(r"""\A[ \t]*+(["'])([\w:.\-]{1,100}+)\1[ \t]*+\Z""")
_CLASS = lazy(r"^[ \t]*+class[ \t]++(?:[A-Z]\w*+::)*+([A-Z]\w{0,100}+)", re.M)
_DEF_LINE = lazy(r"^[ \t]*+def[ \t]", re.M)
MAX_BACK = 20_000  # characters searched back for the enclosing class and `def`


def _redis_sites(
    text: str, start: int, line_no: int, w: HandoffSite, index: int
) -> list[HandoffSite]:
    """The hand-off a call of a Redis queue helper at `start` makes: its key (a constant,
    named by its class, or a string), produced there, or consumed there and at the `def`
    that drains it."""
    after = text[start + len(w.name) :]
    arg = _argument(after.lstrip()[1:] if after.lstrip().startswith("(") else after, index)
    head = text[max(0, start - MAX_BACK) : start]
    k = _KEY.match(arg)
    if k:
        owner = k.group(1).rstrip(":").rpartition("::")[2]
        if not owner:
            # Ruby reads a bare constant from the classes around the call: the one of this
            # file that assigns it (a nested class uses its outer class's), else the nearest.
            made = re.search(rf"^[ \t]*+{k.group(2)}[ \t]*+=(?![=~])", text[:MAX_TEXT], re.M)
            classes = _CLASS.findall(
                text[max(0, made.start() - MAX_BACK) : made.start()] if made else head
            )
            owner = classes[-1] if classes else ""
        key = f"{owner}::{k.group(2)}" if owner else k.group(2)
    else:
        q = _QUOTED.match(arg)
        if not q:
            return []
        key = q.group(2)
    role = (*w.aliases, "", "", "produce")[2]
    sites = [HandoffSite(role, REDIS_QUEUE, key, line_no, (w.name,))]
    if role == "consume":
        defs = list(_DEF_LINE.finditer(head))
        if defs:
            at = line_no - head.count("\n", defs[-1].start())
            sites.append(HandoffSite("consume", REDIS_QUEUE, key, at, (w.name,)))
    return sites
