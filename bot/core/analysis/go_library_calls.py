"""Go library calls that name the service they talk to, where importing the library does not.

A multi-service library (go-pkgz/notify, go-pkgz/auth, markbates/goth, nikoksr/notify,
go-pkgz/lcw's event bus) proves nothing by its import: which services it reaches is decided
by the product's call — `ntf.NewTelegram(…)`, `auth.AddProvider("github", …)`,
`goth.UseProviders(google.New(…))`. Each such call becomes a `config.library_call` signal
whose detail (`go-notify:telegram`, `go-oauth:github`, `go-call:redis`) the catalog's
`config` rows map to a service; the evidence is the product line that makes the call (the
vendored library is never read). Patterns are linear and every scan is capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.analysis.scan import Lines
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

MAX_SIGNALS = 200
MAX_IMPORTS = 300
_VERSION = lazy(r"/v\d{1,3}(?=/|$)")

# Package (without `/vN` segments) → its constructor functions → detail.
FUNCTIONS: dict[str, dict[str, str]] = {
    "github.com/go-pkgz/notify": {
        "NewTelegram": "go-notify:telegram",
        "NewSlack": "go-notify:slack",
        "NewEmail": "go-notify:smtp",
        "NewWebhook": "go-notify:webhook",
    },
    # lcw's cache-invalidation bus: a Redis pub/sub client.
    "github.com/go-pkgz/lcw/eventbus": {"NewRedisPubSub": "go-call:redis"},
}

# Package prefix → the sub-package's `New(` call names a service by its package name.
PER_PACKAGE: dict[str, str] = {
    "github.com/markbates/goth/providers/": "go-oauth",
    "github.com/nikoksr/notify/service/": "go-notify",
}
# nikoksr/notify's package names that are not the service's own word.
_RENAMED = {"mail": "smtp"}

# Package (prefix, without `/vN`) → method calls on its objects, in files that import it.
_AUTH_METHODS = lazy(
    r"\.(?P<m>AddProvider|AddAppleProvider|AddMicrosoftProvider|AddCustomProvider"
    r")\((?:[ \t\n]{0,40}\"(?P<name>[A-Za-z0-9_-]{1,30})\")?"
)
_GRAVATAR = lazy(r"\bUseGravatar:[ \t]{0,20}true\b")
_AUTH_FIXED = {
    "AddAppleProvider": "go-oauth:apple",
    "AddMicrosoftProvider": "go-oauth:microsoft",
    "AddCustomProvider": "go-oauth:custom",
}
_AUTH = "github.com/go-pkgz/auth"


def _base(spec: str) -> str:
    return _VERSION.sub("", spec)


def _alias(spec: str, alias: str) -> str:
    if alias:
        return alias
    parts = [p for p in spec.split("/") if not re.fullmatch(r"v\d{1,3}", p)]
    name = parts[-1] if parts else ""
    # gopkg.in/x.v3 → x; go-foo → foo is a guess Go itself does not make: keep the name.
    return name.split(".")[0]


def library_calls(code: str, imports: Iterable[tuple[str, str]], lines: Lines) -> list[Signal]:
    """Signals for the calls of `code` (comments blanked) into the libraries above.
    `imports` are (path, alias as written or "")."""
    out: list[Signal] = []
    auth = False
    seen: set[tuple[str, str]] = set()
    for spec, written in imports:
        base = _base(spec)
        if (base, written) in seen or len(seen) >= MAX_IMPORTS:
            continue  # one scan per import: a file repeating them costs no more
        seen.add((base, written))
        if base == _AUTH or base.startswith(_AUTH + "/"):
            auth = True
        alias = _alias(spec, written)
        if not alias.isidentifier() or alias in ("_", "."):
            continue
        funcs = FUNCTIONS.get(base)
        if funcs:
            pattern = re.compile(rf"\b{re.escape(alias)}\.(?P<f>{'|'.join(funcs)})\(")
            for m in pattern.finditer(code):
                out.append(_signal(m.group("f"), funcs[m.group("f")], lines.at(m.start())))
                if len(out) >= MAX_SIGNALS:
                    return out
            continue
        for prefix, kind in PER_PACKAGE.items():
            if base.startswith(prefix) and "/" not in base[len(prefix) :]:
                service = base[len(prefix) :].lower()
                detail = f"{kind}:{_RENAMED.get(service, service)}"
                for m in re.finditer(rf"\b{re.escape(alias)}\.New\w{{0,30}}\(", code):
                    out.append(_signal(f"{alias}.New", detail, lines.at(m.start())))
                    if len(out) >= MAX_SIGNALS:
                        return out
    if auth:
        for m in _AUTH_METHODS.finditer(code):
            method, name = m.group("m"), m.group("name")
            detail = _AUTH_FIXED.get(method) or (f"go-oauth:{name.lower()}" if name else "")
            if detail:
                out.append(_signal(method, detail, lines.at(m.start())))
            if len(out) >= MAX_SIGNALS:
                return out
        for m in _GRAVATAR.finditer(code):
            out.append(_signal("UseGravatar", "go-oauth:gravatar", lines.at(m.start())))
            if len(out) >= MAX_SIGNALS:
                return out
    return out


def _signal(name: str, detail: str, line: int) -> Signal:
    return Signal("config.library_call", name, line, detail)
