"""Fault injection: exactly the requested number of matching requests fail, as asked."""

from __future__ import annotations

import time

import pytest
import requests

from bot.sandbox import SandboxHandle
from tests.helpers.sandbox import FULL_NAME
from tests.sandbox.test_http_errors import Api

REF = f"/repos/{FULL_NAME}/git/ref/heads/main"


@pytest.fixture
def api(sandbox: SandboxHandle) -> Api:
    return Api(sandbox)


@pytest.mark.parametrize("count", [1, 3])
def test_exactly_count_matching_requests_fail_then_service_resumes(
    api: Api, sandbox: SandboxHandle, count: int
) -> None:
    sandbox.inject_fault("server_error", count=count, method="GET", path="*/git/ref/*")
    sandbox.clear_request_log()
    statuses = [api("GET", REF).status_code for _ in range(count + 2)]
    assert statuses == [502] * count + [200, 200]
    log = sandbox.request_log()
    assert [r["fault"] for r in log] == ["server_error"] * count + [None, None]
    assert requests.get(f"{sandbox.api_url}/_sandbox/faults", timeout=10).json() == []


def test_fault_skips_requests_that_do_not_match(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.inject_fault("server_error", count=1, method="POST", path="*/git/blobs")
    assert api("GET", REF).status_code == 200
    assert api("GET", f"/repos/{FULL_NAME}/git/blobs/{'0' * 40}").status_code == 404
    assert api("POST", f"/repos/{FULL_NAME}/git/blobs", {"content": "x"}).status_code == 502
    assert api("POST", f"/repos/{FULL_NAME}/git/blobs", {"content": "x"}).status_code == 201


def test_secondary_limit_answers_403_with_retry_after(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.inject_fault("secondary_limit", retry_after=7)
    resp = api("GET", REF)
    assert resp.status_code == 403
    assert resp.headers["retry-after"] == "7"
    assert resp.json()["message"].startswith("You have exceeded a secondary rate limit")


def test_primary_limit_answers_403_with_no_remaining(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.inject_fault("primary_limit", retry_after=30)
    resp = api("GET", REF)
    assert resp.status_code == 403
    assert resp.headers["x-ratelimit-remaining"] == "0"
    assert int(resp.headers["x-ratelimit-reset"]) >= int(time.time()) + 29


def test_unprocessable_answers_422_not_a_fast_forward(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.inject_fault("unprocessable", method="PATCH")
    resp = api("PATCH", f"/repos/{FULL_NAME}/git/refs/heads/main", {"sha": "0" * 40})
    assert (resp.status_code, resp.json()["message"]) == (422, "Update is not a fast forward")


def test_delay_slows_the_request_but_it_succeeds(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.inject_fault("delay", delay=0.3, path=REF)
    sandbox.clear_request_log()
    started = time.monotonic()
    assert api("GET", REF).status_code == 200
    assert time.monotonic() - started >= 0.3
    assert api("GET", REF).status_code == 200
    log = sandbox.request_log()
    assert [r["fault"] for r in log] == ["delay", None]
    assert log[0]["duration_ms"] >= 300


def test_faults_can_be_injected_over_http(api: Api, sandbox: SandboxHandle) -> None:
    created = requests.post(
        f"{sandbox.api_url}/_sandbox/faults",
        json={"kind": "server_error", "count": 2, "status": 503},
        timeout=10,
    )
    assert created.status_code == 201
    assert [api("GET", REF).status_code for _ in range(3)] == [503, 503, 200]
    bad = requests.post(f"{sandbox.api_url}/_sandbox/faults", json={"kind": "meteor"}, timeout=10)
    assert bad.status_code == 422
