"""Generated hostile repositories: one small repository per case of issue 15, built in tmp.

Every case is the same small Flask shop (`shop/web.py`, `shop/orders.py`, a data-flow doc
with markers) plus what an attacker (or an unlucky repository) adds: a file built to make a
pattern backtrack, a parser recurse or a YAML alias expand, a name built to steer the doc, a
symlink built to lead the CLI outside the checkout. Nothing here is committed as a big
file: `build(case, root)` writes it. Every generated file stays under the 1 MB file limit, so
the App reads it too.

`run_case` runs `docs-refresh facts --json` and `refresh` on it in a subprocess with a
timeout and records wall time, CPU time and peak memory (`python -m
tests.reliability.hostile_repos` prints the table for every case).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ".context/docs/data-flow.md"
DOC_TEMPLATE = """# Data Flow & Integrations

<!-- agent-update:start:data-flow -->
## High-level Flow

TODO

## Internal Movement

TODO

## External Integrations

TODO

## Observability & Failure Modes

TODO
<!-- agent-update:end -->
"""
SHOP = {
    "requirements.txt": "flask>=3\nstripe>=8\n",
    "shop/__init__.py": "",
    "shop/web.py": (
        "from flask import Flask\n\nfrom shop import orders\n\napp = Flask(__name__)\n\n\n"
        '@app.route("/orders")\ndef list_orders():\n    return orders.all_orders()\n'
    ),
    "shop/orders.py": "import stripe\n\n\ndef all_orders():\n    return stripe.Charge.list()\n",
    DOC: DOC_TEMPLATE,
}
# The same doc in dotcontext's v2 form: front matter and headings, no markers.
V2_DOC = """---
type: doc
name: data-flow
description: How data moves
status: unfilled
---
# Data Flow & Integrations

## High-level Flow

TODO

## Internal Movement

TODO

## External Integrations

TODO

## Observability & Failure Modes

