"""Repository text made safe where it is written into Markdown: docs, PR bodies, comments.

Names and paths come from the repository, so they are untrusted: a folder named
``a`<!-- agent-update:end -->`b`` must not end a code span and write a real marker, a path
with a newline and `# …` must not start a heading, a `|` must not shift a table's cells, and
an `@name` must not mention anyone. Two shapes cover every use:

* `text(value)`: plain text for a sentence or a table cell (no code, tags, comments, links,
  emphasis, mentions; one line).
* `code_span(value)`: the value shown exactly, as inline code whose fence is longer than any
  backtick run inside it (so it cannot end early), on one line, with `|` escaped (GFM splits
  table cells on it even inside code).

Line breaks and other control characters are shown as escapes (`\\n`, `\\x1b`): a path keeps
one line whatever its name holds.
"""

from __future__ import annotations

import re

# Every character that ends a line for some reader (CommonMark, Python's splitlines, a
# browser), and the other control characters.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_BACKTICK_RUN = re.compile(r"`+")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(value: str) -> str:
    """`value` with line breaks and control characters shown as escapes."""
    if not _UNPRINTABLE.search(value):
        return value
    return _UNPRINTABLE.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), value)


def code_span(value: str) -> str:
    """`value` as one inline code span that nothing inside it can close."""
    shown = one_line(value).replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICK_RUN.findall(shown)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both are spaces: pad a value that
    # starts or ends with a backtick (or is wrapped in spaces) so it shows exactly.
    pad = shown.startswith("`") or shown.endswith("`")
    pad = pad or (len(shown) > 1 and shown.startswith(" ") and shown.endswith(" "))
    space = " " if pad else ""
    return f"{fence}{space}{shown}{space}{fence}"


def text(value: str) -> str:
    """Plain text safe in a sentence or a table cell: no code spans, pipes, tags, comments,
    links, emphasis or mentions, on one line."""
    out = " ".join(one_line(value).split())
    out = out.replace("\\", "\\\\").replace("`", "'")
    for char in "|*_[]":  # emphasis and links would reshape names like __main__
        out = out.replace(char, "\\" + char)
    out = out.replace("<", "&lt;").replace(">", "&gt;")
    # No autolinks (GFM links bare URLs and www. names) and no mentions: a word joiner
    # after "@" keeps the text as it reads and stops GitHub from notifying anyone.
    out = out.replace("://", ":\\/\\/").replace("www.", "www\\.")
    return out.replace("@", "@\u2060")
