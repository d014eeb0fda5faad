"""The public contract in docs/ and the code say the same thing.

docs/config.md lists every key `vaultcrm.yaml` accepts, docs/commands.md every command,
option and environment variable, docs/json.md the shape of every `--json`; each is checked
against the code both ways (a key, command or field added to one and not the other fails
here). The docs cite only files that exist, and never documents a clone does not have.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLE_TODAY, REPO
from vaultcrm.cli import ALIASES, COMMANDS, cli

DOCS = REPO / "docs"
#: Where a path the docs name may be relative to.
BASES = ("", "vaultcrm", "tests", "benchmarks")


def _section(text: str, heading: str) -> str:
    """The text under `heading` (a line), up to the next heading of the same level."""
    level = len(heading.split(" ", 1)[0])
    start = text.index(heading + "\n") + len(heading) + 1
    nxt = re.search(rf"^#{{1,{level}}} ", text[start:], re.M)
    return text[start : start + nxt.start()] if nxt else text[start:]


def _first_column(table: str) -> list[str]:
    return [row.split("|")[1].strip() for row in table.splitlines() if row.startswith("| `")]


# --- config.md ---------------------------------------------------------------------------


def test_config_md_lists_every_key_and_no_other() -> None:
    from vaultcrm.config import _READERS
    from vaultcrm.fields import DEFAULT_FIELDS

    text = (DOCS / "config.md").read_text()
    keys = [cell.strip("`") for cell in _first_column(_section(text, "## The keys"))]
    assert sorted(keys) == sorted(_READERS), "docs/config.md's table and config._READERS differ"
    fields_block = _section(text, "### `fields`: keys as your templates spell them")
    documented = re.findall(r"^  ([a-z_]+): \[", fields_block, re.M)
    assert documented == list(DEFAULT_FIELDS)
    for name, spellings in DEFAULT_FIELDS.items():
        assert f"  {name}: [{', '.join(spellings)}]" in fields_block, name


def test_the_config_init_writes_holds_every_key() -> None:
    from vaultcrm.app.write import CONFIG_TEXT
    from vaultcrm.config import _READERS

    written = set(re.findall(r"^# ([a-z_]+):", CONFIG_TEXT, re.M))
    assert written == set(_READERS)


# --- commands.md -------------------------------------------------------------------------


def _click_options(command: click.Command) -> set[str]:
    """Every visible option name of a command, and of its subcommands for a group."""
    found: set[str] = set()
    commands = [command, *getattr(command, "commands", {}).values()]
    for cmd in commands:
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                names = param.opts + param.secondary_opts
                found.update(o for o in names if o not in ("-h", "--help"))
    return found


def test_commands_md_lists_every_command_and_option_and_no_other() -> None:
    text = (DOCS / "commands.md").read_text()
    listed = [cell.strip("`") for cell in _first_column(text.split("\n## ", 1)[0])]
    assert sorted(listed) == sorted([*COMMANDS, *ALIASES])
    sections = re.findall(r"^## `vaultcrm ([a-z]+)([^`]*)`$", text, re.M)
    assert sorted(name for name, _ in sections) == sorted(COMMANDS), "one section per command"
    ctx = click.Context(cli)
    for name, usage in sections:
        command = cli.get_command(ctx, name)
        assert command is not None
        body = _section(text, f"## `vaultcrm {name}{usage}`")
        table = "\n".join(row for row in body.splitlines() if row.startswith("| `-"))
        documented = set(re.findall(r"`(--?[a-z][a-z-]*)", table))
        assert documented == _click_options(command), name
        subcommands = getattr(command, "commands", None)
        if subcommands:
            assert usage.strip().startswith("|".join(subcommands)), name
        for param in command.params:
            if isinstance(param, click.Argument) and not isinstance(param.type, click.Choice):
                assert param.human_readable_name.rstrip("S") in usage, (name, param.name)


def test_commands_md_lists_every_environment_variable() -> None:
    text = _section((DOCS / "commands.md").read_text(), "## Environment")
    documented = {v for v in re.findall(r"`([A-Z_]+)(?:=[a-z]+)?`", text)}
    used: set[str] = set()
    for path in (REPO / "vaultcrm").rglob("*.py"):
        source = path.read_text()
        used.update(re.findall(r"environ(?:\.get)?\(\"([A-Z_]+)\"", source))
        used.update(re.findall(r"envvar=\"([A-Z_]+)\"", source))
        used.update(re.findall(r"\"(VAULTCRM_[A-Z_]+)\"", source))  # a named constant
    # shell completion's own (COMP_CUR, VAULTCRM_COMPLETE); the tests' own (polling); the
    # benchmarks' own (the A/B switches, benchmarks/README.md)
    used -= {"COMP_CUR", "VAULTCRM_COMPLETE", "VAULTCRM_WATCH_POLLING", "VAULTCRM_BENCH_OFF"}
    assert documented == used


# --- json.md -----------------------------------------------------------------------------


def _same_shape(doc: Any, real: Any, where: str) -> None:
    """The documented example has exactly the keys the real output has, at every level,
    with the same types where both hold a value."""
    if isinstance(doc, dict):
        assert isinstance(real, dict), where
        assert sorted(doc) == sorted(real), where
        for key in doc:
            _same_shape(doc[key], real[key], f"{where}.{key}")
    elif isinstance(doc, list):
        assert isinstance(real, list), where
        if doc and isinstance(doc[0], dict) and real:
            kind = doc[0].get("kind")
            match = next((r for r in real if r.get("kind") == kind), real[0])
            _same_shape(doc[0], match, f"{where}[]")
    elif doc is not None and real is not None:
        assert type(doc) is type(real), where


JSON_RUNS = {
    "## `vaultcrm due --json`": ["due", "--json", "--today", EXAMPLE_TODAY],
    "## `vaultcrm brief PERSON --json`": ["brief", "ben", "--json", "--today", EXAMPLE_TODAY],
    "## `vaultcrm people --json`": ["people", "--json", "--today", EXAMPLE_TODAY],
    "## `vaultcrm sync --json`": ["sync", "--json", "--today", EXAMPLE_TODAY],
    "## `vaultcrm check --json`": ["check", "--json"],
    "## `vaultcrm digest --json`": ["digest", "--json", "--today", EXAMPLE_TODAY],
    "## `vaultcrm review --json`": ["review", "--json", "--today", EXAMPLE_TODAY],
    "## `vaultcrm flags suggest --json`": [
        "flags", "suggest", "--json", "--today", EXAMPLE_TODAY, "--min-confidence", "0",
    ],
    "## `vaultcrm flags apply --json`": [
        "flags", "apply", "--dry-run", "--json", "--today", EXAMPLE_TODAY, "--min-confidence", "0",
    ],
    "## `vaultcrm import vcard|csv FILE… --json`": [
        "import", "vcard", str(REPO / "tests/fixtures/interop/apple.vcf"), "--dry-run", "--json",
    ],
}  # fmt: skip


@pytest.mark.parametrize("heading", list(JSON_RUNS))
def test_json_md_shows_each_output_as_it_is(example_vault: Path, heading: str) -> None:
    text = (DOCS / "json.md").read_text()
    block = re.search(r"```json\n(.*?)```", _section(text, heading), re.S)
    assert block, heading
    documented = json.loads(block.group(1))
    if heading.startswith("## `vaultcrm sync"):  # a tick, so `recorded` holds one
        CliRunner().invoke(cli, ["sync", "--vault", str(example_vault), "--today", EXAMPLE_TODAY])
        note = example_vault / "Reflections due.md"
        note.write_text(note.read_text().replace("- [ ]", "- [x]", 1))
    if heading.startswith("## `vaultcrm flags"):  # untagged lines, so there is a plan
        for path in example_vault.rglob("*.md"):
            text = path.read_text()
            for tag in ("#shared", "#heard", "#deep", "#win"):
                text = text.replace(f" {tag}", "")
            path.write_text(text)
    args = [*JSON_RUNS[heading], "--vault", str(example_vault)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    _same_shape(documented, json.loads(result.stdout), heading)


def test_json_md_shows_a_problem_as_it_is(make_vault: Any) -> None:
    text = (DOCS / "json.md").read_text()
    block = re.search(r"\*\*A problem\*\*\n\n```json\n(.*?)```", text, re.S)
    assert block
    root = make_vault({"People/Dana.md": "---\nbirthday: 2026-02-30\n---\n"})
    result = CliRunner().invoke(cli, ["check", "--json", "--vault", str(root)])
    problems = json.loads(result.stdout)["problems"]
    _same_shape(json.loads(block.group(1)), problems[0], "problem")


# --- every doc -----------------------------------------------------------------------------


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    if not listed:  # not a git checkout (an sdist): the files that matter
        return [*REPO.glob("*.md"), *DOCS.glob("*.md"), *(REPO / "vaultcrm").rglob("*.py")]
    suffixes = {".md", ".py", ".j2", ".toml", ".yaml", ""}
    return [REPO / f for f in listed if Path(f).suffix in suffixes and (REPO / f).is_file()]


def test_nothing_cites_documents_a_clone_does_not_have() -> None:
    gone = re.compile(r"\b(?:DESIGN|STYLE)(?:\.md)?\b")
    this = Path(__file__).resolve()
    cited = [
        f"{path.relative_to(REPO)}:{n}"
        for path in _tracked_text_files()
        if path.resolve() != this
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if gone.search(line)
    ]
    assert cited == []


def test_every_python_file_the_docs_name_exists() -> None:
    named = set()
    for doc in [REPO / "README.md", *DOCS.glob("*.md"), *(REPO / "benchmarks").glob("*.md")]:
        named.update(re.findall(r"`([A-Za-z_][\w./-]*\.py)\b", doc.read_text()))
    history = {"vaultcrm/parse.py", "vault.py"}  # named as what they were, beside what is now
    missing = [
        name
        for name in sorted(named - history)
        if not any((REPO / base / name).exists() for base in BASES)
        and not list((REPO / "vaultcrm").rglob(name))
    ]
    assert missing == []
