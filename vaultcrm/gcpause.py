"""Pause Python's cycle collector while a vault is read.

Reading a big vault allocates hundreds of thousands of small records that live until
the run ends. Each allocation burst triggers the cycle collector, and its older
generations walk every live object again: on 30,000 notes that was a fifth of a cold
`sync`. The records are trees (tuples, strings, frozen dataclasses) with no cycles to
find, so the collector is paused for the read and resumed at the end.

Resuming must not cost what the pause saved: everything allocated meanwhile sits in the
youngest generation, so the first collection after `gc.enable()` would walk all of it
(then again as it is promoted). The objects are moved to the oldest generation instead
(`gc.freeze()` then `gc.unfreeze()`, which do not walk them): any cycle among them is
still found, by the next full collection.
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
            _promote_young()
            gc.enable()


def _promote_young() -> None:
    """Move every tracked object to the oldest generation, unless objects are frozen
    already (by whoever embeds vaultcrm): unfreezing would thaw theirs too."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
