"""Regular expressions compiled on first use: `lazy(r"…")` stands where `re.compile(r"…")` did.

The analysis tables hold ~560 patterns, most for languages and idioms a repository never
shows (a Python repository meets no Go broker, no Rails route); compiling them all at import
cost ~0.1 s of every run. A `LazyPattern` compiles when a method is first asked for, then
keeps the compiled pattern's methods as its own attributes: later calls cost what calls on
the compiled pattern cost. The patterns every file of a language meets stay `re.compile`d
(a process pool's workers then inherit them compiled instead of each compiling its own).
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, cast

# What a caller may ask of a pattern; all are taken from the compiled one at first use.
_DELEGATED = (
    *("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"),
    *("scanner", "flags", "groups", "groupindex"),
)

ALL: list[LazyPattern] = []  # every lazy pattern made, so that a test compiles them all


class LazyPattern:
    """A pattern's source and flags, compiled when first used. `pattern` is the source, as
    `re.Pattern.pattern` is (reading it compiles nothing)."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags
        ALL.append(self)

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not set yet: the first use. Dunder probes (copy,
        # pickle, typing) get no answer, as on any object without them.
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self.compiled()
        for attr in _DELEGATED:
            setattr(self, attr, getattr(compiled, attr))
        return vars(self)[name] if name in _DELEGATED else getattr(compiled, name)

    def compiled(self) -> re.Pattern[Any]:
        return re.compile(self.pattern, self._flags)


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """`re.compile(pattern, flags)`, done when the pattern is first used."""
    return cast("re.Pattern[AnyStr]", LazyPattern(pattern, flags))
