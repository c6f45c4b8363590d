"""Build a small log and damage it on purpose, the same way on every backend.

The log holds three appends (positions 1-2 to stream ``a``, 3-5 to ``b``, 6-7 to ``a``) of
statements whose texts are ``e1`` ... ``e7``. Each kind of damage is done to the stored
records behind the log's back: rows of the SQLite file or the PostgreSQL table (PostgreSQL
as the superuser, by ``UPDATE`` and ``DELETE``), lines of the JSON-lines file.
"""

import datetime as dt
import sqlite3
from pathlib import Path

import pendulum

from timeline import FixedClock, Statement, open_log

T0 = pendulum.datetime(2025, 6, 2, 8)
APPENDS = (("a", 2), ("b", 3), ("a", 2))
COUNT = sum(n for _, n in APPENDS)


def build(url):
    """Fill an empty log; the records as appended."""
    records = []
    with open_log(url, clock=FixedClock(T0, tick=dt.timedelta(seconds=1))) as log:
        for stream, n in APPENDS:
            events = [
                Statement(
                    occurred_at=T0.add(hours=len(records) + i),
                    speaker="Hakan Fidan",
                    text=f"e{len(records) + i + 1}",
                )
                for i in range(n)
            ]
            records += log.append(events, stream=stream)
    return records


def kind_of(url):
    if url.endswith(".db"):
        return "sqlite"
    if url.endswith(".jsonl"):
        return "jsonl"
    return "postgres"


def _sql(url, *statements):
    if kind_of(url) == "sqlite":
        db = sqlite3.connect(url, isolation_level=None)
        try:
            for sql, params in statements:
                db.execute(sql.replace("{events}", "events"), params)
        finally:
            db.close()
    else:
        import psycopg  # noqa: PLC0415  # only for PostgreSQL

        with psycopg.connect(url, autocommit=True) as db:
            for sql, params in statements:
                db.execute(sql.replace("{events}", "timeline_events").replace("?", "%s"), params)


def _lines(url):
    return Path(url).read_bytes().splitlines(keepends=True)


def _write_lines(url, lines):
    Path(url).write_bytes(b"".join(lines))


def flip(url, position):
    """Flip one bit of the event's text at ``position`` (``e3`` becomes ``d3``)."""
    old, new = b'"text":"e', b'"text":"d'
    if kind_of(url) == "jsonl":
        lines = _lines(url)
        assert old in lines[position - 1]
        lines[position - 1] = lines[position - 1].replace(old, new)
        _write_lines(url, lines)
    elif kind_of(url) == "sqlite":
        _sql(
            url,
            (
                "UPDATE {events} SET payload = replace(payload, ?, ?) WHERE position = ?",
                (old, new, position),
            ),
        )
    else:
        _sql(
            url,
            (
                "UPDATE {events} SET payload = overlay(payload placing ? from position(? in payload) + 8 for 1) WHERE position = ?",
                (b"d", old, position),
            ),
        )


def delete(url, position):
    """Remove the record at ``position``."""
    if kind_of(url) == "jsonl":
        lines = _lines(url)
        del lines[position - 1]
        _write_lines(url, lines)
    else:
        _sql(url, ("DELETE FROM {events} WHERE position = ?", (position,)))


def swap(url, position):
    """Swap the records at ``position`` and ``position + 1``."""
    if kind_of(url) == "jsonl":
        lines = _lines(url)
        lines[position - 1], lines[position] = lines[position], lines[position - 1]
        _write_lines(url, lines)
    else:
        _sql(
            url,
            (
                "UPDATE {events} SET position = -position WHERE position IN (?, ?)",
                (position, position + 1),
            ),
            ("UPDATE {events} SET position = ? WHERE position = ?", (position + 1, -position)),
            ("UPDATE {events} SET position = ? WHERE position = ?", (position, -position - 1)),
        )


def drop_tail(url, keep):
    """Remove every record after position ``keep`` (whole lines or rows)."""
    if kind_of(url) == "jsonl":
        _write_lines(url, _lines(url)[:keep])
    else:
        _sql(url, ("DELETE FROM {events} WHERE position > ?", (keep,)))


def stored(url):
    """Everything the log's storage holds, to compare before and after."""
    if kind_of(url) == "postgres":
        import psycopg  # noqa: PLC0415  # only for PostgreSQL

        with psycopg.connect(url) as db:
            events = db.execute("SELECT * FROM timeline_events ORDER BY position").fetchall()
            meta = db.execute("SELECT * FROM timeline_meta ORDER BY key").fetchall()
        return events, meta
    path = Path(url)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes(), wal.exists() and wal.stat().st_size > 0
