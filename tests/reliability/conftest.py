"""Reliability and security: the bot under load, faults, crashes and hostile input."""

from tests.helpers.redis import redis_url  # noqa: F401 - fixture
