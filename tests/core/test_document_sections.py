"""v2 (dotcontext) data-flow docs: front matter, heading sections, owned-section refresh.

Fixtures are written here in the shapes found in real repositories (scaffold 2.0.0):
h2 and h3 layouts, `status: unfilled` with the scaffold's guidance comments, Portuguese
headings, CRLF, hand-written sections, a Mermaid block in an owned section, a repeated owned
heading, and docs whose own headings match none of the template.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.config import RepoConfig
from bot.core.document_sections import inspect_document_sections, replace_document_sections
from bot.core.documents import (
    OWNED_IDS,
    heading_key,
    heading_map,
    is_data_flow_doc,
    parse_data_flow_doc,
)
from bot.core.errors import GuardError, UserError
from bot.core.front_matter import FrontMatterError, find_front_matter
from bot.core.guard import ensure_document_unchanged_outside, find_document_violations
from bot.core.sections import GENERATED

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

H3_FILLED = (
    FRONT.format(status="filled")
    + """
## Data Flow & Integrations

Two pipelines share one database.

### Module Dependencies

```
core/urls.py -> hv/urls.py
```

### Service Layer

| View | Output |
|------|--------|
| `HomeView` | `home.xml` |

### High-level Flow

1. The app sends `GET /hyperview/`.

### Internal Movement

- No queues between views.

### External Integrations

| Integration | Auth |
|---|---|
| PostgreSQL | `.env` |

### Observability & Failure Modes

- Logs go to stdout.

## Related Resources

- [Architecture Notes](architecture.md)
"""
)

H2_UNFILLED = (
    FRONT.format(status="unfilled")
    + """\
## Data Flow & Integrations

<!-- Explain how data enters, moves through, and exits the system. -->

_Add descriptive content here._

## Module Dependencies

<!-- List cross-module dependencies showing which modules depend on which. -->

