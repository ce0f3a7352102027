"""Python library calls that name the service they reach (LiteLLM provider prefixes, Apprise
URL schemes, remote browsers): a hand-written tiny app per library, analysed for real, and
the lookalikes that must name nothing."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.python import extract_python
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def integrations(files: dict[str, str]) -> dict[str, set[str]]:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    facts = analyze(snapshot, MemoryFactsCache(), default_catalog())
    return {i.name: {f"{e.path}:{e.line}" for e in i.evidence} for i in facts.integrations}


ASSISTANT = {
    "helper/__init__.py": "",
    "helper/models.py": (
        "import litellm\n\n"
        "PREFIXES = {'cloud': 'openrouter/', 'local': 'ollama/'}\n\n\n"
        "def ask(model, prompt, base=None):\n"
        "    if model.startswith('anthropic/'):\n"
        "        prompt = trim(prompt)\n"
        "    return litellm.completion(\n"
        "        model=model,\n"
        "        messages=[{'role': 'user', 'content': prompt}],\n"
        "        api_base=base,\n"
        "    )\n"
    ),
    "helper/alerts.py": (
        "import apprise\n\n\n"
        "def send(url, body):\n"
        "    if url.startswith('tgram://'):\n"
        "        body = strip_html(body)\n"
        "    box = apprise.Apprise()\n"
        "    box.add(url)\n"
        "    box.notify(body=body)\n"
    ),
    "helper/browser.py": (
        "from playwright.async_api import async_playwright\n\n\n"
        "async def shot(ws_url, page_url):\n"
        "    async with async_playwright() as p:\n"
        "        browser = await p.chromium.connect_over_cdp(ws_url)\n"
        "        page = await browser.new_page()\n"
        "        await page.goto(page_url)\n"
    ),
    "helper/grid.py": (
        "from selenium import webdriver\n\n\n"
        "def open_grid(hub, options):\n"
        "    return webdriver.Remote(command_executor=hub, options=options)\n"
    ),
}


def test_services_named_by_litellm_prefixes_apprise_schemes_and_remote_browsers() -> None:
    got = integrations(ASSISTANT)
    assert got["OpenRouter"] == {"helper/models.py:3"}
    assert got["Ollama"] == {"helper/models.py:3"}
    assert got["Anthropic"] == {"helper/models.py:7"}
    assert got["OpenAI-compatible LLM server (LiteLLM api_base)"] == {"helper/models.py:9"}
    assert got["Telegram"] == {"helper/alerts.py:5"}
    assert got["Remote browser over CDP (Playwright, Puppeteer)"] == {"helper/browser.py:6"}
    assert got["Selenium WebDriver (remote browser)"] == {"helper/grid.py:5"}


def test_lookalikes_name_nothing() -> None:
    files = {
        # no litellm import: a path-like literal is a path; a prefix in a docstring or a
        # comment is prose; a scheme in a file without apprise is a string; a local
        # Selenium driver and a socket's connect are no remote browser.
        "misc/paths.py": "ROOT = 'openai/'\nURL = 'discord://x'\n",
        "misc/doc.py": (
            'import litellm\nimport apprise\n"""Models like "ollama/llama3" or "tgram://".\n"""\n'
            "# 'anthropic/' in a comment\n"
            "def f():\n    return litellm.completion(model=m)\n"
        ),
        "misc/local.py": "from selenium import webdriver\n\ndriver = webdriver.Chrome()\n",
        "misc/sock.py": "import socket\n\ns = socket.socket()\ns.connect(('h', 1))\n",
    }
    got = integrations(files)
    assert not {"OpenAI", "Ollama", "Anthropic", "Discord", "Telegram"} & set(got)
    assert "OpenAI-compatible LLM server (LiteLLM api_base)" not in got
    assert "Selenium WebDriver (remote browser)" not in got
    assert "Remote browser over CDP (Playwright, Puppeteer)" not in got


def test_aws_clients_are_named_by_their_service_id() -> None:
    files = {
        "depot/__init__.py": "",
        "depot/archive.py": (
            "import boto3\n\n\n"
            "def tables():\n"
            "    return boto3.resource('dynamodb').Table('crates')\n\n\n"
            "def stream(region):\n"
            '    return boto3.client(service_name="firehose", region_name=region)\n'
        ),
        "depot/bins.py": "import boto3\n\nclient = boto3.client(\n    's3'\n)\n",
        # look-alikes: a client named the same without the AWS SDK; a service id only in a
        # comment; an id the catalog does not know
        "depot/other.py": "import httpx\n\nc = make.client('s3')\n",
        "depot/doc.py": "import boto3\n# boto3.client('sts')\nx = boto3.client('appmesh')\n",
    }
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    facts = analyze(snapshot, MemoryFactsCache(), default_catalog())
    got = {
        i.name: {f"{e.path}:{e.line}" for e in i.evidence}
        for i in (*facts.integrations, *facts.datastores)
    }
    assert "depot/archive.py:5" in got["Amazon DynamoDB"]
    assert "depot/bins.py:3" in got["Amazon S3"]
    assert "depot/other.py:3" not in got["Amazon S3"]
    assert got["Amazon Kinesis Data Firehose"] == {"depot/archive.py:9"}
    assert "AWS STS" not in got


def test_hostile_input_is_quick() -> None:
    texts = [
        "import boto3\n" + "client('s3" * 50_000 + "\n",
        "import litellm\n" + "'openai/" * 50_000 + "\n",
        "import litellm\n" + "litellm.completion(\n" * 30_000,
        "import apprise\n" + '"tgram://' * 50_000,
        "import selenium\n" + "command_executor=" * 50_000,
    ]
    start = time.process_time()
    for text in texts:
        extract_python(text)
    assert time.process_time() - start < 4.0
