"""Score hand-offs, schedules and flows against the truth in `bench/truth/*-flows.yml`.

    .venv/bin/python -m bench.score_flows /tmp/repos            # every truth file's checkout

The checkouts live in one folder, named `owner+repo`. Per repository it prints: hand-offs
found with both ends (the truth's producer line within `PRODUCER_SLACK` lines and its consumer
line within `CONSUMER_SLACK` lines above or at the `def`), schedules found (a schedule cited
within 2 lines of the truth's), flows traced (a flow with the truth's entry file among its
hops and sinks, reaching one of the truth's sinks by name; "of them featured": by a flow in
the reader's selection, the one the doc draws), and hops citing a line that does
not support them: the line is past the end of the file, or an `imports X` hop whose line does
not name X's last part, a `calls m.f` hop whose line does not name `f`, or an `enqueues X`
sink whose line does not name X.

Facts come from `docs-refresh facts --json` run in a child process (the installed code).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from bench.score_egress import analyzer_facts

TRUTH = Path(__file__).parent / "truth"
PRODUCER_SLACK = 2
CONSUMER_SLACK = 8


def _at(spec: str) -> tuple[str, int]:
    path, _, line = spec.rpartition(":")
    return path, int(line)


def _cites(evidence: list[dict[str, Any]], spec: str, below: int, above: int) -> bool:
    path, line = _at(spec)
    return any(
        e["path"] == path and e["line"] is not None and line - below <= e["line"] <= line + above
        for e in evidence
    )


def score(truth: dict[str, Any], facts: dict[str, Any], root: Path) -> dict[str, Any]:
    handoffs = facts.get("handoffs", [])
    found_h = 0
    for t in truth.get("handoffs", []):
        ok = any(
            _cites(h["producers"], t["producer"], PRODUCER_SLACK, PRODUCER_SLACK)
            and _cites(h["consumers"], t["consumer"], CONSUMER_SLACK, 0)
            for h in handoffs
        )
        found_h += ok
    schedules = facts.get("schedules", [])
    found_s = sum(
        any(_cites(s["evidence"], t["at"], 2, 2) for s in schedules)
        for t in truth.get("schedules", [])
    )
    flows = facts.get("flows", [])
    traced = featured = 0
    for t in truth.get("flows", []):
        wanted = [w.lower() for w in t["sinks"]]
        hits = [
            f
            for f in flows
            if any(h["path"] == t["entry"] for h in [*f["hops"], *f["sinks"]])
            and any(w in s["what"].lower() for s in f["sinks"] for w in wanted)
        ]
        traced += bool(hits)
        featured += any(f.get("featured", True) for f in hits)
    bad, hops = _unsupported(flows, root)
    return {
        "handoffs": (found_h, len(truth.get("handoffs", []))),
        "schedules": (found_s, len(truth.get("schedules", []))),
        "flows": (traced, len(truth.get("flows", []))),
        "featured": (featured, len(truth.get("flows", []))),
        "bad_hops": (bad, hops),
        "counts": (len(handoffs), len(schedules), len(flows)),
    }


def _unsupported(flows: list[dict[str, Any]], root: Path) -> tuple[int, int]:
    cache: dict[str, list[str]] = {}
    bad = total = 0
    for f in flows:
        for hop in [*f["hops"], *f["sinks"]]:
            total += 1
            path = hop["path"]
            if path not in cache:
                try:
                    cache[path] = (root / path).read_text(errors="replace").splitlines()
                except OSError:
                    cache[path] = []
            lines = cache[path]
            line = hop["line"]
            if line is None:
                continue
            if not 1 <= line <= len(lines):
                bad += 1
                continue
            text = lines[line - 1]
            what = hop["what"]
            token = ""
            if what.startswith("imports "):
                spec = what.split(maxsplit=1)[1] if " " in what else ""
                token = spec.strip(".").replace("/", ".").replace("::", ".").split(".")[-1]
            elif what.startswith("calls "):
                token = what.split()[1].split(".")[-1]  # the function's name, as called
            elif what.startswith("enqueues "):
                words = what.split()
                token = words[3] if len(words) > 3 and words[2] == "via" else words[1]
            if token and token not in text:
                bad += 1
    return bad, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", type=Path, help="folder of checkouts named owner+repo")
    args = parser.parse_args()
    rows = []
    for truth_file in sorted(TRUTH.glob("*-flows.yml")):
        truth = yaml.safe_load(truth_file.read_text())
        checkout = args.repos / truth["repo"].replace("/", "+")
        if not checkout.is_dir():
            rows.append(f"| {truth['repo']} | not checked out | | | | |")
            continue
        s = score(truth, analyzer_facts(checkout), checkout)
        h, sc, fl, bh = s["handoffs"], s["schedules"], s["flows"], s["bad_hops"]
        ft = s["featured"]
        rows.append(
            f"| {truth['repo']} | {h[0]}/{h[1]} | {sc[0]}/{sc[1]} | {fl[0]}/{fl[1]}"
            f" | {ft[0]}/{ft[1]} | {bh[0]}/{bh[1]} | {'/'.join(map(str, s['counts']))} |"
        )
    print(
        "| repository | hand-offs, both ends | schedules | flows traced | of them featured"
        " | unsupported hops | found (h/s/f) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
