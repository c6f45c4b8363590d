"""Append and read throughput of ``PostgresLog``, against raw psycopg and eventsourcing.

Run it from the repository root with a PostgreSQL server (the ``dev`` extra installs
psycopg and ``eventsourcing[postgres]``)::

    export TIMELINE_PG_URL=postgresql://postgres@127.0.0.1:5433/timeline
    .venv/bin/python benchmarks/postgres.py                   # N = 50,000, median of 3 runs
    .venv/bin/python benchmarks/postgres.py --n 10000 --runs 1   # a quick look

Without ``TIMELINE_PG_URL`` it prints why and does nothing. Every side of every run gets a
fresh schema of its own in that database (``bench_<random>_<side>``; libpq's ``options``
set its ``search_path``), dropped at the end.

It measures, on N realistic drone barrages (``make_events`` of ``benchmarks/log.py``, all
built before any clock starts):

batch append
    N events in calls of 1,000 (``--batch``) to one stream.
single append
    ``--single-n`` events one per call: one transaction, so one WAL flush, each (the server
    runs ``synchronous_commit=on``; the script prints it). By default N up to 10,000, fewer
    if that many bare commits would take more than 20 s here (ours and the floor each take
    several times as long as a bare commit: round trips and the lock).
4 writers
    ``--writers`` processes started before the clock, each appending N / writers events to
    a stream of its own in calls of 100 (``--writer-batch``) with ``expected_version``, all
    released at once; the time is from their release until the last one has committed.
    Afterwards (not timed) the script checks that positions are 1..N without a gap, each
    stream's versions are 1..k, every transaction's rows are one contiguous run of
    positions, and positions follow commit order (``pg_xact_commit_timestamp(xmin)``
    never decreases along them; the server must run ``track_commit_timestamp=on``).
read + decode
    reading back the N events of the batch-append schema through a new connection,
    materialising every event object (and, for timeline and the floor, its ``Recorded``).

on three sides doing the same work:

ours (timeline)
    ``timeline.open_log(url)``: ``PostgresLog``. Append is ``log.append(events, stream=...)``
    (the shared algorithm of ``timeline.log.base``: checks and encodes every event, then in
    one transaction takes the log's write lock, reads the stream's version and the tail,
    stamps ``recorded_at``, chains the SHA-256 hashes and writes). The writers pass
    ``expected_version``. Read is ``for rec in log.read(): ...`` through the codec.
floor (raw psycopg 3)
    Exactly the same result with nothing in between: the same tables and indexes as
    ``PostgresLog`` (its ``SCHEMA``, created by plain ``execute``), the same payload bytes (``floor_encode`` of ``benchmarks/log.py``, checked at
    start-up to be the codec's), the same SHA-256 chain (``timeline.log.base.chain_hash``),
    the same ``Recorded`` results (``floor_chain`` of ``benchmarks/_common.py``, shared with
    the SQLite floor). Each call is one transaction: ``LOCK TABLE events IN
    EXCLUSIVE MODE`` (the same lock ``PostgresLog`` takes, so writers are serialised and
    positions are ``max(position) + 1`` in commit order), the stream's version and the
    tail read in the same round trip, then the rows by binary ``COPY`` (a single
    ``INSERT`` for one event), then ``COMMIT``. It checks ``expected_version`` as ours does
    and leaves duplicate ids to the unique index. Read pages by keyset as ``PostgresLog``
    does (``WHERE position > %s ORDER BY position LIMIT 1000``), then ``orjson.loads`` and
    the same objects built by their constructors (``floor_build_barrage``).
eventsourcing (its PostgreSQL recorder)
    An ``Application`` with ``PERSISTENCE_MODULE=eventsourcing.postgres`` (``POSTGRES_DBNAME``,
    ``_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD`` from the URL and ``POSTGRES_SCHEMA`` its
    own schema), storing the same barrages as ``Aggregate.Event``s of one aggregate (one
    stream), batch append ``app.save(*events)`` with 1,000 events (its recorder: one
    transaction, ``LOCK TABLE ... IN EXCLUSIVE MODE``, a ``NOTIFY``, one INSERT ... SELECT
    FROM unnest(...) of the batch, into a bytea column), read
    ``app.events.get(aggregate_id)`` (one SELECT of every event of the aggregate, then its
    mapper's ``to_domain_event``, which sets ``__dict__`` without running ``__init__``). It
    keeps no hash chain and no ``recorded_at``, no ``type`` or ``occurred_at`` index, and does
    not validate events on the way out. It is measured for batch append and read only.

Figures are events per second (N over the wall time of ``time.perf_counter``), the median of
``--runs`` runs, the sides taking turns (a different one first each run); the client's CPU
time (``time.process_time``, summed over the writer processes) is printed beside them, as
microseconds per event: the server's own CPU is not in it. The garbage collector is run
before every timed section. Targets: batch append ≥ 2x eventsourcing, read + decode ≥ 1.5x
eventsourcing, 4 writers ≥ 0.7x the floor; ours/floor is printed for every row.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata
import importlib.util
import multiprocessing
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pendulum
from _common import (
    check,
    chunks,
    count_all,
    floor_chain,
    floor_records,
    load_average,
    load_log_benchmark,
    verdict,
)
from pendulum import DateTime

import timeline
from timeline import DroneBarrage, Recorded
from timeline.errors import ConcurrencyError
from timeline.log import postgres
from timeline.log.base import GENESIS
from timeline.log.postgres import SCHEMA, schema_url
from timeline.time import isoformat

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

HERE = Path(__file__).resolve().parent
STREAM = "military/drone-barrages"
TARGETS = {
    # operation: (ours/floor at least or None, ours/eventsourcing at least or None)
    "batch": (None, 2.0),
    "single": (None, None),
    "writers": (0.7, None),
    "read": (None, 1.5),
}
SINGLE_N = 10_000  # single appends by default (at most N), one commit each
SINGLE_SECONDS_LIMIT = 20.0  # more than this for the bare commits: use a smaller N

# PostgresLog's own tables and indexes (its SCHEMA, with the tables of a log's own schema),
# so that the floor stores exactly what PostgresLog stores.
FLOOR_SCHEMA = SCHEMA.format(events="timeline_events", meta="timeline_meta", lock="timeline_lock")
FLOOR_COLUMNS = "position, event_id, stream, version, type, occurred_at, recorded_at, payload, hash"
FLOOR_TYPES = ("int8", "uuid", "text", "int8", "text", "text", "text", "bytea", "text")
FLOOR_LOCK = "LOCK TABLE timeline_events IN EXCLUSIVE MODE"
FLOOR_HEAD = (
    "SELECT v.version, t.position, t.hash, t.recorded_at"
    " FROM (SELECT COALESCE(max(version), 0) AS version FROM timeline_events"
    " WHERE stream = %s) v"
    " LEFT JOIN (SELECT position, hash, recorded_at FROM timeline_events"
    " ORDER BY position DESC LIMIT 1) t ON true"
)
FLOOR_COPY = f"COPY timeline_events ({FLOOR_COLUMNS}) FROM STDIN (FORMAT BINARY)"
FLOOR_INSERT = (
    f"INSERT INTO timeline_events ({FLOOR_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
FLOOR_NOTIFY = "SELECT pg_notify(%s, %s)"  # as PostgresLog: live subscribers hear of it
FLOOR_PAGE = 2000  # PostgresLog's page
FLOOR_SELECT = (
    "SELECT position, stream, version, recorded_at, payload, hash FROM timeline_events"
    f" WHERE position > %s ORDER BY position LIMIT {FLOOR_PAGE}"
)


# -- schemas on the server -------------------------------------------------------------------


class Schemas:
    """Fresh schemas on the server, one per side and run, all dropped by :meth:`drop_all`."""

    def __init__(self, url: str) -> None:
        import psycopg  # noqa: PLC0415  # only with a server

        self.url = url
        self.conn = psycopg.connect(url, autocommit=True)
        self.prefix = f"bench_{uuid.uuid4().hex[:8]}"
        self.made: list[str] = []

    def new(self, name: str) -> tuple[str, str]:
        """A new empty schema: its name and a URL whose search path is it."""
        schema = f"{self.prefix}_{name}"
        self.conn.execute(f'CREATE SCHEMA "{schema}"')
        self.made.append(schema)
        return schema, schema_url(self.url, schema)

    def drop(self, schema: str) -> None:
        self.conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        self.made.remove(schema)

    def drop_all(self) -> None:
        for schema in list(self.made):
            self.drop(schema)
        self.conn.close()

    def setting(self, name: str) -> str:
        row = self.conn.execute(f"SHOW {name}").fetchone()
        return "?" if row is None else str(row[0])


# -- the floor: raw psycopg 3 ----------------------------------------------------------------


class FloorLog:
    """The least a log with PostgresLog's schema, lock, chain and results can do, inline."""

    def __init__(self, url: str, bench_log: Any) -> None:
        import psycopg  # noqa: PLC0415  # only with a server

        self.conn = psycopg.connect(url, autocommit=True)
        self.encode = bench_log.floor_encode
        self.build = bench_log.FLOOR_BUILDERS
        exists = self.conn.execute("SELECT to_regclass('timeline_events')").fetchone()
        with self.conn.transaction():
            for statement in FLOOR_SCHEMA.split(";") if exists == (None,) else ():
                if statement.strip():
                    self.conn.execute(statement)
            self.conn.execute(
                "INSERT INTO timeline_meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING"
            )
        schema = self.conn.execute("SELECT current_schema()").fetchone()
        self.channel = f"timeline:{schema[0] if schema else ''}"

    def append(
        self, events: Sequence[DroneBarrage], *, stream: str, expected_version: int | None = None
    ) -> list[Recorded]:
        prepared = []
        for e in events:
            occurred_at = isoformat(e.occurred_at)
            payload = self.encode(e, str(e.event_id), occurred_at)
            prepared.append((e, e.event_id, occurred_at, payload))
        conn = self.conn
        with conn.cursor() as cur:
            try:
                with conn.pipeline():  # one round trip: begin, lock, read the head
                    cur.execute("BEGIN")
                    cur.execute(FLOOR_LOCK)
                    cur.execute(FLOOR_HEAD, (stream,))
                version, position, previous, last = cur.fetchone()  # type: ignore[misc]
                if expected_version is not None and expected_version != version:
                    raise ConcurrencyError(  # noqa: TRY301  # rolled back below
                        f"stream {stream!r} is at version {version}",
                        stream=stream,
                        expected=expected_version,
                        actual=version,
                    )
                if position is None:
                    position, previous, last = 0, GENESIS, ""
                now = pendulum.now(pendulum.UTC)
                stamp = isoformat(now)
                if stamp < last:  # transaction time never runs backwards
                    stamp, now = last, DateTime.fromisoformat(last)
                rows, records = floor_chain(
                    prepared, stream, version, position, previous, stamp, now
                )
                notify = (self.channel, str(position))
                if len(rows) == 1:
                    with conn.pipeline():  # one round trip: insert, notify, commit
                        cur.execute(FLOOR_INSERT, rows[0])
                        cur.execute(FLOOR_NOTIFY, notify)
                        cur.execute("COMMIT")
                else:
                    with cur.copy(FLOOR_COPY) as copy:
                        copy.set_types(FLOOR_TYPES)
                        for row in rows:
                            copy.write_row(row)
                    with conn.pipeline():  # one round trip: notify, commit
                        cur.execute(FLOOR_NOTIFY, notify)
                        cur.execute("COMMIT")
            except BaseException:
                conn.rollback()
                raise
        return records

    def read(self) -> Iterator[Recorded]:
        with self.conn.cursor(binary=True) as cur:
            yield from floor_records(
                lambda after: cur.execute(FLOOR_SELECT, (after,)).fetchall(),
                self.build,
                FLOOR_PAGE,
            )

    def close(self) -> None:
        self.conn.close()


