"""The Go extractor on hand-written files."""

from __future__ import annotations

import time

from bot.core.analysis.golang import GoExtractor, extract_go

TRICKY = """\
package main

import "fmt"
import log "github.com/sirupsen/logrus"

import (
\t"net/http"
\t// "commented/out"
\tdb "example.com/app/internal/db"
\t_ "github.com/lib/pq"
)

/* import "block/commented" */

func main() {
\taddr := os.Getenv("ADDR")
\thttp.HandleFunc("/webhook", hook)
\thttp.HandleFunc("/users", users)
\tlog.Fatal(http.ListenAndServe(addr, nil))
}
"""


def test_single_and_grouped_imports_with_aliases_and_comments() -> None:
    got = [(r.spec, r.line) for r in extract_go(TRICKY).imports]
    assert got == [
        ("example.com/app/internal/db", 9),
        ("fmt", 3),
        ("github.com/lib/pq", 10),
        ("github.com/sirupsen/logrus", 4),
        ("net/http", 7),
    ]


def test_env_reads_and_entry_points() -> None:
    facts = extract_go(TRICKY)
    assert [(e.name, e.line) for e in facts.env] == [("ADDR", 16)]
    found = {(s.kind, s.name, s.line, s.detail) for s in facts.signals}
    assert found == {
        ("entrypoint.cli", "main package", 15, ""),
        ("entrypoint.webhook", "HTTP route", 17, "/webhook"),
        ("entrypoint.http", "HTTP route", 18, "/users"),
        ("entrypoint.http", "HTTP server", 19, ""),
        ("route.handler", "/webhook", 17, "hook"),  # the function each route runs
        ("route.handler", "/users", 18, "users"),
    }


def test_func_main_outside_package_main_is_not_an_entry_point() -> None:
    assert extract_go("package lib\n\nfunc main() {}\n").signals == ()


def test_extractor_matches_go_sources() -> None:
    assert GoExtractor().matches("cmd/api/main.go")
    assert not GoExtractor().matches("go.mod")


def test_grpc_service_methods_are_http_entry_points() -> None:
    src = (
        "package v1\n\n"
        "func (s *APIV1Service) CreateMemo(ctx context.Context, request *v1pb.CreateMemoRequest)"
        " (*v1pb.Memo, error) {\n\treturn nil, nil\n}\n\n"
        "func (s *APIV1Service) helper(ctx context.Context, request *v1pb.CreateMemoRequest) {}\n"
        "func CreateMemo(ctx context.Context, request *v1pb.CreateMemoRequest) {}\n"
        "func (s *S) CreateUserWebhook(ctx context.Context, request *pb.CreateUserWebhookRequest)"
        " {}\n"
    )
    found = {(s.kind, s.name, s.line, s.detail) for s in extract_go(src).signals}
    # An exported method taking (ctx, *pb.XRequest): the shape protoc's servers call.
    # A method that manages webhooks is no webhook receiver (only a route's name says so).
    assert found == {
        ("entrypoint.http", "gRPC method", 3, "CreateMemo"),
        ("entrypoint.http", "gRPC method", 9, "CreateUserWebhook"),
    }


def test_a_path_read_from_a_file_system_is_no_route() -> None:
    src = (
        "package app\n\n"
        "func load(fs stuff.FS, r chi.Router) {\n"
        '\tbody, _ := fs.Get("/static/mail/welcome.tpl")\n'
        '\tr.Get("/health", health)\n'
        "}\n"
    )
    routes = {(s.detail, s.line) for s in extract_go(src).signals if s.kind == "entrypoint.http"}
    assert routes == {("/health", 5)}


def test_an_smtp_sessions_data_method_is_where_inbound_mail_comes_in() -> None:
    src = (
        "package mail\n\n"
        "func (s *session) Data(r io.Reader) error {\n\treturn nil\n}\n\n"
        "func (b *buffer) Data() []byte {\n\treturn b.b\n}\n"
        "func (w *writer) Data(r io.Reader) (int, error) {\n\treturn 0, nil\n}\n"
    )
    found = {(s.kind, s.name, s.line, s.detail) for s in extract_go(src).signals}
    assert found == {("entrypoint.http", "SMTP session (inbound mail)", 3, "Data")}


def test_a_url_struct_names_its_service_by_scheme() -> None:
    src = (
        "package relay\n"
        "func dsn(h string) string {\n"
        "\tu := &url.URL{\n"
        '\t\tScheme: "smtps",\n'  # 4
        "\t\tHost:   h,\n"
        "\t}\n"
        '\tq := url.URL{Scheme: "amqp", Host: h}\n'  # 7
        # look-alikes: a file URL, a web URL, another struct's Scheme, a commented one
        '\tf := url.URL{Scheme: "file", Path: h}\n'
        '\tw := url.URL{Scheme: "https", Host: h}\n'
        '\tc := Codec{Scheme: "redis"}\n'
        '\t// old := url.URL{Scheme: "nats"}\n'
        "\treturn u.String() + q.String()\n"
        "}\n"
    )
    urls = {(s.line, s.detail) for s in extract_go(src).signals if s.kind == "config.url"}
    assert urls == {(4, "smtps"), (7, "amqp")}


def test_url_struct_scan_is_bounded_on_hostile_input() -> None:
    start = time.process_time()
    extract_go("url.URL{" + "Scheme: x " * 200_000)
    extract_go(("url.URL{" + "a" * 390 + "\n") * 5_000 + 'Scheme: "smtp"')
    extract_go('u := url.URL{Scheme: "' + "s" * 1_000_000)
    assert time.process_time() - start < 10
