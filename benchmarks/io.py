"""Import and export throughput of ``timeline.io``, against the append floor of ``log.py``.

Run it from the repository root (the ``dev`` extra: pandas, pyarrow, eventsourcing)::

    .venv/bin/python benchmarks/io.py                  # N = 1,000,000 rows
    .venv/bin/python benchmarks/io.py --n 100000       # a quicker look

It writes a synthetic file of N rows in the shape of ``missile_attacks_daily.csv`` (to
``benchmarks/out/``, kept for the next run) and measures:

import
    ``timeline.io.import_file(log, "missile-attacks", path)`` into a fresh SQLite log
    (``open_log("….db")``: WAL, ``synchronous=FULL``), everything included: scanning the file
    (line count, UTF-8 check), CSV parsing, reading the Kyiv times into UTC, the counts, the
    weapon kinds, building and validating each ``DroneBarrage`` / ``MissileStrike`` with its
    stable id, and appending in chunks of 10,000. Once without a progress callback, once with
    the command line's progress bar (``timeline.cli._progress.ProgressBar``, drawing into a
    string, as on a terminal).
floor
    the like-for-like append floor: ``FloorLog`` of ``benchmarks/log.py`` (raw ``sqlite3`` +
    ``orjson``, the same schema, PRAGMAs, payload bytes and hash chain as ``SQLiteLog``, one
    transaction per call) appending *the same events* the import makes, in the same calls of
    10,000. The events are built before its clock starts: the floor neither reads the file
    nor builds an event.
export
    ``export_file(log, "parquet", …)`` and ``export_file(log, "jsonl", …)`` from the imported
    log (read back through a new connection; for Parquet that includes decoding every event
    and building the DataFrame).

Figures are rows (events) per second, the median of ``--runs`` runs, each on fresh temporary
files. The target is import (without the progress bar) ≥ 0.5x the floor.

``--suite gdelt`` and ``--suite acled`` (or ``all``) measure the large-file importers the same
way, each import and each floor in a process of its own, so that its peak RSS
(``ru_maxrss``) is its own: a synthetic GDELT 2.0 file of N rows (``_io_data.write_gdelt``)
imported whole and with ``countries=["UKR", "RUS"]`` (which keeps about 10% of the rows), and
an ACLED export of N rows in the current layout. Their floor is ``FloorLog`` appending the
same events in calls of 10,000, built chunk by chunk outside its clock (so that it holds one
chunk at a time), with a payload encoder written for any event type (``encode_any``: the
codec's bytes, checked on the first and last event of each type) instead of the drone
barrage's hand-written one. A filtered import is compared with the floor of the *whole*
file's events: both then go through every row of the file.
"""

from __future__ import annotations

import argparse
import csv
import enum
import gc
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime as dt_datetime
from pathlib import Path
from typing import Any, Final

import _io_data
import attrs
import orjson
from _common import load_average, load_log_benchmark

import timeline
from timeline.io.missile_attacks import COLUMNS, missile_attacks_source

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TARGET = 0.5
CHUNK = 10_000
STREAM = "missile-attacks"

DRONES = ("Shahed-136/131", "Reconnaissance UAV", "Молнія", "Orlan-10", "Lancet")
MISSILES = ("X-101/X-555", "Iskander-M/KN-23", "Kalibr", "X-59/X-69", "X-47 Kinzhal")
PLACES = (
    "Primorsko-Akhtarsk and Kursk oblast and Bryansk oblast",
    "Millerovo and Shatalovo",
    "Crimea",
    "Saratov oblast and Black Sea",
)


