"""Periodic-job idioms (issue 18, item 2: cron files, beat schedules, recurring-job YAML,
tickers, loops with a sleep), one small hand-written app per idiom in the shape its library's
documentation shows. Each is analysed for real (`analyze` over a `MemorySnapshot`) and must
give a schedule cited at the line holding the marker, with the name the doc shows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.model import Schedule
from tests.core.analysis.idiom_apps import facts_of
from tests.core.analysis.idioms import line_of


@dataclass(frozen=True)
class Periodic:
    """`at`: (file, a marker on the line the schedule is cited at); `name`: its name."""

    id: str
    files: dict[str, str]
    at: tuple[str, str]
    name: str


def found(idiom: Periodic) -> list[Schedule]:
    path, marker = idiom.at
    line = line_of(idiom.files[path], marker)
    schedules = facts_of(idiom.files).schedules
    return [s for s in schedules if any(e.path == path and e.line == line for e in s.evidence)]


PERIODIC = [
    # --- Python -------------------------------------------------------------------------
    Periodic(
        "python-schedule-library",
        {
            "clock.py": "import time\nimport schedule\nfrom app.jobs import refresh_feeds\n\n"
            "def job():\n    refresh_feeds()\n\n"
            "schedule.every(10).minutes.do(job)\n\n"
            "while True:\n    schedule.run_pending()\n    time.sleep(1)\n",
        },
        ("clock.py", "schedule.every(10)"),
        "job",
    ),
    Periodic(
        "python-threading-timer-rearmed",
        {
            "app/rates.py": "import threading\n\nfrom app.fx import fetch_rates\n\n"
            "def refresh_rates():\n    fetch_rates()\n"
            "    threading.Timer(300, refresh_rates).start()\n",
        },
        ("app/rates.py", "threading.Timer(300"),
        "refresh_rates",
    ),
    Periodic(
        "python-timer-rearmed-by-import",
        {
            "app/heartbeat.py": "from threading import Timer\n\nfrom app.client import ping\n\n"
            "def beat():\n    ping()\n    t = Timer(60.0, beat)\n    t.daemon = True\n"
            "    t.start()\n",
        },
        ("app/heartbeat.py", "Timer(60.0"),
        "beat",
    ),
    Periodic(
        "python-thread-loop-with-sleep",
        {
            "app/poller.py": "import threading\nimport time\n\nfrom app.feeds import pull\n\n"
            "def poll_feeds():\n    while True:\n        pull()\n        time.sleep(60)\n\n"
            "threading.Thread(target=poll_feeds, daemon=True).start()\n",
        },
        ("app/poller.py", "while True"),
        "poll_feeds",
    ),
    Periodic(
        "python-asyncio-task-loop",
        {
            "app/sync.py": "import asyncio\n\nfrom app.store import sync_all\n\n"
            "async def sync_forever():\n    while True:\n        await sync_all()\n"
            "        await asyncio.sleep(30)\n\n"
            "def start(loop):\n    loop.create_task(sync_forever())\n",
        },
        ("app/sync.py", "await asyncio.sleep(30)"),
        "sync_forever",
    ),
    Periodic(
        "apscheduler-add-job-interval",
        {
            "app/clock.py": "from apscheduler.schedulers.background import BackgroundScheduler\n"
            "from app.cleanup import purge_sessions\n\n"
            "scheduler = BackgroundScheduler()\n"
            "scheduler.add_job(purge_sessions, 'interval', minutes=5)\n"
            "scheduler.start()\n",
        },
        ("app/clock.py", "add_job(purge_sessions"),
        "purge_sessions",
    ),
    Periodic(
        "apscheduler-scheduled-job-cron",
        {
            "app/clock.py": "from apscheduler.schedulers.blocking import BlockingScheduler\n\n"
            "sched = BlockingScheduler()\n\n"
            "@sched.scheduled_job('cron', day_of_week='mon-fri', hour=17)\n"
            "def nightly_report():\n    pass\n\nsched.start()\n",
        },
        ("app/clock.py", "def nightly_report"),
        "nightly_report",
    ),
    Periodic(
        "django-command-loop-flag",
        {
            "alerts/management/commands/sendreminders.py": "import time\n\n"
            "from django.core.management.base import BaseCommand\n\n"
            "class Command(BaseCommand):\n"
            "    def add_arguments(self, parser):\n"
            "        parser.add_argument('--loop', action='store_true')\n\n"
            "    def handle(self, *args, **options):\n"
            "        while True:\n"
            "            self.send_due()\n"
            "            if not options['loop']:\n"
            "                break\n"
            "            time.sleep(60)\n",
        },
        ("alerts/management/commands/sendreminders.py", "while True"),
        "sendreminders",
    ),
    Periodic(
        "celery-beat-settings-dict",
        {
            "proj/settings.py": "from celery.schedules import crontab\n\n"
            "CELERY_BEAT_SCHEDULE = {\n"
            "    'nightly-index': {\n"
            "        'task': 'search.tasks.rebuild_index',\n"
            "        'schedule': crontab(hour=2, minute=30),\n"
            "    },\n}\n",
        },
        ("proj/settings.py", "'task': 'search.tasks.rebuild_index'"),
        "rebuild_index",
    ),
    Periodic(
        "celery-add-periodic-task",
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n\n"
            "@app.on_after_configure.connect\n"
            "def setup_periodic_tasks(sender, **kwargs):\n"
            "    sender.add_periodic_task(3600.0, expire_tokens.s(), name='hourly')\n\n"
            "@app.task\ndef expire_tokens():\n    pass\n",
        },
        ("proj/celery.py", "sender.add_periodic_task"),
        "expire_tokens",
    ),
    Periodic(
        "huey-periodic-task-crontab",
        {
            "app/tasks.py": "from huey import crontab\n"
            "from huey.contrib.djhuey import periodic_task\n\n"
            "@periodic_task(crontab(minute='0', hour='3'))\ndef backup_database():\n    pass\n",
        },
        ("app/tasks.py", "def backup_database"),
        "backup_database",
    ),
    Periodic(
        "periodic-signal-receivers",
        {
            "core/signals.py": "from django.dispatch import Signal\n\nhourly = Signal()\n",
            "billing/receivers.py": "from django.dispatch import receiver\n\n"
            "from core.signals import hourly\n\n"
            "@receiver(hourly)\ndef close_expired_carts(sender, **kwargs):\n    pass\n",
            "core/management/commands/run_hourly.py": "from django.core.management.base import "
            "BaseCommand\n\nfrom core.signals import hourly\n\n"
            "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
            "        hourly.send(sender=self.__class__)\n",
            "deploy/crontab": "0 * * * * cd /app && python manage.py run_hourly\n",
        },
        ("billing/receivers.py", "@receiver(hourly)"),
        "close_expired_carts",
    ),
    Periodic(
        "periodic-registry-decorator",
        {
            "core/periodic.py": "PERIODIC = []\n\n"
            "def periodic(func):\n    PERIODIC.append(func)\n    return func\n",
            "shop/upkeep.py": "from core.periodic import periodic\n\n"
            "@periodic\ndef prune_guest_accounts():\n    pass\n",
            "core/management/commands/periodic.py": "from django.core.management.base import "
            "BaseCommand\n\nfrom core.periodic import PERIODIC\n\n"
            "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
            "        for func in PERIODIC:\n            func()\n",
        },
        ("shop/upkeep.py", "@periodic"),
        "prune_guest_accounts",
    ),
    # --- JavaScript / TypeScript --------------------------------------------------------
    Periodic(
        "js-setinterval-top-level",
        {
            "src/server.js": "const express = require('express');\n"
            "const { flushMetrics } = require('./metrics');\n\nconst app = express();\n"
            "setInterval(flushMetrics, 60 * 1000);\napp.listen(3000);\n",
        },
        ("src/server.js", "setInterval(flushMetrics"),
        "flushMetrics",
    ),
    Periodic(
        "node-cron-schedule",
        {
            "src/jobs.js": "const cron = require('node-cron');\n"
            "const { sendDigest } = require('./digest');\n\n"
            "cron.schedule('0 8 * * *', () => {\n  sendDigest();\n});\n",
        },
        ("src/jobs.js", "cron.schedule("),
        "cron job",
    ),
    Periodic(
        "node-schedule-schedule-job",
        {
            "src/jobs.js": "const schedule = require('node-schedule');\n\n"
            "schedule.scheduleJob('renew-certs', '0 4 * * 0', async () => {\n});\n",
        },
        ("src/jobs.js", "scheduleJob("),
        "renew-certs",
    ),
    Periodic(
        "cron-package-new-cronjob",
        {
            "src/jobs.js": "const { CronJob } = require('cron');\n\n"
            "const job = new CronJob('*/15 * * * *', () => refresh(), null, true);\n",
        },
        ("src/jobs.js", "new CronJob("),
        "cron job",
    ),
    Periodic(
        "cron-package-cronjob-from",
        {
            "src/jobs.ts": "import { CronJob } from 'cron';\n\n"
            "CronJob.from({\n  cronTime: '0 0 * * *',\n  onTick: rotateLogs,\n"
            "  start: true,\n});\n",
        },
        ("src/jobs.ts", "cronTime"),
        "cron job",
    ),
    Periodic(
        "croner-cron",
        {
            "src/clock.ts": "import { Cron } from 'croner';\n"
            "import { syncUsers } from './sync';\n\n"
            "const job = new Cron('*/5 * * * *', async () => {\n  await syncUsers();\n});\n",
        },
        ("src/clock.ts", "new Cron("),
        "cron job",
    ),
    Periodic(
        "croner-cron-named-function",
        {
            "src/clock.js": "const { Cron } = require('croner');\n\n"
            "Cron('0 3 * * *', { timezone: 'UTC' }, compactDatabase);\n",
        },
        ("src/clock.js", "Cron('0 3"),
        "compactDatabase",
    ),
    Periodic(
        "toad-scheduler-interval-job",
        {
            "src/scheduler.ts": "import { ToadScheduler, SimpleIntervalJob, AsyncTask } "
            "from 'toad-scheduler';\n\nconst scheduler = new ToadScheduler();\n"
            "const task = new AsyncTask('refresh prices', () => refreshPrices());\n"
            "const job = new SimpleIntervalJob({ minutes: 10 }, task);\n"
            "scheduler.addSimpleIntervalJob(job);\n",
        },
        ("src/scheduler.ts", "new SimpleIntervalJob("),
        "refresh prices",
    ),
    Periodic(
        "nestjs-cron-decorator",
        {
            "src/tasks.service.ts": "import { Injectable } from '@nestjs/common';\n"
            "import { Cron, CronExpression } from '@nestjs/schedule';\n\n"
            "@Injectable()\nexport class TasksService {\n"
            "  @Cron(CronExpression.EVERY_HOUR)\n  async purgeDrafts() {}\n}\n",
        },
        ("src/tasks.service.ts", "@Cron("),
        "purgeDrafts",
    ),
    Periodic(
        "nestjs-interval-decorator",
        {
            "src/health.service.ts": "import { Injectable } from '@nestjs/common';\n"
            "import { Interval } from '@nestjs/schedule';\n\n"
            "@Injectable()\nexport class HealthService {\n"
            "  @Interval(30000)\n  checkUpstreams() {}\n}\n",
        },
        ("src/health.service.ts", "@Interval("),
        "checkUpstreams",
    ),
    Periodic(
        "bullmq-repeat",
        {
            "src/queues.ts": "import { Queue } from 'bullmq';\n\n"
            "const reports = new Queue('reports');\n"
            "await reports.add('weekly-report', {}, { repeat: { pattern: '0 9 * * 1' } });\n",
        },
        ("src/queues.ts", "reports.add("),
        "weekly-report",
    ),
    Periodic(
        "bullmq-upsert-job-scheduler",
        {
            "src/queues.ts": "import { Queue } from 'bullmq';\n\n"
            "const mail = new Queue('mail');\n"
            "await mail.upsertJobScheduler('digest-every-hour', { every: 3600000 });\n",
        },
        ("src/queues.ts", "upsertJobScheduler("),
        "digest-every-hour",
    ),
    Periodic(
        "agenda-every",
        {
            "src/agenda.js": "const Agenda = require('agenda');\n\n"
            "const agenda = new Agenda({ db: { address: process.env.MONGO_URL } });\n"
            "agenda.define('send reminders', async job => {});\n"
            "agenda.every('5 minutes', 'send reminders');\n",
        },
        ("src/agenda.js", "agenda.every("),
        "send reminders",
    ),
    Periodic(
        "js-recursive-settimeout-loop",
        {
            "src/worker.js": "const { processOutbox } = require('./outbox');\n\n"
            "async function pollOutbox() {\n  await processOutbox();\n"
            "  setTimeout(pollOutbox, 5000);\n}\n\npollOutbox();\n",
        },
        ("src/worker.js", "setTimeout(pollOutbox"),
        "pollOutbox",
    ),
    Periodic(
        "js-recursive-settimeout-arrow",
        {
            "src/worker.ts": "import { sweep } from './sweep';\n\n"
            "const sweepLoop = async () => {\n  await sweep();\n"
            "  setTimeout(sweepLoop, 60_000);\n};\n\nsweepLoop();\n",
        },
        ("src/worker.ts", "setTimeout(sweepLoop"),
        "sweepLoop",
    ),
    # --- Ruby ---------------------------------------------------------------------------
    Periodic(
        "rufus-scheduler-every",
        {
            "config/initializers/scheduler.rb": "require 'rufus-scheduler'\n\n"
            "scheduler = Rufus::Scheduler.singleton\n\n"
            "scheduler.every '10m' do\n  FeedRefresher.new.call\nend\n",
        },
        ("config/initializers/scheduler.rb", "scheduler.every"),
        "FeedRefresher",
    ),
    Periodic(
        "rufus-scheduler-cron",
        {
            "config/initializers/scheduler.rb": "require 'rufus-scheduler'\n\n"
            "s = Rufus::Scheduler.new\n\n"
            "s.cron '0 2 * * *' do\n  NightlyExportJob.perform_later\nend\n",
        },
        ("config/initializers/scheduler.rb", "s.cron"),
        "NightlyExportJob",
    ),
    Periodic(
        "rufus-bare-every-in-a-scheduler-class",
        {
            "lib/clock_tower.rb": "require 'rufus-scheduler'\n\nclass ClockTower\n"
            "  include Rufus::Scheduler::Hooks\n\n  def setup\n"
            "    every '3m' do\n      sweep_outbox!\n    end\n  end\nend\n",
        },
        ("lib/clock_tower.rb", "every '3m'"),
        "sweep_outbox!",
    ),
    Periodic(
        "rufus-every-a-number",
        {
            "lib/pool_keeper.rb": "class PoolKeeper\n  def initialize\n"
            "    @scheduler = Rufus::Scheduler.new\n    @scheduler.every 15 do\n"
            "      revive_idle\n    end\n  end\nend\n",
        },
        ("lib/pool_keeper.rb", "every 15"),
        "revive_idle",
    ),
    Periodic(
        "rufus-every-setting-with-default",
        {
            "lib/clock_tower.rb": "require 'rufus-scheduler'\nclass ClockTower\n"
            "  def setup\n    every ENV['PRUNE_EVERY'].presence || '4h' do\n"
            "      prune_archive!\n    end\n  end\nend\n",
        },
        ("lib/clock_tower.rb", "PRUNE_EVERY"),
        "prune_archive!",
    ),
    Periodic(
        "rufus-interpolated-cron",
        {
            "lib/clock_tower.rb": "require 'rufus-scheduler'\nclass ClockTower\n"
            "  def setup\n    12.times do |h|\n"
            '      cron "0 #{h} * * * #{zone}" do\n        ring_bell h\n      end\n'
            "    end\n  end\nend\n",
        },
        ("lib/clock_tower.rb", 'cron "0'),
        "ring_bell",
    ),
    Periodic(
        "rufus-schedule-cron-from-a-record",
        {
            "lib/clock_tower.rb": "require 'rufus-scheduler'\nclass ClockTower\n"
            "  def plan(rule)\n    job = schedule_cron rule.spec, tag: 'rule' do |j|\n"
            "      rule.fire!\n    end\n  end\nend\n",
        },
        ("lib/clock_tower.rb", "schedule_cron"),
        "fire!",
    ),
    Periodic(
        "scheduler-delegate-every-a-constant",
        {
            "app/models/watchers/feed_watcher.rb": "class FeedWatcher\n"
            "  STALE_CHECK = 30\n  def run\n"
            "    every(STALE_CHECK) { reconnect_if_stale! } if scheduler\n  end\nend\n",
        },
        ("app/models/watchers/feed_watcher.rb", "every(STALE_CHECK)"),
        "reconnect_if_stale!",
    ),
    Periodic(
        "clockwork-every",
        {
            "clock.rb": "require 'clockwork'\n\nmodule Clockwork\n"
            "  every(1.hour, 'stats.refresh') { StatsJob.perform_later }\nend\n",
        },
        ("clock.rb", "every(1.hour"),
        "stats.refresh",
    ),
    Periodic(
        "sidekiq-cron-yaml",
        {
            "config/schedule.yml": "expire_trials:\n  cron: '0 * * * *'\n"
            "  class: ExpireTrialsWorker\n",
        },
        ("config/schedule.yml", "cron:"),
        "expire_trials",
    ),
    Periodic(
        "sidekiq-scheduler-yaml",
        {
            "config/sidekiq.yml": ":scheduler:\n  :schedule:\n    refresh_rates:\n"
            "      every: '30m'\n      class: RefreshRatesJob\n",
        },
        ("config/sidekiq.yml", "every:"),
        "refresh_rates",
    ),
    Periodic(
        "ruby-loop-do-sleep",
        {
            "lib/poller.rb": "class Poller\n  def run_forever\n    loop do\n"
            "      Inbox.fetch_new\n      sleep 30\n    end\n  end\nend\n",
        },
        ("lib/poller.rb", "loop do"),
        "run_forever",
    ),
    Periodic(
        "whenever-schedule-rb",
        {
            "config/schedule.rb": "every 1.day, at: '4:30 am' do\n"
            "  runner 'Subscription.renew_all'\nend\n",
        },
        ("config/schedule.rb", "runner"),
        "Subscription.renew_all",
    ),
    # --- Go -----------------------------------------------------------------------------
    Periodic(
        "go-new-ticker",
        {
            "worker/cleanup.go": 'package worker\n\nimport "time"\n\n'
            "func RunCleanup(s *Store) {\n\tticker := time.NewTicker(time.Hour)\n"
            "\tdefer ticker.Stop()\n\tfor range ticker.C {\n\t\ts.DeleteExpired()\n\t}\n}\n",
        },
        ("worker/cleanup.go", "time.NewTicker"),
        "RunCleanup",
    ),
    Periodic(
        "go-time-tick",
        {
            "main.go": 'package main\n\nimport "time"\n\n'
            "func reportStats() {\n\tfor range time.Tick(5 * time.Minute) {\n\t\tflush()\n\t}\n}\n",
        },
        ("main.go", "time.Tick("),
        "reportStats",
    ),
    Periodic(
        "go-robfig-cron-add-func",
        {
            "cmd/server/jobs.go": 'package main\n\nimport "github.com/robfig/cron/v3"\n\n'
            "func startJobs(svc *Service) {\n\tc := cron.New()\n"
            '\tc.AddFunc("@every 1h", svc.SyncFeeds)\n\tc.Start()\n}\n',
        },
        ("cmd/server/jobs.go", "AddFunc("),
        "SyncFeeds",
    ),
    Periodic(
        "go-robfig-cron-closure",
        {
            "cmd/server/jobs.go": 'package main\n\nimport "github.com/robfig/cron/v3"\n\n'
            "func startJobs(db *DB) {\n\tc := cron.New()\n"
            '\tc.AddFunc("0 3 * * *", func() {\n\t\tdb.Vacuum()\n\t})\n\tc.Start()\n}\n',
        },
        ("cmd/server/jobs.go", "AddFunc("),
        "startJobs",
    ),
    Periodic(
        "go-cron-spec-read-from-settings-closure",
        {
            "cmd/app/jobs.go": 'package main\n\nimport "github.com/robfig/cron/v3"\n\n'
            "func startJobs(st *Store, conf *Conf) {\n\tc := cron.New()\n"
            '\tspec := conf.String("jobs.compact_interval")\n'
            "\t_, err := c.AddFunc(spec, func() {\n"
            '\t\tlog.Println("compacting")\n\t\t_ = st.Compact(true)\n\t})\n'
            "\tif err == nil {\n\t\tc.Start()\n\t}\n}\n",
        },
        ("cmd/app/jobs.go", "c.AddFunc(spec"),
        "Compact",
    ),
    Periodic(
        "go-cron-fork-add-with-spec-field",
        {
            "internal/clock/clock.go": 'package clock\n\nimport "example.org/forks/cron"\n\n'
            "func (k *Clock) Start() {\n\tk.cron = cron.New()\n"
            "\tk.cron.Add(k.opts.PruneSpec, k.store.Prune)\n\tk.cron.Start()\n}\n",
        },
        ("internal/clock/clock.go", "k.cron.Add("),
        "Prune",
    ),
    Periodic(
        "go-gocron",
        {
            "scheduler.go": 'package app\n\nimport (\n\t"time"\n\n'
            '\t"github.com/go-co-op/gocron/v2"\n)\n\n'
            "func schedule(s gocron.Scheduler) {\n"
            "\ts.NewJob(gocron.DurationJob(10*time.Minute), gocron.NewTask(pruneSessions))\n}\n",
        },
        ("scheduler.go", "gocron.DurationJob"),
        "pruneSessions",
    ),
    Periodic(
        "go-goroutine-loop-sleep",
        {
            "poller/poller.go": 'package poller\n\nimport "time"\n\n'
            "func StartPolling(c *Client) {\n\tgo func() {\n\t\tfor {\n\t\t\tc.Poll()\n"
            "\t\t\ttime.Sleep(30 * time.Second)\n\t\t}\n\t}()\n}\n",
        },
        ("poller/poller.go", "for {"),
        "StartPolling",
    ),
    # --- configuration ------------------------------------------------------------------
    Periodic(
        "crontab-file",
        {"deploy/crontab": "*/10 * * * * cd /srv/app && ./bin/refresh-feeds\n"},
        ("deploy/crontab", "*/10"),
        "cd /srv/app && ./bin/refresh-feeds",
    ),
    Periodic(
        "supercronic-crontab",
        {
            "docker/app.cron": "# run by supercronic\n@hourly python manage.py clearsessions\n",
        },
        ("docker/app.cron", "@hourly"),
        "python manage.py clearsessions",
    ),
    Periodic(
        "kubernetes-cronjob",
        {
            "k8s/digest.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n"
            "  name: weekly-digest\nspec:\n  schedule: '0 6 * * 1'\n",
        },
        ("k8s/digest.yaml", "schedule:"),
        "weekly-digest",
    ),
    Periodic(
        "vercel-crons",
        {
            "vercel.json": '{\n  "crons": [\n    { "path": "/api/cron/cleanup", '
            '"schedule": "0 5 * * *" }\n  ]\n}\n'
        },
        ("vercel.json", '"schedule"'),
        "/api/cron/cleanup",
    ),
    Periodic(
        "netlify-scheduled-function",
        {"netlify.toml": '[functions."nightly-sync"]\n  schedule = "@daily"\n'},
        ("netlify.toml", "schedule ="),
        "nightly-sync",
    ),
    Periodic(
        "github-actions-schedule-runs-app",
        {
            ".github/workflows/digest.yml": "name: Send digest\non:\n  schedule:\n"
            "    - cron: '0 7 * * *'\njobs:\n  send:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - run: python manage.py send_digest\n",
        },
        (".github/workflows/digest.yml", "- cron:"),
        "Send digest",
    ),
    Periodic(
        "compose-service-shell-loop",
        {
            "docker-compose.yml": "services:\n  web:\n    build: .\n    ports:\n      - 8000:8000\n"
            "  cleanup:\n    build: .\n"
            "    command: sh -c 'while true; do python manage.py cleanup; sleep 3600; done'\n",
        },
        ("docker-compose.yml", "while true"),
        "cleanup",
    ),
    Periodic(
        "compose-loop-on-an-environment-test",
        {
            "docker-compose.yml": "services:\n  renew:\n    image: acme/renewer\n"
            '    entrypoint: /bin/sh -c "while [ "${TLS_MODE:-on}" = "on" ]; do renew-certs;'
            ' sleep 12h & wait $${!}; done"\n',
        },
        ("docker-compose.yml", "entrypoint:"),
        "renew",
    ),
    Periodic(
        "cronfile-of-a-cron-container",
        {"ops/db/cronfile": "SHELL=/bin/sh\n30 2 * * * root /usr/local/bin/dump-db.sh\n"},
        ("ops/db/cronfile", "30 2"),
        "/usr/local/bin/dump-db.sh",
    ),
    Periodic(
        "crontab-extension",
        {"deploy/nightly.crontab": "15 1 * * * app /srv/bin/rotate-logs\n"},
        ("deploy/nightly.crontab", "15 1"),
        "/srv/bin/rotate-logs",
    ),
    Periodic(
        "compose-ofelia-labels",
        {
            "docker-compose.yml": "services:\n  app:\n    build: .\n    labels:\n"
            "      ofelia.enabled: 'true'\n"
            "      ofelia.job-exec.purge-cache.schedule: '@every 1h'\n"
            "      ofelia.job-exec.purge-cache.command: 'python manage.py purge_cache'\n"
            "  ofelia:\n    image: mcuadros/ofelia:latest\n    command: daemon --docker\n",
        },
        ("docker-compose.yml", "purge-cache.schedule"),
        "purge-cache",
    ),
]


@pytest.mark.parametrize("idiom", PERIODIC, ids=lambda i: i.id)
def test_periodic_idiom_is_a_schedule_at_its_line_with_its_name(idiom: Periodic) -> None:
    at = found(idiom)
    assert at, f"no schedule at {idiom.at}: {facts_of(idiom.files).schedules}"
    names = {s.name for s in at}
    assert idiom.name in names, f"{idiom.name!r} not in {names}"


# Lookalikes: (id, files, a name no schedule may carry).
NOT_PERIODIC = [
    (
        "timer-on-another-function-runs-once",
        {
            "app/shutdown.py": "import threading\n\ndef request_stop():\n"
            "    threading.Timer(5, force_exit).start()\n",
        },
        "force_exit",
    ),
    (
        "receiver-of-a-model-signal",
        {
            "shop/receivers.py": "from django.db.models.signals import post_save\n"
            "from django.dispatch import receiver\n\n"
            "@receiver(post_save)\ndef reindex(sender, **kwargs):\n    pass\n",
        },
        "reindex",
    ),
    (
        "settimeout-on-another-function",
        {
            "src/server.js": "function start() {\n  setTimeout(warmCache, 1000);\n}\nstart();\n",
        },
        "warmCache",
    ),
    (
        "settimeout-loop-in-browser-code",
        {
            "src/poll.js": "function refresh() {\n  document.title = 'x';\n"
            "  setTimeout(refresh, 1000);\n}\n",
        },
        "refresh",
    ),
    (
        "rufus-in-runs-once",
        {
            "config/initializers/scheduler.rb": "require 'rufus-scheduler'\n"
            "s = Rufus::Scheduler.new\ns.in '3s' do\n  WarmupJob.perform_later\nend\n",
        },
        "WarmupJob",
    ),
    (
        "bare-every-without-any-scheduler",
        {
            "lib/tally.rb": "class Tally\n  def run\n    every(3) { recount! }\n  end\nend\n",
        },
        "recount!",
    ),
    (
        "rufus-schedule-in-runs-once",
        {
            "lib/clock_tower.rb": "require 'rufus-scheduler'\nclass ClockTower\n"
            "  def run\n    schedule_in('5m') { warm_caches! }\n  end\nend\n",
        },
        "warm_caches!",
    ),
    (
        "whenever-file-naming-a-scheduler",
        {
            "config/schedule.rb": "# the scheduler runs these\nevery 1.day do\n"
            "  runner 'Digest.mail_all'\nend\n",
        },
        "Digest",
    ),
    (
        "setinterval-in-a-class-made-per-component",
        {
            "web/src/app/Clock.js": "class Clock {\n  start() {\n"
            "    this.timer = setInterval(() => this.tick(), 1000);\n  }\n}\n"
            "export default Clock;\n",
        },
        "Clock.tick",
    ),
    (
        "setinterval-worker-in-a-file-that-touches-the-dom",
        {
            "web/src/app/Banner.js": "class Banner {\n  start() {\n"
            "    this.timer = setInterval(() => this.rotate(), 5000);\n  }\n"
            "  rotate() {\n    document.title = 'x';\n  }\n}\nexport default new Banner();\n",
        },
        "Banner.rotate",
    ),
    (
        "go-add-on-something-not-a-cron",
        {
            "internal/clock/work.go": 'package clock\n\nimport "github.com/robfig/cron/v3"\n\n'
            "func (k *Clock) Run() {\n\tk.cron = cron.New()\n"
            "\tk.set.Add(item, k.store.Rebuild)\n\twg.Add(n)\n}\n",
        },
        "Rebuild",
    ),
    (
        "compose-loop-that-only-waits",
        {
            "docker-compose.yml": "services:\n  idle:\n    image: acme/renewer\n"
            '    entrypoint: /bin/sh -c "while [ "$TLS_MODE" != "on" ]; do sleep infinity'
            ' & wait; done"\n',
        },
        "idle",
    ),
    (
        "compose-command-without-a-loop",
        {
            "docker-compose.yml": "services:\n  migrate:\n    build: .\n"
            "    command: sh -c 'sleep 5 && python manage.py migrate'\n",
        },
        "migrate",
    ),
]


@pytest.mark.parametrize(("case", "files", "name"), NOT_PERIODIC, ids=[c[0] for c in NOT_PERIODIC])
def test_lookalike_is_no_schedule(case: str, files: dict[str, str], name: str) -> None:
    schedules = facts_of(files).schedules
    assert not [s for s in schedules if name in (s.name, s.target)], schedules


HOSTILE = [
    ("python", "import threading\n" + "    threading.Timer(" * 20_000 + "\n"),
    ("python", "@receiver(" + "hourly." * 30_000 + "\n"),
    ("python", "def f():\n" + "    Timer(1, f" + " " * 100_000 + "\n"),
    ("javascript", "import 'croner';\n" + "Cron('" * 30_000 + "\n"),
    ("javascript", "import 'croner';\nnew Cron('* * * * *', " + "(" * 50_000 + "\n"),
    ("javascript", "'toad-scheduler';\n" + "new SimpleIntervalJob({" * 20_000 + "\n"),
    ("javascript", "function f() {\n" + "  setTimeout(f, " * 20_000 + "\n"),
    ("typescript", ("const f = async (" + "a," * 5_000 + ") => {\n  setTimeout(f, 1);\n") * 50),
    ("ruby", "require 'rufus'\n" + "s.every '1m' " * 20_000 + "\n"),
    ("ruby", "Rufus\n" + "s.cron '" * 30_000 + "\n"),
    ("ruby", "scheduler\n" + "every ENV['A'] " * 30_000 + "|| 'x\n"),
    ("ruby", "Rufus\n" + "  job = schedule_cron " + "a(" * 50_000 + "\n"),
    ("ruby", "scheduler\n" + "every 1" * 40_000 + " do\n" + "  x." * 30_000 + "\n"),
    ("go", "func main() {\n" + '\tc.AddFunc("@every 1m", func() {' * 10_000 + "\n"),
    ("go", '"x/cron"\nc := cron.New()\n' + "\tc.AddFunc(spec, func() {" * 10_000 + "\n"),
    ("go", '"x/cron"\nc := cron.New()\nc.Add(' + "a" * 100_000 + ", f)\n"),
    ("python", "BaseCommand\n" + "hourly" * 50_000 + ".send(\n"),
    ("python", "BaseCommand\n" + "a.send(" * 30_000 + "\n"),
    ("javascript", "function f() {\n  setInterval(() => x" + ", y" * 30_000 + "\n"),
    ("typescript", "class A {\n" + "  get cron() {\n" * 20_000),
    ("typescript", "class A {\n  get cron() {\n" + "      interval: " + "x" * 100_000 + "\n"),
]


@pytest.mark.parametrize(("language", "text"), HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_new_periodic_scans_are_bounded_on_hostile_input(language: str, text: str) -> None:
    import time

    from bot.core.analysis.schedules import schedules_for

    start = time.process_time()
    schedules_for(language, text)
    assert time.process_time() - start < 2.0


def test_compose_schedules_on_hostile_input() -> None:
    import time

    from bot.core.analysis.deploy import parse_compose

    texts = [
        "services:\n  a:\n    command: '" + "while true; do " * 20_000 + "'\n",
        "services:\n  a:\n    command: 'while true; do " + "sleep " * 20_000 + "'\n",
        "services:\n  a:\n    command: 'while [ \"$" + "A" * 100_000 + "'\n",
        "services:\n  a:\n    command: '" + 'while [ "$A" ]; do ' * 10_000 + "'\n",
        "services:\n  a:\n    command: 'while true; do " + "sleep infinity; " * 20_000 + "'\n",
        "services:\n  a:\n    labels:\n"
        + "".join(f"      ofelia.job-exec.j{i}.schedule: '@every 1m'\n" for i in range(5_000)),
        "services:\n  a:\n    labels:\n      - 'ofelia.job-run." + "x" * 100_000 + ".schedule=1'\n",
    ]
    for text in texts:
        start = time.process_time()
        parse_compose(text.encode())
        assert time.process_time() - start < 3.0


MORE = [
    Periodic(
        "periodic-signal-keyword-receiver",
        {
            "events/receivers.py": "from django.dispatch import receiver\n\n"
            "from core.signals import periodic_task, minimum_interval\n\n\n"
            "@receiver(signal=periodic_task)\n@minimum_interval(minutes_after_success=15)\n"
            "def clear_stale_exports(sender, **kwargs):\n    pass\n",
        },
        ("events/receivers.py", "@receiver(signal=periodic_task)"),
        "clear_stale_exports",
    ),
    Periodic(
        "periodic-signal-fired-by-a-command",
        {
            "core/management/commands/runperiodic.py": "from django.core.management.base "
            "import BaseCommand\n\nfrom core.signals import periodic_task\n\n\n"
            "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
            "        periodic_task.send_robust(self)\n",
        },
        ("core/management/commands/runperiodic.py", "send_robust"),
        "periodic_task",
    ),
    Periodic(
        "js-task-class-cron-getter",
        {
            "server/tasks/PurgeTrashTask.ts": "import BaseTask, { TaskInterval } from './base';\n\n"
            "export default class PurgeTrashTask extends BaseTask<Props> {\n"
            "  public async perform() {}\n\n  public get cron() {\n    return {\n"
            "      interval: TaskInterval.Hour,\n    };\n  }\n}\n",
        },
        ("server/tasks/PurgeTrashTask.ts", "interval: TaskInterval.Hour"),
        "PurgeTrashTask",
    ),
    Periodic(
        "js-setinterval-one-line-arrow",
        {
            "server/services/clock.ts": "export default function init() {\n"
            "  setInterval(() => void tick(Period.Day), Day.ms).unref();\n}\n",
        },
        ("server/services/clock.ts", "setInterval("),
        "clock",
    ),
    Periodic(
        "js-singleton-worker-class-in-the-browser-app",
        {
            "web/src/app/Refresher.js": "import api from './Api';\n\n"
            "const everyMs = 600000; // 10 minutes\n\n"
            "class Refresher {\n  constructor() {\n    this.handle = null;\n  }\n\n"
            "  begin() {\n    this.handle = setInterval(() => this.refreshAll(), everyMs);\n"
            "  }\n\n  async refreshAll() {\n    await api.refresh();\n  }\n}\n\n"
            "const refresher = new Refresher();\nexport default refresher;\n",
        },
        ("web/src/app/Refresher.js", "setInterval("),
        "Refresher.refreshAll",
    ),
]


@pytest.mark.parametrize("idiom", MORE, ids=lambda i: i.id)
def test_more_periodic_idioms(idiom: Periodic) -> None:
    test_periodic_idiom_is_a_schedule_at_its_line_with_its_name(idiom)


# --- timers of a job client or a singleton service (documenso's shapes, other names) --------

TIMERS = [
    Periodic(
        "js-settimeout-rearmed-by-its-callback",
        {
            "src/queue/client/poller.ts": "import { randomInt } from 'node:crypto';\n\n"
            "export class Poller {\n  start() {\n    const loop = () => {\n"
            "      this.timer = setTimeout(() => {\n"
            "        void this.sweep().finally(loop);\n"
            "      }, POLL_MS + randomInt(100));\n    };\n\n    loop();\n  }\n}\n",
        },
        ("src/queue/client/poller.ts", "setTimeout(() =>"),
        "loop",
    ),
    Periodic(
        "js-setinterval-in-a-singleton-method",
        {
            "src/services/beacon.ts": "export class Beacon {\n"
            "  private static instance: Beacon | null = null;\n\n"
            "  static async start() {\n    Beacon.instance = new Beacon();\n"
            "    await Beacon.instance.begin();\n  }\n\n  private async begin() {\n"
            "    this.timer = setInterval(() => {\n      this.ping('alive');\n"
            "    }, HOUR_MS);\n  }\n}\n",
        },
        ("src/services/beacon.ts", "setInterval("),
        "beacon",
    ),
    Periodic(
        "bullmq-job-scheduler-per-definition",
        {
            "src/jobs/bull-provider.ts": "import { Queue } from 'bullmq';\n\n"
            "export class BullProvider {\n  define(def: Def) {\n    if (def.every) {\n"
            "      void this.queue\n        .upsertJobScheduler(\n          def.key,\n"
            "          { pattern: def.every },\n          { name: def.key },\n"
            "        );\n    }\n  }\n}\n",
        },
        ("src/jobs/bull-provider.ts", ".upsertJobScheduler("),
        "def.key",
    ),
]


@pytest.mark.parametrize("idiom", TIMERS, ids=lambda i: i.id)
def test_timer_idioms(idiom: Periodic) -> None:
    test_periodic_idiom_is_a_schedule_at_its_line_with_its_name(idiom)


NOT_TIMERS = [
    (
        "settimeout-callback-calling-a-closed-sibling",
        {
            "src/upload.ts": "export async function upload(file: File) {\n"
            "  const dispose = () => {\n    release(file);\n  };\n\n  try {\n"
            "    await put(file);\n    if (shown) {\n      setTimeout(() => {\n"
            "        dispose();\n      }, 100);\n    }\n  } finally {}\n}\n",
        },
        "dispose",
    ),
    (
        "settimeout-loop-in-a-client-folder-without-server-imports",
        {
            "src/client/refresh.ts": "export function start() {\n  const again = () => {\n"
            "    setTimeout(() => {\n      void pull().then(again);\n    }, 5000);\n  };\n"
            "  again();\n}\n",
        },
        "again",
    ),
    (
        "setinterval-in-a-method-of-a-plain-class",
        {
            "src/conn.ts": "export class Conn {\n  open() {\n"
            "    this.ping = setInterval(() => {\n      this.send('ping');\n"
            "    }, 30_000);\n  }\n}\n",
        },
        "conn",
    ),
]


@pytest.mark.parametrize(("case", "files", "name"), NOT_TIMERS, ids=[c[0] for c in NOT_TIMERS])
def test_timer_lookalike_is_no_schedule(case: str, files: dict[str, str], name: str) -> None:
    test_lookalike_is_no_schedule(case, files, name)


def test_rearmed_timeout_scan_is_bounded_on_hostile_input() -> None:
    import time

    from bot.core.analysis.schedules import schedules_for

    texts = [
        "const f = () => {\n" + "  setTimeout(() => {\n" * 20_000,
        "const f = () => {\n  setTimeout(() => {\n" + "  f;\n" * 50_000,
        "class A {\n  static instance;\n" + "      x = setInterval(() => {\n" * 20_000,
        "q\n" + "  .upsertJobScheduler(" * 20_000 + "\n",
    ]
    for text in texts:
        start = time.process_time()
        schedules_for("typescript", text)
        assert time.process_time() - start < 2.0
