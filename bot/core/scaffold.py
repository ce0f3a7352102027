"""The starting `data-flow` doc for a repository that has none (`docs-refresh init`, and
the onboarding pull request).

Two layouts, so other tools that read those docs keep working:

- v2 (the default): what dotcontext scaffold 2.0.0 writes, `.context/docs/data-flow.md` with
  its front matter and the template's headings; the owned sections filled from the facts,
  the person's (intro, Service Layer, Related Resources) left with the scaffold's guidance;
- v1 (`--format v1`): ai-coders-context's marker block, intro, the four subsections,
  readonly guidance and sources, in `docs/data-flow.md`.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.core.document_sections import replace_document_sections
from bot.core.model import RepoFacts
from bot.core.refresh import render_sections
from bot.core.sections import OWNED_SLUGS, replace_sections

V1, V2 = "v1", "v2"
FORMATS = (V2, V1)
SCAFFOLD_PATH = "docs/data-flow.md"
SCAFFOLD_PATHS = {V1: SCAFFOLD_PATH, V2: ".context/docs/data-flow.md"}
UNKNOWN_FORMAT = "unknown doc format {format!r}; expected one of: {formats}"

V2_TEMPLATE = """\
---
type: doc
name: data-flow
description: How data moves through the system and external integrations
category: data-flow
{generated}status: unfilled
scaffoldVersion: "2.0.0"
---
## Data Flow & Integrations

How data enters, moves through and leaves this system, and which external services it talks to.
docs-refresh generates Module Dependencies, High-level Flow, Internal Movement, External
Integrations and Observability & Failure Modes from evidence in the repository and keeps them
fresh; text under other headings is yours and is kept as it is.

## Module Dependencies

## Service Layer

<!-- List service classes with links to their implementations. -->

## High-level Flow

## Internal Movement

## External Integrations

## Observability & Failure Modes

## Related Resources

<!-- Link to related documents for cross-navigation. -->
"""

DATA_FLOW_TEMPLATE = """\
<!-- agent-update:start:data-flow -->
# Data Flow & Integrations

How data enters, moves through and leaves this system, and which external services it talks to.
docs-refresh generates the four subsections below from evidence in the repository and keeps
them fresh; text you add under other headings is kept as it is.

## High-level Flow

## Internal Movement

## External Integrations

## Observability & Failure Modes

<!-- agent-readonly:guidance -->
## AI Update Checklist
1. Check each flow against the code and the integration contracts it names.
2. Record changes to authentication, scopes and rate limits.
3. Note incidents and lessons that changed how the system copes with failure.
4. Link the runbooks and dashboards used during triage.

<!-- agent-readonly:sources -->
## Acceptable Sources
- Code, dependency manifests, deployment and infrastructure configuration.
- Architecture decision records and integration specifications.
- Incident reviews that affected how data moves.

<!-- agent-update:end -->
"""


def scaffold_data_flow() -> str:
    return DATA_FLOW_TEMPLATE


def unfilled_doc(doc_format: str = V2, *, generated: str | None = None) -> str:
    """The empty template of a new doc in `doc_format`, before any section is filled (for a
    caller that fills it through a whole refresh, as onboarding does)."""
    if doc_format == V1:
        return DATA_FLOW_TEMPLATE
    if doc_format != V2:
        raise ValueError(UNKNOWN_FORMAT.format(format=doc_format, formats=", ".join(FORMATS)))
    return V2_TEMPLATE.format(generated=f"generated: {generated}\n" if generated else "")


def scaffold_doc(
    facts: RepoFacts,
    paths: Collection[str],
    doc_format: str = V2,
    *,
    generated: str | None = None,
) -> str:
    """A new data-flow doc in `doc_format` with its owned sections filled from `facts`
    (`paths`: the snapshot's, for grounding). `generated` (an ISO date) goes in the v2
    front matter as dotcontext writes it; the core has no clock, so the caller says."""
    sections = render_sections(facts, paths)
    if doc_format == V1:
        v1 = {slug: body for slug, body in sections.items() if slug in OWNED_SLUGS}
        return replace_sections(DATA_FLOW_TEMPLATE, v1, path=SCAFFOLD_PATH).text
    if doc_format != V2:
        raise ValueError(UNKNOWN_FORMAT.format(format=doc_format, formats=", ".join(FORMATS)))
    stamp = f"generated: {generated}\n" if generated else ""
    template = V2_TEMPLATE.format(generated=stamp)
    return replace_document_sections(template, sections, path=SCAFFOLD_PATHS[V2]).text
