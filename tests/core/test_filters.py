from __future__ import annotations

from bot.core.filters import PathFilter, content_skip_reason, parse_gitattributes


def test_vendored_generated_binary_and_huge_paths_are_skipped_with_a_reason() -> None:
    keep = PathFilter()
    assert keep.skip_reason("web/node_modules/react/index.js", 10) == "vendored"
    assert keep.skip_reason("third_party/lib.py", 10) == "vendored"
    assert keep.skip_reason("dist/app.js", 10) == "vendored"
    assert keep.skip_reason("static/app.min.js", 10) == "generated"
    assert keep.skip_reason("proto/api_pb2.py", 10) == "generated"
    assert keep.skip_reason("package-lock.json", 10) == "generated"
    assert keep.skip_reason("img/logo.PNG", 10) == "binary"
    assert keep.skip_reason("app.py", 1_000_001) == "huge"
    assert keep.skip_reason("src/builder.py", 10) is None
    assert keep.skip_reason("package.json", 10) is None


def test_gitattributes_can_skip_and_unskip_and_last_line_wins() -> None:
    text = (
        "# comment\n"
        "*.txt text\n"
        "gen/** linguist-generated=true\n"
        "vendor/ours/** -linguist-vendored\n"
        "docs/*.js linguist-vendored\n"
        "docs/keep.js linguist-vendored=false\n"
    )
    rules = parse_gitattributes(text)
    assert len(rules) == 4
    keep = PathFilter(rules)
    assert keep.skip_reason("gen/client.ts", 10) == "gitattributes"
    assert keep.skip_reason("vendor/ours/lib.rb", 10) is None
    assert keep.skip_reason("vendor/theirs/lib.rb", 10) == "vendored"
    assert keep.skip_reason("docs/other.js", 10) == "gitattributes"
    assert keep.skip_reason("docs/keep.js", 10) is None


def test_nested_gitattributes_applies_below_its_folder_only() -> None:
    keep = PathFilter.from_files({"web/.gitattributes": "*.js linguist-generated\n"})
    assert keep.skip_reason("web/src/a.js", 10) == "gitattributes"
    assert keep.skip_reason("api/a.js", 10) is None


def test_content_rules_detect_nul_bytes_and_minified_bundles() -> None:
    assert content_skip_reason("a.py", b"abc\0def") == "binary"
    assert content_skip_reason("a.js", b"var a=1;" * 400) == "minified"
    assert content_skip_reason("a.py", b"x = 1;" * 400) is None
    assert content_skip_reason("a.js", b"import x from 'y'\n") is None
    # A bundle under a licence banner: short first lines, then very long ones.
    banner = b"/* Lib 1.0\nhttps://example.org/lib */\n"
    assert content_skip_reason("lib.js", banner + (b"var a=1;" * 800 + b"\n") * 3) == "minified"
    # Written source with one long line (a data URI, a table) stays.
    written = b"const a = 1;\n" * 200 + b"const b = '" + b"x" * 3_000 + b"';\n"
    assert content_skip_reason("app.js", written) is None
