from __future__ import annotations

import random
import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.mermaid import MAX_EDGES, MAX_NODES, escape_label, slug
from bot.core.model import Edge, Entrypoint, Evidence, Item, Module, RepoFacts, Service
from bot.core.render import NONE_DETECTED, SECTION_ORDER, render_data_flow

E = Evidence

PATHS = (
    "Procfile",
    "requirements.txt",
    "shop/__init__.py",
    "shop/db.py",
    "shop/payments.py",
    "shop/cache.py",
    "scripts/seed.py",
)


def shop_facts() -> RepoFacts:
    return RepoFacts(
        source="abc",
        entrypoints=(
            Entrypoint("shop", "http", (E("shop/__init__.py", 8),), "Flask app"),
            Entrypoint("web", "http", (E("Procfile", 1),), "gunicorn 'shop:create_app()'"),
        ),
        modules=(
            Module("shop", "shop", 4, "python"),
            Module("scripts", "scripts", 1, "python"),
        ),
        edges=(Edge("scripts", "shop", 2, (E("scripts/seed.py", 1),)),),
        datastores=(
            Service(
                "PostgreSQL", "datastore", "used", (E("requirements.txt", 2), E("shop/db.py", 3))
            ),
            Service("Redis", "cache", "used", (E("shop/cache.py", 1),)),
        ),
        integrations=(Service("Stripe", "payments", "used", (E("shop/payments.py", 1),)),),
        deployment=(Item("Procfile", "procfile", (E("Procfile", 1),), "web"),),
        resilience=(Item("tenacity", "retry", (E("shop/payments.py", 5),)),),
    )


def backticked_paths(markdown: str) -> list[str]:
    # Mermaid blocks carry no paths; every other code span must be a path or path:line.
    prose = re.sub(r"```mermaid.*?```", "", markdown, flags=re.S)
    # A span's fence is longer than any backtick run inside it (`bot.core.escape`).
    spans = [m.group(2).strip(" ") for m in re.finditer(r"(`+)(.+?)(?<!`)\1(?!`)", prose)]
    return [re.sub(r":\d+$", "", span) for span in spans]


def exists(path: str, files: set[str]) -> bool:
    return path in files or any(f.startswith(path.rstrip("/") + "/") for f in files)


def shuffled(facts: RepoFacts, seed: int) -> RepoFacts:
    rng = random.Random(seed)

    def mix(items: tuple) -> tuple:  # type: ignore[type-arg]
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    return replace(
        facts,
        entrypoints=mix(tuple(replace(e, evidence=mix(e.evidence)) for e in facts.entrypoints)),
        modules=mix(facts.modules),
        edges=mix(facts.edges),
        datastores=mix(tuple(replace(s, evidence=mix(s.evidence)) for s in facts.datastores)),
        integrations=mix(facts.integrations),
        deployment=mix(facts.deployment),
        resilience=mix(facts.resilience),
    )


def test_renders_the_four_owned_subsections_in_order() -> None:
    assert tuple(render_data_flow(shop_facts(), PATHS)) == SECTION_ORDER


def test_two_renders_give_identical_bytes() -> None:
    assert render_data_flow(shop_facts(), PATHS) == render_data_flow(shop_facts(), PATHS)


def test_shuffled_facts_and_paths_give_identical_bytes() -> None:
    expected = render_data_flow(shop_facts(), PATHS)
    for seed in range(5):
        paths = list(PATHS)
        random.Random(seed).shuffle(paths)
        assert render_data_flow(shuffled(shop_facts(), seed), paths) == expected


def test_every_backticked_path_exists_in_the_snapshot() -> None:
    sections = render_data_flow(shop_facts(), PATHS)
    spans = [p for body in sections.values() for p in backticked_paths(body)]
    assert "shop/payments.py" in spans
    assert all(exists(p, set(PATHS)) for p in spans), spans


def test_evidence_outside_the_snapshot_is_dropped_and_unproven_items_not_claimed() -> None:
    facts = replace(
        shop_facts(),
        integrations=(
            Service("Stripe", "payments", "used", (E("shop/payments.py", 1), E("gone.py", 2))),
            Service("Kafka", "queue", "used", (E("invented/consumer.py", 1),)),
        ),
    )
    body = "".join(render_data_flow(facts, PATHS).values())
    assert "gone.py" not in body
    assert "Kafka" not in body
    assert "Stripe" in body


def test_empty_facts_say_none_detected() -> None:
    sections = render_data_flow(RepoFacts(), ())
    assert "No entry points, modules or external systems" in sections["high-level-flow"]
    for slug_ in ("internal-movement", "external-integrations", "observability-failure-modes"):
        assert NONE_DETECTED in sections[slug_]
    assert "Retries" in sections["observability-failure-modes"]


def test_missing_resilience_is_stated_not_invented() -> None:
    facts = replace(shop_facts(), resilience=())
    body = render_data_flow(facts, PATHS)["observability-failure-modes"]
    assert "Retries, backoff, circuit breakers and timeouts: none detected" in body


