"""One record per kind: every kind has every entry, words and a template branch."""

from __future__ import annotations

import re

from vaultcrm.output.templates import REFLECTIONS_TEMPLATE, package_templates
from vaultcrm.reflect import rules
from vaultcrm.reflect.kinds import KIND, KINDS, SPECS
from vaultcrm.words import FOCUS_LABELS, KIND_WORDS


def test_kinds_are_the_records_in_order() -> None:
    assert tuple(spec.name for spec in SPECS) == KINDS
    assert len(set(KINDS)) == len(KINDS)
    assert KINDS == (
        "reach_out", "share", "listen", "deep", "birthday", "date", "follow_up", "celebrate",
        "drift", "surprise",
    )  # fmt: skip


def test_every_kind_has_every_entry() -> None:
    assert tuple(KIND_WORDS) == KINDS, "a kind without words, or out of report order"
    assert tuple(FOCUS_LABELS) == KINDS, "a kind without its label in the focus list"
    for spec in SPECS:
        assert spec.rule is getattr(rules, spec.name), spec.name
        assert callable(spec.urgency), spec.name
        words = spec.words
        assert words.title and words.gained and words.lost, spec.name
        # a tick either logs a line in the person's note or ticks off the task itself
        assert (words.logged is None) == (spec.name == "follow_up"), spec.name
        if spec.logs_flag is not None:
            assert spec.logs_flag in ("shared", "heard", "deep", "win"), spec.name


def test_every_kind_has_a_template_branch() -> None:
    template = (package_templates() / REFLECTIONS_TEMPLATE).read_text()
    branches = re.findall(r"\{% (?:el)?if kind (?:==|in) ([^%]+)%\}", template)
    named = set(re.findall(r'"([a-z_]+)"', " ".join(branches)))
    assert set(KINDS) <= named, f"no template branch for {set(KINDS) - named}"


def test_a_kinds_title_heads_its_section_in_words() -> None:
    assert KIND["follow_up"].title == "Follow-ups"


def test_order_is_one_sort_by_the_full_key() -> None:
    """`order` sorts by a prefix of the key, then ties by the whole key: the same list
    as sorting everything by the whole key, ties (same person, kind, urgency) included."""
    import datetime as dt
    import random

    from vaultcrm.model import Reflection
    from vaultcrm.reflect.kinds import _order, order

    rnd = random.Random(7)

    def made() -> Reflection:
        data = {
            "date": dt.date(2026, 1, rnd.randint(1, 3)),
            "overdue_days": rnd.choice([None, 1, 2]),
            "count": rnd.randint(0, 2),
            "last_deep": rnd.choice([None, dt.date(2025, 1, 1)]),
            "label": rnd.choice([None, 1, "a"]),
            "days_since": rnd.choice([21, 40]),
            "rhythm_days": rnd.choice([5, 9]),
        }
        kind = rnd.choice([*KINDS, "unknown"])
        return Reflection(kind, rnd.choice(["Ann", "ann", "Bob"]), rnd.choice("fg"), "r", data)

    for _ in range(200):
        found = [made() for _ in range(rnd.randint(0, 40))]
        by_key = sorted(found, key=_order)
        assert [id(r) for r in order(found)] == [id(r) for r in by_key]


def test_item_ids_digest_each_kind_as_item_id_does() -> None:
    """`item_ids` builds each id in one step; it must be `item_id`'s, for every kind
    (and a kind it does not know), with fields present, missing or None."""
    import datetime as dt
    import random

    from vaultcrm.model import Reflection
    from vaultcrm.output.generated import item_id, item_ids

    rnd = random.Random(11)
    found = []
    for kind in [*KINDS, "unknown"]:
        for _ in range(50):
            data: dict[str, object] = {
                "date": dt.date(2026, 1, rnd.randint(1, 9)),
                "label": rnd.choice(["Anniversary", None]),
                "text": rnd.choice(["Call back", "Ça va ?"]),
                "source_file": "Journal/2026-01-01.md",
            }
            if rnd.random() < 0.3:
                del data[rnd.choice(sorted(data))]
            found.append(Reflection(kind, rnd.choice(["Ann", "Zoë"]), "f.md", "r", data))
    ids = item_ids(found)
    assert len(set(ids)) == len(ids)
    firsts = {}
    for r, key in zip(found, ids, strict=True):
        firsts.setdefault(item_id(r), key)
    assert set(firsts) == set(firsts.values())  # each first occurrence keeps item_id's id
