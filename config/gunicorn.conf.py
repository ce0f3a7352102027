"""gunicorn settings for `docs-refresh serve` and the Procfile's `web`.

The webhook route is short and mostly waits on the queue storage, so threads (gthread)
serve it well; WEB_CONCURRENCY and WEB_THREADS size it per machine.
"""

import os

from bot.settings import Settings

_settings = Settings.from_env()  # refuses to start without WEBHOOK_SECRET, saying how to set it

bind = f"{_settings.host}:{_settings.port}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 30
keepalive = 5
accesslog = None  # the app logs each delivery with its id; a second line per request is noise
errorlog = "-"
loglevel = _settings.log_level.lower()
forwarded_allow_ips = "*"  # behind the platform's proxy
