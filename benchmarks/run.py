"""Time vaultcrm on a large vault against floors measured on the same machine.

    python benchmarks/run.py [--people 10000] [--daily 20000] [--runs 5] [--vault PATH]
                             [--shape both|default|heavy] [--keep] [--watch [--saves N]]
                             [--json FILE|-]

Two shapes of generated vault are measured, one after the other: the classic synthetic
vault and a heavy one (~100 MB of notes at 10,000 people, first-name aliases shared by
many, most people due, cadence words, meeting notes); `--shape` runs just one.

Every figure is the wall time of a whole process (start-up included), the median of
`--runs` runs after one warm-up. Absolute times depend on the machine, so each target
is a ratio to a floor: what a trivial Python script needs to read (floor a) or merely
stat (floor b) the same files. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generate import SHAPES, Shape, add_shape_arguments, generate, person_files, shape_from

TODAY = "2026-11-23"
OUTPUT_NOTE = "Reflections due.md"
RUN_TIMEOUT = 900.0
WATCH_START = 300.0
WATCH_TIMEOUT = 30.0
#: Saves before the watcher's resident memory is first read (imports, caches, the index).
WATCH_WARMUP = 50
#: The most a watcher's RSS may grow over the measured saves, after the warm-up.
WATCH_GROWTH_MB = 3.0
CLI = [sys.executable, "-m", "vaultcrm"]

# Dot-folders (.git, .obsidian, .trash) are skipped because vaultcrm skips them too.
FLOOR_READ = """
import os, sys
def walk(d):
    n = 0
    for e in os.scandir(d):
        if e.is_dir(follow_symlinks=False):
            if not e.name.startswith("."):
                n += walk(e.path)
        elif e.is_file():
            with open(e.path, "rb") as f:
                n += len(f.read())
    return n
print(walk(sys.argv[1]))
"""

FLOOR_STAT = """
import os, sys
def walk(d):
    n = 0
    for e in os.scandir(d):
        if e.is_dir(follow_symlinks=False):
            if not e.name.startswith("."):
                n += walk(e.path)
        else:
            st = e.stat()
            n += st.st_size + st.st_mtime_ns % 2
    return n
print(walk(sys.argv[1]))
"""

NAIVE = """
import os, sys
import frontmatter
def walk(d):
    n = 0
    for e in os.scandir(d):
        if e.is_dir(follow_symlinks=False):
            if not e.name.startswith("."):
                n += walk(e.path)
        elif e.name.endswith(".md"):
            try:
                n += len(frontmatter.load(e.path).metadata)
            except Exception:
                pass
    return n
print(walk(sys.argv[1]))
"""

# ru_maxrss of the waited-for child: kilobytes on Linux, bytes on macOS.
RSS_WRAPPER = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode)
"""


class Failed(Exception):
    """A command did not run cleanly; the message is what the table shows instead of a time."""


@dataclass
class Row:
    """One line of the report; `limit` is a ratio to `floor`, or absolute when `floor` is None."""

    name: str
    samples: list[float] = field(default_factory=list)
    unit: str = "ms"
    floor: str | None = None
    limit: float | None = None
    error: str | None = None
    note: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None


def why(returncode: int, stderr: str) -> str:
    """The most telling line of a failed command's stderr (click's `Error:`, a traceback's last)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    pick = next((line for line in lines if line.startswith("Error")), None)
    if pick is None and lines:
        pick = lines[-1] if lines[0].startswith("Traceback") else lines[0]
    return f"n/a (exit {returncode}: {pick or 'no stderr'})"


def work_dir(env: dict[str, str]) -> Path:
    """Commands start in the temporary folder, so no vault or package is found by accident."""
    return Path(env["VAULTCRM_CACHE_DIR"]).parent


def run_once(
    cmd: Sequence[str], env: dict[str, str], ok: Sequence[int]
) -> tuple[float, str, str]:
    """Wall seconds of one whole process, its stdout and stderr; Failed unless exit code in `ok`."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=work_dir(env), capture_output=True, timeout=RUN_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        raise Failed(f"n/a (timed out after {RUN_TIMEOUT:.0f} s)") from exc
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.decode("utf-8", "replace")
    # Exit 1 means "problems found" for sync/due; a traceback means a crash.
    if proc.returncode not in ok or "Traceback (most recent call last)" in stderr:
        raise Failed(why(proc.returncode, stderr))
    return elapsed, proc.stdout.decode("utf-8", "replace"), stderr


