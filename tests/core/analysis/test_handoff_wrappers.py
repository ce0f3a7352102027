"""A repository's own job layer in JavaScript/TypeScript and Ruby (issue 18): base classes
whose method enqueues the job their subclass names, enqueue functions, Ruby job helpers.
Small apps written for these tests, analysed for real."""

from __future__ import annotations

import time

from bot.core.analysis.handoff_wrappers_js import wrapper_sites as js_sites
from bot.core.analysis.handoff_wrappers_ruby import wrapper_sites as rb_sites
from tests.core.analysis.analysed import by_name, ends, facts_of

PKG = b'{"name": "notes", "dependencies": {"bull": "^4.0.0"}}\n'

# --- JS/TS: a base class names the job by its subclass ------------------------------------

TASKS = {
    "package.json": PKG,
    "src/jobs/index.ts": (
        b'import Queue from "bull";\n'
        b'export const taskQueue = new Queue("tasks", process.env.REDIS_URL);\n'
    ),
    "src/jobs/tasks/BaseJob.ts": (
        b'import { taskQueue } from "../index";\n'
        b"\n"
        b"export default abstract class BaseJob<T> {\n"
        b"  public async schedule(props: T, options = {}) {\n"
        b"    return taskQueue.add(\n"
        b"      { name: this.constructor.name, props },\n"
        b"      options\n"
        b"    );\n"
        b"  }\n"
        b"\n"
        b"  public abstract perform(props: T): Promise<unknown>;\n"
        b"}\n"
    ),
    "src/jobs/tasks/ArchiveJob.ts": (
        b'import BaseJob from "./BaseJob";\n'
        b"\n"
        b"export default class ArchiveJob extends BaseJob<{ id: string }> {\n"
        b"  public async perform({ id }: { id: string }) {\n"
        b"    return id;\n"
        b"  }\n"
        b"}\n"
    ),
    "src/jobs/tasks/PurgeJob.ts": (
        b'import BaseJob from "./BaseJob";\n'
        b"\n"
        b"export default class PurgeJob extends BaseJob<void> {\n"
        b"  static name = 'cleanup';\n"
        b"  async perform() {}\n"
        b"}\n"
    ),
    "src/jobs/tasks/index.ts": (
        b'import ArchiveJob from "./ArchiveJob";\n'
        b'import PurgeJob from "./PurgeJob";\n'
        b"export default { ArchiveJob, PurgeJob };\n"
    ),
    "src/jobs/worker.ts": (
        b'import { taskQueue } from "./index";\n'
        b'import tasks from "./tasks";\n'
        b"taskQueue.process(async (job) => {\n"
        b"  const Task = tasks[job.data.name];\n"
        b"  return new Task().perform(job.data.props);\n"
        b"});\n"
    ),
    "src/routes/exports.ts": (
        b'import ArchiveJob from "../jobs/tasks/ArchiveJob";\n'
        b'import PurgeJob from "../jobs/tasks/PurgeJob";\n'
        b"\n"
        b"export async function create(ctx) {\n"
        b"  await new ArchiveJob().schedule({ id: ctx.params.id });\n"
        b"}\n"
        b"export async function purge() {\n"
        b"  await new PurgeJob().schedule();\n"
        b"}\n"
    ),
}


def test_a_base_class_that_enqueues_its_subclass_name_makes_each_subclass_a_job() -> None:
    sites = js_sites(TASKS["src/jobs/tasks/BaseJob.ts"].decode())
    assert [(s.role, s.name, s.line, s.aliases) for s in sites] == [
        ("js-base", "BaseJob", 5, ("schedule", "name", "instance"))
    ]
    got = by_name(facts_of(TASKS))
    assert ends(got["ArchiveJob"]) == (
        {"src/routes/exports.ts:5"},
        {"src/jobs/tasks/ArchiveJob.ts:4"},
    )
    # a static `name` overrides the class's own
    assert ends(got["cleanup"]) == (
        {"src/routes/exports.ts:8"},
        {"src/jobs/tasks/PurgeJob.ts:5"},
    )
    assert "BaseJob" not in got


