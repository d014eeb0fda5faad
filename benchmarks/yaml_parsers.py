"""Compare YAML parsers on vaultcrm's person frontmatters: speed, agreement, semantics.

    python benchmarks/yaml_parsers.py VAULT [--runs 7] [--workers 2] [--json FILE]

Evidence for docs/yaml-parser.md, not a dependency: vaultcrm itself uses PyYAML. Run it
with a Python that has the candidates (any that is missing shows as "not installed")
and vaultcrm's own dependencies, e.g. a throwaway venv:

    python3 -m venv /tmp/yamleval
    /tmp/yamleval/bin/pip install PyYAML python-frontmatter ruamel.yaml \
        yaml-rs rapidyaml ryaml py-yaml12
    /tmp/yamleval/bin/python benchmarks/yaml_parsers.py /tmp/yv

It prints four Markdown tables (`--sections` picks some):
1. speed: µs per frontmatter (median of `--runs` passes over every person note of VAULT,
   after one warm-up pass), and the ratio to PyYAML's CSafeLoader;
2. agreement with CSafeLoader: identical results, equal once dates and datetimes are
   compared as ISO text (YAML 1.2 parsers may leave them as strings, which vaultcrm
   accepts), and the keys where they still differ;
3. CSafeLoader and whole-note parsing (`vaultcrm.read.parse.parse_note`) on `--workers`
   processes, with and without the pool's start-up, for fork and spawn;
4. semantics on a corpus of tricky YAML, each parser in a child process (libyaml crashes
   the process on deep nesting; an alias bomb may exhaust memory), with a memory cap and
   a time limit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import importlib.metadata
import json
import multiprocessing
import os
import pickle
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout's vaultcrm, as benchmarks/run.py measures it

Load = Callable[[str], Any]

# --- the candidates -------------------------------------------------------------------------
# Each factory imports lazily, so a missing package only drops its own rows.


def _pyyaml_c() -> Load:
    import yaml

    loader = yaml.CSafeLoader
    return lambda text: yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def _pyyaml_py() -> Load:
    import yaml

    return lambda text: yaml.load(text, Loader=yaml.SafeLoader)  # noqa: S506


def _vaultcrm() -> Load:
    from vaultcrm.read.parse import _load_frontmatter  # the path a cold index takes today

    def load(text: str) -> Any:
        data, problems = _load_frontmatter("People/x.md", text)
        if data is None:
            first = problems[0]
            where = f" (line {first.line - 1})" if first.line and first.line > 1 else ""
            raise ValueError(first.message + where)  # line of the YAML, not of the file
        return data

    return load


def _ruamel(pure: bool) -> Callable[[], Load]:
    def factory() -> Load:
        from ruamel.yaml import YAML

        if not pure:
            import _ruamel_yaml  # noqa: F401 - else YAML() quietly falls back to pure Python
        return YAML(typ="safe", pure=pure).load

    return factory


def _yaml_rs() -> Load:
    import yaml_rs

    return yaml_rs.loads


def _ryaml() -> Load:
    import ryaml

    return ryaml.loads


def _yaml12() -> Load:
    import yaml12

    return yaml12.parse_yaml


def _rapidyaml_json() -> Load:
    """rapidyaml builds a C++ tree, not Python objects: JSON is its one ready way out."""
    import ryml

    return lambda text: json.loads(ryml.emit_json(ryml.parse_in_arena(text.encode())))


def _rapidyaml_tree() -> Load:
    """The C++ parse alone: a lower bound, since nothing usable comes out of it."""
    import ryml

    return lambda text: ryml.parse_in_arena(text.encode())


#: name → (PyPI distribution, factory). The first is the reference for agreement.
PARSERS: dict[str, tuple[str, Callable[[], Load]]] = {
    "PyYAML CSafeLoader": ("PyYAML", _pyyaml_c),
    "PyYAML SafeLoader (pure)": ("PyYAML", _pyyaml_py),
    "vaultcrm _load_frontmatter": ("PyYAML", _vaultcrm),
    "ruamel.yaml safe + clib": ("ruamel.yaml.clib", _ruamel(pure=False)),
    "ruamel.yaml safe, pure": ("ruamel.yaml", _ruamel(pure=True)),
    "yaml-rs": ("yaml-rs", _yaml_rs),
    "ryaml": ("ryaml", _ryaml),
    "py-yaml12": ("py-yaml12", _yaml12),
    "rapidyaml → JSON → json.loads": ("rapidyaml", _rapidyaml_json),
    "rapidyaml tree only": ("rapidyaml", _rapidyaml_tree),
}
REFERENCE = "PyYAML CSafeLoader"
#: Rows that do not produce Python data (left out of the agreement table).
NOT_LOADERS = {"rapidyaml tree only"}


def available() -> dict[str, tuple[str, Load]]:
    """The installed candidates: name → (distribution version, load function)."""
    found: dict[str, tuple[str, Load]] = {}
    for name, (dist, factory) in PARSERS.items():
        try:
            load = factory()
            version = importlib.metadata.version(dist)
        except (ImportError, importlib.metadata.PackageNotFoundError, AttributeError):
            continue
        found[name] = (version, load)
    return found


# --- the corpus -----------------------------------------------------------------------------


def person_notes(vault: Path) -> list[Path]:
    return sorted((vault / "People").rglob("*.md"))


def frontmatters(vault: Path) -> list[str]:
    """Every person note's frontmatter block, as vaultcrm splits it."""
    from vaultcrm.read.parse import split_frontmatter

    out = []
    for note in person_notes(vault):
        text = note.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        fm = split_frontmatter(text)[0]
        if fm is not None:
            out.append(fm)
    return out


