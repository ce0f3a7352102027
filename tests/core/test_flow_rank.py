"""Flows that reach several sinks, coverage-first ranking, flows named for what they do
(issue 18). A small Flask app written for these tests, analysed for real, and hand-made
flows for the ranking."""

from __future__ import annotations

from typing import Any

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_rank import RANK_CAPS
from bot.core.flow_rank import rank_flows as rank_all
from bot.core.model import Evidence, Flow, Hop, RepoFacts
from bot.core.render_flows import flow_list
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

APP = {
    "Procfile": b"web: gunicorn shop.web:app\nworker: celery -A shop.tasks worker\n",
    "requirements.txt": b"flask\ncelery\nredis\nrequests\n",
    "shop/__init__.py": b"",
    "shop/web.py": (
        b"from flask import Flask, request\n"
        b"from shop import comments\n"
        b"app = Flask(__name__)\n\n"
        b"@app.post('/comments')\n"
        b"def post_comment():\n"
        b"    comments.create(request.json)\n"
        b"    return '', 201\n"
    ),
    "shop/comments.py": (
        b"from shop.tasks import watch, notify\n"
        b"from shop import store\n\n"
        b"def create(body):\n"
        b"    watch.delay(body['page'])\n"
        b"    _notify(body)\n"
        b"    store.save(body)\n\n"
        b"def _notify(body):\n"
        b"    notify.delay(body['id'])\n"
    ),
    "shop/store.py": (
        b"import redis\n\n"
        b"client = redis.Redis()\n\n"
        b"def save(body):\n"
        b"    client.set(body['id'], body['text'])\n"
    ),
    "shop/tasks.py": (
        b"from celery import shared_task\n\n"
        b"@shared_task\n"
        b"def watch(page):\n"
        b"    return page\n\n"
        b"@shared_task\n"
        b"def notify(comment_id):\n"
        b"    return comment_id\n"
    ),
}


def rank_flows(*args: Any) -> tuple[Flow, ...]:
    """The reader's selection: the featured flows, in order."""
    return tuple(f for f in rank_all(*args) if f.featured)


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def test_a_request_carries_every_sink_it_reaches_each_with_its_own_chain() -> None:
    facts = facts_of(APP)
    mine = [f for f in facts.flows if f.hops[0].path == "shop/web.py"]
    by_sink = {f.name.rpartition(" → ")[2]: f for f in mine}
    # It enqueues on two queues and writes to the store: three sinks, not the first one.
    assert {"watch", "notify", "Redis"} <= set(by_sink), [f.name for f in mine]
    notify = by_sink["notify"]
    assert notify.sinks[0] == Hop("shop/comments.py", 10, "enqueues notify (celery)")
    # Its chain goes through the function that enqueues it, each hop at its line.
    assert ("shop/comments.py", 6) in [(h.path, h.line) for h in notify.hops]
    assert by_sink["Redis"].sinks[0].path == "shop/store.py"


def test_the_render_groups_one_entrys_sinks_into_one_numbered_item() -> None:
    facts = facts_of(APP)
    out = flow_list(facts.flows, str, lambda e: f"`{e.path}:{e.line}`")
    items = [line for line in out.splitlines() if line[:1].isdigit()]
    comment = [line for line in items if "post_comment" in line]
    assert len(comment) == 1, items
    assert "enqueues watch" in comment[0]
    assert "enqueues notify" in comment[0]


def _flow(entry: str, sink: str, rank: str = "public", site: str = "", line: int = 1) -> Flow:
    kind = {"public": "http", "deployed": "worker", "cli": "cli"}[rank]
    hops = (Hop(entry, line, f"{kind} entry point"),)
    at = site or f"lib/{sink.lower()}.py"
    return Flow(f"{entry} → {sink}", kind, rank, hops, (Hop(at, 3, f"uses {sink}"),))


