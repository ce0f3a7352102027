"""Call sites and definitions of one source file, for flows that follow calls (issue 18).

Read only for the files a flow's walk reaches, not for every file: `ast` for Python (in
`calls_python`) and tree-sitter for the others cost ~20x a regex scan, so they are not part
of the per-file facts. The
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

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from bot.core.analysis import treesitter as ts
from bot.core.analysis.call_bounds import MAX_CALLS, PARSE_FLOOR, PARSE_PER_BYTE
from bot.core.analysis.calls_go import go_calls
from bot.core.analysis.calls_js import js_calls
from bot.core.analysis.calls_python import python_calls, python_index
from bot.core.analysis.class_heads import class_names
from bot.core.call_sites import Call, FileCalls, Func

MAX_BYTES = 400_000
# Python files above this are indexed by their `def`/`class` lines and parsed a function at
# a time: `ast.parse` of a whole 200 KB views module costs ~60 ms, its three functions a walk
# reaches ~1 ms.
SMALL_PYTHON = 16_000
# Calls already read, by blob: a push moves few files, and without this every flow walk of
# a warm refresh would read its files again (in the App, a blob request each). Bounded by
# the bytes read (a large Python file's index keeps its text) and by count.
MEMO_BYTES = 64_000_000
MEMO_FILES = 4_096


class _Memo:
    """A value-keyed, least-recently-used memo of `file_calls` (blob id, language, tsx):
    holds no snapshot state, and is shared by the App's consumer threads (hence the lock)."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str, bool], tuple[FileCalls | None, int]] = (
            OrderedDict()
        )
        self._bytes = 0
        self._lock = threading.Lock()

    def peek(self, blob: str, language: str) -> tuple[bool, FileCalls | None]:
        """(whether the blob's calls are held, they), without reading it."""
        with self._lock:
            held = self._items.get((blob, language, False))
        return (True, held[0]) if held is not None else (False, None)

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


_HEADS: OrderedDict[str, frozenset[str] | None] = OrderedDict()
_HEADS_LOCK = threading.Lock()


def memo_class_names(blob: str, read: Callable[[], bytes]) -> frozenset[str] | None:
    """`class_heads.class_names` of a Python blob (the classes with bases in its calls when
    they are held already), kept by blob id like `memo_file_calls`."""
    held, calls = _MEMO.peek(blob, "python")
    if held:
        return frozenset(c.rpartition(".")[2] for c, _ in calls.bases) if calls else frozenset()
    with _HEADS_LOCK:
        if blob in _HEADS:
            _HEADS.move_to_end(blob)
            return _HEADS[blob]
    names = class_names(read())
    with _HEADS_LOCK:
        _HEADS[blob] = names
        while len(_HEADS) > MEMO_FILES:
            _HEADS.popitem(last=False)
    return names


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


def _rb_written(node: ts.Node | None) -> str:
    """`Foo::Bar` of `Foo::Bar` or `Foo::Bar.new(...)`, as written; "" for anything else."""
    if (
        node is not None
        and node.type == "call"
        and ts.text(node.child_by_field_name("method")) == "new"
    ):
        node = node.child_by_field_name("receiver")
    if node is not None and node.type in ("constant", "scope_resolution"):
        return ts.text(node, 200).lstrip(":")
    return ""


# Active Record callbacks a model declares → the writes they follow (`after_commit` with
# `on:` narrows its own). The walk goes on from a model's `save` into them.
_RB_CALLBACKS = {
    "before_save": "create update",
    "after_save": "create update",
    "around_save": "create update",
    "before_create": "create",
    "after_create": "create",
    "around_create": "create",
    "before_update": "update",
    "after_update": "update",
    "before_destroy": "destroy",
    "after_destroy": "destroy",
    "after_commit": "create update destroy",
    "after_create_commit": "create",
    "after_update_commit": "update",
    "after_save_commit": "create update",
    "after_destroy_commit": "destroy",
}
_RB_EVENTS = frozenset({"create", "update", "destroy"})
MAX_RB_CHAIN = 6  # receivers walked down to find where a chained call's value comes from


