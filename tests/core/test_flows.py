from __future__ import annotations

import pytest

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flows import build_flows, is_development
from bot.core.model import (
    Entrypoint,
    Evidence,
    FileFacts,
    Handoff,
    HandoffSite,
    ImportRef,
    RepoFacts,
)
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

APP = {
    "Procfile": b"web: gunicorn app.web:app\nworker: celery -A app.tasks worker\n",
    "requirements.txt": b"flask\ncelery\nredis\npsycopg2\nstripe\n",
    "app/__init__.py": b"",
    "app/web.py": (
        b"from flask import Flask, request\n"
        b"from app.tasks import charge\n"
        b"app = Flask(__name__)\n\n"
        b"@app.post('/orders')\n"
        b"def orders():\n"
        b"    charge.delay(request.json['id'])\n"
        b"    return '', 202\n"
    ),
    "app/tasks.py": (
        b"from celery import shared_task\n"
        b"from app import billing\n\n"
        b"@shared_task\n"
        b"def charge(order_id):\n"
        b"    billing.charge(order_id)\n"
    ),
    "app/billing.py": (
        b"import stripe\n\ndef charge(order_id):\n    stripe.Charge.create(amount=1)\n"
    ),
    "bench/load.py": (
        b"import argparse\nfrom app.tasks import charge\n\n"
        b"if __name__ == '__main__':\n    argparse.ArgumentParser().parse_args()\n"
        b"    charge.delay(1)\n"
    ),
}


def app_facts() -> RepoFacts:
    return analyze(MemorySnapshot(APP), MemoryFactsCache(), default_catalog())


def test_request_flow_ends_at_the_enqueue_and_the_worker_flow_at_the_service() -> None:
    facts = app_facts()
    (handoff,) = facts.handoffs
    assert handoff.name == "charge"
    assert handoff.producers[0] == Evidence("app/web.py", 7)
    assert Evidence("app/tasks.py", 5) in handoff.consumers
    by_name = {f.name: f for f in facts.flows}
    web = next(f for f in facts.flows if f.rank == "public")
    assert web.name.startswith("/orders (app/web.py)")
    assert next((h.path, h.line) for h in web.hops)[0] == "app/web.py"
    assert web.sinks[0].what == "enqueues charge (celery)"
    worker = next(f for f in facts.flows if f.rank == "deployed" and "Stripe" in f.name)
    # The worker's task calls billing.charge: the hop is the call, not the import.
    assert [(h.path, h.line, h.what) for h in worker.hops[1:]] == [
        ("app/tasks.py", 6, "calls billing.charge")
    ]
    assert worker.sinks[0].path == "app/billing.py"
    assert any(f.rank == "development" for f in by_name.values())


def test_flows_are_ordered_requests_first_and_development_last() -> None:
    ranks = [f.rank for f in app_facts().flows]
    order = ("public", "deployed", "cli", "development")
    assert ranks == sorted(ranks, key=order.index)


def test_development_paths() -> None:
    assert is_development("bench/analysis.py")
    assert is_development("bot/sandbox/app.py")
    assert is_development("bot/cli/demo.py")
    assert not is_development("apps/api/src/app/endpoints/benchmarks/benchmarks.controller.ts")
    assert not is_development("bot/web.py")


def test_same_sink_reached_from_many_route_files_is_one_flow() -> None:
    facts = {
        f"app{i}/urls.py": FileFacts("python", imports=(ImportRef("views", 1),)) for i in range(5)
    }
    facts["views.py"] = FileFacts("python", handoffs=(HandoffSite("produce", "celery", "job", 3),))
    entries = [Entrypoint("urls", "http", tuple(Evidence(p, 1) for p in facts if "urls" in p))]

    def resolve(path: str, language: str, ref: ImportRef) -> str | None:
        return "views.py" if ref.spec == "views" else None

    flows = build_flows(entries, facts, resolve, [Handoff("job", "celery", (), ())], [])
    assert len(flows) == 1
    assert flows[0].sinks[0].path == "views.py"


