"""Hand-off and schedule sites added to a file's facts, whichever extractor read the file.

One hook (`with_movement`) called by `extract.extract_one` after the file's extractor, so
the language extractors stay as they are. It decides by the facts' language (code) or by the
bytes (a Kubernetes `CronJob` in any YAML file), never by the path, so the facts stay a pure
function of (extractor, blob). `MOVEMENT_VERSION` is part of every cache key: bump it when
what these sites say changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from bot.core.analysis import (
    handoff_job_files,
    handoff_queue_classes_js,
    handoff_queues_js,
    handoff_wrappers_js,
    handoff_wrappers_ruby,
    handoffs_background_sync_js,
    handoffs_bridged_js,
    handoffs_deferred_js,
    handoffs_pubsub_js,
    handoffs_sorted_sets_js,
    job_definitions_js,
)
from bot.core.analysis.claims import claims
from bot.core.analysis.egress_services import browser_path
from bot.core.analysis.handoff_subclasses import ROLE as SUBCLASS
from bot.core.analysis.handoff_subclasses import inherited_consumers
from bot.core.analysis.handoffs import SITE_ORDER, sites_for
from bot.core.analysis.handoffs_go_brokers import go_constants
from bot.core.analysis.handoffs_inproc import INPROC, inproc_sites, settle
from bot.core.analysis.handoffs_inproc import may_move as inproc_may_move
from bot.core.analysis.handoffs_js import GRAPHQL_PUBSUB
from bot.core.analysis.handoffs_python_gate import _PY_AT_TRIGGER
from bot.core.analysis.handoffs_python_patterns import UNCONFIRMED
from bot.core.analysis.handoffs_redis_python import may_buffer, redis_buffer_sites
from bot.core.analysis.handoffs_temporal_js import MECHANISM as TEMPORAL
from bot.core.analysis.handoffs_views import MECHANISM as VIEW_STREAMS
from bot.core.analysis.handoffs_webpush import MECHANISM as WEB_PUSH
from bot.core.analysis.handoffs_webpush import web_push_sites
from bot.core.analysis.loops import MECHANISM as LOOP
from bot.core.analysis.manifest_text import FileExtractor, base
from bot.core.analysis.scan import Lines
from bot.core.analysis.schedules import (
    SCHEDULE_ORDER,
    file_schedules,
    schedules_for,
    yaml_schedules,
)
from bot.core.analysis.schedules_go_wrappers import RAW as GO_RAW
from bot.core.analysis.schedules_go_wrappers import resolve as go_wrapper_schedules
from bot.core.analysis.schedules_js import INTERVAL, TIMEOUT_LOOP, WORKER
from bot.core.analysis.schedules_wrappers_js import RAW as JS_SCHEDULE_RAW
from bot.core.analysis.schedules_wrappers_js import helper_schedules, paced_subclasses
from bot.core.analysis.table_queue import MECHANISM as TABLE
from bot.core.analysis.table_queue import (
    drained_table_sites,
    pending_table_sites,
    table_queue_sites,
)
from bot.core.analysis.table_queue_ruby import claim_sites
from bot.core.analysis.words import Needles, Parts, contains, words_of
from bot.core.evidence import evidence_key
from bot.core.model import Evidence, FileFacts, Handoff, HandoffSite, Schedule, Signal

MOVEMENT_VERSION = 48  # 2: mailers whose call spans lines; 3: amqp needs its library;
# 4: `Job("name")` of a registry, kafka and Redis pub/sub need their library; 5: polling loops;
# 6: f-string/concatenated job names, producer wrappers, Go field channels, thread pools,
# tables polled as queues
# 7: a WorkerHost's `process()`, a queue named on the line above its `.add(`, FastAPI
# background tasks, `@repeat_every` schedules, retry loops are no schedule
# 8: JS/TS and Go idioms (Agenda, pg-boss, graphile-worker, SQS, Socket.IO, repeatable jobs,
# setInterval; asynq, machinery, NATS, Kafka, RabbitMQ, go-redis, gocron, worker pools)
# 9: the Python and Ruby idiom tables (issue 18): Resque, DelayedJob, GoodJob cron over many
# lines, clockwork, django-celery-beat, Django-Q/rq-scheduler/arq schedules, target sites
# 10: JS/TS job base classes and enqueue functions, Ruby job helpers (`handoff_wrappers_*`)
# 11: Ruby classes nested in a job, `Mailer` alone and mails by method, `job.enqueue`,
# GoodJob `cron[:key] = {`, Kubernetes CronJobs in ERB templates
# 12: Go struct channels drained by the struct's own worker (`drain` sites),
# errgroup/WaitGroup `.Go(func` goroutines
# 13: a job named inside an `.add({…})` object is cited at the line that names it
# 14: 11 to 13 together (merged)
# 15: in-process queues (Python, Ruby, fastq/async.queue), LISTEN/NOTIFY, AS::Notifications
# 16: periodic idioms: re-armed `threading.Timer`, periodic signal receivers and registries,
# croner, toad-scheduler, recursive `setTimeout`, rufus-scheduler; Go schedules named for
# their function
# 17: `Sidekiq::Client.push|push_bulk("class" => X)`, a job class held in a local variable,
# Redis sets and lists used as queues through a repository's helpers (`handoff_wrappers_ruby`)
# 18: blinker named signals between files, queue classes of the repository, queues passed
# as arguments; loops paced by their stop event, elapsed-time checks in a loop
# 19: JS/TS `while (true) { …; await delay(ms) }` polling loops, Prisma tables polled as queues
# 20: Go cron entries whose spec is a variable; Go field channels fed from another file of
# the package, or through a function's channel parameter; Go signal and broadcast-hub channels
# 21: ActiveRecord tables claimed as queues (`update_all(locked_by: …)`, `SKIP LOCKED`)
# 22: JS/TS job definitions named by their trigger event (`job_definitions_js`)
# 23: rq-scheduler jobs declared as dicts; module functions named `enqueue_x` are wrappers;
# jobs imported under an alias; Redis keys used as buffers (`handoffs_redis_python`)
# 24: Go callback registries, queue types with a channel getter, buffers flushed by a ticker,
# exported channel fields received in another package; Web Push to a service worker; timers
# to a wall-clock time in Go loops; app-wide setInterval workers of a class
# 25: pywebpush is a producer only where a line imports it (not a docstring naming it)
# 26: rufus-scheduler's wider forms (bare `every` of a scheduler class, numbers, constants,
# literal defaults, interpolated cron, `schedule_cron`); thin wrappers of one job class
# (`def self.async_x(id)` / `XJob.perform_later(id)`, `handoff_wrappers_ruby`)
# 27: Go schedules added through the repository's own scheduler wrapper
# 28: `.run_in_thread(`, `.kiq(`, `.defer_async(` on a task object (unconfirmed producers,
# paired by `handoff_decorated`); decorators' arguments read over several lines
# 29: JS/TS queues told by their shape (`handoff_queues_js`: a top-level binding made with a
# string name, put to in one file and handed to a runner in another)
# 30: Django tables drained row by row by a management command or a poller (`table_queue`)
# 31: JS/TS jobs named by their file (`registerJob({ name: 'x' })` → `jobs/x.js`), and such
# a call with a `schedule:` key as a schedule (`handoff_job_files`); YAML/JSON config keys
# holding a cron expression or an ISO-8601 duration (`schedules_config`); events of a bus
# that one file forwards to a transport and re-emits from it (`handoffs_bridged_js`);
# GraphQL subscriptions' `asyncIterator('x')` and the `.publish('x'` it answers
# 32: a call given `cron:`/`every:` and `class:` keywords is a schedule; job-iteration jobs
# (`build_enumerator`/`each_iteration`) perform; Ruby subclasses performing by their base
# 33: Django job tables whose waiting rows a scheduled function selects (`table_queue`)
# 34: the tasks of a rake namespace named for a clock, rolling-restart calls (schedules);
# a mailer call closed on a later line is cited there via `deliver_later`
# 35: Temporal workflows started by name and activities scheduled from workflows
# 36: Go cron wrappers named `Schedule` and given a named function; a loop whose log line
# says "retry" still paces work; Go typed-event buses (`handoffs_go_events`)
# 37: `XChannel.broadcast_to(record, …)` and a channel's `stream_for` are named by the channel;
# a namespaced job's enqueue keeps the constant as written (`via`)
# 38-42: `{ cronTime, onTick }` objects handed to any call (`schedules_cron_options_js`); the
# repository's own pub/sub module's `publish`/`on` (`handoffs_pubsub_js`); workerpool pools
# and their worker scripts; forked scripts named by a template; calls deferred by
# setImmediate/nextTick/setTimeout in a function (`handoffs_deferred_js`); delayed queues in
# sorted sets read by score up to now (`handoffs_sorted_sets_js`); a cron option object's
# `onTick: f` is its target; 43: Go jobs built with options (`WithJob` + `WithInterval`/
# `WithCron`, wrappers of them in the file), repeating actor alarms (`SetAlarm` + `Interval:`);
# one-shot actor alarms paired with the file's `Alarm` method (`handoffs_go_alarms`)
# 44: a class's methods putting on the queue it holds are wrappers (`handoffs_inproc_methods`);
# threads handed a job row made for them (`handoffs_thread_jobs`); workbox-background-sync
# queues (`handoffs_background_sync_js`)
# 45: JS/TS queues held by a class (`Jobs.getInstance()?.add(`) and workers started through a
# registrar (`Manager.register(QueueName.Jobs, processor)`, `handoff_queue_classes_js`);
# scheduling helpers given a cron, subclasses of a timer-paced runner base
# (`schedules_wrappers_js`)
# 46: Ruby jobs looked up in a constant table by the key a helper is given (`push_bulk('class'
# => JOBS[event])`, `handoff_job_maps_ruby`), `Sidekiq::Client.push('class' => job)` helpers
# 47: a class's method putting on the queue it holds, handed task objects (`task-api`,
# `handoff_task_objects`)
# 48: a docstring showing a queue holder's shape is no queue and no producer
_CODE = frozenset({"python", "ruby", "javascript", "typescript", "go"})
MAX_LINE = 2_000


def with_movement(facts: FileFacts, data: bytes) -> FileFacts:
    """`facts` with the hand-off and schedule sites `data` declares."""
    writes: tuple[Signal, ...] = ()
    if facts.language in _CODE:
        text = data.decode("utf-8", "replace")
        inproc = facts.language not in _GATED or inproc_may_move(facts.language, text)
        push = web_push_sites(facts.language, text)
        buffers = facts.language == "python" and may_buffer(text)
        quiet = not inproc and not buffers and not push
        if facts.language == "python" and not python_may_move(text) and quiet:
            return facts
        defined, timed = (
            job_definitions_js.definition_sites(text) if facts.language in _JS else ((), ())
        )
        if facts.language in _JS:
            defined += handoff_queues_js.queue_definitions(text)
            defined += handoff_queue_classes_js.class_queue_sites(text)
            timed += helper_schedules(text)
            named, clocked = handoff_job_files.job_sites(text)
            defined += named + handoffs_bridged_js.bridged_sites(text)
            defined += handoffs_pubsub_js.pubsub_sites(text)
            defined += handoffs_deferred_js.deferred_sites(text)
            defined += handoffs_sorted_sets_js.sorted_set_sites(text)
            defined += handoffs_background_sync_js.background_sync_sites(text)
            timed += clocked
        if (
            facts.language in _JS
            and not javascript_may_move(text)
            and not handoff_wrappers_js.may_wrap(text)
            and not inproc
            and not defined
            and not timed
            and not push
        ):
            return facts
        handoffs = sites_for(facts.language, text) + _wrapper_sites(facts.language, text) + push
        handoffs += inproc_sites(facts.language, text) if inproc else ()
        handoffs += defined
        handoffs += redis_buffer_sites(text) if buffers else ()
        schedules = schedules_for(facts.language, text) + timed
        if facts.language == "python" and any(s.mechanism == LOOP for s in schedules):
            # a command that polls forever: does it claim rows of a table as its queue?
            handoffs += table_queue_sites(text, text.split("\n"))
        if facts.language == "python" and (
            "BaseCommand" in text or any(s.mechanism == LOOP for s in schedules)
        ):
            # a program of its own (a management command, a poller) working off a table
            handoffs += drained_table_sites(text, text.split("\n"))
        if facts.language == "python" and schedules:
            # a scheduled function taking waiting rows of a job table
            scheduled = frozenset(
                n
                for s in schedules
                if s.mechanism != LOOP
                for n in (s.name, s.target.rpartition(".")[2])
                if n
            )
            handoffs += pending_table_sites(text, text.split("\n"), scheduled)
        if facts.language == "ruby":
            handoffs += claim_sites(text)  # rows a worker claims (`update_all(locked_by:`)
        if facts.language == "python":
            writes = file_writes(text)
        elif facts.language == "go":
            writes = go_constants(text)  # task types named by constants: their values
    elif b"CronJob" in data and b"schedule" in data:
        handoffs, schedules = (), yaml_schedules(data)
    else:
        return facts
    if not handoffs and not schedules and not writes:
        return facts
    return replace(
        facts,
        signals=tuple(sorted({*facts.signals, *writes})) if writes else facts.signals,
        handoffs=tuple(sorted({*facts.handoffs, *handoffs}, key=SITE_ORDER)),
        schedules=tuple(sorted({*facts.schedules, *schedules}, key=SCHEDULE_ORDER)),
    )


def _wrapper_sites(language: str, text: str) -> tuple[HandoffSite, ...]:
    """A repository's own job layer (a base class, an enqueue function, a Ruby helper)."""
    if language in _JS:
        return handoff_wrappers_js.wrapper_sites(text)
    if language == "ruby":
        return handoff_wrappers_ruby.wrapper_sites(text)
    return ()


