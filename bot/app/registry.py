"""The registry of job functions: what the worker can run, by name.

The worker runs a job by name from `JOB_FUNCTIONS`, so a feature module adds work with one
`@job("name")` decorator and no huey code. Job functions import their heavy dependencies
(PyGithub, the service) inside their bodies: the web process imports this registry too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.jobs import Job
    from bot.app.worker_context import WorkerContext

JobFunction = Callable[["WorkerContext", "Job"], str]
JOB_FUNCTIONS: dict[str, JobFunction] = {}


def job(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a worker function under `name`; it returns a short outcome word."""

    def register(func: JobFunction) -> JobFunction:
        if name in JOB_FUNCTIONS and JOB_FUNCTIONS[name] is not func:
            raise ValueError(f"job {name!r} is registered twice")
        JOB_FUNCTIONS[name] = func
        return func

    return register