TODO
"""
# What a refreshed doc of any case must still say: the normal files were read.
NORMAL_EVIDENCE = ("shop/web.py", "Stripe")
OUTSIDE_DOC = "outside/data-flow.md"  # next to the repository: must never be rewritten

Files = dict[str, bytes]


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    files: Callable[[], Files]
    links: dict[str, str] = field(default_factory=dict)  # path -> symlink target
    # The case makes the repository's own config invalid: `refresh` must stop with a
    # config error (exit 2, the file named), not a traceback.
    config_error: bool = False
    skips: tuple[str, ...] = ()  # files `facts --json` must list as skipped
    alone: bool = False  # without the shop's code: the hostile folder is the only module
    v2: bool = False  # the doc is a v2 doc (front matter, no markers): none may appear
    # The doc is past a limit of its own: `refresh` stops with an error naming it (exit 2).
    doc_error: bool = False
    doc_unread: bool = False  # not a doc once bounded: `refresh` says none was found


def _nest(open_: str, close: str, inner: str, depth: int) -> str:
    return open_ * depth + inner + close * depth


def _merge_bomb(levels: int = 9, fan: int = 9) -> str:
    """YAML merge keys and aliases: each level merges and references the one below."""
    lines = ["x0: &x0 {a: 1, b: 2}"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"k{j}: *x{i - 1}" for j in range(fan))
        lines.append(f"x{i}: &x{i} {{<<: [*x{i - 1}], {refs}}}")
    lines.append(f"services:\n  web:\n    image: x\n    <<: *x{levels}")
    return "\n".join(lines) + "\n"


def _b(text: str) -> bytes:
    return text.encode()


K = 1000
DEEP = 100_000  # nesting depth of the deep-file cases (~200 kB)
CASES: tuple[Case, ...] = (
    Case("baseline", "the shop alone", lambda: {}),
    # --- patterns that backtrack ---------------------------------------------------------
    Case(
        "go-comment-unclosed",
        "Go: `/* ` lines never closed",
        lambda: {"svc/main.go": _b("package main\n" + "/* \n" * (150 * K))},
    ),
    Case(
        "ts-comment-unclosed",
        "TS: `/* ` lines never closed",
        lambda: {"web/app.ts": _b("/* \n" * (150 * K))},
    ),
    Case(
        "ts-escapes",
        'TS: one line of `\\"` escapes',
        lambda: {"web/app.ts": _b('const s = "' + '\\"' * (300 * K) + "\n")},
    ),
    Case(
        "ruby-escapes",
        'Ruby: one line of `\\"` escapes',
        lambda: {"app/x.rb": _b('S = "' + '\\"' * (300 * K) + "\n")},
    ),
    Case(
        "go-escapes",
        'Go: one line of `\\"` escapes',
        lambda: {"svc/main.go": _b('package main\nvar s = "' + '\\"' * (300 * K) + "\n")},
    ),
    Case(
        "js-bare-imports",
        "JS: bare `import x` lines",
        lambda: {"web/app.js": _b("import x\n" * (60 * K))},
    ),
    Case(
        "ruby-begin-unclosed",
        "Ruby: `=begin` without `=end`",
        lambda: {"app/x.rb": _b("=begin\n" + "x = 1\n" * (100 * K))},
    ),
    Case(
        "ruby-routes-blank",
        "Ruby: blank-line runs under `routes.draw`",
        lambda: {"config/routes.rb": _b("Rails.application.routes.draw do\n" + "\n" * (500 * K))},
    ),
    Case(
        "ruby-every-blank",
        "Ruby: blank-line runs under `every`",
        lambda: {"config/schedule.rb": _b("every 1.day do\n" + "\n" * (500 * K))},
    ),
    Case(
        "ruby-sidekiq-options",
        "Ruby: repeated `sidekiq_options`",
        lambda: {"app/workers/w.rb": _b("sidekiq_options " * (50 * K) + "\n")},
    ),
    Case(
        "go-import-unclosed",
        "Go: `import (` never closed",
        lambda: {"svc/main.go": _b("package main\nimport (\n" + '\t"fmt"\n' * (100 * K))},
    ),
    Case(
        "py-environ-line",
        'Python: one line of 60k `os.environ["A"]` reads',
        lambda: {"shop/env.py": _b("import os\nx = " + 'os.environ["A"]+' * (60 * K) + "1\n")},
    ),
    Case(
        "py-queue-repeated",
        "Python: `Queue(` repeated",
        lambda: {"shop/q.py": _b("Queue(" * (150 * K) + "\n")},
    ),
    Case(
        "py-dotted-import",
        "Python: a 200k-segment dotted import",
        lambda: {"shop/imp.py": _b("import " + ".".join(["a"] * (200 * K)) + "\n")},
    ),
    Case(
        "ruby-long-constant",
        "Ruby: a 200k-segment constant",
        lambda: {"app/c.rb": _b("X = " + "::".join(["A"] * (200 * K)) + "\n")},
    ),
    Case(
        "many-files",
        "50 Python files of 80 kB of environ reads",
        lambda: {
            f"shop/gen{i}.py": _b("import os\nx = " + 'os.environ["A"]+' * 5000 + "1\n")
            for i in range(50)
        },
    ),
    # --- hand-offs and schedules (issue 15, after issue 18's extractors) ----------------
    Case(
        "ruby-job-blank",
        "Ruby: 100k blank lines inside `class X < ApplicationJob`",
        lambda: {
            "app/jobs/sync_job.rb": _b(
                "class SyncJob < ApplicationJob\n" + "\n" * (100 * K) + "  def perform; end\nend\n"
            )
        },
    ),
    Case(
        "ruby-perform-constants",
        "Ruby: 500 lines of `A::A::…Job.perform_later`",
        lambda: {"app/x.rb": _b(("A::" * 600 + "Job.perform_later\n") * 500)},
    ),
    Case(
        "py-task-decorators",
        "Python: 80k `@shared_task` lines",
        lambda: {
            "shop/tasks.py": _b("from celery import shared_task\n" + "@shared_task\n" * (80 * K))
        },
    ),
    Case(
        "js-queue-add-unterminated",
        "JS: a queue and 50k `queue.add(` never closed",
        lambda: {"web/jobs.js": _b("const queue = new Queue('q');\n" + "queue.add(\n" * (50 * K))},
    ),
    Case(
        "js-new-queue-line",
        "JS: one line of 100k `new Queue(`",
        lambda: {"web/q.js": _b("const q = " + "new Queue(" * (100 * K) + "\n")},
    ),
    Case(
        "go-channel-sends",
        "Go: 50k channel sends ranged over once",
        lambda: {
            "svc/main.go": _b(
                "package main\nvar ch chan int\nfunc f() {\n\tgo g()\n"
                + "\tch <- 1\n" * (50 * K)
                + "\tfor x := range ch {\n\t}\n}\n"
            )
        },
    ),
    Case(
        "crontab-1mb",
        "a crontab of 1 MB (60k entries)",
        lambda: {"crontab": _b("*/5 * * * * /usr/bin/run --all\n" * (30 * K))},
    ),
    Case(
        "crontab-fields",
        "a crontab of one line of 500k `* ` fields",
        lambda: {"crontab": _b("* " * (450 * K) + "\n")},
    ),
    Case(
        "sidekiq-yaml-deep",
        "config/sidekiq.yml: a schedule nested 990 levels deep (as deep as libyaml goes)",
        lambda: {
            "config/sidekiq.yml": _b(
                ":schedule:\n"
                + "".join(" " * i + f"k{i}:\n" for i in range(1, 990))
                + " " * 990
                + "cron: '* * * * *'\n"
            )
        },
    ),
    Case(
        "v2-doc-headings",
        "a v2 data-flow doc with 1 MB of `#` headings",
        lambda: {DOC: _b(V2_DOC + "## x\n" * (190 * K))},
        v2=True,
        doc_error=True,
    ),
    Case(
        "v2-doc-hash-line",
        "a v2 data-flow doc with a 1 MB line of `#`",
        lambda: {DOC: _b(V2_DOC + "#" * (950 * K) + "\n")},
        v2=True,
    ),
    Case(
        "v2-doc-front-matter",
        "a v2 data-flow doc whose front matter is 1 MB",
        lambda: {
            DOC: _b(
                V2_DOC.replace("status:", "".join(f"k{i}: v\n" for i in range(90 * K)) + "status:")
            )
        },
        v2=True,
        doc_unread=True,
    ),
    # --- YAML alias expansion --------------------------------------------------------------
    Case(
        "compose-merge-keys",
        "docker-compose.yml: nine levels of `<<:` merge keys",
        lambda: {"docker-compose.yml": _b(_merge_bomb())},
        skips=("docker-compose.yml",),
    ),
    Case(
        "heroku-merge-keys",
        "heroku.yml: nine levels of `<<:` merge keys",
        lambda: {"heroku.yml": _b(_merge_bomb())},
        skips=("heroku.yml",),
    ),
    # --- globs from the repository -----------------------------------------------------------
    Case(
        "gitattributes-glob",
        "`.gitattributes` `************x` and a 40-character name",
        lambda: {
            ".gitattributes": b"************x linguist-vendored\n",
            "shop/" + "a" * 40 + ".py": b"",
        },
    ),
    Case(
        "tracks-glob",
        "tracks.include `************x` and a 40-character name",
        lambda: {
            ".github/docs-refresh.yml": b'tracks:\n  include: ["************x"]\n',
            "shop/" + "a" * 40 + ".py": b"",
        },
    ),
    Case(
        "workspace-glob-npm",
        "package.json workspaces `************x`",
        lambda: {
            "package.json": _b(json.dumps({"name": "w", "workspaces": ["************x"]})),
            "a" * 40 + "/index.js": b"",
        },
    ),
    Case(
        "workspace-glob-pnpm",
        "pnpm-workspace.yaml `************x`",
        lambda: {
            "pnpm-workspace.yaml": b"packages:\n  - '************x'\n",
            "a" * 40 + "/index.js": b"",
        },
    ),
    # --- quadratic work ----------------------------------------------------------------------
    Case(
        "package-json-65k-deps",
        "package.json with 65k dependencies",
        lambda: {
            "package.json": _b(
                json.dumps(
                    {"name": "x", "dependencies": {f"d{i}": "1" for i in range(65 * K)}},
                    separators=(",", ":"),
                )
            )
        },
    ),
    Case(
        "pyproject-20k-deps",
        "pyproject.toml with 20k dependencies",
        lambda: {
            "pyproject.toml": _b(
                '[project]\nname = "x"\ndependencies = [\n'
                + "".join(f'  "d{i}>=1",\n' for i in range(20 * K))
                + "]\n"
            )
        },
    ),
    Case(
        "app-json-20k-env",
        "app.json with 20k env keys",
        lambda: {
            "app.json": _b(json.dumps({"env": {f"K{i}": {"value": "1"} for i in range(20 * K)}}))
        },
    ),
    Case(
        "doc-comment-openers",
        "a 1 MB doc of `<!-- `",
        lambda: {DOC: _b(DOC_TEMPLATE + "<!-- " * 190 * K)},
    ),
    Case(
        "doc-backtick-runs",
        "a 1 MB doc of backtick runs",
        lambda: {
            DOC: _b(
                DOC_TEMPLATE + "".join("`" * (i % 9 + 1) + "x " for i in range(150 * K))[: 950 * K]
            )
        },
    ),
    # --- deep nesting and bad bytes ----------------------------------------------------------
    Case(
        "deep-package-json",
        "package.json nested 100k deep",
        lambda: {"package.json": _b('{"dependencies": ' + _nest("[", "]", "1", DEEP) + "}")},
        skips=("package.json",),
    ),
    Case(
        "deep-tsconfig",
        "tsconfig.json nested 100k deep",
        lambda: {
            "tsconfig.json": _b('{"compilerOptions": ' + _nest('{"a":', "}", "1", DEEP) + "}")
        },
    ),
    Case(
        "deep-dockerfile-cmd",
        "Dockerfile `CMD` nested 100k deep",
        lambda: {"Dockerfile": _b("FROM python\nCMD " + _nest("[", "]", '"x"', DEEP) + "\n")},
        skips=("Dockerfile",),
    ),
    Case(
        "deep-pyproject",
        "pyproject.toml nested 100k deep",
        lambda: {"pyproject.toml": _b("[project]\ndependencies = " + _nest("[", "]", "", DEEP))},
        skips=("pyproject.toml",),
    ),
    Case(
        "deep-fly-toml",
        "fly.toml nested 100k deep",
        lambda: {"fly.toml": _b('app = "x"\nx = ' + _nest("[", "]", "", DEEP) + "\n")},
        skips=("fly.toml",),
    ),
    Case(
        "deep-settings-py",
        "settings.py nested 100k deep",
        lambda: {"shop/settings.py": _b("X = " + _nest("(", ")", "", DEEP) + "\n")},
    ),
    Case(
        "deep-setup-py",
        "setup.py nested 100k deep",
        lambda: {"setup.py": _b("setup(install_requires=" + _nest("[", "]", "", DEEP) + ")\n")},
    ),
    Case(
        "deep-compose",
        "docker-compose.yml nested 100k deep",
        lambda: {"docker-compose.yml": _b("services: " + _nest("[", "]", "", DEEP) + "\n")},
        skips=("docker-compose.yml",),
    ),
    Case(
        "deep-config",
        ".github/docs-refresh.yml nested 100k deep",
        lambda: {".github/docs-refresh.yml": _b("tracks: " + _nest("[", "]", "", DEEP) + "\n")},
        config_error=True,
    ),
    Case(
        "bad-utf8-config",
        "config files with invalid UTF-8",
        lambda: {
            ".github/docs-refresh.yml": b"comments: \xff\xfe\n",
            "package.json": b'{"name": "\xff", "dependencies": {"left-pad": "1"}}',
            "pyproject.toml": b'[project]\nname = "\xc3"\n',
            "docker-compose.yml": b"services:\n  web:\n    image: \xff\n",
        },
        config_error=True,
    ),
    # --- names that steer the doc ------------------------------------------------------------
    Case(
        "name-end-marker",
        "a folder named ``a`<!-- agent-update:end -->`b``",
        lambda: {
            "a`<!-- agent-update:end -->`b/mod.py": b"from shop import orders\n",
            "shop/use.py": b"import stripe\n",
        },
    ),
    Case(
        "name-end-marker-alone",
        "the same folder as the repository's only module (named in a sentence)",
        lambda: {"a`<!-- agent-update:end -->`b/mod.py": b"import os\n"},
        alone=True,
    ),
    Case(
        "name-newline-alone",
        "a folder with a newline and `<!--` as the only module",
        lambda: {"x\n<!-- a\n# Owned/mod.py": b"import os\n"},
        alone=True,
    ),
    Case(
        "name-newline-heading",
        "a path with a newline and `# …`",
        lambda: {"shop/x\n# Owned/mod.py": b"from shop import orders\n"},
    ),
    Case(
        "name-newline-comment",
        "a path with a newline and `<!--`",
        lambda: {"shop/x\n<!--/mod.py": b"from shop import orders\n"},
    ),
    Case(
        "name-pipe-backtick-mention",
        "names with `|`, backticks, HTML and @mentions",
        lambda: {
            "shop/a|b|c/mod.py": b"from shop import orders\n",
            "shop/`<img src=x onerror=alert(1)>` @octocat/mod.py": b"from shop import orders\n",
            "shop/[link](https:/evil)/mod.py": b"from shop import orders\n",
        },
    ),
    # --- symlinks out of the checkout ----------------------------------------------------------
    Case(
        "symlink-docs-out",
        "a tracked symlink `.context -> ../outside`",
        lambda: {},
        links={".context/docs": "../../outside"},
    ),
    Case(
        "symlink-config-docs-out",
        "a `docs:` entry through a symlinked folder",
        lambda: {".github/docs-refresh.yml": b"docs: [linked/data-flow.md]\n"},
        links={"linked": "../outside"},
        config_error=True,
    ),
    Case(
        "symlink-docs-root",
        "a tracked symlink `docs -> /`",
        lambda: {},
        links={"docs": "/"},
    ),
)
BY_NAME = {case.name: case for case in CASES}


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "core.quotepath=off", *args],
        cwd=root,
        check=True,
        capture_output=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "m",
            "GIT_AUTHOR_EMAIL": "m@x",
            "GIT_COMMITTER_NAME": "m",
            "GIT_COMMITTER_EMAIL": "m@x",
        },
    )


def build(case: Case, base: Path) -> Path:
    """The case's repository at `base/repo` (committed), with `base/outside/` beside it."""
    root = base / "repo"
    outside = base / "outside"
    outside.mkdir(parents=True)
    (outside / "data-flow.md").write_text(DOC_TEMPLATE)
    shop = {DOC: DOC_TEMPLATE} if case.alone else SHOP
    files = {p: t.encode() for p, t in shop.items()}
    files.update(case.files())
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for path, link in case.links.items():
        target = root / path
        if target.is_dir() and not target.is_symlink():
            for child in target.iterdir():
                child.unlink()
            target.rmdir()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(link)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "hostile")
    return root