def ruby_calls(data: bytes) -> FileCalls | None:
    """Ruby's methods (`CommentsController.create`: a flow's entry cites the action, not the
    class line) and calls: `Const.m`, `Const.new(...).m`, `x.m` where `x = Const.new`,
    `self.m` and `m(...)`; `flow_calls` resolves them by class, then by a method name
    defined once in the repository. Each call also keeps the constant its receiver's value
    comes from (`Call.root`); classes keep their superclass (`bases`) and the callbacks
    they declare (`registered`: (hook, `Class.method`, the writes it follows))."""
    with ts.reading(data):
        root = ts.parse("ruby", data, PARSE_PER_BYTE, PARSE_FLOOR)
        if root is None:
            return None
        owners: list[tuple[int, str]] = []  # (end byte, name) of the open classes
        funcs: list[Func] = []
        classes: list[str] = []
        bases: list[tuple[str, str]] = []
        registered: list[tuple[str, str, str]] = []
        calls: list[Call] = []
        scope: tuple[int, str] = (-1, "")  # (end byte, qual) of the method we are in
        types: dict[str, str] = {}
        roots: dict[str, str] = {}  # local or `@ivar` → the constant its value came from
        ivars: dict[tuple[str, str], str] = {}  # (class, `@ivar`) → constant, class-wide
        # One walk finds both the nodes read here and the identifiers `_rb_bare_calls` reads.
        nodes, identifiers = ts.find_sets("ruby", root, _RB_NODES, _RB_IDENTIFIERS)
        for n in nodes:
            while owners and owners[-1][0] <= n.start_byte:
                owners.pop()
            if scope[0] <= n.start_byte:
                scope, types, roots = (-1, ""), {}, {}
            owner = owners[-1][1] if owners else ""
            if n.type in ("class", "module"):
                name = _rb_const(n.child_by_field_name("name")) or ""
                classes.append(name)
                owners.append((n.end_byte, name))
                sup = n.child_by_field_name("superclass")
                base = sup.named_children[0] if sup is not None and sup.named_children else None
                if base is not None and base.type in ("constant", "scope_resolution"):
                    bases.append((name, ts.text(base, 120)))
                _rb_class_marks(n, name, registered)
            elif n.type in ("method", "singleton_method"):
                name = ts.text(n.child_by_field_name("name"))
                qual = f"{owner}.{name}" if owners else name
                funcs.append(Func(qual, ts.line(n), ts.line(n), n.end_point[0] + 1))
                scope, types, roots = (n.end_byte, qual), {}, {}
            elif n.type == "assignment":
                right = n.child_by_field_name("right")
                made = _rb_made(right)
                left = n.child_by_field_name("left")
                if left is None:
                    continue
                if made is not None:  # as written: its namespace tells same-named classes apart
                    types[ts.text(left)] = _rb_written(right) or made
                came = _rb_root(right, owner, roots, ivars) if right is not None else ""
                if came and left.type in ("identifier", "instance_variable"):
                    roots[ts.text(left)] = came
                    if left.type == "instance_variable" and owner and not came.startswith("@"):
                        ivars.setdefault((owner, ts.text(left)), came)
            elif len(calls) < MAX_CALLS:
                if not scope[1] and owner:
                    _rb_callback(n, owner, registered)
                _rb_call(n, scope[1], owner, types, roots, ivars, calls)
        calls += _rb_bare_calls(identifiers, funcs, MAX_CALLS - len(calls))
        # An `@ivar` set in another action (a `before_action`'s `@post = Post.find(…)`).
        calls = [_rb_late_root(c, ivars) for c in calls]
    return FileCalls(
        tuple(funcs),
        tuple(calls),
        classes=tuple(classes),
        bases=tuple(bases),
        registered=tuple(registered),
    )


