"""Ruby facts: `require`/`require_relative`, `ENV` reads, Rails/Sinatra/Sidekiq signals.

Line comments (`# …`) and `=begin/=end` blocks are blanked before scanning. Rails
conventions that depend on a file's folder (controllers, jobs, mailers, `config/routes.rb`)
are decided in `graph`; here only what the bytes say: a class inheriting from a controller
or job base, a routes `draw` block, `include Sidekiq::Job`. Constant references
(`Billing::Invoice`) are recorded too: Rails autoloads them, so they are how a Rails app's
files depend on each other (`resolve` maps them to files).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.analysis.claims import claims
from bot.core.analysis.rails_routes import is_routes_file, rails_route_signals
from bot.core.analysis.ruby_starts import ruby_start_signals, with_route_blocks
from bot.core.analysis.scan import (
    Lines,
    blanked,
    literal_first,
    rule,
    scan_env,
    scan_signals,
    starts_word,
    unique_sorted,
)
from bot.core.analysis.words import words_of
from bot.core.lazy_pattern import lazy
from bot.core.model import FileFacts, ImportRef

# An `=begin` never closed runs to the end of the file (as Ruby reads it), scanned once.
_BLOCK_COMMENT = lazy(r"^=begin\b[\s\S]*?(?:^=end\b|\Z)", re.M)
# A `#` starts a comment unless it is inside a string or an interpolation `#{`.
_LINE_COMMENT = lazy(r"\"(?:\\.|[^\"\\\n])*+\"?|'(?:\\.|[^'\\\n])*+'?|(?P<c>#(?!\{)[^\n]*)")
_REQUIRE = literal_first(
    r"\b(?P<kind>require_relative|require|autoload\s+:\w+\s*,)\s*\(?\s*[\"'](?P<spec>[^\"'\n]+)[\"']"
)
_ENV = literal_first(
    r"\bENV\[\s*[\"']([A-Za-z_]\w*)[\"']\s*\]"
    r"|\bENV\.fetch\(\s*[\"']([A-Za-z_]\w*)[\"']"
    r"|\bENV\.key\?\(\s*[\"']([A-Za-z_]\w*)[\"']"
)

_Q = r"[\"']"
RULES = (
    rule("routes.draw", r"\.routes\.draw\b", "entrypoint.http", "Rails routes"),
    rule(
        "routes.draw",
        rf"^[ \t]*(?:get|post|put|patch|delete|match|root)\s*\(?\s*{_Q}(?P<route>[^\"']*){_Q}",
        "entrypoint.http",
        "route",
        "route",
    ),
    rule(
        "routes.draw",
        r"^[ \t]*resources?\s+:(?P<route>\w+)",
        "entrypoint.http",
        "resources",
        "route",
    ),
    rule(
        "Controller",
        r"^[ \t]*class\s+\w+(?:::\w+)*\s*<\s*(?:Application|Action)Controller\b",
        "entrypoint.http",
        "Rails controller",
    ),
    rule("Sinatra", r"<\s*Sinatra::(?:Base|Application)\b", "entrypoint.http", "Sinatra app"),
    rule("Grape::API", r"<\s*Grape::API\b", "entrypoint.http", "Grape API"),
    rule("Rack::Builder", r"\bRack::Builder\b|^[ \t]*run\s+\w", "entrypoint.http", "Rack app"),
    rule(
        "Sidekiq::",
        r"^[ \t]*include\s+Sidekiq::(?:Worker|Job)\b",
        "entrypoint.worker",
        "Sidekiq job",
    ),
    rule(
        "ApplicationJob",
        r"^[ \t]*class\s+\w+(?:::\w+)*\s*<\s*(?:ApplicationJob|ActiveJob::Base)\b",
        "entrypoint.worker",
        "Active Job",
    ),
    rule("Resque", r"@queue\s*=\s*:\w+", "entrypoint.worker", "Resque job"),
    rule("every", r"^[ \t]*every\s+[\d:]", "entrypoint.scheduler", "whenever schedule"),
    rule("Clockwork", r"\binclude\s+Clockwork\b", "entrypoint.scheduler", "Clockwork"),
    rule("Thor", r"<\s*Thor\b", "entrypoint.cli", "Thor CLI"),
    rule("OptionParser", r"\bOptionParser\.new\b", "entrypoint.cli", "OptionParser CLI"),
    rule(
        "Kafka",
        r"\bRacecar::Consumer\b|<\s*Karafka::BaseConsumer\b",
        "entrypoint.consumer",
        "Kafka consumer",
    ),
    rule("Sneakers", r"\binclude\s+Sneakers::Worker\b", "entrypoint.consumer", "Sneakers consumer"),
    # The geocoder gem's queries go to the service its configuration looks up (a catalog
    # row maps the call's detail `Geocoder`); called, with arguments (not a name in a string).
    rule(
        "Geocoder",
        r"\b(?P<lib>Geocoder)\.(?:search|coordinates|address)(?:\(|[ \t]++[\w\[\"'@:])",
        "config.library_call",
        "Geocoder",
        "lib",
    ),
    rule("Logger.new", r"\bLogger\.new\(", "observability.logging", "Logger"),
    rule("Sentry.init", r"\bSentry\.init\b|\bRaven\.configure\b", "observability.errors", "Sentry"),
    rule("Honeybadger", r"\bHoneybadger\.configure\b", "observability.errors", "Honeybadger"),
    rule(
        "retry",
        r"^[ \t]*retry_on\b|\bsidekiq_options\b[^\n]{0,300}?\bretry:",
        "resilience.retry",
        "retry",
    ),
    rule("Retriable", r"\bRetriable\.retriable\b", "resilience.retry", "retriable"),
    rule(
        "Circuitbox",
        r"\bCircuitbox\b|\bStoplight\(",
        "resilience.circuit-breaker",
        "circuit breaker",
    ),
)


class RubyExtractor:
    name = "ruby"
    version = 9  # 2: rules start on their own line; unclosed strings end their line; 3: routes
    # 4: Sinatra/Grape/Roda route blocks, Hanami actions, Rake tasks (`ruby_starts`)
    # 5: Rack middleware (`def call(env)` beside `def initialize(app)`)
    # 6: a `require(` whose path is on the next line cites the path's line
    # 7: class lines with a base class (meta "subclass", `egress_registry`)
    # 8: boot hooks that queue jobs, actions of a controller a library routes to (`ruby_starts`)
    # 9: the geocoder gem's queries (`Geocoder.search`)
    claims = claims(names=("Rakefile", "Gemfile.rb"), extensions=("rb", "rake", "ru"))

    def matches(self, path: str) -> bool:
        name = path.rpartition("/")[2]
        return path.endswith((".rb", ".rake", ".ru")) or name in ("Rakefile", "Gemfile.rb")

    def extract(self, path: str, data: bytes) -> FileFacts:
        text = data.decode("utf-8", "replace")
        rake = path.endswith(".rake") or path.rpartition("/")[2] == "Rakefile"
        facts = extract_ruby(text, rake)
        if is_routes_file(path):  # `config/routes.rb`: each route to its controller action
            routes = rails_route_signals(text)
            facts = replace(facts, signals=unique_sorted((*facts.signals, *routes)))
        return facts


def strip_comments(text: str) -> str:
    if "#" in text:
        text = _LINE_COMMENT.sub(_blank, text)
    if "=begin" in text:
        text = _BLOCK_COMMENT.sub(lambda m: blanked(m.group()), text)
    return text


def _blank(m: re.Match[str]) -> str:
    return m.group() if m.group("c") is None else " " * len(m.group())


# Constants a file refers to (`Billing::Invoice.new`): Rails autoloads them, so they are its
# imports. Segments need a lowercase letter (`JSON`, `LIMIT` are values or stdlib).
# A name is found where none of `_NOT_BEFORE` precedes it, or `::` that none precedes
# (`_referenced_at`); checked on each match, so the regex starts with a character class the
# engine can skip ahead to (a look-behind first is tried at every position: 4x slower).
_CONSTANT_NAME = lazy(r"[A-Z][a-z0-9]\w*(?:::[A-Z][a-z0-9]\w*)*")
_NOT_BEFORE = lazy(r"[\w:@$]")
_STRING_BODY = lazy(r"\"(?:\\.|[^\"\\\n])*+\"?|'(?:\\.|[^'\\\n])*+'?")
MAX_CONSTANTS = 300
CONSTANT_META = "constant"


def _constants(code: str, lines: Lines) -> list[tuple[str, str]]:
    """One reference per distinct constant, at its first line; string contents ignored.

    Kept in `meta` as ("constant", "<line>:<Name>") rather than as imports: a constant is
    how Rails code reaches its own files, not a library it requires.
    """
    bare = _STRING_BODY.sub(lambda m: m.group()[0] * len(m.group()), code)
    seen: dict[str, int] = {}
    for m in _CONSTANT_NAME.finditer(bare):
        name = m.group()
        if name not in seen and _referenced_at(bare, m.start()):
            seen[name] = m.start()
            if len(seen) >= MAX_CONSTANTS:
                break
    return [(CONSTANT_META, f"{lines.at(at)}:{name}") for name, at in seen.items()]


def _referenced_at(code: str, at: int) -> bool:
    """Whether the name at `at` is a reference: after no word character, `:`, `@` or `$`,
    or after a `::` that follows none (`(?<![\\w:@$])(?:::)?` before the name).

    `_CONSTANT_NAME` resumes after each name it finds; the positions it skips are never
    such a start (they follow a word character, or a `::` that follows one).
    """
    if at == 0 or not _NOT_BEFORE.match(code, at - 1):
        return True
    return code.startswith("::", at - 2) and (at == 2 or not _NOT_BEFORE.match(code, at - 3))


# A class line with its base: `class TelegramAgent < Agent`, `class A::B < ::X::Base`.
_SUBCLASS = lazy(
    r"^[ \t]*+class[ \t]++((?:[A-Z]\w{0,100}+::){0,10}[A-Z]\w{0,100}+)[ \t]*+<[ \t]*+"
    r"((?:::)?(?:[A-Z]\w{0,100}+::){0,10}[A-Z]\w{0,100}+)",
    re.M,
)
MAX_SUBCLASSES = 20
SUBCLASS_META = "subclass"


def _subclasses(code: str, lines: Lines) -> list[tuple[str, str]]:
    """("subclass", "<line>:<Class><<Base>") for the file's class lines that name a base."""
    if "<" not in code or "class" not in code:
        return []
    out = []
    for m in _SUBCLASS.finditer(code):
        out.append((SUBCLASS_META, f"{lines.at(m.start(1))}:{m.group(1)}<{m.group(2)}"))
        if len(out) >= MAX_SUBCLASSES:
            break
    return out


