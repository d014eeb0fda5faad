"""A cache that cannot be created, written or read costs one line on stderr and a run
without it; the command's work and exit code are what they would have been (issue 18,
item 4).

Real file systems: a cache folder that cannot be created (a file stands where it goes), a
read-only one and a full one (small tmpfs mounts, which need root: skipped otherwise), a
cache file that is a folder. Every command runs as a real process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TODAY = "2026-11-23"
OUT = "Reflections due.md"

pytestmark = pytest.mark.slow

FILES = {
    "People/Ann Lee.md": "---\ncircle: close\n---\n- 2026-10-01 Coffee #heard\n",
    "People/Bo.md": "---\ncircle: friends\nbirthday: 1990-11-30\n---\n",
    "Journal/2026-11-20.md": "Ran into [[Ann Lee]] at the market.\n",
}
CARD = "BEGIN:VCARD\nVERSION:3.0\nFN:Cy Zed\nEND:VCARD\n"

#: Every command that opens the cache ({card} is a vCard file outside the vault); `log`
#: finds a person by file name without it, and must not mind it either.
COMMANDS = [
    ["sync", "--today", TODAY],
    ["due", "--json", "--today", TODAY],
    ["people", "--today", TODAY],
    ["brief", "ann", "--today", TODAY],
    ["check"],
    ["add", "Dee"],
    ["log", "bo", "Lunch", "--date", "2026-11-22"],
    ["import", "vcard", "{card}"],
    ["export", "ics"],
]


def _run(root: Path, cache: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    card = root.parent / "card.vcf"
    card.write_text(CARD)
    args = [a.replace("{card}", str(card)) for a in command]
    env = {k: v for k, v in os.environ.items() if k != "VAULTCRM_DEBUG"}
    env["VAULTCRM_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, "-m", "vaultcrm", *args, "--vault", str(root)],
        capture_output=True, text=True, check=False, env=env, timeout=120,
    )  # fmt: skip


def _assert_like_a_normal_run(make_vault, cache: Path, said: str) -> None:  # type: ignore[no-untyped-def]
    """Each command, on a vault of its own, against the same command with a sound cache:
    the same exit code and output, the work done, and one line about the cache."""
    for n, command in enumerate(COMMANDS):
        normal_root = make_vault(FILES, name=f"normal{n}")
        normal = _run(normal_root, normal_root.parent / f"cache-ok{n}", command)
        root = make_vault(FILES, name=f"broken{n}")
        result = _run(root, cache, command)
        assert result.returncode == normal.returncode, (command, result.stderr)
        assert result.stdout == normal.stdout.replace(str(normal_root), str(root)), command
        notes = [line for line in result.stderr.splitlines() if line.startswith("note: cache")]
        if command[0] == "log":
            assert notes == [], result.stderr
        else:
            assert len(notes) == 1 and said in notes[0], (command, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.replace("".join(n + "\n" for n in notes), "") == normal.stderr
        for rel in (OUT, "People/Dee.md", "People/Cy Zed.md"):
            assert (root / rel).exists() == (normal_root / rel).exists(), (command, rel)
        assert (root / "People/Bo.md").read_bytes() == (normal_root / "People/Bo.md").read_bytes()


def test_a_cache_folder_that_cannot_be_created(make_vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder should be")
    _assert_like_a_normal_run(make_vault, blocker / "cache", "cache folder unusable")


def test_a_cache_file_that_cannot_be_read(  # type: ignore[no-untyped-def]
    make_vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vaultcrm.cache.store import cache_path

    cache = tmp_path / "cache"
    monkeypatch.setenv("VAULTCRM_CACHE_DIR", str(cache))
    for n in range(len(COMMANDS)):  # a folder where each vault's cache file goes
        cache_path(tmp_path / f"broken{n}").mkdir(parents=True)
    _assert_like_a_normal_run(make_vault, cache, "cache")


# --- file systems of our own: read-only, full ---------------------------------------------


def _mount(target: Path, options: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True, check=False)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[list[Path]]:
    """Mount points to fill; each is unmounted at the end."""
    points: list[Path] = []
    yield points
    for point in reversed(points):
        subprocess.run(["umount", "-l", str(point)], check=False, capture_output=True)


def small_fs(mounted: list[Path], where: Path, options: str) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    if not _mount(where, options):
        pytest.skip("cannot mount a small file system here (needs root and mount rights)")
    mounted.append(where)
    return where


def _fill(folder: Path) -> None:
    """Write until the file system says it is full."""
    with open(folder / "filler", "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


def test_a_read_only_cache_folder(make_vault, tmp_path: Path, mounted: list[Path]) -> None:  # type: ignore[no-untyped-def]
    cache = small_fs(mounted, tmp_path / "ro", "size=1m,ro")
    _assert_like_a_normal_run(make_vault, cache, "cache folder unusable")


def test_a_cache_made_read_only_after_it_was_written(  # type: ignore[no-untyped-def]
    make_vault, tmp_path: Path, mounted: list[Path]
) -> None:
    cache = small_fs(mounted, tmp_path / "was-rw", "size=4m")
    for n in range(len(COMMANDS)):  # every vault's cache made and filled first
        root = make_vault(FILES, name=f"broken{n}")
        assert _run(root, cache, ["sync", "--today", TODAY]).returncode == 0
        (root / OUT).unlink()
        shutil.rmtree(root)
    templates = cache / "templates"
    assert any(templates.iterdir())  # compiled templates too
    subprocess.run(["mount", "-o", "remount,ro", str(cache)], check=True)
    _assert_like_a_normal_run(make_vault, cache, "cache")


def test_a_full_disk_under_the_cache(make_vault, tmp_path: Path, mounted: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Full from the start: not even the cache's first page fits."""
    cache = small_fs(mounted, tmp_path / "full", "size=256k")
    (cache / "cache").mkdir()
    _fill(cache)
    _assert_like_a_normal_run(make_vault, cache / "cache", "disk is full")


