"""One record per kind: every kind has every entry, words and a template branch, and a
kind added through its record alone shows everywhere a kind does."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import MakeVault
from vaultcrm.cli import cli
from vaultcrm.config import Config
from vaultcrm.model import FLAGS, Person, Reflection, Vault
from vaultcrm.output.templates import REFLECTIONS_TEMPLATE, package_templates
from vaultcrm.reflect import rules
from vaultcrm.reflect.kinds import KIND, SPECS, Focus, KindSpec
from vaultcrm.words import KIND_WORDS, KindWords, focus_labels

REPO = Path(__file__).resolve().parent.parent


def test_kinds_are_the_records_in_order() -> None:
    assert tuple(spec.name for spec in SPECS) == KIND.names
    assert len(set(KIND.names)) == len(KIND.names)
    assert KIND.names == (
        "reach_out", "share", "listen", "deep", "birthday", "date", "follow_up", "celebrate",
        "drift", "surprise",
    )  # fmt: skip


def test_every_kind_has_every_entry() -> None:
    assert tuple(KIND_WORDS) == KIND.names, "a kind without words, or out of report order"
    config = Config()
    for spec in SPECS:
        assert spec.rule is getattr(rules, spec.name), spec.name
        assert callable(spec.urgency), spec.name
        words = spec.words
        assert words is KIND_WORDS[spec.name], f"{spec.name}: its words live in words.py"
        assert words.title and words.label and words.logged and words.gained and words.lost
        assert spec.tick in ("log", "task"), spec.name
        if spec.logs_flag is not None:
            assert spec.logs_flag in FLAGS, spec.name
        if spec.quotes_flag is not None:
            assert spec.quotes_flag in FLAGS, spec.name
        # an item that stays listed after a tick says for how long (the late ticks' reach)
        assert (spec.listed_for is not None) == spec.stays_after_tick, spec.name
        if spec.listed_for is not None:
            assert spec.listed_for(config) > 0, spec.name
        assert (spec.focus.rank is not None) == (spec.focus.tier == 1), spec.name
        # a kind picked for one person of the vault draws and picks; only such a kind
        # may ask for people due for nothing else
        assert (spec.draw is None) == (spec.pick is None), spec.name
        assert not spec.alone or spec.pick is not None, spec.name


def test_a_kinds_settings_are_config_keys_documented_in_config_md() -> None:
    """The settings a kind names are vaultcrm.yaml's keys (docs/config.md lists each)."""
    documented = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    for spec in SPECS:
        assert spec.settings, f"{spec.name} names no setting that tunes it"
        for key in spec.settings:
            assert hasattr(Config(), key), (spec.name, key)
            assert f"`{key}`" in documented, (spec.name, key)


def test_every_kind_has_a_template_branch() -> None:
    template = (package_templates() / REFLECTIONS_TEMPLATE).read_text()
    branches = re.findall(r"\{% (?:el)?if kind (?:==|in) ([^%]+)%\}", template)
    named = set(re.findall(r'"([a-z_]+)"', " ".join(branches)))
    assert set(KIND) <= named, f"no template branch for {set(KIND) - named}"


def _kind_literals(path: Path, *, fields_too: bool) -> list[tuple[int, str]]:
    """String constants naming a kind that a module branches on: compared (`kind ==
    "share"`, `kind in ("share", …)`) or gathered in a set; with `fields_too`, any such
    constant but a field of a reflection's data (`data["date"]`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    fields = {
        id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)
    } | {
        id(node.args[0]) for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get" and node.args
    }  # fmt: skip
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if fields_too:
            parts: list[ast.AST] = [node] if isinstance(node, ast.Constant) else []
        elif isinstance(node, ast.Compare):
            parts = [m for n in (node.left, *node.comparators) for m in ast.walk(n)]
        elif isinstance(node, ast.Set):
            parts = list(node.elts)
        else:
            parts = []
        for part in parts:
            if isinstance(part, ast.Constant) and part.value in KIND and id(part) not in fields:
                found.append((part.lineno, part.value))
    return found


#: Kind names that are also another thing's name, where a module compares that thing.
_NOT_KINDS = {("cli/showing.py", "birthday")}  # a yearly date's label in a brief


def test_no_module_branches_on_a_kind_name() -> None:
    """Only a kind's record, rule, words and template name it: everywhere else reads the
    record (`KindSpec`). Focus, the incremental passes and the ticks name no kind at all."""
    package = REPO / "vaultcrm"
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.split("/")[0] not in ("app", "output", "cli", "reflect"):
            continue  # below them a "birthday" or a "date" is a field of a note
        if rel in ("reflect/kinds.py", "reflect/rules.py"):
            continue
        strict = rel in ("output/focus.py", "app/incremental.py", "app/ticks.py",
                         "app/heal.py", "output/digest.py")  # fmt: skip
        found = [
            (line, value)
            for line, value in _kind_literals(path, fields_too=strict)
            if (rel, value) not in _NOT_KINDS
        ]
        assert not found, f"vaultcrm/{rel} names kinds: {found}"


# -- a kind added through its record alone -------------------------------------------------


def _ping(person: Person, vault: Vault, today: dt.date, config: Config) -> list[Reflection]:
    """A throwaway rule: anyone tagged #ping is due a ping today."""
    if "ping" not in person.tags:
        return []
    data = {"date": today, "days_until": 0}
    return [Reflection("ping", person.name, person.file, "They asked for a ping.", data)]


