"""Append and read throughput of ``SQLiteLog``, against its floor and against eventsourcing.

Run it from the repository root (the ``dev`` extra installs eventsourcing)::

    .venv/bin/python benchmarks/log.py                  # N = 100,000, median of 3 runs
    .venv/bin/python benchmarks/log.py --n 10000 --runs 1   # a quick look

It measures three operations on N realistic drone barrages (``timeline.DroneBarrage``: start
and end, precision, attacker, target, weapon, launched / destroyed / lost, two actors, the
claimant and one graded ``Source`` with a URL and a publication time; a report every half
hour, in time order, as an import of the Air Force's daily reports appends them), all built
before any clock starts, so building events is never part of a figure:

batch append
    N events in calls of 1,000 (``--batch``), one stream, a fresh database file per run.
single append
    N events, one per call: one transaction, and at ``synchronous=FULL`` one fsync, each. It
    is measured at FULL and at NORMAL (WAL without an fsync per commit). If one FULL commit
    costs so much here that N of them would take more than two minutes, the FULL row uses a
    smaller N (``--full-n``; printed in the table).
read + decode
    reading back the N events of the batch-append database, through a new connection,
    materialising every event object (and, for timeline, its ``Recorded`` entry).

Each side does the same work:

ours (timeline)
    ``timeline.open_log(path)``: ``SQLiteLog``, WAL, ``synchronous=FULL`` by default
    (``SQLiteLog(path, synchronous="normal")`` for the NORMAL row). Append is
    ``log.append(events, stream=...)``: it checks the arguments and events, encodes every event
    with the codec (cattrs unstructure + orjson, sorted keys), then in one ``BEGIN IMMEDIATE``
    transaction reads the stream version and the tail, checks for duplicate ids, stamps
    ``recorded_at`` from the system clock, chains the SHA-256 hashes, inserts the rows and
    returns the ``Recorded`` entries. Read is ``for rec in log.read(): ...``: every row is
    decoded by the codec (orjson + cattrs structure, which runs the event's attrs converters
    and validators) into a ``Recorded`` holding its event.
floor (raw sqlite3 + orjson)
    Exactly the same result with nothing in between: the same table and indexes as
    ``SQLiteLog`` (imported from ``timeline.log.sqlite``), the same PRAGMAs, one
    ``BEGIN IMMEDIATE`` ... ``COMMIT`` per append call that reads the stream version and the
    tail (position, hash, recorded_at) inside it, then one ``executemany``. The payload is
    ``orjson.dumps`` of a hand-written dict of every field of the event plus ``type`` and
    ``version`` (the whole envelope), sorted keys, instants as
    ``datetime.isoformat(timespec="microseconds")``, the events' own UUIDv7 ids as
    ``str(uuid)``: byte for byte what the codec writes (checked at start-up), hashed into the
    same chain with ``timeline.log.base.chain_hash``, and it returns the same ``Recorded``
    entries. It leaves duplicate ids to the UNIQUE constraint rather than looking them up.
    Read pages through the same columns by keyset, as SQLiteLog does (``WHERE position > ?
    ORDER BY position LIMIT 1000``), then ``orjson.loads`` and the same
    objects built directly: ``DroneBarrage(event_id=UUID(...),
    occurred_at=DateTime.fromisoformat(...), ..., sources=(Source(...),))`` (so the event's
    own attrs converters and validators run, as they do for ours) and ``Recorded(...)``.
eventsourcing (its SQLite persistence)
    An ``Application`` with ``PERSISTENCE_MODULE=eventsourcing.sqlite`` and
    ``SQLITE_DBNAME=path``, storing an ``Aggregate.Event`` subclass that carries the same
    fields (stdlib aware datetimes; the source as a frozen dataclass with a registered
    ``Transcoding``), all in one aggregate (one stream), built before timing. Batch append is
    ``app.save(*events)`` with 1,000 events (its mapper: ``vars()`` + the stdlib-json
    transcoder; its recorder: one transaction, one INSERT per event to collect the
    notification ids); single append is ``app.save(event)``. Read is
    ``app.events.get(aggregate_id)``: one SELECT of the aggregate's events and its mapper's
    ``to_domain_event`` for each (which sets ``__dict__`` without calling ``__init__``).
    eventsourcing sets WAL and leaves ``synchronous`` at SQLite's default, which the script
    reads back from its connection and prints (FULL here). For the NORMAL row its
    connections get ``PRAGMA synchronous=NORMAL`` as they are made. It keeps no hash chain,
    no ``recorded_at`` of the log's own (its events carry the ``timestamp`` set when they were
    made), no secondary indexes, and it does not validate events on the way out.

Figures are events per second (N divided by the wall time from ``time.perf_counter``), the
median of ``--runs`` runs; each run uses fresh temporary database files, and the sides take
turns within a run. The garbage collector stays on, as each library has it, and is run
before every timed section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import importlib.metadata
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
import pendulum
from _common import (
    check,
    chunks,
    count_all,
    floor_chain,
    floor_records,
    load_average,
    verdict,
)
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Transcoding
from pendulum import DateTime

import timeline
from timeline import DroneBarrage, Location, Recorded, Source, TimePrecision
from timeline.events.military import Attack
from timeline.log.base import GENESIS
from timeline.log.sqlite import SCHEMA as SQLITE_SCHEMA

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

STREAM = "military/drone-barrages"
A = TypeVar("A", bound=Attack)
TARGETS = {
    # operation: (ours/floor at least, ours/eventsourcing at least or None)
    "batch": (0.75, 1.75),
    "single": (0.70, None),
    "read": (0.75, 1.75),
}
FULL_SECONDS_LIMIT = 120.0  # more than this for N single appends at FULL: use a smaller N

# SQLiteLog's own schema, so that the floor stores exactly what SQLiteLog stores.
FLOOR_SCHEMA = SQLITE_SCHEMA
FLOOR_INSERT = (
    "INSERT INTO events (position, event_id, stream, version, type, occurred_at,"
    " recorded_at, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FLOOR_PAGE = 1000
FLOOR_SELECT = (
    "SELECT position, stream, version, recorded_at, payload, hash FROM events"
    f" WHERE position > ? ORDER BY position LIMIT {FLOOR_PAGE}"
)


# -- the events ------------------------------------------------------------------------------


def make_events(n: int) -> list[DroneBarrage]:
    """N realistic drone barrages, a report every half hour from September 2022, in order.

    Each has its start and end, precision, attacker, target, weapon, launched / destroyed /
    lost, two actors, the claimant and the Air Force's report as a graded source.
    """
    start = pendulum.datetime(2022, 9, 1, 20, 0)
    weapons = ("Shahed-136/131", "Shahed-136/131 and decoys", "Geran-2", "Gerbera decoys")
    events = []
    for i in range(n):
        began = start.add(minutes=30 * i)
        launched = 40 + (i * 37) % 460
        destroyed = launched * 6 // 10
        events.append(
            DroneBarrage(
                occurred_at=began,
                occurred_until=began.add(hours=9, minutes=30),
                time_precision="hour",
                attacker="Russia",
                target="Ukraine",
                weapon=weapons[i % len(weapons)],
                launched=launched,
                destroyed=destroyed,
                lost=(launched - destroyed) // 2,
                actors=("Russian Armed Forces", "Ukrainian Air Force"),
                claimed_by="Ukrainian Air Force",
                sources=(
                    Source(
                        name="Ukrainian Air Force",
                        url=f"https://t.me/kpszsu/{10000 + i}",
                        published_at=began.add(hours=12),
                        reliability="B",
                        credibility=2,
                    ),
                ),
            )
        )
    return events


# -- the floor: raw sqlite3 + orjson -----------------------------------------------------------


def _iso(value: dt.datetime) -> str:
    return dt.datetime.isoformat(value, timespec="microseconds")


def _iso_or_none(value: dt.datetime | None) -> str | None:
    return None if value is None else dt.datetime.isoformat(value, timespec="microseconds")


def floor_encode(e: DroneBarrage, event_id: str, occurred_at: str) -> bytes:
    """The whole envelope of a drone barrage, written out by hand: the codec's exact bytes."""
    location = e.location
    body = {
        "actors": e.actors,
        "attacker": e.attacker,
        "carrier": e.carrier,
        "claimed_by": e.claimed_by,
        "debris_locations": e.debris_locations,
        "destroyed": e.destroyed,
        "event_id": event_id,
        "hit_locations": e.hit_locations,
        "launch_sites": e.launch_sites,
        "launched": e.launched,
        "location": None
        if location is None
        else {
            "admin1": location.admin1,
            "country": location.country,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "name": location.name,
        },
        "lost": e.lost,
        "occurred_at": occurred_at,
        "occurred_until": _iso_or_none(e.occurred_until),
        "sources": [
            {
                "credibility": s.credibility,
                "name": s.name,
                "published_at": _iso_or_none(s.published_at),
                "reliability": s.reliability,
                "url": s.url,
            }
            for s in e.sources
        ],
        "still_attacking": e.still_attacking,
        "summary": e.summary,
        "tags": e.tags,
        "target": e.target,
        "time_precision": e.time_precision.value,
        "type": e.TYPE,
        "version": e.VERSION,
        "weapon": e.weapon,
    }
    if e.zone is not None:  # the codec stores a zone only where it is known
        body["zone"] = e.zone
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def _instant_or_none(text: str | None) -> DateTime | None:
    return None if text is None else DateTime.fromisoformat(text)


