"""Other ways data leaves, beside HTTP: a mail handed to an SMTP server, a clone from a git
remote, a program run, and the database a knex call names. Data tables, and the reading of
one call node.

* SMTP (`SMTP`): the call that opens the connection, and which argument holds the server:
  ``smtplib.SMTP(host)``, nodemailer's ``createTransport({host})`` (or an ``smtp://`` URL),
  Go's ``smtp.SendMail(addr, …)``, Ruby's ``Net::SMTP.start(address)``. → an
  `OutboundCall` of kind ``smtp`` (the server's host, or the setting or env var holding it).
* A git remote (`GIT`): dulwich's ``porcelain.clone(url, …)``, GitPython's
  ``Repo.clone_from(url, …)``, pygit2, ruby-git, Rugged → an `OutboundCall` of kind ``git``.
* A program run (`PROGRAMS`): ``child_process.spawn("apprise", …)``, ``subprocess.run([
  "apprise", …])``, ``exec.Command("apprise", …)``, Ruby ``system("apprise", …)`` → a
  ``config.program`` signal whose detail ``program:<name>`` the catalog may map to a
  service (Apprise, a notification relay). Only a literal program name counts.
* ``knex({client: "sqlite3"})`` → a ``config.knex`` signal, detail ``knex:<client>``.

The parser found the call, so a call in a comment or inside a string is never read.
"""

from __future__ import annotations

import re
from typing import Any

from bot.core.analysis.egress_sockets import KeyIn, Literal, Resolve, file_imports, socket_call
from bot.core.analysis.treesitter import Node, line
from bot.core.lazy_pattern import lazy
from bot.core.model import OutboundCall, Signal

# callee → (position of the server argument, object key holding it, client name).
SMTP: dict[str, dict[str, tuple[int, str, str]]] = {
    "python": {
        "smtplib.SMTP": (0, "host", "smtplib"),
        "smtplib.SMTP_SSL": (0, "host", "smtplib"),
        "smtplib.LMTP": (0, "host", "smtplib"),
    },
    "javascript": {
        "nodemailer.createTransport": (0, "host", "nodemailer"),
        "createTransport": (0, "host", "nodemailer"),
    },
    "ruby": {
        "Net::SMTP.start": (0, "address", "Net::SMTP"),
        "Net::SMTP.new": (0, "address", "Net::SMTP"),
    },
    "go": {
        "smtp.SendMail": (0, "", "net/smtp"),
        "smtp.Dial": (0, "", "net/smtp"),
    },
}
# A clone or fetch from a git remote: callee → position of the remote's URL.
GIT: dict[str, dict[str, int]] = {
    "python": {
        "dulwich.porcelain.clone": 0,
        "dulwich.porcelain.pull": 1,
        "dulwich.porcelain.fetch": 1,
        "git.Repo.clone_from": 0,
        "pygit2.clone_repository": 0,
    },
    "javascript": {},
    "ruby": {"Git.clone": 0, "Rugged::Repository.clone_at": 0},
    "go": {},
}
# callee (or, for JS, the method name on any receiver) → position of the program argument.
PROGRAMS: dict[str, dict[str, int]] = {
    "python": {
        "subprocess.run": 0,
        "subprocess.Popen": 0,
        "subprocess.call": 0,
        "subprocess.check_call": 0,
        "subprocess.check_output": 0,
    },
    "javascript": {
        "child_process.exec": 0,
        "child_process.execSync": 0,
        "childProcess.exec": 0,
        "childProcess.execSync": 0,
    },
    "ruby": {
        "system": 0,
        "spawn": 0,
        "Open3.capture2": 0,
        "Open3.capture2e": 0,
        "Open3.capture3": 0,
        "Open3.popen3": 0,
        "Process.spawn": 0,
    },
    "go": {"exec.Command": 0, "exec.CommandContext": 1},
}
_JS_ANY_RECEIVER = frozenset(
    {"spawn", "spawnSync", "execFile", "execFileSync", "execa", "execaSync"}
)
KNEX = frozenset({"knex", "Knex", "knex.knex", "Knex.knex"})
_PROGRAM = re.compile(r"[A-Za-z0-9][\w.+-]{0,40}")
_HOSTNAME = lazy(r"[a-z0-9][a-z0-9.-]{0,252}")
_LISTS = frozenset({"list", "array", "tuple"})
_STRINGS = frozenset(
    {"string", "template_string", "interpreted_string_literal", "raw_string_literal"}
)


