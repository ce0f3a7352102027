"""Carts are short-lived: a Redis hash per session, expiring after a day."""

import redis
from flask import current_app

CART_TTL_SECONDS = 86_400


def client() -> redis.Redis:
    return redis.Redis.from_url(current_app.config["REDIS_URL"])


def add(session_id: str, product_id: int, quantity: int = 1) -> None:
    key = f"cart:{session_id}"
    client().hincrby(key, str(product_id), quantity)
    client().expire(key, CART_TTL_SECONDS)


def items(session_id: str) -> dict[int, int]:
    raw = client().hgetall(f"cart:{session_id}")
    return {int(k): int(v) for k, v in raw.items()}


def clear(session_id: str) -> None:
    client().delete(f"cart:{session_id}")
