"""Python flow starts (issue 18 item 3): one small app per web framework, CLI and worker idiom,
each a route (or command, or job) declared the framework's way whose handler calls a function
that makes an outbound HTTP call; the flow must start at the route or the handler and reach
that call. The harness is `flow_idioms.py`."""

from __future__ import annotations

import pytest

from tests.core.flow_idioms import FlowIdiom, misses

NOTIFY = (
    "import requests\n\n\ndef ping(data):\n"
    "    requests.post('https://api.example.com/x', json=data)\n"
)
SINK = ("svc/notify.py", "requests.post")


def app(idiom_id: str, files: dict[str, str], *entry: tuple[str, str]) -> FlowIdiom:
    return FlowIdiom(idiom_id, {"svc/notify.py": NOTIFY, **files}, entry, SINK)


IDIOMS = [
    # --- Flask ---------------------------------------------------------------------------
    app(
        "flask-app-route",
        {
            "requirements.txt": "flask\nrequests\n",
            "web/app.py": "from flask import Flask\nfrom svc.notify import ping\n\n"
            "app = Flask(__name__)\n\n\n@app.route('/items', methods=['POST'])\n"
            "def create_item():\n    ping({})\n    return ''\n",
        },
        ("web/app.py", "@app.route"),
        ("web/app.py", "def create_item"),
    ),
    app(
        "flask-blueprint-get",
        {
            "requirements.txt": "flask\nrequests\n",
            "web/items.py": "from flask import Blueprint\nfrom svc import notify\n\n"
            "bp = Blueprint('items', __name__, url_prefix='/items')\n\n\n@bp.get('/<int:i>')\n"
            "def show(i):\n    notify.ping(i)\n    return ''\n",
            "web/app.py": "from flask import Flask\nfrom web.items import bp\n\n"
            "def create_app():\n    app = Flask(__name__)\n    app.register_blueprint(bp)\n"
            "    return app\n",
        },
        ("web/items.py", "@bp.get"),
        ("web/items.py", "def show"),
    ),
    app(
        "flask-methodview-add-url-rule",
        {
            "requirements.txt": "flask\nrequests\n",
            "web/views.py": "from flask.views import MethodView\nfrom svc.notify import ping\n\n\n"
            "class ItemAPI(MethodView):\n    def get(self):\n        return ''\n\n"
            "    def post(self):\n        ping({})\n        return ''\n",
            "web/app.py": "from flask import Flask\nfrom web.views import ItemAPI\n\n"
            "app = Flask(__name__)\n"
            "app.add_url_rule('/items', view_func=ItemAPI.as_view('items'))\n",
        },
        ("web/app.py", "add_url_rule"),
        ("web/views.py", "def post"),
        ("web/views.py", "class ItemAPI"),
    ),
    # --- FastAPI ------------------------------------------------------------------------
    app(
        "fastapi-router-post-included-with-prefix",
        {
            "requirements.txt": "fastapi\nrequests\n",
            "api/routes/items.py": "from fastapi import APIRouter\nfrom svc.notify import ping\n\n"
            "router = APIRouter()\n\n\n@router.post('/')\n"
            "async def create_item(body: dict):\n    ping(body)\n    return body\n",
            "api/main.py": "from fastapi import FastAPI\nfrom api.routes import items\n\n"
            "app = FastAPI()\napp.include_router(items.router, prefix='/items')\n",
        },
        ("api/routes/items.py", "@router.post"),
        ("api/routes/items.py", "async def create_item"),
    ),
    app(
        "fastapi-dependency-injected-service",
        {
            "requirements.txt": "fastapi\nrequests\n",
            "api/services.py": "from svc.notify import ping\n\n\nclass ItemService:\n"
            "    def create(self, body):\n        ping(body)\n\n\n"
            "def get_service() -> ItemService:\n    return ItemService()\n",
            "api/routes.py": "from fastapi import APIRouter, Depends\n"
            "from api.services import ItemService, get_service\n\nrouter = APIRouter()\n\n\n"
            "@router.post('/items')\n"
            "def create_item(body: dict, service: ItemService = Depends(get_service)):\n"
            "    service.create(body)\n    return body\n",
        },
        ("api/routes.py", "@router.post"),
        ("api/routes.py", "def create_item"),
    ),
    FlowIdiom(
        "fastapi-route-enqueues-a-celery-task",
        {
            "requirements.txt": "fastapi\ncelery\n",
            "jobs/tasks.py": "from celery import shared_task\n\n\n@shared_task\n"
            "def deliver(data):\n    pass\n",
            "api/routes.py": "from fastapi import APIRouter\nfrom jobs.tasks import deliver\n\n"
            "router = APIRouter()\n\n\n@router.post('/items')\n"
            "def create_item(body: dict):\n    deliver.delay(body)\n    return body\n",
        },
        (("api/routes.py", "@router.post"), ("api/routes.py", "def create_item")),
        ("api/routes.py", "deliver.delay"),
    ),
    # --- Starlette, aiohttp -------------------------------------------------------------
    app(
        "starlette-route-list",
        {
            "requirements.txt": "starlette\nrequests\n",
            "web/handlers.py": "from svc.notify import ping\n\n\nasync def create_item(request):\n"
            "    ping(await request.json())\n",
            "web/app.py": "from starlette.applications import Starlette\n"
            "from starlette.routing import Route\nfrom web.handlers import create_item\n\n"
            "routes = [Route('/items', create_item, methods=['POST'])]\n"
            "app = Starlette(routes=routes)\n",
        },
        ("web/app.py", "Route('/items'"),
        ("web/handlers.py", "async def create_item"),
    ),
    app(
        "aiohttp-web-post",
        {
            "requirements.txt": "aiohttp\nrequests\n",
            "web/handlers.py": "from svc.notify import ping\n\n\nasync def create_item(request):\n"
            "    ping(await request.json())\n",
            "web/app.py": "from aiohttp import web\nfrom web.handlers import create_item\n\n"
            "app = web.Application()\napp.add_routes([web.post('/items', create_item)])\n",
        },
        ("web/app.py", "web.post("),
        ("web/handlers.py", "async def create_item"),
    ),
    app(
        "aiohttp-route-table-def",
        {
            "requirements.txt": "aiohttp\nrequests\n",
            "web/app.py": "from aiohttp import web\nfrom svc.notify import ping\n\n"
            "routes = web.RouteTableDef()\n\n\n@routes.post('/items')\n"
            "async def create_item(request):\n    ping({})\n    return web.Response()\n\n\n"
            "app = web.Application()\napp.add_routes(routes)\n",
        },
        ("web/app.py", "@routes.post"),
        ("web/app.py", "async def create_item"),
    ),
    # --- Django, DRF --------------------------------------------------------------------
    app(
        "django-function-view-path-include",
        {
            "requirements.txt": "django\nrequests\n",
            "site/urls.py": "from django.urls import include, path\n\n"
            "urlpatterns = [path('shop/', include('shop.urls'))]\n",
            "shop/urls.py": "from django.urls import path\nfrom shop import views\n\n"
            "urlpatterns = [path('items/', views.create_item)]\n",
            "shop/views.py": "from svc.notify import ping\n\n\ndef create_item(request):\n"
            "    ping(request.POST)\n",
        },
        ("shop/urls.py", "path('items/'"),
        ("shop/views.py", "def create_item"),
    ),
    app(
        "django-class-based-view",
        {
            "requirements.txt": "django\nrequests\n",
            "shop/urls.py": "from django.urls import path\nfrom shop.views import ItemView\n\n"
            "urlpatterns = [path('items/', ItemView.as_view())]\n",
            "shop/views.py": "from django.views import View\nfrom svc.notify import ping\n\n\n"
            "class ItemView(View):\n    def post(self, request):\n        ping(request.POST)\n",
        },
        ("shop/urls.py", "path('items/'"),
        ("shop/views.py", "def post"),
        ("shop/views.py", "class ItemView"),
    ),
    app(
        "drf-viewset-router",
        {
            "requirements.txt": "django\ndjangorestframework\nrequests\n",
            "shop/urls.py": "from rest_framework.routers import DefaultRouter\n"
            "from shop.views import ItemViewSet\n\nrouter = DefaultRouter()\n"
            "router.register('items', ItemViewSet)\nurlpatterns = router.urls\n",
            "shop/views.py": "from rest_framework import viewsets\nfrom svc.notify import ping\n"
            "\n\n"
            "class ItemViewSet(viewsets.ModelViewSet):\n"
            "    def create(self, request):\n        ping(request.data)\n",
        },
        ("shop/urls.py", "router.register"),
        ("shop/views.py", "def create"),
        ("shop/views.py", "class ItemViewSet"),
    ),
    app(
        "drf-viewset-router-aliased-module",
        {
            "requirements.txt": "django\ndjangorestframework\nrequests\n",
            "shop/urls.py": "from rest_framework.routers import DefaultRouter\n"
            "from shop import views as shop_views\n\nrouter = DefaultRouter()\n"
            "router.register('items', shop_views.ItemViewSet)\nurlpatterns = router.urls\n",
            "shop/views.py": "from rest_framework import viewsets\nfrom svc.notify import ping\n"
            "\n\n"
            "class ItemViewSet(viewsets.ModelViewSet):\n"
            "    def create(self, request):\n        ping(request.data)\n",
        },
        ("shop/urls.py", "router.register"),
        ("shop/views.py", "def create"),
        ("shop/views.py", "class ItemViewSet"),
    ),
    app(
        "django-path-calls-through-an-aliased-module",
        {
            "requirements.txt": "django\nrequests\n",
            "shop/urls.py": "from django.urls import path\nfrom shop.views import add_item as add\n"
            "\nurlpatterns = [path('items/', add)]\n",
            "shop/views.py": "from svc import notify as notifier\n\n\n"
            "def add_item(request):\n    notifier.ping(request.POST)\n",
        },
        ("shop/urls.py", "path('items/'"),
        ("shop/views.py", "def add_item"),
    ),
    app(
        "drf-apiview",
        {
            "requirements.txt": "django\ndjangorestframework\nrequests\n",
            "shop/urls.py": "from django.urls import path\nfrom shop.views import ItemList\n\n"
            "urlpatterns = [path('items/', ItemList.as_view())]\n",
            "shop/views.py": "from rest_framework.views import APIView\n"
            "from svc.notify import ping\n\n\n"
            "class ItemList(APIView):\n    def post(self, request):\n        ping(request.data)\n",
        },
        ("shop/urls.py", "path('items/'"),
        ("shop/views.py", "def post"),
        ("shop/views.py", "class ItemList"),
    ),
    # --- Litestar, Quart, Sanic, Tornado, Falcon ---------------------------------------
    app(
        "litestar-post-decorator",
        {
            "requirements.txt": "litestar\nrequests\n",
            "web/app.py": "from litestar import Litestar, post\nfrom svc.notify import ping\n\n\n"
            "@post('/items')\nasync def create_item(data: dict) -> dict:\n    ping(data)\n"
            "    return data\n\n\napp = Litestar(route_handlers=[create_item])\n",
        },
        ("web/app.py", "@post('/items')"),
        ("web/app.py", "async def create_item"),
    ),
    app(
        "quart-app-post",
        {
            "requirements.txt": "quart\nrequests\n",
            "web/app.py": "from quart import Quart\nfrom svc.notify import ping\n\n"
            "app = Quart(__name__)\n\n\n@app.post('/items')\nasync def create_item():\n"
            "    ping({})\n    return ''\n",
        },
        ("web/app.py", "@app.post"),
        ("web/app.py", "async def create_item"),
    ),
    app(
        "sanic-app-post",
        {
            "requirements.txt": "sanic\nrequests\n",
            "web/app.py": "from sanic import Sanic\nfrom sanic.response import json\n"
            "from svc.notify import ping\n\napp = Sanic('shop')\n\n\n@app.post('/items')\n"
            "async def create_item(request):\n    ping(request.json)\n    return json({})\n",
        },
        ("web/app.py", "@app.post"),
        ("web/app.py", "async def create_item"),
    ),
    app(
        "tornado-request-handler",
        {
            "requirements.txt": "tornado\nrequests\n",
            "web/handlers.py": "import tornado.web\nfrom svc.notify import ping\n\n\n"
            "class ItemHandler(tornado.web.RequestHandler):\n    def post(self):\n"
            "        ping(self.request.body)\n",
            "web/app.py": "import tornado.web\nfrom web.handlers import ItemHandler\n\n\n"
            "def make_app():\n    return tornado.web.Application([(r'/items', ItemHandler)])\n",
        },
        ("web/app.py", "(r'/items', ItemHandler)"),
        ("web/handlers.py", "def post"),
        ("web/handlers.py", "class ItemHandler"),
    ),
    app(
        "falcon-on-post",
        {
            "requirements.txt": "falcon\nrequests\n",
            "web/resources.py": "from svc.notify import ping\n\n\nclass ItemResource:\n"
            "    def on_post(self, req, resp):\n        ping(req.media)\n",
            "web/app.py": "import falcon\nfrom web.resources import ItemResource\n\n"
            "app = falcon.App()\napp.add_route('/items', ItemResource())\n",
        },
        ("web/app.py", "add_route('/items'"),
        ("web/resources.py", "def on_post"),
        ("web/resources.py", "class ItemResource"),
    ),
    app(
        "flask-restful-add-resource-through-a-package",
        {
            "requirements.txt": "flask\nflask-restful\nrequests\n",
            "web/__init__.py": "",
            "web/api/__init__.py": "from .parcels import ParcelList\n",
            "web/api/parcels.py": "from flask_restful import Resource\n"
            "from svc.notify import ping\n\n\nclass ParcelList(Resource):\n"
            "    def __init__(self, **kwargs):\n"
            "        self.store = kwargs['store']\n\n"
            "    def post(self):\n        ping({})\n        return '', 201\n",
            "web/app.py": "from flask import Flask\nfrom flask_restful import Api\n"
            "from web.api import ParcelList\n\napp = Flask(__name__)\napi = Api(app)\n"
            "api.add_resource(ParcelList,\n                 '/api/parcels',\n"
            "                 resource_class_kwargs={'store': None})\n",
        },
        ("web/app.py", "api.add_resource(ParcelList"),
        ("web/api/parcels.py", "def post"),
    ),
    app(
        "flask-restful-add-resource-through-a-forwarding-method",
        {
            "requirements.txt": "flask\nflask-restful\nrequests\n",
            "web/parcels.py": "from flask_restful import Resource\n"
            "from svc.notify import ping\n\n\nclass ParcelList(Resource):\n"
            "    def post(self):\n        ping({})\n        return '', 201\n",
            "web/api.py": "from flask_restful import Api\nfrom web.parcels import ParcelList\n\n\n"
            "class TenantApi(Api):\n"
            "    def add_tenant_resource(self, resource, *urls, **kwargs):\n"
            "        urls = ['/<tenant>' + url for url in urls]\n"
            "        return self.add_resource(resource, *urls, **kwargs)\n\n\n"
            "api = TenantApi()\n"
            "api.add_tenant_resource(\n    ParcelList, '/api/parcels', endpoint='parcels'\n)\n",
        },
        ("web/api.py", "    ParcelList, '/api/parcels'"),
        ("web/parcels.py", "def post"),
    ),
    app(
        "flask-route-path-through-a-helper",
        {
            "requirements.txt": "flask\nrequests\n",
            "web/auth.py": "from flask import Blueprint\nfrom svc.notify import ping\n"
            "from web.rules import tenant_rule\n\n"
            "bp = Blueprint('auth', __name__)\n\n\n"
            "@bp.route(tenant_rule('/forgot'), methods=['POST'])\n"
            "def forgot():\n    ping({})\n    return ''\n",
            "web/rules.py": "def tenant_rule(rule):\n    return '/<tenant>' + rule\n",
        },
        ("web/auth.py", "@bp.route"),
        ("web/auth.py", "def forgot"),
    ),
    app(
        "rq-scheduler-job-defined-in-another-file",
        {
            "requirements.txt": "rq-scheduler\nrequests\n",
            "ops/clock.py": "from rq_scheduler import Scheduler\nfrom ops.beacon import report\n\n"
            "clock = Scheduler(queue_name='cron')\n\n"
            "def install():\n"
            "    for job in [{'func': report, 'interval': 3600}]:\n"
            "        clock.schedule(scheduled_time=None, **job)\n",
            "ops/beacon.py": "from svc.notify import ping\n\n\n"
            "def report():\n    ping({'alive': True})\n",
        },
        ("ops/beacon.py", "def report"),
    ),
    # --- CLIs and workers ---------------------------------------------------------------
    app(
        "click-group-command",
        {
            "requirements.txt": "click\nrequests\n",
            "tool/cli.py": "import click\nfrom svc.notify import ping\n\n\n@click.group()\n"
            "def cli():\n    pass\n\n\n@cli.command()\n@click.argument('name')\n"
            "def announce(name):\n    ping(name)\n",
        },
        ("tool/cli.py", "@cli.command"),
        ("tool/cli.py", "def announce"),
        ("tool/cli.py", "import click"),
    ),
    app(
        "typer-command",
        {
            "requirements.txt": "typer\nrequests\n",
            "tool/main.py": "import typer\nfrom svc.notify import ping\n\napp = typer.Typer()\n\n\n"
            "@app.command()\ndef announce(name: str):\n    ping(name)\n\n\n"
            "if __name__ == '__main__':\n    app()\n",
        },
        ("tool/main.py", "@app.command"),
        ("tool/main.py", "def announce"),
        ("tool/main.py", "import typer"),
    ),
    app(
        "argparse-subcommand",
        {
            "requirements.txt": "requests\n",
            "tool/main.py": "import argparse\nfrom svc.notify import ping\n\n\n"
            "def announce(args):\n    ping(args.name)\n\n\ndef main():\n"
            "    parser = argparse.ArgumentParser()\n    sub = parser.add_subparsers()\n"
            "    p = sub.add_parser('announce')\n    p.set_defaults(func=announce)\n"
            "    args = parser.parse_args()\n    args.func(args)\n\n\n"
            "if __name__ == '__main__':\n    main()\n",
        },
        ("tool/main.py", "ArgumentParser()"),
        ("tool/main.py", "def announce"),
        ("tool/main.py", "def main"),
        ("tool/main.py", "if __name__"),
    ),
    app(
        "django-management-command",
        {
            "requirements.txt": "django\nrequests\n",
            "shop/management/commands/announce.py": "from django.core.management.base import "
            "BaseCommand\nfrom svc.notify import ping\n\n\nclass Command(BaseCommand):\n"
            "    def handle(self, *args, **options):\n        ping(options)\n",
        },
        ("shop/management/commands/announce.py", "class Command"),
        ("shop/management/commands/announce.py", "def handle"),
        ("shop/management/commands/announce.py", "from django"),
    ),
    app(
        "celery-worker-task",
        {
            "requirements.txt": "celery\nrequests\n",
            "jobs/tasks.py": "from celery import shared_task\nfrom svc.notify import ping\n\n\n"
            "@shared_task\ndef deliver(data):\n    ping(data)\n",
            "jobs/views.py": "from jobs.tasks import deliver\n\n\ndef act(d):\n"
            "    deliver.delay(d)\n",
        },
        ("jobs/tasks.py", "@shared_task"),
        ("jobs/tasks.py", "def deliver"),
    ),
]


@pytest.mark.parametrize("idiom", IDIOMS, ids=lambda i: i.id)
def test_python_flow_starts_at_the_route_and_reaches_the_call(idiom: FlowIdiom) -> None:
    assert misses(idiom) == []
