"""Call sites and definitions of one source file, for flows that follow calls (issue 18).

Read only for the files a flow's walk reaches, not for every file: `ast` for Python and
tree-sitter for Go cost ~20x a regex scan, so they are not part of the per-file facts. The
result is a pure function of the bytes. Each call keeps the callee as written (`parts`) and,
where the parser sees it, the type its first name has (`head_type`): a parameter annotated
`queue: Queue`, `self` in a method of `Queue`, a Go receiver `(s *APIV1Service)`, a Go
parameter `st *store.Store`. Struct or class fields with a declared type (`fields`) let a
walk go through `self.storage.submit(...)` or `s.Store.CreateMemo(...)`; Go interfaces
(`interfaces`) let it go on to the implementations.

Bounded: files over `MAX_BYTES` are not read; `ast.parse` failures (syntax, nesting too
deep) give None, and the walk over the tree uses an explicit stack, never recursion.
"""

from __future__ import annotations

import ast
import re
import textwrap
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable

from bot.core.analysis import treesitter as ts
from bot.core.analysis.python import _string_spans
from bot.core.analysis.scan import Lines
from bot.core.call_sites import Call, FileCalls, Func

MAX_BYTES = 400_000
# Python files above this are indexed by their `def`/`class` lines and parsed a function at
# a time: `ast.parse` of a whole 200 KB views module costs ~60 ms, its three functions a walk
# reaches ~1 ms.
SMALL_PYTHON = 16_000
MAX_CALLS = 5_000
# The parse budget of the call reader, tighter than extraction's: it runs outside the per-file
# deadline. Real code reports progress ~0.006-0.011 times a byte (at most 0.019 in files over
# 2 KB of lobsters, memos, ghostfolio and netbox); Ruby's error recovery on garbage spends
# ~180 us a report, so extraction's budget (5,000 + 0.25/byte) let a 400 kB file cost ~18 s.
PARSE_PER_BYTE = 0.05
PARSE_FLOOR = 500
# Calls already read, by blob: a push moves few files, and without this every flow walk of
# a warm refresh would read its files again (in the App, a blob request each). Bounded by
# the bytes read (a large Python file's index keeps its text) and by count.
MEMO_BYTES = 64_000_000
MEMO_FILES = 4_096
MAX_PARTS = 6  # `a.b.c.d.e.f(`: longer chains are not followed