# One cheap, exact pre-test for Python (almost every file fails it): a file it rejects holds
# no needle of the hand-off gate (`handoffs_python_gate._python_triggered`), the schedule gate
# (`schedules._PY_TRIGGERS`) nor the file-write gate, so none of their scans could find a
# site. Each `in` test or regex search is a pass over the text (~4 ms per 9 MB): nine
# needles that share a "_" are one literal-first search, `schedule.every` rides on the
# dotted calls. A file that passes goes through the exact gates as before.
_PY_MAY_DOT = re.compile(
    r"\.(?:(?:delay|apply_async|si?|enqueue\w*|publish|subscribe|send\w*|schedule|task|submit"
    r"|run_in_thread|kiq|defer_async)\(|every)"
)
_PY_MAY_UNDERSCORE = re.compile(
    r"_(?:task|job\(|schedule|SCHEDULE|every|(?<=write_)|jobs(?<=cron_jobs)|type(?<=schedule_type))"
)
# "Task": Celery task classes, django-celery-beat's `PeriodicTask`; "WorkerSettings": arq;
# "eriodic": periodiq's `periodic=` (the schedule gate's needle).
_PY_MAY_WORDS = (
    *("Job", "huey", "dramatiq", "crontab(", "interval=", "open(", "sleep("),
    *("Task", "WorkerSettings", "eriodic", "Timer(", "@receiver(", ".is_set()"),
    "BaseCommand",
)
_PY_MAY = Needles(_PY_MAY_WORDS)


