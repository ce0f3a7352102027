"""The service layer: one refresh of one base branch (`refresh`: snapshot → core → guard →
`publishing`), pull-request previews (`preview`), the `/refresh-docs` command
(`refresh_command`, `commands`, `permissions`), comments, check runs and doc diffs — all
against the ports in `bot.service.ports` (`RepoGateway` for a refresh, `Conversation` for
talking with people), never against PyGithub.

May import `bot.core`, `bot.settings` and its own ports. Never the entry layer (`bot.app`,
`bot.cli`), the handlers, or an adapter (`bot.github`, `bot.local`, `bot.sandbox`): those are
handed in by the composition root, `bot.app.deps`.
"""