def test_import_cycles_and_missing_files_end_the_walk() -> None:
    facts = {
        "a.py": FileFacts("python", imports=(ImportRef("b", 1),)),
        "b.py": FileFacts("python", imports=(ImportRef("a", 1), ImportRef("ghost", 2))),
    }

    def resolve(path: str, language: str, ref: ImportRef) -> str | None:
        return f"{ref.spec}.py"

    entries = [Entrypoint("a", "cli", (Evidence("a.py", 1),))]
    assert build_flows(entries, facts, resolve, [], []) == ()


# A Node shape seen on held-out repositories: a barrel (`lib/index.js`) re-exports every
# service; each controller takes only the services it uses; the barrel sits a few files deep.
BARREL_APP = {
    "package.json": b'{"dependencies": {"express": "4", "pg": "8", "nodemailer": "6"}}\n',
    "server.js": (
        b"const app = require('./web/app');\nconst db = require('./lib/db');\n"
        b"db.connect().then(() => app.listen(8080));\n"
    ),
    "web/app.js": b"const express = require('express');\nconst app = express();\n",
    "web/invoices.route.js": (
        b"const router = require('express').Router();\n"
        b"const ctl = require('../controllers/invoices');\n"
        b"router.get('/invoices', ctl.list);\nmodule.exports = router;\n"
    ),
    "web/signup.route.js": (
        b"const router = require('express').Router();\n"
        b"const ctl = require('../controllers/signup');\n"
        b"router.post('/signup', ctl.create);\nmodule.exports = router;\n"
    ),
    "controllers/invoices.js": (
        b"const { invoices } = require('../lib');\n"
        b"exports.list = async (req, res) => res.json(await invoices.all());\n"
    ),
    "controllers/signup.js": (
        b"const { accounts, mailer } = require('../lib');\n"
        b"exports.create = async (req, res) => { await accounts.add(req.body);"
        b" await mailer.welcome(req.body.email); };\n"
    ),
    "lib/index.js": (
        b"module.exports.accounts = require('./accounts');\n"
        b"module.exports.invoices = require('./invoices');\n"
        b"module.exports.mailer = require('./mailer');\n"
    ),
    "lib/accounts.js": b"const db = require('./store/db');\nexports.add = (a) => db.insert(a);\n",
    "lib/invoices.js": b"const db = require('./store/db');\nexports.all = () => db.all();\n",
    "lib/store/db.js": b"const { Pool } = require('pg');\nmodule.exports = new Pool();\n",
    "lib/db.js": b"const { Pool } = require('pg');\nexports.connect = () => new Pool().connect();",
    "lib/mailer.js": (
        b"const nodemailer = require('nodemailer');\n"
        b"const t = nodemailer.createTransport({ host: process.env.SMTP_HOST });\n"
        b"exports.welcome = (to) => t.sendMail({ to });\n"
    ),
}


def test_a_barrel_is_walked_only_for_the_names_taken_from_it() -> None:
    facts = analyze(MemorySnapshot(BARREL_APP), MemoryFactsCache(), default_catalog())
    # A flow starts at the route file, or at the handler it routes to (its second hop).
    reached = {(h.path, f.sinks[0].path) for f in facts.flows for h in f.hops[:2]}
    # The invoices route takes only `invoices`: it reaches the store through the barrel
    # (four files down, the barrel not counted) and never the mailer.
    assert ("web/invoices.route.js", "lib/store/db.js") in reached
    assert not any(p == "web/invoices.route.js" and s == "lib/mailer.js" for p, s in reached)
    # The signup route takes `mailer` too: its mail flow is its own, not merged away.
    assert ("web/signup.route.js", "lib/mailer.js") in reached
    # The file that listens is where the process starts.
    assert ("server.js", "lib/db.js") in reached