# The words each pattern cannot match without (see `words.Words.has_any`).
_PY_AT_WORDS = Parts("task ", "job ", "actor ")
_PY_UNDERSCORE_WORDS = Parts(
    *("_task", "_job ", "_schedule", "_SCHEDULE", "_every", "write_", "cron_jobs"),
    "schedule_type",
)
_PY_DOT_WORDS = Parts(
    *(" delay ", " apply_async ", " s ", " si ", " publish ", " subscribe "),
    *(" schedule ", " task ", " submit ", " run_in_thread ", " kiq ", " defer_async "),
    *(" enqueue", " send", " every"),
)


def python_may_move(text: str) -> bool:
    """False only when no hand-off, schedule or file-write gate could let `text` in."""
    # The words first: a look in the file's words costs far less than a pass over the text,
    # and "Job" or "open(" lets many files in at once.
    words = words_of(text)
    return (
        _PY_MAY.any_in(text)
        or (words.has_any(_PY_AT_WORDS) and _PY_AT_TRIGGER.search(text) is not None)
        or (words.has_any(_PY_UNDERSCORE_WORDS) and _PY_MAY_UNDERSCORE.search(text) is not None)
        or (words.has_any(_PY_DOT_WORDS) and _PY_MAY_DOT.search(text) is not None)
    )


