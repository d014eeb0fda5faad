"""The project's own exceptions: only for fatal cases (data problems are `Problem` values)."""

from __future__ import annotations


class VaultcrmError(Exception):
    """A failure the user must see as a clean message (exit 1), never as a traceback."""

    exit_code = 1


class UsageError(VaultcrmError):
    """The command was asked something it cannot mean (unknown person, bad date): exit 2."""

    exit_code = 2


class NameShadows(VaultcrmError):
    """A new name is the start of (or equal to) people's names or aliases: a PERSON
    argument that meant them would mean the new note from then on. Refused unless forced
    (exit 1, a refused write); `shadowed` lists who it would shadow."""

    def __init__(self, message: str, shadowed: list[str]) -> None:
        super().__init__(message)
        self.shadowed = shadowed
