"""Where product code ends, and requests made through a package's own helper:

* hidden example folders and coding assistants' folders are not the product
  (`services.non_product_path`); a script a dev-only compose file binds into an emulator's
  image runs there, not in the app (`deploy._image_mounts`, `egress_services._dev_mounted`);
* a URL read from an entry of a settings table in a loop (`for k, c in settings.X.items()`)
  is that setting, not user data (`egress_resolve._looped_setting`);
* a discovery request to a host a user names (`https://{domain}/.well-known/webfinger`) is
  named for the resource asked, not "outgoing webhooks" (`egress_resolve.WELL_KNOWN`);
* plugin classes in `connectors/<service>.py` requesting through their package's helper
  (`get_data(remote_id)`) name that service; a setting imported by name
  (`get_data(RELEASE_API)`) with its environment default (`env("X", "https://…")`) names the
  default's host; an OTLP exporter built without an endpoint sends where
  OTEL_EXPORTER_OTLP_ENDPOINT says.

Neutral, invented apps; each rule has a look-alike that must not match and a hostile input."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.deploy import COMPOSE_MOUNT, parse_compose
from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.services import non_product_path
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Service
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def _integrations(files: dict[str, str]) -> dict[str, Service]:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    facts = analyze(snapshot, MemoryFactsCache(), CATALOG)
    return {s.name: s for s in facts.integrations}


def _hosts(found: dict[str, Service]) -> set[str]:
    return {h for s in found.values() for h in s.hosts}


# --- where the product ends ---------------------------------------------------------------


def test_hidden_example_and_assistant_folders_are_not_the_product() -> None:
    assert non_product_path(".examples/with-metrics/compose.yaml")
    assert non_product_path(".samples/x/app.py")
    assert non_product_path("samples/demo/app.py")
    assert non_product_path(".agents/skills/bump/scripts/check.mjs")
    assert non_product_path(".claude/commands/x.py")


def test_hidden_folders_of_the_product_stay_the_product() -> None:
    assert not non_product_path(".github/actions/notify/index.js")
    assert not non_product_path("src/agents/planner.py")  # an app's own agents module
    assert not non_product_path("app/example_service.py")


PINGER = 'import requests\n\ndef ping():\n    requests.get("https://hooks.relay-svc.io/x")\n'


def test_a_script_bound_only_into_a_dev_emulator_makes_no_claim() -> None:
    dev_compose = (
        "services:\n  emu:\n    image: vendor/emulator:1\n    volumes:\n"
        "      - ./tools/emu-init/seed.py:/etc/emu/ready.d/seed.py:ro\n"
    )
    found = _integrations({"docker-compose.dev.yml": dev_compose, "tools/emu-init/seed.py": PINGER})
    assert "hooks.relay-svc.io" not in _hosts(found)


def test_a_script_a_production_compose_also_binds_keeps_its_claim() -> None:
    mount = (
        "services:\n  emu:\n    image: vendor/emulator:1\n    volumes:\n"
        "      - ./tools/emu-init:/opt/init\n"
    )
    found = _integrations(
        {
            "docker-compose.dev.yml": mount,
            "docker-compose.yml": mount,
            "tools/emu-init/seed.py": PINGER,
        }
    )
    assert "hooks.relay-svc.io" in _hosts(found)


def test_the_app_bound_whole_into_a_dev_image_keeps_its_claims() -> None:
    # `./src` (one deep) or `.` bound into a `python` image runs the app itself
    dev_compose = (
        "services:\n  web:\n    image: python:3.12\n    volumes:\n      - ./src:/app/src\n"
        "      - .:/app\n"
    )
    found = _integrations({"docker-compose.dev.yml": dev_compose, "src/ping.py": PINGER})
    assert "hooks.relay-svc.io" in _hosts(found)


def test_a_built_service_mounts_nothing_and_a_volume_name_is_no_path() -> None:
    compose = (
        b"services:\n  web:\n    build: .\n    volumes:\n      - ./src/app:/app\n"
        b"  db:\n    image: postgres\n    volumes:\n      - pgdata:/var/lib/postgresql\n"
        b"      - {type: bind, source: ./db/init/schema.sql, target: /init.sql}\n"
    )
    mounts = [s.detail for s in parse_compose(compose).signals if s.kind == COMPOSE_MOUNT]
    assert mounts == ["db/init/schema.sql"]


def test_hostile_compose_volumes_stay_bounded() -> None:
    many = "".join(f"      - ./a/{'b' * 300}{i}:/x\n" for i in range(2000))
    many += "      - ./" + "c/" * 30000 + ":/x\n"
    compose = ("services:\n  emu:\n    image: x\n    volumes:\n" + many).encode()
    started = time.perf_counter()
    facts = parse_compose(compose)
    assert time.perf_counter() - started < 5
    assert not [s for s in facts.signals if s.kind == COMPOSE_MOUNT and len(s.detail) > 210]


# --- a URL from a settings table ----------------------------------------------------------

FETCHER = (
    "import os\nimport urllib.request\n\n"
    "def download(url, dest):\n    with urllib.request.urlopen(url) as s:\n"
    "        open(dest, 'wb').write(s.read())\n"
)


def test_a_url_from_a_loop_over_a_settings_table_is_that_setting() -> None:
    ready = FETCHER + (
        "from app import settings\n\n"
        "def ready():\n    for name, entry in settings.ASSET_FILES.items():\n"
        "        download(entry['url'], name)\n"
    )
    found = _integrations({"app/ready.py": ready})
    assert "HTTP endpoint configured by ASSET_FILES" in found
    assert "User-configured HTTP endpoints (outgoing webhooks)" not in found


def test_a_url_from_a_loop_over_rows_is_still_user_data() -> None:
    deliver = FETCHER + (
        "from app.models import Hook\n\n"
        "def deliver():\n    for name, hook in Hook.objects.all():\n"
        "        download(hook['url'], name)\n"
    )
    found = _integrations({"app/deliver.py": deliver})
    assert "User-configured HTTP endpoints (outgoing webhooks)" in found


def test_a_well_known_lookup_on_a_user_named_host_is_named_for_the_resource() -> None:
    lookup = (
        "from app.fetch import download\n\n"
        "def find(handle):\n    domain = handle.split('@')[1]\n"
        "    url = f'https://{domain}/.well-known/webfinger?resource=acct:{handle}'\n"
        "    return download(url, '/tmp/x')\n"
    )
    found = _integrations({"app/fetch.py": FETCHER, "app/lookup.py": lookup})
    assert "Remote servers named by users (/.well-known/webfinger)" in found
    assert "User-configured HTTP endpoints (outgoing webhooks)" not in found


def test_a_user_url_with_another_path_stays_user_configured() -> None:
    lookup = (
        "from app.fetch import download\n\n"
        "def find(handle):\n    domain = handle.split('@')[1]\n"
        "    url = f'https://{domain}/api/well-known/webfinger'\n"
        "    return download(url, '/tmp/x')\n"
    )
    found = _integrations({"app/fetch.py": FETCHER, "app/lookup.py": lookup})
    assert "User-configured HTTP endpoints (outgoing webhooks)" in found


def test_hostile_loops_and_well_known_paths_stay_linear() -> None:
    loops = "    for a, b in " + "x." * 20000 + "Y.items():\n" + "        pass\n"
    body = (
        "from app.fetch import download\n\ndef f(h):\n"
        + loops * 3
        + "    d = h.split('@')[1]\n    download(b['url'], 'p')\n"
        + "    download(f'https://{d}/.well-known/"
        + "a" * 50000
        + "', 'p')\n"
    )
    started = time.perf_counter()
    outbound_calls("python", body.encode())
    assert time.perf_counter() - started < 5


# --- connectors requesting through their package's helper ---------------------------------

HELPERS = (
    "import requests\n\n"
    "def get_data(url, params=None):\n"
    "    return requests.get(url, params=params, timeout=5).json()\n"
)
BASE = (
    "class BaseConnector:\n    def __init__(self, row):\n        self.search_url = row.search_url\n"
)


def _connector(body: str) -> str:
    return (
        "from .base_connector import BaseConnector\nfrom .helpers import get_data\n\n"
        f"class Connector(BaseConnector):\n{body}"
    )


def test_connectors_requesting_through_the_packages_helper_name_their_service() -> None:
    files = {
        "shelf/connectors/helpers.py": HELPERS,
        "shelf/connectors/base_connector.py": BASE,
        "shelf/connectors/booknook.py": _connector(
            "    def get_book(self, remote_id):\n        return get_data(remote_id)\n"
        ),
        "shelf/connectors/pagefinder.py": _connector(
            "    def get_book(self, bib):\n        query_url = f'{self.search_url}{bib}'\n"
            "        return get_data(url=query_url)\n"
        ),
    }
    found = _integrations(files)
    assert {"Booknook", "Pagefinder"} <= set(found)
    assert not {n for n in found if "Base" in n or "Helpers" in n}


def test_a_call_of_a_function_that_is_no_request_helper_names_nothing() -> None:
    files = {
        "shelf/connectors/helpers.py": "def parse_isbn(text):\n    return text.strip()\n",
        "shelf/connectors/booknook.py": _connector(
            "    def get_book(self, remote_id):\n        return parse_isbn(remote_id)\n"
        ),
        "shelf/readers/pagefinder.py": "from .helpers import get_data\n\n"
        "def get_book(remote_id):\n    return get_data(remote_id)\n",
        "shelf/readers/helpers.py": HELPERS,
    }
    found = _integrations(files)
    assert "Booknook" not in found
    assert "Pagefinder" not in found


def test_a_setting_imported_by_name_gives_its_environment_default_host() -> None:
    files = {
        "app/settings.py": "import environ\nenv = environ.Env()\n"
        "UPDATE_API = env('UPDATE_API', 'https://api.releases-svc.io/latest')\n",
        "app/helpers.py": HELPERS,
        "app/tasks.py": "import requests\nfrom app.helpers import get_data\n"
        "from app.settings import UPDATE_API\n\n"
        "def check():\n    return get_data(UPDATE_API)\n\n"
        "def local():\n    return requests.get('/health')\n",
    }
    found = _integrations(files)
    assert "api.releases-svc.io" in _hosts(found)


def test_a_lower_case_name_or_a_default_without_host_gives_no_host() -> None:
    files = {
        "app/settings.py": "import os\nUPDATE_API = os.getenv('UPDATE_API', '/local/path')\n",
        "app/helpers.py": HELPERS,
        "app/tasks.py": "import requests\nfrom app.helpers import get_data\n"
        "from app.settings import update_api\n\n"
        "def check():\n    return get_data(update_api)\n\n"
        "def local():\n    return requests.get('/health')\n",
    }
    found = _integrations(files)
    assert not _hosts(found)


def test_an_otlp_exporter_without_endpoint_reads_the_standard_variable() -> None:
    src = (
        b"from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter\n"
        b"exporter = OTLPSpanExporter()\n"
        b"other = OTLPSpanExporter(endpoint='https://otel.collector-svc.io:4317')\n"
    )
    calls, _, _ = outbound_calls("python", src)
    got = {(c.line, c.host, c.configured_by, c.origin) for c in calls}
    assert (2, "", "OTEL_EXPORTER_OTLP_ENDPOINT", "env") in got
    assert (3, "otel.collector-svc.io", "", "literal") in got


def test_hostile_connector_files_stay_bounded() -> None:
    calls = "".join(f"        get_data(p{i})\n" for i in range(3000))
    params = ", ".join(f"p{i}" for i in range(3000))
    body = _connector(f"    def f(self, {params}):\n{calls}" + "    x = (" * 2000)
    started = time.perf_counter()
    outbound_calls("python", body.encode(), named_folder=True)
    assert time.perf_counter() - started < 10


# --- API clients on a base class that holds the HTTP client (`egress_bases`) -----------------

CLIENT_BASE = """\
import axios from 'axios';

