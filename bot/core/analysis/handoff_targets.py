"""The consumer of a job named by a function: RQ's `q.enqueue(count_words, …)` or
`q.enqueue("jobs.words.count_words")`, Django-Q's `async_task("billing.tasks.charge", …)`.

Such a function has no decorator to find it by, so the producer's file leaves a "target"
site (`handoffs_python._PyScan._target`) and this step, after extraction, looks for its `def`: at
the dotted path's module (`jobs/words.py`, `jobs/words/__init__.py`, `src/jobs/words.py`),
or through the producer file's `from m import f` (resolved by the repository's resolver),
or in the producer's own file. Only targets whose name no consumer already answers to are
looked up, at most `MAX_TARGETS`; each file is read through the linker's bounded reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from bot.core.model import FileFacts, HandoffSite, ImportRef

MAX_TARGETS = 200
MAX_IMPORTS = 200  # imports of one file looked through

Resolve = Callable[[str, str, ImportRef], "str | None"]
Lines = Callable[[str], "list[str] | None"]


def consumed_names(facts: Mapping[str, FileFacts], skip: Callable[[str], bool]) -> set[str]:
    """Every name (and alias) some consume site answers to, outside skipped paths."""
    return {
        n
        for path, f in facts.items()
        if not skip(path)
        for s in f.handoffs
        if s.role == "consume"
        for n in (s.name, *s.aliases)
    }


def _defines(line: str, func: str) -> bool:
    head = line.removeprefix("async ").removeprefix("def ").lstrip()
    return head.startswith(func) and head[len(func) :].lstrip().startswith("(")


def _def_line(lines: list[str] | None, func: str) -> int | None:
    for i, line in enumerate(lines or (), 1):
        if line.startswith(("def ", "async def ")) and _defines(line, func):
            return i
    return None


def target_consumers(
    facts: Mapping[str, FileFacts],
    resolve: Resolve,
    lines_of: Lines,
    skip: Callable[[str], bool],
) -> Iterable[tuple[str, HandoffSite]]:
    """(path, consumer site) for each target site whose function this repository defines."""
    consumed = consumed_names(facts, skip)
    seen: set[tuple[str, str]] = set()
    for path, f in facts.items():
        if skip(path) or f.language != "python":
            continue
        for s in f.handoffs:
            if s.role != "target":
                continue
            func = s.name.rpartition(".")[2]
            if func in consumed or (path, s.name) in seen or len(seen) >= MAX_TARGETS:
                continue
            seen.add((path, s.name))
            found = _find(facts, path, s.name, resolve, lines_of, skip)
            if found is not None:
                consumed.add(func)
                yield found[0], HandoffSite("consume", s.mechanism, func, found[1])


def _find(
    facts: Mapping[str, FileFacts],
    path: str,
    named: str,
    resolve: Resolve,
    lines_of: Lines,
    skip: Callable[[str], bool],
) -> tuple[str, int] | None:
    module, _, func = named.rpartition(".")
    candidates: list[str] = []
    if module:
        base = module.replace(".", "/")
        candidates = [f"{base}.py", f"{base}/__init__.py", f"src/{base}.py"]
    else:
        for ref in facts[path].imports[:MAX_IMPORTS]:
            if func in ref.names:
                got = resolve(path, "python", ref)
                if got:
                    candidates.append(got)
        candidates.append(path)
    for candidate in candidates:
        if candidate not in facts or skip(candidate):
            continue
        line = _def_line(lines_of(candidate), func)
        if line is not None:
            return candidate, line
    return None