# --- 1. speed --------------------------------------------------------------------------------


def time_passes(load: Load, corpus: Sequence[str], runs: int) -> list[float]:
    """Seconds per pass over `corpus`, `runs` passes after one warm-up."""
    for text in corpus:
        load(text)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for text in corpus:
            load(text)
        samples.append(time.perf_counter() - start)
    return samples


# --- 2. agreement ----------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    """Dates and datetimes as ISO text, containers rebuilt as dict/list, recursively."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {_iso(k): _iso(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso(v) for v in value]
    return value


def _outcome(load: Load, text: str) -> Any:
    try:
        return load(text)
    except Exception as err:  # noqa: BLE001 - an error is an outcome to compare
        return ("error", type(err).__name__)


def agreement(reference: list[Any], load: Load, corpus: Sequence[str]) -> dict[str, Any]:
    """How often `load` gives CSafeLoader's result, and which keys differ when it does not."""
    same = same_iso = 0
    differ: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for expected, text in zip(reference, corpus, strict=True):
        got = _outcome(load, text)
        if type(got) is type(expected) and got == expected:
            same += 1
        if _iso(got) == _iso(expected):
            same_iso += 1
            continue
        if isinstance(got, dict) and isinstance(expected, dict):
            for key in sorted(set(got) | set(expected), key=str):
                a, b = _iso(expected.get(key)), _iso(got.get(key))
                if a != b:
                    was, now = type(expected.get(key)).__name__, type(got.get(key)).__name__
                    label = f"{key}: {was} → {now}"
                    differ[label] += 1
                    examples.setdefault(label, f"{a!r} → {b!r}")
        else:
            label = f"whole document: {expected!r:.40} → {got!r:.40}"
            differ[label] += 1
    return {"identical": same, "equal_as_iso": same_iso, "total": len(corpus),
            "differences": [{"what": k, "count": n, "example": examples.get(k, "")}
                            for k, n in differ.most_common()]}


# --- 3. both cores -----------------------------------------------------------------------------


def _load_chunk(chunk: list[str]) -> list[Any]:
    import yaml

    return [yaml.load(text, Loader=yaml.CSafeLoader) for text in chunk]  # noqa: S506


def _parse_chunk(chunk: list[tuple[str, bytes]]) -> list[Any]:
    from vaultcrm.read.parse import parse_note

    return [parse_note(path, data, "person") for path, data in chunk]


