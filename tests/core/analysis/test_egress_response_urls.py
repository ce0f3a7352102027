"""A URL read from another service's response is not a user-configured endpoint; one read
from stored or request data is (issue #17: hackathon-starter's Lob letter URL)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.egress_services import USER_CONFIGURED
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def names(files: dict[str, bytes]) -> set[str]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    return {s.name for s in facts.integrations}


def test_stored_and_request_urls_stay_user_configured() -> None:
    js = (
        b"const axios = require('axios');\n"
        b"async function deliver(req, id, body) {\n"
        b"  const hook = await Webhook.findById(id);\n"
        b"  await axios.post(hook.url, body);\n"
        b"  await fetch(req.body.callbackUrl, { method: 'POST' });\n"
        b"}\nmodule.exports = deliver;\n"
    )
    assert USER_CONFIGURED in names({"app/deliver.js": js})


def test_a_url_from_an_sdk_response_is_not_user_configured() -> None:
    js = (
        b"const { LettersApi } = require('acme-letters-sdk');\n"
        b"async function send(cfg, data) {\n"
        b"  const letter = await new LettersApi(cfg).create(data);\n"
        b"  const link = letter.url || letter._url;\n"
        b"  const res = await fetch(link, { method: 'GET' });\n"
        b"  return res.ok;\n"
        b"}\nmodule.exports = send;\n"
    )
    py = (
        b"import requests\n\n"
        b"def next_page():\n"
        b"    resp = requests.get('https://api.acme-corp.io/items')\n"
        b"    data = resp.json()\n"
        b"    return requests.get(data['next_url'])\n"
    )
    assert USER_CONFIGURED not in names({"app/letters.js": js, "app/pages.py": py})


def test_a_url_a_catalogued_sdk_returned_is_that_service() -> None:
    js = (
        b"import Stripe from 'stripe';\n"
        b"const stripe = new Stripe(process.env.STRIPE_KEY);\n"
        b"export async function receipt(id) {\n"
        b"  const file = await stripe.files.retrieve(id);\n"
        b"  const res = await fetch(file.url);\n"
        b"  return res.ok;\n"
        b"}\n"
    )
    facts = analyze(MemorySnapshot({"app/receipt.js": js}), MemoryFactsCache(), CATALOG)
    by_name = {s.name: s for s in facts.integrations}
    assert USER_CONFIGURED not in by_name
    assert ("app/receipt.js", 5) in {(e.path, e.line) for e in by_name["Stripe"].evidence}


def test_a_url_from_a_stored_row_of_a_store_client_stays_user_configured() -> None:
    js = (
        b"import { PrismaClient } from '@prisma/client';\n"
        b"const prisma = new PrismaClient();\n"
        b"export async function ping(id) {\n"
        b"  const hook = await prisma.webhook.findUnique({ where: { id } });\n"
        b"  await fetch(hook.url, { method: 'POST' });\n"
        b"}\n"
    )
    assert USER_CONFIGURED in names({"app/ping.js": js})
