"""`vaultcrm digest`: deterministic for a `--today` (golden files on the example vault),
the note's focus people first, a ticked box counts as done, what is new since the last
digest, and the record of what was sent kept outside the vault."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import EXAMPLE_TODAY, MakeVault
from tests.sessions import digest, opened
from tests.test_golden import check_golden
from vaultcrm.app import sent
from vaultcrm.cli import cli

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("VAULTCRM_STATE_DIR", str(folder))
    monkeypatch.delenv("VAULTCRM_NOTIFY", raising=False)
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("form", "suffix"), [("text", "txt"), ("markdown", "md"), ("html", "html")]
)
def test_example_vault_digest_matches_golden(
    example_vault: Path, update_golden: bool, form: str, suffix: str
) -> None:
    result = run("digest", "--vault", str(example_vault), "--today", EXAMPLE_TODAY,
                 "--format", form)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    check_golden(f"digest 2026-11-23.{suffix}", result.stdout, update_golden)
    assert not (example_vault / "Reflections due.md").exists(), "digest writes nothing"


def test_digest_leads_with_the_notes_focus_people(example_vault: Path) -> None:
    run("sync", "--vault", str(example_vault), "--today", EXAMPLE_TODAY)
    note = (example_vault / "Reflections due.md").read_text(encoding="utf-8")
    focus = note.split("## Focus", 1)[1].split("\n## ", 1)[0]
    names = [line[6:-2] for line in focus.splitlines() if line.startswith("### [[")]
    data = json.loads(run("digest", "--vault", str(example_vault), "--today", EXAMPLE_TODAY,
                          "--json").stdout)  # fmt: skip
    assert [p["person"] for p in data["focus"]] == names


def test_digest_json(example_vault: Path, update_golden: bool) -> None:
    result = run("digest", "--vault", str(example_vault), "--today", EXAMPLE_TODAY, "--json")
    data = json.loads(result.stdout)
    assert set(data) == {"today", "title", "people_due", "focus", "counts", "since", "new",
                         "new_more", "errors", "open", "problems"}  # fmt: skip
    assert data["open"] == "obsidian://open?vault=example-vault&file=Reflections%20due"
    assert data["new"] is None and data["since"] is None  # no digest sent before
    check_golden("digest 2026-11-23.json", result.stdout, update_golden)


VAULT = {
    "People/Ann Lee.md": "---\ncircle: friends\n---\n- 2026-01-01 Coffee\n",
    "People/Bo Diaz.md": "---\ncircle: friends\n---\n- 2026-11-20 Walk\n- [ ] 2026-11-25 Call\n",
}


def test_a_ticked_box_in_the_note_counts_as_done(make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    run("sync", "--vault", str(root), "--today", "2026-11-23")
    assert [p.name for p in digest(root, TODAY).digest.people] == ["Ann Lee", "Bo Diaz"]
    note = root / "Reflections due.md"
    text = note.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "Call" in x and x.startswith("- [ ]"))
    note.write_text(text.replace(line, line.replace("- [ ]", "- [x]")), encoding="utf-8")
    view = digest(root, TODAY).digest
    assert [p.name for p in view.people] == ["Ann Lee"]
    assert view.counts == (("reach_out", 1),)
    assert note.read_text(encoding="utf-8").count("- [x]") == 1  # nothing recorded


def test_new_since_the_last_digest_sent(make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    run_ = digest(root, TODAY)
    ids = [i for i in _ids(root)]
    url = "ntfy://127.0.0.1:9/t"
    (root / "vaultcrm.yaml").write_text(f"notify: ['{url}']\n", encoding="utf-8")
    sent.record(root, sent.destination_key(url), url, dt.date(2026, 11, 22), ids[:1])
    view = digest(root, TODAY).digest
    assert view.since == dt.date(2026, 11, 22)
    assert [x.name for x in view.new or ()] == ["Bo Diaz"]
    text = run("digest", "--vault", str(root), "--today", "2026-11-23").stdout
    assert "New since Sunday 22 November 2026:\n  Bo Diaz (Follow-up): Due Wed 25 Nov" in text
    assert run_.digest.new is None
    # the record lives in the state folder, never in the vault
    assert sent.state_path(root).is_file()
    assert not any("digest" in p.name for p in root.rglob("*"))


def _ids(root: Path) -> list[str]:
    from vaultcrm.app.digest import _today

    with opened(root, TODAY) as session:
        return [i.id for i in _today(session)[1]]


def test_nobody_due_says_so(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann Lee.md": "---\ncircle: friends\n---\n- 2026-11-20 Tea\n"})
    text = run("digest", "--vault", str(root), "--today", "2026-11-23").stdout
    assert text == "Reflections due, Monday 23 November 2026\n\nNobody is due. Enjoy the quiet.\n"
    data = json.loads(run("digest", "--vault", str(root), "--today", "2026-11-23",
                          "--json").stdout)  # fmt: skip
    assert data["title"] == "vaultcrm: nobody is due today"


def test_send_without_destinations_says_how(make_vault: MakeVault) -> None:
    root = make_vault(VAULT)
    result = run("digest", "--vault", str(root), "--send", "--today", "2026-11-23")
    assert result.exit_code == 1
    assert "Error: no destination: add URLs under `notify:` in vaultcrm.yaml" in result.stderr


def test_html_escapes_note_text(make_vault: MakeVault) -> None:
    root = make_vault({"People/Ann & Co.md": "- [ ] 2026-11-23 <script>x</script>\n"})
    html = run("digest", "--vault", str(root), "--today", "2026-11-23", "--format",
               "html").stdout  # fmt: skip
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>Ann &amp; Co</strong>" in html
