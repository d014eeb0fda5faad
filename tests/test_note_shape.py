"""The note as a person reads it: a focus list first, capped sections, one chart.

Every reflection appears exactly once (unless a full section leaves it to `due`), ticks
work wherever a line sits, and the Mermaid chart is well-formed for its chart type.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import EXAMPLE_TODAY, MakeVault
from tests.sessions import compute
from vaultcrm.app.sync import render_outcome
from vaultcrm.cli import cli
from vaultcrm.output.generated import item_ids

TODAY = dt.date.fromisoformat(EXAMPLE_TODAY)
OUT = "Reflections due.md"
ID = re.compile(r" \^(vcrm-[a-z-]+-[0-9a-f]{8})$", re.M)


def run(*args: str) -> object:
    return CliRunner().invoke(cli, [*args, "--today", EXAMPLE_TODAY], catch_exceptions=False)


def synced(root: Path) -> str:
    result = run("sync", "--vault", str(root))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return (root / OUT).read_text(encoding="utf-8")


def section(note: str, title: str) -> str:
    """The text of one `## title` section, up to the next `## ` heading."""
    start = note.index(f"\n## {title}\n")
    end = note.find("\n## ", start + 1)
    return note[start : end if end != -1 else len(note)]


def never_contacted(count: int) -> dict[str, str]:
    return {f"People/Person {i:03d}.md": "---\ncircle: friends\n---\n" for i in range(count)}


def overdue(count: int) -> dict[str, str]:
    """People last seen long ago, the longest ago first by name."""
    return {
        f"People/Person {i:03d}.md": f"---\ncircle: friends\n---\n- 2026-0{1 + i % 9}-01 Tea\n"
        for i in range(count)
    }


# --- every reflection once, ticks everywhere ------------------------------------------------


def test_every_reflection_id_appears_exactly_once_in_the_note(example_vault: Path) -> None:
    note = synced(example_vault)
    reflections = compute(example_vault, TODAY).reflections
    expected = item_ids(reflections)
    assert len(expected) == len(set(expected)) == 17
    found = ID.findall(note)
    # each once: no id twice, none missing but Oscar's, never contacted: no box of its own,
    # he is in the compact list of people not in the notes yet
    oscar = next(
        i for r, i in zip(reflections, expected, strict=True) if r.person == "Oscar Delgado"
    )
    assert sorted(found) == sorted(set(expected) - {oscar})
    assert section(note, "Not yet in your notes") == (
        "\n## Not yet in your notes\n\n1 person — log a first contact or set `last_contact`:"
        " [[Oscar Delgado]].\n"
    )
    focus = section(note, "Focus")
    assert focus.count("\n### ") == 5
    names = re.findall(r"^### \[\[(.+)\]\]$", focus, re.M)
    assert len(names) == len(set(names))
    for name in names:  # the focus people are nowhere else in the task lines
        rest = note[note.index(focus) + len(focus) :]
        assert not any(f"[[{name}]]" in line for line in rest.splitlines() if "^vcrm-" in line)


def test_a_tick_in_the_focus_section_is_recorded(example_vault: Path) -> None:
    note = synced(example_vault)
    focus = section(note, "Focus")
    sam = focus[focus.index("### [[Sam Reyes]]") :]
    line = next(x for x in sam.splitlines() if x.startswith("- [ ] **Reach out**"))
    (example_vault / OUT).write_text(note.replace(line, "- [x]" + line[5:]), encoding="utf-8")

    result = run("sync", "--vault", str(example_vault))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert (
        "Recorded: People/Sam Reyes.md: - 2026-11-23 Reached out (from Reflections due)"
        in result.output  # type: ignore[attr-defined]
    )
    assert (example_vault / "People/Sam Reyes.md").read_text().endswith(
        "- 2026-11-23 Reached out (from Reflections due)\n"
    )
    assert "[[Sam Reyes]]" not in (example_vault / OUT).read_text()  # nothing else was due


def test_the_same_task_written_twice_gets_two_ids_and_each_tick_its_own_line(
    make_vault: MakeVault,
) -> None:
    task = "- [ ] 2026-11-20 Call about the flat\n"
    root = make_vault({"People/Bo.md": f"- 2026-11-22 Tea\n{task}{task}", "vaultcrm.yaml": ""})
    note = synced(root)
    ids = ID.findall(note)
    assert len(ids) == 2 and len(set(ids)) == 2
    second = [x for x in note.splitlines() if "Call about the flat" in x][1]
    (root / OUT).write_text(note.replace(second, "- [x]" + second[5:]), encoding="utf-8")
    assert run("sync", "--vault", str(root)).exit_code == 0  # type: ignore[attr-defined]
    lines = (root / "People/Bo.md").read_text().splitlines()
    assert lines[1:] == [task.strip(), task.strip().replace("[ ]", "[x]")]


# --- the focus list --------------------------------------------------------------------------


def test_focus_order_is_most_urgent_first_and_the_rest_keeps_its_kind_order(
    example_vault: Path,
) -> None:
    note = synced(example_vault)
    names = re.findall(r"^### \[\[(.+)\]\]$", section(note, "Focus"), re.M)
    # tier 0 (something today or overdue), earliest first: Lena's win on 13 Nov, Alice's
    # follow-up due 20 Nov, Ben's 21 Nov; tier 1 (reach out): the furthest past their
    # cadence in proportion (Sam 65/42 before Richard 9/7). Oscar, never contacted, is no
    # urgency: he waits in the compact list, not in the focus list.
    assert names == ["Lena Fischer", "Alice Nakamura", "Ben Okafor", "Sam Reyes", "Richard Marsh"]
    assert "\n## Reach out\n" not in note
    assert "[[Oscar Delgado]]" in section(note, "Not yet in your notes")


def test_choosing_from_tier_zero_alone_gives_the_full_ranking(example_vault: Path) -> None:
    """`choose` ranks only the people with something that cannot wait when they are
    enough: for every count, the same names as ranking everyone."""
    from vaultcrm.output.focus import choose, is_not_yet, urgency
    from vaultcrm.output.render import build_items

    outcome = compute(example_vault, TODAY)
    items = build_items(outcome.reflections, outcome.people, outcome.last, (), outcome.open)
    mine: dict[str, list] = {}  # type: ignore[type-arg]
    for item in items:
        mine.setdefault(item.name, []).append(item)
    waiting = {name for name, found in mine.items() if all(is_not_yet(i) for i in found)}
    assert waiting == {"Oscar Delgado"}  # never chosen: not in the notes yet
    ranked = sorted(set(mine) - waiting, key=lambda name: urgency(mine[name]))
    assert sum(urgency(found)[0] == 0 for found in mine.values()) >= 2  # both paths run
    for count in range(len(ranked) + 2):
        assert choose(items, count) == ranked[:count]


def test_a_focus_person_has_one_context_block_the_last_open_exchange_when_ledger_is_due(
    example_vault: Path,
) -> None:
    focus = section(synced(example_vault), "Focus")
    ben = focus[focus.index("### [[Ben Okafor]]") : focus.index("### [[Sam Reyes]]")]
    assert ben.count("- Last open exchange (Sun 15 Nov): Sunday walk") == 1
    assert "Last time" not in ben
    assert ben.count("- Likes: ") == 1 and ben.count("- Mind: ") == 1
    lena = focus[focus.index("### [[Lena Fischer]]") : focus.index("### [[Alice Nakamura]]")]
    assert "passed her viva" in lena and lena.count("passed her viva") == 1  # quoted once


def test_focus_zero_leaves_only_the_sections(make_vault: MakeVault, example_vault: Path) -> None:
    (example_vault / "vaultcrm.yaml").write_text(
        (example_vault / "vaultcrm.yaml").read_text() + "focus: 0\n"
    )
    note = synced(example_vault)
    assert "## Focus" not in note
    assert len(ID.findall(note)) == len(set(ID.findall(note))) == 16  # and Oscar, not yet
    assert "Reach out to [[Sam Reyes]] — Last contact 65 days ago" in note
    assert "Last time" not in note  # sections carry no context blocks


# --- sections capped at section_limit --------------------------------------------------------


def test_a_full_section_lists_the_most_urgent_then_says_how_many_more(
    make_vault: MakeVault,
) -> None:
    """Focus ranks the longest overdue first (by name between equals); the section goes on
    from there, then says how many more."""
    root = make_vault({**overdue(40), "vaultcrm.yaml": "focus: 3\nsection_limit: 10\n"})
    note = synced(root)
    ids = ID.findall(note)
    assert len(ids) == len(set(ids)) == 13  # 3 in focus, 10 listed
    assert "\n- … and 27 more: `vaultcrm due --kind reach_out`\n" in note
    assert "*Tuesday" not in note and "· 40 reflections for 40 people." in note
    focus = re.findall(r"^### \[\[(.+)\]\]$", note, re.M)
    assert focus == ["Person 000", "Person 009", "Person 018"]  # seen on 1 January
    listed = re.findall(r"Reach out to \[\[(Person \d+)\]\]", note)
    later = (1, 10, 19, 28, 37, 2, 11, 20)  # seen on 1 February, then 1 March
    assert listed == ["Person 027", "Person 036", *(f"Person {i:03d}" for i in later)]

    due = json.loads(run("due", "--json", "--vault", str(root)).stdout)  # type: ignore[attr-defined]
    assert len(due["reflections"]) == 40  # `due` lists everything


# --- one date style, tags stripped from quoted text ---------------------------------------------


def test_due_strips_tags_from_quoted_text_and_writes_dates_one_way(example_vault: Path) -> None:
    out = run("due", "--vault", str(example_vault)).output  # type: ignore[attr-defined]
    assert "#win" not in out and "#heard" not in out
    assert "Had a win on Fri 13 Nov:" in out
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", out)  # no ISO date in a reason
    note = synced(example_vault)
    body = note.split("\n---\n", 1)[1]
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", body.split("```mermaid")[0])


# --- the chart ------------------------------------------------------------------------------


def mermaid_block(note: str) -> list[str]:
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", note, re.M | re.S)
    assert len(blocks) == 1, blocks
    return [line for line in blocks[0].splitlines() if line.strip()]


def parse_xychart(lines: list[str]) -> dict[str, object]:
    """A strict reading of the subset of Mermaid's xychart-beta grammar the note uses."""
    body = [x for x in lines if not x.startswith("%%")]  # directives and comments
    assert lines[0].startswith("%%{init: ") and lines[0].endswith("}%%")
    json.loads(lines[0][len("%%{init: ") : -len("}%%")])  # the directive is JSON
    assert body[0] == "xychart-beta"
    title = re.fullmatch(r' {4}title "([^"]+)"', body[1])
    axis = re.fullmatch(r" {4}x-axis \[(.*)\]", body[2])
    y = re.fullmatch(r' {4}y-axis "([^"]+)"', body[3])
    assert title and axis and y, body[:4]
    labels = re.findall(r'"([^"]*)"', axis.group(1))
    assert axis.group(1) == ", ".join(f'"{label}"' for label in labels)
    series = []
    for line in body[4:]:
        m = re.fullmatch(r" {4}bar \[(\d+(?:, \d+)*)\]", line)
        assert m, line
        series.append([int(v) for v in m.group(1).split(", ")])
    return {"title": title.group(1), "labels": labels, "series": series}


