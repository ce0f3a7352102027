"""The sandbox's answers and webhooks checked against GitHub's own descriptions.

`tests/data/github_schemas.json` is extracted by `scripts/extract_github_schemas.py` from
`@octokit/openapi` (GitHub's REST description) and `@octokit/webhooks-schemas` (MIT). Here:
which operation an answer is (`operation`), what is wrong with it (`answer_problems`,
`delivery_problems`) and how many of the keys GitHub sends it carries (`key_coverage`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from bot.sandbox.observers import Answer, Delivery

DATA = Path(__file__).resolve().parents[1] / "data" / "github_schemas.json"
JSON_TYPE = "application/json; charset=utf-8"
# Path parameters that may hold slashes (refs, file paths, `base...head`).
_SLASHED = {"ref", "path", "basehead", "branch", "tree_sha"}
# Answers GitHub gives on any operation though its description lists them on few:
# bad or missing credentials (401), a rate limit (403/429), a server error (5xx); and on
# any write, 422 for input it refuses.
_ANY_OPERATION = {401, 403, 429, 500, 502, 503}
_ANY_WRITE = {422}
_LINK = re.compile(r'^<[^>]+>; rel="(first|prev|next|last)"$')

# Routes the sandbox serves that GitHub's description no longer names, and why.
UNDESCRIBED = {
    ("GET", re.compile(r"^/repos/[^/]+/[^/]+/git/refs(/.*)?$")): (
        "the legacy list form of git refs; GitHub still answers it and PyGithub's"
        " get_git_refs() calls it, but the description only names matching-refs"
    ),
}


@functools.cache
def schemas() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    responses: dict[str, Any]
    pattern: re.Pattern[str]
    literal: int  # characters outside parameters: the more, the more specific

    def response(self, status: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.responses.get(str(status))
        return found


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    out = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out += re.escape(part)
        else:
            out += ".*" if part in _SLASHED else "[^/]+"
    return re.compile(f"^{out}/?$")


@functools.cache
def operations() -> tuple[Operation, ...]:
    return tuple(
        Operation(
            op["method"],
            op["path"],
            op["operation_id"],
            op["responses"],
            _pattern(op["path"]),
            len(re.sub(r"\{\w+\}", "", op["path"])),
        )
        for op in schemas()["openapi"]["operations"]
    )


def operation(method: str, path: str) -> Operation | None:
    """The most specific described operation this request is, if any."""
    found = [op for op in operations() if op.method == method and op.pattern.match(path)]
    return max(found, key=lambda op: op.literal, default=None)


def undescribed_reason(method: str, path: str) -> str | None:
    for (verb, pattern), reason in UNDESCRIBED.items():
        if verb == method and pattern.match(path):
            return reason
    return None


# Keys GitHub's webhooks carry that @octokit/webhooks-schemas does not name yet, and why
# they are kept: GitHub's REST description names each on the same object.
WEBHOOK_KEYS_NEWER_THAN_SCHEMAS = {
    "user_view_type": "on every user since 2024 (REST simple-user names it)",
}


def _allowed(error: Any, half: str) -> bool:
    """Whether `error` is only keys WEBHOOK_KEYS_NEWER_THAN_SCHEMAS lets through (also
    inside `oneOf`/`anyOf`: some branch fails for nothing else)."""
    if half != "webhooks":
        return False
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        return any(all(_allowed(e, half) for e in errs) for errs in branches.values())
    if error.validator != "additionalProperties":
        return False
    extra = set(error.instance) - set(error.schema.get("properties") or {})
    return extra <= WEBHOOK_KEYS_NEWER_THAN_SCHEMAS.keys()


@functools.cache
def _validator(half: str, schema_json: str) -> Draft7Validator:
    root = {"definitions": schemas()[half]["definitions"], **json.loads(schema_json)}
    return Draft7Validator(root)


def _short(error: Any) -> str:
    """The error's message with the offending value cut short, and for `oneOf`/`anyOf`
    the reasons each branch failed."""
    text = str(error.message)
    if len(text) > 200:
        text = f"{text[:80]} … {text[-100:]}"
    if error.context:
        why = sorted(
            {f"{'/'.join(map(str, e.relative_path))}: {e.message[:80]}" for e in error.context}
        )
        text += " [" + "; ".join(why[:6]) + "]"
    return text


def schema_problems(half: str, schema: dict[str, Any], value: Any) -> list[str]:
    validator = _validator(half, json.dumps(schema, sort_keys=True))
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {_short(e)}"
        for e in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
        if not _allowed(e, half)
    ][:20]


# Where GitHub's description contradicts itself, and what the check does instead.
DESCRIPTION_ERRATA: dict[tuple[str | None, re.Pattern[str]], str] = {
    (None, re.compile(r"^(.*/)?labels/\d+/description: None is not of type 'string'")): (
        "the `label` schema says a label's description may be null, as GitHub sends it for"
        " a label without one; the pull request schemas inline labels saying it may not"
    ),
    ("apps/list-installations", re.compile(r"^\d+/account: ")): (
        "the list inlines the installation with `account: allOf [simple-user, enterprise]`"
        " where the `installation` schema says anyOf; no account is both, so the single"
        " installation's schema (checked on GET /app/installations/{id}) is the one to meet"
    ),
}


def _erratum(op: Operation, problem: str) -> bool:
    return any(
        op_id in (None, op.operation_id) and pattern.match(problem)
        for op_id, pattern in DESCRIPTION_ERRATA
    )


def answer_problems(answer: Answer) -> list[str]:
    """What differs from GitHub's description in this answer (empty when nothing)."""
    where = f"{answer.method} {answer.path} -> {answer.status}"
    headers = {k.lower(): v for k, v in answer.headers}
    problems = []
    if not headers.get("x-github-request-id"):
        problems.append("no x-github-request-id")
    kind = headers.get("content-type", "")
    if answer.body and kind.startswith("application/json") and kind != JSON_TYPE:
        problems.append(f"Content-Type {kind!r}, GitHub says {JSON_TYPE!r}")
    for part in filter(None, (p.strip() for p in headers.get("link", "").split(","))):
        if not _LINK.match(part):
            problems.append(f"malformed Link part {part!r}")
    op = operation(answer.method, answer.path)
    body = json.loads(answer.body) if answer.body and answer.body[:1] in b"[{" else None
    if op is None:
        if answer.status in (404, 405):  # GitHub's answer to a path or verb it does not serve
            problems += schema_problems("openapi", {"$ref": "#/definitions/basic-error"}, body)
        elif undescribed_reason(answer.method, answer.path) is None:
            problems.append("not an operation in GitHub's description")
        return [f"{where}: {p}" for p in problems]
    documented = op.response(answer.status)
    if documented is None:
        expected = _ANY_OPERATION | (_ANY_WRITE if answer.method != "GET" else set())
        if answer.status not in expected and answer.fault is None:
            problems.append(f"status not in the description ({', '.join(op.responses)})")
        if answer.status >= 400:
            error = {"$ref": "#/definitions/basic-error"}
            problems += schema_problems("openapi", error, body)
        return [f"{where}: {p}" for p in problems]
    for name in documented["headers"]:
        if name != "link" and name not in headers:  # Link only when there is another page
            problems.append(f"no {name} header")
    if documented["schema"] is not None:
        found = schema_problems("openapi", documented["schema"], body)
        problems += [p for p in found if not _erratum(op, p)]
    elif answer.status >= 400:  # described without a body, yet GitHub says why it refused
        problems += schema_problems("openapi", {"$ref": "#/definitions/basic-error"}, body)
    elif answer.body and answer.status != 302:
        problems.append("a body where GitHub sends none")
    return [f"{where}: {p}" for p in problems]


