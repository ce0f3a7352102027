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
from bot.core.call_sites import MADE_BY, OBJECT_EXPORT, Call, FileCalls, Func

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
        "class_heritage",
        "interface_declaration",
        "method_signature",
        "abstract_method_signature",
    }
)
_JS_FUNCTION_VALUES = frozenset({"arrow_function", "function_expression", "function"})
MAX_ARGS = 8  # arguments of one call looked at for a function handed over
MAX_HERITAGE = 16  # names of one `extends … implements …` kept
MAX_DECLARED = 5_000  # interface and abstract method signatures kept per file
MAX_INLINE = 300  # inline route handlers taken as functions of their own, per file
# `router.post("/x", auth(), async (ctx) => {…})`: registrations whose handler may be inline.
ROUTE_VERBS = frozenset({"get", "post", "put", "patch", "delete", "all", "options", "head"})
# Receivers whose routes may be RPC-style names (koa-router `router.post("documents.create")`).
ROUTER_NAMES = ("router", "routes", "api")


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
        bases: list[tuple[str, str]] = []
        interfaces: list[tuple[str, str]] = []
        returns: list[tuple[str, str]] = []
        # (end byte, qual) of the open functions' local instances: `const x = new X()`.
        local_types: dict[str, dict[str, str]] = {}
        inline = 0
        waiting: list[tuple[int, int, str]] = []  # inline handlers not yet begun
        default = ""
        exported = False
        exports_alias = ""
        for n in ts.find(grammar, root, _JS_NODES):
            while owners and owners[-1][0] <= n.start_byte:
                owners.pop()
            while open_funcs and open_funcs[-1][0] <= n.start_byte:
                open_funcs.pop()
            while waiting and waiting[-1][0] <= n.start_byte:
                _start, end, begun = waiting.pop()  # an inline route handler's body begins
                if n.start_byte < end:
                    open_funcs.append((end, begun))
            owner = owners[-1][1] if owners else ""
            scope = open_funcs[-1][1] if open_funcs else ""
            kind = n.type
            if kind == "import_statement":
                _js_import(n, imports)
            elif kind in ("class_declaration", "abstract_class_declaration"):
                name = ts.text(n.child_by_field_name("name"))
                classes.append(name)
                owners.append((n.end_byte, name))
            elif kind == "interface_declaration":
                # An interface is a type a field may be declared with: a call on it goes on
                # to the classes that implement it (`flow_members`).
                name = ts.text(n.child_by_field_name("name"))
                classes.append(name)
                owners.append((n.end_byte, name))
            elif kind in ("method_signature", "abstract_method_signature"):
                if owner and len(interfaces) < MAX_DECLARED:
                    interfaces.append((owner, ts.text(n.child_by_field_name("name"))))
            elif kind == "class_heritage":
                if owner and len(bases) < MAX_DECLARED:
                    _js_heritage(n, owner, bases)
            elif kind in ("method_definition", "function_declaration", "variable_declarator"):
                if kind == "variable_declarator":
                    value = n.child_by_field_name("value")
                    if value is not None and value.type in ("call_expression", "member_expression"):
                        _js_require(n.child_by_field_name("name"), value, imports)
                    made = _js_made(value)
                    var = n.child_by_field_name("name")
                    if made and var is not None and var.type == "identifier":
                        # `const mailer = new Mailer()`: a module's singleton, or a local.
                        if scope:
                            local_types.setdefault(scope, {})[ts.text(var)] = made
                        elif not owner:
                            fields.append(("", ts.text(var), "", made))
                    elif scope and var is not None and var.type == "identifier":
                        # `const driver = await makeDriver()`: typed by what it returns.
                        maker = _js_maker(value)
                        if maker is not None:
                            local_types.setdefault(scope, {})[ts.text(var)] = MADE_BY + maker
                    if scope or value is None:
                        continue
                    if not owner and var is not None and ts.text(value, 20) == "module.exports":
                        exports_alias = ts.text(var)  # `const Jobs = module.exports`
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
                returned = _js_returned(n.child_by_field_name("return_type"))
                if returned is not None and len(returns) < MAX_DECLARED:
                    returns.append((qual, returned))
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
                if kind == "assignment_expression" and owner and scope:
                    # `this.store = new S3Store()` in a method: a field of that class.
                    field = _js_this_field(n)
                    if field is not None:
                        fields.append((owner, *field))
                if not scope and not owner:
                    default = _js_default(n) or default
                    named = _js_exported_function(n)
                    method = "" if named else _js_assigned_method(n)
                    if method:
                        # `Jobs.prune = async function () {…}`: a method of the module's
                        # object, called as `Jobs.prune()` here and through its importers.
                        funcs.append(Func(method, ts.line(n), ts.line(n), n.end_point[0] + 1))
                        open_funcs.append((n.end_byte, method))
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
                    local = local_types.get(scope, {}).get(parts[0]) if len(parts) > 1 else None
                    made_by: tuple[str, ...] = ()
                    if local is not None and local.startswith(MADE_BY):
                        made_by = tuple(local[1:].split("."))
                    elif local is not None:
                        head = ("", local)
                    calls.append(Call(line, scope, parts, head, made_by=made_by))
                    handler = _inline_handler(n, parts) if inline < MAX_INLINE else None
                    if handler is not None:
                        # The handler is a function of its own, named by its route's line
                        # (`route12`): a flow starts there (`bot.core.route_handlers`). Its
                        # calls are its own from where it starts (the middleware's before it
                        # are the registering function's: every route runs them).
                        body, at = handler
                        qual = f"{scope}.route{at}" if scope else f"route{at}"
                        funcs.append(Func(qual, at, at, body.end_point[0] + 1))
                        waiting.append((body.start_byte, body.end_byte, qual))
                        inline += 1
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
        interfaces=tuple(dict.fromkeys(interfaces)),
        classes=tuple(classes),
        imports=tuple(imports),
        default_export=default or (OBJECT_EXPORT if exported else exports_alias),
        bases=tuple(dict.fromkeys(bases)),
        returns=tuple(returns),
    )


