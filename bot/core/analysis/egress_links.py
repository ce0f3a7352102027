"""Avatar URLs the server builds from a hash of the user's e-mail (Gravatar): the page it
renders makes the browser fetch them, so the user's hashed address leaves for that service.

`avatar_signals(data, browser)` finds an avatar URL written with its scheme or ``//``
(``gravatar.com/avatar`` then ``/`` or the literal's end, right after ``https://``,
``https://www.``, ``//secure.``) in server
code (not a browser file, not a comment line) of a file that also hashes something
(``md5(``, ``createHash(``, ``Digest::MD5``, ``sha256``…), or a base the literal ends
with (``"https://www.gravatar.com/avatar"``, hashed in a sibling file): a link in a help text or a
comment, an avatar URL the code only passes through, or the host named in prose (this
module) is not one. Each is a ``config.avatar`` signal whose detail
(``avatar-url:gravatar``) the catalog maps to its service. A byte scan: a
substring search, then at most `MAX_HITS` lines looked at.
"""

from __future__ import annotations

from bot.core.analysis.scan import code_hits, line_at
from bot.core.analysis.words import Needles
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

# The written URL prefix → the catalog `config` value it proves.
# The path may end the literal, the hash joined on later (`base + "/" + hash`, a format).
AVATARS = {b"gravatar.com/avatar": "avatar-url:gravatar"}
_PATH_ENDS = b"/\"'`"
_QUOTES = b"\"'`"
_HASHES = (b"md5", b"MD5", b"createHash(", b"sha256", b"SHA256", b"hexdigest", b"Digest::")
_COMMENTS = (b"#", b"//", b"*", b"/*", b"--", b"<!--")
_BEFORE = lazy(rb"//(?:www\.|secure\.|s\.|[a-z]{2}\.)?\Z")
MAX_HITS = 20


# `x.gravatar_url(`: the URL a model method builds (the gravtastic or gravatar-ultimate gems,
# or the app's own); in a file that makes an HTTP request, the server fetches it.
_GRAVATAR_URL = b".gravatar_url"


_AVATAR_NEEDLES = Needles(AVATARS)  # their words first (`words`): most files hold none
_HASH_NEEDLES = Needles(_HASHES)  # their words first (`words`): most files hold none


def avatar_signals(data: bytes, browser: bool, requests: bool = False) -> tuple[Signal, ...]:
    if browser:
        return ()
    fetched = _fetched_gravatar(data) if requests else ()
    # The URL first: one rare needle, where most files hold none of the hashes' seven.
    if fetched or not _AVATAR_NEEDLES.any_in(data):
        return fetched
    # Without a hash in this file, only a base the literal ends with (`"…/avatar"`): the
    # hash is joined on in a sibling file of the package (a constant read there).
    hashed = _HASH_NEEDLES.any_in(data)
    out: list[Signal] = []
    for needle, detail in AVATARS.items():
        for at in code_hits(data, needle, _COMMENTS, MAX_HITS):
            start = data.rfind(b"\n", 0, at) + 1
            after = data[at + len(needle) : at + len(needle) + 1]
            if not after or after not in (_PATH_ENDS if hashed else _QUOTES):
                continue  # `gravatar.com/avatars-faq`: another path
            if _BEFORE.search(data, max(start, at - 12), at) is not None:  # written, not named
                out.append(Signal("config.avatar", "avatar URL", line_at(data, at), detail))
                break  # one line is evidence enough per file
    return tuple(out)


def _fetched_gravatar(data: bytes) -> tuple[Signal, ...]:
    """The first live `.gravatar_url` (a word's end after it, not on a comment line)."""
    for at in code_hits(data, _GRAVATAR_URL, _COMMENTS, MAX_HITS):
        end = at + len(_GRAVATAR_URL)
        if end >= len(data) or not (data[end : end + 1].isalnum() or data[end] == 95):
            line = line_at(data, at)
            return (Signal("config.avatar", "avatar URL", line, "avatar-url:gravatar"),)
    return ()


# Headers asking for or sending ActivityStreams (`Accept: application/activity+json`,
# `'content-type': 'application/ld+json; profile="…/ns/activitystreams"'`, an object's
# header key) in server code: it speaks ActivityPub with other fediverse servers, whatever
# its HTTP client (often the app's own wrapper). A media type in a list or a comparison is
# no header; `res.header('Content-Type', …)` has no key: neither is read.
_AP_NEEDLES = (b"activity+json", b"ns/activitystreams")
_AP_HEADER = lazy(
    rb"(?i)(?<![\w-])['\"]?(?:accept|content-type)['\"]?[ \t]*+:[ \t]*+['\"`]application/"
    rb"(?:activity\+json|ld\+json[^\n]{0,80}?ns/activitystreams)"
)
ACTIVITYPUB = "media-type:activitypub"


_AP_WORDS = Needles(_AP_NEEDLES)  # their words first (`words`): most files hold none


def media_type_signals(data: bytes, browser: bool) -> tuple[Signal, ...]:
    """A `config.media` signal at the first header object asking for or sending
    ActivityStreams, in server code."""
    if browser or not _AP_WORDS.any_in(data):
        return ()
    for needle in _AP_NEEDLES:
        for at in code_hits(data, needle, _COMMENTS, MAX_HITS):
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            if _AP_HEADER.search(data, start, len(data) if end == -1 else end) is not None:
                line = line_at(data, at)
                return (Signal("config.media", "ActivityStreams media type", line, ACTIVITYPUB),)
    return ()


__all__ = ["ACTIVITYPUB", "AVATARS", "avatar_signals", "media_type_signals"]
