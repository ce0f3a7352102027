import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Config:
    DATABASE_URL: str
    REDIS_URL: str
    STRIPE_API_KEY: str
    STRIPE_WEBHOOK_SECRET: str
    LOG_LEVEL: str = "INFO"

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            DATABASE_URL=os.environ["DATABASE_URL"],
            REDIS_URL=os.environ.get("REDIS_URL", "redis://localhost:6379/0"),
            STRIPE_API_KEY=os.environ["STRIPE_API_KEY"],
            STRIPE_WEBHOOK_SECRET=os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
            LOG_LEVEL=os.environ.get("LOG_LEVEL", "INFO"),
        )
