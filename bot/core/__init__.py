"""The pure core: strings and snapshots in, values out. No env, clock, network or disk.

Markers and documents, the analysis (`analysis`: per-file facts, the import graph, services,
entry points), render, refresh and the guard. Imports nothing else of `bot`: the stdlib,
markdown-it-py, PyYAML and pathspec only.
"""
