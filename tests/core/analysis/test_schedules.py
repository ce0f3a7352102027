from __future__ import annotations

import contextlib
import time

import pytest

from bot.core.analysis.movement import is_schedule_file, parse_schedule_file
from bot.core.analysis.schedules import (
    crontab_schedules,
    go_schedules,
    javascript_schedules,
    python_schedules,
    ruby_schedules,
    yaml_schedules,
)
from bot.core.limits import LimitExceeded
from bot.core.model import ScheduleSite


def rows(sites: tuple[ScheduleSite, ...]) -> set[tuple[str, str, str, int, str]]:
    return {(s.name, s.schedule, s.mechanism, s.line, s.target) for s in sites}


def test_solid_queue_recurring_yml_entries_with_their_job() -> None:
    data = (
        b"production:\n"
        b"  prefill_page_cache:\n"
        b"    class: PrefillPageCacheJob\n"
        b"    schedule: every 2 minutes\n"
        b"  sitemap:\n"
        b"    command: 'Sitemap.run'\n"
        b"    schedule: every day at 2 am\n"
    )
    assert rows(yaml_schedules(data)) == {
        ("prefill_page_cache", "every 2 minutes", "recurring", 4, "PrefillPageCacheJob"),
        ("sitemap", "every day at 2 am", "recurring", 7, "Sitemap.run"),
    }


def test_sidekiq_cron_kubernetes_and_github_actions() -> None:
    sidekiq = b"cleanup:\n  cron: '0 3 * * *'\n  class: CleanupWorker\n"
    assert rows(yaml_schedules(sidekiq)) == {("cleanup", "0 3 * * *", "cron", 2, "CleanupWorker")}
    k8s = (
        b"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: digest\n"
        b"spec:\n  schedule: '*/5 * * * *'\n"
    )
    assert rows(yaml_schedules(k8s)) == {("digest", "*/5 * * * *", "kubernetes", 6, "")}
    actions = (
        b"name: Nightly\non:\n  schedule:\n    - cron: '0 2 * * *'\njobs:\n  x:\n    steps:\n"
        b"      - uses: actions/checkout@v4\n      - run: pip install -e .\n"
        b"      - run: |\n          python -m shop.digest --send\n"
    )
    assert rows(yaml_schedules(actions)) == {
        ("Nightly", "0 2 * * *", "github-actions", 4, "python -m shop.digest --send")
    }


def test_scheduled_ci_upkeep_is_not_the_apps_schedule() -> None:
    # Stale issues, CodeQL, nightly image and package builds, a scheduled test run.
    for steps in (
        b"      - uses: actions/stale@v9\n",
        b"      - uses: github/codeql-action/analyze@v3\n",
        b"      - run: docker buildx build --push .\n      - run: make rpm\n",
        b"      - run: npm ci\n      - run: npm run build\n      - run: npm test\n",
        b"      - run: python -m pytest -q\n",
    ):
        workflow = b"name: Upkeep\non:\n  schedule:\n    - cron: '0 2 * * *'\njobs:\n  x:\n"
        workflow += b"    steps:\n" + steps
        assert yaml_schedules(workflow) == (), steps


def test_vercel_crons_json_is_read_as_yaml() -> None:
    data = b'{"crons": [{"path": "/api/digest", "schedule": "0 5 * * *"}]}'
    assert rows(parse_schedule_file(data).schedules) == {
        ("/api/digest", "0 5 * * *", "recurring", 1, "/api/digest")
    }


def test_crontab_lines_and_what_claims_them() -> None:
    text = (
        "# m h\n*/15 * * * * cd /app && bin/rails runner Digest.run\n"
        "@daily /usr/bin/backup\nnot a cron\n"
    )
    got = rows(crontab_schedules(text))
    assert ("*/15 * * * *", 2) in {(s[1], s[3]) for s in got}
    assert ("@daily", 3) in {(s[1], s[3]) for s in got}
    assert len(got) == 2
    assert is_schedule_file("deploy/crontab")
    assert is_schedule_file("config/recurring.yml")
    assert is_schedule_file(".github/workflows/nightly.yml")
    assert not is_schedule_file("config/locales/en.yml")
    assert is_schedule_file("postgres/cronfile")
    assert is_schedule_file("ops/backup.crontab")
    assert not is_schedule_file("docs/cronfile.md")


