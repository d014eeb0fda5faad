"""`vaultcrm watch`: a real watchdog observer over a vault in tmp_path, run in a thread.

Every wait is a deadline on something a user would see (the note's bytes, a log line),
never a fixed sleep — except where the point is that nothing happens for a while.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.sessions import compute
from vaultcrm.app.sync import render_outcome
from vaultcrm.app.watch import MESSAGES, Report, Watcher, candidate, describe_changes
from vaultcrm.model import Reflection

pytestmark = [
    pytest.mark.slow,  # real observers and debounces: `pytest -m "not slow"` skips them
    #: watchdog's own harmless race warning when nested folders appear at once (`mkdir -p`).
    pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning"),
]

TODAY = dt.date(2026, 11, 23)
OUT = "Reflections due.md"
RECENT = "---\ncircle: friends\n---\n- 2026-11-20 Coffee\n"  # contacted 3 days ago: not due
NEVER = "---\ncircle: friends\n---\nNo contact yet.\n"  # never contacted: due
LAPSED = "---\ncircle: friends\n---\n- 2026-08-01 Dinner\n"  # due, with a box in Focus


@dataclass
class Session:
    root: Path
    watcher: Watcher
    reports: list[Report] = field(default_factory=list)

    def note(self) -> str:
        try:
            return (self.root / OUT).read_text("utf-8")
        except FileNotFoundError:
            return ""

    def texts(self, kind: str) -> list[str]:
        return [r.text for r in list(self.reports) if r.kind == kind]

    def expected(self, today: dt.date = TODAY) -> str:
        """The note a fresh, index-less sync would write right now."""
        return render_outcome(compute(self.root, today, cache=False))

    def after_passes(self, check: Callable[[], bool], timeout: float = 30.0) -> bool:
        """Wait until `check` holds, looking again each time a pass ends (an event, not a
        clock: a loaded machine only makes it later). The timeout only bounds a failure."""
        ended = getattr(self.watcher, "pass_ended", None)
        if ended is None:
            return eventually(check, timeout)
        deadline = time.monotonic() + timeout
        with ended:
            while not check():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                ended.wait(min(left, 0.5))
        return True


class SignallingWatcher(Watcher):
    """A watcher that tells the test each time a pass has ended."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pass_ended = threading.Condition()

    def _pass(self, *, first: bool = False) -> None:
        try:
            super()._pass(first=first)
        finally:
            with self.pass_ended:
                self.pass_ended.notify_all()


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Wait until `check` holds; returns as soon as it does. A test that promises a
    latency passes it explicitly (2.0: "within two seconds"); elsewhere the default only
    bounds a failure, generously, since a loaded machine makes every pass slower."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@contextmanager
def watching(root: Path, cls: type[Watcher] = Watcher, **options: Any) -> Iterator[Session]:
    options.setdefault("debounce", 0.2)
    options.setdefault("today", lambda: TODAY)
    reports: list[Report] = []
    watcher = cls(root, reports.append, **options)
    session = Session(root, watcher, reports)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            watcher.run()
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert watcher.ready.wait(10), "the first pass never finished"
    try:
        yield session
    finally:
        watcher.stop()
        thread.join(5)
        assert not thread.is_alive(), "the watcher did not stop"
        assert not failures, failures


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def people(make_vault: Any, **extra: str) -> Path:
    return make_vault({"People/Alice Smith.md": RECENT, "People/Ben Okafor.md": RECENT, **extra})


# --- seeing changes -----------------------------------------------------------------------


def test_an_edit_shows_in_the_note_within_two_seconds(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root) as s:
        assert s.texts("start") == [
            f"Watching {root.resolve()} (2 people, 0 reflections). Ctrl-C to stop."
        ]
        assert "[[Alice Smith]]" not in s.note()
        write(root, "People/Alice Smith.md", NEVER)
        assert eventually(lambda: "[[Alice Smith]]" in s.note(), 2.0)
        assert eventually(lambda: s.texts("rewrite") == ["Alice Smith: now due to reach out"])
        assert s.note() == s.expected()

        write(root, "People/Alice Smith.md", RECENT)
        assert eventually(lambda: "[[Alice Smith]]" not in s.note(), 2.0)
        assert eventually(lambda: "Alice Smith: no longer due to reach out" in s.texts("rewrite"))


