"""Python facts: imports, environment reads and entry-point/observability signals.

Parsing every file with `ast` costs ~20x reading it, so the common case is a regex scan:
import statements are found at the start of lines, docstrings are located by pairing
triple quotes, comments by the `#` before a match on its line. `ast` is used only when the
scan cannot be trusted: an unpaired triple quote, an `if` on `TYPE_CHECKING` the scan doesn't
recognise (recognised blocks are found by indentation and their imports left out), or a
statement the scan can't read.
Both paths give the same facts for the same file; the tests hold them to it.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from dataclasses import replace

from bot.core.analysis.blueprints import registration_signals
from bot.core.analysis.claims import claims
from bot.core.analysis.plugin_registry import plugin_signals
from bot.core.analysis.python_library_calls import python_library_calls
from bot.core.analysis.python_rules import ENV_PATTERNS, RULES
from bot.core.analysis.route_prefixes import decorator_prefixes
from bot.core.analysis.route_refs import drf_action_signals, route_handler_signals
from bot.core.analysis.route_refs_python import python_route_signals
from bot.core.analysis.scan import (
    Lines,
    literal_first,
    scan_signals,
    starts_word,
    unique_sorted,
)
from bot.core.analysis.words import contains
from bot.core.model import EnvRead, FileFacts, ImportRef, Signal

_DOTTED_RX = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_NAME_RX = r"(?:[A-Za-z_]\w*|\*)"
# The common one-line forms, alone on their line, read in one match (groups `modules`, and
# `dots`/`source`/`names`): `import a.b, c as d` and `from .a import b, c as d`. They accept
# only lines the statement parser below reads the same way (no comment, parenthesis,
# semicolon or continuation); any other statement goes to the parser.
_ALIAS_RX = r"(?:[ \t]* as [ \t]*[A-Za-z_]\w*)?"
_SIMPLE = re.compile(
    rf"import[ \t]+(?P<modules>{_DOTTED_RX}{_ALIAS_RX}(?:[ \t]*,[ \t]*{_DOTTED_RX}{_ALIAS_RX})*)"
    r"[ \t]*(?=\r?\n|\Z)"
    rf"|from[ \t]+(?P<dots>\.*)(?P<source>{_DOTTED_RX})?(?<=[\w.]) import [ \t]*"
    rf"(?P<names>{_NAME_RX}{_ALIAS_RX}(?:[ \t]*,[ \t]*{_NAME_RX}{_ALIAS_RX})*)"
    r"[ \t]*(?=\r?\n|\Z)"
)
_TYPE_CHECKING_IF = re.compile(
    r"\n([ \t]*)if[ \t]+(?:typing\.|t\.)?TYPE_CHECKING[ \t]*:[ \t]*(?:#[^\n]*)?(?=\r?\n)"
)
_DOTTED = re.compile(rf"{_DOTTED_RX}\Z")
_NAME = re.compile(rf"{_NAME_RX}\Z")
_COMMENT = re.compile(r"#[^\n]*")
_DYNAMIC = literal_first(
    r"\bimport_module\(\s*[\"']([\w.]+)[\"']\s*\)|\b__import__\(\s*[\"']([\w.]+)[\"']"
)


class PythonExtractor:
    name = "python"
    version = 14  # 2: string literals on one line are not code; 3: route handlers; 4: include,
    # blueprint and router prefixes; 5: Flask, Starlette, aiohttp, Falcon, Tornado route calls;
    # 6: library calls that name a service (LiteLLM providers, Apprise schemes, remote browsers),
    # Flask-RESTful `add_resource` routes
    # 7: a handler wrapped with literal options; 8: the line of each name of a multi-line
    # import, route paths wrapped in a helper call, `add_resource` through a forwarding
    # method, plugins registered with `register(Cls)` (`plugin_registry`)
    # 9: AWS clients named by their service id (`boto3.client("s3")`, `python_library_calls`)
    # 10: the OIDC discovery path alone (a table's key) is no issuer unless joined to one
    # 11: a Django command on the project's own command base (`class Command(XCommand)`)
    # 12: a route given a class instance made without arguments (`feeds.LatestFeed()`);
    # DRF viewsets' `@action` methods (`route.action`)
    # 13: a health path is a health check only where a route is declared
    # 14: APScheduler triggers handed to a project's own scheduling call; task objects
    # handed to a queue-holding class's method (`handoff_task_objects`)
    claims = claims(extensions=("py",))

    def matches(self, path: str) -> bool:
        return path.endswith(".py")

    def extract(self, path: str, data: bytes) -> FileFacts:
        return extract_python(data.decode("utf-8", "replace"))


class _Ambiguous(Exception):
    """The regex scan can't vouch for this file; parse it with ast."""


