"""PostgresLog's write lock: one a reader cannot hold hostage (issue 14, finding 4).

Writers lock the one row of ``timeline_lock`` (``SELECT ... FOR UPDATE``), which needs the
``UPDATE`` privilege a read-only role lacks; the advisory lock of schema version 1 could be
taken by any role and stopped every writer for as long as it was held. Every wait is bounded
by the log's ``lock_timeout``, after which an append raises ``LockTimeout``.
"""

import threading
import time

import pendulum
import pytest

import timeline as tl
from pg_admin import as_role, drop_role, login_role, sql
from timeline.log.postgres import SCHEMA_VERSION, PostgresLog

psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.postgres

T0 = pendulum.datetime(2025, 6, 2, 8)

#: schema version 1's advisory lock key: "time" in the high half, the events table's oid below.
OLD_LOCK_SPACE = 0x74696D65 << 32


def statements(n, *, start=0):
    return [
        tl.Statement(occurred_at=T0.add(minutes=start + i), speaker="Hakan Fidan", text=str(i))
        for i in range(n)
    ]


def positions(records):
    return [r.position for r in records]


@pytest.fixture
def role(pg_url):
    """A role of the test's own, made with LOGIN only; dropped (with its grants) afterwards."""
    name = login_role(pg_url)
    yield name
    drop_role(pg_url, name)


def grant_read_only(url, schema, role):
    """The GRANTs of docs/postgres.md, "A read-only role"."""
    sql(url, f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    sql(url, f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}")


@pytest.fixture
def log(pg_url):
    with PostgresLog(pg_url) as log:
        log.append(statements(3), stream="s")
        yield log


def test_a_read_only_role_cannot_take_the_write_lock_nor_delay_a_writer(log, pg_url, role):
    grant_read_only(pg_url, log.schema, role)
    [(oid,)] = sql(pg_url, "SELECT 'timeline_events'::regclass::oid::bigint")
    with psycopg.connect(as_role(pg_url, role)) as hostile:  # one open transaction throughout
        # Every row lock on the lock table needs UPDATE, which the role lacks.
        for strength in ("UPDATE", "NO KEY UPDATE", "SHARE", "KEY SHARE"):
            with hostile.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege):
                hostile.execute(f"SELECT * FROM timeline_lock FOR {strength}")
        for mode in ("ROW SHARE", "SHARE", "EXCLUSIVE", "ACCESS EXCLUSIVE"):
            with hostile.transaction(), pytest.raises(psycopg.errors.InsufficientPrivilege):
                hostile.execute(f"LOCK TABLE timeline_lock IN {mode} MODE")
        # What it may take, it takes, and holds while a writer appends.
        hostile.execute(
            "LOCK TABLE timeline_lock, timeline_events, timeline_meta IN ACCESS SHARE MODE"
        )
        hostile.execute("SELECT pg_advisory_lock(%s)", (OLD_LOCK_SPACE | oid,))  # version 1's
        hostile.execute(
            "SELECT pg_advisory_lock(hashtext('timeline'), hashtext(%s))", (log.schema,)
        )
        hostile.execute("SELECT * FROM timeline_lock").fetchall()
        hostile.execute("SELECT * FROM timeline_events").fetchall()
        # A writer that would give up after one second of waiting appends, twice.
        with PostgresLog(pg_url, lock_timeout=1.0) as writer:
            assert positions(writer.append(statements(2, start=3), stream="s")) == [4, 5]
            assert positions(writer.append(statements(1, start=5), stream="t")) == [6]
        with PostgresLog(pg_url, lock_timeout=1.0) as opener:  # opening waits for nothing either
            assert len(opener) == 6
        hostile.rollback()
    # The role's own log object is refused at once, not left waiting.
    with PostgresLog(as_role(pg_url, role), lock_timeout=1.0) as reader:
        assert len(reader) == 6
        with pytest.raises(tl.TimelineError, match="permission denied") as caught:
            reader.append(statements(1, start=9), stream="s")
        assert not isinstance(caught.value, tl.LockTimeout)
    assert log.verify().ok


def test_a_held_write_lock_makes_another_writer_raise_lock_timeout(log, pg_url):
    with PostgresLog(pg_url, lock_timeout=0.5) as patient:
        with log.writing():  # a writer inside its append, holding the lock
            with pytest.raises(tl.LockTimeout) as caught:
                patient.append(statements(1, start=10), stream="s", expected_version=3)
            error = caught.value
            assert isinstance(error, tl.ConcurrencyError)
            assert (error.log, error.timeout) == (patient.where, 0.5)
            assert patient.where in str(error)
            assert "0.5 s" in str(error)
            assert "nothing was written" in str(error)
        assert len(patient) == 3  # nothing was written
        assert positions(patient.append(statements(1, start=10), stream="s")) == [4]
    assert log.verify().ok


def test_the_lock_timeout_covers_the_whole_append(log, pg_url):
    """A lock the insert waits for (another session's uncommitted row) is bounded too."""
    [event] = statements(1, start=20)
    with psycopg.connect(pg_url) as other:  # a rogue session ignoring the lock row
        other.execute(
            "INSERT INTO timeline_events (position, event_id, stream, version, type,"
            " occurred_at, recorded_at, payload, hash) VALUES (4, %s, 'x', 1, 't', '', '', '', '')",
            (event.event_id,),
        )
        with PostgresLog(pg_url, lock_timeout=0.5) as writer, pytest.raises(tl.LockTimeout):
            writer.append([event], stream="s")
        other.rollback()
    assert len(log) == 3


