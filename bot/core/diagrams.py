"""The Mermaid diagrams of a document: each fenced ```mermaid block and the line it opens on.

Pure (text in, blocks out) so the checks that parse them with a real Mermaid implementation
(`bot.cli.diagrams`, where mermaidx is installed) can report a broken diagram with its line.
A fence is a line of three or more backticks or tildes followed by `mermaid`; the block ends
at the first line holding only a fence of the same character, at least as long; a block
left open runs to the end of the text, as CommonMark says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"\A {0,3}(`{3,}+|~{3,}+)[ \t]*+mermaid\b[^\n`]*+\Z")


@dataclass(frozen=True, slots=True)
class MermaidBlock:
    line: int  # 1-based line of the opening fence
    source: str  # the diagram, without its fences


def mermaid_blocks(text: str) -> tuple[MermaidBlock, ...]:
    out: list[MermaidBlock] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if m is None:
            i += 1
            continue
        fence = m.group(1)
        close = re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*\Z")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        out.append(MermaidBlock(i + 1, "\n".join(lines[i + 1 : j]) + "\n"))
        i = j + 1
    return tuple(out)
