"""Rails `config/routes.rb`: each route to a controller action (issue 18).

`post "/login" => "login#login"`, `get "/x", to: "c#a"`, `root to: "home#index"`,
`resources :stories, except: [:index]` (its seven actions, less those left out), and
`member do post :upvote end` inside a resource; `namespace :mod do` and `scope` put the
routes inside under a path (and a controller folder). Each becomes a `route.handler`
signal: `name` the method and path (`POST /mod/stories`), `detail` the action as Rails
writes it (`mod/stories#create`); `bot.core.route_handlers` finds the controller's method.

Read line by line, blocks by their `do`/`end` indentation (routes files are indented);
every pattern is matched at the start of one line's text and bounded; the lines read and
the routes kept are capped.
"""

from __future__ import annotations

from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

KIND = "route.handler"
MAX_LINES = 5_000
MAX_ROUTES = 400
MAX_DEPTH = 20

_VERB = r"(?P<verb>get|post|put|patch|delete|match)"
_STR = r"[\"'](?P<path>[^\"'\n]{0,200})[\"']"
_TARGET = r"[\"'](?P<target>[\w/]{1,120}#\w{1,80})[\"']"
# `get "/login" => "login#index"`, `post "/x", to: "c#a"`, `get "x", :to => "c#a"`.
_ROUTE = lazy(rf"{_VERB}\(?[ \t]*+{_STR}[ \t]*+(?:=>|,[ \t]*+(?::to[ \t]*+=>|to:))[ \t]*+{_TARGET}")
_ROOT = lazy(rf"root\(?[ \t]*+(?:(?::to[ \t]*+=>|to:)[ \t]*+)?{_TARGET}")
# `post :upvote` (in a resource's `member`/`collection` block, or a resource's own block).
_ACTION = lazy(
    rf"{_VERB}[ \t(]++(?::|[\"'](?=\w{{1,80}}[\"']))(?P<action>\w{{1,80}})[\"']?"
    r"[ \t]*+(?:,|\)|$)"
)
_RESOURCES = lazy(r"(?P<kind>resources?)[ \t]++:(?P<name>\w{1,80})(?P<rest>[^\n]{0,300})")
_NAMESPACE = lazy(r"namespace[ \t]++:(?P<name>\w{1,80})")
_SCOPE_PATH = lazy(r"scope\b[ \t(]*+(?:path:[ \t]*+)?[\"'](?P<path>[^\"'\n]{0,200})[\"']")
_SCOPE_MODULE = lazy(r"\bmodule:[ \t]*+[\"':](?P<module>\w{1,80})")
_BLOCK = lazy(r"\bdo(?:[ \t]*+\|[^|\n]{0,80}\|)?[ \t]*+$")
_END = lazy(r"end\b")
_ONLY = lazy(r"\bonly:[ \t]*+(?P<list>\[[^\]\n]{0,300}\]|%i\[[^\]\n]{0,300}\]|:\w{1,80})")
_EXCEPT = lazy(r"\bexcept:[ \t]*+(?P<list>\[[^\]\n]{0,300}\]|%i\[[^\]\n]{0,300}\]|:\w{1,80})")
_WORD = lazy(r"\w{1,80}")
# A member/collection route's own target: `delete :yank, to: "deletions#create"`,
# `get ":token/status", action: :status`.
_TO = lazy(rf"(?::to[ \t]*+=>|\bto:)[ \t]*+{_TARGET}")
_ACTION_OPT = lazy(r"\baction:[ \t]*+[\"':](?P<action>\w{1,80})")
# A resource's own options: `path: 'gems'` (its URL segment), `controller: "a/b"`.
_PATH_OPT = lazy(r"\bpath:[ \t]*+[\"'](?P<path>[\w/-]{1,120})[\"']")
_CONTROLLER_OPT = lazy(r"\bcontroller:[ \t]*+[\"':](?P<ctrl>[\w/]{1,120})")
MAX_JOINED = 12  # lines one registration's options are read over (`resources :x,\n only: …`)

# A resource's actions: (action, method, path after the resource's own).
_PLURAL = (
    ("index", "GET", ""),
    ("create", "POST", ""),
    ("new", "GET", "/new"),
    ("edit", "GET", "/:id/edit"),
    ("show", "GET", "/:id"),
    ("update", "PATCH", "/:id"),
    ("destroy", "DELETE", "/:id"),
)
_SINGULAR = tuple((a, m, p.replace("/:id", "")) for a, m, p in _PLURAL if a != "index")


def is_routes_file(path: str) -> bool:
    return path == "config/routes.rb" or path.endswith("/config/routes.rb")


