"""Shared bench helpers: timing children with their peak memory, medians, and tables."""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
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
    cpu: float = float("nan")  # user + system seconds of the child and what it reaped


# Peak RSS must come from a small parent: Linux carries the RSS high-water mark of the
# process that forked into the one that execs, so a child of this (large) process would
# report at least our own size. The launcher forks and execs the command and reports it.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    cpu = usage.ru_utime + usage.ru_stime
    json.dump([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status), cpu], out)
"""


def run_child(argv: Sequence[str], cwd: Path | None = None, timeout: float = 900.0) -> Run:
    """Run `argv` to its end, output discarded: wall time, peak RSS (its own and its
    reaped descendants'), exit code, CPU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        launcher = subprocess.Popen(
            [PYTHON, "-I", "-S", "-c", _LAUNCHER, report.name, *argv],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            launcher.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
            return Run(timeout, float("nan"), -9)
        seconds, maxrss_kb, code, cpu = json.loads(report.read() or "[0, 0, -1, NaN]")
    return Run(float(seconds), maxrss_kb / 1024, int(code), float(cpu))


def compile_bytecode() -> None:
    """Compile `bot/` to bytecode, as installing a wheel does (pip compiles what it installs).

    Whole-process runs then start ours the way the peers start, from their installed .pyc,
    even where PYTHONDONTWRITEBYTECODE keeps an editable checkout from caching its own
    (this machine sets it: without this, each run compiled 38 modules, ~60 ms of ~200).
    """
    import compileall

    compileall.compile_dir(ROOT / "bot", quiet=1)


def peak_rss_mb() -> float:
    """This process's own RSS high-water mark (VmHWM: reset at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


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
