"""Gateways for the worker: one token cache and one client per installation per process."""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.github.auth import ClientOptions, Clients, TokenCache
from bot.github.gateway import GithubGateway
from bot.github.snapshot import BlobStore
from bot.service.ports import GatewayFactory, RepoGateway
from bot.settings import Settings


def html_url_for(api_url: str) -> str:
    """The web root beside an API root: github.com, a GHES host, or the sandbox itself."""
    parts = urlsplit(api_url.rstrip("/"))
    if parts.netloc == "api.github.com":
        return "https://github.com"
    path = parts.path.removesuffix("/api/v3")
    return f"{parts.scheme}://{parts.netloc}{path}"


def client_options(settings: Settings) -> ClientOptions:
    return ClientOptions(
        api_url=settings.github_api_url,
        # GitHub asks for a second between writes; the sandbox's tests lower it.
        seconds_between_writes=settings.github_write_interval,
    )


def gateway_factory(
    settings: Settings, blobs: BlobStore | None, options: ClientOptions | None = None
) -> GatewayFactory:
    app_id, private_key = settings.require_github()
    options = options or client_options(settings)
    tokens = TokenCache(app_id, private_key, options)
    clients = Clients(tokens, options)
    html = html_url_for(options.api_url)
    default_branches: dict[str, str] = {}

    def gateway(installation_id: int, repo: str) -> RepoGateway:
        return GithubGateway(
            clients.for_installation(installation_id),
            repo,
            blobs=blobs,
            html_url=html,
            default_branches=default_branches,
            turn=clients.turn(installation_id),
            forget_token=lambda: tokens.forget(installation_id),
        )

    return gateway
