from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.errors import SetupError
from bot.core.limits import JOB_SECONDS
from bot.settings import DEFAULT_API_URL, Settings


def test_missing_webhook_secret_refuses_and_says_how_to_set_it(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match=r"WEBHOOK_SECRET=<the secret>"):
        Settings.from_env({}, dotenv_path=tmp_path / ".env")


def test_defaults(tmp_path: Path) -> None:
    s = Settings.from_env({"WEBHOOK_SECRET": "s"}, dotenv_path=None)
    assert (s.github_api_url, s.redis_url, s.data_dir, s.port) == (
        DEFAULT_API_URL,
        None,
        Path("data"),
        8080,
    )


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("WEBHOOK_SECRET=from-file\nLOG_LEVEL=debug\nPORT=9000\n")
    s = Settings.from_env({"PORT": "9100"}, dotenv_path=env_file)
    assert (s.webhook_secret, s.log_level, s.port) == ("from-file", "DEBUG", 9100)


def test_clevercloud_redis_variables_make_a_url() -> None:
    env = {"WEBHOOK_SECRET": "s", "REDIS_HOST": "h.example", "REDIS_PORT": "6380"}
    assert Settings.from_env({**env, "REDIS_PASSWORD": "p@ss"}, dotenv_path=None).redis_url == (
        "redis://:p%40ss@h.example:6380/0"
    )
    assert Settings.from_env({**env, "REDIS_URL": "redis://u"}, dotenv_path=None).redis_url == (
        "redis://u"
    )


def test_private_key_from_text_with_escaped_newlines_or_from_a_file(tmp_path: Path) -> None:
    env = {"WEBHOOK_SECRET": "s", "APP_ID": "12"}
    text = Settings.from_env({**env, "PRIVATE_KEY": "-----BEGIN\\nx"}, dotenv_path=None)
    assert text.require_github() == (12, "-----BEGIN\nx")
    pem = tmp_path / "key.pem"
    pem.write_text("PEM")
    from_file = Settings.from_env({**env, "PRIVATE_KEY_PATH": str(pem)}, dotenv_path=None)
    assert from_file.private_key == "PEM"


def test_github_settings_missing_say_what_to_set() -> None:
    with pytest.raises(SetupError, match="APP_ID"):
        Settings.from_env({"WEBHOOK_SECRET": "s"}, dotenv_path=None).require_github()


def test_unreadable_key_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    with pytest.raises(SetupError, match=r"nope\.pem"):
        Settings.from_env(
            {"WEBHOOK_SECRET": "s", "PRIVATE_KEY_PATH": str(missing)}, dotenv_path=None
        )


def test_onboarding_is_on_unless_switched_off() -> None:
    assert Settings.from_env({"WEBHOOK_SECRET": "s"}, dotenv_path=None).onboarding is True
    for word in ("false", "0", "No", "OFF"):
        env = {"WEBHOOK_SECRET": "s", "ONBOARDING": word}
        assert Settings.from_env(env, dotenv_path=None).onboarding is False


def test_job_seconds_default_to_the_limit_and_can_be_set() -> None:
    assert Settings.from_env({"WEBHOOK_SECRET": "s"}, dotenv_path=None).job_seconds == JOB_SECONDS
    env = {"WEBHOOK_SECRET": "s", "JOB_SECONDS": "2.5"}
    assert Settings.from_env(env, dotenv_path=None).job_seconds == 2.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("LOG_LEVEL", "loud"),
        ("ONBOARDING", "maybe"),
        ("JOB_SECONDS", "0"),
        ("JOB_SECONDS", "nan"),
    ],
)
def test_bad_values_are_setup_errors(name: str, value: str) -> None:
    with pytest.raises(SetupError, match=name):
        Settings.from_env({"WEBHOOK_SECRET": "s", name: value}, dotenv_path=None)


def test_secrets_never_appear_in_repr() -> None:
    s = Settings.from_env(
        {"WEBHOOK_SECRET": "hush", "PRIVATE_KEY": "KEYTEXT", "REDIS_URL": "redis://:pw@h"},
        dotenv_path=None,
    )
    assert not {"hush", "KEYTEXT", "pw"} & set(repr(s).replace("'", " ").replace(":", " ").split())
    assert "hush" not in repr(s)
    assert "KEYTEXT" not in repr(s)