class RemoteApi {
  protected axios: AxiosInstance;
  constructor(baseUrl: string, params: Record<string, unknown>) {
    this.axios = axios.create({ baseURL: baseUrl, params });
  }
  protected async get<T>(endpoint: string): Promise<T> {
    const response = await this.axios.get<T>(endpoint);
    return response.data;
  }
}
export default RemoteApi;
"""

LITERAL_SUB = """\
import RemoteApi from './remoteapi';

class ReleasesApi extends RemoteApi {
  constructor() {
    super('https://api.releases-svc.io/v2', {});
  }
  public async latest() {
    return this.get<Release[]>('/releases');
  }
}
"""

MIDDLE = """\
import RemoteApi from '../remoteapi';

class ArrBase<T> extends RemoteApi {
  constructor({ url, apiKey }: { url: string; apiKey: string }) {
    super(url, { apikey: apiKey });
  }
  public async status() {
    const response = await this.axios.get<Status>('/system/status');
    return response.data;
  }
}
"""

LEAF = """\
import ArrBase from './base';

class Radarr extends ArrBase<{ movieId: number }> {
  public async movies() {
    const response = await this.axios.get<Movie[]>('/movie');
    return response.data;
  }
}
"""


def test_a_subclass_handing_a_literal_url_to_a_client_base_calls_that_host() -> None:
    found = _integrations(
        {"server/api/remoteapi.ts": CLIENT_BASE, "server/api/releases.ts": LITERAL_SUB}
    )
    assert "api.releases-svc.io" in _hosts(found)


def test_an_inherited_client_through_a_chain_of_bases_names_the_client_file() -> None:
    found = _integrations(
        {
            "server/api/remoteapi.ts": CLIENT_BASE,
            "server/api/arr/base.ts": MIDDLE,
            "server/api/arr/radarr.ts": LEAF,
        }
    )
    assert "Radarr" in found
    assert {e.path for e in found["Radarr"].evidence} == {"server/api/arr/radarr.ts"}


def test_a_base_that_makes_no_client_from_its_parameter_is_no_client_base() -> None:
    plain_base = (
        "import axios from 'axios';\n\nclass RemoteApi {\n  protected axios = axios;\n"
        "  constructor(name: string) {\n    this.name = name;\n  }\n}\n"
    )
    fixed_base = (
        "import axios from 'axios';\n\nclass RemoteApi {\n  constructor(name: string) {\n"
        "    this.axios = axios.create({ baseURL: 'https://local.invalid' });\n  }\n}\n"
    )
    for base in (plain_base, fixed_base):
        found = _integrations(
            {"server/api/remoteapi.ts": base, "server/api/releases.ts": LITERAL_SUB}
        )
        assert "api.releases-svc.io" not in _hosts(found)


def test_a_typed_awaited_call_and_a_scheme_choice_read_as_a_request_to_the_setting() -> None:
    src = (
        b"import axios from 'axios';\nclass Stats {\n  constructor(s: S) {\n"
        b"    this.axios = axios.create({\n"
        b"      baseURL: `${s.useSsl ? 'https' : 'http'}://${s.hostname}:${s.port}`,\n"
        b"    });\n  }\n  async info() {\n"
        b"    const r = await this.axios.get<Info>('/api/v2');\n  }\n}\n"
    )
    calls, _, _ = outbound_calls("typescript", src)
    assert [(c.line, c.configured_by) for c in calls] == [(9, "s.hostname")]


def test_a_host_defaulting_to_localhost_is_the_apps_own_server() -> None:
    src = (
        b"import axios from 'axios';\nasync function load() {\n"
        b"  const r = await axios.get<Settings>(\n"
        b"    `http://${process.env.HOST || 'localhost'}:${process.env.PORT || 5055}/api/x`\n"
        b"  );\n}\n"
    )
    calls, _, _ = outbound_calls("typescript", src)
    assert [c.origin for c in calls] == ["relative"]


def test_hostile_class_chains_stay_bounded() -> None:
    chain = "".join(f"class C{i} extends C{i + 1} {{}}\n" for i in range(3000))
    body = (
        "import axios from 'axios';\n"
        + chain
        + "class X extends Y {\n  m() {\n"
        + "    this.axios.get('/a');\n" * 3000
        + "    super(" * 2000
        + "\n  }\n}\n"
    )
    started = time.perf_counter()
    _, _, meta = outbound_calls("typescript", body.encode())
    assert time.perf_counter() - started < 10
    assert len(meta) <= 200
