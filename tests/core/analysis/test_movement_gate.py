from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.analysis import schedules
from bot.core.analysis.handoffs import (
    _JS_TRIGGERS,
    _PY_NEEDLES,
    MAX_POSITIONS,
    _positions,
    _py_positions,
    _python_triggered,
)
from bot.core.analysis.movement import javascript_may_move, python_may_move, with_movement
from bot.core.analysis.python import PythonExtractor


def _any_gate(text: str) -> bool:
    return (
        _python_triggered(text)
        or any(t in text for t in schedules._PY_TRIGGERS)
        or "write_" in text
        or "open(" in text
    )


# Every needle of the three gates, cut and joined at random with code-like noise.
_PIECES = [
    ".delay(", ".apply_async(", ".s(", ".si(", ".enqueue_in(", ".publish(", ".subscribe(",
    ".send(", ".send_with_options(", ".schedule(", ".task(", ".every", "@app.task", "@job",
    "@dramatiq.actor", "_task(", "huey", "dramatiq", "Job", "crontab(", "beat_schedule",
    "BEAT_SCHEDULE", "periodic_task", "interval=", "run_every", "add_job(", "scheduled_job(",
    "schedule.every", "write_", "open(", "_", ".", "@", "(", "=", "task", "job", "every",
    "write", "open", "schedule", "SCHEDULE", "x", " ", "\n", "#", '"""', "é",
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
]  # fmt: skip


def _any_js_gate(text: str) -> bool:
    schedule = any(w in text for w in ("Cron", "Interval(", "cron", "scheduleJob"))
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