def constant_refs(facts: FileFacts) -> list[ImportRef]:
    """A Ruby file's constant references, as imports of kind "constant" for resolution."""
    out = []
    for key, value in facts.meta:
        if key == CONSTANT_META:
            line, _, name = value.partition(":")
            out.append(ImportRef(name, int(line), kind="constant"))
    return out


def extract_ruby(text: str, rake: bool = False) -> FileFacts:
    """`rake`: the file is a Rakefile or a `.rake` file (its tasks are commands)."""
    code = strip_comments(text)
    words = words_of(text)  # comments are blanked with spaces: `code` has no other words
    lines = Lines(code)
    imports = [
        ImportRef(
            m.group("spec"),
            lines.at(m.start("spec")),  # `require(` may end its line: cite the path's
            kind="require_relative" if m.group("kind") == "require_relative" else "require",
        )
        for m in (_REQUIRE.finditer(code) if "require" in code or "autoload" in code else ())
        if starts_word(code, m.start())
    ]
    return FileFacts(
        language="ruby",
        imports=unique_sorted(imports),
        env=unique_sorted(scan_env(code, ("ENV",), _ENV, lines, words=words)),
        signals=unique_sorted(
            with_route_blocks(
                scan_signals(code, RULES, lines, words=words),
                ruby_start_signals(code, lines, rake),
            )
        ),
        meta=tuple(sorted({*_constants(code, lines), *_subclasses(code, lines)})),
    )
