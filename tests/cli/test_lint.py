from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli, main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "lint"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["lint", *args])
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_corpus_problems_are_reported_with_their_lines(shared_corpus: Path) -> None:
    docs = shared_corpus / "docs"
    before = snapshot(docs)
    code, out, err = run(str(docs))
    assert code == 1
    assert out.splitlines() == [
        f"{docs}/aiob3__mapa__.context__docs__data-flow.md:13: agent-fill:integration wrapper"
        " left around text in block 'data-flow' (repairable)",
        f"{docs}/haniellevi__celula-connect__.context__docs__data-flow.md:1: agent-update block"
        " wrapped in a ```markdown code fence (closed at line 87) (repairable)",
        f"{docs}/r2suporte__InterAlpha--App__docs__data-flow.md:34: agent-fill:integration"
        " wrapper left around text in block 'data-flow' (repairable)",
        f"{docs}/vinilana__ai-coders-context__.context__docs__data-flow.md:73: leaked </file>"
        " line outside the block (repairable)",
    ]
    assert "4 problem(s) in 4 of 5 document(s)" in err
    assert snapshot(docs) == before


def test_seed_web_copy_is_linted_when_named(shared_corpus: Path) -> None:
    seed = shared_corpus / "docs" / "000_c4b9b4dc4cb3c7a8.txt"
    code, out, _ = run(str(seed))
    assert code == 1
    # As copied from the web page, gutter lines sit inside the fence: not a clean wrapper, so
    # the markers after the fence's accidental close are reported where they are.
    # The page's gutter bars also fill its Mermaid fence, so that diagram cannot parse.
    assert out.splitlines() == [
        f"{seed}:50: Mermaid diagram does not parse: UnknownDiagramError: No diagram type"
        " detected matching given configuration for text: | |",
        f"{seed}:187: agent-readonly:guidance outside any agent-update block",
        f"{seed}:207: agent-readonly:sources outside any agent-update block",
        f"{seed}:224: agent-update:end without a matching agent-update:start",
    ]


def test_clean_example_exits_zero_silently() -> None:
    assert run(str(EXAMPLE)) == (0, "", "")
    assert run(str(EXAMPLE / "data-flow.md")) == (0, "", "")


def test_hand_edit_and_malformed_markers_in_a_folder(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "docs")
    doc = tmp_path / "docs" / "data-flow.md"
    doc.write_text(
        doc.read_text("utf-8").replace("- Retries: none", "- Retries: tenacity"), "utf-8"
    )
    (tmp_path / "docs" / "broken.md").write_bytes(
        b"# B\r\n\r\n<!-- agent-update:start:x -->\r\ntext\r\n<!-- agent-update:start:y -->\r\n"
    )
    code, out, _ = run(str(tmp_path / "docs"))
    assert code == 1
    assert [line.split(": ", 1)[0].rsplit("/", 1)[1] for line in out.splitlines()] == [
        "broken.md:5",
        "broken.md:5",
        "data-flow.md:38",
    ]
    assert "agent-update:start:y before the agent-update:end of block 'x' (line 3)" in out


def test_default_paths_are_docs_and_context_with_markers_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marked = "<!-- agent-update:start:a -->\nx\n"  # unclosed: a problem to find
    (tmp_path / "docs").mkdir()
    (tmp_path / ".context" / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "node_modules").mkdir()
    (tmp_path / "docs" / "plain.md").write_text("# no markers\n", "utf-8")
    (tmp_path / "docs" / "node_modules" / "dep.md").write_text(marked, "utf-8")
    (tmp_path / ".context" / "docs" / "data-flow.md").write_text(marked, "utf-8")
    (tmp_path / "other.md").write_text(marked, "utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run()
    assert code == 1
    assert out == ".context/docs/data-flow.md:1: agent-update:start:a has no agent-update:end\n"


def test_nothing_to_lint_is_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run()
    assert (code, out) == (0, "")
    assert "no documents with agent-update markers" in err


def test_invalid_utf8_is_a_problem_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"ok\nstill ok\n\xff oops\n")
    code, out, _ = run(str(bad))
    assert code == 1
    assert out.startswith(f"{bad}:3: not valid UTF-8")