def test_tables_cite_evidence_with_lines_code_first() -> None:
    body = render_data_flow(shop_facts(), PATHS)["external-integrations"]
    assert "| PostgreSQL | Datastore | used | `shop/db.py:3`, `requirements.txt:2` |" in body


def test_procfile_command_naming_a_module_links_to_it() -> None:
    body = render_data_flow(shop_facts(), PATHS)["internal-movement"]
    assert "ep_http_web --> mod_shop" in body


def test_repository_text_cannot_open_markers_code_spans_or_cells() -> None:
    facts = replace(
        shop_facts(),
        deployment=(Item("x", "k", (E("Procfile", 1),), "<!-- agent-update:end --> | `rm`"),),
    )
    body = render_data_flow(facts, PATHS)["observability-failure-modes"]
    assert "<!--" not in body
    assert "`rm`" not in body
    assert "\\|" in body


def test_diagram_links_entries_modules_and_services_with_slug_ids() -> None:
    body = render_data_flow(shop_facts(), PATHS)["internal-movement"]
    assert "```mermaid\ngraph LR\n" in body
    assert "ep_http_shop --> mod_shop" in body
    assert 'mod_scripts -->|"2 imports"| mod_shop' in body
    assert "mod_shop --> ext_stripe" in body
    assert 'subgraph cat_payments["Payments"]' in body


def test_adding_a_node_does_not_rename_others() -> None:
    before = render_data_flow(shop_facts(), PATHS)["internal-movement"]
    more = replace(
        shop_facts(),
        modules=(*shop_facts().modules, Module("admin", "shop", 1, "python")),
    )
    after = render_data_flow(more, PATHS)["internal-movement"]
    ids = set(re.findall(r"\b((?:ep|mod|ext)_\w+)\[", before))
    assert ids <= set(re.findall(r"\b((?:ep|mod|ext)_\w+)\[", after))


def test_large_repository_diagram_stays_within_budget_and_counts_the_rest() -> None:
    paths = [f"pkg{i:03}/m.py" for i in range(120)] + ["requirements.txt"]
    modules = tuple(Module(f"pkg{i:03}", f"pkg{i:03}", 1, "python") for i in range(120))
    edges = tuple(
        Edge(
            f"pkg{i:03}",
            f"pkg{(i * 7 + k) % 120:03}",
            1 + (i + k) % 9,
            (E(f"pkg{i:03}/m.py", k + 1),),
        )
        for i in range(120)
        for k in range(1, 4)
    )
    services = tuple(
        Service(f"Svc {i}", f"cat{i % 4}", "used", (E(f"pkg{i:03}/m.py", 1),)) for i in range(20)
    )
    entries = tuple(Entrypoint(f"cli{i}", "cli", (E(f"pkg{i:03}/m.py", 1),)) for i in range(12))
    facts = RepoFacts(entrypoints=entries, modules=modules, edges=edges, integrations=services)
    body = render_data_flow(facts, paths)["internal-movement"]
    diagram = body.split("```mermaid", 1)[1].split("```", 1)[0]
    nodes = re.findall(r'^\s+(\w+)\["', diagram, flags=re.M)
    links = re.findall(r"^\s+\w+ -\.?->", diagram, flags=re.M)
    groups = re.findall(r"^\s+subgraph ", diagram, flags=re.M)
    assert len(nodes) - len(groups) <= MAX_NODES
    assert 0 < len(links) <= MAX_EDGES
    assert "The diagram shows 30 of 152 nodes" in body
    movement = render_data_flow(facts, paths)["internal-movement"]
    assert "…and 80 more" in movement  # modules table capped at 40 rows


def test_slug_and_label_escaping() -> None:
    assert slug("Google Cloud Storage (GCS)") == "google_cloud_storage_gcs"
    assert escape_label('say "hi" <b>#1</b>') == "say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt;"


names = st.text(alphabet="abcdefgh/._- `|<>", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    files=st.lists(st.sampled_from(PATHS), min_size=0, max_size=7, unique=True),
    ev_paths=st.lists(
        st.sampled_from((*PATHS, "ghost.py", "dir/ghost.py")), min_size=1, max_size=4
    ),
    label=names,
)
def test_backticked_paths_exist_for_any_facts(
    files: list[str], ev_paths: list[str], label: str
) -> None:
    evidence = tuple(E(p, i + 1) for i, p in enumerate(ev_paths))
    facts = RepoFacts(
        entrypoints=(Entrypoint(label, "cli", evidence, label),),
        modules=(Module(label, "shop", 1, label), Module("ghost", "ghost", 1, "python")),
        datastores=(Service(label, label, "used", evidence),),
        observability=(Item(label, label, evidence, label),),
    )
    spans = [p for body in render_data_flow(facts, files).values() for p in backticked_paths(body)]
    assert all(exists(p, set(files)) for p in spans), spans


def test_names_with_markdown_emphasis_are_escaped() -> None:
    facts = replace(
        shop_facts(),
        entrypoints=(Entrypoint("__main__ (shop/db.py)", "cli", (E("shop/db.py", 1),)),),
    )
    body = render_data_flow(facts, PATHS)["high-level-flow"]
    assert "| \\_\\_main\\_\\_ (shop/db.py) | CLI |" in body


