"""Score the analyzer's datastores and integrations against hand-written truth.

    .venv/bin/python -m bench.score_egress /work/co/louislam+uptime-kuma /work/co/usememos+memos

Each checkout's folder is named `owner+repo`; its truth is `bench/truth/owner-repo-egress.yml`
(written by reading the repository's code, with the commit it was read at). A truth item is
found when one of the analyzer's items of the same kind (datastore or integration) has a
name or host with one of the item's `match` tokens as a whole word (case-insensitive).

A claimed item no truth item matches is judged by the truth file's `judged:` map (name →
true or false, written by hand after reading the code): a false one is a false claim, an
unjudged one is printed with "?" to be judged. Also counted: evidence paths that do not
exist in the checkout (the analyzer must never write one), and items none of whose evidence
has a line.

Prints one Markdown table, then what was missed and what was claimed without truth.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

TRUTH = Path(__file__).parent / "truth"


def analyzer_facts(checkout: Path) -> dict[str, Any]:
    """`docs-refresh facts --json` on the checkout, in a child process (as a user runs it)."""
    exe = Path(sys.executable).parent / "docs-refresh"
    out = subprocess.run(
        [str(exe), "facts", "--json", str(checkout)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def _words(text: str, split_dots: bool = False) -> str:
    return " " + re.sub(r"[^a-z0-9]+" if split_dots else r"[^a-z0-9.]+", " ", text.casefold()) + " "


def matches(token: str, claimed: dict[str, Any]) -> bool:
    """Whether `token` is a whole word of the claim's name or one of its hosts (a host token
    keeps its dots; a name token also matches across dotted setting names)."""
    hosts = [h.casefold() for h in claimed.get("hosts") or ()]
    if token.casefold() in hosts:
        return True
    texts = [claimed.get("name", ""), *hosts]
    for split in (False, True):
        word = _words(token, split).strip()
        if word and any(f" {word} " in _words(t, split) for t in texts):
            return True
    return False


def score(checkout: Path, truth: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    judged = {str(k).casefold(): bool(v) for k, v in (truth.get("judged") or {}).items()}
    result: dict[str, Any] = {
        "missed": [], "false": [], "unjudged": [], "bad_paths": [], "no_line": []
    }  # fmt: skip
    for kind in ("datastores", "integrations"):
        claimed = facts.get(kind, [])
        used: set[int] = set()
        found = 0
        for item in truth.get(kind) or []:
            hits = [i for i, c in enumerate(claimed) if any(matches(t, c) for t in item["match"])]
            if hits:
                found += 1
                used.update(hits)
            else:
                result["missed"].append(f"{kind[:-1]}: {item['name']} ({item['evidence']})")
        total = len(truth.get(kind) or [])
        result[kind] = (found, total)
        for i, c in enumerate(claimed):
            if i in used:
                continue
            verdict = judged.get(c["name"].casefold())
            if verdict is False:
                result["false"].append(c["name"])
            elif verdict is None:
                ev = c["evidence"][0] if c["evidence"] else {}
                result["unjudged"].append(f"{c['name']} ({ev.get('path')}:{ev.get('line')})")
    for section in ("datastores", "integrations", "observability", "resilience"):
        for item in facts.get(section, []):
            if not any(ev.get("line") for ev in item.get("evidence", [])):
                result["no_line"].append(f"{section[:-1]}: {item['name']}")
            for ev in item.get("evidence", []):
                if not (checkout / ev["path"]).is_file():
                    result["bad_paths"].append(ev["path"])
    return result


def _ratio(pair: tuple[int, int]) -> str:
    found, total = pair
    return f"{found / total:.2f} ({found}/{total})" if total else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and unjudged")
    args = parser.parse_args(argv)
    rows = []
    notes = []
    for checkout in args.checkouts:
        owner_repo = checkout.name.replace("+", "-")
        truth = yaml.safe_load((TRUTH / f"{owner_repo}-egress.yml").read_text())
        result = score(checkout, truth, analyzer_facts(checkout))
        rows.append(
            f"| {truth['repo']} | {truth.get('stack', '')} | {_ratio(result['datastores'])} "
            f"| {_ratio(result['integrations'])} | {len(result['false'])} "
            f"| {len(result['unjudged'])} | {len(result['bad_paths'])} "
            f"| {len(result['no_line'])} |"
        )
        notes.append((truth["repo"], result))
    print(
        "| repo | stack | datastore recall | integration recall | false claims | unjudged "
        "| bad paths | without a line |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if args.verbose:
        for repo, result in notes:
            print(f"\n## {repo}")
            for key in ("missed", "false", "unjudged", "bad_paths", "no_line"):
                for line in result[key]:
                    print(f"- {key}: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
