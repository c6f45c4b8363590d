"""Replay speed: Escalation over a million-event SQLite log, against the floor and eventsourcing.

Run it from the repository root (the ``dev`` extra installs eventsourcing)::

    .venv/bin/python benchmarks/replay.py              # N = 1,000,000, median of 3 runs
    .venv/bin/python benchmarks/replay.py --n 100000   # a quicker look

The log
    A seeded generator writes N records of ~2 years of air-war reporting (at N = 1,000,000;
    smaller N covers fewer days at the same density, about 1,370 records a day):
    ``DroneBarrage`` (9 in 10) and ``MissileStrike`` reports, each for one reporting window
    of one claimant (the Ukrainian Air Force's night and day windows, eight regional
    military administrations' night and day windows, the Russian Ministry of Defence's
    night window), one region (``Location``), one weapon; launched / destroyed / lost (one
    figure in twenty unknown), actors, the claimant and one graded ``Source``. Reports are
    recorded (back-filled ``recorded_at``) a few hours after their window ends, 1 in 100 a
    day or more late (a *late arrival*: recorded after reports about later windows); 1 in
    2,000 is corrected a day or more later (a figure, or its time) and 1 in 10,000
    retracted. Records are appended in recorded order in batches of 10,000 through
    ``timeline.open_log`` (``SQLiteLog``, standard guards). The file is cached under
    ``benchmarks/out/`` keyed by N and the seed, so later runs start at once.

What is measured (each in a fresh process, so the builder's memory never counts)
    full replay
        ``replay(log, Escalation())``: read the meta events, read the log in valid-time
        order on the (occurred_at, position) index, decode (the log's own records, through
        the codec's ``TrustedDecoder``: converted, not validated again; see
        ``docs/decisions.md``), resolve corrections and retractions, fold. Events per second is records in the log / seconds. Peak RSS is
        the process's ``VmHWM`` after it (interpreter and imports included).
    read + decode floor
        ``benchmarks/log.py``'s floor read, replicated here with builders for every type
        in this log: raw ``sqlite3`` keyset pages by position, ``orjson.loads``, each event
        built by its constructor (validators run) and its ``Recorded``. No sorting, no
        resolution, no fold: what reading the file costs at the least with validation
        (the full replay skips it, so it can beat this floor).
    fold alone
        ``Escalation().fold(initial, events)`` over the events of ``replay_events(log)``,
        decoded into a list before the clock starts.
    as_of replay with a snapshot
        ``replay(log, Escalation(), as_of=cut, snapshots=snapshot_store(log))`` where the
        store holds a snapshot taken an hour before ``cut`` (at the head of the log); ``cut``
        is the start of a night window on the last full day. *Cold* is the first call in a
        fresh process (the state read from the database); *warm* is the next call (the
        store keeps the last states read). The stored tallies' columns are read when first
        asked for, so two more figures show what the cold call leaves for later: the first
        answer asked of its state (``largest_drone_window``, which reads most columns and
        every event's row), and reading every column of a state just loaded.
        The answer is checked against a full ``replay(log, Escalation(), as_of=cut)``.
    eventsourcing
        The same reports as ``Aggregate.Event``s (the same fields; sources with a
        registered ``Transcoding``) of one aggregate, ``EscalationRecord``, whose ``apply``
        keeps the same tallies (per window, claimant, kind, attacker, weapon: figures summed,
        unknowns counted, event ids kept), saved in batches of 10,000 to
        ``eventsourcing.sqlite`` (cached too). Timed: ``app.repository.get(id)``, which
        selects the aggregate's events, maps each (stdlib json, transcodings) and applies
        it. It does less than ours: no corrections or retractions to resolve (it stores
        only the reports), recorded order (no valid-time sort), no validation on the way out.

Figures are medians of ``--runs`` runs, each measurement in a fresh process. Each is given
twice: by wall-clock time, and by the process's own CPU time (``time.process_time``), which
is what the figure would be on a core of its own when other work shares the machine. The
table marks each target PASS or MISS on both. Targets (this 2-core machine): full replay
≥ 0.6× the floor and ≥ 2× eventsourcing, peak RSS < 300 MB; the fold alone ≥ 1,000,000
events/s; as_of replay with a snapshot < 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import heapq
import importlib.util
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import orjson
import pendulum
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from pendulum import DateTime

import timeline as tl
from timeline import Correction, DroneBarrage, Location, MissileStrike, Recorded, Retraction, Source
from timeline.projections import SQLiteSnapshotStore, replay_events, snapshot_store, take_snapshot
from timeline.time import isoformat

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from eventsourcing.persistence import JSONTranscoder

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PER_DAY = 1_370  # records a day: a million over two years
BATCH = 10_000
START = pendulum.datetime(2023, 6, 1)
STREAM = "air/reports"

TARGETS = {"floor": 0.6, "es": 2.0, "rss_mb": 300.0, "fold": 1_000_000.0, "as_of_ms": 100.0}

# -- the generator -----------------------------------------------------------------------------

AIR_FORCE = "Ukrainian Air Force"
MOD = "Ministry of Defence of Russia"
REGIONS = (
    "Kharkiv",
    "Sumy",
    "Chernihiv",
    "Kyiv",
    "Odesa",
    "Dnipropetrovsk",
    "Zaporizhzhia",
    "Mykolaiv",
    "Poltava",
    "Kherson",
    "Lviv",
    "Khmelnytskyi",
)
ADMINISTRATIONS = tuple(f"{r} Regional Military Administration" for r in REGIONS[:8])
RUSSIAN_REGIONS = ("Belgorod", "Kursk", "Bryansk", "Rostov", "Voronezh", "Krasnodar", "Moscow")
DRONES = ("Shahed-136/131", "Gerbera decoys", "Geran-2", "unidentified UAV")
MISSILES = ("Kh-101/Kh-555", "Iskander-M/KN-23", "Kalibr", "Kh-59/69")
UA_DRONES = ("fixed-wing UAV", "Liutyi")


def _figures(rng: random.Random) -> dict[str, Any]:
    launched = rng.randint(1, 60)
    destroyed = rng.randint(0, launched)
    lost = rng.randint(0, launched - destroyed)
    figures: dict[str, Any] = {"launched": launched, "destroyed": destroyed, "lost": lost}
    if rng.random() < 0.05:  # one figure in twenty unknown
        figures[rng.choice(("launched", "destroyed", "lost"))] = None
    return figures


def _windows(rng: random.Random, day: DateTime) -> list[tuple[DateTime, DateTime, str, float]]:
    """The day's reporting windows: (start, end, claimant, share of the day's reports)."""
    night = day.add(hours=15, minutes=30 * rng.randrange(10))
    windows = [
        (night, day.add(days=1, hours=5, minutes=30), AIR_FORCE, 0.22),
        (day.add(hours=5, minutes=30), day.add(hours=15), AIR_FORCE, 0.07),
        (day.add(hours=17, minutes=rng.randrange(240)), day.add(days=1, hours=4), MOD, 0.15),
    ]
    for name in ADMINISTRATIONS:
        start = day.add(hours=16, minutes=rng.randrange(360))
        windows.append((start, day.add(days=1, hours=6), name, 0.055))
        windows.append((day.add(hours=6, minutes=rng.randrange(180)), start, name, 0.015))
    return windows


def _report(
    rng: random.Random, serial: int, window: tuple[DateTime, DateTime, str, float]
) -> DroneBarrage | MissileStrike:
    start, end, claimant, _ = window
    russian = claimant == MOD
    missile = not russian and rng.random() < 0.1  # one report in ten
    cls = MissileStrike if missile else DroneBarrage
    if russian:
        region, country, weapon = rng.choice(RUSSIAN_REGIONS), "Russia", rng.choice(UA_DRONES)
        attacker, target = "Ukraine", "Russia"
    else:
        region, country = rng.choice(REGIONS), "Ukraine"
        weapon = rng.choice(MISSILES if missile else DRONES)
        attacker, target = "Russia", "Ukraine"
    return cls(
        occurred_at=start,
        occurred_until=end,
        time_precision="minute",
        attacker=attacker,
        target=target,
        weapon=weapon,
        **_figures(rng),
        location=Location(name=f"{region} oblast", admin1=region, country=country),
        actors=("Russian Armed Forces", "Armed Forces of Ukraine"),
        claimed_by=claimant,
        sources=(
            Source(
                name=claimant,
                url=f"https://t.me/reports/{serial}",
                published_at=end.add(minutes=20),
                reliability="B",
                credibility=2,
            ),
        ),
    )


def _correction(rng: random.Random, report: DroneBarrage | MissileStrike) -> Correction:
    if rng.random() < 0.7 and report.launched is not None:  # mostly figures
        changes: dict[str, Any] = {"launched": report.launched + rng.randint(1, 9)}
        reason = "revised figure"
    else:
        changes = {"occurred_at": isoformat(report.occurred_at.add(minutes=30))}
        reason = "revised start of the window"
    return Correction(
        occurred_at=report.occurred_at,
        corrects=report.event_id,
        changes=changes,
        reason=reason,
        claimed_by=report.claimed_by,
    )


def generate(n: int, seed: int) -> Iterator[tuple[DateTime, tl.Event]]:
    """``n`` records ``(recorded_at, event)`` in recorded order (see the module)."""
    rng = random.Random(seed)
    pending: list[tuple[DateTime, int, tl.Event]] = []  # recorded_at, serial, event
    serial = made = 0
    day = START
    while made < n:
        windows = _windows(rng, day)
        weights = [w[3] for w in windows]
        for window in rng.choices(windows, weights, k=PER_DAY):
            report = _report(rng, serial, window)
            delay = dt.timedelta(minutes=rng.randrange(20, 360))
            if rng.random() < 0.01:  # late arrivals
                delay += dt.timedelta(days=rng.randint(1, 5))
            recorded = window[1] + delay
            heapq.heappush(pending, (recorded, serial, report))
            serial += 1
            draw = rng.random()
            if draw < 0.0005:  # corrected later
                later = recorded + dt.timedelta(days=rng.randint(1, 4))
                heapq.heappush(pending, (later, serial, _correction(rng, report)))
                serial += 1
            elif draw < 0.0006:  # retracted later
                gone = Retraction(
                    occurred_at=report.occurred_at, retracts=report.event_id, reason="duplicate"
                )
                heapq.heappush(pending, (recorded + dt.timedelta(days=2), serial, gone))
                serial += 1
        day = day.add(days=1)
        while pending and pending[0][0] < day and made < n:
            recorded, _, event = heapq.heappop(pending)
            yield recorded, event
            made += 1
    while pending and made < n:  # pragma: no cover  # the loop above always reaches n
        recorded, _, event = heapq.heappop(pending)
        yield recorded, event
        made += 1


def build_log(path: Path, n: int, seed: int) -> dict[str, Any]:
    """Write the log; return what the measurements need to know about it."""
    partial = path.with_name(path.stem + ".partial.db")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    with tl.open_log(partial) as log:
        batch: list[tl.Event] = []
        last = None
        kinds: dict[str, int] = {}
        last_occurred = None
        for recorded, event in generate(n, seed):
            batch.append(event)
            last = recorded
            kinds[event.TYPE] = kinds.get(event.TYPE, 0) + 1
            if last_occurred is None or event.occurred_at > last_occurred:
                last_occurred = event.occurred_at
            if len(batch) == BATCH:
                log.append(batch, stream=STREAM, recorded_at=last)
                batch = []
                print(f"  {len(log):>9,} records", end="\r", flush=True)
        if batch:
            log.append(batch, stream=STREAM, recorded_at=last)
        assert len(log) == n  # noqa: S101  # the generator's promise
    partial.rename(path)
    meta = {
        "n": n,
        "seed": seed,
        "kinds": kinds,
        "last_occurred": isoformat(last_occurred) if last_occurred else None,
        "build_seconds": time.perf_counter() - started,
    }
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    print(f"  built {n:,} records in {meta['build_seconds']:.0f} s" + " " * 20)
    return meta


def the_cut(path: Path) -> DateTime:
    """The start of the Air Force's night window on the last full day of reporting."""
    with tl.open_log(path) as log:
        last = max(r.event.occurred_at for r in log.read(after=max(0, len(log) - 2000)))
        day = last.start_of("day").subtract(days=2)
        starts = [
            r.event.occurred_at
            for r in log.read(order="occurred", occurred_after=day, occurred_by=day.add(days=1))
            if r.event.claimed_by == AIR_FORCE
            and r.event.occurred_at.hour >= 15  # the night window
        ]
    return min(starts)


