"""JavaScript and TypeScript call sites and definitions, for flows that follow calls.

Split from `calls` (the reader for the other languages) and read by `bot.core.flow_calls`:
functions, classes' methods, ES imports and CommonJS `require` bindings (`const x =
require("m")`, `const { a, b: c } = require("m")`), calls (`new X.Y(...)` included) and
what the module exports by default (`module.exports = x`, `export default x`), so that a
walk can follow `x.f()` into the module `x` was required from.
"""

from __future__ import annotations

from bot.core.analysis import treesitter as ts
from bot.core.analysis.call_bounds import MAX_CALLS, MAX_PARTS, PARSE_FLOOR, PARSE_PER_BYTE
from bot.core.call_sites import OBJECT_EXPORT, Call, FileCalls, Func

_JS_NODES = frozenset(
    {
        "import_statement",
        "class_declaration",
        "abstract_class_declaration",
        "method_definition",
        "function_declaration",
        "variable_declarator",
        "call_expression",
        "new_expression",
        "assignment_expression",
        "export_statement",
        "required_parameter",
        "public_field_definition",
    }
)
_JS_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function"})
MAX_ARGS = 8  # arguments of one call looked at for a function handed over


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
        default = ""
        exported = False
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
                    if value is not None and value.type in ("call_expression", "member_expression"):
                        _js_require(n.child_by_field_name("name"), value, imports)
                    if scope or value is None:
                        continue
                    # `const register = catchAsync(async (req, res) => …)`: a function too.
                    if value.type not in _JS_FUNCTION_VALUES and not _wraps_function(value):
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
            elif kind in ("assignment_expression", "export_statement"):
                if not scope and not owner:
                    default = _js_default(n) or default
                    named = _js_exported_function(n)
                    if named:
                        # `exports.getAccount = (req, res) => …`: a function of the module,
                        # which is then the object of its functions (when nothing else is).
                        funcs.append(Func(named, ts.line(n), ts.line(n), n.end_point[0] + 1))
                        open_funcs.append((n.end_byte, named))
                        exported = True
            elif len(calls) < MAX_CALLS:
                callee = "constructor" if kind == "new_expression" else "function"
                found = _js_parts(n.child_by_field_name(callee))
                if found is not None:
                    parts, line = found
                    head = ("", owner) if parts[0] == "this" and owner else None
                    calls.append(Call(line, scope, parts, head))
                # A function handed over is called back: `router.post("/x", ctrl.create)`.
                args = n.child_by_field_name("arguments")
                for arg in args.named_children[:MAX_ARGS] if args is not None else ():
                    if arg.type == "member_expression" and len(calls) < MAX_CALLS:
                        handed = _js_parts(arg)
                        if handed is not None and handed[0][0] != "this":
                            calls.append(Call(handed[1], scope, handed[0], None))
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        tuple(dict.fromkeys(fields)),
        classes=tuple(classes),
        imports=tuple(imports),
        default_export=default or (OBJECT_EXPORT if exported else ""),
    )


def _js_require(name: ts.Node | None, value: ts.Node, out: list[tuple[str, str, str]]) -> None:
    """`x = require("m")` binds x to m's default export, `{ a, b: c } = require("m")` a
    and c to its `a` and `b`, `x = require("m").A` x to its `A`."""
    member = ""
    if value.type == "member_expression":
        member = ts.text(value.child_by_field_name("property"))
        value = value.child_by_field_name("object") or value
    if value.type != "call_expression" or name is None:
        return
    fn = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if fn is None or ts.text(fn) != "require" or args is None or args.named_child_count != 1:
        return
    arg = args.named_children[0]
    if arg.type != "string":
        return
    spec = ts.text(arg, 300).strip("'\"")
    if name.type == "identifier":
        out.append((ts.text(name), spec, member or "default"))
    elif name.type == "object_pattern" and not member:
        for item in name.named_children:
            if item.type == "shorthand_property_identifier_pattern":
                out.append((ts.text(item), spec, ts.text(item)))
            elif item.type == "pair_pattern":
                key, local = item.child_by_field_name("key"), item.child_by_field_name("value")
                if key is not None and local is not None and local.type == "identifier":
                    out.append((ts.text(local), spec, ts.text(key)))


def _js_default(n: ts.Node) -> str:
    """What a module-level `module.exports = x` / `export default x` exports: the name `x`
    (a function, class or model defined in the file), `OBJECT_EXPORT` for `{ a, b }`."""
    if n.type == "assignment_expression":
        left = n.child_by_field_name("left")
        if left is None or ts.text(left, 40).replace(" ", "") != "module.exports":
            return ""
        value = n.child_by_field_name("right")
    else:
        if not any(c.type == "default" for c in n.children):
            return ""
        value = n.child_by_field_name("declaration") or n.child_by_field_name("value")
        if value is None:
            value = next((c for c in n.named_children if c.type != "comment"), None)
    if value is None:
        return ""
    if value.type == "identifier":
        return ts.text(value)
    if value.type in ("class_declaration", "class", "function_declaration", "function"):
        return ts.text(value.child_by_field_name("name"))
    if value.type == "object":
        return OBJECT_EXPORT
    return ""


def _wraps_function(value: ts.Node) -> bool:
    """`wrap(async (req, res) => …)`: a call whose argument is a function."""
    if value.type != "call_expression":
        return False
    args = value.child_by_field_name("arguments")
    return args is not None and any(
        a.type in _JS_FUNCTION_VALUES for a in args.named_children[:MAX_ARGS]
    )


def _js_exported_function(n: ts.Node) -> str:
    """`x` of `exports.x = function …` or `module.exports.x = (…) => …`."""
    if n.type != "assignment_expression":
        return ""
    left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
    if left is None or right is None or left.type != "member_expression":
        return ""
    if right.type not in _JS_FUNCTION_VALUES and not _wraps_function(right):
        return ""
    holder = ts.text(left.child_by_field_name("object"), 40).replace(" ", "")
    if holder not in ("exports", "module.exports"):
        return ""
    return ts.text(left.child_by_field_name("property"))
