"""JavaScript/TypeScript hand-off and schedule idioms, one hand-written fixture each, in the
shapes the libraries' own documentation shows. What a fact should say:

* a hand-off is named by the queue (Bull, BullMQ, bee-queue, pg-boss), the job (Agenda,
  graphile-worker: the name both ends say), the topic (Kafka), the queue or exchange
  (RabbitMQ) or the channel (Redis pub/sub); the producer is cited at the enqueue, the consumer
  at the processor (the `process` method of a NestJS `WorkerHost`, the method under `@Process`);
* a schedule is cited at its declaration (a decorator, a `cron.schedule(`, a repeatable job)
  and says when, as written;
* in-process events are no hand-off (`EventEmitter.emit` / NestJS `@OnEvent`: ARCHITECTURE's
  hand-offs are queues, topics and channels between processes; docmost's truth agrees), a
  one-shot `@Timeout` or `setTimeout` is no schedule, and `setInterval` in browser code is not
  the product's scheduled work.
"""

from __future__ import annotations

from tests.core.analysis.idioms import ends, handoffs, line_of, paired, scheduled, schedules

# --- Bull -------------------------------------------------------------------------------


def test_bull_queue_add_and_process() -> None:
    files = {
        "src/queues.js": (
            "const Queue = require('bull');\n"
            "const emailQueue = new Queue('email', process.env.REDIS_URL);\n"
            "module.exports = { emailQueue };\n"
        ),
        "src/signup.js": (
            "const { emailQueue } = require('./queues');\n"
            "const Queue = require('bull');\n"
            "const emailQueue = new Queue('email');\n"
            "async function signup(user) {\n"
            "  await emailQueue.add({ to: user.email });\n"
            "  await emailQueue.add('welcome', { to: user.email });\n"
            "}\n"
        ),
        "src/worker.js": (
            "const Queue = require('bull');\n"
            "const emailQueue = new Queue('email');\n"
            "emailQueue.process(async (job) => sendMail(job.data));\n"
            "emailQueue.process('welcome', 5, async (job) => sendWelcome(job.data));\n"
        ),
    }
    paired(
        files, "email", ("src/signup.js", "emailQueue.add({"), ("src/worker.js", ".process(async")
    )
    paired(files, "email", ("src/signup.js", "'welcome'"), ("src/worker.js", "process('welcome'"))


def test_bull_queue_made_by_a_factory_function() -> None:
    files = {
        "lib/queue.js": (
            "const Bull = require('bull');\n"
            "function createQueue(name) {\n"
            "  return new Bull(name, { redis: config.redis });\n"
            "}\n"
            "module.exports = { createQueue };\n"
        ),
        "jobs/reports.js": (
            "const { createQueue } = require('../lib/queue');\n"
            "const reportQueue = createQueue('reports');\n"
            "reportQueue.process(buildReport);\n"
        ),
        "api/reports.js": (
            "const { createQueue } = require('../lib/queue');\n"
            "const reportQueue = createQueue('reports');\n"
            "router.post('/', async (req, res) => { await reportQueue.add(req.body); });\n"
        ),
    }
    paired(
        files, "reports", ("api/reports.js", "reportQueue.add"), ("jobs/reports.js", ".process(")
    )


def test_bull_repeatable_job_is_a_schedule() -> None:
    files = {
        "src/schedule.js": (
            "const Queue = require('bull');\n"
            "const cleanup = new Queue('cleanup');\n"
            "cleanup.add({}, { repeat: { cron: '0 3 * * *' } });\n"
            "cleanup.add(\n"
            "  'digest',\n"
            "  {},\n"
            "  { repeat: { every: 3600000 } },\n"
            ");\n"
            "cleanup.process(runCleanup);\n"
        )
    }
    s = scheduled(files, "src/schedule.js", "cron: '0 3")
    assert s.schedule == "0 3 * * *"
    assert s.target == "cleanup"
    (s2,) = [s for s in schedules(files) if s.schedule == "every 3600000"]
    assert s2.evidence[0].line == line_of(files["src/schedule.js"], "'digest'") - 1  # the call


