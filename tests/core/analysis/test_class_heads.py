"""`class_heads.class_names`: a superset of the classes `calls_python` reads bases of, or
None; and the model classes `flow_models` answers from it are those of every file parsed."""

from __future__ import annotations

import pytest

from bot.core.analysis.calls import file_calls
from bot.core.analysis.class_heads import class_names
from bot.core.call_sites import FileCalls
from bot.core.flow_models import PyModels
from bot.core.model import FileFacts, ImportRef

CASES = [
    b"import x\n",
    b"class Plain:\n    pass\n",
    b"class Order(models.Model):\n    pass\n\n\nclass Line(Order, Mixin, metaclass=M):\n    x = 1",
    b"class Outer(Base):\n    class Meta(Inner):\n        model = Order\n",
    b"def f():\n    class Hidden(Base):\n        pass\n",
    b'"""\nclass Doc(Text):\n"""\nclass Real("Named"):\n    pass\n',
    b"class Wrapped(\n    Base,\n):\n    pass\n",
    b"class Cont \\\n  (Base):\n    pass\n",
    b"class \\\n  Late(Base):\n    pass\n",
    b"\xef\xbb\xbfclass Bom(Base):\n    pass\n",
    b"x = 1\rclass Cr(Base):\r    pass\r",
    b"class \xc3\x9cber(Base):\n    pass\n",
    b"class Ab\xc3\xa9(Base):\n    pass\n",
    b"classes = 1\nclass_ = 2\n",
    b"class" + b" A(B" * 5000 + b"\n",
    b"class Big(Base):\n" + b"    def f(self):\n        return 1\n" * 700,
]


@pytest.mark.parametrize("data", CASES)
def test_names_hold_every_class_the_parser_reads_bases_of(data: bytes) -> None:
    names = class_names(data)
    calls = file_calls("python", data)
    classes = {c.rpartition(".")[2] for c, _ in calls.bases} if calls is not None else set()
    assert names is None or classes <= names


def test_class_lines_give_their_names() -> None:
    assert class_names(b"class Line(models.Model):\n    class Meta:\n") == {"Line", "Meta"}
    assert class_names(b"def f():\n    return 1\n") == frozenset()
    assert class_names(b"class \\\n  Late(Base):\n") is None
    assert class_names(b"class Ab\xc3\xa9(Base):\n") is None
    assert class_names(b"x = 1\rclass Cr(Base):\r") is None


FILES = {
    "app/models.py": b"from django.db import models\nclass Order(models.Model):\n    pass\n"
    b"class Item(Order):\n    pass\n",
    "app/special_models.py": b"from app.models import Order\nclass Rush(\n    Order,\n):\n"
    b"    pass\n",
    "app/more_models.py": b"from app.special_models import Rush\nclass Express(Rush):\n    pass\n"
    b"class Item(Note):\n    pass\n",
    "app/far_models.py": b"class A(Express):\n    pass\nclass B(A):\n    pass\n"
    b"class C(B):\n    pass\nclass D(C):\n    pass\n",
    "app/forms.py": b"from django import forms\nclass OrderForm(forms.Form):\n    pass\n",
    "app/notes.py": b"import peewee\nclass Note(peewee.Model):\n    pass\n",
    "app/views.py": b"from django.views import View\nclass Page(View):\n    x = Order\n",
}
IMPORTS = {
    "app/models.py": "django.db",
    "app/forms.py": "django",
    "app/notes.py": "peewee",
    "app/views.py": "django.views",
}


def _models(defines: bool) -> PyModels:
    facts = {
        p: FileFacts("python", imports=(ImportRef(IMPORTS.get(p, "app"), 1, 0, (), "import"),))
        for p in FILES
    }

    def calls(path: str) -> FileCalls | None:
        return file_calls("python", FILES[path])

    names = (lambda p: class_names(FILES[p])) if defines else None
    return PyModels(facts, calls, lambda _: False, frozenset({"django", "peewee"}), names)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Order", "Django ORM"),
        ("Rush", "Django ORM"),
        ("Express", "Django ORM"),
        ("A", "Django ORM"),
        ("B", "Django ORM"),
        ("C", ""),  # past the levels followed
        ("Item", "Peewee"),  # at its level, the last base that makes it a model
        ("Note", "Peewee"),
        ("OrderForm", ""),
        ("Page", ""),
        ("", ""),
    ],
)
def test_models_answered_by_name_read_the_files_that_define_them(name: str, label: str) -> None:
    assert _models(defines=True).label(name) == label
    assert _models(defines=False).label(name) == label


def _reference(facts: dict[str, FileFacts], roots: list[str]) -> dict[str, str]:
    """Every file parsed, every class found level by level (as before `flow_models`)."""
    from bot.core import store_ops as ops

    found: dict[str, str] = {}
    bases: list[tuple[str, str]] = []
    for p, f in facts.items():
        tops = {ref.spec.partition(".")[0] for ref in f.imports}
        if not tops & set(roots) and "model" not in p:
            continue
        fc = file_calls("python", FILES[p])
        for cls, base in fc.bases if fc is not None else ():
            bases.append((cls, base))
            for orm in roots:
                root, label = ops.MODEL_ROOTS[orm]
                if orm in tops and base.rpartition(".")[2] == root.rpartition(".")[2]:
                    found.setdefault(cls, label)
    for _ in range(4):
        more = {
            c: found[b.rpartition(".")[2]]
            for c, b in bases
            if c not in found and b.rpartition(".")[2] in found
        }
        if not more:
            break
        found.update(more)
    return found


def test_models_are_those_of_every_file_parsed() -> None:
    facts = {
        p: FileFacts("python", imports=(ImportRef(IMPORTS.get(p, "app"), 1, 0, (), "import"),))
        for p in FILES
    }
    every = _reference(facts, ["django", "peewee"])
    lazy = _models(defines=True)
    names = {n for data in FILES.values() for n in class_names(data) or ()}
    assert {n: lazy.label(n) for n in names if lazy.label(n)} == every
