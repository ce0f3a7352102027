"""The function and the loops around each line, by indentation, in one pass (the in-process
queue scanners ask it for every `.get()`/`.pop`; walking back from each was quadratic on a
file of 50,000 of them)."""

from __future__ import annotations

from collections.abc import Callable


def enclosing(
    lines: list[str], is_holder: Callable[[str], bool], is_loop: Callable[[str], bool]
) -> list[tuple[int, bool]]:
    """For each line (index `i - 1`): the line of the innermost holder (a `def`, a
    `Thread.new`) around it, 0 for none, and whether a loop opens between that holder and
    the line (the line itself included)."""
    out: list[tuple[int, bool]] = []
    # Open blocks: (indent, holder line, a loop since it), each carrying the state inside it,
    # so a line's answer is the top's (no walk down a deep stack).
    stack: list[tuple[int, int, bool]] = []
    for i, line in enumerate(lines, 1):
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#"):
            indent = len(line) - len(stripped)
            while stack and stack[-1][0] >= indent:
                stack.pop()
            holder, looped = stack[-1][1:] if stack else (0, False)
            own_loop = is_loop(line)
            if is_holder(line):
                holder, looped = i, own_loop
                stack.append((indent, holder, looped))
            elif own_loop:
                looped = True
                stack.append((indent, holder, looped))
            out.append((holder, looped))
        else:
            out.append(stack[-1][1:] if stack else (0, False))
    return out
