from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.helpers.git import committed_copy, git

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
DOC = ".context/docs/data-flow.md"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return committed_copy(SHOP, tmp_path / "shop")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()
    return code, out, err


def test_check_reports_stale_docs_with_a_diff_and_exit_1(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "check", str(shop))
    assert code == 1
    assert out.startswith(f"diff --git a/{DOC} b/{DOC}\n")
    assert (
        "-`src/api/server.ts`. Orders are published to Kafka and picked up by the"
        " fulfilment service,\n" in out
    )
    assert "stale" in err


def test_refresh_writes_then_check_passes_and_a_second_refresh_changes_nothing(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "refresh", str(shop))
    assert code == 0
    assert f"refreshed {DOC}" in err
    first = (shop / DOC).read_bytes()
    assert b"Kafka" not in first.split(b"## Glossary")[0]
    assert cli(capsys, "check", str(shop))[0] == 0
    code, _, err = cli(capsys, "refresh", str(shop))
    assert code == 0
    assert "refreshed" not in err
    assert (shop / DOC).read_bytes() == first
    changed = git(shop, "status", "--porcelain")
    assert changed.split() == ["M", DOC]


def test_dry_run_prints_the_diff_and_writes_nothing(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (shop / DOC).read_bytes()
    code, out, err = cli(capsys, "refresh", "--dry-run", str(shop))
    assert code == 0
    assert "+| Stripe | Payments | — | — | — | used |" in out
    assert "would refresh" in err
    assert (shop / DOC).read_bytes() == before


def test_malformed_markers_exit_2_with_file_and_line(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = shop / DOC
    doc.write_text(doc.read_text().replace("<!-- agent-update:end -->", ""))
    code, _, err = cli(capsys, "check", str(shop))
    assert code == 2
    assert f"{DOC}:6: " in err


def test_invalid_config_exits_2_naming_the_line(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shop / ".github").mkdir()
    (shop / ".github" / "docs-refresh.yml").write_text("comments: true\ndoc: [x.md]\n")
    code, _, err = cli(capsys, "check", str(shop))
    assert code == 2
    assert ".github/docs-refresh.yml:2: unknown key 'doc'" in err


def test_init_v1_scaffolds_and_fills_a_marker_doc_when_the_repository_has_none(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(shop / ".context")
    code, _, err = cli(capsys, "init", "--format", "v1", str(shop))
    assert code == 0
    assert "created docs/data-flow.md" in err
    text = (shop / "docs" / "data-flow.md").read_text()
    assert text.startswith("<!-- agent-update:start:data-flow -->\n")
    assert "<!-- agent-readonly:guidance -->" in text
    assert "<!-- agent-readonly:sources -->" in text
    assert "| Stripe | Payments | — | — | — | used |" in text
    # Not committed yet, still checked; and init does not overwrite.
    assert cli(capsys, "check", str(shop))[0] == 0
    code, _, err = cli(capsys, "init", str(shop))
    assert code == 0
    assert "already has a data-flow doc" in err
    assert (shop / "docs" / "data-flow.md").read_text() == text


def test_init_writes_a_v2_doc_by_default_filled_and_fresh(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(shop / ".context")
    code, _, err = cli(capsys, "init", str(shop))
    assert code == 0
    assert "created .context/docs/data-flow.md" in err
    text = (shop / ".context" / "docs" / "data-flow.md").read_text()
    assert text.startswith("---\ntype: doc\nname: data-flow\n")
    assert '\nstatus: filled\nscaffoldVersion: "2.0.0"\n---\n' in text
    assert "| Stripe | Payments | — | — | — | used |" in text
    assert "<!-- agent-update" not in text
    assert cli(capsys, "check", str(shop))[0] == 0
    assert cli(capsys, "refresh", str(shop))[0] == 0
    assert (shop / ".context" / "docs" / "data-flow.md").read_text() == text


def test_init_keeps_markers_where_the_repository_already_uses_them(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(shop / ".context")
    (shop / "docs").mkdir(exist_ok=True)
    (shop / "docs" / "agents.md").write_text(
        "<!-- agent-update:start:agents -->\n# Agents\n<!-- agent-update:end -->\n"
    )
    assert cli(capsys, "init", str(shop))[0] == 0
    assert (
        (shop / "docs" / "data-flow.md")
        .read_text()
        .startswith("<!-- agent-update:start:data-flow -->")
    )


def test_facts_json_has_the_documented_shape_and_is_deterministic(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "facts", "--json", str(shop))
    assert code == 0
    data = json.loads(out)
    assert list(data) == [
        "version",
        "source",
        "entrypoints",
        "modules",
        "edges",
        "datastores",
        "integrations",
        "deployment",
        "observability",
        "resilience",
        "handoffs",
        "schedules",
        "flows",
        "skipped",
    ]
    assert data["skipped"] == []
    assert data["source"] == git(shop, "rev-parse", "HEAD").strip()
    stripe = next(i for i in data["integrations"] if i["name"] == "Stripe")
    assert stripe["category"]
    assert stripe["strength"] == "used"
    assert all(e["path"] for e in stripe["evidence"])
    assert cli(capsys, "facts", "--json", str(shop))[1] == out


def test_facts_without_json_lists_names(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "facts", str(shop))
    assert code == 0
    assert "integrations (" in out
    assert "Stripe" in out


def test_repository_without_docs_passes_check_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n")
    code, _, err = cli(capsys, "check", str(tmp_path))
    assert code == 0
    assert "docs-refresh init" in err


def many_files(folder: Path, count: int) -> Path:
    for i in range(count):
        pkg = folder / f"pkg{i % 10}"
        pkg.mkdir(exist_ok=True)
        (pkg / f"m{i}.py").write_text(f"import os\nVALUE = {i}\n")
    return folder


def test_progress_bar_goes_to_stderr_only_when_it_is_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    repo = many_files(tmp_path, 250)
    command = [sys.executable, "-m", "bot", "facts", str(repo)]
    piped = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    assert "scanning" not in piped.stderr
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            command, stdout=subprocess.PIPE, stderr=secondary, check=True, cwd=ROOT, timeout=60
        )
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(primary)
    assert b"scanning" in seen
    assert done.stdout == piped.stdout.encode()


def test_facts_schema_doc_names_every_key_the_command_prints() -> None:
    import dataclasses
    import re

    from bot.core.model import Edge, Entrypoint, Item, Module, RepoFacts, Service

    schema = (ROOT / "docs" / "facts-schema.md").read_text()
    documented = re.findall(r"^\| `(\w+)` \|", schema, flags=re.M)
    assert documented == list(RepoFacts().to_json())
    for kind in (Entrypoint, Module, Edge, Service, Item):
        for field in dataclasses.fields(kind):
            assert f"`{field.name}`" in schema, (kind.__name__, field.name)


def test_pre_commit_hooks_run_registered_commands() -> None:
    import yaml

    from bot.cli import cli as group

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"docs-refresh", "docs-refresh-check"}
    for hook in hooks:
        program, command = hook["entry"].split()
        assert program == "docs-refresh"
        assert command in group.commands
        assert hook["pass_filenames"] is False


def test_base_revision_adds_what_changed_in_the_facts(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (shop / "shop" / "mail.py").write_text(
        "import sendgrid\n\nclient = sendgrid.SendGridAPIClient()\n"
    )
    git(shop, "add", "shop/mail.py")
    code, _, err = cli(capsys, "check", "--base", "HEAD", str(shop))
    assert code == 1
    assert "Integration added: **SendGrid**" in err
    assert "`shop/mail.py:1`" in err
    code, _, err = cli(capsys, "check", "--base", "no-such-rev", str(shop))
    assert code == 2
    assert "'no-such-rev' is not a commit" in err


def test_base_equal_to_the_tree_reports_no_change(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "refresh", "--dry-run", "--base", "HEAD", str(shop))
    assert code == 0
    assert "No change in detected facts." in err


def test_facts_command_loads_the_analysis_but_not_the_refresh_engine() -> None:
    # A whole `docs-refresh facts` run is compared with grimp's: its imports are its cost.
    code = (
        "import sys; from bot.cli import cli; cli.get_command(None, 'facts'); "
        "print(sorted(m for m in ('bot.core.refresh', 'bot.core.markers', 'flask', "
        "'github', 'bot.core.analysis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True)
    assert out.stdout.strip() == b"['bot.core.analysis']", out.stderr.decode()


def test_check_counts_a_new_module_git_does_not_track_yet_and_says_so(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "refresh", str(shop))
    git(shop, "commit", "-qam", "fresh docs")
    assert cli(capsys, "check", str(shop))[0] == 0
    (shop / "shop" / "mailer.py").write_text("import smtplib\n\nsmtp = smtplib.SMTP('mail')\n")
    (shop / "scratch.log").write_text("ignored by nobody, but not code either\n")
    (shop / ".gitignore").write_text("*.pyc\n")
    code, _, err = cli(capsys, "check", str(shop))
    assert code == 1
    assert "counted 3 file(s) git does not track yet, as the working tree has them:" in err
    assert ".gitignore, scratch.log, shop/mailer.py;" in err
    assert "stale" in err
    (shop / ".gitignore").write_text("*.pyc\nshop/mailer.py\n")
    code, _, err = cli(capsys, "check", str(shop))
    assert code == 0  # ignored: not the working tree's code
    assert "shop/mailer.py" not in err