# --- BullMQ -----------------------------------------------------------------------------


def test_bullmq_worker_queue_add_and_add_bulk() -> None:
    files = {
        "src/producer.ts": (
            "import { Queue } from 'bullmq';\n"
            "const paint = new Queue('paint', { connection });\n"
            "await paint.add('cars', { color: 'blue' });\n"
            "await paint.addBulk([{ name: 'a', data: {} }]);\n"
            "await new Queue('resize', { connection }).add('thumb', { id });\n"
        ),
        "src/worker.ts": (
            "import { Worker } from 'bullmq';\n"
            "const worker = new Worker(\n"
            "  'paint',\n"
            "  async (job) => paintCar(job.data),\n"
            "  { connection },\n"
            ");\n"
            "new Worker('resize', async (job) => resize(job.data), { connection });\n"
        ),
    }
    paired(files, "paint", ("src/producer.ts", "paint.add("), ("src/worker.ts", "new Worker("))
    paired(files, "paint", ("src/producer.ts", "addBulk"), ("src/worker.ts", "new Worker("))
    paired(
        files, "resize", ("src/producer.ts", "new Queue('resize'"), ("src/worker.ts", "'resize'")
    )


def test_bullmq_flow_producer_names_each_queue() -> None:
    files = {
        "src/flow.ts": (
            "import { FlowProducer } from 'bullmq';\n"
            "const flow = new FlowProducer({ connection });\n"
            "await flow.add({\n"
            "  name: 'renovate-interior',\n"
            "  queueName: 'renovate',\n"
            "  children: [\n"
            "    { name: 'paint', data: { place: 'ceiling' }, queueName: 'steps' },\n"
            "  ],\n"
            "});\n"
        ),
        "src/workers.ts": (
            "import { Worker } from 'bullmq';\n"
            "new Worker('renovate', async (job) => done(job));\n"
            "new Worker('steps', async (job) => step(job));\n"
        ),
    }
    paired(
        files,
        "renovate",
        ("src/flow.ts", "queueName: 'renovate'"),
        ("src/workers.ts", "'renovate'"),
    )
    paired(files, "steps", ("src/flow.ts", "queueName: 'steps'"), ("src/workers.ts", "'steps'"))


def test_bullmq_job_schedulers_and_repeat_are_schedules() -> None:
    files = {
        "src/schedulers.ts": (
            "import { Queue } from 'bullmq';\n"
            "const reports = new Queue('reports', { connection });\n"
            "await reports.upsertJobScheduler('hourly-report', { pattern: '0 * * * *' }, {\n"
            "  name: 'hourly', data: {},\n"
            "});\n"
            "await reports.upsertJobScheduler(\n"
            "  'heartbeat',\n"
            "  { every: 10000 },\n"
            ");\n"
            "await reports.add('daily', {}, { repeat: { pattern: '0 9 * * *' } });\n"
        )
    }
    s = scheduled(files, "src/schedulers.ts", "'hourly-report'")
    assert (s.name, s.schedule, s.target) == ("hourly-report", "0 * * * *", "reports")
    (s,) = [s for s in schedules(files) if s.name == "heartbeat"]
    assert s.schedule == "every 10000"
    assert s.evidence[0].line == line_of(files["src/schedulers.ts"], "'heartbeat'") - 1
    s = scheduled(files, "src/schedulers.ts", "'daily'")
    assert s.schedule == "0 9 * * *"


# --- NestJS -----------------------------------------------------------------------------

NEST_SERVICE = (
    "@Injectable()\n"
    "export class AudioService {\n"
    "  constructor(@InjectQueue('audio') private audioQueue: Queue) {}\n"
    "  async transcode(file: string) {\n"
    "    await this.audioQueue.add('transcode', { file });\n"
    "  }\n"
    "}\n"
)


