"""Random and adversarial text through every extractor, the marker engine and the path
filter: nothing raises out of them, and no example costs more than a budget of CPU time.

Adversarial here means what issue 15 found: long runs of what a pattern repeats, unclosed
constructs, deep nesting, invalid UTF-8. Hypothesis mixes those pieces at random.
"""

from __future__ import annotations

import contextlib
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.analysis import handoffs, movement, schedules
from bot.core.analysis.calls import SMALL_PYTHON, file_calls
from bot.core.analysis.extractors import EXTRACTORS, extract_one, extractor_for
from bot.core.diagrams import mermaid_blocks
from bot.core.document_sections import inspect_document_sections, replace_document_sections
from bot.core.documents import is_data_flow_doc
from bot.core.errors import UserError
from bot.core.filters import PathFilter
from bot.core.front_matter import find_front_matter, parse_front_matter
from bot.core.limits import LimitExceeded
from bot.core.lint import lint_text
from bot.core.marker_scan import scan_markers
from bot.core.model import FileFacts

BUDGET = 2.0  # CPU seconds per example (a linear scan of these sizes takes milliseconds)
PIECES = (
    "/* ",
    "*/",
    '\\"',
    '"',
    "'",
    "`",
    "```",
    "<!-- ",
    "-->",
    "\n",
    "\n\n",
    " ",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "import x",
    "from . import a",
    "require('x')",
    'os.environ["A"]',
    "process.env.X",
    "Queue(",
    "sidekiq_options ",
    "=begin",
    "=end",
    "every 1.day do",
    "routes.draw do",
    "import (",
    "<<: *a",
    "&a ",
    "*a",
    "- ",
    ": ",
    "a.b.c",
    "A::B",
    "agent-update:start:x",
    "agent-update:end",
    "|",
    "#",
    "\\",
    "\xff",
    "\x00",
    # hand-offs, schedules and egress (issue 18's extractors)
    ".delay(",
    "@shared_task\n",
    "    def f():\n",
    "class X < ApplicationJob\n",
    "  def perform\n",
    "A::BJob.set(wait: 1).perform_later",
    "UserMailer.with(",
    ").welcome.deliver_later",
    "broadcast_x_to ",
    "const q = new Queue('q')\n",
    "q.add(",
    "@InjectQueue('q') ",
    "new Worker(",
    ".subscribe({ topic: ",
    "chan ",
    "go ",
    "ch <- ",
    "for x := range ch {",
    "*/5 * * * * ",
    "@daily ",
    "@Cron('* * * * *')\n",
    "  async handle() {",
    "schedule:",
    "cron: '* * * * *'",
    "[functions.x]\n",
    "requests.get('https://a.io/')",
    "fetch('https://a.io/')",
    # v2 docs
    "---\n",
    "name: data-flow\n",
    "status: unfilled\n",
    "## ",
    "## High-level Flow\n",
    "===\n",
    "```mermaid\n",
)
_ADVERSARIAL = st.lists(
    st.tuples(st.sampled_from(PIECES), st.integers(1, 3_000)), min_size=1, max_size=4
).map(lambda runs: "".join(piece * count for piece, count in runs))
_TEXT = st.one_of(st.text(max_size=2_000), _ADVERSARIAL)
# One path per extractor, so each of them is fed.
_PATHS = sorted(
    {
        "app.py",
        "settings.py",
        "setup.py",
        "web/app.ts",
        "web/app.js",
        "app/x.rb",
        "config/routes.rb",
        "config/schedule.rb",
        "svc/main.go",
        "package.json",
        "ecosystem.config.json",
        "tsconfig.json",
        "pyproject.toml",
        "requirements.txt",
        "setup.cfg",
        "Pipfile",
        "Gemfile",
        "go.mod",
        "Dockerfile",
        "docker-compose.yml",
        "Procfile",
        "app.json",
        "fly.toml",
        "heroku.yml",
        "render.yaml",
        "vercel.json",
        "k8s/deploy.yaml",
        ".env",
        "config/database.yml",
        "schema.prisma",
        "alembic.ini",
        "deploy/uwsgi.ini",
        "deploy/supervisor/app.conf",
        "deploy/app.service",
        "Gemfile.lock",
        "config/cable.yml",
        "config/storage.yml",
        "next.config.mjs",
        "config/sidekiq.yml",
        "config/environments/production.rb",
        "config/initializers/x.rb",
        "app/views/x.html.erb",
        "templates/x.html",
        "proxy/Caddyfile",
        "clevercloud/python.json",
        "netlify.toml",
        "railway.json",
        "serverless.yml",
        "app.yaml",
        ".ebextensions/x.config",
        "Chart.yaml",
        "crontab",
        "deploy/backup.cron",
        ".github/workflows/ci.yml",
        "config/recurring.yml",
    }
)