def test_console_entry_point_maps_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as missing:
        main(["lint", str(tmp_path / "missing.md")])
    assert missing.value.code == 2
    broken = tmp_path / "b.md"
    broken.write_text("<!-- agent-update:end -->\n", "utf-8")
    with pytest.raises(SystemExit) as found:
        main(["lint", str(broken)])
    assert found.value.code == 1
    assert f"{broken}:1: agent-update:end without" in capsys.readouterr().out
    main(["lint", str(EXAMPLE)])  # clean: returns, no SystemExit


def test_lint_finds_v2_docs_in_folders_and_reports_a_broken_front_matter(tmp_path: Path) -> None:
    docs = tmp_path / ".context" / "docs"
    docs.mkdir(parents=True)
    (docs / "data-flow.md").write_text(
        "---\nname: data-flow\ndescription: [oops\nstatus: filled\n---\n## High-level Flow\n"
    )
    (docs / "notes.md").write_text("# Notes\n")
    code, out, err = run(str(tmp_path / ".context"))
    assert code == 1
    assert out.startswith(f"{docs / 'data-flow.md'}:4: front matter is not valid YAML")
    assert "in 1 of 1 document(s)" in err


def test_lint_reads_translated_headings_from_the_repository_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.document_sections import replace_document_sections
    from bot.core.documents import heading_map

    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "docs-refresh.yml").write_text(
        'headings:\n  "Flujo de Alto Nivel": high-level-flow\n'
    )
    doc = "---\nname: data-flow\n---\n## Flujo de Alto Nivel\n\nold\n"
    ids = heading_map({"Flujo de Alto Nivel": "high-level-flow"})
    fresh = replace_document_sections(doc, {"high-level-flow": "New.\n"}, headings=ids).text
    target = tmp_path / "data-flow.md"
    target.write_text(fresh.replace("New.", "Edited by a person."))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(str(target))
    assert code == 1
    assert "'Flujo de Alto Nivel' was edited by hand" in out


BROKEN_DIAGRAM_DOC = (
    "<!-- agent-update:start:data-flow -->\n"
    "# Data Flow\n\n"
    "```mermaid\nflowchart LR\n  a --> b\n```\n\n"
    "Prose.\n\n"
    "```mermaid\nflowchart LR\n  a --> b(((\n```\n"
    "<!-- agent-update:end -->\n"
)


@pytest.mark.slow
def test_a_diagram_that_does_not_parse_is_reported_at_its_fence(tmp_path: Path) -> None:
    doc = tmp_path / "data-flow.md"
    doc.write_text(BROKEN_DIAGRAM_DOC)
    code, out, _ = run(str(doc))
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"{doc}:11: Mermaid diagram does not parse: ")
    assert "Parse error" in line


@pytest.mark.slow
def test_one_parse_context_judges_as_a_render_does() -> None:
    # `check` and `lint` parse every diagram of a run in one Mermaid context; a render (a
    # fresh context each) must agree on which parse, diagram kind by kind.
    from bot.cli.diagrams import _parse_all, parse_error

    sources = [
        "flowchart LR\n  a --> b\n",
        "flowchart LR\n  a --> b(((\n",
        "sequenceDiagram\n  A->>B: hi\n",
        "sequenceDiagram\n  A->>: hi\n",
        "| |\n",
        'flowchart LR\n  subgraph g["G"]\n    x\n  end\n  g -.->|"served by"| y\n',
    ]
    parsed = _parse_all(sources)
    rendered = [parse_error(s) for s in sources]
    assert [p is None for p in parsed] == [r is None for r in rendered]
    assert [p is None for p in parsed] == [True, False, True, False, False, True]
