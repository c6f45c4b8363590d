"""Snapshots and read models kept in PostgreSQL, beside a PostgresLog.

Every test needs a server (``TIMELINE_PG_URL``) and runs in a schema of its own
(``pg_url`` in ``tests/conftest.py``).
"""

import datetime as dt
import subprocess
import sys
import textwrap
import threading

import pendulum
import pytest

import timeline as tl
from pg_admin import sql
from timeline.log import PostgresLog
from timeline.projections import (
    EscalationState,
    LiveProjection,
    PostgresSnapshotStore,
    ReadModel,
    replay,
)
from timeline.projections import live as live_module

psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.postgres

T0 = pendulum.datetime(2025, 6, 1)


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def barrage(hours: float, launched: int = 10) -> tl.DroneBarrage:
    return tl.DroneBarrage(occurred_at=at(hours), launched=launched)


@pytest.fixture
def log(pg_url):
    clock = tl.FixedClock(pendulum.datetime(2025, 7, 1), tick=dt.timedelta(minutes=1))
    with tl.open_log(pg_url, clock=clock) as log:
        yield log


# -- snapshots ----------------------------------------------------------------------------------


def test_snapshots_live_in_the_logs_schema_and_outlive_the_log_object(log, pg_url):
    log.append([barrage(h, launched=h) for h in range(1, 6)], stream="air")
    store = tl.snapshot_store(log)
    assert isinstance(store, PostgresSnapshotStore)
    taken = tl.take_snapshot(log, tl.Escalation(), store=store, as_of=at(3))
    full = tl.take_snapshot(log, tl.Escalation(), store=store)
    assert sql(pg_url, "SELECT count(*) FROM timeline_snapshots") == [(2,)]
    with tl.open_log(pg_url) as again:
        other = tl.snapshot_store(again)
        assert other.list("escalation") == [full, taken]  # no valid-time cut sorts first
        assert other.list("escalation", version=99) == []
        assert other.load(taken, EscalationState) == replay(log, tl.Escalation(), as_of=at(3))
        assert other.delete(full)
        assert not other.delete(full)
        assert other.list("escalation") == [taken]
        with pytest.raises(KeyError):
            other.load(full, EscalationState)
    assert log.verify().ok


def test_saving_under_the_same_key_replaces_the_snapshot(log):
    log.append([barrage(1)], stream="air")
    store = tl.snapshot_store(log)
    first = tl.take_snapshot(log, tl.Escalation(), store=store, as_of=at(2))
    again = tl.take_snapshot(log, tl.Escalation(), store=store, as_of=at(2))
    assert first.key == again.key
    assert store.list("escalation") == [again]


def test_replay_from_postgres_snapshots_equals_full_replay_with_late_and_corrected_events(
    log,
):
    early = log.append([barrage(h, launched=10 * h) for h in range(1, 8)], stream="air")
    store = tl.snapshot_store(log)
    for cut in (None, at(3), at(6)):
        tl.take_snapshot(log, tl.Escalation(), store=store, as_of=cut)
    log.append([barrage(2, launched=500)], stream="late")  # late: happened before the cuts
    fix = tl.Correction(occurred_at=at(9), corrects=early[4].event.event_id,
                        changes={"launched": 1})  # fmt: skip
    log.append([fix], stream="fixes")
    log.append([barrage(9, launched=7)], stream="air")
    fresh = tl.snapshot_store(log)  # nothing cached: every state read from the table
    for as_of in (None, at(1), at(3), at(5), at(8), at(10)):
        for known_at in (None, pendulum.datetime(2025, 7, 1, 0, 7)):
            expected = replay(log, tl.Escalation(), as_of=as_of, known_at=known_at)
            got = replay(log, tl.Escalation(), as_of=as_of, known_at=known_at, snapshots=fresh)
            assert got == expected, (as_of, known_at)


def test_a_live_projection_on_postgres_rebuilds_from_its_snapshots(log):
    log.append([barrage(h) for h in range(1, 4)], stream="air")
    store = tl.snapshot_store(log)
    with LiveProjection(log, tl.Escalation(), snapshots=store) as live:
        snapshot = live.save_snapshot()
        assert snapshot in store.list("escalation")
        log.append([barrage(0.5, launched=99)], stream="late")  # changes the past
        assert live.stale
        assert live.state == replay(log, tl.Escalation())
        assert live.rebuilds == 1


# -- read models ----------------------------------------------------------------------------------

SETUP = "CREATE TABLE IF NOT EXISTS seen (position bigint, event_id uuid)"


def remember(db, record):
    db.execute(
        "INSERT INTO seen (position, event_id) VALUES (%s, %s)",
        (record.position, record.event.event_id),
    )


def seen(url):
    return [p for (p,) in sql(url, "SELECT position FROM seen ORDER BY position")]


def stored_position(url, name="seen"):
    return sql(url, "SELECT position FROM timeline_read_models WHERE name = %s", name)[0][0]


def test_by_default_a_read_model_lives_in_the_logs_schema(log, pg_url):
    log.append([barrage(h) for h in range(7)], stream="air")
    with ReadModel(log, handler=remember, name="seen", setup=SETUP, batch=3) as model:
        assert model.run() == 7
        assert model.run() == 0
        log.append([barrage(8)], stream="air")
        assert model.run() == 1
        assert model.position == 8
    assert seen(pg_url) == list(range(1, 9))
    assert stored_position(pg_url) == 8
    assert log.verify().ok


