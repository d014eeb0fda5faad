"""One vault in git on two devices, with real git: a bare origin and two clones in tmp_path.

Each device syncs on its own day with its own box ticked and commits; the second pull
merges with vaultcrm's merge driver (no conflict) or without it (a conflict in the note,
which `sync` heals). Either way every tick is recorded exactly once. And what vaultcrm
writes merges as cleanly as git's default merge allows (docs/devices.md).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.test_ticks import tick
from vaultcrm.app.gitsetup import attr_pattern, driver_command
from vaultcrm.cli import cli

pytestmark = pytest.mark.slow

OUT = "Reflections due.md"
FILES = {
    "People/Ann.md": "---\ncircle: friends\n---\n- 2026-08-01 Dinner\n",
    "People/Bo.md": "---\ncircle: friends\n---\n- 2026-08-01 Dinner\n",
    "People/Cy.md": "---\ncircle: friends\n---\n- 2026-11-20 Lunch\n",
}
REACHED = "Reached out (from Reflections due)"


@pytest.fixture(autouse=True)
def _plain_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Git as a fresh install has it: no global or system config (a developer's
    merge.conflictStyle or pull.rebase must not change what the tests see)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


class Device:
    """A clone of the vault on one machine."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.git("config", "user.name", name)
        self.git("config", "user.email", f"{name}@example.org")
        self.git("config", "pull.rebase", "false")

    def git(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=False
        )
        if ok:
            assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    def vaultcrm(self, *args: str) -> Result:
        return CliRunner().invoke(
            cli, [*args, "--vault", str(self.root)], catch_exceptions=False
        )

    def sync(self, day: str) -> Result:
        result = self.vaultcrm("sync", "--today", day)
        assert result.exit_code == 0, result.output
        return result

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text()

    def logged(self, person: str, text: str = REACHED) -> list[str]:
        return [line for line in self.text(f"People/{person}.md").split("\n") if text in line]


