"""Generated webhook deliveries, bad and good, for the hostile-input test and `bench/soak.py`.

Every delivery says what it is (`kind`), whether it carries a valid signature (`signed`),
and which answers are acceptable. Forgeries (anything not signed with the secret over
exactly this body) must be refused; signed but malformed ones must be refused or ignored
without a 5xx; valid ones must be accepted.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from typing import Any

from bot.app.webhooks import sign

MAX_BODY = 25 * 1024 * 1024
FORGED = "forged"  # a marker inside every forged payload: none may ever be queued
WRONG_TYPES: tuple[Any, ...] = (
    None,
    0,
    -1,
    10**40,
    1.5,
    True,
    "",
    "x" * 300,
    [],
    {},
    [1],
    {"a": 1},
)


@dataclass
class Delivery:
    kind: str
    event: str | None
    delivery_id: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    signed: bool = False  # a valid signature with the secret over exactly `body`
    expect: frozenset[int] = frozenset()  # acceptable answers (0: the connection was cut)

    @property
    def forged(self) -> bool:
        return not self.signed


def templates(repo: str, installation: int) -> dict[str, dict[str, Any]]:
    """One valid payload per routed event, shaped like GitHub's."""
    repository = {"full_name": repo, "default_branch": "main", "name": repo.split("/")[1]}
    sender = {"login": "mallory", "type": "User"}
    inst = {"id": installation}
    return {
        "push": {
            "ref": "refs/heads/mut",
            "before": "a" * 40,
            "after": "b" * 40,
            "deleted": False,
            "repository": repository,
            "installation": inst,
            "sender": sender,
        },
        "pull_request": {
            "action": "opened",
            "number": 9999,
            "pull_request": {
                "number": 9999,
                "state": "open",
                "head": {"ref": "feature", "sha": "c" * 40},
                "base": {"ref": "main"},
            },
            "repository": repository,
            "installation": inst,
            "sender": sender,
        },
        "issue_comment": {
            "action": "created",
            "issue": {"number": 9999, "pull_request": {"url": "x"}},
            "comment": {
                "id": 77,
                "body": "/refresh-docs",
                "user": sender,
                "author_association": "NONE",
            },
            "repository": repository,
            "installation": inst,
            "sender": sender,
        },
        "installation": {
            "action": "created",
            "installation": inst,
            "repositories": [{"full_name": "mallory/none"}],
            "sender": sender,
        },
        "installation_repositories": {
            "action": "added",
            "installation": inst,
            "repositories_added": [{"full_name": "mallory/none"}],
            "sender": sender,
        },
    }


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


DELETE = object()  # `with_field`: remove the field instead of setting it