def test_every_sink_is_covered_before_a_second_flow_to_one_sink() -> None:
    flows = [_flow(f"routes/r{i:03}.py", "SQLite", site="app/settings.py") for i in range(60)]
    flows += [_flow(f"routes/s{i:03}.py", f"Service{i}") for i in range(20)]
    flows.append(_flow("routes/forgot.py", "SMTP"))
    kept = rank_flows(flows, {f: 50 for f in flows[:60]}, {})
    names = {f.name.rpartition(" → ")[2] for f in kept}
    assert "SMTP" in names
    assert {f"Service{i}" for i in range(20)} <= names
    public = [f for f in kept if f.rank == "public"]
    assert RANK_CAPS["public"] < len(public) <= 24


def test_of_flows_to_one_sink_the_one_at_a_rarer_site_is_kept_first() -> None:
    # Every route reaches SMTP through the settings module that configures it; one reaches
    # the module that sends mail. That one stands for SMTP.
    flows = [_flow(f"routes/r{i:03}.py", "SMTP", site="app/settings.py") for i in range(40)]
    flows.append(_flow("routes/forgot.py", "SMTP", site="app/mailer.py"))
    kept = rank_flows(flows, {f: 50 for f in flows[:40]}, {})
    assert kept[0].hops[0].path == "routes/forgot.py"


def test_of_flows_to_one_sink_the_route_named_for_the_service_stands_for_it() -> None:
    # Many routes reach the payment provider (each at its own line); the webhook route made
    # for that provider is the one a reader looks for.
    flows = [
        _flow(f"pages/api/a{i:02}.ts", "Payfast", site=f"lib/billing{i}.ts") for i in range(30)
    ]
    flows.append(_flow("pages/api/webhooks/payfast/index.ts", "Payfast", site="lib/hook.ts"))
    kept = rank_flows(flows, {}, {})
    assert kept[0].hops[0].path == "pages/api/webhooks/payfast/index.ts"


def test_deployed_flows_are_all_kept() -> None:
    flows = [_flow(f"jobs/j{i:02}.py", f"Store{i}", rank="deployed") for i in range(20)]
    flows += [_flow(f"routes/r{i:03}.py", "SQLite") for i in range(30)]
    kept = rank_flows(flows, {}, {})
    assert sum(f.rank == "deployed" for f in kept) == 20


def test_a_flow_to_a_wrapper_whose_url_is_a_parameter_is_named_for_the_request() -> None:
    files = {
        "requirements.txt": b"flask\nrequests\n",
        "svc/__init__.py": b"",
        "svc/web.py": (
            b"from flask import Flask\n"
            b"from svc import remote\n"
            b"app = Flask(__name__)\n\n"
            b"@app.post('/sync')\n"
            b"def sync():\n"
            b"    remote.call_api('https://api.example.org/v1/sync')\n"
            b"    return ''\n"
        ),
        "svc/remote.py": (
            b"import requests\n\ndef call_api(url):\n    return requests.post(url, timeout=5)\n"
        ),
    }
    flows = [f for f in facts_of(files).flows if f.hops[0].path == "svc/web.py"]
    assert flows, "no flow from the route"
    names = [f.name for f in flows]
    assert not any(n.endswith("→ requests") or n.endswith("→ call_api") for n in names), names
    assert any("HTTP" in n for n in names), names
    assert all(Evidence(h.path, h.line) for h in flows[0].hops)


def test_an_entry_whose_only_flow_is_a_routine_query_keeps_one() -> None:
    # Six admin controllers reach three services, three flows each; the API controller's one
    # flow ends at an Active Record query (routine, as in every handler). It still shows
    # before the admin controllers' second and third flows.
    flows = [
        _flow(f"app/controllers/admin/c{i}_controller.rb", sink, site=f"app/models/m{i}.rb")
        for i in range(6)
        for sink in ("DNS", "Mailer", "Cache")
    ]
    api = Flow(
        "POST /api/send → PostgreSQL",
        "http",
        "public",
        (Hop("app/controllers/api/send_controller.rb", 4, "http entry point"),),
        (Hop("app/models/message.rb", 9, "queries PostgreSQL (Message.create)"),),
    )
    kept = rank_flows([*flows, api], {}, {})
    assert api in kept
    # and after one flow of each other file: the first flows are not displaced
    assert kept.index(api) >= 6