# -- the floor -----------------------------------------------------------------------------------


def _load_log_benchmark() -> Any:
    spec = importlib.util.spec_from_file_location("benchmark_log", HERE / "log.py")
    assert spec is not None  # noqa: S101  # the file is beside this one
    assert spec.loader is not None  # noqa: S101  # same
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmark_log"] = module
    spec.loader.exec_module(module)
    return module


def _instant_or_none(text: str | None) -> DateTime | None:
    return None if text is None else DateTime.fromisoformat(text)


def _meta_fields(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": uuid.UUID(d["event_id"]),
        "occurred_at": DateTime.fromisoformat(d["occurred_at"]),
        "occurred_until": _instant_or_none(d["occurred_until"]),
        "time_precision": tl.TimePrecision(d["time_precision"]),
        "actors": tuple(d["actors"]),
        "location": None,
        "sources": (),
        "claimed_by": d["claimed_by"],
        "tags": tuple(d["tags"]),
        "summary": d["summary"],
    }


def floor_build_correction(d: dict[str, Any]) -> Correction:
    return Correction(
        **_meta_fields(d),
        corrects=uuid.UUID(d["corrects"]),
        changes=d["changes"],
        reason=d["reason"],
    )


def floor_build_retraction(d: dict[str, Any]) -> Retraction:
    return Retraction(**_meta_fields(d), retracts=uuid.UUID(d["retracts"]), reason=d["reason"])


