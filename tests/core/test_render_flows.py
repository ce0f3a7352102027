"""The flow sections, and every diagram they emit parsed by a real Mermaid (mermaidx)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from bot.cli.diagrams import parse_error
from bot.core.analysis import analyze
from bot.core.diagrams import mermaid_blocks
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import (
    Entrypoint,
    Evidence,
    Flow,
    Handoff,
    Hop,
    Item,
    RepoFacts,
    Schedule,
    Service,
)
from bot.core.render import render_data_flow
from bot.core.render_flows import MAX_CONTAINER_NODES, container_diagram, flow_list
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog
from tests.core.test_flows import ALERTS_COMMANDS, APP, app_facts

HOSTILE = 'x"]; A-->B %% <!-- agent-update:end --> `rm` | #1 :;'


def hostile_facts() -> tuple[RepoFacts, list[str]]:
    paths = ["web.py", "tasks.py", "Procfile"]
    ev = Evidence("web.py", 3)
    flow = Flow(
        HOSTILE,
        "http",
        "public",
        (Hop("web.py", 3, "http entry point"), Hop("web.py", 1, f"imports {HOSTILE}")),
        (Hop("tasks.py", 9, f"enqueues {HOSTILE} (celery)"),),
    )
    facts = RepoFacts(
        entrypoints=(
            Entrypoint(HOSTILE, "http", (ev,), f"/{HOSTILE}"),
            Entrypoint(HOSTILE, "worker", (Evidence("Procfile", 2),), HOSTILE),
        ),
        datastores=(Service(HOSTILE, "datastore", "used", (Evidence("tasks.py", 2),)),),
        integrations=(Service(HOSTILE + "2", "payments", "used", (Evidence("tasks.py", 4),)),),
        deployment=(Item("procfile", "procfile", (Evidence("Procfile", None),)),),
        handoffs=(Handoff(HOSTILE, "celery", (Evidence("web.py", 1),), ()),),
        schedules=(Schedule(HOSTILE, HOSTILE, "cron", (Evidence("tasks.py", 5),), HOSTILE),),
        flows=(flow,),
    )
    return facts, paths


def diagrams(sections: dict[str, str]) -> list[str]:
    return [b.source for body in sections.values() for b in mermaid_blocks(body)]


@pytest.mark.slow
def test_every_diagram_of_a_real_analysis_and_of_hostile_names_parses() -> None:
    found = diagrams(render_data_flow(app_facts(), list(APP)))
    facts, paths = hostile_facts()
    found += diagrams(render_data_flow(facts, paths))
    assert len(found) >= 5  # container, sequence and module diagrams of both
    for source in found:
        assert parse_error(source) is None, source


def test_a_broken_diagram_is_reported_with_mermaids_message() -> None:
    reason = parse_error("flowchart LR\n  a --> b(((\n")
    assert reason is not None
    assert "Parse error" in reason


def test_container_view_has_trust_boundaries_and_stays_in_budget() -> None:
    many = RepoFacts(
        entrypoints=tuple(
            Entrypoint(f"r{i}", "http", (Evidence(f"r{i}.py", 1),), f"/r{i}") for i in range(40)
        ),
        datastores=tuple(
            Service(f"D{i}", "datastore", "used", (Evidence("a.py", i + 1),)) for i in range(20)
        ),
        integrations=tuple(
            Service(f"S{i}", "payments", "used", (Evidence("a.py", i + 1),)) for i in range(20)
        ),
        handoffs=tuple(Handoff(f"h{i}", f"m{i}", (Evidence("a.py", 1),), ()) for i in range(10)),
    )
    text = container_diagram(many)
    nodes = re.findall(r'^\s+(\w+)\["', text, flags=re.M)
    groups = re.findall(r"^\s+subgraph ", text, flags=re.M)
    assert len(nodes) - len(groups) <= MAX_CONTAINER_NODES
    assert 'subgraph internet["Internet-facing"]' in text
    assert 'subgraph third["Third party"]' in text


def test_high_level_flow_names_the_flows_and_folds_development_tools() -> None:
    body = render_data_flow(app_facts(), list(APP))["high-level-flow"]
    # The route's line, in the function that handles it (not the `app = Flask()` line).
    assert "1. **/orders (app/web.py) → charge** (public): `app/web.py:5`" in body
    assert "`app/web.py:7` enqueues charge (celery)" in body
    assert "Development tools, benchmarks and test helpers" in body
    assert "`bench`" in body
    assert "sequenceDiagram" in body


def test_internal_movement_pairs_hand_offs_and_says_when_an_end_is_missing() -> None:
    movement = render_data_flow(app_facts(), list(APP))["internal-movement"]
    assert "| charge | celery | `app/web.py:7`" in movement
    facts, paths = hostile_facts()
    movement = render_data_flow(facts, paths)["internal-movement"]
    assert "no consumer found" in movement
    assert "Scheduled work: 1 entry." in movement


def test_repository_text_cannot_break_out_of_the_flow_sections() -> None:
    facts, paths = hostile_facts()
    sections = render_data_flow(facts, paths)
    for body in (sections["high-level-flow"], sections["internal-movement"]):
        outside = re.sub(r"```mermaid\n.*?```", "", body, flags=re.S)
        assert "<!--" not in outside
        assert "`rm`" not in outside
        for block in mermaid_blocks(body):
            assert '"]; A-->B' not in block.source


def test_flows_citing_a_file_not_in_the_snapshot_are_not_claimed() -> None:
    facts, _paths = hostile_facts()
    body = render_data_flow(facts, ["web.py", "Procfile"])["high-level-flow"]
    assert "tasks.py" not in body


def _served_facts(alternatives: tuple[Hop, ...] = ()) -> RepoFacts:
    flow = Flow(
        "/memos (api.go) → MySQL",
        "http",
        "public",
        (Hop("api.go", 3, "http entry point"), Hop("api.go", 5, "calls store.Store.Create")),
        (Hop("db/mysql/db.go", 4, "uses MySQL"),),
        alternatives,
    )
    return RepoFacts(
        entrypoints=(
            Entrypoint("/memos", "http", (Evidence("api.go", 3),), "/memos"),
            Entrypoint("/tags", "http", (Evidence("tags.go", 3),), "/tags"),
            Entrypoint("web", "http", (Evidence("Procfile", 1),), "web"),
        ),
        datastores=tuple(
            Service(n, "datastore", "used", (Evidence(f"db/{n.lower()}/db.go", 4),))
            for n in ("MySQL", "SQLite")
        ),
        deployment=(Item("procfile", "procfile", (Evidence("Procfile", None),)),),
        flows=(flow,),
    )


def test_one_web_process_serves_the_internet_facing_group_with_one_edge() -> None:
    text = container_diagram(_served_facts())
    assert text.count("served by") == 1
    assert 'internet -.->|"served by"| proc_web' in text
    source = mermaid_blocks(text)[0].source
    assert parse_error(source) is None


def test_one_deployed_process_drains_its_queues_and_go_channels_are_no_queue() -> None:
    # The deployment names one web process and no worker: the consumers run in it, so the
    # view draws no "workers" process the deployment does not have; a Go channel hands work
    # to goroutines of the same binary, no queue between processes.
    facts = _served_facts()
    jobs = Handoff("mail", "redis-pubsub", (Evidence("api.go", 5),), (Evidence("mail.go", 2),))
    chan = Handoff("tick", "go-channel", (Evidence("api.go", 6),), (Evidence("loop.go", 2),))
    bus = Handoff("done", "watermill gochannel", (Evidence("api.go", 7),), (Evidence("l.go", 3),))
    text = container_diagram(replace(facts, handoffs=(jobs, chan, bus)))
    assert "q_redis_pubsub --> proc_web" in text
    assert "workers" not in text
    assert "consumers" not in text
    assert "go-channel" not in text
    assert "watermill" not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None
    # With no deployed process at all, the handlers are drawn as consumers, not a process.
    bare = replace(facts, handoffs=(jobs,), deployment=(), entrypoints=facts.entrypoints[:2])
    text = container_diagram(bare)
    assert 'proc_workers["queue consumers (1 handler)"]' in text
    assert "q_redis_pubsub --> proc_workers" in text


def test_a_call_with_several_implementations_reaches_each_of_their_stores() -> None:
    # A Go store interface with a MySQL and a SQLite driver: configuration picks one, so the
    # doc names both (the SQLite default was hidden behind the first driver by path).
    other = (Hop("db/sqlite/db.go", 4, "uses SQLite"),)
    facts = _served_facts(other)
    text = container_diagram(facts)
    assert "ep_http_memos_api_go --> ds_mysql" in text
    assert "ep_http_memos_api_go --> ds_sqlite" in text
    assert "internet -->" not in text  # `/tags` reaches no store: no edge from the group
    body = render_data_flow(
        facts, ["api.go", "tags.go", "Procfile", "db/mysql/db.go", "db/sqlite/db.go"]
    )
    high = body["high-level-flow"]
    assert (
        "or, through another implementation of that call, uses SQLite (`db/sqlite/db.go:4`)" in high
    )


def test_a_store_every_public_entry_reaches_is_one_edge_from_the_group() -> None:
    facts = _served_facts((Hop("db/sqlite/db.go", 4, "uses SQLite"),))
    second = replace(
        facts.flows[0],
        name="/tags (tags.go) → MySQL",
        hops=(Hop("tags.go", 3, "http entry point"),),
    )
    text = container_diagram(replace(facts, flows=(*facts.flows, second)))
    assert "internet --> ds_mysql" in text
    assert "internet --> ds_sqlite" in text
    assert "ep_http_tags_tags_go --> " not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_an_outbound_call_to_a_known_host_is_an_edge_to_its_integration() -> None:
    facts = _served_facts()
    call = Flow(
        "/memos (api.go) → api.github.com",
        "http",
        "public",
        (Hop("api.go", 3, "http entry point"),),
        (Hop("api.go", 9, "sends an HTTP request to api.github.com (net/http)"),),
    )
    github = Service("GitHub", "vcs", "used", (Evidence("api.go", 9),), hosts=("api.github.com",))
    text = container_diagram(replace(facts, flows=(call,), integrations=(github,)))
    assert "ep_http_memos_api_go --> ext_github" in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_a_flow_starts_at_the_entry_point_whose_line_it_cites() -> None:
    # One file with a health check and the webhook receiver: the enqueue is drawn from the
    # receiver, not from whichever entry of the file sorts first (our own doc drew /healthz).
    facts = RepoFacts(
        entrypoints=(
            Entrypoint("Flask app (web.py)", "http", (Evidence("web.py", 5),), "/healthz"),
            Entrypoint("webhook receiver", "webhook", (Evidence("web.py", 20),), "/webhook"),
        ),
        handoffs=(Handoff("run_job", "huey", (Evidence("web.py", 30),), ()),),
        flows=(
            Flow(
                "/webhook (web.py) → run_job",
                "webhook",
                "public",
                (Hop("web.py", 20, "webhook entry point"),),
                (Hop("web.py", 30, "enqueues run_job via runner (huey)"),),
            ),
        ),
    )
    text = container_diagram(facts)
    assert "ep_webhook_receiver_webhook_web_py --> q_huey" in text
    assert "ep_http_healthz_web_py -->" not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_a_daemon_process_draws_its_commands_flow_and_the_orm_reaches_the_sql_stores() -> None:
    files = {
        "uwsgi.ini": b"[uwsgi]\nmodule = shop.wsgi:application\n"
        b"attach-daemon = ./manage.py sendalerts\n",
        "requirements.txt": b"django\nrequests\npsycopg2\n",
        "shop/__init__.py": b"",
        "shop/wsgi.py": b"from django.core.wsgi import get_wsgi_application\n"
        b"application = get_wsgi_application()\n",
        **ALERTS_COMMANDS,
        "alerts/models.py": b"from django.db import models\n\n"
        b"class Flip(models.Model):\n    kind = models.TextField()\n",
        "alerts/management/commands/sendalerts.py": (
            b"import time\n"
            b"from django.core.management.base import BaseCommand\n"
            b"from alerts.models import Flip\n\n\n"
            b"class Command(BaseCommand):\n"
            b"    def handle(self, *args, **options):\n"
            b"        while True:\n"
            b"            Flip.objects.filter(kind='down').delete()\n"
            b"            time.sleep(2)\n"
        ),
    }
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    text = container_diagram(facts)
    assert 'proc_sendalerts["sendalerts (worker)"]' in text
    assert "proc_sendalerts --> ds_postgresql" in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_the_systems_flows_reach_are_drawn_before_the_alphabet_and_the_rest_are_counted() -> None:
    facts = _served_facts()
    call = Flow(
        "/memos (api.go) → Zulip",
        "http",
        "public",
        (Hop("api.go", 3, "http entry point"),),
        (Hop("api.go", 9, "uses Zulip"),),
    )
    names = ["Apprise", "Betula", "Cubox", "Discord", "Espial", "Fastmail", "Zulip"]
    services = tuple(Service(n, "HTTP API", "used", (Evidence("api.go", 9),)) for n in names)
    text = container_diagram(replace(facts, flows=(call,), integrations=services))
    assert 'ext_zulip["Zulip (HTTP API)"]' in text
    assert "ep_http_memos_api_go --> ext_zulip" in text
    assert 'ext_other["3 other external systems"]' in text
    assert "ext_espial" not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_a_mechanism_named_queue_is_not_called_queue_queue() -> None:
    facts = RepoFacts(
        handoffs=(
            Handoff("crawl", "queue", (Evidence("a.ts", 1),), (Evidence("b.ts", 2),)),
            Handoff("mail", "bull", (Evidence("a.ts", 3),), (Evidence("b.ts", 4),)),
        ),
    )
    text = container_diagram(facts)
    assert '"queue (1 hand-off)"' in text
    assert '"bull queue (1 hand-off)"' in text
    assert "queue queue" not in text


def test_a_server_of_several_routes_is_drawn_by_its_name_not_its_first_route() -> None:
    facts = RepoFacts(
        entrypoints=(
            Entrypoint(
                "HTTP server (app/server.go)",
                "http",
                (Evidence("app/server.go", 10),),
                "/api/login, /api/pages/{p}, /static/ (+4 more)",
            ),
            Entrypoint("Flask route (web/ping.py)", "http", (Evidence("web/ping.py", 3),), "/ping"),
        ),
    )
    text = container_diagram(facts)
    assert '"HTTP server (app/server.go)"' in text
    assert "/api/login" not in text  # one route would stand for the seven
    assert "/ping (web/ping.py)" in text  # a lone route is still drawn by its path


def test_entry_points_drawn_alike_share_one_node_named_by_their_folder() -> None:
    # Four controllers are one "where requests enter" node, with their common folder; the two
    # webhook files stay apart, and a flow from a grouped controller starts at the group.
    controllers = tuple(
        Entrypoint(
            f"Rails controller (app/controllers/{n}_controller.rb)",
            "http",
            (Evidence(f"app/controllers/{n}_controller.rb", 1),),
        )
        for n in ("users", "posts", "admin/tags", "feeds")
    )
    hooks = tuple(
        Entrypoint(f"webhook receiver ({p})", "webhook", (Evidence(p, 2),))
        for p in ("a.rb", "b.rb")
    )
    flow = Flow(
        "posts → PostgreSQL",
        "http",
        "public",
        (Hop("app/controllers/posts_controller.rb", 1, "http entry point"),),
        (Hop("app/models/post.rb", 3, "uses PostgreSQL"),),
    )
    pg = Service("PostgreSQL", "datastore", "used", (Evidence("app/models/post.rb", 3),))
    facts = RepoFacts(entrypoints=(*controllers, *hooks), datastores=(pg,), flows=(flow,))
    text = container_diagram(facts)
    node = "ep_rails_controllers_4_files_under_app_controllers"
    assert f'{node}["Rails controllers (4 files under app/controllers/)"]' in text
    assert "webhook receiver (a.rb)" in text
    assert "webhook receiver (b.rb)" in text
    assert f"{node} --> ds_postgresql" in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_queues_are_drained_by_the_worker_named_for_it_not_the_first_worker() -> None:
    # A metrics exporter listed before the Sidekiq worker does not drain the job queue.
    facts = _served_facts()
    exporter = Entrypoint("prometheus_exporter", "worker", (Evidence("Procfile", 2),), "exp")
    sidekiq = Entrypoint("worker", "worker", (Evidence("Procfile", 3),), "bundle exec sidekiq")
    jobs = Handoff("Mail", "sidekiq", (Evidence("api.go", 5),), (Evidence("mail.rb", 2),))
    text = container_diagram(
        replace(facts, entrypoints=(*facts.entrypoints, exporter, sidekiq), handoffs=(jobs,))
    )
    assert "q_sidekiq --> proc_worker" in text
    assert "q_sidekiq --> proc_prometheus_exporter" not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_one_binary_deployed_two_ways_is_one_process() -> None:
    # A Dockerfile's entrypoint and a systemd unit run the same binary: one program, drawn as
    # the HTTP process; two Procfile commands of one runner stay two processes.
    facts = _served_facts()
    docker = Entrypoint("Dockerfile", "http", (Evidence("Dockerfile", 9),), "/app/bin/tasks")
    unit = Entrypoint("tasks", "worker", (Evidence("tasks.service", 4),), "/usr/local/bin/tasks")
    deployment = (
        *facts.deployment,
        Item("docker", "docker", (Evidence("Dockerfile", None),)),
        Item("systemd", "systemd", (Evidence("tasks.service", None),)),
    )
    entries = (*facts.entrypoints[:2], docker, unit)
    text = container_diagram(replace(facts, entrypoints=entries, deployment=deployment))
    assert 'proc_dockerfile["Dockerfile (HTTP)"]' in text
    assert "proc_tasks" not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None


def test_broadcasts_to_browsers_are_delivered_by_the_web_process_not_the_job_worker() -> None:
    # A Rails app's cable server is mounted in the web process: its broadcasts wait for it,
    # while the jobs wait for the worker; a process of its own for sockets takes them instead.
    facts = _served_facts()
    sidekiq = Entrypoint("worker", "worker", (Evidence("Procfile", 3),), "bundle exec sidekiq")
    jobs = Handoff("Mail", "sidekiq", (Evidence("api.go", 5),), (Evidence("mail.rb", 2),))
    cable = Handoff("feed", "actioncable", (Evidence("api.go", 6),), (Evidence("feed.rb", 2),))
    both = replace(facts, entrypoints=(*facts.entrypoints, sidekiq), handoffs=(jobs, cable))
    text = container_diagram(both)
    assert "q_sidekiq --> proc_worker" in text
    assert "q_actioncable --> proc_web" in text
    assert "q_actioncable --> proc_worker" not in text
    assert parse_error(mermaid_blocks(text)[0].source) is None
    own = Entrypoint("cable", "http", (Evidence("Procfile", 4),), "bundle exec anycable")
    text = container_diagram(replace(both, entrypoints=(*both.entrypoints, own)))
    assert "q_actioncable --> proc_cable" in text
    assert "q_actioncable --> proc_web" not in text


def test_the_doc_draws_the_featured_flows_and_counts_the_rest_for_facts_json() -> None:
    facts = _served_facts()
    past = replace(
        facts.flows[0],
        name="/tags (tags.go) → SQLite",
        hops=(Hop("tags.go", 3, "http entry point"),),
        sinks=(Hop("db/sqlite/db.go", 4, "uses SQLite"),),
        featured=False,
    )
    both = replace(facts, flows=(*facts.flows, past))
    text = container_diagram(both)
    assert text == container_diagram(facts)  # the flow past the caps draws nothing
    listed = flow_list(both.flows, str, lambda ev: f"`{ev.path}`")
    assert "/tags (tags.go)" not in listed
    assert "…and 1 more flows" in listed