def floor_build_attack(cls: type[A], d: dict[str, Any]) -> A:
    """An attack report (a drone barrage, a missile strike) built straight from its payload."""
    location = d["location"]
    return cls(
        event_id=uuid.UUID(d["event_id"]),
        zone=d.get("zone"),
        occurred_at=DateTime.fromisoformat(d["occurred_at"]),
        occurred_until=_instant_or_none(d["occurred_until"]),
        time_precision=TimePrecision(d["time_precision"]),
        actors=tuple(d["actors"]),
        location=None if location is None else Location(**location),
        sources=tuple(
            Source(
                name=s["name"],
                url=s["url"],
                published_at=_instant_or_none(s["published_at"]),
                reliability=s["reliability"],
                credibility=s["credibility"],
            )
            for s in d["sources"]
        ),
        claimed_by=d["claimed_by"],
        tags=tuple(d["tags"]),
        summary=d["summary"],
        attacker=d["attacker"],
        target=d["target"],
        weapon=d["weapon"],
        launched=d["launched"],
        destroyed=d["destroyed"],
        lost=d["lost"],
        still_attacking=d["still_attacking"],
        hit_locations=d["hit_locations"],
        debris_locations=d["debris_locations"],
        launch_sites=tuple(d["launch_sites"]),
        carrier=d["carrier"],
    )


