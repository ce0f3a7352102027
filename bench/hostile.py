"""Issue 15's hostile corpus before and after: CPU time and peak memory per case, one table.

Each case of `tests.reliability.hostile_repos.CASES` is built once per side and run as
`docs-refresh facts --json` and `docs-refresh refresh` in a child process with a wall-clock
timeout: "before" imports `bot` from another tree (by default the commit before the first
issue-15 commit, extracted with `git archive`), "after" from this checkout (or `--after`, a
commit or folder). Both sides use this venv's interpreter and libraries. The figures are
the child's CPU seconds (user + sys, children included: what other load on the shared
machine barely moves) and its peak RSS (VmHWM written at exit; a killed run shows its
ru_maxrss, an over-estimate, marked `≥`).

    .venv/bin/python -m bench.hostile                      # every case, 60 s timeout
    .venv/bin/python -m bench.hostile --before /tmp/old    # a tree already on disk
    .venv/bin/python -m bench.hostile --cases many-files ts-escapes --timeout 20
    .venv/bin/python -m bench.hostile --full               # refresh even when facts hung

A run of `refresh` is skipped on a side where `facts` already hung: refresh runs the same
analysis first, so it could only hang too (shown as `—`); `--full` runs it anyway.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.reliability.hostile_repos import BY_NAME, CASES, Run, build, run_cli

ROOT = Path(__file__).resolve().parents[1]
# The commit before "Hostile repository content (issue 15)" (17a70fb), the first of issue 15.
BEFORE = "5dd4656"


@contextmanager
def tree(spec: str) -> Iterator[Path]:
    """A source tree: `spec` itself when it is a folder, else that commit, archived."""
    if Path(spec).is_dir():
        yield Path(spec).resolve()
        return
    with tempfile.TemporaryDirectory(prefix="hostile-before-") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", spec], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        yield Path(tmp)


def measure(name: str, code: Path, timeout: float, full: bool) -> tuple[Run, Run | None]:
    """`facts --json` and `refresh` of one freshly built case, with `bot` from `code`."""
    saved = os.environ.pop("HOSTILE_CODE", None)
    os.environ["HOSTILE_CODE"] = str(code)
    try:
        with tempfile.TemporaryDirectory(prefix="hostile-case-") as tmp:
            root = build(BY_NAME[name], Path(tmp))
            facts = run_cli(root, ["facts", "--json"], timeout)
            refresh = run_cli(root, ["refresh"], timeout) if full or not facts.hung else None
            return facts, refresh
    finally:
        os.environ.pop("HOSTILE_CODE", None)
        if saved is not None:
            os.environ["HOSTILE_CODE"] = saved


def cell(run: Run | None) -> str:
    if run is None:
        return "—"
    if run.hung:
        return f"hang ({run.cpu:.0f} s CPU, ≥{run.peak_mb:.0f} MB)"
    crash = " traceback" if run.traceback else ""
    return f"{run.cpu:.2f} s, {run.peak_mb:.0f} MB{crash}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="a commit or a source tree")
    parser.add_argument("--after", default=None, help="default: this checkout as it is")
    parser.add_argument("--timeout", type=float, default=60.0, help="wall seconds per run")
    parser.add_argument("--cases", nargs="*", default=[c.name for c in CASES])
    parser.add_argument("--full", action="store_true", help="run refresh after a hung facts")
    parser.add_argument("--side", choices=("both", "before", "after"), default="both")
    args = parser.parse_args(argv)
    unknown = [n for n in args.cases if n not in BY_NAME]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    print(f"timeout {args.timeout:g} s wall per run; CPU seconds (user+sys) and peak RSS")
    print()
    print("| case | what | facts before | facts after | refresh before | refresh after |")
    print("|---|---|---|---|---|---|")
    with tree(args.before) as old, tree(args.after or str(ROOT)) as new:
        for name in args.cases:
            before = after = ("", "")
            if args.side in ("both", "before"):
                before = tuple(map(cell, measure(name, old, args.timeout, args.full)))
            if args.side in ("both", "after"):
                after = tuple(map(cell, measure(name, new, args.timeout, args.full)))
            what = BY_NAME[name].what.replace("|", "\\|")
            cells = (before[0], after[0], before[1], after[1])
            print(f"| {name} | {what} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
