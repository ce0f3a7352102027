"""Web Push: a server sends a message through the browser's push service, and the web app's
service worker receives it as a `push` event.

* Producers: webpush-go's `webpush.SendNotification(` (a Go file importing `webpush-go`), the
  `web-push` package's `x.sendNotification(` (a JS/TS file requiring or importing
  `web-push`), pywebpush's `webpush(` (a Python file importing `pywebpush`).
* Consumer: a `push` listener on the worker's global scope (`self.addEventListener("push",
  …)` at the start of a line, no indentation), cited at the listener and at the definition of
  the first function of the file its body calls (`event.waitUntil(handlePush(data))`).

Both ends are named ``push`` and pair across languages; one end alone is no hand-off
(`movement._BOTH_ENDS`). Line scans with anchored, bounded patterns.
"""

from __future__ import annotations

from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import HandoffSite

MECHANISM = "web-push"
NAME = "push"
MAX_LINE = 2_000
MAX_BODY_LINES = 12  # lines of a listener's body read for the function it calls
MAX_SITES = 20
NEEDLES = ("SendNotification(", "sendNotification(", "webpush(", "addEventListener(")
_ANY_NEEDLE = Needles(NEEDLES)

_GO = lazy(r"(?<![\w.])webpush\.(SendNotification)\(")
_JS = lazy(r"(?<![\w$.])[A-Za-z_$][\w$]{0,60}+\.(sendNotification)\(")
_PY = lazy(r"(?<![\w.])(webpush)\(")
_LIBRARY = {
    "go": (_GO, ('webpush-go"',)),
    "javascript": (_JS, ("'web-push'", '"web-push"')),
    "typescript": (_JS, ("'web-push'", '"web-push"')),
    # a line that imports it, not the word: a docstring naming the library imports nothing
    "python": (_PY, ("\nfrom pywebpush import", "\nimport pywebpush")),
}
_LISTENER = lazy(r"\A(?:self\.|globalThis\.)?addEventListener\([ \t]*+(['\"])push\1[ \t]*+,")
_LISTENS = ('addEventListener("push"', "addEventListener('push'")
_CALL = lazy(r"(?<![\w$.])([A-Za-z_$][\w$]{0,100}+)\(")
_COMMENTS = ("//", "#", "*", "/*")


_LISTEN_NEEDLES = Needles(_LISTENS)  # their words first (`words`): most files hold none


def web_push_sites(language: str, text: str) -> tuple[HandoffSite, ...]:
    """The Web Push ends of one file (see the module doc)."""
    if not _ANY_NEEDLE.any_in(text):
        return ()
    library = _LIBRARY.get(language)
    lead = "\n" + text if language == "python" else text  # Python's needles start a line
    sends = library is not None and any(w in lead for w in library[1])
    hears = language in ("javascript", "typescript") and _LISTEN_NEEDLES.any_in(text)
    if not sends and not hears:
        return ()
    out: list[HandoffSite] = []
    lines = [line[:MAX_LINE] for line in text.split("\n")]
    if library is not None and sends:
        pattern = library[0]
        for i, line in enumerate(lines, 1):
            if line.lstrip().startswith(_COMMENTS) or len(out) >= MAX_SITES:
                continue
            m = pattern.search(line)
            if m:
                out.append(HandoffSite("produce", MECHANISM, NAME, i, (m.group(1),)))
    if hears:
        for i, line in enumerate(lines, 1):
            if line.startswith(("self.add", "addEvent", "globalThis.")) and _LISTENER.match(line):
                out.append(HandoffSite("consume", MECHANISM, NAME, i))
                at = _handler(lines, i)
                if at:
                    out.append(HandoffSite("consume", MECHANISM, NAME, at))
    return tuple(out)


_DEF = lazy(
    r"\A(?:export[ \t]++)?(?:async[ \t]++)?function[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+\("
    r"|\A(?:export[ \t]++)?const[ \t]++([A-Za-z_$][\w$]{0,100}+)[ \t]*+=[ \t]*+"
    r"(?:async\b|function\b|\()"
)


def _handler(lines: list[str], i: int) -> int:
    """The definition line of the first top-level function of this file that the listener
    at line `i` calls in its first lines, 0 when none."""
    defs: dict[str, int] = {}
    for k, line in enumerate(lines, 1):
        if line.startswith(("function", "async", "const", "export")):
            d = _DEF.match(line)
            if d:
                defs.setdefault(d.group(1) or d.group(2), k)
    for j in range(i - 1, min(len(lines), i + MAX_BODY_LINES)):
        text = lines[j][len("addEventListener(") :] if j == i - 1 else lines[j]
        for c in _CALL.finditer(text):
            if c.group(1) in defs:
                return defs[c.group(1)]
        if j > i - 1 and lines[j].startswith(("}", ")")):
            break
    return 0
