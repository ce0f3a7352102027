"""Flows that follow calls through class instances (issue 18): injected services, fields
set in a constructor, typed class fields, interfaces and abstract classes followed to the
repository's implementations, static methods, module-level singletons; in TypeScript,
Python and Go. Small apps written for these tests, analysed for real."""

from __future__ import annotations

from bot.core.analysis import analyze, extract_all
from bot.core.analysis.calls import file_calls
from bot.core.analysis.calls_js import js_calls
from bot.core.analysis.calls_python import python_calls
from bot.core.analysis.resolve import Resolver
from bot.core.facts_cache import MemoryFactsCache
from bot.core.flow_calls import CallGraph
from bot.core.model import Flow, RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), default_catalog())


def hops(flow: Flow) -> list[tuple[str, int | None, str]]:
    return [(h.path, h.line, h.what) for h in flow.hops]


def flow_from(facts: RepoFacts, path: str, sink: str) -> Flow:
    found = [f for f in facts.flows if f.hops[0].path == path and sink in f.name]
    assert found, [(f.name, hops(f)) for f in facts.flows]
    return found[0]


def graph_of(files: dict[str, bytes]) -> CallGraph:
    snap = MemorySnapshot(files)
    facts = extract_all(snap, MemoryFactsCache())
    resolver = Resolver(list(files), facts, {})

    def read(path: str):  # type: ignore[no-untyped-def]
        return file_calls(facts[path].language, files[path], path.endswith(".tsx"))

    return CallGraph(facts, resolver.resolve, read)


def steps(graph: CallGraph, path: str, scope: str) -> list[tuple[str, str, int, str]]:
    return graph.steps(path, scope)


def calls_named(facts: RepoFacts) -> set[str]:
    return {h.what for f in facts.flows for h in f.hops if h.what.startswith("calls ")}


# --- the readers ---------------------------------------------------------------------------


def test_the_js_reader_keeps_heritage_interfaces_constructor_fields_and_singletons() -> None:
    src = (
        b"export class A extends B implements C, D<E> {\n"
        b"  private repo: UserRepo;\n"
        b"  constructor(@Inject(TOKEN) private driver: StorageDriver) {\n"
        b"    this.store = new S3Store();\n"
        b"  }\n"
        b"  run() { const local = new Local(); local.go(); }\n"
        b"}\n"
        b"export interface StorageDriver { upload(x: string): Promise<void>; name: string }\n"
        b"export abstract class Base { abstract run(): void; go() {} }\n"
        b"export const mailer = new Mailer();\n"
    )
    fc = js_calls(src, "typescript")
    assert fc is not None
    assert set(fc.bases) >= {("A", "B"), ("A", "C"), ("A", "D")}
    assert ("StorageDriver", "upload") in fc.interfaces
    assert ("Base", "run") in fc.interfaces  # an abstract method: implemented elsewhere
    assert "StorageDriver" in fc.classes
    assert {
        ("A", "repo", "", "UserRepo"),
        ("A", "driver", "", "StorageDriver"),
        ("A", "store", "", "S3Store"),
        ("", "mailer", "", "Mailer"),  # a module-level instance
    } <= set(fc.fields)
    go = next(c for c in fc.calls if c.parts == ("local", "go"))
    assert go.head_type == ("", "Local")


def test_the_python_reader_keeps_bases_abstract_methods_and_module_instances() -> None:
    src = (
        b"from abc import ABC, abstractmethod\n"
        b"class Storage(ABC):\n"
        b"    @abstractmethod\n"
        b"    def put(self, x): ...\n"
        b"    def name(self):\n"
        b"        raise NotImplementedError\n"
        b"    def kept(self):\n"
        b"        return 1\n"
        b"class S3(base.Storage, Mixin):\n"
        b"    def __init__(self):\n"
        b"        self.client = Client(1)\n"
        b"notifier = Notifier()\n"
    )
    fc = python_calls(src)
    assert fc is not None
    assert set(fc.bases) == {("Storage", "ABC"), ("S3", "Storage"), ("S3", "Mixin")}
    assert set(fc.abstract) == {"Storage.put", "Storage.name"}
    assert ("S3", "client", "", "Client") in fc.fields
    assert ("", "notifier", "", "Notifier") in fc.fields


