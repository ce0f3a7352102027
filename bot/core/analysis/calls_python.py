"""Call sites and definitions of one Python file, for flows that follow calls (issue 18).

`ast`, not tree-sitter: faster for Python. Each call keeps the callee as written (`parts`)
and, where the parser sees it, the type its first name has (`head_type`): a parameter
annotated `queue: Queue`, `self` in a method of `Queue`, a local `x = Queue(...)`. Class
fields with a declared type (`fields`) let a walk go through `self.storage.submit(...)`.
Large files are indexed by their `def`/`class` lines and parsed one function at a time
(`python_index`). Bounded: `ast.parse` failures (syntax, nesting too deep) give None, and
the walk over the tree uses an explicit stack, never recursion.
"""

from __future__ import annotations

import ast
import re
import textwrap

from bot.core.analysis.call_bounds import MAX_CALLS, MAX_PARTS
from bot.core.analysis.python import _string_spans
from bot.core.analysis.scan import Lines
from bot.core.call_sites import MADE_BY, Call, FileCalls, Func

# Decorators that register a handler on a registry a dispatch call runs (gidgethub's
# `@router.register("pull_request", action="opened")`, pyee's `@ee.on("event")`).
REGISTERING = frozenset({"register", "on", "handler"})
MAX_REGISTERED = 200
MAX_REGISTRY_ARGS = 32
MAX_BASES = 16  # bases of one class kept
MAX_MODULE_FIELDS = 2_000  # a file's fields (module-level instances included) kept


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
    views: list[tuple[str, int, int, str, int]] = []
    wrappers: set[int] = set()  # ids of the calls that open a `with`
    registered: list[tuple[str, str, str]] = []
    registries: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    bases: list[tuple[str, str]] = []
    abstract: list[str] = []
    returns: list[tuple[str, str]] = []
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
            if cls and not scope and _is_abstract(node):
                abstract.append(qual)
            returned = _ann_name(node.returns)
            if returned is not None and returned[:1].isupper() and len(returns) < MAX_CALLS:
                returns.append((qual, returned))
            inner = dict(types)
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            for i, arg in enumerate(args):
                if i == 0 and cls and not scope and arg.arg in ("self", "cls"):
                    inner[arg.arg] = cls
                elif (name := _ann_name(arg.annotation)) is not None:
                    inner[arg.arg] = name
            for d in node.decorator_list:
                stack.append((d, (scope, cls, types)))
                if not scope and not cls and len(registered) < MAX_REGISTERED:
                    _note_registered(d, qual, registered)
            children: list[ast.AST] = list(node.body)
            child_scope: _Scope = (qual, cls, inner)
        elif kind is ast.ClassDef:
            assert isinstance(node, ast.ClassDef)
            if scope:
                continue  # a class inside a function: its methods are not reached by name
            classes.append(node.name)
            for base in node.bases[:MAX_BASES] if len(bases) < MAX_MODULE_FIELDS else ():
                named = _ann_name(base)
                if named is not None:
                    bases.append((node.name, named))
            if not cls and len(views) < MAX_VIEWS:
                _note_view(node, offset, views)
            children = list(node.body)
            child_scope = ("", node.name, {})
        else:
            if kind is ast.Call:
                assert isinstance(node, ast.Call)
                parts = _dotted(node.func)
                if parts is not None:
                    head = types.get(parts[0]) if len(parts) > 1 else None
                    line = (node.func.end_lineno or node.lineno) + offset
                    made_by: tuple[str, ...] = ()
                    if head is not None and head.startswith(MADE_BY):
                        made_by, head = tuple(head[1:].split(".")), None
                    typed = ("", head) if head else None
                    wraps = id(node) in wrappers
                    calls.append(Call(line, scope, parts, typed, wraps, made_by))
            elif kind is ast.With or kind is ast.AsyncWith:
                assert isinstance(node, (ast.With, ast.AsyncWith))
                wrappers.update(id(item.context_expr) for item in node.items)
            elif kind is ast.Assign or kind is ast.AnnAssign:
                assert isinstance(node, (ast.Assign, ast.AnnAssign))
                _note_types(node, scope, cls, types, fields)
                if not scope and not cls and isinstance(node, ast.Assign):
                    _note_registry(node, registries)
            children = _children(node)
            child_scope = (scope, cls, types)
        for child in reversed(children):
            stack.append((child, child_scope))
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        tuple(dict.fromkeys(fields)),
        aliases=_ast_aliases(tree) if not cls else (),
        classes=tuple(classes),
        registered=tuple(registered),
        registries=tuple(registries),
        bases=tuple(dict.fromkeys(bases)),
        abstract=tuple(abstract),
        returns=tuple(returns),
        views=tuple(views),
    )


MAX_ALIASES = 200