class _Memo:
    """A value-keyed, least-recently-used memo of `file_calls` (blob id, language, tsx):
    holds no snapshot state, and is shared by the App's consumer threads (hence the lock)."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str, bool], tuple[FileCalls | None, int]] = (
            OrderedDict()
        )
        self._bytes = 0
        self._lock = threading.Lock()

    def get(
        self, blob: str, language: str, tsx: bool, read: Callable[[], bytes]
    ) -> FileCalls | None:
        key = (blob, language, tsx)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        data = read()
        calls = file_calls(language, data, tsx)
        with self._lock:
            if key not in self._items:
                self._items[key] = (calls, len(data))
                self._bytes += len(data)
            while self._items and (len(self._items) > MEMO_FILES or self._bytes > MEMO_BYTES):
                self._bytes -= self._items.popitem(last=False)[1][1]
        return calls


_MEMO = _Memo()


def memo_file_calls(
    blob: str, language: str, read: Callable[[], bytes], tsx: bool = False
) -> FileCalls | None:
    """`file_calls` of the blob `read` returns, read only the first time this blob is asked
    for (its id names its bytes, so the result cannot go stale)."""
    return _MEMO.get(blob, language, tsx, read)


def file_calls(language: str, data: bytes, tsx: bool = False) -> FileCalls | None:
    """The calls and definitions of `data`, or None when it is not read (language, size,
    or a parse that failed). `tsx`: TypeScript with JSX (a `.tsx` file)."""
    if len(data) > MAX_BYTES:
        return None
    if language in ("javascript", "typescript"):
        return js_calls(data, "tsx" if tsx else language)
    if language == "python":
        return python_calls(data) if len(data) <= SMALL_PYTHON else python_index(data)
    if language == "go":
        return go_calls(data)
    if language == "ruby":
        return ruby_calls(data)
    return None


# --- Python ---------------------------------------------------------------------------


def _ann_name(node: ast.expr | None) -> str | None:
    """The class an annotation names: `Queue`, `"Queue"`, `Queue | None`, `Optional[Queue]`."""
    for _ in range(4):
        if node is None:
            return None
        if isinstance(node, ast.Name):
            return node.id
        if isinstance(node, ast.Attribute):
            return node.attr
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value.strip()
            return name if name.isidentifier() else None
        if isinstance(node, ast.BinOp):  # `Queue | None`
            node = node.left
        elif isinstance(node, ast.Subscript) and _ann_name(node.value) == "Optional":
            node = node.slice
        else:
            return None
    return None


def _dotted(node: ast.expr) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute) and len(parts) < MAX_PARTS:
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or len(parts) >= MAX_PARTS:
        return None
    parts.append(node.id)
    return tuple(reversed(parts))


def _constructed(node: ast.expr | None) -> str | None:
    """`Queue` of `x = Queue(...)`: a capitalised name called."""
    if isinstance(node, ast.Call):
        parts = _dotted(node.func)
        if parts and parts[-1][:1].isupper():
            return parts[-1]
    return None


_Scope = tuple[str, str, dict[str, str]]  # (function qual, class, variable -> type name)


# Nodes that hold no call: not walked into (most of a tree's nodes are these).
_LEAVES = frozenset(
    {
        ast.Name,
        ast.Constant,
        ast.Load,
        ast.Store,
        ast.Del,
        ast.alias,
        ast.Pass,
        ast.Break,
        ast.Continue,
        ast.Import,
        ast.ImportFrom,
        ast.Global,
        ast.Nonlocal,
    }
    | {c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.operator)}
    | {c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.cmpop)}
    | {c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.unaryop)}
    | {c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.boolop)}
)


def _children(node: ast.AST) -> list[ast.AST]:
    """`ast.iter_child_nodes` without the leaves."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if type(value) is list:
            out.extend(v for v in value if isinstance(v, ast.AST) and type(v) not in _LEAVES)
        elif isinstance(value, ast.AST) and type(value) not in _LEAVES:
            out.append(value)
    return out


