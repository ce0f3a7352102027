#!/usr/bin/env python3
"""Extract, from GitHub's own descriptions, the response and webhook schemas the sandbox
answers with, into one small JSON file the tests read (no network at test time).

Sources (both MIT, Copyright (c) Octokit contributors):
- `@octokit/openapi`: GitHub's OpenAPI description of api.github.com
  (`generated/api.github.com.json`, from github/rest-api-description);
- `@octokit/webhooks-schemas`: the webhook payload schemas (`schema.json`, JSON Schema draft 7).

    python scripts/extract_github_schemas.py --npm            # npm pack the pinned versions
    python scripts/extract_github_schemas.py --openapi PATH --webhooks PATH

Only the operations in OPERATIONS and the events in EVENTS are kept, with every schema they
reach (by `$ref`, kept as `#/definitions/<name>` so cycles stay finite), pruned to the
keywords a validator needs. OpenAPI 3.0's `nullable` is rewritten as JSON Schema draft 7
says it (`"type": [..., "null"]`), so one draft-7 validator reads both halves.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "github_schemas.json"
OPENAPI_PACKAGE = "@octokit/openapi@23.0.2"
WEBHOOKS_PACKAGE = "@octokit/webhooks-schemas@7.6.1"
OPENAPI_FILE = "package/generated/api.github.com.json"
WEBHOOKS_FILE = "package/schema.json"
LICENCE = (
    "Pruned subsets of @octokit/openapi (GitHub's REST API description, from"
    " github/rest-api-description) and @octokit/webhooks-schemas (octokit/webhooks)."
    " MIT License. Copyright (c) 2020 Octokit contributors. Permission is hereby granted,"
    " free of charge, to any person obtaining a copy of this software and associated"
    ' documentation files (the "Software"), to deal in the Software without restriction,'
    " including without limitation the rights to use, copy, modify, merge, publish,"
    " distribute, sublicense, and/or sell copies of the Software, and to permit persons to"
    " whom the Software is furnished to do so, subject to the following conditions: The"
    " above copyright notice and this permission notice (including the next paragraph)"
    " shall be included in all copies or substantial portions of the Software. THE SOFTWARE"
    ' IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT'
    " NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND"
    " NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY"
    " CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE,"
    " ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN"
    " THE SOFTWARE."
)

# Every REST operation the sandbox serves (bot/sandbox/api_*.py), as GitHub's description
# names its path. The bot's own calls (bot/github/) are a subset.
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("get", "/app"),
    ("get", "/app/installations"),
    ("get", "/app/installations/{installation_id}"),
    ("post", "/app/installations/{installation_id}/access_tokens"),
    ("post", "/app-manifests/{code}/conversions"),
    ("get", "/installation/repositories"),
    ("get", "/orgs/{org}/installation"),
    ("get", "/users/{username}/installation"),
    ("get", "/users/{username}"),
    ("get", "/rate_limit"),
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/installation"),
    ("get", "/repos/{owner}/{repo}/branches"),
    ("get", "/repos/{owner}/{repo}/branches/{branch}"),
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("get", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("get", "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("get", "/repos/{owner}/{repo}/commits"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("get", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("post", "/repos/{owner}/{repo}/git/blobs"),
    ("get", "/repos/{owner}/{repo}/git/blobs/{file_sha}"),
    ("post", "/repos/{owner}/{repo}/git/commits"),
    ("get", "/repos/{owner}/{repo}/git/commits/{commit_sha}"),
    ("get", "/repos/{owner}/{repo}/git/matching-refs/{ref}"),
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("post", "/repos/{owner}/{repo}/git/refs"),
    ("patch", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("delete", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("post", "/repos/{owner}/{repo}/git/trees"),
    ("get", "/repos/{owner}/{repo}/git/trees/{tree_sha}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("patch", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("put", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/reactions"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/reactions"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/reactions/{reaction_id}"),
    ("get", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("post", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions/{reaction_id}"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/commits"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("get", "/repos/{owner}/{repo}/tarball/{ref}"),
)

# Every webhook the sandbox delivers (bot/sandbox/webhooks.py), as event -> actions.
EVENTS: dict[str, tuple[str, ...]] = {
    "installation": ("created", "deleted", "new_permissions_accepted", "suspend", "unsuspend"),
    "installation_repositories": ("added",),
    "issue_comment": ("created", "deleted", "edited"),
    "issues": ("opened",),
    "pull_request": ("closed", "edited", "opened", "reopened", "synchronize"),
    "push": (),
}

# What a validator needs; descriptions, examples, titles and formats are left behind.
KEEP = (
    "type",
    "properties",
    "required",
    "items",
    "enum",
    "const",
    "oneOf",
    "anyOf",
    "allOf",
    "additionalProperties",
    "$ref",
)


class Pruner:
    """Copies schemas keeping only KEEP, collecting every definition they reach."""

    def __init__(self, lookup: dict[str, Any], prefix: str, openapi: bool) -> None:
        self.lookup = lookup  # definition name -> raw schema
        self.prefix = prefix  # how the source spells a reference to a definition
        self.openapi = openapi
        self.definitions: dict[str, Any] = {}

    def definition(self, name: str) -> str:
        if name not in self.lookup:
            raise SystemExit(f"unknown schema {name!r}")
        if name not in self.definitions:
            self.definitions[name] = {}  # placeholder first: cycles end here
            self.definitions[name] = self.prune(self.lookup[name])
        return f"#/definitions/{name}"

    def prune(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            ref = str(schema["$ref"])
            if not ref.startswith(self.prefix):
                raise SystemExit(f"unexpected reference {ref!r}")
            return {"$ref": self.definition(ref.removeprefix(self.prefix))}
        out: dict[str, Any] = {}
        for key in KEEP:
            if key not in schema:
                continue
            value = schema[key]
            if key == "properties":
                out[key] = {name: self.prune(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties"):
                out[key] = self.prune(value)
            elif key in ("oneOf", "anyOf", "allOf"):
                out[key] = [self.prune(sub) for sub in value]
            else:
                out[key] = value
        if self.openapi and schema.get("nullable"):
            out = _nullable(out)
        return out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0 `nullable: true` said in draft 7."""
    if "enum" in schema and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if kind is None:
        return {"anyOf": [{"type": "null"}, schema]}
    return schema


