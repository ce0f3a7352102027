"""What a file says of its own calls, read from its text (Ruby and Python).

* A switched-off client: a subclass (`class Q < Base`, `class Q(Base):`) overrides a gate
  predicate of the feature (`def api_configured?` / `def is_enabled(self)`, a name saying
  configured, enabled, available or supported) with a body that is the literal `false`.
  The class reports itself unable to run, so whatever it would call is not called: its
  calls are dropped (`egress`). A root class's `false` is a default its subclasses
  override (`class Backend(ABC)` too): kept.
* A setting's default behind a module method: `def self.endpoint` whose body is
  `ENV.fetch("X", "https://host…")` (or `ENV["X"] || "https://…"`). Another file's
  `post(Owner.endpoint)` then goes to that host unless X says otherwise: meta
  ``egress.env_default`` = ``Owner.method=X=host`` (`egress_services` resolves the call).

Pure: bytes in. Lines cut at `MAX_LINE`; the patterns are anchored, repeats bounded.
"""

from __future__ import annotations

import re

from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy

MAX_LINE = 2_000
MAX_DEFAULTS = 50  # module methods with a setting's default read from one file
ENV_DEFAULT_META = "egress.env_default"

_GATE_WORDS = (b"configured", b"enabled", b"available", b"supported")
_GATE_DEF = lazy(
    r"\A[ \t]*+def[ \t]++(?:self\.)?[a-z_]{0,60}?(?:configured|enabled|available|supported)"
    r"[a-z_]{0,40}+(\?)?[ \t]*+(?:\((?:self)?\))?[ \t]*+(=[ \t]*+false[ \t]*+)?(:)?[ \t]*+"
    r"(?:;[ \t]*+false[ \t]*+;?[ \t]*+end)?[ \t]*+\Z"
)
_OWNER = lazy(r"\A[ \t]*+(?:module|class)[ \t]++((?:[A-Z]\w{0,100}+::){0,10}[A-Z]\w{0,100}+)")
_SELF_DEF = lazy(r"\A[ \t]*+def[ \t]++self\.([a-z_]\w{0,100}+)[ \t]*+(?:\(\))?[ \t]*+\Z")
_ENV_DEFAULT = lazy(
    r"\A[ \t]*+ENV(?:\.fetch\([ \t]*+[\"']([A-Z][A-Z0-9_]{0,100}+)[\"'][ \t]*+,[ \t]*+"
    r"|\[[ \t]*+[\"']([A-Z][A-Z0-9_]{0,100}+)[\"'][ \t]*+\][ \t]*+\|\|[ \t]*+)"
    r"[\"']https?://([A-Za-z0-9.-]{1,200}+)[^\"'\s]{0,300}+[\"'][ \t]*+\)?[ \t]*+\Z"
)


def _lines(data: bytes) -> list[str]:
    return [line[:MAX_LINE] for line in data.decode("utf-8", "replace").splitlines()]


_SUBCLASS = lazy(
    r"^[ \t]*+class[ \t]++[\w:]{1,200}+"
    r"(?:[ \t]*+<[ \t]*+[A-Z]|\([ \t]*+(?!object\b|ABC\b|Protocol\b)[A-Z])",
    re.M,
)


_GATE_NEEDLES = Needles(_GATE_WORDS)  # their words first (`words`): most files hold none


def switched_off(data: bytes) -> bool:
    """Whether a subclass in the file overrides a feature gate with the literal false."""
    if b"false" not in data and b"False" not in data:
        return False
    if not _GATE_NEEDLES.any_in(data):
        return False
    lines = _lines(data)
    if _SUBCLASS.search("\n".join(lines)) is None:
        return False
    for i, line in enumerate(lines):
        if "def" not in line:
            continue
        m = _GATE_DEF.match(line)
        if m is None:
            continue
        if m.group(2) or line.rstrip().endswith("end"):
            return True  # `def x? = false`, `def x?; false; end`
        body = [x.strip() for x in lines[i + 1 : i + 4] if x.strip()]
        if m.group(3):  # Python: `def is_enabled(self):` then `return False`
            if body[:1] == ["return False"]:
                return True
        elif body[:2] == ["false", "end"]:
            return True
    return False


def env_defaults(data: bytes) -> tuple[tuple[str, str], ...]:
    """(``egress.env_default``, ``Owner.method=X=host``) of the file's module methods."""
    if b"ENV" not in data or b"def self." not in data:
        return ()
    out: list[tuple[str, str]] = []
    owner = ""
    lines = _lines(data)
    for i, line in enumerate(lines):
        o = _OWNER.match(line) if ("module" in line or "class" in line) else None
        if o is not None:
            owner = o.group(1)
            continue
        if not owner or "def self." not in line:
            continue
        d = _SELF_DEF.match(line)
        body = [x for x in lines[i + 1 : i + 4] if x.strip()]
        if d is None or len(body) < 2 or body[1].strip() != "end":
            continue  # one statement only: the method is the setting
        e = _ENV_DEFAULT.match(body[0])
        if e is not None:
            value = f"{owner}.{d.group(1)}={e.group(1) or e.group(2)}={e.group(3)}"
            out.append((ENV_DEFAULT_META, value))
            if len(out) >= MAX_DEFAULTS:
                break
    return tuple(out)