def delivery_schema(event: str, action: str | None) -> dict[str, Any] | None:
    events = schemas()["webhooks"]["events"].get(event)
    if events is None:
        return None
    ref = events.get(action or "")
    return {"$ref": ref} if ref else None


def delivery_problems(delivery: Delivery) -> list[str]:
    action = delivery.payload.get("action")
    where = f"webhook {delivery.event}" + (f".{action}" if action else "")
    schema = delivery_schema(delivery.event, action)
    if schema is None:
        return [f"{where}: not an event the extracted schemas hold"]
    return [f"{where}: {p}" for p in schema_problems("webhooks", schema, delivery.payload)]


# --- coverage of the keys GitHub sends -------------------------------------------------


def _resolve(half: str, schema: Any, value: Any) -> tuple[str | None, dict[str, Any]]:
    """(definition name, schema) for `value`: references followed, `allOf` merged, and of
    `anyOf`/`oneOf` the branch `value` satisfies (else the first that is an object)."""
    name = None
    defs = schemas()[half]["definitions"]
    for _ in range(50):
        if not isinstance(schema, dict):
            return name, {}
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = defs[name]
            continue
        if "allOf" in schema:
            merged: dict[str, Any] = {"properties": {}}
            for part in schema["allOf"]:
                part_name, part_schema = _resolve(half, part, value)
                name = name or part_name
                merged["properties"].update(part_schema.get("properties", {}))
            return name, merged
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            fitting = [
                b
                for b in branches
                if b.get("type") != "null" and not schema_problems(half, b, value)
            ] or [b for b in branches if b.get("type") != "null"]
            schema = fitting[0] if fitting else {}
            continue
        return name, schema
    return name, {}


