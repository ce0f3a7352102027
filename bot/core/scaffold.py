"""The starting `data-flow` doc for a repository that has none (`docs-refresh init`).

The layout ai-coders-context scaffolds (block, intro, the four subsections, readonly
guidance and sources), so other tools that read those docs keep working. The owned
subsections start empty; the first refresh fills them.
"""

from __future__ import annotations

SCAFFOLD_PATH = "docs/data-flow.md"

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
