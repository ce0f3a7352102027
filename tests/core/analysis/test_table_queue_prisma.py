"""A Prisma table polled as a queue: the web writes rows whose marker field is unset, a
worker loop selects them by that marker. One hand-off per model, across files."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, Handoff
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

SCHEMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Photo {
  id          Int       @id @default(autoincrement())
  url         String
  resizedAt   DateTime?
  flagged     Boolean   @default(false)
}

model Album {
  id    Int    @id @default(autoincrement())
  title String
}
"""

FILES = {
    "package.json": '{"name": "gallery", "dependencies": {"@prisma/client": "5"}}\n',
    "db/schema.prisma": SCHEMA,
    "db/seed.ts": (
        'import { db } from "../src/db";\n\n'
        'await db.photo.create({ data: { url: "https://example.test/a.png" } });\n'
    ),
    "src/db.ts": (
        'import { PrismaClient } from "@prisma/client";\n\nexport const db = new PrismaClient();\n'
    ),
    "src/web/photos.ts": (
        'import { db } from "../db";\n\n'
        "export async function addPhoto(url: string) {\n"
        "  return db.photo.create({\n    data: { url },\n  });\n}\n\n"
        "export async function redo(id: number) {\n"
        "  await db.photo.update({\n    where: { id },\n"
        "    data: { resizedAt: null },\n  });\n}\n\n"
        "export async function rename(id: number, url: string) {\n"
        "  await db.photo.update({ where: { id, resizedAt: null }, data: { url } });\n}\n\n"
        "export async function addAlbum(title: string) {\n"
        "  return db.album.create({ data: { title } });\n}\n"
    ),
    "src/worker/pending.ts": (
        'import { db } from "../db";\n\n'
        "export function pendingPhotos(take: number) {\n"
        "  return db.photo.findMany({ where: { resizedAt: null }, take });\n}\n"
    ),
    "src/worker/resize.ts": (
        'import { db } from "../db";\n'
        'import { pendingPhotos } from "./pending";\n\n'
        "const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));\n\n"
        "export async function startResizing(pause = 5000) {\n"
        "  await resizeLoop(pause);\n}\n\n"
        "async function resizeLoop(pause: number) {\n"
        "  while (true) {\n"
        "    const photos = await pendingPhotos(10);\n"
        "    for (const p of photos) {\n"
        "      await db.photo.update({ where: { id: p.id }, data: { resizedAt: new Date() } });\n"
        "    }\n"
        "    await delay(pause);\n"
        "  }\n}\n"
    ),
}


def handoffs() -> dict[str, Handoff]:
    snapshot = MemorySnapshot({p: t.encode() for p, t in FILES.items()})
    facts = analyze(snapshot, MemoryFactsCache(), default_catalog())
    return {h.name: h for h in facts.handoffs}


def test_rows_made_or_reset_by_the_web_are_handed_to_the_polling_worker() -> None:
    found = handoffs()
    photo = found["Photo"]
    assert photo.mechanism == "db-table"
    # the create, and the update that sets the marker back; not the update that only
    # filters on it, not the worker's own update, not the seed script
    assert photo.producers == (Evidence("src/web/photos.ts", 4), Evidence("src/web/photos.ts", 10))
    # the private loop function and the exported function that starts it
    assert photo.consumers == (
        Evidence("src/worker/resize.ts", 6),
        Evidence("src/worker/resize.ts", 10),
    )
    assert "Album" not in found  # no marker of Album is polled


def test_a_flow_to_the_table_names_the_client_accessor_the_line_shows() -> None:
    files = {
        **FILES,
        "package.json": '{"name": "g", "dependencies": {"@prisma/client": "5", "next": "14"}}\n',
        "src/pages/api/photos.ts": (
            'import { addPhoto } from "../../web/photos";\n\n'
            "export default async function handler(req, res) {\n"
            "  res.json(await addPhoto(req.body.url));\n}\n"
        ),
    }
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    facts = analyze(snapshot, MemoryFactsCache(), default_catalog())
    whats = {s.what for f in facts.flows for s in f.sinks if s.path == "src/web/photos.ts"}
    assert "enqueues Photo via photo (db-table)" in whats


def test_a_poller_its_importer_only_calls_in_a_comment_consumes_nothing() -> None:
    files = {
        **FILES,
        "src/worker/flagged.ts": (
            'import { db } from "../db";\n\n'
            "const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));\n\n"
            "export async function reviewFlagged() {\n"
            "  while (true) {\n"
            "    await db.photo.findMany({ where: { flagged: false } });\n"
            "    await delay(60000);\n"
            "  }\n}\n"
        ),
        "src/worker/main.ts": (
            'import { startResizing } from "./resize";\n'
            'import { reviewFlagged } from "./flagged";\n\n'
            "startResizing();\n// reviewFlagged();\n"
        ),
    }
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    found = {h.name: h for h in analyze(snapshot, MemoryFactsCache(), default_catalog()).handoffs}
    assert {e.path for e in found["Photo"].consumers} == {"src/worker/resize.ts"}