def python_calls(data: bytes | str, cls: str = "", offset: int = 0) -> FileCalls | None:
    """Every call and definition of a Python file (or, with `cls` and `offset`, of one
    function's source cut out of a class `cls`, its lines counted from `offset` + 1)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    funcs: list[Func] = []
    calls: list[Call] = []
    fields: list[tuple[str, str, str, str]] = []
    classes: list[str] = []
    wrappers: set[int] = set()  # ids of the calls that open a `with`
    # Children are pushed in reverse so they pop in source order: an assignment is seen
    # before the calls below it. Leaves (names, constants, contexts) are never pushed.
    stack: list[tuple[ast.AST, _Scope]] = [(tree, ("", cls, {}))]
    while stack and len(calls) < MAX_CALLS:
        node, (scope, cls, types) = stack.pop()
        kind = type(node)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            qual = f"{scope}.{node.name}" if scope else (f"{cls}.{node.name}" if cls else node.name)
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            end = node.end_lineno or node.lineno
            funcs.append(Func(qual, node.lineno + offset, first + offset, end + offset))
            inner = dict(types)
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            for i, arg in enumerate(args):
                if i == 0 and cls and not scope and arg.arg in ("self", "cls"):
                    inner[arg.arg] = cls
                elif (name := _ann_name(arg.annotation)) is not None:
                    inner[arg.arg] = name
            for d in node.decorator_list:
                stack.append((d, (scope, cls, types)))
            children: list[ast.AST] = list(node.body)
            child_scope: _Scope = (qual, cls, inner)
        elif kind is ast.ClassDef:
            assert isinstance(node, ast.ClassDef)
            if scope:
                continue  # a class inside a function: its methods are not reached by name
            classes.append(node.name)
            children = list(node.body)
            child_scope = ("", node.name, {})
        else:
            if kind is ast.Call:
                assert isinstance(node, ast.Call)
                parts = _dotted(node.func)
                if parts is not None:
                    head = types.get(parts[0])
                    line = (node.func.end_lineno or node.lineno) + offset
                    typed = ("", head) if head else None
                    calls.append(Call(line, scope, parts, typed, id(node) in wrappers))
            elif kind is ast.With or kind is ast.AsyncWith:
                assert isinstance(node, (ast.With, ast.AsyncWith))
                wrappers.update(id(item.context_expr) for item in node.items)
            elif kind is ast.Assign or kind is ast.AnnAssign:
                assert isinstance(node, (ast.Assign, ast.AnnAssign))
                _note_types(node, scope, cls, types, fields)
            children = _children(node)
            child_scope = (scope, cls, types)
        for child in reversed(children):
            stack.append((child, child_scope))
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        tuple(dict.fromkeys(fields)),
        classes=tuple(classes),
    )


def _note_types(
    node: ast.Assign | ast.AnnAssign,
    scope: str,
    cls: str,
    types: dict[str, str],
    fields: list[tuple[str, str, str, str]],
) -> None:
    """Types an assignment declares: `x: T`, `x = T(...)`, `self.x: T`, a class body's `x: T`."""
    targets: list[ast.expr]
    if isinstance(node, ast.AnnAssign):
        targets = [node.target]
        name = _ann_name(node.annotation) or _constructed(node.value)
    else:
        targets = list(node.targets)
        name = _constructed(node.value)
    if name is None:
        return
    for t in targets:
        if isinstance(t, ast.Name):
            if scope or not cls:  # a local, or a module-level `queue = Queue(...)`
                types[t.id] = name
            elif cls:
                fields.append((cls, t.id, "", name))
        elif (
            isinstance(t, ast.Attribute)
            and isinstance(t.value, ast.Name)
            and t.value.id == "self"
            and "self" in types
        ):
            fields.append((types["self"], t.attr, "", name))


# A one-line string literal, blanked before brackets are counted. Possessive bodies and an
# optional closer: a string left open runs to the end of the line, so no quote is scanned
# twice (a line of `\"` is linear).
_QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*+\"?|'(?:[^'\\\n]|\\.)*+'?")


def _string_lines(text: str) -> frozenset[int]:
    """Lines inside triple-quoted strings (past their first line): not code."""
    spans = _string_spans(text) or []
    at = Lines(text)
    out: set[int] = set()
    for start, end in spans:
        out.update(range(at.at(start) + 1, at.at(end) + 1))
    return frozenset(out)


