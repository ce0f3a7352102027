"""Mermaid diagrams in documents parsed by a real Mermaid (mermaidx: mermaid.js in QuickJS,
no browser or Node), for `docs-refresh lint` and `check`.

mermaidx is an optional dependency (`pip install 'docs-refresh[diagrams]'`, and part of the
test extra): ~10 MB of native wheels and ~0.7 s to load Mermaid once per run, then a parse
per diagram, which the App never needs (every diagram it writes is parsed by the test
suite). Where it is missing, the commands say that diagrams were not checked instead of
claiming they parse.
"""

from __future__ import annotations

import functools

from bot.core.diagrams import mermaid_blocks
from bot.core.lint import ERROR, Problem

BROKEN = "Mermaid diagram does not parse: {reason}"
NOT_CHECKED = (
    "diagrams not checked: mermaidx is not installed (pip install 'docs-refresh[diagrams]')"
)


@functools.cache
def available() -> bool:
    try:
        import mermaidx  # noqa: F401
    except ImportError:
        return False
    return True


def parse_error(source: str) -> str | None:
    """Mermaid's own message when `source` does not parse (or render), None when it does."""
    import mermaidx

    try:
        mermaidx.render(source).svg()
    except RuntimeError as err:  # mermaidx's MermaidRenderError, Mermaid's message inside
        return _message(str(err))
    return None


def _message(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[:2])[:300] or "unknown error"


# `mermaid.parse` in one QuickJS context for every diagram of a run: a render builds a
# fresh context per diagram (~1.5 s each here), which made `check` on our own doc 9 s,
# ~7 s of it Mermaid; parsing all four in one context is ~2.5 s. Mermaid's own parser
# decides, as in a render; layout errors past a good parse are not looked for.
_PARSE_JS = (
    "globalThis.__drOk = null; globalThis.__drError = null;\n"
    "mermaid.parse({source})"
    ".then(r => {{ globalThis.__drOk = true; }})"
    ".catch(e => {{ globalThis.__drError ="
    " e && e.name ? e.name + ': ' + e.message : String(e); }});"
)
MAX_STEPS = 100_000  # promise jobs and timers per diagram: a parser that never settles stops


def _parse_all(sources: list[str]) -> list[str | None]:
    """Mermaid's message for each source that does not parse, None for each that does.
    Uses mermaidx's QuickJS engine (its context, on its own thread); falls back to a
    render per diagram when that engine's shape is not the one this was written for."""
    import json

    try:
        from mermaidx.engines.quickjs_engine import Engine
    except ImportError:
        return [parse_error(s) for s in sources]
    engine = Engine()
    if not all(hasattr(engine, a) for a in ("start", "close", "_executor", "_ctx")):
        return [parse_error(s) for s in sources]

    def run() -> list[str | None]:
        ctx = engine._ctx
        out: list[str | None] = []
        for source in sources:
            ctx.eval(_PARSE_JS.format(source=json.dumps(source)))
            for _ in range(MAX_STEPS):
                if ctx.eval("globalThis.__drOk !== null || globalThis.__drError !== null"):
                    break
                try:
                    if ctx.execute_pending_job():
                        continue
                except StopIteration:
                    pass
                if not ctx.eval("typeof __runNextTimer === 'function' && __runNextTimer()"):
                    break
            error = ctx.eval("globalThis.__drError")
            ok = ctx.eval("globalThis.__drOk")
            out.append(_message(str(error)) if error else None if ok else "did not finish")
        return out

    engine.start()
    try:
        result: list[str | None] = engine._executor.submit(run).result()
        return result
    finally:
        engine.close()


def diagram_problems(text: str, path: str) -> list[Problem]:
    """A problem at each diagram of `text` that does not parse (empty without mermaidx)."""
    if not available():
        return []
    blocks = mermaid_blocks(text)
    if not blocks:
        return []
    reasons = _parse_all([b.source for b in blocks])
    return [
        Problem(path, block.line, BROKEN.format(reason=reason), ERROR)
        for block, reason in zip(blocks, reasons, strict=True)
        if reason is not None
    ]