def extract_python(text: str) -> FileFacts:
    lines = Lines(text)
    spans = _string_spans(text)
    imports: list[ImportRef] | None = None
    if spans is not None:
        try:
            imports = _scan_imports(text, lines, spans, _type_checking_blocks(text))
        except _Ambiguous:
            imports = None
    if imports is None:
        imports = _ast_imports(text)
    skip = _code_skipper(text, spans or [])
    imports.extend(_dynamic_imports(text, lines, skip))
    env = _env_reads(text, lines, skip)
    imported = frozenset(r.spec.partition(".")[0] for r in imports if not r.level)
    signals: list[Signal] = scan_signals(text, RULES, lines, skip, imported)
    signals = decorator_prefixes(text, lines, signals)
    signals += route_handler_signals(text, "python", lines, skip)
    signals += drf_action_signals(text, lines, skip)
    signals += python_route_signals(text, lines, skip)
    signals += registration_signals(text, lines)
    signals += plugin_signals(text, lines)
    signals += python_library_calls(text, lines, skip, imported)
    return FileFacts(
        language="python",
        imports=unique_sorted(imports),
        env=unique_sorted(env),
        signals=unique_sorted(signals),
    )


def _env_reads(text: str, lines: Lines, skip: _Skipper) -> list[EnvRead]:
    if not contains(text, "env"):  # every trigger holds it: one pass for the many files with none
        return []
    out = []
    for trigger, pattern in ENV_PATTERNS:
        if trigger not in text:
            continue
        for m in pattern.finditer(text):
            start = m.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # `myenv(`, `_getenv(`: another function
            if not skip(start):
                out.append(EnvRead(m.group(1), lines.at(start)))
    return out


# --- the fast path ----------------------------------------------------------------


def _string_spans(text: str) -> list[tuple[int, int]] | None:
    """Triple-quoted string spans, or None when the quotes don't pair up."""
    marks = _positions(text, '"""') + _positions(text, "'''")
    if not marks:
        return []
    marks.sort()
    spans: list[tuple[int, int]] = []
    open_kind = ""
    start = 0
    for pos in marks:
        kind = text[pos : pos + 3]
        if not open_kind:
            if spans and pos < spans[-1][1]:
                continue  # the tail of a closing run like `""""`
            open_kind, start = kind, pos
        elif kind == open_kind and pos >= start + 3 and text[pos - 1] != "\\":
            spans.append((start, pos + 3))
            open_kind = ""
    return None if open_kind else spans


def _positions(text: str, needle: str) -> list[int]:
    """Where `needle` starts, non-overlapping (str.find is far faster than a regex here)."""
    out = []
    at = text.find(needle)
    while at >= 0:
        out.append(at)
        at = text.find(needle, at + 3)
    return out


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Spans are sorted and disjoint: only the last one starting at or before `pos` can hold it."""
    i = bisect_right(spans, (pos, len(spans) and spans[-1][1] + 1)) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _code_skipper(text: str, spans: list[tuple[int, int]]) -> _Skipper:
    return _Skipper(text, spans)


class _Skipper:
    """True for positions that are not code: in a docstring, a comment, or a string literal.

    Only matches are checked (few per file), so a per-line scan costs nothing measurable;
    without it, code that *writes* code (generators, rule tables) reads as the code it writes.
    Matches come in order, so a line is scanned once however many matches it holds: the
    scan's state at the last match is kept (a 60k-read line would otherwise cost 60k scans
    of its prefix).
    """

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self._text = text
        self._spans = spans
        # The line last scanned: its start and end, how far, and the state there.
        self._line = (-1, -1)
        self._at = 0
        self._quote = ""
        self._comment = False

    def __call__(self, pos: int) -> bool:
        if self._spans and _in_spans(pos, self._spans):
            return True
        text = self._text
        line_start, line_end = self._line
        if not (line_start <= pos <= line_end and pos >= self._at):
            line_start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos)
            self._line = (line_start, len(text) if end < 0 else end)
            self._at, self._quote, self._comment = line_start, "", False
            # A triple-quoted string that closes on this line: scan from its end.
            i = bisect_right(self._spans, (pos, 0)) - 1
            if i >= 0 and self._spans[i][0] < line_start < self._spans[i][1]:
                self._at = self._spans[i][1]
        if not self._comment and self._at < pos:
            self._at, self._quote, self._comment = _scan_line(text, self._at, pos, self._quote)
        return self._comment or bool(self._quote)


def _scan_line(text: str, i: int, end: int, quote: str) -> tuple[int, str, bool]:
    """Scan `text[i:end]` from inside `quote` (or code): where the scan stopped (at or past
    `end`), the quote open there, and whether a comment began."""
    while i < end:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if text.startswith(quote, i, end):
                i += len(quote)
                quote = ""
                continue
        elif ch == "#":
            return i, quote, True
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i, end) else ch
            i += len(quote)
            continue
        i += 1
    return i, quote, False


def _type_checking_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of `if TYPE_CHECKING:` bodies, found by indentation."""
    if not contains(text, "TYPE_CHECKING"):
        return []
    blocks: list[tuple[int, int]] = []
    for m in _TYPE_CHECKING_IF.finditer(text):
        indent = len(m.group(1))
        end = re.compile(rf"\n[ \t]{{0,{indent}}}[^ \t\n#]").search(text, m.end())
        blocks.append((m.end(), end.start() if end else len(text)))
    tests = 0
    at = text.find("TYPE_CHECKING")
    while at >= 0:
        words = text[text.rfind("\n", 0, at) + 1 : at].split(None, 1)
        tests += bool(words) and words[0] in ("if", "elif")
        at = text.find("TYPE_CHECKING", at + 13)
    if len(blocks) != tests:
        raise _Ambiguous  # an `if` on TYPE_CHECKING written some other way
    return blocks


