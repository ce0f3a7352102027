"""Subclass registries: a folder of plugin classes, one file each, on one base class.

A folder where at least `MIN_MEMBERS` Ruby files each define a class named for the file
(`telegram_agent.rb` → `TelegramAgent`) on the same base class, whose name ends the file's
(`< Agent`), is a registry of plugins: each member is a kind of thing the app runs for its
users (an agent type, a notifier, a provider), and what a member calls out to is that
member's service, whoever hands it the URL. The member's own word (the file's name without
the base's: `telegram`) names it as a service folder's name does (`egress_services`): the
catalog's row when it is one, else the class's words (`Website Agent`).

Generic: it reads the shape (many files, one base, names that follow the base), never a
name. Not a registry: a Rails layer (controllers, jobs, models, mailers… on `Application*`
bases, or a base named for a layer: `_LAYER_WORDS`), whose members are the app's own code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from posixpath import dirname, splitext

from bot.core.analysis.ruby import SUBCLASS_META
from bot.core.model import FileFacts

MIN_MEMBERS = 5
MAX_MEMBERS = 2_000
# Bases named for a layer of the app, not for a kind of plugin.
_LAYER_WORDS = frozenset(
    {"controller", "job", "worker", "mailer", "record", "model", "helper", "serializer",
     "policy", "service", "presenter", "decorator", "form", "query", "command", "validator",
     "channel", "migration", "spec", "test", "task", "concern", "component", "view",
     "handler", "middleware", "error", "exception", "base", "application", "object",
     "struct", "cable", "resource", "page", "layout", "type", "input", "mutation"}
)  # fmt: skip
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def _snake(name: str) -> str:
    return "_".join(w.lower() for w in _CAMEL.findall(name))


def registry_members(files: Mapping[str, FileFacts]) -> dict[str, tuple[str, str]]:
    """path → (the member's word, the class's words) for every member of a registry."""
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    seen = 0
    for path, f in files.items():
        if f.language != "ruby" or not path.endswith(".rb"):
            continue
        stem = splitext(path.rpartition("/")[2])[0]
        for key, value in f.meta:
            if key != SUBCLASS_META:
                continue
            cls, _, base = value.partition(":")[2].partition("<")
            cls, base = cls.rpartition("::")[2], base.rpartition("::")[2]
            base_snake = _snake(base)
            if not base_snake or base_snake.split("_")[-1] in _LAYER_WORDS:
                continue
            if _snake(cls).replace("_", "") != stem.replace("_", ""):
                continue  # a file named for its class, however its words are cut
            if not stem.endswith("_" + base_snake):
                continue
            word = stem[: -len(base_snake) - 1]
            groups.setdefault((dirname(path), base), []).append((path, word, cls))
            seen += 1
            break
        if seen >= MAX_MEMBERS:
            break
    out: dict[str, tuple[str, str]] = {}
    for members in groups.values():
        if len(members) < MIN_MEMBERS:
            continue
        for path, word, cls in members:
            out[path] = (word, " ".join(_CAMEL.findall(cls)))
    return out


__all__ = ["registry_members"]
