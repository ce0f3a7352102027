"""How evidence is ordered when only a few citations fit: code first, then by path and line.

The line that imports or calls a thing proves more than a manifest entry or a compose line,
so it is the one a reader should see first.
"""

from __future__ import annotations

from bot.core.model import Evidence

CODE_EXTENSIONS = frozenset(
    {"py", "js", "mjs", "cjs", "jsx", "ts", "tsx", "rb", "go", "java", "kt", "rs", "php", "cs"}
)


def is_code(path: str) -> bool:
    name = path.rpartition("/")[2]
    return "." in name and name.rpartition(".")[2] in CODE_EXTENSIONS


def evidence_key(ev: Evidence) -> tuple[bool, str, int]:
    return (not is_code(ev.path), ev.path, -1 if ev.line is None else ev.line)
