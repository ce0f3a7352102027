"""A repository's `.github/docs-refresh.yml`, validated with the line of every mistake.

The file is composed into YAML nodes (not loaded into plain data) so each error can name the
line it comes from: a person fixes a config from a check run or a comment, and the line is
what they need. Keys present in the file replace the defaults; `pull_request` and `tracks`
merge key by key. The defaults themselves are data (`config/defaults.yml`), read by the entry
layer with `load_defaults` and passed in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pathspec
import yaml

from bot.core.documents import TEMPLATE_IDS, heading_key, heading_map
from bot.core.errors import ConfigError
from bot.core.globs import glob_set
from bot.core.limits import LimitExceeded
from bot.core.yaml_bounds import compose_bounded

CONFIG_PATH = ".github/docs-refresh.yml"
CONCLUSIONS = ("neutral", "failure")

UNKNOWN_KEY = "unknown key {key!r} in {where}; expected one of: {expected}"
WRONG_TYPE = "{key} must be {expected}, not {actual}"
BAD_CHOICE = "{key} must be one of {choices}, not {value!r}"
BAD_PATH = "{key}: {value!r} {problem}; paths are relative to the repository root"
BAD_PATTERN = "{key}: {value!r} is not a valid gitwildmatch pattern ({problem})"
DUPLICATE_KEY = "duplicate key {key!r}"
NOT_A_MAPPING = "the file must be a mapping of settings (key: value), not {actual}"
BAD_YAML = "not valid YAML: {problem}"
BAD_HEADING = (
    "headings: {value!r} is not a section of the data-flow template; expected one of: {ids}"
)
EMPTY_HEADING = "headings: a heading text must have letters or digits, not {value!r}"

# Translations found in real dotcontext docs (config/defaults.yml says the same).
BUILT_IN_HEADINGS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            ("Fluxo de Dados e Integrações", "data-flow-integrations"),
            ("Dependências entre Módulos", "module-dependencies"),
            ("Camada de Serviços", "service-layer"),
            ("Fluxo de Alto Nível", "high-level-flow"),
            ("Movimento Interno de Dados", "internal-movement"),
            ("Integrações Externas", "external-integrations"),
            ("Observabilidade e Modos de Falha", "observability-failure-modes"),
            ("Recursos Relacionados", "related-resources"),
        ),
        key=lambda pair: heading_key(pair[0]),
    )
)

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {
    _STR: "a string",
    _BOOL: "a boolean",
    _NULL: "null",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
}
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True, slots=True)
class PullRequestConfig:
    title: str = "docs: refresh data-flow documentation"
    labels: tuple[str, ...] = ("documentation",)
    draft: bool = False


@dataclass(frozen=True, slots=True)
class RepoConfig:
    # None: every .md under docs/ and .context/ with a data-flow block (v1) or front matter (v2).
    docs: tuple[str, ...] | None = None
    tracks_include: tuple[str, ...] = ("**",)
    tracks_exclude: tuple[str, ...] = (
        "docs/**",
        ".context/**",
        "**/*.md",
        "tests/**",
        "spec/**",
    )
    # None: the repository's default branch.
    branches: tuple[str, ...] | None = None
    pull_request: PullRequestConfig = field(default_factory=PullRequestConfig)
    comments: bool = True
    check_stale_conclusion: str = "neutral"
    preview_drafts: bool = False
    # v2 docs in another language: (heading text, template section id), sorted by
    # `heading_key`; the Portuguese found in real dotcontext docs is built in.
    headings: tuple[tuple[str, str], ...] = field(default_factory=lambda: BUILT_IN_HEADINGS)

    def heading_ids(self) -> dict[str, str]:
        """Normalised heading text → template section id (`bot.core.documents`)."""
        return heading_map(self.headings)

    def tracks(self, path: str) -> bool:
        """True when a change to `path` can make the generated docs stale."""
        # Matched without backtracking (`bot.core.globs`): the patterns are the repository's.
        return glob_set(self.tracks_include).match(path) and not glob_set(
            self.tracks_exclude
        ).match(path)

    def tracks_any(self, paths: Iterable[str]) -> bool:
        return any(self.tracks(p) for p in paths)


@functools.lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> Any:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def load_defaults(text: str, path: str = "config/defaults.yml") -> RepoConfig:
    """The product defaults, from data, over the built-in values."""
    return parse_repo_config(text, path, defaults=RepoConfig())


def parse_repo_config(
    text: str, path: str = CONFIG_PATH, defaults: RepoConfig | None = None
) -> RepoConfig:
    """Validate `text` and merge it over `defaults` (built-in values when None)."""
    base = defaults if defaults is not None else RepoConfig()
    try:
        root = compose_bounded(text)
    except LimitExceeded as err:
        raise ConfigError(BAD_YAML.format(problem=err.reason), path=path) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(BAD_YAML.format(problem=err.problem), path=path, line=line) from None
    except yaml.YAMLError as err:
        raise ConfigError(BAD_YAML.format(problem=err), path=path) from None
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL):
        return base
    return _Reader(path).config(root, base)


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: yaml.Node, message: str) -> ConfigError:
        return ConfigError(message, path=self.path, line=node.start_mark.line + 1)

    def mapping(
        self, node: yaml.Node, where: str, allowed: Iterable[str], *, any_key: bool = False
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            if where == "the file":
                raise self.fail(node, NOT_A_MAPPING.format(actual=_type_name(node)))
            raise self.fail(
                node, WRONG_TYPE.format(key=where, expected="a mapping", actual=_type_name(node))
            )
        names = tuple(allowed)
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.tag)
            if key not in names and not any_key:
                raise self.fail(
                    key_node,
                    UNKNOWN_KEY.format(key=key, where=where, expected=", ".join(names)),
                )
            if key in out:
                raise self.fail(key_node, DUPLICATE_KEY.format(key=key))
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, key: str, tag: str) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.tag != tag:
            expected = _TYPE_NAMES[tag]
            raise self.fail(
                node, WRONG_TYPE.format(key=key, expected=expected, actual=_type_name(node))
            )
        return yaml.SafeLoader("").construct_object(node)

    def strings(
        self, node: yaml.Node, key: str, check: Callable[[yaml.Node, str], None]
    ) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            items = [node]  # a single string is a list of one
        elif isinstance(node, yaml.SequenceNode):
            items = list(node.value)
        else:
            raise self.fail(
                node,
                WRONG_TYPE.format(key=key, expected="a list of strings", actual=_type_name(node)),
            )
        out: list[str] = []
        for item in items:
            value = self.scalar(item, f"each item of {key}", _STR)
            check(item, value)
            out.append(value)
        return tuple(out)

    def config(self, root: yaml.Node, base: RepoConfig) -> RepoConfig:
        fields = self.mapping(
            root,
            "the file",
            (
                "docs",
                "tracks",
                "branches",
                "pull_request",
                "comments",
                "check_stale_conclusion",
                "preview_drafts",
                "headings",
            ),
        )
        out = base
        if "docs" in fields:
            node = fields["docs"][1]
            docs = None if _is_null(node) else self.strings(node, "docs", self.check_path("docs"))
            out = replace(out, docs=docs)
        if "tracks" in fields:
            tracks = self.mapping(fields["tracks"][1], "tracks", ("include", "exclude"))
            if "include" in tracks:
                key = "tracks.include"
                include = self.strings(tracks["include"][1], key, self.check_pattern(key))
                out = replace(out, tracks_include=include)
            if "exclude" in tracks:
                key = "tracks.exclude"
                exclude = self.strings(tracks["exclude"][1], key, self.check_pattern(key))
                out = replace(out, tracks_exclude=exclude)
        if "branches" in fields:
            node = fields["branches"][1]
            branches = None if _is_null(node) else self.strings(node, "branches", _any)
            out = replace(out, branches=branches)
        if "pull_request" in fields:
            out = replace(out, pull_request=self.pull_request(fields["pull_request"][1], out))
        for name in ("comments", "preview_drafts"):
            if name in fields:
                out = replace(out, **{name: self.scalar(fields[name][1], name, _BOOL)})
        if "check_stale_conclusion" in fields:
            node = fields["check_stale_conclusion"][1]
            value = self.scalar(node, "check_stale_conclusion", _STR)
            if value not in CONCLUSIONS:
                raise self.fail(
                    node,
                    BAD_CHOICE.format(
                        key="check_stale_conclusion", choices=" or ".join(CONCLUSIONS), value=value
                    ),
                )
            out = replace(out, check_stale_conclusion=value)
        if "headings" in fields:
            out = replace(out, headings=self.headings(fields["headings"][1], out.headings))
        return out

    def headings(
        self, node: yaml.Node, base: tuple[tuple[str, str], ...]
    ) -> tuple[tuple[str, str], ...]:
        """Heading text → section id, merged over `base` (a repository adds translations
        without losing the built-in ones; the same heading text given again wins)."""
        if _is_null(node):
            return base
        given = self.mapping(node, "headings", (), any_key=True)
        merged = {heading_key(text): (text, sid) for text, sid in base}
        for text, (key_node, value_node) in given.items():
            if not isinstance(key_node, yaml.ScalarNode) or not heading_key(text):
                raise self.fail(key_node, EMPTY_HEADING.format(value=text))
            section = self.scalar(value_node, f"headings.{text}", _STR)
            if section not in TEMPLATE_IDS:
                raise self.fail(
                    value_node, BAD_HEADING.format(value=section, ids=", ".join(TEMPLATE_IDS))
                )
            merged[heading_key(text)] = (text, section)
        return tuple(merged[k] for k in sorted(merged))

    def pull_request(self, node: yaml.Node, base: RepoConfig) -> PullRequestConfig:
        fields = self.mapping(node, "pull_request", ("title", "labels", "draft"))
        pr = base.pull_request
        if "title" in fields:
            title_node = fields["title"][1]
            title = self.scalar(title_node, "pull_request.title", _STR)
            if not title.strip():
                raise self.fail(
                    title_node,
                    WRONG_TYPE.format(
                        key="pull_request.title", expected="a non-empty string", actual="empty"
                    ),
                )
            pr = replace(pr, title=title)
        if "labels" in fields:
            pr = replace(pr, labels=self.strings(fields["labels"][1], "pull_request.labels", _any))
        if "draft" in fields:
            pr = replace(pr, draft=self.scalar(fields["draft"][1], "pull_request.draft", _BOOL))
        return pr

    def check_path(self, key: str) -> Callable[[yaml.Node, str], None]:
        def check(node: yaml.Node, value: str) -> None:
            problem = _path_problem(value, allow_anchor=False)
            if problem:
                raise self.fail(node, BAD_PATH.format(key=key, value=value, problem=problem))

        return check

    def check_pattern(self, key: str) -> Callable[[yaml.Node, str], None]:
        def check(node: yaml.Node, value: str) -> None:
            # A leading "/" in a gitwildmatch pattern anchors it at the root: not absolute.
            problem = _path_problem(value, allow_anchor=True)
            if problem:
                raise self.fail(node, BAD_PATH.format(key=key, value=value, problem=problem))
            try:
                _spec((value,))
            except ValueError as err:
                raise self.fail(
                    node, BAD_PATTERN.format(key=key, value=value, problem=err)
                ) from None

        return check


def _path_problem(value: str, *, allow_anchor: bool) -> str:
    if not value.strip():
        return "is empty"
    if _DRIVE.match(value):
        return "is absolute"
    if value.startswith("/") and not allow_anchor:
        return "is absolute"
    if ".." in value.replace("\\", "/").split("/"):
        return "escapes the repository (..)"
    return ""


def _any(node: yaml.Node, value: str) -> None:
    """Any string is acceptable."""


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


def _type_name(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TYPE_NAMES.get(str(node.tag), str(node.tag))
