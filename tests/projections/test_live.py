"""Live projections equal replay after every append; read models apply each record once."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.log import SQLiteLog
from timeline.projections import LiveProjection, MemorySnapshotStore, ReadModel, replay
from timeline.store import standard_guards
from timeline.time import isoformat

T0 = pendulum.datetime(2025, 6, 1)
R0 = pendulum.datetime(2025, 7, 1)


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def clock() -> tl.FixedClock:
    return tl.FixedClock(R0, tick=dt.timedelta(minutes=1))


def barrage(hours: float, launched: int = 10, **kw) -> tl.DroneBarrage:
    return tl.DroneBarrage(occurred_at=at(hours), attacker="Russia", launched=launched, **kw)


class Seen:
    name, version = "seen", 1
    state_type = tuple[tl.Event, ...]

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, event)


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def log(request, tmp_path):
    url = {"memory": "memory:", "sqlite": tmp_path / "t.db", "jsonl": tmp_path / "t.jsonl"}
    with tl.open_log(url[request.param], clock=clock()) as log:
        yield log


# -- LiveProjection ------------------------------------------------------------------------------


def test_it_starts_from_the_log_as_it_stands_and_follows_it(log):
    log.append([barrage(1), barrage(2)], stream="air")
    live = LiveProjection(log, Seen())
    assert (live.state, live.position) == (replay(log, Seen()), 2)
    log.append([barrage(3), barrage(3)], stream="air")
    assert (live.state, live.position) == (replay(log, Seen()), 4)
    assert live.rebuilds == 0


def test_events_in_valid_time_order_are_folded_without_a_rebuild(log):
    live = LiveProjection(log, tl.Escalation())
    for h in range(5):
        log.append([barrage(h, launched=h + 1), barrage(h, launched=1)], stream="air")
        assert not live.stale
        assert live.state == replay(log, tl.Escalation())
    assert live.rebuilds == 0


def test_a_late_report_makes_it_stale_and_the_next_read_rebuilds_it(log):
    live = LiveProjection(log, Seen())
    log.append([barrage(5), barrage(6)], stream="air")
    log.append([barrage(2, launched=99)], stream="air")  # recorded now, happened earlier
    assert live.stale
    assert live.state == replay(log, Seen())
    assert [e.launched for e in live.state] == [99, 10, 10]
    assert (live.stale, live.rebuilds) == (False, 1)
    log.append([barrage(7)], stream="air")
    assert live.state == replay(log, Seen())
    assert live.rebuilds == 1


def test_many_late_reports_in_a_row_cost_one_rebuild(log):
    live = LiveProjection(log, Seen())
    log.append([barrage(10)], stream="air")
    for h in range(5):
        log.append([barrage(h)], stream="air")
    assert live.state == replay(log, Seen())
    assert live.rebuilds == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda e: tl.Correction(occurred_at=at(9), corrects=e.event_id, changes={"launched": 1}),
        lambda e: tl.Correction(
            occurred_at=at(9), corrects=e.event_id, changes={"occurred_at": isoformat(at(8))}
        ),
        lambda e: tl.Retraction(occurred_at=at(9), retracts=e.event_id),
    ],
)
def test_corrections_and_retractions_are_reflected(log, make):
    first = barrage(1)
    live = LiveProjection(log, Seen())
    log.append([first, barrage(2)], stream="air")
    log.append([make(first)], stream="air")
    assert live.stale
    assert live.state == replay(log, Seen())


def test_a_fixed_as_of_cut(log):
    live = LiveProjection(log, Seen(), as_of=at(3))
    log.append([barrage(1), barrage(4)], stream="air")
    assert live.state == replay(log, Seen(), as_of=at(3))
    assert not live.stale  # an event beyond the cut changes nothing
    log.append([barrage(2)], stream="air")
    assert live.state == replay(log, Seen(), as_of=at(3))


def test_recorded_order(log):
    live = LiveProjection(log, Seen(), order="recorded")
    first = barrage(5)
    log.append([first, barrage(1)], stream="air")
    assert not live.stale  # in recorded order, an earlier event is no surprise
    assert live.state == replay(log, Seen(), order="recorded")
    log.append([tl.Retraction(occurred_at=at(9), retracts=first.event_id)], stream="air")
    assert live.state == replay(log, Seen(), order="recorded")


def test_poll_takes_in_what_another_writer_appended(tmp_path):
    path = tmp_path / "t.db"
    with tl.open_log(path) as mine, tl.open_log(path) as theirs:
        live = LiveProjection(mine, Seen())
        theirs.append([barrage(1), barrage(2)], stream="air")
        assert live.position == 0
        assert live.poll() == 2
        assert (live.state, live.position) == (replay(mine, Seen()), 2)


def test_closed_it_stops_following(log):
    live = LiveProjection(log, Seen())
    live.close()
    log.append([barrage(1)], stream="air")
    assert (live.state, live.position) == ((), 0)


def test_it_starts_and_rebuilds_from_snapshots(tmp_path):
    with tl.open_log(tmp_path / "t.db", clock=clock()) as log:
        log.append([barrage(h) for h in range(6)], stream="air")
        store = tl.snapshot_store(log)
        tl.take_snapshot(log, Seen(), as_of=at(3), store=store)
        loads = []
        load = store.load

        def spy(snapshot, state_type):
            loads.append(snapshot)
            return load(snapshot, state_type)

        store.load = spy
        live = LiveProjection(log, Seen(), snapshots=store)
        assert live.state == replay(log, Seen())
        assert len(loads) == 1
        log.append([barrage(4.5, launched=1)], stream="air")  # late, but after the snapshot
        assert live.state == replay(log, Seen())
        assert (live.rebuilds, len(loads)) == (1, 2)


def test_save_snapshot_then_restart_from_it(log):
    store = MemorySnapshotStore()
    live = LiveProjection(log, Seen(), snapshots=store)
    log.append([barrage(h) for h in range(4)], stream="air")
    snap = live.save_snapshot()
    assert (snap.as_of, snap.position) == (at(3), 4)
    live.close()
    log.append([barrage(5), barrage(3.5)], stream="air")
    again = LiveProjection(log, Seen(), snapshots=store)
    assert again.state == replay(log, Seen())


def test_save_snapshot_needs_a_store(log):
    with pytest.raises(tl.InvalidArgument) as caught:
        LiveProjection(log, Seen()).save_snapshot()
    assert caught.value.argument == "snapshots"


def test_bad_arguments_are_refused(log):
    with pytest.raises(tl.InvalidArgument):
        LiveProjection(log, Seen(), order="alphabetical")
    with pytest.raises(tl.InvalidArgument):
        LiveProjection(log, Seen(), order="recorded", snapshots=MemorySnapshotStore())
    with pytest.raises(tl.InvalidArgument):
        LiveProjection(log, Seen(), as_of=dt.datetime(2025, 6, 1))  # noqa: DTZ001  # the refusal under test


@st.composite
def appends(draw):
    """Appends of barrages (often late), corrections of figures and times, retractions."""
    plan, appended = [], []
    for _ in range(draw(st.integers(1, 10))):
        batch = [
            barrage(draw(st.integers(0, 30)), launched=draw(st.integers(0, 40)))
            for _ in range(draw(st.integers(0, 3)))
        ]
        if appended and draw(st.booleans()):
            target = draw(st.sampled_from(appended))
            changes = draw(
                st.sampled_from(
                    [
                        {"launched": target.launched + 1},
                        {"occurred_at": isoformat(at(draw(st.integers(0, 30))))},
                    ]
                )
            )
            batch.append(
                tl.Correction(occurred_at=at(40), corrects=target.event_id, changes=changes)
            )
        if appended and draw(st.integers(0, 3)) == 0:
            gone = draw(st.sampled_from(appended))
            appended.remove(gone)
            batch.append(tl.Retraction(occurred_at=at(40), retracts=gone.event_id))
        if batch:
            plan.append(batch)
            appended += [e for e in batch if isinstance(e, tl.DroneBarrage)]
    return plan


@settings(max_examples=40)
@given(
    plan=appends(),
    as_of=st.none() | st.integers(0, 30).map(at),
    order=st.sampled_from(["occurred", "recorded"]),
    backend=st.sampled_from(["memory", "sqlite"]),
    snapshot_every=st.none() | st.integers(1, 3),
)
def test_live_equals_replay_after_every_append(plan, as_of, order, backend, snapshot_every):
    if backend == "memory":
        log = tl.open_log("memory:", clock=clock())
    else:
        log = SQLiteLog(":memory:", clock=clock(), guards=standard_guards())
    with log:
        store = None
        if order == "occurred" and snapshot_every is not None:
            store = tl.snapshot_store(log)
        projections = [Seen(), tl.Escalation()]
        lives = [
            LiveProjection(log, p, as_of=as_of, order=order, snapshots=store, batch=2)
            for p in projections
        ]
        for i, batch in enumerate(plan, 1):
            log.append(batch, stream="air")
            for p, live in zip(projections, lives, strict=True):
                assert live.position == len(log)
                assert live.state == replay(log, p, as_of=as_of, order=order)
                if store is not None and i % snapshot_every == 0:
                    live.save_snapshot()
        if store is not None:  # restarting from the snapshots taken gives the same state
            for p in projections:
                fresh = LiveProjection(log, p, as_of=as_of, snapshots=store)
                assert fresh.state == replay(log, p, as_of=as_of)


# -- ReadModel -------------------------------------------------------------------------------


SETUP = "CREATE TABLE IF NOT EXISTS seen (position INTEGER, event_id TEXT)"


def remember(db, record):
    db.execute(
        "INSERT INTO seen (position, event_id) VALUES (?, ?)",
        (record.position, str(record.event.event_id)),
    )


def seen(path):
    with sqlite3.connect(path) as db:
        return [p for (p,) in db.execute("SELECT position FROM seen ORDER BY rowid")]


def stored_position(path, name="seen"):
    with sqlite3.connect(path) as db:
        row = db.execute("SELECT position FROM timeline_read_models WHERE name = ?", (name,))
        return row.fetchone()[0]


@pytest.fixture
def sqlite_log(tmp_path):
    with tl.open_log(tmp_path / "war.db", clock=clock()) as log:
        yield log


def test_run_applies_every_record_once_and_stores_the_position(sqlite_log, tmp_path):
    sqlite_log.append([barrage(h) for h in range(7)], stream="air")
    db = tmp_path / "model.db"
    with ReadModel(sqlite_log, db, handler=remember, name="seen", setup=SETUP, batch=3) as model:
        assert model.run() == 7
        assert model.run() == 0
        sqlite_log.append([barrage(8)], stream="air")
        assert model.run() == 1
        assert model.position == 8
    assert seen(db) == list(range(1, 9))
    assert stored_position(db) == 8


def test_by_default_the_tables_live_in_the_logs_own_database(sqlite_log):
    sqlite_log.append([barrage(1)], stream="air")
    with ReadModel(sqlite_log, handler=remember, name="seen", setup=SETUP) as model:
        model.run()
    assert seen(sqlite_log.path) == [1]
    assert sqlite_log.verify().ok


def test_a_log_without_a_file_needs_a_database():
    with pytest.raises(tl.InvalidArgument) as caught:
        ReadModel(tl.open_log("memory:"), handler=remember, name="seen")
    assert caught.value.argument == "database"


def test_any_log_can_feed_a_read_model(log, tmp_path):
    log.append([barrage(h) for h in range(3)], stream="air")
    db = tmp_path / "model.db"
    with ReadModel(log, db, handler=remember, name="seen", setup=SETUP) as model:
        assert model.run() == 3
    assert seen(db) == [1, 2, 3]


def test_a_handler_that_raises_rolls_back_its_batch_and_the_rerun_applies_it_once(
    sqlite_log, tmp_path
):
    sqlite_log.append([barrage(h) for h in range(10)], stream="air")
    db = tmp_path / "model.db"
    failing = {6}

    def flaky(conn, record):
        remember(conn, record)
        if record.position in failing:
            failing.discard(record.position)
            raise RuntimeError("the disk is full")

    with ReadModel(sqlite_log, db, handler=flaky, name="seen", setup=SETUP, batch=4) as model:
        with pytest.raises(RuntimeError):
            model.run()
        assert model.position == 4  # the first batch (1-4) committed, 5-8 rolled back
        assert seen(db) == [1, 2, 3, 4]
        assert model.run() == 6
    assert seen(db) == list(range(1, 11))


def test_a_handler_may_not_end_the_transaction(sqlite_log, tmp_path):
    sqlite_log.append([barrage(1)], stream="air")

    def committing(conn, record):
        remember(conn, record)
        conn.execute("COMMIT")

    with (
        ReadModel(sqlite_log, tmp_path / "m.db", handler=committing, name="seen", setup=SETUP) as m,
        pytest.raises(tl.TimelineError, match="must not commit"),
    ):
        m.run()


def test_only_the_types_asked_for_reach_the_handler(sqlite_log, tmp_path):
    said = tl.Statement(occurred_at=at(1), speaker="Fidan", text="welcome")
    sqlite_log.append([barrage(1), said, barrage(2)], stream="s")
    db = tmp_path / "m.db"
    with ReadModel(
        sqlite_log, db, handler=remember, name="seen", setup=SETUP, types=[tl.DroneBarrage]
    ) as model:
        assert model.run() == 3
        assert model.position == 3
    assert seen(db) == [1, 3]


def test_follow_applies_appends_as_they_are_committed_and_poll_the_rest(tmp_path):
    path = tmp_path / "war.db"
    db = tmp_path / "model.db"
    with tl.open_log(path) as mine, tl.open_log(path) as theirs:
        mine.append([barrage(1)], stream="air")
        model = ReadModel(mine, db, handler=remember, name="seen", setup=SETUP).follow()
        assert seen(db) == [1]
        mine.append([barrage(2), barrage(3)], stream="air")
        assert seen(db) == [1, 2, 3]
        theirs.append([barrage(4)], stream="air")
        assert seen(db) == [1, 2, 3]
        assert model.poll() == 1
        assert seen(db) == [1, 2, 3, 4]
        model.close()


def test_a_following_model_pauses_on_an_error_and_poll_retries(sqlite_log, tmp_path):
    db = tmp_path / "model.db"
    failures = [RuntimeError("locked")]

    def flaky(conn, record):
        if failures:
            raise failures.pop()
        remember(conn, record)

    with ReadModel(sqlite_log, db, handler=flaky, name="seen", setup=SETUP).follow() as model:
        sqlite_log.append([barrage(1), barrage(2)], stream="air")  # the append stands
        assert len(sqlite_log) == 2
        assert isinstance(model.error, RuntimeError)
        assert model.position == 0
        assert model.poll() == 2
        assert model.error is None
    assert seen(db) == [1, 2]


def test_two_runners_of_one_model_never_apply_a_record_twice(sqlite_log, tmp_path):
    sqlite_log.append([barrage(h) for h in range(6)], stream="air")
    db = tmp_path / "model.db"
    one = ReadModel(sqlite_log, db, handler=remember, name="seen", setup=SETUP, batch=4)
    two = ReadModel(sqlite_log, db, handler=remember, name="seen", setup=SETUP, batch=4)
    records = list(sqlite_log.read())
    assert one._apply(records[:4]) == 4
    assert two._apply(records[:4]) == 0  # stale: the other runner applied them
    assert two._apply(records[2:6]) == 2
    with pytest.raises(tl.TimelineError, match="skipped"):
        one._apply([_later(records)])
    one.close()
    two.close()
    assert seen(db) == [1, 2, 3, 4, 5, 6]


def _later(records):
    """A record beyond the stored position's successor: handing it over would skip some."""
    last = records[-1]
    return tl.Recorded(last.position + 2, last.stream, last.version + 2, last.recorded_at,
                       last.event, last.hash)  # fmt: skip


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    import timeline as tl
    from timeline.projections import ReadModel

    log_path, db_path, kill_at, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def handler(conn, record):
        conn.execute(
            "INSERT INTO seen (position, event_id) VALUES (?, ?)",
            (record.position, str(record.event.event_id)),
        )
        if record.position == kill_at:
            if mode == "self":
                os.kill(os.getpid(), signal.SIGKILL)  # dies mid-batch, its writes uncommitted
            print("working", flush=True)  # the parent kills us from here on

    with tl.open_log(log_path) as log:
        model = ReadModel(log, db_path, handler=handler, name="seen", batch=25,
                          setup="CREATE TABLE IF NOT EXISTS seen (position INTEGER, event_id TEXT)")
        model.run()
        print("done", flush=True)
    """
)


def run_child(tmp_path, kill_at, mode):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    return subprocess.Popen(  # noqa: S603  # our own script, run by our own interpreter
        [sys.executable, str(script), str(tmp_path / "war.db"), str(tmp_path / "m.db"),
         str(kill_at), mode],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def test_a_process_killed_mid_batch_resumes_without_repeating_or_skipping(tmp_path):
    with tl.open_log(tmp_path / "war.db") as log:
        log.append([barrage(h % 24, launched=h) for h in range(200)], stream="air")
    child = run_child(tmp_path, kill_at=60, mode="self")
    assert child.communicate(timeout=60)[0] == ""
    assert child.returncode == -signal.SIGKILL
    db = tmp_path / "m.db"
    assert stored_position(db) == 50  # two batches of 25 committed; the third died
    assert seen(db) == list(range(1, 51))
    child = run_child(tmp_path, kill_at=0, mode="self")  # restart: nothing kills it now
    assert child.communicate(timeout=60)[0].split() == ["done"]
    assert stored_position(db) == 200
    assert seen(db) == list(range(1, 201))


def test_a_process_killed_from_outside_resumes_without_repeating_or_skipping(tmp_path):
    with tl.open_log(tmp_path / "war.db") as log:
        log.append([barrage(h % 24, launched=h) for h in range(3000)], stream="air")
    child = run_child(tmp_path, kill_at=40, mode="outside")
    assert child.stdout.readline().strip() == "working"
    os.kill(child.pid, signal.SIGKILL)  # wherever it is: in a handler, a commit, a read
    child.communicate(timeout=60)
    assert child.returncode in (-signal.SIGKILL, 0)  # 0 only if it finished first
    db = tmp_path / "m.db"
    position = stored_position(db)
    assert seen(db) == list(range(1, position + 1))  # the tables agree with the position
    child = run_child(tmp_path, kill_at=0, mode="outside")
    assert child.communicate(timeout=120)[0].split() == ["done"]
    assert seen(db) == list(range(1, 3001))
