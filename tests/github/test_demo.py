from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli


@pytest.mark.slow
def test_demo_prints_the_pull_request_the_bot_opened() -> None:
    result = CliRunner().invoke(cli, ["demo", "--write-interval", "0", "--timeout", "60"])
    assert result.exit_code == 0, result.output
    assert "# docs: refresh data-flow documentation" in result.output
    assert "/pull/1" in result.output
    assert "Integration added: **SendGrid**" in result.output
    assert "+| SendGrid | Email | — | — | — | used |" in result.output
    assert "<!-- docs-refresh:state " in result.output
