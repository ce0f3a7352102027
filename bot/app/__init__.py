"""The entry layer: the processes. The web process (`web`, `wsgi`: verify, dedupe, route,
enqueue, answer), the huey worker (`tasks`, `registry`, `worker_context`, `deps`, the
composition root), the embedded single-process mode (`embedded`), the queue's storage
(`storage`: SQLite or Redis), metrics and logs, and the vocabulary the feature handlers speak
(`jobs`, `routing`, `webhooks`).

May import every layer below: `bot.handlers`, `bot.service`, the adapters (`bot.github`,
`bot.local`), `bot.core` and `bot.settings`. Nothing below imports it, except the feature
handlers, which build on its vocabulary modules (`jobs`, `registry`, `routing`, `webhooks`,
`worker_context`, `preview_tasks`).
"""