def test_nest_bull_processor_with_process_methods() -> None:
    files = {
        "src/audio.service.ts": NEST_SERVICE,
        "src/audio.processor.ts": (
            "import { Process, Processor } from '@nestjs/bull';\n"
            "@Processor('audio')\n"
            "export class AudioConsumer {\n"
            "  private readonly logger = new Logger(AudioConsumer.name);\n"
            "\n"
            "\n"
            "\n"
            "\n"
            "\n"
            "\n"
            "  @Process('transcode')\n"
            "  async transcode(job: Job<unknown>) {\n"
            "    return {};\n"
            "  }\n"
            "}\n"
        ),
    }
    paired(
        files,
        "audio",
        ("src/audio.service.ts", "audioQueue.add"),
        ("src/audio.processor.ts", "async transcode"),
    )


def test_nest_bullmq_worker_host_consumes_in_process() -> None:
    files = {
        "src/audio.service.ts": NEST_SERVICE,
        "src/audio.processor.ts": (
            "import { Processor, WorkerHost } from '@nestjs/bullmq';\n"
            "@Processor('audio')\n"
            "export class AudioConsumer extends WorkerHost {\n"
            "  async process(job: Job<any, any, string>): Promise<any> {\n"
            "    return {};\n"
            "  }\n"
            "}\n"
        ),
    }
    paired(
        files,
        "audio",
        ("src/audio.service.ts", "audioQueue.add"),
        ("src/audio.processor.ts", "async process("),
    )


def test_nest_schedule_decorators_cron_and_interval_but_not_timeout() -> None:
    files = {
        "src/tasks.service.ts": (
            "import { Cron, CronExpression, Interval, Timeout } from '@nestjs/schedule';\n"
            "@Injectable()\n"
            "export class TasksService {\n"
            "  @Cron('45 * * * * *')\n"
            "  handleCron() {}\n"
            "  @Cron(CronExpression.EVERY_HOUR, { name: 'notifications' })\n"
            "  notify() {}\n"
            "  @Interval(10000)\n"
            "  handleInterval() {}\n"
            "  @Interval('sync', 5000)\n"
            "  sync() {}\n"
            "  @Timeout(5000)\n"
            "  onceAfterStart() {}\n"
            "}\n"
        )
    }
    assert scheduled(files, "src/tasks.service.ts", "'45 * * * * *'").name == "handleCron"
    assert scheduled(files, "src/tasks.service.ts", "EVERY_HOUR").name == "notify"
    assert scheduled(files, "src/tasks.service.ts", "Interval(10000)").name == "handleInterval"
    assert scheduled(files, "src/tasks.service.ts", "'sync', 5000").name == "sync"
    assert "onceAfterStart" not in {s.name for s in schedules(files)}


def test_nest_in_process_events_are_no_hand_off() -> None:
    files = {
        "src/orders.service.ts": (
            "import { EventEmitter2 } from '@nestjs/event-emitter';\n"
            "export class OrdersService {\n"
            "  constructor(private eventEmitter: EventEmitter2) {}\n"
            "  create() { this.eventEmitter.emit('order.created', new OrderCreatedEvent()); }\n"
            "}\n"
        ),
        "src/orders.listener.ts": (
            "import { OnEvent } from '@nestjs/event-emitter';\n"
            "export class OrderCreatedListener {\n"
            "  @OnEvent('order.created')\n"
            "  handle(event: OrderCreatedEvent) {}\n"
            "}\n"
        ),
    }
    assert handoffs(files) == ()


# --- Agenda, bee-queue, pg-boss, graphile-worker ----------------------------------------


