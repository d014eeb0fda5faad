"""A vault's template runs within limits, and its mistakes are `path:line: message`.

Each hostile override below must end the sync with exit 1 and a message naming the
template file and line, and leave the previous note byte for byte as it was. No timing
is asserted: a small time limit (VAULTCRM_TEMPLATE_SECONDS) keeps the slow ones short.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from vaultcrm.cli import cli

from .conftest import EXAMPLE_TODAY
from .test_golden import GOLDEN

OVERRIDE = ".vaultcrm/templates/reflections.md.j2"
PERSON_OVERRIDE = ".vaultcrm/templates/person.md.j2"
NOTE = "Reflections due.md"


@pytest.fixture(autouse=True)
def _as_a_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAULTCRM_DEBUG")  # errors as the user sees them, not re-raised
    monkeypatch.setenv("VAULTCRM_TEMPLATE_SECONDS", "1")


def _sync(root: Path) -> Result:
    return CliRunner().invoke(
        cli, ["sync", "--vault", str(root), "--today", EXAMPLE_TODAY], catch_exceptions=False
    )


HOSTILE = {
    "nested big ranges": (
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        1,
        "range of 100,000 items is over the limit of 10,000",
    ),
    "nested loops writing nothing": (
        "# Due\n{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        2,
        "template took longer than 1 s",
    ),
    "one long loop over a long string": (
        "{% for c in 'x' * 10000000 %}{% for d in 'abcdefghij' %}{% endfor %}{% endfor %}",
        1,
        "template took longer than 1 s",
    ),
    "a gigabyte string": ("# Due\n\n{{ 'x' * 10**9 }}\n", 3, "over the limit of 10,485,760"),
    "a huge number": ("{{ 10 ** 100000000 }}", 1, "number too big"),
    "padding a gigabyte": ("{{ 'x'|center(10**9) }}", 1, "over the limit of 10,485,760"),
    "a gigabyte format width": ("{{ '{:>999999999}'.format(1) }}", 1, "width that big"),
    "output past 10 MB": (
        "{% for i in range(10000) %}\n{{ 'y' * 5000 }}\n{% endfor %}",
        2,
        "output passed the limit of 10,485,760 characters",
    ),
    "doubling a string": (
        "{% set ns = namespace(s='x') %}\n{% for i in range(64) %}"
        "{% set ns.s = ns.s + ns.s %}{% endfor %}",
        2,
        "over the limit of 10,485,760",
    ),
    "an undefined attribute": ("# Due\n{{ nope.x }}\n", 2, "'nope' is undefined"),
    "a syntax error": ("# Due\n\n{% for item in items %}\n{{ item.name }\n", 4, "unexpected '}'"),
    "an unclosed block": ("{% for item in items %}\n{{ item.name }}\n", 2, "Unexpected end"),
    "endless recursion": (
        "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}",
        1,
        "call each other too deeply",
    ),
    "a sandbox escape": ("\n{{ ''.__class__.__mro__ }}", 2, "unsafe"),
    "a division by zero": ("{{ items|length / 0 }}", 1, "ZeroDivisionError: division by zero"),
}


#: These wait for a limit (a long loop runs until the clock stops it): seconds each.
WAITS_FOR_A_LIMIT = {"nested loops writing nothing", "one long loop over a long string"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.slow) if name in WAITS_FOR_A_LIMIT else name
        for name in HOSTILE
    ],
)
def test_a_hostile_template_fails_cleanly_and_leaves_the_note(
    example_vault: Path, name: str
) -> None:
    template, line, message = HOSTILE[name]
    assert _sync(example_vault).exit_code == 0
    before = (example_vault / NOTE).read_bytes()
    (example_vault / "People" / "Zed.md").write_text("# Zed\n")  # the note would change
    override = example_vault / OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_text(template)
    result = _sync(example_vault)
    assert result.exit_code == 1
    assert f"{OVERRIDE}:{line}: " in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1
    assert (example_vault / NOTE).read_bytes() == before
    # fixed, the next sync writes the shipped template's note again
    override.unlink()
    (example_vault / "People" / "Zed.md").unlink()
    assert _sync(example_vault).exit_code == 0
    golden = (GOLDEN / "Reflections due 2026-11-23.md").read_text(encoding="utf-8")
    assert (example_vault / NOTE).read_text(encoding="utf-8") == golden


def test_a_broken_person_template_names_its_line_and_writes_nothing(
    example_vault: Path,
) -> None:
    override = example_vault / PERSON_OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_text("---\ncircle: {{ circle|yaml }}\n---\n# {{ name.nope.x }}\n")
    result = CliRunner().invoke(cli, ["add", "--vault", str(example_vault), "Cy"])
    assert result.exit_code == 1
    assert f"{PERSON_OVERRIDE}:4: " in result.stderr
    assert not (example_vault / "People" / "Cy.md").exists()