def _chunks(items: Sequence[Any], n: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // n))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def pooled(
    work: Callable[[list[Any]], list[Any]], items: Sequence[Any], workers: int, method: str,
    runs: int,
) -> dict[str, float]:
    """Median seconds for `work` over `items`: serially, and on a pool (warm, and with start-up)."""
    serial = statistics.median(_timed(lambda: work(list(items))) for _ in range(runs))
    ctx = multiprocessing.get_context(method)
    chunks = _chunks(items, workers * 4)  # a few chunks per worker evens out stragglers

    def cold() -> None:
        with ctx.Pool(workers) as pool:
            pool.map(work, chunks)

    with ctx.Pool(workers) as pool:
        pool.map(work, chunks)  # warm-up: workers started and modules imported
        warm = statistics.median(_timed(lambda: pool.map(work, chunks)) for _ in range(runs))
    with_start = statistics.median(_timed(cold) for _ in range(max(3, runs // 2)))
    return {"serial": serial, "pool_warm": warm, "pool_with_startup": with_start}


def _round_trip(obj: object) -> object:
    """What a pool does to every result: pickle in the worker, unpickle in the parent."""
    return pickle.loads(pickle.dumps(obj))


def _timed(thunk: Callable[[], object]) -> float:
    start = time.perf_counter()
    thunk()
    return time.perf_counter() - start


# --- 4. semantics --------------------------------------------------------------------------------

CASES: dict[str, str] = {
    "no": "v: no\n",
    "yes": "v: yes\n",
    "on": "v: on\n",
    "NO (Norway)": "v: NO\n",
    "012345": "v: 012345\n",
    "010": "v: 010\n",
    "0o17": "v: 0o17\n",
    "1_000": "v: 1_000\n",
    "1:30": "v: 1:30\n",
    "~": "v: ~\n",
    "1e3": "v: 1e3\n",
    ".inf": "v: .inf\n",
    "2026-11-02": "v: 2026-11-02\n",
    "2026-02-30": "v: 2026-02-30\n",
    "--04-12": "v: --04-12\n",
    "04-12": "v: 04-12\n",
    "datetime": "v: 2026-11-02T10:30:00\n",
    "date key": "2026-11-02: met at the cafe\n",
    "duplicate key": "circle: close\ncity: Oslo\ncircle: family\n",
    "anchor + alias": "base: &b {x: 1}\nother: *b\n",
    "merge key": "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "!!python/object/apply": "v: !!python/object/apply:os.getpid []\n",
    "!!binary": "v: !!binary aGk=\n",
    "syntax error (line 3)": "circle: close\nlikes: [jazz, hiking\ncity: Berlin\n",
    "billion laughs": "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n"
    + "".join(f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n"
              for a, b in zip("abcdefgh", "bcdefghi", strict=True)),
    "50,000-deep nesting": "v: " + "[" * 50_000 + "]" * 50_000 + "\n",
}
#: Cases run one per child process, with a memory cap: they may crash or eat memory.
RISKY = {"billion laughs", "50,000-deep nesting", "!!python/object/apply"}
_LINE = re.compile(r"line (\d+)")


def describe(value: Any, budget: int = 60) -> str:
    """A short repr that never walks far: alias bombs and deep nesting stay cheap."""
    text = _short_repr(value, 0)
    text = text if len(text) <= budget else text[:budget] + "…"
    expanded = _expanded_size(value)
    return f"{text} ({expanded:.2g} nodes when expanded)" if expanded > 1000 else text


def _short_repr(value: Any, depth: int) -> str:
    """repr, four levels and four items deep at most."""
    if isinstance(value, dict | list | tuple) and depth >= 4:
        return "…"
    if isinstance(value, dict):
        items = list(value.items())
        inner = [f"{_short_repr(k, depth + 1)}: {_short_repr(v, depth + 1)}" for k, v in items[:4]]
        return "{" + ", ".join(inner + ["…"] * (len(items) > 4)) + "}"
    if isinstance(value, list | tuple):
        inner = [_short_repr(v, depth + 1) for v in value[:4]]
        text = ", ".join(inner + ["…"] * (len(value) > 4))
        return f"[{text}]" if isinstance(value, list) else f"({text})"
    return repr(value)[:40]


def _expanded_size(value: Any) -> float:
    """Nodes the value has when every shared (aliased) part is counted each time it appears."""
    memo: dict[int, float] = {}
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        item, done = stack.pop()
        if not isinstance(item, dict | list | tuple):
            continue
        children = list(item.values()) if isinstance(item, dict) else list(item)
        if done:
            memo[id(item)] = 1 + sum(memo.get(id(c), 1.0) for c in children)
        elif id(item) not in memo:
            stack.append((item, True))
            stack += [(c, False) for c in children if id(c) not in memo]
    return memo.get(id(value), 1.0)


def _error_line(err: BaseException) -> int | None:
    """The 1-based line an error points at: a structured mark if the parser has one, else
    a "line N" in its message (fragile, but all some parsers offer)."""
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    found = _LINE.findall(str(err))
    return int(found[-1]) if found else None


def run_cases(parser: str, names: Iterable[str]) -> dict[str, str]:
    """Each case's outcome under `parser`, as a line of text (in this process)."""
    load = PARSERS[parser][1]()
    out = {}
    for name in names:
        try:
            out[name] = describe(load(CASES[name]))
        except Exception as err:  # noqa: BLE001 - an error is the outcome we report
            line = _error_line(err)
            where = f" [line {line}]" if line is not None else " [no line]"
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            out[name] = f"{type(err).__name__}: {first[:70]}{where}"
    return out


def _child(parser: str) -> None:
    """Run the cases named in the JSON list on stdin; print their outcomes as JSON."""
    import resource

    names = json.loads(sys.stdin.read())
    cap = 4 << 30
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    print(json.dumps(run_cases(parser, names)))


def semantics(parsers: Iterable[str], timeout: float) -> dict[str, dict[str, str]]:
    """case → parser → outcome, every parser in child processes (risky cases one each)."""
    table: dict[str, dict[str, str]] = {name: {} for name in CASES}
    safe = [n for n in CASES if n not in RISKY]
    for parser in parsers:
        for names in [safe, *[[n] for n in CASES if n in RISKY]]:
            cmd = [sys.executable, __file__, "--child", parser]
            try:
                done = subprocess.run(cmd, input=json.dumps(names), capture_output=True,
                                      text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                for n in names:
                    table[n][parser] = f"no answer within {timeout:.0f} s"
                continue
            if done.returncode == 0:
                for n, outcome in json.loads(done.stdout).items():
                    table[n][parser] = outcome
                continue
            why = (f"crashed ({_signal_name(-done.returncode)})" if done.returncode < 0
                   else f"exit {done.returncode}")
            if done.stderr.strip():
                why += f": {_last_line(done.stderr)}"
            for n in names:
                table[n][parser] = why
    return table


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:80] if lines else "no stderr"


# --- report --------------------------------------------------------------------------------


def _md(rows: list[list[str]]) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in body]
    return "\n".join(lines)


def speed_table(found: dict[str, tuple[str, Load]], corpus: list[str], runs: int
                ) -> dict[str, list[float]]:
    speed: dict[str, list[float]] = {}
    for name, (_, load) in found.items():
        speed[name] = time_passes(load, corpus, runs)
    base = statistics.median(speed[REFERENCE])
    rows = [["parser", "version", "µs / frontmatter (median)", "min", "× CSafeLoader speed"]]
    for name, samples in sorted(speed.items(), key=lambda kv: statistics.median(kv[1])):
        med = statistics.median(samples)
        rows.append([name, found[name][0], f"{med / len(corpus) * 1e6:.1f}",
                     f"{min(samples) / len(corpus) * 1e6:.1f}", f"{base / med:.2f}"])
    print("\n## Speed\n\n" + _md(rows))
    return speed


def agreement_table(found: dict[str, tuple[str, Load]], corpus: list[str]) -> dict[str, Any]:
    reference = [_outcome(found[REFERENCE][1], fm) for fm in corpus]
    agree = {name: agreement(reference, load, corpus) for name, (_, load) in found.items()
             if name != REFERENCE and name not in NOT_LOADERS}
    rows = [["parser", "identical", "equal, dates as ISO text",
             "differences (key: types, count, example)"]]
    for name, a in agree.items():
        shown = a["differences"][:4]
        diffs = "; ".join(f"{d['what']} ×{d['count']} ({d['example']})" for d in shown)
        rows.append([name, f"{a['identical']}/{a['total']}", f"{a['equal_as_iso']}/{a['total']}",
                     diffs or "none"])
    print("\n## Agreement with CSafeLoader\n\n" + _md(rows))
    return agree


def pool_table(vault: Path, corpus: list[str], workers: int, runs: int
               ) -> dict[str, dict[str, float]]:
    notes = [(p.relative_to(vault).as_posix(), p.read_bytes()) for p in person_notes(vault)]
    pools: dict[str, dict[str, float]] = {}
    for method in ("fork", "spawn"):
        if method in multiprocessing.get_all_start_methods():
            pools[f"CSafeLoader, {method}"] = pooled(_load_chunk, corpus, workers, method, runs)
            pools[f"parse_note, {method}"] = pooled(_parse_chunk, notes, workers, method, runs)
    rows = [["work (all person notes)", "serial ms", f"pool of {workers}, warm ms",
             "speed-up", "with pool start-up ms", "speed-up"]]
    for label, t in pools.items():
        rows.append([label, f"{t['serial'] * 1e3:.0f}", f"{t['pool_warm'] * 1e3:.0f}",
                     f"{t['serial'] / t['pool_warm']:.2f}",
                     f"{t['pool_with_startup'] * 1e3:.0f}",
                     f"{t['serial'] / t['pool_with_startup']:.2f}"])
    jobs: list[tuple[str, Callable[[list[Any]], list[Any]], Sequence[Any]]] = [
        ("CSafeLoader", _load_chunk, corpus), ("parse_note", _parse_chunk, notes)]
    for label, work, items in jobs:
        results = work(list(items))
        blob = pickle.dumps(results)
        cost = statistics.median(_timed(functools.partial(_round_trip, results))
                                 for _ in range(runs))
        pools[f"{label}: results through pickle"] = {"seconds": cost, "bytes": len(blob)}
        rows.append([f"{label}: pickling its results alone", f"{cost * 1e3:.0f}",
                     f"({len(blob) / 1e6:.1f} MB)", "", "", ""])
    print("\n## Both cores\n\n" + _md(rows))
    print(f"(load average now {os.getloadavg()[0]:.2f}: the pool needs an idle second core)")
    return pools


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vault", type=Path, nargs="?", help="a vault with person notes in People/")
    ap.add_argument("--runs", type=int, default=7, help="timed passes per parser (median shown)")
    ap.add_argument("--workers", type=int, default=2, help="processes for the pool rows")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per semantics child")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    ap.add_argument("--sections", default="speed,agreement,pools,semantics",
                    help="comma-separated subset of: speed, agreement, pools, semantics")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    if args.vault is None:
        ap.error("VAULT is required")

    found = available()
    missing = [name for name in PARSERS if name not in found]
    corpus = frontmatters(args.vault)
    report: dict[str, Any] = {
        "python": sys.version.split()[0], "platform": sys.platform, "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(), "frontmatters": len(corpus),
        "mean_keys": statistics.mean(len(found[REFERENCE][1](fm) or {}) for fm in corpus),
        "versions": {name: version for name, (version, _) in found.items()},
        "not_installed": missing,
    }
    print(f"{len(corpus)} frontmatters, {report['mean_keys']:.1f} keys on average; "
          f"Python {report['python']}, {report['cpus']} CPUs, load {report['loadavg'][0]:.2f}")
    if missing:
        print("not installed:", ", ".join(missing))

    sections = set(args.sections.split(","))
    if "speed" in sections:
        report["speed_seconds_per_pass"] = speed_table(found, corpus, args.runs)
    if "agreement" in sections:
        report["agreement"] = agreement_table(found, corpus)
    if "pools" in sections:
        report["pools"] = pool_table(args.vault, corpus, args.workers, args.runs)
    if "semantics" in sections:
        names = [n for n in found if n not in NOT_LOADERS]
        table = semantics(names, args.timeout)
        rows = [["case", *names]] + [[case, *(table[case].get(n, "") for n in names)]
                                     for case in CASES]
        print("\n## Semantics\n\n" + _md(rows))
        report["semantics"] = table
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
