"""Go hand-off and schedule idioms, one hand-written fixture each, in the shapes the libraries'
own documentation shows. A hand-off is named by the channel (a local channel), the task type
(asynq, machinery: the string or constant both ends say), the subject (NATS), the topic
(Kafka), the queue or exchange (RabbitMQ) or the channel (Redis pub/sub); the producer is cited
at the send/publish/enqueue, the consumer at the handler's registration or the goroutine's
function. A schedule is cited where it is declared and says when, as written. A goroutine
started for one call (`go send(x)`) is no hand-off (no queue: miniflux's truth agrees)."""

from __future__ import annotations

from tests.core.analysis.idioms import handoffs, paired, scheduled, schedules


def test_channel_ranged_by_a_goroutine() -> None:
    files = {
        "main.go": (
            "package main\n"
            "func main() {\n"
            "\tjobs := make(chan Job)\n"
            "\tgo func() {\n"
            "\t\tfor j := range jobs {\n"
            "\t\t\tprocess(j)\n"
            "\t\t}\n"
            "\t}()\n"
            "\tjobs <- Job{ID: 1}\n"
            "}\n"
        )
    }
    paired(files, "jobs", ("main.go", "jobs <- Job"), ("main.go", "go func()"))


def test_worker_pool_fed_by_a_local_channel_passed_to_its_workers() -> None:
    files = {
        "pool.go": (
            "package pool\n"
            "func worker(id int, jobs <-chan Job, results chan<- Result) {\n"
            "\tfor j := range jobs {\n"
            "\t\tresults <- run(j)\n"
            "\t}\n"
            "}\n"
            "func Start(items []Job) {\n"
            "\tjobQueue := make(chan Job, 100)\n"
            "\tresults := make(chan Result, 100)\n"
            "\tfor w := 1; w <= 3; w++ {\n"
            "\t\tgo worker(w, jobQueue, results)\n"
            "\t}\n"
            "\tfor _, it := range items {\n"
            "\t\tjobQueue <- it\n"
            "\t}\n"
            "}\n"
        )
    }
    paired(files, "jobQueue", ("pool.go", "jobQueue <- it"), ("pool.go", "func worker("))


def test_a_goroutine_for_one_call_is_no_hand_off() -> None:
    files = {"h.go": "package h\nfunc H() {\n\tgo integration.SendEntry(entry)\n}\n"}
    assert handoffs(files) == ()


def test_tickers_robfig_cron_and_gocron() -> None:
    files = {
        "sched.go": (
            "package sched\n"
            "import (\n"
            '\t"github.com/go-co-op/gocron/v2"\n'
            '\t"github.com/robfig/cron/v3"\n'
            ")\n"
            "func Start() {\n"
            "\tticker := time.NewTicker(5 * time.Minute)\n"
            "\tc := cron.New()\n"
            '\tc.AddFunc("30 * * * *", cleanup)\n'
            "\ts, _ := gocron.NewScheduler()\n"
            "\ts.NewJob(\n"
            "\t\tgocron.DurationJob(10*time.Second),\n"
            "\t\tgocron.NewTask(refresh),\n"
            "\t)\n"
            '\ts.NewJob(gocron.CronJob("0 9 * * *", false), gocron.NewTask(report))\n'
            "}\n"
        ),
        "v1.go": (
            "package sched\n"
            'import "github.com/go-co-op/gocron"\n'
            "func Old() {\n"
            "\ts := gocron.NewScheduler(time.UTC)\n"
            "\ts.Every(5).Minutes().Do(sweep)\n"
            '\ts.Cron("*/1 * * * *").Do(tick)\n'
            "}\n"
        ),
    }
    assert scheduled(files, "sched.go", "NewTicker").schedule == "5 * time.Minute"
    assert scheduled(files, "sched.go", "AddFunc").schedule == "30 * * * *"
    s = scheduled(files, "sched.go", "DurationJob")
    assert (s.schedule, s.target) == ("10*time.Second", "refresh")
    s = scheduled(files, "sched.go", "CronJob(")
    assert (s.schedule, s.target) == ("0 9 * * *", "report")
    s = scheduled(files, "v1.go", "Every(5)")
    assert (s.schedule, s.target) == ("every 5 minutes", "sweep")
    s = scheduled(files, "v1.go", "Cron(")
    assert (s.schedule, s.target) == ("*/1 * * * *", "tick")


