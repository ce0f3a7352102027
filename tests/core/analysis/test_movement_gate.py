from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import schedules_js, schedules_python
from bot.core.analysis.handoffs import _sorted, python_sites
from bot.core.analysis.handoffs_js import _JS_TRIGGERS
from bot.core.analysis.handoffs_python import _PyScan
from bot.core.analysis.handoffs_python_gate import (
    _PY_NEEDLES,
    MAX_POSITIONS,
    _job_word_may_find,
    _positions,
    _py_positions,
    _python_triggered,
)
from bot.core.analysis.movement import (
    _WRITE,
    MAX_LINE,
    file_writes,
    javascript_may_move,
    python_may_move,
    with_movement,
)
from bot.core.analysis.python import PythonExtractor
from bot.core.model import Signal


def _any_gate(text: str) -> bool:
    return (
        _python_triggered(text)
        or schedules_python.python_triggered(text)
        or "write_" in text
        or "open(" in text
        or ("sleep(" in text and "while" in text)  # loops.python_loops
    )


# Every needle of the three gates, cut and joined at random with code-like noise.
_PIECES = [
    ".delay(", ".apply_async(", ".s(", ".si(", ".enqueue_in(", ".publish(", ".subscribe(",
    ".send(", ".send_with_options(", ".schedule(", ".task(", ".every", "@app.task", "@job",
    "@dramatiq.actor", "_task(", "huey", "dramatiq", "Job", "crontab(", "beat_schedule",
    "BEAT_SCHEDULE", "periodic_task", "interval=", "run_every", "add_job(", "scheduled_job(",
    "schedule.every", "write_", "open(", "_", ".", "@", "(", "=", "task", "job", "every",
    "write", "open", "schedule", "SCHEDULE", "x", " ", "\n", "#", '"""', "é", "sleep(",
    "while True:", "while", "PeriodicTask", "periodic=", "schedule_type", "cron_jobs",
    "rq_scheduler", "get_scheduler(", "WorkerSettings", "Task)", "class X(Task):",
    ".enqueue_job(", "get_queue('q').enqueue(", "Periodic", "eriodic", "type", "jobs",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_the_python_pre_test_lets_in_every_file_a_gate_lets_in(pieces: list[str]) -> None:
    text = "".join(pieces)
    if _any_gate(text):
        assert python_may_move(text)


def test_plain_django_code_is_rejected_by_the_pre_test() -> None:
    text = (
        "from django.db import models\n\n"
        "class Site(models.Model):\n"
        "    name = models.CharField(max_length=100)\n\n"
        "    def get_absolute_url(self):\n"
        "        return reverse('dcim:site', args=[self.pk])\n"
    )
    assert not python_may_move(text)


def test_a_file_the_pre_test_rejects_keeps_its_facts_object() -> None:
    data = b"import os\n\ndef f(x):\n    return os.path.join(x, 'a')\n"
    facts = PythonExtractor().extract("a.py", data)
    assert with_movement(facts, data) is facts


def test_a_file_with_a_celery_task_still_gets_its_sites() -> None:
    data = b"from celery import shared_task\n\n@shared_task\ndef sync(doc_id):\n    pass\n"
    facts = with_movement(PythonExtractor().extract("a.py", data), data)
    assert [(h.role, h.name, h.line) for h in facts.handoffs] == [("consume", "sync", 4)]


_JS_PIECES = [
    "Queue", "sendToQueue", "Worker(", "Processor(", ".process(", "topic", ".consume(",
    ".publish('", '.publish("', ".subscribe('", '.subscribe("', "Cron", "cron", "Interval(",
    "scheduleJob", "Worker", "Processor", "Interval", "ron", "C", "c", "(", ".", "'", '"',
    "publish", "subscribe", "x", " ", "\n", "//", "é",
    "agenda", "Agenda", "boss", "Boss", "addJob(", "taskList", "MessageCommand", "sqs",
    "socket.io", "FlowProducer", "repeat", "upsertJobScheduler", ".every(", ".schedule(",
    "setInterval(", "@SubscribeMessage(", "Message(", "every", "schedule", "Job", "(",
]  # fmt: skip


def _any_js_gate(text: str) -> bool:
    schedule = any(w in text for w in schedules_js._TRIGGERS)
    return schedule or any(t in text for t in _JS_TRIGGERS)


@given(st.lists(st.sampled_from(_JS_PIECES), max_size=12))
def test_the_javascript_pre_test_lets_in_every_file_a_gate_lets_in(pieces: list[str]) -> None:
    text = "".join(pieces)
    if _any_js_gate(text):
        assert javascript_may_move(text)


def test_plain_angular_code_is_rejected_by_the_javascript_pre_test() -> None:
    text = (
        "import { Component } from '@angular/core';\n"
        "@Component({ selector: 'app-home' })\n"
        "export class HomeComponent {\n"
        "  constructor(private http: HttpClient) {}\n"
        "  load() { this.http.get('/api').subscribe((x) => console.log(x)); }\n"
        "}\n"
    )
    assert not javascript_may_move(text)


@given(st.lists(st.sampled_from([*_PIECES, ".sen", ".si", ".s", "class ", "task("]), max_size=16))
def test_python_candidate_places_are_those_of_one_find_per_needle(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _py_positions(text) == _positions(text, _PY_NEEDLES)


def test_python_candidate_places_past_the_cap_are_the_capped_ones() -> None:
    text = "@x\n.delay(\n" * (MAX_POSITIONS // 2 + 10)
    assert _py_positions(text) == _positions(text, _PY_NEEDLES)


_JOB_PIECES = [
    "Job", "JobRunner", "Worker", "class ", "class\t", "A", "(", ")", ",", " ", "\n", "x = ",
    "task(", "job(", "app.", "(f)", "'", "=", "models.Model", "#", '"""', "@", "huey",
]  # fmt: skip


@given(st.lists(st.sampled_from(_JOB_PIECES), max_size=16))
def test_files_let_in_by_the_job_word_alone_are_skipped_only_when_no_site_follows(
    pieces: list[str],
) -> None:
    text = "".join(pieces)
    full = _sorted(_PyScan(text).sites()) if _python_triggered(text) else ()
    assert python_sites(text) == full


def test_a_job_runner_class_is_still_found_in_a_file_that_only_says_job() -> None:
    text = "from netbox.jobs import JobRunner\n\nclass SyncJob(JobRunner):\n    pass\n"
    assert [(s.mechanism, s.name) for s in python_sites(text)] == [("job-class", "SyncJob")]


def test_a_file_naming_a_job_model_only_is_not_scanned() -> None:
    text = "from core.models import Job\n\ndef view(request):\n    return Job.objects.all()\n"
    assert not _job_word_may_find(text)


def _file_writes_by_every_line(text: str) -> tuple[Signal, ...]:
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        needle = "write_" in line or "open(" in line
        if needle and _WRITE.search(line[:MAX_LINE].split("#", 1)[0]):
            out.append(Signal("sink.files", "local files", i))
    return tuple(out)


_WRITE_PIECES = [
    "open(", "open", "(", "'w'", '"wb"', "'r'", ")", "p.write_text(", "write_", "x", " ",
    "\n", "\r\n", "\r", "\x0c", "\u2028", "#", "with ", "f = ",
]  # fmt: skip


@given(st.lists(st.sampled_from(_WRITE_PIECES), max_size=16))
def test_file_writes_are_those_a_scan_of_every_line_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert file_writes(text) == _file_writes_by_every_line(text)
