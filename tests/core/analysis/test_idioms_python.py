"""Python hand-off and schedule idioms (issue 18: each framework's idiom is written down), one
small app per idiom in the shape its library's documentation shows, and lookalikes that must
not count. The harness is `idiom_apps.py`."""

from __future__ import annotations

import pytest

from tests.core.analysis.idiom_apps import Idiom, misses

TASKS = "from celery import shared_task\n\n@shared_task\ndef send_digest(user_id):\n    pass\n"

IDIOMS = [
    # --- Celery -----------------------------------------------------------------------
    Idiom(
        "celery-shared-task-delay",
        {
            "app/tasks.py": TASKS,
            "app/views.py": "from .tasks import send_digest\n\ndef post(r):\n"
            "    send_digest.delay(r.user.id)\n",
        },
        handoffs=(("send_digest", "app/views.py", "app/tasks.py"),),
    ),
    Idiom(
        "celery-app-task-bind-apply-async",
        {
            "feeds/tasks.py": "from proj.celery import app\n\n"
            "@app.task(bind=True, max_retries=3, default_retry_delay=60)\n"
            "def import_feed(self, url):\n    pass\n",
            "feeds/api.py": "from feeds.tasks import import_feed\n\ndef create(url):\n"
            "    import_feed.apply_async(args=[url], countdown=10)\n",
        },
        handoffs=(("import_feed", "feeds/api.py", "feeds/tasks.py"),),
    ),
    Idiom(
        "celery-renamed-app",
        {
            "search/worker.py": "from celery import Celery\n\n"
            "celery_app = Celery('search', broker='redis://')\n\n"
            "@celery_app.task(name='search.rebuild')\ndef rebuild_index():\n    pass\n",
            "search/admin.py": "from search.worker import rebuild_index\n\ndef act():\n"
            "    rebuild_index.delay()\n",
        },
        handoffs=(("rebuild_index", "search/admin.py", "search/worker.py"),),
    ),
    Idiom(
        "celery-class-task",
        {
            "reports/tasks.py": "from celery import Task\n\n"
            "class GenerateReport(Task):\n    name = 'reports.generate'\n\n"
            "    def run(self, report_id):\n        pass\n\n"
            "generate_report = app.register_task(GenerateReport())\n",
            "reports/views.py": "from reports.tasks import GenerateReport\n\ndef post(r):\n"
            "    GenerateReport().delay(r.id)\n",
        },
        handoffs=(("GenerateReport", "reports/views.py", "reports/tasks.py"),),
    ),
    Idiom(
        "celery-canvas-signatures",
        {
            "etl/tasks.py": "from celery import shared_task\n\n"
            "@shared_task\ndef fetch(url):\n    pass\n\n"
            "@shared_task\ndef parse(page):\n    pass\n\n"
            "@shared_task\ndef store(key):\n    pass\n\n"
            "@shared_task\ndef summarize(results):\n    pass\n",
            "etl/pipeline.py": "from celery import chain, chord, group\n"
            "from etl.tasks import fetch, parse, store, summarize\n\n"
            "def run(urls, key):\n"
            "    chain(fetch.s(urls[0]), parse.s(), store.si(key))()\n"
            "    chord(group(fetch.s(u) for u in urls))(summarize.s())\n",
        },
        handoffs=(
            ("fetch", "etl/pipeline.py", "etl/tasks.py"),
            ("parse", "etl/pipeline.py", "etl/tasks.py"),
            ("store", "etl/pipeline.py", "etl/tasks.py"),
            ("summarize", "etl/pipeline.py", "etl/tasks.py"),
        ),
    ),
    Idiom(
        "celery-send-task-by-name",
        {
            "accounts/tasks.py": "from celery import shared_task\n\n"
            "@shared_task(name='accounts.cleanup_sessions')\ndef cleanup_sessions():\n"
            "    pass\n",
            "gateway/hooks.py": "from proj.celery import app\n\ndef hook():\n"
            "    app.send_task('accounts.cleanup_sessions')\n",
        },
        handoffs=(("cleanup_sessions", "gateway/hooks.py", "accounts/tasks.py"),),
    ),
    Idiom(
        "celery-app-conf-beat-schedule",
        {
            "proj/celery.py": "from celery import Celery\nfrom celery.schedules import crontab\n\n"
            "app = Celery('proj')\n"
            "app.conf.beat_schedule = {\n"
            "    'purge-every-night': {\n"
            "        'task': 'proj.tasks.purge_stale',\n"
            "        'schedule': crontab(hour=3, minute=0),\n"
            "    },\n}\n",
        },
        schedules=(("proj/celery.py", "purge_stale"),),
    ),
    Idiom(
        "celery-settings-beat-timedelta",
        {
            "proj/settings.py": "from datetime import timedelta\n\n"
            "CELERY_BEAT_SCHEDULE = {\n"
            "    'refresh-rates': {\n"
            "        'task': 'rates.tasks.refresh_rates',\n"
            "        'schedule': timedelta(minutes=15),\n"
            "    },\n}\n",
        },
        schedules=(("proj/settings.py", "refresh_rates"),),
    ),
    Idiom(
        "celery-config-module-beat-seconds",
        {
            "celeryconfig.py": "broker_url = 'redis://'\n"
            "beat_schedule = {\n"
            "    'ping': {'task': 'monitor.tasks.ping', 'schedule': 30.0},\n}\n",
        },
        schedules=(("celeryconfig.py", "ping"),),
    ),
    Idiom(
        "celery-add-periodic-task",
        {
            "proj/celery.py": "from celery import Celery\nfrom celery.schedules import crontab\n"
            "from proj.tasks import ping, weekly_report\n\n"
            "app = Celery('proj')\n\n"
            "@app.on_after_configure.connect\n"
            "def setup_periodic_tasks(sender, **kwargs):\n"
            "    sender.add_periodic_task(10.0, ping.s('hello'), name='ping every 10')\n"
            "    sender.add_periodic_task(\n"
            "        crontab(hour=7, minute=30, day_of_week=1), weekly_report.s()\n    )\n",
        },
        schedules=(("proj/celery.py", "ping"), ("proj/celery.py", "weekly_report")),
        absent=("minute",),
    ),
    Idiom(
        "django-celery-beat-periodic-task-in-a-migration",
        {
            "feeds/migrations/0007_schedule.py": "from django.db import migrations\n\n"
            "def add(apps, schema_editor):\n"
            "    IntervalSchedule = apps.get_model('django_celery_beat', 'IntervalSchedule')\n"
            "    PeriodicTask = apps.get_model('django_celery_beat', 'PeriodicTask')\n"
            "    every, _ = IntervalSchedule.objects.get_or_create(every=10, period='minutes')\n"
            "    PeriodicTask.objects.create(\n"
            "        interval=every,\n        name='Import feeds',\n"
            "        task='feeds.tasks.import_all',\n    )\n",
        },
        schedules=(("feeds/migrations/0007_schedule.py", "import_all"),),
    ),
    Idiom(
        "django-celery-beat-crontab-in-code",
        {
            "billing/setup.py": "from django_celery_beat.models import (\n"
            "    CrontabSchedule, PeriodicTask)\n\n"
            "def install():\n"
            "    cron, _ = CrontabSchedule.objects.get_or_create(minute='0', hour='4')\n"
            "    PeriodicTask.objects.update_or_create(name='invoices', defaults={\n"
            "        'crontab': cron, 'task': 'billing.tasks.send_invoices'})\n",
        },
        schedules=(("billing/setup.py", "send_invoices"),),
    ),
    # --- RQ ---------------------------------------------------------------------------
    Idiom(
        "rq-enqueue-a-function",
        {
            "jobs/words.py": "def count_words(url):\n    return 1\n",
            "web/app.py": "from redis import Redis\nfrom rq import Queue\n"
            "from jobs.words import count_words\n\n"
            "q = Queue(connection=Redis())\n\ndef submit(url):\n"
            "    q.enqueue(count_words, url)\n",
        },
        handoffs=(("count_words", "web/app.py", "jobs/words.py"),),
    ),
    Idiom(
        "rq-enqueue-call-and-dotted-name",
        {
            "jobs/mail.py": "def send_mail(to):\n    pass\n\ndef bounce(to):\n    pass\n",
            "web/mail.py": "from rq import Queue\nfrom jobs.mail import send_mail\n\n"
            "def go(q: Queue, to):\n"
            "    q.enqueue_call(func=send_mail, args=(to,))\n"
            "    q.enqueue('jobs.mail.bounce', to)\n",
        },
        handoffs=(
            ("send_mail", "web/mail.py", "jobs/mail.py"),
            ("bounce", "web/mail.py", "jobs/mail.py"),
        ),
    ),
    Idiom(
        "rq-job-decorator",
        {
            "jobs/thumbs.py": "from rq.decorators import job\n\n"
            "@job('low', connection=redis_conn, timeout=5)\ndef make_thumb(path):\n    pass\n",
            "web/upload.py": "from jobs.thumbs import make_thumb\n\ndef up(p):\n"
            "    make_thumb.delay(p)\n",
        },
        handoffs=(("make_thumb", "web/upload.py", "jobs/thumbs.py"),),
    ),
    Idiom(
        "rq-scheduler-cron-and-schedule",
        {
            "ops/schedule.py": "from datetime import datetime\nfrom redis import Redis\n"
            "from rq_scheduler import Scheduler\nfrom ops.jobs import purge, heartbeat\n\n"
            "scheduler = Scheduler(connection=Redis())\n"
            "scheduler.cron('0 * * * *', func=purge, queue_name='default')\n"
            "scheduler.schedule(scheduled_time=datetime.utcnow(), func=heartbeat, interval=60)\n",
            "ops/jobs.py": "def purge():\n    pass\n\ndef heartbeat():\n    pass\n",
        },
        schedules=(("ops/schedule.py", "purge"), ("ops/schedule.py", "heartbeat")),
    ),
    Idiom(
        "rq-enqueue-function-re-exported-by-its-package",
        {
            "reports/jobs/__init__.py": "from .running import enqueue_report, build_report\n",
            "reports/jobs/running.py": "from rq import Queue\n\n"
            "def build_report(report_id):\n    pass\n\n"
            "def enqueue_report(report_id, urgent=False):\n"
            "    queue = Queue('fast' if urgent else 'slow')\n"
            "    return queue.enqueue(build_report, report_id)\n",
            "reports/views.py": "from reports.jobs import enqueue_report\n\n"
            "def create(request):\n    job = enqueue_report(request.id)\n    return job.id\n",
        },
        handoffs=(
            ("build_report", "reports/jobs/running.py", "reports/jobs/running.py"),
            ("build_report", "reports/views.py", "reports/jobs/running.py"),
        ),
    ),
    Idiom(
        "rq-job-imported-under-an-alias",
        {
            "requirements.txt": "rq\n",
            "shop/worker.py": "from functools import partial\n"
            "from rq.decorators import job as rq_job\n"
            "job = partial(rq_job, connection=None)\n",
            "shop/tasks.py": "from shop.worker import job\n\n"
            "@job('default')\ndef log_event(payload):\n    pass\n",
            "shop/views.py": "from shop.tasks import log_event as log_event_task\n\n"
            "def record(payload):\n    log_event_task.delay(payload)\n",
        },
        handoffs=(("log_event", "shop/views.py", "shop/tasks.py"),),
        absent=("log_event_task",),
    ),
    Idiom(
        "rq-scheduler-jobs-declared-as-data",
        {
            "ops/clock.py": "from datetime import timedelta\nfrom rq_scheduler import Scheduler\n"
            "from ops.jobs import sweep, digest, ping, audit\n\n"
            "clock = Scheduler(queue_name='cron')\n\n"
            "def entries():\n"
            "    return [\n"
            "        {'func': sweep, 'timeout': 60, 'interval': 30},\n"
            "        {\n            'func': digest,\n"
            "            'interval': timedelta(hours=1, minutes=5),\n        },\n"
            "        dict(func=ping, cron_string='*/5 * * * *'),\n"
            "        {'func': audit, 'timeout': 10},\n"
            "    ]\n\n"
            "def install():\n"
            "    for entry in entries():\n"
            "        clock.schedule(scheduled_time=None, **entry)\n",
            "ops/jobs.py": "def sweep():\n    pass\n\ndef digest():\n    pass\n\n"
            "def ping():\n    pass\n\ndef audit():\n    pass\n",
        },
        schedules=(("ops/clock.py", "sweep"), ("ops/clock.py", "digest"), ("ops/clock.py", "ping")),
        absent=("audit",),  # no interval nor cron string: not on a clock
    ),
    Idiom(
        "job-dicts-without-rq-scheduler",  # the look-alike: the same shape, another library
        {
            "ops/menu.py": "from ops.jobs import sweep\n\n"
            "ITEMS = [{'func': sweep, 'interval': 30, 'label': 'Sweep'}]\n",
            "ops/jobs.py": "def sweep():\n    pass\n",
        },
        absent=("sweep",),
    ),
    Idiom(
        "supervisord-eventlistener-on-tick",
        {
            "deploy/jobs.conf": "[supervisord]\nnodaemon=true\n\n"
            "[program:jobs]\ncommand=python -m shop.jobs\n\n"
            "[eventlistener:probe]\ncommand=python -m shop.probe\nevents=TICK_60\n\n"
            "[eventlistener:crashmail]\ncommand=crashmail -a\nevents=PROCESS_STATE_EXITED\n",
            "shop/__init__.py": "",
        },
        schedules=(("deploy/jobs.conf", "probe"),),
        absent=("crashmail",),  # listens to process events, not to a clock
    ),
    Idiom(
        "django-rq-get-queue-and-job",
        {
            "hooks/jobs.py": "import django_rq\n\n@django_rq.job('high')\n"
            "def deliver(hook_id):\n    pass\n\ndef render(x):\n    pass\n",
            "hooks/signals.py": "import django_rq\nfrom hooks.jobs import deliver, render\n\n"
            "def fire(h):\n"
            "    deliver.delay(h.id)\n"
            "    django_rq.get_queue('default').enqueue(render, h.id)\n",
        },
        handoffs=(
            ("deliver", "hooks/signals.py", "hooks/jobs.py"),
            ("render", "hooks/signals.py", "hooks/jobs.py"),
        ),
    ),
    # --- Dramatiq ---------------------------------------------------------------------
    Idiom(
        "dramatiq-actor-send",
        {
            "users/actors.py": "import dramatiq\n\n"
            "@dramatiq.actor(queue_name='emails', max_retries=3)\n"
            "def send_welcome(user_id):\n    pass\n",
            "users/views.py": "from users.actors import send_welcome\n\ndef signup(u):\n"
            "    send_welcome.send(u.id)\n"
            "    send_welcome.send_with_options(args=(u.id,), delay=10000)\n",
        },
        handoffs=(("send_welcome", "users/views.py", "users/actors.py"),),
    ),
    Idiom(
        "dramatiq-periodiq-cron",
        {
            "ops/actors.py": "import dramatiq\nfrom periodiq import cron\n\n"
            "@dramatiq.actor(periodic=cron('0 * * * *'))\ndef hourly():\n    pass\n",
        },
        schedules=(("ops/actors.py", "hourly"),),
    ),
    Idiom(
        "apscheduler-cron-trigger-on-an-actor",
        {
            "ops/clock.py": "from apscheduler.schedulers.blocking import BlockingScheduler\n"
            "from apscheduler.triggers.cron import CronTrigger\nfrom ops.actors import digest\n\n"
            "scheduler = BlockingScheduler()\n"
            "scheduler.add_job(digest.send, CronTrigger.from_crontab('0 9 * * *'))\n"
            "scheduler.add_job(func=digest.send, trigger='cron', hour=3)\n",
        },
        schedules=(("ops/clock.py", "digest"),),
        absent=("send",),
    ),
    # --- huey -------------------------------------------------------------------------
    Idiom(
        "huey-task-called-and-scheduled",
        {
            "media/tasks.py": "from huey.contrib.djhuey import task, db_task\n\n"
            "@task()\ndef transcode(path):\n    pass\n\n"
            "@db_task(retries=2)\ndef index(pk):\n    pass\n",
            "media/views.py": "from media.tasks import transcode, index\n\ndef up(p):\n"
            "    transcode.schedule(args=(p,), delay=60)\n"
            "    index(p.pk)\n",
        },
        handoffs=(
            ("transcode", "media/views.py", "media/tasks.py"),
            ("index", "media/views.py", "media/tasks.py"),
        ),
    ),
    Idiom(
        "huey-periodic-tasks",
        {
            "ops/tasks.py": "from huey import crontab\n"
            "from huey.contrib.djhuey import periodic_task, db_periodic_task\n\n"
            "@periodic_task(crontab(minute='0', hour='3'))\ndef nightly():\n    pass\n\n"
            "@db_periodic_task(crontab(minute='*/5'))\ndef sweep():\n    pass\n",
        },
        schedules=(("ops/tasks.py", "nightly"), ("ops/tasks.py", "sweep")),
    ),
    # --- Django-Q ---------------------------------------------------------------------
    Idiom(
        "django-q-async-task-by-dotted-name",
        {
            "billing/tasks.py": "def charge_customer(order_id):\n    pass\n",
            "billing/views.py": "from django_q.tasks import async_task\n\ndef pay(o):\n"
            "    async_task('billing.tasks.charge_customer', o.id)\n",
        },
        handoffs=(("charge_customer", "billing/views.py", "billing/tasks.py"),),
    ),
    Idiom(
        "django-q-schedule",
        {
            "billing/apps.py": "from django_q.models import Schedule\n"
            "from django_q.tasks import schedule\n\n"
            "def ready():\n"
            "    schedule('billing.tasks.send_invoices', schedule_type=Schedule.DAILY)\n"
            "    Schedule.objects.create(\n"
            "        func='billing.tasks.expire', schedule_type=Schedule.HOURLY)\n",
        },
        schedules=(("billing/apps.py", "send_invoices"), ("billing/apps.py", "expire")),
    ),
    # --- APScheduler, schedule, arq ---------------------------------------------------
    Idiom(
        "apscheduler-add-job-and-decorator",
        {
            "clock.py": "from apscheduler.schedulers.blocking import BlockingScheduler\n\n"
            "scheduler = BlockingScheduler()\n\ndef tick():\n    pass\n\n"
            "scheduler.add_job(tick, 'interval', seconds=3)\n\n"
            "@scheduler.scheduled_job('cron', day_of_week='mon-fri', hour=17)\n"
            "def close_day():\n    pass\n",
        },
        schedules=(("clock.py", "tick"), ("clock.py", "close_day")),
    ),
    Idiom(
        "schedule-library-every",
        {
            "runner.py": "import schedule\n\ndef job():\n    pass\n\n"
            "schedule.every(10).minutes.do(job)\n"
            "schedule.every().day.at('10:30').do(job)\n",
        },
        schedules=(("runner.py", "job"),),
    ),
    Idiom(
        "arq-functions-cron-and-enqueue-job",
        {
            "worker.py": "from arq import cron\n\n"
            "async def download_content(ctx, url):\n    pass\n\n"
            "async def cleanup(ctx):\n    pass\n\n"
            "class WorkerSettings:\n"
            "    functions = [download_content]\n"
            "    cron_jobs = [cron(cleanup, hour={3}, minute=0)]\n",
            "api.py": "async def submit(redis, url):\n"
            "    await redis.enqueue_job('download_content', url)\n",
        },
        handoffs=(("download_content", "api.py", "worker.py"),),
        schedules=(("worker.py", "cleanup"),),
    ),
    # --- lookalikes -------------------------------------------------------------------
    Idiom(
        "not-a-django-signal",
        {
            "shop/urls.py": "from django.urls import path\nfrom shop import signals\n\n"
            "urlpatterns = [path('pay/', signals.pay)]\n",
            "shop/signals.py": "from django.db.models.signals import post_save\n"
            "from django.dispatch import receiver, Signal\n\n"
            "order_paid = Signal()\n\n"
            "@receiver(post_save, sender=Order)\ndef on_save(sender, instance, **kw):\n"
            "    order_paid.send(sender=Order, order=instance)\n\n"
            "post_save.connect(on_save, sender=Order)\n\n"
            "def pay(request):\n    order_paid.send(sender=None, order=request)\n",
        },
        absent=("order_paid", "on_save", "post_save"),
    ),
    Idiom(
        "not-a-delay-on-a-non-task",
        {
            "leds/blink.py": "class Blinker:\n    def run(self, led):\n"
            "        led.delay(0.5)\n        self.timer.delay(2)\n",
        },
        absent=("led", "timer", "leds/blink.py"),
    ),
    Idiom(
        "not-a-schedule-in-a-test-or-a-docstring",
        {
            "tests/test_clock.py": "import schedule\n\ndef test_it():\n"
            "    schedule.every(1).seconds.do(job)\n",
            "clock/notes.py": 'def explain():\n    """Use:\n\n'
            '        schedule.every(5).minutes.do(job)\n    """\n',
        },
        absent=("job",),
    ),
    Idiom(
        "not-a-job-named-in-prose-or-comments",
        {
            "notes/arq_notes.py": "import django_q\n\nclass WorkerSettings:\n"
            '    """Lists jobs:\n\n    functions = [f, g]\n    """\n\n'
            "    cron_jobs = []  # cron(f, hour=1)\n\n"
            "def x():\n    pass  # schedule('a.b.f', schedule_type='D')\n",
        },
        absent=("f", "g"),
    ),
    Idiom(
        "not-a-periodic-task-model",
        {
            "core/models.py": "class PeriodicTask(models.Model):\n    task = models.CharField()\n",
            "core/views.py": "def make(n):\n    PeriodicTask.objects.create(name=n, task=n)\n",
        },
        absent=("n",),
    ),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_python_idiom(idiom: Idiom) -> None:
    assert misses(idiom) == []


HOSTILE = [
    "import django_q\n" + "schedule(" * 50_000 + "\n",
    "rq_scheduler\nscheduler.cron(" + "'a'," * 50_000 + "\n",
    "x.add_periodic_task(" + "(" * 50_000 + "\n",
    "PeriodicTask.objects.create(\n" + "task=" * 50_000 + "\n",
    "class WorkerSettings:\n    functions = [" + "a, " * 50_000 + "\n",
    "get_queue(" + "x" * 100_000 + ").enqueue(f)\n",
    "cron_jobs\n" + "cron(" * 50_000 + "\n",
    "rq_scheduler\n" + "{'func': f, " * 30_000 + "\n",
    "rq_scheduler\n" + "{\n" * 30_000 + "'func': f, 'interval': (" * 5_000 + "\n",
    "rq_scheduler\n" + "dict(func=f" * 30_000 + "\n" + "func=g\n" * 20_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: t[:20])
def test_hostile_python_gives_sites_or_nothing_quickly(text: str) -> None:
    import time

    from bot.core.analysis.handoffs import python_sites
    from bot.core.analysis.schedules_python import python_schedules

    start = time.process_time()
    python_sites(text)
    python_schedules(text)
    assert time.process_time() - start < 2.0
