"""Go flow starts (issue 18 item 3): one small app per router idiom and a cobra command, each a
handler registered the library's way that calls a function making an outbound HTTP call; the
flow must start at the route or the handler and reach that call. Harness: `flow_idioms.py`."""

from __future__ import annotations

import pytest

from tests.core.flow_idioms import FlowIdiom, misses

GOMOD = "module example.com/shop\n\ngo 1.22\n"
NOTIFY = (
    'package notify\n\nimport (\n\t"net/http"\n\t"strings"\n)\n\n'
    "func Ping(body string) error {\n"
    '\t_, err := http.Post("https://api.example.com/x", "application/json", '
    "strings.NewReader(body))\n\treturn err\n}\n"
)
SINK = ("notify/notify.go", "http.Post(")
IMPORTS = 'import (\n\t"net/http"\n\n\t"example.com/shop/notify"\n'


def app(idiom_id: str, files: dict[str, str], *entry: tuple[str, str]) -> FlowIdiom:
    return FlowIdiom(idiom_id, {"go.mod": GOMOD, "notify/notify.go": NOTIFY, **files}, entry, SINK)


HANDLER = (
    "func createItem(w http.ResponseWriter, r *http.Request) {\n"
    '\tnotify.Ping("x")\n\tw.WriteHeader(http.StatusCreated)\n}\n'
)


def server(lib: str, register: str, handler: str = HANDLER) -> dict[str, str]:
    return {
        "cmd/server/main.go": "package main\n\n" + IMPORTS + lib + ")\n\n"
        "func main() {\n" + register + "}\n\n" + handler
    }


IDIOMS = [
    app(
        "net-http-handlefunc",
        server(
            "", '\thttp.HandleFunc("/items", createItem)\n\thttp.ListenAndServe(":8080", nil)\n'
        ),
        ("cmd/server/main.go", 'HandleFunc("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "net-http-mux-handle",
        server(
            "",
            "\tmux := http.NewServeMux()\n"
            '\tmux.Handle("POST /items", http.HandlerFunc(createItem))\n'
            '\thttp.ListenAndServe(":8080", mux)\n',
        ),
        ("cmd/server/main.go", 'mux.Handle("POST'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "chi-router",
        server(
            '\t"github.com/go-chi/chi/v5"\n',
            '\tr := chi.NewRouter()\n\tr.Route("/api", func(r chi.Router) {\n'
            '\t\tr.Post("/items", createItem)\n\t})\n\thttp.ListenAndServe(":8080", r)\n',
        ),
        ("cmd/server/main.go", 'r.Post("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "gin-group",
        server(
            '\t"github.com/gin-gonic/gin"\n',
            '\tr := gin.Default()\n\tapi := r.Group("/api")\n\tapi.POST("/items", createItem)\n'
            '\tr.Run(":8080")\n',
            "func createItem(c *gin.Context) {\n"
            '\tnotify.Ping("x")\n\tc.Status(http.StatusCreated)\n}\n',
        ),
        ("cmd/server/main.go", 'api.POST("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "echo-group",
        server(
            '\t"github.com/labstack/echo/v4"\n',
            '\te := echo.New()\n\tg := e.Group("/api")\n\tg.POST("/items", createItem)\n'
            '\te.Start(":8080")\n',
            "func createItem(c echo.Context) error {\n"
            '\tnotify.Ping("x")\n\treturn c.NoContent(http.StatusCreated)\n}\n',
        ),
        ("cmd/server/main.go", 'g.POST("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "fiber-app-post",
        server(
            '\t"github.com/gofiber/fiber/v2"\n',
            '\tapp := fiber.New()\n\tapp.Post("/items", createItem)\n\tapp.Listen(":8080")\n'
            "\t_ = http.StatusOK\n",
            "func createItem(c *fiber.Ctx) error {\n"
            '\tnotify.Ping("x")\n\treturn c.SendStatus(201)\n}\n',
        ),
        ("cmd/server/main.go", 'app.Post("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "gorilla-mux-methods",
        server(
            '\t"github.com/gorilla/mux"\n',
            '\tr := mux.NewRouter()\n\tr.HandleFunc("/items", createItem).Methods("POST")\n'
            '\thttp.ListenAndServe(":8080", r)\n',
        ),
        ("cmd/server/main.go", 'r.HandleFunc("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "httprouter",
        server(
            '\t"github.com/julienschmidt/httprouter"\n',
            '\trouter := httprouter.New()\n\trouter.POST("/items", createItem)\n'
            '\thttp.ListenAndServe(":8080", router)\n',
            "func createItem(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {\n"
            '\tnotify.Ping("x")\n}\n',
        ),
        ("cmd/server/main.go", 'router.POST("/items"'),
        ("cmd/server/main.go", "func createItem"),
    ),
    app(
        "struct-method-handler-in-another-file",
        {
            "api/handler.go": 'package api\n\nimport (\n\t"net/http"\n\n'
            '\t"example.com/shop/notify"\n)\n\ntype Handler struct{}\n\n'
            "func (h *Handler) createItem(w http.ResponseWriter, r *http.Request) {\n"
            '\tnotify.Ping("x")\n}\n',
            "api/routes.go": 'package api\n\nimport "net/http"\n\n'
            "func Routes(h *Handler) *http.ServeMux {\n\tmux := http.NewServeMux()\n"
            '\tmux.HandleFunc("POST /items", h.createItem)\n\treturn mux\n}\n',
            "cmd/server/main.go": 'package main\n\nimport (\n\t"net/http"\n\n'
            '\t"example.com/shop/api"\n)\n\nfunc main() {\n'
            '\thttp.ListenAndServe(":8080", api.Routes(&api.Handler{}))\n}\n',
        },
        ("api/routes.go", "mux.HandleFunc("),
        ("api/handler.go", "func (h *Handler) createItem"),
    ),
    app(
        "cobra-command-rune",
        {
            "cmd/announce.go": 'package cmd\n\nimport (\n\t"github.com/spf13/cobra"\n\n'
            '\t"example.com/shop/notify"\n)\n\nvar announceCmd = &cobra.Command{\n'
            '\tUse: "announce",\n\tRunE: func(cmd *cobra.Command, args []string) error {\n'
            "\t\treturn notify.Ping(args[0])\n\t},\n}\n\n"
            "func init() {\n\trootCmd.AddCommand(announceCmd)\n}\n",
            "cmd/root.go": 'package cmd\n\nimport "github.com/spf13/cobra"\n\n'
            'var rootCmd = &cobra.Command{Use: "shop"}\n\n'
            "func Execute() error {\n\treturn rootCmd.Execute()\n}\n",
            "main.go": 'package main\n\nimport "example.com/shop/cmd"\n\n'
            "func main() {\n\tcmd.Execute()\n}\n",
        },
        ("cmd/announce.go", "cobra.Command{"),
        ("cmd/announce.go", "RunE:"),
        ("cmd/announce.go", "import ("),
        ("main.go", "func main"),
    ),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_go_flow_starts_at_the_route_and_reaches_the_call(idiom: FlowIdiom) -> None:
    assert misses(idiom) == []
