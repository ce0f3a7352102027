"""Python library calls that name the service they reach, where importing the library does
not (the Python side of `go_library_calls`).

A multi-service library proves nothing by its import; which services the product reaches
is written in its code:

* LiteLLM routes a model by its provider prefix: a string literal `"anthropic/"` or
  `"ollama/llama3"` in a file that imports litellm names that provider
  (`litellm:<provider>`); a litellm call given `api_base=` reaches a configured
  OpenAI-compatible server (`litellm:api_base`).
* Apprise dispatches a notification URL by its scheme: a literal `"tgram://"` or
  `"discord://"` in a file that imports apprise is a service the product special-cases
  (`apprise:<scheme>`).
* The AWS SDK makes each client from a service id: `boto3.client("s3")`,
  `session.resource("dynamodb")`, `client(service_name="firehose")` in a file that imports
  boto3 (or aioboto3, aiobotocore) names that AWS service (`boto3:<service id>`).
* OpenID Connect discovery: a string literal (or f-string) ending in
  `/.well-known/openid-configuration` fetches an issuer's configuration: the issuer its
  literal host names (`oidc-issuer:<host>`), else one the code is handed
  (`oidc-issuer:configured`), as `js_library_calls` reads it in JS.
* A remote browser: Playwright's `connect_over_cdp(`, pyppeteer's
  `connect(browserWSEndpoint=…)` (`py-call:cdp`), Selenium's `webdriver.Remote(` or any
  driver given `command_executor=` (`py-call:selenium-remote`).

Each becomes a `config.library_call` signal whose detail the catalog's `config` rows map to
a service, cited at the line. Only literals and calls in code count (not in a comment or a
docstring); the scans are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.analysis.scan import Lines
from bot.core.analysis.words import contains
from bot.core.lazy_pattern import lazy
from bot.core.model import Signal

MAX_SIGNALS = 100
KIND = "config.library_call"

# litellm's provider prefixes (its `custom_llm_provider` names) that the catalog maps.
LITELLM_PROVIDERS = frozenset(
    {
        "openai",
        "anthropic",
        "gemini",
        "vertex_ai",
        "ollama",
        "ollama_chat",
        "openrouter",
        "azure",
        "bedrock",
        "mistral",
        "cohere",
        "groq",
        "huggingface",
        "replicate",
        "together_ai",
        "deepseek",
        "xai",
        "perplexity",
    }
)
# Apprise URL schemes (the plugin's protocol names) that the catalog maps.
APPRISE_SCHEMES = frozenset(
    {
        "discord",
        "tgram",
        "mailto",
        "mailtos",
        "slack",
        "msteams",
        "pover",
        "pbul",
        "sns",
        "ses",
        "twilio",
        "mmost",
        "mmosts",
        "gchat",
        "pagerduty",
        "opsgenie",
        "line",
    }
)
# AWS service ids (boto3's `client()` first argument) that the catalog maps.
BOTO3_SERVICES = frozenset(
    {
        *("s3", "dynamodb", "sqs", "sns", "ses", "sesv2", "events", "firehose", "kinesis"),
        *("logs", "sts", "lambda", "secretsmanager", "ssm", "cognito-idp", "bedrock-runtime"),
        *("bedrock", "cloudwatch", "kms"),
    }
)
_PREFIX = lazy(r"['\"]([a-z_]{2,20}+)/")
# `.client("s3"`, `.resource("dynamodb"`, `client(service_name="sts"`: the service id is the
# first argument or `service_name=`.
_BOTO3 = lazy(
    r"(?:client|resource)\([ \t\r\n]*+(?:service_name[ \t]*+=[ \t]*+)?['\"]([a-z0-9\-]{2,40}+)['\"]"
)
_SCHEME = lazy(r"['\"]([a-z]{2,20}+)://")
_API_BASE = lazy(r"\bapi_base[ \t]*+=")
_CDP = lazy(r"\.connect_over_cdp\(|\bconnect\([ \t]*+browserWSEndpoint[ \t]*+=")
# `command_executor=` is the remote driver's own parameter (a hub URL or a connection)
_SELENIUM = lazy(r"\bwebdriver\.Remote\(|\bcommand_executor[ \t]*+=(?!=)")
_LITELLM_CALL = lazy(r"\blitellm\.\w{1,60}+\(")
MAX_CALL_LINES = 12  # lines of a litellm call looked at for `api_base=`
_DISCOVERY = "/.well-known/openid-configuration"
# From a string's opening quote to the discovery path that ends it, on one line.
_OIDC = lazy(
    r"f?(['\"])(?:https://([a-z0-9.\-]{1,200}+)(?=[/'\"]))?[^'\"\n]{0,300}"
    r"/\.well-known/openid-configuration\1"
)
MAX_DISCOVERY = 20  # discovery paths looked at per file
_AWS_SDKS = frozenset({"boto3", "aioboto3", "aiobotocore", "botocore"})


def python_library_calls(
    text: str, lines: Lines, skip: Callable[[int], bool], imported: frozenset[str]
) -> list[Signal]:
    out: list[Signal] = []
    if "litellm" in imported:
        _literals(text, lines, skip, _PREFIX, LITELLM_PROVIDERS, "litellm", out)
        _api_base(text, lines, skip, out)
    if "apprise" in imported:
        _literals(text, lines, skip, _SCHEME, APPRISE_SCHEMES, "apprise", out)
    if not _AWS_SDKS.isdisjoint(imported) and ("client(" in text or "resource(" in text):
        _literals(text, lines, skip, _BOTO3, BOTO3_SERVICES, "boto3", out)
    if contains(text, _DISCOVERY):
        _discovery(text, lines, skip, out)
    if ("playwright" in imported or "pyppeteer" in imported) and "connect" in text:
        _calls(text, lines, skip, _CDP, "cdp", out)
    if "selenium" in imported and ("Remote(" in text or "command_executor" in text):
        _calls(text, lines, skip, _SELENIUM, "selenium-remote", out)
    return out[:MAX_SIGNALS]


def _literals(
    text: str,
    lines: Lines,
    skip: Callable[[int], bool],
    pattern: re.Pattern[str],
    known: frozenset[str],
    kind: str,
    out: list[Signal],
) -> None:
    seen: set[str] = set()
    for m in pattern.finditer(text):
        name = m.group(1)
        if name in known and name not in seen and not skip(m.start()):
            seen.add(name)  # the first line that names it is evidence enough
            out.append(Signal(KIND, kind, lines.at(m.start()), f"{kind}:{name}"))
            if len(out) >= MAX_SIGNALS:
                return


def _discovery(text: str, lines: Lines, skip: Callable[[int], bool], out: list[Signal]) -> None:
    """Each issuer's first OIDC discovery URL written in code (a literal or an f-string)."""
    seen: set[str] = set()
    at = text.find(_DISCOVERY)
    for _ in range(MAX_DISCOVERY):
        if at == -1:
            return
        start = max(text.rfind("\n", 0, at) + 1, at - 320)
        for m in _OIDC.finditer(text, start, at + len(_DISCOVERY) + 1):
            quote = m.start(1)
            host = m.group(2)
            if host is None and m.end(1) == at and not _joined(text, start, m.start()):
                break  # the path alone, not joined to an issuer: a name of it (a table's key)
            detail = f"oidc-issuer:{host}" if host else "oidc-issuer:configured"
            if detail not in seen and not skip(quote):
                seen.add(detail)
                out.append(Signal(KIND, "oidc", lines.at(quote), detail))
            break
        at = text.find(_DISCOVERY, at + len(_DISCOVERY))


