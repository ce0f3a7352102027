"""The local adapters: a checkout on disk as a snapshot (`checkout`, with `git_index` and
`git_revision` reading git's own files and objects), the facts cache on SQLite or Redis
(`facts_cache`), and the files shipped beside the code (`catalog_file` for
`config/integrations.yml`, `defaults_file` for `config/defaults.yml`).

May import `bot.core`, `bot.settings` and `bot.service.ports`; never `bot.app`, `bot.cli`,
`bot.handlers` or the service's internals.
"""