def test_static_methods_static_fields_and_super_names() -> None:
    files = {
        "package.json": PKG,
        "src/jobs/base.js": (
            b"const { jobQueue } = require('./queue');\n"
            b"class Job {\n"
            b"  constructor(jobName) {\n"
            b"    this.jobName = jobName;\n"
            b"  }\n"
            b"  enqueue(data) {\n"
            b"    return jobQueue.add(this.jobName, data);\n"
            b"  }\n"
            b"  static later(data) {\n"
            b"    return jobQueue.add({ kind: this.kind, data });\n"
            b"  }\n"
            b"}\n"
            b"module.exports = { Job };\n"
        ),
        "src/jobs/mail.js": (
            b"const { Job } = require('./base');\n"
            b"class MailJob extends Job {\n"
            b"  static kind = 'mail';\n"
            b"  constructor() {\n"
            b"    super('send-mail');\n"
            b"  }\n"
            b"  async process(data) {\n"
            b"    return data;\n"
            b"  }\n"
            b"}\n"
            b"module.exports = { MailJob };\n"
        ),
        "src/api.js": (
            b"const { MailJob } = require('./jobs/mail');\n"
            b"function signup(user) {\n"
            b"  new MailJob().enqueue({ to: user.email });\n"
            b"  MailJob.later({ to: user.email });\n"
            b"}\n"
        ),
    }
    got = by_name(facts_of(files))
    assert ends(got["send-mail"]) == ({"src/api.js:3"}, {"src/jobs/mail.js:7"})
    assert ends(got["mail"]) == ({"src/api.js:4"}, {"src/jobs/mail.js:7"})


def test_an_abstract_subclass_is_followed_one_level_further() -> None:
    files = dict(TASKS)
    files["src/jobs/processors/BaseProcessor.ts"] = (
        b'import BaseJob from "../tasks/BaseJob";\n'
        b"export default abstract class BaseProcessor extends BaseJob<unknown> {\n"
        b"  static applicableEvents: string[] = [];\n"
        b"}\n"
    )
    files["src/jobs/processors/IndexProcessor.ts"] = (
        b'import BaseProcessor from "./BaseProcessor";\n'
        b"export default class IndexProcessor extends BaseProcessor {\n"
        b"  async perform(event) {\n"
        b"    return event;\n"
        b"  }\n"
        b"}\n"
    )
    files["src/routes/search.ts"] = (
        b'import IndexProcessor from "../jobs/processors/IndexProcessor";\n'
        b"export const reindex = () => IndexProcessor.schedule({});\n"
    )
    got = by_name(facts_of(files))
    assert ends(got["IndexProcessor"]) == (
        {"src/routes/search.ts:2"},
        {"src/jobs/processors/IndexProcessor.ts:3"},
    )
    assert "BaseProcessor" not in got


def test_a_schedule_method_on_no_queue_and_a_task_class_that_never_reaches_one() -> None:
    files = {
        "package.json": PKG,
        "src/calendar.ts": (
            b"export abstract class BaseJob {\n"
            b"  items = new Set<string>();\n"
            b"  schedule(at: Date) {\n"
            b"    this.items.add(this.constructor.name);\n"
            b"  }\n"
            b"}\n"
        ),
        "src/ReminderTask.ts": (
            b'import { BaseJob } from "./calendar";\n'
            b"export class ReminderTask extends BaseJob {\n"
            b"  perform() {}\n"
            b"}\n"
        ),
        "src/TodoTask.ts": b"export class TodoTask {\n  perform() {}\n}\n",
        "src/app.ts": (
            b'import { ReminderTask } from "./ReminderTask";\n'
            b'import { TodoTask } from "./TodoTask";\n'
            b"new ReminderTask().schedule(new Date());\n"
            b"new TodoTask().perform();\n"
        ),
    }
    assert js_sites(files["src/calendar.ts"].decode()) == ()
    assert facts_of(files).handoffs == ()


# --- JS: an enqueue function takes the job's name ----------------------------------------


