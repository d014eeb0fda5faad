"""`vaultcrm import` and `export vcard` as a user runs them: notes, bytes, output, exit codes."""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MakeVault, examples
from tests.test_golden import check_golden
from vaultcrm.app.names import name_problem
from vaultcrm.cli import cli
from vaultcrm.interop.contacts import Contact, Source
from vaultcrm.interop.vcard import write_vcards
from vaultcrm.model import YearlyDate

FIXTURES = Path(__file__).parent / "fixtures" / "interop"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def notes(root: Path) -> str:
    """Every note under People/, as `==> path <==` and its exact text."""
    out = []
    for path in sorted((root / "People").rglob("*.md")):
        out.append(f"==> {path.relative_to(root).as_posix()} <==\n{path.read_bytes().decode()}")
    return "\n".join(out)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime: what "changes no byte" is checked against."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


VENDORS = [
    ("vcard", "google.vcf"),
    ("vcard", "apple.vcf"),
    ("vcard", "outlook.vcf"),
    ("vcard", "monica.vcf"),
    ("csv", "google.csv"),
    ("csv", "old-google.csv"),
    ("csv", "plain.csv"),
]


@pytest.mark.parametrize(("kind", "fixture"), VENDORS)
def test_each_vendors_export_imports_to_the_expected_notes(
    kind: str,
    fixture: str,
    make_vault: MakeVault,
    update_golden: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_vault({})
    monkeypatch.chdir(FIXTURES)  # positions are printed as the file was named
    result = run("import", kind, fixture, "--vault", str(root))
    shown = f"$ vaultcrm import {kind} {fixture}\n{result.stdout}{result.stderr}\n"
    check_golden(f"interop/{fixture}.md", shown + notes(root), update_golden)
    again = run("import", kind, fixture, "--vault", str(root))
    assert "0 created, 0 filled in" in again.stdout


def test_a_broken_card_in_the_middle_is_reported_and_the_others_imported(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault({})
    monkeypatch.chdir(FIXTURES)
    result = run("import", "vcard", "broken.vcf", "--vault", str(root))
    assert result.exit_code == 1
    assert result.stderr == (
        "broken.vcf:12: card 2: Failed to parse line: this line has no colon and cannot be a "
        "property; skipped\n"
    )
    assert result.stdout.endswith("2 created, 0 filled in, 0 unchanged, 1 skipped\n")
    assert sorted(p.name for p in (root / "People").iterdir()) == [
        "Greta Holm.md",
        "Ines Duarte.md",
    ]


USER_NOTE = (
    "\ufeff---\r\n"
    "# my own comment, keep it\r\n"
    "circle:   close     # spaced as I like\r\n"
    "tags: []\r\n"
    "emails: ['a.okonkwo@lagos-labs.example']\r\n"
    'birthday: "1988-09-23"\r\n'
    "---\r\n"
    "Met her through Tunde.\r\n"
    "- 2026-10-01 Call about the grant #heard\r\n"
)


def test_a_merge_only_adds_missing_keys_and_leaves_every_user_line_byte_identical(
    make_vault: MakeVault,
) -> None:
    """The card matches by email (her file has another name); the note has a BOM, CRLF,
    comments and odd spacing: the result is those exact lines plus the new keys."""
    root = make_vault({"People/Mara O.md": USER_NOTE.encode("utf-8")})
    result = run("import", "vcard", str(FIXTURES / "google.vcf"), "--vault", str(root))
    assert result.exit_code == 0, result.output
    assert "fill in   People/Mara O.md" in result.stdout
    assert "matches Mara O by email a.okonkwo@lagos-labs.example" in result.stdout
    after = (root / "People/Mara O.md").read_bytes()
    expected = (
        "\ufeff---\r\n"
        "# my own comment, keep it\r\n"
        "circle:   close     # spaced as I like\r\n"
        "tags: [Hackathon-Friends]\r\n"
        "emails: ['a.okonkwo@lagos-labs.example']\r\n"
        'birthday: "1988-09-23"\r\n'
        "aliases: [Mara]\r\n"
        "dates: {anniversary: 2016-12-03}\r\n"
        "phones: ['+234 803 555 0142']\r\n"
        "addresses: ['14 Admiralty Way, 106104 Lekki, Lagos, Nigeria']\r\n"
        "organization: Lagos Labs\r\n"
        "job_title: Research Lead\r\n"
        "urls: ['https://amara.example.com']\r\n"
        "---\r\n"
        "Met her through Tunde.\r\n"
        "- 2026-10-01 Call about the grant #heard\r\n"
    ).encode()
    assert after == expected
    user_lines = USER_NOTE.encode().split(b"\r\n")
    assert all(line in after.split(b"\r\n") for line in user_lines if b"tags" not in line)
    # the two other cards became notes of their own; a second import changes no byte
    before = snapshot(root)
    again = run("import", "vcard", str(FIXTURES / "google.vcf"), "--vault", str(root))
    assert again.stdout.endswith("0 created, 0 filled in, 3 unchanged, 0 skipped\n")
    assert snapshot(root) == before


def test_a_second_import_changes_no_byte(make_vault: MakeVault) -> None:
    root = make_vault({"People/Amara Okonkwo.md": "---\ntags: [lagos]\n---\n"})
    for kind, fixture in VENDORS:
        run("import", kind, str(FIXTURES / fixture), "--vault", str(root))
    before = snapshot(root)
    for kind, fixture in VENDORS:
        result = run("import", kind, str(FIXTURES / fixture), "--vault", str(root))
        assert " 0 created, 0 filled in," in " " + result.stdout.splitlines()[-1], result.stdout
    assert snapshot(root) == before


def test_dry_run_prints_the_plan_and_writes_nothing(make_vault: MakeVault) -> None:
    root = make_vault({"People/Bruno Castelli.md": "---\nbirthday: 1990-02-28\n---\nHi\n"})
    before = snapshot(root)
    result = run("import", "vcard", str(FIXTURES / "google.vcf"), "--vault", str(root), "--dry-run")
    assert result.exit_code == 0
    assert snapshot(root) == before
    lines = result.stdout.splitlines()
    assert lines[0].startswith("create    People/Amara Okonkwo.md  ← card 1 (")
    assert lines[1].endswith(
        "matches Bruno Castelli by name; adds tags, emails, phones; keeps the note's own birthday"
    )
    assert "the contact has only an organization: the note is named after it" in lines[3]
    assert (
        lines[-1] == "2 created, 1 filled in, 0 unchanged, 0 skipped (dry run: nothing was written)"
    )


def test_json_gives_the_plan_and_the_summary(make_vault: MakeVault) -> None:
    root = make_vault({})
    result = run("import", "csv", str(FIXTURES / "google.csv"), "--vault", str(root), "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1  # one row has no name at all
    assert data["summary"] == {"created": 4, "filled": 0, "unchanged": 0, "skipped": 1}
    assert [s["action"] for s in data["steps"]] == ["create"] * 4
    assert data["steps"][0]["keys"][:3] == ["aliases", "tags", "birthday"]
    assert [p["line"] for p in data["problems"]] == [8, 9]


def test_two_cards_for_one_person_make_one_note_and_ambiguous_matches_are_skipped(
    make_vault: MakeVault,
) -> None:
    root = make_vault(
        {"People/Ann.md": "---\n---\n", "People/Bo.md": "---\nemails: [bo@x.org]\n---\n"}
    )
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy Twombly\r\nEMAIL:cy@x.org\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cyrus T\r\nEMAIL:cy@x.org\r\nTEL:+1 555\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEMAIL:bo@x.org\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dee\r\nNICKNAME:Bo\r\nEND:VCARD\r\n"
    )
    (root / "in.vcf").write_text(text, newline="")
    result = run("import", "vcard", str(root / "in.vcf"), "--vault", str(root))
    assert result.exit_code == 1
    assert "fill in   People/Cy Twombly.md" in result.stdout
    assert "(created from card 1 above); adds phones" in result.stdout
    assert "card 3: it matches 2 people (Ann, Bo); skipped" in result.stderr
    assert (root / "People/Cy Twombly.md").read_text() == (
        "---\nemails: [cy@x.org]\nphones: ['+1 555']\n---\n"  # no empty keys
    )
    assert "card 4: " not in result.stderr  # Dee matches Bo by nickname: filled, not created
    assert not (root / "People/Dee.md").exists()


def test_a_vault_person_template_without_the_fields_still_gets_every_key(
    make_vault: MakeVault,
) -> None:
    root = make_vault(
        {".vaultcrm/templates/person.md.j2": "---\n# {{ name }}\ntags: {{ tags|yaml }}\n---\n"}
    )
    run("import", "vcard", str(FIXTURES / "monica.vcf"), "--vault", str(root))
    text = (root / "People/Tomás O'Brien.md").read_text()
    assert text == (
        "---\n# Tomás O'Brien\ntags: []\nbirthday: 1965-02-14\nphones: ['+353 1 555 0190']\n---\n"
    )


def test_export_vcard_to_a_file_is_written_once_and_never_over_a_foreign_file(
    make_vault: MakeVault,
) -> None:
    root = make_vault({"People/Ann Lee.md": "---\naliases: [Annie]\nbirthday: --04-12\n---\n"})
    out = root.parent / "people.vcf"
    first = run("export", "vcard", "--vault", str(root), "--out", str(out))
    assert first.exit_code == 0 and first.stderr == f"Wrote {out} (1 people)\n"
    text = out.read_bytes().decode()
    assert "FN:Ann Lee\r\n" in text and "NICKNAME:Annie\r\n" in text and "BDAY:--0412\r\n" in text
    mtime = out.stat().st_mtime_ns
    again = run("export", "vcard", "--vault", str(root), "--out", str(out))
    assert again.stderr == f"Up to date: {out} (1 people)\n" and out.stat().st_mtime_ns == mtime
    foreign = root.parent / "mine.vcf"
    foreign.write_text("BEGIN:VCARD\r\nFN:Mine\r\nEND:VCARD\r\n")
    refused = CliRunner().invoke(
        cli, ["export", "vcard", "--vault", str(root), "--out", str(foreign)],
        env={"VAULTCRM_DEBUG": "0"},
    )  # fmt: skip
    assert refused.exit_code == 1 and "not written by vaultcrm" in refused.stderr
    assert foreign.read_text() == "BEGIN:VCARD\nFN:Mine\nEND:VCARD\n"


def test_export_to_stdout_without_out(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": "---\nemails: [ann@x.org]\n---\n"})
    result = run("export", "vcard", "--vault", str(root))
    assert result.stdout_bytes.startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert b"EMAIL:ann@x.org\r\n" in result.stdout_bytes


# --- import → export → import ------------------------------------------------------------

_WORD = st.text(string.ascii_letters + "éøüß", min_size=1, max_size=8)
_NAME = st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
_PERSON = _NAME.filter(lambda n: name_problem(n) is None)  # "NUL" is skipped, and said


@st.composite
def _dates(draw: st.DrawFn, label: str) -> YearlyDate:
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 29 if month == 2 else 30))
    year = draw(st.none() | st.integers(1900, 2020))
    return YearlyDate(label, month, day, year)


_PHONE = st.from_regex(r"\+[1-9][0-9]{1,3} [0-9]{3} [0-9]{4}", fullmatch=True)
_ADDRESS = st.lists(_NAME, min_size=1, max_size=3).map(", ".join)
_TAGS = st.lists(st.sampled_from(["climbing", "Book-Club", "work"]), unique=True)
_LABELS = st.lists(st.sampled_from(["anniversary", "first met", "sobriety"]), unique=True)


@st.composite
def _contacts(draw: st.DrawFn) -> list[Contact]:
    names = draw(st.lists(_PERSON, min_size=1, max_size=4, unique_by=str.casefold))
    out = []
    for number, name in enumerate(names):
        dates = sorted((draw(_dates(label)) for label in draw(_LABELS)), key=lambda d: d.label)
        mails = draw(st.lists(_WORD, max_size=2, unique_by=str.lower))
        aliases = draw(st.lists(_WORD, max_size=2, unique=True))
        out.append(
            Contact(
                name=name,
                source=Source("x.vcf", 1, "card"),
                aliases=tuple(f"{a} {number}" for a in aliases),
                tags=tuple(draw(_TAGS)),
                birthday=draw(st.none() | _dates("birthday")),
                dates=tuple(dates),
                emails=tuple(f"{w.lower()}{number}@example.org" for w in mails),
                phones=tuple(draw(st.lists(_PHONE, max_size=2, unique=True))),
                addresses=tuple(draw(st.lists(_ADDRESS, max_size=2, unique=True))),
                urls=tuple(
                    f"https://{w.lower()}.example/" for w in draw(st.lists(_WORD, max_size=1))
                ),
                organization=draw(st.none() | _NAME),
                job_title=draw(st.none() | _NAME),
            )
        )
    return out


@pytest.mark.slow  # 25 vaults imported, exported and imported again
@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(contacts=_contacts())
def test_import_export_import_is_stable(
    tmp_path_factory: pytest.TempPathFactory, contacts: list[Contact]
) -> None:
    base = tmp_path_factory.mktemp("roundtrip")
    source = base / "in.vcf"
    source.write_text(write_vcards([(c, f"People/{c.name}.md") for c in contacts]), newline="")
    first, second = base / "first", base / "second"
    first.mkdir()
    second.mkdir()
    assert run("import", "vcard", str(source), "--vault", str(first)).exit_code == 0
    exported = base / "out.vcf"
    assert run("export", "vcard", "--vault", str(first), "--out", str(exported)).exit_code == 0
    assert run("import", "vcard", str(exported), "--vault", str(second)).exit_code == 0
    assert notes(first) == notes(second)
    again = base / "again.vcf"
    run("export", "vcard", "--vault", str(second), "--out", str(again))
    assert again.read_bytes() == exported.read_bytes()
    assert len(os.listdir(first / "People")) == len(contacts)


def test_a_windows_1252_file_is_read_with_a_warning(make_vault: MakeVault) -> None:
    root = make_vault({})
    (root / "old.csv").write_bytes("name,email\r\nJürgen Müller,jm@example.de\r\n".encode("cp1252"))
    result = run("import", "csv", str(root / "old.csv"), "--vault", str(root))
    assert result.exit_code == 0
    assert "warning: not UTF-8 text: read as Windows-1252" in result.stderr
    assert (root / "People/Jürgen Müller.md").exists()


def test_a_note_body_that_starts_with_a_rule_never_becomes_frontmatter(
    make_vault: MakeVault,
) -> None:
    root = make_vault({"People/Ann.md": ""})
    (root / "a.vcf").write_text(
        "BEGIN:VCARD\r\nFN:Ann\r\nNOTE:---\\nnot: yaml\\n---\r\nEND:VCARD\r\n"
    )
    assert run("import", "vcard", str(root / "a.vcf"), "--vault", str(root)).exit_code == 0
    assert (root / "People/Ann.md").read_text() == "\n---\nnot: yaml\n---\n"


def test_a_key_written_by_the_user_after_the_plan_is_kept_and_counted_unchanged(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user saves `emails:` between the import's read and its write: theirs stays."""
    from tests.sessions import opened
    from vaultcrm.app import importing

    root = make_vault({"People/Ann.md": "---\n---\n"})
    (root / "a.vcf").write_text("BEGIN:VCARD\r\nFN:Ann\r\nEMAIL:ann@x.org\r\nEND:VCARD\r\n")
    read_before = importing.read_people

    def read_then_user_saves(*args: object) -> object:
        found = read_before(*args)  # type: ignore[arg-type]
        (root / "People/Ann.md").write_text("---\nemails: [mine@x.org]\n---\n")
        return found

    monkeypatch.setattr(importing, "read_people", read_then_user_saves)
    with opened(root) as session:
        result = importing.import_contacts(session, "vcard", [root / "a.vcf"])
    assert result.counts == {"created": 0, "filled": 0, "unchanged": 1, "skipped": 0}
    assert (root / "People/Ann.md").read_text() == "---\nemails: [mine@x.org]\n---\n"


def test_people_found_by_tag_and_fields_spelt_the_vaults_way_are_matched_and_kept(
    make_vault: MakeVault,
) -> None:
    """A person outside People/ (by `people_tags`) is filled in, not created again; a
    birthday spelt as `fields` says (`Geburtstag`) is the note's own and stays."""
    root = make_vault(
        {
            "vaultcrm.yaml": "people_tags: [person]\nfields: {birthday: [geburtstag]}\n",
            "Contacts/Bruno Castelli.md": "---\ntags: [person]\nGeburtstag: 1990-02-28\n---\n",
        }
    )
    result = run("import", "vcard", str(FIXTURES / "google.vcf"), "--vault", str(root))
    assert "fill in   Contacts/Bruno Castelli.md" in result.stdout
    assert "keeps the note's own tags, birthday" in result.stdout
    assert not (root / "People/Bruno Castelli.md").exists()
    assert (root / "Contacts/Bruno Castelli.md").read_text() == (
        "---\ntags: [person]\nGeburtstag: 1990-02-28\nemails: [bruno@castelli.example]\n"
        "phones: ['+39 333 555 0199']\n---\n"
    )
    exported = run("export", "vcard", "--vault", str(root)).stdout_bytes
    assert b"FN:Bruno Castelli\r\n" in exported and b"BDAY:19900228\r\n" in exported


def test_a_named_people_folder_that_is_missing_stops_the_import(make_vault: MakeVault) -> None:
    root = make_vault({"vaultcrm.yaml": "people_folder: Contacts\n"})
    result = CliRunner().invoke(
        cli, ["import", "vcard", str(FIXTURES / "google.vcf"), "--vault", str(root)],
        env={"VAULTCRM_DEBUG": "0"},
    )  # fmt: skip
    assert result.exit_code == 1 and "Contacts" in result.stderr
    assert not (root / "Contacts").exists()
