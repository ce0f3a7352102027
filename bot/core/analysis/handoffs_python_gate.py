"""The gate before a Python file is scanned for hand-off sites, and the places worth a look.

Split from `handoffs_python` (the scan): a file without these words is not scanned at all,
and a file with them is looked at only on the lines a needle is on (`_py_positions`).
"""

from __future__ import annotations

import re

from bot.core.analysis.python import _string_spans
from bot.core.analysis.scan import MAX_POSITIONS, Lines
from bot.core.analysis.scan import needle_positions as _positions
from bot.core.analysis.words import Needles, contains

_PY_TRIGGERS = (
    ".delay(",
    "apply_async",
    "send_task",
    "shared_task",
    ".task(",
    "@task",
    "db_task",
    "huey",
    "Job)",
    "Worker)",
    "Runner)",
    "enqueue",
    "@job",
    "dramatiq",
    "async_task",
    ".s(",
    ".si(",
    "publish(",
    "subscribe(",
    "send_with_options",
)

# The gate before a Python file is scanned: patterns that start with a literal ("." or
# "@") are found by the regex engine's fast search; plain `in` tests cost a pass each
# (~5 ms per test on 9 MB of Django code), so there are few of them.
_PY_DOT_TRIGGER = re.compile(
    r"\.(?:delay|apply_async|si?|enqueue\w*|publish|subscribe|send\w*|schedule|task|submit"
    r"|run_in_thread|kiq|defer_async)\("
)
_PY_AT_TRIGGER = re.compile(r"@[\w.]*(?:task|job|actor)\b")
_PY_WORDS = ("_task(", "huey", "dramatiq", "Job", "Task)", "WorkerSettings")
_PY_ANY_WORD = Needles(_PY_WORDS)
_PY_ANY_WORD_BUT_JOB = Needles(word for word in _PY_WORDS if word != "Job")


def docstring_lines(text: str) -> frozenset[int]:
    """Lines inside triple-quoted strings (docs name `.delay(` and `@app.task` in prose);
    none when the quotes do not pair up."""
    spans = _string_spans(text)
    if not spans:
        return frozenset()
    at = Lines(text)
    out: set[int] = set()
    looked = 0  # where the last search for a line start stopped (spans come in order)
    for start, end in spans:
        first, last = at.at(start), at.at(end)
        # The opening line may hold code before the quotes; a one-line string is left
        # to the comment rule (rare in code that enqueues).
        out.update(range(first + 1, last + 1))
        # Searched back only to the last span: on one line of 100k strings, a search to
        # the line's start from each of them was quadratic (an earlier span on the same
        # line means code before the quotes).
        newline = text.rfind("\n", looked, start)
        if (newline != -1 or looked == 0) and not text[newline + 1 : start].strip():
            out.add(first)  # the quotes open the line: all of it is string
        looked = start
    return frozenset(out)


def _python_triggered(text: str) -> bool:
    return (
        _PY_DOT_TRIGGER.search(text) is not None
        or _PY_AT_TRIGGER.search(text) is not None
        or _PY_ANY_WORD.any_in(text)
    )


# A file let in by the word "Job" alone (a Django model named Job is everywhere in some
# projects) can hold only two kinds of site: a class whose base ends in Job/JobRunner/Worker
# (`_PY_CLASS`: "class" before "Job" or "Worker" on one line), a `x = task(...)(f)` /
# `x = job(...)(f)` wrapper (the other decorators and every call word are needles of the
# gate itself), and a registry's `Job("name", ...)`. A file with none is not scanned.
def _job_word_may_find(text: str) -> bool:
    """False only when "Job" was the gate's sole reason and no site can follow from it."""
    if (
        _PY_DOT_TRIGGER.search(text) is not None
        or _PY_AT_TRIGGER.search(text) is not None
        or _PY_ANY_WORD_BUT_JOB.any_in(text)
    ):
        return True
    return (
        contains(text, "task(")
        or contains(text, "job(")
        or contains(text, "Job(")
        or _class_before("Job", text)
        or _class_before("Worker", text)
    )


def _class_before(word: str, text: str) -> bool:
    """Whether a line holds "class" before `word`; each line is looked at once (linear)."""
    pos = text.find(word) if "class" in text else -1
    while pos != -1:
        start = text.rfind("\n", 0, pos) + 1
        if text.find("class", start, pos) != -1:
            return True
        end = text.find("\n", pos)
        if end == -1:
            return False
        pos = text.find(word, end)
    return False


# A line is matched against the call patterns only when it holds one of these.
_PY_CALL_WORDS = (
    ".delay(",
    ".apply_async(",
    ".s(",
    ".si(",
    ".send",
    ".schedule(",
    ".enqueue",
    ".publish(",
    ".subscribe(",
    "send_task(",
    "async_task(",
    ".submit(",
    ".add_task(",
    ".run_in_thread(",
    ".kiq(",
    ".defer_async(",
)
# Lines worth a look hold one of these: a decorator, a class, a wrapper, a call word.
_PY_NEEDLES = ("@", "class ", "task(", "Job(", *_PY_CALL_WORDS)


# The call words that start with ".": no occurrence of one overlaps another, so one
# literal-first `finditer` finds exactly the places their nine `find` loops would.
_PY_DOT_WORDS = re.compile(
    r"\.(?:delay\(|apply_async\(|si?\(|send|schedule\(|enqueue|publish\(|subscribe\(|submit\("
    r"|add_task\(|run_in_thread\(|kiq\(|defer_async\()"
)
_PY_OTHER_NEEDLES = tuple(n for n in _PY_NEEDLES if not n.startswith("."))


def _py_positions(text: str) -> list[int]:
    """`_positions(text, _PY_NEEDLES)` with one pass for the dotted call words."""
    out = _positions(text, _PY_OTHER_NEEDLES)
    if len(out) < MAX_POSITIONS:
        for m in _PY_DOT_WORDS.finditer(text):
            out.append(m.start())
            if len(out) >= MAX_POSITIONS:
                break
        else:
            return sorted(out)
    return _positions(text, _PY_NEEDLES)  # capped: the same places, in the same order