def test_celery_beat_entries_and_periodic_decorators() -> None:
    settings = (
        "from celery.schedules import crontab\n"
        "CELERY_BEAT_SCHEDULE = {\n"
        "    'mail': {\n"
        "        'task': 'paperless_mail.tasks.process_mail_accounts',\n"
        "        'schedule': crontab(minute='*/10'),\n"
        "    },\n"
        "}\n"
    )
    assert rows(python_schedules(settings)) == {
        (
            "process_mail_accounts",
            "crontab(minute='*/10')",
            "celery-beat",
            4,
            "paperless_mail.tasks.process_mail_accounts",
        )
    }
    huey = "@huey.periodic_task(crontab(hour='3'))\ndef nightly():\n    pass\n"
    assert rows(python_schedules(huey)) == {
        ("nightly", "crontab(hour='3')", "periodic-task", 2, "")
    }
    system = (
        "@system_job(interval=JobIntervalChoices.DAILY)\nclass Housekeeping(JobRunner):\n    pass\n"
    )
    assert rows(python_schedules(system)) == {
        ("Housekeeping", "interval=JobIntervalChoices.DAILY", "system_job", 2, "")
    }


def test_whenever_nest_cron_and_go_tickers() -> None:
    rb = "every 1.day, at: '4:30 am' do\n  runner 'Digest.deliver'\nend\n"
    assert rows(ruby_schedules(rb)) == {
        ("Digest.deliver", "1.day, at: '4:30 am'", "whenever", 2, "runner")
    }
    ts = "  @Cron(CronExpression.EVERY_HOUR)\n  public async runEveryHour() {}\n"
    assert rows(javascript_schedules(ts)) == {
        ("runEveryHour", "CronExpression.EVERY_HOUR", "nestjs", 1, "")
    }
    go = 'c.AddFunc("@every 1m", sweep)\nt := time.NewTicker(30 * time.Second)\n'
    assert rows(go_schedules(go)) == {
        ("sweep", "@every 1m", "robfig-cron", 1, ""),
        ("ticker", "30 * time.Second", "ticker", 2, ""),
    }


def test_node_schedule_with_a_configured_cron_is_still_a_schedule() -> None:
    ts = (
        "import cron from 'node-schedule';\n"
        "const cfg = loadConfig().timers;\n"
        "tasks.push({\n"
        "  id: 'tidy-burrows',\n"
        "  job: cron.scheduleJob(cfg['tidy-burrows'].when, () => {\n"
        "    log.info('go');\n"
        "    burrowSweeper.sweep();\n"
        "  }),\n"
        "});\n"
        "tasks.push({\n"
        "  name: 'Count Acorns',\n"
        "  job: cron.scheduleJob(cfg.acorns, () => acornCounter.tally()),\n"
        "});\n"
        "cron.scheduleJob(cfg.feed, () => {\n"
        "  if (ready) feedBadgers();\n"
        "});\n"
    )
    assert rows(javascript_schedules(ts)) == {
        (
            "tidy-burrows",
            "configured (cfg['tidy-burrows'].when)",
            "node-schedule",
            5,
            "burrowSweeper.sweep",  # the work, not the log line before it
        ),
        ("Count Acorns", "configured (cfg.acorns)", "node-schedule", 12, "acornCounter.tally"),
        ("feedBadgers", "configured (cfg.feed)", "node-schedule", 14, "feedBadgers"),
    }
    # look-alikes: another library's `scheduleJob(expr, …)` in a file without node-schedule,
    # and a commented-out call
    other = "const q = makeQueue();\nq.scheduleJob(cfg.when, () => work());\n"
    assert javascript_schedules(other) == ()
    commented = "import s from 'node-schedule';\n// s.scheduleJob(cfg.when, () => work());\n"
    assert javascript_schedules(commented) == ()


