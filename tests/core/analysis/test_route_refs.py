"""Routes registered with a handler reference become `route.handler` signals."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.analysis import route_refs
from bot.core.analysis.golang import extract_go
from bot.core.analysis.javascript import extract_javascript
from bot.core.analysis.python import extract_python
from bot.core.analysis.route_prefixes import INCLUDE_KIND as INCLUDE
from bot.core.analysis.route_refs import KIND, handler_ref


def handlers(facts) -> list[tuple[str, int | None, str]]:  # type: ignore[no-untyped-def]
    return sorted((s.name, s.line, s.detail) for s in facts.signals if s.kind == KIND)


def test_django_paths_name_their_view_even_across_lines() -> None:
    text = (
        "from django.urls import include, path, re_path\n"
        "from shop import views\n\n"
        "urlpatterns = [\n"
        '    path("orders/<int:pk>/", views.order_detail, name="order"),\n'
        "    path(\n"
        '        "orders/new/",\n'
        "        views.new_order,\n"
        '        name="new-order",\n'
        "    ),\n"
        '    re_path(r"^carts/$", views.CartView.as_view(), name="carts"),\n'
        '    path("pay/", login_required(views.pay)),\n'
        '    path("api/", include("shop.api.urls")),\n'
        "]\n"
    )
    assert handlers(extract_python(text)) == [
        ("^carts/$", 11, "views.CartView"),
        ("orders/<int:pk>/", 5, "views.order_detail"),
        ("orders/new/", 8, "views.new_order"),
        ("pay/", 12, "views.pay"),
    ]


def test_go_routes_take_the_last_argument_and_method_patterns() -> None:
    text = (
        "package web\n\n"
        "func Routes(h *Handler) {\n"
        '\tmux.HandleFunc("POST /entries/{id}/save", h.saveEntry)\n'
        '\trouter.HandleFunc("/feeds", h.listFeeds).Name("feeds").Methods("GET")\n'
        '\tr.GET("/users", auth, h.listUsers)\n'
        '\tmux.HandleFunc("/inline", func(w http.ResponseWriter, r *http.Request) {})\n'
        "}\n"
    )
    facts = extract_go(text)
    assert handlers(facts) == [
        ("/inline", 7, "func"),  # written inline: the flow starts at that function
        ("GET /feeds", 5, "h.listFeeds"),  # gorilla's method is in `.Methods(…)`
        ("GET /users", 6, "h.listUsers"),
        ("POST /entries/{id}/save", 4, "h.saveEntry"),
    ]
    routes = sorted(s.detail for s in facts.signals if s.kind == "entrypoint.http")
    assert "/entries/{id}/save" in routes  # Go 1.22's "POST /p" is a route too


def test_express_routes_skip_middleware_and_mark_inline_functions() -> None:
    text = (
        "app.get('/login', userController.getLogin);\n"
        "app.post('/login', limiter, userController.postLogin);\n"
        "app.get('/upload', lusca({ csrf: true }), api.getUpload);\n"
        "app.get('/home', (req, res) => res.redirect('/'));\n"
        "router.post('/x',\n  mw,\n  ctrl.x);\n"
    )
    assert handlers(extract_javascript(text)) == [
        ("GET /home", 4, "func"),  # inline: the call reader names it (`route4`)
        ("GET /login", 1, "userController.getLogin"),
        ("GET /upload", 3, "api.getUpload"),
        ("POST /login", 2, "userController.postLogin"),
        ("POST /x", 5, "func"),  # its handler is on a later line: only an inline one resolves
    ]


def test_a_commonjs_handler_head_is_located_by_its_require() -> None:
    text = (
        "const users = require('./controllers/users');\n"
        "const other = require('./other');\n"
        "app.post('/signup', users.postSignup);\n"
    )
    found = [(s.kind, s.name, s.line, s.detail) for s in extract_javascript(text).signals]
    assert ("route.module", "users", 1, "./controllers/users") in found
    assert not any(name == "other" for _, name, _, _ in found)


def test_handler_ref_reads_only_plain_references() -> None:
    assert handler_ref("views.ping, name='ping')", last=False) == "views.ping"
    assert handler_ref("http.HandlerFunc(h.save))", last=True) == "h.save"
    assert handler_ref("include(urls))", last=False) == ""
    assert handler_ref("None)", last=False) == ""
    assert handler_ref("a, b", last=True) == ""  # the call goes on: its last argument is unseen


def test_a_handler_wrapped_with_literal_options_is_the_one_reference() -> None:
    assert handler_ref('allow(h.sendNote, "notes:send"))', last=True) == "h.sendNote"
    assert handler_ref('allow(withID(h.getPhoto), "photos:get", 2))', last=True) == "h.getPhoto"
    assert handler_ref("both(h.one, h.two))", last=True) == ""  # two references: neither
    assert handler_ref("wrap(h.x)(y))", last=True) == ""
    text = (
        "package web\n\n"
        "func Routes(g *echo.Group, h *Handler) {\n"
        '\tg.POST("/api/notes", allow(h.sendNote, "notes:send"))\n'
        '\tg.GET("/api/photos/:id", allow(withID(h.getPhoto), "photos:get"))\n'
        "}\n"
    )
    assert handlers(extract_go(text)) == [
        ("GET /api/photos/:id", 5, "h.getPhoto"),
        ("POST /api/notes", 4, "h.sendNote"),
    ]


def test_django_include_prefixes_join_lists_inline_lists_and_modules() -> None:
    text = (
        "from django.urls import include, path, re_path\n"
        "from shop import views\n\n"
        "uuid_urls = [\n"
        '    path("fail", views.fail),\n'
        "]\n\n"
        "api: list = [\n"
        '    re_path(r"^checks/[0-9]+/$", views.checks),\n'
        '    path("inner/", include([\n'
        '        path("deep/", views.deep),\n'
        "    ])),\n"
        "]\n\n"
        "urlpatterns = [\n"
        '    path("ping/<uuid:code>/", include(uuid_urls)),\n'
        '    re_path(r"^api/v1/", include(api)),\n'
        '    path("api/v2/", include(api)),\n'
        '    path("accounts/", include("shop.accounts.urls")),\n'
        '    path("ns/", include(("shop.ns.urls", "ns"), namespace="ns")),\n'
        '    path("x/", include([path("y/", views.y)])),\n'
        '    path("ping/", views.ping),\n'
        "]\n"
    )
    facts = extract_python(text)
    assert handlers(facts) == [
        ("^api/v1/checks/[0-9]+/$", 9, "views.checks"),  # a list included twice: the first
        ("^api/v1/inner/deep/", 11, "views.deep"),
        ("ping/", 22, "views.ping"),
        ("ping/<uuid:code>/fail", 5, "views.fail"),
        ("x/y/", 21, "views.y"),
    ]
    includes = sorted((s.name, s.line, s.detail) for s in facts.signals if s.kind == INCLUDE)
    assert includes == [("shop.accounts.urls", 19, "accounts/"), ("shop.ns.urls", 20, "ns/")]


def test_go_sub_routers_groups_and_chi_routes_prefix_their_routes() -> None:
    text = (
        "package web\n\n"
        "func Routes(h *Handler, router *mux.Router, r *gin.Engine, c chi.Router) {\n"
        '\tv1 := router.PathPrefix("/v1").Subrouter()\n'
        '\tv1.HandleFunc("/feeds", h.listFeeds).Methods(http.MethodPost)\n'
        '\tadmin := v1.PathPrefix("/admin/").Subrouter()\n'
        '\tadmin.HandleFunc("/users/{id}", h.users).Methods("DELETE")\n'
        '\trouter.HandleFunc("/health", h.health)\n'
        '\tg := r.Group("/api")\n'
        '\tg.POST("/items/:id", auth, h.saveItem)\n'
        '\tc.Route("/chi", func(c chi.Router) {\n'
        '\t\tc.Post("/things", h.things)\n'
        '\t\tc.Route("/{id}", func(c chi.Router) {\n'
        '\t\t\tc.Get("/", h.thing)\n'
        "\t\t})\n"
        "\t})\n"
        '\tc.Get("/after", h.after)\n'
        "}\n"
    )
    assert handlers(extract_go(text)) == [
        ("/health", 8, "h.health"),
        ("DELETE /v1/admin/users/{id}", 7, "h.users"),
        ("GET /after", 17, "h.after"),
        ("GET /chi/{id}", 14, "h.thing"),
        ("POST /api/items/:id", 10, "h.saveItem"),
        ("POST /chi/things", 12, "h.things"),
        ("POST /v1/feeds", 5, "h.listFeeds"),
    ]


def test_flask_blueprint_and_fastapi_router_prefixes_join_their_decorator_routes() -> None:
    text = (
        "from flask import Blueprint\n"
        "from fastapi import APIRouter\n\n"
        'bp = Blueprint("auth", __name__, url_prefix="/auth")\n'
        "router = APIRouter(\n"
        '    prefix="/items",\n'
        '    tags=["items"],\n'
        ")\n"
        'plain = Blueprint("main", __name__)\n\n\n'
        '@bp.route("/login", methods=["POST"])\n'
        "def login():\n    pass\n\n\n"
        '@router.get("/{item_id}")\n'
        "def item(item_id):\n    pass\n\n\n"
        '@plain.route("/")\n'
        "def index():\n    pass\n"
    )
    routes = sorted(
        (s.line, s.detail) for s in extract_python(text).signals if s.kind == "entrypoint.http"
    )
    assert [r for r in routes if r[1]] == [(12, "/auth/login"), (17, "/items/{item_id}"), (22, "/")]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "re_",
                "path(",
                "url(",
                "re_path(",
                "get_absolute_url(",
                "'p/'",
                ", ",
                "views.x",
                ")",
                "\n",
                " ",
                "r",
                '"',
                "x",
            ]
        ),
        max_size=40,
    )
)
@example(["re_", "re_path(", "'p/'", ", ", "views.x", "path(", "'q/'", ", ", "views.y"])
def test_django_routes_are_the_matches_of_the_whole_pattern(parts: list[str]) -> None:
    # Tried only where a route call is written: the same match as the pattern's own search,
    # from every position a forward scan asks from.
    text = "".join(parts)
    fast = route_refs._PythonSearch(text)
    pos = 0
    while pos <= len(text):
        m = fast.search(text, pos)
        want = route_refs._PY.search(text, pos)
        assert (m and (m.span(), m.groupdict())) == (want and (want.span(), want.groupdict()))
        if m is None:
            break
        pos = m.start() + 1


def test_an_instance_of_a_class_is_a_handler_but_a_call_with_arguments_is_not() -> None:
    assert handler_ref('feeds.LatestFeed(), name="feed")', False) == "feeds.LatestFeed()"
    assert handler_ref("feeds.latest_feed(), name='x')", False) == ""  # a function's result
    assert handler_ref("feeds.LatestFeed(10))", False) == ""
    assert handler_ref("srv.Handler())", True) == ""  # Go and JS: the last argument's call


def test_hostile_instance_handlers_stay_fast() -> None:
    import time

    start = time.process_time()
    text = "urlpatterns = [\n" + '    path("x", a.B()),\n' * 20_000 + "]\n"
    assert len(route_refs.route_handler_signals(text, "python", route_refs.Lines(text))) > 0
    handler_ref("A" * 100_000 + "()", False)
    handler_ref("a." * 50_000 + "B()", False)
    assert time.process_time() - start < 20  # generous: a shared machine