def _rb_root(
    node: ts.Node, owner: str, roots: dict[str, str], ivars: dict[tuple[str, str], str]
) -> str:
    """The constant a value comes from: `Post` of `Post`, `Post.where(…).first`,
    `post.comments` when `post`'s value came from `Post`; the class of `self`; else ""."""
    for _ in range(MAX_RB_CHAIN):
        if node.type == "call":
            recv = node.child_by_field_name("receiver")
            if recv is None:
                return ""
            node = recv
            continue
        if node.type in ("constant", "scope_resolution"):
            return _rb_const(node) or ""
        if node.type == "self":
            return owner
        if node.type in ("identifier", "instance_variable"):
            text = ts.text(node, 80)
            found = roots.get(text) or ivars.get((owner, text), "")
            # An `@ivar` not set yet: set by an action further down (`_rb_late_root`).
            return found or (text if node.type == "instance_variable" else "")
        return ""
    return ""


def _rb_late_root(call: Call, ivars: dict[tuple[str, str], str]) -> Call:
    if not call.root.startswith("@"):
        return call
    came = ivars.get((call.scope.rpartition(".")[0], call.root), "")
    return replace(call, root=came if came and not came.startswith("@") else "")


def _rb_symbols(node: ts.Node | None) -> list[str]:
    """`x` of `:x`, `x y` of `[:x, :y]`."""
    if node is None:
        return []
    if node.type == "simple_symbol":
        return [ts.text(node, 80).lstrip(":")]
    if node.type == "array":
        return [
            ts.text(c, 80).lstrip(":") for c in node.named_children[:8] if c.type == "simple_symbol"
        ]
    return []


def _rb_callback(n: ts.Node, owner: str, out: list[tuple[str, str, str]]) -> None:
    """`after_create :announce`, `after_commit :sync, on: [:create]` in a class body."""
    hook = ts.text(n.child_by_field_name("method"), 40)
    if hook not in _RB_CALLBACKS or n.child_by_field_name("receiver") is not None:
        return
    args = n.child_by_field_name("arguments")
    if args is None:
        return
    events = _RB_CALLBACKS[hook]
    names: list[str] = []
    for a in args.named_children[:12]:
        if a.type == "simple_symbol":
            names.append(ts.text(a, 80).lstrip(":"))
        elif a.type == "pair" and ts.text(a.child_by_field_name("key"), 20).rstrip(":") == "on":
            on = [e for e in _rb_symbols(a.child_by_field_name("value")) if e in _RB_EVENTS]
            events = " ".join(on) or events
    out.extend((hook, f"{owner}.{name}", events) for name in names[:8])


_RB_ATTACHED = frozenset({"has_one_attached", "has_many_attached"})


def _rb_class_marks(n: ts.Node, name: str, out: list[tuple[str, str, str]]) -> None:
    """A model indexed by Searchkick (`searchkick` in its body, with options or not), and
    its Active Storage attachments (`has_one_attached :file` → ("attached", "Model.file"))."""
    body = n.child_by_field_name("body")
    indexed = False
    for c in body.named_children[:200] if body is not None else ():
        word = (
            c
            if c.type == "identifier"
            else c.child_by_field_name("method")
            if c.type == "call"
            else None
        )
        if word is None or (c.type == "call" and c.child_by_field_name("receiver") is not None):
            continue
        said = ts.text(word, 20)
        if said == "searchkick" and not indexed:
            indexed = True
            out.append(("searchkick", name, ""))
        elif said in _RB_ATTACHED and c.type == "call":
            args = c.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            for attachment in _rb_symbols(first)[:1]:
                out.append(("attached", f"{name}.{attachment}", ""))


