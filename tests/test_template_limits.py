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


# --- what a template builds, not only what it writes (issue 18, item 5) ----------------------

DOUBLE = "{% set x = x ~ x %}"
#: Each builds gigabytes without the limits (measured: 0.9 to 3.9 GB, up to 25 s against
#: the 10 s limit); each must stop at once, at its line, saying which limit it passed.
BUILDERS = {
    "~ doubling": ("{% set x = 'x' * 1000000 %}\n" + DOUBLE * 11 + "{{ x|length }}", 2,
                   "a value of 16,000,000 characters is over the limit of 10,485,760"),
    "|replace": ("{% set x = 'x' * 1000000 %}\n{{ x|replace('x', 'y' * 1000)|length }}", 2,
                 "a value of 1,000,000,000 characters is over the limit"),
    ".replace()": ("{% set x = 'x' * 1000000 %}\n{{ x.replace('x', 'y' * 1000)|length }}", 2,
                   "a value of 1,000,000,000 characters is over the limit"),
    "|join": ("{% set x = ['x' * 1000000] * 1000 %}\n{{ x|join|length }}", 2,
              "a value of 1,000,000,000 characters is over the limit"),
    "|join of an attribute": ("{% set l = [{'x': 'y' * 1000000}] * 1000 %}\n"
                              "{{ l|join(attribute='x')|length }}", 2,
                              "a value of 1,000,000,000 characters is over the limit"),
    "str.join": ("{% set x = ['x' * 1000000] * 1000 %}\n{{ ''.join(x)|length }}", 2,
                 "a value of 1,000,000,000 characters is over the limit"),
    "|indent": ("{% set x = '\\n' * 1000000 %}\n{{ x|indent(1000)|length }}", 2,
                "a value of 1,001,001,000 characters is over the limit"),
    "list.extend": ("{% set x = ['x'] * 1000000 %}\n{% for i in range(12) %}"
                    "{% set _ = x.extend(x) %}{% endfor %}", 2,
                    "a value of 16,000,000 items is over the limit of 10,485,760"),
    "a namespace ~ loop": ("{% set ns = namespace(s='') %}\n{% for i in range(10000) %}"
                           "{% set ns.s = ns.s ~ 'x' * 2000 %}{% endfor %}", 2,
                           "the template built more than 104,857,600 characters in all"),
    "a list of kept strings": ("{% set l = [] %}{% set big = 'x' * 5000000 %}\n"
                               "{% for i in range(10000) %}{% set _ = l.append(big ~ i) %}"
                               "{% endfor %}", 2, "the template built more than 104,857,600 "
                               "characters in all"),
    "a macro's output": ("{% macro m() %}\n{% for i in range(10000) %}{{ 'x' * 1000000 }}"
                         "{% endfor %}{% endmacro %}\n{{ m()|length }}", 2,
                         "the template built more than"),
    "printing a list of big strings": ("{% set l = ['x' * 5000000] * 1000000 %}\n{{ l }}", 2,
                                       "over the limit of 10,485,760"),
    "a format repeating its argument": ("{{ ('{0}' * 1000).format('x' * 1000000) }}", 1,
                                        "over the limit of 10,485,760"),
    "|wordwrap with a long wrapstring": (
        "\n{{ ('x' * 1000000)|wordwrap(1, wrapstring='y' * 1000) }}", 2, "over the limit"),
    "|sum of lists": ("{{ ([['x'] * 100000] * 1000)|sum(start=[])|length }}", 1,
                      "a value of 100,000,000 items is over the limit"),
    ".expandtabs()": ("{{ ('\\t' * 1000000).expandtabs(1000) }}", 1, "over the limit"),
    "% repeating its argument": ("{{ ('%s' * 1000) % (('x' * 1000000,) * 1000) }}", 1,
                                 "over the limit"),
    "a lone surrogate": ("# Due\n{{ '\\ud800' }}\n", 2, "'\\ud800' (U+D800) is not a character "
                         "that a note can hold (a lone surrogate)"),
    "a lone surrogate made at run time": ("# Due\n\n{{ '%c' % 55296 }}\n", 3,
                                          "(U+D800) is not a character that a note can hold"),
    "a timed-out loop over a plain list": (
        "{% set l = [1] * 10000 %}\n{% for a in l %}{% for b in l %}{% if a <= b %}{% endif %}"
        "{% endfor %}{% endfor %}", 2, "template took longer than 1 s"),
    "an include that is missing": ("# Due\n{% include 'nope.j2' %}", 2,
                                   "template not found: nope.j2"),
}  # fmt: skip