# A Django app `alerts` with a management command package (its command file added by each test).
ALERTS_COMMANDS = {
    "alerts/__init__.py": b"",
    "alerts/management/__init__.py": b"",
    "alerts/management/commands/__init__.py": b"",
}


def test_a_management_command_that_polls_forever_is_a_deployed_scheduler_flow() -> None:
    files = {
        "manage.py": b"import sys\nfrom django.core.management import execute_from_command_line\n"
        b"if __name__ == '__main__':\n    execute_from_command_line(sys.argv)\n",
        "requirements.txt": b"django\nrequests\n",
        **ALERTS_COMMANDS,
        "alerts/management/commands/sendalerts.py": (
            b"import time\n"
            b"import requests\n"
            b"from django.core.management.base import BaseCommand\n\n\n"
            b"class Command(BaseCommand):\n"
            b"    def handle(self, *args, **options):\n"
            b"        while True:\n"
            b"            requests.post('https://hooks.example.org/alert', json={})\n"
            b"            time.sleep(2)\n"
        ),
    }
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    (schedule,) = facts.schedules
    assert schedule.name == "sendalerts"
    path = "alerts/management/commands/sendalerts.py"
    assert [(e.path, e.line) for e in schedule.evidence] == [(path, 8), (path, 10)]
    flow = next(f for f in facts.flows if f.hops[0].path == path)
    assert flow.entry == "scheduler"
    assert flow.rank == "deployed"
    assert any("hooks.example.org" in s.what for s in flow.sinks)


def test_a_hop_through_a_name_of_a_multi_line_import_cites_the_name_line() -> None:
    app = {
        "requirements.txt": b"click\nstripe\n",
        "shop/__init__.py": b"",
        "shop/cli.py": (
            b"import click\n"
            b"from . import (\n"
            b"    ledger,\n"
            b"    billing,\n"
            b")\n\n"
            b"@click.command()\n"
            b"def main():\n"
            b"    ledger.note()\n"
        ),
        "shop/ledger.py": b"def note():\n    return 1\n",
        "shop/billing.py": b"import stripe\n\ndef charge():\n    stripe.Charge.create(amount=1)\n",
    }
    facts = analyze(MemorySnapshot(app), MemoryFactsCache(), default_catalog())
    (flow,) = facts.flows
    # Line 2 (`from . import (`) names neither module: the hop cites `billing,`.
    assert [(h.path, h.line, h.what) for h in flow.hops[1:]] == [
        ("shop/cli.py", 4, "imports .billing")
    ]


RQ_ALIAS_APP = {
    "shop/__init__.py": "",
    "shop/worker.py": "from functools import partial\nfrom rq.decorators import job as rq_job\n"
    "job = partial(rq_job, connection=None)\n",
    "shop/tasks.py": "from shop.worker import job\n\n@job('default')\ndef log_event(payload):\n"
    "    pass\n",
    "shop/web.py": "from flask import Flask\nfrom shop.tasks import log_event as log_event_task\n\n"
    "app = Flask(__name__)\n\n@app.post('/events')\ndef record():\n"
    "    log_event_task.delay({'seen': 1})\n    return ''\n",
}


@pytest.mark.parametrize(("requirements", "mechanism"), [("flask\nrq\n", "rq"), ("flask\n", "job")])
def test_a_job_decorator_of_the_repository_is_rq_s_when_it_depends_on_rq(
    requirements: str, mechanism: str
) -> None:
    files = {**RQ_ALIAS_APP, "requirements.txt": requirements}
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    facts = analyze(snapshot, MemoryFactsCache(), default_catalog())
    (handoff,) = facts.handoffs
    assert (handoff.name, handoff.mechanism) == ("log_event", mechanism)
    # The flow's sink says the hand-off's mechanism when it knows one, and the line's alias.
    sinks = {s.what for f in facts.flows for s in f.sinks}
    shown = mechanism if mechanism == "rq" else "celery"
    assert f"enqueues log_event via log_event_task ({shown})" in sinks