def test_late_flows_come_after_their_rank_and_never_displace_a_declared_start() -> None:
    # A worker's flow and an interface implementation's flow from one file to one sink: the
    # worker's is kept; late flows fill what the cap leaves, after the declared ones.
    worker = _flow("jobs/buffer.py", "SQLite", rank="deployed", site="jobs/buffer.py")
    impl = _flow("jobs/buffer.py", "SQLite", rank="deployed", site="jobs/buffer.py")
    impl = Flow(f"Buffer.push {impl.name}", impl.entry, impl.rank, impl.hops, impl.sinks)
    others = [_flow(f"jobs/j{i:02}.py", f"Store{i}", rank="deployed") for i in range(40)]
    kept = rank_flows([impl, worker, *others], {}, {}, frozenset({impl}))
    assert worker in kept
    assert impl not in kept
    assert sum(f.rank == "deployed" for f in kept) == RANK_CAPS["deployed"]


def test_a_handlers_call_chain_stands_for_a_sink_before_a_module_that_only_imports_it() -> None:
    sink = (Hop("lib/kettle_service.ts", 40, "enqueues brewJob (queue)"),)
    other = (Hop("lib/kettle_worker.ts", 9, "enqueues brewJob (queue)"),)
    called = Flow(
        "routes/kettle.ts → brewJob",
        "http",
        "public",
        (
            Hop("routes/kettle.ts", 12, "http entry point"),
            Hop("routes/kettle.ts", 15, "calls KettleService.brew"),
            Hop("lib/kettle_service.ts", 30, "calls KettleService.start"),
        ),
        sink,
    )
    shared = Flow(
        "routes/pot.ts → brewJob",
        "http",
        "public",
        (Hop("routes/pot.ts", 3, "http entry point"), Hop("routes/pot.ts", 15, "calls x")),
        sink,
    )
    imported = Flow(
        "server/main.ts → brewJob",
        "http",
        "public",
        (
            Hop("server/main.ts", 4, "http entry point"),
            Hop("server/main.ts", 1, "imports ./app.module"),
        ),
        other,
    )
    filler = [_flow(f"routes/f{i:03}.ts", f"Api{i}") for i in range(40)]
    kept = rank_flows([imported, *filler, called, shared], {}, {})
    brewing = [f for f in kept if f.name.endswith("→ brewJob")]
    # the flow standing for the sink follows a handler's calls (whose line two handlers
    # share), not a module's imports to another line that enqueues it
    assert brewing
    assert brewing[0] in (called, shared)


def test_a_query_that_also_hands_work_on_is_no_routine_lookup() -> None:
    # Forty jobs each reach a service of their own after a second flow of theirs; two jobs
    # only look rows up; one looks rows up and enqueues a job per row (a fan-out).
    flows = [
        _flow(f"app/jobs/j{i:02}_job.rb", sink, rank="deployed", site=f"app/services/s{i}.rb")
        for i in range(20)
        for sink in (f"Service{i}", f"Other{i}")
    ]

    def lookup(path: str, also: tuple[Hop, ...] = ()) -> Flow:
        return Flow(
            f"{path} → PostgreSQL",
            "worker",
            "deployed",
            (Hop(path, 3, "worker entry point"),),
            (Hop(path, 4, "queries the PostgreSQL database (User.find_each)"), *also),
        )

    plain = [lookup("app/jobs/scan_a_job.rb"), lookup("app/jobs/scan_b_job.rb")]
    fans = lookup(
        "app/jobs/fan_out_job.rb",
        (Hop("app/jobs/fan_out_job.rb", 5, "enqueues TallyJob (activejob)"),),
    )
    kept = [f for f in rank_flows([*flows, *plain, fans], {}, {}) if f.rank == "deployed"]
    # Capped at the deployed rank's size, the fan-out keeps its place; a lookup may not.
    assert fans in kept