@dataclass(frozen=True)
class Run:
    command: str
    seconds: float
    cpu: float
    peak_mb: float
    code: int | None  # None: killed at the timeout
    traceback: bool
    stderr: str

    @property
    def hung(self) -> bool:
        return self.code is None


# The CLI, writing its own address space's high-water mark (VmHWM) when it exits. The
# child's ru_maxrss would not do: Linux carries the parent's RSS at fork into it, so a test
# process grown to ~500 MB made every run read ~500 MB.
_PEAK_WRAPPER = """\
import atexit, sys
_out = sys.argv.pop(1)
def _peak():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(_out, "w") as out:
        out.write(kb)
atexit.register(_peak)
from bot.cli import main
main()
"""


def _peak_mb(peak: Path, maxrss_kb: int) -> float:
    """VmHWM as the run wrote it; ru_maxrss (an over-estimate) for a run that was killed."""
    try:
        return int(peak.read_text()) / 1024
    except (OSError, ValueError):
        return maxrss_kb / 1024


def run_cli(root: Path, args: list[str], timeout: float) -> Run:
    """`docs-refresh ARGS` in a subprocess: wall time, CPU time, peak RSS, exit code."""
    # HOSTILE_CODE: another copy of the code to run (an older commit, for a before/after).
    code_root = os.environ.get("HOSTILE_CODE")
    env = {**os.environ, "PYTHONPATH": code_root} if code_root else None
    errors = root.parent / f"stderr-{args[0]}.txt"
    output = root.parent / f"stdout-{args[0]}.txt"
    peak = root.parent / f"peak-{args[0]}.txt"
    peak.unlink(missing_ok=True)
    command = [sys.executable, "-c", _PEAK_WRAPPER, str(peak)]
    with errors.open("wb") as err, output.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*command, *args, str(root)],
            stdout=out,
            stderr=err,
            cwd=root.parent,
            env=env,
        )
        code: int | None = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                _, _, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        seconds = time.perf_counter() - start
    proc.returncode = -9 if code is None else code  # reaped by wait4
    text = errors.read_text("utf-8", "replace")
    return Run(
        " ".join(args),
        seconds,
        usage.ru_utime + usage.ru_stime,
        _peak_mb(peak, usage.ru_maxrss),
        code,
        "Traceback" in text,
        text[-2000:],
    )