def test_agenda_define_now_schedule_and_every() -> None:
    files = {
        "jobs/email.js": (
            "module.exports = (agenda) => {\n"
            "  agenda.define('send email report', async (job) => {\n"
            "    await emailClient.send(job.attrs.data);\n"
            "  });\n"
            "};\n"
        ),
        "app.js": (
            "const Agenda = require('agenda');\n"
            "const agenda = new Agenda({ db: { address: mongoUrl } });\n"
            "await agenda.now('send email report', { to: 'a@b.c' });\n"
            "await agenda.schedule('in 20 minutes', 'send email report', { to: 'a@b.c' });\n"
            "await agenda.every('3 minutes', 'delete old users');\n"
        ),
    }
    paired(
        files, "send email report", ("app.js", "agenda.now("), ("jobs/email.js", "agenda.define(")
    )
    paired(
        files,
        "send email report",
        ("app.js", "agenda.schedule("),
        ("jobs/email.js", "agenda.define("),
    )
    s = scheduled(files, "app.js", "agenda.every(")
    assert (s.schedule, s.target) == ("3 minutes", "delete old users")


def test_bee_queue_create_job_and_process() -> None:
    files = {
        "producer.js": (
            "const Queue = require('bee-queue');\n"
            "const addQueue = new Queue('addition');\n"
            "const job = addQueue.createJob({ x: 2, y: 3 });\n"
            "job.save();\n"
        ),
        "worker.js": (
            "const Queue = require('bee-queue');\n"
            "const addQueue = new Queue('addition');\n"
            "addQueue.process(async (job) => job.data.x + job.data.y);\n"
        ),
    }
    paired(files, "addition", ("producer.js", "createJob"), ("worker.js", ".process("))


def test_pg_boss_send_work_and_schedule() -> None:
    files = {
        "src/boss.ts": (
            "import PgBoss from 'pg-boss';\n"
            "export const boss = new PgBoss(process.env.DATABASE_URL);\n"
        ),
        "src/api.ts": (
            "import { boss } from './boss';\nawait boss.send('send-email', { to: user.email });\n"
        ),
        "src/worker.ts": (
            "import { boss } from './boss';\n"
            "await boss.work('send-email', async ([job]) => sendEmail(job.data));\n"
            "await boss.schedule('nightly-cleanup', '0 3 * * *', {}, { tz: 'UTC' });\n"
        ),
    }
    paired(files, "send-email", ("src/api.ts", "boss.send("), ("src/worker.ts", "boss.work("))
    s = scheduled(files, "src/worker.ts", "boss.schedule(")
    assert (s.name, s.schedule) == ("nightly-cleanup", "0 3 * * *")


def test_graphile_worker_add_job_and_task_list() -> None:
    files = {
        "src/worker.ts": (
            "import { run } from 'graphile-worker';\n"
            "const runner = await run({\n"
            "  connectionString,\n"
            "  taskList: {\n"
            "    send_email: async (payload, helpers) => {\n"
            "      await helpers.addJob('audit_log', { payload });\n"
            "    },\n"
            "    audit_log,\n"
            "  },\n"
            "});\n"
        ),
        "src/api.ts": (
            "import { makeWorkerUtils } from 'graphile-worker';\n"
            "const workerUtils = await makeWorkerUtils({ connectionString });\n"
            "await workerUtils.addJob('send_email', { to });\n"
        ),
    }
    paired(
        files, "send_email", ("src/api.ts", "addJob('send_email'"), ("src/worker.ts", "send_email:")
    )
    paired(
        files, "audit_log", ("src/worker.ts", "addJob('audit_log'"), ("src/worker.ts", "audit_log,")
    )


# --- cron libraries and polling loops ---------------------------------------------------


def test_node_cron_cron_package_and_node_schedule() -> None:
    files = {
        "src/cron.js": (
            "const cron = require('node-cron');\n"
            "cron.schedule('*/5 * * * *', () => refreshFeeds());\n"
            "const { CronJob } = require('cron');\n"
            "const job = new CronJob('0 0 * * *', purge, null, true);\n"
            "const job2 = CronJob.from({\n"
            "  cronTime: '0 */2 * * *',\n"
            "  onTick: sync,\n"
            "  start: true,\n"
            "});\n"
            "const schedule = require('node-schedule');\n"
            "schedule.scheduleJob('42 * * * *', report);\n"
            "schedule.scheduleJob('weekly', '0 0 * * 0', weekly);\n"
        )
    }
    assert scheduled(files, "src/cron.js", "cron.schedule(").schedule == "*/5 * * * *"
    assert scheduled(files, "src/cron.js", "new CronJob(").schedule == "0 0 * * *"
    assert scheduled(files, "src/cron.js", "cronTime:").schedule == "0 */2 * * *"
    assert scheduled(files, "src/cron.js", "'42 * * * *'").schedule == "42 * * * *"
    s = scheduled(files, "src/cron.js", "'weekly'")
    assert (s.name, s.schedule) == ("weekly", "0 0 * * 0")


