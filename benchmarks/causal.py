"""Causal graph at scale: build, queries and inference on a seeded synthetic war.

Run it from the repository root::

    .venv/bin/python benchmarks/causal.py                        # 1,000,000 events, 3,000,000 links
    .venv/bin/python benchmarks/causal.py --n 100000 --links 300000 --log-n 20000

What is generated (``--seed``, default 1): ``--n`` events a random 1 to 180 seconds apart (a
little under three years for a million), in valid-time order: Russian drone barrages and
missile strikes on Ukraine (with an overnight reporting window, minute precision), Ukrainian
strikes on Russia (one in five of day precision), statements (some naming a retaliation),
talks proposed and held, ceasefire demands, proposals, receipts and promised answers, prisoner
exchanges agreed and carried out. Then ``--links`` causal links, each from an event to a later
one a few dozen events on (the gap drawn from an exponential distribution), with a relation,
a confidence and one of five analysts: so every link goes forward in time, none closes a
cycle, and now and then two analysts link the same pair (one edge, two claims). Every event
and link is a real ``timeline`` event built through its validators, with its own id objects,
as a decoded log gives them. Generating them is not timed.

What is timed (wall time, with the process's CPU time beside it: on a shared machine the CPU
time shows better what the work itself costs):

- **build**: ``CausalGraph.from_events(events, check=False)`` over the decoded events (what
  ``causal_graph`` does after replay), ``--runs`` times (the first build in a fresh process
  also pays for faulting in its ~3 GB of memory), and with ``check=True`` (every link's time
  order and the graph's acyclicity checked again); peak memory as the growth of the
  process's peak RSS.
- **log build**: ``causal_graph(log)`` on an SQLite log of ``--log-n`` events and
  ``3 × --log-n`` links: replaying (reading and decoding every record) and building. The log
  is written first with the standard guards (the causality guard's cost per link is printed)
  or, above ``--guard-n`` records, without them.
- **queries**: ``why`` and ``consequences`` at depth 5 on ``--queries`` random events,
  p50 and p99.
- **inference**: candidate inference with a 48 h window, the issue's measure:
  ``propose([BarrageAfterStrike()], events)`` over the events and links (as a replayed log
  gives them; the rules skip the links), then over the events alone (the links left out before
  timing). Then the same for all six shipped rules (``default_rules()``, windows from 48 h to
  30 days), which has no target of its own. Each is run ``--runs`` times; the median is given.

Targets on the project's 2-core machine: build under 15 s, ``why`` p50 under 10 ms at
depth 5, inference with a 48 h window under 3 s. The script prints PASS or MISS beside each,
and the load average at start and end (other processes move the figures a lot).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import pendulum

import timeline as tl
from timeline.causal import BarrageAfterStrike, CausalGraph, causal_graph, default_rules, propose
from timeline.store import standard_guards

ANALYSTS = ("analyst-a", "analyst-b", "analyst-c", "analyst-d", "analyst-e")
RELATIONS = ("retaliation", "response", "prompted", "precondition", "outcome", "escalation")
UA, RU = "Ukraine", "Russia"


def _id(rnd: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rnd.getrandbits(128))


def make_event(rnd: random.Random, at: pendulum.DateTime, i: int) -> tl.Event:  # noqa: PLR0911  # one return per kind
    roll = rnd.random()
    eid = _id(rnd)
    if roll < 0.40:
        return tl.DroneBarrage(
            event_id=eid,
            occurred_at=at,
            occurred_until=at.add(hours=12),
            time_precision="minute",
            attacker=RU,
            target=UA,
            weapon="Shahed-136/131",
            launched=20 + i % 480,
            destroyed=(20 + i % 480) // 2,
            actors=[RU],
            claimed_by="Ukrainian Air Force",
        )
    if roll < 0.50:
        return tl.MissileStrike(
            event_id=eid,
            occurred_at=at,
            time_precision="minute",
            attacker=RU,
            target=UA,
            launched=1 + i % 40,
            actors=[RU],
        )
    if roll < 0.70:
        return tl.Strike(
            event_id=eid,
            occurred_at=at,
            time_precision="day" if rnd.random() < 0.2 else "minute",
            attacker=UA,
            target_party=RU,
            targets=["refinery"],
            actors=[UA],
        )
    if roll < 0.80:
        text = "In retaliation for the strike." if rnd.random() < 0.1 else "We call for calm."
        return tl.Statement(
            event_id=eid,
            occurred_at=at,
            speaker="spokesperson",
            party=rnd.choice((UA, RU)),
            text=text,
        )
    if roll < 0.83:
        return tl.CeasefireDemanded(
            event_id=eid,
            occurred_at=at,
            time_precision="day",
            party=UA,
            addressed_to=RU,
            actors=[UA],
        )
    if roll < 0.86:
        return tl.TalksProposed(
            event_id=eid,
            occurred_at=at,
            time_precision="day",
            proposed_by=RU,
            parties=[RU, UA],
            actors=[RU],
        )
    if roll < 0.89:
        return tl.TalkRoundHeld(
            event_id=eid, occurred_at=at, time_precision="day", parties=[UA, RU]
        )
    if roll < 0.91:
        return tl.ProposalTabled(
            event_id=eid, occurred_at=at, party=UA, to_party=RU, title="roadmap"
        )
    if roll < 0.93:
        return tl.DocumentReceived(event_id=eid, occurred_at=at, party=RU, from_party=UA)
    if roll < 0.95:
        return tl.ResponsePromised(event_id=eid, occurred_at=at, party=RU, to_party=UA)
    if roll < 0.97:
        return tl.PrisonerExchangeAgreed(
            event_id=eid, occurred_at=at, time_precision="day", released={UA: 100, RU: 100}
        )
    return tl.PrisonerExchangeCarriedOut(
        event_id=eid, occurred_at=at, time_precision="day", released={UA: 50, RU: 50}
    )


def generate(n: int, links: int, seed: int) -> tuple[list[tl.Event], int]:
    """Events and links in valid-time order (links right after their effects)."""
    rnd = random.Random(seed)
    at = pendulum.datetime(2022, 2, 24, 3)
    ids: list[int] = []
    out: list[tl.Event] = []
    per_event = links / n
    owed = 0.0
    made = 0
    for i in range(n):
        at = at.add(seconds=rnd.randrange(1, 181))
        event = make_event(rnd, at, i)
        ids.append(event.event_id.int)
        out.append(event)
        owed += per_event
        while owed >= 1 and i > 0:
            owed -= 1
            back = 1 + int(rnd.expovariate(1 / 40))
            cause = ids[max(0, i - back)]
            out.append(
                tl.CausalLink(
                    event_id=_id(rnd),
                    occurred_at=at,
                    cause=uuid.UUID(int=cause),
                    effect=uuid.UUID(int=ids[i]),
                    relation=rnd.choice(RELATIONS),
                    confidence=round(rnd.uniform(0.3, 1.0), 2),
                    asserted_by=rnd.choice(ANALYSTS),
                )
            )
            made += 1
    return out, made


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(action):
    """Run ``action()``; return its result, the wall time and the process's CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_build(events: list[tl.Event], runs: int) -> CausalGraph:
    gc.collect()
    before = rss_mb()
    graph, took, cpu = timed(lambda: CausalGraph.from_events(events, check=False))
    grown = rss_mb() - before
    print(
        f"build (from_events)       {took:8.2f} s   (CPU {cpu:.2f} s)   peak RSS +{grown:,.0f} MB   "
        f"{graph}   target < 15 s: {verdict(took < 15)}",
        flush=True,
    )
    print("    the first build in a fresh process also pays for faulting in its memory", flush=True)
    walls = []
    for _ in range(runs - 1):
        del graph
        gc.collect()
        graph, took, cpu = timed(lambda: CausalGraph.from_events(events, check=False))
        walls.append(took)
        print(
            f"build again               {took:8.2f} s   (CPU {cpu:.2f} s)   "
            f"target < 15 s: {verdict(took < 15)}",
            flush=True,
        )
    del graph
    gc.collect()
    graph, took, cpu = timed(lambda: CausalGraph.from_events(events, check=True))
    print(f"build, check=True         {took:8.2f} s   (CPU {cpu:.2f} s)", flush=True)
    return graph