def test_asynq_enqueue_handle_func_and_scheduler() -> None:
    files = {
        "tasks/tasks.go": (
            "package tasks\n"
            'import "github.com/hibiken/asynq"\n'
            "const (\n"
            '\tTypeEmailDelivery = "email:deliver"\n'
            '\tTypeImageResize   = "image:resize"\n'
            ")\n"
            "func NewEmailDeliveryTask(userID int) (*asynq.Task, error) {\n"
            "\treturn asynq.NewTask(TypeEmailDelivery, payload), nil\n"
            "}\n"
        ),
        "cmd/client/main.go": (
            "package main\n"
            'import "github.com/hibiken/asynq"\n'
            "func main() {\n"
            '\tinfo, err := client.Enqueue(asynq.NewTask("image:resize", nil), asynq.Queue("q"))\n'
            "}\n"
        ),
        "cmd/worker/main.go": (
            "package main\n"
            'import "github.com/hibiken/asynq"\n'
            "func main() {\n"
            "\tmux := asynq.NewServeMux()\n"
            "\tmux.HandleFunc(tasks.TypeEmailDelivery, tasks.HandleEmailDeliveryTask)\n"
            "\tmux.Handle(tasks.TypeImageResize, tasks.NewImageProcessor())\n"
            "}\n"
        ),
        "cmd/scheduler/main.go": (
            "package main\n"
            'import "github.com/hibiken/asynq"\n'
            "func main() {\n"
            '\tscheduler.Register("*/5 * * * *", asynq.NewTask("report:daily", nil))\n'
            "}\n"
        ),
    }
    paired(
        files,
        "email:deliver",
        ("tasks/tasks.go", "asynq.NewTask(TypeEmailDelivery"),
        ("cmd/worker/main.go", "HandleFunc("),
    )
    paired(
        files,
        "image:resize",
        ("cmd/client/main.go", "Enqueue("),
        ("cmd/worker/main.go", "mux.Handle("),
    )
    s = scheduled(files, "cmd/scheduler/main.go", "Register(")
    assert (s.schedule, s.target) == ("*/5 * * * *", "report:daily")


def test_machinery_register_tasks_and_send_task() -> None:
    files = {
        "worker.go": (
            "package main\n"
            'import "github.com/RichardKnop/machinery/v1"\n'
            "func register(server *machinery.Server) error {\n"
            "\treturn server.RegisterTasks(map[string]interface{}{\n"
            '\t\t"add":      exampletasks.Add,\n'
            '\t\t"multiply": exampletasks.Multiply,\n'
            "\t})\n"
            "}\n"
        ),
        "send.go": (
            "package main\n"
            'import "github.com/RichardKnop/machinery/v1/tasks"\n'
            "func send() {\n"
            "\tsignature := &tasks.Signature{\n"
            '\t\tName: "add",\n'
            '\t\tArgs: []tasks.Arg{{Type: "int64", Value: 1}},\n'
            "\t}\n"
            "\tserver.SendTask(signature)\n"
            "}\n"
        ),
    }
    paired(files, "add", ("send.go", 'Name: "add"'), ("worker.go", '"add":'))


def test_nats_publish_subscribe_and_jetstream() -> None:
    files = {
        "pub.go": (
            "package main\n"
            'import "github.com/nats-io/nats.go"\n'
            "func pub(nc *nats.Conn, js nats.JetStreamContext) {\n"
            '\tnc.Publish("updates", []byte("hi"))\n'
            '\tjs.Publish("ORDERS.new", data)\n'
            "}\n"
        ),
        "sub.go": (
            "package main\n"
            'import "github.com/nats-io/nats.go"\n'
            "func sub(nc *nats.Conn, js nats.JetStreamContext) {\n"
            '\tnc.Subscribe("updates", func(m *nats.Msg) { handle(m) })\n'
            '\tnc.QueueSubscribe("updates", "workers", onUpdate)\n'
            '\tjs.Subscribe("ORDERS.new", func(m *nats.Msg) { m.Ack() }, nats.Durable("d"))\n'
            "}\n"
        ),
    }
    paired(files, "updates", ("pub.go", "nc.Publish("), ("sub.go", "nc.Subscribe("))
    paired(files, "updates", ("pub.go", "nc.Publish("), ("sub.go", "QueueSubscribe("))
    paired(files, "ORDERS.new", ("pub.go", "js.Publish("), ("sub.go", "js.Subscribe("))


def test_kafka_go_writer_reader_and_sarama() -> None:
    files = {
        "writer.go": (
            "package main\n"
            'import "github.com/segmentio/kafka-go"\n'
            "func newWriter() *kafka.Writer {\n"
            "\treturn &kafka.Writer{\n"
            '\t\tAddr:     kafka.TCP("localhost:9092"),\n'
            '\t\tTopic:    "orders",\n'
            "\t\tBalancer: &kafka.LeastBytes{},\n"
            "\t}\n"
            "}\n"
        ),
        "reader.go": (
            "package main\n"
            'import "github.com/segmentio/kafka-go"\n'
            "func read() {\n"
            "\tr := kafka.NewReader(kafka.ReaderConfig{\n"
            '\t\tBrokers: []string{"localhost:9092"},\n'
            '\t\tGroupID: "billing",\n'
            '\t\tTopic:   "orders",\n'
            "\t})\n"
            "\tm, err := r.ReadMessage(ctx)\n"
            "}\n"
        ),
        "sarama.go": (
            "package main\n"
            'import "github.com/IBM/sarama"\n'
            "func emit() {\n"
            '\tmsg := &sarama.ProducerMessage{Topic: "payments", Value: sarama.StringEncoder(v)}\n'
            "\tproducer.SendMessage(msg)\n"
            "}\n"
            "func consume() {\n"
            '\tpc, _ := consumer.ConsumePartition("payments", 0, sarama.OffsetNewest)\n'
            '\tgroup.Consume(ctx, []string{"payments"}, handler)\n'
            "}\n"
        ),
    }
    paired(files, "orders", ("writer.go", "Topic:"), ("reader.go", "Topic:"))
    paired(files, "payments", ("sarama.go", "ProducerMessage{"), ("sarama.go", "ConsumePartition("))
    paired(files, "payments", ("sarama.go", "ProducerMessage{"), ("sarama.go", "group.Consume("))


