"""Hand-offs that take more than one file to see: producer wrappers, jobs named by an
f-string, Go channels held in struct fields, thread pools (issue 18, held-out repositories).
Small apps written for these tests, analysed for real."""

from __future__ import annotations

import time

from bot.core.analysis.handoffs import go_sites, python_sites
from bot.core.analysis.py_defs import split_args
from tests.core.analysis.analysed import by_name, ends, facts_of

# --- Python: jobs named by a template, producer wrappers ----------------------------------


def test_a_job_named_by_an_fstring_or_concatenation_is_named_from_what_is_literal() -> None:
    src = (
        "from redis import Redis\nfrom rq import Queue\nq = Queue(connection=Redis())\n"
        "def later(kind):\n"
        "    q.enqueue(f'shop.jobs.{kind}', 1)\n"
        "def other(kind):\n"
        "    q.enqueue('shop.jobs.' + kind)\n"
        "def local():\n"
        "    which = pick()\n"
        '    q.enqueue(f"shop.jobs.{which}_v2")\n'
    )
    sites = {(s.role, s.name, s.line, s.aliases) for s in python_sites(src)}
    assert ("produce", "shop.jobs.{kind}", 5, ()) in sites
    assert ("produce", "shop.jobs.{kind}", 7, ()) in sites
    assert ("produce", "shop.jobs.{which}_v2", 10, ()) in sites
    assert ("wrapper", "later", 5, ("shop.jobs.{kind}", "kind", "0", "func")) in sites
    assert not any(s[0] == "wrapper" and s[1] == "local" for s in sites)  # not a parameter
    assert not any(s[1] == "f" for s in sites)  # the old bug: the f-string's prefix


APP = {
    "shop/__init__.py": b"",
    "shop/jobs.py": (
        b"def build_report(account_id):\n    return account_id\n\n"
        b"def purge(account_id):\n    return None\n"
    ),
    "shop/account.py": (
        b"from rq import Queue\n"
        b"from shop.store import queue\n\n"
        b"class Account:\n"
        b"    def start_job(self, job, label, *rest):\n"
        b"        handle = queue.enqueue(f'shop.jobs.{job}', self.id, *rest)\n"
        b"        return handle\n"
    ),
    "shop/views.py": (
        b"from shop.account import Account\n\n"
        b"def report(request):\n"
        b"    request.user.start_job('build_report', 'Building')\n"
        b"def wipe(request):\n"
        b"    request.user.start_job(\n        label='Wiping', job='purge')\n"
        b"def unknown(request, name):\n"
        b"    request.user.start_job(name, 'x')\n"
    ),
    "shop/store.py": b"from rq import Queue\nqueue = Queue('shop')\n",
}


def test_a_producer_wrapper_names_its_jobs_from_its_callers_literal_arguments() -> None:
    found = by_name(facts_of(APP))
    assert ends(found["build_report"]) == (
        {"shop/account.py:6", "shop/views.py:4"},
        {"shop/jobs.py:1"},  # the function at the dotted path
    )
    assert ends(found["purge"]) == ({"shop/account.py:6", "shop/views.py:6"}, {"shop/jobs.py:4"})
    # named from the callers: the template is not left as a job of its own
    assert not any("{" in name for name in found)


DIGEST = b"from celery import shared_task\n@shared_task\ndef send_digest(u):\n    pass\n"
QUEUE_DIGEST = (
    b"from mail.tasks import send_digest\ndef queue_digest(u):\n    send_digest.delay(u)\n"
)


def test_a_wrapper_with_a_fixed_job_makes_its_callers_producers() -> None:
    files = {
        "mail/tasks.py": DIGEST,
        "mail/api.py": QUEUE_DIGEST,
        "mail/cli.py": b"from mail.api import queue_digest\n\ndef main():\n    queue_digest(me)\n",
        # no import of mail.api: a function of the same name elsewhere is not a caller
        "other/cli.py": b"def main():\n    queue_digest(me)\n",
    }
    found = by_name(facts_of(files))
    assert ends(found["send_digest"]) == (
        {"mail/api.py:3", "mail/cli.py:4"},
        {"mail/tasks.py:3"},
    )


def test_callers_of_a_wrapper_are_capped() -> None:
    calls = "".join(f"    queue_digest(u{i})\n" for i in range(60)).encode()
    files = {
        "mail/tasks.py": DIGEST,
        "mail/api.py": QUEUE_DIGEST,
        "mail/cli.py": b"from mail.api import queue_digest\ndef main():\n" + calls,
    }
    h = by_name(facts_of(files))["send_digest"]
    assert ("mail/api.py", 3) in {(e.path, e.line) for e in h.producers}  # direct ones first
    assert len(h.producers) == 20


