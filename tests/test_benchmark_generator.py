"""The benchmark vault generator: deterministic, and in the note format (docs/format.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from vaultcrm.cli import cli

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import run  # noqa: E402

LINK = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")
CIRCLES = {"family", "close", "friends", "acquaintances"}


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def split(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        return {}, text
    fm, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(fm), body


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "vault"
    generate.generate(out, people=60, daily=90, seed=7)
    return out


def test_same_arguments_give_identical_bytes(vault: Path, tmp_path: Path) -> None:
    generate.generate(tmp_path / "again", people=60, daily=90, seed=7)
    assert snapshot(tmp_path / "again") == snapshot(vault)


def test_another_seed_gives_another_vault(vault: Path, tmp_path: Path) -> None:
    generate.generate(tmp_path / "other", people=60, daily=90, seed=8)
    assert snapshot(tmp_path / "other") != snapshot(vault)


def test_command_line_writes_the_same_vault(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(out), "--people", "60",
         "--daily", "90", "--seed", "7"],
        check=True,
    )
    assert snapshot(out) == snapshot(vault)


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "mine.md").write_text("keep me\n")
    with pytest.raises(FileExistsError):
        generate.generate(tmp_path, people=1, daily=1, seed=1)
    assert (tmp_path / "mine.md").read_text() == "keep me\n"


def test_daily_notes_are_consecutive_days_ending_2026_11_22(vault: Path) -> None:
    settings = json.loads((vault / ".obsidian" / "daily-notes.json").read_text())
    assert (settings["folder"], settings["format"]) == ("Journal", "YYYY-MM-DD")
    days = sorted(dt.date.fromisoformat(p.stem) for p in (vault / "Journal").glob("*.md"))
    assert len(days) == 90
    assert days[-1] == dt.date(2026, 11, 22)
    assert days[-1] - days[0] == dt.timedelta(days=89)


def test_person_notes_have_realistic_frontmatter(vault: Path) -> None:
    notes = sorted((vault / "People").rglob("*.md"))
    assert len(notes) == 60
    assert any(p.parent != vault / "People" for p in notes), "some people live in subfolders"
    keys: set[str] = set()
    for note in notes:
        meta, body = split(note.read_text(encoding="utf-8"))
        keys |= meta.keys()
        assert meta.get("circle", "family") in CIRCLES
        assert isinstance(meta["likes"], list)
        assert re.search(r"^- \d{4}-\d\d-\d\d ", body, re.MULTILINE), "a dated log line"
        assert re.search(r"^- \[[ x]\] ", body, re.MULTILINE), "a task"
        assert 20 <= body.count("\n") <= 45
        for link in meta.get("related", []):
            assert LINK.fullmatch(link)
    expected = {"aliases", "tags", "circle", "cadence", "birthday", "dates", "likes",
                "boundaries", "snooze_until", "company", "city", "met", "email", "phone",
                "website", "related", "created", "updated"}
    assert expected <= keys


def test_names_and_aliases_are_unique_and_daily_links_resolve(vault: Path) -> None:
    names: dict[str, str] = {}  # lower-cased name, alias or path -> person
    for note in (vault / "People").rglob("*.md"):
        meta, _ = split(note.read_text(encoding="utf-8"))
        rel = note.relative_to(vault).with_suffix("").as_posix()
        for name in [note.stem, *meta.get("aliases", [])]:
            assert name.lower() not in names, f"{name} is taken"
            names[name.lower()] = note.stem
        names[rel.lower()] = note.stem
    for day in (vault / "Journal").glob("*.md"):
        meta, body = split(day.read_text(encoding="utf-8"))
        people = {names[t.lower()] for t in LINK.findall(body)}
        assert 1 <= len(people) <= 3, day.name


def test_flags_and_link_forms_appear(vault: Path) -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in vault.rglob("*.md"))
    for flag in ("#shared", "#heard", "#deep", "#win"):
        assert flag in text
    assert re.search(r"\[\[[^\]]+\|[^\]]+\]\]", text), "display-text links"
    assert re.search(r"\[\[People/[^\]]+\]\]", text), "path links"
    assert re.search(r"\[\[[^\]]+#Work\]\]", text), "heading links"


TASK = re.compile(r"^- \[([ x])\] (?:(\d{4}-\d\d-\d\d) )?(?:.*📅 (\d{4}-\d\d-\d\d))?", re.MULTILINE)


def test_old_tasks_are_ticked_and_open_ones_are_recent_or_upcoming(vault: Path) -> None:
    open_days: list[dt.date] = []
    old_done = 0
    for note in vault.rglob("*.md"):
        for box, lead, plugin in TASK.findall(note.read_text(encoding="utf-8")):
            due = dt.date.fromisoformat(lead or plugin or note.stem)  # undated: the note's day
            if box == " ":
                open_days.append(due)
            elif due < generate.LAST_DAY - dt.timedelta(days=30):
                old_done += 1
    recent = [d for d in open_days if abs((d - generate.LAST_DAY).days) <= 60]
    assert recent, "some follow-ups are open"
    assert old_done >= 50, "the log of done tasks goes back a long way"
    assert len(open_days) - len(recent) <= 2, "only the odd old task is forgotten"


@pytest.mark.slow  # generates and reads a 10,000-note vault
def test_a_10k_vault_at_its_today_reports_a_realistic_number_of_reflections(
    tmp_path: Path,
) -> None:
    """Every kind shows up, but a real vault is not a wall of thousands of overdue items
    (before this rule: 16,716 reflections for 10,000 people, 11,246 of them follow-ups)."""
    people = 600
    generate.generate(tmp_path / "v", people=people, daily=2 * people, seed=42)
    args = ["due", "--json", "--vault", str(tmp_path / "v"), "--today", "2026-11-23"]
    shown = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert (shown.exit_code, shown.stderr) == (0, ""), "the vault yields no problems"
    kinds = [r["kind"] for r in json.loads(shown.stdout)["reflections"]]
    assert set(kinds) == {"reach_out", "share", "listen", "deep", "birthday", "date",
                          "follow_up", "celebrate", "drift", "surprise"}
    assert kinds.count("surprise") == 1
    # gaps drawn at random around the cadence break their own rhythm now and then: about
    # one person in ten drifts
    assert kinds.count("drift") <= 0.15 * people
    assert 0.05 * people <= len(kinds) - kinds.count("drift") <= 0.25 * people
    assert kinds.count("follow_up") <= 0.06 * people


def test_person_files_lists_what_generate_wrote(vault: Path) -> None:
    files = generate.person_files(60, 7)
    assert sorted(files) == sorted(
        p.relative_to(vault).as_posix() for p in (vault / "People").rglob("*.md")
    )


def test_a_failed_command_is_reported_by_its_telling_line() -> None:
    usage = "Usage: vaultcrm [OPTIONS]\nTry 'vaultcrm --help'.\n\nError: No such command 'log'.\n"
    assert run.why(2, usage) == "n/a (exit 2: Error: No such command 'log'.)"
    crash = "Traceback (most recent call last):\n  File x\nImportError: nope\n"
    assert run.why(1, crash) == "n/a (exit 1: ImportError: nope)"
    assert run.why(1, "") == "n/a (exit 1: no stderr)"


# --- shapes ---------------------------------------------------------------------------------


def test_the_heavy_shape_has_every_feature_and_reads_without_errors(tmp_path: Path) -> None:
    shape = generate.Shape(note_kb=4, first_name_aliases=1.0, cadence_words=0.5,
                           due_share=0.98, meetings=1 / 3)  # fmt: skip
    out = tmp_path / "heavy"
    generate.generate(out, people=120, daily=60, seed=3, shape=shape)
    people = sorted((out / "People").rglob("*.md"))
    assert min(p.stat().st_size for p in people) >= 4 * 1024
    fronts = [split(p.read_text(encoding="utf-8"))[0] for p in people]
    words = [f.get("cadence") or f.get("frequency") for f in fronts]
    assert sum(w in generate.CADENCE_WORDS for w in words) >= 30
    assert all(f["aliases"] == [p.stem.split(" ")[0]] for f, p in zip(fronts, people, strict=True))
    meetings = sorted((out / "Notes").glob("*.md"))
    assert len(meetings) == 40 and all(m.name[:4].isdigit() for m in meetings)
    args = ["due", "--json", "--vault", str(out), "--today", "2026-11-23"]
    shown = CliRunner().invoke(cli, args, catch_exceptions=False)
    data = json.loads(shown.stdout)
    assert {p["severity"] for p in data["problems"]} == {"warning"}  # shared first names only
    assert all("is shared by" in p["message"] for p in data["problems"])
    due = {r["person"] for r in data["reflections"] if r["kind"] == "reach_out"}
    assert len(due) >= 0.5 * 120, "most people are due"
    check = CliRunner().invoke(cli, ["check", "--vault", str(out)], catch_exceptions=False)
    found = check.stdout.splitlines()[-1]
    assert found.startswith("120 people, ") and "— 0 errors" in found


def test_the_default_shape_is_the_classic_vault(tmp_path: Path, vault: Path) -> None:
    generate.generate(tmp_path / "v", people=60, daily=90, seed=7, shape=generate.DEFAULT_SHAPE)
    assert snapshot(tmp_path / "v") == snapshot(vault)
    assert not (vault / "Notes").exists()


def test_shape_knobs_on_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(out), "--people", "30", "--daily", "5",
         "--shape", "heavy", "--note-kb", "2", "--meetings", "0.1"],
        check=True,
    )  # fmt: skip
    assert len(list((out / "Notes").glob("*.md"))) == 3
    ap = run.argparse.ArgumentParser()
    ap.add_argument("--shape", default="heavy")
    generate.add_shape_arguments(ap)
    shape = generate.shape_from(ap.parse_args(["--due-share", "0.5"]))
    assert shape == generate.Shape(**{**generate.HEAVY_SHAPE.__dict__, "due_share": 0.5})


def test_relations_are_a_knob_of_their_own(tmp_path: Path, vault: Path) -> None:
    """People around someone (issue "Depth"): drawn from their own stream, so asking for
    them changes nothing else, and they read without a problem."""
    shape = generate.Shape(relations=0.5)
    out = tmp_path / "rel"
    generate.generate(out, people=60, daily=90, seed=7, shape=shape)
    fronts = {p.name: split(p.read_text(encoding="utf-8"))[0] for p in out.rglob("People/**/*.md")}
    with_them = [f for f in fronts.values() if "partner" in f]
    assert 15 <= len(with_them) <= 45
    assert any("children" in f for f in with_them)
    plain = {p.name: split(p.read_text(encoding="utf-8"))[0] for p in vault.rglob("People/**/*.md")}
    for name, front in fronts.items():  # every other key is the classic vault's
        kept = {k: v for k, v in front.items() if k not in ("partner", "children", "relations")}
        assert kept == plain[name]
    args = ["check", "--json", "--vault", str(out)]
    data = json.loads(CliRunner().invoke(cli, args, catch_exceptions=False).stdout)
    assert [p for p in data["problems"] if "Reflections due" not in p["path"]] == []


# --- counting instructions -----------------------------------------------------------------


def test_counting_instructions_says_when_valgrind_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without valgrind
    with pytest.raises(run.Failed, match=r"n/a \(valgrind not found\)"):
        run.count_instructions([sys.executable, "-c", "pass"], {}, (0,))


@pytest.mark.slow
@pytest.mark.skipif(run.shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_the_instruction_rows_count_a_cold_and_a_one_note_sync(tmp_path: Path) -> None:
    """`--rows instr`: one count per row, in billions, the cold sync's the larger; the
    same run counted again agrees within a fraction of a per cent."""
    out = tmp_path / "figures.json"
    args = ["--people", "30", "--daily", "60", "--runs", "1", "--shape", "default",
            "--rows", "instr", "--json", str(out)]  # fmt: skip
    assert run.main(args) == 0
    rows = {r["name"]: r for r in json.loads(out.read_text())["rows"]}
    cold, one = rows["instructions: cold sync"], rows["instructions: 1 note changed"]
    assert cold["unit"] == one["unit"] == "G"
    assert cold["median"] > one["median"] > 0.1
    env = {**run.os.environ, "VAULTCRM_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    counts = [run.count_instructions([sys.executable, "-c", "import json"], env, (0,))
              for _ in range(2)]  # fmt: skip
    assert abs(counts[0] - counts[1]) / counts[0] < 0.005