def _scan_imports(
    text: str,
    lines: Lines,
    spans: list[tuple[int, int]],
    type_checking: list[tuple[int, int]],
) -> list[ImportRef]:
    out: list[ImportRef] = []
    # Matches come in order and docstring spans are sorted and disjoint: one walk through
    # them answers "in a docstring?" for every match.
    span = 0
    last = len(spans)
    for keyword_at in _statement_starts(text):
        while span < last and spans[span][1] <= keyword_at:
            span += 1
        if span < last and spans[span][0] <= keyword_at:
            continue  # an example in a docstring
        if type_checking and _in_spans(keyword_at, type_checking):
            continue
        simple = _SIMPLE.match(text, keyword_at)
        refs = _simple_refs(simple, lines.at(keyword_at)) if simple is not None else None
        if refs is None:
            statement = _logical_line(text, keyword_at)
            refs = _parse_statement(statement, lines.at(keyword_at))
            if len(refs) == 1 and refs[0].names:
                refs = [_spread(text, keyword_at, refs[0])]
        out += refs
    return out


def _statement_starts(text: str) -> list[int]:
    """Where each line's `import` or `from` keyword starts, when only spaces and tabs come
    before it on its line and a space or tab after it, in order. Found by `str.find` for
    each keyword, then the indentation read back to the line's start: 2-3x faster than one
    regex (`\\n[ \\t]*(?:import|from)[ \\t]`), whose scan stops at every newline."""
    out = []
    size = len(text)
    for keyword in ("import", "from"):
        at = text.find(keyword)
        while at >= 0:
            end = at + len(keyword)
            if end < size and text[end] in " \t":
                start = at
                while start and text[start - 1] in " \t":
                    start -= 1
                if not start or text[start - 1] == "\n":
                    out.append(at)
            at = text.find(keyword, end)
    out.sort()
    return out


def _simple_refs(simple: re.Match[str], line: int) -> list[ImportRef] | None:
    """What the statement parser reads from a `_SIMPLE` line, without its checks (the match
    made them), or None when a name comes out empty (`x, as as y`: the parser decides)."""
    modules, names = simple.group("modules", "names")
    if modules is not None:
        if " as " not in modules:  # the usual case, split without a pass per alias
            specs = [m.strip() for m in modules.split(",")]
        else:
            specs = [m.split(" as ", 1)[0].strip() for m in modules.split(",")]
        return None if "" in specs else [ImportRef(spec, line) for spec in specs]
    if " as " not in names:
        parsed = tuple([n.strip() for n in names.split(",")])
    else:
        parsed = tuple([n.split(" as ", 1)[0].strip() for n in names.split(",")])
    if "" in parsed:
        return None
    dots, source = simple.group("dots", "source")
    if source == "__future__":  # relative or not, as the parser does
        return []
    return [ImportRef(source or "", line, len(dots), parsed)]