def test_set_interval_in_a_worker_process_is_a_schedule_but_not_in_browser_code() -> None:
    worker = (
        "const { pollInbox } = require('./inbox');\n"
        "async function main() {\n"
        "  await db.connect();\n"
        "  setInterval(pollInbox, 60 * 1000);\n"
        "}\n"
        "main();\n"
    )
    browser = (
        "export function Clock() {\n"
        "  useEffect(() => {\n"
        "    const id = setInterval(() => setNow(Date.now()), 1000);\n"
        "    return () => clearInterval(id);\n"
        "  }, []);\n"
        "}\n"
    )
    files = {"worker/poll.js": worker, "frontend/src/clock.js": browser, "web/app.js": worker}
    s = scheduled(files, "worker/poll.js", "setInterval(")
    assert s.schedule == "60 * 1000"
    assert s.target == "pollInbox"
    cited = {e.path for s in schedules(files) for e in s.evidence}
    assert cited == {"worker/poll.js"}


def test_a_keep_alive_interval_inside_a_method_is_no_schedule() -> None:
    # A lock refreshed while a document is open (docmost's truth: not a schedule).
    files = {
        "src/redis-sync.ts": (
            "export class RedisSync {\n"
            "  onConnect(doc: string) {\n"
            "    this.timers.set(doc, setInterval(() => this.refreshLock(doc), 5000));\n"
            "  }\n"
            "}\n"
        )
    }
    assert schedules(files) == ()


# --- brokers ----------------------------------------------------------------------------


def test_kafkajs_send_and_subscribe_run() -> None:
    files = {
        "src/producer.ts": (
            "import { Kafka } from 'kafkajs';\n"
            "await producer.send({\n"
            "  topic: 'orders',\n"
            "  messages: [{ value: JSON.stringify(order) }],\n"
            "});\n"
        ),
        "src/consumer.ts": (
            "import { Kafka } from 'kafkajs';\n"
            "await consumer.subscribe({ topics: ['orders'], fromBeginning: true });\n"
            "await consumer.run({ eachMessage: async ({ message }) => handle(message) });\n"
        ),
    }
    paired(
        files, "orders", ("src/producer.ts", "producer.send("), ("src/consumer.ts", "subscribe(")
    )


def test_amqplib_send_to_queue_publish_and_consume() -> None:
    files = {
        "send.js": (
            "const amqp = require('amqplib');\n"
            "ch.sendToQueue('tasks', Buffer.from(msg), { persistent: true });\n"
            "ch.publish('logs', '', Buffer.from(msg));\n"
        ),
        "worker.js": (
            "const amqp = require('amqplib');\n"
            "await ch.assertQueue('tasks', { durable: true });\n"
            "ch.consume('tasks', (msg) => work(msg), { noAck: false });\n"
        ),
        "receive_logs.js": (
            "const amqp = require('amqplib');\n"
            "await ch.assertExchange('logs', 'fanout', { durable: false });\n"
            "const q = await ch.assertQueue('', { exclusive: true });\n"
            "await ch.bindQueue(q.queue, 'logs', '');\n"
            "ch.consume(q.queue, (msg) => print(msg), { noAck: true });\n"
        ),
    }
    paired(files, "tasks", ("send.js", "sendToQueue"), ("worker.js", "ch.consume("))
    paired(files, "logs", ("send.js", "ch.publish("), ("receive_logs.js", "ch.consume("))