def test_a_meeting_note_anywhere_and_a_person_by_tag_are_seen(make_vault: Any) -> None:
    root = people(make_vault, **{"vaultcrm.yaml": "people_tags: [person]\n",
                                 "People/Alice Smith.md": NEVER})  # fmt: skip
    with watching(root) as s:
        assert "[[Alice Smith]]" in s.note()
        write(root, "Notes/2026-11-21 Lunch.md", '---\npeople: ["[[Alice Smith]]"]\n---\n')
        assert eventually(lambda: "[[Alice Smith]]" not in s.note(), 5.0)
        write(root, "Elsewhere/Cleo.md", "An old friend. #person\n")
        assert eventually(lambda: "[[Cleo]]" in s.note(), 5.0)
        assert s.note() == s.expected()


def test_an_atomic_save_is_seen(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root) as s:
        temp = root / "People/Ben Okafor.md.tmp"
        temp.write_text(NEVER, encoding="utf-8")
        os.replace(temp, root / "People/Ben Okafor.md")
        assert eventually(lambda: "[[Ben Okafor]]" in s.note(), 2.0)
        assert s.note() == s.expected()


def test_renames_and_deleted_or_moved_folders_update_the_note(
    make_vault: Any, tmp_path: Path
) -> None:
    root = make_vault({
        "People/Alice Smith.md": NEVER,
        "People/Team/Carl.md": NEVER,
        "People/Team/Dana.md": NEVER,
        "People/Club/Eve.md": NEVER,
    })
    with watching(root) as s:
        assert all(f"[[{n}]]" in s.note() for n in ("Alice Smith", "Carl", "Dana", "Eve"))

        os.rename(root / "People/Alice Smith.md", root / "People/Alicia Smith.md")
        assert eventually(
            lambda: "[[Alicia Smith]]" in s.note() and "[[Alice Smith]]" not in s.note()
        )

        shutil.rmtree(root / "People/Team")
        assert eventually(lambda: "[[Carl]]" not in s.note() and "[[Dana]]" not in s.note())

        shutil.move(root / "People/Club", tmp_path / "elsewhere")  # out of the vault
        assert eventually(lambda: "[[Eve]]" not in s.note())
        assert s.note() == s.expected()


def test_config_daily_settings_and_template_overrides_rerender(make_vault: Any) -> None:
    root = people(make_vault, **{"Daily/2026-11-22.md": "Lunch with [[Alice Smith]] #win\n"})
    with watching(root, SignallingWatcher) as s:
        write(root, "vaultcrm.yaml", "default_cadence: 1 day\ncircles: {}\n")
        assert s.after_passes(lambda: "[[Ben Okafor]]" in s.note())

        assert "Celebrate" not in s.note()  # Daily/ is not the daily folder yet
        write(root, ".obsidian/daily-notes.json", '{"folder": "Daily"}')
        assert s.after_passes(lambda: "**Celebrate** — Had a win on Sun 22 Nov" in s.note())

        write(root, ".vaultcrm/templates/reflections.md.j2", "Custom: {{ items|length }} due\n")
        assert s.after_passes(lambda: s.note().endswith("Custom: 3 due\n"))
        assert s.note() == s.expected()


def test_ignored_paths_run_no_pass(make_vault: Any) -> None:
    # (a note anywhere, `Ideas.md`, does run a pass: it may be a meeting note)
    root = people(make_vault)
    with watching(root) as s:
        passes = s.watcher.passes
        for rel in (".obsidian/workspace.json", ".git/index", ".trash/Alice Smith.md",
                    ".vaultcrm/state.db", "People/.Alice Smith.md.swp",
                    "People/.Alice Smith.md.swx",
                    "People/Alice Smith.md~", "People/.#Alice Smith.md", "People/4913",
                    "People/Alice Smith.md.tmp", "People/.Alice Smith.md.vaultcrm-tmp-0-1-2",
                    "People/photo.jpg", "Ideas.png"):
            write(root, rel, NEVER)
        time.sleep(0.8)  # four debounces: anything that would run has run
        assert s.watcher.passes == passes
        assert "[[Alice Smith]]" not in s.note()


# --- many changes at once -----------------------------------------------------------------


def test_a_burst_of_2000_daily_notes_is_a_handful_of_passes(make_vault: Any) -> None:
    root = make_vault({"People/Alice Smith.md": NEVER, "People/Ben Okafor.md": NEVER})
    with watching(root) as s:
        assert "[[Alice Smith]]" in s.note()
        passes, renders = s.watcher.passes, s.watcher.renders
        for i in range(2000):
            day = TODAY - dt.timedelta(days=i)
            who = "Alice Smith" if i == 0 else "Ben Okafor"
            write(root, f"Journal/{day.isoformat()}.md", f"- Lunch with [[{who}]] #heard\n")
        expected = s.expected()
        assert "[[Alice Smith]]" not in expected  # contacted today, nothing due
        assert eventually(lambda: s.note() == expected, 20.0)
        time.sleep(3 * s.watcher.debounce)
        assert s.watcher.passes - passes <= 5
        assert 1 <= s.watcher.renders - renders <= 5