def test_any_log_can_feed_a_read_model_in_postgresql(pg_url, tmp_path):
    with tl.open_log(tmp_path / "war.db") as sqlite_log:
        sqlite_log.append([barrage(h) for h in range(3)], stream="air")
        with ReadModel(sqlite_log, pg_url, handler=remember, name="seen", setup=SETUP) as model:
            assert model.run() == 3
    assert seen(pg_url) == [1, 2, 3]


def test_a_handler_that_raises_rolls_back_its_batch_and_the_rerun_applies_it_once(log, pg_url):
    log.append([barrage(h) for h in range(10)], stream="air")
    failing = {6}

    def flaky(conn, record):
        remember(conn, record)
        if record.position in failing:
            failing.discard(record.position)
            raise RuntimeError("the disk is full")

    with ReadModel(log, handler=flaky, name="seen", setup=SETUP, batch=4) as model:
        with pytest.raises(RuntimeError):
            model.run()
        assert model.position == 4  # the first batch (1-4) committed, 5-8 rolled back
        assert seen(pg_url) == [1, 2, 3, 4]
        assert model.run() == 6
    assert seen(pg_url) == list(range(1, 11))


def test_a_handlers_sql_error_reaches_the_caller_as_it_is(log):
    log.append([barrage(1)], stream="air")

    def broken(conn, record):  # noqa: ARG001  # the record is not needed to fail
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    with ReadModel(log, handler=broken, name="seen", setup=SETUP) as model:
        with pytest.raises(psycopg.errors.UndefinedTable):
            model.run()
        assert model.position == 0  # rolled back, and the connection still serves


def test_a_handler_may_not_end_the_transaction(log):
    log.append([barrage(1)], stream="air")

    def committing(conn, record):
        remember(conn, record)
        conn.execute("COMMIT")

    with (
        ReadModel(log, handler=committing, name="seen", setup=SETUP) as model,
        pytest.raises(tl.TimelineError, match="must not commit"),
    ):
        model.run()


def test_follow_applies_appends_and_wait_brings_other_writers_appends(log, pg_url):
    log.append([barrage(1)], stream="air")
    with ReadModel(log, handler=remember, name="seen", setup=SETUP).follow() as model:
        assert seen(pg_url) == [1]
        log.append([barrage(2), barrage(3)], stream="air")
        assert seen(pg_url) == [1, 2, 3]
        with tl.open_log(pg_url) as theirs:
            theirs.append([barrage(4)], stream="air")
        assert seen(pg_url) == [1, 2, 3]
        assert log.wait(30) == 1
        assert seen(pg_url) == [1, 2, 3, 4]
        assert model.position == 4


def test_two_runners_at_once_never_apply_a_record_twice(log, pg_url):
    log.append([barrage(h % 24, launched=h) for h in range(300)], stream="air")
    errors = []

    def run():
        try:
            with ReadModel(log, handler=remember, name="seen", setup=SETUP, batch=7) as model:
                model.run()
        except Exception as e:  # noqa: BLE001  # pragma: no cover  # reported by the assert
            errors.append(e)

    runners = [threading.Thread(target=run) for _ in range(3)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert errors == []
    assert seen(pg_url) == list(range(1, 301))
    assert stored_position(pg_url) == 300


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    import timeline as tl
    from timeline.projections import ReadModel

    url, kill_at = sys.argv[1], int(sys.argv[2])

    def handler(conn, record):
        conn.execute("INSERT INTO seen (position, event_id) VALUES (%s, %s)",
                     (record.position, record.event.event_id))
        if record.position == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)  # dies mid-batch, its writes uncommitted

    with tl.open_log(url) as log:
        ReadModel(log, handler=handler, name="seen", batch=25,
                  setup="CREATE TABLE IF NOT EXISTS seen (position bigint, event_id uuid)").run()
    """
)


def test_a_process_killed_mid_batch_resumes_without_repeating_or_skipping(log, pg_url):
    log.append([barrage(h % 24, launched=h) for h in range(100)], stream="air")
    command = [sys.executable, "-c", CHILD, pg_url, "60"]  # this interpreter, the script above
    killed = subprocess.run(command, check=False, timeout=120)  # noqa: S603  # see above
    assert killed.returncode == -9
    assert seen(pg_url) == list(range(1, 51))  # batches 1-25 and 26-50 committed
    with ReadModel(log, handler=remember, name="seen", setup=SETUP) as model:
        assert model.position == 50
        assert model.run() == 50
    assert seen(pg_url) == list(range(1, 101))


def test_a_read_model_names_the_field_of_a_bad_argument(log):
    with pytest.raises(tl.InvalidArgument) as caught:
        ReadModel(log, handler=remember, name=" ")
    assert caught.value.argument == "name"
    assert isinstance(log, PostgresLog)


def test_a_session_holding_the_read_models_lock_delays_a_new_model_only_up_to_the_timeout(
    pg_url, tmp_path, monkeypatch
):
    """Any role may take an advisory lock: creating a read model waits at most its timeout."""
    monkeypatch.setattr(live_module, "CREATE_LOCK_TIMEOUT", 0.3)
    with tl.open_log(tmp_path / "war.db") as sqlite_log:
        with psycopg.connect(pg_url, autocommit=True) as hostile:
            hostile.execute("SELECT pg_advisory_lock(hashtext('timeline_read_models'))")
            with pytest.raises(tl.LockTimeout, match="creates its tables") as caught:
                ReadModel(sqlite_log, pg_url, handler=remember, name="seen", setup=SETUP)
            assert caught.value.timeout == 0.3
        with ReadModel(sqlite_log, pg_url, handler=remember, name="seen", setup=SETUP) as model:
            assert model.run() == 0  # made once the lock is let go
