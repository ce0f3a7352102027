"""The GitHub adapter, and the only importer of PyGithub: app and installation auth
(`auth`), the `RepoGateway` (`gateway`), the `Conversation` (`conversation`), snapshots of a
commit from tarballs and blobs (`snapshot`, `tarball`), and the factory the worker's
composition root calls (`factory`). It talks to api.github.com, GitHub Enterprise Server or
the sandbox alike, through `GITHUB_API_URL`.

May import `bot.core`, `bot.settings` and `bot.service.ports`; never `bot.app`, `bot.cli`,
`bot.handlers` or the service's internals.
"""