# --- TypeScript (NestJS style) -------------------------------------------------------------

NEST = {
    "package.json": (
        b'{"dependencies": {"@nestjs/core": "10", "nodemailer": "6", "axios": "1",'
        b' "@aws-sdk/client-s3": "3", "@azure/storage-blob": "12"}}\n'
    ),
    "src/mail/mail.controller.ts": (
        b"import { Controller, Post } from '@nestjs/common';\n"
        b"import { MailService } from './mail.service';\n"
        b"\n"
        b"@Controller('mail')\n"
        b"export class MailController {\n"
        b"  constructor(private readonly mailService: MailService) {}\n"
        b"\n"
        b"  @Post()\n"
        b"  async send() {\n"
        b"    await this.mailService.sendEmail({});\n"
        b"  }\n"
        b"}\n"
    ),
    "src/mail/mail.service.ts": (
        b"import { Inject, Injectable } from '@nestjs/common';\n"
        b"import { MailDriver } from './drivers/mail-driver.interface';\n"
        b"\n"
        b"@Injectable()\n"
        b"export class MailService {\n"
        b"  constructor(@Inject('MAIL_DRIVER') private mailDriver: MailDriver) {}\n"
        b"\n"
        b"  async sendEmail(message: object) {\n"
        b"    await this.mailDriver.sendMail(message);\n"
        b"  }\n"
        b"}\n"
    ),
    "src/mail/drivers/mail-driver.interface.ts": (
        b"export interface MailDriver {\n  sendMail(message: object): Promise<void>;\n}\n"
    ),
    "src/mail/drivers/smtp.driver.ts": (
        b"import * as nodemailer from 'nodemailer';\n"
        b"import { MailDriver } from './mail-driver.interface';\n"
        b"\n"
        b"export class SmtpDriver implements MailDriver {\n"
        b"  private transporter = nodemailer.createTransport({});\n"
        b"\n"
        b"  async sendMail(message: object) {\n"
        b"    await this.transporter.sendMail(message);\n"
        b"  }\n"
        b"}\n"
    ),
    "src/files/files.controller.ts": (
        b"import { Controller, Post } from '@nestjs/common';\n"
        b"import { StorageService } from './storage.service';\n"
        b"import { Audit } from '../audit';\n"
        b"\n"
        b"@Controller('files')\n"
        b"export class FilesController {\n"
        b"  private storage: StorageService;\n"
        b"\n"
        b"  @Post('upload')\n"
        b"  async upload() {\n"
        b"    await this.storage.upload('a', 'b');\n"
        b"  }\n"
        b"\n"
        b"  @Post('audit')\n"
        b"  async audit() {\n"
        b"    await Audit.record('upload');\n"
        b"  }\n"
        b"}\n"
    ),
    "src/files/storage.service.ts": (
        b"import { StorageDriver } from './storage.driver';\n"
        b"import { S3Driver } from './s3.driver';\n"
        b"\n"
        b"export class StorageService {\n"
        b"  private driver: StorageDriver;\n"
        b"\n"
        b"  constructor() {\n"
        b"    this.driver = makeDriver();\n"
        b"  }\n"
        b"\n"
        b"  async upload(key: string, body: string) {\n"
        b"    await this.driver.put(key, body);\n"
        b"  }\n"
        b"}\n"
    ),
    "src/files/storage.driver.ts": (
        b"export abstract class StorageDriver {\n"
        b"  abstract put(key: string, body: string): Promise<void>;\n"
        b"}\n"
    ),
    "src/files/s3.driver.ts": (
        b"import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';\n"
        b"import { StorageDriver } from './storage.driver';\n"
        b"\n"
        b"export class S3Driver extends StorageDriver {\n"
        b"  private client = new S3Client({});\n"
        b"\n"
        b"  async put(key: string, body: string) {\n"
        b"    await this.client.send(new PutObjectCommand({ Key: key, Body: body }));\n"
        b"  }\n"
        b"}\n"
    ),
    "src/files/azure.driver.ts": (
        b"import { BlobServiceClient } from '@azure/storage-blob';\n"
        b"import { StorageDriver } from './storage.driver';\n"
        b"\n"
        b"export class AzureDriver extends StorageDriver {\n"
        b"  private client = BlobServiceClient.fromConnectionString('x');\n"
        b"\n"
        b"  async put(key: string, body: string) {\n"
        b"    await this.client.getContainerClient('c').uploadBlockBlob(key, body, 1);\n"
        b"  }\n"
        b"}\n"
    ),
    "src/audit.ts": (
        b"import { notifier } from './notifier';\n"
        b"\n"
        b"export class Audit {\n"
        b"  static async record(what: string) {\n"
        b"    await notifier.post(what);\n"
        b"  }\n"
        b"}\n"
    ),
    "src/notifier.ts": (
        b"import axios from 'axios';\n"
        b"\n"
        b"export class Notifier {\n"
        b"  async post(what: string) {\n"
        b"    await axios.post('https://audit.example.com/events', { what });\n"
        b"  }\n"
        b"}\n"
        b"\n"
        b"export const notifier = new Notifier();\n"
    ),
    "src/jobs/cleanup.ts": (
        b"import { S3Store } from './s3.store';\n"
        b"\n"
        b"@Processor('cleanup')\n"
        b"export class CleanupJob {\n"
        b"  constructor() {\n"
        b"    this.store = new S3Store();\n"
        b"  }\n"
        b"}\n"
    ),
}