def test_a_thread_pool_submit_pairs_with_the_function_in_the_same_file() -> None:
    src = (
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def deliver(item):\n    return item\n"
        "class Loop:\n"
        "    def __init__(self):\n        self.pool = ThreadPoolExecutor(4)\n"
        "    def step(self, item):\n        self.pool.submit(deliver, item)\n"
        "        self.pool.submit(lambda: 1)\n"
    )
    assert {(s.role, s.mechanism, s.name, s.line) for s in python_sites(src)} == {
        ("produce", "thread-pool", "deliver", 8),
        ("consume", "thread-pool", "deliver", 2),
    }
    # without a pool executor in the file, `.submit(` is a form or a batch, not a hand-off
    assert python_sites("def deliver():\n    pass\nform.submit(deliver)\n") == ()


def test_split_args_keeps_nested_calls_and_strings_together() -> None:
    assert split_args("'a, b', f(1, 2), x=[1, 2]) + rest") == ["'a, b'", "f(1, 2)", "x=[1, 2]"]
    assert split_args("a,\n b") == ["a", "b"]  # no closing parenthesis in sight


# --- Go: channels in struct fields and the callers of their wrapper ------------------------

GO_POOL = b"""package pool

import "example.com/app/model"

type Pool struct {
\tjobs chan model.Task
\tstop chan struct{}
}

func (p *Pool) Add(tasks []model.Task) {
\tfor _, t := range tasks {
\t\tselect {
\t\tcase p.jobs <- t:
\t\tcase <-p.stop:
\t\t\treturn
\t\t}
\t}
}

func New(n int) *Pool {
\tp := &Pool{jobs: make(chan model.Task), stop: make(chan struct{})}
\tfor i := 0; i < n; i++ {
\t\tr := &runner{}
\t\tgo r.Loop(p.jobs, p.stop)
\t}
\treturn p
}
"""
GO_RUNNER = b"""package pool

import "example.com/app/model"

type runner struct{}

func (r *runner) Loop(in <-chan model.Task, stop <-chan struct{}) {
\tfor {
\t\tselect {
\t\tcase t := <-in:
\t\t\tt.Do()
\t\tcase <-stop:
\t\t\treturn
\t\t}
\t}
}
"""
GO_HANDLER = b"""package web

import "example.com/app/pool"

type Handler struct{ p *pool.Pool }

func (h *Handler) Refresh() {
\t// h.p.Add(nothing) in a comment is no call
\tgo h.p.Add(load())
}
"""
GO_OTHER = b"""package other

func (l *List) Use() {
\tl.Add(3)
}
"""
GO_MOD = b"module example.com/app\n\ngo 1.22\n"


def test_a_go_channel_in_a_struct_field_pairs_through_the_goroutine_it_feeds() -> None:
    files = {
        "go.mod": GO_MOD,
        "pool/pool.go": GO_POOL,
        "pool/runner.go": GO_RUNNER,
        "web/handler.go": GO_HANDLER,
        "other/list.go": GO_OTHER,  # an `.Add(` in a package that does not import pool
    }
    found = by_name(facts_of(files))
    assert set(found) == {"model.Task"}  # the `stop chan struct{}` is a signal, no queue
    assert ends(found["model.Task"]) == (
        {"pool/pool.go:13", "web/handler.go:9"},
        {"pool/runner.go:7"},  # the receiving function, cited at its `func`
    )


def test_a_go_field_channel_without_a_receiving_goroutine_is_no_hand_off() -> None:
    files = {"go.mod": GO_MOD, "pool/pool.go": GO_POOL.replace(b"go r.Loop", b"r.Loop")}
    assert facts_of(files).handoffs == ()


def test_a_local_channel_ranged_in_a_goroutine_is_cited_where_the_goroutine_starts() -> None:
    src = (
        "func run(items []Item) {\n\tq := make(chan Item, 4)\n"
        "\tfor w := 0; w < 3; w++ {\n\t\tgo func(id int) {\n\t\t\tdefer done()\n"
        "\t\t\tfor it := range q {\n\t\t\t\tuse(it)\n\t\t\t}\n\t\t}(w)\n\t}\n"
        "\tfor _, it := range items {\n\t\tq <- it\n\t}\n}\n"
    )
    assert {(s.role, s.name, s.line) for s in go_sites(src)} == {
        ("consume", "q", 4),
        ("produce", "q", 12),
    }


