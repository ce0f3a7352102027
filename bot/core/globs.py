"""Gitignore-style globs from the repository, matched in time linear in the path.

`.gitattributes` lines, `tracks.include`/`exclude` and workspace globs come from the
repository, so they are untrusted input. Translated to a backtracking regular expression
(as pathspec does), `************x` against a 40-character name never finishes. Here a glob
is a small automaton run over the path once, one character at a time, with the set of live
states as a bitmask; the states a (set, character) pair leads to are remembered, so a run
costs one dict lookup per character once warm. A glob with no wildcard is a string test.

The dialect is gitignore's, as pathspec's `GitIgnoreSpec` reads it: a pattern without a
slash (other than a trailing one) matches at any depth; a leading `/` or an inner slash
anchors it; a trailing `/` matches only folders (so the files under them); a pattern that
matches a folder matches everything under it; `*` and `?` stop at `/`; `**/`, `/**/` and
`/**` cross folders; `[...]` classes; `\\` escapes; `!` negates (last match wins).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from bot.core.limits import MAX_GLOB_CHARS

# Token kinds.
_CHAR, _ANY, _CLASS, _STAR, _DSTAR, _DIRS = range(6)
_CACHE_STATES = 4096  # remembered (state set, character) steps per glob before starting over


@dataclass(frozen=True, slots=True)
class _Token:
    kind: int
    chars: str = ""  # _CHAR: the character; _CLASS: the set's members (ranges expanded)
    negated: bool = False

    def takes(self, ch: str) -> bool:
        if self.kind == _CHAR:
            return ch == self.chars
        if ch == "/":
            return False
        if self.kind == _ANY:
            return True
        return (ch in self.chars) != self.negated


class Glob:
    """One gitignore-style pattern. `match(path)` is linear in the path's length."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.negated = False
        self.never = False  # empty, a comment, or longer than the limit
        self.literal: str | None = None  # a pattern without wildcards: compared as text
        self.floating = False  # matches after any folder, not only at the root
        self.folder_only = False
        self._tokens: tuple[_Token, ...] = ()
        self._steps: dict[tuple[int, str], int] = {}
        self._parse(pattern)

    def _parse(self, pattern: str) -> None:
        text = _strip_trailing_spaces(pattern)
        if not text or text.startswith("#") or len(text) > MAX_GLOB_CHARS:
            self.never = True
            return
        if text.startswith("!"):
            self.negated, text = True, text[1:]
        elif text.startswith("\\!") or text.startswith("\\#"):
            text = text[1:]
        if text.endswith("/"):
            text = text.rstrip("/")
            # "a/**/" reads as "a/**" (as pathspec reads it): everything inside.
            inner = any(part not in ("", "**") for part in text.split("/"))
            self.folder_only = not (text.endswith("/**") and inner)
        if not text:
            self.never = True
            return
        if text.startswith("**/"):
            text = text[3:]
            self.floating = True
        elif "/" not in text:
            self.floating = True
        text = text.removeprefix("/")
        tokens = _tokenize(text)
        if tokens is None:
            self.never = True
            return
        if all(t.kind == _CHAR for t in tokens):
            self.literal = "".join(t.chars for t in tokens)
        self._tokens = tuple(tokens)

    def match(self, path: str) -> bool:
        """Whether the pattern matches `path` or one of its folders (negation not applied)."""
        if self.never:
            return False
        if self.literal is not None:
            return self._match_literal(path)
        return self._run(path)

    def _match_literal(self, path: str) -> bool:
        lit = self.literal
        assert lit is not None
        starts = [0]
        if self.floating:
            starts += [i + 1 for i, ch in enumerate(path) if ch == "/"]
        for start in starts:
            if path.startswith(lit, start):
                end = start + len(lit)
                if end == len(path):
                    if not self.folder_only:
                        return True
                elif path[end] == "/":
                    return True
        return False

    def fullmatch(self, path: str) -> bool:
        """Whether the whole of `path` matches, from the root (a workspace glob's reading:
        no folder rule, no matching at any depth, a trailing `/` ignored)."""
        if self.never or self.negated:
            return False
        if self.literal is not None:
            return path == self.literal
        return self._run(path, whole=True)

    def _run(self, path: str, whole: bool = False) -> bool:
        tokens = self._tokens
        final = 1 << len(tokens)
        start = self._close(1)
        states = start
        steps = self._steps
        i, n = 0, len(path)
        while i < n:
            ch = path[i]
            if ch == "/" and states & final and not whole:
                return True  # the pattern matched a folder: everything under it matches
            key = (states, ch)
            nxt = steps.get(key)
            if nxt is None:
                nxt = self._step(states, ch)
                if len(steps) >= _CACHE_STATES:
                    steps.clear()
                steps[key] = nxt
            states = nxt
            i += 1
            if ch == "/" and self.floating and not whole:
                states |= start  # floating: the pattern may begin after any folder
            if not states:
                if whole or not self.floating:
                    return False
                slash = path.find("/", i)  # nothing is alive until the next folder starts
                if slash < 0:
                    return False
                i, states = slash + 1, start
        return bool(states & final) and (whole or not self.folder_only)

    def _step(self, states: int, ch: str) -> int:
        out = 0
        for i, token in enumerate(self._tokens):
            if not states >> i & 1:
                continue
            kind = token.kind
            if kind in (_CHAR, _ANY, _CLASS):
                if token.takes(ch):
                    out |= 1 << (i + 1)
            elif kind == _STAR:
                if ch != "/":
                    out |= 1 << i
            elif kind == _DSTAR:
                out |= 1 << i
            # _DIRS forks without taking a character (see `_close`).
        return self._close(out)

    def _close(self, states: int) -> int:
        """`states` with every state reachable without a character (stars match nothing)."""
        for i, token in enumerate(self._tokens):  # ascending: every fork points forward
            if states >> i & 1:
                if token.kind in (_STAR, _DSTAR):
                    states |= 1 << (i + 1)
                elif token.kind == _DIRS:
                    states |= 1 << (i + 1) | 1 << (i + 3)  # into the folders, or past them
        return states