def test_an_injected_interface_is_followed_to_its_implementation() -> None:
    facts = facts_of(NEST)
    flow = flow_from(facts, "src/mail/mail.controller.ts", "SMTP")
    assert hops(flow)[1:] == [
        ("src/mail/mail.controller.ts", 10, "calls mail.service.MailService.sendEmail"),
        ("src/mail/mail.service.ts", 9, "calls smtp.driver.SmtpDriver.sendMail"),
    ]
    assert flow.sinks[0].path == "src/mail/drivers/smtp.driver.ts"


def test_a_typed_field_and_an_abstract_class_lead_to_every_implementation() -> None:
    facts = facts_of(NEST)
    named = calls_named(facts)
    assert "calls storage.service.StorageService.upload" in named
    assert steps(graph_of(NEST), "src/files/storage.service.ts", "StorageService.upload") == [
        ("src/files/azure.driver.ts", "AzureDriver.put", 12, "calls azure.driver.AzureDriver.put"),
        ("src/files/s3.driver.ts", "S3Driver.put", 12, "calls s3.driver.S3Driver.put"),
    ]
    sinks = {s.path for f in facts.flows for s in (*f.sinks, *f.alternatives)}
    assert {"src/files/s3.driver.ts", "src/files/azure.driver.ts"} <= sinks


def test_a_static_method_and_an_imported_singleton_are_followed() -> None:
    facts = facts_of(NEST)
    flow = flow_from(facts, "src/files/files.controller.ts", "audit.example.com")
    assert hops(flow)[1:] == [
        ("src/files/files.controller.ts", 16, "calls audit.Audit.record"),
        ("src/audit.ts", 5, "calls notifier.Notifier.post"),
    ]


def test_a_field_set_in_the_constructor_is_typed_by_the_class_it_is_made_of() -> None:
    src = NEST["src/jobs/cleanup.ts"]
    fc = js_calls(src, "typescript")
    assert fc is not None
    assert ("CleanupJob", "store", "", "S3Store") in fc.fields


# --- Python --------------------------------------------------------------------------------

