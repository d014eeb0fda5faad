"""`vaultcrm flags suggest|apply`: the tags land at the end of the lines, and nothing else
moves (CRLF, BOM, a line ending in a link, a line already tagged); `#noflag` is honoured;
a second run changes nothing; the plan comes first."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from vaultcrm.app.flags import apply_plan
from vaultcrm.cli import cli
from vaultcrm.edit.tagline import TagLine, add_tags, with_tags

from .conftest import MakeVault
from .sessions import flags_plan

TODAY = "2026-11-23"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- the byte transform ------------------------------------------------------------------


def test_only_the_line_changes_in_a_crlf_note_with_a_bom() -> None:
    data = (
        b"\xef\xbb\xbf---\r\ncircle: close\r\n---\r\n"
        b"- 2026-10-01 She told me.\r\n- 2026-10-02 Tea\r\n"
    )
    new = add_tags(data, [TagLine(4, "2026-10-01 She told me.", ("heard",))])
    assert new == data.replace(b"She told me.\r\n", b"She told me. #heard\r\n")


def test_mixed_line_breaks_and_a_last_line_without_one_stay() -> None:
    data = b"- 2026-10-01 one\n- 2026-10-02 two\r\n- 2026-10-03 three"
    new = add_tags(data, [TagLine(2, "two", ("deep",)), TagLine(3, "three", ("win", "deep"))])
    assert new == b"- 2026-10-01 one\n- 2026-10-02 two #deep\r\n- 2026-10-03 three #win #deep"


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Walk with [[Ben Okafor]]", "Walk with [[Ben Okafor]] #heard"),
        ("Walk with [[Ben Okafor|Ben]]", "Walk with [[Ben Okafor|Ben]] #heard"),
        ("She told me #work", "She told me #work #heard"),
        ("She told me #heard", "She told me #heard"),  # already there: unchanged
        ("She told me #Heard", "She told me #Heard"),
        ("She told me ^abc123", "She told me #heard ^abc123"),  # a block id stays last
        ("She told me  ", "She told me #heard  "),  # a hard break stays
        ("She told me\t", "She told me #heard\t"),
        ("   ", "   "),  # nothing to tag
    ],
)
def test_where_the_tag_goes(line: str, want: str) -> None:
    assert with_tags(line, ["heard"]) == want


def test_a_line_that_changed_since_it_was_read_is_refused() -> None:
    data = b"- 2026-10-01 She told me about it.\n"
    with pytest.raises(ValueError, match="no longer reads"):
        add_tags(data, [TagLine(1, "She told me about her divorce", ("heard",))])
    with pytest.raises(ValueError, match="does not exist"):
        add_tags(data, [TagLine(3, "She told me", ("heard",))])


_line = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    ),
    max_size=40,
)


@given(
    lines=st.lists(st.tuples(_line, st.sampled_from(["\n", "\r\n", ""])), min_size=1, max_size=6),
    at=st.integers(min_value=0, max_value=5),
    bom=st.booleans(),
)
def test_applying_inserts_exactly_the_tag_once(
    lines: list[tuple[str, str]], at: int, bom: bool
) -> None:
    """Whatever the note, applying inserts ` #heard` once in the line (or nothing, when the
    line has it or holds no text), and applying again changes nothing."""
    lines = [(body, brk or "\n") for body, brk in lines[:-1]] + [lines[-1]]
    at = at % len(lines)
    target = lines[at][0].strip()
    data = (b"\xef\xbb\xbf" if bom else b"") + "".join(b + n for b, n in lines).encode()
    if not target or data.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
        return  # an interaction has text; frontmatter lines are never interactions
    edit = [TagLine(at + 1, target, ("heard",))]
    new = add_tags(data, edit)
    assert add_tags(new, edit) == new
    if new == data:
        assert "heard" in lines[at][0].lower()
    else:
        assert any(new == data[:p] + b" #heard" + data[p:] for p in range(len(data) + 1))


# -- the commands -------------------------------------------------------------------------

PRIYA = (
    "---\r\ncircle: close  # a comment\r\n---\r\n"
    "- 2026-10-02 Coffee. She told me her parents are splitting up.\r\n"
    "- 2026-10-20 Walk. Priya admitted she's been struggling since the move. [[Fernhill]]\r\n"
    "- 2026-11-05 Lunch, talked about the new office.\r\n"
    "- 2026-11-18 She told me about her divorce, hers to tell. #noflag\r\n"
)
TOM = (
    "\ufeff---\ncircle: friends\n---\n"
    "- 2026-09-01 Pub. I told him about my imposter syndrome at work. #work\n"
    "- 2026-10-12 Long run. I admitted I'm not sure the new job was the right move. ^run1\n"
    "- 2026-11-01 I didn't tell him about the redundancy rumours.\n"
)
DAILY = "- Dinner with [[Ben Okafor]] and [[Priya Shah]]. Ben told me about his divorce.\n"
BEN = "---\ncircle: close\n---\n- 2026-10-01 Ben confided that he's thinking of leaving Sarah.\n"


def vault(make_vault: MakeVault, name: str = "vault", **extra: str) -> Path:
    return make_vault(
        {
            "People/Priya Shah.md": PRIYA,
            "People/Tom Gallagher.md": TOM,
            "People/Ben Okafor.md": BEN,
            "Journal/2026-11-12.md": DAILY,
            **extra,
        },
        name,
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_suggest_lists_the_lines_and_writes_nothing(make_vault: MakeVault) -> None:
    root = vault(make_vault)
    before = snapshot(root)
    result = run("flags", "suggest", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        'Journal/2026-11-12.md:1: Ben Okafor: #heard 0.85 — "Ben told me … divorce"',
        'People/Ben Okafor.md:4: Ben Okafor: #heard 0.95 — "Ben confided"',
        'People/Priya Shah.md:4: Priya Shah: #heard 0.80 — "She told me … splitting up"',
        "People/Priya Shah.md:5: Priya Shah: #heard 0.85 — \"Priya admitted she … struggling\"",
        "People/Tom Gallagher.md:4: Tom Gallagher: #shared 0.85 —"
        ' "I told him about … imposter syndrome"',
        "People/Tom Gallagher.md:5: Tom Gallagher: #shared 0.90 — \"I admitted I … not sure\"",
        "6 lines read as a flag (confidence 0.80 or more): `vaultcrm flags apply` adds the"
        " tags; #noflag on a line keeps it out.",
    ]
    assert snapshot(root) == before


def test_suggest_json_and_a_person(make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAULTCRM_DEBUG")  # the user's view: one line, exit 2
    root = vault(make_vault)
    result = run("flags", "suggest", "pri", "--json", "--vault", str(root), "--today", TODAY)
    data = json.loads(result.output)
    assert set(data) == {"today", "min_confidence", "suggestions", "problems"}
    assert data["suggestions"][0] == {
        "file": "People/Priya Shah.md", "line": 4, "person": "Priya Shah",
        "date": "2026-10-02", "flags": ["heard"], "because": "She told me … splitting up",
        "confidence": 0.8, "text": "Coffee. She told me her parents are splitting up.",
    }  # fmt: skip
    assert [s["line"] for s in data["suggestions"]] == [4, 5]
    unknown = run("flags", "suggest", "Zed", "--vault", str(root), "--today", TODAY)
    assert unknown.exit_code == 2 and "no person named 'Zed'" in unknown.output


def test_apply_prints_the_plan_writes_only_the_tags_and_is_idempotent(
    make_vault: MakeVault,
) -> None:
    root = vault(make_vault)
    before = snapshot(root)
    dry = run("flags", "apply", "--dry-run", "--vault", str(root), "--today", TODAY)
    assert dry.exit_code == 0 and dry.output.endswith("Dry run: nothing written.\n")
    assert snapshot(root) == before
    result = run("flags", "apply", "--vault", str(root), "--today", TODAY)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Plan: 5 tags on 5 lines in 3 notes (confidence 0.80 or more)",
        '  People/Ben Okafor.md:4: +#heard 0.95 — "Ben confided"',
        '  People/Priya Shah.md:4: +#heard 0.80 — "She told me … splitting up"',
        "  People/Priya Shah.md:5: +#heard 0.85 — \"Priya admitted she … struggling\"",
        '  People/Tom Gallagher.md:4: +#shared 0.85 — "I told him about … imposter syndrome"',
        "  People/Tom Gallagher.md:5: +#shared 0.90 — \"I admitted I … not sure\"",
        "Left alone:",
        "  Journal/2026-11-12.md:1: heard for Ben Okafor: the line also counts for Priya"
        " Shah, for whom it does not read so",
        "Wrote 5 tags on 5 lines in 3 notes.",
    ]
    after = snapshot(root)
    assert after["People/Priya Shah.md"] == PRIYA.replace(
        "splitting up.\r\n", "splitting up. #heard\r\n"
    ).replace("[[Fernhill]]\r\n", "[[Fernhill]] #heard\r\n").encode()
    assert after["People/Tom Gallagher.md"] == TOM.replace(
        "#work\n", "#work #shared\n"
    ).replace("move. ^run1\n", "move. #shared ^run1\n").encode()
    assert after["People/Ben Okafor.md"] == BEN.replace("Sarah.\n", "Sarah. #heard\n").encode()
    assert after["Journal/2026-11-12.md"] == before["Journal/2026-11-12.md"]  # shared line
    again = run("flags", "apply", "--vault", str(root), "--today", TODAY)
    assert again.output == (
        "Nothing to tag (confidence 0.80 or more).\nLeft alone:\n"
        "  Journal/2026-11-12.md:1: heard for Ben Okafor: the line also counts for Priya"
        " Shah, for whom it does not read so\n"
    )
    assert snapshot(root) == after


def test_noflag_is_never_suggested_and_its_name_is_configurable(make_vault: MakeVault) -> None:
    line = "- 2026-11-18 She told me about her divorce, hers to tell. #private\r\n"
    root = vault(make_vault, **{"vaultcrm.yaml": "tags: {noflag: private}\n"})
    (root / "People/Priya Shah.md").write_bytes(PRIYA.replace(
        "- 2026-11-18 She told me about her divorce, hers to tell. #noflag\r\n", line
    ).encode())  # fmt: skip
    out = run("flags", "suggest", "Priya", "--vault", str(root), "--today", TODAY).output
    assert ":7:" not in out and ":6:" not in out
    assert run("flags", "apply", "Priya", "--vault", str(root), "--today", TODAY).exit_code == 0
    assert line.encode() in (root / "People/Priya Shah.md").read_bytes()
    # under the default name, #noflag is just a tag again, and #private keeps nothing out
    plain = vault(make_vault, "plain")
    out = run("flags", "suggest", "Priya", "--vault", str(plain), "--today", TODAY).output
    assert "Priya Shah.md:7" not in out


def test_a_line_dated_after_today_is_a_plan_not_read(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann.md": "- 2026-12-01 Ann told me about her divorce.\n"})
    out = run("flags", "suggest", "--vault", str(root), "--today", TODAY).output
    assert out.startswith("No line without a flag reads as one")
    later = run("flags", "suggest", "--vault", str(root), "--today", "2026-12-02").output
    assert later.startswith("People/Ann.md:1: Ann: #heard")


def test_a_note_changed_since_the_plan_is_refused_and_the_others_written(
    make_vault: MakeVault,
) -> None:
    root = vault(make_vault)
    planned = flags_plan(root, dt.date.fromisoformat(TODAY))
    tom = root / "People/Tom Gallagher.md"
    edited = TOM.replace("I told him about my imposter", "I told him about his imposter")
    tom.write_bytes(edited.encode())
    done = apply_plan(planned)
    assert len(done.refused) == 1 and "Tom Gallagher.md" in done.refused[0]
    assert "no longer reads" in done.refused[0]
    assert tom.read_bytes() == edited.encode()  # nothing of it written
    assert b"#heard" in (root / "People/Priya Shah.md").read_bytes()


def test_apply_json(make_vault: MakeVault) -> None:
    root = vault(make_vault)
    args = ["--json", "--dry-run", "--vault", str(root), "--today", TODAY]
    data = json.loads(run("flags", "apply", "Tom", *args).output)
    assert data["dry_run"] is True and data["written"] == [] and data["refused"] == []
    assert data["plan"] == [
        {"file": "People/Tom Gallagher.md", "line": 4, "people": ["Tom Gallagher"],
         "flags": ["shared"], "tags": ["shared"],
         "because": "I told him about … imposter syndrome", "confidence": 0.85},
        {"file": "People/Tom Gallagher.md", "line": 5, "people": ["Tom Gallagher"],
         "flags": ["shared"], "tags": ["shared"], "because": "I admitted I … not sure",
         "confidence": 0.9},
    ]  # fmt: skip


def test_docs_examples_are_what_the_commands_print(example_vault: Path) -> None:
    """docs/flags.md shows `flags suggest|apply` on the example vault without its tags."""
    for note in example_vault.rglob("*.md"):
        text = note.read_text(encoding="utf-8")
        note.write_text(re.sub(r" #(?:shared|heard|deep|win)\b", "", text), encoding="utf-8")
    docs = (Path(__file__).parent.parent / "docs" / "flags.md").read_text(encoding="utf-8")
    suggested = run("flags", "suggest", "--vault", str(example_vault), "--today", TODAY).output
    applied = run("flags", "apply", "--vault", str(example_vault), "--today", TODAY).output
    again = run("flags", "apply", "--vault", str(example_vault), "--today", TODAY).output
    shown = [line for line in docs.splitlines() if re.match(r"(  )?(Journal|People)/", line)]
    assert shown
    for line in shown:
        assert line in suggested.splitlines() or line in applied.splitlines(), line
    assert suggested.splitlines()[-1] in docs
    assert applied.splitlines()[0] in docs and applied.splitlines()[-1] in docs
    assert again.strip() in docs