def test_an_enqueue_function_makes_each_literal_call_a_producer_of_that_job() -> None:
    files = {
        "package.json": PKG,
        "lib/jobs.js": (
            b"import Queue from 'bull';\n"
            b"const queue = new Queue('work');\n"
            b"export function enqueue(name, data) {\n"
            b"  return queue.add(name, data);\n"
            b"}\n"
            b"queue.process('resize-image', async (job) => job.data);\n"
        ),
        "lib/uploads.js": (
            b"import { enqueue } from './jobs';\n"
            b"export const upload = async (file) => {\n"
            b"  await enqueue('resize-image', { file });\n"
            b"  await enqueue(\n    'send-receipt', { file });\n"
            b"  await enqueue(kind, { file });\n"
            b"};\n"
        ),
    }
    sites = js_sites(files["lib/jobs.js"].decode())
    assert [(s.role, s.name, s.aliases) for s in sites] == [
        ("js-wrapper", "enqueue", ("name", "0", "func"))
    ]
    got = by_name(facts_of(files))
    assert ends(got["resize-image"]) == ({"lib/uploads.js:3"}, {"lib/jobs.js:6"})
    assert ends(got["send-receipt"]) == ({"lib/uploads.js:4"}, set())  # no consumer found


# --- Ruby: helpers that enqueue the class they are given -----------------------------------

