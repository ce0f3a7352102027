"""One running process is one node (issue 18): a process named by several deployment files
(compose beside the uwsgi ini it runs, a Dockerfile CMD or a platform config beside the
Procfile, a compose command beside the package.json script it runs) is one entry point,
named by the deployment's own name, with every file as evidence; distinct processes stay
apart. Small repositories written for these tests, analysed for real."""

from __future__ import annotations

from bot.cli.diagrams import parse_error
from bot.core.analysis import analyze
from bot.core.analysis.processes import merge_processes
from bot.core.diagrams import mermaid_blocks
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Entrypoint, Evidence, FileFacts, RepoFacts, Signal
from bot.core.render import render_data_flow
from bot.core.render_flows import container_diagram
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

DJANGO = {
    "manage.py": (
        b"import sys\nfrom django.core.management import execute_from_command_line\n"
        b"if __name__ == '__main__':\n    execute_from_command_line(sys.argv)\n"
    ),
    "requirements.txt": b"django\nrequests\n",
    "shop/__init__.py": b"",
    "shop/wsgi.py": (
        b"from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
    ),
    "shop/urls.py": (
        b"from django.urls import path\nfrom shop import views\n\n"
        b"urlpatterns = [path('ping/', views.ping)]\n"
    ),
    "shop/views.py": (
        b"import requests\n\n\ndef ping(request):\n"
        b"    requests.post('https://hooks.example.org/ping', json={})\n"
    ),
    "shop/management/__init__.py": b"",
    "shop/management/commands/__init__.py": b"",
    "shop/management/commands/sendalerts.py": (
        b"import time\nimport requests\nfrom django.core.management.base import BaseCommand\n\n\n"
        b"class Command(BaseCommand):\n"
        b"    def handle(self, *args, **options):\n"
        b"        while True:\n"
        b"            requests.post('https://hooks.example.org/alert', json={})\n"
        b"            time.sleep(2)\n"
    ),
    "shop/management/commands/sendreports.py": (
        b"import time\nimport smtplib\nfrom django.core.management.base import BaseCommand\n\n\n"
        b"class Command(BaseCommand):\n"
        b"    def handle(self, *args, **options):\n"
        b"        while True:\n"
        b"            smtplib.SMTP('localhost').sendmail('a', 'b', 'c')\n"
        b"            time.sleep(60)\n"
    ),
}


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def deployed(facts: RepoFacts) -> list[tuple[str, str, set[str]]]:
    files = {ev.path for item in facts.deployment for ev in item.evidence}
    return [
        (e.name, e.kind, {ev.path for ev in e.evidence})
        for e in facts.entrypoints
        if any(ev.path in files for ev in e.evidence)
    ]


def assert_parses(facts: RepoFacts, paths: list[str]) -> str:
    view = container_diagram(facts)
    for body in render_data_flow(facts, paths).values():
        for block in mermaid_blocks(body):
            assert parse_error(block.source) is None, block.source
    return view


def test_compose_running_the_uwsgi_ini_is_one_web_process_and_its_daemons_stay_apart() -> None:
    files = {
        **DJANGO,
        "docker/Dockerfile": (
            b'FROM python:3.12\nCOPY . /opt/shop\nCMD [ "uwsgi", "/opt/shop/docker/uwsgi.ini"]\n'
        ),
        "docker/docker-compose.yml": (
            b"services:\n"
            b"  db:\n    image: postgres:16\n"
            b"  web:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n"
            b'    ports:\n      - "8000:8000"\n'
            b"    command: bash -c 'while !</dev/tcp/db/5432; do sleep 1; done;"
            b" uwsgi /opt/shop/docker/uwsgi.ini'\n"
        ),
        "docker/uwsgi.ini": (
            b"[uwsgi]\nmaster\nhttp-socket = :8000\nchdir = /opt/shop\n"
            b"module = shop.wsgi:application\n"
            b"attach-daemon = ./manage.py sendalerts --skip-checks\n"
            b"attach-daemon = ./manage.py sendreports --loop --skip-checks\n"
        ),
    }
    facts = facts_of(files)
    found = deployed(facts)
    assert (
        "web",
        "http",
        {"docker/docker-compose.yml", "docker/uwsgi.ini", "shop/wsgi.py"},
    ) in found
    names = sorted(name for name, _, _ in found)
    assert names == ["sendalerts", "sendreports", "web"]
    view = assert_parses(facts, list(files))
    assert "proc_uwsgi" not in view
    assert '-.->|"served by"| proc_web' in view


