"""The deploy files say what the code does: events the app subscribes to are the ones it
routes, the Procfile and Clever Cloud start the real commands, the WSGI object loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from bot.handlers import router
from tests.app.processes import ROOT, process_env

ALWAYS_DELIVERED = {"installation", "installation_repositories"}  # apps cannot unsubscribe
ALLOWED_PERMISSIONS = {"metadata", "contents", "pull_requests", "issues", "checks"}


def manifest() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "config" / "app-manifest.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_manifest_subscribes_to_exactly_the_routed_events() -> None:
    events = set(manifest()["default_events"])  # type: ignore[call-overload]
    assert events == set(router.events()) - ALWAYS_DELIVERED


def test_manifest_asks_for_least_privilege() -> None:
    permissions = manifest()["default_permissions"]
    assert isinstance(permissions, dict)
    assert set(permissions) <= ALLOWED_PERMISSIONS
    assert permissions["metadata"] == "read"
    assert "admin" not in permissions.values()


def test_procfile_runs_the_web_and_the_worker() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert {k: v.strip() for k, v in lines.items()} == {
        "web": "docs-refresh serve",
        "worker": "docs-refresh worker",
    }


def test_clevercloud_module_is_the_documented_wsgi_object(tmp_path: Path) -> None:
    module = json.loads((ROOT / "clevercloud" / "python.json").read_text())["deploy"]["module"]
    guide = (ROOT / "clevercloud" / "README.md").read_text()
    assert f"CC_PYTHON_MODULE {module}" in guide
    for variable in ("CC_PYTHON_BACKEND gunicorn", "CC_WORKER_COMMAND", "CC_HEALTH_CHECK_PATH"):
        assert variable in guide
    name, attr = module.split(":")
    code = f"import {name} as m; print(callable(m.{attr}))"
    env = process_env(tmp_path, {"WEBHOOK_SECRET": "s"})
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert out.stdout.strip() == b"True", out.stderr.decode()


def test_requirements_install_the_project_at_the_locked_versions() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines == ["-c requirements.lock", "."]
    assert (ROOT / "requirements.lock").is_file()


def test_gunicorn_config_binds_port_and_refuses_without_a_secret(tmp_path: Path) -> None:
    config = ROOT / "config" / "gunicorn.conf.py"
    code = f"import runpy; print(runpy.run_path({str(config)!r})['bind'])"
    env = process_env(tmp_path, {"WEBHOOK_SECRET": "s", "PORT": "9123"})
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert out.stdout.strip() == b"0.0.0.0:9123", out.stderr.decode()
    env.pop("WEBHOOK_SECRET")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True)
    assert out.returncode != 0
    assert b"WEBHOOK_SECRET" in out.stderr


def test_web_process_never_imports_pygithub_or_the_service(tmp_path: Path) -> None:
    code = (
        "import sys, bot.app.wsgi; "
        "print(sorted(m for m in ('github', 'bot.service.refresh', 'bot.github')"
        " if m in sys.modules))"
    )
    env = process_env(tmp_path, {"WEBHOOK_SECRET": "s"})
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True)
    assert out.stdout.strip() == b"[]", out.stderr.decode()