CHART_VAULT = {
    "People/Ann.md": (
        "---\ncircle: close\n---\n"
        "- 2025-11-30 Before the window #shared\n"  # a month too early
        "- 2025-12-01 Told her about the move #shared\n"
        "- 2026-03-10 She told me about her sister #heard\n"
        "- 2026-03-11 Both of us, finally #shared #heard\n"
        "- 2026-11-23 Tea\n"
        "- 2026-11-24 Tomorrow's plan #shared\n"  # after today: a plan, not contact
    ),
    "People/Bo.md": "---\ncircle: friends\n---\n",
    "Journal/2026-03-12.md": "- Lunch with [[Ann]] and [[Bo]]\n",
}


def test_the_mermaid_block_is_a_well_formed_xychart_of_12_months(make_vault: MakeVault) -> None:
    note = synced(make_vault(CHART_VAULT))
    chart = parse_xychart(mermaid_block(note))
    assert chart["title"] == "Interactions per month, Dec 2025 to Nov 2026"
    assert chart["labels"] == [
        "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov"
    ]  # fmt: skip
    everything, shared, you = chart["series"]  # type: ignore[misc]
    assert all(len(s) == 12 for s in chart["series"])  # type: ignore[attr-defined]
    # cumulative layers, drawn over each other: all ≥ shared by either ≥ shared by you
    assert all(a >= b >= c >= 0 for a, b, c in zip(everything, shared, you, strict=True))
    assert you == [1, 0, 0, 1] + [0] * 8
    assert shared == [1, 0, 0, 3] + [0] * 8  # + they shared (10 and 11 Mar)
    assert everything == [1, 0, 0, 5] + [0] * 7 + [1]  # + the lunch (two people), the tea
    assert note.index("## The last 12 months") > note.index("## Focus")