def _cpu(run):  # type: ignore[no-untyped-def]
    start = time.process_time()
    result = run()
    return result, time.process_time() - start


def test_every_extractor_is_fed_by_the_fuzzer() -> None:
    fed = {id(e) for p in _PATHS if (c := extractor_for(p)) is not None for e in _parts(c)}
    missing = [e.name for e in EXTRACTORS if id(e) not in fed]
    assert not missing


def _parts(extractor):  # type: ignore[no-untyped-def]
    return getattr(extractor, "parts", (extractor,))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(_PATHS), _TEXT, st.booleans())
def test_extractors_never_raise_and_stay_within_budget(path: str, text: str, raw: bool) -> None:
    extractor = extractor_for(path)
    if extractor is None:
        return
    data = text.encode("latin-1", "replace") if raw else text.encode("utf-8", "surrogatepass")
    facts, cost = _cpu(lambda: extract_one(extractor, path, data))
    assert isinstance(facts, FileFacts)
    assert cost < BUDGET, f"{path}: {cost:.2f} s"


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXT)
def test_the_marker_engine_never_raises_and_stays_within_budget(text: str) -> None:
    _, cost = _cpu(lambda: (scan_markers(text), lint_text(text, "doc.md")))
    assert cost < BUDGET


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_TEXT, min_size=1, max_size=3), st.text(max_size=300))
def test_the_path_filter_never_raises_and_stays_within_budget(
    attributes: list[str], name: str
) -> None:
    lines = "\n".join(f"{a[:200]} linguist-vendored" for a in attributes)
    path = "a/" + name.replace("\x00", "") + "/" + "b" * 200
    _, cost = _cpu(lambda: PathFilter.from_files({".gitattributes": lines}).skip_reason(path, 1))
    assert cost < BUDGET


LANGUAGES = ("python", "ruby", "javascript", "typescript", "go")


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(LANGUAGES), _TEXT)
def test_hand_offs_schedules_and_writes_never_raise_and_stay_within_budget(
    language: str, text: str
) -> None:
    # Called directly: `extract_one` runs them only behind its gates and deadline, and
    # turns a RecursionError into a skipped file. (Egress is fed through `extract_one` by
    # the test above: its tree walk recurses, which `extract_one` bounds.)
    _, cost = _cpu(
        lambda: (
            handoffs.sites_for(language, text),
            schedules.schedules_for(language, text),
            movement.file_writes(text),
        )
    )
    assert cost < BUDGET, f"{language}: {cost:.2f} s"


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(LANGUAGES), _TEXT, st.booleans())
def test_the_call_reader_never_raises_and_stays_within_budget(
    language: str, text: str, large: bool
) -> None:
    # Called in the flows stage, outside `extract_one`'s deadline: it must bound itself.
    # `large` pads Python past SMALL_PYTHON, so the indexed path is fed too.
    data = text.encode("utf-8", "surrogateescape")
    if large:
        data = b"x = 1\n" * (SMALL_PYTHON // 6 + 1) + data + b"\ndef f():\n    g()\n"

    def run():  # type: ignore[no-untyped-def]
        calls = file_calls(language, data, tsx=language == "typescript")
        if calls is not None:
            for func in calls.funcs[:20]:
                calls.calls_in(func.qual)
        return calls

    _, cost = _cpu(run)
    assert cost < BUDGET, f"{language}: {cost:.2f} s"


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(_TEXT)
def test_schedule_files_never_raise_and_stay_within_budget(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")

    def run() -> None:
        with contextlib.suppress(LimitExceeded):  # skipped with its reason by `extract_one`
            schedules.file_schedules(data)

    _, cost = _cpu(run)
    assert cost < BUDGET


_FRONT = st.sampled_from(("", "---\nname: data-flow\nstatus: unfilled\n---\n", "---\n"))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(_FRONT, _TEXT)
def test_v2_documents_never_raise_but_a_user_error_and_stay_within_budget(
    front: str, body: str
) -> None:
    text = front + body

    def run() -> None:
        is_data_flow_doc(text, "data-flow.md")
        found = find_front_matter(text)
        mermaid_blocks(text)
        try:
            if found is not None:
                parse_front_matter(text, found)
            inspect_document_sections(text)
            replace_document_sections(text, {"high-level-flow": "x\n"}, force=True)
        except UserError:
            pass  # a doc that cannot be read says so, with its line

    _, cost = _cpu(run)
    assert cost < BUDGET
