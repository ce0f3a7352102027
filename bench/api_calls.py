"""GitHub requests per scenario, counted from the sandbox's request log.

The whole App runs (bench/rig.py): webhooks signed and delivered over HTTP to the web app,
queued in SQLite, jobs run by the real worker code against the sandbox. Scenarios, in order
on one installation (so the facts cache is warm after the first):

1. install: `installation.created` → the first refresh (cold cache), PR opened;
2. one-file push: a tracked source file gains an import (a new integration), PR updated;
3. untracked push: only README.md changes;
4. redelivery: scenario 2's push delivered again with the same X-GitHub-Delivery;
5. PR preview on synchronize: a person's PR gets a commit (push + synchronize delivered).

Then the cold refresh alone on 1k, 5k and 20k files: requests per 1,000 files.

    .venv/bin/python -m bench.api_calls                       # synthetic 5,000 files
    .venv/bin/python -m bench.api_calls /work/realrepos/pallets+flask
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.genrepo import DOC_DATA_FLOW, repo_files, write_repo
from bench.rig import Cost, Rig, running
from bench.timing import machine_line, table, verdict

SCALE = (1000, 5000, 20000)
ONE_FILE_BUDGET = 12
UNTRACKED_BUDGET = 2
DOC = "docs/data-flow.md"
# A new integration in the file's own language: the docs must change, so the PR is updated.
# (Python import, npm package, gem, Go module) per library.
LIBRARIES = {
    "twilio": ("twilio", "twilio", "twilio-ruby", "github.com/twilio/twilio-go"),
    "sendgrid": ("sendgrid", "@sendgrid/mail", "sendgrid-ruby", "github.com/sendgrid/sendgrid-go"),
}
SOURCE_SUFFIXES = (".py", ".ts", ".tsx", ".js", ".rb", ".go")
GENERATED = (".min.", ".pb.", "_pb2", "/gen/", "generated")
SKIP_PARTS = ("test", "spec", "/docs/", "fixture", "vendor", "/static/", "/dist/", "/assets/")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(path: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=path, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )
    return done.stdout.decode()


def copy_local(source: Path, target: Path) -> Path:
    """A clone of `source`'s HEAD on branch main, with a data-flow doc if it has none."""
    subprocess.run(
        ["git", "clone", "-q", "--no-hardlinks", "--single-branch", str(source), str(target)],
        check=True,
        capture_output=True,
    )
    git(target, "checkout", "-q", "-B", "main")
    found = subprocess.run(  # exit 1: no match
        ["git", "grep", "-l", "agent-update:start:data-flow", "--", "docs/*.md", ".context/*.md"],
        cwd=target,
        capture_output=True,
        check=False,
    )
    has_doc = found.stdout.strip()
    if not has_doc:
        (target / DOC).parent.mkdir(parents=True, exist_ok=True)
        (target / DOC).write_text(DOC_DATA_FLOW)
        git(target, "add", DOC)
        git(target, "commit", "-q", "-m", "docs: data-flow scaffold")
    return target


def pick_source(path: Path) -> str:
    """The file a one-file push changes: the largest hand-written source file (no tests,
    vendored or minified assets) in the repository's most common source language."""
    candidates: dict[str, list[tuple[int, str]]] = {}
    for name in git(path, "ls-files").splitlines():
        suffix = os.path.splitext(name)[1]
        lowered = f"/{name.lower()}"
        if suffix not in SOURCE_SUFFIXES or any(g in lowered for g in GENERATED):
            continue
        if any(part in lowered for part in SKIP_PARTS):
            continue
        size = (path / name).stat().st_size
        if size < 100_000:
            candidates.setdefault(suffix, []).append((size, name))
    if not candidates:
        raise SystemExit(f"{path}: no Python/TS/JS/Ruby/Go source file to change")
    language = max(candidates, key=lambda suffix: len(candidates[suffix]))
    return max(candidates[language])[1]


def with_new_import(name: str, text: str, library: str) -> str:
    """`text` with an import of `library` added where the language allows it."""
    python, npm, gem, go = LIBRARIES[library]
    suffix = os.path.splitext(name)[1]
    if suffix == ".py":
        return f"{text}\nimport {python}\n"
    if suffix in (".ts", ".tsx"):
        return f'{text}\nimport * as {library} from "{npm}";\n'
    if suffix == ".js":
        return f'{text}\nconst {library} = require("{npm}");\n'
    if suffix == ".rb":
        return f'{text}\nrequire "{gem}"\n'
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("package ")) + 1
    return "".join([*lines[:at], "\n", f'import _ "{go}"\n', *lines[at:]])