def test_no_chart_without_interactions_in_the_window_or_with_chart_false(
    make_vault: MakeVault,
) -> None:
    quiet = make_vault({"People/Bo.md": "- 2024-01-01 Long ago\n"}, name="quiet")
    assert "```mermaid" not in synced(quiet) and "12 months" not in synced(quiet)
    off = make_vault({**CHART_VAULT, "vaultcrm.yaml": "chart: false\n"}, name="off")
    note = synced(off)
    assert "```mermaid" not in note and "## The last 12 months" not in note
    assert "## Focus" in note


@pytest.mark.parametrize("cached", [True, False])
def test_the_chart_follows_a_change_to_someone_with_nothing_due(
    make_vault: MakeVault, cached: bool
) -> None:
    root = make_vault(CHART_VAULT)
    synced(root)
    (root / "Journal/2026-11-20.md").write_text("- Walk with [[Bo]] #heard\n")
    note = synced(root) if cached else render_outcome(compute(root, TODAY, cache=False))
    everything, shared, you = parse_xychart(mermaid_block(note))["series"]  # type: ignore[misc]
    assert everything[11] == 2 and shared[11] == 1 and you[11] == 0
    assert note == render_outcome(compute(root, TODAY, cache=False))


def test_a_big_vault_reads_in_one_screenful_per_section(make_vault: MakeVault) -> None:
    files = never_contacted(300)
    files.update(
        {
            f"Journal/2026-{m:02d}-0{d}.md": f"- Call with [[Person {m * 7 + d:03d}]] #heard\n"
            for m in range(1, 12)
            for d in range(1, 4)
        }
    )
    note = synced(make_vault(files))
    assert note.count("\n### ") == 5  # people seen, long ago: not those never contacted
    assert len(ID.findall(note)) == 5 + 25 + 1  # the 30 seen, long ago; this week's surprise
    # the 267 never contacted: one line, 25 names and how many more
    waiting = section(note, "Not yet in your notes")
    assert waiting.startswith("\n## Not yet in your notes\n\n267 people — log a first contact")
    assert waiting.count("[[") == 25
    assert "and 242 more (`vaultcrm due --kind reach_out`)." in waiting
    assert len(note.splitlines()) < 120
    assert parse_xychart(mermaid_block(note))["series"][0][:11] == [0] + [3] * 10  # type: ignore[index]