def measure(
    row: Row | Sequence[Row],
    cmd: Sequence[str],
    env: dict[str, str] | Sequence[dict[str, str]],
    runs: int,
    before: Callable[[int], None] | None = None,
    ok: Sequence[int] = (0,),
) -> Row:
    """Fill `row` with `runs` timings in ms after one warm-up; `before(i)` runs untimed first.

    With several rows and as many environments (an A/B), each run times every side in
    turn, the order reversed every other run (A B, B A, A B…), so a drift of the machine
    weighs on all sides alike; `before(i)` runs before each side's command.
    """
    rows = [row] if isinstance(row, Row) else list(row)
    envs = [env] if isinstance(env, dict) else list(env)
    try:
        for i in range(runs + 1):
            order = range(len(rows)) if i % 2 == 0 else range(len(rows) - 1, -1, -1)
            for k in order:
                if before is not None:
                    before(i)
                elapsed, _, stderr = run_once(cmd, envs[k], ok)
                if i == 0:
                    lines = stderr.count("\n")
                    if lines:
                        rows[k].note = f"{lines} stderr lines (problems?)"
                else:
                    rows[k].samples.append(elapsed * 1000)
    except Failed as exc:
        for r in rows:
            r.samples.clear()
            r.error = str(exc)
    return rows[0]


def md_notes(vault: Path) -> list[Path]:
    """Every note vaultcrm reads (dot-folders and its own output left out), sorted."""
    found = []
    for folder, dirs, files in os.walk(vault):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(folder, f) for f in files if f.endswith(".md")]
    return sorted(p for p in found if p != vault / OUTPUT_NOTE)


def append(path: Path, line: str) -> None:
    """Change a note the way a user does: a new line at its end (new size, new mtime)."""
    with open(path, "a", encoding="utf-8", newline="\n") as f:
        f.write(f"\n{line}\n")


def empty_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


def measure_rss(
    row: Row | Sequence[Row],
    cmd: Sequence[str],
    env: dict[str, str] | Sequence[dict[str, str]],
    cache: Path,
) -> Row:
    """Peak RSS (MB) of one cold sync per side, read by a wrapper process from
    RUSAGE_CHILDREN.

    One run is enough: memory, unlike time, barely varies between runs.
    """
    rows = [row] if isinstance(row, Row) else list(row)
    envs = [env] if isinstance(env, dict) else list(env)
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    for r, e in zip(rows, envs, strict=True):
        empty_dir(Path(e.get("VAULTCRM_CACHE_DIR", cache)))
        try:
            _, stdout, _ = run_once([sys.executable, "-c", RSS_WRAPPER, *cmd], e, (0, 1))
        except Failed as exc:
            r.error = str(exc)
            continue
        r.samples.append(int(stdout.split()[-1]) / scale)
    return rows[0]


def count_instructions(cmd: Sequence[str], env: dict[str, str], ok: Sequence[int]) -> float:
    """The instructions (in billions) one run of `cmd` executes, every process it forks
    included, counted by valgrind's cachegrind: the same run counts the same within a
    fraction of a per cent however busy the machine is, where its wall time does not."""
    if shutil.which("valgrind") is None:
        raise Failed("n/a (valgrind not found)")
    with tempfile.TemporaryDirectory(prefix="cachegrind-") as out:
        counted = [
            "valgrind", "--tool=cachegrind", "--cache-sim=no",
            f"--cachegrind-out-file={out}/cg.%p", f"--log-file={out}/valgrind.%p", *cmd,
        ]  # fmt: skip
        run_once(counted, env, ok)
        total = 0
        for found in Path(out).glob("cg.*"):
            for line in found.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("summary:"):
                    total += int(line.split()[1])
    if not total:
        raise Failed("n/a (cachegrind counted nothing)")
    return total / 1e9


def measure_instructions(
    rows: Sequence[Row],
    cmd: Sequence[str],
    envs: Sequence[dict[str, str]],
    before: Callable[[], None],
    ok: Sequence[int] = (0,),
) -> None:
    """One count per side (`count_instructions`), each after `before()`: one is enough,
    the count does not vary."""
    for r, env in zip(rows, envs, strict=True):
        try:
            before()
            r.samples.append(count_instructions(cmd, env, ok))
        except Failed as exc:
            r.error = str(exc)


