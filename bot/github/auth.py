"""GitHub App authentication: an app JWT, and installation tokens cached until near expiry.

One `Clients` per process hands out one PyGithub client per installation. Each client asks
a shared `TokenCache` for its token on every request, so a token is fetched once and
reused by every job of that installation until `REFRESH_MARGIN` before it expires.
The client is configured for GitHub's limits: writes paced per installation, and automatic
retries for idempotent calls only (GET/HEAD), honouring `retry-after` and the rate reset.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import github
from github import Auth, GithubIntegration, GithubRetry

from bot.core.errors import SetupError

# Renew a little early: a job may run for a minute on a token fetched just before it.
REFRESH_MARGIN = timedelta(minutes=5)
USER_AGENT = "docs-refresh"
BAD_KEY = (
    "the GitHub App private key could not be used ({error}); check PRIVATE_KEY or "
    "PRIVATE_KEY_PATH holds the PEM downloaded from the app's settings page"
)


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How clients talk to GitHub. Tests lower the pacing; production keeps GitHub's."""

    api_url: str = "https://api.github.com"
    seconds_between_writes: float = 1.0
    seconds_between_requests: float = 0.0
    retries: int = 3
    max_rate_limit_wait: float = 120.0
    timeout: int = 15


def retry_policy(options: ClientOptions) -> GithubRetry:
    """Retries for GET/HEAD only: a retried POST could open a second PR or comment twice."""
    return GithubRetry(
        total=options.retries,
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=0.5,
        secondary_rate_wait=min(60.0, options.max_rate_limit_wait),
        max_rate_limit_wait=options.max_rate_limit_wait,
    )


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_at: datetime


class TokenCache:
    """Installation tokens by installation id, renewed `REFRESH_MARGIN` before expiry."""

    def __init__(
        self,
        app_id: int,
        private_key: str,
        options: ClientOptions,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._app = Auth.AppAuth(app_id, private_key)
        self._options = options
        self._clock = clock
        self._tokens: dict[int, Token] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def token(self, installation_id: int) -> str:
        with self._lock:
            cached = self._tokens.get(installation_id)
            if cached is not None and cached.expires_at - REFRESH_MARGIN > self._clock():
                return cached.value
            fresh = self._fetch(installation_id)
            self._tokens[installation_id] = fresh
            return fresh.value

    def forget(self, installation_id: int) -> None:
        """Drop a token GitHub refused (revoked, or the app was reinstalled)."""
        with self._lock:
            self._tokens.pop(installation_id, None)

    def app_client(self) -> GithubIntegration:
        """A client authenticated as the app itself (JWT), for `/app/...` endpoints."""
        return GithubIntegration(
            auth=self._app,
            base_url=self._options.api_url,
            timeout=self._options.timeout,
            user_agent=USER_AGENT,
            retry=retry_policy(self._options),
            seconds_between_writes=None,
        )

    def _fetch(self, installation_id: int) -> Token:
        try:
            grant = self.app_client().get_access_token(installation_id)
        except ValueError as err:  # PyJWT refuses a malformed key
            raise SetupError(BAD_KEY.format(error=err)) from err
        self.fetches += 1
        expires = grant.expires_at
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return Token(grant.token, expires)


class InstallationAuth(Auth.Auth):
    """PyGithub auth that asks the shared cache for a current token on every request."""

    def __init__(self, cache: TokenCache, installation_id: int) -> None:
        self._cache = cache
        self._installation_id = installation_id

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._cache.token(self._installation_id)


class Clients:
    """One lazy PyGithub client per installation (its own write pacing), shared by jobs."""

    def __init__(self, tokens: TokenCache, options: ClientOptions) -> None:
        self.tokens = tokens
        self.options = options
        self._clients: dict[int, github.Github] = {}
        self._turns: dict[int, threading.RLock] = {}
        self._lock = threading.Lock()

    def turn(self, installation_id: int) -> threading.RLock:
        """Held around each request: one request at a time per installation (per process)."""
        with self._lock:
            return self._turns.setdefault(installation_id, threading.RLock())

    def for_installation(self, installation_id: int) -> github.Github:
        with self._lock:
            client = self._clients.get(installation_id)
            if client is None:
                client = github.Github(
                    auth=InstallationAuth(self.tokens, installation_id),
                    base_url=self.options.api_url,
                    timeout=self.options.timeout,
                    user_agent=USER_AGENT,
                    retry=retry_policy(self.options),
                    seconds_between_requests=self.options.seconds_between_requests or None,
                    seconds_between_writes=self.options.seconds_between_writes or None,
                    lazy=True,
                )
                self._clients[installation_id] = client
            return client
