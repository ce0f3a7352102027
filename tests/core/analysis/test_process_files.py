"""uWSGI, supervisord and systemd files name the processes a deployment runs."""

from __future__ import annotations

import time

from bot.core.analysis.process_files import (
    command_name,
    parse_supervisor,
    parse_systemd,
    parse_uwsgi,
)
from bot.core.model import FileFacts


def rows(facts: FileFacts) -> set[tuple[str, str, int]]:
    return {(s.kind, s.name, s.line) for s in facts.signals}


def test_uwsgi_serves_the_app_and_attaches_daemons_as_processes() -> None:
    data = (
        b"[uwsgi]\n"
        b"master\n"
        b"http-socket = :8000\n"
        b"module = shop.wsgi:application\n"
        b"; a comment\n"
        b"attach-daemon = ./manage.py drain_outbox --skip-checks\n"
        b"smart-attach-daemon = /tmp/beat.pid celery -A shop beat --pidfile=/tmp/beat.pid\n"
        b"attach-daemon2 = cmd=python -m shop.mailer,freq=3\n"
    )
    assert rows(parse_uwsgi(data)) == {
        ("deployment.uwsgi", "uwsgi", 3),
        ("entrypoint.http", "uwsgi", 3),
        ("deployment.uwsgi", "drain_outbox", 6),
        ("entrypoint.worker", "drain_outbox", 6),
        ("deployment.uwsgi", "celery", 7),
        ("entrypoint.scheduler", "celery", 7),
        ("deployment.uwsgi", "shop.mailer", 8),
        ("entrypoint.worker", "shop.mailer", 8),
    }


def test_an_ini_file_of_another_tool_says_nothing() -> None:
    assert parse_uwsgi(b"[pytest]\naddopts = -q\n[alembic]\nscript_location = db\n").signals == ()


def test_supervisor_programs_and_systemd_units() -> None:
    supervisor = (
        b"[program:shop]\n"
        b"command=/srv/venv/bin/gunicorn -b :8000 shop:app\n"
        b"[program:shop-tasks]\n"
        b"command=/srv/venv/bin/rq worker shop-tasks\n"
        b"[group:all]\n"
        b"programs=shop,shop-tasks\n"
    )
    assert rows(parse_supervisor(supervisor)) == {
        ("deployment.supervisor", "shop", 2),
        ("entrypoint.http", "shop", 2),
        ("deployment.supervisor", "shop-tasks", 4),
        ("entrypoint.worker", "shop-tasks", 4),
    }
    unit = b"[Unit]\nDescription=Feeds\n\n[Service]\nExecStart=/usr/bin/feeds -c /etc/feeds.conf\n"
    assert rows(parse_systemd(unit)) == {
        ("deployment.systemd", "feeds", 5),
        ("entrypoint.worker", "feeds", 5),
    }


def test_a_conf_file_of_another_tool_says_nothing() -> None:
    nginx = b"server {\n  listen 80;\n  location / { proxy_pass http://app:8000; }\n}\n"
    assert parse_supervisor(nginx) == FileFacts(language="config")


def test_command_names() -> None:
    assert command_name("./manage.py sendalerts --skip-checks") == "sendalerts"
    assert command_name("python3 -m app.worker") == "app.worker"
    assert command_name("FOO=1 exec node server.js") == "server.js"
    assert command_name("") == "process"


def test_hostile_files_are_bounded() -> None:
    started = time.process_time()
    parse_uwsgi(b"[uwsgi]\n" + b"attach-daemon = x\n" * 100_000)
    parse_supervisor(b"[program:" + b"a" * 1_000_000 + b"]\ncommand=x\n")
    parse_systemd(b"[Service]\nExecStart=" + b"- " * 500_000 + b"\n")
    parse_uwsgi(b"[" * 1_000_000 + b"\n" + b"=" * 1_000_000)
    ticks = b"[eventlistener:x]\n" + b"events=TICK_5\n" * 100_000
    assert len(parse_supervisor(ticks).schedules) <= 50
    parse_supervisor(b"[program:x]\nevents=" + b"TICK_" * 200_000 + b"\n")
    assert len(parse_uwsgi(b"[uwsgi]\n" + b"attach-daemon = x\n" * 1_000).signals) <= 100
    assert time.process_time() - started < 2.0


def test_a_systemd_shell_script_is_named_by_its_unit_and_read_across_continued_lines() -> None:
    unit = (
        b"[Unit]\nDescription=Shop web server\n\n[Service]\n"
        b"ExecStart=/bin/sh -c '\\\n"
        b"  # the port may come from the environment \\\n"
        b'  [ -n "$PORT" ] && export BIND=$PORT; \\\n'
        b"  exec granian --interface asgi shop.asgi:application'\n"
        b"Restart=always\n"
    )
    assert rows(parse_systemd(unit)) == {
        ("deployment.systemd", "Shop web server", 5),
        ("entrypoint.http", "Shop web server", 5),
    }


def test_a_continued_value_is_bounded() -> None:
    unit = b"[Service]\nExecStart=/bin/sh -c 'x \\\n" + b"y \\\n" * 50_000 + b"z'\n"
    started = time.perf_counter()
    facts = parse_systemd(unit)
    assert time.perf_counter() - started < 2
    assert all(len(s.detail) <= 4_000 for s in facts.signals)
