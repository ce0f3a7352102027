"""Ruby and Go manifests: Gemfile, Gemfile.lock, go.mod."""

from __future__ import annotations

import re

from bot.core.analysis.claims import claims
from bot.core.analysis.manifest_text import FileExtractor, base, decode
from bot.core.lazy_pattern import lazy
from bot.core.model import Dependency, FileFacts

# --- Gemfile ---------------------------------------------------------------------------------

_GEM = lazy(r"""^\s*gem\s*\(?\s*["']([A-Za-z0-9][\w.-]*)["'](.*)$""")
_GROUP_BLOCK = lazy(r"^\s*group\s*\(?\s*(.+?)\)?\s+do\b")
_INLINE_GROUP = lazy(r"""\bgroups?\s*(?::|=>)\s*(\[[^\]]*\]|:\w+|["']\w+["'])""")
_BLOCK_OPEN = lazy(r"\bdo\s*(\|[^|]*\|)?\s*$|^\s*(if|unless|case|begin|while|until)\b")
_BLOCK_END = lazy(r"^\s*end\b")
_SYMBOL = lazy(r"""[:"'](\w+)""")


def gem_group(groups: list[str]) -> str:
    """Bundler groups → our group: dev/test only when no default/production group is named."""
    names = {g.lower() for g in groups}
    if not names or names & {"default", "production"}:
        return "main"
    if "development" in names or "dev" in names:
        return "dev"
    if "test" in names:
        return "test"
    return f"optional:{sorted(names)[0]}"


def parse_gemfile(data: bytes) -> FileFacts:
    deps: list[Dependency] = []
    stack: list[list[str]] = []  # one entry per open do…end block: its groups (or [])
    for number, line in enumerate(decode(data).splitlines(), 1):
        code = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        if not code.strip():
            continue
        block = _GROUP_BLOCK.match(code)
        if block:
            stack.append(_SYMBOL.findall(block.group(1)))
            continue
        gem = _GEM.match(code)
        if gem:
            groups = [g for frame in stack for g in frame]
            inline = _INLINE_GROUP.search(gem.group(2))
            if inline:
                groups += _SYMBOL.findall(inline.group(1))
            deps.append(Dependency("gem", gem.group(1).lower(), number, gem_group(groups)))
            continue
        if _BLOCK_OPEN.search(code):
            stack.append([])
        elif _BLOCK_END.match(code) and stack:
            stack.pop()
    return FileFacts(language="manifest", dependencies=tuple(sorted(set(deps))))


# --- Gemfile.lock: direct dependencies, in case the Gemfile is absent ------------------------

_LOCK_DEP = lazy(r"^  ([A-Za-z0-9][\w.-]*)(!|\s|$)")


def parse_gemfile_lock(data: bytes) -> FileFacts:
    """The DEPENDENCIES section (direct gems, without their Bundler groups): group ``lock``.

    Aggregation uses them only when no Gemfile sits beside the lock, since the lock
    cannot tell development gems from production ones.
    """
    deps: list[Dependency] = []
    section = ""
    for number, line in enumerate(decode(data).splitlines(), 1):
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        if section == "DEPENDENCIES":
            match = _LOCK_DEP.match(line)
            if match:
                deps.append(Dependency("gem", match.group(1).lower(), number, "lock"))
    return FileFacts(language="manifest", dependencies=tuple(sorted(set(deps))))


# --- go.mod ------------------------------------------------------------------------------------

_GO_MODULE = lazy(r"^\s*module\s+(\S+)")
_GO_REQUIRE_ONE = lazy(r"^\s*require\s+([^\s(]+)\s+(\S+)(.*)$")
_GO_REQUIRE_ITEM = lazy(r"^\s*([^\s)]+)\s+(v\S+)(.*)$")


def parse_go_mod(data: bytes) -> FileFacts:
    """`require`s as dependencies; ``// indirect`` ones (transitive) get group ``indirect``."""
    deps: list[Dependency] = []
    meta: list[tuple[str, str]] = []
    in_require = False
    for number, line in enumerate(decode(data).splitlines(), 1):
        stripped = line.strip()
        module = _GO_MODULE.match(line)
        if module:
            meta.append(("module", module.group(1).strip('"')))
            continue
        if re.match(r"^require\s*\($", stripped):
            in_require = True
            continue
        if in_require and stripped.startswith(")"):
            in_require = False
            continue
        match = _GO_REQUIRE_ITEM.match(line) if in_require else _GO_REQUIRE_ONE.match(line)
        if match and not stripped.startswith("//"):
            indirect = "// indirect" in match.group(3)
            deps.append(
                Dependency(
                    "go", match.group(1).strip('"'), number, "indirect" if indirect else "main"
                )
            )
    return FileFacts(language="manifest", dependencies=tuple(sorted(set(deps))), meta=tuple(meta))


OTHER_MANIFEST_EXTRACTORS = (
    FileExtractor(
        "gemfile",
        1,
        lambda p: base(p) in ("Gemfile", "gems.rb"),
        parse_gemfile,
        claims(names=("Gemfile", "gems.rb")),
    ),
    FileExtractor(
        "gemfile_lock",
        1,
        lambda p: base(p) in ("Gemfile.lock", "gems.locked"),
        parse_gemfile_lock,
        claims(names=("Gemfile.lock", "gems.locked")),
    ),
    FileExtractor(
        "go_mod", 1, lambda p: base(p) == "go.mod", parse_go_mod, claims(names=("go.mod",))
    ),
)