def test_hostile_go_and_python_inputs_stay_fast() -> None:
    start = time.process_time()
    go_sites(
        "type T struct {\n" + "\tq chan X\n" * 50_000 + "}\nfunc f() {\n" + "\tt.q <- 1\n" * 50_000
    )
    go_sites("func (" * 100_000 + "\n" + "go x.Run(" + "a.q," * 100_000 + ")\n")
    go_sites("func f(c <-chan X) {\n" + "<-c" * 200_000 + "\n}\n")
    python_sites("q.enqueue(f'" + "{" * 200_000 + "\n" + "rq\n")
    python_sites("import rq\n" + "def f(a):\n    q.enqueue(f'x.{a}')\n" * 20_000)
    python_sites("ThreadPoolExecutor\n" + "p.submit(f, " * 100_000 + "\n")
    split_args("(" * 100_000 + "'" * 100_000)
    assert time.process_time() - start < 20  # generous: a shared machine


# --- a table polled as a queue (Django) ----------------------------------------------------

ALERTS = {
    "alerts/__init__.py": b"",
    "alerts/models.py": (
        b"from django.db import models\n\n"
        b"class Event(models.Model):\n    sent = models.DateTimeField(null=True)\n\n"
        b"class Sensor(models.Model):\n"
        b"    def record_event(self, kind):\n"
        b"        ev = Event(owner=self)\n"
        b"        ev.kind = kind\n"
        b"        ev.save()\n"
    ),
    "alerts/views.py": (
        b"from alerts.models import Event, Sensor\n\n"
        b"def reading(request, sensor):\n"
        b"    sensor.record_event('high')\n"
        b"def preview(request):\n"
        b"    sample = Event(owner=None)  # shown, never saved\n"
        b"    return sample\n"
        b"def manual(request):\n"
        b"    Event.objects.create(owner=None)\n"
    ),
    "alerts/management/__init__.py": b"",
    "alerts/management/commands/__init__.py": b"",
    "alerts/management/commands/deliver.py": (
        b"import time\n"
        b"from django.core.management.base import BaseCommand\n"
        b"from alerts.models import Event, Sensor\n\n"
        b"class Command(BaseCommand):\n"
        b"    def claim_one(self):\n"
        b"        ev = Event.objects.filter(sent=None).first()\n"
        b"        if ev is None:\n"
        b"            return False\n"
        b"        Event.objects.filter(id=ev.id).update(sent=now())\n"
        b"        return True\n\n"
        b"    def overdue(self):\n"
        b"        s = Sensor.objects.filter(due__lt=now()).first()\n"
        b"        Sensor.objects.filter(id=s.id).update(due=None)\n\n"
        b"    def handle(self, **options):\n"
        b"        while True:\n"
        b"            self.claim_one()\n"
        b"            self.overdue()\n"
        b"            time.sleep(2)\n"
    ),
}


def test_a_table_a_polling_command_claims_rows_of_pairs_with_where_rows_are_written() -> None:
    found = by_name(facts_of(ALERTS))
    assert set(found) == {"Event"}  # Sensor is queried by a date, not claimed by a marker
    assert ends(found["Event"]) == (
        {
            "alerts/models.py:10",  # the save of the row made in record_event
            "alerts/views.py:4",  # a caller of record_event
            "alerts/views.py:9",  # Event.objects.create
        },
        {"alerts/management/commands/deliver.py:6"},
    )


def test_the_same_claim_outside_a_polling_command_is_no_hand_off() -> None:
    files = dict(ALERTS)
    deliver = files["alerts/management/commands/deliver.py"]
    files["alerts/management/commands/deliver.py"] = deliver.replace(b"time.sleep(2)", b"break")
    assert facts_of(files).handoffs == ()


def test_hostile_table_queue_inputs_stay_fast() -> None:
    from bot.core.analysis.table_queue import table_queue_sites

    start = time.process_time()
    text = "def f():\n" + "    X.objects.filter(a=None).update(b=1)\n" * 50_000
    assert len(table_queue_sites(text, text.split("\n"))) == 1
    text = "X.objects.filter(" * 100_000 + "\n.update(" * 100_000
    table_queue_sites(text, text.split("\n"))
    assert time.process_time() - start < 20


# --- huey: a task called directly is enqueued, so the function calling it is a wrapper --------

GARDEN = {
    "garden/__init__.py": b"",
    "garden/jobs.py": (
        b"from huey.contrib.djhuey import db_task\n\n"
        b"def water(plot):\n"
        b"    if plot.dry:\n"
        b"        _water_task(plot.id)\n\n"
        b"@db_task()\n"
        b"def _water_task(plot_id):\n"
        b"    pass\n"
    ),
    "garden/views.py": (
        b"from garden import jobs\n\n"
        b"def plot_saved(request, plot):\n"
        b"    jobs.water(plot)\n"
        b"    # jobs.water(plot) once more, in a comment\n"
    ),
}


def test_a_function_calling_a_huey_task_makes_its_callers_producers() -> None:
    found = by_name(facts_of(GARDEN))
    assert ends(found["_water_task"]) == (
        {"garden/jobs.py:5", "garden/views.py:4"},
        {"garden/jobs.py:8"},
    )