def python_index(data: bytes) -> FileCalls | None:
    """A large file's functions, classes and class-body field annotations from its lines
    (indentation gives each `def` its end), with a reader that parses one function's lines
    when asked for its calls. A function whose lines don't parse alone (a string running
    past its end, say) is read from the whole file, parsed once."""
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    funcs: list[Func] = []
    classes: list[str] = []
    fields: list[tuple[str, str, str, str]] = []
    open_: list[tuple[int, str, str, int, int]] = []  # (indent, kind, qual, line, first)
    decorated: int | None = None
    body_indent: dict[str, int] = {}

    def close(upto: int, indent: int) -> None:
        while open_ and open_[-1][0] >= indent:
            _, kind, qual, line, first = open_.pop()
            if kind == "def":
                funcs.append(Func(qual, line, first, upto))

    in_string = _string_lines(text)
    depth = 0  # open brackets: a line inside them continues a statement
    last_code = 0
    for i, raw in enumerate(lines, 1):
        if i in in_string:
            last_code = i
            continue
        stripped = raw.lstrip(" \t")
        if not stripped or stripped.startswith("#"):
            continue
        code = _QUOTED.sub("''", stripped).split("#", 1)[0]
        opened = depth
        depth = max(0, depth + sum(map(code.count, "([{")) - sum(map(code.count, ")]}")))
        if opened or raw.endswith("\\"):
            last_code = i  # a statement's continuation belongs to the block it is in
            continue
        indent = len(raw) - len(stripped)
        close(last_code, indent)
        last_code = i
        if stripped.startswith("@"):
            decorated = decorated or i
            continue
        word = stripped.split("(", 1)[0].split(":", 1)[0].split()
        kind = "def" if word[:1] == ["def"] or word[:2] == ["async", "def"] else ""
        kind = "class" if word[:1] == ["class"] else kind
        if kind and word[-1].isidentifier():
            owner = open_[-1][2] if open_ else ""
            qual = f"{owner}.{word[-1]}" if owner else word[-1]
            if kind == "class" and not any(k == "def" for _, k, _, _, _ in open_):
                classes.append(qual)
            open_.append((indent, kind, qual, i, decorated or i))
        elif open_ and open_[-1][1] == "class" and ":" in stripped:
            # `storage: Storage` at the class body's own indentation: a declared field.
            owner = open_[-1][2]
            if body_indent.setdefault(owner, indent) == indent:
                name, _, rest = stripped.partition(":")
                typ = rest.split("=", 1)[0].strip().split("|", 1)[0].strip().strip("'\"")
                if name.strip().isidentifier() and typ.isidentifier():
                    fields.append((owner, name.strip(), "", typ))
        decorated = None
    close(last_code, 0)
    funcs.sort(key=lambda f: f.line)
    spans = {f.qual: f for f in funcs}
    cache: dict[str, tuple[Call, ...]] = {}
    whole: list[FileCalls | None] = []

    def read(scope: str) -> tuple[Call, ...]:
        found = cache.get(scope)
        if found is not None:
            return found
        fn = spans.get(scope)
        part = None
        if fn is not None:
            cut = lines[fn.first - 1 : fn.end]
            owner = scope.rpartition(".")[0]
            part = python_calls(textwrap.dedent("\n".join(cut)), owner, fn.first - 1)
        if part is None:  # the whole file (or a function that can't be read alone)
            if not whole:
                whole.append(python_calls(data))
            part = whole[0]
        calls = part.calls if part is not None else ()
        found = tuple(c for c in calls if c.scope == scope) if scope else calls
        cache[scope] = found
        return found

    return FileCalls(
        tuple(funcs),
        (),
        tuple(dict.fromkeys(fields)),
        classes=tuple(classes),
        reader=read,
    )


# --- Go -------------------------------------------------------------------------------

_GO_NODES = frozenset(
    {
        "function_declaration",
        "method_declaration",
        "call_expression",
        "import_spec",
        "type_spec",
        "short_var_declaration",
    }
)


def _go_made(node: ts.Node | None, aliases: dict[str, str]) -> tuple[str, str] | None:
    """The type `x := pkg.NewClient(…)` (by Go's constructor convention: `Client`), `x :=
    &pkg.T{…}` or `x := T{…}` gives `x`."""
    if node is not None and node.type == "expression_list":
        node = node.named_children[0] if node.named_children else None
    if node is not None and node.type == "unary_expression":
        node = node.child_by_field_name("operand")
    if node is None:
        return None
    if node.type == "composite_literal":
        return _go_type(node.child_by_field_name("type"), aliases)
    if node.type != "call_expression":
        return None
    fn = node.child_by_field_name("function")
    spec, name = "", ""
    if fn is not None and fn.type == "identifier":
        name = ts.text(fn)
    elif fn is not None and fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        spec = aliases.get(ts.text(operand), "") if operand is not None else ""
        name = ts.text(fn.child_by_field_name("field")) if spec else ""
    made = name[3:] if name.startswith("New") else ""
    return (spec, made) if made[:1].isupper() else None