PY = {
    "requirements.txt": b"flask\nrequests\nboto3\n",
    "app/__init__.py": b"",
    "app/web.py": (
        b"from flask import Flask\n"
        b"from app.signup import SignupService\n"
        b"from app.clients import notifier\n"
        b"from app.exporter import Exporter\n"
        b"app = Flask(__name__)\n"
        b"\n"
        b"@app.post('/signup')\n"
        b"def signup():\n"
        b"    service = SignupService()\n"
        b"    return service.run()\n"
        b"\n"
        b"@app.post('/ping')\n"
        b"def ping():\n"
        b"    return notifier.ping()\n"
        b"\n"
        b"@app.post('/export')\n"
        b"def export():\n"
        b"    return Exporter.push({})\n"
    ),
    "app/files.py": (
        b"from flask import Blueprint, current_app\n"
        b"from app.storage import Storage\n"
        b"files = Blueprint('files', __name__)\n"
        b"\n"
        b"@files.post('/upload')\n"
        b"def upload():\n"
        b"    store(current_app.extensions['storage'])\n"
        b"\n"
        b"def store(storage: Storage):\n"
        b"    storage.put(b'x')\n"
    ),
    "app/signup.py": (
        b"from app.mailer import SmtpMailer\n"
        b"\n"
        b"class SignupService:\n"
        b"    def __init__(self):\n"
        b"        self.mailer = SmtpMailer('localhost')\n"
        b"\n"
        b"    def run(self):\n"
        b"        self.mailer.welcome('a@example.org')\n"
    ),
    "app/mailer.py": (
        b"import smtplib\n"
        b"\n"
        b"class SmtpMailer:\n"
        b"    def __init__(self, host):\n"
        b"        self.host = host\n"
        b"\n"
        b"    def welcome(self, to):\n"
        b"        with smtplib.SMTP(self.host) as s:\n"
        b"            s.sendmail('me@example.org', [to], 'hi')\n"
    ),
    "app/clients.py": (
        b"import requests\n"
        b"\n"
        b"class Notifier:\n"
        b"    def ping(self):\n"
        b"        requests.post('https://hooks.example.com/ping', timeout=5)\n"
        b"\n"
        b"notifier = Notifier()\n"
    ),
    "app/exporter.py": (
        b"import requests\n"
        b"\n"
        b"class Exporter:\n"
        b"    @classmethod\n"
        b"    def push(cls, data):\n"
        b"        requests.post('https://export.example.com/in', json=data, timeout=5)\n"
    ),
    "app/storage.py": (
        b"from abc import ABC, abstractmethod\n"
        b"\n"
        b"class Storage(ABC):\n"
        b"    @abstractmethod\n"
        b"    def put(self, data): ...\n"
    ),
    "app/s3.py": (
        b"import boto3\n"
        b"from app.storage import Storage\n"
        b"\n"
        b"class S3Storage(Storage):\n"
        b"    def put(self, data):\n"
        b"        boto3.client('s3').put_object(Bucket='b', Key='k', Body=data)\n"
    ),
}


def test_python_fields_set_in_init_and_annotated_parameters_are_followed() -> None:
    graph = graph_of(PY)
    assert [s[3] for s in steps(graph, "app/web.py", "signup")] == [
        "calls signup.SignupService",
        "calls signup.SignupService.run",
    ]
    assert steps(graph, "app/signup.py", "SignupService.run") == [
        ("app/mailer.py", "SmtpMailer.welcome", 8, "calls mailer.SmtpMailer.welcome")
    ]
    assert steps(graph, "app/files.py", "store") == [
        ("app/s3.py", "S3Storage.put", 10, "calls s3.S3Storage.put")  # `storage: Storage`
    ]


def test_python_module_instances_classmethods_and_abstract_bases() -> None:
    facts = facts_of(PY)
    ping = flow_from(facts, "app/web.py", "hooks.example.com")
    assert hops(ping)[1:] == [("app/web.py", 14, "calls clients.Notifier.ping")]
    export = flow_from(facts, "app/web.py", "export.example.com")
    assert hops(export)[1:] == [("app/web.py", 18, "calls exporter.Exporter.push")]
    upload = flow_from(facts, "app/files.py", "Amazon S3")  # boto3.client("s3")
    assert hops(upload)[1:] == [
        ("app/files.py", 7, "calls store"),
        ("app/files.py", 10, "calls s3.S3Storage.put"),  # the abstract `Storage.put`'s override
    ]