def other_call(
    f: Any,
    node: Node,
    callee: str,
    args: list[Node],
    resolve: Resolve,
    key_in: KeyIn,
    literal: Literal,
) -> OutboundCall | None:
    """An SMTP call or a git clone as an `OutboundCall`; a program run or a knex client as
    a signal on `f.signals` (then None); None for every other call."""
    language = f.language
    opened = socket_call(f, node, callee, args, resolve, key_in, literal, _server)
    if opened is not None:
        return opened
    if language == "javascript" and node.type == "new_expression":
        return _passport_token(f, node, callee, args, resolve, key_in)
    smtp = SMTP[language].get(callee) or SMTP[language].get(callee.rsplit(".", 1)[-1])
    if smtp is not None and (language != "javascript" or callee.endswith("createTransport")):
        return _server(f, node, args, smtp, resolve, key_in, literal)
    at = GIT[language].get(callee)
    if at is not None:
        url = args[at] if len(args) > at else None
        host, configured_by, origin = (
            ("", "", "unknown") if url is None else resolve(f, url, 0, node)
        )
        return OutboundCall("git", line(node), callee.split(".", 1)[0], host, configured_by, origin)
    position = PROGRAMS[language].get(callee)
    if position is None and language == "javascript":
        # On any receiver (a promisified child_process); a bare `exec` is too common a
        # method name (RegExp#exec) to count without its module.
        position = 0 if callee.rsplit(".", 1)[-1] in _JS_ANY_RECEIVER else None
    if position is not None and len(args) > position:
        program = _program(args[position], literal)
        if program:
            f.signals.append(Signal("config.program", program, line(node), f"program:{program}"))
        return None
    if language == "javascript" and callee in KNEX and args:
        found = key_in(f, args[0], "client", 0)
        client = literal(found) if found is not None and found.type in _STRINGS else ""
        if client and _PROGRAM.fullmatch(client):
            f.signals.append(Signal("config.knex", client, line(node), f"knex:{client}"))
    return None


def _server(
    f: Any,
    node: Node,
    args: list[Node],
    model: tuple[int, str, str],
    resolve: Resolve,
    key_in: KeyIn,
    literal: Literal,
    kind: str = "smtp",
) -> OutboundCall:
    """The call that opens a connection to a server (`kind`: smtp, statsd, socket), with
    the server read from its argument at `model`'s position or keyword."""
    position, key, client = model
    arg: Node | None = args[position] if len(args) > position else None
    if arg is None and key:  # `SMTP(host="…")`
        listed = node.child_by_field_name("arguments")
        for item in listed.named_children if listed is not None else ():
            arg = arg or key_in(f, item, key, 0)
    if arg is not None and arg.type == "tuple" and arg.named_children:  # (host, port)
        arg = arg.named_children[0]
    if arg is not None and arg.type in ("object", "hash", "dictionary", "identifier"):
        keyed = key_in(f, arg, key, 0) if key else None
        arg = keyed if keyed is not None or arg.type != "identifier" else arg
    host, configured_by, origin = ("", "", "unknown") if arg is None else resolve(f, arg, 0, node)
    if not host and origin in ("unknown", "literal") and arg is not None and arg.type in _STRINGS:
        written = literal(arg).strip().lower()
        host = written.rsplit(":", 1)[0] if written.count(":") == 1 else written
        host = host if _HOSTNAME.fullmatch(host) else ""
        origin = "literal" if host else origin
    return OutboundCall(kind, line(node), client, host, configured_by, origin)


def _passport_token(
    f: Any, node: Node, callee: str, args: list[Node], resolve: Resolve, key_in: KeyIn
) -> OutboundCall | None:
    """`new Strategy({ tokenURL })` of a `passport-*` package: the server exchanges the
    sign-in code at `tokenURL` (an OAuth provider written in the app's options). A strategy
    without one (its package knows its provider: the catalog's row) is no call here."""
    module = file_imports(f, node).get(callee, "") if "." not in callee else ""
    if not module.startswith("passport-") or not args:
        return None
    options = args[0]
    token = key_in(f, options, "tokenURL", 0) if options.type in ("object", "identifier") else None
    if token is None:
        return None
    host, configured_by, origin = resolve(f, token, 0, node)
    return OutboundCall("http", line(node), module, host, configured_by, origin)


def _program(arg: Node, literal: Literal) -> str:
    """The program's name: a string's first word, or a list's first string; its base name."""
    if arg.type in _LISTS:
        items = [c for c in arg.named_children if c.type != "comment"]
        arg = items[0] if items else arg
    if arg.type not in _STRINGS:
        return ""
    words = literal(arg).split()
    name = words[0].rsplit("/", 1)[-1] if words else ""
    return name if _PROGRAM.fullmatch(name) else ""


__all__ = ["KNEX", "PROGRAMS", "SMTP", "other_call"]
