"""Pause Python's cycle collector while a vault is read.

Reading a big vault allocates hundreds of thousands of small records that live until
the run ends. Each allocation burst triggers the cycle collector, and its older
generations walk every live object again: on 30,000 notes that was a fifth of a cold
`sync`. The records are trees (tuples, strings, frozen dataclasses) with no cycles to
find, so the collector is paused for the read and resumed at the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Nested use is fine: only the outermost pause turns the collector back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