def floor_builders(bench: Any) -> dict[tuple[str, int], Callable[[dict[str, Any]], tl.Event]]:
    return {
        **bench.FLOOR_BUILDERS,
        (MissileStrike.TYPE, MissileStrike.VERSION): functools.partial(
            bench.floor_build_attack, MissileStrike
        ),
        (Correction.TYPE, Correction.VERSION): floor_build_correction,
        (Retraction.TYPE, Retraction.VERSION): floor_build_retraction,
    }


def floor_read(path: Path, bench: Any) -> Iterator[Recorded]:
    """``benchmarks/log.py``'s ``FloorLog.read``, with a builder for each type here."""
    db = sqlite3.connect(str(path), isolation_level=None)
    loads = orjson.loads
    builders = floor_builders(bench)
    from_iso = DateTime.fromisoformat
    after = 0
    try:
        while True:
            rows = db.execute(bench.FLOOR_SELECT, (after,)).fetchall()
            for position, stream, version, recorded_at, payload, hash_ in rows:
                d = loads(payload)
                event = builders[d["type"], d["version"]](d)
                yield Recorded(position, stream, version, from_iso(recorded_at), event, hash_)
            if len(rows) < bench.FLOOR_PAGE:
                return
            after = rows[-1][0]
    finally:
        db.close()


