"""Calls through class instances: which methods `obj.m()` may run (issue 18).

`CallGraph` (`flow_calls`) finds the class an object is declared with (an injected
constructor parameter, a typed field, a field set in the constructor, a module-level
instance); this module says which methods a call on it runs:

- the class's own method, unless it is abstract (a Python `@abstractmethod` or a body of
  `...`/`pass`/`raise NotImplementedError`; a TypeScript interface or abstract signature
  has no body, so it is not a method of the class at all);
- else the method a base class defines (`class UserRepo extends BaseRepo`), up at most
  `MAX_UP` bases;
- else, or when what it found is abstract, the overrides in the repository's classes that
  extend or implement it (`class SmtpDriver implements MailDriver`), down at most
  `MAX_DOWN` levels and at most `MAX_IMPLEMENTATIONS` of them: a call on an interface is
  wired to one implementation at run time by configuration, so the flow names each one.

A subclass is looked for only in the class's own file and in the files whose imports name
it (the facts' `ImportRef.names`, indexed once per graph), at most `MAX_CANDIDATES` files
read per class, and it counts only when its base resolves back to that class. Each
lookup is bounded and remembered, so a cyclic hierarchy, a class with 10,000 subclasses
or a 10,000-method class costs a bounded number of file reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.core.call_sites import FileCalls
from bot.core.model import FileFacts

Home = tuple[str, str]  # (file, class)
Target = tuple[str, str]  # (file, function qual)
FindClass = Callable[[str, str], "Home | None"]  # (file, name as written) → its class

MAX_IMPLEMENTATIONS = 6
MAX_UP = 4  # bases climbed for an inherited method
MAX_DOWN = 2  # levels of subclasses searched for implementations
MAX_CANDIDATES = 64  # files read to find one class's subclasses
MAX_SUBCLASSES = 24  # subclasses of one class kept
MAX_INDEXED = 200_000  # imported names indexed over the repository


class Members:
    def __init__(
        self,
        facts: Mapping[str, FileFacts],
        calls: Callable[[str], FileCalls | None],
        skip: Callable[[str], bool],
    ):
        self.facts = facts
        self.calls = calls
        self.skip = skip
        self._importers: dict[str, list[str]] | None = None
        self._subs: dict[Home, list[Home]] = {}
        self._methods: dict[tuple[Home, str], list[Target]] = {}

    def methods(self, home: Home, method: str, find: FindClass) -> list[Target]:
        """The functions `x.method()` may run when `x` is declared as class `home`."""
        key = (home, method)
        found = self._methods.get(key)
        if found is None:
            found = self._resolve(home, method, find)
            self._methods[key] = found
        return found

    def field(self, home: Home, name: str, find: FindClass) -> str | None:
        """The declared class of field `name` of class `home`, or of one of its bases (a
        base service's `protected repo: Repo`)."""
        seen = {home}
        level = [home]
        for _ in range(MAX_UP + 1):
            nxt: list[Home] = []
            for cls in level:
                fc = self.calls(cls[0])
                fields = fc.fields if fc is not None else ()
                hit = next((t for o, n, _s, t in fields if o == cls[1] and n == name), None)
                if hit is not None:
                    return hit
                nxt.extend(b for b in self._bases(cls, find) if b not in seen)
                seen.update(nxt)
            level = nxt
        return None

    def instance(self, path: str, name: str) -> str | None:
        """The class of the module-level instance `name` of `path` (`notifier = Notifier()`)."""
        fc = self.calls(path)
        fields = fc.fields if fc is not None else ()
        return next((t for o, n, _s, t in fields if not o and n == name), None)

    def _resolve(self, home: Home, method: str, find: FindClass) -> list[Target]:
        own = self._defined(home, method)
        if own is not None and not self._abstract(own):
            return [own]
        up = own or self._inherited(home, method, find)
        if up is not None and not self._abstract(up):
            return [up]
        down = self._implementations(home, method, find)
        return down or ([up] if up is not None else [])

    def _defined(self, home: Home, method: str) -> Target | None:
        fc = self.calls(home[0])
        qual = f"{home[1]}.{method}"
        if fc is not None and any(f.qual == qual for f in fc.funcs):
            return (home[0], qual)
        return None

    def _abstract(self, target: Target) -> bool:
        fc = self.calls(target[0])
        return fc is not None and target[1] in fc.abstract

    def _bases(self, home: Home, find: FindClass) -> list[Home]:
        fc = self.calls(home[0])
        out: list[Home] = []
        for owner, base in fc.bases if fc is not None else ():
            if owner == home[1] and base != owner:
                found = find(home[0], base)
                if found is not None:
                    out.append(found)
        return out

    def inherited(self, home: Home, method: str, find: FindClass) -> Target | None:
        """The nearest base's `method` only (never a subclass's: a class view's hook)."""
        return self._inherited(home, method, find)

    def _inherited(self, home: Home, method: str, find: FindClass) -> Target | None:
        """The nearest base's `method` (breadth-first, so a cycle of bases ends)."""
        seen = {home}
        level = [home]
        for _ in range(MAX_UP):
            nxt: list[Home] = []
            for cls in level:
                for base in self._bases(cls, find):
                    if base in seen:
                        continue
                    seen.add(base)
                    hit = self._defined(base, method)
                    if hit is not None:
                        return hit
                    nxt.append(base)
            level = nxt
        return None

    def _implementations(self, home: Home, method: str, find: FindClass) -> list[Target]:
        out: list[Target] = []
        seen = {home}
        level = [home]
        for _ in range(MAX_DOWN):
            nxt: list[Home] = []
            for cls in level:
                for sub in self.subclasses(cls, find):
                    if sub in seen:
                        continue
                    seen.add(sub)
                    hit = self._defined(sub, method)
                    if hit is not None and not self._abstract(hit):
                        out.append(hit)
                        if len(out) >= MAX_IMPLEMENTATIONS:
                            return out
                    else:
                        nxt.append(sub)
            level = nxt
        return out

    def subclasses(self, home: Home, find: FindClass) -> list[Home]:
        """The classes that extend or implement `home`, in its file and its importers'."""
        found = self._subs.get(home)
        if found is not None:
            return found
        out: list[Home] = []
        path, cls = home
        candidates = [path, *(p for p in self._importers_of(cls) if p != path)]
        family = self._family(path)
        for cand in candidates[:MAX_CANDIDATES]:
            if cand != path and (self.skip(cand) or self._family(cand) != family):
                continue  # a TypeScript file importing a `Document` extends no Python class
            fc = self.calls(cand)
            for owner, base in fc.bases if fc is not None else ():
                if base == cls and owner != cls and find(cand, base) == home:
                    out.append((cand, owner))
            if len(out) >= MAX_SUBCLASSES:
                break
        self._subs[home] = out[:MAX_SUBCLASSES]
        return self._subs[home]

    def _family(self, path: str) -> str:
        f = self.facts.get(path)
        language = f.language if f is not None else ""
        return "javascript" if language == "typescript" else language

    def _importers_of(self, name: str) -> list[str]:
        """The files whose imports name `name` (`import { MailDriver } from …`)."""
        if self._importers is None:
            index: dict[str, list[str]] = {}
            count = 0
            for p in sorted(self.facts):
                f = self.facts[p]
                if f.language not in ("python", "javascript", "typescript"):
                    continue
                for ref in f.imports:
                    for n in ref.names:
                        if count < MAX_INDEXED:
                            index.setdefault(n, []).append(p)
                            count += 1
            self._importers = index
        return self._importers.get(name, [])