def _go_type(node: ts.Node | None, aliases: dict[str, str]) -> tuple[str, str] | None:
    """(import spec or "", type name) of `*store.Store`, `Store`, `[]*T` is None."""
    for _ in range(4):
        if node is None:
            return None
        if node.type == "pointer_type":
            node = node.named_children[0] if node.named_children else None
        elif node.type == "generic_type":
            node = node.child_by_field_name("type")
        elif node.type == "type_identifier":
            return ("", ts.text(node))
        elif node.type == "qualified_type":
            pkg = ts.text(node.child_by_field_name("package"))
            name = ts.text(node.child_by_field_name("name"))
            spec = aliases.get(pkg)
            return (spec, name) if spec else None
        else:
            return None
    return None


def _go_parts(node: ts.Node | None) -> tuple[tuple[str, ...], int] | None:
    """(`("s", "Store", "CreateMemo")`, the line of the last name) of a call's function."""
    if node is None:
        return None
    if node.type == "identifier":
        return (ts.text(node),), ts.line(node)
    if node.type != "selector_expression":
        return None
    last = node.child_by_field_name("field")
    parts: list[str] = []
    while node is not None and node.type == "selector_expression" and len(parts) < MAX_PARTS:
        parts.append(ts.text(node.child_by_field_name("field")))
        node = node.child_by_field_name("operand")
    if node is None or node.type != "identifier" or last is None:
        return None
    parts.append(ts.text(node))
    return tuple(reversed(parts)), ts.line(last)


def _go_params(
    plist: ts.Node | None, aliases: dict[str, str], into: dict[str, tuple[str, str]]
) -> None:
    for p in plist.named_children if plist is not None else ():
        if p.type != "parameter_declaration":
            continue
        typ = _go_type(p.child_by_field_name("type"), aliases)
        if typ is None:
            continue
        for name in p.children_by_field_name("name"):
            into[ts.text(name)] = typ


def go_calls(data: bytes) -> FileCalls | None:
    with ts.reading(data):
        root = ts.parse("go", data, PARSE_PER_BYTE, PARSE_FLOOR)
        if root is None:
            return None
        nodes = ts.find("go", root, _GO_NODES)
        aliases: dict[str, str] = {}
        for n in nodes:
            if n.type == "import_spec":
                path_node = n.child_by_field_name("path")
                spec = ts.text(path_node, 300).strip('"`')
                name = n.child_by_field_name("name")
                alias = ts.text(name) if name is not None else spec.rpartition("/")[2]
                if alias not in ("_", "."):
                    aliases[alias] = spec
        funcs: list[Func] = []
        spans: list[tuple[int, int, str, dict[str, tuple[str, str]]]] = []
        fields: list[tuple[str, str, str, str]] = []
        interfaces: list[tuple[str, str]] = []
        types_declared: list[str] = []
        calls: list[Call] = []
        for n in nodes:
            if n.type in ("function_declaration", "method_declaration"):
                fname = ts.text(n.child_by_field_name("name"))
                types: dict[str, tuple[str, str]] = {}
                qual = fname
                if n.type == "method_declaration":
                    recv: dict[str, tuple[str, str]] = {}
                    _go_params(n.child_by_field_name("receiver"), aliases, recv)
                    owner = next(iter(recv.values()), None)
                    if owner is None:
                        continue
                    qual = f"{owner[1]}.{fname}"
                    types.update(recv)
                _go_params(n.child_by_field_name("parameters"), aliases, types)
                funcs.append(Func(qual, ts.line(n), ts.line(n), n.end_point[0] + 1))
                spans.append((n.start_byte, n.end_byte, qual, types))
            elif n.type == "type_spec":
                _go_type_spec(n, aliases, fields, interfaces, types_declared)
        starts = [s[0] for s in spans]
        for n in nodes:
            if n.type == "short_var_declaration":
                # A local's type, from its constructor: `client.CreateEntry(…)` then resolves.
                at = bisect_right(starts, n.start_byte) - 1
                made = _go_made(n.child_by_field_name("right"), aliases)
                left = n.child_by_field_name("left")
                if at >= 0 and n.end_byte <= spans[at][1] and made and left is not None:
                    names = left.named_children if left.type == "expression_list" else [left]
                    if names and names[0].type == "identifier":
                        spans[at][3][ts.text(names[0])] = made
                continue
            if n.type != "call_expression" or len(calls) >= MAX_CALLS:
                continue
            found = _go_parts(n.child_by_field_name("function"))
            if found is None:
                continue
            parts, line = found
            i = bisect_right(starts, n.start_byte) - 1
            scope, types = "", {}
            if i >= 0 and n.end_byte <= spans[i][1]:
                scope, types = spans[i][2], spans[i][3]
            head = types.get(parts[0]) if len(parts) > 1 else None
            calls.append(Call(line, scope, parts, head))
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        tuple(dict.fromkeys(fields)),
        tuple(sorted(aliases.items())),
        tuple(dict.fromkeys(interfaces)),
        tuple(types_declared),
    )


