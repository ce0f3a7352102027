"""SMTP submissions, programs run and knex clients, per language, and what they claim.

Fixtures are small files written for these tests; each has the same call once live and once
dead (in a comment and inside a string), and only the live one may count.
"""

from __future__ import annotations

import pytest

from bot.core.analysis import analyze
from bot.core.analysis.egress import outbound_calls
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, Service
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def smtp(language: str, source: str) -> list[tuple[int, str, str, str, str]]:
    found, _, _ = outbound_calls(language, source.encode())
    return [
        (c.line, c.client, c.host, c.configured_by, c.origin) for c in found if c.kind == "smtp"
    ]


def signals(language: str, source: str) -> list[tuple[str, str, int | None]]:
    _, found, _ = outbound_calls(language, source.encode())
    kinds = ("config.program", "config.knex")
    return [(s.kind, s.detail, s.line) for s in found if s.kind in kinds]


def integrations(files: dict[str, bytes]) -> dict[str, Service]:
    facts = analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)
    return {s.name: s for s in (*facts.integrations, *facts.datastores)}


# --- SMTP -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        (
            "python",
            "import smtplib\nfrom django.conf import settings\n"
            '# smtplib.SMTP("smtp.dead.example-corp.io")\n'
            "HELP = \"smtplib.SMTP('smtp.string.example-corp.io')\"\n"
            "def send():\n"
            "    with smtplib.SMTP(settings.EMAIL_HOST, 587) as s:\n"
            "        s.send_message(msg)\n"
            '    smtplib.SMTP_SSL(host="smtp.mailgun.org")\n',
            [
                (6, "smtplib", "", "settings.EMAIL_HOST", "setting"),
                (8, "smtplib", "smtp.mailgun.org", "", "literal"),
            ],
        ),
        (
            "javascript",
            'const nodemailer = require("nodemailer");\n'
            '// nodemailer.createTransport({ host: "smtp.dead.example-corp.io" })\n'
            'const help = "nodemailer.createTransport({ host: process.env.X })";\n'
            "const t = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587 });\n"
            "const options = { host: `smtp.fastmail.com`, secure: true };\n"
            "const u = nodemailer.createTransport(options);\n",
            [
                (4, "nodemailer", "", "SMTP_HOST", "env"),
                (6, "nodemailer", "smtp.fastmail.com", "", "literal"),
            ],
        ),
        (
            "go",
            'package mail\n\nimport (\n\t"net/smtp"\n\t"os"\n)\n\n'
            '// smtp.SendMail("smtp.dead.example-corp.io:25", nil, "", nil, nil)\n'
            "func Send(body []byte) error {\n"
            '\thelp := "smtp.SendMail(addr)"\n'
            '\t_ = smtp.SendMail("smtp.gmail.com:587", nil, "a@b.c", nil, body)\n'
            '\treturn smtp.SendMail(os.Getenv("SMTP_ADDR"), nil, help, nil, body)\n'
            "}\n",
            [
                (11, "net/smtp", "smtp.gmail.com", "", "literal"),
                (12, "net/smtp", "", "SMTP_ADDR", "env"),
            ],
        ),
        (
            "ruby",
            'require "net/smtp"\n'
            '# Net::SMTP.start("smtp.dead.example-corp.io")\n'
            "HELP = \"Net::SMTP.start(ENV['X'])\"\n"
            'Net::SMTP.start(ENV["SMTP_HOST"], 25) { |smtp| smtp.send_message(msg, from, to) }\n',
            [(4, "Net::SMTP", "", "SMTP_HOST", "env")],
        ),
    ],
)
def test_smtp_calls_name_the_server_or_what_configures_it(
    language: str, source: str, expected: list[tuple[int, str, str, str, str]]
) -> None:
    assert smtp(language, source) == expected


def test_an_smtp_call_joins_the_smtp_item_with_its_line_and_configuring_env_var() -> None:
    found = integrations(
        {
            "package.json": b'{"dependencies": {"nodemailer": "^6.9.0"}}\n',
            "src/mail.js": (
                b'const nodemailer = require("nodemailer");\n'
                b"module.exports = () =>\n"
                b"  nodemailer.createTransport({ host: process.env.SMTP_HOST });\n"
            ),
        }
    )
    assert found["SMTP"].configured_by == ("SMTP_HOST",)
    assert Evidence("src/mail.js", 3) in found["SMTP"].evidence
    assert found["SMTP"].strength == "used"


def test_a_relay_host_names_its_service() -> None:
    found = integrations(
        {"app/mail.py": b'import smtplib\nsmtplib.SMTP("smtp.sendgrid.net", 587)\n'}
    )
    assert found["SendGrid"].evidence == (Evidence("app/mail.py", 2),)
    assert "SMTP" not in found or Evidence("app/mail.py", 2) not in found["SMTP"].evidence


# --- programs run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "source", "line"),
    [
        (
            "javascript",
            'const cp = require("promisify-child-process");\n'
            '// cp.spawn("apprise", args)\n'
            "const help = \"run spawn('apprise', args) to test\";\n"
            'const s = await cp.spawn("apprise", ["-vv", "-b", msg, url]);\n'
            '/apprise/.exec("apprise");\n',
            4,
        ),
        (
            "python",
            "import subprocess\n"
            '# subprocess.run(["apprise", "-b", body])\n'
            "HELP = \"subprocess.run(['apprise'])\"\n"
            'subprocess.run(["/usr/local/bin/apprise", "-b", body, url], check=True)\n',
            4,
        ),
        (
            "go",
            'package n\n\nimport "os/exec"\n\n// exec.Command("apprise")\n'
            'func Send(url string) error {\n\thelp := "exec.Command(\\"apprise\\")"\n'
            '\treturn exec.Command("apprise", "-b", help, url).Run()\n}\n',
            8,
        ),
        (
            "ruby",
            '# system("apprise", "-b", body)\nHELP = "system(\'apprise\')"\n'
            'Open3.capture3("apprise -b #{body} #{url}")\n',
            3,
        ),
    ],
)
def test_a_program_run_is_named_by_its_literal_name(language: str, source: str, line: int) -> None:
    assert signals(language, source) == [("config.program", "program:apprise", line)]


