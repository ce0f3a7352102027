"""A Django table worked off row by row by a command (a job table), commands on a project's
own base, a crontab line's command as a scheduled flow, the cli cap (the held-out wger run:
a gym's mass mail queued as rows a command sends and deletes; sync commands on the project's
own command base; the demo image's crontab running commands through a wrapper script)."""

from __future__ import annotations

import time

from bot.core.analysis.python import PythonExtractor
from bot.core.analysis.table_queue import drained_table_sites
from bot.core.flow_rank import MAX_CLI, RANK_CAPS, rank_flows
from bot.core.flows import _command_files, _scheduled_command
from bot.core.model import Evidence, FileFacts, Flow, Hop, Schedule
from tests.core.analysis.analysed import by_name, ends, facts_of

COMMAND = (
    "from django.core.management.base import BaseCommand\n"  # 1
    "from notices.models import Outgoing, Member\n"
    "\n"
    "class Command(BaseCommand):\n"
    "    def handle(self, **options):\n"  # 5
    "        for item in Outgoing.objects.all()[:50]:\n"
    "            deliver(item.address, item.text)\n"
    "            # item.delete() in a comment is no delete\n"
    "            item.delete()\n"
    "\n"  # 10
    "    def prune(self):\n"
    "        for member in Member.objects.filter(active=False):\n"
    "            if member.stale:\n"
    "                member.delete()\n"  # 14: only some rows: a cleanup
    "        for member in Member.objects.all():\n"
    "            member.profile.delete()\n"  # 16: a related row
    "        rows = Member.objects.all()\n"
    "        for member in rows:\n"
    "            notify(member)\n"
    "            member.delete()\n"  # 20: not straight over the model's rows
    "        for member in Member.objects.all():\n"
    "            member.delete()\n"  # 22: nothing done with the row first
)


def test_a_loop_that_works_off_each_row_and_deletes_it_consumes_the_table() -> None:
    sites = drained_table_sites(COMMAND, COMMAND.split("\n"))
    assert [(s.role, s.name, s.line) for s in sites] == [("consume", "Outgoing", 5)]


VIEW = (
    b"from django.http import HttpResponse\n"
    b"from notices.models import Outgoing\n\n"
    b"def broadcast(request):\n"
    b"    addresses = [m.email for m in request.user.team.members.all()]\n"
    b"    Outgoing.objects.bulk_create([Outgoing(address=a) for a in addresses])\n"
    b"    return HttpResponse('queued')\n"
)
MODELS = (
    b"from django.db import models\n\n"
    b"class Outgoing(models.Model):\n"
    b"    address = models.EmailField()\n"
    b"    text = models.TextField()\n\n"
    b"class Member(models.Model):\n"
    b"    active = models.BooleanField()\n"
)


def test_rows_a_view_bulk_creates_and_a_command_works_off_are_a_hand_off() -> None:
    facts = facts_of(
        {
            "notices/__init__.py": b"",
            "notices/models.py": MODELS,
            "notices/views.py": VIEW,
            "notices/management/commands/send_notices.py": COMMAND.encode(),
        }
    )
    handoff = by_name(facts)["Outgoing"]
    assert ends(handoff) == (
        {"notices/views.py:6"},
        {"notices/management/commands/send_notices.py:5"},
    )
    assert "Member" not in by_name(facts)


def test_the_same_loop_in_a_view_is_no_hand_off() -> None:
    view = COMMAND.replace("BaseCommand", "View").replace("django.core.management.base", "x")
    facts = facts_of(
        {"notices/models.py": MODELS, "notices/views.py": VIEW, "notices/pages.py": view.encode()}
    )
    assert "Outgoing" not in by_name(facts)


def test_a_command_on_the_project_s_own_command_base_is_an_entry_point() -> None:
    own = (
        b"from shop.management.base import ImportCommand\n\n"
        b"class Command(ImportCommand):\n"
        b"    def handle(self, **options):\n"
        b"        pass\n"
    )
    lookalike = b"class Command(Enum):\n    A = 1\n# class Command(FakeCommand):\n"
    kinds = {s.kind for s in PythonExtractor().extract("x.py", own).signals}
    assert "entrypoint.cli" in kinds
    kinds = {s.kind for s in PythonExtractor().extract("y.py", lookalike).signals}
    assert "entrypoint.cli" not in kinds


