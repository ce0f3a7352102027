"""Flows through a dispatcher (issues 17 and 18): an entry point that calls
`router.dispatch(event, gh)` goes on into the handlers registered on that router with a
decorator, in its own file and in the modules whose routers it is built from, to the SDK
client calls they make. A small hand-written GitHub App, analysed for real."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.calls_python import python_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Flow, RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

APP = {
    "Procfile": b"web: python3 -m bot\n",
    "requirements.txt": b"aiohttp\ngidgethub\n",
    "bot/__init__.py": b"",
    "bot/__main__.py": (
        b"import aiohttp\n"
        b"from aiohttp import web\n"
        b"from gidgethub import routing, sansio\n"
        b"from gidgethub import aiohttp as gh_aiohttp\n"
        b"from . import labels, tracker\n"
        b"\n"
        b"router = routing.Router(labels.router, tracker.router)\n"
        b"\n"
        b"async def main(request):\n"
        b"    body = await request.read()\n"
        b"    event = sansio.Event.from_http(request.headers, body, secret='s')\n"
        b"    async with aiohttp.ClientSession() as session:\n"
        b"        gh = gh_aiohttp.GitHubAPI(session, 'bot')\n"
        b"        await router.dispatch(event, gh, session=session)\n"
        b"    return web.Response(status=200)\n"
        b"\n"
        b"if __name__ == '__main__':\n"
        b"    app = web.Application()\n"
        b"    app.router.add_post('/', main)\n"
        b"    web.run_app(app)\n"
    ),
    "bot/labels.py": (
        b"import gidgethub.routing\n"
        b"from . import util\n"
        b"router = gidgethub.routing.Router()\n"
        b"\n"
        b"@router.register('pull_request', action='opened')\n"
        b"async def opened(event, gh, *args, **kwargs):\n"
        b"    await util.add_label(gh, event.data['pull_request'], 'new')\n"
    ),
    "bot/util.py": (
        b"import gidgethub\n"
        b"async def add_label(gh, issue, name):\n"
        b"    await gh.post(issue['labels_url'], data=[name])\n"
        b"async def lookup(gh, url):\n"
        b"    return await gh.getitem(url)\n"
    ),
    "bot/tracker.py": (
        b"from aiohttp import ClientSession\n"
        b"from gidgethub import routing\n"
        b"router = routing.Router()\n"
        b"\n"
        b"@router.register('pull_request', action='edited')\n"
        b"async def edited(event, gh, *args, session: ClientSession, **kwargs):\n"
        b"    async with session.head('https://bugs.tracker.dev/issue/1') as res:\n"
        b"        return res.status\n"
    ),
}


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def chain(flow: Flow) -> list[tuple[str, int | None, str]]:
    return [(h.path, h.line, h.what) for h in (*flow.hops, *flow.sinks[:1])]


def test_the_reader_keeps_registered_handlers_and_routers_built_from_others() -> None:
    fc = python_calls(APP["bot/__main__.py"])
    assert fc is not None
    assert fc.registries == (("router", (("labels", "router"), ("tracker", "router"))),)
    fc = python_calls(APP["bot/labels.py"])
    assert fc is not None
    assert fc.registered == (("router", "opened", "pull_request opened"),)


def test_the_webhook_flow_goes_through_the_dispatch_to_each_service() -> None:
    facts = facts_of(APP)
    flows = {f.name: f for f in facts.flows if f.hops[0].path == "bot/__main__.py"}
    github = next(f for name, f in flows.items() if name.endswith("→ GitHub"))
    assert chain(github) == [
        ("bot/__main__.py", 9, "http entry point (main)"),
        ("bot/__main__.py", 19, "routes POST / to main"),  # aiohttp's `add_post` registers it
        ("bot/__main__.py", 14, "dispatches pull_request opened to labels.opened"),
        ("bot/labels.py", 7, "calls util.add_label"),
        ("bot/util.py", 3, "sends a request to GitHub (gidgethub)"),
    ]
    # The other service a handler reaches is a flow of its own, not hidden behind GitHub.
    tracker = next(f for name, f in flows.items() if name.endswith("→ bugs.tracker.dev"))
    assert chain(tracker)[2:] == [
        ("bot/__main__.py", 14, "dispatches pull_request edited to tracker.edited"),
        ("bot/tracker.py", 7, "sends an HTTP request to bugs.tracker.dev (aiohttp)"),
    ]
    # GitHub's evidence is where the calls are, not only the import.
    service = next(s for s in facts.integrations if s.name == "GitHub")
    assert {(e.path, e.line) for e in service.evidence} >= {("bot/util.py", 3), ("bot/util.py", 5)}


def test_a_registry_imported_from_another_module_dispatches_to_its_handlers() -> None:
    files = dict(APP)
    files["bot/__main__.py"] = (
        APP["bot/__main__.py"]
        .replace(b"from . import labels, tracker\n", b"from .labels import router\n")
        .replace(b"router = routing.Router(labels.router, tracker.router)\n", b"\n")
    )
    facts = facts_of(files)
    github = next(f for f in facts.flows if f.name.endswith("→ GitHub"))
    assert ("bot/__main__.py", 14, "dispatches pull_request opened to labels.opened") in chain(
        github
    )


def test_without_a_dispatch_call_registered_handlers_are_not_reached() -> None:
    files = dict(APP)
    files["bot/__main__.py"] = APP["bot/__main__.py"].replace(
        b"await router.dispatch(event, gh, session=session)", b"await router.check(event)"
    )
    facts = facts_of(files)
    hops = [h.what for f in facts.flows for h in f.hops]
    assert not any(w.startswith("dispatches") for w in hops)


def test_handlers_registered_in_the_dispatching_file_itself() -> None:
    files = {
        "requirements.txt": b"flask\npyee\nrequests\n",
        "app/__init__.py": b"",
        "app/web.py": (
            b"import requests\n"
            b"from flask import Flask, request\n"
            b"from pyee import EventEmitter\n"
            b"app = Flask(__name__)\n"
            b"events = EventEmitter()\n"
            b"\n"
            b"@events.on('saved')\n"
            b"def notify(doc):\n"
            b"    requests.post('https://hooks.slack.com/services/T/B/X', json=doc)\n"
            b"\n"
            b"@app.post('/docs')\n"
            b"def save():\n"
            b"    events.emit('saved', request.json)\n"
            b"    return 'ok'\n"
        ),
    }
    facts = facts_of(files)
    flow = next(f for f in facts.flows if f.hops[0].path == "app/web.py")
    assert chain(flow)[1:] == [
        ("app/web.py", 13, "dispatches saved to notify"),
        ("app/web.py", 9, "sends an HTTP request to hooks.slack.com (requests)"),
    ]