def open_side(side: str, url: str, bench_log: Any) -> Any:
    """The log a side appends to and reads from: ours (``PostgresLog``) or the floor."""
    return timeline.open_log(url) if side == "ours" else FloorLog(url, bench_log)


# -- eventsourcing ---------------------------------------------------------------------------


def eventsourcing_app(url: str, schema: str, bench_log: Any) -> Any:
    """An eventsourcing ``Application`` on its PostgreSQL recorder, in ``schema``."""
    from eventsourcing.application import Application  # noqa: PLC0415  # the peer, optional
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415  # only with a server

    info = conninfo_to_dict(url)

    class BarrageApp(Application):  # type: ignore[type-arg]
        def register_transcodings(self, transcoder: Any) -> None:
            super().register_transcodings(transcoder)
            transcoder.register(bench_log.ESSourceAsDict())

    return BarrageApp(
        {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": str(info.get("dbname", "postgres")),
            "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(info.get("port", "5432")),
            "POSTGRES_USER": str(info.get("user", "postgres")),
            "POSTGRES_PASSWORD": str(info.get("password", "")),
            "POSTGRES_SCHEMA": schema,
        }
    )


# -- timing ----------------------------------------------------------------------------------


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work``, after a garbage collection."""
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


# -- concurrent writers ----------------------------------------------------------------------


def writer(  # noqa: PLR0917  # one process's whole brief
    side: str,
    url: str,
    stream: str,
    first: int,
    count: int,
    batch: int,
    barrier: Any,
    results: Any,
) -> None:
    """One writer process: build its events, connect, wait for the others, append, report."""
    bench_log = load_log_benchmark()
    events = bench_log.make_events(first + count)[first:]
    log = open_side(side, url, bench_log)
    batches = chunks(events, batch)
    version = 0
    retries = 0
    barrier.wait()
    cpu = time.process_time()
    for b in batches:
        while True:
            try:
                log.append(b, stream=stream, expected_version=version)
                break
            except ConcurrencyError as e:  # only if another writer shares the stream
                retries += 1
                version = e.actual
        version += len(b)
    end = time.perf_counter()
    results.put((end, time.process_time() - cpu, retries))
    log.close()


def run_writers(side: str, url: str, n: int, writers: int, batch: int) -> tuple[float, float]:
    """Wall seconds from the writers' release to the last commit, and their summed CPU."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers + 1)
    results = ctx.Queue()
    share, extra = divmod(n, writers)
    procs = []
    first = 0
    for i in range(writers):
        count = share + (1 if i < extra else 0)
        procs.append(
            ctx.Process(
                target=writer,
                args=(side, url, f"writers/{i}", first, count, batch, barrier, results),
            )
        )
        first += count
    for p in procs:
        p.start()
    gc.collect()
    barrier.wait(timeout=300)
    start = time.perf_counter()
    reports = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a {side} writer failed (exit code {p.exitcode})")
    end = max(r[0] for r in reports)
    return end - start, sum(r[1] for r in reports)