def test_a_checkout_holding_git_index_lock_is_retried_once_git_is_done(make_vault: Any) -> None:
    root = people(make_vault, **{".git/HEAD": "ref: refs/heads/main\n"})
    with watching(root) as s:
        lock = root / ".git/index.lock"
        lock.write_text("")
        for i in range(300):
            write(root, f".git/objects/{i % 16:02x}/{i:038x}", "blob")
            write(root, f"People/Person {i:03d}.md", NEVER)
        assert eventually(lambda: any("a git command is running" in t for t in s.texts("error")),
                          10.0)
        lock.unlink()  # git is done; nothing inside .git/ is watched, so the retry must do it
        assert eventually(lambda: "· 300 reflections for 300 people." in s.note(), 5.0)
        assert s.note() == s.expected()
        assert len(s.texts("error")) == 1
        assert s.watcher.passes <= 5


# --- its own writes, the user's edits, bad files ------------------------------------------


def test_its_own_write_runs_nothing_but_a_user_edit_of_the_note_does(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root) as s:
        assert s.watcher.renders == 1  # the note did not exist: the first pass wrote it
        write(root, "People/Alice Smith.md", NEVER)
        assert eventually(lambda: s.watcher.renders == 2 and "[[Alice Smith]]" in s.note())
        passes = s.watcher.passes
        time.sleep(1.2)  # the point: the watcher's own write stirs nothing for over a second
        assert s.watcher.passes == passes

        with (root / OUT).open("a", encoding="utf-8") as fh:
            fh.write("- [ ] my own line\n")
        assert eventually(lambda: s.watcher.passes > passes)
        assert eventually(lambda: s.note() == s.expected())


def test_a_sync_tools_copy_and_git_markers_are_healed_while_watching(make_vault: Any) -> None:
    """A sync tool drops its conflict copy of the note (Alice ticked) beside it, then git
    leaves markers in the note itself (Ben ticked on one side): the watcher records each
    tick once, removes the copy and says so."""
    copy = "Reflections due.sync-conflict-20261123-101010-ABCDEFG.md"
    root = make_vault({"People/Alice Smith.md": LAPSED, "People/Ben Okafor.md": LAPSED})
    with watching(root, SignallingWatcher) as s:
        base = s.note()
        alice = base.replace("- [ ] **Reach out**", "- [x] **Reach out**", 1)
        assert alice.split("- [x]")[0].rsplit("### ", 1)[1].startswith("[[Alice Smith]]")
        write(root, copy, alice)
        removed = f"Removed {copy}"
        assert s.after_passes(
            lambda: not (root / copy).exists() and any(removed in t for t in s.texts("notice"))
        )
        now = s.note()
        ben = now.replace("- [ ] **Reach out**", "- [x] **Reach out**", 1)
        head, _, rest = ben.partition("\n# ")
        write(root, OUT, f"{head}\n<<<<<<< HEAD\n# {rest}=======\n# {rest}>>>>>>> other\n")
        assert s.after_passes(lambda: "<<<<<<<" not in s.note() and "[[Ben" not in s.note())
        assert any("Resolved the git conflict" in t for t in s.texts("notice"))
    for name in ("Alice Smith", "Ben Okafor"):
        text = (root / f"People/{name}.md").read_text()
        assert text.count("Reached out (from Reflections due)") == 1, name


def test_a_half_written_note_is_reported_once_and_read_again_when_fixed(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root) as s:
        write(root, "People/Eve.md", "---\ncircle: [close\n---\n")
        assert eventually(lambda: any(t.startswith("People/Eve.md:3:") for t in s.texts("problem")))
        assert "[[Eve]]" not in s.note()

        write(root, "People/Alice Smith.md", NEVER)  # another pass, same broken Eve
        assert eventually(lambda: "[[Alice Smith]]" in s.note())
        assert len([t for t in s.texts("problem") if t.startswith("People/Eve.md")]) == 1

        write(root, "People/Eve.md", "---\ncircle: close\n---\n")
        assert eventually(lambda: "[[Eve]]" in s.note())
        assert s.note() == s.expected()


def test_a_failed_pass_is_reported_and_the_watch_goes_on(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root) as s:
        write(root, ".vaultcrm/templates/reflections.md.j2", "{% if %}\n")
        assert eventually(lambda: any(t.startswith("sync failed:") for t in s.texts("error")))
        write(root, ".vaultcrm/templates/reflections.md.j2", "fixed {{ items|length }}\n")
        assert eventually(lambda: s.note().endswith("fixed 0\n"))


