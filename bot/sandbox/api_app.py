"""The app and its installation, collaborator permissions and check runs.

References: https://docs.github.com/en/rest/apps/apps, https://docs.github.com/en/rest/apps/installations,
https://docs.github.com/en/rest/collaborators/collaborators, https://docs.github.com/en/rest/checks/runs.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from bot.sandbox import accounts, shapes
from bot.sandbox.accounts import public_user
from bot.sandbox.auth import issue_token
from bot.sandbox.rest import (
    ApiError,
    base_url,
    created,
    ctx,
    find_repo,
    invalid,
    not_found,
    paginate,
)
from bot.sandbox.rest import body as json_body
from bot.sandbox.store import INSTALLATION_ID, CheckRun, Repo, iso

bp = Blueprint("app", __name__)

DOC_TOKENS = "https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app"
DOC_CHECKS = "https://docs.github.com/rest/checks/runs"
MAX_ANNOTATIONS = 50  # per request: https://docs.github.com/en/rest/checks/runs#update-a-check-run
STATUSES = ("queued", "in_progress", "completed", "waiting", "requested", "pending")
CONCLUSIONS = (
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
)
ANNOTATION_LEVELS = ("notice", "warning", "failure")
# Collaborator permission → the legacy `permission` field GitHub still sends alongside role_name.
LEGACY_PERMISSION = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}


@bp.get("/app")
def get_app() -> Any:
    # Only the app itself is told how many installations it has.
    return jsonify({**accounts.app(base_url(), ctx().store), "installations_count": 1})


@bp.get("/app/installations")
def list_installations() -> Any:
    return paginate([accounts.installation(base_url(), ctx().store)])


@bp.get("/app/installations/<int:installation_id>")
def get_installation(installation_id: int) -> Any:
    if installation_id != INSTALLATION_ID:
        not_found(
            "https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app"
        )
    return jsonify(accounts.installation(base_url(), ctx().store))


@bp.post("/app/installations/<int:installation_id>/access_tokens")
def create_token(installation_id: int) -> Any:
    if installation_id != INSTALLATION_ID:
        not_found(DOC_TOKENS)
    token, expires = issue_token(ctx().store, ctx().token_ttl)
    return created(
        {
            "token": token,
            "expires_at": iso(expires),
            "permissions": accounts.PERMISSIONS,
            "repository_selection": "all",
        }
    )


@bp.get("/repos/<owner>/<name>/installation")
@bp.get("/orgs/<owner>/installation")
@bp.get("/users/<owner>/installation")
def repo_installation(owner: str, name: str | None = None) -> Any:
    if name is not None:
        find_repo(owner, name)
    elif not any(r.owner.lower() == owner.lower() for r in ctx().store.repos.values()):
        not_found()
    return jsonify(accounts.installation(base_url(), ctx().store))


@bp.get("/installation/repositories")
def installation_repositories() -> Any:
    # https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation
    store = ctx().store
    repos = sorted(store.repos.values(), key=lambda r: r.full_name)
    resp = paginate(
        [{**shapes.repository(base_url(), store, r), "custom_properties": {}} for r in repos]
    )
    page = resp.get_json()
    resp.set_data(
        jsonify(
            {"total_count": len(repos), "repository_selection": "all", "repositories": page}
        ).get_data()
    )
    return resp


@bp.get("/users/<login>")
def get_user(login: str) -> Any:
    store = ctx().store
    found = store.users.get(login.lower())
    if found is None:
        not_found("https://docs.github.com/rest/users/users#get-a-user")
    return jsonify(public_user(base_url(), store, found))


@bp.get("/rate_limit")
def rate_limit() -> Any:
    # https://docs.github.com/en/rest/rate-limit/rate-limit (not counted against the limit)
    reset = int(ctx().store.clock()) + 3600
    core = {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset}
    resources = {
        "core": core,
        "search": {"limit": 30, "used": 0, "remaining": 30, "reset": reset},
        "graphql": {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset},
        "integration_manifest": {"limit": 5000, "used": 0, "remaining": 5000, "reset": reset},
        "code_search": {"limit": 10, "used": 0, "remaining": 10, "reset": reset},
        **{
            name: {"limit": limit, "used": 0, "remaining": limit, "reset": reset}
            for name, limit in (
                ("source_import", 100),
                ("actions_runner_registration", 10000),
                ("scim", 15000),
                ("dependency_snapshots", 100),
                ("dependency_sbom", 100),
                ("code_scanning_autofix", 10),
                ("copilot_usage_records", 5000),
            )
        },
    }
    return jsonify({"resources": resources, "rate": core})


@bp.get("/repos/<owner>/<name>/collaborators/<login>/permission")
def collaborator_permission(owner: str, name: str, login: str) -> Any:
    r, store = find_repo(owner, name), ctx().store
    found = store.users.get(login.lower())
    if found is None:
        not_found(
            "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user"
        )
    role = store.permission(r, login)
    u = shapes.user(base_url(), found)
    rank = ("read", "triage", "write", "maintain", "admin")
    have = rank.index(role) if role in rank else -1
    u["permissions"] = {
        "admin": have >= 4,
        "maintain": have >= 3,
        "push": have >= 2,
        "triage": have >= 1,
        "pull": have >= 0,
    }
    u["role_name"] = role
    return jsonify({"permission": LEGACY_PERMISSION[role], "role_name": role, "user": u})


# --- check runs ------------------------------------------------------------------------------


def _annotations(output: Any, doc: str) -> list[dict[str, Any]]:
    if not isinstance(output, dict):
        return []
    items = output.get("annotations") or []
    if not isinstance(items, list):
        invalid("CheckRun", "output.annotations", "invalid", doc)
    if len(items) > MAX_ANNOTATIONS:
        raise ApiError(422, f"Only {MAX_ANNOTATIONS} annotations are allowed per request", doc)
    for item in items:
        for key in ("path", "start_line", "end_line", "annotation_level", "message"):
            if not isinstance(item, dict) or key not in item:
                invalid("CheckRun", f"output.annotations.{key}", doc=doc)
        if item["annotation_level"] not in ANNOTATION_LEVELS:
            invalid("CheckRun", "output.annotations.annotation_level", "invalid", doc)
    return [dict(item) for item in items]


def _apply(run: CheckRun, data: dict[str, Any], doc: str) -> None:
    """Apply create/update fields; a conclusion implies `completed`, as on GitHub."""
    status, conclusion = data.get("status"), data.get("conclusion")
    if status is not None and status not in STATUSES:
        invalid("CheckRun", "status", "invalid", doc)
    if conclusion is not None and conclusion not in CONCLUSIONS:
        invalid("CheckRun", "conclusion", "invalid", doc)
    if status == "completed" and conclusion is None and run.conclusion is None:
        invalid("CheckRun", "conclusion", doc=doc)
    annotations = _annotations(data.get("output"), doc)
    now = ctx().store.now()
    if conclusion is not None:
        run.conclusion, run.status = conclusion, "completed"
        run.completed_at = str(data.get("completed_at") or now)
    elif status is not None:
        run.status = status
    if "name" in data:
        run.name = str(data["name"])
    for key in ("details_url", "external_id", "started_at"):
        if key in data:
            setattr(run, key, data[key])
    if isinstance(data.get("output"), dict):
        out = data["output"]
        run.output.update({k: out[k] for k in ("title", "summary", "text") if k in out})
        run.annotations.extend(annotations)


@bp.post("/repos/<owner>/<name>/check-runs")
def create_check_run(owner: str, name: str) -> Any:
    r, store, data = find_repo(owner, name), ctx().store, json_body()
    doc = f"{DOC_CHECKS}#create-a-check-run"
    for key in ("name", "head_sha"):
        if not isinstance(data.get(key), str):
            invalid("CheckRun", key, doc=doc)
    sha = r.git.resolve(data["head_sha"])
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {data['head_sha']}", doc)
    if isinstance(data.get("output"), dict) and "summary" not in data["output"]:
        invalid("CheckRun", "output.summary", doc=doc)
    run = CheckRun(
        store.next_id(), r.full_name, data["name"], sha, "queued", None, store.now(), None
    )
    _apply(run, data, doc)
    with store.lock:
        store.check_runs[run.id] = run
    return created(shapes.check_run(base_url(), store, r, run))


def _run(r: Repo, run_id: int) -> CheckRun:
    run = ctx().store.check_runs.get(run_id)
    if run is None or run.repo != r.full_name:
        not_found(f"{DOC_CHECKS}#get-a-check-run")
    return run


@bp.patch("/repos/<owner>/<name>/check-runs/<int:run_id>")
def update_check_run(owner: str, name: str, run_id: int) -> Any:
    r, store = find_repo(owner, name), ctx().store
    run = _run(r, run_id)
    with store.lock:
        _apply(run, json_body(), f"{DOC_CHECKS}#update-a-check-run")
    return jsonify(shapes.check_run(base_url(), store, r, run))


@bp.get("/repos/<owner>/<name>/check-runs/<int:run_id>")
def get_check_run(owner: str, name: str, run_id: int) -> Any:
    r = find_repo(owner, name)
    return jsonify(shapes.check_run(base_url(), ctx().store, r, _run(r, run_id)))


@bp.get("/repos/<owner>/<name>/check-runs/<int:run_id>/annotations")
def check_run_annotations(owner: str, name: str, run_id: int) -> Any:
    # https://docs.github.com/en/rest/checks/runs#list-check-run-annotations
    r = find_repo(owner, name)
    run = _run(r, run_id)
    blob = f"{base_url()}/{r.full_name}/blob/{run.head_sha}"
    return paginate(
        [
            {
                "path": a["path"],
                "blob_href": f"{blob}/{a['path']}",
                "start_line": a["start_line"],
                "start_column": a.get("start_column"),
                "end_line": a["end_line"],
                "end_column": a.get("end_column"),
                "annotation_level": a["annotation_level"],
                "title": a.get("title"),
                "message": a["message"],
                "raw_details": a.get("raw_details"),
            }
            for a in run.annotations
        ]
    )


@bp.get("/repos/<owner>/<name>/commits/<path:ref>/check-runs")
def check_runs_for_ref(owner: str, name: str, ref: str) -> Any:
    r, store = find_repo(owner, name), ctx().store
    sha = r.git.resolve(ref)
    if sha is None:
        raise ApiError(
            422,
            f"No commit found for SHA: {ref}",
            f"{DOC_CHECKS}#list-check-runs-for-a-git-reference",
        )
    name_filter, status_filter = request.args.get("check_name"), request.args.get("status")
    with store.lock:
        runs = [
            c
            for c in sorted(store.check_runs.values(), key=lambda c: c.id, reverse=True)
            if c.repo == r.full_name
            and c.head_sha == sha
            and (name_filter is None or c.name == name_filter)
            and (status_filter is None or c.status == status_filter)
        ]
        items = [shapes.check_run(base_url(), store, r, c) for c in runs]
    resp = paginate(items)
    resp.set_data(jsonify({"total_count": len(items), "check_runs": resp.get_json()}).get_data())
    return resp