def check_gap_free(url: str, n: int, writers: int, side: str) -> str:
    """Positions 1..N, versions 1..k per stream, one run per transaction, in commit order."""
    import psycopg  # noqa: PLC0415  # only with a server

    with psycopg.connect(url, autocommit=True) as conn:
        count, low, high = conn.execute(
            "SELECT count(*), min(position), max(position) FROM timeline_events"
        ).fetchone()  # type: ignore[misc]
        if (count, low, high) != (n, 1, n):
            raise SystemExit(f"{side}: {count} rows, positions {low}..{high}; expected 1..{n}")
        streams = conn.execute(
            "SELECT stream, count(*), min(version), max(version) FROM timeline_events GROUP BY stream"
        ).fetchall()
        if len(streams) != writers or any((lo, hi) != (1, k) for _, k, lo, hi in streams):
            raise SystemExit(f"{side}: stream versions are not 1..k: {streams}")
        transactions, broken = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE max_p - min_p + 1 <> rows) FROM ("
            " SELECT xmin::text AS tx, min(position) AS min_p, max(position) AS max_p,"
            " count(*) AS rows FROM timeline_events GROUP BY xmin::text) t"
        ).fetchone()  # type: ignore[misc]
        if broken:
            raise SystemExit(f"{side}: {broken} transactions' positions are not contiguous")
        (backwards,) = conn.execute(
            "SELECT count(*) FROM (SELECT pg_xact_commit_timestamp(xmin) AS t,"
            " lag(pg_xact_commit_timestamp(xmin)) OVER (ORDER BY position) AS before"
            " FROM timeline_events) s WHERE t < before"
        ).fetchone()  # type: ignore[misc]
        if backwards:
            raise SystemExit(f"{side}: {backwards} positions are out of commit order")
    return f"{side}: {n:,} rows in {transactions:,} transactions, gap-free, in commit order"