# The same for JavaScript and TypeScript: a file it rejects holds no needle of
# `handoffs_js._JS_TRIGGERS` nor of the schedule gate (`schedules.javascript_schedules`).
_JS = frozenset({"javascript", "typescript"})
_GATED = frozenset({"python", *_JS})
_JS_MAY_DOT = re.compile(r"\.(?:process\(|consume\(|publish\(['\"]|subscribe\(['\"])")
_JS_MAY_PAREN = re.compile(r"\((?:(?<=Worker\()|(?<=Processor\()|(?<=Interval\())")
_JS_MAY_CRON = re.compile(r"ron(?<=[Cc]ron)")
# Two patterns, each starting with its word, scan ~4x faster than one alternation of both.
_JS_MAY_WHILE = re.compile(r"while[ \t]*+\([ \t]*+(?:true|1|!?this\.)")
_JS_MAY_FOR = re.compile(r"for[ \t]*+\([ \t]*+;")
# Each a full pass over the file: none that another word or pattern here implies
# (`@SubscribeMessage(` holds `Message(`, `croner` holds the `cron` of `_JS_MAY_CRON`).
_JS_MAY_WORDS = (
    *("Queue", "topic", "scheduleJob", "agenda", "Agenda", "boss", "Boss", "addJob("),
    *("taskList", "MessageCommand", "sqs", "socket.io", "FlowProducer", "repeat"),
    *("Interval(", "Message(", ".every(", ".schedule("),
    "upsertJobScheduler",
    *("toad-scheduler", "setTimeout("),
    "Iterator(",
    *("workflow", "ActivityMethod"),  # Temporal (`handoffs_temporal_js`)
)
_JS_MAY = Needles(_JS_MAY_WORDS)
# The words each pattern cannot match without (see `words.Parts`).
_JS_CRON_WORDS = Parts("Cron", "cron")
_JS_DOT_WORDS = Parts(" process ", " consume ", " publish ", " subscribe ")
_JS_PAREN_WORDS = Parts("Worker ", "Processor ", "Interval ")


