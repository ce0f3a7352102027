"""Plugin families: a folder of member folders the code loads by a path built from a value.
Each member's calls are named by its folder; a family only a comment line loads is dead
code and names nothing; look-alikes (a file path built from a value, a join of literals)
make no family."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.egress_families import LIVE, OFF, families, loaders
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import FileFacts, ImportRef
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def names(files: dict[str, bytes]) -> dict[str, tuple[str, ...]]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())
    return {
        s.name: tuple(e.path for e in s.evidence) for s in (*facts.integrations, *facts.datastores)
    }


def member(body: str) -> bytes:
    return ("module.exports = {\n  async init (conf) {\n" + body + "  }\n}\n").encode()


REPO = {
    "app/core/backends.js": (
        b"module.exports = {\n"
        b"  load (key) {\n"
        b"    return require(`../plugins/exporters/${key}/exporter`)\n"
        b"  }\n"
        b"}\n"
    ),
    "app/plugins/exporters/quillbox/exporter.js": member(
        "    const got = require('got')\n    await got.post(conf.endpoint, { json: {} })\n"
    ),
    "app/plugins/exporters/inkwell/exporter.js": member(
        "    const axios = require('axios')\n    await axios.get(conf.apiHost + '/ping')\n"
    ),
    # a member fetching a URL from what it processes (an image on a page): not its service
    "app/plugins/exporters/inliner/exporter.js": member(
        "    const got = require('got')\n    const src = conf.el.attr('src')\n"
        "    const url = pick(src)\n    await got(url)\n"
    ),
    # the same shape, only a comment loads it: dead
    "app/core/notifiers.js": (
        b"module.exports = {\n"
        b"  init () {\n"
        b"    // const mod = require(`../plugins/beacons/${key}`)\n"
        b"    // mod.init()\n"
        b"  }\n"
        b"}\n"
    ),
    "app/plugins/beacons/tallyho/beacon.js": member(
        "    const Raven = require('raven')\n    Raven.config(conf.key).install()\n"
    ),
    # look-alikes: a file (not a folder) chosen by a value; a join of three literals
    "app/core/jobs.js": b"module.exports = (name) => require(`../jobs/${name}`)\n",
    "app/jobs/fetch-news.js": member("    const got = require('got')\n    await got(conf.feed)\n"),
    "app/core/paths.js": (
        b"const path = require('path')\n"
        b"module.exports = path.join(__dirname, 'themes', 'dark', 'theme.css')\n"
    ),
    "package.json": b'{"dependencies": {"got": "1", "axios": "1", "raven": "1"}}\n',
}


def test_members_of_a_family_loaded_by_a_built_path_are_named_by_their_folder() -> None:
    found = names(REPO)
    assert found["Quillbox"] == ("app/plugins/exporters/quillbox/exporter.js",)
    assert found["Inkwell"] == ("app/plugins/exporters/inkwell/exporter.js",)


def test_a_member_fetching_an_unread_url_is_not_named_by_its_folder() -> None:
    assert "Inliner" not in names(REPO)


def test_a_family_only_a_comment_loads_names_nothing() -> None:
    found = names(REPO)
    assert "Sentry" not in found  # `raven`, required only by the dead family's member
    assert not any("tallyho" in n.lower() for n in found)


def test_a_file_chosen_by_a_value_is_no_member_folder() -> None:
    found = names(REPO)
    assert not any("fetch" in n.lower() for n in found)


def test_loaders_read_template_requires_and_joins_with_a_value() -> None:
    data = (
        b"const a = require(`./drivers/${kind}/index.js`)\n"
        b"const b = await import(`../widgets/${name}/main`)\n"
        b"fs.readFile(path.join(ROOT, 'modules/panels', panel.key, 'panel.yml'))\n"
        b"  // require(`../old/${x}/run`)\n"
        b"const c = `../not/${loaded}/here`\n"
        b"path.join(ROOT, 'a/b', 'c', 'd.yml')\n"
    )
    assert set(loaders(data)) == {
        (LIVE, "./drivers*/index.js"),
        (LIVE, "../widgets*/main"),
        (LIVE, "modules/panels*/panel.yml"),
        (OFF, "../old*/run"),
    }


def test_a_live_loader_of_data_files_leaves_a_commented_code_loader_dead() -> None:
    files = {
        "srv/core/log.js": FileFacts(language="javascript", meta=((OFF, "../mods*"),)),
        "srv/models/list.js": FileFacts(
            language="javascript", meta=((LIVE, "mods*/definition.yml"),)
        ),
        "srv/mods/a/index.js": FileFacts(language="javascript"),
        "srv/mods/a/definition.yml": FileFacts(language="config"),
    }
    found = families(files)
    assert found.is_dead("srv/mods/a/index.js")
    assert found.member("srv/mods/a/index.js") == "a"  # still a member for naming


def test_a_commented_loader_does_not_kill_a_family_imported_from_outside() -> None:
    files = {
        "srv/core/log.js": FileFacts(language="javascript", meta=((OFF, "../mods*"),)),
        "srv/core/boot.js": FileFacts(
            language="javascript", imports=(ImportRef("../mods/a/index", 1, kind="require"),)
        ),
        "srv/mods/a/index.js": FileFacts(language="javascript"),
        "srv/mods/b/index.js": FileFacts(
            language="javascript", imports=(ImportRef("../a/index", 1, kind="require"),)
        ),
    }
    assert not families(files).is_dead("srv/mods/b/index.js")
    inside_only = {k: v for k, v in files.items() if k != "srv/core/boot.js"}
    assert families(inside_only).is_dead("srv/mods/b/index.js")


def test_hostile_loaders_are_quick() -> None:
    texts = [
        b"require(`" + b"a/" * 200_000 + b"${x}`",
        b"require(`a/${" + b"x" * 300_000,
        b"join(" * 100_000 + b"'a', b, 'c.yml')",
        b"path.join(R, '" + b"a" * 300_000 + b"', k, '" + b"b" * 300_000 + b".yml')\n",
        (b"require(`a/${k}/b`)\n" * 50_000),
    ]
    start = time.process_time()
    for data in texts:
        loaders(data)
    assert time.process_time() - start < 3.0
