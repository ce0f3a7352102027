"""Calls through class instances on hostile repositories (issue 18): a cycle of bases,
thousands of implementations of one interface, a class of thousands of methods. Every walk
ends in bounded time with a bounded number of steps (`flow_members` bounds)."""

from __future__ import annotations

import time

from bot.core.analysis.calls import file_calls
from bot.core.analysis.extract import extract_all
from bot.core.analysis.resolve import Resolver
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_calls import CallGraph
from bot.core.flow_members import MAX_IMPLEMENTATIONS
from bot.core.snapshot import MemorySnapshot

BUDGET = 3.0  # CPU seconds for the walks of one case (each reads at most a few dozen files)


def graph_of(files: dict[str, bytes]) -> CallGraph:
    facts = extract_all(MemorySnapshot(files), MemoryFactsCache())
    resolver = Resolver(list(files), facts, {})

    def read(path: str):  # type: ignore[no-untyped-def]
        return file_calls(facts[path].language, files[path], False)

    return CallGraph(facts, resolver.resolve, read)


def timed_steps(graph: CallGraph, path: str, scopes: list[str]) -> list[list[tuple]]:  # type: ignore[type-arg]
    start = time.process_time()
    out = [graph.steps(path, s) for s in scopes]
    assert time.process_time() - start < BUDGET
    return out


def test_a_cycle_of_bases_ends() -> None:
    files = {
        "app/__init__.py": b"",
        "app/a.py": b"from app.b import B\nclass A(B):\n    pass\n",
        "app/b.py": b"from app.a import A\nclass B(A):\n    pass\nclass C(C):\n    pass\n",
        "app/use.py": (
            b"from app.a import A\nfrom app.b import C\n\n"
            b"def run(a: A, c: C):\n    a.missing()\n    a.x.y.z()\n    c.other()\n"
        ),
        "src/a.ts": b"import { B } from './b';\nexport class A extends B {}\n",
        "src/b.ts": (
            b"import { A } from './a';\nexport class B extends A {}\n"
            b"export interface I extends I { m(): void }\n"
        ),
        "src/use.ts": (
            b"import { A } from './a';\nimport { I } from './b';\n"
            b"export class U {\n  constructor(private a: A, private i: I) {}\n"
            b"  run() { this.a.missing(); this.i.m(); }\n}\n"
        ),
    }
    graph = graph_of(files)
    py, ts = timed_steps(graph, "app/use.py", ["run"]), timed_steps(graph, "src/use.ts", ["U.run"])
    assert py == [[]]
    assert ts == [[]]


def test_ten_thousand_implementations_give_a_few_steps() -> None:
    files: dict[str, bytes] = {
        "src/driver.ts": b"export interface Driver { put(k: string): void }\n",
        "src/use.ts": (
            b"import { Driver } from './driver';\n"
            b"export class Store {\n  constructor(private d: Driver) {}\n"
            b"  save() { this.d.put('k'); }\n}\n"
        ),
        # One file of 5,000 implementations, and 2,000 files of one each.
        "src/many.ts": b"import { Driver } from './driver';\n"
        + b"".join(
            b"export class M%d implements Driver { put(k: string) {} }\n" % i for i in range(5_000)
        ),
    }
    for i in range(2_000):
        files[f"src/impl/d{i}.ts"] = (
            b"import { Driver } from '../driver';\n"
            b"export class D%d implements Driver { put(k: string) {} }\n" % i
        )
    graph = graph_of(files)
    [found] = timed_steps(graph, "src/use.ts", ["Store.save"])
    assert 0 < len(found) <= MAX_IMPLEMENTATIONS


def test_a_class_of_ten_thousand_methods_and_fields() -> None:
    body = b"".join(
        b"    def m%d(self):\n        self.f%d.m%d()\n" % (i, i, i) for i in range(3_000)
    )
    inits = b"".join(b"        self.f%d = Big()\n" % i for i in range(3_000))
    files = {
        "app/__init__.py": b"",
        "app/big.py": b"class Big:\n    def __init__(self):\n" + inits + body,
        "app/use.py": b"from app.big import Big\n\ndef run(b: Big):\n    b.m1()\n    b.f2.m3()\n",
    }
    graph = graph_of(files)
    [found] = timed_steps(graph, "app/use.py", ["run"])
    assert [s[1] for s in found] == ["Big.m1", "Big.m3"]
    timed_steps(graph, "app/big.py", [f"Big.m{i}" for i in range(0, 3_000, 7)])
