"""`class_heads.base_names`: a superset of the bases `calls_python` reads, or None."""

from __future__ import annotations

import pytest

from bot.core.analysis.calls import file_calls
from bot.core.analysis.class_heads import base_names

CASES = [
    b"import x\n",
    b"class Plain:\n    pass\n",
    b"class Order(models.Model):\n    pass\n\n\nclass Line(Order, Mixin, metaclass=M):\n    x = 1",
    b"class Outer(Base):\n    class Meta:\n        model = Order\n",
    b"def f():\n    class Inner(Hidden):\n        pass\n",
    b'"""\nclass Doc(Text):\n"""\nclass Real("Named"):\n    pass\n',
    b"class Wrapped(\n    Base,\n):\n    pass\n",
    b"class Call(make(Base)):\n    pass\n",
    b"class Cont \\\n  (Base):\n    pass\n",
    b"\xef\xbb\xbfclass Bom(Base):\n    pass\n",
    b"x = 1\rclass Cr(Base):\r    pass\r",
    b"class \xc3\x9cber(Base):\n    pass\n",
    b"class Opt(Optional[Base]):\n    pass\n",
    b"classes = 1\nclass_ = 2\n",
    b"class" + b" A(B" * 5000 + b"\n",
]


@pytest.mark.parametrize("data", CASES)
def test_names_hold_every_base_the_parser_reads(data: bytes) -> None:
    names = base_names(data)
    calls = file_calls("python", data)
    bases = {b.rpartition(".")[2] for _, b in calls.bases} if calls is not None else set()
    assert names is None or bases <= names


def test_plain_lines_give_their_names() -> None:
    data = b"class Line(models.Model, metaclass=Meta):\n    pass\n"
    assert base_names(data) == {"models", "Model", "metaclass", "Meta"}
    assert base_names(b"def f():\n    return 1\n") == frozenset()


def test_lines_it_cannot_vouch_for_give_none() -> None:
    assert base_names(b"class Wrapped(\n    Base,\n):\n    pass\n") is None
    assert base_names(b"class Call(make(Base)):\n    pass\n") is None
    assert base_names(b"\xef\xbb\xbfclass Bom(Base):\n    pass\n") is None
    assert base_names(b"x = 1\rclass Cr(Base):\r") is None


def test_models_read_through_class_lines_are_the_models_parsed() -> None:
    from bot.core.flow_stores import StoreCalls
    from bot.core.model import FileFacts, ImportRef

    django = (ImportRef("django.db", 1, 0, ("models",), "from"),)
    files = {
        "app/models.py": b"from django.db import models\nclass Order(models.Model):\n    pass\n",
        "app/special.py": b"from app.models import Order\nclass Rush(\n    Order,\n):\n    pass\n",
        "app/more_models.py": b"from app.special import Rush\nclass Express(Rush):\n    pass\n",
        "app/forms.py": b"from django import forms\nclass OrderForm(forms.Form):\n    pass\n",
        "app/views.py": b"from django.views import View\nclass Page(View):\n    x = Order\n",
    }
    facts = {p: FileFacts("python", imports=django) for p in files}

    def calls(path: str):  # type: ignore[no-untyped-def]
        return file_calls("python", files[path])

    plain = StoreCalls(facts, calls, lambda _a, _b: None).models()
    read = StoreCalls(facts, calls, lambda _a, _b: None, bases=lambda p: base_names(files[p]))
    assert read.models() == plain
    assert set(plain) == {"Order", "Rush", "Express"}