def test_a_disk_that_fills_while_the_cache_is_written(  # type: ignore[no-untyped-def]
    make_vault, tmp_path: Path, mounted: list[Path]
) -> None:
    """Room for an empty cache, not for the notes' records: the store fails mid-way."""
    cache = small_fs(mounted, tmp_path / "filling", "size=256k")
    (cache / "cache").mkdir()
    _fill(cache)
    (cache / "filler").write_bytes(b"\0" * (256 * 1024 - 112 * 1024))  # leaves ~100 KB
    files = dict(FILES)
    for i in range(300):  # records far bigger than what is left
        files[f"Journal/2025-{i % 12 + 1:02d}-{i % 28 + 1:02d} {i}.md"] = "[[Bo]] " * 80 + "\n"
    root = make_vault(files)
    result = _run(root, cache / "cache", ["sync", "--today", TODAY])
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("note: cache unusable (database or disk is full)") == 1
    assert "[[Bo]]" in (root / OUT).read_text()


def test_a_full_disk_under_the_vault_refuses_each_write_naming_the_note(  # type: ignore[no-untyped-def]
    tmp_path: Path, mounted: list[Path]
) -> None:
    """The cache is elsewhere and fine; the vault's own file system is full: each write
    is refused, names its note, and leaves every file as it was."""
    from tests.conftest import write_files

    disk = small_fs(mounted, tmp_path / "vault-disk", "size=512k")
    root = disk / "vault"
    write_files(root, FILES)
    assert _run(root, tmp_path / "cache", ["sync", "--today", TODAY]).returncode == 0
    (root / "People/Bo.md").write_text(FILES["People/Bo.md"] + "- [ ] 2026-11-20 Call\n")
    _fill(disk)
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    expected = {
        "sync": "Error: cannot write Reflections due.md: No space left on device",
        "log": "Error: cannot write People/Bo.md: No space left on device",
        "add": "Error: cannot write People/Dee.md: No space left on device",
    }
    writes = [["sync", "--today", TODAY], ["log", "bo", "Lunch", "--date", "2026-11-22"],
              ["add", "Dee"]]  # fmt: skip
    for command in writes:
        result = _run(root, tmp_path / "cache", command)
        assert result.returncode == 1, (command, result.stderr)
        assert result.stderr.startswith(expected[command[0]]), result.stderr
        assert {p: p.read_bytes() for p in root.rglob("*.md")} == before
        assert not [p for p in root.rglob(".*") if p.is_file()]  # no temp file left


def test_watch_says_once_that_it_works_without_the_cache(  # type: ignore[no-untyped-def]
    make_vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_watch import SignallingWatcher, watching

    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("VAULTCRM_CACHE_DIR", str(blocker / "cache"))
    root = make_vault(FILES)
    with watching(root, SignallingWatcher) as s:
        (root / "People/Dee.md").write_text("---\ncircle: friends\n---\n")
        assert s.after_passes(lambda: "[[Dee]]" in s.note())
        notes = [t for t in s.texts("notice") if t.startswith("note: cache")]
        assert len(notes) == 1 and "cache folder unusable" in notes[0]