# Where a bare word is not a call: a method's or a call's own name, a receiver, what is
# assigned to, a parameter.
_RB_NOT_BARE = frozenset(
    {
        "call",
        "method",
        "singleton_method",
        "assignment",
        "operator_assignment",
        "method_parameters",
        "lambda_parameters",
        "block_parameters",
        "optional_parameter",
        "keyword_parameter",
        "splat_parameter",
        "hash_splat_parameter",
        "block_parameter",
        "alias",
        "undef",
        "left_assignment_list",
        "rest_assignment",
        "exception_variable",
    }
)


_RB_BARE_WRITES = frozenset({"save", "destroy"})
_RB_IDENTIFIERS = frozenset({"identifier"})


def _rb_bare_calls(identifiers: list[ts.Node], funcs: list[Func], room: int) -> list[Call]:
    """`pull_spec && save`, `unless update`: a bare word in a method that names a method
    of the same class in this file is a call of it (Ruby needs no parentheses). Words that
    name no method of the class (locals) are left; at most `room` calls. `identifiers`:
    the file's identifier nodes (`ts.find` of `_RB_IDENTIFIERS`)."""
    if room <= 0 or not funcs:
        return []
    owned: dict[str, set[str]] = {}
    for fn in funcs:
        owner, _, name = fn.qual.rpartition(".")
        if owner:
            owned.setdefault(owner, set()).add(name)
    spans = sorted((fn.line, fn.end, fn.qual) for fn in funcs if "." in fn.qual)
    starts = [a for a, _b, _q in spans]
    out: list[Call] = []
    for n in identifiers:
        parent = n.parent
        if parent is None or (parent.type in _RB_NOT_BARE and not _rb_assigned_from(parent, n)):
            continue
        line = ts.line(n)
        at = bisect_right(starts, line) - 1
        if at < 0 or spans[at][1] < line or spans[at][0] == line:
            continue
        owner, _, _ = spans[at][2].rpartition(".")
        name = ts.text(n, 81)
        if name in owned.get(owner, ()):
            out.append(Call(line, spans[at][2], (name,)))
        elif name in _RB_BARE_WRITES:  # a model's own `save`: its row is written
            out.append(Call(line, spans[at][2], (name,), root=owner))
            if len(out) >= room:
                break
    return out


def _rb_assigned_from(parent: ts.Node, n: ts.Node) -> bool:
    """Whether `n` is the value of an assignment (`photos = fetch_photos`), not its target."""
    if parent.type not in ("assignment", "operator_assignment"):
        return False
    right = parent.child_by_field_name("right")
    return right is not None and (right.start_byte, right.end_byte) == (n.start_byte, n.end_byte)


def _rb_call(
    n: ts.Node,
    scope: str,
    owner: str,
    types: dict[str, str],
    roots: dict[str, str],
    ivars: dict[tuple[str, str], str],
    out: list[Call],
) -> None:
    method_node = n.child_by_field_name("method")
    if method_node is None:
        return
    method = ts.text(method_node)
    line = ts.line(method_node)
    recv = n.child_by_field_name("receiver")
    if recv is None:
        out.append(Call(line, scope, (method,), root=owner if scope else ""))
        return
    came = _rb_root(recv, owner, roots, ivars)
    typ = _rb_const(recv) or _rb_made(recv)
    written = _rb_written(recv)
    if recv.type == "self" and owner:
        typ, written = owner, ""
    elif recv.type in ("identifier", "instance_variable"):
        written = types.get(ts.text(recv), "")
        typ = written.rpartition("::")[2] or None
    # (namespace, class): `Billing::Invoice` → ("Billing", "Invoice"), "" when not written
    space = written.rpartition("::")[0]
    head = ts.text(recv, 80) if recv.type != "call" else "_"
    # `Rails.cache.fetch`: the receiver as written, where it is a constant's attribute.
    if recv.type == "call" and head == "_" and _rb_const(recv.child_by_field_name("receiver")):
        head = ts.text(recv, 80) if b"(" not in ts.text(recv, 80).encode() else "_"
    out.append(Call(line, scope, (head, method), (space, typ) if typ else None, root=came))
