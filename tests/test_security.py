"""Hostile notes and hostile vault layouts: nothing executes, expands, renders or escapes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import MakeVault, allocates_at_most
from tests.sessions import check_vault
from vaultcrm.cli import cli

TODAY = "2026-11-23"
OUT = "Reflections due.md"


def user_run(*args: str) -> Result:
    """As a user runs it: clean messages, never a traceback."""
    result = CliRunner().invoke(cli, list(args), env={"VAULTCRM_DEBUG": "0"})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --- YAML is only ever loaded safely -------------------------------------------------------


def test_a_python_tag_in_frontmatter_is_a_problem_never_executed(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    sentinel = tmp_path / "pwned"
    payload = f'!!python/object/apply:os.system ["touch {sentinel}"]'
    root = make_vault(
        {
            "People/Mallory.md": f"---\ncircle: {payload}\n---\n- 2026-11-01 Hi\n",
            "People/Eve.md": f"---\naliases:\n  - {payload}\n---\n",
            "vaultcrm.yaml": f"horizon: {payload}\n",
        }
    )
    problems = [p.format() for p in check_vault(root).problems]
    assert any(p.startswith("People/Mallory.md:2:") and "python/object" in p for p in problems)
    assert any(p.startswith("People/Eve.md:3:") for p in problems)
    assert any(p.startswith("vaultcrm.yaml:1:") for p in problems)
    result = user_run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 1 and "People/Mallory.md:2" in result.output
    assert not sentinel.exists()


def test_a_python_tag_given_to_set_is_stored_as_plain_text(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    sentinel = tmp_path / "pwned"
    root = make_vault({"People/Bo.md": "---\ncircle: friends\n---\n"})
    payload = f'!!python/object/apply:os.system ["touch {sentinel}"]'
    result = user_run("set", "--vault", str(root), "Bo", "job", payload)
    assert result.exit_code == 0
    text = (root / "People/Bo.md").read_text()
    assert "job: '!!python/object/apply:os.system" in text  # quoted: a string, not a tag
    assert user_run("check", "--vault", str(root)).exit_code == 0
    assert not sentinel.exists()


BILLION_LAUGHS = (
    "---\n"
    + "\n".join(
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [
            f"{c}: &{c} [{', '.join(['*' + p] * 9)}]"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ]
    )
    + "\n---\n- 2026-11-01 Hi\n"
)


@pytest.mark.timeout(120)  # only catches a hang
def test_a_billion_laughs_frontmatter_is_a_problem_not_an_expansion(make_vault: MakeVault) -> None:
    root = make_vault({"People/Laughs.md": BILLION_LAUGHS, "People/Bo.md": ""})
    user_run("check", "--vault", str(root), "--no-cache")  # imports done: what is left is work
    with allocates_at_most(50_000_000):  # expanded, the lists would hold 9**9 items
        result = user_run("check", "--vault", str(root))
    assert result.exit_code == 1
    assert "People/Laughs.md:2:" in result.output and "anchor or alias" in result.output
    with allocates_at_most(50_000_000):
        result = user_run("sync", "--vault", str(root), "--today", TODAY)
    assert "[[Bo]]" in (root / OUT).read_text()  # everything else still processed


def test_a_billion_laughs_value_is_refused_by_set(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bo.md": ""})
    result = user_run("set", "--vault", str(root), "Bo", "likes", "[&a [lol, lol], *a, *a]")
    assert result.exit_code == 2 and "anchors or aliases" in result.output
    assert (root / "People/Bo.md").read_text() == ""


# --- note text is data, never template code -------------------------------------------------

JINJA = "{{ 1234*1000 }} {% if true %}yes{% endif %} {{ ''.__class__.__mro__ }} {# hidden #}"


def test_template_syntax_in_notes_comes_out_literally(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Bo.md": f"---\ncircle: friends\nlikes: ['{{{{ config }}}}']\n---\n"
            f"- 2026-09-01 {JINJA}\n",
            "People/{{ 4321*1000 }}.md": "",
        }
    )
    result = user_run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0, result.output
    note = (root / OUT).read_text()
    assert f"Last time (Tue 1 Sep): {JINJA}" in note
    assert "Likes: {{ config }}" in note
    assert "[[{{ 4321*1000 }}]]" in note
    assert "1234000" not in note and "4321000" not in note and "<class" not in note


def test_template_syntax_given_to_log_and_add_is_written_literally(make_vault: MakeVault) -> None:
    root = make_vault({})
    assert user_run("add", "--vault", str(root), "Bo", "--alias", "{{ 7*7 }}").exit_code == 0
    assert "aliases: ['{{ 7*7 }}']" in (root / "People/Bo.md").read_text()
    user_run("log", "--vault", str(root), "Bo", "{% raw %}{{ 7*7 }}", "--date", "2026-09-01")
    assert (root / "People/Bo.md").read_text().endswith("- 2026-09-01 {% raw %}{{ 7*7 }}\n")


# --- templates are never read through a link out of the vault ------------------------------


@pytest.fixture
def evil_template(tmp_path: Path) -> Path:
    evil = tmp_path / "outside" / "evil.j2"
    evil.parent.mkdir()
    evil.write_text("PWNED {{ today }}\n")
    return evil


def test_a_reflections_template_symlinked_out_of_the_vault_is_not_used(
    make_vault: MakeVault, evil_template: Path
) -> None:
    root = make_vault({"People/Bo.md": "", ".vaultcrm/templates/.keep": ""})
    (root / ".vaultcrm/templates/reflections.md.j2").symlink_to(evil_template)
    result = user_run("sync", "--vault", str(root), "--today", TODAY)
    assert not (root / OUT).exists() or "PWNED" not in (root / OUT).read_text()
    assert "PWNED" not in result.output


def test_a_symlinked_reflections_template_falls_back_to_the_package_one(
    make_vault: MakeVault, evil_template: Path
) -> None:
    root = make_vault({"People/Bo.md": "", ".vaultcrm/templates/.keep": ""})
    (root / ".vaultcrm/templates/reflections.md.j2").symlink_to(evil_template)
    result = user_run("sync", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0
    assert "## Not yet in your notes\n\n1 person — log a first contact" in (root / OUT).read_text()


def test_a_person_template_symlinked_out_of_the_vault_is_not_used(
    make_vault: MakeVault, evil_template: Path
) -> None:
    root = make_vault({".vaultcrm/templates/.keep": ""})
    (root / ".vaultcrm/templates/person.md.j2").symlink_to(evil_template)
    result = user_run("add", "--vault", str(root), "Bo")
    assert result.exit_code == 0  # the package's own template is used instead
    assert (root / "People/Bo.md").read_text() == "---\n---\n"


# --- writes never follow a link out of the vault --------------------------------------------


@pytest.fixture
def linked_vault(make_vault: MakeVault, tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ncircle: friends\n---\nprecious\n")
    root = make_vault({"People/Bo.md": ""})
    (root / "People/Evil.md").symlink_to(outside)
    return root, outside


@pytest.mark.parametrize(
    "args",
    [
        ["log", "Evil", "x"],
        ["remind", "Evil", "2026-12-01", "x"],
        ["set", "Evil", "circle", "close"],
        ["set", "Evil", "--unset", "circle"],
    ],
)
def test_no_write_follows_a_symlink_out_of_the_vault(
    linked_vault: tuple[Path, Path], args: list[str]
) -> None:
    root, outside = linked_vault
    result = user_run(args[0], "--vault", str(root), *args[1:])
    assert result.exit_code == 1
    assert "cannot write People/Evil.md: People/Evil.md is a symbolic link to" in result.output
    assert "outside the vault; vaultcrm does not write through links" in result.output
    assert outside.read_text() == "---\ncircle: friends\n---\nprecious\n"


def test_a_daily_folder_linked_out_of_the_vault_is_not_written(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = make_vault({"People/Bo.md": ""})
    (root / "Journal").symlink_to(elsewhere)
    result = user_run("log", "--vault", str(root), "Bo", "x", "--daily", "--date", TODAY)
    assert result.exit_code == 1 and "vaultcrm does not write through links" in result.output
    assert list(elsewhere.iterdir()) == []


def test_add_cannot_climb_out_of_the_people_folder(make_vault: MakeVault, tmp_path: Path) -> None:
    root = make_vault({"People/Bo.md": ""})
    for name in ("../../escape", "..", "/tmp/escape", "..\\escape"):
        result = user_run("add", "--vault", str(root), name)
        assert result.exit_code == 2, name
    assert sorted(p.name for p in tmp_path.rglob("*escape*")) == []