def rails_route_signals(text: str) -> list[Signal]:
    """One `route.handler` signal per route of a Rails routes file."""
    out: list[Signal] = []
    # (indent, path prefix, controller folder, resource controller or "", member path)
    stack: list[tuple[int, str, str, str, str]] = []
    for number, line in _logical_lines(text):
        if len(out) >= MAX_ROUTES:
            break
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if _END.match(stripped) and stripped.split()[0] == "end":
            while stack and stack[-1][0] >= indent:
                stack.pop()
            continue
        prefix, folder, resource, member = stack[-1][1:] if stack else ("", "", "", "")
        opened = _BLOCK.search(line) is not None
        pushed: tuple[int, str, str, str, str] | None = None
        if m := _ROUTE.match(stripped):
            out.append(
                _signal(m.group("verb"), prefix, m.group("path"), m.group("target"), folder, number)
            )
        elif m := _ROOT.match(stripped):
            out.append(_signal("get", prefix, "/", m.group("target"), folder, number))
        elif (m := _ACTION.match(stripped)) and resource:
            path = f"{member}/{m.group('action')}"
            to = _TO.search(stripped)
            named = _ACTION_OPT.search(stripped)
            if to is not None:  # relative to the namespace, not to the resource
                target = f"{folder}{to.group('target')}"
            else:
                target = f"{resource}#{named.group('action') if named else m.group('action')}"
            out.append(_signal(m.group("verb"), "", path, target, "", number))
        elif m := _RESOURCES.match(stripped):
            name, rest = m.group("name"), m.group("rest")
            segment = _PATH_OPT.search(rest)
            base = f"{prefix}/{segment.group('path').strip('/') if segment else name}"
            # A singular resource's controller is still plural (`resource :search` →
            # `SearchesController`); `controller:` names another.
            named = _CONTROLLER_OPT.search(rest)
            plural = name if m.group("kind") == "resources" else _plural(name)
            ctrl = f"{folder}{named.group('ctrl').strip('/') if named else plural}"
            actions = _PLURAL if m.group("kind") == "resources" else _SINGULAR
            kept = _kept(rest, tuple(a for a, _, _ in actions))
            for action, verb, tail in actions:
                if action in kept and len(out) < MAX_ROUTES:
                    out.append(_signal(verb, "", base + tail, f"{ctrl}#{action}", "", number))
            if opened:
                nested = f"{base}/:{_singular(name)}_id"
                pushed = (indent, nested, folder, ctrl, base + "/:id")
        elif m := _NAMESPACE.match(stripped):
            name = m.group("name")
            pushed = (indent, f"{prefix}/{name}", f"{folder}{name}/", "", "")
        elif stripped.startswith("scope"):
            scoped = _SCOPE_PATH.match(stripped)
            module = _SCOPE_MODULE.search(line)
            more = scoped.group("path").strip("/") if scoped is not None else ""
            pushed = (
                indent,
                f"{prefix}/{more}" if more else prefix,
                f"{folder}{module.group('module')}/" if module is not None else folder,
                "",
                "",
            )
        elif stripped.startswith(("member", "collection")) and resource:
            at = member if stripped.startswith("member") else member.removesuffix("/:id")
            pushed = (indent, prefix, folder, resource, at)
        if opened and len(stack) < MAX_DEPTH:
            stack.append(pushed or (indent, prefix, folder, resource, member))
    return out


def _signal(verb: str, prefix: str, path: str, target: str, folder: str, line: int) -> Signal:
    method = "GET" if verb == "match" else verb.upper()
    route = prefix.rstrip("/") + "/" + path.lstrip("/")
    ctrl, _, action = target.partition("#")
    return Signal(KIND, f"{method} {route}", line, f"{folder}{ctrl}#{action}")


def _kept(rest: str, actions: tuple[str, ...]) -> frozenset[str]:
    """The actions `only:`/`except:` leave of a resource's."""
    only = _ONLY.search(rest)
    if only is not None:
        return frozenset(_WORD.findall(only.group("list").removeprefix("%i"))) & set(actions)
    out = set(actions)
    excepted = _EXCEPT.search(rest)
    if excepted is not None:
        out -= set(_WORD.findall(excepted.group("list").removeprefix("%i")))
    return frozenset(out)


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line's number, text) of each registration, comments cut: a line ending in
    `,` (or `(`) goes on with the next, at most `MAX_JOINED` lines."""
    out: list[tuple[int, str]] = []
    held: tuple[int, str] | None = None
    for number, raw in enumerate(text.split("\n", MAX_LINES)[:MAX_LINES], start=1):
        line = raw.split(" #", 1)[0].rstrip()
        if held is not None:
            start, so_far = held
            line = f"{so_far} {line.strip()}"
            if number - start >= MAX_JOINED:
                held = None
                out.append((start, line))
                continue
            number = start
        if line.endswith((",", "(")) and not line.lstrip().startswith("#"):
            held = (number, line)
            continue
        held = None
        out.append((number, line))
    if held is not None:
        out.append(held)
    return out


def _plural(name: str) -> str:
    """`searches` of `search`, `activities` of `activity`, `owners` of `owners`."""
    if name.endswith("s"):
        return name if not name.endswith(("ss", "us")) else name + "es"
    if name.endswith(("x", "z", "ch", "sh")):
        return name + "es"
    if name.endswith("y") and name[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return name[:-1] + "ies"
    return name + "s"


def _singular(name: str) -> str:
    """`story` of `stories`, `comment` of `comments` (the nested resource's `:story_id`)."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name.removesuffix("s")
