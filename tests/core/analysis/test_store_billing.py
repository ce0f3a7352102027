"""In-app purchase verification services named by their libraries: Apple's App Store Server
API client and Google's Android Publisher client claim their service at the import."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def test_store_billing_clients_claim_their_service_at_the_import() -> None:
    files = {
        "server/billing/apple.ts": (
            b'import { AppStoreServerAPIClient } from "@apple/app-store-server-library";\n'
            b"export const client = new AppStoreServerAPIClient(key, id, issuer, bundle, env);\n"
        ),
        "server/billing/android.ts": (
            b'import { androidpublisher } from "@googleapis/androidpublisher";\n'
            b'export const api = androidpublisher({ version: "v3", auth });\n'
        ),
    }
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    found = {s.name: s for s in facts.integrations}
    assert Evidence("server/billing/apple.ts", 1) in found["Apple App Store Server API"].evidence
    assert Evidence("server/billing/android.ts", 1) in found["Google Play Developer API"].evidence