def bench_queries(graph: CausalGraph, events: list[tl.Event], count: int, seed: int) -> None:
    rnd = random.Random(seed + 1)
    nodes = [e for e in events if not isinstance(e, tl.CausalLink)]
    picks = [rnd.choice(nodes) for _ in range(count)]
    for name in ("why", "consequences"):
        query = getattr(graph, name)
        times, sizes = [], []
        for event in picks:
            start = time.perf_counter()
            found = query(event, depth=5)
            times.append((time.perf_counter() - start) * 1000)
            sizes.append(len(found))
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        extra = f"   target p50 < 10 ms: {verdict(p50 < 10)}" if name == "why" else ""
        print(
            f"{name:<13} depth 5     p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   "
            f"({statistics.mean(sizes):,.0f} events found on average){extra}",
            flush=True,
        )


def bench_inference(events: list[tl.Event], runs: int) -> None:
    """The 48 h rule (the issue's measure), then all six rules; medians of ``runs`` runs."""
    world = [e for e in events if not isinstance(e, tl.CausalLink)]  # not timed

    def median_run(label: str, rules_of, given: list[tl.Event], target: float | None) -> None:
        walls, cpus = [], []
        for _ in range(runs):
            gc.collect()
            found, took, cpu = timed(lambda: propose(rules_of(), given))
            walls.append(took)
            cpus.append(cpu)
            count = len(found)
            del found
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        mark = "" if target is None else f"   target < {target:g} s: {verdict(wall < target)}"
        print(
            f"{label:34s} {wall:6.2f} s   (CPU {cpu:.2f} s; runs {', '.join(f'{w:.2f}' for w in walls)})"
            f"   {count:,} candidates{mark}",
            flush=True,
        )

    median_run("inference, 48 h window", lambda: [BarrageAfterStrike()], events, 3)
    median_run("    the same on the events alone", lambda: [BarrageAfterStrike()], world, 3)
    median_run("inference, all six rules", default_rules, events, None)
    median_run("    the same on the events alone", default_rules, world, None)
    found = propose(default_rules(), events)
    by_rule: dict[str, int] = {}
    for c in found:
        by_rule[c.rule] = by_rule.get(c.rule, 0) + 1
    print("    " + ", ".join(f"{rule} {n:,}" for rule, n in by_rule.items()), flush=True)


