"""Audit the installed dependencies with pip-audit; called by scripts/test after the tests.

Fails (exit 1) on an advisory that has a fixed version to move to; only warns on advisories
without a fix (nothing to do but watch) and when the advisory service cannot be reached
(no network: the audit is skipped, not passed). `--lock` rewrites requirements.lock, the
exact versions of the runtime dependencies the tests ran with.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "docs-refresh"
LOCK = ROOT / "requirements.lock"
LOCK_HEADER = (
    "# Exact versions of docs-refresh's runtime dependencies, as tested "
    "(scripts/audit_deps.py --lock).\n"
    "# Reproducible install: pip install -c requirements.lock -r requirements.txt\n"
)


def _name(requirement: str) -> str:
    return re.split(r"[\s\[;<>=!~]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def runtime_closure() -> dict[str, str]:
    """name -> installed version, for the project's runtime requirements and theirs."""
    found: dict[str, str] = {}
    todo = [r for r in metadata.requires(PROJECT) or [] if "extra ==" not in r]
    while todo:
        requirement = todo.pop()
        name = _name(requirement)
        extras = re.findall(r"\[([^\]]*)\]", requirement.split(";")[0])
        wanted = {e.strip() for group in extras for e in group.split(",")}
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a marker excluded it on this platform
        if name in found and not wanted:
            continue
        found[name] = dist.version
        for req in dist.requires or []:
            extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", req)
            if extra is None or extra.group(1) in wanted:
                todo.append(req.split(";")[0] if extra else req)
    return dict(sorted(found.items()))


def write_lock() -> None:
    lines = [f"{name}=={version}" for name, version in runtime_closure().items()]
    LOCK.write_text(LOCK_HEADER + "\n".join(lines) + "\n")


def audit() -> int:
    cmd = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        print(f"pip-audit: skipped ({err})", file=sys.stderr)
        return 0
    try:
        report = json.loads(out.stdout)
    except ValueError:
        print(f"pip-audit: skipped, no report (offline?):\n{out.stderr[-2000:]}", file=sys.stderr)
        return 0
    failing = 0
    for dep in report.get("dependencies", []):
        for vuln in dep.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            where = f"{dep['name']} {dep['version']}: {vuln['id']}"
            if fixes:
                failing += 1
                print(f"pip-audit: {where} — fixed in {', '.join(fixes)}", file=sys.stderr)
            else:
                print(f"pip-audit: warning, {where} has no fix yet", file=sys.stderr)
    audited = len(report.get("dependencies", []))
    print(f"pip-audit: {audited} packages audited, {failing} advisories with a fix")
    return 1 if failing else 0


def main(argv: list[str]) -> int:
    if "--lock" in argv:
        write_lock()
        return 0
    return audit()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
