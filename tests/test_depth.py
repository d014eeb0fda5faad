"""Depth (issue "Depth"), on the fixture vault `tests/fixtures/depth/` at Wed 4 March 2026:
the people around a person, a rhythm that breaks, per-circle horizons, the weekly
unexpected reach-out and the circle review, each as a user sees it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, MakeVault
from tests.sessions import compute, opened, sync
from vaultcrm.app.sync import render_outcome
from vaultcrm.cli import cli
from vaultcrm.config import Config, load_config
from vaultcrm.reflect import rules
from vaultcrm.reflect import surprise as weekly
from vaultcrm.reflect.kinds import KIND, reflect

FIXTURE = REPO / "tests" / "fixtures" / "depth"
TODAY = dt.date(2026, 3, 4)  # a Wednesday, ISO week 2026-W10

#: Every reflection the fixture gives on TODAY, in report order: written out by hand.
EXPECTED: list[dict[str, Any]] = [
    {"kind": "reach_out", "person": "Sam Ortiz", "file": "People/Sam Ortiz.md",
     "reason": "Last contact 122 days ago; your cadence for close friends is 14 days.",
     "last_contact": "2025-11-02", "cadence_days": 14, "overdue_days": 108, "days_since": 122},
    {"kind": "deep", "person": "Sam Ortiz", "file": "People/Sam Ortiz.md",
     "reason": "No truly open exchange with Sam Ortiz logged yet — make room for one.",
     "last_deep": None, "deep_every_days": 90},
    # Lucy's own birthday, within the friends' horizon (the default, 14 days)…
    {"kind": "birthday", "person": "Lucy Marsh", "file": "People/Lucy Marsh.md",
     "reason": "Turns 36 on Tue 10 Mar (in 6 days).",
     "date": "2026-03-10", "days_until": 6, "age": 36},
    # …and through Tom, whose note links her as his partner (her birthday from her note)
    {"kind": "birthday", "person": "Tom Gallagher", "file": "People/Tom Gallagher.md",
     "reason": "Lucy Marsh (Tom Gallagher's partner) turns 36 on Tue 10 Mar (in 6 days).",
     "date": "2026-03-10", "days_until": 6, "age": 36, "relation": "Lucy Marsh",
     "role": "partner"},
    # Noah has no note: his birthday comes from the mapping in Tom's
    {"kind": "birthday", "person": "Tom Gallagher", "file": "People/Tom Gallagher.md",
     "reason": "Noah (Tom Gallagher's son) turns 7 on Sun 15 Mar (in 11 days).",
     "date": "2026-03-15", "days_until": 11, "age": 7, "relation": "Noah", "role": "son"},
    # 19 days ahead: shown through the family's horizon of 3 weeks
    {"kind": "birthday", "person": "Helen Marsh", "file": "People/Helen Marsh.md",
     "reason": "Turns 68 on Mon 23 Mar (in 19 days).",
     "date": "2026-03-23", "days_until": 19, "age": 68},
    # every 9 days, silent for 33: drifting, though within the friends' cadence of 42
    {"kind": "drift", "person": "Ben Okafor", "file": "People/Ben Okafor.md",
     "reason": "You used to talk about every 9 days (last 6 times); it has been 33 days"
     " since Fri 30 Jan.",
     "last_contact": "2026-01-30", "days_since": 33, "rhythm_days": 9, "contacts": 6},
    # this week's unexpected reach-out: Aiko, due for nothing, last seen on 1 February
    {"kind": "surprise", "person": "Aiko Tanaka", "file": "People/Aiko Tanaka.md",
     "reason": "Out of the blue: in January Aiko Tanaka confided in you — Ramen. She told me"
     " about her plan to open a jazz record shop. Ask how it is going.",
     "week": "2026-W10", "because": "confided", "source_date": "2026-01-10",
     "last_contact": "2026-02-01", "days_since": 31},
]  # fmt: skip


@pytest.fixture
def depth(tmp_path: Path) -> Path:
    """A private copy of the fixture vault."""
    dest = tmp_path / "depth"
    shutil.copytree(FIXTURE, dest)
    return dest


def _due(root: Path, today: dt.date = TODAY, *extra: str) -> dict[str, Any]:
    args = ["due", "--json", "--vault", str(root), "--today", today.isoformat(), *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _vault(root: Path) -> tuple[Any, Config]:
    """The whole vault as a read session assembles it, read afresh."""
    with opened(root, TODAY, cache=False) as session:
        return session.vault(), session.config


# --- the fixture, exactly ------------------------------------------------------------------


@pytest.mark.parametrize("cache", ["--no-cache", None], ids=["cold", "through-the-index"])
def test_the_fixture_gives_exactly_the_expected_reflections(depth: Path, cache: str | None) -> None:
    found = _due(depth, TODAY, *([cache] if cache else []))
    assert found["reflections"] == EXPECTED
    assert found["problems"] == []


def test_an_acquaintances_birthday_five_days_ahead_stays_out_of_a_3_day_horizon(
    depth: Path,
) -> None:
    assert not any(r["person"] == "Priya Shah" for r in _due(depth)["reflections"])
    later = _due(depth, TODAY + dt.timedelta(days=2))["reflections"]  # 3 days ahead now
    assert [r["reason"] for r in later if r["person"] == "Priya Shah"] == [
        "Turns 34 on Mon 9 Mar (in 3 days)."
    ]


def test_the_horizon_follows_the_circle_and_falls_back_to_horizon() -> None:
    from vaultcrm.config import horizon_for, longest_horizon

    config = Config(horizon=14, horizons={"family": 21, "acquaintances": 3})
    assert horizon_for(config, "family") == 21
    assert horizon_for(config, "acquaintances") == 3
    assert horizon_for(config, "close") == 14
    assert horizon_for(config, None) == 14
    assert longest_horizon(config) == 21


def test_horizons_naming_an_unknown_circle_is_a_warning_with_its_line(
    make_vault: MakeVault,
) -> None:
    root = make_vault({"vaultcrm.yaml": "horizon: 1 week\nhorizons: {famly: 3 weeks}\n"})
    config, problems = load_config(root)
    assert config.horizons == {"famly": 21}
    assert [p.format() for p in problems] == [
        "vaultcrm.yaml:2: warning: horizons: unknown circle 'famly' (known: acquaintances,"
        " close, family, friends)"
    ]


def test_a_tick_is_looked_for_as_far_back_as_the_longest_horizon() -> None:
    from vaultcrm.app.ticks import _Earlier

    config = Config(horizon=14, celebrate_within=14, horizons={"family": 30})
    assert _Earlier(lambda day: [], TODAY, config).reach == 31


# --- the people around them ----------------------------------------------------------------


def test_relations_read_as_links_plain_names_and_mappings() -> None:
    vault, _ = _vault(FIXTURE)
    tom = vault.people["Tom Gallagher"]
    assert [(r.role, r.name, r.linked) for r in tom.relations] == [
        ("partner", "Lucy Marsh", True),
        ("son", "Noah", False),
        ("sibling", "Aoife", False),
    ]
    assert tom.relations[1].birthday is not None and tom.relations[1].birthday.year == 2019
    kit = vault.people["Kit Price"]
    assert [(r.role, r.name) for r in kit.relations] == [("sibling", "sam ortiz")]
    assert vault.person_named("sam ortiz") == "Sam Ortiz"  # a plain name resolves as a link


def test_relation_values_as_yaml_writes_them(make_vault: MakeVault) -> None:
    root = make_vault(
        {
            "People/Tom.md": (
                "---\npartner: [[Lucy]]\nchildren:\n  - [[Noah|N]]\n  - Mia\n"
                "  - {name: '[[Zed]]', birthday: --04-02, dates: {baptism: 2020-06-01}}\n"
                "parents: 2\nrelations:\n  Colleague: '[[Ana Sousa]]'\n"
                "  godmother: {birthday: 2020-01-01}\n---\n"
            ),
        }
    )
    vault, _ = _vault(root)
    tom = vault.people["Tom"]
    assert [(r.role, r.name, r.linked) for r in tom.relations] == [
        ("partner", "Lucy", True),
        ("child", "Noah", True),
        ("child", "Mia", False),
        ("child", "Zed", True),
        ("colleague", "Ana Sousa", True),
    ]
    assert tom.relations[3].dates[0].label == "baptism"
    # a count of children and a mapping without a name are warnings, the rest still count
    assert sorted(p.format() for p in vault.problems) == [
        "People/Tom.md:10: warning: relations: godmother: a mapping needs a name, e.g."
        " {name: Noah, birthday: 2019-03-22}",
        "People/Tom.md:7: warning: parents: expected a name, a [[link]] or {name: …,"
        " birthday: …}",
    ]


def test_a_brief_shows_the_people_around_them(depth: Path) -> None:
    args = ["brief", "tom", "--vault", str(depth), "--today", TODAY.isoformat()]
    text = CliRunner().invoke(cli, args, catch_exceptions=False).stdout
    block = text.split("Family and people around them\n", 1)[1].split("\n\n", 1)[0]
    assert block.splitlines() == [
        "  Lucy Marsh (partner)",
        "    Tue 10 Mar  Birthday: turns 36 (in 6 days)",
        "    Sun 1 Mar   Last mentioned: Pub quiz, Lucy came along.",
        "  Noah (son)",
        "    Sun 15 Mar  Birthday: turns 7 (in 11 days)",
        "    Sun 22 Feb  Last mentioned: Pints. Noah starts swimming lessons next week.",
        "  Aoife (sibling)",
    ]
    assert "  Rhythm: about every 7 days (last 6 contacts)\n" in text
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False).stdout)
    assert data["rhythm"] == {"days": 7, "contacts": 6}
    noah = data["relations"][1]
    assert noah == {
        "role": "son", "name": "Noah", "person": None, "file": None, "declared": True,
        "ahead": [{"label": "birthday", "date": "2026-03-15", "days_until": 11, "years": 7}],
        "mention": {"date": "2026-02-22", "text": "Pints. Noah starts swimming lessons next week.",
                    "file": "People/Tom Gallagher.md", "line": 21, "flags": []},
    }  # fmt: skip


def test_a_relation_between_two_notes_reads_both_ways(depth: Path) -> None:
    """Lucy's note names nobody; Tom's names her as his partner: her brief shows him."""
    args = ["brief", "Lucy Marsh", "--json", "--vault", str(depth), "--today", "2026-03-04"]
    data = json.loads(CliRunner().invoke(cli, args, catch_exceptions=False).stdout)
    assert data["relations"] == [
        {"role": "partner", "name": "Tom Gallagher", "person": "Tom Gallagher",
         "file": "People/Tom Gallagher.md", "declared": False,
         "ahead": [{"label": "birthday", "date": "2026-11-29", "days_until": 270, "years": 36}],
         "mention": {"date": "2026-03-01", "text": "Pub quiz with Tom.",
                     "file": "People/Lucy Marsh.md", "line": 7, "flags": []}},
    ]  # fmt: skip
    text = CliRunner().invoke(cli, [a for a in args if a != "--json"]).stdout
    assert "  Tom Gallagher (partner) (from their note)\n" in text


def test_check_says_when_two_notes_disagree(depth: Path) -> None:
    result = CliRunner().invoke(cli, ["check", "--vault", str(depth)], catch_exceptions=False)
    assert (
        "People/Kit Price.md:3: warning: Sam Ortiz is named here as sibling, but People/Sam"
        " Ortiz.md names Kit Price as partner: the two notes disagree\n"
    ) in result.stdout + result.stderr
    # agreeing (a child and a parent), and one side only, are fine
    (depth / "People/Kit Price.md").write_text(
        "---\ncircle: acquaintances\nrelations: {partner: '[[Sam Ortiz]]'}\n---\n"
    )
    result = CliRunner().invoke(cli, ["check", "--vault", str(depth)], catch_exceptions=False)
    assert "disagree" not in result.stdout + result.stderr


def test_a_partner_naming_another_partner_disagrees(make_vault: MakeVault) -> None:
    from vaultcrm.reflect.relations import disagreements

    root = make_vault(
        {
            "People/Ann.md": "---\npartner: '[[Bo]]'\n---\n",
            "People/Bo.md": "---\npartner: Cy\n---\n",
            "People/Dee.md": "---\nchildren: ['[[Eve]]']\n---\n",
            "People/Eve.md": "---\nparents: ['[[Dee]]']\n---\n",
        }
    )
    vault, _ = _vault(root)
    assert [p.format() for p in disagreements(vault)] == [
        "People/Ann.md:2: warning: Bo is named here as partner, but People/Bo.md names Cy as"
        " partner: the two notes disagree"
    ]


def test_a_ticked_relation_birthday_is_logged_about_them(depth: Path) -> None:
    sync(depth, TODAY)
    note = depth / "Reflections due.md"
    text = note.read_text()
    line = next(x for x in text.splitlines() if "Noah" in x and "- [ ]" in x)
    note.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)))
    result = sync(depth, TODAY)
    assert result.recorded == [
        "People/Tom Gallagher.md: - 2026-03-04 Birthday wishes for Noah (from Reflections due)"
    ]
    again = (depth / "Reflections due.md").read_text()
    assert "- [x] " in again and "Noah" in again  # a birthday stays listed, ticked


# --- incremental runs ----------------------------------------------------------------------


def _cold(root: Path) -> str:
    return render_outcome(compute(root, TODAY, cache=False))


def _warm(root: Path) -> str:
    sync(root, TODAY)
    return (root / "Reflections due.md").read_text(encoding="utf-8")


def _plain(note: str) -> str:
    """The note as read, links as their names (a Focus line links its person)."""
    return note.replace("[[", "").replace("]]", "")


def _rewrite(path: Path, old: str, new: str) -> None:
    import os

    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_a_relations_note_changing_reaches_the_person_naming_them(depth: Path) -> None:
    assert _warm(depth) == _cold(depth)
    lucy = depth / "People/Lucy Marsh.md"
    _rewrite(lucy, "birthday: 1990-03-10", "birthday: 1990-03-12")
    first = sync(depth, TODAY)
    assert first.outcome.stats.reflected == 2  # Lucy, and Tom whose note names her
    assert (depth / "Reflections due.md").read_text() == _cold(depth)
    assert "Lucy Marsh (Tom Gallagher's partner) turns 36 on Thu 12 Mar" in _plain(_cold(depth))
    # a note appears for a plain name: Aoife's birthday now comes through Tom
    (depth / "People/Aoife.md").write_text("---\nbirthday: 1993-03-08\n---\n")
    assert _warm(depth) == _cold(depth)
    assert "Aoife (Tom Gallagher's sibling) turns 33" in _plain(_cold(depth))
    # and Lucy's note going away leaves Tom's link naming nobody
    lucy.unlink()
    assert _warm(depth) == _cold(depth)
    assert "Tom Gallagher's partner" not in _plain(_cold(depth))


def test_rhythms_and_the_weekly_pick_match_a_cold_run_after_edits(depth: Path) -> None:
    assert _warm(depth) == _cold(depth)
    steps = [
        ("Ben is back in touch: no drift", "People/Ben Okafor.md", "- 2026-03-03 Run.\n"),
        ("the week's pick is contacted", "People/Aiko Tanaka.md", "- 2026-03-03 Texted.\n"),
        ("Hannah confides", "People/Hannah Weiss.md", "- 2026-01-20 Long call. #heard\n"),
    ]
    for what, rel, line in steps:
        path = depth / rel
        _rewrite(path, "", "")
        path.write_text(path.read_text() + line)
        _rewrite(path, "", "")
        assert _warm(depth) == _cold(depth), what


# --- the weekly unexpected reach-out --------------------------------------------------------


def _picks(root: Path, day: dt.date) -> list[str]:
    return [r.person for r in compute(root, day, cache=False).reflections
            if r.kind == "surprise"]  # fmt: skip


def test_the_pick_holds_all_week() -> None:
    monday = dt.date(2026, 3, 2)
    assert {tuple(_picks(FIXTURE, monday + dt.timedelta(days=n))) for n in range(7)} == {
        ("Aiko Tanaka",)
    }


def test_the_pick_varies_across_weeks_and_is_never_someone_due() -> None:
    vault, config = _vault(FIXTURE)
    picked = []
    for n in range(70):
        day = TODAY + dt.timedelta(days=n)
        found = reflect(vault, day, config)
        chosen = [r for r in found if r.kind == "surprise"]
        assert len(chosen) == 1, day
        who = vault.people[chosen[0].person]
        assert [r.kind for r in found if r.person == who.name] == ["surprise"], day
        assert who.circle not in config.deep_circles
        last = max(i.date for i in vault.interactions[who.name] if i.date < weekly.monday_of(day))
        assert (weekly.monday_of(day) - last).days > rules.SURPRISE_QUIET
        picked.append(chosen[0].person)
    weeks = picked[::7]
    assert len(set(weeks)) >= 3
    assert all(a != b for a, b in zip(weeks, weeks[1:], strict=False))


@settings(max_examples=60)
@given(
    st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=8, unique=True),
    st.integers(min_value=0, max_value=600),
)
def test_the_same_candidates_never_get_the_same_pick_two_weeks_running(
    names: list[str], start: int
) -> None:
    monday = dt.date(2025, 1, 6) + dt.timedelta(weeks=start)
    picks = []
    for n in range(12):
        week = weekly.week_of(monday + dt.timedelta(weeks=n))
        picks.append(weekly.pick({name: weekly.draw(name, week) for name in names}))
    assert all(a != b for a, b in zip(picks, picks[1:], strict=False)), picks
    assert set(picks) <= set(names)


def test_the_pick_of_one_or_none() -> None:
    assert weekly.pick({"Ann": weekly.draw("Ann", "2026-W10")}) == "Ann"
    assert weekly.pick({}) is None


def test_surprise_false_turns_it_off(depth: Path) -> None:
    (depth / "vaultcrm.yaml").write_text("surprise: false\n")
    assert not any(r["kind"] == "surprise" for r in _due(depth)["reflections"])


def test_the_reason_comes_from_their_notes() -> None:
    vault, config = _vault(FIXTURE)

    def reason(name: str) -> str:
        return rules.surprise(vault.people[name], vault, TODAY, config)[0].reason

    assert reason("Aiko Tanaka") == (
        "Out of the blue: in January Aiko Tanaka confided in you — Ramen. She told me about"
        " her plan to open a jazz record shop. Ask how it is going."
    )
    assert reason("Hannah Weiss") == (
        "Out of the blue: Hannah Weiss likes pottery. Send them something about it, for no"
        " reason at all."
    )
    plain = dataclasses.replace(vault.people["Grace Kim"], likes=())
    assert rules.surprise(plain, vault, TODAY, config)[0].reason == (
        "Out of the blue: the last thing you did with Grace Kim was on Tue 13 Jan — Lunch. Tell"
        " them you thought of them."
    )


def test_a_ticked_surprise_stays_this_weeks_and_no_other_is_drawn(depth: Path) -> None:
    sync(depth, TODAY)
    note = depth / "Reflections due.md"
    text = note.read_text()
    line = next(x for x in text.splitlines() if "Out of the blue" in x and "- [ ]" in x)
    note.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)))
    result = sync(depth, TODAY)
    assert result.recorded == [
        "People/Aiko Tanaka.md: - 2026-03-04 Reached out out of the blue (from Reflections due)"
    ]
    for day in (TODAY, TODAY + dt.timedelta(days=2)):
        found = _due(depth, day)["reflections"]
        assert [r["person"] for r in found if r["kind"] == "surprise"] == ["Aiko Tanaka"]
    assert "- [x] " in (depth / "Reflections due.md").read_text()
    # next week, someone else
    assert _picks(depth, TODAY + dt.timedelta(days=7)) == ["Hannah Weiss"]


def test_a_surprise_ticked_early_in_the_week_is_recorded_at_its_end(depth: Path) -> None:
    """A tick made in Monday's note is recorded on Sunday, when she is no longer the pick
    (you met on Thursday): the item is looked up on the day of the note it was ticked in,
    however short the horizons and `celebrate_within`."""
    (depth / "vaultcrm.yaml").write_text("horizon: 3 days\ncelebrate_within: 3 days\n")
    monday, sunday = dt.date(2026, 3, 2), dt.date(2026, 3, 8)
    sync(depth, monday)
    note = depth / "Reflections due.md"
    text = note.read_text()
    line = next(x for x in text.splitlines() if "Out of the blue" in x and "- [ ]" in x)
    assert "[[Aiko Tanaka]]" in line
    note.write_text(text.replace(line, line.replace("- [ ]", "- [x]", 1)))
    aiko = depth / "People/Aiko Tanaka.md"
    aiko.write_text(aiko.read_text() + "- 2026-03-05 Lunch.\n")
    assert "Aiko Tanaka" not in _picks(depth, sunday)
    assert sync(depth, sunday).recorded == [
        "People/Aiko Tanaka.md: - 2026-03-08 Reached out out of the blue (from Reflections due)"
    ]


# --- the circle review ---------------------------------------------------------------------


def test_review_counts_each_circle_and_names_the_misfit(depth: Path) -> None:
    args = ["review", "--json", "--vault", str(depth), "--today", TODAY.isoformat()]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["circles"] == [
        {"circle": "family", "cadence_days": 7, "people": 1, "last_3_months": 1,
         "last_12_months": 1, "never": 0, "median_days_since": 3, "layer": 5},
        {"circle": "close", "cadence_days": 14, "people": 2, "last_3_months": 1,
         "last_12_months": 2, "never": 0, "median_days_since": 63, "layer": 15},
        {"circle": "friends", "cadence_days": 42, "people": 5, "last_3_months": 5,
         "last_12_months": 5, "never": 0, "median_days_since": 31, "layer": 50},
        {"circle": "acquaintances", "cadence_days": 180, "people": 3, "last_3_months": 2,
         "last_12_months": 3, "never": 0, "median_days_since": 12, "layer": 150},
    ]  # fmt: skip
    assert [(x["size"], x["circles"], x["people"]) for x in data["layers"]] == [
        (5, ["family"], 1),
        (15, ["family", "close"], 3),
        (50, ["family", "close", "friends"], 8),
        (150, ["family", "close", "friends", "acquaintances"], 11),
    ]
    assert data["misfits"] == [
        {"person": "Sam Ortiz", "file": "People/Sam Ortiz.md", "circle": "close",
         "contacts": 2, "months": 12, "suggested": "friends",
         "sentence": "Sam Ortiz: close, 2 contacts in 12 months — keep as close, or move to"
         " friends?",
         "command": "vaultcrm set 'Sam Ortiz' circle friends"},
    ]  # fmt: skip
    text = CliRunner().invoke(cli, args[:1] + args[2:], catch_exceptions=False).stdout
    assert "    vaultcrm set 'Sam Ortiz' circle friends\n" in text
    assert "  about 15 (monthly): family, close: 3 people\n" in text


def test_review_writes_nothing(depth: Path) -> None:
    before = {p: p.read_bytes() for p in depth.rglob("*") if p.is_file()}
    CliRunner().invoke(cli, ["review", "--vault", str(depth), "--today", "2026-03-04"])
    assert {p: p.read_bytes() for p in depth.rglob("*") if p.is_file()} == before


def test_the_set_line_moves_them_one_circle_at_a_time(depth: Path) -> None:
    runner = CliRunner()
    args = ["--vault", str(depth), "--today", TODAY.isoformat()]
    runner.invoke(cli, ["set", "Sam Ortiz", "circle", "friends", "--vault", str(depth)],
                  catch_exceptions=False)  # fmt: skip
    data = json.loads(runner.invoke(cli, ["review", "--json", *args]).stdout)
    # one circle at a time: two contacts a year is still rare for friends
    assert [m["sentence"] for m in data["misfits"]] == [
        "Sam Ortiz: friends, 2 contacts in 12 months — keep as friends, or move to"
        " acquaintances?"
    ]


def test_the_weeks_pick_shows_their_note_as_it_is_now(make_vault: MakeVault) -> None:
    """A candidate's stored results leave their person out (thousands are stored, one is
    picked): the pick's comes from their note, so what the note shows around the item
    follows an edit that leaves the item itself as it was."""
    root = make_vault({
        "People/Pia.md": (
            "---\ncadence: 1 year\nlikes: [chess]\nboundaries: Not about work.\n---\n"
            "- 2026-01-10 Tea\n"
        ),
        "People/Ann.md": "---\ncircle: close\n---\n- 2026-03-01 Call\n",
    })  # fmt: skip
    note = root / "Reflections due.md"
    assert [r.kind for r in sync(root, TODAY).outcome.reflections] == ["surprise"]
    assert "- Mind: Not about work.\n" in note.read_text()
    _rewrite(root / "People/Ann.md", "Call", "Long call")  # a pass from the index
    sync(root, TODAY)
    _rewrite(root / "People/Pia.md", "Not about work.", "Not about her ex.")
    sync(root, TODAY)
    assert "- Mind: Not about her ex.\n" in note.read_text()
    assert note.read_text() == _cold(root)


def test_the_next_pick_is_read_from_their_notes_daily_ones_too(make_vault: MakeVault) -> None:
    """Only the pick's item is written (its rule runs for them alone): when the week's
    pick is contacted, the next one's comes from their notes, read then, a daily note's
    confidence included, as a cold run writes it."""
    root = make_vault({
        "People/Pia.md": "---\ncadence: 1 year\nlikes: [chess]\n---\n- 2026-01-10 Tea\n",
        "People/Bo.md": "---\ncadence: 1 year\n---\n",
        "Journal/2026-01-12.md": "- Lunch with [[Bo]], she told me about her new job #heard\n",
    })  # fmt: skip
    reasons = {"Pia": "Pia likes chess", "Bo": "Bo confided in you — Lunch with Bo"}
    first = [r.person for r in sync(root, TODAY).outcome.reflections if r.kind == "surprise"]
    assert len(first) == 1 and reasons[first[0]] in _plain(_warm(root))
    note = root / f"People/{first[0]}.md"
    _rewrite(note, "", "")
    note.write_text(note.read_text() + "- 2026-03-03 Called.\n")  # in touch this week
    _rewrite(note, "", "")
    (other,) = set(reasons) - set(first)
    warm = _warm(root)
    assert reasons[other] in _plain(warm)
    assert reasons[first[0]] not in _plain(warm)
    assert warm == _cold(root)


# --- an override written before these kinds ------------------------------------------------

OLD_OVERRIDE = (
    "{% for section in sections %}## {{ section.title }}\n"
    "{% for item in section.items %}"
    '{% if item.kind == "reach_out" %}- [ ] Call {{ item.name | wikilink }} ^{{ item.id }}\n'
    '{% elif item.kind == "birthday" %}- [ ] Cake for {{ item.name }} ^{{ item.id }}\n'
    "{% else %}- [ ] {{ item.reason }} ^{{ item.id }}\n{% endif %}"
    "{% endfor %}{% endfor %}"
)


def _check(root: Path) -> tuple[int, str, dict[str, Any]]:
    args = ["check", "--vault", str(root)]
    shown = CliRunner().invoke(cli, args, catch_exceptions=False)
    as_json = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    return shown.exit_code, shown.output, json.loads(as_json.stdout)


def test_check_names_the_kinds_an_older_override_leaves_out(depth: Path) -> None:
    """A note template copied before drift and surprise existed names the kinds it knew:
    its note leaves the new kinds' items out, and `check` says which, on the template."""
    override = depth / ".vaultcrm/templates/reflections.md.j2"
    code, _, report = _check(depth)
    assert code == 0 and not [p for p in report["problems"] if "template" in p["path"]]
    override.parent.mkdir(parents=True)
    override.write_text(OLD_OVERRIDE, encoding="utf-8")
    code, output, report = _check(depth)
    message = (
        "names some kinds but not share, listen, deep, date, follow_up, celebrate, drift and"
        " surprise: their items are left out of the note (`vaultcrm due` lists them); copy"
        " their branches from the package's template (docs/templates.md)"
    )
    assert code == 0  # a warning
    assert f".vaultcrm/templates/reflections.md.j2: warning: {message}" in output
    assert {"path": ".vaultcrm/templates/reflections.md.j2", "line": None, "col": None,
            "message": message, "severity": "warning"} in report["problems"]  # fmt: skip
    note = _warm(depth)
    assert "Call [[Sam Ortiz]]" in note and "Aiko" not in note and "Ben Okafor" not in note
    # every kind named: nothing left out, nothing said
    override.write_text(OLD_OVERRIDE + f"{{# {' '.join(KIND.names)} #}}", encoding="utf-8")
    _, _, report = _check(depth)
    assert not [p for p in report["problems"] if "template" in p["path"]]
    assert "Aiko Tanaka" in _plain(_warm(depth))


@pytest.mark.parametrize("root", [FIXTURE, REPO / "example-vault"], ids=["depth", "example"])
def test_a_candidate_is_exactly_whom_the_rule_finds_an_item_for(root: Path) -> None:
    """The rule runs for the pick alone: whoever `eligible` lets in must get an item from
    it, and nobody else, on any day (the weeks around the fixture's and a year on)."""
    with opened(root, TODAY, cache=False) as session:
        vault, config = session.vault(), session.config
    days = [TODAY + dt.timedelta(days=n) for n in range(-60, 60, 3)] + [dt.date(2027, 3, 4)]
    spec = KIND["surprise"]
    assert spec.eligible is not None
    for day in days:
        for person in vault.people.values():
            found = spec.rule(person, vault, day, config)
            assert spec.eligible(person, vault, day, config) == bool(found), (person.name, day)
            assert len(found) <= 1