#: Address space a hostile render may take (the process, Python and its imports
#: included): without the limits, each of BUILDERS needs more.
MEMORY_CAP = 1536 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BUILDERS))
def test_a_template_cannot_build_past_the_limits(example_vault: Path, name: str) -> None:
    """A real process with its memory capped: each one stops at its limit, at its line,
    well within the time limit (a hang is caught by the timeout, not timed)."""
    import os
    import resource
    import subprocess
    import sys

    template, line, message = BUILDERS[name]
    override = example_vault / OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_text(template, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "VAULTCRM_DEBUG"}

    def capped() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    result = subprocess.run(
        [sys.executable, "-m", "vaultcrm", "sync", "--vault", str(example_vault),
         "--today", EXAMPLE_TODAY],
        capture_output=True, text=True, check=False, env=env, preexec_fn=capped, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {OVERRIDE}:{line}: "), result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "out of memory" not in result.stderr
    assert not (example_vault / NOTE).exists()


def test_a_template_error_names_the_file_it_is_in(example_vault: Path) -> None:
    """Never `<template>:1:`: a template that cannot be read, or an included one."""
    override = example_vault / OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_bytes(b"# Due\ncaf\xe9 {{ items|length }}\n")
    result = _sync(example_vault)
    assert result.stderr == f"Error: {OVERRIDE}:1: not UTF-8 text (the byte 0xe9 at 9)\n"
    override.write_text("# Due\n{% include 'part.j2' %}\n")
    (override.parent / "part.j2").write_text("one\n{{ nope.x }}\n")
    result = _sync(example_vault)
    assert result.stderr == "Error: .vaultcrm/templates/part.j2:2: 'nope' is undefined\n"


def test_a_template_compiled_by_another_vaultcrm_is_compiled_again(example_vault: Path) -> None:
    """Compiled templates are kept in the cache folder. One compiled by a vaultcrm whose
    code generator did not bound `~` (plain Jinja's, as before) must never run."""
    import jinja2

    from vaultcrm.locate import cache_dir

    override = example_vault / OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_text("{% set x = 'x' * 1000000 %}\n" + DOUBLE * 4 + "{{ x|length }}\n")
    folder = cache_dir() / "templates"
    folder.mkdir(parents=True)
    plain = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(override.parent)),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(folder)),
    )
    plain.get_template("reflections.md.j2")  # what an older vaultcrm left in the cache
    assert list(folder.iterdir())
    result = _sync(example_vault)
    assert "a value of 16,000,000 characters is over the limit" in result.stderr
    assert not (example_vault / NOTE).exists()


@pytest.mark.slow
def test_watch_tries_a_failing_template_again_only_after_a_change(example_vault: Path) -> None:
    """No retry on a timer: the same vault fails the same way (each try could take the
    whole time limit). A change of the template or of a note is tried at once."""
    import time

    from .test_watch import SignallingWatcher, watching

    override = example_vault / OVERRIDE
    override.parent.mkdir(parents=True)
    override.write_text("# Due\n{{ 1 / 0 }}\n")
    with watching(example_vault, SignallingWatcher) as s:
        assert [t for t in s.texts("error") if "ZeroDivisionError" in t]
        time.sleep(3.5)  # the point: nothing happens (a timed retry came after 1 s, 2 s)
        assert s.watcher.passes == 1
        (example_vault / "People" / "Zed.md").write_text("# Zed\n")  # the vault changed
        assert s.after_passes(lambda: s.watcher.passes == 2)
        override.write_text("# Due {{ items|length }}\n")  # fixed
        assert s.after_passes(lambda: s.note().startswith("---") and "# Due " in s.note())