@dataclass(frozen=True)
class Coverage:
    """Of the keys a schema names for one object, which this body carries."""

    where: str  # a JSON path in the body, `[]` for list items
    schema: str | None
    present: frozenset[str]
    named: frozenset[str]

    @property
    def missing(self) -> frozenset[str]:
        return self.named - self.present

    @property
    def share(self) -> float:
        return len(self.present & self.named) / len(self.named) if self.named else 1.0


def key_coverage(half: str, schema: Any, value: Any, where: str = "") -> Iterator[Coverage]:
    """Coverage of every object in `value` whose schema names its keys, outermost first."""
    name, resolved = _resolve(half, schema, value)
    if isinstance(value, list):
        items = resolved.get("items")
        if items is not None:
            for item in value:
                yield from key_coverage(half, items, item, f"{where}[]")
        return
    if not isinstance(value, dict):
        return
    properties = resolved.get("properties") or {}
    if properties:
        label = f"webhook {name}" if name and half == "webhooks" else name
        yield Coverage(where or "(body)", label, frozenset(value), frozenset(properties))
    for key, sub in properties.items():
        # Maps, not records: only granted permissions are listed, only changed fields.
        if key in ("permissions", "changes"):
            continue
        if key in value and value[key] is not None:
            yield from key_coverage(half, sub, value[key], f"{where}.{key}" if where else key)


def problems(seen: list[Answer | Delivery]) -> list[str]:
    """Every difference in these answers and deliveries, and request ids seen twice."""
    found: list[str] = []
    ids: dict[str, str] = {}
    for item in list(seen):
        if isinstance(item, Delivery):
            found += delivery_problems(item)
            continue
        found += answer_problems(item)
        rid = dict((k.lower(), v) for k, v in item.headers).get("x-github-request-id", "")
        if rid in ids:
            found.append(f"{item.method} {item.path}: request id {rid} also on {ids[rid]}")
        ids.setdefault(rid, f"{item.method} {item.path}")
    return found


def body_coverage(item: Answer | Delivery) -> list[tuple[str, Coverage]]:
    """(what, coverage) of every described object in a successful answer or a delivery;
    `what` is the operation (`GET /repos/{owner}/{repo}`) or the event (`push`)."""
    if isinstance(item, Delivery):
        action = item.payload.get("action")
        schema = delivery_schema(item.event, action)
        if schema is None:
            return []
        what = f"webhook {item.event}" + (f".{action}" if action else "")
        return [(what, c) for c in key_coverage("webhooks", schema, item.payload)]
    op = operation(item.method, item.path)
    documented = op.response(item.status) if op else None
    if op is None or documented is None or documented["schema"] is None or item.status >= 300:
        return []
    body = json.loads(item.body) if item.body[:1] in b"[{" else None
    what = f"{op.method} {op.path}"
    return [(what, c) for c in key_coverage("openapi", documented["schema"], body)]


@dataclass
class Tally:
    """Coverage gathered over many answers: the lowest share and every key ever missing."""

    count: int = 0
    lowest: float = 1.0
    missing: frozenset[str] = frozenset()
    named: int = 0

    def add(self, c: Coverage) -> None:
        self.count += 1
        self.lowest = min(self.lowest, c.share)
        self.missing |= c.missing
        self.named = max(self.named, len(c.named))


def tally(seen: list[Answer | Delivery]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """(per operation or event: its top-level object; per schema name: every nested one)."""
    top: dict[str, Tally] = {}
    nested: dict[str, Tally] = {}
    for item in seen:
        for what, c in body_coverage(item):
            if c.where in ("(body)", "[]"):
                top.setdefault(what, Tally()).add(c)
            elif c.schema:
                nested.setdefault(c.schema, Tally()).add(c)
    return top, nested


def render_tally(top: dict[str, Tally], nested: dict[str, Tally]) -> str:
    lines = ["| operation or event | answers | lowest share of GitHub's keys | missing |"]
    lines.append("|---|---|---|---|")
    for what, t in sorted(top.items()):
        lines.append(
            f"| {what} | {t.count} | {t.lowest:.0%} of {t.named} | {' '.join(sorted(t.missing))} |"
        )
    lines += ["", "| nested schema | objects | lowest share | missing |", "|---|---|---|---|"]
    for what, t in sorted(nested.items()):
        lines.append(
            f"| {what} | {t.count} | {t.lowest:.0%} of {t.named} | {' '.join(sorted(t.missing))} |"
        )
    return "\n".join(lines) + "\n"