def javascript_may_move(text: str) -> bool:
    """False only when neither the hand-off nor the schedule gate could let `text` in."""
    words = words_of(text)
    return (
        _JS_MAY.any_in(text)
        or (words.has_any(_JS_CRON_WORDS) and _JS_MAY_CRON.search(text) is not None)
        or (words.has_any(_JS_DOT_WORDS) and _JS_MAY_DOT.search(text) is not None)
        or (words.has_any(_JS_PAREN_WORDS) and _JS_MAY_PAREN.search(text) is not None)
        or (contains(text, "await") and _js_may_loop(text))
    )


def _js_may_loop(text: str) -> bool:
    """Whether `loops.js_loops` could find a loop."""
    return _JS_MAY_WHILE.search(text) is not None or _JS_MAY_FOR.search(text) is not None


_WRITE = re.compile(r"\.write_(?:text|bytes)\(|(?<![\w.])open\([^)\n]{0,200}?[\"'][wax]b?\+?[\"']")


def _lines_holding(joined: str, needles: Iterable[str]) -> set[int]:
    """Numbers of the lines of `joined` holding a needle; each line is found once."""
    at = Lines(joined)
    out = set()
    for needle in needles:
        pos = joined.find(needle)
        while pos != -1:
            out.add(at.at(pos))
            end = joined.find("\n", pos)
            pos = -1 if end == -1 else joined.find(needle, end)
    return out


def file_writes(text: str) -> tuple[Signal, ...]:
    """`sink.files` signals: lines that write local files (a CLI's output is its sink)."""
    if "write_" not in text and "open(" not in text:
        return ()
    # Lines as `splitlines` counts them, joined by "\n" so that the needles' places (found
    # in C) give their line numbers: only the lines holding one are looked at in Python.
    lines = text.splitlines()
    joined = "\n".join(lines)
    numbers = sorted(_lines_holding(joined, ("write_", "open(")))
    out = []
    for i in numbers:
        code = lines[i - 1][:MAX_LINE].split("#", 1)[0]
        if _WRITE.search(code):
            out.append(Signal("sink.files", "local files", i))
    return tuple(out)


_SCHEDULE_NAMES = frozenset(
    {
        "recurring.yml",
        "recurring.yaml",
        "schedule.yml",
        "schedule.yaml",
        "sidekiq.yml",
        "sidekiq_schedule.yml",
        "sidekiq_scheduler.yml",
        "sidekiq-cron.yml",
        "crontab",
        "cronfile",  # the crontab a Dockerfile copies into /etc/cron.d (a cron container)
        "vercel.json",
        "netlify.toml",
    }
)