def test_redis_pub_sub_with_ioredis_and_node_redis() -> None:
    files = {
        "pub.js": (
            "const Redis = require('ioredis');\n"
            "const pub = new Redis();\n"
            "pub.publish('notifications', JSON.stringify(n));\n"
        ),
        "sub.js": (
            "const Redis = require('ioredis');\n"
            "const sub = new Redis();\n"
            "sub.subscribe('notifications', (err, count) => {});\n"
            "sub.on('message', (channel, message) => deliver(message));\n"
        ),
        "sub4.js": (
            "import { createClient } from 'redis';\n"
            "await subscriber.subscribe('notifications', (message) => deliver(message));\n"
        ),
    }
    paired(files, "notifications", ("pub.js", "publish("), ("sub.js", "subscribe("))
    paired(files, "notifications", ("pub.js", "publish("), ("sub4.js", "subscribe("))


def test_aws_sqs_send_and_receive_commands() -> None:
    files = {
        "src/send.ts": (
            "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\n"
            "await sqs.send(new SendMessageCommand({\n"
            "  QueueUrl: process.env.ORDERS_QUEUE_URL,\n"
            "  MessageBody: JSON.stringify(order),\n"
            "}));\n"
        ),
        "src/poll.ts": (
            "import { SQSClient, ReceiveMessageCommand } from '@aws-sdk/client-sqs';\n"
            "const out = await sqs.send(new ReceiveMessageCommand({\n"
            "  QueueUrl: process.env.ORDERS_QUEUE_URL,\n"
            "  WaitTimeSeconds: 20,\n"
            "}));\n"
        ),
    }
    paired(
        files,
        "ORDERS_QUEUE_URL",
        ("src/send.ts", "new SendMessageCommand"),
        ("src/poll.ts", "new ReceiveMessageCommand"),
    )


def test_socket_io_server_emit_and_client_on() -> None:
    files = {
        "server/io.js": (
            "const { Server } = require('socket.io');\n"
            "const io = new Server(httpServer);\n"
            "io.on('connection', (socket) => {\n"
            "  socket.on('chat message', (msg) => {\n"
            "    io.emit('chat message', msg);\n"
            "  });\n"
            "});\n"
        ),
        "client/chat.js": (
            "import { io } from 'socket.io-client';\n"
            "const socket = io();\n"
            "socket.emit('chat message', input.value);\n"
            "socket.on('chat message', (msg) => append(msg));\n"
        ),
    }
    paired(files, "chat message", ("server/io.js", "io.emit("), ("client/chat.js", "socket.on("))
    paired(
        files, "chat message", ("client/chat.js", "socket.emit("), ("server/io.js", "socket.on(")
    )
    assert "connection" not in ends(handoffs(files))


# --- what is not a hand-off -------------------------------------------------------------


def test_add_on_a_set_emit_on_a_dom_element_and_process_of_a_parser_are_nothing() -> None:
    files = {
        "src/util.js": (
            "const seen = new Set();\n"
            "seen.add('x');\n"
            "const queue = [];\n"
            "queue.push(item);\n"
            "button.dispatchEvent(new Event('click'));\n"
            "element.emit('change');\n"
            "emitter.emit('done');\n"
            "parser.process(text);\n"
            "cache.schedule('later');\n"
            "list.send('nothing');\n"
        ),
        "src/events.js": (
            "const EventEmitter = require('events');\n"
            "const bus = new EventEmitter();\n"
            "bus.on('job', run);\n"
            "bus.emit('job', data);\n"
        ),
    }
    assert handoffs(files) == ()
    assert schedules(files) == ()


