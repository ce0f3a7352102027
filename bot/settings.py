"""Settings, read once from the environment (and a local `.env`) into one immutable value.

Nothing else of the App reads the environment: factories take a `Settings`. Two readers
serve the CLI too, which has no `Settings` (it needs no secret): `bot.local.catalog_file` (the
cache folder, `DOCS_REFRESH_CACHE_DIR`/`XDG_CACHE_HOME`/`HOME`) and `bot.local.checkout` (git's own
`GIT_DIR`/`GIT_INDEX_FILE`, which decide what the checkout is). Secrets never appear in
`repr()` or logs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from dotenv import dotenv_values

from bot.core.errors import SetupError
from bot.core.limits import JOB_SECONDS

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_PORT = 8080
DEFAULT_SETTLE = "3.0"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

NO_WEBHOOK_KEY = (
    "WEBHOOK_SECRET is not set. Set it to the webhook secret of the GitHub App "
    "(Settings → Developer settings → GitHub Apps → your app → Webhook secret), "
    "in the environment or in a .env file: WEBHOOK_SECRET=<the secret>"
)
MISSING_APP = (
    "APP_ID and a private key are needed to talk to GitHub. Set APP_ID to the app's id and "
    "PRIVATE_KEY (the PEM text) or PRIVATE_KEY_PATH (a .pem file), in the environment or .env"
)
BAD_INTEGER = "{name} must be a whole number, got {value!r}"
BAD_NUMBER = "{name} must be a number of seconds, got {value!r}"
BAD_POSITIVE = "{name} must be a number of seconds above 0, got {value!r}"
BAD_LOG_LEVEL = "LOG_LEVEL must be one of {levels}, got {value!r}"
UNREADABLE_KEY = "PRIVATE_KEY_PATH {path} cannot be read: {reason}"
BAD_SWITCH = "{name} must be true or false, got {value!r}"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class Settings:
    webhook_secret: str = field(repr=False)
    app_id: int | None = None
    private_key: str | None = field(default=None, repr=False)
    github_api_url: str = DEFAULT_API_URL
    redis_url: str | None = field(default=None, repr=False)  # may carry a password
    data_dir: Path = Path("data")
    log_level: str = "INFO"
    port: int = DEFAULT_PORT
    # Every interface, as platforms route to the container; tests and laptops set 127.0.0.1.
    host: str = "0.0.0.0"  # noqa: S104
    worker_threads: int = 2
    github_write_interval: float = 1.0  # GitHub asks for a second between writes
    # A push's refresh waits this long for the rest of a burst. Deployments read
    # SETTLE_SECONDS (default DEFAULT_SETTLE); values built in code (tests, the demo) start at once.
    settle_seconds: float = 0.0
    # Open a "Set up docs-refresh" pull request in repositories installed without a doc.
    onboarding: bool = True
    # A refresh job's time (wall seconds): past it, it stops and says so in a check run.
    job_seconds: float = JOB_SECONDS

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env"
    ) -> Settings:
        """Settings from `environ` (default: os.environ) over the values of a `.env` file."""
        env: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            env.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        env.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        secret = get("WEBHOOK_SECRET")
        if secret is None:
            raise SetupError(NO_WEBHOOK_KEY)
        level = (get("LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise SetupError(BAD_LOG_LEVEL.format(levels=", ".join(LOG_LEVELS), value=level))
        app_id = get("APP_ID")
        return cls(
            webhook_secret=secret,
            app_id=None if app_id is None else _integer("APP_ID", app_id),
            private_key=_private_key(get("PRIVATE_KEY"), get("PRIVATE_KEY_PATH")),
            github_api_url=(get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/"),
            redis_url=_redis_url(get),
            data_dir=Path(get("DATA_DIR") or "data"),
            log_level=level,
            port=_integer("PORT", get("PORT") or str(DEFAULT_PORT)),
            host=get("HOST") or "0.0.0.0",  # noqa: S104
            worker_threads=max(1, _integer("WORKER_THREADS", get("WORKER_THREADS") or "2")),
            github_write_interval=_number(
                "GITHUB_WRITE_INTERVAL", get("GITHUB_WRITE_INTERVAL") or "1.0"
            ),
            settle_seconds=max(
                0.0, _number("SETTLE_SECONDS", get("SETTLE_SECONDS") or DEFAULT_SETTLE)
            ),
            onboarding=_switch("ONBOARDING", get("ONBOARDING") or "true"),
            job_seconds=_positive("JOB_SECONDS", get("JOB_SECONDS") or f"{JOB_SECONDS:g}"),
        )

    def require_github(self) -> tuple[int, str]:
        """The app id and key, or a SetupError that says how to set them."""
        if self.app_id is None or self.private_key is None:
            raise SetupError(MISSING_APP)
        return self.app_id, self.private_key

    @property
    def queue_path(self) -> Path:
        """The SQLite file holding the queue, delivery ids and locks (no Redis)."""
        return self.data_dir / "queue.sqlite3"


def _integer(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SetupError(BAD_INTEGER.format(name=name, value=value)) from None


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SetupError(BAD_NUMBER.format(name=name, value=value)) from None


def _positive(name: str, value: str) -> float:
    number = _number(name, value)
    if not number > 0:  # also refuses nan
        raise SetupError(BAD_POSITIVE.format(name=name, value=value))
    return number


def _switch(name: str, value: str) -> bool:
    word = value.lower()
    if word not in TRUE_WORDS + FALSE_WORDS:
        raise SetupError(BAD_SWITCH.format(name=name, value=value))
    return word in TRUE_WORDS


def _private_key(text: str | None, path: str | None) -> str | None:
    if text is not None:
        # Platforms that cannot hold newlines in a variable get "\n" escapes.
        return text.replace("\\n", "\n")
    if path is None:
        return None
    try:
        return Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        raise SetupError(UNREADABLE_KEY.format(path=path, reason=err)) from None


def _redis_url(get: Callable[[str], str | None]) -> str | None:
    url = get("REDIS_URL")
    if url is not None:
        return url
    host = get("REDIS_HOST")
    if host is None:
        return None
    port = _integer("REDIS_PORT", get("REDIS_PORT") or "6379")
    password = get("REDIS_PASSWORD")
    auth = f":{quote(password, safe='')}@" if password else ""
    return f"redis://{auth}{host}:{port}/0"
