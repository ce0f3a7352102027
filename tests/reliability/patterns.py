"""Every regular expression the core runs over repository content, and worst-case inputs.

`core_patterns()` finds the compiled patterns held by `bot.core`'s modules (module constants,
tuples and dicts of them, rule tables) and the signal rules' sources, so a pattern added
later is probed without being listed here. `worst_cases(pattern)` builds, for sizes n and
2n, texts that make a backtracking engine work hard: long runs of each literal the pattern
holds (alone, with a space, a newline, an escape), unterminated constructs, and the runs the
issue reported (`/* `, `\\"`, `<!-- `, backticks, `os.environ["A"]`, blank lines…).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import bot.core
from bot.core.analysis.scan import ALL_RULES, literal_first
from bot.core.lazy_pattern import LazyPattern

# Runs the issue reported, and the usual suspects of backtracking.
FIXED_UNITS = (
    "/* \n",
    '\\"',
    "\\'",
    "\\`",
    '"',
    "'",
    "`",
    "<!-- ",
    "-->",
    "```\n",
    "`` `x",
    "\n",
    " ",
    "\t",
    "\n\n",
    "a",
    "a.",
    "A::",
    "a/",
    "*",
    "(",
    "[",
    "{",
    '{"a":',
    "import x\n",
    "=begin\n",
    'os.environ["A"]+',
    "Queue(",
    "sidekiq_options ",
    "<<: ",
    "- ",
    "#",
    "|",
    "@",
)
_LITERAL = re.compile(r"(?:\\.|[A-Za-z0-9_./:@#<>!=\"'`{}\[\]()-])+")


def core_patterns() -> dict[str, re.Pattern[str]]:
    """Name -> pattern for every pattern in `bot.core` (compiled or lazy) and every signal rule."""
    found: dict[str, re.Pattern[str]] = {}
    seen: set[int] = set()

    def walk(value: Any, where: str, depth: int = 0) -> None:
        if isinstance(value, LazyPattern):  # compiled on first use: probe it compiled
            value = value.compiled()
        if isinstance(value, re.Pattern):
            if id(value) not in seen and isinstance(value.pattern, str):
                seen.add(id(value))
                found[f"{where}#{len(found)}"] = value
            return
        if depth > 3 or isinstance(value, type | str | bytes):
            return
        if isinstance(value, tuple | list | set | frozenset):
            for item in value:
                walk(item, where, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, where, depth + 1)

    for info in pkgutil.walk_packages(bot.core.__path__, "bot.core."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            walk(value, f"{info.name}.{name}")
    for rule in ALL_RULES:
        found[f"rule:{rule.name}:{rule.source[:30]}"] = literal_first(rule.source, re.M)
    return found


def units(pattern: re.Pattern[str]) -> list[str]:
    """What to repeat: the fixed runs, and the pattern's own literals with each separator."""
    out = list(FIXED_UNITS)
    for piece in _LITERAL.findall(pattern.pattern):
        text = re.sub(r"\\(.)", r"\1", piece)
        if 2 <= len(text) <= 40:
            out += [text, text + " ", text + "\n", text + "(", text + '"']
    return list(dict.fromkeys(out))


def texts(unit: str, size: int) -> Iterator[str]:
    """Texts of about `size` characters built of `unit`."""
    count = max(1, size // len(unit))
    yield unit * count
    yield "x" + unit * count + "\x00"  # a start and an end the pattern does not expect


def cpu_cost(run: Callable[[], object], repeat: int = 3) -> float:
    """Best-of CPU time of the calling thread (a loaded machine steals wall time)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        run()
        best = min(best, time.thread_time() - start)
    return best


def scan(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def growth(pattern: re.Pattern[str], unit: str, size: int) -> tuple[float, float]:
    """CPU time of scanning texts of `size` and of `2 * size` built of `unit`."""
    small = list(texts(unit, size))
    large = list(texts(unit, 2 * size))
    one = cpu_cost(lambda: [scan(pattern, t) for t in small])
    two = cpu_cost(lambda: [scan(pattern, t) for t in large])
    return one, two
