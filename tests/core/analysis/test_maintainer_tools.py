"""A top-level `bin/` Python program that no deployment file names is a maintainer's tool:
what only it calls is not the app's (`maintainer_tools`)."""

from __future__ import annotations

from bot.core.analysis import analyze
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog


def program(host: str) -> str:
    return (
        "import requests\n\n\ndef main():\n"
        f"    requests.post('https://{host}/v1/things', json={{}}, timeout=5)\n\n\n"
        "if __name__ == '__main__':\n    main()\n"
    )


APP = {
    "requirements.txt": "requests\n",
    "Dockerfile": 'FROM python:3.12\nCOPY . /app\nENTRYPOINT ["/app/bin/entrypoint"]\n'
    'CMD ["python", "bin/serve.py"]\n',
    # a shell script no extractor reads: what it runs is run by the deployment too
    "bin/entrypoint": '#!/bin/sh\nexec python /app/bin/sync_worker.py "$@"\n',
    "bin/serve.py": program("api.stripe.com"),
    "bin/sync_worker.py": program("api.mailgun.net"),
    "bin/cut_release.py": program("api.github.com"),
}


def facts_of(files: dict[str, str]) -> RepoFacts:
    snapshot = MemorySnapshot({p: t.encode() for p, t in files.items()})
    return analyze(snapshot, MemoryFactsCache(), default_catalog())


def test_a_bin_program_the_deployment_never_runs_makes_no_claim() -> None:
    facts = facts_of(APP)
    names = {s.name for s in facts.integrations}
    assert "GitHub" not in names  # bin/cut_release.py: named by no deployment file
    assert not any(h.path == "bin/cut_release.py" for f in facts.flows for h in f.hops)
    # the Dockerfile's program and the one its entrypoint script runs
    assert "Mailgun" in names
    assert any("stripe" in n.casefold() for n in names)


def test_the_same_program_named_by_a_procfile_is_the_app_s() -> None:
    files = {**APP, "Procfile": "release: python bin/cut_release.py\n"}
    assert "GitHub" in {s.name for s in facts_of(files).integrations}