def is_schedule_file(path: str) -> bool:
    name = base(path)
    if name in _SCHEDULE_NAMES or name.endswith((".cron", ".crontab")) or "/cron.d/" in f"/{path}":
        return True
    if name.endswith((".yaml.erb", ".yml.erb")):
        return True  # a templated manifest (`deploy/cron.yaml.erb`): its Kubernetes CronJob
    return path.startswith(".github/workflows/") and name.endswith((".yml", ".yaml"))


def parse_schedule_file(data: bytes) -> FileFacts:
    return FileFacts(language="config", schedules=file_schedules(data))


SCHEDULE_EXTRACTOR = FileExtractor(
    "schedule_file",
    4,  # 2: a scheduled workflow counts when it runs the repository's code; 3: `cd` is no
    # crontab user; 4: files named `cronfile` or `*.crontab`
    is_schedule_file,
    parse_schedule_file,
    claims(
        names=_SCHEDULE_NAMES,
        extensions=("cron", "crontab", "erb"),
        path_prefixes=(".github/workflows/",),
    ),
)


# --- the repository's hand-offs and schedules ----------------------------------------

EVIDENCE_MAX = 20
# Producer sites too common to stand alone (`x.s(...)` is a Celery signature, or not): kept
# only when a consumer of the same name is found.
_WEAK = frozenset({("celery", "s"), ("celery", "si")})
# Producer mechanisms that need a consumer to count: a Celery signature, a `Job(...)` made
# for a project's own registry (a model named Job is made the same way), a FastAPI
# background task whose function this analysis did not find (not "no consumer": it runs).
_ALONE_NOT = frozenset({"signature", "job-registry", "background-task", UNCONFIRMED})
# Mechanisms whose one end alone says nothing: a Socket.IO event emitted to browsers that
# no code here listens to (or a handler for a message nothing here sends) is an API, not a
# hand-off left without its other end.
_BOTH_ENDS = frozenset(
    {"socket.io", job_definitions_js.MECHANISM, WEB_PUSH, handoff_job_files.MECHANISM, *INPROC}
    | {GRAPHQL_PUBSUB, VIEW_STREAMS, TEMPORAL, handoffs_pubsub_js.MECHANISM}
    | {handoffs_deferred_js.MECHANISM, handoffs_sorted_sets_js.MECHANISM}
    | {handoffs_background_sync_js.MECHANISM}
)
# Producer sites that are no enqueue (no flow sink) unless a consumer answers them: a
# repository bus's publish, a deferred call, a sorted set's add are that only when paired.
_PAIRED_ONLY = INPROC | {
    handoffs_pubsub_js.MECHANISM,
    handoffs_deferred_js.MECHANISM,
    handoffs_sorted_sets_js.MECHANISM,
    handoffs_background_sync_js.MECHANISM,
}


def confirm_producers(
    facts: Mapping[str, FileFacts], handoffs: Iterable[Handoff]
) -> dict[str, FileFacts]:
    """`facts` with each unconfirmed producer site (a `.send(`/`.delay(` whose library its
    file does not show) either given the mechanism of the hand-off it was paired with, or
    dropped: the flows take every producer site for an enqueue, and `signal.send(...)` or
    `mail.send()` is none."""
    paired = {(e.path, e.line): h for h in handoffs if h.consumers for e in h.producers}
    out = dict(facts)
    for path, f in facts.items():
        if not any(s.mechanism == UNCONFIRMED or s.mechanism in _PAIRED_ONLY for s in f.handoffs):
            continue
        kept = []
        for s in f.handoffs:
            if s.mechanism != UNCONFIRMED and (
                s.mechanism not in _PAIRED_ONLY or s.role != "produce"
            ):
                kept.append(s)
            elif (h := paired.get((path, s.line))) is not None and h.name == s.name:
                kept.append(replace(s, mechanism=h.mechanism))
        out[path] = replace(f, handoffs=tuple(kept))
    return out