def two_devices(tmp_path: Path, *, driver: bool) -> tuple[Device, Device]:
    """A vault synced on 30 Nov, pushed to a bare origin from the laptop and cloned on
    the desktop; with `driver`, `vaultcrm init --git` run in both clones."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(tmp_path / "laptop")], check=True)
    laptop = Device(tmp_path / "laptop", "laptop")
    for rel, text in FILES.items():
        (laptop.root / rel).parent.mkdir(parents=True, exist_ok=True)
        (laptop.root / rel).write_text(text)
    if driver:
        assert laptop.vaultcrm("init", "--git").exit_code == 0
    laptop.sync("2026-11-30")
    laptop.commit("vault")
    laptop.git("push", "-q", "-u", "origin", "main")
    subprocess.run(["git", "clone", "-q", str(origin), str(tmp_path / "desktop")], check=True)
    desktop = Device(tmp_path / "desktop", "desktop")
    if driver:
        assert desktop.vaultcrm("init", "--git").exit_code == 0
    return laptop, desktop


def tick_on_both(laptop: Device, desktop: Device, *, record: bool) -> None:
    """The laptop syncs on 1 Dec and ticks Ann, the desktop syncs on 3 Dec and ticks Bo;
    with `record`, each syncs again before committing (else the ticks are committed as
    they are, as the Obsidian Git plugin does)."""
    for device, day, who in ((laptop, "2026-12-01", "Ann"), (desktop, "2026-12-03", "Bo")):
        device.sync(day)
        tick(device.root, rf"\[\[{who}\]\]")
        if record:
            device.sync(day)
        device.commit(f"ticked {who}")
    laptop.git("push", "-q")


@pytest.mark.parametrize("record", [False, True], ids=["ticks committed", "ticks recorded"])
def test_with_the_driver_git_merges_the_note_and_each_tick_is_recorded_once(
    tmp_path: Path, record: bool
) -> None:
    laptop, desktop = two_devices(tmp_path, driver=True)
    tick_on_both(laptop, desktop, record=record)

    pulled = desktop.git("pull", "--no-edit")
    assert "CONFLICT" not in pulled.stdout + pulled.stderr
    merged = desktop.text(OUT)
    assert "<<<<<<<" not in merged and ">>>>>>>" not in merged
    assert "today: 2026-12-03" in merged  # the later day's text

    desktop.sync("2026-12-03")
    assert desktop.logged("Ann") == [f"- 2026-12-0{1 if record else 3} {REACHED}"]
    assert desktop.logged("Bo") == [f"- 2026-12-03 {REACHED}"]
    assert "[[Ann]]" not in desktop.text(OUT) and "[[Bo]]" not in desktop.text(OUT)

    desktop.commit("synced")
    desktop.git("push", "-q")
    laptop.git("pull", "-q", "--no-edit")
    result = laptop.sync("2026-12-04")
    assert "Recorded" not in result.output
    assert len(laptop.logged("Ann")) == len(laptop.logged("Bo")) == 1


@pytest.mark.parametrize("when", ["during the merge", "after committing the markers"])
def test_without_the_driver_the_conflict_is_healed_by_sync(tmp_path: Path, when: str) -> None:
    laptop, desktop = two_devices(tmp_path, driver=False)
    tick_on_both(laptop, desktop, record=False)

    pulled = desktop.git("pull", "--no-edit", ok=False)
    assert pulled.returncode != 0
    assert f"CONFLICT (content): Merge conflict in {OUT}" in pulled.stdout
    assert "<<<<<<< " in desktop.text(OUT)

    if when == "during the merge":
        resolved = desktop.sync("2026-12-03")  # git waits: the note is resolved, no more
        assert "`git add` it and finish the merge" in resolved.stderr
        assert "<<<<<<<" not in desktop.text(OUT)
        assert desktop.logged("Ann") == desktop.logged("Bo") == []
    desktop.commit("merged")  # as a git GUI does: markers and all, if still there

    healed = desktop.vaultcrm("sync", "--today", "2026-12-03")
    assert healed.exit_code == 0, healed.output
    text = desktop.text(OUT)
    assert "<<<<<<<" not in text and "=======" not in text and ">>>>>>>" not in text
    assert desktop.logged("Ann") == [f"- 2026-12-03 {REACHED}"]
    assert desktop.logged("Bo") == [f"- 2026-12-03 {REACHED}"]
    again = desktop.sync("2026-12-03")
    assert "Recorded" not in again.output


def test_a_driver_whose_python_is_gone_falls_back_to_markers_that_sync_heals(
    tmp_path: Path,
) -> None:
    """The virtualenv the driver ran from was deleted: git's own merge leaves markers
    (no tick lost), `check` says what happened, `sync` heals the note."""
    laptop, desktop = two_devices(tmp_path, driver=True)
    desktop.git("config", "merge.vaultcrm.driver", driver_command("/gone/venv/bin/python"))
    tick_on_both(laptop, desktop, record=False)

    pulled = desktop.git("pull", "--no-edit", ok=False)
    assert f"CONFLICT (content): Merge conflict in {OUT}" in pulled.stdout
    desktop.commit("merged")
    check = desktop.vaultcrm("check")
    warnings = [line for line in check.output.split("\n") if "merge driver" in line]
    assert warnings == [
        f"{OUT}: warning: the merge driver's program /gone/venv/bin/python no longer exists "
        "(a moved or deleted virtualenv?): run `vaultcrm init --git` again"
    ]
    desktop.sync("2026-12-03")
    assert "<<<<<<<" not in desktop.text(OUT)
    assert len(desktop.logged("Ann")) == len(desktop.logged("Bo")) == 1
    assert desktop.vaultcrm("init", "--git").exit_code == 0
    assert "merge driver" not in desktop.vaultcrm("check").output


def test_check_says_once_when_a_git_vault_has_no_driver(tmp_path: Path) -> None:
    laptop, desktop = two_devices(tmp_path, driver=False)

    def driver_lines(device: Device) -> list[str]:
        out = device.vaultcrm("check").output
        return [line for line in out.split("\n") if "init --git" in line]

    (line,) = driver_lines(laptop)
    assert line.startswith(f"{OUT}: warning: git merges this note as text")
    assert laptop.vaultcrm("init", "--git").exit_code == 0
    assert driver_lines(laptop) == []
    laptop.commit("driver")
    laptop.git("push", "-q")
    desktop.git("pull", "-q")  # .gitattributes arrives, .git/config does not
    (line,) = driver_lines(desktop)
    assert "this clone does not define it (merge.vaultcrm.driver)" in line
    json_out = desktop.vaultcrm("check", "--json").output
    assert json_out.count("merge.vaultcrm.driver") == 1


def test_init_git_is_idempotent_and_keeps_what_is_there(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitattributes").write_bytes(b"*.png binary\r\n")
    (root / "vaultcrm.yaml").write_text("ics: Calendar/people.ics\n")
    first = CliRunner().invoke(cli, ["init", "--git", str(root)], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert 'Added to .gitattributes: "/Reflections due.md" merge=vaultcrm' in first.output
    assert "Added to .gitattributes: /Calendar/people.ics merge=vaultcrm" in first.output
    attributes = (root / ".gitattributes").read_bytes()
    assert attributes.startswith(b"*.png binary\r\n# vaultcrm")
    assert attributes.endswith(b'"/Reflections due.md" merge=vaultcrm\r\n'
                               b"/Calendar/people.ics merge=vaultcrm\r\n")  # fmt: skip
    config = subprocess.run(
        ["git", "-C", str(root), "config", "--local", "--get", "merge.vaultcrm.driver"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert config == driver_command()
    second = CliRunner().invoke(cli, ["init", "--git", str(root)], catch_exceptions=False)
    assert "Added" not in second.output and "Set" not in second.output
    assert (root / ".gitattributes").read_bytes() == attributes
    for rel in (OUT, "Calendar/people.ics"):
        attr = subprocess.run(
            ["git", "-C", str(root), "check-attr", "merge", "--", rel],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert attr.strip().endswith(": vaultcrm")


def test_init_git_outside_a_work_tree_creates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "not-in-git" / "vault"
    result = CliRunner().invoke(
        cli, ["init", "--git", str(root)], env={"VAULTCRM_DEBUG": "0"}, catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "is not inside a git work tree" in result.output
    assert not root.exists()


@pytest.mark.parametrize(
    "rel",
    ["Reflections due.md", "CRM/Due [this week].md", 'A "quoted" note.md', "Fällig *.md",
     "back\\slash.md", "plain.md"],  # fmt: skip
)
def test_an_attributes_pattern_matches_exactly_its_path(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitattributes").write_text(f"{attr_pattern(rel)} merge=vaultcrm\n")
    other = rel.replace(".md", "x.md")
    done = subprocess.run(
        ["git", "-C", str(root), "check-attr", "-z", "merge", "--", rel, other, f"sub/{rel}"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    values = dict(zip(done[0::3], done[2::3], strict=False))
    assert values == {rel: "vaultcrm", other: "unspecified", f"sub/{rel}": "unspecified"}


# --- nothing vaultcrm writes makes a merge harder ---------------------------------------


def test_the_same_day_on_both_devices_merges_without_a_conflict(tmp_path: Path) -> None:
    """The note and the calendar are deterministic: two devices that sync the same vault
    on the same day write the same bytes, and git's default merge takes them as one."""
    laptop, desktop = two_devices(tmp_path, driver=False)
    for device in (laptop, desktop):
        (device.root / "vaultcrm.yaml").write_text("ics: people.ics\n")
        (device.root / "People/Cy.md").write_text(
            "---\ncircle: friends\nbirthday: 1990-12-09\n---\n- 2026-11-20 Lunch\n"
        )
        device.sync("2026-12-02")
        tick(device.root, r"\[\[Ann\]\]")  # the same box, the same day: the same line
        device.sync("2026-12-02")
        device.commit("same day")
    laptop.git("push", "-q")
    pulled = desktop.git("pull", "--no-edit")
    assert "CONFLICT" not in pulled.stdout
    assert desktop.logged("Ann") == [f"- 2026-12-02 {REACHED}"]
    assert desktop.text(OUT) == laptop.text(OUT)
    assert desktop.text("people.ics") == laptop.text("people.ics")


