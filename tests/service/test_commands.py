"""`/refresh-docs` parsing: where a command counts, and which sub-command it is."""

from __future__ import annotations

import pytest

from bot.service.commands import Command, parse_command


@pytest.mark.parametrize(
    ("body", "action"),
    [
        ("/refresh-docs", "refresh"),
        ("/REFRESH-DOCS", "refresh"),
        ("/Refresh-Docs force", "force"),
        ("/refresh-docs FORCE please", "force"),
        ("/refresh-docs help", "help"),
        ("/refresh-docs   help  ", "help"),
        ("/refresh-docs\thelp", "help"),
        ("   /refresh-docs", "refresh"),
        ("/refresh-docs now", "unknown"),
    ],
)
def test_command_at_line_start_is_parsed_with_its_subcommand(body: str, action: str) -> None:
    command = parse_command(body)
    assert command is not None
    assert command.action == action


@pytest.mark.parametrize(
    "body",
    [
        "",
        None,
        "please run /refresh-docs",
        "`/refresh-docs`",
        "/refresh-docs-now",
        "/refresh-docsforce",
        "> /refresh-docs",
        ">> /refresh-docs force",
        "    /refresh-docs",
        "```\n/refresh-docs\n```",
        "~~~~md\n/refresh-docs\n~~~~",
        "````\n```\n/refresh-docs\n````",
        "<!-- /refresh-docs -->",
        "<!--\n/refresh-docs\n-->",
        "```\nunclosed fence runs to the end\n/refresh-docs",
    ],
)
def test_quoted_fenced_inline_or_embedded_commands_are_ignored(body: str | None) -> None:
    assert parse_command(body) is None


def test_command_after_a_closed_fence_counts() -> None:
    body = "Try this:\n```\n/refresh-docs help\n```\nthanks\n/refresh-docs force\n"
    assert parse_command(body) == Command("force", "force", 6)


def test_first_command_in_a_body_wins() -> None:
    body = "LGTM\n\n/refresh-docs\n/refresh-docs force"
    assert parse_command(body) == Command("refresh", "", 3)


def test_unknown_subcommand_keeps_the_word_as_written() -> None:
    assert parse_command("/refresh-docs Now") == Command("unknown", "Now", 1)


def test_windows_line_endings_are_accepted() -> None:
    assert parse_command("hello\r\n/refresh-docs force\r\n") == Command("force", "force", 2)


def test_command_after_a_one_line_html_comment_counts() -> None:
    assert parse_command("<!-- note -->\n/refresh-docs") == Command("refresh", "", 2)
