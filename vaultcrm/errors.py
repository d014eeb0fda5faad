"""The project's own exceptions: only for fatal cases (data problems are `Problem` values)."""

from __future__ import annotations


class VaultcrmError(Exception):
    """A failure the user must see as a clean message (exit 1), never as a traceback."""

    exit_code = 1


class UsageError(VaultcrmError):
    """The command was asked something it cannot mean (unknown person, bad date): exit 2."""

    exit_code = 2
