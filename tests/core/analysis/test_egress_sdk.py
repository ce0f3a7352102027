"""SDK clients (`sdk_models`): a method call on a client object is a request to its service.

Fixtures are small files written for these tests; `sdk()` returns (line, client, host) of
the calls sent through an SDK client.
"""

from __future__ import annotations

from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.sdk_models import GIDGETHUB, OCTOKIT, sends


def sdk(language: str, source: str) -> list[tuple[int, str, str]]:
    found, _, _ = outbound_calls(language, source.encode())
    return [(c.line, c.client, c.host) for c in found if c.origin == "sdk"]


GH = ("gidgethub", "api.github.com")


def test_a_constructed_client_and_an_sdk_function_call_the_service() -> None:
    src = (
        "import aiohttp\n"
        "from gidgethub import aiohttp as gh_aiohttp, apps\n"
        "async def main(event):\n"
        "    async with aiohttp.ClientSession() as session:\n"
        "        gh = gh_aiohttp.GitHubAPI(session, 'me')\n"
        "        token = await apps.get_installation_access_token(gh, installation_id=1,\n"
        "            app_id='1', private_key='k')\n"
        "        await gh.post('/repos/a/b/issues', data={})\n"
        "        gh.oauth_token = token\n"
        "        print(gh.rate_limit)\n"
    )
    assert sdk("python", src) == [(6, *GH), (8, *GH)]


def test_a_parameter_annotated_with_the_client_type() -> None:
    src = (
        "from gidgethub.abc import GitHubAPI\n"
        "async def close(gh: GitHubAPI, url):\n"
        "    await gh.patch(url, data={'state': 'closed'})\n"
        "async def other(gh: dict, url):\n"
        "    await gh.patch(url)\n"  # another type of the same name: not the client
    )
    assert sdk("python", src) == [(3, *GH)]


def test_the_dispatcher_hands_the_client_to_registered_handlers() -> None:
    src = (
        "import gidgethub.routing\n"
        "router = gidgethub.routing.Router()\n"
        "@router.register('pull_request', action='opened')\n"
        "async def opened(event, gh, *args, **kwargs):\n"
        "    await gh.post(event.data['pull_request']['comments_url'], data={})\n"
        "async def helper(gh, issue):\n"  # the same name in this file: the same client
        "    await gh.delete(issue['labels_url'])\n"
        "def unrelated(event, client):\n"
        "    client.post('x')\n"
    )
    assert sdk("python", src) == [(5, *GH), (7, *GH)]


def test_a_method_only_the_client_has_marks_its_parameter_in_a_file_importing_the_sdk() -> None:
    src = (
        "import gidgethub\n"
        "async def files(gh, pr):\n"
        "    async for f in gh.getiter(pr['url'] + '/files'):\n"
        "        yield f\n"
        "async def status(gh, event, status):\n"
        "    await gh.post(event.data['statuses_url'], data=status)\n"
    )
    assert sdk("python", src) == [(3, *GH), (6, *GH)]
    # Without the SDK's import, a `getitem` and a `post` on a parameter say nothing.
    assert sdk("python", "import requests\n" + src.split("\n", 1)[1]) == []


def test_calls_in_comments_and_strings_are_not_calls() -> None:
    src = (
        "import gidgethub.routing\n"
        "router = gidgethub.routing.Router()\n"
        "@router.register('push')\n"
        "async def pushed(event, gh):\n"
        "    # await gh.post(url)\n"
        "    note = 'await gh.getitem(url)'\n"
        "    return note\n"
    )
    assert sdk("python", src) == []


def test_pygithub_and_slack_sdk_rows() -> None:
    src = (
        "import os\n"
        "from github import Github\n"
        "from slack_sdk import WebClient\n"
        "g = Github(os.environ['GITHUB_TOKEN'])\n"
        "slack = WebClient(token=os.environ['SLACK_TOKEN'])\n"
        "def report():\n"
        "    repo = g.get_repo('a/b')\n"
        "    g.close()\n"  # not a request of the table
        "    slack.chat_postMessage(channel='#x', text=repo.name)\n"
    )
    assert sdk("python", src) == [(7, "PyGithub", "api.github.com"), (9, "slack_sdk", "slack.com")]


def test_octokit_methods_and_its_rest_namespace() -> None:
    src = (
        'import { Octokit } from "@octokit/rest";\n'
        "const octokit = new Octokit({ auth: process.env.GITHUB_TOKEN });\n"
        '// octokit.request("GET /x")\n'
        "export async function label(owner, repo, n) {\n"
        '  await octokit.rest.issues.addLabels({ owner, repo, issue_number: n, labels: ["x"] });\n'
        '  const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });\n'
        '  octokit.log.info("done");\n'
        "  return data;\n"
        "}\n"
    )
    github = ("octokit", "api.github.com")
    assert sdk("javascript", src) == [(5, *github), (6, *github)]


def test_sends_reads_methods_and_namespaces() -> None:
    assert sends(GIDGETHUB, "getitem")
    assert not sends(GIDGETHUB, "rate_limit")
    assert sends(OCTOKIT, "rest.issues.create")
    assert not sends(OCTOKIT, "rest")
    assert not sends(OCTOKIT, "log.info")