# --- Go ------------------------------------------------------------------------------------

GO = {
    "go.mod": b"module example.com/shop\n\ngo 1.22\n",
    "cmd/shop/main.go": (
        b"package main\n\n"
        b'import (\n\t"net/http"\n\n\t"example.com/shop/api"\n'
        b'\t"example.com/shop/notify/webhook"\n)\n\n'
        b"func main() {\n"
        b"\ts := api.New(&webhook.Client{})\n"
        b'\thttp.HandleFunc("/orders", s.CreateOrder)\n'
        b'\thttp.ListenAndServe(":8080", nil)\n'
        b"}\n"
    ),
    "api/api.go": (
        b"package api\n\n"
        b'import (\n\t"net/http"\n\n\t"example.com/shop/notify"\n\t"example.com/shop/store"\n)\n\n'
        b"type Server struct {\n\tstore  *store.Store\n\tsender notify.Sender\n}\n\n"
        b"func New(sender notify.Sender) *Server { return &Server{sender: sender} }\n\n"
        b"func (s *Server) CreateOrder(w http.ResponseWriter, r *http.Request) {\n"
        b"\ts.store.Save(r.Context())\n"
        b"\ts.sender.Send(r.Context())\n"
        b"}\n"
    ),
    "store/store.go": (
        b"package store\n\n"
        b'import (\n\t"context"\n\t"database/sql"\n\n\t_ "github.com/lib/pq"\n)\n\n'
        b"type Store struct {\n\tdb *sql.DB\n}\n\n"
        b"func (s *Store) Save(ctx context.Context) error {\n"
        b'\t_, err := s.db.ExecContext(ctx, "INSERT INTO orders DEFAULT VALUES")\n'
        b"\treturn err\n}\n"
    ),
    "notify/notify.go": (
        b"package notify\n\n"
        b'import "context"\n\n'
        b"type Sender interface {\n\tSend(ctx context.Context) error\n}\n"
    ),
    "notify/webhook/webhook.go": (
        b"package webhook\n\n"
        b'import (\n\t"context"\n\t"net/http"\n)\n\n'
        b"type Client struct{}\n\n"
        b"func (c *Client) Send(ctx context.Context) error {\n"
        b'\t_, err := http.Post("https://notify.example.com/hook", "text/plain", nil)\n'
        b"\treturn err\n}\n"
    ),
}


def test_go_struct_fields_and_interface_fields_are_followed() -> None:
    # `webhook.Client` implements `notify.Sender` without importing its package (Go's
    # interfaces are structural): it is found by its methods, among the packages `main`
    # wires the server with.
    assert [s[3] for s in steps(graph_of(GO), "api/api.go", "Server.CreateOrder")] == [
        "calls store.Store.Save",
        "calls webhook.Client.Send",
    ]


def test_a_local_made_by_a_factory_is_typed_by_its_return_annotation() -> None:
    files = {
        **PY,
        "app/parsers.py": (
            b"import requests\n"
            b"from abc import ABC, abstractmethod\n"
            b"\n"
            b"class Parser(ABC):\n"
            b"    @abstractmethod\n"
            b"    def parse(self, text): ...\n"
            b"\n"
            b"class RemoteParser(Parser):\n"
            b"    def parse(self, text):\n"
            b"        return requests.post('https://parse.example.com', data=text, timeout=5)\n"
            b"\n"
            b"def get_parser(name: str) -> Parser:\n"
            b"    return RemoteParser()\n"
        ),
        "app/parse.py": (
            b"from app.parsers import get_parser\n"
            b"\n"
            b"def parse(text):\n"
            b"    parser = get_parser('remote')\n"
            b"    return parser.parse(text)\n"
        ),
    }
    fc = python_calls(files["app/parsers.py"])
    assert fc is not None
    assert ("get_parser", "Parser") in fc.returns
    assert [s[3] for s in steps(graph_of(files), "app/parse.py", "parse")] == [
        "calls parsers.get_parser",
        "calls parsers.RemoteParser.parse",
    ]


