"""Resolution, modules, edges and entry points, on fixture repositories written here."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

from bot.core.analysis import analyze
from bot.core.analysis.extract import extract_all
from bot.core.analysis.graph import is_test_path
from bot.core.analysis.layout import Layout, package_roots
from bot.core.analysis.resolve import Resolver
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import Evidence, ImportRef, RepoFacts
from bot.core.snapshot import FileEntry, MemorySnapshot


def resolver_for(files: dict[str, bytes]) -> Resolver:
    snap = MemorySnapshot(files)
    facts = extract_all(snap, MemoryFactsCache())
    configs = {p: b.decode() for p, b in files.items() if "tsconfig" in p or "pnpm-" in p}
    return Resolver(list(files), facts, configs)


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache())


def edges_of(facts: RepoFacts) -> dict[tuple[str, str], int]:
    return {(e.source, e.target): e.count for e in facts.edges}


# --- resolution --------------------------------------------------------------------


def test_python_absolute_relative_and_src_layout_imports_resolve() -> None:
    r = resolver_for(
        {
            "pyproject.toml": b"[project]\nname='x'\n",
            "src/shop/__init__.py": b"",
            "src/shop/orders.py": b"",
            "src/shop/payments/__init__.py": b"",
            "src/shop/payments/stripe.py": b"",
            "scripts/run.py": b"",
        }
    )
    orders = "src/shop/orders.py"
    assert r.python(orders, ImportRef("shop.payments.stripe", 1)) == "src/shop/payments/stripe.py"
    assert r.python(orders, ImportRef("shop.payments", 1, names=("charge",))) == (
        "src/shop/payments/__init__.py"
    )
    assert r.python(orders, ImportRef("", 1, level=1, names=("payments",))) == (
        "src/shop/payments/__init__.py"
    )
    stripe = "src/shop/payments/stripe.py"
    assert r.python(stripe, ImportRef("orders", 1, level=2, names=("x",))) == orders
    assert r.python(orders, ImportRef("requests", 1)) is None
    assert r.python(orders, ImportRef("shop.orders.Order", 1)) == orders  # a name in a module


def test_js_relative_index_extension_swap_tsconfig_paths_and_workspaces() -> None:
    r = resolver_for(
        {
            "package.json": b'{"name": "root", "workspaces": ["packages/*"]}',
            "packages/ui/package.json": b'{"name": "@acme/ui"}',
            "packages/ui/src/index.ts": b"",
            "packages/ui/src/button.tsx": b"",
            "apps/web/tsconfig.json": (
                b"{\n  // comments and trailing commas are allowed\n"
                b'  "compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["src/*"],},},\n}'
            ),
            "apps/web/src/lib/api.ts": b"",
            "apps/web/src/lib/index.js": b"",
            "apps/web/src/pages/home.tsx": b"",
        }
    )
    home = "apps/web/src/pages/home.tsx"
    assert r.javascript(home, "../lib/api") == "apps/web/src/lib/api.ts"
    assert r.javascript(home, "../lib/api.js") == "apps/web/src/lib/api.ts"
    assert r.javascript(home, "../lib") == "apps/web/src/lib/index.js"
    assert r.javascript(home, "@/lib/api") == "apps/web/src/lib/api.ts"
    assert r.javascript(home, "@acme/ui") == "packages/ui/src/index.ts"
    assert r.javascript(home, "@acme/ui/button") == "packages/ui/src/button.tsx"
    assert r.javascript(home, "react") is None
    assert r.javascript("packages/ui/src/index.ts", "@/lib/api") is None  # not its tsconfig
    assert r.workspace_dirs == ("packages/ui",)


def test_ruby_require_relative_and_lib_load_path() -> None:
    r = resolver_for({"lib/billing/invoice.rb": b"", "app/models/order.rb": b""})
    order = "app/models/order.rb"
    assert (
        r.ruby(order, ImportRef("billing/invoice", 1, kind="require")) == "lib/billing/invoice.rb"
    )
    assert r.ruby(order, ImportRef("../../lib/billing/invoice", 1, kind="require_relative")) == (
        "lib/billing/invoice.rb"
    )
    assert r.ruby(order, ImportRef("json", 1, kind="require")) is None


def test_go_imports_resolve_through_go_mod_module_paths() -> None:
    r = resolver_for(
        {
            "go.mod": b"module example.com/app\n\ngo 1.22\n",
            "internal/db/db.go": b"package db\n",
            "tools/go.mod": b"module example.com/app/tools\n",
            "tools/gen/gen.go": b"package gen\n",
        }
    )
    assert r.go("example.com/app/internal/db") == "internal/db/"
    assert r.go("example.com/app/tools/gen") == "tools/gen/"
    assert r.go("github.com/lib/pq") is None


# --- modules and edges ---------------------------------------------------------------


def test_modules_are_top_level_folders_and_monorepo_packages() -> None:
    paths = [
        "packages/api/package.json",
        "packages/api/src/a.ts",
        "services/billing/go.mod",
        "services/billing/main.go",
        "web/app.js",
        "web/lib/x.js",
        "app/controllers/x_controller.rb",
        "app/models/x.rb",
        "setup.py",
        "tool.py",
        "examples/demo/package.json",
        "examples/demo/index.js",
    ]
    roots = package_roots(paths)
    assert roots == ("packages/api", "services/billing")
    code = [p for p in paths if not p.endswith((".json", ".mod"))]
    layout = Layout(code, roots)
    assert layout.module_of("packages/api/src/a.ts") == "packages/api"
    assert layout.module_of("services/billing/main.go") == "services/billing"
    assert layout.module_of("web/app.js") == "web"
    assert layout.module_of("web/lib/x.js") == "web"
    assert layout.module_of("app/controllers/x_controller.rb") == "app/controllers"
    assert layout.module_of("app/models/") == "app/models"
    assert layout.module_of("tool.py") == "(root)"
    assert layout.module_of("examples/demo/index.js") == "examples/demo"  # a wrapper


def test_wrapper_folders_are_descended_and_dominant_ones_split() -> None:
    code = [
        *(f"service/core/{area}/m{i}.py" for area in ("users", "billing") for i in range(5)),
        *(f"web/packages/{pkg}/src/i{i}.ts" for pkg in ("ui", "api") for i in range(3)),
        "lib/support/a.rb",
        "lib/support/b.rb",
    ]
    layout = Layout(code, ())
    assert layout.base == {"service": "service/core", "web": "web/packages", "lib": "lib/support"}
    # service/core holds over a third of the code and has two areas: one box per area.
    assert layout.module_of("service/core/users/m1.py") == "service/core/users"
    # packages/ is a container: one box per package.
    assert layout.module_of("web/packages/ui/src/i1.ts") == "web/packages/ui"
    assert layout.module_of("lib/support/a.rb") == "lib/support"


def test_tests_are_recognised_by_folder_and_name() -> None:
    for path in ("tests/test_a.py", "pkg/test_b.py", "x_test.go", "a/b.spec.ts", "spec/m_spec.rb"):
        assert is_test_path(path), path
    assert not is_test_path("pkg/testing_utils.py")
    assert not is_test_path("src/contest.ts")


PY_REPO = {
    "pyproject.toml": b"[project]\nname = 'shop'\n",
    "api/__init__.py": b"",
    "api/routes.py": (
        b"from flask import Flask\nfrom core import orders\nfrom core.payments import charge\n"
        b"import storage.db\napp = Flask(__name__)\n@app.route('/orders')\ndef list_orders(): ...\n"
    ),
    "core/__init__.py": b"",
    "core/orders.py": b"from storage import db\nfrom . import payments\n",
    "core/payments.py": b"import stripe\nimport os\nKEY = os.environ['STRIPE_KEY']\n",
    "storage/__init__.py": b"",
    "storage/db.py": b"import psycopg\n",
    "worker.py": (
        b"from celery import shared_task\nfrom core.orders import sync\n"
        b"@shared_task\ndef run(): ...\n"
    ),
    "tests/test_orders.py": b"from core import orders\nimport api.routes\n",
    "Procfile": b"web: gunicorn api.routes:app\nworker: celery -A worker worker\n",
}


def test_python_repository_modules_edges_and_counts() -> None:
    facts = facts_of(PY_REPO)
    assert [(m.name, m.files, m.language) for m in facts.modules] == [
        ("(root)", 1, "python"),
        ("api", 2, "python"),
        ("core", 3, "python"),
        ("storage", 2, "python"),
    ]
    assert edges_of(facts) == {
        ("(root)", "core"): 1,
        ("api", "core"): 2,
        ("api", "storage"): 1,
        ("core", "storage"): 1,
    }
    api_core = next(e for e in facts.edges if (e.source, e.target) == ("api", "core"))
    assert api_core.evidence == (Evidence("api/routes.py", 2), Evidence("api/routes.py", 3))


def test_entry_points_from_code_and_manifests_with_evidence() -> None:
    facts = facts_of(PY_REPO)
    found = {(e.kind, e.name, e.evidence[0]) for e in facts.entrypoints}
    assert ("http", "Flask app (api/routes.py)", Evidence("api/routes.py", 5)) in found
    assert ("worker", "Celery task (worker.py)", Evidence("worker.py", 3)) in found
    assert any(kind == "http" and ev.path == "Procfile" for kind, _, ev in found)
    assert not any(ev.path.startswith("tests/") for _, _, ev in found)
    routes = next(e for e in facts.entrypoints if e.name == "Flask app (api/routes.py)")
    assert routes.detail == "/orders"


def test_rails_conventions_make_entry_points_and_modules() -> None:
    facts = facts_of(
        {
            "Gemfile": b"source 'https://rubygems.org'\ngem 'rails'\n",
            "config/routes.rb": b"Rails.application.routes.draw do\n  resources :orders\nend\n",
            "app/controllers/orders_controller.rb": (
                b"class OrdersController < ApplicationController\n"
                b"  def index; Billing.new; end\nend\n"
            ),
            "app/jobs/sync_job.rb": b"class SyncJob < ApplicationJob\nend\n",
            "app/mailers/order_mailer.rb": b"class OrderMailer < ApplicationMailer\nend\n",
            "app/controllers/concerns/auth.rb": b"module Auth\nend\n",
            "lib/billing.rb": b"require_relative 'billing/invoice'\n",
            "lib/billing/invoice.rb": b"",
        }
    )
    by_name = {e.name: e for e in facts.entrypoints}
    assert by_name["Rails controllers"].evidence == (
        Evidence("app/controllers/orders_controller.rb", 1),
    )
    assert by_name["Rails jobs"].kind == "worker"
    assert "Rails routes (config/routes.rb)" in by_name
    assert [m.name for m in facts.modules] == [
        "app/controllers",
        "app/jobs",
        "app/mailers",
        "config",
        "lib",
    ]


def test_next_routes_count_only_when_the_repository_uses_next() -> None:
    files = {
        "package.json": b'{"name": "site", "dependencies": {"next": "14.0.0"}}',
        "pages/api/hello.ts": b"export default function handler(req, res) {}\n",
        "pages/index.tsx": b"export default function Home() {}\n",
        "app/orders/route.ts": b"export async function GET() {}\n",
    }
    names = {e.name: e for e in facts_of(files).entrypoints}
    assert names["Next.js API routes"].evidence == (Evidence("pages/api/hello.ts"),)
    assert names["Next.js pages"].evidence == (Evidence("pages/index.tsx"),)
    assert names["Next.js route handlers"].evidence == (Evidence("app/orders/route.ts", 1),)
    files["package.json"] = b'{"name": "site", "dependencies": {"react": "18.0.0"}}'
    assert not any(e.name.startswith("Next.js") for e in facts_of(files).entrypoints)


def test_typescript_monorepo_edges_between_workspace_packages() -> None:
    facts = facts_of(
        {
            "package.json": b'{"name": "root", "private": true, "workspaces": ["packages/*"]}',
            "packages/ui/package.json": b'{"name": "@acme/ui"}',
            "packages/ui/src/index.ts": b"export * from './button'\n",
            "packages/ui/src/button.ts": b"export const b = 1\n",
            "packages/web/package.json": b'{"name": "web"}',
            "packages/web/src/main.ts": (
                b"import { b } from '@acme/ui'\nimport x from './x'\n"
                b"const u = require('@acme/ui/button')\n"
            ),
            "packages/web/src/x.ts": b"export default 1\n",
        }
    )
    assert edges_of(facts) == {("packages/web", "packages/ui"): 2}


def test_go_repository_edges_follow_the_module_path() -> None:
    facts = facts_of(
        {
            "go.mod": b"module example.com/svc\n",
            "cmd/api/main.go": (
                b'package main\n\nimport (\n\t"example.com/svc/internal/store"\n)\n\n'
                b"func main() { store.Open() }\n"
            ),
            "internal/store/store.go": b"package store\n",
        }
    )
    assert edges_of(facts) == {("cmd/api", "internal/store"): 1}
    assert {e.kind for e in facts.entrypoints} == {"cli"}


def test_single_package_repository_is_split_one_level_deeper() -> None:
    facts = facts_of(
        {
            "shop/__init__.py": b"",
            "shop/api/views.py": b"from shop.core import models\n",
            "shop/core/models.py": b"import shop.settings\n",
            "shop/settings.py": b"",
        }
    )
    assert [m.name for m in facts.modules] == ["shop", "shop/api", "shop/core"]
    assert edges_of(facts) == {("shop/api", "shop/core"): 1, ("shop/core", "shop"): 1}


# --- determinism -----------------------------------------------------------------------


class ShuffledSnapshot(MemorySnapshot):
    """Entries in a random order: analysis must not depend on it."""

    def __init__(self, files: dict[str, bytes], seed: int) -> None:
        super().__init__(files)
        self._shuffled = list(super().entries())
        random.Random(seed).shuffle(self._shuffled)

    def entries(self) -> Sequence[FileEntry]:
        return self._shuffled


def test_two_runs_and_shuffled_order_give_identical_bytes() -> None:
    def dump(facts: RepoFacts) -> str:
        return json.dumps(facts.to_json(), sort_keys=True)

    first = dump(facts_of(PY_REPO))
    second = dump(facts_of(PY_REPO))
    shuffled = [
        dump(analyze(ShuffledSnapshot(PY_REPO, seed), MemoryFactsCache())) for seed in range(5)
    ]
    warm_cache = MemoryFactsCache()
    analyze(MemorySnapshot(PY_REPO), warm_cache)
    warm = dump(analyze(MemorySnapshot(PY_REPO), warm_cache))
    assert first == second == warm
    assert set(shuffled) == {first}


def test_bin_scripts_and_crontabs_are_entry_points_by_path() -> None:
    facts = facts_of(
        {
            "bin/deploy": b"#!/bin/sh\necho deploy\n",
            "bin/console.rb": b"require 'irb'\n",
            "ops/crontab": b"0 * * * * /app/bin/deploy\n",
            "docs/bin.md": b"# not a script\n",
        }
    )
    by_name = {e.name: e for e in facts.entrypoints}
    assert by_name["bin scripts"].kind == "cli"
    assert by_name["bin scripts"].evidence == (Evidence("bin/console.rb"), Evidence("bin/deploy"))
    assert by_name["crontab"].evidence == (Evidence("ops/crontab"),)


def test_reused_per_file_results_follow_layout_changes() -> None:
    cache = MemoryFactsCache()
    files = {"api/app.py": b"import helpers\n", "core/x.py": b"X = 1\n"}
    first = analyze(MemorySnapshot(files), cache)
    assert first.edges == ()
    # Same bytes in api/app.py, but `helpers` now exists in the repository: an edge appears.
    files["helpers/__init__.py"] = b""
    second = analyze(MemorySnapshot(files), cache)
    assert edges_of(second) == {("api", "helpers"): 1}
    del files["helpers/__init__.py"]
    assert analyze(MemorySnapshot(files), cache).edges == ()


def test_dominant_module_splits_where_its_code_first_branches() -> None:
    code = [
        "service/web.py",
        *(f"service/core/{area}/m{i}.py" for area in ("users", "billing") for i in range(5)),
        "service/core/__init__.py",
        "web/app.ts",
    ]
    layout = Layout(code, ())
    assert layout.module_of("service/web.py") == "service"
    assert layout.module_of("service/core/__init__.py") == "service/core"
    assert layout.module_of("service/core/billing/m3.py") == "service/core/billing"
    assert layout.module_of("web/app.ts") == "web"


def test_python_code_importing_from_a_folder_on_its_path_resolves_there_first() -> None:
    r = resolver_for(
        {
            "service/web.py": b"",
            "service/core/__init__.py": b"",
            "service/core/accounts/__init__.py": b"",
            "service/core/accounts/cart.py": b"",
            "tools/core/__init__.py": b"",
            "tools/core/x.py": b"",
        }
    )
    cart = "service/core/accounts/cart.py"
    assert r.python(cart, ImportRef("core.accounts", 1, names=("cart",))) == (
        "service/core/accounts/__init__.py"
    )
    assert r.python("tools/core/x.py", ImportRef("core", 1)) == "tools/core/__init__.py"


def test_rails_constants_resolve_through_autoload_folders() -> None:
    r = resolver_for(
        {
            "app/models/billing/invoice.rb": b"",
            "app/models/concerns/auditable.rb": b"",
            "app/services/http_client.rb": b"",
            "lib/billing.rb": b"",
        }
    )

    def constant(name: str) -> str | None:
        return r.ruby("app/x.rb", ImportRef(name, 1, kind="constant"))

    assert constant("Billing::Invoice") == "app/models/billing/invoice.rb"
    assert constant("Billing::Unknown") == "lib/billing.rb"  # its namespace's file
    assert constant("Auditable") == "app/models/concerns/auditable.rb"
    assert constant("HTTPClient") == "app/services/http_client.rb"
    assert constant("Stripe") is None


def test_rails_app_modules_are_connected_by_constant_references() -> None:
    facts = facts_of(
        {
            "app/controllers/orders_controller.rb": (
                b"class OrdersController < ApplicationController\n"
                b"  def create; Order.create!; InvoiceMailer.sent; end\nend\n"
            ),
            "app/controllers/application_controller.rb": b"class ApplicationController\nend\n",
            "app/models/order.rb": b"class Order < ApplicationRecord\nend\n",
            "app/mailers/invoice_mailer.rb": b"class InvoiceMailer\nend\n",
        }
    )
    assert edges_of(facts) == {
        ("app/controllers", "app/mailers"): 1,
        ("app/controllers", "app/models"): 1,
    }
