"""What the onboarding pull request adds, from literal repositories (no host involved)."""

from __future__ import annotations

import re

from bot.core.config import CONFIG_PATH, RepoConfig, parse_repo_config
from bot.core.facts_cache import MemoryFactsCache
from bot.core.lint import lint_text
from bot.core.model import RepoFacts
from bot.core.scaffold import V1, V2, unfilled_doc
from bot.core.snapshot import MemorySnapshot
from bot.service.onboarding import CONFIG_TEMPLATE, Setup, found_line, setup_files
from bot.service.onboarding import DOC_PATH as SCAFFOLD_PATH

APP = {
    "app.py": b"import redis\nfrom flask import Flask\n\napp = Flask(__name__)\n"
    b"cache = redis.Redis()\n\n\n@app.get('/health')\ndef health():\n    return 'ok'\n",
    "requirements.txt": b"flask\nredis\n",
}


def setup(files: dict[str, bytes], config: RepoConfig | None = None) -> Setup | None:
    return setup_files(
        MemorySnapshot(files),
        config or RepoConfig(),
        cache=MemoryFactsCache(),
        catalog=None,
        base="main",
    )


def test_a_repository_without_docs_gets_inits_doc_filled_and_a_commented_config() -> None:
    found = setup(APP)
    assert found is not None
    assert sorted(found.files) == sorted([CONFIG_PATH, SCAFFOLD_PATH])
    doc = found.files[SCAFFOLD_PATH].decode()
    assert lint_text(doc, SCAFFOLD_PATH) == []
    front = unfilled_doc(V2).split("## Module Dependencies")[0]
    assert doc.startswith(front.replace("status: unfilled", "status: filled"))
    assert "`app.py:" in doc  # filled from facts, with evidence
    assert len(found.facts.entrypoints) == 1


def test_the_same_repository_gives_the_same_bytes() -> None:
    first, second = setup(APP), setup(dict(reversed(list(APP.items()))))
    assert first is not None
    assert second is not None
    assert first.files == second.files


def test_a_repository_with_a_data_flow_doc_gets_nothing() -> None:
    # Elsewhere than where onboarding would write, in either format.
    assert setup({**APP, "docs/data-flow.md": unfilled_doc(V1).encode()}) is None
    assert setup({**APP, "docs/flows.md": unfilled_doc(V2).encode()}) is None


def test_a_persons_file_where_the_doc_would_go_is_never_replaced() -> None:
    assert setup({**APP, SCAFFOLD_PATH: b"# Our own data flow notes\n"}) is None


def test_an_existing_config_is_left_as_it_is() -> None:
    found = setup({**APP, CONFIG_PATH: b"comments: false\n"})
    assert found is not None
    assert list(found.files) == [SCAFFOLD_PATH]


def test_the_config_is_valid_as_shipped_and_with_every_line_uncommented() -> None:
    text = CONFIG_TEMPLATE.format(doc=SCAFFOLD_PATH, base="main")
    assert parse_repo_config(text, CONFIG_PATH) == RepoConfig()
    # "# key: value" and "#   nested: value" lines are the options; the rest is prose.
    uncommented = re.sub(r"(?m)^# (?=(\s*)[a-z_]+:)", "", text)
    assert uncommented.count("\n# ") < text.count("\n# ")
    config = parse_repo_config(uncommented, CONFIG_PATH)
    assert config.docs == (SCAFFOLD_PATH,)
    assert config.branches == ("main",)
    defaults = RepoConfig()
    assert (config.tracks_include, config.tracks_exclude) == (
        defaults.tracks_include,
        defaults.tracks_exclude,
    )
    assert config.pull_request == defaults.pull_request


def test_found_line_counts_in_words() -> None:
    assert found_line(RepoFacts()) == ("0 entry points, 0 datastores and 0 external integrations")