def _ast_aliases(tree: ast.Module) -> tuple[tuple[str, str], ...]:
    """(name as used, what it names) of a module's `import a.b as c` (`a.b`) and
    `from ..x import y as z` (`..x.y`): the import facts keep `y`, not `z`."""
    out: list[tuple[str, str]] = []
    for node in tree.body:
        if len(out) >= MAX_ALIASES:
            break
        if isinstance(node, ast.Import):
            out += [(a.asname, a.name) for a in node.names if a.asname and a.asname != a.name]
        elif isinstance(node, ast.ImportFrom):
            head = "." * node.level + (node.module + "." if node.module else "")
            out += [
                (a.asname, head + a.name)
                for a in node.names
                if a.asname and a.asname != a.name and a.name != "*"
            ]
    return tuple(out[:MAX_ALIASES])


MAX_IMPORT_LINE = 400
MAX_IMPORT_NAMES = 50


def _line_aliases(lines: list[str]) -> tuple[tuple[str, str], ...]:
    """`_ast_aliases` of a large file, read from its top-level one-line imports."""
    out: list[tuple[str, str]] = []
    for code in lines:
        # The operator first: a large file's lines are mostly without " as ".
        if " as " not in code or len(code) > MAX_IMPORT_LINE:
            continue
        if len(out) >= MAX_ALIASES:
            break
        if not code.startswith(("from ", "import ")):
            continue
        words = code.split("#", 1)[0].split()
        if words[0] == "from" and len(words) > 3 and words[2] == "import":
            module, names = words[1], " ".join(words[3:])
        elif words[0] == "import":
            module, names = "", " ".join(words[1:])
        else:
            continue
        head = module + ("" if module.endswith(".") else ".") if module else ""
        for part in names.strip("()").split(",")[:MAX_IMPORT_NAMES]:
            name, _, alias = (w.strip() for w in part.partition(" as "))
            if alias.isidentifier() and name and name != alias:
                out.append((alias, head + name))
    return tuple(out[:MAX_ALIASES])