def test_lines_added_apart_merge_cleanly(tmp_path: Path) -> None:
    """Lines for different people, and in one note a log line (after the last dated
    line) and a reminder (at the end) with a line of the note between them."""
    laptop, desktop = two_devices(tmp_path, driver=True)
    cy = "---\ncircle: friends\n---\n- 2026-11-20 Lunch\n\nLikes the quiz at the Crown.\n"
    (laptop.root / "People/Cy.md").write_text(cy)
    laptop.commit("Cy's note")
    laptop.git("push", "-q")
    desktop.git("pull", "-q", "--no-edit")
    assert laptop.vaultcrm("log", "Ann", "Coffee", "--date", "2026-12-01").exit_code == 0
    assert laptop.vaultcrm("remind", "Cy", "2026-12-20", "Send the photos").exit_code == 0
    laptop.commit("laptop")
    laptop.git("push", "-q")
    assert desktop.vaultcrm("log", "Bo", "Walk", "--date", "2026-12-02").exit_code == 0
    assert desktop.vaultcrm("log", "Cy", "Pub quiz", "--date", "2026-12-02").exit_code == 0
    desktop.commit("desktop")
    pulled = desktop.git("pull", "--no-edit")
    assert "CONFLICT" not in pulled.stdout
    assert desktop.text("People/Cy.md") == (
        "---\ncircle: friends\n---\n- 2026-11-20 Lunch\n- 2026-12-02 Pub quiz\n"
        "\nLikes the quiz at the Crown.\n- [ ] 2026-12-20 Send the photos\n"
    )
    assert desktop.logged("Ann", "Coffee") == ["- 2026-12-01 Coffee"]
    assert desktop.logged("Bo", "Walk") == ["- 2026-12-02 Walk"]


