"""What Python code shows besides imports: environment reads and signal rules.

Rules with `needs` run only when the file imports one of those libraries (a set lookup),
the rest only when their trigger substring occurs; both keep a cold scan cheap.
"""

from __future__ import annotations

import re

from bot.core.analysis.scan import rule

# Each pattern starts with a literal, so the regex engine skips ahead in C.
ENV_PATTERNS = (
    (
        "environ",
        re.compile(r"environ(?:\[\s*|\.(?:get|setdefault|pop)\(\s*)[\"']([A-Za-z_]\w*)[\"']"),
    ),
    ("getenv", re.compile(r"getenvb?\(\s*[\"']([A-Za-z_]\w*)[\"']")),
    (
        "env",  # django-environ / environs: env("X"), env.bool("X")
        re.compile(
            r"env(?:\.(?:str|int|bool|float|list|dict|json|url|db_url|db|cache_url|path))?"
            r"\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
        ),
    ),
)

_Q = r"[\"']"
# The path as a string, or a string wrapped in one helper call that prefixes it
# (`@bp.route(org_scoped("/login"))`).
_ROUTE = rf"\(\s*(?:[A-Za-z_]\w{{0,60}}\(\s*)?{_Q}(?P<route>[^\"']*){_Q}"
RULES = (
    # HTTP
    rule(".route(", rf"@\w+(?:\.\w+)*\.route{_ROUTE}", "entrypoint.http", "HTTP route", "route"),
    rule(
        "@",
        rf"@\w+(?:\.\w+)*\.(?:get|post|put|patch|delete|head|options|websocket|api_route)"
        rf"{_ROUTE}",
        "entrypoint.http",
        "HTTP route",
        "route",
    ),
    rule(
        # Litestar's (and BlackSheep's) handlers are decorated by bare verb functions.
        "@",
        rf"@(?:get|post|put|patch|delete|route)\(\s*(?:path\s*=\s*)?{_Q}(?P<route>[^\"']*){_Q}",
        "entrypoint.http",
        "HTTP route",
        "route",
        needs=("litestar", "blacksheep"),
    ),
    rule(
        "Flask(",
        r"\bFlask\(",
        "entrypoint.http",
        "Flask app",
        needs=("flask",),
    ),
    rule("FastAPI(", r"\bFastAPI\(", "entrypoint.http", "FastAPI app", needs=("fastapi",)),
    rule("urlpatterns", r"\burlpatterns\s*[+]?=", "entrypoint.http", "Django URLs"),
    rule(
        "path(",
        # `(?:re_path|path)`, not `(?:re_)?path`: the same matches, but the engine can
        # skip to the letters that start them (a leading optional group made it try every
        # position: 4x slower, the costliest rule on Django code).
        r"\b(?:re_path|path)\(\s*r?[\"'](?P<route>[^\"']*)[\"']",
        "entrypoint.http",
        "Django route",
        "route",
        needs=("django",),
    ),
    rule(
        "_application(",
        r"\bget_[wa]sgi_application\(",
        "entrypoint.http",
        "Django app",
        needs=("django",),
    ),
    rule(
        "web.Application(",
        r"\bweb\.Application\(",
        "entrypoint.http",
        "aiohttp app",
        needs=("aiohttp",),
    ),
    rule("Starlette(", r"\bStarlette\(", "entrypoint.http", "Starlette app", needs=("starlette",)),
    # CLI
    rule(
        "click", r"@click\.(?:command|group)\b", "entrypoint.cli", "click command", needs=("click",)
    ),
    rule(".command(", r"@(?!click\.)\w+\.command\(", "entrypoint.cli", "CLI command"),
    rule("Typer(", r"\btyper\.Typer\(|\bTyper\(", "entrypoint.cli", "Typer app", needs=("typer",)),
    rule(
        "ArgumentParser(",
        r"\bArgumentParser\(",
        "entrypoint.cli",
        "argparse CLI",
        needs=("argparse",),
    ),
    rule(
        "__main__", r"\bif\s+__name__\s*==\s*[\"']__main__[\"']\s*:", "entrypoint.cli", "__main__"
    ),
    rule("fire.Fire(", r"\bfire\.Fire\(", "entrypoint.cli", "Fire CLI", needs=("fire",)),
    rule(
        "BaseCommand",
        r"\bclass\s+Command\(\s*BaseCommand\s*\)",
        "entrypoint.cli",
        "Django command",
        needs=("django",),
    ),
    # A command on the project's own base (`class Command(SyncCommand)`, itself a
    # BaseCommand elsewhere): Django loads any class named `Command` of a commands module,
    # and the base's name says what it is even where the file imports no django.
    rule(
        "class Command(",
        r"\bclass\s+Command\(\s*[A-Z]\w{0,60}Command\s*\)",
        "entrypoint.cli",
        "Django command",
    ),
    # workers and schedulers
    rule("Celery(", r"\bCelery\(", "entrypoint.worker", "Celery app", needs=("celery",)),
    rule("shared_task", r"@shared_task\b", "entrypoint.worker", "Celery task", needs=("celery",)),
    rule(".task", r"@\w+\.(?:task|db_task)\b", "entrypoint.worker", "task"),
    rule(
        "Huey(",
        r"\b(?:Redis|Sqlite|Memory|Priority\w{0,40}?)?Huey\(",
        "entrypoint.worker",
        "huey",
        needs=("huey",),
    ),
    rule(
        "dramatiq.actor",
        r"@dramatiq\.actor\b",
        "entrypoint.worker",
        "Dramatiq actor",
        needs=("dramatiq",),
    ),
    rule(
        "Queue(",
        r"\bQueue\((?:[^()\n]|\([^()\n]*+\))*+connection\s*=",
        "entrypoint.worker",
        "RQ queue",
        needs=("rq",),
    ),
    rule(
        "periodic_task",
        r"@\w+\.(?:db_)?periodic_task\(",
        "entrypoint.scheduler",
        "periodic task",
    ),
    rule("beat_schedule", r"\bbeat_schedule\b", "entrypoint.scheduler", "Celery beat"),
    rule(
        "Scheduler(",
        r"\b(?:Background|Blocking|AsyncIO)Scheduler\(",
        "entrypoint.scheduler",
        "APScheduler",
        needs=("apscheduler",),
    ),
    rule(
        "schedule.every(",
        r"\bschedule\.every\(",
        "entrypoint.scheduler",
        "schedule",
        needs=("schedule",),
    ),
    # consumers
    rule(
        "KafkaConsumer(",
        r"\b(?:AIO)?KafkaConsumer\(",
        "entrypoint.consumer",
        "Kafka consumer",
        needs=(
            "kafka",
            "aiokafka",
        ),
    ),
    rule("basic_consume(", r"\.basic_consume\(", "entrypoint.consumer", "AMQP consumer"),
    rule(
        "receive_message(",
        r"\.receive_message\(",
        "entrypoint.consumer",
        "SQS consumer",
        needs=(
            "boto3",
            "aiobotocore",
            "aioboto3",
        ),
    ),
    # observability
    rule(
        "getLogger(",
        r"\blogging\.getLogger\(",
        "observability.logging",
        "logging",
        needs=("logging",),
    ),
    rule(
        "structlog",
        r"\bstructlog\.(?:get_logger|configure)\(",
        "observability.logging",
        "structlog",
        needs=("structlog",),
    ),
    rule("loguru", r"\bloguru\b", "observability.logging", "loguru", needs=("loguru",)),
    rule(
        "sentry_sdk.init(",
        r"\bsentry_sdk\.init\(",
        "observability.errors",
        "Sentry",
        needs=("sentry_sdk",),
    ),
    rule(
        "prometheus",
        r"\bprometheus_client\b",
        "observability.metrics",
        "Prometheus",
        needs=("prometheus_client",),
    ),
    rule(
        "statsd",
        r"\bstatsd\b",
        "observability.metrics",
        "StatsD",
        needs=(
            "statsd",
            "datadog",
        ),
    ),
    rule(
        "opentelemetry",
        r"\bopentelemetry\b",
        "observability.tracing",
        "OpenTelemetry",
        needs=("opentelemetry",),
    ),
    rule("ddtrace", r"\bddtrace\b", "observability.tracing", "Datadog APM", needs=("ddtrace",)),
    # A health path is a health check only where a route is declared (a decorator, a URL
    # rule, a Django path); a "/health" string elsewhere is a client's URL or a table key.
    rule(
        "health",
        r"(?:@\w+(?:\.\w+)*\.(?:route|get|head|api_route)|\b(?:add_url_rule|add_api_route"
        r"|add_route|add_get|re_path|path|url))\(\s*[rR]?[\"']\^?(/?health[\w-]*)",
        "observability.health",
        "health check",
    ),
    # resilience
    rule("retry", r"@(?:\w+\.)*retry\b", "resilience.retry", "retry decorator"),
    rule("tenacity", r"\btenacity\b", "resilience.retry", "tenacity", needs=("tenacity",)),
    rule(
        "backoff.on_",
        r"\bbackoff\.on_(?:exception|predicate)\b",
        "resilience.backoff",
        "backoff",
        needs=("backoff",),
    ),
    rule(
        "Retry(",
        r"\bRetry\(",
        "resilience.retry",
        "urllib3 Retry",
        needs=(
            "urllib3",
            "requests",
        ),
    ),
    rule("retries", r"\bretries\s*=\s*\d", "resilience.retry", "retries"),
    rule(
        "CircuitBreaker",
        r"\bCircuitBreaker\(|\bpybreaker\b",
        "resilience.circuit-breaker",
        "circuit breaker",
        needs=(
            "pybreaker",
            "circuitbreaker",
            "aiobreaker",
        ),
    ),
)
