"""Avatar URLs built by the server from a hashed e-mail name Gravatar; a link in prose, a
comment, or browser code does not."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def names(files: dict[str, bytes]) -> dict[str, tuple[tuple[str, int | None], ...]]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    return {s.name: tuple((e.path, e.line) for e in s.evidence) for s in facts.integrations}


def test_python_and_js_avatar_urls_built_from_a_hash() -> None:
    py = (
        b"from hashlib import md5\n\n"
        b"class Member:\n"
        b"    def picture(self, size):\n"
        b"        digest = md5(self.email.encode()).hexdigest()\n"
        b"        return f'https://www.gravatar.com/avatar/{digest}?s={size}'\n"
    )
    js = (
        b"const crypto = require('crypto');\n"
        b"function pic(email) {\n"
        b"  const h = crypto.createHash('sha256').update(email).digest('hex');\n"
        b"  return `https://gravatar.com/avatar/${h}`;\n"
        b"}\nmodule.exports = pic;\n"
    )
    assert names({"app/models.py": py})["Gravatar"] == (("app/models.py", 6),)
    assert names({"lib/pic.js": js})["Gravatar"] == (("lib/pic.js", 4),)
    # the base URL alone in a literal, the hash joined on by a format
    go = (
        b'package pic\n\nimport "crypto/sha256"\n\nconst base = "https://www.gravatar.com/avatar"\n\n'
        b"func URL(e string) string {\n"
        b'\treturn fmt.Sprintf("%s/%x", base, sha256.Sum256([]byte(e)))\n}\n'
    )
    assert names({"util/pic/pic.go": go})["Gravatar"] == (("util/pic/pic.go", 5),)


def test_lookalikes_make_no_claim() -> None:
    no_hash = b"HELP = 'Set your picture at https://gravatar.com/avatar/ settings'\n"
    other_path = b"import hashlib\nFAQ = 'https://gravatar.com/avatars-help'\n"
    comment = b"import hashlib\n# see https://www.gravatar.com/avatar/<md5> for the format\nx = 1\n"
    browser = (
        b"import md5 from 'md5';\n"
        b"export const Pic = ({e}) => <img src={`https://gravatar.com/avatar/${md5(e)}`} />;\n"
    )
    # the host named without a scheme (a table of prefixes, a docstring) in a hashing file
    table = b"import hashlib\nPREFIXES = {b'gravatar.com/avatar/': 'g'}\n"
    files = {
        "app/help.py": no_hash,
        "app/faq.py": other_path,
        "app/notes.py": comment,
        "web/src/Pic.tsx": browser,
        "app/table.py": table,
    }
    assert "Gravatar" not in names(files)


def test_a_server_request_to_a_models_gravatar_url_names_gravatar() -> None:
    # the gravatar_url a gem (or the app) defines on the model, fetched by the server
    rb = (
        b"class PicturesController < ApplicationController\n"
        b"  def show\n"
        b"    url = @member.gravatar_url(size: 80)\n"
        b"    resp = client.get(url)\n"
        b"    send_data resp.body\n"
        b"  end\n\n"
        b"  def client\n    Faraday.new(nil, request: { timeout: 2 })\n  end\nend\n"
    )
    assert names({"app/controllers/pictures_controller.rb": rb})["Gravatar"] == (
        ("app/controllers/pictures_controller.rb", 3),
    )


def test_a_gravatar_url_only_rendered_or_in_a_comment_is_not_a_server_request() -> None:
    view_helper = b"module PicHelper\n  def pic(m)\n    image_tag m.gravatar_url\n  end\nend\n"
    commented = (
        b"class A\n  # u = m.gravatar_url\n  def f\n    Faraday.get('https://api.acme-corp.io/x')\n"
        b"  end\nend\n"
    )
    files = {"app/helpers/pic_helper.rb": view_helper, "app/models/a.rb": commented}
    assert "Gravatar" not in names(files)
