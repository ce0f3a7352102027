"""`docs-refresh run`: gunicorn with one worker process that also runs the huey consumer.

The default for one machine: one command, one SQLite file, no Redis. gunicorn still
supervises (a crashed worker is restarted with its consumer), and the consumer's threads
start after the fork and stop gracefully with the worker.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from bot.app.tasks import Queue, build_queue
from bot.app.web import create_app
from bot.settings import Settings

WEB_THREADS = 4


class Embedded(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, settings: Settings, threads: int | None = None) -> None:
        self.settings = settings
        self.threads = threads or settings.worker_threads
        self.queue: Queue | None = None
        self.consumer: Any = None
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": WEB_THREADS,
            "graceful_timeout": 30,
            "post_worker_init": self._start_consumer,
            "worker_exit": self._stop_consumer,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in the worker process, after the fork: connections are this process's own.
        self.queue = build_queue(self.settings)
        return create_app(self.settings, queue=self.queue)

    def _start_consumer(self, worker: Any) -> None:
        if self.queue is None:
            return
        self.consumer = self.queue.consumer(self.threads)
        # Consumer.start() would install signal handlers over gunicorn's; start its threads.
        self.consumer.scheduler.start()
        for _, thread in self.consumer.worker_threads:
            thread.start()

    def _stop_consumer(self, server: Any, worker: Any) -> None:
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