# --- observers, signals, the clock --------------------------------------------------------


def test_forced_polling_sees_edits(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root, polling=True, poll_interval=0.2) as s:
        assert s.watcher.observer_kind == "polling"
        write(root, "People/Alice Smith.md", NEVER)
        assert eventually(lambda: "[[Alice Smith]]" in s.note(), 2.0)


class NoWatchesLeft(Watcher):
    """The OS refuses inotify watches, as when fs.inotify.max_user_watches is exhausted."""

    def _native_observer(self) -> Any:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")


def test_the_inotify_limit_falls_back_to_polling(make_vault: Any) -> None:
    root = people(make_vault)
    with watching(root, NoWatchesLeft, poll_interval=0.2) as s:
        assert s.texts("notice") == [
            "inotify watch limit reached (fs.inotify.max_user_watches); "
            "falling back to polling every 0.2 s"
        ]
        assert s.watcher.observer_kind == "polling"
        write(root, "People/Alice Smith.md", NEVER)
        assert eventually(lambda: "[[Alice Smith]]" in s.note(), 2.0)


def test_midnight_rolls_the_note_over_to_the_new_day(make_vault: Any) -> None:
    root = people(make_vault, **{"People/Ben Okafor.md": RECENT.replace(
        "---\n- ", "birthday: 1990-12-01\n---\n- ")})
    clock = [TODAY]
    with watching(root, today=lambda: clock[0]) as s:
        assert "today: 2026-11-23" in s.note()
        clock[0] = TODAY + dt.timedelta(days=1)
        assert eventually(lambda: "today: 2026-11-24" in s.note(), 2.0)
        assert eventually(lambda: s.texts("rewrite") == [
            "New day, Tuesday 24 November 2026: Ben Okafor: birthday in 7 days"
        ])
        assert s.note() == s.expected(clock[0])


def _read_until(proc: subprocess.Popen[str], needle: str, timeout: float) -> str:
    assert proc.stdout is not None
    seen = ""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while needle not in seen and time.monotonic() < deadline:
            if sel.select(timeout=0.1):
                line = proc.stdout.readline()
                if not line:
                    break
                seen += line
    return seen


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_command_within_a_second(
    make_vault: Any, tmp_path: Path, signum: signal.Signals
) -> None:
    root = people(make_vault)
    env = {**os.environ, "VAULTCRM_CACHE_DIR": str(tmp_path / "cache"), "VAULTCRM_DEBUG": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultcrm", "watch", "--vault", str(root), "--debounce", "0.2",
         "--today", TODAY.isoformat()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert "Watching" in _read_until(proc, "Ctrl-C to stop.", 20.0)
        assert (root / OUT).is_file()
        proc.send_signal(signum)
        code = proc.wait(timeout=5)  # it stops on the signal, not when killed below
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out, err = proc.communicate()
    assert code == 0, err
    assert "Stopped." in out and "Traceback" not in err


# --- the pure parts -----------------------------------------------------------------------


def test_paths_that_may_matter() -> None:
    for rel in ("People/Ann.md", "Journal/2026-11-02.md", "vaultcrm.yaml",
                ".obsidian/daily-notes.json", ".vaultcrm/templates/reflections.md.j2"):
        assert candidate(rel, False), rel
    for rel in (".git/index", ".obsidian/workspace.json", ".trash/Ann.md", ".vaultcrm/x.md",
                "People/.Ann.md.swp", "People/Ann.md~", "People/.#Ann.md", "People/4913",
                "x.tmp", "People/.Ann.md.vaultcrm-tmp-a-b-c", "People/photo.jpg",
                ".vaultcrm/templates/reflections.md.j2.swp", "node_modules/x.md"):
        assert not candidate(rel, False), rel
    assert candidate("People/Team", True) and not candidate(".git/objects", True)


def test_change_lines_name_the_person_and_what_changed() -> None:
    def r(kind: str, person: str, **data: Any) -> Reflection:
        return Reflection(kind, person, f"People/{person}.md", "…", data)

    before = [r("reach_out", "Alice Smith"), r("birthday", "Ben Okafor", days_until=7)]
    after = [r("birthday", "Ben Okafor", days_until=6), r("follow_up", "Cy", days_until=-3),
             r("date", "Cy", days_until=0, label="wedding"), r("deep", "Alice Smith")]
    assert describe_changes(before, after) == [
        "Alice Smith: no longer due to reach out",
        "Alice Smith: time to go deeper",
        "Ben Okafor: birthday in 6 days",
        "Cy: wedding today",
        "Cy: follow-up due 3 days ago",
    ]
    assert describe_changes(after, after) == []
    assert MESSAGES["start"].startswith("Watching {vault}")
