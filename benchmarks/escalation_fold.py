"""Fold speed of the built-in ``Escalation`` projection over already-decoded drone barrages.

Run it from the repository root::

    .venv/bin/python benchmarks/escalation_fold.py              # N = 1,000,000, best of 5
    .venv/bin/python benchmarks/escalation_fold.py --n 100000 --runs 3

The events are realistic ``DroneBarrage`` reports (start and end of the reporting window,
minute precision, attacker, target, one of four weapons, launched / destroyed / lost with one
report in ten missing a figure, the claimant and one graded ``Source``), a report every half
hour in valid-time order, as a replay gives them. They are built before the clock starts:
the figure is ``Escalation().fold(initial, events)`` alone, including building the frozen
state at the end (the cached totals are not asked for). The collector runs as usual.

Wall-clock time suffers when other processes share the two cores; the CPU time of this
process is printed beside it, as the figure for a core of one's own.
"""

from __future__ import annotations

import argparse
import os
import time

import pendulum

from timeline.events import DroneBarrage, Source
from timeline.projections.escalation import Escalation

WEAPONS = ("Shahed-136/131", "Gerbera", "Unknown UAV", "Reconnaissance UAV")


def make_events(n: int) -> list[DroneBarrage]:
    source = Source(name="Ukrainian Air Force (kpszsu)", reliability="B", credibility=2)
    start = pendulum.datetime(2022, 9, 28, 18, 0)
    events = []
    for i in range(n):
        at = start.add(minutes=30 * i)
        launched = 20 + i % 480
        events.append(
            DroneBarrage(
                occurred_at=at,
                occurred_until=at.add(hours=14),
                time_precision="minute",
                attacker="Russia",
                target="Ukraine",
                weapon=WEAPONS[i % 4],
                launched=launched,
                destroyed=None if i % 10 == 0 else launched // 2,
                lost=launched // 4,
                actors=["Russia", "Ukraine"],
                claimed_by="Ukrainian Air Force",
                sources=[source],
            )
        )
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    events = make_events(args.n)
    projection = Escalation()
    times, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        state = projection.fold(projection.initial(), events)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if state.tallies.folded != args.n:
            raise SystemExit(f"folded {state.tallies.folded:,} events, not {args.n:,}")
        del state  # freeing it is not part of the next run's figure
    for label, values in (("wall", times), ("cpu", cpu)):
        best, median = min(values), sorted(values)[len(values) // 2]
        print(
            f"Escalation.fold over {args.n:,} DroneBarrage events, {label} time: "
            f"best {best:.3f} s ({args.n / best:,.0f} events/s), "
            f"median {median:.3f} s ({args.n / median:,.0f} events/s)"
        )
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