RB = {
    "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
    "app/jobs/export_job.rb": (
        b"class ExportJob < ApplicationJob\n  def perform(id)\n    id\n  end\nend\n"
    ),
    "app/jobs/sync_worker.rb": (
        b"class SyncWorker\n  include Sidekiq::Job\n  def perform(id)\n  end\nend\n"
    ),
    "app/mailers/user_mailer.rb": (
        b"class UserMailer < ApplicationMailer\n  def welcome\n  end\nend\n"
    ),
    "app/lib/jobs.rb": (
        b"module Jobs\n"
        b"  def self.later(job, *args)\n"
        b"    job.set(wait: 5.seconds).perform_later(*args)\n"
        b"  end\n"
        b"\n"
        b"  def self.enqueue(name, *args)\n"
        b"    name.to_s.camelize.constantize.perform_async(*args)\n"
        b"  end\n"
        b"\n"
        b"  def self.mail(mailer, action, **params)\n"
        b"    mailer.with(params).public_send(action).deliver_later\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/exports_controller.rb": (
        b"class ExportsController < ApplicationController\n"
        b"  def create\n"
        b"    Jobs.later(ExportJob, params[:id])\n"
        b"    Jobs.enqueue :sync_worker, params[:id]\n"
        b"    Jobs.mail(UserMailer, :welcome, user: current_user)\n"
        b"  end\n"
        b"end\n"
    ),
}


def test_a_ruby_helper_that_enqueues_the_class_it_is_given() -> None:
    sites = rb_sites(RB["app/lib/jobs.rb"].decode())
    assert [(s.mechanism, s.name, s.line, s.aliases) for s in sites] == [
        ("actionmailer", "mail", 11, ("mailer", "0")),
        ("activejob", "later", 3, ("job", "0")),
        ("sidekiq", "enqueue", 7, ("name", "0")),
    ]
    got = by_name(facts_of(RB))
    ctl = "app/controllers/exports_controller.rb"
    assert ends(got["ExportJob"]) == ({f"{ctl}:3"}, {"app/jobs/export_job.rb:2"})
    assert ends(got["SyncWorker"]) == ({f"{ctl}:4"}, {"app/jobs/sync_worker.rb:3"})
    assert ends(got["UserMailer"])[0] == {f"{ctl}:5"}


def test_a_ruby_method_that_enqueues_a_fixed_class_is_no_helper() -> None:
    # No helper of a job it is given: a thin wrapper of that one class (its callers
    # through `Account.export(…)` produce ExportJob, `handoff_wrappers_ruby.FIXED`).
    src = "class Account\n  def export(id)\n    ExportJob.perform_later(id)\n  end\nend\n"
    assert [s.aliases for s in rb_sites(src)] == [("", "fixed", "ExportJob", "Account")]


# --- bounds --------------------------------------------------------------------------------


def test_hostile_lines_are_scanned_in_linear_time() -> None:
    long_js = "x" + " queue.add(" * 20_000 + "\n" + "class A extends B {" * 5_000
    long_rb = "def a(" + "b, " * 20_000 + ")\n" + "b.perform_later " * 20_000
    start = time.perf_counter()
    js_sites(long_js)
    js_sites("{" * 100_000 + "\n" + "queue.add(this.constructor.name)\n" * 2_000)
    rb_sites(long_rb)
    assert time.perf_counter() - start < 2.0


def test_subclasses_per_base_are_capped() -> None:
    files = dict(TASKS)
    many = b"".join(
        b"class T%d extends BaseJob<void> {\n  perform() {}\n}\n" % k for k in range(300)
    )
    files["src/jobs/tasks/Many.ts"] = b'import BaseJob from "./BaseJob";\n' + many
    facts = facts_of(files)
    assert sum(1 for h in facts.handoffs if h.name.startswith("T")) <= 200


def test_a_queue_made_on_demand_and_a_call_chained_on_the_next_line() -> None:
    files = dict(TASKS)
    files["src/jobs/tasks/BaseJob.ts"] = TASKS["src/jobs/tasks/BaseJob.ts"].replace(
        b"taskQueue.add(", b"taskQueue().add("
    )
    files["src/routes/exports.ts"] = (
        b'import ArchiveJob from "../jobs/tasks/ArchiveJob";\n'
        b"export async function create(ctx) {\n"
        b"  await new ArchiveJob()\n"
        b"    .schedule({ id: ctx.params.id });\n"
        b"}\n"
    )
    got = by_name(facts_of(files))
    assert ends(got["ArchiveJob"]) == (
        {"src/routes/exports.ts:4"},  # the line that makes the call (`.schedule(`)
        {"src/jobs/tasks/ArchiveJob.ts:4"},
    )


def test_abstract_middle_classes_literal_job_keys_and_fields_that_are_not_the_name() -> None:
    files = dict(TASKS)
    files["src/jobs/tasks/ArchiveJob.ts"] = (
        b'import BaseJob from "./BaseJob";\n'
        b"export default abstract class ArchiveJob extends BaseJob<unknown> {\n"
        b"  public async perform(props) {\n"
        b"    return this.export(props);\n"
        b"  }\n"
        b"  protected abstract export(props): Promise<string>;\n"
        b"}\n"
    )
    files["src/jobs/tasks/ArchiveZipJob.ts"] = (
        b'import ArchiveJob from "./ArchiveJob";\n'
        b"export default class ArchiveZipJob extends ArchiveJob {\n"
        b"  protected async export(props) {\n    return 'zip';\n  }\n"
        b"}\n"
    )
    files["src/emails/MessageBase.ts"] = (
        b'import { taskQueue } from "../jobs";\n'
        b"export default abstract class MessageBase {\n"
        b"  constructor(props, metadata) {\n"
        b"    this.props = props;\n"
        b"    this.metadata = metadata;\n"
        b"  }\n"
        b"  public schedule() {\n"
        b"    return taskQueue.add({\n"
        b'      name: "DeliverMessageJob",\n'
        b"      props: { ...this.metadata, props: this.props },\n"
        b"    });\n"
        b"  }\n"
        b"}\n"
    )
    files["src/jobs/tasks/DeliverMessageJob.ts"] = (
        b'import BaseJob from "./BaseJob";\n'
        b"export default class DeliverMessageJob extends BaseJob<unknown> {\n"
        b"  public async perform(props) {}\n"
        b"}\n"
    )
    files["src/routes/exports.ts"] = (
        b'import ArchiveZipJob from "../jobs/tasks/ArchiveZipJob";\n'
        b"export const zip = () => new ArchiveZipJob().schedule({});\n"
    )
    got = by_name(facts_of(files))
    assert ends(got["ArchiveZipJob"]) == (
        {"src/routes/exports.ts:2"},
        {"src/jobs/tasks/ArchiveJob.ts:3"},
    )
    assert "ArchiveJob" not in got
    assert ends(got["DeliverMessageJob"]) == (
        {"src/emails/MessageBase.ts:9"},  # the line that names the job
        {"src/jobs/tasks/DeliverMessageJob.ts:3"},
    )
    assert "MessageBase" not in got
    assert "1" not in got


def test_a_class_or_method_head_that_spans_lines() -> None:
    src = (
        "import { taskQueue } from './jobs';\n"
        "export default abstract class MessageBase<\n"
        "  T extends object,\n"
        "  S = void,\n"
        "> {\n"
        "  public schedule(\n"
        "    options?: object\n"
        "  ) {\n"
        "    return taskQueue().add(\n"
        "      {\n"
        '        name: "DeliverMessageJob",\n'
        "      },\n"
        "      options\n"
        "    );\n"
        "  }\n"
        "}\n"
    )
    sites = js_sites(src)
    # cited where the job is named, so the hop's line names what it enqueues
    assert [(s.role, s.name, s.line) for s in sites] == [("produce", "DeliverMessageJob", 11)]


# --- JS: an event bus that persists, then enqueues -----------------------------------------

EVENTS = {
    "package.json": PKG,
    "src/jobs/index.ts": (
        b'import Queue from "bull";\nexport const globalEventQueue = () => new Queue("events");\n'
    ),
    "src/models/Event.ts": (
        b'import { globalEventQueue } from "../jobs";\n'
        b"export default class Event extends Model {\n"
        b"  @AfterSave\n"
        b"  static async enqueue(model: Event) {\n"
        b"    globalEventQueue().add(model);\n"
        b"  }\n"
        b"}\n"
    ),
    "src/jobs/processors/IndexProcessor.ts": (
        b'import BaseProcessor from "./BaseProcessor";\n'
        b"export default class IndexProcessor extends BaseProcessor {\n"
        b"  static applicableEvents = [\n"
        b'    "documents.update",\n'
        b'    "users.signin",\n'
        b"  ];\n"
        b"\n"
        b"  async perform(event) {\n"
        b"    return event;\n"
        b"  }\n"
        b"}\n"
    ),
    "src/routes/documents.ts": (
        b'import Event from "../models/Event";\n'
        b"export async function update(ctx) {\n"
        b'  await Event.create({ name: "documents.update", documentId: ctx.id });\n'
        b'  await Event.findAll({ where: { name: "users.signin" } });\n'
        b"}\n"
    ),
}


def test_an_event_made_where_its_model_enqueues_itself_pairs_with_its_processors() -> None:
    got = by_name(facts_of(EVENTS))
    assert ends(got["documents.update"]) == (
        {"src/routes/documents.ts:3"},
        {"src/jobs/processors/IndexProcessor.ts:8"},
    )
    # handled, but made nowhere in this code (a query names it): not a hand-off
    assert "users.signin" not in got
    assert "Event" not in got


def test_an_event_list_without_a_model_that_enqueues_is_no_hand_off() -> None:
    files = dict(EVENTS)
    files["src/models/Event.ts"] = (
        b"export default class Event extends Model {\n"
        b"  static async enqueue(model: Event) {\n"
        b"    this.pending.add(model);\n"
        b"  }\n"
        b"}\n"
    )
    assert facts_of(files).handoffs == ()


def test_a_subclass_that_nothing_here_enqueues_is_no_hand_off() -> None:
    files = dict(TASKS)
    files["src/routes/exports.ts"] = b"export const nothing = 1;\n"
    assert facts_of(files).handoffs == ()
    assert by_name(facts_of(TASKS))["ArchiveJob"].mechanism == "bull"


def test_a_collection_named_queue_is_no_broker() -> None:
    src = (
        "const queue = new Set<string>();\n"
        "export function visit(name: string) {\n"
        "  queue.add(name);\n"
        "}\n"
        "let pending: string[] = [];\n"
    )
    assert js_sites(src) == ()


# --- Ruby: a job looked up in a constant table by the key a helper is given ---------------

RB_TABLE = {
    "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\ngem 'sidekiq'\n",
    "app/jobs/order_paid_job.rb": (
        b"class OrderPaidJob\n  include Sidekiq::Job\n\n  def perform(params)\n  end\nend\n"
    ),
    "app/jobs/order_lost_job.rb": (
        b"class OrderLostJob\n  include Sidekiq::Job\n\n  def perform(params)\n  end\nend\n"
    ),
    "app/jobs/parcel_job.rb": (
        b"class ParcelJob\n  include Sidekiq::Job\n\n  def perform(params)\n  end\nend\n"
    ),
    "lib/order_events.rb": (
        b"module OrderEvents\n"
        b"  JOBS = {\n"
        b"    'order.paid' => OrderPaidJob,\n"
        b"    'order.lost' => OrderLostJob\n"
        b"  }.freeze\n"
        b"\n"
        b"  module_function\n"
        b"\n"
        b"  def fan_out(orders, event)\n"
        b"    args = orders.map { |o| [{ 'id' => o.id }] }\n"
        b"    Sidekiq::Client.push_bulk('class' => JOBS[event], 'args' => args)\n"
        b"  end\n"
        b"\n"
        b"  def push_one(job, id)\n"
        b"    Sidekiq::Client.push('class' => job, 'args' => [id])\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/orders_controller.rb": (
        b"class OrdersController < ApplicationController\n"
        b"  def update\n"
        b"    OrderEvents.fan_out(@order, 'order.paid')\n"
        b"    OrderEvents.fan_out(@order, 'order.refunded')\n"
        b"    OrderEvents.fan_out(@order, event_name)\n"
        b"    OrderEvents.push_one(ParcelJob, @order.id)\n"
        b"  end\n"
        b"\n"
        b"  def destroy\n"
        b"    OrderEvents.fan_out(@order, 'order.lost')\n"
        b"  end\n"
        b"end\n"
    ),
}


def test_a_job_looked_up_in_a_table_by_the_key_a_helper_is_given() -> None:
    sites = rb_sites(RB_TABLE["lib/order_events.rb"].decode())
    assert [(s.name, s.line, s.aliases[:3]) for s in sites] == [
        ("fan_out", 11, ("event", "1", "keyed")),
        ("push_one", 15, ("job", "0")),
    ]
    got = by_name(facts_of(RB_TABLE))
    ctl = "app/controllers/orders_controller.rb"
    assert ends(got["OrderPaidJob"]) == ({f"{ctl}:3"}, {"app/jobs/order_paid_job.rb:4"})
    assert ends(got["OrderLostJob"]) == ({f"{ctl}:10"}, {"app/jobs/order_lost_job.rb:4"})
    assert ends(got["ParcelJob"]) == ({f"{ctl}:6"}, {"app/jobs/parcel_job.rb:4"})
    # the table itself is no job class
    assert "JOBS" not in got


def test_a_table_of_other_values_or_a_key_not_given_is_no_helper() -> None:
    # Look-alikes: a table of strings (not job classes), a key that is no parameter, a
    # lookup that is neither pushed nor performed.
    src = (
        "module Labels\n"
        "  NAMES = {\n"
        "    'order.paid' => 'Paid',\n"
        "  }.freeze\n"
        "  JOBS = {\n"
        "    'order.paid' => OrderPaidJob,\n"
        "  }.freeze\n"
        "\n"
        "  def self.label(event)\n"
        "    Sidekiq::Client.push('class' => NAMES[event], 'args' => [])\n"
        "  end\n"
        "\n"
        "  def self.fixed(event)\n"
        "    JOBS[current].perform_async(event)\n"
        "  end\n"
        "\n"
        "  def self.lookup(event)\n"
        "    JOBS[event].name\n"
        "  end\n"
        "end\n"
    )
    assert rb_sites(src) == ()


def test_hostile_job_tables_stay_bounded() -> None:
    unclosed = "module M\n  JOBS = {\n" + "    'k' => AJob,\n" * 50_000
    unclosed += "  def self.go(e)\n    JOBS[e].perform_async\n  end\n"
    long_line = "def go(e)\n  " + "JOBS[e]" * 50_000 + ".perform_async\nend\n"
    start = time.perf_counter()
    rb_sites(unclosed)  # no `}` within the bound: no table
    rb_sites(long_line)
    rb_sites("def go(e)\n  Sidekiq::Client.push('class' => " + "[" * 100_000 + "\n")
    assert time.perf_counter() - start < 2.0
    assert rb_sites(unclosed) == ()


def test_many_lookups_of_one_table_read_it_once() -> None:
    table = "module M\n  JOBS = {\n" + "    'k' => AJob,\n" * 90 + "  }\n"
    body = "  def self.go(e)\n" + "    JOBS[e].perform_async\n" * 10_000 + "  end\nend\n"
    start = time.perf_counter()
    sites = rb_sites(table + ("\n" * 50_000) + body)
    assert time.perf_counter() - start < 2.0
    assert [(s.name, s.aliases[2]) for s in sites] == [("go", "keyed")]  # one a method
