"""Bounds of the call reader (`calls`, `calls_js`): what one file's calls may cost."""

MAX_CALLS = 5_000
# The parse budget of the call reader, tighter than extraction's: it runs outside the per-file
# deadline. Real code reports progress ~0.006-0.011 times a byte (at most 0.019 in files over
# 2 KB of lobsters, memos, ghostfolio and netbox); Ruby's error recovery on garbage spends
# ~180 us a report, so extraction's budget (5,000 + 0.25/byte) let a 400 kB file cost ~18 s.
PARSE_PER_BYTE = 0.05
PARSE_FLOOR = 500
MAX_PARTS = 6  # `a.b.c.d.e.f(`: longer chains are not followed
