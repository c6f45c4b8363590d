"""The timeline chart at scale: the shared data sets (~3,000 events) and a synthetic war.

Run it from the repository root::

    .venv/bin/python benchmarks/plot.py                 # the shared data, then 100,000 events
    .venv/bin/python benchmarks/plot.py --n 20000 --runs 1

What is timed (wall time, with the process's CPU time beside it), for each log:

- **chart**: ``timeline_chart(log)``: the replay (corrections applied, retractions left
  out), the causal graph, the layout and every artist;
- **png**: ``figure.savefig`` to a PNG at 100 dpi (matplotlib's drawing);

and the figure's x limits against the data's range, and its count of artists.

The shared data log is what ``timeline import`` makes of ``../shared/data`` (the Istanbul
example, the missile and drone attacks of May-June 2025, the Russian losses with the
revision history of their equipment file): skipped, with a note, where it is absent. The
synthetic log (``--n`` events, ``--seed``) spreads barrages, missile strikes, statements,
loss reports with a correction for one in twenty, and a few talk rounds over two years, in
three lanes. Building it is not timed.

Targets (issue 17): under 5 s for the shared data and under 30 s for 100,000 events.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import pendulum

mpl.use("Agg")

import timeline as tl  # after the backend is chosen
from timeline.plot import timeline_chart

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"
NOW = tl.instant("2027-01-01T00:00:00+00:00")


def shared_log() -> tl.EventLog | None:
    """The Istanbul example and the shared data sets, imported into a memory log."""
    missiles = SHARED / "missile-attacks" / "missile_attacks_daily_2025-05_2025-06.csv"
    losses = SHARED / "ru-losses"
    if not (missiles.exists() and losses.exists()):
        print(f"(the shared data is not at {SHARED}: that log is skipped)")
        return None
    spec = importlib.util.spec_from_file_location(
        "istanbul_2025", HERE.parent / "examples" / "istanbul_2025.py"
    )
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load examples/istanbul_2025.py")
    example = importlib.util.module_from_spec(spec)
    sys.modules["istanbul_2025"] = example
    spec.loader.exec_module(example)
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    example.record(log)
    tl.io.import_file(log, "missile-attacks", missiles)
    tl.io.import_file(log, "ru-losses", losses / "revisions.jsonl.gz")
    tl.io.import_file(log, "ru-losses", losses)
    return log


def synthetic_log(n: int, seed: int) -> tl.EventLog:
    """``n`` events over two years (see the module), with corrections of some tallies."""
    rng = random.Random(seed)
    start = pendulum.datetime(2024, 1, 1)
    step = 2 * 365 * 86400 / n
    events: list[tl.Event] = []
    corrections: list[tl.Event] = []
    for i in range(n):
        at = start.add(seconds=int(i * step))
        roll = rng.random()
        if roll < 0.4:  # the mix of kinds
            launched = rng.randint(5, 500)
            events.append(
                tl.DroneBarrage(
                    occurred_at=at,
                    occurred_until=at.add(hours=rng.randint(6, 16)),
                    attacker="Russia",
                    target="Ukraine",
                    weapon="Shahed-136/131",
                    launched=launched,
                    destroyed=rng.randint(0, launched),
                )
            )
        elif roll < 0.5:
            events.append(
                tl.MissileStrike(
                    occurred_at=at, attacker="Russia", target="Ukraine", launched=rng.randint(1, 60)
                )
            )
        elif roll < 0.7:
            events.append(tl.Statement(occurred_at=at, speaker="Ukraine", text=f"statement {i}"))
        elif roll < 0.995:
            report = tl.LossReport(
                occurred_at=at,
                party="Russia",
                personnel=rng.randint(1, 2000),
                equipment={"tank": rng.randint(0, 20), "aircraft": rng.randint(0, 3)},
            )
            events.append(report)
            if rng.random() < 0.05:  # one tally in twenty corrected
                corrections.append(
                    tl.Correction(
                        occurred_at=at.add(days=1),
                        corrects=report.event_id,
                        changes={"personnel": report.personnel + 10},
                        reason="revised",
                    )
                )
        else:
            events.append(
                tl.TalkRoundHeld(
                    occurred_at=at, time_precision="day", parties=["Ukraine", "Russia"]
                )
            )
    log = tl.open_log("memory:", clock=tl.FixedClock(NOW))
    for i in range(0, len(events), 10_000):
        log.append(events[i : i + 10_000], stream="war")
    log.append(corrections[:n], stream="fixes")
    return log


def measure(name: str, log: tl.EventLog, runs: int) -> None:
    walls, cpus, saves = [], [], []
    figure = None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        figure = timeline_chart(log)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        with tempfile.TemporaryDirectory() as folder:
            wall = time.perf_counter()
            figure.savefig(Path(folder) / "chart.png", dpi=100)
            saves.append(time.perf_counter() - wall)
    assert figure is not None  # noqa: S101  # runs >= 1
    ax = figure.axes[0]
    low, high = (mdates.num2date(x) for x in ax.get_xlim())
    artists = len(ax.get_children())
    print(
        f"{name:<28} {len(log):>8,} records  chart {statistics.median(walls):6.2f} s "
        f"(cpu {statistics.median(cpus):6.2f})  png {statistics.median(saves):5.2f} s  "
        f"x {low:%Y-%m-%d} to {high:%Y-%m-%d}  {artists} artists"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic events")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="median of this many")
    args = parser.parse_args()
    log = shared_log()
    if log is not None:
        measure("shared data + Istanbul", log, args.runs)
    measure(f"synthetic, --n {args.n:,}", synthetic_log(args.n, args.seed), args.runs)


if __name__ == "__main__":
    main()