def _go_type_spec(
    n: ts.Node,
    aliases: dict[str, str],
    fields: list[tuple[str, str, str, str]],
    interfaces: list[tuple[str, str]],
    declared: list[str],
) -> None:
    owner = ts.text(n.child_by_field_name("name"))
    declared.append(owner)
    body = n.child_by_field_name("type")
    if body is None:
        return
    if body.type == "struct_type":
        for lst in body.named_children:
            for fd in lst.named_children if lst.type == "field_declaration_list" else ():
                if fd.type != "field_declaration":
                    continue
                typ = _go_type(fd.child_by_field_name("type"), aliases)
                if typ is None:
                    continue
                names = [ts.text(x) for x in fd.children_by_field_name("name")] or [typ[1]]
                for name in names:
                    fields.append((owner, name, typ[0], typ[1]))
    elif body.type == "interface_type":
        for m in body.named_children:
            if m.type in ("method_elem", "method_spec"):
                interfaces.append((owner, ts.text(m.child_by_field_name("name"))))


# --- Ruby -----------------------------------------------------------------------------

_RB_NODES = frozenset({"class", "module", "method", "singleton_method", "call", "assignment"})


def _rb_const(node: ts.Node | None) -> str | None:
    """`Sponge` of `Sponge`, `Bar` of `Foo::Bar`; None for anything else."""
    if node is not None and node.type == "scope_resolution":
        node = node.child_by_field_name("name")
    return ts.text(node) if node is not None and node.type == "constant" else None


def _rb_made(node: ts.Node | None) -> str | None:
    """`Sponge` of `Sponge.new(...)`."""
    if node is None or node.type != "call" or ts.text(node.child_by_field_name("method")) != "new":
        return None
    return _rb_const(node.child_by_field_name("receiver"))


def ruby_calls(data: bytes) -> FileCalls | None:
    """Ruby's methods (`CommentsController.create`: a flow's entry cites the action, not the
    class line) and calls: `Const.m`, `Const.new(...).m`, `x.m` where `x = Const.new`,
    `self.m` and `m(...)`; `flow_calls` resolves them by class, then by a method name
    defined once in the repository."""
    with ts.reading(data):
        root = ts.parse("ruby", data, PARSE_PER_BYTE, PARSE_FLOOR)
        if root is None:
            return None
        owners: list[tuple[int, str]] = []  # (end byte, name) of the open classes
        funcs: list[Func] = []
        classes: list[str] = []
        calls: list[Call] = []
        scope: tuple[int, str] = (-1, "")  # (end byte, qual) of the method we are in
        types: dict[str, str] = {}
        for n in ts.find("ruby", root, _RB_NODES):
            while owners and owners[-1][0] <= n.start_byte:
                owners.pop()
            if scope[0] <= n.start_byte:
                scope, types = (-1, ""), {}
            if n.type in ("class", "module"):
                name = _rb_const(n.child_by_field_name("name")) or ""
                classes.append(name)
                owners.append((n.end_byte, name))
            elif n.type in ("method", "singleton_method"):
                name = ts.text(n.child_by_field_name("name"))
                qual = f"{owners[-1][1]}.{name}" if owners else name
                funcs.append(Func(qual, ts.line(n), ts.line(n), n.end_point[0] + 1))
                scope, types = (n.end_byte, qual), {}
            elif n.type == "assignment":
                made = _rb_made(n.child_by_field_name("right"))
                left = n.child_by_field_name("left")
                if made is not None and left is not None:
                    types[ts.text(left)] = made
            elif len(calls) < MAX_CALLS:
                _rb_call(n, scope[1], owners[-1][1] if owners else "", types, calls)
    return FileCalls(tuple(funcs), tuple(calls), classes=tuple(classes))


