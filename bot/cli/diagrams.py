"""Mermaid diagrams in documents parsed by a real Mermaid (mermaidx: mermaid.js in QuickJS,
no browser or Node), for `docs-refresh lint` and `check`.

mermaidx is an optional dependency (`pip install 'docs-refresh[diagrams]'`, and part of the
test extra): ~10 MB of native wheels and about a second per diagram, which the App never
needs (every diagram it writes is parsed by the test suite). Where it is missing, the
commands say that diagrams were not checked instead of claiming they parse.
"""

from __future__ import annotations

import functools

from bot.core.diagrams import mermaid_blocks
from bot.core.lint import ERROR, Problem

BROKEN = "Mermaid diagram does not parse: {reason}"
NOT_CHECKED = (
    "diagrams not checked: mermaidx is not installed (pip install 'docs-refresh[diagrams]')"
)


@functools.cache
def available() -> bool:
    try:
        import mermaidx  # noqa: F401
    except ImportError:
        return False
    return True


def parse_error(source: str) -> str | None:
    """Mermaid's own message when `source` does not parse (or render), None when it does."""
    import mermaidx

    try:
        mermaidx.render(source).svg()
    except RuntimeError as err:  # mermaidx's MermaidRenderError, Mermaid's message inside
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        return " ".join(lines[:2])[:300] or type(err).__name__
    return None


def diagram_problems(text: str, path: str) -> list[Problem]:
    """A problem at each diagram of `text` that does not parse (empty without mermaidx)."""
    if not available():
        return []
    problems = []
    for block in mermaid_blocks(text):
        reason = parse_error(block.source)
        if reason is not None:
            problems.append(Problem(path, block.line, BROKEN.format(reason=reason), ERROR))
    return problems
