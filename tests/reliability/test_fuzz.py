"""Random and adversarial text through every extractor, the marker engine and the path
filter: nothing raises out of them, and no example costs more than a budget of CPU time.

Adversarial here means what issue 15 found: long runs of what a pattern repeats, unclosed
constructs, deep nesting, invalid UTF-8. Hypothesis mixes those pieces at random.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.analysis.extractors import EXTRACTORS, extract_one, extractor_for
from bot.core.filters import PathFilter
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
        "Gemfile.lock",
        "config/cable.yml",
        "config/storage.yml",
        "next.config.mjs",
        "config/sidekiq.yml",
        "config/environments/production.rb",
        "config/initializers/x.rb",
        "clevercloud/python.json",
        "netlify.toml",
        "railway.json",
        "serverless.yml",
        "app.yaml",
        ".ebextensions/x.config",
        "Chart.yaml",
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