def scenarios(rig: Rig, repo: Path, verbose: bool = False) -> list[list[object]]:
    rows: list[list[object]] = []

    def row(name: str, cost: Cost, target: str, ok: bool, note: str = "") -> None:
        jobs = ", ".join(cost.jobs) or "none queued"
        if verbose:
            print(f"{name}:\n  " + "\n  ".join(cost.calls or ["(no request)"]), file=sys.stderr)
        rows.append(
            [
                name,
                cost.requests,
                cost.writes,
                f"{cost.seconds:.2f}",
                target,
                verdict(ok),
                jobs + note,
            ]
        )

    cold = rig.measure(rig.install)
    opened = any(c.startswith("POST /repos/") and c.endswith("/pulls") for c in cold.calls)
    row("first refresh after install (cold)", cold, "tarball, not per file", True,
        "; PR opened" if opened else "; no PR opened")  # fmt: skip
    tarballs = sum("/tarball/" in c for c in cold.calls)
    blobs = sum("/git/blobs/" in c for c in cold.calls)
    rows[-1][5] = verdict(blobs < 50)
    rows[-1][6] = f"{rows[-1][6]}; {tarballs} tarball, {blobs} blob reads"

    source = pick_source(repo)
    text = (repo / source).read_text("utf-8", "replace")
    pushed: dict[str, object] = {}

    def one_file() -> None:
        pushed.update(rig.commit("main", {source: with_new_import(source, text, "twilio")}))

    warm = rig.measure(one_file)
    updated = any(c.startswith("PATCH") and "/pulls/" in c for c in warm.calls)
    ok = warm.requests <= ONE_FILE_BUDGET
    row(f"push changing one tracked file ({source})", warm, f"≤ {ONE_FILE_BUDGET}", ok,
        "; PR updated" if updated else "; PR not updated")  # fmt: skip

    readme = "README.md"
    untracked = rig.measure(lambda: rig.commit("main", {readme: "# Bench\n\nMore words.\n"}))
    ok = untracked.requests <= UNTRACKED_BUDGET and untracked.writes == 0
    row("push touching no tracked path (README.md)", untracked, "≤ 2, 0 writes", ok)

    record = next(d for d in pushed["deliveries"] if d["event"] == "push")  # type: ignore[attr-defined]
    answers: list[int] = []
    again = rig.measure(lambda: answers.append(rig.post("push", record["payload"], record["id"])))
    row("redelivered push (same X-GitHub-Delivery)", again, "0", again.requests == 0,
        f"; HTTP {answers[0]}")  # fmt: skip

    # A person's branch from main (which now has the twilio import) and a PR from it.
    current = git(repo, "show", f"main:{source}")
    rig.commit("feature", {source: current + "\n"}, deliver=False)
    rig.open_pull("feature")
    rig.run_jobs()  # the preview for `opened`: setup, not counted
    changed = with_new_import(source, current, "sendgrid")
    preview = rig.measure(lambda: rig.commit("feature", {source: changed}))
    row("PR preview on synchronize (push + pull_request)", preview, "(report)", True)
    return rows


def cold_only(workdir: Path, count: int) -> Cost:
    repo = write_repo(workdir / f"repo-{count}", repo_files(count, "mixed", seed=1))
    with running(workdir / f"app-{count}", repo) as rig:
        return rig.measure(rig.install)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="a local git repository")
    parser.add_argument("--files", type=int, default=5000, help="synthetic size (no path)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list requests (stderr)")
    parser.add_argument("--no-scale", action="store_true", help="skip the 1k/5k/20k series")
    args = parser.parse_args(argv)
    print(f"bench/api_calls.py — {machine_line()}\n")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        work = Path(tmp)
        if args.path is not None:
            label = args.path.resolve().name
            repo = copy_local(args.path.resolve(), work / "repo")
        else:
            label = f"synthetic mixed {args.files:,} files (bench/genrepo.py, seed 1)"
            repo = write_repo(work / "repo", repo_files(args.files, "mixed", seed=1))
        files = len(git(repo, "ls-files").splitlines())
        with running(work / "app", repo) as rig:
            rows = scenarios(rig, repo, args.verbose)
        print(
            table(
                f"GitHub requests per scenario — {label}, {files:,} files",
                [
                    "scenario",
                    "requests",
                    "writes",
                    "s",
                    "target",
                    "verdict",
                    "jobs (requests each)",
                ],
                rows,
            )
        )
        if not args.no_scale:
            scale = []
            for count in SCALE:
                cost = cold_only(work / "scale", count)
                tarballs = sum("/tarball/" in c for c in cost.calls)
                per_k = f"{cost.requests / count * 1000:.1f}"
                scale.append(
                    [
                        f"{count:,}",
                        cost.requests,
                        cost.writes,
                        tarballs,
                        per_k,
                        f"{cost.seconds:.1f}",
                    ]
                )
            flat = scale[-1][1] <= scale[0][1] * 2  # type: ignore[operator]
            print()
            print(
                table(
                    "Cold first refresh by size (synthetic mixed) — "
                    f"{verdict(flat)}: does not grow linearly with the file count",
                    ["files", "requests", "writes", "tarballs", "requests per 1,000 files", "s"],
                    scale,
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