def generate(path: Path, n: int, seed: int = 20250601) -> None:
    """N rows in the data set's shape: windows of four models, every tenth date-only."""
    rng = random.Random(seed)
    start = 1_420_070_400  # 2015-01-01: a million rows of half-hourly windows end in 2029
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file, lineterminator="\n")
        out.writerow(COLUMNS)
        row = window = 0
        while row < n:
            window += 1
            minute = start // 60 + window * 30  # a window every half hour, as in log.py
            day = time.gmtime(minute * 60)
            date = time.strftime("%Y-%m-%d", day)
            south = window % 10 == 0  # Air Command South: date-only daily reports
            if south:
                t0 = t1 = date
                post = f"PvKPivden/posts/pfbid{window:012d}"
                models = rng.sample(DRONES, 3)
            else:
                t0 = time.strftime("%Y-%m-%d %H:%M", day)
                t1 = time.strftime("%Y-%m-%d %H:%M", time.gmtime(minute * 60 + 13 * 3600))
                post = f"kpszsu/posts/pfbid{window:012d}"
                models = [DRONES[0], *rng.sample(MISSILES, 3)]
            for model in models:
                if row >= n:
                    break
                launched = rng.randint(1, 480)
                destroyed = rng.randint(0, launched)
                lost = (
                    ""
                    if south or rng.random() < 0.3
                    else f"{rng.randint(0, launched - destroyed)}.0"
                )
                cells = dict.fromkeys(COLUMNS, "")
                cells.update(
                    time_start=t0,
                    time_end=t1,
                    model=model,
                    launch_place="" if south else rng.choice(PLACES),
                    target="south" if south else "Ukraine",
                    launched=f"{launched}.0",
                    destroyed=f"{destroyed}.0",
                    not_reach_goal=lost,
                    border_crossing="{}",
                    num_hit_location="" if rng.random() < 0.7 else f"{rng.randint(1, 20)}.0",
                    source=post,
                )
                out.writerow(cells.values())
                row += 1


def timed(work: Any) -> float:
    gc.collect()
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def progress_bar() -> Any:
    """The command line's progress bar, drawing into a string as it would on a terminal."""
    try:
        from timeline.cli._progress import ProgressBar  # noqa: PLC0415  # optional: the CLI's own bar

        return ProgressBar("rows", stream=io.StringIO(), enabled=True)
    except ImportError:
        drawn = io.StringIO()
        return lambda done, total: drawn.write(f"\r{done}/{total}")


def run_import(path: Path, folder: Path, *, progress: bool) -> tuple[float, int]:
    db = folder / f"import-{'bar' if progress else 'plain'}.db"
    log = timeline.open_log(str(db))
    callback = progress_bar() if progress else None
    result: dict[str, Any] = {}

    def work() -> None:
        result["report"] = timeline.io.import_file(log, "missile-attacks", path, progress=callback)

    seconds = timed(work)
    report = result["report"]
    if report.problems or report.added != report.rows:
        raise SystemExit(f"the import did not add every row: {report.summary()}")
    log.close()
    return seconds, report.rows


def build_events(path: Path) -> list[Any]:
    """The events the import makes, built with the importer's own row reader (not timed)."""
    events: list[Any] = []
    for row in missile_attacks_source(str(path)).rows():
        events.extend(row.events)
    return events


def run_floor(bench: Any, events: list[Any], folder: Path) -> float:
    floor = bench.FloorLog(str(folder / "floor.db"))
    batches = [events[i : i + CHUNK] for i in range(0, len(events), CHUNK)]

    def work() -> None:
        for batch in batches:
            floor.append(batch, stream=STREAM)

    seconds = timed(work)
    floor.close()
    return seconds