def _is_abstract(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`@abstractmethod`, or a body that only says it is not implemented here."""
    if any(_ann_name(d) == "abstractmethod" for d in node.decorator_list):
        return True
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if len(body) != 1:
        return False
    only = body[0]
    if isinstance(only, ast.Pass):
        return True
    if isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant):
        return only.value.value is Ellipsis
    if isinstance(only, ast.Raise) and only.exc is not None:
        exc = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
        return _ann_name(exc) == "NotImplementedError"
    return False


MAX_VIEWS = 500  # classes naming a model, per file


def _note_view(
    node: ast.ClassDef, offset: int, views: list[tuple[str, int, int, str, int]]
) -> None:
    """A class whose body names its model (`model = Site`, `queryset = Device.objects…`):
    a class-based view or viewset that inherits the methods that read and write it."""
    for item in node.body:
        if not isinstance(item, ast.Assign) or len(item.targets) != 1:
            continue
        target = item.targets[0]
        if not isinstance(target, ast.Name) or target.id not in ("model", "queryset"):
            continue
        model = _model_named(item.value) if target.id == "model" else _queried(item.value)
        if model:
            end = node.end_lineno or node.lineno
            views.append(
                (node.name, node.lineno + offset, end + offset, model, item.lineno + offset)
            )
            return


def _model_named(value: ast.expr) -> str:
    """`Site` of `model = Site` or `model = models.Site`."""
    if isinstance(value, ast.Name):
        return value.id
    return value.attr if isinstance(value, ast.Attribute) else ""


def _queried(value: ast.expr) -> str:
    """`Device` of `Device.objects.prefetch_related(…).filter(…)` (at most 20 calls deep)."""
    for _ in range(20):
        if isinstance(value, ast.Call):
            value = value.func
        elif isinstance(value, ast.Attribute):
            if value.attr == "objects":
                return _model_named(value.value)
            value = value.value
        else:
            return ""
    return ""


def _note_registered(d: ast.expr, qual: str, out: list[tuple[str, str, str]]) -> None:
    """`@router.register("pull_request", action="opened")` above `qual`: (registry, qual,
    what it handles, from its literal arguments)."""
    if not isinstance(d, ast.Call) or not isinstance(d.func, ast.Attribute):
        return
    if d.func.attr not in REGISTERING or not isinstance(d.func.value, ast.Name):
        return
    words = [a.value for a in d.args[:2] if isinstance(a, ast.Constant)]
    words += [k.value.value for k in d.keywords[:2] if isinstance(k.value, ast.Constant)]
    label = " ".join(w for w in words if isinstance(w, str) and w.isprintable())[:60]
    out.append((d.func.value.id, qual, label))


def _note_registry(node: ast.Assign, out: list[tuple[str, tuple[tuple[str, ...], ...]]]) -> None:
    """`router = routing.Router(a.router, b.router)`: a registry made of other modules'."""
    value = node.value
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
        return
    if not isinstance(value, ast.Call) or not value.args or value.keywords:
        return
    parts = [_dotted(a) for a in value.args[:MAX_REGISTRY_ARGS]]
    if all(p is not None and len(p) == 2 for p in parts):
        out.append((node.targets[0].id, tuple(p for p in parts if p is not None)))


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
    if name is None and scope and len(targets) == 1 and isinstance(targets[0], ast.Name):
        # `parser = get_parser(name)`: typed later by what `get_parser` says it returns.
        made = _dotted(node.value.func) if isinstance(node.value, ast.Call) else None
        if made is not None:
            types[targets[0].id] = MADE_BY + ".".join(made)
        else:
            types.pop(targets[0].id, None)  # no longer what it was
        return
    if name is None:
        return
    for t in targets:
        if isinstance(t, ast.Name):
            if scope or not cls:  # a local, or a module-level `queue = Queue(...)`
                types[t.id] = name
                if not scope and not cls and len(fields) < MAX_MODULE_FIELDS:
                    fields.append(("", t.id, "", name))  # importable: `from m import queue`
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
    abstract_above = False  # an `@abstractmethod` among the decorators being read
    bases: list[tuple[str, str]] = []
    abstract: list[str] = []
    returns: list[tuple[str, str]] = []
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
        # Per line, so the cheap forms: no pattern where no quote is, six counts summed in line.
        quoted = '"' in stripped or "'" in stripped
        code = (_QUOTED.sub("''", stripped) if quoted else stripped).partition("#")[0]
        opened = depth
        count = code.count
        brackets = count("(") + count("[") + count("{") - count(")") - count("]") - count("}")
        depth = max(0, depth + brackets)
        if opened or raw.endswith("\\"):
            last_code = i  # a statement's continuation belongs to the block it is in
            continue
        indent = len(raw) - len(stripped)
        close(last_code, indent)
        last_code = i
        if stripped.startswith("@"):
            decorated = decorated or i
            abstract_above = abstract_above or "abstractmethod" in code
            continue
        kind = defined = ""
        if stripped.startswith(("def", "async", "class")):  # the first word is one of these
            word = stripped.split("(", 1)[0].split(":", 1)[0].split()
            kind = "def" if word[:1] == ["def"] or word[:2] == ["async", "def"] else ""
            kind = "class" if word[:1] == ["class"] else kind
            defined = word[-1] if kind else ""
        if kind and defined.isidentifier():
            owner = open_[-1][2] if open_ else ""
            qual = f"{owner}.{defined}" if owner else defined
            if kind == "class" and not any(k == "def" for _, k, _, _, _ in open_):
                classes.append(qual)
                if len(bases) < MAX_MODULE_FIELDS:
                    bases.extend((qual, b) for b in _line_bases(code))
            elif kind == "def" and open_ and open_[-1][1] == "class":
                if abstract_above:
                    abstract.append(qual)
                returned = _line_returns(code)
                if returned:
                    returns.append((qual, returned))
            elif kind == "def":
                returned = _line_returns(code)
                if returned:
                    returns.append((qual, returned))
            open_.append((indent, kind, qual, i, decorated or i))
        elif stripped.startswith("self.") and len(fields) < MAX_MODULE_FIELDS:
            # `self.client = Client(…)` in a method: a field of the class around it.
            cls_open = [q for _, k, q, _, _ in open_ if k == "class"]
            made = _line_self_field(code)
            if cls_open and made is not None:
                fields.append((cls_open[-1], *made))
        elif open_ and open_[-1][1] == "class" and ":" in stripped:
            # `storage: Storage` at the class body's own indentation: a declared field.
            owner = open_[-1][2]
            if body_indent.setdefault(owner, indent) == indent:
                name, _, rest = stripped.partition(":")
                typ = rest.split("=", 1)[0].strip().split("|", 1)[0].strip().strip("'\"")
                if name.strip().isidentifier() and typ.isidentifier():
                    fields.append((owner, name.strip(), "", typ))
        decorated = None
        abstract_above = False
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
        aliases=_line_aliases(lines),
        classes=tuple(classes),
        reader=read,
        bases=tuple(dict.fromkeys(bases)),
        abstract=tuple(abstract),
        returns=tuple(returns),
    )


def _line_bases(code: str) -> list[str]:
    """`Storage`, `Mixin` of a one-line `class S3(base.Storage, Mixin, metaclass=M):`."""
    inside = code.partition("(")[2].rpartition(")")[0]
    out = []
    for part in inside.split(",")[:MAX_BASES]:
        name = part.strip().rpartition(".")[2]
        if "=" not in part and name.isidentifier():
            out.append(name)
    return out


def _line_returns(code: str) -> str:
    """`Parser` of a one-line `def get(name) -> Parser:` (or `-> "Parser | None"`)."""
    if "->" not in code:
        return ""
    ann = code.rpartition("->")[2].rstrip().removesuffix(":").strip().strip("'\"")
    name = ann.split("|", 1)[0].strip()
    return name if name.isidentifier() and name[:1].isupper() else ""


def _line_self_field(code: str) -> tuple[str, str, str] | None:
    """("client", "", "Client") of `self.client = Client(…)` (or `= mod.Client(…)`)."""
    name, sep, value = code[5:].partition("=")
    value = value.strip()
    name = name.strip()
    if not sep or not name.isidentifier() or "(" not in value:
        return None
    made = value.partition("(")[0].strip().rpartition(".")[2]
    return (name, "", made) if made.isidentifier() and made[:1].isupper() else None