def test_a_platform_module_and_the_procfile_web_are_one_process_the_worker_another() -> None:
    # This project's shape: Clever Cloud starts gunicorn on the module, the Procfile's `web`
    # runs the package's own command that starts the same server.
    files = {
        **DJANGO,
        "Procfile": b"web: shop-admin serve\nworker: shop-admin worker\n",
        "clevercloud/python.json": (
            b'{\n  "deploy": {\n    "module": "shop.wsgi:application"\n  }\n}\n'
        ),
    }
    facts = facts_of(files)
    found = deployed(facts)
    assert ("web", "http", {"Procfile", "clevercloud/python.json", "shop/wsgi.py"}) in found
    assert sorted(name for name, _, _ in found) == ["web", "worker"]
    view = assert_parses(facts, list(files))
    assert "proc_clevercloud" not in view
    assert '-.->|"served by"| proc_web' in view


def test_a_dockerfile_cmd_and_a_procfile_serving_one_app_are_one_process() -> None:
    files = {
        **DJANGO,
        "Procfile": (
            b"web: gunicorn shop.wsgi --log-file -\nalerts: python manage.py sendalerts\n"
        ),
        "Dockerfile": (
            b"FROM python:3.12\nEXPOSE 8000\n"
            b'CMD ["gunicorn", "-b", ":8000", "shop.wsgi:application"]\n'
        ),
    }
    facts = facts_of(files)
    found = deployed(facts)
    assert ("web", "http", {"Procfile", "Dockerfile", "shop/wsgi.py"}) in found
    assert not any(name == "Dockerfile" for name, _, _ in found)
    assert_parses(facts, list(files))


def test_web_and_worker_of_one_image_with_different_commands_stay_two() -> None:
    files = {
        **DJANGO,
        "Dockerfile": b"FROM python:3.12\nEXPOSE 8000\nCMD gunicorn shop.wsgi\n",
        "compose.yml": (
            b"services:\n"
            b"  web:\n    build: .\n    ports: ['8000:8000']\n    command: gunicorn shop.wsgi\n"
            b"  worker:\n    build: .\n    command: celery -A shop worker\n"
            b"  beat:\n    build: .\n    command: celery -A shop beat\n"
        ),
    }
    facts = facts_of(files)
    found = deployed(facts)
    assert sorted(name for name, _, _ in found) == ["beat", "web", "worker"]
    assert ("web", "http", {"Dockerfile", "compose.yml", "shop/wsgi.py"}) in found
    assert_parses(facts, list(files))


def test_a_compose_command_in_a_subfolder_runs_the_root_package_script() -> None:
    facts = {
        "package.json": FileFacts("manifest"),
        "docker/docker-compose.yml": FileFacts(
            "config", signals=(Signal("deployment.compose", "app", 2, "build"),)
        ),
        "server.js": FileFacts("javascript"),
    }
    entries = [
        Entrypoint("start", "http", (Evidence("package.json", 6),), "node server.js"),
        Entrypoint("app", "http", (Evidence("docker/docker-compose.yml", 2),), "npm run start"),
        Entrypoint("HTTP server (server.js)", "http", (Evidence("server.js", 9),)),
    ]
    merged = merge_processes(entries, facts)
    assert [(e.name, e.kind) for e in merged] == [("app", "http")]
    assert {ev.path for ev in merged[0].evidence} == {
        "docker/docker-compose.yml",
        "package.json",
        "server.js",
    }


# --- one binary, roles chosen by a setting --------------------------------------------

KOA = {
    "package.json": (
        b'{"name": "notes", "scripts": {"build": "tsc", "start": "node build/server/index.js"},\n'
        b' "dependencies": {"koa": "2", "bull": "4", "pg": "8"}}\n'
    ),
    "server/index.ts": (
        b"import Koa from 'koa';\n"
        b"import { startWorker } from './worker';\n"
        b"import { startCron } from './cron';\n"
        b"\n"
        b"const services = (process.env.SERVICES || 'web,worker').split(',');\n"
        b"if (services.includes('web')) {\n"
        b"  const app = new Koa();\n"
        b"  app.listen(process.env.PORT || 3000);\n"
        b"}\n"
        b"if (services.includes('worker')) startWorker();\n"
        b"if (services.includes('cron')) startCron();\n"
    ),
    "server/worker.ts": (
        b"import Queue from 'bull';\n"
        b"export function startWorker() {\n"
        b"  new Queue('emails').process(async () => {});\n"
        b"}\n"
    ),
    "server/cron.ts": (b"export function startCron() {\n  setInterval(() => {}, 60000);\n}\n"),
}


