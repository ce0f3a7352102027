"""Ruby handlers that frameworks other than Rails run (issue 18 item 3): each is an
`entrypoint.*` signal at the handler's line, so a flow starts there.

* Sinatra (classic `require "sinatra"` or `< Sinatra::Base`), Grape, Roda: each route
  block, `post "/items" do`, `post do`, `r.post "items" do`, `route do |r|`.
* Hanami actions: `def handle(request, response)` in a class `< …Action`.
* Rake tasks: `task announce: :environment do` in a `.rake` file or a Rakefile.
* Rack middleware: `def call(env)` in a class whose `def initialize(app)` keeps the next
  app (inserted with `config.middleware.use`): it sees every request first.
* A boot hook that queues work: a `config.after_initialize do` / `to_prepare do` block in a
  file that enqueues jobs (`perform_later`, `perform_async`): the server runs it at each
  start (a worker-kind entry, "Boot hook").
* The actions of a controller a library routes to: a class whose base is another root
  namespace's controller (`Accounts::CallbacksController < Authlib::CallbacksController`);
  the library's own route helper (not `config/routes.rb`'s resources) sends requests to
  its public methods. Rails' own bases (`ActionController::Base`) and a base of the same
  root namespace (`Admin::UsersController < Admin::BaseController`) are routed as usual.

Read only in files that name the framework; linear patterns (bounded or possessive).
"""

from __future__ import annotations

import re

from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

MAX_STARTS = 400  # route blocks read from one file
_FRAMEWORKS = ("Sinatra", "sinatra", "Grape::API", "Roda")
_BLOCK = lazy(
    r"^[ \t]*+(?:r\.)?(?P<verb>get|post|put|patch|delete|is|on|route)\b(?![?!:=])"
    r"(?P<args>[^\n]{0,300}?)\bdo\b",
    re.M,
)
# A route's path: the first string (Sinatra, Grape) or symbol (Grape `post :create`).
_PATH = lazy(r"[\"'](?P<s>[^\"'\n]{0,300})[\"']|:(?P<y>\w{1,80})")
_HANAMI = lazy(r"^[ \t]*+def\s++handle\(\s*+\w{1,40}\s*+,\s*+\w{1,40}\s*+\)", re.M)
_ACTION_CLASS = lazy(r"^[ \t]*+class\s++[\w:]{1,200}\s*+<\s*+[\w:]{0,200}Action\b", re.M)
# A Rack middleware: `initialize(app)` keeps the next app, `call(env)` takes every request.
_RACK_INIT = re.compile(r"^[ \t]*+def[ \t]++initialize[ \t]*+\([ \t]*+app\b", re.M)
_RACK_CALL = re.compile(r"^[ \t]*+def[ \t]++call[ \t]*+\([ \t]*+env[ \t]*+\)", re.M)
_BOOT = lazy(r"^[ \t]*+[\w:.]{0,200}?\b(?:after_initialize|to_prepare)[ \t]++(?:do|\{)", re.M)
_CONTROLLER = lazy(
    r"^[ \t]*+class[ \t]++((?:\w{1,100}::){0,10}\w{1,100}Controller)[ \t]*+<[ \t]*+"
    r"((?:\w{1,100}::){1,10}\w{1,100}Controller)\b",
    re.M,
)
_PUBLIC_DEF = lazy(r"^[ \t]*+(?:def[ \t]++([a-z_]\w{0,100}+[!?]?)|(private|protected)\b)", re.M)
_FRAMEWORK_ROOTS = frozenset({"ActionController", "AbstractController", "Rails", "ActionCable"})
_RAKE = lazy(r"^[ \t]*+task\s*+\(?\s*+:?(?P<name>\w{1,80})", re.M)


def with_route_blocks(signals: list[Signal], starts: list[Signal]) -> list[Signal]:
    """`signals` and `starts`; an app's class line (`class Api < Sinatra::Base`) gives way
    to its route blocks when it has some: each route's flow starts at its own block."""
    if not any(s.name.endswith(" route") for s in starts):
        return [*signals, *starts]
    return [s for s in signals if s.name not in _APP_NAMES] + starts


_APP_NAMES = frozenset({"Sinatra app", "Grape API"})  # `ruby.RULES`' names of the class line


def ruby_start_signals(code: str, lines: Lines, path_is_rake: bool) -> list[Signal]:
    """The route blocks, Hanami actions and Rake tasks of one Ruby file (comments blanked)."""
    out: list[Signal] = []
    framework = next((word for word in _FRAMEWORKS if word in code), "")
    if framework:
        name = f"{framework.partition(':')[0].capitalize()} route"
        for m in _BLOCK.finditer(code):
            if len(out) >= MAX_STARTS:
                break
            verb = m.group("verb")
            found = _PATH.search(m.group("args"))
            route = (found.group("s") or found.group("y") or "") if found else ""
            if verb in ("is", "on") and not route:
                continue  # Roda's `r.is do` matches the branch it is in: no path of its own
            method = verb.upper() if verb in ("get", "post", "put", "patch", "delete") else ""
            detail = f"{method} /{route.lstrip('/')}".strip() if route else method
            out.append(Signal("entrypoint.http", name, lines.at(m.start()), detail))
    if "def handle" in code and _ACTION_CLASS.search(code) is not None:
        for m in _HANAMI.finditer(code):
            out.append(Signal("entrypoint.http", "Hanami action", lines.at(m.start())))
    if "def call(env)" in code and _RACK_INIT.search(code) is not None:
        for m in _RACK_CALL.finditer(code):
            out.append(Signal("entrypoint.http", "Rack middleware", lines.at(m.start())))
            break
    if ("after_initialize" in code or "to_prepare" in code) and (
        "perform_later" in code or "perform_async" in code
    ):
        for m in _BOOT.finditer(code):
            out.append(Signal("entrypoint.worker", "Boot hook", lines.at(m.start())))
            break
    if "Controller" in code and "::" in code:
        out += _library_actions(code, lines)
    if path_is_rake and "task" in code:
        for m in _RAKE.finditer(code):
            if len(out) >= MAX_STARTS:
                break
            out.append(Signal("entrypoint.cli", "Rake task", lines.at(m.start()), m.group("name")))
    return out


def _library_actions(code: str, lines: Lines) -> list[Signal]:
    """The public actions of a controller whose base another root namespace defines."""
    m = _CONTROLLER.search(code)
    if m is None:
        return []
    own, base = m.group(1).split("::", 1)[0], m.group(2).split("::", 1)[0]
    if base in _FRAMEWORK_ROOTS or (own == base and "::" in m.group(1)):
        return []
    out: list[Signal] = []
    for d in _PUBLIC_DEF.finditer(code, m.end()):
        if d.group(2) or len(out) >= MAX_STARTS:
            break  # `private`: the rest are helpers
        name = f"{m.group(2).rsplit('::', 1)[-1]} action"
        out.append(Signal("entrypoint.http", name, lines.at(d.start()), d.group(1)))
    return out
