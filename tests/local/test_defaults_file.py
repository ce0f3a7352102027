from bot.core.config import RepoConfig
from bot.local.defaults_file import DEFAULTS_PATH, default_repo_config


def test_shipped_defaults_file_is_read_and_matches_the_builtin_values() -> None:
    assert DEFAULTS_PATH.is_file()
    assert default_repo_config() == RepoConfig()
