"""Error cases through plain HTTP: status codes and GitHub's error bodies."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.sandbox import SandboxHandle, start_sandbox
from tests.helpers.sandbox import FULL_NAME, git

ANNOTATION = {
    "path": "README.md",
    "start_line": 1,
    "end_line": 1,
    "annotation_level": "warning",
    "message": "m",
}


class Api:
    """A tiny client holding an installation token (plain requests, no PyGithub)."""

    def __init__(self, sb: SandboxHandle, token: str | None = None) -> None:
        self.sb = sb
        self.token = token or token_for(sb)

    def __call__(self, method: str, path: str, json: Any = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.sb.api_url}{path}",
            json=json,
            headers={"Authorization": f"token {self.token}"},
            timeout=10,
        )


def app_jwt(
    sb: SandboxHandle, *, iss: object = None, exp: int = 300, key: str | None = None
) -> str:
    now = int(time.time())
    claims = {"iat": now - 60, "exp": now + exp, "iss": str(iss if iss is not None else sb.app_id)}
    return jwt.encode(claims, key or sb.private_key_pem, algorithm="RS256")


def token_for(sb: SandboxHandle) -> str:
    resp = requests.post(
        f"{sb.api_url}/app/installations/{sb.installation_id}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(sb)}"},
        timeout=10,
    )
    assert resp.status_code == 201
    return str(resp.json()["token"])


@pytest.fixture
def api(sandbox: SandboxHandle) -> Api:
    return Api(sandbox)


def _error(resp: requests.Response, status: int, message: str) -> dict[str, Any]:
    assert resp.status_code == status
    body: dict[str, Any] = resp.json()
    assert body["message"] == message
    assert body["documentation_url"].startswith("https://docs.github.com/")
    return body


def test_requests_without_credentials_answer_401(sandbox: SandboxHandle) -> None:
    resp = requests.post(f"{sandbox.api_url}/repos/{FULL_NAME}/git/refs", json={}, timeout=10)
    _error(resp, 401, "Requires authentication")
    assert resp.headers["x-ratelimit-limit"] == "60"
    _error(requests.get(f"{sandbox.api_url}/app", timeout=10), 401, "Requires authentication")


def test_anonymous_reads_of_a_public_repository_answer_under_the_anonymous_limit(
    sandbox: SandboxHandle,
) -> None:
    first = requests.get(f"{sandbox.api_url}/repos/{FULL_NAME}", timeout=10)
    second = requests.get(f"{sandbox.api_url}/repos/{FULL_NAME}/pulls", timeout=10)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["full_name"] == FULL_NAME
    assert second.headers["x-ratelimit-limit"] == "60"
    assert int(second.headers["x-ratelimit-remaining"]) < int(
        first.headers["x-ratelimit-remaining"]
    )
    installation = requests.get(f"{sandbox.api_url}/repos/{FULL_NAME}/installation", timeout=10)
    assert installation.status_code == 401


def test_anonymous_reads_of_a_private_repository_answer_404(sandbox: SandboxHandle) -> None:
    sandbox.store.repos[FULL_NAME.lower()].private = True
    _error(requests.get(f"{sandbox.api_url}/repos/{FULL_NAME}", timeout=10), 404, "Not Found")


def test_unknown_token_answers_bad_credentials(sandbox: SandboxHandle) -> None:
    _error(Api(sandbox, token="ghs_nope")("GET", f"/repos/{FULL_NAME}"), 401, "Bad credentials")


def test_installation_token_expires(sandbox_repo: Path, sandbox_data_dir: Path) -> None:
    now = [1_800_000_000.0]
    with start_sandbox(
        {FULL_NAME: sandbox_repo}, data_dir=sandbox_data_dir, clock=lambda: now[0]
    ) as sb:
        token = requests.post(
            f"{sb.api_url}/app/installations/1/access_tokens",
            headers={"Authorization": f"Bearer {_jwt_at(sb, now[0])}"},
            timeout=10,
        ).json()
        assert (
            token["expires_at"] == "2027-01-15T09:00:00Z"
        )  # the clock is 08:00:00Z; tokens last an hour
        api = Api(sb, token["token"])
        assert api("GET", f"/repos/{FULL_NAME}").status_code == 200
        now[0] += 3600
        _error(api("GET", f"/repos/{FULL_NAME}"), 401, "Bad credentials")


def _jwt_at(sb: SandboxHandle, now: float) -> str:
    claims = {"iat": int(now) - 60, "exp": int(now) + 300, "iss": str(sb.app_id)}
    return jwt.encode(claims, sb.private_key_pem, algorithm="RS256")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "expired",
            "'Expiration time' claim ('exp') must be a numeric value representing the future"
            " time at which the assertion expires",
        ),
        ("other_key", "A JSON web token could not be decoded"),
        ("other_app", "A JSON web token could not be decoded"),
        ("not_a_jwt", "A JSON web token could not be decoded"),
        ("too_long", "'Expiration time' claim ('exp') is too far in the future"),
    ],
)
def test_bad_app_jwt_answers_401(sandbox: SandboxHandle, case: str, message: str) -> None:
    other = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if case == "other_key"
        else None
    )
    token = {
        "expired": lambda: app_jwt(sandbox, exp=-10),
        "other_key": lambda: app_jwt(sandbox, key=_pem(other)),
        "other_app": lambda: app_jwt(sandbox, iss=99),
        "not_a_jwt": lambda: "not.a.jwt",
        "too_long": lambda: app_jwt(sandbox, exp=3600),
    }[case]()
    resp = requests.post(
        f"{sandbox.api_url}/app/installations/1/access_tokens",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    _error(resp, 401, message)


def _pem(key: rsa.RSAPrivateKey | None) -> str:
    assert key is not None
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_installation_token_is_refused_on_app_endpoints(api: Api) -> None:
    _error(api("GET", "/app"), 401, "A JSON web token could not be decoded")


def test_unknown_repository_and_objects_answer_404(api: Api) -> None:
    _error(api("GET", "/repos/octo/missing"), 404, "Not Found")
    _error(api("GET", f"/repos/{FULL_NAME}/git/ref/heads/nope"), 404, "Not Found")
    _error(api("GET", f"/repos/{FULL_NAME}/git/blobs/{'0' * 40}"), 404, "Not Found")
    _error(api("GET", f"/repos/{FULL_NAME}/pulls/7"), 404, "Not Found")
    _error(api("GET", f"/repos/{FULL_NAME}/contents/nope.txt"), 404, "Not Found")


def test_ref_errors_answer_422(api: Api, sandbox_repo: Path) -> None:
    main = git(sandbox_repo, "rev-parse", "main")
    refs = f"/repos/{FULL_NAME}/git/refs"
    _error(
        api("POST", refs, {"ref": "refs/heads/main", "sha": main}), 422, "Reference already exists"
    )
    _error(
        api("POST", refs, {"ref": "refs/heads/x", "sha": "1" * 40}), 422, "Object does not exist"
    )
    _error(api("PATCH", f"{refs}/heads/nope", {"sha": main}), 422, "Reference does not exist")
    assert api("POST", refs, {"ref": "refs/heads/gone", "sha": main}).status_code == 201
    assert api("DELETE", f"{refs}/heads/gone").status_code == 204
    assert git(sandbox_repo, "branch", "--list", "gone") == ""
    _error(api("DELETE", f"{refs}/heads/gone"), 422, "Reference does not exist")


def test_pull_request_validation_errors_answer_422(api: Api) -> None:
    pulls = f"/repos/{FULL_NAME}/pulls"
    same = _error(
        api("POST", pulls, {"title": "t", "head": "main", "base": "main"}), 422, "Validation Failed"
    )
    assert same["errors"][0]["message"] == "No commits between main and octo:main"
    missing = _error(
        api("POST", pulls, {"title": "t", "head": "nope", "base": "main"}), 422, "Validation Failed"
    )
    assert missing["errors"] == [{"resource": "PullRequest", "code": "invalid", "field": "head"}]
    untitled = _error(
        api("POST", pulls, {"head": "main", "base": "main"}), 422, "Validation Failed"
    )
    assert untitled["errors"] == [
        {"resource": "PullRequest", "code": "missing_field", "field": "title"}
    ]


def test_check_run_accepts_50_annotations_and_refuses_51(api: Api, sandbox_repo: Path) -> None:
    sha = git(sandbox_repo, "rev-parse", "main")
    runs = f"/repos/{FULL_NAME}/check-runs"
    output = {"title": "t", "summary": "s", "annotations": [ANNOTATION] * 50}
    ok = api("POST", runs, {"name": "docs", "head_sha": sha, "output": output})
    assert ok.status_code == 201
    assert ok.json()["output"]["annotations_count"] == 50
    too_many = {**output, "annotations": [ANNOTATION] * 51}
    _error(
        api("PATCH", f"{runs}/{ok.json()['id']}", {"output": too_many}),
        422,
        "Only 50 annotations are allowed per request",
    )
    _error(
        api("POST", runs, {"name": "docs", "head_sha": "f" * 40}),
        422,
        f"No commit found for SHA: {'f' * 40}",
    )
    bad = _error(
        api("POST", runs, {"name": "docs", "head_sha": sha, "conclusion": "great"}),
        422,
        "Validation Failed",
    )
    assert bad["errors"][0]["field"] == "conclusion"


def test_reaction_content_is_validated(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.admin("POST", "/_sandbox/issues", {"repo": FULL_NAME, "user": "ann", "title": "i"})
    reactions = f"/repos/{FULL_NAME}/issues/1/reactions"
    _error(api("POST", reactions, {"content": "party"}), 422, "Validation Failed")
    assert api("POST", reactions, {"content": "eyes"}).status_code == 201
    assert api("POST", reactions, {"content": "eyes"}).status_code == 200


def test_every_response_carries_rate_limit_headers_that_count_down(api: Api) -> None:
    seen = []
    for path in (f"/repos/{FULL_NAME}", "/repos/octo/missing", f"/repos/{FULL_NAME}/pulls"):
        resp = api("GET", path)
        assert resp.headers["x-ratelimit-limit"] == "5000"
        assert resp.headers["x-ratelimit-resource"] == "core"
        assert int(resp.headers["x-ratelimit-reset"]) > time.time()
        seen.append(int(resp.headers["x-ratelimit-remaining"]))
    assert seen == [4999, 4998, 4997]


def test_link_header_pages_with_absolute_urls(api: Api, sandbox: SandboxHandle) -> None:
    sandbox.admin("POST", "/_sandbox/issues", {"repo": FULL_NAME, "user": "ann", "title": "i"})
    for n in range(5):
        sandbox.admin(
            "POST",
            f"/_sandbox/repos/{FULL_NAME}/issues/1/comments",
            {"user": "ann", "body": str(n)},
        )
    first = api("GET", f"/repos/{FULL_NAME}/issues/1/comments?per_page=2")
    assert [c["body"] for c in first.json()] == ["0", "1"]
    links = requests.utils.parse_header_links(first.headers["Link"])
    by_rel = {link["rel"]: link["url"] for link in links}
    assert set(by_rel) == {"next", "last"}
    assert by_rel["next"].startswith(f"{sandbox.api_url}/repos/{FULL_NAME}/issues/1/comments?")
    last = api("GET", by_rel["last"].removeprefix(sandbox.api_url))
    assert [c["body"] for c in last.json()] == ["4"]
    assert {link["rel"] for link in requests.utils.parse_header_links(last.headers["Link"])} == {
        "prev",
        "first",
    }


def test_request_log_records_method_path_status_and_writes(
    api: Api, sandbox: SandboxHandle
) -> None:
    sandbox.clear_request_log()
    api("GET", f"/repos/{FULL_NAME}")
    api("POST", f"/repos/{FULL_NAME}/git/blobs", {"content": "x"})
    api("GET", "/repos/octo/missing")
    log = [(r["method"], r["path"], r["status"], r["write"]) for r in sandbox.request_log()]
    assert log == [
        ("GET", f"/repos/{FULL_NAME}", 200, False),
        ("POST", f"/repos/{FULL_NAME}/git/blobs", 201, True),
        ("GET", "/repos/octo/missing", 404, False),
    ]
    over_http = requests.get(f"{sandbox.api_url}/_sandbox/requests", timeout=10).json()
    assert [r["path"] for r in over_http] == [p for _, p, _, _ in log]


def test_unknown_route_answers_404_and_unhandled_errors_answer_500_in_githubs_shape(
    api: Api, sandbox: SandboxHandle, tmp_path: Path
) -> None:
    assert requests.get(f"{sandbox.api_url}/no/such/route", timeout=10).status_code == 404
    _error(api("GET", "/no/such/route"), 404, "Not Found")
    sandbox.store.repos[FULL_NAME].git.path = tmp_path / "vanished"  # git now fails underneath
    _error(api("GET", f"/repos/{FULL_NAME}/git/ref/heads/main"), 500, "Internal Server Error")
