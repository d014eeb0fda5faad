"""A CLI that explains itself: help and an example everywhere, `--today` only where the
date matters, shell completion of PERSON, and `add` that will not shadow someone."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from vaultcrm.cli import cli

from .conftest import EXAMPLE_TODAY, MakeVault

#: Commands whose output depends on the date; only they offer --today.
DATED = {
    "sync", "due", "brief", "people", "watch", "remind", "log", "flags", "digest", "review",
}  # fmt: skip


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def test_every_command_has_help_and_an_example() -> None:
    found = commands()
    assert set(found) >= {"init", "add", "log", "remind", "set", "sync", "due", "check",
                          "watch", "brief", "people", "completion", "import", "export"}  # fmt: skip
    ctx = click.Context(cli)
    for name, command in found.items():
        leaves = {(name,): command}
        if isinstance(command, click.Group):  # `import vcard`, `export ics`: every leaf too
            leaves.update(
                {(name, sub): command.get_command(ctx, sub) for sub in command.list_commands(ctx)}
            )
        for words, leaf in leaves.items():
            assert leaf is not None and leaf.help, f"{words} has no help text"
            result = run(*words, "--help")
            assert result.exit_code == 0, words
            out = result.output
            example = re.search(r"\n  Examples?:\n    .*vaultcrm \w", out)
            assert example, f"{words} --help shows no example"
            if isinstance(leaf, click.Group):
                continue
            assert ("--today" in out) == (name in DATED), f"--today on {words}: {name in DATED}"
            assert ("--vault" in out) == (name != "completion"), words


def test_the_command_list_says_whole_sentences() -> None:
    out = run("--help", env={"COLUMNS": "80"}).output
    assert "Examples:" in out
    listed = out.split("Commands:\n")[1]
    assert "..." not in listed
    for name, command in commands().items():
        short = command.get_short_help_str(limit=1000)
        assert short.endswith("."), name
        assert f"  {name} " in listed and short.split()[0] in listed, name


def test_show_is_an_alias_not_listed() -> None:
    out = run("--help").output
    assert "  brief " in out and "  show " not in out
    assert run("show", "--help").output.replace("show", "brief") == run(
        "brief", "--help"
    ).output.replace("show", "brief")


# --- completion -------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_shell_script(shell: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0
    assert "_VAULTCRM_COMPLETE" in result.stdout
    assert f"{shell}_complete" in result.stdout


def complete(shell: str, words: str, vault: Path, cur: str | None = None) -> list[str]:
    """What the shell gets back on Tab, through Click's completion protocol (fish sends
    the word being completed itself; bash and zsh its position; bash also the word as
    typed, `cur`)."""
    position = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {
        "_VAULTCRM_COMPLETE": f"{shell}_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": words.split()[-1] if shell == "fish" else str(position),
        "VAULTCRM_VAULT": str(vault),
    }
    if cur is not None:
        env["COMP_CUR"] = cur
    result = CliRunner().invoke(cli, [], prog_name="vaultcrm", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_person_arguments_complete_names_and_aliases(example_vault: Path) -> None:
    run("sync", "--vault", str(example_vault), "--today", EXAMPLE_TODAY)  # builds the index
    assert complete("bash", "vaultcrm brief To", example_vault) == ["plain,Tom\\ Gallagher"]
    assert complete("bash", "vaultcrm log r", example_vault) == [
        "plain,Richard\\ Marsh", "plain,Rosa\\ Quintero", "plain,Ruth\\ Abbott",
    ]  # fmt: skip
    # aliases too, with whose alias it is (zsh shows it)
    assert complete("zsh", "vaultcrm remind mu", example_vault) == [
        "plain", "mum", "alias of Helen Marsh",
    ]  # fmt: skip
    assert complete("fish", "vaultcrm set Ali", example_vault) == [
        "plain,Alice Nakamura", "plain,ali\talias of Alice Nakamura",
    ]  # fmt: skip
    # no index yet: the first Tab builds it, so aliases complete too
    fresh = example_vault.parent / "fresh"
    (fresh / "People").mkdir(parents=True)
    (fresh / "People" / "Zoe Park.md").write_text("---\naliases: [Zed]\n---\n")
    assert complete("bash", "vaultcrm show Z", fresh) == ["plain,Zoe\\ Park", "plain,zed"]
    # inside an opened quote, bash gets the name as it is (and closes the quote itself)
    assert complete("bash", 'vaultcrm show "Z', fresh, cur='"Z') == ["plain,Zoe Park", "plain,zed"]


def test_bash_words_escape_what_the_shell_would_split_or_expand() -> None:
    from vaultcrm.cli.completion import bash_word

    assert bash_word("Ben Okafor") == "Ben\\ Okafor"
    assert bash_word("O'Neil & Sons (UK)") == "O\\'Neil\\ \\&\\ Sons\\ \\(UK\\)"
    assert bash_word("~Zoë $HOME") == "\\~Zoë\\ \\$HOME"
    assert bash_word("jean-luc.o@x") == "jean-luc.o@x"


def test_completion_through_the_installed_entry_point(example_vault: Path) -> None:
    """The real protocol: the shell runs `vaultcrm` with the variables set."""
    env = {
        "_VAULTCRM_COMPLETE": "bash_complete",
        "COMP_WORDS": f"vaultcrm brief --vault {example_vault} Be",
        "COMP_CWORD": "4",
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.run([sys.executable, "-m", "vaultcrm"], env=env, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["plain,Ben\\ Okafor"]


# --- add --------------------------------------------------------------------------------


def test_add_refuses_a_name_that_would_shadow_someone(make_vault: MakeVault) -> None:
    root = make_vault({"People/Sophie B.md": "---\naliases: [Soph]\n---\n- 2026-11-01 Tea\n"})
    result = CliRunner().invoke(cli, ["add", "--vault", str(root), "Sophie"],
                                env={"VAULTCRM_DEBUG": ""})  # fmt: skip
    assert result.exit_code == 1
    assert "Usage:" not in result.output
    assert result.stderr == (
        "Error: 'Sophie' is the start of 'sophie b' (People/Sophie B.md exists): once added, "
        "a command given 'Sophie' means the new note, not them; use --force to add it anyway\n"
    )
    assert not (root / "People/Sophie.md").exists()
    # an alias counts as much as a name
    result = CliRunner().invoke(cli, ["add", "--vault", str(root), "So"],
                                env={"VAULTCRM_DEBUG": ""})  # fmt: skip
    assert result.exit_code == 1 and "'soph' (it is an alias of Sophie B)" in result.stderr
    # with --force it is added; `log Sophie` then means her, as the user chose
    assert run("add", "--vault", str(root), "Sophie", "--force").exit_code == 0
    assert (root / "People/Sophie.md").read_text() == "---\n---\n"
    assert run("log", "--vault", str(root), "Sophie", "Hello").stdout.startswith(
        "Logged in People/Sophie.md"
    )
    # an equal name is refused even with --force
    result = CliRunner().invoke(cli, ["add", "--vault", str(root), "sophie b", "--force"],
                                env={"VAULTCRM_DEBUG": ""})  # fmt: skip
    assert result.exit_code == 2 and "already taken" in result.stderr


def test_add_writes_no_empty_keys(make_vault: MakeVault) -> None:
    root = make_vault({})
    assert run("add", "--vault", str(root), "Ann Lee", "--circle", "close").exit_code == 0
    assert (root / "People/Ann Lee.md").read_text() == "---\ncircle: close\n---\n"
    result = run("add", "--vault", str(root), "Bo", "--tag", "band", "--birthday", "--07-14")
    assert result.exit_code == 0, result.output
    assert (root / "People/Bo.md").read_text() == "---\ntags: [band]\nbirthday: --07-14\n---\n"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("answer", "created"), [(b"y\n", True), (b"\n", False)])
def test_add_on_a_terminal_asks_before_shadowing(
    make_vault: MakeVault, answer: bytes, created: bool
) -> None:
    root = make_vault({"People/Sophie B.md": "- 2026-11-01 Tea\n"})
    leader, follower = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vaultcrm", "add", "--vault", str(root), "Sophie"],
            stdin=follower, stdout=follower, stderr=follower,
        )  # fmt: skip
        os.close(follower)
        seen = b""
        while b"anyway?" not in seen:
            ready, _, _ = select.select([leader], [], [], 60)
            assert ready, f"no question within 60 s: {seen!r}"
            seen += os.read(leader, 4096)
        os.write(leader, answer)
        assert proc.wait(timeout=60) == (0 if created else 1)
    finally:
        os.close(leader)
    assert b"is the start of 'sophie b'" in seen
    assert (root / "People/Sophie.md").exists() == created


def test_circle_options_complete_the_configured_circles(example_vault: Path) -> None:
    assert complete("bash", "vaultcrm people --circle f", example_vault) == [
        "plain,family", "plain,friends",
    ]  # fmt: skip
    assert complete("bash", "vaultcrm add Zoe --circle w", example_vault) == ["plain,work"]