def pair_handoffs(
    facts: Mapping[str, FileFacts],
    skip: Callable[[str], bool],
    derived: frozenset[tuple[str, int]] = frozenset(),
) -> tuple[Handoff, ...]:
    """Producers and consumers paired by name (or a consumer's alias) across files; files
    for which `skip(path)` holds (tests) are left out. Producers in `derived` (callers of a
    producer wrapper) are cited after the direct ones when the evidence is cut."""
    consumers: dict[str, list[tuple[str, HandoffSite]]] = defaultdict(list)
    producers: dict[str, list[tuple[str, HandoffSite]]] = defaultdict(list)
    alias: dict[str, str] = {}
    subclasses: dict[str, tuple[str, HandoffSite]] = {}
    values = _string_constants(facts)
    rq: bool | None = None  # whether the repository depends on RQ, asked once if needed
    # in-process queues: only the names some (non-test) file makes a queue of; a worker
    # script's consumer named by its file
    facts = settle({p: f for p, f in facts.items() if not skip(p)})
    for path, f in facts.items():
        if not f.handoffs or skip(path):
            continue
        for site in f.handoffs:
            if site.name in values:  # `QueueName.EMAIL_QUEUE` is the queue `email-queue`
                site = replace(site, name=values[site.name])
            if site.role == "consume":
                consumers[site.name].append((path, site))
                for a in site.aliases:
                    alias.setdefault(a, site.name)
            elif site.role == "produce":
                producers[site.name].append((path, site))
            elif site.role == SUBCLASS:
                subclasses.setdefault(site.name, (path, site))
            # wrapper, send, spawn, receive: raw material for `handoff_links`
    joined: dict[str, list[tuple[str, HandoffSite]]] = defaultdict(list)
    for name, sites in producers.items():
        key = name if name in consumers else alias.get(name, name)
        joined[key].extend(sites)
    # A job enqueued by name that performs through its base class; the base, enqueued by no
    # one, is then only the subclasses' shared code.
    inherited, bases = inherited_consumers(list(joined), consumers, subclasses)
    consumers.update(inherited)
    for b in bases - set(joined):
        del consumers[b]
    # "Mailer." for each `Mailer.mail` delivered: the mailer class's own hand-off is then
    # only an echo of its mails'.
    mailed = {
        n.partition(".")[0] + "."
        for n, s in joined.items()
        if "." in n and any(x.mechanism == "actionmailer" for _, x in s)
    }
    out: list[Handoff] = []
    for name in sorted(set(consumers) | set(joined)):
        made = consumers.get(name, [])
        taken = joined.get(name, [])
        if made and all(s.mechanism == "job-class" for _, s in made) and not taken:
            continue  # a class named like a job that nothing enqueues: not a hand-off
        if not made:
            taken = [(p, s) for p, s in taken if s.mechanism not in _ALONE_NOT | _BOTH_ENDS]
            if not taken:
                continue
        elif not taken and all(s.mechanism in _BOTH_ENDS for _, s in made):
            continue
        elif not taken and f"{name}." in mailed:
            continue  # a mailer whose mails are delivered by name (`Mailer.welcome`)
        mechs = (
            sorted({s.mechanism for _, s in made} - {"job-class"})
            or sorted({s.mechanism for _, s in taken} - _ALONE_NOT)
            or ["job"]
        )
        if mechs[0] == "job" and rq is None:
            rq = _depends_on(facts, _RQ_PACKAGES)
        if mechs[0] == "job" and rq:
            # `@job` imported from the repository's own module (a `partial` of RQ's
            # decorator), in a repository that depends on RQ: RQ's jobs.
            mechs[0] = "rq"
        out.append(
            Handoff(
                name,
                mechs[0],
                _evidence(taken, derived, spread=mechs[0] == TABLE),
                _evidence(made),
            )
        )
    return tuple(out)


MAX_CONSTANTS = 5_000
_RQ_PACKAGES = frozenset({"rq", "django-rq", "flask-rq2", "rq-scheduler"})


def _depends_on(facts: Mapping[str, FileFacts], names: frozenset[str]) -> bool:
    return any(d.name.casefold() in names for f in facts.values() for d in f.dependencies)


def _string_constants(facts: Mapping[str, FileFacts]) -> dict[str, str]:
    """`Enum.MEMBER` → its string value, for the names given one value in the repository
    (BullMQ's `{hash-tag}` braces dropped: the queue is `email-queue`)."""
    seen: dict[str, set[str]] = defaultdict(set)
    for f in facts.values():
        for s in f.signals:
            if s.kind == "const.string" and len(seen) < MAX_CONSTANTS:
                value = s.detail
                if value.startswith("{") and value.endswith("}") and len(value) > 2:
                    value = value[1:-1]
                seen[s.name].add(value)
    return {name: next(iter(v)) for name, v in seen.items() if len(v) == 1}