def _facts(paths: list[str]) -> dict[str, FileFacts]:
    return {p: FileFacts(language="python") for p in paths}


def test_a_crontab_line_names_the_command_file_it_runs() -> None:
    commands = _command_files(
        _facts(
            [
                "shop/management/commands/send-digest.py",
                "shop/management/commands/__init__.py",
                "shop/management/commands/_helpers.py",
                "shop/views/send-digest.py",
            ]
        ),
        lambda _: False,
    )
    assert commands == {"send-digest": "shop/management/commands/send-digest.py"}
    cron = Schedule(
        "/srv/venvwrap", "0 5 * * *", "cron", (Evidence("deploy/crontab", 2),),
        "app /srv/venvwrap send-digest --quiet",
    )  # fmt: skip
    assert _scheduled_command(commands, cron) == (
        "shop/management/commands/send-digest.py",
        "send-digest",
    )
    other = Schedule("backup", "@daily", "cron", (Evidence("deploy/crontab", 3),), "pg_dump db")
    assert _scheduled_command(commands, other) is None


def test_a_crontab_command_starts_a_scheduled_flow_at_its_file() -> None:
    files = {
        "deploy/crontab": b"0 5 * * * app /srv/venvwrap send-digest\n",
        "Dockerfile": b"FROM python:3.13\nCOPY deploy/crontab /etc/cron.d/app\n",
        "shop/__init__.py": b"",
        "shop/models.py": b"from django.db import models\n\nclass Reader(models.Model):\n"
        b"    email = models.EmailField()\n",
        "shop/management/commands/send-digest.py": (
            b"from django.core.mail import send_mail\n"
            b"from django.core.management.base import BaseCommand\n"
            b"from shop.models import Reader\n\n"
            b"class Command(BaseCommand):\n"
            b"    def handle(self, **options):\n"
            b"        for reader in Reader.objects.all():\n"
            b"            send_mail('digest', 'news', 'a@acme-corp.io', [reader.email])\n"
        ),
    }
    facts = facts_of(files)
    started = [f for f in facts.flows if f.hops[0].path.endswith("send-digest.py")]
    assert started
    assert {f.rank for f in started} == {"deployed"}
    assert all(f.name.startswith("scheduled send-digest") for f in started)


def _cli(entry: str, sink: str) -> Flow:
    hops = (Hop(entry, 1, "cli entry point"),)
    return Flow(
        f"{entry} → {sink}", "cli", "cli", hops, (Hop(f"lib/{sink}.py", 3, f"uses {sink}"),)
    )


def test_commands_keep_one_flow_per_distinct_sink_up_to_the_cli_cap() -> None:
    many = [_cli(f"cmd/c{i:02}.py", f"Service{i}") for i in range(MAX_CLI + 5)]
    assert sum(f.featured for f in rank_flows(many, {}, {})) == MAX_CLI
    same = [_cli(f"cmd/c{i:02}.py", "Database") for i in range(MAX_CLI + 5)]
    assert sum(f.featured for f in rank_flows(same, {}, {})) == RANK_CAPS["cli"]


def test_hostile_command_files_and_crontabs_stay_quick() -> None:
    hostile = [
        "class Command(BaseCommand):\n    def handle(self):\n"
        + "        for x in Job.objects.all():\n" * 20_000,
        "for x in Job.objects." + "a" * 300_000 + "\n    x.delete()\n",
        "class Command(BaseCommand):\n def h(self):\n  for r in Job.objects.all():\n"
        + "   r.x()\n" * 50_000
        + "   r.delete()\n",
        "x.delete()\n.objects.\n" + "for " * 100_000,
    ]
    for text in hostile:
        start = time.process_time()
        drained_table_sites(text, text.split("\n"))
        assert time.process_time() - start < 2.0
    commands = {f"c{i}": f"a/management/commands/c{i}.py" for i in range(10_000)}
    cron = Schedule("x", "* * * * *", "cron", (), " ".join(["w"] * 1_000_000))
    start = time.process_time()
    assert _scheduled_command(commands, cron) is None
    PythonExtractor().extract("z.py", b"class Command(" + b"A" * 200_000 + b"Command)\n")
    assert time.process_time() - start < 2.0
