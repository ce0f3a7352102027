"""The quick-start scripts' install step (scripts/_venv.sh): pip's own output stays off the
first screen, and a failed install shows its tail.

pip itself is stood in for by a script in the venv (a real first install downloads the
world); the shell logic under test is the real file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOISY_PIP = """#!/bin/sh
echo "Collecting flask"
echo "WARNING: Location 'file:///x' is ignored" >&2
echo "  BuildBackendWarning: Editable installation." >&2
exit {code}
"""


def project(tmp_path: Path, pip_exit: int) -> Path:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "_venv.sh", root / "scripts" / "_venv.sh")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "requirements.lock").write_text("")
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(NOISY_PIP.format(code=pip_exit))
    python.chmod(0o755)
    return root


def source(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "source scripts/_venv.sh && echo demo-starts"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_first_install_prints_one_line_and_keeps_pips_output_in_a_log(tmp_path: Path) -> None:
    root = project(tmp_path, 0)
    done = source(root)
    assert done.returncode == 0
    assert done.stdout == "demo-starts\n"
    assert (
        done.stderr
        == "installing docs-refresh into .venv (once; pip's output: .venv/install.log)…\n"
    )
    assert "BuildBackendWarning" in (root / ".venv" / "install.log").read_text()
    again = source(root)
    assert (again.stdout, again.stderr) == ("demo-starts\n", "")  # installed: nothing said


def test_a_failed_install_shows_the_end_of_pips_output_and_stops(tmp_path: Path) -> None:
    done = source(project(tmp_path, 1))
    assert done.returncode == 1
    assert "demo-starts" not in done.stdout
    assert "WARNING: Location 'file:///x' is ignored" in done.stderr
    assert done.stderr.endswith(
        "installing into .venv failed; the whole output is in .venv/install.log\n"
    )