def _strip_trailing_spaces(pattern: str) -> str:
    text = pattern.strip("\r\n")
    while text.endswith(" ") and not text.endswith("\\ "):
        text = text[:-1]
    return text.lstrip(" ") if not text.startswith("\\ ") else text


def _tokenize(text: str) -> list[_Token] | None:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                tokens.append(_Token(_CHAR, text[i + 1]))
            i += 2
        elif ch == "*":
            j = i
            while j < n and text[j] == "*":
                j += 1
            run = j - i
            at_start = i == 0 or text[i - 1] == "/"
            at_end = j == n or text[j] == "/"
            if run == 2 and at_start and at_end:  # "***" is a star, as pathspec reads it
                if j == n:
                    tokens.append(_Token(_DSTAR))  # "a/**": everything inside
                else:  # "**/" and "/**/": zero or more folders, as `(?:.*/)?`
                    tokens += [_Token(_DIRS), _Token(_DSTAR), _Token(_CHAR, "/")]
                    j += 1
            elif not tokens or tokens[-1].kind != _STAR:
                tokens.append(_Token(_STAR))  # a run of stars is one star
            i = j
        elif ch == "?":
            tokens.append(_Token(_ANY))
            i += 1
        elif ch == "[":
            parsed = _char_class(text, i)
            if parsed is None:
                tokens.append(_Token(_CHAR, "["))
                i += 1
            else:
                token, i = parsed
                tokens.append(token)
        else:
            tokens.append(_Token(_CHAR, ch))
            i += 1
    return tokens


def _char_class(text: str, start: int) -> tuple[_Token, int] | None:
    """A `[...]` class at `start`: the token and where it ends, or None when unterminated."""
    i = start + 1
    negated = False
    if i < len(text) and text[i] in "!^":
        negated, i = True, i + 1
    members: list[str] = []
    first = True
    while i < len(text):
        ch = text[i]
        if ch == "]" and not first:
            return _Token(_CLASS, "".join(sorted(set(members))), negated), i + 1
        first = False
        if ch == "\\" and i + 1 < len(text):
            ch = text[i + 1]
            i += 1
        if i + 2 < len(text) and text[i + 1] == "-" and text[i + 2] != "]":
            low, high = ch, text[i + 2]
            if ord(high) - ord(low) <= 256:
                members += [chr(c) for c in range(ord(low), ord(high) + 1)]
            i += 3
            continue
        members.append(ch)
        i += 1
    return None


@functools.lru_cache(maxsize=256)
def compile_glob(pattern: str) -> Glob:
    return Glob(pattern)


class GlobSet:
    """Several patterns, gitignore's way: the last one that matches decides (`!` negates)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.globs = tuple(compile_glob(p) for p in patterns)

    def match(self, path: str) -> bool:
        found = False
        for glob in self.globs:
            if glob.negated == found and glob.match(path):
                found = not glob.negated
        return found


@functools.lru_cache(maxsize=64)
def glob_set(patterns: tuple[str, ...]) -> GlobSet:
    return GlobSet(patterns)