# -- the sides -------------------------------------------------------------------------------


class Sides:
    """Each side's measurements, each in a fresh schema of its own."""

    def __init__(
        self,
        schemas: Schemas,
        bench_log: Any,
        events: list[DroneBarrage],
        es_events: list[Any],
        *,
        batch: int,
        single_n: int,
        writers: int,
        writer_batch: int,
    ) -> None:
        self.schemas = schemas
        self.bench_log = bench_log
        self.events = events
        self.es_events = es_events
        self.batch = batch
        self.single_n = single_n
        self.writers = writers
        self.writer_batch = writer_batch
        self.checks: list[str] = []

    # batch append, then read + decode through a new connection

    def ours(self, run: int) -> dict[str, tuple[float, float]]:
        return self._batch_and_read("ours", run)

    def floor(self, run: int) -> dict[str, tuple[float, float]]:
        return self._batch_and_read("floor", run)

    def _batch_and_read(self, side: str, run: int) -> dict[str, tuple[float, float]]:
        schema, url = self.schemas.new(f"{side}_{run}")
        log = open_side(side, url, self.bench_log)
        batches = chunks(self.events, self.batch)

        def append() -> None:
            for b in batches:
                log.append(b, stream=STREAM)

        out = {"batch": timed(append)}
        log.close()
        log = open_side(side, url, self.bench_log)
        n = 0

        def read() -> None:
            nonlocal n
            n = count_all(log.read())

        out["read"] = timed(read)
        log.close()
        check(n, len(self.events), side)
        self.schemas.drop(schema)
        return out

    def es(self, run: int) -> dict[str, tuple[float, float]]:
        schema, url = self.schemas.new(f"es_{run}")
        app = eventsourcing_app(url, schema, self.bench_log)
        batches = chunks(self.es_events, self.batch)

        def append() -> None:
            for b in batches:
                app.save(*b)

        out = {"batch": timed(append)}
        app.close()
        app = eventsourcing_app(url, schema, self.bench_log)
        aggregate_id = self.es_events[0].originator_id
        n = 0

        def read() -> None:
            nonlocal n
            n = count_all(app.events.get(aggregate_id))

        out["read"] = timed(read)
        app.close()
        check(n, len(self.es_events), "eventsourcing")
        self.schemas.drop(schema)
        return out

    # single append and concurrent writers, in fresh schemas again

    def ours_more(self, run: int) -> dict[str, tuple[float, float]]:
        return self._single_and_writers("ours", run)

    def floor_more(self, run: int) -> dict[str, tuple[float, float]]:
        return self._single_and_writers("floor", run)

    def _single_and_writers(self, side: str, run: int) -> dict[str, tuple[float, float]]:
        schema, url = self.schemas.new(f"{side}_single_{run}")
        log = open_side(side, url, self.bench_log)
        events = self.events[: self.single_n]

        def append() -> None:
            for e in events:
                log.append([e], stream=STREAM)

        out = {"single": timed(append)}
        log.close()
        self.schemas.drop(schema)
        out["writers"] = self._writers(side, run)
        return out

    def _writers(self, side: str, run: int) -> tuple[float, float]:
        schema, url = self.schemas.new(f"{side}_writers_{run}")
        open_side(side, url, self.bench_log).close()  # the schema, before the clock
        n = len(self.events)
        result = run_writers(side, url, n, self.writers, self.writer_batch)
        text = check_gap_free(url, n, self.writers, side)
        if side == "ours":
            log = timeline.open_log(url)
            report = log.verify()
            log.close()
            if not report.ok:
                raise SystemExit(f"ours: verify() failed after the writers: {report}")
            text += ", verify() ok"
        if run == 1:
            self.checks.append(text)
        self.schemas.drop(schema)
        return result