def test_each_append_sets_the_timeout_for_its_own_transaction_only(log):
    with log.writing(), log.connection() as conn:
        assert conn.execute("SHOW lock_timeout").fetchone() == ("10s",)
    with log.connection() as conn:
        assert conn.execute("SHOW lock_timeout").fetchone() == ("0",)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "10", True, None])
def test_a_lock_timeout_that_makes_no_sense_is_refused(pg_url, timeout):
    with pytest.raises(tl.InvalidArgument) as caught:
        PostgresLog(pg_url, lock_timeout=timeout)
    assert caught.value.argument == "lock_timeout"


def test_a_reader_holding_the_creation_lock_delays_a_new_log_only_up_to_the_timeout(pg_url, role):
    schema = sql(pg_url, "SELECT current_schema()")[0][0]
    sql(pg_url, f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    with psycopg.connect(as_role(pg_url, role), autocommit=True) as hostile:
        hostile.execute("SELECT pg_advisory_lock(hashtext('timeline'), hashtext(%s))", (schema,))
        with pytest.raises(tl.LockTimeout, match="creating the tables"):
            PostgresLog(pg_url, lock_timeout=0.3)
    with PostgresLog(pg_url) as log:  # created once it is let go
        assert len(log) == 0


def test_a_reader_holding_the_snapshot_tables_lock_delays_the_store_only_up_to_the_timeout(
    pg_url, role
):
    schema = sql(pg_url, "SELECT current_schema()")[0][0]
    sql(pg_url, f"GRANT USAGE ON SCHEMA {schema} TO {role}")
    with PostgresLog(pg_url, lock_timeout=0.3) as log:
        with psycopg.connect(as_role(pg_url, role), autocommit=True) as hostile:
            hostile.execute(
                "SELECT pg_advisory_lock(hashtext('timeline_snapshots'), hashtext(%s))", (schema,)
            )
            started = time.monotonic()
            with pytest.raises(tl.LockTimeout, match="snapshots table") as caught:
                log.snapshot_store()
            assert time.monotonic() - started < 5
            assert caught.value.timeout == 0.3
        store = log.snapshot_store()  # made once the lock is let go
        assert store.list("escalation", 1) == []


# -- logs written at schema version 1 --------------------------------------------------------


def make_version_1(url):
    """Turn the log at ``url`` into what schema version 1 left: no lock table."""
    sql(url, "DROP TABLE timeline_lock")
    sql(url, "UPDATE timeline_meta SET value = '1' WHERE key = 'schema_version'")


def schema_version(url):
    return sql(url, "SELECT value FROM timeline_meta WHERE key = 'schema_version'")[0][0]


def test_a_version_1_log_is_upgraded_by_its_owner_and_carries_on(log, pg_url):
    records = list(log.read())
    log.close()
    make_version_1(pg_url)
    with PostgresLog(pg_url) as upgraded:
        assert schema_version(pg_url) == str(SCHEMA_VERSION)
        assert sql(pg_url, "SELECT name FROM timeline_lock") == [("append",)]
        assert list(upgraded.read()) == records
        assert positions(upgraded.append(statements(1, start=3), stream="s")) == [4]
        assert upgraded.verify().ok


def test_a_version_1_log_opened_by_a_reader_is_read_and_not_upgraded(log, pg_url, role):
    records = list(log.read())
    log.close()
    make_version_1(pg_url)
    schema = sql(pg_url, "SELECT current_schema()")[0][0]
    grant_read_only(pg_url, schema, role)
    sql(pg_url, f"GRANT INSERT ON {schema}.timeline_events TO {role}")  # even a writer role
    with PostgresLog(as_role(pg_url, role)) as reader:
        assert list(reader.read()) == records
        assert reader.verify().ok
        with pytest.raises(tl.TimelineError, match="schema version 1") as caught:
            reader.append(statements(1, start=3), stream="s")
        assert "open it once as a role that owns its tables" in str(caught.value)
    assert schema_version(pg_url) == "1"
    assert len(records) == 3


def test_writers_opening_a_version_1_log_at_once_upgrade_it_once(log, pg_url):
    log.close()
    make_version_1(pg_url)
    opened, failures = [], []

    def open_one():
        try:
            opened.append(PostgresLog(pg_url))
        except Exception as e:  # noqa: BLE001  # collected, asserted below
            failures.append(e)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for i, writer in enumerate(opened):
        writer.append(statements(1, start=10 + i), stream="s")
        writer.close()
    assert schema_version(pg_url) == str(SCHEMA_VERSION)
    with PostgresLog(pg_url) as again:
        assert positions(again.read()) == [1, 2, 3, 4, 5, 6, 7]


def test_a_lock_table_that_lost_its_row_gets_it_back_on_the_next_append(log, pg_url):
    sql(pg_url, "DELETE FROM timeline_lock")
    assert positions(log.append(statements(1, start=3), stream="s")) == [4]
    assert sql(pg_url, "SELECT name FROM timeline_lock") == [("append",)]
    assert positions(log.read()) == [1, 2, 3, 4]
    assert log.verify().ok