PING = KindSpec(
    "ping",
    _ping,
    lambda r: (),
    KindWords("Pings", "Ping", "Pinged them", "a ping due", "no ping due any more"),
    focus=Focus(pressing=lambda data: data["date"]),
    logs_flag="shared",
    settings=("focus",),
)

PING_VAULT = {
    "vaultcrm.yaml": "focus: 1\n",
    # both seen yesterday: nothing else is due for them
    "People/Ann Lee.md": "---\ntags: [ping]\ncircle: friends\n---\n- 2026-11-22 Tea\n",
    "People/Bo Diaz.md": "---\ntags: [ping]\ncircle: friends\n---\n- 2026-11-22 Walk\n",
}


def test_a_kind_added_through_its_record_alone_is_seen_everywhere(make_vault: MakeVault) -> None:
    """Registered for this test only (never in the package): it is in the note's Focus and
    in its own section, a tick of it is logged in the person's note (with its flag's tag),
    and `due --json` lists it."""
    root = make_vault(PING_VAULT)
    runner = CliRunner()
    args = ["--vault", str(root), "--today", "2026-11-23"]
    with KIND.registered(PING):
        assert KIND.names[-1] == "ping" and focus_labels()["ping"] == "Ping"
        synced = runner.invoke(cli, ["sync", *args], catch_exceptions=False)
        assert synced.exit_code == 0, synced.output
        note = (root / "Reflections due.md").read_text(encoding="utf-8")
        focus, _, rest = note.partition("## Pings")
        ann = "### [[Ann Lee]]\n\n- [ ] **Ping** — [[Ann Lee]]: They asked for a ping. ^vcrm-ping-"
        assert "## Focus\n\n" + ann in focus
        assert "- [ ] [[Bo Diaz]] — They asked for a ping. ^vcrm-ping-" in rest  # its section
        due = runner.invoke(cli, ["due", "--json", *args], catch_exceptions=False)
        listed = json.loads(due.stdout)["reflections"]
        found = [(r["kind"], r["person"]) for r in listed]
        assert found == [("ping", "Ann Lee"), ("ping", "Bo Diaz")]
        (root / "Reflections due.md").write_text(
            note.replace("- [ ] **Ping**", "- [x] **Ping**"), encoding="utf-8"
        )
        ticked = runner.invoke(cli, ["sync", *args], catch_exceptions=False)
        assert "Recorded: People/Ann Lee.md: - 2026-11-23 Pinged them" in ticked.stdout
        logged = (root / "People/Ann Lee.md").read_text(encoding="utf-8")
        assert logged.endswith("- 2026-11-23 Pinged them (from Reflections due) #shared\n")
    assert "ping" not in KIND and "ping" not in KIND_WORDS  # taken away again


def test_a_kinds_flag_and_not_yet_come_from_its_record(make_vault: MakeVault) -> None:
    """`built_on`: a kind built on a flag is silent until some line of the vault carries
    it; `not_yet`: its items that say so put nobody in Focus, and the note lists those
    people in one line. Both read from the record alone, for a kind the package lacks."""
    root = make_vault(PING_VAULT)
    args = ["--vault", str(root), "--today", "2026-11-23"]

    def due() -> list[str]:
        out = CliRunner().invoke(cli, ["due", "--json", *args], catch_exceptions=False)
        return [r["person"] for r in json.loads(out.stdout)["reflections"]]

    with KIND.registered(dataclasses.replace(PING, built_on="win")):
        assert due() == []
        (root / "People/Bo Diaz.md").write_text(
            "---\ntags: [ping]\ncircle: friends\n---\n- 2026-10-01 Promoted #win\n"
            "- 2026-11-22 Walk\n"
        )
        assert due() == ["Ann Lee", "Bo Diaz"]
    with KIND.registered(dataclasses.replace(PING, not_yet=lambda data: True)):
        synced = CliRunner().invoke(cli, ["sync", *args], catch_exceptions=False)
        assert synced.exit_code == 0, synced.output
        note = (root / "Reflections due.md").read_text(encoding="utf-8")
        assert "## Focus" not in note and "^vcrm-ping-" not in note
        assert "## Not yet in your notes\n\n2 people — " in note
        assert note.count("[[Ann Lee]], [[Bo Diaz]].") == 1


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
        kind = rnd.choice([*KIND.names, "unknown"])
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
    for kind in [*KIND.names, "unknown"]:
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