def run_export(folder: Path, fmt: str) -> float:
    log = timeline.open_log(str(folder / "import-plain.db"))
    target = folder / f"export.{fmt}"
    seconds = timed(lambda: timeline.io.export_file(log, fmt, target))
    log.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows in the synthetic file")
    parser.add_argument("--runs", type=int, default=1, help="runs; the median is reported")
    parser.add_argument("--tmp", default=None, help="folder for the temporary databases")
    parser.add_argument("--no-export", action="store_true", help="skip the exports")
    parser.add_argument(
        "--suite",
        choices=("missile", "gdelt", "acled", "all"),
        default="missile",
        help="which files: the missile file (default), GDELT 2.0, ACLED, or all three",
    )
    parser.add_argument(
        "--child", nargs=5, help=argparse.SUPPRESS
    )  # one measure, in its own process
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    if args.suite != "missile":
        suites = ("gdelt", "acled") if args.suite == "all" else (args.suite,)
        for suite in suites:
            run_suite(suite, args.n, args.runs, args.tmp)
        if args.suite != "all":
            return 0

    print(
        f"conflict-timeline {timeline.__dict__.get('__version__', '')}".strip(),
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}",
        flush=True,
    )
    print(f"load average at start: {load_average()}")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"missile_attacks_synthetic_{args.n}.csv"
    if not path.exists():
        print(f"writing {args.n:,} synthetic rows to {path} (not timed) ...", flush=True)
        generate(path, args.n)
    print(f"file: {path.stat().st_size / 1e6:.1f} MB", flush=True)
    bench = load_log_benchmark()
    print("building the same events for the floor (not timed) ...", flush=True)
    events = build_events(path)
    bench.check_floor_matches_codec([e for e in events if type(e) is timeline.DroneBarrage])
    results: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(dir=args.tmp) as name:
            folder = Path(name)
            plain, n = run_import(path, folder, progress=False)
            bar, _ = run_import(path, folder, progress=True)
            floor = run_floor(bench, events, folder)
            rates = {"import": n / plain, "import + bar": n / bar, "floor": n / floor}
            shown = ", ".join(f"{k} {v:,.0f}/s" for k, v in rates.items())
            print(f"run {run}: {shown}", flush=True)
            if not args.no_export:
                rates["export parquet"] = n / run_export(folder, "parquet")
                rates["export jsonl"] = n / run_export(folder, "jsonl")
            for key, value in rates.items():
                results.setdefault(key, []).append(value)
            shown = ", ".join(f"{k} {v:,.0f}/s" for k, v in rates.items() if "export" in k)
            print(f"run {run}: {shown}", flush=True)
    median = {k: statistics.median(v) for k, v in results.items()}
    print(f"\nload average at end: {load_average()}")
    print(f"median of {args.runs} run(s), N = {args.n:,} rows, rows (events) per second\n")
    print(f"{'operation':<34}{'rows/s':>12}  {'/ floor':<8}")
    print("-" * 56)
    for key, label in (
        ("import", "import into SQLite"),
        ("import + bar", "import into SQLite, progress bar"),
        ("floor", "append floor (same events)"),
        ("export parquet", "export to Parquet"),
        ("export jsonl", "export to JSONL"),
    ):
        if key in median:
            ratio = f"{median[key] / median['floor']:.3f}x" if key.startswith("import") else ""
            print(f"{label:<34}{median[key]:>12,.0f}  {ratio:<8}")
    ratio = median["import"] / median["floor"]
    print(
        f"\ntarget: import ≥ {TARGET}x the floor: {ratio:.3f}x {'PASS' if ratio >= TARGET else 'MISS'}"
    )
    return 0


# -- GDELT and ACLED: each measure in a process of its own -----------------------------------

FILTER: Final = {"countries": ["UKR", "RUS"]}


def encode_any(bench: Any) -> Any:
    """A floor payload encoder for any event type: its fields, plainly, sorted by orjson."""
    names: dict[type, tuple[str, ...]] = {}

    def plain(value: Any) -> Any:
        if value is None or type(value) in (str, int, float, bool):
            return value
        if isinstance(value, tuple):
            return [plain(v) for v in value]
        if isinstance(value, dt_datetime):
            return bench._iso(value)  # noqa: SLF001  # the floor's own instant writer
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, uuid.UUID):
            return str(value)
        cls = type(value)
        fields = names.get(cls)
        if fields is None:
            fields = names[cls] = tuple(a.name for a in attrs.fields(cls))
        return {name: plain(getattr(value, name)) for name in fields}

    def encode(e: Any, event_id: str, occurred_at: str) -> bytes:
        body = plain(e)
        body.update(event_id=event_id, occurred_at=occurred_at, type=e.TYPE, version=e.VERSION)
        if body.get("zone", "") is None:  # the codec stores a zone only where it is known
            del body["zone"]
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)

    return encode