def _rb_call(n: ts.Node, scope: str, owner: str, types: dict[str, str], out: list[Call]) -> None:
    method_node = n.child_by_field_name("method")
    if method_node is None:
        return
    method = ts.text(method_node)
    line = ts.line(method_node)
    recv = n.child_by_field_name("receiver")
    if recv is None:
        out.append(Call(line, scope, (method,)))
        return
    typ = _rb_const(recv) or _rb_made(recv)
    if recv.type == "self" and owner:
        typ = owner
    elif recv.type in ("identifier", "instance_variable"):
        typ = types.get(ts.text(recv))
    head = ts.text(recv, 80) if recv.type != "call" else "_"
    out.append(Call(line, scope, (head, method), ("", typ) if typ else None))


# --- JavaScript / TypeScript ------------------------------------------------------------

_JS_NODES = frozenset(
    {
        "import_statement",
        "class_declaration",
        "abstract_class_declaration",
        "method_definition",
        "function_declaration",
        "variable_declarator",
        "assignment_expression",
        "call_expression",
        "required_parameter",
        "public_field_definition",
    }
)
_JS_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function"})


def _js_type(node: ts.Node | None) -> str | None:
    """`DataService` of `: DataService` or `: Repository<DataService>`'s `Repository`."""
    if node is not None and node.type == "type_annotation":
        node = node.named_children[0] if node.named_children else None
    if node is not None and node.type == "generic_type":
        node = node.child_by_field_name("name") or (
            node.named_children[0] if node.named_children else None
        )
    if node is not None and node.type in ("type_identifier", "identifier"):
        return ts.text(node)
    return None


def _js_parts(node: ts.Node | None) -> tuple[tuple[str, ...], int] | None:
    """(`("this", "svc", "gather")`, line of `gather`) of a call's function."""
    if node is None:
        return None
    if node.type == "identifier":
        return (ts.text(node),), ts.line(node)
    if node.type != "member_expression":
        return None
    last = node.child_by_field_name("property")
    parts: list[str] = []
    while node is not None and node.type == "member_expression" and len(parts) < MAX_PARTS:
        parts.append(ts.text(node.child_by_field_name("property")))
        node = node.child_by_field_name("object")
    if node is None or node.type not in ("identifier", "this") or last is None:
        return None
    parts.append(ts.text(node))
    return tuple(reversed(parts)), ts.line(last)


def _js_import(n: ts.Node, out: list[tuple[str, str, str]]) -> None:
    source = n.child_by_field_name("source")
    spec = ts.text(source, 300).strip("'\"`")
    for clause in n.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                out.append((ts.text(part), spec, "default"))
            elif part.type == "namespace_import" and part.named_children:
                out.append((ts.text(part.named_children[0]), spec, "*"))
            elif part.type == "named_imports":
                for item in part.named_children:
                    name = item.child_by_field_name("name")
                    alias = item.child_by_field_name("alias")
                    if name is not None:
                        local = alias if alias is not None else name
                        out.append((ts.text(local), spec, ts.text(name)))


def _js_exported(n: ts.Node) -> str:
    """`f` of `exports.f = <function>` / `module.exports.f = <function>`, else ""."""
    left, value = n.child_by_field_name("left"), n.child_by_field_name("right")
    if left is None or value is None or value.type not in _JS_FUNCTION_VALUES:
        return ""
    if left.type != "member_expression":
        return ""
    target = ts.text(left.child_by_field_name("object"), 40).replace(" ", "")
    if target not in ("exports", "module.exports"):
        return ""
    return ts.text(left.child_by_field_name("property"))