def bench_log(n: int, seed: int, guard_n: int, tmp: str | None) -> None:
    events, made = generate(n, 3 * n, seed)
    with tempfile.TemporaryDirectory(dir=tmp) as folder:
        path = Path(folder) / "causal.db"
        guarded = len(events) <= guard_n
        log = tl.SQLiteLog(path, guards=standard_guards() if guarded else (), synchronous="normal")
        start = time.perf_counter()
        for i in range(0, len(events), 10_000):
            log.append(events[i : i + 10_000], stream="war")
        took = time.perf_counter() - start
        how = "with the standard guards" if guarded else "without guards (above --guard-n)"
        print(
            f"log write                 {took:8.2f} s   {len(events):,} records {how}", flush=True
        )
        if guarded:
            bare = tl.SQLiteLog(Path(folder) / "bare.db", guards=(), synchronous="normal")
            start = time.perf_counter()
            for i in range(0, len(events), 10_000):
                bare.append(events[i : i + 10_000], stream="war")
            unguarded = time.perf_counter() - start
            bare.close()
            print(
                f"    the same without guards {unguarded:6.2f} s: the causality and correction "
                f"guards cost {(took - unguarded) / made * 1e6:,.1f} µs per link",
                flush=True,
            )
        log.close()
        del events
        gc.collect()
        log = tl.open_log(path)
        graph, took, cpu = timed(lambda: causal_graph(log))
        log.close()
        print(
            f"log build (causal_graph)  {took:8.2f} s   (CPU {cpu:.2f} s)   {graph}   "
            f"{(n + made) / took:,.0f} records/s replayed and built",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=3_000_000)
    parser.add_argument(
        "--log-n",
        type=int,
        default=1_000_000,
        help="events in the SQLite log (plus 3 links each); 0 skips it",
    )
    parser.add_argument(
        "--guard-n",
        type=int,
        default=400_000,
        help="write the log with the standard guards up to this many records",
    )
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="builds and inference runs")
    parser.add_argument(
        "--inference-only",
        action="store_true",
        help="skip the builds and the queries (and the log, with --log-n 0)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tmp", default=None, help="where the temporary SQLite file goes")
    args = parser.parse_args()

    print(f"load average at start: {os.getloadavg()}", flush=True)
    start = time.perf_counter()
    events, made = generate(args.n, args.links, args.seed)
    print(
        f"generated {args.n:,} events and {made:,} links in {time.perf_counter() - start:.0f} s "
        "(not timed below)",
        flush=True,
    )
    if not args.inference_only:
        graph = bench_build(events, args.runs)
        bench_queries(graph, events, args.queries, args.seed)
        del graph
        gc.collect()
    bench_inference(events, args.runs)
    del events
    gc.collect()
    if args.log_n:
        bench_log(args.log_n, args.seed, args.guard_n, args.tmp)
    print(f"load average at end: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