# -- checks and calibration ------------------------------------------------------------------


def check_floor_matches(bench_log: Any, events: Sequence[DroneBarrage]) -> None:
    """The floor must write the codec's bytes and PostgresLog's schema, or it is no floor."""
    if FLOOR_PAGE != postgres._PAGE:  # noqa: SLF001  # only to compare
        print("WARNING: PostgresLog's page size changed; update FLOOR_PAGE", flush=True)
    codec = timeline.Codec()
    for e in (events[0], events[-1]):
        event_id, occurred_at = str(e.event_id), isoformat(e.occurred_at)
        payload = bench_log.floor_encode(e, event_id, occurred_at)
        if payload != codec.encode(e):
            raise SystemExit("the floor's payload differs from the codec's bytes")
        if bench_log.floor_build_barrage(orjson.loads(payload)) != e:
            raise SystemExit("the floor does not read back an equal event")


def seconds_per_commit(schemas: Schemas) -> float:
    """What one small committed INSERT (one WAL flush) costs on this server."""
    import psycopg  # noqa: PLC0415  # only with a server

    schema, url = schemas.new("calibrate")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, payload BYTEA)")
        payload = b"x" * 700
        n = 200
        start = time.perf_counter()
        for i in range(n):
            with conn.transaction():
                conn.execute("INSERT INTO t VALUES (%s, %s)", (i, payload))
        seconds = (time.perf_counter() - start) / n
    schemas.drop(schema)
    return seconds