def js_calls(data: bytes, grammar: str) -> FileCalls | None:
    """JavaScript/TypeScript functions, classes' methods, imports, calls (`this.svc.f()` is
    typed by a constructor parameter property `private readonly svc: Svc`, NestJS style)."""
    with ts.reading(data):
        root = ts.parse(grammar, data, PARSE_PER_BYTE, PARSE_FLOOR)
        if root is None:
            return None
        imports: list[tuple[str, str, str]] = []
        funcs: list[Func] = []
        classes: list[str] = []
        fields: list[tuple[str, str, str, str]] = []
        calls: list[Call] = []
        owners: list[tuple[int, str]] = []  # (end byte, class name) of the open classes
        open_funcs: list[tuple[int, str]] = []  # (end byte, qual) of the open functions
        for n in ts.find(grammar, root, _JS_NODES):
            while owners and owners[-1][0] <= n.start_byte:
                owners.pop()
            while open_funcs and open_funcs[-1][0] <= n.start_byte:
                open_funcs.pop()
            owner = owners[-1][1] if owners else ""
            scope = open_funcs[-1][1] if open_funcs else ""
            kind = n.type
            if kind == "import_statement":
                _js_import(n, imports)
            elif kind in ("class_declaration", "abstract_class_declaration"):
                name = ts.text(n.child_by_field_name("name"))
                classes.append(name)
                owners.append((n.end_byte, name))
            elif kind in ("method_definition", "function_declaration", "variable_declarator"):
                if kind == "variable_declarator":
                    value = n.child_by_field_name("value")
                    if value is None or value.type not in _JS_FUNCTION_VALUES or scope:
                        continue
                name = ts.text(n.child_by_field_name("name"))
                qual = f"{owner}.{name}" if kind == "method_definition" and owner else name
                if scope and kind != "method_definition":
                    qual = f"{scope}.{name}"
                first = ts.line(n)
                prev = n.prev_named_sibling
                while prev is not None and prev.type == "decorator":  # `@Cron(…)` above it
                    first, prev = ts.line(prev), prev.prev_named_sibling
                funcs.append(Func(qual, ts.line(n), first, n.end_point[0] + 1))
                open_funcs.append((n.end_byte, qual))
            elif kind == "assignment_expression":
                # CommonJS `exports.getLogin = async (req, res) => …`: a function of the
                # module, named as its importers call it.
                name = _js_exported(n) if not scope and not owner else ""
                if name:
                    funcs.append(Func(name, ts.line(n), ts.line(n), n.end_point[0] + 1))
                    open_funcs.append((n.end_byte, name))
            elif kind == "required_parameter":
                # `constructor(private readonly svc: Svc)`: a field of the class.
                if owner and any(c.type == "accessibility_modifier" for c in n.children):
                    typ = _js_type(n.child_by_field_name("type"))
                    pattern = n.child_by_field_name("pattern")
                    if typ and pattern is not None:
                        fields.append((owner, ts.text(pattern), "", typ))
            elif kind == "public_field_definition":
                value = n.child_by_field_name("value")
                typ = _js_type(n.child_by_field_name("type"))
                if typ is None and value is not None and value.type == "new_expression":
                    typ = _js_type(value.child_by_field_name("constructor"))
                if owner and typ:
                    fields.append((owner, ts.text(n.child_by_field_name("name")), "", typ))
            elif len(calls) < MAX_CALLS:
                found = _js_parts(n.child_by_field_name("function"))
                if found is not None:
                    parts, line = found
                    head = ("", owner) if parts[0] == "this" and owner else None
                    calls.append(Call(line, scope, parts, head))
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        tuple(dict.fromkeys(fields)),
        classes=tuple(classes),
        imports=tuple(imports),
    )