def test_hostile_lines_give_nothing_quickly() -> None:
    import time

    from bot.core.analysis.handoffs import sites_for
    from bot.core.analysis.schedules import schedules_for

    shapes = [
        "agenda.define(" + "'" * 200_000,
        "boss.send(" + " " * 200_000,
        "new Queue(" + "a" * 200_000 + ").add(",
        "x.add(" + "{ repeat: " * 50_000,
        "flow.add({ queueName: " * 20_000,
        "CronJob.from({ cronTime: " * 20_000,
        "setInterval(" * 50_000,
        "io.emit('" + "a" * 200_000,
        "new SendMessageCommand({ QueueUrl: " * 20_000,
        "ch.bindQueue(q, '" * 20_000,
        "taskList: {\n" + "  a: async (p) => {},\n" * 20_000,
        "@Processor('q')\n" + "  @Process('a')\n" * 20_000,
        "upsertJobScheduler(" * 30_000,
        "createQueue('" * 30_000,
        "addJob('" * 30_000,
        "const q = new Queue('q');\n" + ("q.add(" + "a" * 1_990 + "\n") * 3_000 + "repeat",
        "import 'graphile-worker';\n" + "taskList: {\n" * 5_000,
        "upsertJobScheduler(" + "(" * 1_990 + "\n" * 2 + "repeat",
        "import x from 'agenda';\n" + "agenda.every('" * 30_000,
        "QueueUrl: 'x'\n" + "new SendMessageCommand({\n" * 20_000,
    ]
    for text in shapes:
        start = time.process_time()
        for language in ("javascript", "typescript"):
            sites_for(language, text)
            schedules_for(language, text)
        assert time.process_time() - start < 2.0, text[:40]


def test_line_of_helper_counts_from_one() -> None:
    assert line_of("a\nb\n", "b") == 2


def test_socket_io_events_with_one_end_and_commented_out_handlers_are_nothing() -> None:
    files = {
        "server/ws.gateway.ts": (
            "import { Server, Socket } from 'socket.io';\n"
            "export class WsGateway {\n"
            "  handleConnection(client: Socket) {\n"
            "    client.emit('Unauthorized');\n"
            "  }\n"
            "  /*\n"
            "  @SubscribeMessage('join-room')\n"
            "  handleJoinRoom(client: Socket, roomName: string) {}\n"
            "  */\n"
            "  @SubscribeMessage('leave-room')\n"
            "  handleLeaveRoom(client: Socket, roomName: string) {}\n"
            "}\n"
        ),
        "client/room.ts": (
            "import { io } from 'socket.io-client';\n"
            "/* socket.emit('join-room', id); */\n"
            "socket.emit('leave-room', id);\n"
        ),
    }
    assert set(ends(handoffs(files))) == {"leave-room"}


def test_set_interval_one_level_in_reads_alike_in_four_space_code() -> None:
    files = {
        "server/check-version.js": (
            "exports.startInterval = () => {\n"
            "    let check = async () => {\n"
            "        await fetchLatest();\n"
            "    };\n"
            "    interval = setInterval(check, CHECK_INTERVAL_MS);\n"
            "};\n"
        ),
        "server/settings.js": (
            "class Settings {\n"
            "    static async get(key) {\n"
            "        if (!Settings.cacheCleaner) {\n"
            "            Settings.cacheCleaner = setInterval(() => {\n"
            "                clean();\n"
            "            }, 60 * 1000);\n"
            "        }\n"
            "    }\n"
            "}\n"
        ),
        "extra/push-examples/index.js": "setInterval(push, interval * 1000);\n",
    }
    s = scheduled(files, "server/check-version.js", "setInterval(")
    assert (s.mechanism, s.schedule, s.target) == ("setInterval", "CHECK_INTERVAL_MS", "check")
    assert {e.path for s in schedules(files) for e in s.evidence} == {"server/check-version.js"}


def test_agenda_and_boss_words_of_the_domain_are_no_job_library() -> None:
    files = {
        "src/meetings.js": (
            "const agendaItems = await db.items();\n"
            "agendaItems.create('Opening remarks');\n"
            "agendaService.now('today');\n"
        ),
        "src/game.js": "bossFight.send('ROAR');\nbossFight.work('Attack');\n",
    }
    assert handoffs(files) == ()