def test_hostile_yaml_and_lines_are_bounded() -> None:
    lines = ["k0: &k0 {schedule: x, class: y}"]
    lines += [f"k{i}: &k{i} [*k{i - 1}, *k{i - 1}, *k{i - 1}]" for i in range(1, 20)]
    bomb = "\n".join(lines).encode()
    start = time.process_time()
    # Past the bounds every reader of repository YAML keeps (`yaml_bounds`): the file is
    # skipped with the reason (`extract_one`), as a compose file would be.
    with pytest.raises(LimitExceeded, match="expands past"):
        yaml_schedules(bomb)
    with pytest.raises(LimitExceeded, match="deeper than"):
        yaml_schedules(b"schedule: [" * 5000)
    crontab_schedules("* " * 500_000)
    python_schedules("crontab(" * 100_000)
    ruby_schedules("a: {" + " " * 1_000_000 + "cron: 'x'\n")
    assert time.process_time() - start < 20


def test_yaml_nested_as_deep_as_libyaml_allows_is_walked_within_the_nesting_limit() -> None:
    # Block nesting is no bracket: `check_nesting` lets it through, libyaml composes ~1,000
    # levels, and the walk stops at MAX_NESTING instead of overflowing Python's stack.
    depth = 990
    deep = "".join(" " * i + f"k{i}:\n" for i in range(1, depth)) + " " * depth + "x: 1\n"
    text = "sidekiq:\n deep:\n" + deep + "nightly:\n cron: '0 1 * * *'\n"
    start = time.process_time()
    # The deep branch first: a walk that overflowed there lost the schedule after it.
    assert [s.schedule for s in yaml_schedules(text.encode())] == ["0 1 * * *"]
    assert time.process_time() - start < 5


def test_compose_yaml_of_any_depth_raises_the_limit_never_a_recursion_error() -> None:
    from bot.core.analysis.yaml_nodes import compose_yaml

    deep_block = "".join(" " * i + f"k{i}:\n" for i in range(2000)) + " " * 2000 + "x\n"
    for text in ("- " * 5000 + "x\n", deep_block, "a: " + "[" * 5000 + "]" * 5000):
        for fast in (False, True):
            # pure-Python's RecursionError, or the bracket count, named as the limit
            with contextlib.suppress(LimitExceeded):
                compose_yaml(text, fast=fast)


def test_a_call_given_a_schedule_and_a_job_class_as_keywords() -> None:
    rb = (
        "Chronos::Entry.create(\n"  # 1
        '  name: "tidy-attic",\n'
        '  cron: "every hour",\n'
        '  class: "AtticTidyJob"\n'
        ")\n"  # 5
        'Planner.add(name: "hum", cron: "*/5 * * * *", class: "Hum::BeatJob")\n'
        "Planner.add(\n"
        '  every: "6h",\n'
        "  class: Lantern::TrimJob\n"
        ")\n"  # 10
        # look-alikes: a form field named cron, a call in a string, a comment, no class
        'validates :timing, cron: "0 0 * * *"\n'
        "note = \"Planner.add(name: 'x', cron: '0 * * * *', class: 'StringJob')\"\n"
        '# Planner.add(name: "y", cron: "0 * * * *", class: "CommentJob")\n'
        "Widget.build(\n"
        '  cron: "0 * * * *",\n'  # 15
        '  label: "no job here"\n'
        ")\n"
        'Form.new(name: "z", cron: "not a schedule", class: "WordsJob")\n'
    )
    assert rows(ruby_schedules(rb)) == {
        ("tidy-attic", "every hour", "cron", 3, "AtticTidyJob"),
        ("hum", "*/5 * * * *", "cron", 6, "Hum::BeatJob"),
        ("Lantern::TrimJob", "6h", "cron", 8, "Lantern::TrimJob"),
    }