def field_paths(payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every field of a payload, nested ones included, as key paths."""
    return _paths(payload)


def with_field(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of `payload` with the field at `path` set to `value` (or removed: DELETE)."""
    out = copy.deepcopy(payload)
    parent: Any = out
    for step in path[:-1]:
        parent = parent[step]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(value)
    return out


def mutate(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Delete a field or give it a value of the wrong type, one to three times."""
    out = copy.deepcopy(payload)
    for _ in range(rng.randint(1, 3)):
        paths = _paths(out)
        if not paths:
            break
        path = rng.choice(paths)
        parent: Any = out
        for step in path[:-1]:
            parent = parent[step]
        if rng.random() < 0.4 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(WRONG_TYPES))
    return out


def _headers(event: str | None, delivery_id: str, signature: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "X-GitHub-Delivery": delivery_id}
    if event is not None:
        headers["X-GitHub-Event"] = event
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return headers


def valid_push(n: int, repo: str, installation: int, secret: str) -> Delivery:
    """A good push to its own branch (each queues its own job)."""
    payload = templates(repo, installation)["push"]
    payload["ref"] = f"refs/heads/valid-{n}"
    body = json.dumps(payload).encode()
    delivery_id = f"valid-{n}"
    return Delivery(
        "valid",
        "push",
        delivery_id,
        body,
        _headers("push", delivery_id, sign(body, secret)),
        signed=True,
        expect=frozenset({202}),
    )


def bad_delivery(
    n: int, rng: random.Random, repo: str, installation: int, secret: str, future_id: str
) -> Delivery:
    """One bad delivery of a kind chosen by `n` (so every kind comes up evenly)."""
    kinds = (
        "no-signature",
        "garbled-signature",
        "wrong-secret",
        "sha1-signature",
        "signature-of-other-body",
        "truncated-forged",
        "truncated-signed",
        "not-json",
        "not-utf8",
        "not-an-object",
        "deeply-nested",
        "unknown-event",
        "no-event-header",
        "wrong-fields",
        "forged-reusing-a-valid-id",
    )
    kind = kinds[n % len(kinds)]
    forms = templates(repo, installation)
    event = rng.choice(sorted(forms))
    payload = copy.deepcopy(forms[event])
    payload[FORGED] = True
    payload.setdefault("ref", f"refs/heads/{FORGED}-{n}")
    body = json.dumps(payload).encode()
    delivery_id = f"bad-{n}"
    refused = frozenset({401})
    if kind == "no-signature":
        return Delivery(
            kind, event, delivery_id, body, _headers(event, delivery_id, None), False, refused
        )
    if kind == "garbled-signature":
        garbled = rng.choice(
            [
                "sha256=",
                "sha256=" + "z" * 64,
                "sha256=" + sign(body, secret)[7:39],
                "sha256=" + sign(body, secret)[7:].upper(),
                "SHA256=" + sign(body, secret)[7:],
                " ",
                "sha256=" + "0" * 64,
                "md5=" + hashlib.md5(body).hexdigest(),  # noqa: S324 - a forger's guess
            ]
        )
        return Delivery(
            kind, event, delivery_id, body, _headers(event, delivery_id, garbled), False, refused
        )
    if kind == "wrong-secret":
        bad = sign(body, secret + "x")
        return Delivery(
            kind, event, delivery_id, body, _headers(event, delivery_id, bad), False, refused
        )
    if kind == "sha1-signature":
        sha1 = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
        return Delivery(
            kind, event, delivery_id, body, _headers(event, delivery_id, sha1), False, refused
        )
    if kind == "signature-of-other-body":
        other = sign(body.replace(b"mallory", b"alice"), secret)
        return Delivery(
            kind, event, delivery_id, body, _headers(event, delivery_id, other), False, refused
        )
    if kind == "truncated-forged":
        cut = body[: rng.randint(0, len(body) - 1)]
        return Delivery(
            kind,
            event,
            delivery_id,
            cut,
            _headers(event, delivery_id, sign(body, secret)),
            False,
            refused,
        )
    if kind == "forged-reusing-a-valid-id":
        bad = sign(body, "guess")
        return Delivery(
            kind, event, future_id, body, _headers(event, future_id, bad), False, refused
        )
    # Signed with the secret: not forgeries (only the secret's holder can send them), but
    # still malformed — refused or ignored, never a 5xx and never a crash.
    ignored_or_refused = frozenset({204, 400})
    if kind == "truncated-signed":
        raw = body[: rng.randint(0, len(body) - 1)]
    elif kind == "not-json":
        raw = rng.choice([b"", b"{", b"ref=refs/heads/main", b"\x00\x01\x02", b"{'a': 1}", b"NaN"])
    elif kind == "not-utf8":
        raw = b'{"ref": "\xff\xfe"}'
    elif kind == "not-an-object":
        raw = rng.choice([b"[]", b"[1, 2]", b'"push"', b"42", b"null", b"true"])
    elif kind == "deeply-nested":
        depth = rng.choice([5_000, 100_000])
        raw = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    elif kind == "unknown-event":
        event = rng.choice(["star", "fork", "workflow_run", "x" * 200, "push ", "../push", "PUSH"])
        raw = body
        ignored_or_refused = frozenset({204})
    elif kind == "no-event-header":
        raw, event = body, None
        ignored_or_refused = frozenset({400})
    else:  # wrong-fields: a routed event whose fields are missing or of the wrong type
        raw = json.dumps(mutate(payload, rng)).encode()
        ignored_or_refused = frozenset({200, 202, 204, 400})
    if kind == "unknown-event" and event == "push ":
        ignored_or_refused = frozenset({202, 204, 400})  # stripped: a routed event after all
    return Delivery(
        kind,
        event,
        delivery_id,
        raw,
        _headers(event, delivery_id, sign(raw, secret)),
        signed=True,
        expect=ignored_or_refused,
    )


def oversized(n: int, secret: str) -> Delivery:
    """A body one byte over GitHub's cap; refused with 413, or cut off while sending."""
    body = b'{"ref": "' + b"x" * (MAX_BODY - 10) + b'"}'
    delivery_id = f"huge-{n}"
    return Delivery(
        "over-cap",
        "push",
        delivery_id,
        body,
        _headers("push", delivery_id, sign(body, secret)),
        signed=True,
        expect=frozenset({413, 0}),
    )


def deliveries(
    bad: int, valid: int, repo: str, installation: int, secret: str, *, seed: int = 1
) -> list[Delivery]:
    """`bad` bad deliveries with `valid` good ones interleaved, and replays of the good."""
    rng = random.Random(seed)
    good = [valid_push(n, repo, installation, secret) for n in range(valid)]
    out: list[Delivery] = []
    every = max(1, bad // max(1, valid))
    next_good = 0
    for n in range(bad):
        future = good[min(next_good, len(good) - 1)].delivery_id if good else "none"
        out.append(bad_delivery(n, rng, repo, installation, secret, future))
        if n % every == every - 1 and next_good < len(good):
            out.append(good[next_good])
            if next_good:  # replay an earlier good one: same id, same body, same signature
                replay = copy.copy(good[rng.randrange(next_good)])
                replay.kind, replay.expect = "replay", frozenset({200})
                out.append(replay)
            next_good += 1
    out += good[next_good:]
    return out