def test_flows_past_the_caps_stay_traced_after_the_selection_not_featured() -> None:
    # The doc tells the selection; `facts --json` keeps every flow, the rest after it.
    flows = [_flow(f"routes/r{i:03}.py", f"Service{i}") for i in range(80)]
    every = rank_all(flows, {}, {})
    featured = [f for f in every if f.featured]
    assert len(every) == 80
    assert len(featured) == 24  # the public cap, grown with the sinks
    assert every[: len(featured)] == tuple(featured)
    assert not any(f.featured for f in every[len(featured) :])


def test_a_file_reaching_many_services_does_not_crowd_out_the_other_files() -> None:
    # One routes file reaches twenty services of its own; ten other files each store what
    # they are sent (one shared store line). Each of those files shows before the big
    # file's third flow: a reader sees every entry file before one file's whole fan-out.
    hub = [_flow("routes/hub.py", f"Service{i}", site=f"lib/s{i}.py") for i in range(20)]
    posts = [_flow(f"routes/p{i:02}.py", "Store", site="lib/store.py") for i in range(10)]
    kept = rank_flows([*hub, *posts], {f: 50 for f in hub}, {})
    assert {f.hops[0].path for f in posts} <= {f.hops[0].path for f in kept}
    assert sum(f.hops[0].path == "routes/hub.py" for f in kept) == len(kept) - 10
    # the file's second flow (to a service only it reaches) keeps its place
    assert [f.hops[0].path for f in kept[:3]] == ["routes/hub.py", "routes/p00.py", "routes/hub.py"]


def test_a_files_second_flow_waits_only_when_other_flows_reach_its_sink() -> None:
    # The hub's second flow goes to a mailer that other files reach too (through the
    # settings module): it follows the other files' first flows. A second flow to a sink
    # no other flow reaches keeps its place: nothing else would show it.
    hub = [
        _flow("routes/hub.py", "Payments", site="lib/pay.py"),
        _flow("routes/hub.py", "SMTP", site="lib/mailer.py"),
    ]
    others = [_flow(f"routes/r{i}.py", "SMTP", site="app/settings.py") for i in range(3)]
    kept = rank_flows([*hub, *others], {hub[0]: 50, hub[1]: 40}, {})
    order = [(f.hops[0].path, f.name.rpartition(" → ")[2]) for f in kept]
    assert order[0] == ("routes/hub.py", "Payments")
    assert order.index(("routes/hub.py", "SMTP")) > order.index(("routes/r0.py", "SMTP"))
    search = _flow("routes/hub.py", "Search", site="lib/search.py")
    payers = [_flow(f"routes/q{i}.py", "Payments", site="app/settings.py") for i in range(3)]
    kept = rank_flows([hub[0], search, *payers], {hub[0]: 50, search: 40}, {})
    assert kept[:2] == (hub[0], search)


def test_ordering_thousands_of_flows_of_one_file_stays_fast() -> None:
    # Hostile input: one generated file with thousands of flows to sinks of its own, and
    # thousands of files to one sink. The order is computed in bounded time (no quadratic
    # membership scans) and capped as always.
    import time

    hub = [_flow("gen/routes.py", f"Svc{i}", site=f"lib/g{i}.py") for i in range(4000)]
    many = [_flow(f"gen/r{i:05}.py", "Store", site="lib/store.py") for i in range(4000)]
    start = time.perf_counter()
    every = rank_all([*hub, *many], {}, {})
    assert time.perf_counter() - start < 5
    assert len(every) == 8000
    assert sum(f.featured for f in every) == 24