def test_lines_both_devices_add_after_the_same_line_conflict_as_documented(
    tmp_path: Path,
) -> None:
    """Both devices log a line for Cy on different days: both go after Cy's last dated
    line, a conflict git cannot avoid. Meanwhile vaultcrm reads both lines, refuses to
    write into the note, and the user keeps both lines (docs/devices.md)."""
    laptop, desktop = two_devices(tmp_path, driver=True)
    assert laptop.vaultcrm("log", "Cy", "Coffee", "--date", "2026-12-01").exit_code == 0
    laptop.commit("laptop")
    laptop.git("push", "-q")
    assert desktop.vaultcrm("log", "Cy", "Walk", "--date", "2026-12-02").exit_code == 0
    desktop.commit("desktop")
    pulled = desktop.git("pull", "--no-edit", ok=False)
    assert "CONFLICT (content): Merge conflict in People/Cy.md" in pulled.stdout
    assert OUT not in pulled.stdout

    brief = desktop.vaultcrm("brief", "Cy", "--today", "2026-12-03")
    assert "Last contact: Wed 2 Dec" in brief.output  # both lines are read meanwhile
    refused = CliRunner().invoke(
        cli, ["log", "Cy", "Call", "--vault", str(desktop.root)], env={"VAULTCRM_DEBUG": "0"}
    )
    assert refused.exit_code == 1 and "merge conflict marker" in refused.output

    cy = desktop.root / "People/Cy.md"
    markers = ("<<<<<<<", "=======", ">>>>>>>")
    kept = [line for line in cy.read_text().split("\n") if line[:7] not in markers]
    cy.write_text("\n".join(kept))
    desktop.commit("kept both lines")
    assert desktop.text("People/Cy.md").count("- 2026-12-0") == 2
    assert desktop.vaultcrm("log", "Cy", "Call", "--date", "2026-12-03").exit_code == 0
    assert os.path.exists(desktop.root / OUT)