def test_a_function_re_exported_by_a_star_import_is_followed() -> None:
    files = {
        "app/__init__.py": b"",
        "app/parsing/__init__.py": b"from .core import *\n",
        "app/parsing/core.py": b"def get_parser(name):\n    return name\n",
        "app/use.py": b"from app.parsing import get_parser\n\ndef run():\n    get_parser('x')\n",
    }
    assert steps(graph_of(files), "app/use.py", "run") == [
        ("app/parsing/core.py", "get_parser", 4, "calls core.get_parser")
    ]


def test_a_large_python_file_keeps_bases_returns_abstract_methods_and_init_fields() -> None:
    from bot.core.analysis.calls import SMALL_PYTHON
    from bot.core.analysis.calls_python import python_index

    unit = (
        "class Base{i}(ABC):\n"
        "    @abstractmethod\n"
        "    def put(self, x): ...\n\n"
        "class Impl{i}(mod.Base{i}, Mixin, metaclass=Meta):\n"
        "    def __init__(self):\n"
        "        self.client = sdk.Client(1)\n"
        "        self.count == Other(2)\n"
        "    def put(self, x) -> 'Result | None':\n"
        "        return self.client.put(x)\n\n"
        "def make{i}() -> Base{i}:\n"
        "    return Impl{i}()\n\n"
    )
    text = "".join(unit.format(i=i) for i in range(SMALL_PYTHON // len(unit) + 5)).encode()
    full, index = python_calls(text), python_index(text)
    assert full is not None
    assert index is not None
    assert set(index.bases) == set(full.bases)
    assert set(index.returns) == set(full.returns)
    assert set(index.abstract) == set(full.abstract)
    assert set(index.fields) == set(full.fields)
    assert ("Impl0", "client", "", "Client") in index.fields


def test_a_ts_local_made_by_a_factory_is_typed_by_its_return_type() -> None:
    files = {
        **NEST,
        "src/files/factory.ts": (
            b"import { StorageDriver } from './storage.driver';\n"
            b"import { S3Driver } from './s3.driver';\n"
            b"\n"
            b"export function makeDriver(kind: string): StorageDriver {\n"
            b"  return new S3Driver();\n"
            b"}\n"
        ),
        "src/files/copy.ts": (
            b"import { makeDriver } from './factory';\n"
            b"\n"
            b"export async function copy(key: string) {\n"
            b"  const driver = await makeDriver('s3');\n"
            b"  await driver.put(key, 'b');\n"
            b"}\n"
        ),
    }
    fc = js_calls(files["src/files/factory.ts"], "typescript")
    assert fc is not None
    assert ("makeDriver", "StorageDriver") in fc.returns
    assert [s[3] for s in steps(graph_of(files), "src/files/copy.ts", "copy")] == [
        "calls factory.makeDriver",
        "calls azure.driver.AzureDriver.put",
        "calls s3.driver.S3Driver.put",
    ]


def test_subclasses_of_a_python_class_are_not_looked_for_in_typescript_files() -> None:
    from bot.core.call_sites import FileCalls
    from bot.core.flow_members import Members
    from bot.core.model import FileFacts, ImportRef

    imports = (ImportRef("app.store", 1, 0, ("Store",)),)
    facts = {
        "app/store.py": FileFacts(language="python"),
        "app/disk.py": FileFacts(language="python", imports=imports),
        "web/store.ts": FileFacts(language="typescript", imports=imports),
    }
    read: list[str] = []

    def calls(path: str) -> FileCalls:
        read.append(path)
        return FileCalls((), (), bases=(("Disk", "Store"),) if path != "app/store.py" else ())

    members = Members(facts, calls, lambda _path: False)
    found = members.subclasses(("app/store.py", "Store"), lambda _p, _b: ("app/store.py", "Store"))
    assert found == [("app/disk.py", "Disk")]
    assert read == ["app/store.py", "app/disk.py"]  # the TypeScript file is never parsed