def _evidence(
    sites: Iterable[tuple[str, HandoffSite]],
    derived: frozenset[tuple[str, int]] = frozenset(),
    spread: bool = False,
) -> tuple[Evidence, ...]:
    found = sorted({Evidence(p, s.line) for p, s in sites}, key=evidence_key)
    if spread and len(found) > EVIDENCE_MAX:
        # A table written from all over (every controller that saves the row): one writer
        # per folder first, so the worker's own writes are not cut by the web's many.
        turn: dict[str, int] = {}
        order = []
        for e in found:
            folder = e.path.rpartition("/")[0]
            order.append((turn.get(folder, 0), e))
            turn[folder] = turn.get(folder, 0) + 1
        order.sort(key=lambda te: (te[0], evidence_key(te[1])))
        return tuple(sorted((e for _, e in order[:EVIDENCE_MAX]), key=evidence_key))
    if derived and len(found) > EVIDENCE_MAX:
        found.sort(key=lambda e: (e.path, e.line) in derived)  # stable: direct ones first
        return tuple(sorted(found[:EVIDENCE_MAX], key=evidence_key))
    return tuple(found[:EVIDENCE_MAX])


# A polling loop in `handle`, `run` or `main` says nothing: its file names it (a Django
# management command `sendalerts.py`, a `worker.go`).
_GENERIC_LOOP_HOLDERS = frozenset({"", "handle", "run", "main", "start", "loop", "serve", "work"})


def _loop_name(path: str, holder: str) -> str:
    if holder.casefold() not in _GENERIC_LOOP_HOLDERS:
        return holder
    stem = path.rpartition("/")[2].partition(".")[0]
    return stem


# Modules no browser bundle loads: a file in a `client/` folder that imports one is a
# server's client (a job client, an API client), not page code.
_SERVER_MODULES = frozenset(
    {"fs", "child_process", "cluster", "worker_threads", "net", "@prisma/client", "pg"}
    | {"ioredis", "bullmq", "bull", "mongoose", "mysql2", "server-only"}
)


def server_side(f: FileFacts) -> bool:
    """Whether the file imports a module only a server runs (`node:fs`, Prisma, a queue)."""
    return any(
        r.spec.startswith("node:") or r.spec in _SERVER_MODULES or "/server-only/" in r.spec
        for r in f.imports
    )


def collect_schedules(
    facts: Mapping[str, FileFacts],
    skip: Callable[[str], bool],
    tool: Callable[[str], bool] = lambda _: False,
) -> tuple[Schedule, ...]:
    """Every schedule site, one entry per (name, schedule, mechanism, target). A polling
    loop in a development tool (`tool`: a benchmark's load generator) is not the product's."""
    found: dict[tuple[str, str, str, str], list[Evidence]] = defaultdict(list)
    for path, s in go_wrapper_schedules(facts, skip):
        found[(s.name, s.schedule, s.mechanism, s.target)].append(Evidence(path, s.line))
    for path, s in paced_subclasses(facts, skip):
        found[(s.name, s.schedule, s.mechanism, s.target)].append(Evidence(path, s.line))
    for path, f in facts.items():
        if not f.schedules or skip(path):
            continue
        for s in f.schedules:
            if s.mechanism in GO_RAW or s.mechanism in JS_SCHEDULE_RAW:
                continue  # raw material of `schedules_go_wrappers`, resolved above
            if s.mechanism in (LOOP, INTERVAL, TIMEOUT_LOOP, WORKER) and tool(path):
                continue
            if s.mechanism == WORKER and "example" in path.lower():
                continue
            if s.mechanism in (INTERVAL, TIMEOUT_LOOP) and (
                (browser_path(path) and not server_side(f)) or "example" in path.lower()
            ):
                continue  # a page's clock or poll, a usage example: not the product's work
            if s.mechanism == LOOP and browser_path(path):
                continue  # a page's `while (true) { await sleep(…) }`
            if s.mechanism == INTERVAL and not s.target:
                s = replace(s, name=_loop_name(path, ""))
            name = _loop_name(path, s.name) if s.mechanism == LOOP else s.name
            found[(name, s.schedule, s.mechanism, s.target)].append(Evidence(path, s.line))
    return tuple(
        Schedule(name, when, mech, tuple(sorted(ev, key=evidence_key))[:EVIDENCE_MAX], target)
        for (name, when, mech, target), ev in sorted(found.items())
    )
