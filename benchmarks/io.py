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
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

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
    args = parser.parse_args(argv)

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


if __name__ == "__main__":
    raise SystemExit(main())
