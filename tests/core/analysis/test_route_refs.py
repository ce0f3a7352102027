"""Routes registered with a handler reference become `route.handler` signals."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.analysis import route_refs
from bot.core.analysis.golang import extract_go
from bot.core.analysis.javascript import extract_javascript
from bot.core.analysis.python import extract_python
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
        ("/feeds", 5, "h.listFeeds"),  # gorilla's method is in `.Methods(…)`: not read
        ("GET /users", 6, "h.listUsers"),
        ("POST /entries/{id}/save", 4, "h.saveEntry"),
    ]
    routes = sorted(s.detail for s in facts.signals if s.kind == "entrypoint.http")
    assert "/entries/{id}/save" in routes  # Go 1.22's "POST /p" is a route too


def test_express_routes_skip_middleware_and_inline_functions() -> None:
    text = (
        "app.get('/login', userController.getLogin);\n"
        "app.post('/login', limiter, userController.postLogin);\n"
        "app.get('/upload', lusca({ csrf: true }), api.getUpload);\n"
        "app.get('/home', (req, res) => res.redirect('/'));\n"
        "router.post('/x',\n  mw,\n  ctrl.x);\n"
    )
    assert handlers(extract_javascript(text)) == [
        ("GET /login", 1, "userController.getLogin"),
        ("GET /upload", 3, "api.getUpload"),
        ("POST /login", 2, "userController.postLogin"),
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
    # Tried only where a route call is written: the same matches as the pattern's own scan.
    text = "".join(parts)
    found = [(m.span(), m.groupdict()) for m in route_refs._python_matches(text)]
    assert found == [(m.span(), m.groupdict()) for m in route_refs._PY.finditer(text)]
