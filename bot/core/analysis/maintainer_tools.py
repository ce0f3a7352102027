"""Programs in a top-level `bin/` folder that the deployment never runs: a maintainer's tools.

`bin/` holds both what the deployment starts (`bin/docker-entrypoint`, named by the
Dockerfile's ENTRYPOINT) and what a maintainer runs by hand from a checkout (a release
script that calls the forge's API). A Python program there (`if __name__ == "__main__":`)
whose file name no deployment file mentions (a Dockerfile, a compose file, a Procfile, a
process manager's or a package's config, another `bin/` script) is the second kind: like a
top-level `scripts/` folder, what it alone calls is not the app's.

Reads the deployment files' text (at most `MAX_FILES`, each cut at `MAX_TEXT`) only when
there is such a program.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.core.analysis.services import non_product_path
from bot.core.model import FileFacts, Service

MAX_FILES = 300
MAX_TEXT = 200_000
_DEPLOY_LANGUAGES = frozenset({"config", "manifest"})


def maintainer_tools(
    facts: Mapping[str, FileFacts], paths: list[str], read: Callable[[str], str | None]
) -> frozenset[str]:
    """The top-level `bin/` Python programs no deployment file names."""
    programs = [
        p
        for p, f in facts.items()
        if p.startswith("bin/")
        and p.count("/") == 1
        and f.language == "python"
        and any(s.kind == "entrypoint.cli" and s.name == "__main__" for s in f.signals)
    ]
    if not programs:
        return frozenset()
    deploy = [
        p
        for p in paths
        if (p.startswith("bin/") and p.count("/") == 1 and p not in programs)
        or (
            facts.get(p) is not None
            and facts[p].language in _DEPLOY_LANGUAGES
            and not non_product_path(p)
            and not p.startswith(".github/")
        )
    ]
    texts = [t[:MAX_TEXT] for p in deploy[:MAX_FILES] if (t := read(p))]
    out = set()
    for program in programs:
        name = program.rpartition("/")[2]
        stem = name.rpartition(".")[0] or name
        if not any(name in t or f"bin/{stem}" in t for t in texts):
            out.add(program)
    return frozenset(out)


def without_tools(services: tuple[Service, ...], tools: frozenset[str]) -> tuple[Service, ...]:
    """`services` without the evidence in `tools`; one named only there is left out."""
    if not tools:
        return services
    out = []
    for s in services:
        kept = tuple(e for e in s.evidence if e.path not in tools)
        if kept:
            out.append(s if len(kept) == len(s.evidence) else replace(s, evidence=kept))
    return tuple(out)
