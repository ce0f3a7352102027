"""JavaScript/TypeScript calls and literals that name the service they reach, where the
package a file imports does not (the JS side of `python_library_calls`).

* A remote browser: Playwright's `chromium.connectOverCDP(url)`, Puppeteer's
  `connect({ browserWSEndpoint })` (`js-call:cdp`).
* OpenID Connect discovery: a literal `https://<host>/…/.well-known/openid-configuration`
  names the provider by its host (`oidc-issuer:<host>`); a discovery URL key
  (`wellKnownUrl`, `discoveryUrl`, `issuerUrl`), or a provider's `wellKnown:` option, read
  from settings is a provider the operator configures (`oidc-issuer:configured`).
* Services known by their API's own paths or media types, called at a configured URL:
  Gotenberg's `/forms/libreoffice/convert` and `/forms/chromium/convert/…`
  (`js-call:gotenberg`); an RFC 3161 time-stamp request (`application/timestamp-query`, or
  an `HttpTimestampAuthority(` client) (`js-call:tsa`); the Cloud Signature Consortium API's
  `signatures/signHash` (`js-call:csc`); a request whose `Accept` header asks for RSS or
  Atom fetches a feed (`js-call:feeds`).

Each becomes a `config.library_call` signal whose detail the catalog's `config` rows map to a
service, cited at the line. Only code counts (the caller's `skip` says what is a comment or
a string it must not read); every pattern is literal-led and bounded.
"""

from __future__ import annotations

import re

from bot.core.analysis.scan import Lines, Skip
from bot.core.analysis.words import Words
from bot.core.model import Signal

KIND = "config.library_call"
MAX_SIGNALS = 50

# (needle, pattern, detail; "{host}" is the pattern's `host` group)
_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("connectOverCDP", re.compile(r"\.connectOverCDP[ \t]*+\("), "js-call:cdp"),
    (
        "browserWSEndpoint",
        re.compile(r"\.connect\([ \t\n]*+\{[ \t\n]*+browserWSEndpoint\b"),
        "js-call:cdp",
    ),
    (
        "/.well-known/openid-configuration",
        re.compile(
            r"['\"`]https://(?P<host>[a-z0-9.\-]{1,200}+)(?:/[^'\"`\s]{0,300}?)?"
            r"/\.well-known/openid-configuration['\"`]"
        ),
        "oidc-issuer:{host}",
    ),
    *(
        (
            key,
            re.compile(
                r"(?<![\w$])" + key + r"(?:rl|RL)[ \t]*+:[ \t]*+"
                r"(?:env\(|process\.env\b|getEnv\(|config\.)"
            ),
            "oidc-issuer:configured",
        )
        for key in ("wellKnownU", "discoveryU", "issuerU")
    ),
    # An auth library's provider option naming the discovery document (`wellKnown:`, as
    # next-auth and openid-client spell it) given a setting's value: a property read of a
    # settings object (`oauth.wellKnownUrl`) or the environment, never a literal.
    (
        "wellKnown",
        re.compile(
            r"(?<![\w$])wellKnown[ \t]*+:[ \t]*+(?:env\(|process\.env\b|getEnv\("
            r"|[A-Za-z_$][\w$]{0,100}+(?:\.[A-Za-z_$][\w$]{0,100}+){1,4}+[ \t]*+[,}\n])"
        ),
        "oidc-issuer:configured",
    ),
    (
        "/forms/",
        re.compile(r"['\"`]/?forms/(?:libreoffice|chromium)/convert\b"),
        "js-call:gotenberg",
    ),
    ("timestamp-query", re.compile(r"['\"`]application/timestamp-query['\"`]"), "js-call:tsa"),
    (
        "HttpTimestampAuthority",
        re.compile(r"new[ \t]++HttpTimestampAuthority[ \t]*+\("),
        "js-call:tsa",
    ),
    ("signHash", re.compile(r"['\"`/]signatures/signHash['\"`]"), "js-call:csc"),
    # A request that asks for a feed (its `Accept` header names RSS or Atom) fetches one from
    # wherever it points; a response that sets the type serves one (no rule of ours).
    (
        "+xml",
        re.compile(
            r"(?<![\w$-])[Aa]ccept['\"]?[ \t]*+:[ \t]*+['\"`][^'\"`\n]{0,200}?"
            r"application/(?:rss|atom)\+xml"
        ),
        "js-call:feeds",
    ),
)


def js_library_calls(
    code: str, lines: Lines, skip: Skip | None = None, words: Words | None = None
) -> list[Signal]:
    """`config.library_call` signals of one file (`code`: comments already blanked;
    `words`: those of the text they were blanked from, asked before each needle's scan)."""
    out: list[Signal] = []
    for needle, pattern, detail in _RULES:
        if (words is not None and not words.may_hold(needle)) or needle not in code:
            continue
        for m in pattern.finditer(code):
            if skip is not None and skip(m.start()):
                continue
            name = detail.format(host=m.group("host")) if "{host}" in detail else detail
            out.append(Signal(KIND, name, lines.at(m.start()), name))
            if len(out) >= MAX_SIGNALS:
                return out
    return out