def _inline_handler(n: ts.Node, parts: tuple[str, ...]) -> tuple[ts.Node, int] | None:
    """(the handler, the line of the route) of `router.post("/x", mw, async (ctx) => {…})`:
    a route (a path, or a dotted name on a router) then a function written inline last."""
    if n.type != "call_expression" or len(parts) < 2 or parts[-1] not in ROUTE_VERBS:
        return None
    args = n.child_by_field_name("arguments")
    named = args.named_children if args is not None else []
    if len(named) < 2 or named[0].type not in ("string", "template_string"):
        return None
    if named[-1].type not in _JS_FUNCTION_VALUES:
        return None
    route = ts.text(named[0], 300).strip("'\"`")
    if not route.startswith("/") and not parts[-2].lower().endswith(ROUTER_NAMES):
        return None
    return named[-1], ts.line(named[0])


def _js_maker(value: ts.Node | None) -> str | None:
    """`makeDriver` of `makeDriver(…)` or `await makeDriver(…)` (`a.b` of `a.b(…)`; not
    `this.…`: a method's return type is not read through `this`)."""
    if value is not None and value.type == "await_expression":
        value = value.named_children[0] if value.named_children else None
    if value is None or value.type != "call_expression":
        return None
    found = _js_parts(value.child_by_field_name("function"))
    if found is None or found[0][0] == "this":
        return None
    return ".".join(found[0])


def _js_returned(node: ts.Node | None) -> str | None:
    """`Parser` of `: Parser` or `: Promise<Parser>`."""
    if node is not None and node.type == "type_annotation":
        node = node.named_children[0] if node.named_children else None
    if node is not None and node.type == "generic_type":
        generic = node.child_by_field_name("name") or node.named_children[0]
        args = node.child_by_field_name("type_arguments")
        if ts.text(generic) == "Promise" and args is not None and args.named_children:
            node = args.named_children[0]
    found = _js_type(node)
    return found if found and found[:1].isupper() and found != "Promise" else None


def _js_made(value: ts.Node | None) -> str | None:
    """`Mailer` of `new Mailer(…)` (or `new mail.Mailer(…)`)."""
    if value is None or value.type != "new_expression":
        return None
    ctor = value.child_by_field_name("constructor")
    if ctor is not None and ctor.type == "member_expression":
        ctor = ctor.child_by_field_name("property")
    named = ctor is not None and ctor.type in ("identifier", "property_identifier")
    return ts.text(ctor) if named else None


def _js_this_field(n: ts.Node) -> tuple[str, str, str] | None:
    """("store", "", "S3Store") of `this.store = new S3Store()`."""
    left = n.child_by_field_name("left")
    if left is None or left.type != "member_expression":
        return None
    obj = left.child_by_field_name("object")
    if obj is None or obj.type != "this":
        return None
    made = _js_made(n.child_by_field_name("right"))
    prop = left.child_by_field_name("property")
    return (ts.text(prop), "", made) if made and prop is not None else None


def _js_heritage(n: ts.Node, owner: str, out: list[tuple[str, str]]) -> None:
    """`extends B implements C, D<E>`: (owner, "B"), (owner, "C"), (owner, "D")."""
    for clause in n.named_children[:MAX_HERITAGE]:
        names = clause.named_children if clause.type.endswith("_clause") else [clause]
        for t in names[:MAX_HERITAGE]:
            if t.type == "member_expression":  # `extends base.Storage`
                t = t.child_by_field_name("property") or t
            name = _js_type(t)
            if name is None and t.type == "property_identifier":
                name = ts.text(t)
            if name:
                out.append((owner, name))


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


def _js_assigned_method(n: ts.Node) -> str:
    """`Jobs.prune` of a module-level `Jobs.prune = async function …` (or an arrow): an
    object's method assigned after the object is made (`const Jobs = module.exports`)."""
    left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
    if left is None or right is None or left.type != "member_expression":
        return ""
    if right.type not in _JS_FUNCTION_VALUES:
        return ""
    obj, prop = left.child_by_field_name("object"), left.child_by_field_name("property")
    if obj is None or prop is None or obj.type != "identifier":
        return ""
    holder = ts.text(obj, 100)
    if holder in ("exports", "module"):
        return ""
    return f"{holder}.{ts.text(prop, 100)}"


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
