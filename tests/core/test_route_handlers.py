"""Flows of routes registered by reference start at each handler (issue 18)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Flow, RepoFacts
from bot.core.render_flows import container_diagram
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def chain(flow: Flow) -> list[tuple[str, int | None, str]]:
    return [(h.path, h.line, h.what) for h in (*flow.hops, *flow.sinks[:1])]


DJANGO = {
    "requirements.txt": b"django\n",
    "shop/urls.py": (
        b"from django.urls import path\n"
        b"from shop import views\n\n"
        b"urlpatterns = [\n"
        b'    path("orders/<int:pk>/", views.order_detail),\n'
        b'    path("carts/", views.CartView.as_view()),\n'
        b"]\n"
    ),
    "shop/views.py": (
        b"from shop.models import Order, Cart\n\n\n"
        b"def order_detail(request, pk):\n"
        b"    return Order.objects.get(pk=pk)\n\n\n"
        b"class CartView:\n"
        b"    def post(self, request):\n"
        b"        return Cart.objects.create(owner=request.user)\n"
    ),
    "shop/models.py": b"class Order:\n    pass\n\n\nclass Cart:\n    pass\n",
}


def test_a_django_route_starts_at_its_view_and_cites_where_it_is_routed() -> None:
    facts = facts_of(DJANGO)
    names = sorted(f.name for f in facts.flows)
    assert names == [
        "/orders/<int:pk>/ (shop/views.py) → database (ORM)",
        "POST /carts/ (shop/views.py) → database (ORM)",  # the view's method names its verb
    ]
    flow = next(f for f in facts.flows if f.name.startswith("/orders"))
    assert flow.rank == "public"
    assert chain(flow) == [
        ("shop/views.py", 4, "http entry point (order_detail)"),
        ("shop/urls.py", 5, "routes /orders/<int:pk>/ to views.order_detail"),
        ("shop/views.py", 5, "queries the database (Order.objects.get)"),
    ]
    cart = next(f for f in facts.flows if f.name.startswith("POST /carts"))
    assert cart.hops[0] == cart.hops[0].__class__(
        "shop/views.py", 9, "http entry point (CartView.post)"
    )
    # The routes file's own walk through its imports is gone.
    assert not any(f.hops[0].path == "shop/urls.py" for f in facts.flows)


def test_a_class_instance_routed_as_a_view_starts_at_the_methods_its_class_defines() -> None:
    files = dict(DJANGO)
    files["shop/urls.py"] = (
        b"from django.urls import path\n"
        b"from shop import views\n\n"
        b"urlpatterns = [\n"
        b'    path("orders.xml", views.OrderFeed()),\n'
        b'    path("carts.xml", views.cart_feed(limit)),\n'  # a function's result: not a class
        b"]\n"
    )
    files["shop/views.py"] += (
        b"\n\nclass OrderFeed(Feed):\n"
        b"    def items(self, obj):\n"
        b"        return Order.objects.filter(open=True)\n\n"
        b"    def _private(self):\n"
        b"        return Cart.objects.all()\n\n\n"
        b"def cart_feed(limit):\n"
        b"    return Cart.objects.all()[:limit]\n"
    )
    flows = facts_of(files).flows
    starts = {f.hops[0].what for f in flows if f.hops[0].path == "shop/views.py"}
    assert starts == {"http entry point (OrderFeed.items)"}


GO = {
    "go.mod": b"module example.com/reader\n\ngo 1.22\n",
    "web/routes.go": (
        b"package web\n\n"
        b'import "net/http"\n\n'
        b"func Serve(h *handler) http.Handler {\n"
        b"\tmux := http.NewServeMux()\n"
        b'\tmux.HandleFunc("POST /entries/{id}/save", h.saveEntry)\n'
        b"\treturn mux\n}\n"
    ),
    "web/handler.go": b"package web\n\ntype handler struct{}\n",
    "web/entry_save.go": (
        b"package web\n\n"
        b'import (\n\t"net/http"\n\n\t"example.com/reader/share"\n)\n\n'
        b"func (h *handler) saveEntry(w http.ResponseWriter, r *http.Request) {\n"
        b'\tclient := share.NewClient("https://bookmarks.example")\n'
        b"\tclient.Save(r.URL.Path)\n}\n"
    ),
    "share/client.go": (
        b"package share\n\n"
        b'import "net/http"\n\n'
        b"type Client struct{ url string }\n\n"
        b"func NewClient(url string) *Client { return &Client{url} }\n\n"
        b"func (c *Client) Save(link string) error {\n"
        b'\t_, err := http.Post(c.url, "text/plain", nil)\n'
        b"\treturn err\n}\n"
    ),
}


def test_a_go_method_value_is_the_handler_and_a_constructed_client_is_followed() -> None:
    facts = facts_of(GO)
    flow = next(f for f in facts.flows if f.hops[0].path == "web/entry_save.go")
    assert flow.name.startswith("POST /entries/{id}/save (web/entry_save.go) → ")
    assert chain(flow)[:4] == [
        ("web/entry_save.go", 9, "http entry point (handler.saveEntry)"),
        ("web/routes.go", 7, "routes POST /entries/{id}/save to h.saveEntry"),
        ("web/entry_save.go", 10, "calls share.NewClient"),
        ("web/entry_save.go", 11, "calls share.Client.Save"),
    ]
    assert flow.sinks[0].path == "share/client.go"


def test_a_go_method_value_through_struct_fields_is_the_handler() -> None:
    files = dict(GO)
    files["web/routes.go"] = (
        b"package web\n\n"
        b'import "net/http"\n\n'
        b"type server struct{ priv struct{ h *handler } }\n\n"
        b"func (s *server) Serve() http.Handler {\n"
        b"\tmux := http.NewServeMux()\n"
        b'\tmux.HandleFunc("POST /entries/{id}/save", s.priv.h.saveEntry)\n'
        b'\tmux.HandleFunc("GET /a", s.a.b.c.d.e)\n'  # deeper than a method value goes
        b"\treturn mux\n}\n"
    )
    facts = facts_of(files)
    flow = next(f for f in facts.flows if f.hops[0].path == "web/entry_save.go")
    assert flow.name.startswith("POST /entries/{id}/save (web/entry_save.go) → ")
    assert flow.sinks[0].path == "share/client.go"


JS = {
    "package.json": b'{"dependencies": {"express": "4"}}',
    "app.js": (
        b"import express from 'express';\n"
        b"import * as users from './controllers/users.js';\n"
        b"const app = express();\n"
        b"app.post('/signup', limiter, users.postSignup);\n"
        b"app.listen(3000);\n"
    ),
    "controllers/users.js": (
        b"import { save } from '../store.js';\n\n"
        b"export async function postSignup(req, res) {\n"
        b"  await save(req.body);\n"
        b"}\n"
    ),
    "store.js": (
        b"export async function save(user) {\n"
        b"  await fetch('https://accounts.example.com/users', { method: 'POST' });\n"
        b"}\n"
    ),
}


def test_an_express_route_starts_at_its_controller_function() -> None:
    facts = facts_of(JS)
    flow = next(f for f in facts.flows if f.hops[0].path == "controllers/users.js")
    assert flow.name.startswith("POST /signup (controllers/users.js) → ")
    assert chain(flow)[:3] == [
        ("controllers/users.js", 3, "http entry point (postSignup)"),
        ("app.js", 4, "routes POST /signup to users.postSignup"),
        ("controllers/users.js", 4, "calls store.save"),
    ]
    # app.js starts the server: its own flow stays.
    assert any(f.hops[0].path == "app.js" for f in facts.flows)


COMMONJS = {
    "package.json": b'{"dependencies": {"express": "4"}}',
    "app.js": (
        b"const express = require('express');\n"
        b"const userController = require('./controllers/user');\n"
        b"const app = express();\n"
        b"app.get('/account', isAuthenticated, userController.getAccount);\n"
        b"app.listen(3000);\n"
    ),
    "controllers/user.js": (
        b"exports.getAccount = async (req, res) => {\n"
        b"  await fetch('https://profiles.example.com/me');\n"
        b"  res.render('account');\n"
        b"};\n"
    ),
}


def test_a_commonjs_controller_is_found_through_its_require_and_exports() -> None:
    facts = facts_of(COMMONJS)
    flow = next(f for f in facts.flows if f.hops[0].path == "controllers/user.js")
    assert flow.name.startswith("GET /account (controllers/user.js) → ")
    assert chain(flow)[:2] == [
        ("controllers/user.js", 1, "http entry point (getAccount)"),
        ("app.js", 4, "routes GET /account to userController.getAccount"),
    ]
    assert (flow.sinks[0].path, flow.sinks[0].line) == ("controllers/user.js", 2)


def test_handlers_that_change_something_come_before_pages() -> None:
    files = dict(GO)
    files["web/routes.go"] = (
        b"package web\n\n"
        b'import "net/http"\n\n'
        b"func Serve(h *handler) http.Handler {\n"
        b"\tmux := http.NewServeMux()\n"
        b'\tmux.HandleFunc("GET /entries/{id}", h.showEntry)\n'
        b'\tmux.HandleFunc("POST /entries/{id}/save", h.saveEntry)\n'
        b"\treturn mux\n}\n"
    )
    files["web/entry_show.go"] = (
        b"package web\n\n"
        b'import "net/http"\n\n'
        b"func (h *handler) showEntry(w http.ResponseWriter, r *http.Request) {\n"
        b'\thttp.Get("https://covers.example.com/img")\n}\n'
    )
    public = [f.name for f in facts_of(files).flows if f.rank == "public"]
    assert public[0].startswith("POST /entries/{id}/save")
    assert any(name.startswith("GET /entries/{id}") for name in public)


def test_the_container_view_draws_a_handler_flow_from_its_routes_file() -> None:
    files = dict(GO)
    files["share/client.go"] = (
        b"package share\n\n"
        b'import (\n\t"database/sql"\n\n\t_ "github.com/lib/pq"\n)\n\n'
        b"type Client struct{ db *sql.DB }\n\n"
        b"func NewClient(url string) *Client { return &Client{} }\n\n"
        b"func (c *Client) Save(link string) error {\n"
        b'\t_, err := c.db.Exec("INSERT INTO links VALUES ($1)", link)\n'
        b"\treturn err\n}\n"
    )
    facts = facts_of(files)
    flow = next(f for f in facts.flows if f.hops[0].path == "web/entry_save.go")
    assert "PostgreSQL" in flow.name
    text = container_diagram(facts)
    entry = next(line.split("[")[0].strip() for line in text.splitlines() if "routes.go" in line)
    assert f"{entry} --> ds_postgresql" in text


DJANGO_INCLUDES = {
    "requirements.txt": b"django\n",
    "proj/__init__.py": b"",
    "proj/urls.py": (
        b"from django.urls import include, path\n\n"
        b'urlpatterns = [\n    path("api/", include("shop.urls")),\n]\n'
    ),
    "shop/__init__.py": b"",
    "shop/urls.py": (
        b"from django.urls import include, path\n"
        b"from shop import views\n\n"
        b'order_urls = [\n    path("pay/", views.pay),\n]\n\n'
        b'urlpatterns = [\n    path("orders/<int:pk>/", include(order_urls)),\n]\n'
    ),
    "shop/views.py": (
        b"from shop.models import Order\n\n\n"
        b"def pay(request, pk):\n"
        b"    return Order.objects.create(pk=pk)\n"
    ),
    "shop/models.py": b"class Order:\n    pass\n",
}


def test_a_django_route_is_named_with_the_prefixes_of_every_include_above_it() -> None:
    flow = next(f for f in facts_of(DJANGO_INCLUDES).flows if f.hops[0].path == "shop/views.py")
    assert flow.name == "/api/orders/<int:pk>/pay/ (shop/views.py) → database (ORM)"
    assert chain(flow)[1] == ("shop/urls.py", 5, "routes /api/orders/<int:pk>/pay/ to views.pay")


PREFIXED_ROUTERS = {
    "requirements.txt": b"flask\nfastapi\n",
    "app/__init__.py": (
        b"from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"
        b"    from app.auth import bp as auth_bp\n"
        b"    app.register_blueprint(auth_bp, url_prefix='/auth')\n"
        b"    from app.main import bp\n    app.register_blueprint(bp)\n"
        b"    from app.admin import bp as admin_bp\n"
        b"    app.register_blueprint(admin_bp, url_prefix='/admin')\n"
        b"    return app\n"
    ),
    "app/admin/__init__.py": b"from flask import Blueprint\n\nbp = Blueprint('admin', __name__)\n",
    "app/admin/routes.py": (
        b"import requests\nfrom app.admin import bp\n\n\n@bp.route('/purge', methods=['POST'])\n"
        b"def purge():\n    requests.post('https://cdn.example.com/purge')\n"
    ),
    "app/auth/__init__.py": b"from flask import Blueprint\n\nbp = Blueprint('auth', __name__)\n",
    "app/auth/routes.py": (
        b"import requests\nfrom app.auth import bp\n\n\n@bp.route('/login', methods=['POST'])\n"
        b"def login():\n    requests.post('https://id.example.com/token')\n"
    ),
    "app/main/__init__.py": b"from flask import Blueprint\n\nbp = Blueprint('main', __name__)\n",
    "app/main/routes.py": (
        b"import requests\nfrom app.main import bp\n\n\n@bp.route('/index')\n"
        b"def index():\n    requests.get('https://feed.example.com/x')\n"
    ),
    "api/__init__.py": b"",
    "api/routers/__init__.py": b"",
    "api/main.py": (
        b"from fastapi import FastAPI\nfrom api.routers import items\n\napp = FastAPI()\n"
        b'app.include_router(\n    items.router,\n    prefix="/api",\n)\n'
    ),
    "api/routers/items.py": (
        b'import httpx\nfrom fastapi import APIRouter\n\nrouter = APIRouter(prefix="/items")\n\n\n'
        b'@router.post("/{item_id}")\nasync def save(item_id):\n'
        b"    httpx.post('https://store.example.com/x')\n"
    ),
}


def test_flask_blueprints_and_fastapi_routers_take_the_prefix_they_are_registered_at() -> None:
    names = sorted(
        f.name for f in facts_of(PREFIXED_ROUTERS).flows if "(app/" in f.name or "(api/r" in f.name
    )
    assert [n for n in names if n.startswith("/")] == [
        "/admin/purge (app/admin/routes.py) → cdn.example.com",
        "/api/items/{item_id} (api/routers/items.py) → store.example.com",
        "/auth/login (app/auth/routes.py) → id.example.com",
        "/index (app/main/routes.py) → feed.example.com",
    ]


GO_INLINE = {
    "go.mod": b"module example.com/notes\n\ngo 1.22\n",
    "main.go": (
        b"package main\n\n"
        b'import (\n\t"net/http"\n\n\t"github.com/go-chi/chi/v5"\n)\n\n'
        b"func main() {\n"
        b"\tr := chi.NewRouter()\n"
        b'\tr.Route("/api", func(r chi.Router) {\n'
        b'\t\tr.Post("/notes", func(w http.ResponseWriter, req *http.Request) {\n'
        b'\t\t\thttp.Post("https://audit.example.com/notes", "text/plain", req.Body)\n'
        b"\t\t})\n"
        b"\t})\n"
        b'\thttp.ListenAndServe(":8080", r)\n'
        b"}\n"
    ),
}


def test_a_go_handler_written_inline_starts_its_own_flow_at_its_line() -> None:
    flows = facts_of(GO_INLINE).flows
    flow = next(f for f in flows if f.name.startswith("POST /api/notes"))
    assert flow.name.startswith("POST /api/notes (main.go) → ")
    assert chain(flow)[:2] == [
        ("main.go", 12, "http entry point (main.func12)"),
        ("main.go", 12, "routes POST /api/notes to func"),
    ]


DRF = {
    "requirements.txt": b"django\ndjangorestframework\n",
    "proj/__init__.py": b"",
    "proj/urls.py": (
        b"from django.urls import include, path\n\n"
        b'urlpatterns = [\n    path("api/", include("shop.api_urls")),\n]\n'
    ),
    "shop/__init__.py": b"",
    "shop/api_urls.py": (
        b"from rest_framework.routers import DefaultRouter\n"
        b"from shop import api_views\n\n"
        b"router = DefaultRouter()\n"
        b'router.register(r"orders", api_views.OrderViewSet, basename="order")\n'
        b'router.register(r"sites", api_views.SiteViewSet)\n'
        b"urlpatterns = router.urls\n"
    ),
    "shop/api_views.py": (
        b"from rest_framework import viewsets\n"
        b"from shop.models import Order, Site\n\n\n"
        b"class OrderViewSet(viewsets.ModelViewSet):\n"
        b"    def perform_create(self, serializer):\n"
        b"        Order.objects.create(owner=self.request.user)\n\n\n"
        b"class SiteViewSet(viewsets.ModelViewSet):\n"
        b"    queryset = Site.objects.all()\n"
    ),
    "shop/models.py": b"class Order:\n    pass\n\n\nclass Site:\n    pass\n",
}


def test_a_drf_router_routes_to_a_viewsets_own_actions_under_its_include_prefix() -> None:
    flows = facts_of(DRF).flows
    flow = next(f for f in flows if f.hops[0].path == "shop/api_views.py")
    assert flow.name == "POST /api/orders (shop/api_views.py) → database (ORM)"
    assert chain(flow)[:2] == [
        ("shop/api_views.py", 6, "http entry point (OrderViewSet.perform_create)"),
        ("shop/api_urls.py", 5, "routes POST /api/orders to api_views.OrderViewSet"),
    ]


def test_a_viewsets_extra_action_is_a_start_of_its_own() -> None:
    files = dict(DRF)
    files["shop/api_views.py"] = files["shop/api_views.py"].replace(
        b"from rest_framework import viewsets\n",
        b"from rest_framework import viewsets\nfrom rest_framework.decorators import action\n",
    ) + (
        b"\n\nclass ReportViewSet(viewsets.ViewSet):\n"
        b"    @action(\n        methods=['get'], detail=False\n    )\n"
        b"    def totals(self, request):\n"
        b"        return Order.objects.filter(open=True).count()\n\n"
        b"    # @action(detail=True) once decorated this one\n"
        b"    def audit(self, request):\n"
        b"        return Site.objects.filter(open=True).count()\n"
    )
    files["shop/api_urls.py"] = files["shop/api_urls.py"].replace(
        b"urlpatterns", b'router.register(r"reports", api_views.ReportViewSet)\nurlpatterns'
    )
    starts = {f.hops[0].what for f in facts_of(files).flows}
    assert "http entry point (ReportViewSet.totals)" in starts
    assert "http entry point (ReportViewSet.audit)" not in starts


def test_hostile_action_decorators_stay_fast() -> None:
    import time

    from bot.core.analysis.route_refs import drf_action_signals
    from bot.core.analysis.scan import Lines

    start = time.process_time()
    text = "import rest_framework\n" + "    @action(\n" * 50_000
    assert drf_action_signals(text, Lines(text), lambda _: False) == []
    body = "        x = 1\n" * 1_900
    text = "import rest_framework\nclass A:\n" + ("    @action()\n    def f(self):\n" + body) * 60
    # its class is looked for `MAX_CLASS_UP` lines up at most: the far ones are not named
    assert 1 <= len(drf_action_signals(text, Lines(text), lambda _: False)) < 60
    assert time.process_time() - start < 20  # generous: a shared machine


INHERITED = {
    "requirements.txt": b"django\ndjangorestframework\n",
    "shop/__init__.py": b"",
    "shop/urls.py": (
        b"from django.urls import path\n"
        b"from rest_framework.routers import DefaultRouter\n"
        b"from shop import views\n\n"
        b"router = DefaultRouter()\n"
        b'router.register("devices", views.DeviceViewSet)\n\n'
        b"urlpatterns = [\n"
        b'    path("sites/", views.SiteListView.as_view()),\n'
        b"] + router.urls\n"
    ),
    "shop/views.py": (
        b"from django.views.generic import ListView\n"
        b"from rest_framework import viewsets\n"
        b"from shop import models\n\n\n"
        b"class SiteListView(ListView):\n"
        b"    model = models.Site\n\n\n"
        b"class DeviceViewSet(viewsets.ModelViewSet):\n"
        b'    queryset = models.Device.objects.prefetch_related("site")\n'
        b"    serializer_class = None\n"
    ),
    "shop/models.py": b"class Site:\n    pass\n\n\nclass Device:\n    pass\n",
}


def test_a_class_view_that_inherits_its_methods_starts_at_the_class_and_reaches_its_model() -> None:
    flows = {
        f.name: chain(f) for f in facts_of(INHERITED).flows if f.hops[0].path == "shop/views.py"
    }
    assert flows == {
        "/sites/ (shop/views.py) → database (ORM)": [
            ("shop/views.py", 6, "http entry point (SiteListView)"),
            ("shop/urls.py", 9, "routes /sites/ to views.SiteListView"),
            ("shop/views.py", 7, "queries the database (Site model, methods inherited)"),
        ],
        "/devices (shop/views.py) → database (ORM)": [
            ("shop/views.py", 10, "http entry point (DeviceViewSet)"),
            ("shop/urls.py", 6, "routes /devices to views.DeviceViewSet"),
            ("shop/views.py", 11, "queries the database (Device model, methods inherited)"),
        ],
    }


KOA = {
    "package.json": b'{"dependencies": {"koa": "2", "@koa/router": "12"}}',
    "app.js": (
        b"const Koa = require('koa');\n"
        b"const Router = require('@koa/router');\n"
        b"const users = require('./routes/users');\n"
        b"const app = new Koa();\n"
        b"const api = new Router();\n"
        b"api.use('/v1', users.routes(), users.allowedMethods());\n"
        b"app.use(api.routes());\n"
        b"app.listen(3000);\n"
    ),
    "routes/users.js": (
        b"const Router = require('@koa/router');\n"
        b"const users = require('../controllers/users');\n"
        b"const router = new Router({ prefix: '/users' });\n"
        b"router.post('/:id', users.save);\n"
        b"module.exports = router;\n"
    ),
    "controllers/users.js": (
        b"exports.save = async (ctx) => {\n"
        b"  await fetch('https://accounts.example.com/users', { method: 'POST' });\n"
        b"};\n"
    ),
}


def test_koa_router_prefixes_and_routes_mounts_name_the_route() -> None:
    flow = next(f for f in facts_of(KOA).flows if f.hops[0].path == "controllers/users.js")
    assert flow.name.startswith("POST /v1/users/:id (controllers/users.js) → ")


RAILS = {
    "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
    "config/routes.rb": (
        b"Rails.application.routes.draw do\n"
        b'  root to: "home#index"\n'
        b'  post "/login" => "login#login"\n'
        b"  resources :stories, only: [:create, :show] do\n"
        b"    member do\n"
        b"      post :upvote\n"
        b"    end\n"
        b"  end\n"
        b"  namespace :mod do\n"
        b"    resources :notes, only: %i[create]\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/stories_controller.rb": (
        b"class StoriesController < ApplicationController\n"
        b"  def create\n"
        b"    SendWebmentionJob.perform_later(1)\n"
        b"  end\n\n"
        b"  def upvote\n"
        b"    Vote.create!(story_id: params[:id])\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/mod/notes_controller.rb": (
        b"class Mod::NotesController < ApplicationController\n"
        b"  def create\n"
        b"    ModNote.create!(note: params[:note])\n"
        b"  end\n"
        b"end\n"
    ),
    "app/jobs/send_webmention_job.rb": (
        b"class SendWebmentionJob < ApplicationJob\n  def perform(id)\n  end\nend\n"
    ),
}


def test_rails_routes_start_at_their_controller_actions() -> None:
    from bot.core.analysis.rails_routes import rails_route_signals

    routes = [
        (s.name, s.line, s.detail) for s in rails_route_signals(RAILS["config/routes.rb"].decode())
    ]
    assert routes == [
        ("GET /", 2, "home#index"),
        ("POST /login", 3, "login#login"),
        ("POST /stories", 4, "stories#create"),
        ("GET /stories/:id", 4, "stories#show"),
        ("POST /stories/:id/upvote", 6, "stories#upvote"),
        ("POST /mod/notes", 10, "mod/notes#create"),
    ]
    flows = facts_of(RAILS).flows
    flow = next(f for f in flows if f.name.startswith("POST /stories "))
    assert chain(flow)[:2] == [
        ("app/controllers/stories_controller.rb", 2, "http entry point (StoriesController.create)"),
        ("config/routes.rb", 4, "routes POST /stories to stories#create"),
    ]


FORM_VIEWS = {
    "requirements.txt": b"django\ncelery\n",
    "desk/urls.py": (
        b"from django.urls import include, path\n"
        b"from desk import views, wizard\n\n"
        b"urlpatterns = [\n"
        b'    path("<slug:org>/", include([\n'
        b'        path("reset/", views.ResetView.as_view(), name="reset"),\n'
        b'        path("apply/<step>/", wizard.ApplyWizard.as_view(), name="apply"),\n'
        b"    ])),\n"
        b"]\n"
    ),
    "desk/generic.py": (
        b"from django.views.generic import FormView\n"
        b"from desk.accounts import reset_password\n\n\n"
        b"class GenericResetView(FormView):\n"
        b"    def form_valid(self, form):\n"
        b"        reset_password(form.user)\n"
        b"        return self.done_page()\n\n"
        b"    def done_page(self):\n"
        b"        return None\n"
    ),
    "desk/views.py": (
        b"from desk.generic import GenericResetView\n\n\n"
        b"class ResetView(GenericResetView):\n"
        b'    template_name = "reset.html"\n\n'
        b"    def get_success_url(self):\n"
        b'        return "/"\n'
    ),
    "desk/accounts.py": (
        b"from desk.tasks import send_reset_mail\n\n\n"
        b"def reset_password(user):\n"
        b"    user.save()\n"
        b"    send_reset_mail.apply_async(args=(user.pk,))\n"
    ),
    "desk/tasks.py": (
        b"from celery import shared_task\n\n\n"
        b"@shared_task\n"
        b"def send_reset_mail(pk):\n"
        b"    return pk\n"
    ),
    "desk/wizard.py": (
        b"from django.views import View\n"
        b"from desk.models import Application\n\n\n"
        b"class ApplyWizard(View):\n"
        b"    def dispatch(self, request, *args, **kwargs):\n"
        b"        return self.done(request)\n\n"
        b"    def done(self, request):\n"
        b"        return Application.objects.create(owner=request.user)\n"
    ),
    "desk/models.py": b"class Application:\n    pass\n",
}


def test_a_class_view_starts_at_the_hooks_django_calls_own_or_inherited_from_the_repo() -> None:
    flows = facts_of(FORM_VIEWS).flows
    by_entry = {f.hops[0].path: f for f in flows}
    # `form_valid` is inherited from a base view in the repository: the flow starts there.
    reset = by_entry["desk/generic.py"]
    assert reset.hops[0].what == "http entry point (GenericResetView.form_valid)"
    assert reset.name.startswith("POST /<slug:org>/reset/ (desk/generic.py)")
    assert any(s.path == "desk/accounts.py" for s in (*reset.hops, *reset.sinks))
    # A wizard's `dispatch` runs `self.done`, which writes the model.
    wizard = by_entry["desk/wizard.py"]
    assert wizard.hops[0].what == "http entry point (ApplyWizard.dispatch)"
    assert any("database" in s.what for s in wizard.sinks)


RAILS_API = {
    "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
    "config/routes.rb": (
        b"Rails.application.routes.draw do\n"
        b"  namespace :api do\n"
        b"    namespace :v1 do\n"
        b"      resource :search, only: :show\n"
        b"      resources :packages,\n"
        b"        path: 'pkgs',\n"
        b"        only: %i[create show],\n"
        b"        format: /json|yaml/ do\n"
        b"        collection do\n"
        b'          delete :yank, to: "removals#create"\n'
        b"        end\n"
        b"      end\n"
        b"    end\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/api/v1/packages_controller.rb": (
        b"class Api::V1::PackagesController < Api::BaseController\n"
        b"  def create\n"
        b"    uploader = Uploader.new(params[:body])\n"
        b"    uploader.process\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/api/v1/removals_controller.rb": (
        b"class Api::V1::RemovalsController < Api::BaseController\n"
        b"  def create\n"
        b"    PurgeJob.perform_later(params[:name])\n"
        b"  end\n"
        b"end\n"
    ),
    "app/controllers/api/v1/searches_controller.rb": (
        b"class Api::V1::SearchesController < Api::BaseController\n"
        b"  def show\n"
        b"    PurgeJob.perform_later(params[:q])\n"
        b"  end\n"
        b"end\n"
    ),
    "app/models/uploader.rb": (
        b"class Uploader\n"
        b"  def process\n"
        b"    check &&\n"
        b"      store\n"
        b"  end\n\n"
        b"  def check\n"
        b"    true\n"
        b"  end\n\n"
        b"  private\n\n"
        b"  def store\n"
        b"    PurgeJob.perform_later(1)\n"
        b"  end\n"
        b"end\n"
    ),
    "app/jobs/purge_job.rb": b"class PurgeJob < ApplicationJob\n  def perform(id)\n  end\nend\n",
}


def test_rails_api_routes_read_options_over_lines_and_singular_resources() -> None:
    from bot.core.analysis.rails_routes import rails_route_signals

    routes = [
        (s.name, s.line, s.detail)
        for s in rails_route_signals(RAILS_API["config/routes.rb"].decode())
    ]
    assert routes == [
        ("GET /api/v1/search", 4, "api/v1/searches#show"),  # a singular resource's controller
        ("POST /api/v1/pkgs", 5, "api/v1/packages#create"),  # options on the lines below
        ("GET /api/v1/pkgs/:id", 5, "api/v1/packages#show"),
        ("DELETE /api/v1/pkgs/yank", 10, "api/v1/removals#create"),  # `to:` names the action
    ]


def test_a_rails_action_follows_bare_calls_of_its_own_methods() -> None:
    flows = facts_of(RAILS_API).flows
    entries = {f.hops[0].path for f in flows}
    assert "app/controllers/api/v1/removals_controller.rb" in entries
    push = next(f for f in flows if f.hops[0].path.endswith("packages_controller.rb"))
    # `check && store`: bare words naming the class's own methods are calls in Ruby.
    assert ("app/models/uploader.rb", 4, "calls Uploader.store") in chain(push)
    assert (push.sinks[0].path, push.sinks[0].line) == ("app/models/uploader.rb", 14)


def _app(name: str, count: int) -> dict[str, bytes]:
    """A Django app of `count` function views, each routed in its own `urls.py`."""
    routes = b"".join(
        b'    path("%s/%d/", views.v%d),\n' % (name.encode(), i, i) for i in range(count)
    )
    views = b"".join(
        b"def v%d(request):\n    return Row.objects.get(pk=%d)\n\n\n" % (i, i) for i in range(count)
    )
    return {
        f"{name}/urls.py": b"from django.urls import path\n"
        + b"from %s import views\n\nurlpatterns = [\n" % name.encode()
        + routes
        + b"]\n",
        f"{name}/views.py": b"from %s.models import Row\n\n\n" % name.encode() + views,
        f"{name}/models.py": b"class Row:\n    pass\n",
    }


def test_past_the_start_budget_each_routes_file_gets_its_turn(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.core import route_handlers

    monkeypatch.setattr(route_handlers, "MAX_STARTS", 4)
    files = {"requirements.txt": b"django\n", **_app("alpha", 6), **_app("beta", 2)}
    facts = facts_of(files)
    started = sorted({f.hops[0].path for f in facts.flows if f.hops[0].what.startswith("http")})
    # path order alone would spend the four starts on `alpha`; `beta` keeps two of its own
    assert started == ["alpha/views.py", "beta/views.py"]
    entries = [f.hops[0].what for f in facts.flows if f.hops[0].path == "beta/views.py"]
    assert sorted(entries) == ["http entry point (v0)", "http entry point (v1)"]


def test_under_the_start_budget_every_handler_starts_in_path_order() -> None:
    files = {"requirements.txt": b"django\n", **_app("alpha", 3), **_app("beta", 2)}
    entries = [f.hops[0] for f in facts_of(files).flows if f.hops[0].what.startswith("http")]
    assert len(entries) == 5
