from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.analysis.handoffs import go_sites, javascript_sites, python_sites, ruby_sites
from bot.core.analysis.handoffs_python_patterns import UNCONFIRMED
from bot.core.analysis.movement import pair_handoffs
from bot.core.model import FileFacts, HandoffSite


def ends(sites: tuple[HandoffSite, ...]) -> set[tuple[str, str, str, int]]:
    """The two ends; a function that produces is also a `wrapper` site (for its callers,
    `test_handoff_links`), left out here."""
    return {
        (s.role, s.mechanism, s.name, s.line) for s in sites if s.role not in ("wrapper", "target")
    }


def test_celery_task_and_its_delay_and_apply_async_are_both_ends() -> None:
    tasks = (
        "from celery import shared_task\n\n"
        "@shared_task(bind=True)\ndef consume_file(self):\n    pass\n"
    )
    view = (
        "from .tasks import consume_file\n\ndef post(r):\n"
        "    consume_file.apply_async(kwargs={})\n    consume_file.delay(1)\n"
    )
    assert ends(python_sites(tasks)) == {("consume", "celery", "consume_file", 4)}
    assert ends(python_sites(view)) == {
        ("produce", "celery", "consume_file", 4),
        ("produce", "celery", "consume_file", 5),
    }


def test_send_task_by_dotted_name_pairs_with_the_function() -> None:
    src = 'app.send_task("documents.tasks.train_classifier")\n'
    assert ends(python_sites(src)) == {("produce", "celery", "train_classifier", 1)}


def test_huey_task_bound_to_a_variable_answers_to_the_variable_and_the_name() -> None:
    src = (
        "from huey import SqliteHuey\n"
        "RUN_JOB = 'run'\n"
        "def build(huey):\n"
        "    def run_job(m):\n        pass\n"
        "    runner = huey.task(name=RUN_JOB)(run_job)\n"
        "    return runner\n"
        "class Q:\n    def entries(self):\n        return self.runner.s(1)\n"
    )
    sites = python_sites(src)
    consumer = next(s for s in sites if s.role == "consume")
    assert (consumer.mechanism, consumer.name, consumer.line) == ("huey", "run_job", 6)
    assert set(consumer.aliases) == {"runner", "RUN_JOB"}
    assert ("produce", "huey", "runner", 10) in ends(sites)
    paired = pair_handoffs({"t.py": FileFacts("python", handoffs=sites)}, lambda _: False)
    (handoff,) = paired
    assert handoff.name == "run_job"
    assert handoff.producers
    assert handoff.consumers


def test_rq_enqueue_by_string_and_job_decorator() -> None:
    worker = "from django_rq import job\n\n@job('default')\ndef send_webhook(x):\n    pass\n"
    events = (
        "import django_rq\nq = django_rq.get_queue('default')\n"
        "q.enqueue('extras.webhooks.send_webhook', x=1)\n"
    )
    assert ends(python_sites(worker)) == {("consume", "rq", "send_webhook", 4)}
    assert ends(python_sites(events)) == {("produce", "rq", "send_webhook", 3)}


def test_a_list_handed_to_a_non_rq_enqueue_is_not_a_job() -> None:
    assert python_sites("def f(ctx, queued):\n    ctx.enqueue(queued)\n") == ()


def test_job_classes_pair_with_class_enqueue() -> None:
    jobs = "class SyncJob(JobRunner):\n    def run(self):\n        pass\n"
    view = "SyncJob.enqueue(instance=x)\n"
    facts = {
        "jobs.py": FileFacts("python", handoffs=python_sites(jobs)),
        "views.py": FileFacts("python", handoffs=python_sites(view)),
    }
    (handoff,) = pair_handoffs(facts, lambda _: False)
    assert handoff.name == "SyncJob"
    assert [(e.path, e.line) for e in handoff.producers] == [("views.py", 1)]


def test_unpaired_job_class_and_bare_signature_are_not_hand_offs() -> None:
    facts = {
        "a.py": FileFacts("python", handoffs=python_sites("class ReportJob(BaseJob):\n    pass\n")),
        "b.py": FileFacts("python", handoffs=python_sites("x = re.s(1)\n")),
    }
    assert pair_handoffs(facts, lambda _: False) == ()


