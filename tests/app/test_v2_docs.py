"""A repository whose only doc is a dotcontext v2 file (front matter, headings, no markers),
end to end: sandbox → signed `installation` webhook → web → queue → install and refresh jobs
→ a pull request with the refreshed doc; then a pull request that adds an integration gets
a preview comment for that doc."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.service.comments import PREVIEW_MARKER
from tests.app.harness import CODE, DOC, REPO, STRIPE, Harness, start

pytestmark = pytest.mark.slow

FRONT = """\
---
type: doc
name: data-flow
description: How data moves through the system and external integrations
category: data-flow
generated: 2026-05-25
status: {status}
scaffoldVersion: "2.0.0"
---
"""

V2_UNFILLED = (
    FRONT.format(status="unfilled")
    + """\
## Data Flow & Integrations

<!-- Explain how data enters, moves through, and exits the system. -->

Orders come in over HTTP.

## Module Dependencies

<!-- List cross-module dependencies showing which modules depend on which. -->

- **src/** → `utils`, `config`

## Service Layer

- [`OrderService`](shop/orders.py)

## High-level Flow

_Add descriptive content here._

## External Integrations

- _Item 1 (optional)_

## Related Resources

- [architecture.md](./architecture.md)
"""
)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    yield from start(tmp_path, {**CODE, DOC: V2_UNFILLED})


def test_installation_opens_a_pull_request_for_a_repository_whose_only_doc_is_v2(
    harness: Harness,
) -> None:
    harness.admin("POST", "/_sandbox/installation", {"action": "created"})
    assert harness.run_jobs() == [("install", "queued"), ("refresh", "opened")]
    (pull,) = harness.api(f"/repos/{REPO}/pulls?state=open")
    assert pull["head"]["ref"] == "docs-refresh/main"
    new = harness.show("docs-refresh/main", DOC)
    # The front matter is dotcontext's, with one value changed.
    assert new.startswith(FRONT.format(status="filled"))
    # The person's sections are kept byte for byte, the owned ones filled from the code.
    assert "Orders come in over HTTP." in new
    assert "- [`OrderService`](shop/orders.py)" in new
    assert "- **src/** → `utils`, `config`" not in new
    assert "## Module Dependencies\n\n<!-- docs-refresh:checksum" in new
    assert "`shop/web.py" in new
    for heading in ("## Internal Movement", "## Observability & Failure Modes"):
        assert new.index(heading) < new.index("## Related Resources")  # added in place


def test_a_pull_request_adding_an_integration_is_previewed_against_the_v2_doc(
    harness: Harness,
) -> None:
    harness.admin("POST", "/_sandbox/installation", {"action": "created"})
    harness.run_jobs()
    merged = harness.show("docs-refresh/main", DOC)
    harness.commit("alice", "main", {DOC: merged}, deliver=False)  # the docs PR, merged
    harness.commit("alice", "add-stripe", STRIPE, **{"from": "main", "deliver": False})
    number = harness.open_pull("alice", "add-stripe")
    assert ("preview", "stale") in harness.run_jobs()
    [comment] = harness.bot_comments(number)
    body = comment["body"]
    assert body.startswith(PREVIEW_MARKER)
    assert f"`{DOC}`" in body
    assert "Integration added: **Stripe**" in body
    assert "External Integrations" in body
