"""SDK clients whose method calls are requests to one service: data, per language.

`http_models` lists calls whose URL argument says where a request goes. An SDK client says
it by what it is: every `getitem` of gidgethub's `GitHubAPI` goes to the GitHub API,
whatever path it is given. A row here is a client type (what its constructor makes, or
what a parameter is annotated with), the methods that send a request, and the service's
API host, which names the service through the catalog's `hosts:`.

An instance is known from its constructor (`gh = gidgethub.aiohttp.GitHubAPI(...)`), from
an annotated parameter (`gh: GitHubAPI`), from a dispatcher that passes it to the handlers
registered on it (`DISPATCHERS`: gidgethub's `@router.register(...)` handlers get it as
their second argument), or, in a file that imports the SDK, from a parameter called with
one of the methods only that client has (`marks`: `gh.getitem(...)`): then every function
of that file taking a parameter of that name is handed the same client.
"""

from __future__ import annotations

from typing import NamedTuple


class Sdk(NamedTuple):
    client: str  # shown as the call's client
    host: str  # the service's API host
    methods: frozenset[str]  # methods of an instance that send a request ("rest.*": a namespace)
    marks: frozenset[str] = frozenset()  # methods no other client has
    module: str = ""  # the import that makes `marks` count


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GIDGETHUB = Sdk(
    "gidgethub",
    "api.github.com",
    _words("getitem getiter getstatus post patch put delete graphql"),
    _words("getitem getiter getstatus"),
    "gidgethub",
)
PYGITHUB = Sdk(
    "PyGithub",
    "api.github.com",
    _words(
        "get_repo get_repos get_user get_users get_organization get_organizations get_gist "
        "get_gists get_rate_limit get_emojis get_license get_licenses get_project get_app "
        "search_repositories search_issues search_code search_commits search_users search_topics"
    ),
)
SLACK_SDK = Sdk(
    "slack_sdk",
    "slack.com",
    _words(
        "api_call chat_postMessage chat_postEphemeral chat_update chat_delete "
        "chat_scheduleMessage conversations_list conversations_history conversations_info "
        "conversations_members conversations_open users_info users_list users_lookupByEmail "
        "files_upload files_upload_v2 reactions_add views_open views_publish views_update"
    ),
)
OCTOKIT = Sdk("octokit", "api.github.com", _words("request graphql paginate rest.*"))

# Constructor or type, canonically (module path and name) → the client.
PYTHON: dict[str, Sdk] = {
    "gidgethub.aiohttp.GitHubAPI": GIDGETHUB,
    "gidgethub.httpx.GitHubAPI": GIDGETHUB,
    "gidgethub.tornado.GitHubAPI": GIDGETHUB,
    "gidgethub.abc.GitHubAPI": GIDGETHUB,  # the type handlers are annotated with
    "github.Github": PYGITHUB,
    "github.MainClass.Github": PYGITHUB,
    "slack_sdk.WebClient": SLACK_SDK,
    "slack_sdk.web.WebClient": SLACK_SDK,
    "slack_sdk.web.async_client.AsyncWebClient": SLACK_SDK,
    "slack_sdk.AsyncWebClient": SLACK_SDK,
}
# Functions of an SDK that send a request themselves (given a client or not).
PYTHON_FUNCTIONS: dict[str, Sdk] = {
    "gidgethub.apps.get_installation_access_token": GIDGETHUB,
}
# A registry whose decorator registers handlers that a dispatch call runs with a client:
# registry constructor → (registering methods, the handler's positional parameter that
# receives the client, the client's type).
DISPATCHERS: dict[str, tuple[frozenset[str], int, str]] = {
    "gidgethub.routing.Router": (frozenset({"register"}), 1, "gidgethub.abc.GitHubAPI"),
}
JAVASCRIPT: dict[str, Sdk] = {
    "@octokit/rest.Octokit": OCTOKIT,
    "@octokit/core.Octokit": OCTOKIT,
    "octokit.Octokit": OCTOKIT,
    "@octokit/action.Octokit": OCTOKIT,
}
JAVASCRIPT_MODULES = frozenset(spec.rpartition(".")[0] for spec in JAVASCRIPT)


def sends(sdk: Sdk, method: str) -> bool:
    """Whether `method` (the attribute path after the instance: `getitem`, `rest.issues.get`)
    sends a request."""
    if method in sdk.methods:
        return True
    head = method.split(".", 1)[0]
    return "." in method and f"{head}.*" in sdk.methods