def test_activejob_sidekiq_and_mailers() -> None:
    job = "class NotifyJob < ApplicationJob\n  queue_as :default\n\n  def perform(c)\n  end\nend\n"
    worker = "class HardWorker\n  include Sidekiq::Job\n  def perform(id)\n  end\nend\n"
    controller = (
        "NotifyJob.perform_later(@c)\n"
        "SendJob.set(wait: 5.minutes).perform_later(@s)\n"
        "CacheJob\n  .set(wait: 2)\n  .perform_later(path)\n"
        "HardWorker.perform_async(1)\n"
        "UserMailer.welcome(u).deliver_later\n"
        "PasswordMailer.with(\n  user: u\n).password_reset.deliver_later\n"
    )
    assert ends(ruby_sites(job)) == {
        ("consume", "activejob", "NotifyJob", 4),
        # any class with a base may perform through it (`handoff_subclasses`)
        ("subclass", "activejob", "NotifyJob", 1),
    }
    assert ends(ruby_sites(worker)) == {("consume", "sidekiq", "HardWorker", 3)}
    assert ends(ruby_sites(controller)) == {
        ("produce", "activejob", "NotifyJob", 1),
        ("produce", "activejob", "SendJob", 2),
        ("produce", "activejob", "CacheJob", 5),
        ("produce", "sidekiq", "HardWorker", 6),
        ("produce", "actionmailer", "UserMailer.welcome", 7),
        # a call over lines: cited where the mailer is named and where the mail is
        ("produce", "actionmailer", "PasswordMailer.password_reset", 8),
        ("produce", "actionmailer", "PasswordMailer.password_reset", 10),
    }


def test_a_mail_is_consumed_at_its_mailer_class_and_its_method() -> None:
    mailer = (
        "class Mailer < ApplicationMailer\n  class Oops < StandardError; end\n\n"
        "  def welcome(id)\n    mail(to: 'x')\n  end\n\n  def self.build\n  end\nend\n"
    )
    assert ends(ruby_sites(mailer)) == {
        ("consume", "actionmailer", "Mailer", 1),
        ("consume", "job-class", "Mailer.welcome", 1),
        ("consume", "job-class", "Mailer.welcome", 4),
        ("subclass", "job-class", "Oops", 2),
    }
    caller = "x = 1\nMailer.welcome(id).deliver_later\n"
    facts = {
        "app/mailers/mailer.rb": FileFacts(language="ruby", handoffs=ruby_sites(mailer)),
        "app/models/user.rb": FileFacts(language="ruby", handoffs=ruby_sites(caller)),
    }
    (h,) = pair_handoffs(facts, lambda _: False)  # no echo of the class alone
    assert (h.name, h.mechanism) == ("Mailer.welcome", "actionmailer")
    assert [e.line for e in h.consumers] == [1, 4]
    assert [(e.path, e.line) for e in h.producers] == [("app/models/user.rb", 2)]


def test_bull_queues_workers_nest_processors_and_kafka() -> None:
    src = (
        "import { Kafka } from 'kafkajs'\n"
        "const q = new Queue('emails', { connection })\n"
        "await q.add('send', data)\n"
        "new Worker('emails', async job => {})\n"
        "await producer.send({ topic: 'events', messages })\n"
        "await consumer.subscribe({ topics: ['events'] })\n"
    )
    assert ends(javascript_sites(src)) == {
        ("produce", "bull", "emails", 3),
        ("consume", "bull", "emails", 4),
        ("produce", "kafka", "events", 5),
        ("consume", "kafka", "events", 6),
    }
    nest = (
        "constructor(\n    @InjectQueue(DATA_QUEUE)\n    private readonly dataQueue: Queue\n) {}\n"
        "run() { return this.dataQueue.add('x', {}) }\n"
        "@Processor(DATA_QUEUE)\nexport class P {}\n"
    )
    assert ends(javascript_sites(nest)) == {
        ("produce", "bull", "DATA_QUEUE", 5),
        ("consume", "bull", "DATA_QUEUE", 6),
    }


def test_go_channel_written_and_ranged_by_a_goroutine() -> None:
    src = (
        "jobs := make(chan Job)\ngo func() {\n\tfor j := range jobs {\n"
        "\t\tdo(j)\n\t}\n}()\njobs <- Job{}\n"
    )
    assert ends(go_sites(src)) == {
        ("consume", "go-channel", "jobs", 2),  # the goroutine that ranges over it
        ("produce", "go-channel", "jobs", 7),
    }


def ends_of(sites: tuple[HandoffSite, ...]) -> list[HandoffSite]:
    return [s for s in sites if s.role != "wrapper"]


