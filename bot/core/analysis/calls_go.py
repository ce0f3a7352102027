"""The Go call reader (tree-sitter): a file's functions, methods, struct fields, interfaces
and calls, with the types the parser sees (receivers, parameters, locals made by `&T{}` /
`New…`, ranged slices), and inline route handlers taken as functions of their own. Part of
`bot.core.analysis.calls`, which picks the reader by language."""

from __future__ import annotations

from bisect import bisect_right

from bot.core.analysis import treesitter as ts
from bot.core.analysis.call_bounds import MAX_CALLS, MAX_PARTS, PARSE_FLOOR, PARSE_PER_BYTE
from bot.core.call_sites import MADE_BY, Call, FileCalls, Func

_GO_NODES = frozenset(
    {
        "function_declaration",
        "method_declaration",
        "call_expression",
        "import_spec",
        "type_spec",
        "short_var_declaration",
        "func_literal",
        "var_spec",
        "range_clause",
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


def _go_maker(node: ts.Node | None) -> tuple[str, str] | None:
    """`x := cfg.ProviderFor(kind)`, no constructor: (`MADE_BY`, the callee as written), so
    a call on `x` is typed by what that function is declared to return (`FileCalls.returns`,
    read where the walk resolves it)."""
    if node is not None and node.type == "expression_list":
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type != "call_expression":
        return None
    found = _go_parts(node.child_by_field_name("function"))
    return (MADE_BY, ".".join(found[0])) if found is not None else None


def _go_chain(node: ts.Node | None) -> tuple[tuple[str, ...], int] | None:
    """(`("s", "db", "WithContext", "Where", "First")`, the line of `First`) of a method
    called on another call's result (`s.db.WithContext(ctx).Where(q).First(&u)`,
    `store.Get().Save(x)`): the names down the chain to the value it starts from, at most
    `MAX_PARTS`. Not an index or a conversion (`xs[i].f()`, `T(x).f()` keep None)."""
    if node is None or node.type != "selector_expression":
        return None
    last = node.child_by_field_name("field")
    parts: list[str] = []
    while node is not None and len(parts) < MAX_PARTS:
        if node.type == "call_expression":
            node = node.child_by_field_name("function")
        elif node.type == "selector_expression":
            parts.append(ts.text(node.child_by_field_name("field")))
            node = node.child_by_field_name("operand")
        else:
            break
    if node is None or node.type != "identifier" or last is None or len(parts) < 2:
        return None
    parts.append(ts.text(node))
    return tuple(reversed(parts)), ts.line(last)


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
        if p.type == "parameter_declaration":
            _go_typed(p, aliases, into)


def _go_typed(n: ts.Node, aliases: dict[str, str], into: dict[str, tuple[str, str]]) -> None:
    """The names a parameter or `var x, y T` declares, by their type. A slice `[]T` is kept
    as `name[]` (no Go name has brackets): `for _, r := range name` gives `r` its `T`."""
    node = n.child_by_field_name("type")
    suffix = ""
    if node is not None and node.type == "slice_type":
        node, suffix = node.child_by_field_name("element"), "[]"
    typ = _go_type(node, aliases)
    if typ is None:
        return
    for name in n.children_by_field_name("name"):
        into[ts.text(name) + suffix] = typ


def _go_local(n: ts.Node, aliases: dict[str, str], types: dict[str, tuple[str, str]]) -> None:
    """Types a function's body gives its names (into its span's `types`): `var x T`, the
    parameters of a function literal (`go func(d Destination) { d.Send(…) }(dest)`: its
    body's calls are the function's own), a range over a typed slice."""
    if n.type == "var_spec":
        _go_typed(n, aliases, types)
    elif n.type == "func_literal":
        _go_params(n.child_by_field_name("parameters"), aliases, types)
    elif n.type == "range_clause":
        right, left = n.child_by_field_name("right"), n.child_by_field_name("left")
        elem = types.get(ts.text(right) + "[]") if right is not None else None
        names = left.named_children if left is not None else []
        if elem is not None and len(names) == 2 and names[1].type == "identifier":
            types[ts.text(names[1])] = elem  # `for _, r := range receivers`


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
        returns: list[tuple[str, str]] = []
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
                result = _go_result(n.child_by_field_name("result"), aliases)
                if result:
                    returns.append((qual, result))
            elif n.type == "type_spec":
                _go_type_spec(n, aliases, fields, interfaces, types_declared)
        _go_route_closures(nodes, aliases, funcs, spans)
        starts = [s[0] for s in spans]
        parents = _go_parents(spans)
        for n in nodes:
            if n.type in ("func_literal", "var_spec", "range_clause"):
                at = _go_span(spans, starts, n, parents)
                if at >= 0 and n.end_byte <= spans[at][1]:
                    _go_local(n, aliases, spans[at][3])
                continue
            if n.type == "short_var_declaration":
                # A local's type, from its constructor: `client.CreateEntry(…)` then resolves.
                at = _go_span(spans, starts, n, parents)
                right = n.child_by_field_name("right")
                made = _go_made(right, aliases) or _go_maker(right)
                left = n.child_by_field_name("left")
                if at >= 0 and n.end_byte <= spans[at][1] and made and left is not None:
                    names = left.named_children if left.type == "expression_list" else [left]
                    if names and names[0].type == "identifier":
                        spans[at][3][ts.text(names[0])] = made
                continue
            if n.type != "call_expression" or len(calls) >= MAX_CALLS:
                continue
            fn = n.child_by_field_name("function")
            found = _go_parts(fn)
            made_by: tuple[str, ...] = ()
            if found is None:
                found = _go_chain(fn)
                if found is None:
                    continue
                made_by = found[0][:-1]  # the call whose result the last name is called on
            parts, line = found
            i = _go_span(spans, starts, n, parents)
            scope, types = "", {}
            if i >= 0 and n.end_byte <= spans[i][1]:
                scope, types = spans[i][2], spans[i][3]
            head = types.get(parts[0]) if len(parts) > 1 else None
            if head is not None and head[0] == MADE_BY:
                made_by, head = tuple(head[1].split(".")), None
            calls.append(Call(line, scope, parts, head, made_by=made_by))
            calls += _go_func_values(n, scope, types)
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        tuple(dict.fromkeys(fields)),
        tuple(sorted(aliases.items())),
        tuple(dict.fromkeys(interfaces)),
        tuple(types_declared),
        returns=tuple(returns),
    )


def _go_result(node: ts.Node | None, aliases: dict[str, str]) -> str:
    """What a function returns first, as `FileCalls.returns` keeps it for Go: `spec.Name`
    (`Name` for a type of its own package; Go names have no dot, so the last dot splits
    them), `func` for a function type (`func(w, r)`: a handler a factory makes), "" else."""
    if node is not None and node.type == "parameter_list":
        first = node.named_children[0] if node.named_children else None
        node = first.child_by_field_name("type") if first is not None else None
    if node is not None and node.type == "function_type":
        return "func"
    if node is not None and node.type == "qualified_type":
        # (`fiber.Handler` of `…/fiber/v2`, whose alias the import's last part misses.)
        pkg = ts.text(node.child_by_field_name("package"))
        return f"{aliases.get(pkg, pkg)}.{ts.text(node.child_by_field_name('name'))}"
    typ = _go_type(node, aliases)
    if typ is None:
        return ""
    return f"{typ[0]}.{typ[1]}" if typ[0] else typ[1]


MAX_FUNC_VALUES = 4  # function names one call hands on as arguments


def _go_func_values(n: ts.Node, scope: str, types: dict[str, tuple[str, str]]) -> list[Call]:
    """A bare name handed to a call (`newJob(fetchFeedTask, feeds)`, `go run(worker)`): when
    it names a function of the package, the callee runs it (a worker pool, a retry helper),
    so it is a step of the caller. A local or parameter of that name is no function (its
    type is known here, or it is the loop's or closure's own); a method value
    (`s.execManager`) is left alone: its receiver's type is seldom seen."""
    args = n.child_by_field_name("arguments")
    out: list[Call] = []
    for arg in args.named_children if args is not None else ():
        if arg.type == "identifier" and len(out) < MAX_FUNC_VALUES:
            name = ts.text(arg)
            if name not in types and name not in ("nil", "true", "false", "err", "ctx"):
                out.append(Call(ts.line(arg), scope, (name,)))
    return out


# Registrations whose handler may be written inline: `r.Get("/x", func(w, r) {...})`.
_GO_ROUTE_VERBS = frozenset(
    {"HandleFunc", "Handle", "GET", "POST", "PUT", "PATCH", "DELETE", "Any", "Get", "Post"}
    | {"Put", "Patch", "Delete", "All", "HEAD", "OPTIONS", "Head", "Options"}
)
MAX_CLOSURES = 300  # inline route handlers taken as functions, per file
MAX_NESTING = 50  # spans stepped back over to find the one holding a call


def _go_route_closures(
    nodes: list[ts.Node],
    aliases: dict[str, str],
    funcs: list[Func],
    spans: list[tuple[int, int, str, dict[str, tuple[str, str]]]],
) -> None:
    """An inline function registered as a route's handler is a function of its own
    (`Serve.func12`, after the line it starts on): a flow starts there, and the calls in
    its body are its own. `spans` stays sorted by start."""
    found = 0
    tops = list(spans)  # the file's functions: Go declares none inside another
    top_starts = [s[0] for s in tops]
    for n in nodes:
        if n.type != "call_expression" or found >= MAX_CLOSURES:
            continue
        fn = n.child_by_field_name("function")
        args = n.child_by_field_name("arguments")
        if fn is None or args is None or fn.type != "selector_expression":
            continue
        if ts.text(fn.child_by_field_name("field")) not in _GO_ROUTE_VERBS:
            continue
        named = args.named_children
        if len(named) < 2 or named[0].type != "interpreted_string_literal":
            continue
        body = named[-1]
        if body.type != "func_literal":
            continue
        outer = _go_span(tops, top_starts, body)
        line = ts.line(body)
        qual = f"{tops[outer][2]}.func{line}" if outer >= 0 else f"func{line}"
        types = dict(tops[outer][3]) if outer >= 0 else {}
        _go_params(body.child_by_field_name("parameters"), aliases, types)
        funcs.append(Func(qual, line, line, body.end_point[0] + 1))
        at = bisect_right([s[0] for s in spans], body.start_byte)
        spans.insert(at, (body.start_byte, body.end_byte, qual, types))
        found += 1


def _go_span(
    spans: list[tuple[int, int, str, dict[str, tuple[str, str]]]],
    starts: list[int],
    n: ts.Node,
    parents: list[int] | None = None,
) -> int:
    """The innermost span holding node `n` (an inline handler within its function), or -1.
    The span starting last before `n` holds it, or one of the spans that hold that one
    (`parents`: spans nest)."""
    i = bisect_right(starts, n.start_byte) - 1
    for _ in range(MAX_NESTING):
        if i < 0 or n.end_byte <= spans[i][1]:
            return i
        i = parents[i] if parents is not None else -1
    return -1


def _go_parents(spans: list[tuple[int, int, str, dict[str, tuple[str, str]]]]) -> list[int]:
    """Each span's innermost enclosing span (-1 for a top-level function)."""
    out: list[int] = []
    stack: list[int] = []
    for i, (_start, end, _q, _t) in enumerate(spans):
        while stack and spans[stack[-1]][1] < end:
            stack.pop()
        out.append(stack[-1] if stack else -1)
        stack.append(i)
    return out


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
