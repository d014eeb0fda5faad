"""The index: a second run reads no note again; corruption and a new envelope rebuild it.

Through `compute`, as `sync` and `due` read the vault."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import vaultcrm.cache.codec as codec
from tests.sessions import compute
from vaultcrm.cache.store import cache_path

PEOPLE = {
    "People/Ann.md": "---\ncircle: close\n---\n- 2026-11-01 Coffee #shared\n",
    "People/Bo.md": "---\naliases: [Bobby]\n---\n- 2026-10-01 Call\n",
    "Journal/2026-11-10.md": "Walked with [[Bobby]] and [[Ann]].\n",
}


#: late enough that everyone is due to reach out, with their last contact
TODAY = dt.date(2027, 6, 1)


def load(root: Path, **kw: bool):  # type: ignore[no-untyped-def]
    """What a run found (reflections, problems, how many people) and its stats."""
    outcome = compute(root, TODAY, **kw)
    found = (outcome.reflections, outcome.problems, outcome.people_count)
    return found, outcome.stats


def test_second_load_reads_no_note(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    first, stats1 = load(root)
    assert (stats1.parsed, stats1.reused) == (3, 0)
    second, stats2 = load(root)
    assert (stats2.parsed, stats2.reused) == (0, 3)
    assert second == first


def test_only_changed_note_is_read_again(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    load(root)
    note = root / "People/Bo.md"
    note.write_text("---\naliases: [Bobby]\n---\n- 2026-10-01 Call\n- 2026-11-20 Lunch\n")
    (reflections, _, _), stats = load(root)
    assert (stats.parsed, stats.reused) == (1, 2)
    bo = next(r for r in reflections if r.kind == "reach_out" and r.person == "Bo")
    assert bo.data["last_contact"] == dt.date(2026, 11, 20)


def test_deleted_note_leaves_the_index(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    load(root)
    (root / "People/Bo.md").unlink()
    (reflections, _, people), stats = load(root)
    assert stats.removed == 1
    assert people == 1
    assert {r.person for r in reflections} == {"Ann"}


def test_corrupt_cache_is_rebuilt(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    expected, _ = load(root)
    path = cache_path(root)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    vault, stats = load(root)
    assert stats.parsed == 3
    assert stats.cache_rebuilt and "unreadable" in stats.cache_rebuilt
    assert vault == expected


def test_a_new_layout_or_code_rebuilds(make_vault, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    load(root)
    monkeypatch.setattr(codec, "VERSION", codec.VERSION + 1)
    _, stats = load(root)
    assert stats.parsed == 3
    assert stats.cache_rebuilt
    _, stats = load(root)
    assert stats.parsed == 0
    monkeypatch.setattr(codec, "code_fingerprint", lambda: "another build")
    _, stats = load(root)
    assert stats.parsed == 3


def test_config_change_rebuilds(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    load(root)
    (root / "vaultcrm.yaml").write_text("horizon: 30 days\n")
    _, stats = load(root)
    assert stats.parsed == 3


def test_no_cache_touches_no_cache_file(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    _, stats = load(root, cache=False)
    assert stats.parsed == 3
    assert not cache_path(root).exists()


def test_cache_lives_outside_the_vault(make_vault) -> None:  # type: ignore[no-untyped-def]
    root = make_vault(PEOPLE)
    load(root)
    assert root not in cache_path(root).parents
    assert cache_path(root).parent == Path(os.environ["VAULTCRM_CACHE_DIR"])
    with sqlite3.connect(cache_path(root)) as conn:
        assert conn.execute("SELECT count(*) FROM files").fetchone()[0] == 3


def test_an_unusable_cache_folder_still_syncs_and_says_so(
    make_vault, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from vaultcrm.cli import cli

    root = make_vault(PEOPLE)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("VAULTCRM_CACHE_DIR", str(blocker / "cache"))
    day = TODAY.isoformat()
    result = CliRunner().invoke(cli, ["sync", "--vault", str(root), "--today", day])
    assert result.exit_code == 0, result.output
    assert "cache folder unusable" in result.stderr
    assert (root / "Reflections due.md").read_text().count("[[Ann]]") >= 1


def test_a_cold_store_leaves_the_link_lookups_indexed(make_vault) -> None:  # type: ignore[no-untyped-def]
    """A cold store builds the link indexes after its rows; they must be there after it."""
    root = make_vault(PEOPLE)
    load(root)
    with sqlite3.connect(cache_path(root)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        names = {name for (name,) in rows}
        targets = conn.execute("SELECT path FROM links WHERE target = 'bobby'").fetchall()
    assert {"links_by_target", "links_by_path"} <= names
    assert targets == [("Journal/2026-11-10.md",)]


def test_a_memo_whose_findings_do_not_decode_is_not_used(make_vault) -> None:  # type: ignore[no-untyped-def]
    """The memo's keys decode apart from what the last sync found: keys that match over
    findings that do not decode make the run do the work, never fail or report nothing."""
    import marshal

    from tests.sessions import due, sync
    from vaultcrm.cache.store import LAST_SYNC

    root = make_vault(PEOPLE)
    first = sync(root, TODAY)
    expected = [r.to_json() for r in first.outcome.reflections]
    con = sqlite3.connect(cache_path(root))
    with con:
        (saved,) = con.execute("SELECT value FROM meta WHERE key = ?", (LAST_SYNC,)).fetchone()
        key, note_key, note_sig, _found = marshal.loads(saved)
        damaged = marshal.dumps((key, note_key, note_sig, b"\x00not marshal"))
        con.execute("UPDATE meta SET value = ? WHERE key = ?", (damaged, LAST_SYNC))
    con.close()
    assert [r.to_json() for r in due(root, TODAY).reflections] == expected
    again = sync(root, TODAY)
    assert [r.to_json() for r in again.outcome.reflections] == expected
    assert not again.written


def test_every_reason_the_index_gives_has_its_words() -> None:
    """A new reason without its line in `words.CACHE_NOTES` fails here, not in a user's
    terminal; a busy index (another run's) is never said."""
    from typing import get_args

    from vaultcrm.cache.store import CacheNote, CacheReason
    from vaultcrm.words import CACHE_NOTES

    assert set(get_args(CacheReason)) == set(CACHE_NOTES)
    note = CacheNote("unreadable", "file is not a database")
    assert note.text == "cache was unreadable (file is not a database)"
    assert note.said
    assert not CacheNote("busy", "database is locked").said
