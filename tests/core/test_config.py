from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import PullRequestConfig, RepoConfig, load_defaults, parse_repo_config
from bot.core.errors import ConfigError

DEFAULTS_FILE = Path(__file__).resolve().parents[2] / "config" / "defaults.yml"


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_repo_config(text)
    return info.value


def test_shipped_defaults_file_matches_the_builtin_defaults() -> None:
    assert load_defaults(DEFAULTS_FILE.read_text()) == RepoConfig()


@pytest.mark.parametrize("text", ["", "# nothing\n", "null\n", "---\n"])
def test_empty_file_gives_the_defaults(text: str) -> None:
    assert parse_repo_config(text) == RepoConfig()


def test_full_file_is_read() -> None:
    config = parse_repo_config(
        """\
docs: [.context/docs/data-flow.md]
tracks:
  include: ["src/**"]
  exclude: ["src/generated/**"]
branches: [main, release]
pull_request: {title: "docs: sync", labels: [docs, bot], draft: true}
comments: false
check_stale_conclusion: failure
preview_drafts: true
"""
    )
    assert config == RepoConfig(
        docs=(".context/docs/data-flow.md",),
        tracks_include=("src/**",),
        tracks_exclude=("src/generated/**",),
        branches=("main", "release"),
        pull_request=PullRequestConfig("docs: sync", ("docs", "bot"), True),
        comments=False,
        check_stale_conclusion="failure",
        preview_drafts=True,
    )


def test_partial_sections_merge_over_defaults() -> None:
    defaults = RepoConfig(pull_request=PullRequestConfig("t", ("a",), False))
    config = parse_repo_config("pull_request:\n  draft: true\n", defaults=defaults)
    assert config.pull_request == PullRequestConfig("t", ("a",), True)
    config = parse_repo_config("tracks:\n  exclude: [vendor/**]\n")
    assert config.tracks_include == ("**",)
    assert config.tracks_exclude == ("vendor/**",)


def test_a_single_string_is_a_list_of_one() -> None:
    assert parse_repo_config("docs: docs/flow.md\n").docs == ("docs/flow.md",)


def test_unknown_key_names_its_line_and_the_expected_keys() -> None:
    err = error_of("comments: true\n\ntrack:\n  include: []\n")
    assert err.line == 3
    assert err.path == ".github/docs-refresh.yml"
    assert "unknown key 'track'" in str(err)
    assert "tracks" in str(err)
    assert str(err).startswith(".github/docs-refresh.yml:3: ")


def test_unknown_nested_key_names_its_line() -> None:
    err = error_of("pull_request:\n  title: x\n  reviewers: [a]\n")
    assert err.line == 3
    assert "in pull_request" in str(err)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("comments: yes please\n", 1, "comments must be a boolean, not a string"),
        ("docs:\n  - a.md\n  - 3\n", 3, "each item of docs must be a string, not a number"),
        ("branches: {main: 1}\n", 1, "branches must be a list of strings, not a mapping"),
        ("tracks: [a]\n", 1, "tracks must be a mapping, not a list"),
        ("pull_request:\n  draft: 'no'\n", 2, "pull_request.draft must be a boolean"),
        ("pull_request:\n  title: ''\n", 2, "non-empty"),
        ("check_stale_conclusion: error\n", 1, "neutral or failure"),
        ("- docs\n", 1, "must be a mapping of settings"),
        ("comments: true\ncomments: false\n", 2, "duplicate key 'comments'"),
    ],
)
def test_wrong_values_report_line_and_reason(text: str, line: int, words: str) -> None:
    err = error_of(text)
    assert err.line == line
    assert words in err.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("docs: [../other/repo.md]\n", 1),
        ("docs:\n  - /etc/passwd\n", 2),
        ("docs: ['C:/x.md']\n", 1),
        ("tracks:\n  include: ['src/../../x']\n", 2),
    ],
)
def test_paths_escaping_the_repository_are_rejected(text: str, line: int) -> None:
    err = error_of(text)
    assert err.line == line
    assert "relative to the repository root" in err.message


def test_anchored_pattern_is_allowed() -> None:
    config = parse_repo_config("tracks:\n  include: ['/src/**']\n")
    assert config.tracks("src/a.py")
    assert not config.tracks("lib/src/a.py")


def test_broken_yaml_reports_line() -> None:
    err = error_of("docs: [a.md\ncomments: true\n")
    assert err.line is not None
    assert "not valid YAML" in err.message


def test_default_tracking_skips_docs_markdown_and_tests() -> None:
    config = RepoConfig()
    assert config.tracks("app.py")
    assert config.tracks("src/db/models.py")
    assert config.tracks(".github/docs-refresh.yml")
    for path in (
        "docs/x.py",
        ".context/docs/data-flow.md",
        "README.md",
        "a/b/NOTES.md",
        "tests/t.py",
    ):
        assert not config.tracks(path), path
    assert not config.tracks_any(["README.md", "tests/test_x.py"])
    assert config.tracks_any(["README.md", "app.py"])


def test_headings_add_translations_to_the_built_in_ones() -> None:
    config = parse_repo_config('headings:\n  "Flujo de Alto Nivel": high-level-flow\n')
    ids = config.heading_ids()
    assert ids["flujo-de-alto-nivel"] == "high-level-flow"
    assert ids["fluxo-de-alto-nível"] == "high-level-flow"  # built in: still there
    assert ids["high-level-flow"] == "high-level-flow"


def test_a_heading_naming_an_unknown_section_is_an_error_with_its_line() -> None:
    err = error_of('comments: true\nheadings:\n  "Fluxo": high-flow\n')
    assert err.line == 3
    assert "not a section of the data-flow template" in err.message


def test_a_heading_with_no_letters_is_an_error() -> None:
    assert error_of('headings:\n  "***": high-level-flow\n').line == 2


def test_headings_must_be_a_mapping() -> None:
    assert error_of("headings: [a, b]\n").line == 1