def compose(environment: bool) -> bytes:
    out = b"services:\n"
    for name, port in (("web", True), ("worker", False), ("cron", False)):
        out += f"  {name}:\n    build: .\n    command: node build/server/index.js\n".encode()
        if port:
            out += b"    ports: ['3000:3000']\n"
        if environment:
            out += f"    environment:\n      SERVICES: {name}\n".encode()
    return out


def test_one_binary_whose_code_selects_roles_by_a_setting_is_a_process_per_role() -> None:
    files = {**KOA, "docker-compose.yml": compose(environment=True)}
    facts = facts_of(files)
    found = sorted((name, kind) for name, kind, _ in deployed(facts))
    assert found == [("cron", "scheduler"), ("web", "http"), ("worker", "worker")]
    assert_parses(facts, list(files))


def test_one_binary_run_three_times_without_a_role_setting_is_one_process() -> None:
    files = {**KOA, "docker-compose.yml": compose(environment=False)}
    facts = facts_of(files)
    found = deployed(facts)
    assert [(name, kind) for name, kind, _ in found] == [("web", "http")]
    assert_parses(facts, list(files))


def test_a_server_named_only_by_a_systemd_unit_is_the_process_of_the_app_module_it_serves() -> None:
    files = {
        **DJANGO,
        "deploy/shop.service": (
            b"[Unit]\nDescription=shop\n[Service]\n"
            b"ExecStart=/srv/shop/venv/bin/gunicorn -b :8000 shop.wsgi\n"
        ),
        "deploy/alerts.service": (
            b"[Service]\nExecStart=/srv/shop/venv/bin/python /srv/shop/manage.py sendalerts\n"
        ),
    }
    facts = facts_of(files)
    found = deployed(facts)
    assert ("gunicorn", "http", {"deploy/shop.service", "shop/wsgi.py"}) in found
    assert ("sendalerts", "worker", {"deploy/alerts.service"}) in found
    view = assert_parses(facts, list(files))
    assert "shop/wsgi.py" not in view  # drawn as the process, not as an entry of its own


def test_services_built_from_different_folders_with_one_command_stay_apart() -> None:
    files = {
        "api/package.json": b'{"name": "api", "scripts": {"start": "node index.js"}}\n',
        "api/index.js": b"require('http').createServer(() => {}).listen(3000);\n",
        "site/package.json": b'{"name": "site", "scripts": {"start": "node index.js"}}\n',
        "site/index.js": b"require('http').createServer(() => {}).listen(8080);\n",
        "compose.yml": (
            b"services:\n"
            b"  api:\n    build: ./api\n    ports: ['3000:3000']\n    command: npm start\n"
            b"  site:\n    build:\n      context: ./site\n    ports: ['80:8080']\n"
            b"    command: npm start\n"
        ),
    }
    facts = facts_of(files)
    assert sorted(name for name, _, _ in deployed(facts)) == ["api", "site"]


def test_one_command_named_by_a_devcontainer_and_a_procfile_is_one_process() -> None:
    entries = [
        Entrypoint(
            "worker", "worker", (Evidence(".devcontainer/compose.yml", 9),), "bundle exec sidekiq"
        ),
        Entrypoint("worker", "worker", (Evidence("Procfile.dev", 3),), "bundle exec sidekiq"),
        Entrypoint("jobs", "worker", (Evidence("Procfile", 2),), "bundle exec sidekiq -q mail"),
    ]
    facts = {
        ".devcontainer/compose.yml": FileFacts(
            "config",
            signals=(
                Signal("deployment.compose", "worker", 9, "build"),
                Signal("build.compose", "worker", 10, "..|.devcontainer/Dockerfile"),
            ),
        ),
        "Procfile.dev": FileFacts("config", signals=(Signal("deployment.procfile", "worker", 3),)),
        "Procfile": FileFacts("config", signals=(Signal("deployment.procfile", "jobs", 2),)),
    }
    merged = merge_processes(entries, facts)
    assert [(e.name, len(e.evidence)) for e in merged] == [("jobs", 1), ("worker", 2)]


def test_a_file_run_with_one_subcommand_is_still_that_files_entry_point() -> None:
    facts = {
        "Procfile": FileFacts("config", signals=(Signal("deployment.procfile", "jobs", 1),)),
        "worker.py": FileFacts("python"),
    }
    entries = [
        Entrypoint("jobs", "worker", (Evidence("Procfile", 1),), "python worker.py run"),
        Entrypoint("rq worker (worker.py)", "worker", (Evidence("worker.py", 4),)),
    ]
    merged = merge_processes(entries, facts)
    assert [(e.name, {ev.path for ev in e.evidence}) for e in merged] == [
        ("jobs", {"Procfile", "worker.py"})
    ]