def _source(fmt: str, path: str, options: dict[str, Any]) -> Any:
    if fmt == "gdelt":
        from timeline.io.gdelt import gdelt_source  # noqa: PLC0415  # only this suite's

        return gdelt_source(path, **options)
    from timeline.io.acled import acled_source  # noqa: PLC0415  # only this suite's

    return acled_source(path, **options)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def child(what: str, fmt: str, path: str, db: str, options_json: str) -> int:
    """One measure, printed as one JSON line: seconds, rows, events, peak RSS (MB)."""
    options = json.loads(options_json)
    if what == "import":
        log = timeline.open_log(db)
        began = time.perf_counter()
        report = timeline.io.import_file(log, fmt, path, **options)
        seconds = time.perf_counter() - began
        log.close()
        if report.problems:
            raise SystemExit(f"the import refused rows: {report.summary()}")
        out = {"seconds": seconds, "rows": report.rows, "events": report.added}
    else:
        bench = load_log_benchmark()
        bench.floor_encode = encode_any(bench)  # FloorLog.append calls it by name
        codec = timeline.Codec()
        floor = bench.FloorLog(db)
        seconds = 0.0
        events = rows = 0
        first: dict[type, Any] = {}
        last: dict[type, Any] = {}
        batch: list[Any] = []
        source = _source(fmt, path, options)

        def check(e: Any) -> None:
            payload = bench.floor_encode(e, str(e.event_id), bench._iso(e.occurred_at))  # noqa: SLF001
            if payload != codec.encode(e):
                raise SystemExit(f"the floor's payload of a {e.TYPE} differs from the codec's")

        def flush() -> float:
            began = time.perf_counter()
            floor.append(batch, stream=fmt)
            return time.perf_counter() - began

        for row in source.rows():
            rows += 1
            for e in row.events:
                if type(e) not in first:  # checked at once: a floor that differs is no floor
                    check(e)
                first.setdefault(type(e), e)
                last[type(e)] = e
                batch.append(e)
            if len(batch) >= CHUNK:
                seconds += flush()
                events += len(batch)
                batch = []
        if batch:
            seconds += flush()
            events += len(batch)
        floor.close()
        for e in last.values():
            check(e)
        out = {"seconds": seconds, "rows": rows, "events": events}
    out["peak_mb"] = _peak_mb()
    print(json.dumps(out), flush=True)
    return 0


def _measure(
    what: str, fmt: str, path: Path, folder: Path, options: dict[str, Any]
) -> dict[str, Any]:
    db = folder / f"{what}-{fmt}-{len(options)}.db"
    done = subprocess.run(  # noqa: S603  # this script, with its own arguments
        [sys.executable, __file__, "--child", what, fmt, str(path), str(db), json.dumps(options)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{what} {fmt} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_suite(suite: str, n: int, runs: int, tmp: str | None) -> None:
    """Import and floor, N rows of one data set: rows/s, peak RSS, ratio to the floor."""
    OUT.mkdir(exist_ok=True)
    suffix = "CSV" if suite == "gdelt" else "csv"
    path = OUT / f"{suite}_synthetic_{n}.{suffix}"
    if not path.exists():
        print(f"writing {n:,} synthetic {suite} rows to {path} (not timed) ...", flush=True)
        (_io_data.write_gdelt if suite == "gdelt" else _io_data.write_acled)(path, n)
    print(f"\n== {suite}: {path.name}, {path.stat().st_size / 1e6:.1f} MB", flush=True)
    print(f"load average at start: {load_average()}", flush=True)
    cases = {"import": ("import", {}), "floor": ("floor", {})}
    if suite == "gdelt":
        cases["import, filter"] = ("import", FILTER)
    found: dict[str, list[dict[str, Any]]] = {}
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory(dir=tmp) as name:
            for case, (what, options) in cases.items():
                got = _measure(what, suite, path, Path(name), options)
                found.setdefault(case, []).append(got)
                print(
                    f"run {run}: {case}: {got['rows'] / got['seconds']:,.0f} rows/s, "
                    f"{got['events']:,} events, peak RSS {got['peak_mb']:,.0f} MB",
                    flush=True,
                )
    print(f"load average at end: {load_average()}")
    print(f"median of {runs} run(s), N = {n:,} rows\n")
    print(f"{'operation':<26}{'rows/s':>10}{'events':>11}{'peak RSS':>10}  {'/ floor':<8}")
    print("-" * 68)
    floor_rate = statistics.median(g["rows"] / g["seconds"] for g in found["floor"])
    for case, got in found.items():
        rate = statistics.median(g["rows"] / g["seconds"] for g in got)
        peak = max(g["peak_mb"] for g in got)
        ratio = "" if case == "floor" else f"{rate / floor_rate:.3f}x"
        print(f"{case:<26}{rate:>10,.0f}{got[0]['events']:>11,}{peak:>8,.0f}MB  {ratio:<8}")
        if case != "floor":
            verdict = "PASS" if rate / floor_rate >= TARGET else "MISS"
            print(
                f"  target ≥ {TARGET}x the floor: {verdict}; RSS < 500 MB: "
                f"{'PASS' if peak < 500 else 'MISS'}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
