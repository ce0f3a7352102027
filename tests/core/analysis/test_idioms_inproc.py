"""Hand-offs inside one application (issue 18 item 1), one hand-written tiny app per idiom:
an in-memory queue filled in one place and drained by a loop in another (Python, Ruby,
fastq/async.queue), PostgreSQL LISTEN/NOTIFY (Python, Go, JS), ActiveSupport::Notifications.
Each hand-off is asserted with both ends (the producer's line and the consumer's), paired by
the queue's or the channel's name; the lookalikes must give nothing."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis.handoffs_inproc import inproc_sites
from tests.core.analysis.idiom_apps import Idiom, misses
from tests.core.analysis.idioms import handoffs, paired

# --- Python in-memory queues --------------------------------------------------------------


def test_python_queue_module_global_across_files() -> None:
    files = {
        "app/bus.py": "import queue\n\nupdate_q = queue.Queue(maxsize=100)\n",
        "app/views.py": "from app.bus import update_q\n\ndef post(request):\n"
        "    update_q.put(request.json)\n    return 'ok'\n",
        "app/worker.py": "from app.bus import update_q\n\n\ndef drain():\n"
        "    while True:\n        item = update_q.get()\n        store(item)\n",
    }
    paired(files, "update_q", ("app/views.py", "update_q.put("), ("app/worker.py", "def drain"))


def test_python_asyncio_queue_attribute() -> None:
    files = {
        "svc/hub.py": "import asyncio\n\nclass Hub:\n    def __init__(self):\n"
        "        self.events: asyncio.Queue[dict] = asyncio.Queue()\n\n"
        "    async def publish(self, event):\n        await self.events.put(event)\n\n"
        "    def offer(self, event):\n        self.events.put_nowait(event)\n\n"
        "    async def run(self):\n        while True:\n"
        "            event = await self.events.get()\n            await self.send(event)\n",
    }
    paired(files, "events", ("svc/hub.py", "await self.events.put("), ("svc/hub.py", "def run"))
    paired(files, "events", ("svc/hub.py", "put_nowait"), ("svc/hub.py", "def run"))


def test_python_multiprocessing_and_priority_queue_with_iter_sentinel() -> None:
    files = {
        "etl/pipe.py": "import multiprocessing as mp\nfrom queue import PriorityQueue\n\n"
        "rows = mp.Queue()\nurgent = PriorityQueue()\n\n"
        "def feed(batch):\n    for r in batch:\n        rows.put(r)\n    urgent.put((1, batch))\n\n"
        "def consume():\n    for row in iter(rows.get, None):\n        save(row)\n\n"
        "def consume_urgent():\n    while not stop:\n"
        "        _, b = urgent.get(timeout=1)\n",
    }
    paired(files, "rows", ("etl/pipe.py", "rows.put("), ("etl/pipe.py", "def consume():"))
    paired(files, "urgent", ("etl/pipe.py", "urgent.put("), ("etl/pipe.py", "def consume_urgent"))


def test_python_janus_sides() -> None:
    files = {
        "bridge/q.py": "import janus\n\nclass Bridge:\n    def __init__(self):\n"
        "        self.jobs = janus.Queue()\n\n"
        "    def from_thread(self, job):\n        self.jobs.sync_q.put(job)\n\n"
        "    async def loop(self):\n        while True:\n"
        "            job = await self.jobs.async_q.get()\n",
    }
    paired(files, "jobs", ("bridge/q.py", "sync_q.put("), ("bridge/q.py", "async def loop"))


def test_python_lookalikes_are_nothing() -> None:
    files = {
        # RQ's Queue is a broker queue (the RQ scanner's), a dict's get is no drain, a
        # get outside a loop is a single take, an imported name nobody makes a queue of
        # (a cache) is none, and a queue made in a test is none.
        "web/jobs.py": "from rq import Queue\n\nq = Queue(connection=conn)\n\n"
        "def go():\n    cache.put('k', 1)\n    while True:\n        cache.get()\n",
        "web/one.py": "import queue\n\nbox = queue.Queue()\nbox.put(1)\n\n"
        "def once():\n    return box.get()\n",
        "web/cache.py": "from web.store import cache\n\ndef warm():\n    cache.put(1)\n\n"
        "def spin():\n    while True:\n        cache.get()\n",
        "web/notes.py": '"""Example:\n\n    log.put(1)\n"""\nimport queue\nlog = queue.Queue()\n'
        "# log.put(1)\ndef f():\n    while True:\n        log.get()\n",
    }
    assert handoffs(files) == ()
    files["tests/test_cache.py"] = "import queue\ncache = queue.Queue()\n"
    assert misses(Idiom("queue-made-in-a-test", files, absent=("cache",))) == []


def test_python_run_in_executor_with_its_function_here() -> None:
    files = {
        "api/thumbs.py": "import asyncio\n\ndef render(path):\n    return make_thumb(path)\n\n"
        "async def upload(request):\n    loop = asyncio.get_running_loop()\n"
        "    await loop.run_in_executor(None, render, request.path)\n"
        "    await loop.run_in_executor(None, imported_elsewhere)\n",
    }
    paired(
        files,
        "render",
        ("api/thumbs.py", "run_in_executor(None, render"),
        ("api/thumbs.py", "def render"),
    )
    assert "imported_elsewhere" not in {h.name for h in handoffs(files)}


# --- PostgreSQL LISTEN/NOTIFY -------------------------------------------------------------


def test_python_notify_and_listen() -> None:
    files = {
        "app/orders.py": "def place(cur, order_id):\n"
        "    cur.execute(\"SELECT pg_notify('orders', %s)\", [str(order_id)])\n"
        "    cur.execute(\"NOTIFY Orders_Audit, 'x'\")\n",
        "app/listener.py": "import asyncpg\n\nasync def main(conn):\n"
        "    await conn.add_listener('orders', on_order)\n\n"
        "def sync(cur):\n    cur.execute('LISTEN orders_audit;')\n",
    }
    paired(files, "orders", ("app/orders.py", "pg_notify("), ("app/listener.py", "add_listener"))
    paired(files, "orders_audit", ("app/orders.py", "NOTIFY Orders"), ("app/listener.py", "LISTEN"))


def test_go_pq_listener_and_pgx_notify() -> None:
    files = {
        "cmd/api/notify.go": "package main\n\nfunc changed(ctx context.Context, conn *pgx.Conn) {\n"
        '\tconn.Exec(ctx, "NOTIFY cache_bust")\n}\n',
        "cmd/worker/listen.go": "package main\n\nfunc watch(l *pq.Listener) {\n"
        '\tl.Listen("cache_bust")\n\tfor n := range l.Notify {\n\t\tbust(n)\n\t}\n}\n',
    }
    paired(
        files, "cache_bust", ("cmd/api/notify.go", "NOTIFY"), ("cmd/worker/listen.go", "Listen(")
    )


def test_js_pg_notify_and_listen() -> None:
    files = {
        "src/publish.ts": "export async function announce(pool: Pool, id: string) {\n"
        "  await pool.query(`SELECT pg_notify('doc_saved', $1)`, [id]);\n}\n",
        "src/listen.ts": "export async function listen(client: Client) {\n"
        "  await client.query('LISTEN doc_saved');\n"
        "  client.on('notification', (msg) => reindex(msg.payload));\n}\n",
    }
    paired(files, "doc_saved", ("src/publish.ts", "pg_notify"), ("src/listen.ts", "LISTEN"))


def test_notify_without_listener_and_sql_words_outside_strings_are_nothing() -> None:
    files = {
        "a.py": 'def f(cur):\n    cur.execute("NOTIFY lonely")\n',
        "b.py": "LISTEN = 5\nNOTIFY = 6\n# cur.execute('LISTEN lonely')\n",
        "c.go": "package c\n// LISTEN lonely\nfunc g() { LISTEN lonely }\n",
    }
    assert handoffs(files) == ()


# --- Ruby ---------------------------------------------------------------------------------


def test_ruby_queue_between_threads() -> None:
    files = {
        "lib/indexer.rb": "class Indexer\n  def initialize\n    @jobs = Queue.new\n"
        "    @worker = Thread.new do\n      loop do\n        doc = @jobs.pop\n"
        "        index(doc)\n      end\n    end\n  end\n\n"
        "  def enqueue(doc)\n    @jobs << doc\n  end\n\n"
        "  def later(doc)\n    @jobs.push(doc)\n  end\nend\n",
    }
    paired(files, "jobs", ("lib/indexer.rb", "@jobs << doc"), ("lib/indexer.rb", "Thread.new"))
    paired(files, "jobs", ("lib/indexer.rb", "@jobs.push"), ("lib/indexer.rb", "Thread.new"))


def test_ruby_sized_queue_constant_across_files() -> None:
    files = {
        "lib/pipeline.rb": "module Pipeline\n  WORK = SizedQueue.new(50)\nend\n",
        "lib/producer.rb": "def submit(item)\n  Pipeline::WORK.push(item)\nend\n",
        "lib/consumer.rb": "def drain\n  while (item = WORK.pop)\n    handle(item)\n  end\nend\n",
    }
    found = {h.name for h in handoffs(files)}
    assert "WORK" in found
    paired(files, "WORK", ("lib/producer.rb", "WORK.push"), ("lib/consumer.rb", "def drain"))


def test_ruby_active_support_notifications() -> None:
    files = {
        "app/services/checkout.rb": "class Checkout\n  def call(order)\n"
        '    ActiveSupport::Notifications.instrument("order.placed", order: order)\n'
        "  end\nend\n",
        "config/initializers/audit.rb": 'ActiveSupport::Notifications.subscribe("order.placed")'
        " do |event|\n  Audit.record(event.payload)\nend\n"
        'ActiveSupport::Notifications.subscribe("sql.active_record") { |e| log(e) }\n',
    }
    paired(
        files,
        "order.placed",
        ("app/services/checkout.rb", "instrument("),
        ("config/initializers/audit.rb", "order.placed"),
    )
    assert "sql.active_record" not in {h.name for h in handoffs(files)}


def test_ruby_redis_publish_and_subscribe() -> None:
    files = {
        "app/models/comment.rb": "class Comment\n  def announce\n"
        '    $redis.publish("comments", to_json)\n  end\nend\n',
        "lib/listener.rb": "redis = Redis.new\n"
        'redis.subscribe("comments") do |on|\n  on.message { |_c, msg| push(msg) }\nend\n',
    }
    paired(
        files, "comments", ("app/models/comment.rb", "publish("), ("lib/listener.rb", "subscribe(")
    )


def test_ruby_lookalikes_are_nothing() -> None:
    files = {
        "app/jobs/stats.rb": 'q = Sidekiq::Queue.new("default")\nq.each { |j| j.delete }\n',
        "lib/list.rb": "ITEMS = []\nITEMS << 1\nloop do\n  ITEMS.pop\nend\n",
        "lib/once.rb": "box = Queue.new\nbox << 1\nx = box.pop\n",
        "lib/cls.rb": "class Foo\n  class << self\n    def bar; end\n  end\nend\n",
        "lib/bus.rb": 'Bus.publish("comments", 1)\nMessageBus.subscribe("comments") { }\n',
    }
    assert handoffs(files) == ()


# --- JavaScript in-memory job queues ------------------------------------------------------


def test_fastq_worker_and_push_across_files() -> None:
    files = {
        "src/queue.js": "const fastq = require('fastq');\n\n"
        "async function resize(task) {\n  await sharp(task.path).toFile(task.out);\n}\n\n"
        "const thumbQueue = fastq.promise(resize, 2);\nmodule.exports = { thumbQueue };\n",
        "src/upload.js": "const { thumbQueue } = require('./queue');\n\n"
        "async function upload(req, res) {\n  thumbQueue.push({ path: req.file.path });\n}\n",
    }
    paired(
        files,
        "thumbQueue",
        ("src/upload.js", "thumbQueue.push("),
        ("src/queue.js", "function resize"),
    )


def test_async_queue_inline_worker() -> None:
    files = {
        "lib/mailer.ts": "import { queue } from 'async';\n\n"
        "export const mailQueue = queue(async (msg: Mail) => {\n"
        "  await transport.send(msg);\n}, 4);\n\n"
        "export function notify(msg: Mail) {\n  mailQueue.push(msg);\n}\n",
    }
    paired(files, "mailQueue", ("lib/mailer.ts", "mailQueue.push("), ("lib/mailer.ts", "= queue("))


def test_js_lookalikes_are_nothing() -> None:
    files = {
        "src/a.js": "import { jobQueue } from './state';\njobQueue.push(1);\n",
        "src/b.js": "const queue = (x) => x;\nconst q = queue(1);\nq.push(2);\n",
        "src/c.js": "import { EventEmitter } from 'events';\n"
        "export const bus = new EventEmitter();\n",
        "src/d.js": "import { bus } from './c';\nbus.emit('saved', doc);\n",
        "src/e.js": "import { bus } from './c';\nbus.on('saved', reindex);\n",
    }
    assert handoffs(files) == ()


def test_worker_threads_post_message_and_parent_port() -> None:
    files = {
        "src/images.js": "const { Worker } = require('node:worker_threads');\n"
        "const path = require('path');\n\n"
        "const resizer = new Worker(path.join(__dirname, 'workers', 'resize.js'));\n\n"
        "function onUpload(file) {\n  resizer.postMessage({ path: file.path });\n}\n",
        "src/workers/resize.js": "const { parentPort } = require('worker_threads');\n\n"
        "parentPort.on('message', async (job) => {\n  await shrink(job.path);\n});\n",
    }
    paired(
        files,
        "resize",
        ("src/images.js", "resizer.postMessage("),
        ("src/workers/resize.js", "parentPort.on("),
    )


def test_worker_threads_with_worker_data_only() -> None:
    files = {
        "lib/report.ts": "import { Worker } from 'worker_threads';\n\n"
        "export function build(rows: Row[]) {\n"
        "  new Worker(new URL('./report.worker.js', import.meta.url), { workerData: rows });\n}\n",
        "lib/report.worker.ts": "import { parentPort, workerData } from 'worker_threads';\n"
        "parentPort?.once('message', () => render(workerData));\n",
    }
    paired(
        files,
        "report.worker",
        ("lib/report.ts", "new Worker("),
        ("lib/report.worker.ts", "parentPort?.once("),
    )


def test_child_process_fork_and_send() -> None:
    files = {
        "server/index.js": "import { fork } from 'child_process';\n\n"
        "const indexer = fork('./server/indexer.js');\n\n"
        "export function reindex(id) {\n  indexer.send({ id });\n}\n",
        "server/indexer.js": "process.on('message', (msg) => rebuild(msg.id));\n",
    }
    paired(
        files, "indexer", ("server/index.js", "indexer.send("), ("server/indexer.js", "process.on(")
    )


def test_worker_lookalikes_are_nothing() -> None:
    files = {
        # BullMQ's Worker names a queue (the Bull scanner's), cluster.fork() names no script,
        # a message handler of a script nothing here starts is an IPC API, and a browser's
        # Web Worker is neither a Bull worker nor a Node thread.
        "src/jobs.ts": "import { Worker } from 'bullmq';\nnew Worker('mail', run);\n",
        "src/cluster.js": "const cluster = require('cluster');\ncluster.fork();\n",
        "src/ipc.js": "process.on('message', (m) => handle(m));\n",
        "web/app.js": "const w = new Worker('sw.js');\nw.postMessage(1);\n",
        "web/sw.js": "self.onmessage = (e) => run(e.data);\n",
    }
    found = handoffs(files)
    assert [(h.name, h.mechanism) for h in found] == [("mail", "bull")]


# --- hostile input ------------------------------------------------------------------------

HOSTILE = [
    ("python", "import queue\nq = queue.Queue()\n" + "q.put(" * 50_000 + "\n"),
    ("python", "import queue\nq = queue.Queue()\ndef f():\n" + "    " * 30_000 + "q.get()\n"),
    ("python", "x" * 200_000 + ".get(" + "a." * 50_000 + "\n"),
    ("python", "from a import " + "b, " * 100_000 + "\n"),
    ("python", "cur.execute('" + "NOTIFY " * 50_000 + "\n"),
    ("ruby", "Q = Queue.new\n" + "Q << " * 50_000 + "\n"),
    ("ruby", "Q = Queue.new\n" + ("loop do\n" * 3_000) + "Q.pop\n"),
    ("ruby", "ActiveSupport::Notifications.instrument('" + "a" * 200_000 + "\n"),
    ("ruby", "redis\n" + "redis_" * 40_000 + ".publish('a'\n" + "$redis.subscribe(" * 30_000),
    ("python", "run_in_executor(\n" + "x.run_in_executor(a, " * 50_000 + "\n"),
    ("javascript", "const q = fastq(" + "a, " * 50_000 + "\n"),
    ("javascript", "import {" + "a, " * 100_000 + "} from 'x'\nqueue(\n"),
    ("typescript", "const q = queue(" + "x" * 200_000 + "\n" + "q.push(" * 50_000),
    (
        "python",
        "import queue\nq = queue.Queue()\ndef f():\n  while 1:\n" + "    q.get()\n" * 50_000,
    ),
    (
        "python",
        "import queue\nq = queue.Queue()\n" + "".join(" " * k + "while 1:\n" for k in range(3_000)),
    ),
    ("ruby", "Q = Queue.new\nThread.new do\n  loop do\n" + "    Q.pop\n" * 50_000),
    ("javascript", "require('worker_threads')\n" + "w = new Worker('" * 30_000 + "\n"),
    ("javascript", "require('child_process')\nconst c = fork('a.js')\n" + "c.send(" * 50_000),
    ("go", 'l.Listen("' + "a" * 200_000 + "\n" + "LISTEN '" * 50_000),
]


@pytest.mark.parametrize(("language", "text"), HOSTILE, ids=lambda x: str(x)[:20])
def test_hostile_input_gives_sites_or_nothing_quickly(language: str, text: str) -> None:
    start = time.process_time()
    inproc_sites(language, text)
    assert time.process_time() - start < 2.0