def _response(pruner: Pruner, components: dict[str, Any], answer: dict[str, Any]) -> Any:
    if "$ref" in answer:
        answer = components["responses"][answer["$ref"].rsplit("/", 1)[-1]]
    content = answer.get("content") or {}
    media = content.get("application/json") or content.get("application/scim+json")
    headers = sorted(name.lower() for name in answer.get("headers") or {})
    body = pruner.prune(media["schema"]) if media and "schema" in media else None
    return {"headers": headers, "schema": body}


def extract(openapi: dict[str, Any], webhooks: dict[str, Any]) -> dict[str, Any]:
    components = openapi["components"]
    rest = Pruner(components["schemas"], "#/components/schemas/", openapi=True)
    operations = []
    for method, path in OPERATIONS:
        op = (openapi["paths"].get(path) or {}).get(method)
        if op is None:
            raise SystemExit(f"{method.upper()} {path} is not in GitHub's description")
        responses = {
            status: _response(rest, components, answer)
            for status, answer in sorted(op["responses"].items())
        }
        operations.append(
            {
                "method": method.upper(),
                "path": path,
                "operation_id": op["operationId"],
                "responses": responses,
            }
        )
    hooks = Pruner(webhooks["definitions"], "#/definitions/", openapi=False)
    events: dict[str, dict[str, str]] = {}
    for event, actions in sorted(EVENTS.items()):
        names = {a: f"{event}${a}" for a in actions} if actions else {"": f"{event}$event"}
        events[event] = {action: hooks.definition(name) for action, name in names.items()}
    return {
        "openapi": {
            "definitions": dict(sorted(rest.definitions.items())),
            "operations": operations,
        },
        "webhooks": {"definitions": dict(sorted(hooks.definitions.items())), "events": events},
    }


def _dump(value: Any, depth: int = 0) -> str:
    """JSON with one schema (or operation) a line: small, yet a re-run diffs readably."""
    if depth < 3 and isinstance(value, dict) and value:
        pad = " " * (depth + 1)
        items = [f"{pad}{json.dumps(k)}: {_dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}" + ("\n" if not depth else "")
    if depth < 2 and isinstance(value, list) and value:
        pad = " " * (depth + 1)
        items = [f"{pad}{_dump(v, 3)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
    return json.dumps(value, separators=(",", ":"))


def _npm_pack(spec: str, member: str, into: Path) -> Path:
    """`npm pack` one package into `into` and unpack the one file we read."""
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    with tarfile.open(into / out) as tar:
        tar.extract(member, into, filter="data")
    return into / member


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--openapi", type=Path, help="api.github.com.json of @octokit/openapi")
    parser.add_argument("--webhooks", type=Path, help="schema.json of @octokit/webhooks-schemas")
    parser.add_argument("--npm", action="store_true", help="npm pack the pinned packages")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="github-schemas-") as tmp:
        if args.npm:
            args.openapi = _npm_pack(OPENAPI_PACKAGE, OPENAPI_FILE, Path(tmp))
            args.webhooks = _npm_pack(WEBHOOKS_PACKAGE, WEBHOOKS_FILE, Path(tmp))
        if args.openapi is None or args.webhooks is None:
            parser.error("give --openapi and --webhooks, or --npm")
        openapi = json.loads(args.openapi.read_text(encoding="utf-8"))
        webhooks = json.loads(args.webhooks.read_text(encoding="utf-8"))
    data = {
        "sources": {
            "openapi": {
                "package": OPENAPI_PACKAGE,
                "file": OPENAPI_FILE,
                "version": openapi["info"]["version"],
            },
            "webhooks": {"package": WEBHOOKS_PACKAGE, "file": WEBHOOKS_FILE},
            "license": LICENCE,
            "generated_by": "scripts/extract_github_schemas.py",
        },
        **extract(openapi, webhooks),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_dump(data), encoding="utf-8")
    print(f"{args.out}: {len(data['openapi']['operations'])} operations, {len(EVENTS)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
