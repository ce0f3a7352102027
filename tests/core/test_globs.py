"""Repository globs: gitignore's dialect as pathspec reads it, matched in linear time."""

from __future__ import annotations

import time

import pathspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.globs import Glob, GlobSet
from bot.core.limits import MAX_GLOB_CHARS

_SEGMENT = st.text(alphabet="ab.*?", min_size=1, max_size=5)
_PATTERN = st.tuples(
    st.sampled_from(["", "/"]),
    st.lists(st.one_of(_SEGMENT, st.just("**")), min_size=1, max_size=4).map("/".join),
    st.sampled_from(["", "/"]),
).map("".join)
_NAME = st.text(alphabet="ab.", min_size=1, max_size=4).filter(lambda s: s.strip("."))
_PATH = st.lists(_NAME, min_size=1, max_size=4).map("/".join)


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PATTERN, min_size=1, max_size=2), _PATH)
def test_globs_match_what_pathspec_matches(patterns: list[str], path: str) -> None:
    assert GlobSet(patterns).match(path) == pathspec.GitIgnoreSpec.from_lines(patterns).match_file(
        path
    )


def test_gitignore_shapes() -> None:
    assert Glob("*.md").match("docs/a.md")
    assert Glob("docs/**").match("docs/x/y.py")
    assert not Glob("docs/**").match("src/docs.py")
    assert Glob("/docs").match("docs/a.md")
    assert not Glob("/docs").match("src/docs/a.md")
    assert Glob("build/").match("a/build/x.js")
    assert not Glob("build/").match("a/build")
    assert Glob("a/**/b.py").match("a/b.py")
    assert Glob("a/**/b.py").match("a/x/y/b.py")
    assert Glob("[ab].py").match("a.py")
    assert not Glob("[!ab].py").match("a.py")
    assert GlobSet(["*.py", "!keep.py"]).match("x.py")
    assert not GlobSet(["*.py", "!keep.py"]).match("keep.py")


def test_workspace_globs_match_whole_folders() -> None:
    assert Glob("/packages/*").fullmatch("packages/api")
    assert not Glob("/packages/*").fullmatch("packages/api/src")
    assert Glob("/apps/**").fullmatch("apps/web/admin")


def test_a_backtracking_glob_on_a_long_name_is_linear() -> None:
    # `************x` against a 40-character name hung every listing (issue 15).
    glob = Glob("************x")
    start = time.process_time()
    for n in (40, 4_000, 40_000):
        assert not glob.match("a" * n)
        assert glob.match("a" * n + "x")
    assert time.process_time() - start < 2.0
    many = Glob("*a*a*a*a*a*a*a*a*a*a*b")
    start = time.process_time()
    assert not many.match("a" * 20_000)
    assert time.process_time() - start < 2.0


def test_a_glob_past_the_limit_matches_nothing() -> None:
    assert not Glob("a" * (MAX_GLOB_CHARS + 1)).match("a" * (MAX_GLOB_CHARS + 1))