def check_floor(path: Path, bench: Any) -> None:
    """The floor must build events equal to the codec's, or it is no floor."""
    with tl.open_log(path) as log:
        ours = {r.position: r for r in log.read(after=len(log) - 2000)}
        metas = list(log.read(types=[Correction, Retraction]))[:20]
    seen = set()
    for record in floor_read(path, bench):
        if record.position in ours or record.position in {m.position for m in metas}:
            expected = ours.get(record.position) or next(
                m for m in metas if m.position == record.position
            )
            if record != expected:
                raise SystemExit(f"the floor reads position {record.position} differently")
            seen.add(record.event.TYPE)
    print(f"  floor checked against the codec for {sorted(seen)}")


# -- eventsourcing -------------------------------------------------------------------------------


class EscalationRecord(Aggregate):
    """The eventsourcing counterpart of Escalation's tallies, in one aggregate."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[Any, ...], list[Any]] = {}
        self.event_ids: list[uuid.UUID] = []

    class Reported(Aggregate.Event):
        """A drone or missile report, with every field of ``timeline.DroneBarrage``."""

        event_id: uuid.UUID
        kind: str
        occurred_at: dt.datetime
        occurred_until: dt.datetime | None
        time_precision: str
        actors: tuple[str, ...]
        location: dict[str, Any] | None
        sources: tuple[Any, ...]
        claimed_by: str | None
        tags: tuple[str, ...]
        summary: str | None
        attacker: str | None
        target: str | None
        weapon: str | None
        launched: int | None
        destroyed: int | None
        lost: int | None
        still_attacking: int | None
        hit_locations: int | None
        debris_locations: int | None
        launch_sites: tuple[str, ...]
        carrier: str | None

        def apply(self, aggregate: EscalationRecord) -> None:
            claimant = self.claimed_by
            if claimant is None and self.sources:
                claimant = self.sources[0].name
            key = (
                self.occurred_at,
                self.occurred_until,
                claimant,
                self.kind,
                self.attacker,
                self.weapon,
            )
            tally = aggregate.tallies.get(key)
            if tally is None:
                tally = aggregate.tallies[key] = [None, None, None, 0, 0, 0, 0]
            for i, figure in enumerate((self.launched, self.destroyed, self.lost)):
                if figure is None:
                    tally[3 + i] += 1
                else:
                    tally[i] = figure if tally[i] is None else tally[i] + figure
            tally[6] += 1
            aggregate.event_ids.append(self.event_id)


class ESApp(Application[uuid.UUID]):
    """eventsourcing on its SQLite persistence module, with the source transcoding."""

    def __init__(self, path: Path, bench: Any) -> None:
        self.bench = bench
        super().__init__({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(self.bench.ESSourceAsDict())


def _stdlib(value: DateTime | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(isoformat(value))


def es_fields(event: DroneBarrage | MissileStrike, bench: Any) -> dict[str, Any]:
    location = event.location
    return {
        "event_id": event.event_id,
        "kind": "missile" if isinstance(event, MissileStrike) else "drone",
        "occurred_at": _stdlib(event.occurred_at),
        "occurred_until": _stdlib(event.occurred_until),
        "time_precision": event.time_precision.value,
        "actors": event.actors,
        "location": None
        if location is None
        else {"name": location.name, "admin1": location.admin1, "country": location.country},
        "sources": tuple(
            bench.ESSource(
                name=s.name,
                url=s.url,
                published_at=_stdlib(s.published_at),
                reliability=s.reliability,
                credibility=s.credibility,
            )
            for s in event.sources
        ),
        "claimed_by": event.claimed_by,
        "tags": event.tags,
        "summary": event.summary,
        "attacker": event.attacker,
        "target": event.target,
        "weapon": event.weapon,
        "launched": event.launched,
        "destroyed": event.destroyed,
        "lost": event.lost,
        "still_attacking": event.still_attacking,
        "hit_locations": event.hit_locations,
        "debris_locations": event.debris_locations,
        "launch_sites": event.launch_sites,
        "carrier": event.carrier,
    }


def build_es(path: Path, n: int, seed: int, bench: Any) -> dict[str, Any]:
    partial = path.with_name(path.stem + ".partial.db")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    app = ESApp(partial, bench)
    record = EscalationRecord()
    reports = 0
    for _, event in generate(n, seed):
        if isinstance(event, (DroneBarrage, MissileStrike)):
            record.trigger_event(EscalationRecord.Reported, **es_fields(event, bench))
            reports += 1
            if reports % BATCH == 0:
                app.save(record)
                print(f"  {reports:>9,} events", end="\r", flush=True)
    app.save(record)
    app.close()
    partial.rename(path)
    meta = {"id": str(record.id), "events": reports, "seconds": time.perf_counter() - started}
    path.with_suffix(".json").write_text(json.dumps(meta))
    print(f"  built {reports:,} eventsourcing events in {meta['seconds']:.0f} s" + " " * 20)
    return meta


# -- the workers (each run in a fresh process) -----------------------------------------------------


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def work_full(path: Path) -> dict[str, Any]:
    with tl.open_log(path) as log:
        n = len(log)
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        state = tl.replay(log, tl.Escalation())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "n": n,
        "folded": state.tallies.folded,
        "rows": len(state.tallies),
        "rss_mb": peak_rss_mb(),
    }


def work_floor(path: Path) -> dict[str, Any]:
    bench = _load_log_benchmark()
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    n = sum(1 for _ in floor_read(path, bench))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "n": n, "rss_mb": peak_rss_mb()}


def work_fold(path: Path) -> dict[str, Any]:
    with tl.open_log(path) as log:
        events = list(replay_events(log))
    projection = tl.Escalation()
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    state = projection.fold(projection.initial(), events)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu": cpu, "n": len(events), "folded": state.tallies.folded}


def work_prepare(path: Path, cut: DateTime) -> dict[str, Any]:
    """Take the snapshot an hour before the cut, unless the file holds it already."""
    as_of = cut.subtract(hours=1)
    with tl.open_log(path) as log:
        store = snapshot_store(log)
        held = [s for s in store.list("escalation", tl.Escalation.version) if s.as_of == as_of]
        if held and held[-1].position == len(log):
            return {"taken": False, "seconds": 0.0}
        started = time.perf_counter()
        take_snapshot(log, tl.Escalation(), as_of=as_of, store=store)
        return {"taken": True, "seconds": time.perf_counter() - started}


def work_as_of(path: Path, cut: DateTime, *, verify: bool) -> dict[str, Any]:
    with tl.open_log(path) as log:
        store = snapshot_store(log)
        projection = tl.Escalation()
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        state = tl.replay(log, projection, as_of=cut, snapshots=store)
        cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu
        cpu = time.process_time()
        largest = state.largest_drone_window
        answer_cpu = time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        again = tl.replay(log, projection, as_of=cut, snapshots=store)
        warm, warm_cpu = time.perf_counter() - started, time.process_time() - cpu
        # Where the cold call's time goes: reading the stored state (columns left unread);
        # and what reading every column of it costs, when a question needs them all.
        snapshot = max(
            (
                s
                for s in store.list("escalation", projection.version)
                if s.as_of == cut.subtract(hours=1)
            ),
            key=lambda s: s.position,
        )
        fresh = SQLiteSnapshotStore(log, cache=0)  # type: ignore[arg-type]  # an SQLiteLog
        started = time.perf_counter()
        base = fresh.load(snapshot, type(projection.initial()))
        load = time.perf_counter() - started
        cpu = time.process_time()
        columns = attrs.astuple(base.tallies, recurse=False, filter=lambda a, _: a.init)
        columns_cpu = time.process_time() - cpu
        tail = state.tallies.folded - base.tallies.folded
        result = {
            "cold_ms": cold * 1000,
            "cold_cpu_ms": cold_cpu * 1000,
            "warm_ms": warm * 1000,
            "warm_cpu_ms": warm_cpu * 1000,
            "load_ms": load * 1000,
            "first_answer_cpu_ms": answer_cpu * 1000,
            "all_columns_cpu_ms": columns_cpu * 1000,
            "columns": len(columns),
            "largest": None if largest is None else largest.launched,
            "tail": tail,
            "folded": state.tallies.folded,
            "same_twice": again == state,
        }
        if verify:
            result["equals_full_replay"] = tl.replay(log, projection, as_of=cut) == state
    return result


def work_es(path: Path, meta: dict[str, Any]) -> dict[str, Any]:
    bench = _load_log_benchmark()
    app = ESApp(path, bench)
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    record: EscalationRecord = app.repository.get(uuid.UUID(meta["id"]))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    result = {
        "seconds": seconds,
        "cpu": cpu,
        "n": len(record.event_ids),
        "rows": len(record.tallies),
        "rss_mb": peak_rss_mb(),
    }
    app.close()
    return result


def worker(task: str, path: Path, extra: dict[str, Any]) -> dict[str, Any]:
    if task == "full":
        return work_full(path)
    if task == "floor":
        return work_floor(path)
    if task == "fold":
        return work_fold(path)
    if task == "prepare":
        return work_prepare(path, tl.instant(extra["cut"]))
    if task == "as_of":
        return work_as_of(path, tl.instant(extra["cut"]), verify=extra["verify"])
    if task == "es":
        return work_es(path, extra)
    raise SystemExit(f"unknown task {task!r}")


def in_subprocess(task: str, path: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", task, "--path", str(path)]
    command += ["--extra", json.dumps(extra or {})]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # this script, by this interpreter
    if done.returncode != 0:
        raise SystemExit(f"worker {task} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the report ----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:  # one report, read top to bottom
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records in the log")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--no-es", action="store_true", help="skip eventsourcing")
    parser.add_argument("--out", type=Path, default=OUT, help="where the cached files go")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.path, json.loads(args.extra))))
        return 0

    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"replay-{args.n}-{args.seed}.db"
    if not path.exists():
        print(f"building the log ({args.n:,} records, seed {args.seed}) ...", flush=True)
        build_log(path, args.n, args.seed)
    meta = json.loads(path.with_suffix(".json").read_text())
    print(f"log: {path} ({path.stat().st_size / 2**20:,.0f} MiB), records by type: {meta['kinds']}")
    bench = _load_log_benchmark()
    check_floor(path, bench)
    cut = the_cut(path)
    print(f"as_of cut: {cut.isoformat()}; snapshot at {cut.subtract(hours=1).isoformat()}")
    prepared = in_subprocess("prepare", path, {"cut": cut.isoformat()})
    if prepared["taken"]:
        print(f"  snapshot taken in {prepared['seconds']:.1f} s (stored in the log's database)")

    es_meta = None
    if not args.no_es:
        es_path = args.out / f"eventsourcing-{args.n}-{args.seed}.db"
        if not es_path.exists():
            print("building the eventsourcing store ...", flush=True)
            build_es(es_path, args.n, args.seed, bench)
        es_meta = json.loads(es_path.with_suffix(".json").read_text())

    results: dict[str, list[dict[str, Any]]] = {}
    for run in range(1, args.runs + 1):
        tasks: list[tuple[str, dict[str, Any] | None]] = [
            ("full", None),
            ("floor", None),
            ("fold", None),
            ("as_of", {"cut": cut.isoformat(), "verify": run == 1}),
        ]
        if es_meta is not None:
            tasks.append(("es", es_meta))
        for task, extra in tasks:
            target = es_path if task == "es" else path
            result = in_subprocess(task, target, extra)
            results.setdefault(task, []).append(result)
            print(f"run {run}: {task:<6} {json.dumps(result)}", flush=True)

    def median(task: str, key: str) -> float:
        return float(statistics.median(r[key] for r in results[task]))

    n = meta["n"]

    def rates(task: str, count: float) -> tuple[float, float]:
        """Events per second by wall-clock time, and by the process's CPU time."""
        return count / median(task, "seconds"), count / median(task, "cpu")

    full, full_cpu = rates("full", n)
    floor, floor_cpu = rates("floor", median("floor", "n"))
    fold, fold_cpu = rates("fold", median("fold", "n"))
    rss = max(r["rss_mb"] for r in results["full"])
    cold, warm = median("as_of", "cold_ms"), median("as_of", "warm_ms")
    cold_cpu, warm_cpu = median("as_of", "cold_cpu_ms"), median("as_of", "warm_cpu_ms")
    print()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"N = {n:,} records, median of {args.runs} run(s), each in a fresh process")
    print("(wall: elapsed time; cpu: the process's own CPU time, the figure for a core of its own)")
    print()
    print(f"{'':<44}{'wall':>14}{'cpu':>14}   target")

    def row(label: str, wall: float, cpu: float, unit: str, target: str = "") -> None:
        spec = ",.2f" if unit == "x" else ",.1f" if unit == "ms" else ",.0f"
        print(
            f"{label:<44}{format(wall, spec):>10} {unit:<3}{format(cpu, spec):>10} {unit:<3}  {target}"
        )

    def check(value: float, key: str, *, below: bool = False, cpu: float | None = None) -> str:
        def ok(x: float) -> bool:
            return x < TARGETS[key] if below else x >= TARGETS[key]

        text = f"{'<' if below else '≥'} {TARGETS[key]:,.10g}: {verdict(ok(value))}"
        return text if cpu is None else f"{text} (wall), {verdict(ok(cpu))} (cpu)"

    row("full replay (Escalation, SQLite)", full, full_cpu, "ev/s")
    row("read + decode floor", floor, floor_cpu, "ev/s")
    row(
        "  full replay / floor",
        full / floor,
        full_cpu / floor_cpu,
        "x",
        check(full / floor, "floor", cpu=full_cpu / floor_cpu),
    )
    row("  peak RSS of full replay", rss, rss, "MB", check(rss, "rss_mb", below=True))
    row("fold alone (decoded events)", fold, fold_cpu, "ev/s", check(fold, "fold", cpu=fold_cpu))
    row(
        "as_of replay, snapshot 1 h before: cold",
        cold,
        cold_cpu,
        "ms",
        check(cold, "as_of_ms", below=True, cpu=cold_cpu),
    )
    print(f"{'  of which reading the state':<44}{median('as_of', 'load_ms'):>10,.1f} ms")
    print(
        f"{'  then its first answer (largest window)':<44}{'':>14}"
        f"{median('as_of', 'first_answer_cpu_ms'):>10,.1f} ms"
    )
    print(
        f"{'  reading every column of a loaded state':<44}{'':>14}"
        f"{median('as_of', 'all_columns_cpu_ms'):>10,.1f} ms"
    )
    row(
        "as_of replay, snapshot 1 h before: warm",
        warm,
        warm_cpu,
        "ms",
        check(warm, "as_of_ms", below=True, cpu=warm_cpu),
    )
    if "es" in results:
        es, es_cpu = rates("es", median("es", "n"))
        row(f"eventsourcing rebuild ({median('es', 'n'):,.0f} events)", es, es_cpu, "ev/s")
        row(
            "  full replay / eventsourcing",
            full / es,
            full_cpu / es_cpu,
            "x",
            check(full / es, "es", cpu=full_cpu / es_cpu),
        )
        row("  peak RSS of the rebuild", median("es", "rss_mb"), median("es", "rss_mb"), "MB")
    first = results["as_of"][0]
    print()
    print(
        f"as_of check: the tail folded {first['tail']:,} events; equal to a full replay: "
        f"{first.get('equals_full_replay')}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
