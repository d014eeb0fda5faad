"""`vaultcrm completion bash|zsh|fish`, and PERSON arguments that complete names and aliases.

Click's own shell-completion machinery does the work: the printed script calls
`vaultcrm` back with `_VAULTCRM_COMPLETE` set, and Click asks `complete_person` for the
candidates. That callback must answer in a blink on every Tab, so it reads names from the
people folder's file names and aliases from the index as the last run left it: no walk of
the daily notes, no parsing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import handle_errors

if TYPE_CHECKING:  # imported when a Tab asks, not on every `vaultcrm log`
    from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_VAULTCRM_COMPLETE"

_INSTALL = {
    "bash": 'eval "$(vaultcrm completion bash)"        # in ~/.bashrc',
    "zsh": 'eval "$(vaultcrm completion zsh)"         # in ~/.zshrc',
    "fish": "vaultcrm completion fish > ~/.config/fish/completions/vaultcrm.fish",
}


def person_candidates(root: Path, incomplete: str) -> list[tuple[str, str | None]]:
    """(value, whose alias it is) for every name, then alias, starting with `incomplete`
    (any case), each once."""
    from vaultcrm.app.lookup import claims_quickly
    from vaultcrm.app.people import person_files
    from vaultcrm.config import load_config

    config, _ = load_config(root)
    folded = incomplete.casefold()
    seen: set[str] = set()
    found: list[tuple[str, str | None]] = []
    for ref in person_files(root, config):
        if ref.name.casefold().startswith(folded) and ref.name.casefold() not in seen:
            seen.add(ref.name.casefold())
            found.append((ref.name, None))
    claims = claims_quickly(root)
    for claim in claims:  # people the index knows outside the people folder
        name = claim.name.casefold()
        if name.startswith(folded) and name not in seen:
            seen.add(name)
            found.append((claim.name, None))
    for claim in claims:
        for key in claim.keys:
            if key.startswith(folded) and key not in seen:
                seen.add(key)
                found.append((key, claim.name))
    return found


def complete_person(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Names and aliases for a PERSON argument; nothing (never an error) when the vault
    cannot be found or read."""
    from click.shell_completion import CompletionItem

    from vaultcrm.locate import find_vault

    try:
        root = find_vault(ctx.params.get("vault"))
        found = person_candidates(root, incomplete)
    except Exception:  # a Tab must never print a traceback into the command line
        return []
    # bash inserts a candidate as it is: a name with spaces must arrive escaped
    bash = os.environ.get(COMPLETE_VAR, "").startswith("bash")
    return [
        CompletionItem(
            value.replace(" ", "\\ ") if bash else value,
            help=f"alias of {owner}" if owner else None,
        )
        for value, owner in found
    ]


def complete_circle(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The circles of the vault's config for a --circle option."""
    from click.shell_completion import CompletionItem

    from vaultcrm.config import load_config
    from vaultcrm.locate import find_vault

    try:
        config, _ = load_config(find_vault(ctx.params.get("vault")))
    except Exception:  # never a traceback into the command line
        return []
    folded = incomplete.casefold()
    return [CompletionItem(c) for c in sorted(config.circles) if c.casefold().startswith(folded)]


@click.command(short_help="Print a shell completion script (bash, zsh or fish).")
@click.argument("shell", type=click.Choice(SHELLS))
@handle_errors
def completion(shell: str) -> None:
    """Print the script that makes your shell complete vaultcrm's commands, options and
    PERSON arguments (names and aliases from the vault).

    \b
    Examples:
      eval "$(vaultcrm completion bash)"        # add to ~/.bashrc
      eval "$(vaultcrm completion zsh)"         # add to ~/.zshrc
      vaultcrm completion fish > ~/.config/fish/completions/vaultcrm.fish
    """
    from click.shell_completion import get_completion_class

    from . import cli

    cls = get_completion_class(shell)
    assert cls is not None  # SHELLS are all Click's own
    script = cls(cli, {}, "vaultcrm", COMPLETE_VAR).source()
    click.echo(script, nl=not script.endswith("\n"))


COMMANDS = [completion]
