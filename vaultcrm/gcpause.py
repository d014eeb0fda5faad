"""Pause Python's cycle collector while a vault is read; free a long-running process's cycles.

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

That next full collection is the catch for a process that runs pass after pass (`watch`).
Promoted objects do not count toward CPython's trigger for a full collection, and what a
watcher allocates outside its passes dies young, so the collector would never run one: every
pass's cycles (a Jinja environment and its classes, an exception's frames) would stay, a
little more memory after every save, for as long as the watch runs. Such a process calls
`collect_cycles` after each pass, while it waits for the next change.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from vaultcrm.benchswitch import off


@contextmanager
def collector_paused() -> Iterator[None]:
    """Nested use is fine: only the outermost pause turns the collector back on."""
    if off("gc_pause"):
        yield
        return
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


def collect_cycles() -> None:
    """Free whatever cycles the last pass left (see the module docstring): one full
    collection, for a process that pauses the collector pass after pass. Skipped when
    whoever embeds vaultcrm turned the collector off."""
    if gc.isenabled():
        gc.collect()