def test_rabbitmq_amqp091_publish_and_consume() -> None:
    files = {
        "send.go": (
            "package main\n"
            'import amqp "github.com/rabbitmq/amqp091-go"\n'
            "func send(ch *amqp.Channel) {\n"
            '\tq, err := ch.QueueDeclare("hello", false, false, false, false, nil)\n'
            '\terr = ch.PublishWithContext(ctx, "", q.Name, false, false, amqp.Publishing{})\n'
            '\terr = ch.Publish("logs", "", false, false, amqp.Publishing{Body: body})\n'
            "}\n"
        ),
        "receive.go": (
            "package main\n"
            'import amqp "github.com/rabbitmq/amqp091-go"\n'
            "func receive(ch *amqp.Channel) {\n"
            '\tq, err := ch.QueueDeclare("hello", false, false, false, false, nil)\n'
            '\tmsgs, err := ch.Consume(q.Name, "", true, false, false, false, nil)\n'
            "}\n"
        ),
        "logs.go": (
            "package main\n"
            'import amqp "github.com/rabbitmq/amqp091-go"\n'
            "func logs(ch *amqp.Channel) {\n"
            '\tq, err := ch.QueueDeclare("", false, false, true, false, nil)\n'
            '\terr = ch.QueueBind(q.Name, "", "logs", false, nil)\n'
            '\tmsgs, err := ch.Consume(q.Name, "", true, false, false, false, nil)\n'
            "}\n"
        ),
    }
    paired(files, "hello", ("send.go", "PublishWithContext("), ("receive.go", "ch.Consume("))
    paired(files, "logs", ("send.go", "ch.Publish("), ("logs.go", "ch.Consume("))


def test_go_redis_publish_and_subscribe() -> None:
    files = {
        "pub.go": (
            "package main\n"
            'import "github.com/redis/go-redis/v9"\n'
            "func pub(rdb *redis.Client) {\n"
            '\terr := rdb.Publish(ctx, "events", payload).Err()\n'
            "}\n"
        ),
        "sub.go": (
            "package main\n"
            'import "github.com/redis/go-redis/v9"\n'
            "func sub(rdb *redis.Client) {\n"
            '\tpubsub := rdb.Subscribe(ctx, "events")\n'
            "\tfor msg := range pubsub.Channel() {\n"
            "\t\thandle(msg)\n"
            "\t}\n"
            "}\n"
        ),
    }
    paired(files, "events", ("pub.go", "Publish("), ("sub.go", "Subscribe("))


def test_look_alike_calls_of_other_libraries_are_nothing() -> None:
    files = {
        "x.go": (
            "package x\n"
            "func f() {\n"
            '\tbus.Publish("updated", v)\n'  # an in-process event bus: no broker import
            '\trouter.HandleFunc("/api", h)\n'
            '\tm.Register("name", fn)\n'
            '\ts.Every("x")\n'
            '\tw.Topic = "orders"\n'
            "}\n"
        )
    }
    assert handoffs(files) == ()
    assert schedules(files) == ()


def test_hostile_go_lines_give_nothing_quickly() -> None:
    import time

    from bot.core.analysis.handoffs import sites_for
    from bot.core.analysis.schedules import schedules_for

    prefix = 'import "github.com/hibiken/asynq"\nimport "nats"\nimport "kafka"\nimport "amqp"\n'
    shapes = [
        "asynq.NewTask(" * 50_000,
        "mux.HandleFunc(" + "a" * 200_000,
        'nc.Publish("' * 50_000,
        'Topic: "' * 50_000,
        'ch.QueueDeclare("' * 30_000,
        '\t\t"a": f,\n' * 30_000,
        "s.Every(" * 50_000,
        "gocron.DurationJob(" * 50_000,
        "go worker(" * 50_000,
        "RegisterTasks(map[string]interface{}{\n" + '\t"a": f,\n' * 20_000,
    ]
    for text in shapes:
        start = time.process_time()
        sites_for("go", prefix + text)
        schedules_for("go", prefix + text)
        assert time.process_time() - start < 2.0, text[:40]


def test_http_routes_in_an_asynq_file_are_no_task_handlers() -> None:
    files = {
        "server.go": (
            "package main\n"
            'import "github.com/hibiken/asynq"\n'
            "func routes(mux *http.ServeMux, client *asynq.Client) {\n"
            "\thttp.HandleFunc(apiPath, api)\n"
            '\tmux.HandleFunc("/health", health)\n'
            "}\n"
        )
    }
    assert handoffs(files) == ()
