"""Cold analysis CPU of several source trees of docs-refresh, side by side, on a loaded machine.

Each sample is a fresh child process that imports `bot` from one tree, lists the repository,
loads the catalog, then times `analyze` (empty facts cache, no `Warm`, extraction on one core)
with `time.process_time()`: the CPU of that one thread, which other engineers' load on the
machine barely moves. Trees are interleaved round by round; the table shows the best of the
rounds and the ratio to the first tree.

    .venv/bin/python -m bench.cold_cpu --tree old=/tmp/pre18 --tree new=. REPO... --rounds 5
    .venv/bin/python -m bench.cold_cpu --facts /tmp/facts REPO...   # record, then compare

`--facts DIR` also writes `docs-refresh facts --json` of each repository (from the first
tree) to DIR/<name>.json, or, when the file is there already, says whether it is identical.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench.timing import PYTHON, ROOT, table

# The child: `bot` comes from the tree given (first on sys.path, ahead of the editable
# install's finder), extraction stays in this process (cpu_count 1), and only `analyze`
# is timed.
_CHILD = """
import json, os, sys, time
tree, repo, what = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, tree)
os.cpu_count = lambda: 1
import bot
assert bot.__file__.startswith(tree), bot.__file__
from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.local.catalog_file import default_catalog
from bot.local.checkout import LocalSnapshot
catalog = default_catalog()
snapshot = LocalSnapshot(repo)
if what == "facts":
    facts = analyze(snapshot, MemoryFactsCache(), catalog)  # as `docs-refresh facts --json`
    print(json.dumps(facts.to_json(), indent=2, ensure_ascii=False))
else:
    start = time.process_time()
    analyze(snapshot, MemoryFactsCache(), catalog)
    print(json.dumps(time.process_time() - start))
"""


def _child(tree: Path, repo: Path, what: str) -> str:
    done = subprocess.run(
        [PYTHON, "-c", _CHILD, str(tree.resolve()), str(repo.resolve()), what],
        capture_output=True,
        text=True,
        check=False,
        cwd=tree,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tree} on {repo}: {done.stderr[-2000:]}")
    return done.stdout


def _facts(tree: Path, repos: list[Path], folder: Path) -> bool:
    """Write each repository's facts JSON, or compare it with the one written before."""
    folder.mkdir(parents=True, exist_ok=True)
    same = True
    for repo in repos:
        text = _child(tree, repo, "facts")
        path = folder / f"{repo.name}.json"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            print(f"facts of {repo.name}: recorded ({len(text)} bytes)")
        elif path.read_text(encoding="utf-8") == text:
            print(f"facts of {repo.name}: identical")
        else:
            same = False
            path.with_suffix(".new.json").write_text(text, encoding="utf-8")
            print(f"facts of {repo.name}: DIFFERENT (see {path.with_suffix('.new.json')})")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--tree", action="append", default=[], help="LABEL=PATH (repeatable)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--facts", type=Path, help="record or compare facts JSON in this folder")
    args = parser.parse_args(argv)
    trees = [tuple(t.split("=", 1)) for t in args.tree] or [("this", str(ROOT))]
    if args.facts is not None:
        same = _facts(Path(trees[-1][1]), args.repos, args.facts)
        if not args.rounds:
            return 0 if same else 1
    best: dict[tuple[str, str], float] = {}
    for round_ in range(args.rounds):
        for repo in args.repos:
            for label, tree in trees:
                seconds = json.loads(_child(Path(tree), repo, "cpu"))
                key = (repo.name, label)
                best[key] = min(best.get(key, seconds), seconds)
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    head = ["repository", *(f"{label} (s)" for label, _ in trees)]
    head += [f"{label} / {trees[0][0]}" for label, _ in trees[1:]]
    rows = []
    for repo in args.repos:
        figures = [best[(repo.name, label)] for label, _ in trees]
        rows.append(
            [repo.name, *(f"{s:.2f}" for s in figures)]
            + [f"{s / figures[0]:.2f}" for s in figures[1:]]
        )
    print(table(f"Cold analyze CPU, best of {args.rounds} (s)", head, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