def test_a_celery_task_called_directly_runs_inline_and_is_no_hand_off() -> None:
    files = dict(GARDEN)
    files["garden/jobs.py"] = (
        files["garden/jobs.py"]
        .replace(b"from huey.contrib.djhuey import db_task", b"from celery import shared_task")
        .replace(b"@db_task()", b"@shared_task")
    )
    h = by_name(facts_of(files)).get("_water_task")
    assert h is None or not h.producers


def test_hostile_huey_wrappers_stay_fast() -> None:
    jobs = b"from huey import RedisHuey\nhuey = RedisHuey()\n" + b"".join(
        b"def w%d(x):\n    t%d(x)\n@huey.task()\ndef t%d(x):\n    pass\n" % (i, i, i)
        for i in range(1_000)
    )
    calls = b"from garden import jobs\ndef f():\n" + b"".join(
        b"    jobs.w%d(1)\n" % (i % 1_000) for i in range(20_000)
    )
    start = time.process_time()
    facts_of({"garden/__init__.py": b"", "garden/jobs.py": jobs, "garden/views.py": calls})
    assert time.process_time() - start < 30  # generous: a shared machine


# --- a job table a scheduled function takes waiting rows of -----------------------------------

PRINTS = {
    "press/__init__.py": b"",
    "press/models.py": (
        b"from django.db import models\n\n"
        b"class PrintJob(models.Model):\n"
        b"    QUEUED = 'queued'\n"
        b"    state = models.CharField(max_length=9)\n"
    ),
    "press/jobs.py": (
        b"from huey import crontab\n"
        b"from huey.contrib.djhuey import periodic_task\n"
        b"from press.models import PrintJob\n\n"
        b"def new_job(doc):\n"
        b"    job = PrintJob(doc=doc, state=PrintJob.QUEUED)\n"
        b"    return job\n\n"
        b"def request_print(doc):\n"
        b"    job = new_job(doc)\n"
        b"    job.save()\n\n"
        b"@periodic_task(crontab(minute='*/5'))\n"
        b"def print_waiting():\n"
        b"    for job in PrintJob.objects.filter(state=PrintJob.QUEUED)[:3]:\n"
        b"        job.run()\n\n"
        b"@periodic_task(crontab(hour='3'))\n"
        b"def report_done():\n"
        b"    return PrintJob.objects.filter(state='done').count()\n\n"
        b"def waiting_count():\n"
        b"    return PrintJob.objects.filter(state=PrintJob.QUEUED).count()\n"
    ),
    "press/views.py": (
        b"from press import jobs\n\ndef print_view(request, doc):\n    jobs.request_print(doc)\n"
    ),
}


def test_a_scheduled_function_taking_waiting_rows_consumes_the_table() -> None:
    found = by_name(facts_of(PRINTS))
    assert ends(found["PrintJob"]) == (
        # the save of the row a factory returned, and a caller of the function saving it
        {"press/jobs.py:11", "press/views.py:4"},
        {"press/jobs.py:14"},  # not report_done (another state), not waiting_count
    )


def test_the_same_waiting_query_outside_a_schedule_is_no_hand_off() -> None:
    files = dict(PRINTS)
    files["press/jobs.py"] = files["press/jobs.py"].replace(
        b"@periodic_task(crontab(minute='*/5'))\n", b""
    )
    assert "PrintJob" not in by_name(facts_of(files))


def test_a_save_in_the_next_function_is_not_the_made_rows() -> None:
    files = dict(PRINTS)
    files["press/jobs.py"] = files["press/jobs.py"].replace(
        b"    return job\n\ndef request_print(doc):\n    job = new_job(doc)\n",
        b"    pass\n\ndef request_print(doc):\n    job = load(doc)\n",
    )
    found = by_name(facts_of(files))
    assert "PrintJob" not in found or not found["PrintJob"].producers


def test_hostile_waiting_table_inputs_stay_fast() -> None:
    from bot.core.analysis.table_queue import pending_table_sites

    start = time.process_time()
    text = "def f():\n" + "    X.objects.filter(status=X.PENDING)\n" * 50_000
    assert len(pending_table_sites(text, text.split("\n"), frozenset({"f"}))) == 1
    text = "X.objects.filter(status=" + "a" * 300 + "\n" + "X.objects.filter(state=" * 50_000
    pending_table_sites(text, text.split("\n"), frozenset({"f"}))
    text = "def f():\n    y = X(\n" + "        a=1,\n" * 50_000 + "    )\n    return y\n"
    facts_of({"m.py": b"class X(models.Model):\n    pass\n", "j.py": text.encode()})
    assert time.process_time() - start < 20