# -- the report ------------------------------------------------------------------------------


def _ratio(row: dict[str, Any], side: str, target: float | None, of: str = "ours") -> str:
    if not row[of] or not row[side]:
        return "-"
    ratio = row[of] / row[side]
    return f"{ratio:.3f}x " + verdict(ratio, target)


def _figure(value: float | None, width: int, spec: str) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}{spec}}"


def print_tables(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'operation':<32}{'N':>8}{'ours ev/s':>12}{'floor ev/s':>12}{'es ev/s':>11}"
        f"  {'ours/floor':<21}{'ours/es':<21}{'floor/es':<10}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        floor_target, es_target = TARGETS[row["key"]]
        print(
            f"{row['label']:<32}{row['n']:>8,}{_figure(row['ours'], 12, ',.0f')}"
            f"{_figure(row['floor'], 12, ',.0f')}{_figure(row['es'], 11, ',.0f')}  "
            f"{_ratio(row, 'floor', floor_target):<21}{_ratio(row, 'es', es_target):<21}"
            f"{_ratio(row, 'es', None, of='floor'):<10}"
        )
    print()
    print("ours/floor and ours/es within each run (wall; noise shows as their spread):")
    for row in rows:
        runs = [
            f"{other} " + " ".join(f"{r:.2f}" for r in row[f"per_run_{other}"])
            for other in ("floor", "es")
            if row[f"per_run_{other}"]
        ]
        print(f"  {row['label']:<32}{'   '.join(runs) or '-'}")
    print()
    print("client CPU, µs per event (median; the server's own CPU is not counted):")
    header = f"{'operation':<32}{'ours':>10}{'floor':>10}{'es':>10}  {'ours/floor':>10}"
    print(header)
    print("-" * len(header))
    for row in rows:
        ours, floor = row["ours_cpu"], row["floor_cpu"]
        ratio = "-" if not ours or not floor else f"{ours / floor:.2f}x"
        print(
            f"{row['label']:<32}{_figure(ours, 10, '.1f')}{_figure(floor, 10, '.1f')}"
            f"{_figure(row['es_cpu'], 10, '.1f')}  {ratio:>10}"
        )


