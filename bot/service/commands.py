"""Parse the `/refresh-docs` command out of a comment body.

A command counts only at the start of a line (up to three spaces of indent, as Markdown
allows), in any letter case, and never inside fenced code, indented code, a block quote
or an HTML comment: people quote and explain the command without meaning to run it.
The first command in a body wins; the first word after it picks the sub-command.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

COMMAND = "/refresh-docs"

Action = Literal["refresh", "force", "help", "unknown"]

_SUBCOMMANDS: dict[str, Action] = {"": "refresh", "force": "force", "help": "help"}
# "/refresh-docs" then end of line or whitespace, so "/refresh-docs-now" is not the command.
_COMMAND_LINE = re.compile(r"^ {0,3}/refresh-docs(?:[ \t]+(?P<rest>.*))?$", re.IGNORECASE)
_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")


class Command(NamedTuple):
    action: Action
    argument: str  # the word after the command as written ("" when none)
    line: int  # 1-based line of the body


def parse_command(body: str | None) -> Command | None:
    """The first `/refresh-docs` command in `body`, or None when there is none."""
    for number, line in _visible_lines(body or ""):
        match = _COMMAND_LINE.match(line.rstrip())
        if match is None:
            continue
        words = (match.group("rest") or "").split()
        word = words[0] if words else ""
        return Command(_SUBCOMMANDS.get(word.lower(), "unknown"), word, number)
    return None


def _visible_lines(body: str) -> Iterator[tuple[int, str]]:
    """Lines that are prose: outside fences, quotes and HTML comments."""
    fence: str | None = None
    in_comment = False
    for number, line in enumerate(body.splitlines(), start=1):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        opened = _FENCE_OPEN.match(line)
        if opened is not None:
            fence = opened.group("fence")
            continue
        if line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line.split("<!--", 1)[1]
            continue
        # Quotes are skipped here; indented code (4+ spaces) never matches the command pattern.
        if not line.lstrip().startswith(">"):
            yield number, line
