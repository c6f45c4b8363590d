"""The Merkle tree's costs: keeping it on append, and checkpoints and proofs at a million records.

Run it from the repository root with the ``dev`` extra installed (``cryptography`` signs)::

    .venv/bin/python benchmarks/integrity.py                       # SQLite; 1,000,000 records
    .venv/bin/python benchmarks/integrity.py --n 20000 --size 100000 --runs 3   # a quick look
    TIMELINE_PG_URL=postgresql://... .venv/bin/python benchmarks/integrity.py --backends sqlite,postgres

It measures, for each backend:

tree upkeep on batch append
    N realistic drone barrages (``make_events`` of ``benchmarks/log.py``, built before any
    clock starts) appended in calls of 1,000 (``--batch``) to a fresh log, twice per run, the
    two taking turns: with the tree kept (the code as it is) and with
    ``timeline.log.base.grow_tree`` replaced by a function that does nothing (the append of
    the code before the tree, everything else equal). It prints events per second (wall)
    and the client's CPU time per event (``time.process_time``; the server's is not in it
    for PostgreSQL), the medians of ``--runs``, and the ratio: the issue's target is a
    batch append within 15% of the baseline's figure (``benchmarks/BASELINE.md``), which
    this ratio isolates from the machine's load.
checkpoints and proofs at ``--size`` records
    A log of ``--size`` records (default 1,000,000) written straight into the backend's
    tables (valid payloads, the real hash chain; not timed), then its tree built on first
    use by ``checkpoint()`` (timed once: what opening a log written before the tree costs),
    then, each ``--queries`` times on the built tree: ``checkpoint()`` (root and Ed25519
    signature; targets < 1 s), ``prove_inclusion`` of a random position (< 5 ms) and
    ``prove_consistency`` from a random earlier size (< 10 ms), each on the log's own
    connection, and each proof checked (not timed) against a checkpoint. Medians and p95.

Speed is measured here, never in the test suite; nothing here fails a build.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import _common

import timeline as tl
import timeline.log.base as log_base
from timeline.integrity import SigningKey, verify_consistency, verify_inclusion
from timeline.log import GENESIS, chain_hash

PG_ENV = "TIMELINE_PG_URL"
TARGETS_MS = {"checkpoint()": 1000.0, "prove_inclusion": 5.0, "prove_consistency": 10.0}


def _no_tree(log: Any, records: Any) -> None:
    """``grow_tree`` switched off: the append of the code before the tree."""


class Backends:
    """Fresh logs of each backend, and the raw rows of a big one."""

    def __init__(self, folder: Path, pg_url: str | None) -> None:
        self.folder = folder
        self.pg_url = pg_url
        self.schemas: list[str] = []

    def fresh(self, backend: str) -> tl.EventLog:
        if backend == "sqlite":
            return tl.SQLiteLog(self.folder / f"{uuid.uuid4().hex}.db")
        import psycopg  # noqa: PLC0415  # only with a server

        schema = f"bench_{uuid.uuid4().hex[:12]}_tree"
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        return tl.open_log(_common_schema_url(self.pg_url, schema))

    def drop(self) -> None:
        if not self.schemas:
            return
        import psycopg  # noqa: PLC0415

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _common_schema_url(url: str | None, schema: str) -> str:
    from timeline.log.postgres import schema_url  # noqa: PLC0415  # the postgres extra

    assert url is not None  # noqa: S101
    return schema_url(url, schema)


def upkeep(backends: Backends, backend: str, events: list[Any], batch: int, runs: int) -> None:
    """Batch append with the tree kept and without, taking turns."""
    real = log_base.grow_tree
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    for _ in range(runs):
        for tree in (False, True):
            log_base.grow_tree = real if tree else _no_tree
            log = backends.fresh(backend)
            try:
                wall, cpu = time.perf_counter(), time.process_time()
                for start in range(0, len(events), batch):
                    log.append(events[start : start + batch], stream="barrages")
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            finally:
                log_base.grow_tree = real
                log.close()
            results[tree].append((wall, cpu))
    n = len(events)
    rows = {}
    for tree, label in ((False, "without the tree"), (True, "with the tree")):
        wall = statistics.median(w for w, _ in results[tree])
        cpu = statistics.median(c for _, c in results[tree])
        rows[tree] = (n / wall, cpu / n * 1e6)
        print(f"  {label:<18}{n / wall:>12,.0f} ev/s{cpu / n * 1e6:>10.1f} µs CPU/event")
    ratio = rows[True][0] / rows[False][0]
    extra = rows[True][1] - rows[False][1]
    verdict = "PASS" if ratio >= 0.85 else "MISS"  # the 15%
    print(f"  with / without    {ratio:>12.3f}x ≥0.85 {verdict}   +{extra:.1f} µs CPU/event")


def _rows(n: int, codec: tl.Codec) -> Any:
    """``n`` records as a SQL backend stores them: real payloads, the real hash chain."""
    template = tl.Statement(
        occurred_at=tl.instant("2025-06-02T08:00:00+00:00"), speaker="Hakan Fidan", text="x"
    )
    payload, event_id, occurred = codec.encode_keyed(template)
    stamp = "2025-06-02T08:00:00.000000+00:00"
    previous = GENESIS
    for position in range(1, n + 1):
        new_id = str(uuid.UUID(int=position))
        body = payload.replace(event_id.encode(), new_id.encode())
        previous = chain_hash(previous, position, "s", position, stamp, body)
        yield (position, "s", position, stamp, body, previous, new_id, template.TYPE, occurred)


_INSERT = (
    "INSERT INTO {t} (position, stream, version, recorded_at, payload, hash, event_id, type,"
    " occurred_at) VALUES ({m})"
)


def big_log(backends: Backends, backend: str, n: int) -> tl.EventLog:
    """A log of ``n`` records written straight into its tables (its tree not built)."""
    log = backends.fresh(backend)
    rows = _rows(n, log.codec)
    if isinstance(log, tl.SQLiteLog):
        with log.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(_INSERT.format(t="events", m=", ".join("?" * 9)), rows)
            conn.execute("COMMIT")
        return log
    with log.connection() as conn, conn.cursor() as cursor:  # type: ignore[attr-defined]
        columns = (
            "position, stream, version, recorded_at, payload, hash, event_id, type, occurred_at"
        )
        with cursor.copy(log.sql(f"COPY {{events}} ({columns}) FROM STDIN")) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
    return log


def _times(work: Callable[[], object], queries: int) -> list[float]:
    spent = []
    for _ in range(queries):
        start = time.perf_counter()
        work()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def at_scale(backends: Backends, backend: str, size: int, queries: int) -> None:
    """Checkpoints and proofs at ``size`` records."""
    key = SigningKey.generate()
    start = time.perf_counter()
    log = big_log(backends, backend, size)
    print(
        f"  wrote {size:,} records straight into the tables in {time.perf_counter() - start:.1f} s"
    )
    try:
        start = time.perf_counter()
        checkpoint = log.checkpoint(key)
        print(f"  first checkpoint, building the tree: {time.perf_counter() - start:.1f} s")
        rng = random.Random(7)
        positions = [rng.randint(1, size) for _ in range(queries)]
        olds = [rng.randint(1, size - 1) for _ in range(queries)]
        proofs: list[Any] = []
        consistencies: list[Any] = []
        figures = {
            "checkpoint()": _times(lambda: log.checkpoint(key), queries),
            "prove_inclusion": _times(
                lambda: proofs.append(log.prove_inclusion(positions[len(proofs)])), queries
            ),
            "prove_consistency": _times(
                lambda: consistencies.append(log.prove_consistency(olds[len(consistencies)])),
                queries,
            ),
        }
        for proof in proofs:
            assert verify_inclusion(proof, checkpoint, proof.record_hash, public_key=key.public_key)  # noqa: S101
        for old, proof in list(zip(olds, consistencies, strict=True))[:20]:
            earlier = key.sign(size=old, root=_root_of(log, old), time=checkpoint.time)
            assert verify_consistency(proof, earlier, checkpoint, public_key=key.public_key)  # noqa: S101
        for name, spent in figures.items():
            median = statistics.median(spent)
            p95 = sorted(spent)[int(0.95 * (len(spent) - 1))]
            target = TARGETS_MS[name]
            verdict = "PASS" if median < target else "MISS"
            print(
                f"  {name:<18} median {median:>8.2f} ms   p95 {p95:>8.2f} ms   < {target:g} ms {verdict}"
            )
    finally:
        log.close()


def _root_of(log: tl.EventLog, size: int) -> bytes:
    """A root from the tree's own view (checked against proofs, as a reader would)."""
    from timeline.log.merkle_store import tree_of  # noqa: PLC0415

    return tree_of(log).root(size)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=50_000, help="events per batch-append run")
    parser.add_argument("--batch", type=int, default=1_000, help="events per append call")
    parser.add_argument("--runs", type=int, default=5, help="batch-append runs; medians")
    parser.add_argument("--size", type=int, default=1_000_000, help="records of the big log")
    parser.add_argument("--queries", type=int, default=200, help="timed calls of each kind")
    parser.add_argument("--backends", default="sqlite", help="sqlite,postgres")
    parser.add_argument("--no-upkeep", action="store_true", help="skip the batch appends")
    parser.add_argument("--no-scale", action="store_true", help="skip the big log")
    parser.add_argument("--tmp", default=None, help="folder for the temporary databases")
    args = parser.parse_args(argv)
    chosen = args.backends.split(",")
    pg_url = os.environ.get(PG_ENV)
    if "postgres" in chosen and not pg_url:
        print(f"{PG_ENV} is not set: PostgreSQL left out")
        chosen.remove("postgres")
    bench_log = _common.load_log_benchmark()
    print(f"load average at start: {_common.load_average()}")
    with tempfile.TemporaryDirectory(dir=args.tmp) as folder:
        backends = Backends(Path(folder), pg_url)
        try:
            events = bench_log.make_events(args.n) if not args.no_upkeep else []
            for backend in chosen:
                if not args.no_upkeep:
                    print(
                        f"\n{backend}: batch append of {args.n:,} barrages, {args.batch:,} per call, median of {args.runs}"
                    )
                    upkeep(backends, backend, events, args.batch, args.runs)
                if not args.no_scale:
                    print(
                        f"\n{backend}: checkpoints and proofs at {args.size:,} records, {args.queries} calls each"
                    )
                    at_scale(backends, backend, args.size, args.queries)
        finally:
            backends.drop()
    print(f"\nload average at end: {_common.load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
