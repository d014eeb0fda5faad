"""Speed mechanisms turned off one at a time, for `benchmarks/run.py`'s A/B only.

`VAULTCRM_BENCH_OFF=walk_fork,parse_fork` runs vaultcrm without the named mechanisms,
so a benchmark can time each one against the same code without it (benchmarks/README.md,
"A/B"). Read once, here; nothing a user runs needs it.
"""

from __future__ import annotations

import os

#: the names `off` knows, each a mechanism the benchmarks measure alone
NAMES = frozenset({
    "walk_fork", "walk_folders", "parse_fork", "detached_store", "exit", "pool", "gc_pause",
})

_OFF = frozenset(n.strip() for n in os.environ.get("VAULTCRM_BENCH_OFF", "").split(",")) & NAMES


def off(name: str) -> bool:
    """Whether the benchmark turned mechanism `name` off for this process."""
    return name in _OFF