def _spread(text: str, keyword_at: int, ref: ImportRef) -> ImportRef:
    """`ref` with the line of each name, when its statement spans lines (`from . import (`
    then a name a line): a hop through a name cites where it is written. Reads the names
    as `_parse_simple` does, one physical line at a time, within a few lines per name."""
    at = text.find(" import ", keyword_at)
    end = text.find("\n", keyword_at)
    if at < 0 or 0 <= end < at:
        return ref  # `import` on a continued line: the statement's line will do
    at += len(" import ")
    line = ref.line
    found: list[int] = []
    while len(found) < len(ref.names) and line - ref.line <= 2 * len(ref.names) + 8:
        stop = text.find("\n", at)
        piece = _COMMENT.sub("", text[at : len(text) if stop < 0 else stop])
        close = piece.find(")")
        for item in (piece if close < 0 else piece[:close]).strip(" \t\r(\\").split(","):
            if item.split(" as ", 1)[0].strip():
                found.append(line)
        if close >= 0 or stop < 0:
            break
        at, line = stop + 1, line + 1
    if len(found) != len(ref.names) or found[-1] == ref.line:
        return ref
    return replace(ref, name_lines=tuple(found))


def _logical_line(text: str, pos: int) -> str:
    """The statement starting at `pos`: through its closing parenthesis or backslashes."""
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    line = _COMMENT.sub("", text[pos:end])
    if "(" in line and ")" not in line:
        close = text.find(")", pos)
        if close < 0:
            raise _Ambiguous
        return _COMMENT.sub("", text[pos : close + 1]).replace("\n", " ")
    while line.endswith("\\"):
        nxt = text.find("\n", end + 1)
        nxt = len(text) if nxt < 0 else nxt
        line = line[:-1] + " " + _COMMENT.sub("", text[end + 1 : nxt])
        end = nxt
    return line


def _parse_statement(statement: str, line: int) -> list[ImportRef]:
    first, semicolon, rest = statement.partition(";")
    out = _parse_simple(first.strip(), line)
    if semicolon and rest.strip().startswith(("import ", "from ")):
        out += _parse_statement(rest.strip(), line)  # `import a; import b` on one line
    return out


def _parse_simple(statement: str, line: int) -> list[ImportRef]:
    words = statement.split(None, 1)
    if len(words) != 2:
        raise _Ambiguous
    keyword, rest = words
    if keyword == "import":
        out = []
        for item in rest.split(","):
            spec = item.split(" as ", 1)[0].strip()
            if not _DOTTED.match(spec):
                raise _Ambiguous
            out.append(ImportRef(spec, line))
        return out
    module, sep, names = rest.partition(" import ")
    if not sep and rest.rstrip().endswith(" import"):
        raise _Ambiguous
    if not sep:
        if module.strip().startswith("__future__") or not module.strip():
            return []
        raise _Ambiguous
    module = module.strip()
    level = len(module) - len(module.lstrip("."))
    spec = module[level:].strip()
    if spec == "__future__":
        return []
    if spec and not _DOTTED.match(spec):
        raise _Ambiguous
    parsed: list[str] = []
    for item in names.strip().strip("()").split(","):
        name = item.split(" as ", 1)[0].strip()
        if not name:
            continue
        if not _NAME.match(name):
            raise _Ambiguous
        parsed.append(name)
    return [ImportRef(spec, line, level, tuple(parsed))]


def _dynamic_imports(text: str, lines: Lines, skip: _Skipper) -> list[ImportRef]:
    # Both needles hold "import_", rare outside them: one pass for most files.
    if not contains(text, "import_") or (
        not contains(text, "import_module(") and not contains(text, "__import__(")
    ):
        return []
    return [
        ImportRef(m.group(1) or m.group(2), lines.at(m.start()), kind="dynamic")
        for m in _DYNAMIC.finditer(text)
        if starts_word(text, m.start()) and not skip(m.start())
    ]


# --- the careful path ---------------------------------------------------------------


def _ast_imports(text: str) -> list[ImportRef]:
    out: list[ImportRef] = []
    try:
        _collect(ast.parse(text).body, out)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Not Python (a template, Python 2) or pathologically nested: no facts, not wrong ones.
        return []
    return out


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _collect(body: list[ast.stmt], out: list[ImportRef]) -> None:
    for node in body:
        if isinstance(node, ast.Import):
            out.extend(ImportRef(a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__":
                continue
            names = tuple(a.name for a in node.names)
            at = tuple(a.lineno for a in node.names)
            spread = at if at and at[-1] != node.lineno else ()
            module = node.module or ""
            out.append(ImportRef(module, node.lineno, node.level, names, "import", spread))
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            _collect(node.orelse, out)  # the `if` body exists only for type checkers
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                child = getattr(node, field, None)
                if isinstance(child, list):
                    _collect([c for c in child if isinstance(c, ast.stmt)], out)
                    for c in child:
                        if isinstance(c, ast.ExceptHandler | ast.match_case):
                            _collect(c.body, out)
