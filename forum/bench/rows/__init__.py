"""Table rows (plain dicts for Core executemany inserts) built from a benchmark forum's shape."""
