"""The pure core: strings and snapshots in, values out. No env, clock, network or disk."""
