"""The claims index gives exactly the extractors that asking every one of them gives."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from bot.core.analysis.claims import ClaimIndex, claims
from bot.core.analysis.extractors import CLAIMS, EXTRACTORS, extractor_for

ROOT = Path(__file__).resolve().parents[3]

# File names each extractor (or a near miss of it) is about, in the spellings seen in the wild.
NAMES = [
    "requirements.txt", "requirements-dev.txt", "dev-requirements.in", "constraints.txt",
    "base.txt", "base.in", "pyproject.toml", "Pipfile", "Pipfile.lock", "setup.py", "setup.cfg",
    "package.json", "Gemfile", "gems.rb", "Gemfile.lock", "gems.locked", "go.mod", "go.sum",
    "settings.py", "config.py", "prod_settings.py", "__init__.py", ".env", ".env.example",
    ".env.local", ".ENV", "app.env", "env.example", "env.sample", "env.template", "env.dist",
    ".envrc", "test.env", "env.txt", "database.yml", "cable.yml", "storage.yml", "sidekiq.yml",
    "application.rb", "production.rb", "test.rb", "schema.prisma", "Dockerfile",
    "Dockerfile.prod", "dockerfile", "api.dockerfile", "Containerfile", "web.containerfile",
    "compose.yml", "compose.yaml", "docker-compose.yml", "docker-compose.override.yaml",
    "compose-dev.yml", "Compose.yml", "Procfile", "Procfile.dev", "procfile", "app.json",
    "Caddyfile", "Caddyfile.prod", "caddyfile", "site.caddyfile",
    "heroku.yml", "fly.toml", "render.yaml", "render.yml", "vercel.json", "netlify.toml",
    "railway.json", "railway.toml", "serverless.yml", "serverless.yaml", "app.yaml", "app.yml",
    "01-env.config", "python.json", "deployment.yaml", "kustomization.yaml", "kustomization.yml",
    "Chart.yaml", "values.yaml", "main.py", "index.ts", "types.d.ts", "App.tsx", "util.mts",
    "lib.cts", "main.js", "view.jsx", "a.mjs", "b.cjs", "Comp.vue", "Comp.svelte", "tool.rb",
    "tasks.rake", "config.ru", "Rakefile", "Gemfile.rb", "main.go", "README.md", "Makefile",
    "noext", ".", "..", "x.PY", "X.Go", "next.config.js", "next.config.mjs", "Next.config.ts",
    "next.config.json", "uwsgi.ini", "pytest.ini", "supervisord.conf", "app.conf", "nginx.conf",
    "feeds.service", "a.SERVICE", "ecosystem.config.json", "pm2.json", "show.html.erb",
    "cron.yaml.erb", "card.html.haml", "x.erb",
]  # fmt: skip
FOLDERS = [
    "",
    "config/",
    "config/environments/",
    "config/initializers/",
    "app/config/",
    "requirements/",
    "proj/settings/",
    "settings/",
    "clevercloud/",
    ".ebextensions/",
    ".elasticbeanstalk/",
    "k8s/",
    "deploy/overlays/",
    "charts/web/templates/",
    "node_modules/x/",
    "src/",
    "deployment/supervisor/",
]


def _tree_paths(root: Path) -> list[str]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".venv", "node_modules")]
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        out += [name if rel == "." else f"{rel}/{name}" for name in files]
    return out


@pytest.mark.parametrize("folder", FOLDERS)
def test_index_answers_as_asking_every_extractor(folder: str) -> None:
    for name in NAMES:
        path = folder + name
        assert CLAIMS.claimants(path) == CLAIMS.exhaustive(path), path


def test_index_answers_as_asking_every_extractor_on_this_repository() -> None:
    paths = _tree_paths(ROOT)
    assert len(paths) > 200
    for path in paths:
        assert CLAIMS.claimants(path) == CLAIMS.exhaustive(path), path


def test_every_extractor_declares_its_claims() -> None:
    # Undeclared would still be correct (asked about every path) but slow: say so here.
    assert [e.name for e in EXTRACTORS if getattr(e, "claims", None) is None] == []


def test_an_undeclared_extractor_is_asked_about_every_path() -> None:
    tests = [lambda p: p.endswith(".x"), lambda p: "odd" in p, lambda p: p.endswith(".y")]
    index = ClaimIndex(tests, [claims(extensions=("x",)), None, claims(names=("a.y",))])
    for path, want in [
        ("b.x", (0,)),
        ("odd.x", (0, 1)),
        ("odd/a.y", (1, 2)),
        ("odd", (1,)),
        ("a.Y", ()),
        ("A.y", (2,)),
    ]:
        assert index.claimants(path) == want == index.exhaustive(path)


def test_claims_are_compared_in_lower_case_and_prefixes_of_paths_as_written() -> None:
    tests = [lambda p: p.lower().endswith("dockerfile"), lambda p: p.startswith(".eb/")]
    index = ClaimIndex(tests, [claims(names=("Dockerfile",)), claims(path_prefixes=(".eb/",))])
    assert index.candidates("x/DOCKERFILE") == (0,)
    assert index.candidates(".eb/Dockerfile") == (0, 1)
    assert index.candidates(".EB/x") == ()


def test_choice_is_the_same_for_every_combination_of_folder_and_name() -> None:
    names = {e.name for e in EXTRACTORS}
    seen = set()
    for folder, name in itertools.product(FOLDERS, NAMES):
        extractor = extractor_for(folder + name)
        if extractor is not None:
            seen.update(part.split(".")[0] for part in extractor.name.split("+"))
    # The vocabulary above reaches every extractor, so the first test covers them all.
    assert names <= seen
