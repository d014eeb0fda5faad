"""Pause Python's cycle collector while a vault is read; leave the rest to process exit.

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

Freeing is the other cost: a cold sync's records and the vault assembled from them take
a noticeable share of a run to free object by object (benchmarks/RESULTS.md). The console
entry point ends the process with `os._exit` (after flushing), so what the core hands to
`leave_to_exit` is never freed by Python at all. Only the entry point turns this on
(`end_with_exit`); a library caller or a long-running watch keeps nothing.
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


#: What the process keeps until it ends (see the module docstring).
_kept: list[object] = []
_ending = False


def end_with_exit(on: bool = True) -> None:
    """The process ends with `os._exit` right after this command: objects handed to
    `leave_to_exit` are kept for the operating system to reclaim. Off for a command that
    computes again and again (watch)."""
    global _ending
    _ending = on
    if not on:
        _kept.clear()


def leave_to_exit(*objects: object) -> None:
    """Big structures a run is done with: kept (never freed one by one) when the process
    is about to end, else left to Python as usual."""
    if _ending and not off("keep"):
        _kept.extend(objects)
