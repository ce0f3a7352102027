"""JS/TS calls and literals that name the service they reach (`js_library_calls`): a remote
browser over CDP, OpenID Connect discovery URLs, Gotenberg, RFC 3161 time-stamping, the CSC
signing API. Small apps written for these tests, analysed for real, and look-alikes."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.js_library_calls import js_library_calls
from bot.core.analysis.scan import Lines
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

PKG = b'{"name": "paperdesk", "dependencies": {"playwright": "^1.40.0"}}\n'


def claimed(files: dict[str, str]) -> dict[str, set[tuple[str, int]]]:
    snap = {"package.json": PKG, **{p: t.encode() for p, t in files.items()}}
    facts = analyze(MemorySnapshot(snap), MemoryFactsCache(), default_catalog())
    return {i.name: {(e.path, e.line or 0) for e in i.evidence} for i in facts.integrations}


APP = {
    "src/render/pdf.ts": (
        "import { chromium } from 'playwright';\n"
        "\n"
        "export async function open(url?: string) {\n"
        "  if (url) {\n"
        "    return chromium.connectOverCDP(url);\n"
        "  }\n"
        "  return chromium.launch();\n"
        "}\n"
    ),
    "src/auth/providers.ts": (
        "export const Entra = {\n"
        "  clientId: process.env.ENTRA_CLIENT_ID,\n"
        "  wellKnownUrl:\n"
        "    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',\n"
        "};\n"
        "export const Custom = {\n"
        "  discoveryUrl: process.env.SSO_DISCOVERY_URL,\n"
        "};\n"
    ),
    "src/auth/sso.ts": (
        "const sso = settings.auth.sso;\n"
        "export const providers = [{\n"
        "  id: 'sso',\n"
        "  type: 'oauth',\n"
        "  wellKnown: sso.discoveryDocument,\n"
        "}];\n"
    ),
    "src/feeds/poll.ts": (
        "export async function poll(url: string) {\n"
        "  return fetch(url, {\n"
        "    headers: { Accept: 'application/atom+xml, text/xml;q=0.8' },\n"
        "  });\n"
        "}\n"
    ),
    "src/convert/office.ts": (
        "export async function toPdf(base: string, body: FormData) {\n"
        "  const url = new URL('/forms/libreoffice/convert', base);\n"
        "  return fetch(url, { method: 'POST', body });\n"
        "}\n"
    ),
    "src/sign/stamp.ts": (
        "export async function stamp(tsa: string, query: Uint8Array) {\n"
        "  return fetch(tsa, {\n"
        "    method: 'POST',\n"
        "    headers: { 'Content-Type': 'application/timestamp-query' },\n"
        "    body: query,\n"
        "  });\n"
        "}\n"
    ),
    "src/sign/remote.ts": (
        "export async function signHash(base: string, body: object) {\n"
        "  return fetch(`${base}/signatures/signHash`, { method: 'POST', body: String(body) });\n"
        "}\n"
    ),
}


def test_each_idiom_names_its_service_at_its_line() -> None:
    got = claimed(APP)
    assert ("src/render/pdf.ts", 5) in got["Remote browser over CDP (Playwright, Puppeteer)"]
    assert ("src/auth/providers.ts", 4) in got["Microsoft Entra ID (Azure AD)"]
    assert ("src/auth/providers.ts", 7) in got["OpenID Connect provider"]
    assert ("src/auth/sso.ts", 5) in got["OpenID Connect provider"]
    assert ("src/feeds/poll.ts", 3) in got["RSS / Atom feeds"]
    assert ("src/convert/office.ts", 2) in got["Gotenberg (document conversion)"]
    assert ("src/sign/stamp.ts", 4) in got["RFC 3161 timestamp authority (TSA)"]
    assert ("src/sign/remote.ts", 2) in got[
        "Cloud Signature Consortium (CSC) remote signing service"
    ]


LOOK_ALIKES = {
    # Playwright's own protocol to a browser server, a local launch, a comment
    "src/browser.ts": (
        "import { chromium } from 'playwright';\n"
        "// chromium.connectOverCDP(url) was too slow\n"
        "export const b = () => chromium.connect(process.env.WS);\n"
    ),
    # an app's own discovery document served, a well-known URL of another kind, a key that
    # holds no setting, and form paths of another service
    "src/routes/oidc.ts": (
        "router.get('/.well-known/openid-configuration', serveConfig);\n"
        "const apple = 'https://example.com/.well-known/apple-app-site-association';\n"
        "const options = { wellKnownUrl: '' };\n"
        "const flags = { wellKnown: true, wellKnownPath: cfg.path };\n"
        "const doc = { wellKnown: '/.well-known/app' };\n"
        "const page = '/forms/contact/convert';\n"
        "const stampType = 'application/timestamp-reply';\n"
        "res.set({ 'Content-Type': 'application/rss+xml' });\n"
    ),
}


def test_look_alikes_name_nothing() -> None:
    got = claimed(LOOK_ALIKES)
    for name in (
        "Remote browser over CDP (Playwright, Puppeteer)",
        "OpenID Connect provider",
        "Gotenberg (document conversion)",
        "RFC 3161 timestamp authority (TSA)",
        "RSS / Atom feeds",
    ):
        assert name not in got, got.get(name)


def test_hostile_input_is_bounded() -> None:
    texts = [
        "'https://" + "a" * 200 + "/" + "x/" * 50_000 + ".well-known/openid-configuration'",
        ".connect({ browserWSEndpoint" * 20_000,
        "wellKnownUrl: env(" * 30_000,
        "wellKnown: a" + ".b" * 100_000,
        "Accept: '" + "x" * 100_000 + "application/rss+xml'",
        "Accept: '" + "+xml" * 50_000,
        "'/forms/libreoffice/convert'" * 20_000,
        "'https://" + "a." * 100_000,
    ]
    for text in texts:
        start = time.process_time()
        found = js_library_calls(text, Lines(text))
        assert time.process_time() - start < 2.0
        assert len(found) <= 50
