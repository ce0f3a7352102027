"""Dependencies are pinned: requirements.lock holds the exact versions the tests ran with."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_lock_pins_exactly_the_installed_runtime_dependencies() -> None:
    audit = runpy.run_path(str(ROOT / "scripts" / "audit_deps.py"))
    installed = audit["runtime_closure"]()
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    pinned = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    assert pinned == installed, "run `python scripts/audit_deps.py --lock` and commit it"
    for name in ("flask", "gunicorn", "huey", "pygithub", "pyjwt", "cryptography", "redis"):
        assert name in pinned