def test_hostile_inputs_give_no_sites_and_do_not_hang() -> None:
    huge = "x" * 2_000_000 + ".delay(\n"
    nested = "f(" * 5000 + ")" * 5000 + "\nfoo.delay()\n"
    start = time.process_time()
    assert python_sites(huge) == ()  # the call is past the part of the line looked at
    assert [s.line for s in python_sites(nested)] == [2]
    assert [s.name for s in ends_of(python_sites("def f(:\n  consume.delay(\n"))] == ["consume"]
    ruby_sites("FooJob.set(" + "(" * 100_000 + ".perform_later\n")
    javascript_sites("const q = new Queue(" + "a" * 500_000 + "\nq.add(\n")
    go_sites("chan go " + "x <- " * 100_000)
    assert time.process_time() - start < 20  # generous: a shared machine


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_sites_or_nothing(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    for scan in (python_sites, ruby_sites, javascript_sites, go_sites):
        assert isinstance(scan(text + "\n.delay(\nperform_later Queue chan go "), tuple)


def test_calls_named_in_docstrings_and_comments_are_not_sites() -> None:
    src = (
        '"""Tasks.\n\nCall `consume.delay(1)` or `@app.task` to queue.\n"""\n'
        "x = 1  # then q.enqueue(f) later\n"
        "def f():\n"
        '    """`send_task("a.b")` is how."""\n'
        "    real.delay(2)\n"
    )
    assert ends(python_sites(src)) == {("produce", "celery", "real", 8)}


def test_kafka_and_redis_pubsub_calls_need_their_library_in_the_file() -> None:
    # An event bus of the app's own (`{ topic }` objects) and an RxJS-like subject with a
    # string key: the call shapes of kafkajs and Redis pub/sub, but no broker.
    shapes = (
        "await bus.send({ topic: 'events', messages })\n"
        "await bus.subscribe({ topics: ['events'] })\n"
        "hub.publish('refresh', data)\n"
        "hub.subscribe('refresh')\n"
    )
    # (A `.publish('x'` is only an unconfirmed producer: it counts when a consumer, such as
    # a GraphQL subscription's `asyncIterator('x')`, answers the name.)
    alone = javascript_sites(shapes)
    assert {(s.mechanism, s.role) for s in alone} == {(UNCONFIRMED, "produce")}
    file = FileFacts(language="javascript", handoffs=alone)
    assert pair_handoffs({"hub.js": file}, lambda _: False) == ()
    kafka = "const { Kafka } = require('kafkajs')\n" + shapes
    assert {(s.mechanism, s.role) for s in javascript_sites(kafka)} == {
        ("kafka", "produce"),
        ("kafka", "consume"),
        (UNCONFIRMED, "produce"),  # the hub's `.publish('refresh'`, as above
    }
    redis = 'import Redis from "ioredis";\n' + shapes
    assert {(s.mechanism, s.role, s.name) for s in javascript_sites(redis)} == {
        ("redis-pubsub", "produce", "refresh"),
        ("redis-pubsub", "consume", "refresh"),
    }


def test_a_registry_job_made_by_name_pairs_with_its_decorated_function() -> None:
    # This project's own registry: `@job("refresh")` over the function, `Job(...)` made
    # with the name first, as `name=`, or as a constant, on the line or the next ones.
    from bot.core.analysis.movement import pair_handoffs
    from bot.core.model import FileFacts

    worker = (
        'INSTALL = "install"\n'
        '@job("refresh")\n'
        "def run_refresh(ctx, job): ...\n"
        "@job(INSTALL)\n"
        "def install(ctx, job): ...\n"
    )
    web = (
        "def f():\n"
        '    return Job(name="refresh", args={})\n'
        "def g():\n"
        "    yield Job(\n"
        "        INSTALL,\n"
        "        {},\n"
        "    )\n"
        '    Job(name=str(data["name"]))\n'
        '    other = Job("nobody-runs-this")\n'
    )
    assert ends(python_sites(web)) == {
        ("produce", "job-registry", "refresh", 2),
        ("produce", "job-registry", "INSTALL", 5),
        ("produce", "job-registry", "nobody-runs-this", 9),
    }
    facts = {
        "worker.py": FileFacts("python", handoffs=python_sites(worker)),
        "web.py": FileFacts("python", handoffs=python_sites(web)),
    }
    paired = {
        (h.name, h.mechanism, len(h.producers)) for h in pair_handoffs(facts, lambda p: False)
    }
    # A `Job("…")` nothing answers to is dropped (a Django model named Job is made alike).
    assert paired == {("run_refresh", "job", 1), ("install", "job", 1)}


def test_a_consume_method_of_another_library_is_no_amqp_consumer() -> None:
    # micromark's tokenizer state: `effects.consume(code)` in a Markdown plugin.
    parser = "export const tokenize = (effects) => (code) => effects.consume(code);\n"
    assert javascript_sites(parser) == ()
    broker = 'import amqp from "amqplib";\nchannel.consume("emails", handle);\n'
    assert [(s.role, s.mechanism, s.name) for s in javascript_sites(broker)] == [
        ("consume", "amqp", "emails")
    ]


def test_docstring_lines_of_one_line_of_many_strings_cost_its_length() -> None:
    from bot.core.analysis.handoffs_python_gate import docstring_lines

    text = 'x = 1\n"""a\nb"""\ny = """c""" + """d\ne"""\n'
    assert docstring_lines(text) == {2, 3, 5}
    start = time.process_time()
    assert docstring_lines("x = " + '"""a""" + ' * 100_000 + '"""\nz"""\n') == {2}
    assert time.process_time() - start < 2  # searched back to the line start: quadratic


def test_a_nest_worker_host_consumes_in_process_and_an_add_may_follow_its_queue() -> None:
    from bot.core.analysis.handoffs import javascript_sites

    service = (
        "@Injectable()\n"
        "export class PageService {\n"
        "  constructor(@InjectQueue(QueueName.GENERAL_QUEUE) private generalQueue: Queue) {}\n"
        "  async watch(page: Page) {\n"
        "    await this.generalQueue\n"
        "      .add(QueueJob.ADD_PAGE_WATCHERS, { pageId: page.id });\n"
        "  }\n"
        "}\n"
    )
    assert [(s.role, s.name, s.line) for s in javascript_sites(service)] == [
        ("produce", "QueueName.GENERAL_QUEUE", 5)
    ]
    processor = (
        "@Processor(QueueName.GENERAL_QUEUE)\n"
        "export class GeneralProcessor extends WorkerHost {\n"
        "  constructor(private readonly repo: Repo) {\n"
        "    super();\n"
        "  }\n\n"
        "  async process(job: Job): Promise<void> {\n"
        "    switch (job.name) {}\n"
        "  }\n"
        "}\n"
    )
    assert [(s.role, s.name, s.line) for s in javascript_sites(processor)] == [
        ("consume", "QueueName.GENERAL_QUEUE", 1),
        ("consume", "QueueName.GENERAL_QUEUE", 7),
    ]


def test_a_fastapi_background_task_pairs_with_its_function_in_the_file() -> None:
    from bot.core.analysis.handoffs import python_sites

    text = (
        "from fastapi import BackgroundTasks\n\n"
        "class EventBus:\n"
        "    def __init__(self, bg: BackgroundTasks):\n"
        "        self.bg = bg\n\n"
        "    def _publish(self, event):\n"
        "        send(event)\n\n"
        "    def dispatch(self, event):\n"
        "        self.bg.add_task(self._publish, event=event)\n"
        "        self.bg.add_task(scraper.scrape, event)\n"
    )
    assert sorted((s.role, s.mechanism, s.name, s.line) for s in python_sites(text)) == [
        ("consume", "background-task", "_publish", 7),
        ("produce", "background-task", "_publish", 11),
        ("produce", "background-task", "scrape", 12),
    ]


def test_a_queue_named_by_an_enum_member_is_named_by_its_value() -> None:
    import time

    from bot.core.analysis.extractors import extractor_for
    from bot.core.analysis.movement import pair_handoffs

    def facts(path: str, text: str):  # type: ignore[no-untyped-def]
        from bot.core.analysis.movement import with_movement

        f = extractor_for(path).extract(path, text.encode())  # type: ignore[union-attr]
        return with_movement(f, text.encode())

    files = {
        "src/queue.constants.ts": facts(
            "src/queue.constants.ts",
            "export enum QueueName {\n  EMAIL_QUEUE = '{email-queue}',\n  LOG = 'log',\n}\n",
        ),
        "src/mail.service.ts": facts(
            "src/mail.service.ts",
            "export class MailService {\n"
            "  constructor(@InjectQueue(QueueName.EMAIL_QUEUE) private emailQueue: Queue) {}\n"
            "  send(m: Msg) {\n    return this.emailQueue.add('send-email', m);\n  }\n}\n",
        ),
        "src/email.processor.ts": facts(
            "src/email.processor.ts",
            "@Processor(QueueName.EMAIL_QUEUE)\nexport class EmailProcessor extends WorkerHost {\n"
            "  async process(job: Job) {}\n}\n",
        ),
    }
    (handoff,) = pair_handoffs(files, lambda _: False)
    assert handoff.name == "email-queue"
    assert [(e.path, e.line) for e in handoff.producers] == [("src/mail.service.ts", 4)]
    started = time.process_time()
    extractor_for("a.ts").extract("a.ts", b"enum a {\n" * 50_000)  # type: ignore[union-attr]
    crowded = b"enum a {\n  X = 'y',\n" * 20_000 + b"}\n"
    extractor_for("a.ts").extract("a.ts", crowded)  # type: ignore[union-attr]
    assert time.process_time() - started < 2.0