- **src/** → `utils`, `config`

## Service Layer

<!-- List service classes with links to their implementations. -->

- _Item 1_

## High-level Flow

<!-- Summarize the primary pipeline from input to output. -->

_Add descriptive content here._

## Internal Movement

_Add descriptive content here (optional)._

## External Integrations

- _Item 1 (optional)_

## Observability & Failure Modes

_Add descriptive content here (optional)._

## Related Resources

<!-- Link to related documents for cross-navigation. -->

- [architecture.md](./architecture.md)
"""
)

PORTUGUESE = (
    FRONT.format(status="filled")
    + """
# Fluxo de Dados e Integrações

## Visão Geral do Fluxo de Dados

O plugin lê pedidos do WooCommerce.

## Dependências entre Módulos

- **Plugin** → `Loader`

## Camada de Serviços

### **Meta_Extractor** (`includes/class-meta-extractor.php`)

## Fluxo de Alto Nível

### **Fluxo de Leitura**

```
1. Usuário acessa a página
```

## Movimento Interno de Dados

Texto.

## Integrações Externas

- WooCommerce

## Observabilidade e Modos de Falha

- Nonces

## Diagrama de Fluxo

```mermaid
sequenceDiagram
    U->>WP: Acessa
```

## Recursos Relacionados

- `architecture.md`
"""
)

CUSTOM = (
    FRONT.format(status="filled")
    + """
# Data Flow

## 1. Fluxo Síncrono

```
Usuário → React UI
## not a heading: inside a fence
```

## 2. Tabelas Envolvidas

| Tabela | Papel |
|--------|-------|
| `s_prd` | dados |
"""
)

FRONT_ONLY = FRONT.format(status="unfilled")

SECTIONS = {
    "module-dependencies": "- `bot` (`bot/`) → config (2 imports: `bot/a.py:3`)\n",
    "high-level-flow": (
        "Work enters through 1 entry point.\n\n```mermaid\nflowchart LR\n  web --> db\n```\n"
    ),
    "internal-movement": "Modules: none detected.\n",
    "external-integrations": "| Name | Evidence |\n|---|---|\n| Stripe | `pay.py:4` |\n",
    "observability-failure-modes": "Retries: none detected.\n",
}

PT = RepoConfig().heading_ids()


def refresh(text: str, sections: dict[str, str] = SECTIONS, **kw: object) -> str:
    return replace_document_sections(text, sections, headings=PT, **kw).text  # type: ignore[arg-type]


# --- recognition --------------------------------------------------------------------------


def test_front_matter_with_name_or_category_data_flow_is_a_v2_doc() -> None:
    assert is_data_flow_doc(H3_FILLED)
    assert is_data_flow_doc("---\ncategory: data-flow\n---\n# x\n")
    assert is_data_flow_doc("\ufeff---\nname: 'data-flow'\n---\n")
    assert not is_data_flow_doc("---\nname: architecture\n---\n# Data Flow\n")
    assert not is_data_flow_doc("# Data Flow & Integrations\n\n## High-level Flow\n")


def test_an_older_unnamed_front_matter_counts_only_in_a_file_called_data_flow() -> None:
    text = "---\nstatus: unfilled\ngenerated: 2026-01-15\n---\n\n# Data Flow & Integrations\n"
    assert is_data_flow_doc(text, ".context/docs/data-flow.md")
    assert not is_data_flow_doc(text, ".context/docs/architecture.md")


def test_broken_front_matter_is_an_error_with_its_line() -> None:
    text = "---\nname: data-flow\ndescription: [unclosed\nstatus: filled\n---\n## High-level Flow\n"
    assert is_data_flow_doc(text)
    with pytest.raises(FrontMatterError) as info:
        parse_data_flow_doc(text, "d.md")
    assert info.value.line in (3, 4, 5)
    assert "d.md:" in str(info.value)


def test_front_matter_that_is_a_list_is_an_error() -> None:
    with pytest.raises(FrontMatterError):
        parse_data_flow_doc("---\n- name: data-flow\n---\n", "d.md")


def test_headings_are_matched_ignoring_case_numbering_emphasis_and_ampersand() -> None:
    assert heading_key("**2. Observability and Failure-Modes**") == "observability-failure-modes"
    assert heading_key("High-Level flow") == heading_key("High-level Flow")
    assert heading_map()["observability-failure-modes"] == "observability-failure-modes"


def test_sections_split_at_any_level_and_not_inside_code_fences() -> None:
    doc = parse_data_flow_doc(CUSTOM)
    assert [s.title for s in doc.sections] == [
        "Data Flow",
        "1. Fluxo Síncrono",
        "2. Tabelas Envolvidas",
    ]
    assert doc.owned == {}


def test_h3_owned_sections_are_found_under_an_h2_title() -> None:
    doc = parse_data_flow_doc(H3_FILLED)
    assert tuple(doc.owned) == OWNED_IDS
    assert {s.level for s in doc.owned.values()} == {3}


# --- refresh ----------------------------------------------------------------------------


def test_refresh_rewrites_only_owned_bodies_and_keeps_heading_levels() -> None:
    new = refresh(H3_FILLED)
    assert "### High-level Flow\n\n<!-- docs-refresh:checksum " in new
    assert "| `HomeView` | `home.xml` |" in new  # Service Layer is the person's
    assert "1. The app sends" not in new
    assert "- [Architecture Notes](architecture.md)\n" in new
    assert new.startswith(FRONT.format(status="filled"))
    ensure_document_unchanged_outside(H3_FILLED, new)


def test_unfilled_becomes_filled_and_no_other_front_matter_byte_changes() -> None:
    new = refresh(H2_UNFILLED)
    front = FRONT.format(status="unfilled")
    assert new.startswith(front.replace("status: unfilled", "status: filled"))
    assert "_Add descriptive content here._" in new  # the intro is the person's
    assert "- _Item 1_" in new  # so is Service Layer, guidance and all
    assert "- **src/** → `utils`" not in new  # Module Dependencies is owned


def test_quoted_status_keeps_its_quotes() -> None:
    text = H2_UNFILLED.replace("status: unfilled", 'status: "unfilled"')
    assert 'status: "filled"\n' in refresh(text)


def test_refresh_is_idempotent_and_checks_clean() -> None:
    for text in (H3_FILLED, H2_UNFILLED, PORTUGUESE, CUSTOM, FRONT_ONLY):
        once = refresh(text)
        assert refresh(once) == once
        states, _ = inspect_document_sections(once, headings=PT)
        assert {s.state for s in states} == {GENERATED}


def test_portuguese_headings_are_owned_through_the_built_in_translations() -> None:
    new = refresh(PORTUGUESE)
    assert "## Fluxo de Alto Nível\n\n<!-- docs-refresh:checksum" in new
    assert "### **Fluxo de Leitura**" not in new  # inside the owned section: replaced
    assert "### **Meta_Extractor**" in new  # inside Camada de Serviços: kept
    assert "## Diagrama de Fluxo\n\n```mermaid" in new  # the person's own section
    assert "## High-level Flow" not in new  # nothing added: every section was there


def test_without_translations_a_portuguese_doc_gets_english_sections_at_its_end() -> None:
    new = replace_document_sections(PORTUGUESE, SECTIONS, headings=heading_map()).text
    assert new.startswith(PORTUGUESE)
    assert new.count("<!-- docs-refresh:checksum") == 5


def test_missing_sections_go_at_the_template_position_and_the_siblings_level() -> None:
    text = H3_FILLED.replace("### Internal Movement\n\n- No queues between views.\n\n", "")
    new = refresh(text)
    flow, movement = new.index("### High-level Flow"), new.index("### Internal Movement")
    assert flow < movement < new.index("### External Integrations")


def test_a_doc_with_none_of_the_template_gets_every_owned_section_at_the_end() -> None:
    new = refresh(CUSTOM)
    assert new.startswith(CUSTOM)
    tail = new[len(CUSTOM) :]
    assert [line for line in tail.splitlines() if line.startswith("#")] == [
        "## Module Dependencies",
        "## High-level Flow",
        "## Internal Movement",
        "## External Integrations",
        "## Observability & Failure Modes",
    ]


def test_a_front_matter_only_doc_is_filled_below_it() -> None:
    new = refresh(FRONT_ONLY)
    assert new.startswith(FRONT.format(status="filled") + "\n## Module Dependencies\n")


def test_crlf_docs_stay_crlf() -> None:
    text = H2_UNFILLED.replace("\n", "\r\n")
    new = refresh(text)
    assert "\n" not in new.replace("\r\n", "")
    assert refresh(new) == new


def test_a_hand_edited_owned_section_is_kept_unless_forced() -> None:
    once = refresh(H3_FILLED)
    edited = once.replace("Retries: none detected.", "Retries: we page the on-call person.")
    update = replace_document_sections(edited, SECTIONS, headings=PT)
    assert update.hand_edited == ("observability-failure-modes",)
    assert update.text == edited
    forced = replace_document_sections(edited, SECTIONS, headings=PT, force=True)
    assert forced.text == once


def test_a_repeated_owned_heading_is_kept_and_reported() -> None:
    text = H2_UNFILLED.replace(
        "## Related Resources",
        "## Observability & Failure Modes\n\n_Add descriptive content here (optional)._\n\n"
        "## Related Resources",
    )
    new = refresh(text)
    assert new.count("## Observability & Failure Modes") == 2
    assert new.count("_Add descriptive content here (optional)._") == 1
    _, repeats = inspect_document_sections(new, headings=PT)
    assert len(repeats) == 1
    assert "repeats the owned section" in repeats[0].message


def test_mermaid_in_a_generated_body_stays_inside_its_section() -> None:
    new = refresh(H3_FILLED)
    doc = parse_data_flow_doc(new, headings=PT)
    flow = doc.owned["high-level-flow"]
    assert "```mermaid" in new[flow.content_start : flow.end]


# --- the guard ----------------------------------------------------------------------------


def test_guard_names_a_changed_byte_outside_the_owned_sections() -> None:
    new = refresh(H3_FILLED).replace("Two pipelines", "Three pipelines")
    violations = find_document_violations(H3_FILLED, new, headings=PT)
    assert [v.region for v in violations] == ["<outside>"]
    with pytest.raises(GuardError):
        ensure_document_unchanged_outside(H3_FILLED, new, headings=PT)


def test_guard_refuses_any_front_matter_change_but_the_status() -> None:
    new = refresh(H2_UNFILLED).replace("generated: 2026-05-25", "generated: 2026-06-01")
    assert [v.region for v in find_document_violations(H2_UNFILLED, new)] == ["<front matter>"]


def test_guard_refuses_a_dropped_owned_section() -> None:
    new = H3_FILLED.replace("### Internal Movement\n", "")
    assert find_document_violations(H3_FILLED, new)


# --- properties ---------------------------------------------------------------------------

_WORDS = st.sampled_from(["alpha", "beta", "`x.py`", "**bold**", "- item", "| a | b |", "ção"])
_PARA = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
_HEADINGS = st.sampled_from(
    [
        "Data Flow & Integrations",
        "Module Dependencies",
        "Service Layer",
        "High-level Flow",
        "Internal Movement",
        "External Integrations",
        "Observability & Failure Modes",
        "Related Resources",
        "Notes",
        "Fluxo de Alto Nível",
        "Deploy",
    ]
)


@st.composite
def v2_docs(draw: st.DrawFn) -> str:
    status = draw(st.sampled_from(["filled", "unfilled"]))
    parts = [FRONT.format(status=status)]
    for _ in range(draw(st.integers(0, 9))):
        level = draw(st.integers(1, 4))
        parts.append("\n" + "#" * level + " " + draw(_HEADINGS) + "\n\n")
        if draw(st.booleans()):
            parts.append(draw(_PARA) + "\n")
        if draw(st.booleans()):
            parts.append("```mermaid\nflowchart LR\n  a --> b\n```\n")
    text = "".join(parts)
    text = text.replace("\n", "\r\n") if draw(st.booleans()) else text
    return ("\ufeff" if draw(st.booleans()) else "") + text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_docs())
def test_any_v2_doc_refreshes_idempotently_and_guarded(text: str) -> None:
    once = refresh(text)  # the guard runs inside: a violation raises
    assert refresh(once) == once
    states, _ = inspect_document_sections(once, headings=PT)
    assert all(s.state == GENERATED for s in states)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_docs(), st.data())
def test_edits_outside_owned_sections_survive_a_refresh(text: str, data: st.DataObject) -> None:
    once = refresh(text)
    doc = parse_data_flow_doc(once, headings=PT)
    owned = [(s.content_start, s.end) for s in doc.owned.values()]
    # A person's edit: a word added at a line start outside the owned content.
    starts = [0] + [i + 1 for i, c in enumerate(once) if c == "\n"]
    free = [
        i
        for i in starts
        if i > doc.front.end and not any(a <= i < b for a, b in owned) and i < len(once)
    ]
    if not free:
        return
    at = data.draw(st.sampled_from(free))
    if once.startswith(("#", "`", "\r", "\n"), at):
        return  # before a heading's `#` or a fence it would change structure, not add prose
    edited = once[:at] + "Person's note. " + once[at:]
    assert refresh(edited) == edited


# --- repair and lint ------------------------------------------------------------------------


def test_a_fenced_v2_doc_with_chatter_and_a_file_tag_is_repaired_and_refreshed() -> None:
    from bot.core.repair import repair

    inner = H3_FILLED.replace(
        "1. The app sends", "```mermaid\nflowchart LR\n  a --> b\n```\n\n1. x"
    )
    wrapped = (
        "I'll update the data-flow doc:\n\n```markdown\n"
        + inner
        + "```\n\nKey updates made:\n- the flow\n</file>\n"
    )
    repaired = repair(wrapped)
    assert repaired.text == inner
    assert [n.line for n in repaired.notes] == [1, 3, inner.count("\n") + 6, inner.count("\n") + 8]
    assert repair(repaired.text).notes == ()


def test_lint_reports_broken_front_matter_and_the_wrapper_with_lines() -> None:
    from bot.core.lint import lint_text

    broken = H3_FILLED.replace("description: How", "description: [How")
    assert [(p.line, p.severity) for p in lint_text(broken, "d.md")] == [(5, "error")]
    problems = lint_text("Sure!\n\n```markdown\n" + H3_FILLED + "```\n", "d.md")
    assert [p.line for p in problems] == [1, 3]
    assert lint_text(refresh(H3_FILLED), "d.md") == []


def test_lint_warns_about_a_hand_edited_v2_section() -> None:
    from bot.core.lint import lint_text

    edited = refresh(H3_FILLED).replace("Retries: none detected.", "Retries: by hand.")
    problems = lint_text(edited, "d.md")
    assert len(problems) == 1
    assert "'Observability & Failure Modes' was edited by hand" in problems[0].message


# --- hostile input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "---\nname: data-flow\n" + "x" * 200_000 + "\n",  # never closed, one huge line
        "---\nname: data-flow\n" + "a: b\n" * 30_000 + "---\n",  # past the size bound
        "---\nname: data-flow\nx: " + "[" * 5_000 + "\n---\n",  # deep nesting
        "---\nname: data-flow\nx: &a [*a, *a]\n---\n## High-level Flow\n",  # an alias loop
        "---\nname: data-flow\n---\n" + "#" * 10 + " not a heading\n" + "```\n" * 3,
        "---\nname: data-flow\n---\n" + "## High-level Flow\n" * 2_000,
        '---\nname: data-flow\nx: "\\udc80"\n---\n',
    ],
)
def test_hostile_docs_are_refused_or_refreshed_never_crash(text: str) -> None:
    if find_front_matter(text) is None:  # unclosed or past the bound: not a v2 doc
        assert not is_data_flow_doc(text)
    try:
        once = refresh(text)
    except UserError:  # broken front matter, or nowhere to put a section: reported
        return
    assert refresh(once) == once


OLDER_UNNAMED = """\
---
status: unfilled
generated: 2026-01-14
---

# Data Flow & Integrations

Explain how data enters, moves through, and exits the system.

## Module Dependencies
- *No cross-module dependencies detected.*

## Service Layer
- *No service classes detected.*

## High-level Flow

Summarize the primary pipeline from input to output.

## Internal Movement

Describe how modules within `app`, `docker` collaborate.

## External Integrations

Document each integration with purpose, authentication, payload shapes, and retry strategy.

## Observability & Failure Modes

Describe metrics, traces, or logs that monitor the flow.
"""


def test_the_older_unnamed_scaffold_is_refreshed_in_a_file_called_data_flow() -> None:
    from bot.core.refresh import refresh_doc

    change = refresh_doc(".context/docs/data-flow.md", OLDER_UNNAMED, SECTIONS, any_block=False)
    assert change is not None
    assert change.new.startswith("---\nstatus: filled\ngenerated: 2026-01-14\n---\n")
    assert "- *No service classes detected.*" in change.new
    assert "Summarize the primary pipeline" not in change.new
    assert refresh_doc("docs/architecture.md", OLDER_UNNAMED, SECTIONS, any_block=False) is None


_CHATTER = st.lists(
    st.sampled_from(["Sure!", "I'll update the doc.", "Key updates made:", "- the flow", ""]),
    max_size=3,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v2_docs(), _CHATTER, _CHATTER, st.booleans())
def test_any_fenced_v2_doc_is_repaired_back_to_the_doc(
    doc: str, before: list[str], after: list[str], tag: bool
) -> None:
    from bot.core.repair import repair

    doc = doc.lstrip("\ufeff").replace("\r\n", "\n")
    if not doc.endswith("\n"):
        doc += "\n"
    wrapped = "".join(f"{line}\n" for line in before) + "```markdown\n" + doc + "```\n"
    wrapped += "".join(f"{line}\n" for line in after) + ("</file>\n" if tag else "")
    repaired = repair(wrapped)
    assert repaired.text == doc
    assert repair(repaired.text).notes == ()


def test_a_v2_doc_past_the_heading_limit_is_refused_with_its_line_before_any_parse() -> None:
    import time

    from bot.core.limits import MAX_HEADINGS

    top = "---\nname: data-flow\nstatus: unfilled\n---\n"
    many = top + "## x\n" * (MAX_HEADINGS + 1)
    start = time.process_time()
    with pytest.raises(UserError, match="headings") as err:
        inspect_document_sections(many + "## x\n" * 150_000)
    assert time.process_time() - start < 2  # parsed, ~20 s
    assert err.value.line == 5 + MAX_HEADINGS
    states, _ = inspect_document_sections(top + "## x\n" * (MAX_HEADINGS - 10))
    assert states == ()