#: A drone barrage built straight from its decoded payload.
floor_build_barrage = functools.partial(floor_build_attack, DroneBarrage)

FLOOR_BUILDERS: dict[tuple[str, int], Callable[[dict[str, Any]], DroneBarrage]] = {
    (DroneBarrage.TYPE, DroneBarrage.VERSION): floor_build_barrage,
}


class FloorLog:
    """The least a log with SQLiteLog's schema, chain and results can do, written inline."""

    def __init__(self, path: str, *, synchronous: str = "FULL") -> None:
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        self.db.execute("PRAGMA busy_timeout = 30000")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute(f"PRAGMA synchronous = {synchronous}")
        self.db.executescript(FLOOR_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO timeline_meta VALUES ('schema_version', '1')")

    def append(self, events: Sequence[DroneBarrage], *, stream: str) -> list[Recorded]:
        prepared = []
        for e in events:
            event_id = str(e.event_id)
            occurred_at = _iso(e.occurred_at)
            prepared.append((e, event_id, occurred_at, floor_encode(e, event_id, occurred_at)))
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            (version,) = db.execute(
                "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?", (stream,)
            ).fetchone()
            tail = db.execute(
                "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
            ).fetchone()
            position, previous, last = tail if tail is not None else (0, GENESIS, "")
            now = pendulum.now(pendulum.UTC)
            stamp = _iso(now)
            if stamp < last:  # transaction time never runs backwards
                stamp, now = last, DateTime.fromisoformat(last)
            rows, records = floor_chain(prepared, stream, version, position, previous, stamp, now)
            db.executemany(FLOOR_INSERT, rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return records

    def read(self) -> Iterator[Recorded]:
        return floor_records(
            lambda after: self.db.execute(FLOOR_SELECT, (after,)).fetchall(),
            FLOOR_BUILDERS,
            FLOOR_PAGE,
        )

    def close(self) -> None:
        self.db.close()


# -- eventsourcing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ESSource:
    """The source of a report, for the eventsourcing side."""

    name: str
    url: str | None
    published_at: dt.datetime | None
    reliability: str | None
    credibility: int | None


class ESSourceAsDict(Transcoding):
    """How eventsourcing's JSON transcoder is taught a custom type."""

    type = ESSource
    name = "source"

    def encode(self, obj: ESSource) -> dict[str, Any]:
        return {
            "name": obj.name,
            "url": obj.url,
            "published_at": obj.published_at,
            "reliability": obj.reliability,
            "credibility": obj.credibility,
        }

    def decode(self, data: dict[str, Any]) -> ESSource:
        return ESSource(**data)


class Barrages(Aggregate):
    """One aggregate holding every barrage: the eventsourcing counterpart of one stream."""

    class DroneBarrageReported(Aggregate.Event):
        """The same fields as ``timeline.DroneBarrage``."""

        event_id: uuid.UUID
        occurred_at: dt.datetime
        occurred_until: dt.datetime | None
        time_precision: str
        actors: tuple[str, ...]
        location: dict[str, Any] | None
        sources: tuple[ESSource, ...]
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


class BarrageApp(Application):
    """An eventsourcing application on its SQLite persistence module.

    ``synchronous`` (if given) is set on each SQLite connection as eventsourcing makes it;
    otherwise its connections keep SQLite's default.
    """

    def __init__(self, path: str, *, synchronous: str | None = None) -> None:
        self.synchronous_setting = synchronous
        super().__init__({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(ESSourceAsDict())

    def construct_factory(self, env: Any) -> Any:
        factory = super().construct_factory(env)
        if self.synchronous_setting is not None:
            pool = factory.datastore.pool
            create = pool._create_connection  # noqa: SLF001  # the one hook for per-connection PRAGMAs
            pragma = f"PRAGMA synchronous={self.synchronous_setting}"

            def create_with_pragma() -> Any:
                connection = create()
                connection._sqlite_conn.execute(pragma)  # noqa: SLF001  # same
                return connection

            pool._create_connection = create_with_pragma  # noqa: SLF001  # same
        return factory

    def sqlite_settings(self) -> str:
        """Its writer connection's journal mode and synchronous setting."""
        datastore = self.factory.datastore  # type: ignore[attr-defined]
        with datastore.get_connection(commit=True) as connection:
            return describe_sqlite(connection._sqlite_conn)  # noqa: SLF001  # read only


def _stdlib(value: DateTime | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(_iso(value))


def make_es_events(
    events: Sequence[DroneBarrage], aggregate_id: uuid.UUID
) -> list[Barrages.DroneBarrageReported]:
    """The same barrages as eventsourcing domain events, versions 1..N of one aggregate."""
    cls = Barrages.DroneBarrageReported
    made = []
    for version, e in enumerate(events, 1):
        made.append(
            cls(
                originator_id=aggregate_id,
                originator_version=version,
                timestamp=cls.create_timestamp(),
                event_id=e.event_id,
                occurred_at=_stdlib(e.occurred_at),
                occurred_until=_stdlib(e.occurred_until),
                time_precision=e.time_precision.value,
                actors=e.actors,
                location=None,
                sources=tuple(
                    ESSource(
                        name=s.name,
                        url=s.url,
                        published_at=_stdlib(s.published_at),
                        reliability=s.reliability,
                        credibility=s.credibility,
                    )
                    for s in e.sources
                ),
                claimed_by=e.claimed_by,
                tags=e.tags,
                summary=e.summary,
                attacker=e.attacker,
                target=e.target,
                weapon=e.weapon,
                launched=e.launched,
                destroyed=e.destroyed,
                lost=e.lost,
                still_attacking=e.still_attacking,
                hit_locations=e.hit_locations,
                debris_locations=e.debris_locations,
                launch_sites=e.launch_sites,
                carrier=e.carrier,
            )
        )
    return made


# -- timing ----------------------------------------------------------------------------------


def timed(work: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


class Sides:
    """The three sides' append and read, each on a fresh file in ``folder``."""

    def __init__(self, events: list[DroneBarrage], es_events: list[Any], batch: int) -> None:
        self.events = events
        self.es_events = es_events
        self.batch = batch
        self.durability: dict[tuple[str, str], str] = {}

    # batch append, then read + decode the same file through a new connection

    def ours(self, folder: Path) -> tuple[float, float]:
        path = str(folder / "ours.db")
        log = timeline.open_log(path)
        self.durability["batch append, read", "ours"] = describe_sqlite(log._conn)  # noqa: SLF001  # no public accessor
        batches = chunks(self.events, self.batch)

        def append() -> None:
            for b in batches:
                log.append(b, stream=STREAM)

        append_s = timed(append)
        log.close()
        log = timeline.open_log(path)
        n = 0

        def read() -> None:
            nonlocal n
            n = count_all(log.read())

        read_s = timed(read)
        log.close()
        check(n, len(self.events), "ours")
        return append_s, read_s

    def floor(self, folder: Path) -> tuple[float, float]:
        path = str(folder / "floor.db")
        log = FloorLog(path)
        self.durability["batch append, read", "floor"] = describe_sqlite(log.db)
        batches = chunks(self.events, self.batch)

        def append() -> None:
            for b in batches:
                log.append(b, stream=STREAM)

        append_s = timed(append)
        log.close()
        log = FloorLog(path)
        n = 0

        def read() -> None:
            nonlocal n
            n = count_all(log.read())

        read_s = timed(read)
        log.close()
        check(n, len(self.events), "floor")
        return append_s, read_s

    def eventsourcing(self, folder: Path) -> tuple[float, float]:
        path = str(folder / "eventsourcing.db")
        app = BarrageApp(path)
        self.durability["batch append, read", "eventsourcing"] = app.sqlite_settings()
        batches = chunks(self.es_events, self.batch)

        def append() -> None:
            for b in batches:
                app.save(*b)

        append_s = timed(append)
        app.close()
        app = BarrageApp(path)
        aggregate_id = self.es_events[0].originator_id
        n = 0

        def read() -> None:
            nonlocal n
            n = count_all(app.events.get(aggregate_id))

        read_s = timed(read)
        app.close()
        check(n, len(self.es_events), "eventsourcing")
        return append_s, read_s

    # single append at a given synchronous setting

    def ours_single(self, folder: Path, n: int, sync: str) -> float:
        log = timeline.SQLiteLog(str(folder / f"ours-single-{sync}.db"), synchronous=sync.lower())
        self.durability[f"single append {sync}", "ours"] = describe_sqlite(log._conn)  # noqa: SLF001  # no public accessor
        events = self.events[:n]

        def append() -> None:
            for e in events:
                log.append([e], stream=STREAM)

        seconds = timed(append)
        log.close()
        return seconds

    def floor_single(self, folder: Path, n: int, sync: str) -> float:
        log = FloorLog(str(folder / f"floor-single-{sync}.db"), synchronous=sync)
        self.durability[f"single append {sync}", "floor"] = describe_sqlite(log.db)
        events = self.events[:n]

        def append() -> None:
            for e in events:
                log.append([e], stream=STREAM)

        seconds = timed(append)
        log.close()
        return seconds

    def es_single(self, folder: Path, n: int, sync: str) -> float:
        # At FULL eventsourcing keeps its own default (which is FULL: checked and printed).
        app = BarrageApp(
            str(folder / f"es-single-{sync}.db"), synchronous=None if sync == "FULL" else sync
        )
        self.durability[f"single append {sync}", "eventsourcing"] = app.sqlite_settings()
        events = self.es_events[:n]

        def append() -> None:
            for e in events:
                app.save(e)

        seconds = timed(append)
        app.close()
        return seconds


SYNC_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def describe_sqlite(db: sqlite3.Connection) -> str:
    """The journal mode and synchronous setting of a connection, read back from it."""
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    sync = db.execute("PRAGMA synchronous").fetchone()[0]
    return f"{mode.upper()}, synchronous={SYNC_NAMES.get(sync, sync)}"


def check_floor_matches_codec(events: Sequence[DroneBarrage]) -> None:
    """The floor must write the codec's bytes and read back equal events, or it is no floor."""
    from timeline.log.sqlite import SCHEMA  # noqa: PLC0415  # only to compare

    if FLOOR_SCHEMA.split() != SCHEMA.split():
        print("WARNING: SQLiteLog's schema changed; update FLOOR_SCHEMA to match", flush=True)
    codec = timeline.Codec()
    for e in (events[0], events[-1]):
        event_id, occurred_at = str(e.event_id), _iso(e.occurred_at)
        payload = floor_encode(e, event_id, occurred_at)
        if payload != codec.encode(e):
            raise SystemExit("the floor's payload differs from the codec's bytes")
        if floor_build_barrage(orjson.loads(payload)) != e:
            raise SystemExit("the floor does not read back an equal event")


def seconds_per_full_commit(folder: Path) -> float:
    """What one small WAL commit at synchronous=FULL (one fsync) costs on this disk."""
    db = sqlite3.connect(str(folder / "calibrate.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)")
    payload = b"x" * 700
    n = 200
    start = time.perf_counter()
    for _ in range(n):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (payload) VALUES (?)", (payload,))
        db.execute("COMMIT")
    seconds = (time.perf_counter() - start) / n
    db.close()
    return seconds


# -- the report ------------------------------------------------------------------------------


def rate(n: int, seconds: float) -> float:
    return n / seconds


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'operation':<31}{'sync':<8}{'N':>8}{'ours ev/s':>12}{'floor ev/s':>12}"
        f"{'es ev/s':>11}  {'ours/floor':<21}{'ours/es':<18}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        of = row["ours"] / row["floor"]
        oe = row["ours"] / row["es"]
        floor_target, es_target = TARGETS[row["key"]]
        print(
            f"{row['label']:<31}{row['sync']:<8}{row['n']:>8,}{row['ours']:>12,.0f}"
            f"{row['floor']:>12,.0f}{row['es']:>11,.0f}  "
            f"{f'{of:.3f}x ' + verdict(of, floor_target):<21}"
            f"{f'{oe:.3f}x ' + verdict(oe, es_target):<18}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=100_000, help="events per measurement")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--batch", type=int, default=1_000, help="events per batch append")
    parser.add_argument(
        "--full-n",
        type=int,
        default=None,
        help="events for single append at synchronous=FULL (default: N, or fewer if N "
        "fsyncs would take over two minutes here)",
    )
    parser.add_argument("--no-single", action="store_true", help="skip the single appends")
    parser.add_argument("--tmp", default=None, help="folder for the temporary databases")
    args = parser.parse_args(argv)

    versions = {
        name: importlib.metadata.version(name) for name in ("conflict-timeline", "eventsourcing")
    }
    print(
        f"conflict-timeline {versions['conflict-timeline']}, eventsourcing "
        f"{versions['eventsourcing']}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, orjson {orjson.__version__}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}"
    )
    print(f"load average at start: {load_average()}")
    print(f"building {args.n:,} drone barrages (not timed) ...", flush=True)
    events = make_events(args.n)
    es_events = make_es_events(events, uuid.uuid4())
    check_floor_matches_codec(events)
    sides = Sides(events, es_events, args.batch)

    results: dict[str, list[float]] = {}

    def record(key: str, seconds: float) -> None:
        results.setdefault(key, []).append(seconds)

    full_n = args.full_n
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        folder = Path(tmp)
        if not args.no_single and full_n is None:
            per_commit = seconds_per_full_commit(folder)
            full_n = args.n
            if per_commit * args.n > FULL_SECONDS_LIMIT:
                full_n = max(1_000, int(FULL_SECONDS_LIMIT / 2 / per_commit) // 1_000 * 1_000)
            print(
                f"one WAL commit at synchronous=FULL (one fsync) takes {per_commit * 1e6:.0f} µs "
                f"here: single append at FULL uses N = {full_n:,}"
            )
        for run in range(1, args.runs + 1):
            run_dir = folder / f"run{run}"
            run_dir.mkdir()
            # The sides take turns, starting with a different one each run.
            batch_sides = [
                ("ours", sides.ours),
                ("floor", sides.floor),
                ("es", sides.eventsourcing),
            ]
            single_sides = [
                ("ours", sides.ours_single),
                ("floor", sides.floor_single),
                ("es", sides.es_single),
            ]
            turn = (run - 1) % 3
            for side, measure in batch_sides[turn:] + batch_sides[:turn]:
                append_s, read_s = measure(run_dir)
                record(f"batch {side}", append_s)
                record(f"read {side}", read_s)
                print(
                    f"run {run}: {side:<6} batch append {rate(args.n, append_s):>10,.0f} ev/s, "
                    f"read + decode {rate(args.n, read_s):>10,.0f} ev/s",
                    flush=True,
                )
            if not args.no_single:
                for sync, n in (("NORMAL", args.n), ("FULL", full_n)):
                    for side, measure_single in single_sides[turn:] + single_sides[:turn]:
                        seconds = measure_single(run_dir, n, sync)
                        record(f"single {sync} {side}", seconds)
                        print(
                            f"run {run}: {side:<6} single append ({sync}, N={n:,}) "
                            f"{rate(n, seconds):>10,.0f} ev/s",
                            flush=True,
                        )
            for path in run_dir.iterdir():
                path.unlink()

    def median_rate(key: str, n: int) -> float:
        return rate(n, statistics.median(results[key]))

    rows = [
        {"key": "batch", "label": f"batch append ({args.batch:,} per call)", "sync": "FULL",
         "n": args.n},
    ]  # fmt: skip
    if not args.no_single:
        rows.append({"key": "single", "label": "single append", "sync": "FULL", "n": full_n})
        rows.append({"key": "single", "label": "single append", "sync": "NORMAL", "n": args.n})
    rows.append({"key": "read", "label": "read + decode", "sync": "-", "n": args.n})
    for row in rows:
        prefix = row["key"] if row["key"] != "single" else f"single {row['sync']}"
        for side in ("ours", "floor", "es"):
            row[side] = median_rate(f"{prefix} {side}", row["n"])

    print()
    print(f"load average at end: {load_average()}")
    print(f"median of {args.runs} run(s), events per second (higher is better)")
    print()
    print_table(rows)
    print()
    print("durability (PRAGMAs read back from each side's own connection):")
    for (operation, side), text in sides.durability.items():
        print(f"  {operation:<22}{side:<15}{text}")
    print(
        "targets: batch append and read + decode ≥ 0.75x the floor and ≥ 1.75x eventsourcing;"
        " single append ≥ 0.70x the floor at the same synchronous setting"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
