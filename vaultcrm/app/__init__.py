"""Use cases (sync, due, check, watch, the write commands): they never print."""