def _joined(text: str, line_start: int, at: int) -> bool:
    """Whether the string at `at` is appended to something: `issuer + "/…"`, `urljoin(x, "/…")`."""
    before = text[line_start:at].rstrip()
    return before.endswith("+") or "urljoin(" in before


def _api_base(text: str, lines: Lines, skip: Callable[[int], bool], out: list[Signal]) -> None:
    """A litellm call whose arguments (within `MAX_CALL_LINES`) set `api_base=`."""
    for m in _LITELLM_CALL.finditer(text):
        if skip(m.start()):
            continue
        end = m.end()
        for _ in range(MAX_CALL_LINES):
            nl = text.find("\n", end + 1)
            if nl == -1:
                end = len(text)
                break
            end = nl
        window = text[m.end() : end]
        close = window.find(")\n")
        hit = _API_BASE.search(window, 0, close if close != -1 else len(window))
        if hit is not None:
            out.append(Signal(KIND, "litellm", lines.at(m.start()), "litellm:api_base"))
            return


def _calls(
    text: str,
    lines: Lines,
    skip: Callable[[int], bool],
    pattern: re.Pattern[str],
    detail: str,
    out: list[Signal],
) -> None:
    for m in pattern.finditer(text):
        if not skip(m.start()):
            out.append(Signal(KIND, detail, lines.at(m.start()), f"py-call:{detail}"))
            return