def test_hostile_keyword_calls_are_bounded() -> None:
    start = time.process_time()
    ruby_schedules("X.create(\n" + "  cron: 'every hour', " * 100_000 + "\n)\n")
    ruby_schedules(("X.create(name: 'a', cron: '" + "1 " * 60_000 + "', class: 'J')\n") * 3)
    ruby_schedules("X.create(\n" * 50_000 + "cron: '* * * * *'\n" + "(" * 200_000 + "\n")
    assert time.process_time() - start < 10


def test_go_jobs_built_with_options_and_repeating_actor_alarms() -> None:
    go = (
        "func ledgerJobs(b *Books) (*tasks.Task, error) {\n"  # 1
        "\tt, err := tasks.New(\n"
        '\t\t"TallyLedger",\n'
        "\t\ttasks.WithJob(b.tally),\n"
        "\t\ttasks.WithInterval(6*time.Hour),\n"  # 5
        "\t)\n"
        '\tu, err := tasks.New("Nightly", tasks.WithJob(b.close), tasks.WithCron("0 2 * * *"))\n'
        "}\n"
        "func pruneJobs(b *Books) {\n"
        '\tone, _ := newPrune("PruneDrafts", b.pruneDrafts)\n'  # 10
        '\ttwo, _ := newPrune("PruneStubs", b.pruneStubs)\n'
        "}\n"
        "func newPrune(label string, fn func(ctx context.Context) error) (*tasks.Task, error) {\n"
        "\treturn tasks.New(\n"
        "\t\tlabel,\n"  # 15
        "\t\ttasks.WithJob(fn),\n"
        "\t\ttasks.WithInterval(pruneEvery),\n"
        "\t)\n"
        "}\n"
        "func (k *keeper) Start(ctx context.Context) error {\n"  # 20
        "\treturn k.client.SetAlarm(ctx, alarmSweep, vat.AlarmProperties{\n"
        "\t\tDueTime:  time.Now(),\n"
        '\t\tInterval: "PT30M",\n'
        "\t})\n"
        "}\n"  # 25
        # look-alikes: a retry option without a job, a one-shot alarm (a debounce)
        "func dial() { c := rpc.New(rpc.WithInterval(time.Second), rpc.WithRetries(3)) }\n"
        "func (k *keeper) Poke(ctx context.Context) error {\n"
        "\treturn k.client.SetAlarm(ctx, alarmOnce, vat.AlarmProperties{\n"
        "\t\tDueTime: time.Now().Add(time.Minute),\n"
        "\t})\n"  # 30
        "}\n"
    )
    assert rows(go_schedules(go)) == {
        ("TallyLedger", "6*time.Hour", "job-options", 5, "tally"),
        ("Nightly", "0 2 * * *", "job-options", 7, "close"),
        ("PruneDrafts", "pruneEvery", "job-options", 10, "pruneDrafts"),
        ("PruneStubs", "pruneEvery", "job-options", 11, "pruneStubs"),
        ("alarmSweep", '"PT30M"', "actor-alarm", 21, "Start"),
    }


def test_go_option_jobs_on_hostile_input_are_bounded() -> None:
    start = time.process_time()
    one = "func w(n string, f func()) {\nx.New(\nn,\nx.WithJob(f),\nx.WithInterval(d),\n)\n}\n"
    go_schedules(one * 20_000)
    go_schedules("x.WithInterval(" * 100_000)
    go_schedules("c.SetAlarm(ctx, a, p{\n" * 50_000)
    go_schedules('x.New("' + "a" * 1_000_000 + "\nx.WithJob(f), x.WithCron(\n")
    go_schedules("\x00\xff" * 500_000 + "WithInterval(")
    assert time.process_time() - start < 20
