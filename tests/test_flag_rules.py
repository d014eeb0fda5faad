"""The flag rules against the labelled set: precision and recall per flag, and the floor.

The labelled set (tests/data/flag_lines_dev.txt and flag_lines_heldout.txt, 245 lines)
was written before the rules, in the shape people write notes, each line with the flags
a careful reader gives it. docs/flags.md reports the figures computed here, and this test
keeps them true: change a rule and the figures (and so the docs) must be looked at again.
The adversarial lines (written after the rules, to break them) are reported, not floored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from vaultcrm.prose.match import FLAG_ORDER, About, default_confidence, flags_at, read_line

DATA = Path(__file__).parent / "data"
DOCS = Path(__file__).parent.parent / "docs" / "flags.md"
#: The floor: a wrong "she confided" is worse than a missed one.
PRECISION_FLOOR = 0.9
_LINK = re.compile(r"\[\[([^\]|#]+)")


@dataclass(frozen=True)
class Labelled:
    about: tuple[str, ...]
    flags: frozenset[str]
    text: str


def load(name: str) -> list[Labelled]:
    """`@ NAME | ALIAS, …` sets the person; `FLAGS | TEXT` is a line (`-`: no flag)."""
    about: tuple[str, ...] = ()
    found = []
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        left, _, right = raw.partition("|")
        if raw.startswith("@"):
            about = (left[1:].strip(), *(a.strip() for a in right.split(",") if a.strip()))
            continue
        flags = frozenset() if left.strip() == "-" else frozenset(left.split())
        assert flags <= set(FLAG_ORDER), raw
        found.append(Labelled(about, flags, right.strip()))
    return found


@dataclass
class Score:
    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)
    lines: int = 0

    def add(self, want: frozenset[str], got: set[str]) -> None:
        self.lines += 1
        for flag in FLAG_ORDER:
            if flag in got:
                bucket = self.tp if flag in want else self.fp
            elif flag in want:
                bucket = self.fn
            else:
                continue
            bucket[flag] = bucket.get(flag, 0) + 1

    def figures(self, flag: str | None = None) -> tuple[int, int, int]:
        pick = (lambda d: d.get(flag, 0)) if flag else (lambda d: sum(d.values()))
        return pick(self.tp), pick(self.fp), pick(self.fn)

    def precision(self, flag: str | None = None) -> float:
        tp, fp, _ = self.figures(flag)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, flag: str | None = None) -> float:
        tp, _, fn = self.figures(flag)
        return tp / (tp + fn) if tp + fn else 1.0

    def row(self, label: str) -> str:
        """The docs' table row: P / R per flag (with counts), then all."""
        cells = [f"{label} ({self.lines} lines)"]
        for flag in (*FLAG_ORDER, None):
            tp, fp, fn = self.figures(flag)
            cells.append(
                f"{self.precision(flag):.2f} / {self.recall(flag):.2f}"
                f" ({tp} right, {fp} wrong, {fn} missed)"
            )
        return "| " + " | ".join(cells) + " |"


def score(items: list[Labelled], at_least: float) -> Score:
    found = Score()
    for item in items:
        others = tuple(t for t in _LINK.findall(item.text) if t.strip() not in item.about)
        evidence = read_line(item.text, About(item.about, others))
        found.add(item.flags, {e.flag for e in flags_at(evidence, at_least)})
    return found


DEV = load("flag_lines_dev.txt")
HELD_OUT = load("flag_lines_heldout.txt")
ADVERSARIAL = load("flag_lines_adversarial.txt")


def test_the_labelled_set_has_at_least_200_lines_of_every_kind() -> None:
    both = DEV + HELD_OUT
    assert len(both) >= 200
    for flag in FLAG_ORDER:
        assert sum(flag in i.flags for i in both) >= 20, flag
    assert sum(not i.flags for i in both) >= 80  # the traps: lines a careful reader leaves


@pytest.mark.parametrize(
    ("label", "items"), [("dev", DEV), ("held-out", HELD_OUT), ("both", DEV + HELD_OUT)]
)
def test_precision_at_the_default_confidence_is_at_least_the_floor(
    label: str, items: list[Labelled]
) -> None:
    found = score(items, default_confidence())
    assert found.precision() >= PRECISION_FLOOR, found.row(label)


def example_vault_score(tmp_path: Path, at_least: float) -> Score:
    """The example vault was written (and tagged) before the rules: strip its flag tags
    from a copy, and score the suggestions against the tags its author wrote."""
    import shutil

    from tests.sessions import snapshot
    from vaultcrm.read.inferred import resolver, suggestions

    from .conftest import EXAMPLE_TODAY, EXAMPLE_VAULT

    today = dt.date.fromisoformat(EXAMPLE_TODAY)
    bare = tmp_path / "bare"
    shutil.copytree(EXAMPLE_VAULT, bare)
    for note in bare.rglob("*.md"):
        text = note.read_text(encoding="utf-8")
        note.write_text(re.sub(r" #(?:shared|heard|deep|win)\b", "", text), encoding="utf-8")
    tagged = snapshot(EXAMPLE_VAULT, today, cache=False).vault
    stripped = snapshot(bare, today, cache=False)
    found = suggestions(
        stripped.vault, stripped.config, resolver(stripped.vault.people), at_least=at_least,
        until=today,
    )  # fmt: skip
    got = {(s.person, s.file, s.line): set(s.flags) for s in found}
    result = Score()
    for items in tagged.interactions.values():
        for i in items:
            if i.date <= today:
                result.add(i.flags, got.get((i.person, i.file, i.line), set()))
    return result


def test_docs_report_the_figures_as_they_are(tmp_path: Path) -> None:
    """docs/flags.md holds exactly these rows: the figures in the docs are the rules' own."""
    docs = DOCS.read_text(encoding="utf-8")
    at = default_confidence()
    rows = [
        score(DEV, at).row("dev"),
        score(HELD_OUT, at).row("held-out"),
        score(DEV + HELD_OUT, at).row("labelled set"),
        score(ADVERSARIAL, at).row("adversarial"),
        example_vault_score(tmp_path, at).row("example vault"),
    ]
    missing = [row for row in rows if row not in docs]
    assert not missing, "docs/flags.md should read:\n" + "\n".join(rows)