def test_long_route_lists_show_the_first_few_and_count_the_rest() -> None:
    routes = ", ".join(f"/r{i}" for i in range(10))
    facts = replace(
        shop_facts(),
        entrypoints=(Entrypoint("api", "http", (E("shop/db.py", 1),), routes),),
    )
    body = render_data_flow(facts, PATHS)["high-level-flow"]
    assert "| api | HTTP | /r0, /r1, /r2, /r3 (+6 more) |" in body


def test_one_process_named_in_procfile_and_compose_is_one_row() -> None:
    facts = replace(
        shop_facts(),
        entrypoints=(
            Entrypoint("web", "http", (E("Procfile", 1),), "gunicorn app"),
            Entrypoint("web", "http", (E("shop/db.py", 2),)),
        ),
    )
    body = render_data_flow(facts, PATHS)["high-level-flow"]
    assert "| web | HTTP | gunicorn app | `shop/db.py:2`, `Procfile:1` |" in body
    assert "1 entry point (1 HTTP)" in body


def test_integrations_open_with_who_the_code_talks_to_by_strength() -> None:
    facts = replace(
        shop_facts(),
        integrations=(
            Service("Stripe", "payments", "used", (E("shop/payments.py", 1),)),
            Service("Sentry", "monitoring", "declared", (E("requirements.txt", 9),)),
        ),
    )
    body = render_data_flow(facts, PATHS)["external-integrations"]
    assert body.startswith(
        "Used in code: PostgreSQL, Redis and Stripe."
        " Declared in manifests, not seen in code: Sentry.\n"
    )


def test_diagram_budget_keeps_every_kind_of_entry_point() -> None:
    paths = [f"cmd{i:02}/main.py" for i in range(40)] + ["web.py", "tasks.py"]
    entries = (
        *(Entrypoint(f"cli{i:02}", "cli", (E(f"cmd{i:02}/main.py", 1),)) for i in range(40)),
        Entrypoint("web", "webhook", (E("web.py", 3),)),
        Entrypoint("jobs", "worker", (E("tasks.py", 3),)),
    )
    modules = tuple(Module(f"cmd{i:02}", f"cmd{i:02}", 1, "python") for i in range(40))
    body = render_data_flow(RepoFacts(entrypoints=entries, modules=modules), paths)
    diagram = body["internal-movement"].split("```mermaid", 1)[1]
    assert 'ep_webhook_web["webhook receiver: web"]' in diagram
    assert 'ep_worker_jobs["worker: jobs"]' in diagram


def test_module_dependencies_list_each_module_with_its_imports_busiest_first() -> None:
    from bot.core.render import render_module_dependencies

    facts = RepoFacts(
        modules=(
            Module("web", "web", 2, "python"),
            Module("db", "db", 1, "python"),
            Module("util", "util", 1, "python"),
        ),
        edges=(
            Edge("web", "util", 1, (Evidence("web/app.py", 2),)),
            Edge("web", "db", 3, (Evidence("web/app.py", 1), Evidence("web/x.py", 9))),
        ),
    )
    body = render_module_dependencies(facts, ("web/app.py", "web/x.py", "db/q.py", "util/u.py"))
    assert body == (
        "- `db` → imports no other module\n"
        "- `util` → imports no other module\n"
        "- `web` → db (3 imports, e.g. `web/app.py:1`), util (1 import, e.g. `web/app.py:2`)\n"
    )


def test_module_dependencies_without_modules_say_none_detected() -> None:
    from bot.core.render import render_module_dependencies

    assert render_module_dependencies(RepoFacts(), ()) == "Modules: none detected.\n"


def test_development_entry_points_are_listed_after_the_products() -> None:
    facts = RepoFacts(
        entrypoints=(
            Entrypoint("argparse CLI (bench/load.py)", "cli", (Evidence("bench/load.py", 3),)),
            Entrypoint("Flask app (app/web.py)", "http", (Evidence("app/web.py", 3),), "/"),
            Entrypoint("__main__ (scripts/seed.py)", "cli", (Evidence("scripts/seed.py", 9),)),
            Entrypoint("click command (app/cli.py)", "cli", (Evidence("app/cli.py", 5),)),
        )
    )
    paths = ["bench/load.py", "app/web.py", "scripts/seed.py", "app/cli.py"]
    high = render_data_flow(facts, paths)["high-level-flow"]
    table = high[high.index("**Entry points**") :]
    last_product = max(table.index(p) for p in ("app/web.py", "app/cli.py"))
    assert last_product < min(table.index(p) for p in ("bench/load.py", "scripts/seed.py"))


def test_category_labels_read_as_words_a_reader_knows() -> None:
    from bot.core.mermaid import category_label

    assert category_label("cms") == "Content API"  # not "Cms" (Last.fm, Gravatar, YouTube)
    assert category_label("crm") == "CRM"
    assert category_label("vcs") == "Version control"
    assert category_label("HTTP API") == "HTTP API"
