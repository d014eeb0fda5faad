"""`vaultcrm completion bash|zsh|fish`, and PERSON arguments that complete names and aliases.

Click's own shell-completion machinery does the work: the printed script calls
`vaultcrm` back with `_VAULTCRM_COMPLETE` set, and Click asks `complete_person` for the
candidates. That callback must answer in a blink on every Tab, so it reads names from the
people folder's file names and aliases from the index as the last run left it (the index
is built once when there is none yet): no parsing on an ordinary Tab.

A completed name must run as typed. zsh and fish quote what they insert themselves; bash
inserts a candidate as it is, so the bash script here (unlike Click's stock one, which
also drops backslashes with a bare `read`) receives each candidate already escaped for
the word being completed: `Ben\\ Okafor` after `B`, and `Ben Okafor` as it is inside an
opened quote (`"B`), which bash then closes. fish's script splits a candidate at its first
comma only, so `Smith, Jo` stays one name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from . import handle_errors

if TYPE_CHECKING:  # imported when a Tab asks, not on every `vaultcrm log`
    from click.shell_completion import CompletionItem, ShellComplete

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_VAULTCRM_COMPLETE"

_INSTALL = {
    "bash": 'eval "$(vaultcrm completion bash)"        # in ~/.bashrc',
    "zsh": 'eval "$(vaultcrm completion zsh)"         # in ~/.zshrc',
    "fish": "vaultcrm completion fish > ~/.config/fish/completions/vaultcrm.fish",
}

# `read -r` keeps backslashes; COMP_CUR is the word being completed as typed (with an
# opening quote, if any), so the candidates come back escaped for exactly that word.
_BASH_SCRIPT = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response completion type value

    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD="$COMP_CWORD" \\
COMP_CUR="${COMP_WORDS[COMP_CWORD]}" %(complete_var)s=bash_complete "$1")

    for completion in $response; do
        IFS=',' read -r type value <<< "$completion"
        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$value")
        fi
    done
    return 0
}

complete -o nosort -F %(complete_func)s %(prog_name)s
"""

# As Click's, but a candidate is split from its type at the first comma only, and
# printed with printf (fish's echo would take a candidate `-n` as its own option).
_FISH_SCRIPT = """\
function %(complete_func)s
    set -l response (env %(complete_var)s=fish_complete COMP_WORDS=(commandline -cp) \\
COMP_CWORD=(commandline -t) %(prog_name)s)
    for completion in $response
        set -l metadata (string split -m 1 "," -- $completion)
        if test "$metadata[1]" = dir
            __fish_complete_directories $metadata[2]
        else if test "$metadata[1]" = file
            __fish_complete_path $metadata[2]
        else if test "$metadata[1]" = plain
            printf '%%s\\n' $metadata[2]
        end
    end
end

complete --no-files --command %(prog_name)s --arguments "(%(complete_func)s)"
"""

#: Characters a bash word may hold unescaped (letters and digits of any script too).
_BASH_SAFE = re.compile(r"[^\w@%+=:,./-]")


def bash_word(value: str) -> str:
    """`value` as one bash word, each special character backslash-escaped
    (`Ben Okafor` → `Ben\\ Okafor`, `O'Neil` → `O\\'Neil`)."""
    return _BASH_SAFE.sub(lambda m: "\\" + m.group(), value)


def shell_classes() -> dict[str, type[ShellComplete]]:
    """Click's completion classes, with vaultcrm's scripts for bash and fish."""
    from click.shell_completion import BashComplete, FishComplete, ZshComplete

    class Bash(BashComplete):
        source_template: ClassVar[str] = _BASH_SCRIPT

        def format_completion(self, item: CompletionItem[Any]) -> str:
            value = item.value
            if item.type == "plain" and os.environ.get("COMP_CUR", "")[:1] not in ("'", '"'):
                value = bash_word(str(value))
            return f"{item.type},{value}"

    class Fish(FishComplete):
        source_template: ClassVar[str] = _FISH_SCRIPT

    return {"bash": Bash, "zsh": ZshComplete, "fish": Fish}


def use_own_scripts() -> None:
    """Make Click answer a Tab through `shell_classes` (called before it does)."""
    from click.shell_completion import add_completion_class

    for name, cls in shell_classes().items():
        add_completion_class(cls, name)


def person_candidates(root: Path, incomplete: str) -> list[tuple[str, str | None]]:
    """(value, whose alias it is) for every name, then alias, starting with `incomplete`
    (any case), each once. Read in one process: a Tab answers in a blink."""
    from vaultcrm.app.names import person_files
    from vaultcrm.app.showing import claims_quickly
    from vaultcrm.read.session import ReadSession

    with ReadSession.open(root) as session:
        folded = incomplete.casefold()
        seen: set[str] = set()
        found: list[tuple[str, str | None]] = []
        for ref in person_files(root, session.config):
            if ref.name.casefold().startswith(folded) and ref.name.casefold() not in seen:
                seen.add(ref.name.casefold())
                found.append((ref.name, None))
        claims = claims_quickly(session)
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
    # raw values: each shell's script or class quotes them for the command line
    return [
        CompletionItem(value, help=f"alias of {owner}" if owner else None)
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
    from . import cli

    cls = shell_classes()[shell]
    script = cls(cli, {}, "vaultcrm", COMPLETE_VAR).source()
    click.echo(script, nl=not script.endswith("\n"))


COMMANDS = [completion]
