"""Shared bench helpers: timing children with their peak memory, medians, and tables."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_BIN = ROOT / "bench" / "node_modules" / ".bin"
PYTHON = sys.executable
NOT_INSTALLED = "not installed"


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_mb: float  # the child's peak RSS, or its largest reaped descendant's
    code: int


def run_child(argv: Sequence[str], cwd: Path | None = None, timeout: float = 600.0) -> Run:
    """Run `argv` to its end, output discarded; wall time and peak RSS from wait4."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    return Run(seconds, usage.ru_maxrss / 1024, child.returncode)


def node_tool(name: str) -> Path | None:
    """A peer installed by `npm install` in bench/ (see bench/package.json), or None."""
    path = NODE_BIN / name
    if path.exists() and shutil.which("node"):
        return path
    return None


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (it reads in a terminal and pastes into the README)."""
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [f"### {title}", ""]
    for n, row in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def machine_line() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load {load:.1f} at start, Python {sys.version.split()[0]}"
