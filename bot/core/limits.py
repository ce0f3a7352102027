"""Every limit the bot puts on repository content, in one place (README: "Limits").

Repository content is untrusted input, read by a shared worker: a file may be built to make
a parser recurse, an alias expand or a pattern backtrack. These limits bound what one file
(and one job) can cost; a file past one is skipped with a reason (`FileFacts.skip_reason`,
listed in the facts as `skipped` and counted in the doc), never a crash of the whole run.
"""

from __future__ import annotations

import re

MAX_FILE_BYTES = 1_000_000  # larger files are not read (listed as "huge" by the filters)
MAX_FILES = 100_000  # files analysed per repository; the rest are skipped
MAX_NESTING = 200  # brackets or braces open at once in a JSON, TOML, YAML file or a command
MAX_YAML_NODES = 100_000  # nodes of a YAML document once its aliases and merge keys expand
MAX_GLOB_CHARS = 1_000  # a longer glob from the repository matches nothing
MAX_PATH_CHARS = 4_096  # a longer path (git allows it) is not analysed
MAX_NAME_CHARS = 1_000  # an import, constant or dependency name longer than this is dropped
MAX_SCAN_CHARS = 20_000_000  # characters one manifest's line-number searches may visit
MAX_MARKERS = 10_000  # agent-update markers read in one doc
MAX_HEADINGS = 10_000  # heading lines of a v2 doc (Markdown parsing costs ~25 µs each)
FILE_SECONDS = 10.0  # extraction of one file (CPU seconds in a worker process)
# One App refresh job, wall seconds from its start (settings: JOB_SECONDS). Under the lock's
# 300 s lease, so a job that ends at its budget never outlives its lock; a cold refresh of
# 20k files takes ~5 s (bench/README.md).
JOB_SECONDS = 240.0
MAX_JOB_RECOVERIES = 2  # runs of one job lost with their worker before it is given up


_BRACKETS = re.compile(rb"[\[\]{}()]")
_OPEN = frozenset(b"[{(")


class LimitExceeded(ValueError):
    """Raised where a limit is found exceeded; `reason` says which, for the skip list."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nesting_depth(data: bytes) -> int:
    """The deepest run of open brackets (`[`, `{`, `(`) in `text`, counted without parsing:
    quotes are not understood, so brackets inside strings count too (an upper bound).
    Linear: the brackets are found in C, then counted once."""
    depth = deepest = 0
    for ch in _BRACKETS.findall(data):
        if ch[0] in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth:
            depth -= 1
    return deepest


def check_nesting(data: bytes, what: str = "nested") -> None:
    """LimitExceeded when `data` opens more than `MAX_NESTING` brackets at once."""
    if nesting_depth(data) > MAX_NESTING:
        raise LimitExceeded(f"{what} deeper than {MAX_NESTING} levels")