def run_all(
    sides: Sides, runs: int, chosen: set[str], n: int, single_n: int
) -> dict[str, list[tuple[float, float]]]:
    """Every run of every chosen side: ``"operation side"`` -> [(wall, CPU) per run]."""
    results: dict[str, list[tuple[float, float]]] = {}
    first = [("ours", sides.ours), ("floor", sides.floor), ("es", sides.es)]
    then = [("ours", sides.ours_more), ("floor", sides.floor_more)]
    for run in range(1, runs + 1):
        for group in (first, then):
            # The sides take turns, a different one first each run.
            chosen_sides = [(side, measure) for side, measure in group if side in chosen]
            turn = (run - 1) % max(1, len(chosen_sides))
            for side, measure in chosen_sides[turn:] + chosen_sides[:turn]:
                for key, figures in measure(run).items():
                    results.setdefault(f"{key} {side}", []).append(figures)
                    count = single_n if key == "single" else n
                    print(
                        f"run {run}: {side:<6}{key:<8}{count / figures[0]:>10,.0f} ev/s, "
                        f"CPU {figures[1] * 1e6 / count:6.1f} µs/ev",
                        flush=True,
                    )
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=50_000, help="events per measurement")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--batch", type=int, default=1_000, help="events per batch append")
    parser.add_argument(
        "--single-n",
        type=int,
        default=None,
        help="events for single append (default: N up to 10,000, fewer if that many bare "
        "commits would take more than 20 s here)",
    )
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer processes")
    parser.add_argument("--writer-batch", type=int, default=100, help="events per writer call")
    parser.add_argument(
        "--sides",
        default="ours,floor,es",
        help="which sides to measure, comma-separated (default: ours,floor,es)",
    )
    args = parser.parse_args(argv)
    chosen = set(args.sides.split(","))
    if not chosen <= {"ours", "floor", "es"}:
        parser.error(f"--sides takes ours, floor and es, got {args.sides!r}")

    url = os.getenv("TIMELINE_PG_URL")
    if not url:
        print(
            "benchmarks/postgres.py: skipped: set TIMELINE_PG_URL to a PostgreSQL database "
            "(e.g. postgresql://postgres@127.0.0.1:5433/timeline; see .ci/postgres.sh)"
        )
        return 0
    import psycopg  # noqa: PLC0415  # only with a server

    bench_log = load_log_benchmark()
    schemas = Schemas(url)
    try:
        versions = {
            name: importlib.metadata.version(name)
            for name in ("conflict-timeline", "eventsourcing", "psycopg")
        }
        print(
            f"conflict-timeline {versions['conflict-timeline']}, eventsourcing "
            f"{versions['eventsourcing']}, psycopg {versions['psycopg']} "
            f"(libpq {psycopg.pq.version()}, {psycopg.pq.__impl__}), Python "
            f"{platform.python_version()}, orjson {orjson.__version__}, {os.cpu_count()} CPUs"
        )
        print(
            f"server: {schemas.setting('server_version')}, "
            f"synchronous_commit={schemas.setting('synchronous_commit')}, "
            f"fsync={schemas.setting('fsync')}, "
            f"track_commit_timestamp={schemas.setting('track_commit_timestamp')}"
        )
        print(f"load average at start: {load_average()}")
        print(f"building {args.n:,} drone barrages (not timed) ...", flush=True)
        events = bench_log.make_events(args.n)
        es_events = bench_log.make_es_events(events, uuid.uuid4())
        check_floor_matches(bench_log, events)
        single_n = args.single_n
        if single_n is None:
            per_commit = seconds_per_commit(schemas)
            single_n = min(args.n, SINGLE_N)
            if per_commit * single_n > SINGLE_SECONDS_LIMIT:
                single_n = max(1_000, int(SINGLE_SECONDS_LIMIT / per_commit) // 1_000 * 1_000)
            print(
                f"one committed INSERT takes {per_commit * 1e6:.0f} µs here: "
                f"single append uses N = {single_n:,}"
            )
        sides = Sides(
            schemas,
            bench_log,
            events,
            es_events,
            batch=args.batch,
            single_n=single_n,
            writers=args.writers,
            writer_batch=args.writer_batch,
        )
        results = run_all(sides, args.runs, chosen, args.n, single_n)
    finally:
        schemas.drop_all()

    def median(key: str, which: int) -> float | None:
        if key not in results:
            return None
        return statistics.median(f[which] for f in results[key])

    rows = []
    for key, label, n in (
        ("batch", f"batch append ({args.batch:,} per call)", args.n),
        ("single", "single append (1 per call)", single_n),
        ("writers", f"{args.writers} writers ({args.writer_batch:,} per call)", args.n),
        ("read", "read + decode", args.n),
    ):
        row: dict[str, Any] = {"key": key, "label": label, "n": n}
        for side in ("ours", "floor", "es"):
            wall, cpu = median(f"{key} {side}", 0), median(f"{key} {side}", 1)
            row[side] = None if wall is None else n / wall
            row[f"{side}_cpu"] = None if cpu is None else cpu * 1e6 / n
        for other in ("floor", "es"):  # ours / other within each run (back to back)
            mine_, theirs_ = results.get(f"{key} ours", []), results.get(f"{key} {other}", [])
            pairs = zip(mine_, theirs_, strict=False)  # empty if a side was not measured
            row[f"per_run_{other}"] = [theirs[0] / mine[0] for mine, theirs in pairs]
        rows.append(row)

    print()
    print(f"load average at end: {load_average()}")
    print(f"median of {args.runs} run(s), events per second (higher is better)")
    print()
    print_tables(rows)
    print()
    print("concurrent writers, checked after the first run (not timed):")
    for text in sides.checks:
        print(f"  {text}")
    print(
        "targets: batch append ≥ 2x eventsourcing, read + decode ≥ 1.5x eventsourcing, "
        f"{args.writers} writers ≥ 0.7x the floor (raw locked inserts)"
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