def test_a_program_run_names_a_catalogued_service_and_unknown_programs_name_none() -> None:
    found = integrations(
        {
            "server/notify/apprise.js": (
                b'const { spawn, execFile } = require("child_process");\n'
                b'spawn("apprise", ["-b", msg]);\n'
                b'execFile("git", ["pull"]);\n'
            )
        }
    )
    assert found["Apprise"].evidence == (Evidence("server/notify/apprise.js", 2),)
    assert found["Apprise"].strength == "used"
    assert [s.name for s in found.values() if "git" in s.name.lower()] == []


def test_a_program_held_in_a_variable_is_not_guessed() -> None:
    source = 'const cp = require("child_process");\ncp.spawn(cmd, args);\n'
    assert signals("javascript", source) == []


# --- knex -----------------------------------------------------------------------------


def test_a_knex_client_or_dialect_import_names_the_database() -> None:
    source = (
        'const knex = require("knex");\n'
        '// knex({ client: "pg" })\n'
        "const help = \"knex({ client: 'mysql2' })\";\n"
        'const db = knex({ client: "better-sqlite3", connection: { filename } });\n'
    )
    assert signals("javascript", source) == [("config.knex", "knex:better-sqlite3", 4)]
    found = integrations(
        {
            "server/db.js": source.encode(),
            "server/database.js": (
                b'const Dialect = require("knex/lib/dialects/sqlite3/index.js");\n'
                b"config = { client: Dialect };\n"
            ),
        }
    )
    assert found["SQLite"].evidence == (
        Evidence("server/database.js", 1),
        Evidence("server/db.js", 4),
    )
    assert "PostgreSQL" not in found
    assert "MySQL" not in found


# --- git remotes ------------------------------------------------------------------------


def test_a_clone_from_a_git_remote_names_the_remote_or_the_forge() -> None:
    source = (
        "from dulwich import porcelain\n"
        "from git import Repo\n"
        '# porcelain.clone("https://gitlab.dead.example-corp.io/x.git", path)\n'
        'HELP = "Repo.clone_from(url, path)"\n'
        "def sync(source, path):\n"
        "    porcelain.clone(source.url, path, depth=1)\n"
        '    Repo.clone_from("https://github.com/acme/tools.git", path)\n'
    )
    found, _, _ = outbound_calls("python", source.encode())
    assert [(c.kind, c.line, c.host) for c in found] == [
        ("git", 6, ""),
        ("git", 7, "github.com"),
    ]
    named = integrations({"app/sync.py": source.encode()})
    assert named["Git remote repositories (clone, fetch)"].evidence == (Evidence("app/sync.py", 6),)
    assert Evidence("app/sync.py", 7) in named["GitHub"].evidence


def test_a_ruby_clone_reads_the_remote_from_its_argument() -> None:
    source = (
        'require "git"\n'
        '# Git.clone("https://github.com/dead/code.git", "x")\n'
        "HELP = \"Git.clone(ENV['X'], path)\"\n"
        'Git.clone(ENV["THEMES_REPO_URL"], "themes")\n'
    )
    found, _, _ = outbound_calls("ruby", source.encode())
    assert [(c.kind, c.line, c.configured_by, c.origin) for c in found] == [
        ("git", 4, "THEMES_REPO_URL", "env")
    ]


def http_calls(language: str, source: str) -> list[tuple[int, str, str, str, str]]:
    found, _, _ = outbound_calls(language, source.encode())
    return [
        (c.line, c.client, c.host, c.configured_by, c.origin) for c in found if c.kind == "http"
    ]


def test_a_passport_oauth_strategy_exchanges_its_code_at_the_token_url() -> None:
    # the server posts the code to `tokenURL` (and reads the profile): an outbound call
    source = (
        'import { Strategy } from "passport-oauth2";\n'
        'const OIDC = require("passport-openidconnect").Strategy;\n'
        "passport.use(new Strategy({\n"
        '  authorizationURL: "https://chat.acme-corp.io/oauth2/authorize",\n'
        '  tokenURL: "https://chat.acme-corp.io/oauth2/token",\n'
        "}, verify));\n"
        "passport.use(new OIDC({ tokenURL: process.env.OIDC_TOKEN_URI }, verify));\n"
    )
    assert http_calls("javascript", source) == [
        (3, "passport-oauth2", "chat.acme-corp.io", "", "literal"),
        (7, "passport-openidconnect", "", "OIDC_TOKEN_URI", "env"),
    ]


def test_strategies_without_a_token_url_or_from_elsewhere_are_not_calls() -> None:
    source = (
        'import { Strategy as Local } from "passport-local";\n'
        'import { Strategy } from "./strategy";\n'
        "passport.use(new Local(verify));\n"
        'new Strategy({ tokenURL: "https://chat.acme-corp.io/oauth2/token" });\n'
        '// new Strategy({ tokenURL: "https://x.acme-corp.io/t" })\n'
        "const s = \"new Strategy({ tokenURL: 'https://y.acme-corp.io/t' })\";\n"
    )
    assert http_calls("javascript", source) == []
