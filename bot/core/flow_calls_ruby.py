"""Ruby calls: where a call in a Ruby file goes (issue 18), split from `flow_calls`.

Rails loads constants by name, so there are no imports to follow: a call resolves by class
(`Sponge.new.try_fetch` → `Sponge.try_fetch`), then by a method name defined once among
the repository's Ruby files, never a name Rails or Ruby define themselves (`RUBY_COMMON`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.call_sites import Call
from bot.core.flow_defs import ReadCalls
from bot.core.flow_rails import CONSTANT_OPS, RECORD_OPS
from bot.core.model import FileFacts

# Method names Rails, Active Record and Ruby give every object: a repository that defines
# one of them once (`def update` in one controller) has not made every `.update(` its own.
RUBY_COMMON = frozenset(
    """
    new create update destroy show index edit save save! update! create! destroy! find
    find_by where each map select reject call perform process to_s to_h to_a to_param
    as_json present? blank? valid? delete reload first last count sum includes order limit
    render redirect_to initialize set get fetch run send build add remove clear merge parse
    load start stop close open read write notify deliver include? exists? any? none? empty?
    size length name id key value join split call! log puts raise require attr_accessor
    """.split()  # noqa: SIM905 (words read better as words)
)
# The routes DSL (`post :check, on: :member` in config/routes.rb): called bare, these words
# are routes, never the repository's one `def self.post` (an HTTP helper) of another file.
ROUTES_DSL = frozenset(
    """
    get post put patch delete head match resources resource namespace scope member
    collection root mount concern
    """.split()  # noqa: SIM905 (words read better as words)
)


class RubyCalls:
    def __init__(
        self, facts: Mapping[str, FileFacts], calls: ReadCalls, skip: Callable[[str], bool]
    ):
        self.facts = facts
        self.calls = calls
        self.skip = skip
        self._rb: tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]] | None = None

    def steps(self, path: str, call: Call) -> list[tuple[str, str]]:
        """By class (`Sponge.new.try_fetch` → `Sponge.try_fetch`), then by a method name
        defined once among the repository's Ruby files (Rails loads constants by name, so
        there are no imports to follow); never a name Rails or Ruby define themselves."""
        method = call.parts[-1]
        if method.startswith(("perform_", "deliver_")):
            return []  # a hand-off, not a call: the enqueue is the sink
        fc = self.calls(path)
        if len(call.parts) == 1 and fc is not None:  # `fetch(url)`: the class's own method
            owner = call.scope.rpartition(".")[0]
            if any(fn.qual == f"{owner}.{method}" for fn in fc.funcs):
                return [(path, f"{owner}.{method}")]
        by_qual, by_name = self._index()
        if call.head_type is not None:
            qual = f"{call.head_type[1]}.{method}"
            hits = by_qual.get(qual, [])
            hit = hits[0] if len(hits) == 1 else _in_namespace(hits, call.head_type[0])
            if hit is not None:
                return [(hit, qual)]
            if hits:
                return []  # classes of one name in several namespaces: no guess
        if method in RUBY_COMMON or (len(call.parts) == 1 and method in ROUTES_DSL):
            return []
        # Active Record's own queries (`scope.update_all(…)` on a relation): a controller
        # action or a helper of that name elsewhere is not what such a call runs.
        if len(call.parts) > 1 and (method in RECORD_OPS or method in CONSTANT_OPS):
            return []
        found = by_name.get(method, [])
        return found[:1] if len(found) == 1 else []

    def _index(self) -> tuple[dict[str, list[str]], dict[str, list[tuple[str, str]]]]:
        """`Class.method` → the files defining it, and method name → its definitions, over
        the Ruby files (parsed on the first Ruby call a walk asks about)."""
        if self._rb is None:
            by_qual: dict[str, list[str]] = {}
            by_name: dict[str, list[tuple[str, str]]] = {}
            for p, f in self.facts.items():
                if f.language != "ruby" or self.skip(p):
                    continue
                fc = self.calls(p)
                for fn in fc.funcs if fc is not None else ():
                    files = by_qual.setdefault(fn.qual, [])
                    if p not in files:
                        files.append(p)
                    by_name.setdefault(fn.qual.rpartition(".")[2], []).append((p, fn.qual))
            self._rb = (by_qual, by_name)
        return self._rb


def _in_namespace(files: list[str], space: str) -> str | None:
    """The one file of `files` in the folder Rails autoloads namespace `space` from
    (`Photo::Sync` → `…/photo/sync.rb`), or None."""
    if not space:
        return None
    folder = "/" + "/".join(_snake(part) for part in space.split("::")) + "/"
    found = [p for p in files if folder in "/" + p]
    return found[0] if len(found) == 1 else None


def _snake(name: str) -> str:
    """`PhotoPrism` → `photo_prism`, as Zeitwerk names a constant's file."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
