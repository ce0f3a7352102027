"""Where a Python request goes when its URL is an element of another request's answer, a
URL parameter's default, or a backend an image's environment picks; and the reCAPTCHA
package (the held-out wger run: an image URL from the upstream API's JSON taken for a
user's webhook, the upstream instance only visible as a settings dict's default)."""

from __future__ import annotations

import time

from bot.core.analysis import analyze
from bot.core.analysis.deploy import backend_choice, parse_dockerfile
from bot.core.analysis.egress import outbound_calls
from bot.core.analysis.egress_services import USER_CONFIGURED
from bot.core.facts_cache import MemoryFactsCache
from bot.core.model import RepoFacts
from bot.core.snapshot import MemorySnapshot
from bot.local.catalog_file import default_catalog

CATALOG = default_catalog()


def facts_of(files: dict[str, bytes]) -> RepoFacts:
    return analyze(MemorySnapshot(files), MemoryFactsCache(), CATALOG)


def origins(source: bytes) -> dict[int, str]:
    calls, _, _ = outbound_calls("python", source)
    return {c.line: c.origin for c in calls if c.kind == "http"}


ANSWERS = (
    b"import requests\n"
    b"from shop.models import Hook\n\n"
    b"def first_picture(sku):\n"
    b"    found = requests.get('https://catalog.acme-corp.io/items?sku=' + sku).json()\n"
    b"    picture = found['results'][0]\n"
    b"    return requests.get(picture['picture'])\n\n"  # 7: the answer's own link
    b"def all_pictures(page_url):\n"
    b"    listing = requests.get(page_url)\n"
    b"    for entry in listing.json()['results']:\n"
    b"        requests.get(entry['thumb'])\n\n"  # 12: an element the loop walks
    b"def ping_hooks(owner):\n"
    b"    for hook in Hook.objects.filter(owner=owner):\n"
    b"        requests.post(hook['target'])\n"  # 16: a stored row: a user's endpoint
    b"    row = Hook.objects.get(pk=1)\n"
    b"    entry = row['targets'][0]\n"
    b"    requests.post(entry['target'])\n"  # 19: an element of a stored row: a user's
)


def test_an_element_of_an_http_answer_is_that_answer_s_link_not_a_users() -> None:
    found = origins(ANSWERS)
    assert found[7] == "response"
    assert found[12] == "response"
    assert found[16] == "user"
    assert found[19] == "user"
    names = {s.name for s in facts_of({"shop/pictures.py": ANSWERS}).integrations}
    assert USER_CONFIGURED in names  # the stored rows' hooks still are


def test_only_the_answer_s_links_make_no_user_endpoint() -> None:
    only_answers = ANSWERS.split(b"def ping_hooks")[0]
    names = {s.name for s in facts_of({"shop/pictures.py": only_answers}).integrations}
    assert USER_CONFIGURED not in names


SETTINGS = b"FEEDS = {\n    'MIRROR': 'https://mirror.acme-corp.io',\n    'PAGE_SIZE': 20,\n}\n"
MIRROR = (
    b"import requests\n"
    b"from django.conf import settings\n\n"
    b"def pull_items(path, mirror_url=settings.FEEDS['MIRROR']):\n"
    b"    return requests.get(mirror_url + path).json()\n\n"
    b"def push_items(items, target_url=None):\n"
    b"    # def look(url=settings.FEEDS['MIRROR']): a comment sets no default\n"
    b"    return requests.post(target_url, json=items)\n"
)


def test_a_url_parameter_s_default_from_a_settings_dict_names_its_host() -> None:
    facts = facts_of({"conf/settings.py": SETTINGS, "feeds/mirror.py": MIRROR})
    by_name = {s.name: s for s in facts.integrations}
    mirror = by_name["mirror.acme-corp.io"]
    assert ("feeds/mirror.py", 5) in {(e.path, e.line) for e in mirror.evidence}
    assert mirror.configured_by == ("settings.FEEDS['MIRROR']",)
    # no default: still only a wrapper for its callers' URLs, no claim of its own
    assert not any(("feeds/mirror.py", 9) in {(e.path, e.line) for e in s.evidence}
                   for s in facts.integrations)  # fmt: skip


def test_a_default_that_is_no_written_address_keeps_the_parameter() -> None:
    source = (
        b"import requests\n\n"
        b"def fetch(url=None):\n"
        b"    return requests.get(url)\n\n"
        b"def fetch_all(url=lambda: 1):\n"
        b"    return requests.get(url)\n"
    )
    calls, _, meta = outbound_calls("python", source)
    assert {c.origin for c in calls} == {"parameter"}
    assert ("egress.wrapper", "fetch") in meta