@dataclass
class WatchRows:
    """The `--watch` rows: the latency of a save, and the watcher's resident memory
    after a warm-up and after `saves` more saves (and how much it grew)."""

    saves: int
    latency: Row = field(default_factory=lambda: Row("watch: save → note rewritten"))
    warm: Row = field(
        default_factory=lambda: Row(f"watch: RSS after {WATCH_WARMUP} saves", unit="MB")
    )
    after: Row = field(default_factory=lambda: Row("watch: RSS after N more saves", unit="MB"))
    growth: Row = field(
        default_factory=lambda: Row("watch: RSS growth", unit="MB", limit=WATCH_GROWTH_MB)
    )

    def __post_init__(self) -> None:
        self.after.name = f"watch: RSS after {self.saves} more saves"
        self.growth.name = f"watch: RSS growth, {self.saves} saves"

    def all(self) -> list[Row]:
        return [self.latency, self.warm, self.after, self.growth]

    def fail(self, error: str) -> None:
        for row in self.all():
            if not row.samples:
                row.error = error


def rss_mb(pid: int) -> float | None:
    """A process's resident memory now: VmRSS from /proc (Linux), else `ps` (macOS)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True,
                             text=True, timeout=10).stdout
        return int(out.split()[0]) / 1024
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired):
        return None


def measure_watch(rows: WatchRows, vault: Path, env: dict[str, str], runs: int,
                  person: Path) -> WatchRows:
    """Under one `vaultcrm watch` process: seconds from saving a person note to a rewritten
    output note, then its RSS after a warm-up of saves and after `rows.saves` more.

    Each timed save adds an overdue follow-up with its own text and date, so a reflection
    changes every time whatever the template shows. The memory saves rewrite the note
    as an editor does, going round a few versions (a follow-up whose date moves, a call
    logged today and gone again): every save rewrites the output note, and the vault's
    data stays the same size, so what the RSS gains is what the watcher keeps.
    """
    out = vault / OUTPUT_NOTE
    base = [*CLI, "watch", "--vault", str(vault)]
    today = dt.date.fromisoformat(TODAY)
    for cmd in ([*base, "--today", TODAY], base):
        out.unlink(missing_ok=True)
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                cmd, env=env, cwd=work_dir(env), stdout=subprocess.DEVNULL, stderr=err
            )
            try:
                deadline = time.perf_counter() + WATCH_START
                while not out.exists() and proc.poll() is None:
                    if time.perf_counter() > deadline:
                        rows.fail(f"n/a (no {OUTPUT_NOTE} after {WATCH_START:.0f} s)")
                        return rows
                    time.sleep(0.01)
                if proc.poll() is not None:
                    err.seek(0)
                    stderr = err.read().decode("utf-8", "replace")
                    if proc.returncode == 2 and "--today" in stderr and cmd is not base:
                        today = min(today, dt.date.today())
                        continue  # this watch takes no --today: try again with the real date
                    rows.fail(why(proc.returncode, stderr))
                    return rows
                time.sleep(0.5)  # let the observer start after its first render
                row = rows.latency
                for i in range(runs + 1):
                    seconds = _watch_once(out, person, today - dt.timedelta(days=i + 1), i)
                    if seconds is None:
                        row.samples.clear()
                        rows.fail(f"n/a (no rewrite within {WATCH_TIMEOUT:.0f} s of a save)")
                        return rows
                    if i:
                        row.samples.append(seconds * 1000)
                _watch_memory(rows, proc.pid, out, person, today)
                return rows
            finally:
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(5)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
    return rows


def _watch_memory(rows: WatchRows, pid: int, out: Path, person: Path, today: dt.date) -> None:
    text = person.read_text(encoding="utf-8")
    versions = [
        f"- [ ] {today - dt.timedelta(days=1)} Benchmark follow-up",
        f"- [ ] {today - dt.timedelta(days=2)} Benchmark follow-up",
        f"- {today} Benchmark call #heard",
        f"- [ ] {today - dt.timedelta(days=3)} Benchmark follow-up",
    ]
    warm = None
    for i in range(WATCH_WARMUP + rows.saves):
        if i == WATCH_WARMUP:
            warm = rss_mb(pid)
        new = f"{text}\n{versions[i % len(versions)]}\n"
        if _watch_save(out, functools.partial(person.write_text, new, encoding="utf-8")) is None:
            rows.fail(f"n/a (no rewrite within {WATCH_TIMEOUT:.0f} s of save {i + 1})")
            return
    after = rss_mb(pid)
    if warm is None or after is None:
        rows.fail("n/a (no RSS for the watch process)")
        return
    rows.warm.samples.append(warm)
    rows.after.samples.append(after)
    rows.growth.samples.append(after - warm)


def _watch_once(out: Path, person: Path, due: dt.date, i: int) -> float | None:
    return _watch_save(out, lambda: append(person, f"- [ ] {due} Benchmark follow-up {i}"))


def _watch_save(out: Path, save: Callable[[], object]) -> float | None:
    """Seconds from `save()` to new bytes in the output note (None: none in time)."""
    before = out.read_bytes()
    save()
    saved = time.perf_counter()
    while time.perf_counter() - saved < WATCH_TIMEOUT:
        try:
            if out.read_bytes() != before:
                return time.perf_counter() - saved
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    return None


#: Row names for `--rows` (the floors are always measured: every target is a ratio to one).
ROW_NAMES = ("cold", "nochange", "one", "percent", "due", "log", "help", "rss", "naive")
#: Rows measured only when `--rows` names them: `instr` counts the instructions of a cold
#: and of a one-note sync under valgrind (minutes each at 30,000 notes).
EXTRA_ROWS = ("instr",)


def bench(
    vault: Path,
    cache: Path,
    runs: int,
    watch: int | None,
    person: Path | None,
    sides: Sequence[dict[str, str]] = ({},),
    only: Collection[str] = ROW_NAMES,
) -> list[list[Row]]:
    """Every row (of `only`), in an order where each one leaves the vault as the next
    expects, once per side: `sides` are environment overrides (one for a plain run, two
    for an A/B, whose rows are timed interleaved); `watch` is the number of saves of the
    watch rows (None: no watch rows; not with an A/B)."""
    # The checkout this script sits in is what gets measured, installed or not.
    paths = [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
    pythonpath = os.pathsep.join(filter(None, paths))
    env = dict(os.environ, VAULTCRM_CACHE_DIR=str(cache), PYTHONPATH=pythonpath)
    env.pop("VAULTCRM_VAULT", None)
    # An installed package runs from compiled bytecode; so must the code measured here
    # (some shells export PYTHONDONTWRITEBYTECODE, which would recompile every module on
    # every run). The untimed warm-up of each row writes the __pycache__ files.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    envs = [{**env, **side} for side in sides]
    # a side may keep its own index (VAULTCRM_CACHE_DIR in --a/--b: two builds of
    # vaultcrm would each empty the other's); a cold row empties every side's
    caches = sorted({Path(e["VAULTCRM_CACHE_DIR"]) for e in envs})

    def cold(_: int) -> None:
        for folder in caches:
            empty_dir(folder)

    v = str(vault)
    sync = [*CLI, "sync", "--vault", v, "--today", TODAY]
    notes = md_notes(vault)
    step = max(1, len(notes) // max(1, len(notes) // 100))
    percent = notes[::step]
    out: list[list[Row]] = [[] for _ in sides]

    def add(make: Callable[[], Row]) -> list[Row]:
        made = [make() for _ in sides]
        for side, row in zip(out, made, strict=True):
            side.append(row)
        return made

    def row(name: str, **kw: Any) -> list[Row]:
        return add(lambda: Row(name, **kw))

    # the floors are the same script whatever the side: measured once, shown on each
    floors = [
        measure(Row("floor (a): read all files"), [sys.executable, "-c", FLOOR_READ, v], env, runs),
        measure(Row("floor (b): scandir + stat"), [sys.executable, "-c", FLOOR_STAT, v], env, runs),
    ]
    for floor in floors:
        add(lambda f=floor: f)  # type: ignore[misc]
    if "cold" in only:
        measure(row("sync, cold cache", floor="a", limit=8), sync, envs, runs,
                before=cold, ok=(0, 1))
    if {"nochange", "one", "percent", "due", "log"} & set(only):
        for side in envs:  # a current cache for the rows that follow
            run_once(sync, side, (0, 1))
    if "nochange" in only:
        measure(row("sync, nothing changed", floor="b", limit=2), sync, envs, runs, ok=(0, 1))
    if "one" in only:
        if person is not None:
            target = person
            measure(row("sync, 1 note changed", floor="b", limit=4), sync, envs, runs,
                    before=lambda i: append(target, f"- {TODAY} Benchmark ping {i}"),
                    ok=(0, 1))
        else:
            row("sync, 1 note changed", floor="b", limit=4, error="n/a (no person note)")

    def touch_percent(i: int) -> None:
        for note in percent:
            append(note, f"- benchmark edit {i}")

    if "percent" in only:
        measure(row(f"sync, 1% changed ({len(percent)})", floor="b"), sync, envs, runs,
                before=touch_percent, ok=(0, 1))
    if "due" in only:
        measure(row("due --json", floor="b"),
                [*CLI, "due", "--json", "--vault", v, "--today", TODAY], envs, runs, ok=(0, 1))
    if "log" in only:
        if person is not None:
            measure(row("log (appends a line)", limit=150),
                    [*CLI, "log", "--vault", v, person.stem, "benchmark note"], envs, runs)
        else:
            row("log (appends a line)", limit=150, error="n/a (no person note)")
    if "help" in only:
        measure(row("--help (start-up)"), [*CLI, "--help"], envs, runs)
    if "rss" in only:
        measure_rss(row("peak RSS, cold sync", unit="MB", limit=300), sync, envs, cache)
    if "naive" in only:
        naive = measure(Row("naive: frontmatter.load all", floor="a"),
                        [sys.executable, "-c", NAIVE, v], env, runs)
        add(lambda: naive)
    if "instr" in only:  # last: it leaves the caches as the one-note count found them
        for side in envs:  # the bytecode written: a count would include compiling it
            run_once(sync, side, (0, 1))
        measure_instructions(row("instructions: cold sync", unit="G"), sync, envs,
                             before=lambda: cold(0), ok=(0, 1))
        if person is not None:
            for side in envs:  # a current cache
                run_once(sync, side, (0, 1))
            target = person
            measure_instructions(
                row("instructions: 1 note changed", unit="G"), sync, envs,
                before=lambda: append(target, f"- {TODAY} Benchmark count"), ok=(0, 1),
            )  # fmt: skip
        else:
            row("instructions: 1 note changed", unit="G", error="n/a (no person note)")
    if watch is not None:
        found = WatchRows(watch)
        if person is None:
            found.fail("n/a (no person note)")
        else:
            measure_watch(found, vault, envs[0], runs, person)
        out[0] += found.all()
    return out


def verdict(row: Row, floors: dict[str, float | None]) -> tuple[float | None, str]:
    """(ratio to the row's floor, pass/FAIL/blank) for one row."""
    median = row.median
    if median is None:
        return None, "n/a"
    floor = floors.get(row.floor) if row.floor else None
    ratio = median / floor if floor else None
    if row.limit is None:
        return ratio, ""
    value = ratio if row.floor else median
    if value is None:
        return ratio, "n/a"
    return ratio, "pass" if value <= row.limit else "FAIL"


def target_text(row: Row) -> str:
    if row.limit is None:
        return ""
    if row.floor:
        return f"≤ {row.limit:g}× floor ({row.floor})"
    return f"≤ {row.limit:g} {row.unit}"


def report(rows: list[Row]) -> tuple[str, list[dict[str, Any]]]:
    """The table as text, and the same figures as JSON-ready dicts."""
    floors = {"a": rows[0].median, "b": rows[1].median}
    lines = [f"{'row':<32} {'median':>12} {'ratio':>8}  {'target':<20} {'result':<6}"]
    lines.append("-" * len(lines[0]))
    records = []
    for row in rows:
        ratio, result = verdict(row, floors)
        median = row.median
        shown = row.error if median is None else f"{figure(median, row.unit)} {row.unit}"
        ratio_text = "" if ratio is None else f"{ratio:.2f}×"
        target = target_text(row)
        if median is None:
            lines.append(f"{row.name:<32} {shown}")
        else:
            note = f"  {row.note}" if row.note else ""
            line = f"{row.name:<32} {shown:>12} {ratio_text:>8}  {target:<20} {result:<6}{note}"
            lines.append(line.rstrip())
        records.append({
            "name": row.name, "unit": row.unit, "median": median, "samples": row.samples,
            "floor": row.floor, "ratio": ratio, "target": target or None,
            "result": result or None, "error": row.error, "note": row.note,
        })
    return "\n".join(lines), records


def figure(value: float, unit: str, sign: bool = False) -> str:
    """A median as the table shows it: instruction counts (billions) to the million."""
    digits = ",.3f" if unit == "G" else ",.1f"
    return format(value, "+" + digits if sign else digits)


def paired(a: Row, b: Row) -> float:
    """The median of B/A over the runs, each B against the A timed next to it: a drift
    of the machine over the runs moves both of a pair, so this is steadier than the
    ratio of the two medians."""
    return statistics.median(y / x for x, y in zip(a.samples, b.samples, strict=True))


def report_ab(
    per_side: list[list[Row]], a: Sequence[str], b: Sequence[str]
) -> tuple[str, list[dict[str, Any]]]:
    """Side A against side B, row by row: both medians, B/A, and each side's verdict."""
    lines = [f"A: {' '.join(a) or '(as is)'}", f"B: {' '.join(b) or '(as is)'}"]
    head = (f"{'row':<32} {'A median':>12} {'B median':>12} {'B/A':>7} {'paired':>7} {'B-A':>9}"
            f"  {'A ratio':>8} {'B ratio':>8}  {'target':<18} {'A':<5} {'B':<5}")
    lines += [head, "-" * len(head)]
    floors = {"a": per_side[0][0].median, "b": per_side[0][1].median}
    records = []
    for ra, rb in zip(per_side[0], per_side[1], strict=True):
        ma, mb = ra.median, rb.median
        (ratio_a, res_a), (ratio_b, res_b) = verdict(ra, floors), verdict(rb, floors)
        if ma is None or mb is None:
            lines.append(f"{ra.name:<32} {ra.error or rb.error}")
        elif ra is rb:  # measured once (a floor, the naive row)
            lines.append(f"{ra.name:<32} {figure(ma, ra.unit):>9} {ra.unit}")
        else:
            def r(x: float | None) -> str:
                return "" if x is None else f"{x:.2f}×"

            lines.append(
                f"{ra.name:<32} {figure(ma, ra.unit):>9} {ra.unit}"
                f" {figure(mb, rb.unit):>9} {rb.unit} {mb / ma:>6.3f}×"
                f" {paired(ra, rb):>6.3f}×"
                f" {figure(mb - ma, ra.unit, sign=True):>9}"
                f"  {r(ratio_a):>8} {r(ratio_b):>8}  {target_text(ra):<18}"
                f" {res_a:<5} {res_b:<5}".rstrip()
            )
        records.append({
            "name": ra.name, "unit": ra.unit, "target": target_text(ra) or None,
            "a": {"median": ma, "samples": ra.samples, "ratio": ratio_a, "result": res_a or None,
                  "error": ra.error},
            "b": {"median": mb, "samples": rb.samples, "ratio": ratio_b, "result": res_b or None,
                  "error": rb.error},
            "b_over_a": None if not ma or mb is None or ra is rb else mb / ma,
            "paired": None if ma is None or mb is None or ra is rb else paired(ra, rb),
        })
    return "\n".join(lines), records


def prepare(
    args: argparse.Namespace, shape: Shape, vault: Path
) -> tuple[Path | None, dict[str, Any]]:
    """The vault to measure (generated or copied) and where it came from."""
    if args.vault:
        shutil.copytree(args.vault, vault, ignore=shutil.ignore_patterns(".git"))
        # a vault generate.py wrote (with these --people and --seed): the person a
        # generated run edits, so the figures compare with one
        made = vault / person_files(args.people, args.seed)[0] if args.people else None
        if made is not None and made.is_file():
            return made, {"copied_from": str(args.vault)}
        people = sorted((vault / "People").rglob("*.md"))
        return (people[0] if people else None), {"copied_from": str(args.vault)}
    generate(vault, args.people, args.daily, args.seed, shape)
    person = vault / person_files(args.people, args.seed)[0] if args.people else None
    source = {"people": args.people, "daily": args.daily, "seed": args.seed,
              "shape": shape.__dict__}  # fmt: skip
    return person, source


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=10_000, help="person notes to generate")
    ap.add_argument("--daily", type=int, default=20_000, help="daily notes to generate")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per row, after one warm-up")
    ap.add_argument("--vault", type=Path, help="benchmark a copy of this vault instead")
    ap.add_argument("--shape", choices=["both", *sorted(SHAPES)], default="both",
                    help="which generated vault(s) to measure (default: both)")
    add_shape_arguments(ap)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--watch", action="store_true",
                    help="also time `vaultcrm watch` and measure its memory over many saves")
    ap.add_argument("--saves", type=int, default=300, metavar="N",
                    help=f"with --watch: saves measured after a warm-up of {WATCH_WARMUP} "
                    "(default 300)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON ('-': stdout)")
    ap.add_argument("--a", action="append", default=[], metavar="VAR=VALUE",
                    help="A/B: an environment variable of side A (repeatable)")
    ap.add_argument("--b", action="append", default=[], metavar="VAR=VALUE",
                    help="A/B: an environment variable of side B (repeatable); with --a or "
                    "--b, each row is timed on both sides, interleaved")
    ap.add_argument("--rows", default=",".join(ROW_NAMES),
                    help=f"rows to measure, comma-separated (default: {','.join(ROW_NAMES)};"
                         f" also: {','.join(EXTRA_ROWS)})")
    args = ap.parse_args(argv)
    only = [r for r in args.rows.split(",") if r]
    unknown = set(only) - set(ROW_NAMES) - set(EXTRA_ROWS)
    if unknown:
        ap.error(f"--rows: unknown {', '.join(sorted(unknown))}")
    try:
        sides = [dict(pair.split("=", 1) for pair in side) for side in (args.a, args.b)]
    except ValueError:
        ap.error("--a and --b take VAR=VALUE")
    ab = bool(args.a or args.b)
    if ab and args.watch:
        ap.error("--watch does not take --a or --b")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if args.saves < 1:
        ap.error("--saves must be at least 1")
    if args.vault and not args.vault.is_dir():
        ap.error(f"--vault {args.vault}: no such folder")
    names = ["copy"] if args.vault else (sorted(SHAPES) if args.shape == "both" else [args.shape])

    work = Path(tempfile.mkdtemp(prefix="vaultcrm-bench-"))
    # With --json -, stdout carries the JSON alone; the table goes to stderr.
    say = sys.stderr if args.json == "-" else sys.stdout
    shapes: list[dict[str, Any]] = []
    try:
        for name in names:
            shape = Shape() if args.vault else shape_from(argparse.Namespace(
                **{**vars(args), "shape": name}))  # fmt: skip
            vault, cache = work / name / "vault", work / name / "cache"
            cache.mkdir(parents=True)
            start = time.perf_counter()
            person, source = prepare(args, shape, vault)
            files = len(md_notes(vault))
            size = sum(p.stat().st_size for p in md_notes(vault)) / 1e6
            prepared = time.perf_counter() - start
            print(f"\nshape {name}: {files:,} notes, {size:,.1f} MB in {vault} "
                  f"({prepared:.1f} s to prepare); runs: {args.runs} after 1 warm-up; "
                  f"{sys.executable}", file=say, flush=True)
            per_side = bench(vault, cache, args.runs, args.saves if args.watch else None,
                             person, sides if ab else [{}], only)
            entry: dict[str, Any] = {"shape": name, "vault": {**source, "notes": files, "mb": size}}
            if ab:
                table, records = report_ab(per_side, args.a, args.b)
                entry["rows"] = records
                entry["sides"] = {"a": sides[0], "b": sides[1]}
            else:
                table, records = report(per_side[0])
                entry["rows"] = records
            print(table, file=say, flush=True)
            shapes.append(entry)
            if not args.keep:
                shutil.rmtree(work / name, ignore_errors=True)
        if args.json:
            doc = {
                # the first shape's figures also at the top level, as before there were two
                "vault": shapes[0]["vault"], "rows": shapes[0]["rows"], "shapes": shapes,
                "runs": args.runs, "today": TODAY, "python": sys.version.split()[0],
                "platform": platform.platform(), "machine": platform.machine(),
            }
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            if args.json == "-":
                sys.stdout.write(text)
            else:
                Path(args.json).write_text(text, encoding="utf-8")
        failed = any(r.get("result") == "FAIL" for s in shapes for r in s["rows"])
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept: {work}", file=say)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
