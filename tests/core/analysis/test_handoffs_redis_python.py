"""Redis keys used as buffers in one Python file (`handoffs_redis_python`): the function that
adds to a key hands work to the one that drains it; caches and capped lists do not."""

from __future__ import annotations

import time

import pytest

from bot.core.analysis.handoffs_redis_python import redis_buffer_sites
from tests.core.analysis.idioms import handoffs, paired

DIGEST = (
    "from shop import redis_client\n\n"
    "def bucket(account_id):\n"
    "    return 'bounces:{}'.format(account_id)\n\n"
    "def mail_digests():\n"
    "    for k in redis_client.scan_iter(bucket('*')):\n"
    "        mail_digest(k.split(':')[1])\n\n"
    "def mail_digest(account_id):\n"
    "    items = redis_client.lrange(bucket(account_id), 0, -1)\n"
    "    redis_client.delete(bucket(account_id))\n\n"
    "def record_bounce(account_id, message):\n"
    "    redis_client.rpush(\n"
    "        bucket(account_id),\n"
    "        message,\n"
    "    )\n"
)
SEEN = (
    "import redis\n\nstore = redis.Redis()\nSEEN_AT = 'members:seen_at'\n\n"
    "def flush_seen():\n"
    "    for member in store.hkeys(SEEN_AT):\n"
    "        when = store.hget(SEEN_AT, member)\n"
    "        store.hdel(SEEN_AT, member)\n\n"
    "def touch(member_id, now):\n"
    "    store.hset(SEEN_AT, member_id, now)\n"
)


def test_a_list_filled_in_one_function_and_drained_in_another_is_a_hand_off() -> None:
    files = {"shop/bounces.py": DIGEST}
    paired(
        files,
        "bounces:{}",
        ("shop/bounces.py", "        bucket(account_id),"),
        ("shop/bounces.py", "def mail_digests"),
    )
    paired(
        files,
        "bounces:{}",
        ("shop/bounces.py", "        bucket(account_id),"),
        ("shop/bounces.py", "def mail_digest(account_id)"),
    )


def test_a_hash_drained_by_hkeys_and_hdel_is_a_hand_off() -> None:
    files = {"shop/members.py": SEEN}
    paired(
        files,
        "members:seen_at",
        ("shop/members.py", "store.hset"),
        ("shop/members.py", "def flush_seen"),
    )
    (site,) = [s for s in redis_buffer_sites(SEEN) if s.role == "produce"]
    assert (site.mechanism, site.aliases) == ("redis-hash", ("SEEN_AT",))


@pytest.mark.parametrize(
    "text",
    [
        # a cache: written and read, nothing removes from it but its writer
        "import redis\nr = redis.Redis()\nPAGES = 'pages'\n\n"
        "def put(k, v):\n    r.hset(PAGES, k, v)\n\ndef get(k):\n    return r.hget(PAGES, k)\n",
        # a capped list: the writer trims it, the reader only reads
        "import redis\nr = redis.Redis()\nRECENT = 'recent'\n\n"
        "def note(x):\n    r.lpush(RECENT, x)\n    r.ltrim(RECENT, 0, 99)\n\n"
        "def show():\n    return r.lrange(RECENT, 0, 9)\n",
        # a key with no string this file names: two files' `KEY`s must not meet
        "import redis\nr = redis.Redis()\n\n"
        "def add(key, x):\n    r.rpush(key, x)\n\ndef drain(key):\n    r.lrange(key, 0, -1)\n"
        "    r.delete(key)\n",
        # not redis at all: a list-like class of the file
        "QUEUE = 'q'\n\ndef add(x):\n    box.rpush(QUEUE, x)\n\ndef take():\n"
        "    return box.lpop(QUEUE)\n",
    ],
    ids=["cache", "capped-list", "unnamed-key", "not-redis"],
)
def test_lookalikes_are_no_hand_off(text: str) -> None:
    assert redis_buffer_sites(text) == ()
    assert handoffs({"app/store.py": text}) == ()


@pytest.mark.parametrize(
    "text",
    [
        "import redis\n" + "r.rpush(" * 100_000 + "\n",
        "import redis\nK = 'k'\n" + "def f():\n    r.rpush(K, 1)\n    r.lpop(K)\n" * 20_000,
        "import redis\n" + "    r.hset(" + "k(" * 50_000 + "\n",
        "import redis\nr.rpush(\n" + " " * 200_000 + "K)\n",
    ],
    ids=["calls", "many-keys", "nested", "blank-run"],
)
def test_hostile_files_give_sites_or_nothing_quickly(text: str) -> None:
    started = time.process_time()
    redis_buffer_sites(text)
    assert time.process_time() - started < 2.0