def test_an_image_s_environment_picking_a_backend_module_claims_its_store() -> None:
    dockerfile = (
        b"FROM python:3.13-slim\n"
        b"ENV APP_DB_ENGINE=django.db.backends.sqlite3\n"
        b"ENV APP_HOST=redis.cache.internal\n"
        b'ENV NOTE_ENGINE="django.db.backends.sqlite3 by default"\n'
        b"# ENV OLD_DB_ENGINE=django.db.backends.postgresql\n"
        b'CMD ["gunicorn", "app.wsgi"]\n'
    )
    signals = [s for s in parse_dockerfile(dockerfile).signals if s.kind.endswith("backend")]
    assert [(s.name, s.line) for s in signals] == [("APP_DB_ENGINE", 2)]
    facts = facts_of({"deploy/demo/Dockerfile": dockerfile})
    assert "SQLite" in {s.name for s in facts.datastores}
    assert "Redis" not in {s.name for s in facts.datastores}


def test_a_compose_environment_picking_a_backend_module_claims_its_store() -> None:
    compose = (
        b"services:\n"
        b"  web:\n"
        b"    image: acme/web\n"
        b"    environment:\n"
        b"      - CACHE_BACKEND=django_redis.cache.RedisCache\n"
        b"      - REDIS_NOTE=redis.cache\n"
    )
    facts = facts_of({"docker-compose.yml": compose})
    redis = [s for s in facts.datastores if s.name == "Redis"]
    assert redis
    assert ("docker-compose.yml", 5) in {(e.path, e.line) for e in redis[0].evidence}


def test_the_recaptcha_package_the_app_imports_is_google_recaptcha() -> None:
    forms = (
        b"from django import forms\n"
        b"from django_recaptcha.fields import ReCaptchaField\n\n"
        b"class SignupForm(forms.Form):\n"
        b"    captcha = ReCaptchaField()\n"
    )
    lookalike = b"# from django_recaptcha.fields import ReCaptchaField\nRECAPTCHA = 'off'\n"
    assert "Google reCAPTCHA" in {s.name for s in facts_of({"app/forms.py": forms}).integrations}
    names = {s.name for s in facts_of({"app/other.py": lookalike}).integrations}
    assert "Google reCAPTCHA" not in names


def test_hostile_answers_loops_and_environments_stay_quick() -> None:
    deep_index = b"x = r" + b"[0]" * 20_000 + b"\n"
    nested = b"".join(b"    " * k + b"for v%d in r.json():\n" % k for k in range(90))
    hostile = [
        b"import requests\n\ndef f():\n    r = requests.get('https://a.acme-corp.io').json()\n"
        + b"    "
        + deep_index
        + b"    requests.get(x['u'])\n",
        b"import requests\n\ndef f():\n    r = requests.get('https://a.acme-corp.io')\n"
        + b"\n".join(b"    " + line for line in nested.splitlines())
        + b"\n"
        + b"    " * 91
        + b"requests.get(v89['u'])\n",
        b"import requests\n\ndef f(" + b"a=1, " * 5_000 + b"url=settings.X):\n"
        b"    requests.get(url)\n" * 200,
    ]
    for source in hostile:
        start = time.process_time()
        outbound_calls("python", source)
        assert time.process_time() - start < 2.0
    start = time.process_time()
    assert backend_choice("DB_ENGINE", "a." * 100_000, 1) == []
    assert backend_choice("DB_ENGINE", "a" + ".b" * 140, 1) == []
    parse_dockerfile(b"ENV DB_ENGINE=" + b"a.b" * 200_000 + b"\n" * 1_000)
    assert time.process_time() - start < 2.0


def test_a_flow_to_a_defaulted_setting_names_its_host_and_the_setting() -> None:
    command = (
        b"from django.core.management.base import BaseCommand\n"
        b"from feeds.mirror import pull_items\n\n"
        b"class Command(BaseCommand):\n"
        b"    def handle(self, **options):\n"
        b"        pull_items('/items')\n"
    )
    files = {
        "conf/settings.py": SETTINGS,
        "feeds/__init__.py": b"",
        "feeds/mirror.py": MIRROR,
        "feeds/management/commands/pull.py": command,
    }
    sinks = {s.what for f in facts_of(files).flows for s in f.sinks}
    assert (
        "sends an HTTP request to mirror.acme-corp.io (requests, configured by "
        "settings.FEEDS['MIRROR'])"
    ) in sinks
