"""Real processes for the end-to-end tests: `docs-refresh serve` (gunicorn) and
`docs-refresh worker`, started with an environment like a deployment's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A worker that also knows the queue tests' recording job.
WORKER_WITH_TEST_JOBS = (
    "import tests.app.recording_jobs\nfrom bot.cli import main\nmain(['worker', '--threads', '2'])"
)


def process_env(tmp_path: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "GITHUB_"))}
    env.update({"DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


@contextmanager
def running(
    args: list[str], env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=dict(env), cwd=ROOT, stdout=out, stderr=out)
        LIVE.append(proc)
        try:
            yield proc
        finally:
            LIVE.remove(proc)
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def docs_refresh(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


LIVE: list[subprocess.Popen[bytes]] = []  # the processes `running` has started


def wait_for(check: Callable[[], bool], timeout: float, what: str, logs: list[Path]) -> None:
    """Poll `check`; fail with the processes' logs on timeout or when one of them died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in LIVE):
        if check():
            return
        time.sleep(0.05)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in logs)
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


def http(
    method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] = {}
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except OSError:
        return 0, b""


def healthy(port: int) -> bool:
    status, body = http("GET", f"http://127.0.0.1:{port}/healthz")
    return status == 200 and json.loads(body)["message"] == "ok"
