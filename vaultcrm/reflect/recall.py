"""What the note recalls of a person, from a `Vault` for one day, pure: their last
contact, their last open exchange, and whether their reflections ask for the latter;
and the flags their interactions carry (the vault's flags in use, person by person).

The note's context line (the focus list, a template's `item.last` and `item.open`) and
the results the index keeps per person both come from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from vaultcrm.model import OPEN_FLAGS, Interaction, Reflection, Vault
from vaultcrm.reflect.kinds import KIND
from vaultcrm.reflect.rules import inferred_words, until
from vaultcrm.words import inferred


def last_contact(vault: Vault, name: str, today: dt.date) -> Interaction | None:
    """The last interaction on or before today."""
    past = until(vault.interactions.get(name, ()), today)
    return past[-1] if past else None


def last_open(vault: Vault, name: str, today: dt.date) -> Interaction | None:
    """The last interaction on or before today tagged #shared, #heard or #deep; one whose
    flags were read from its prose (config `infer_flags`) says so in its text, since the
    note quotes it as the context of share, listen and deep."""
    past = until(vault.interactions.get(name, ()), today)
    found = next((i for i in reversed(past) if i.flags & OPEN_FLAGS), None)
    if found is not None and vault.inferred:
        because = inferred_words(vault, [found], set(OPEN_FLAGS))
        if because:
            found = found._replace(text=f"{found.text} {inferred(because)}")
    return found


def wants_open(mine: Iterable[Reflection]) -> bool:
    """Whether the note's context for these reflections is the last open exchange."""
    return any((spec := KIND.get(r.kind)) is not None and spec.open_context for r in mine)


def person_flags(vault: Vault, name: str) -> frozenset[str]:
    """The flags any interaction with `name` carries (any day: the vault uses them), so
    the flags in use (`KindSpec.built_on`) are counted person by person."""
    found = set(map(_flags_of, vault.interactions.get(name, ())))  # a few distinct sets
    return frozenset().union(*found)


def _flags_of(i: Interaction) -> frozenset[str]:
    return i.flags
