"""Items named for a service folder: the catalog's name when one matches loosely, else the
code's own spelling (a class, type or constant named like the folder), never an invention."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.analysis.egress_names import folder_display, spellings
from bot.core.facts_cache import MemoryFactsCache
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def test_spellings_are_the_classes_and_types_named_like_the_folder() -> None:
    py = b"class Helper:\n    pass\n\nclass AcmeTalkWorkflow(HttpTransport):\n    pass\n"
    assert spellings("acmetalkw", py) == ("AcmeTalkWorkflow",)
    js = b"class AcmePager extends NotificationProvider {\n  name = 'acme-pager';\n}\n"
    assert spellings("acme-pager", js) == ("AcmePager",)
    go = b"package zapbox\n\ntype ZapBox struct{}\n"
    assert spellings("zapbox", go) == ("ZapBox",)
    # Lookalikes: a name that only contains the folder's name, or is a different word.
    assert spellings("pager", b"class AcmePager:\n    pass\n") == ()
    assert spellings("elks", b"class Elks46:\n    pass\n") == ()
    # The folder's name followed by another word is a type of the service, not its name.
    assert spellings("zapbox", b"type ZapboxMessage struct{}\ntype zapbox struct{}\n") == ()
    assert spellings("46elks", b"class Elks:\n    pass\n") == ()
    # A name in a comment or a string is not the code's spelling.
    assert spellings("acmepager", b"# class AcmePager was removed\nx = 'class AcmePager'\n") == ()


def test_display_names() -> None:
    # the catalog's row, matched loosely by the folder or by the code's spelling
    assert folder_display("pagerduty", (), CATALOG)[0] == "PagerDuty"
    assert folder_display("pd", ("PagerDuty",), CATALOG)[0] == "PagerDuty"
    # the code's spelling when it is the folder's name, as written
    assert folder_display("acmepager", ("AcmePager",), CATALOG) == ("AcmePager", "HTTP API")
    # the folder's separators split the code's spelling into words
    assert folder_display("acme-sms", ("AcmeSMS",), CATALOG)[0] == "Acme SMS"
    # an abbreviated folder: the code's words
    assert folder_display("acmetalkw", ("AcmeTalkWorkflow",), CATALOG)[0] == "Acme Talk Workflow"
    # no spelling: the folder's words, title-cased when written in lower case
    assert folder_display("zoho-cliqx", (), CATALOG)[0] == "Zoho Cliqx"
    assert folder_display("archiveorgx", (), CATALOG)[0] == "Archiveorgx"
    assert folder_display("HaloPSAX", (), CATALOG)[0] == "HaloPSAX"


def test_end_to_end_a_transport_is_named_by_its_class() -> None:
    source = (
        b"import requests\n\n"
        b"class AcmeTalkWorkflow(Transport):\n"
        b"    def notify(self, hook):\n"
        b"        requests.post(hook.webhook_url, json={})\n"
    )
    snapshot = MemorySnapshot({"hc/integrations/acmetalkw/transport.py": source})
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    names = {s.name for s in facts.integrations}
    assert "Acme Talk Workflow" in names
    assert "Acmetalkw" not in names


def test_a_catalogued_host_names_a_squeezed_folder() -> None:
    source = (
        b'package archivebox\n\nimport "net/http"\n\n'
        b"func Save(u string) {\n"
        b'\treq, _ := http.NewRequest("GET", "https://web.archive.org/save/"+u, nil)\n'
        b"\t_ = req\n}\n"
    )
    snapshot = MemorySnapshot({"internal/integration/archivebox/archivebox.go": source})
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    assert "Internet Archive (Wayback Machine)" in {s.name for s in facts.integrations}
