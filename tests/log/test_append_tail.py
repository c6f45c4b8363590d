"""An append checks the log it writes on top of, also when the same object wrote the tail.

A log that wrote the tail itself checks it by hashing its stored bytes again, without
decoding it (:meth:`~timeline.log.EventLog.stored_record`); a tail another writer appended
is decoded as a read decodes it; and the SQL logs count only the rows after the last
position they counted, read with the tail once they hold the lock. These tests damage the
log behind the back of the object that wrote it (or of a second one), between two appends,
and check that the next append still refuses it and writes nothing.
"""

import sqlite3

import orjson
import pendulum
import pytest

import timeline as tl
from pg_admin import sql
from timeline import CorruptLog
from timeline.log import chain_hash
from timeline.log.postgres import PostgresLog

T0 = pendulum.datetime(2025, 6, 2, 8)


def barrages(first, n):
    return [tl.DroneBarrage(occurred_at=T0.add(hours=first + i), launched=i) for i in range(n)]


class SQLiteTable:
    """Statements on the events table from another connection, or the log's own."""

    def __init__(self, log, *, own=False):
        self.log, self.own = log, own

    def __call__(self, query, *params):
        if self.own:
            with self.log.connection() as conn:
                return conn.execute(query.replace("{events}", "events"), params).fetchall()
        db = sqlite3.connect(self.log.path, isolation_level=None)
        try:
            return db.execute(query.replace("{events}", "events"), params).fetchall()
        finally:
            db.close()


class PostgresTable:
    """Statements on the events table as the superuser."""

    def __init__(self, url):
        self.url = url

    def __call__(self, query, *params):
        rows = sql(
            self.url, query.replace("{events}", "timeline_events").replace("?", "%s"), *params
        )
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows or []
        ]


@pytest.fixture(
    params=["sqlite", "sqlite-own-connection", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def damageable(request, tmp_path):
    """A log with 5 records appended by itself, and a function running SQL on its table."""
    clock = tl.FixedClock(T0)
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        log = PostgresLog(url, clock=clock)
        table = PostgresTable(url)
    else:
        log = tl.SQLiteLog(tmp_path / "log.db", clock=clock)
        table = SQLiteTable(log, own=request.param == "sqlite-own-connection")
    log.append(barrages(0, 2), stream="air")
    log.append(barrages(2, 3), stream="air")
    yield log, table
    log.close()


def stored(table):
    return table("SELECT position, hash FROM {events} ORDER BY position")


def refused(log, table, position):
    before = stored(table)
    with pytest.raises(CorruptLog) as caught:
        log.append(barrages(10, 1), stream="air")
    assert caught.value.position == position
    assert stored(table) == before


def test_its_own_tail_changed_behind_its_back_is_refused(damageable):
    log, table = damageable
    table("UPDATE {events} SET payload = ? WHERE position = 5", b'{"launched":997}')
    refused(log, table, 5)


def test_its_own_tail_forged_and_rehashed_is_refused(damageable):
    log, table = damageable
    forge_launched(table, 5)
    refused(log, table, 5)


def forge_launched(table, position):
    """Change a record's ``launched`` to a value its validator refuses, and hash it again."""
    ((payload, previous, stream, version, stamp),) = table(
        "SELECT e.payload, b.hash, e.stream, e.version, e.recorded_at FROM {events} e"
        " JOIN {events} b ON b.position = e.position - 1 WHERE e.position = ?",
        position,
    )
    forged = orjson.dumps(
        {**orjson.loads(payload), "launched": "many"}, option=orjson.OPT_SORT_KEYS
    )
    table(
        "UPDATE {events} SET payload = ?, hash = ? WHERE position = ?",
        forged,
        chain_hash(previous, position, stream, version, stamp, forged),
        position,
    )


def another_log(log):
    """A second log object on the same storage (another writer)."""
    if isinstance(log, PostgresLog):
        return PostgresLog(log._url)
    return tl.SQLiteLog(log.path)


def test_a_tail_another_writer_forged_and_rehashed_is_refused(damageable):
    log, table = damageable
    forge_launched(table, 5)
    with another_log(log) as theirs:
        refused(theirs, table, 5)


def test_a_tail_another_writer_changed_is_refused(damageable):
    log, table = damageable
    table("UPDATE {events} SET payload = ? WHERE position = 5", b'{"launched":997}')
    with another_log(log) as theirs:
        refused(theirs, table, 5)


def test_a_row_it_wrote_deleted_behind_its_back_is_missing(damageable):
    log, table = damageable
    table("DELETE FROM {events} WHERE position = 3")  # neither the tail nor the one before
    refused(log, table, 3)


def test_the_hash_before_its_tail_changed_is_refused(damageable):
    log, table = damageable
    table("UPDATE {events} SET hash = ? WHERE position = 4", "0" * 64)
    with pytest.raises(CorruptLog):
        log.append(barrages(10, 1), stream="air")


def test_an_intact_log_takes_the_next_append_without_decoding_its_tail(damageable):
    log, _ = damageable
    [record] = log.append(barrages(10, 1), stream="air")
    assert record.position == 6
    assert log._trusted is None  # nothing was decoded
    assert log.verify().ok


def test_a_tail_another_writer_appended_is_read_back_and_decoded(tmp_path):
    path = tmp_path / "log.db"
    with tl.SQLiteLog(path) as mine, tl.SQLiteLog(path) as theirs:
        mine.append(barrages(0, 2), stream="air")
        theirs.append(barrages(2, 2), stream="air")
        mine.append(barrages(4, 1), stream="air")
        assert mine._trusted is not None  # the tail it did not write was decoded
        assert mine.verify().ok
        assert [r.position for r in theirs.read()] == [1, 2, 3, 4, 5]


def test_stored_record_is_the_row_as_stored(damageable):
    log, _ = damageable
    [raw] = [r for r in log.raw() if r.position == 3]
    assert log.stored_record(3)[:6] == raw[:6]
    assert log.stored_record(9) is None