@dataclass(frozen=True)
class Outcome:
    case: str
    facts: Run
    refresh: Run
    check: Run  # `check` right after `refresh`: 0, the doc is fresh (nothing steered it)
    normal_files_read: bool  # the refreshed doc still names the shop's files
    markers_intact: bool  # the doc still holds exactly its own start and end markers
    outside_untouched: bool  # nothing beside the repository was rewritten
    skipped: tuple[str, ...] = ()  # the files `facts --json` lists as not read

    def row(self) -> str:
        def cell(run: Run) -> str:
            code = "hang" if run.hung else ("trace" if run.traceback else f"exit {run.code}")
            return f"{run.seconds:6.2f} s {run.peak_mb:6.0f} MB {code}"

        extra = (
            ("" if self.check.code == 0 else f" check:{self.check.code}")
            + ("" if self.normal_files_read else " doc-missing-shop")
            + ("" if self.outside_untouched else " WROTE-OUTSIDE")
        )
        return f"| {self.case} | {cell(self.facts)} | {cell(self.refresh)} |{extra}"


def run_case(case: Case, base: Path, timeout: float = 20.0) -> Outcome:
    root = build(case, base)
    facts = run_cli(root, ["facts", "--json"], timeout)
    refresh = run_cli(root, ["refresh"], timeout)
    check = run_cli(root, ["check"], timeout)
    doc = root / DOC
    text = doc.read_text("utf-8", "replace") if doc.is_file() and not doc.is_symlink() else ""
    outside = (base / OUTSIDE_DOC).read_text()
    from bot.core.marker_scan import scan_markers

    kinds = [(m.kind, m.name) for m in scan_markers(text)] if text else []
    return Outcome(
        case.name,
        facts,
        refresh,
        check,
        all(word in text for word in NORMAL_EVIDENCE)
        if not (case.links or case.config_error or case.alone or case.doc_error or case.doc_unread)
        else True,
        kinds == ([] if case.v2 else [("start", "data-flow"), ("end", "")])
        or bool(case.links or case.config_error),
        outside == DOC_TEMPLATE,
        _skipped(root.parent / "stdout-facts.txt"),
    )


def _skipped(output: Path) -> tuple[str, ...]:
    try:
        data = json.loads(output.read_text("utf-8"))
    except ValueError:
        return ()
    return tuple(s["path"] for s in data.get("skipped", []))


def main(argv: list[str]) -> None:
    import tempfile

    timeout = float(os.environ.get("HOSTILE_TIMEOUT", "20"))
    names = argv or [c.name for c in CASES]
    print("| case | facts --json | refresh |")
    print("|---|---|---|")
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run_case(BY_NAME[name], Path(tmp), timeout)
        print(outcome.row(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
