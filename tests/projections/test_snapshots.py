"""Snapshots: snapshot + tail equals full replay, always; stores; what invalidates one."""

import datetime as dt
import importlib.util
import sqlite3
import sys
import uuid
from pathlib import Path

import attrs
import orjson
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.log import SQLiteLog
from timeline.projections import (
    MemorySnapshotStore,
    Snapshot,
    SnapshotStore,
    SQLiteSnapshotStore,
    StateCodec,
    replay,
    snapshot_store,
    take_snapshot,
)
from timeline.projections.escalation import EscalationState
from timeline.projections.resolution import MetaIndex, meta_index
from timeline.store import standard_guards
from timeline.testing.strategies import log_scripts
from timeline.time import isoformat

T0 = pendulum.datetime(2025, 6, 1)  # valid time of the story
R0 = pendulum.datetime(2025, 7, 1)  # transaction time: the log starts recording


def at(hours: float) -> pendulum.DateTime:
    return T0 + dt.timedelta(hours=hours)


def clock() -> tl.FixedClock:
    return tl.FixedClock(R0, tick=dt.timedelta(minutes=1))


class Seen:
    """Every event, as folded: the strictest projection (order and content both show)."""

    name, version = "seen", 1
    state_type = tuple[tl.Event, ...]

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, event)


@attrs.frozen
class Tally:
    launched: int = 0
    reports: int = 0
    last: pendulum.DateTime | None = None


class Launched:
    """A small attrs state: drones launched and when the latest report was."""

    name, version = "launched", 1

    def initial(self):
        return Tally()

    def apply(self, state, event):
        n = getattr(event, "launched", None) or 0
        return Tally(state.launched + n, state.reports + 1, event.occurred_at)


class Spy:
    """A store that counts the states it hands out: whether a snapshot was used."""

    def __init__(self, store):
        self.store = store
        self.loads = []

    def save(self, snapshot, state, state_type):
        self.store.save(snapshot, state, state_type)

    def load(self, snapshot, state_type):
        self.loads.append(snapshot)
        return self.store.load(snapshot, state_type)

    def list(self, name, version=None):
        return self.store.list(name, version)

    def delete(self, snapshot):
        return self.store.delete(snapshot)


def barrage(hours: float, launched: int = 10, **kw) -> tl.DroneBarrage:
    return tl.DroneBarrage(occurred_at=at(hours), attacker="Russia", launched=launched, **kw)


@pytest.fixture(params=["memory", "sqlite", "jsonl"])
def log(request, tmp_path):
    url = {"memory": "memory:", "sqlite": tmp_path / "t.db", "jsonl": tmp_path / "t.jsonl"}
    with tl.open_log(url[request.param], clock=clock()) as log:
        yield log


@pytest.fixture
def store(log):
    return Spy(snapshot_store(log))


def full(log, projection, **cuts):
    return replay(log, projection, **cuts)


def fast(log, projection, store, **cuts):
    """Replay from the store; ``store.loads`` then lists the snapshots this replay used."""
    store.loads.clear()
    return replay(log, projection, snapshots=store, **cuts)


# -- the ordinary case -------------------------------------------------------------------------


def test_a_snapshot_is_used_and_only_the_tail_is_folded(log, store):
    log.append([barrage(h, launched=h + 1) for h in range(10)], stream="air")
    snap = take_snapshot(log, Launched(), as_of=at(4), store=store)
    assert (snap.name, snap.version, snap.as_of, snap.position) == ("launched", 1, at(4), 10)
    assert snap.known_at == R0
    assert snap.head == log.head().hash
    log.append([barrage(h, launched=h + 1) for h in range(10, 14)], stream="air")
    for cut in (at(4), at(7), at(12), None):
        assert fast(log, Launched(), store, as_of=cut) == full(log, Launched(), as_of=cut)
        assert store.loads == [snap]


def test_the_tail_starts_strictly_after_the_snapshots_cut(log, store):
    log.append([barrage(1), barrage(2, launched=5), barrage(2, launched=7)], stream="air")
    take_snapshot(log, Seen(), as_of=at(2), store=store)
    log.append([barrage(3)], stream="air")
    got = fast(log, Seen(), store)
    assert got == full(log, Seen())
    assert [e.launched for e in got] == [10, 5, 7, 10]
    assert store.loads


def test_a_snapshot_after_the_cut_is_not_used(log, store):
    log.append([barrage(h) for h in range(6)], stream="air")
    take_snapshot(log, Launched(), as_of=at(4), store=store)
    assert fast(log, Launched(), store, as_of=at(3)) == full(log, Launched(), as_of=at(3))
    assert store.loads == []


def test_the_best_snapshot_is_the_latest_valid_one(log, store):
    log.append([barrage(h) for h in range(10)], stream="air")
    take_snapshot(log, Launched(), as_of=at(2), store=store)
    later = take_snapshot(log, Launched(), as_of=at(6), store=store)
    take_snapshot(log, Launched(), as_of=at(9), store=store)
    assert fast(log, Launched(), store, as_of=at(8)) == full(log, Launched(), as_of=at(8))
    assert store.loads == [later]


def test_save_stores_the_answer_as_a_snapshot(log, store):
    log.append([barrage(h) for h in range(5)], stream="air")
    state = replay(log, Launched(), as_of=at(3), snapshots=store, save=True)
    (snap,) = store.list("launched")
    assert (snap.as_of, snap.position, state.reports) == (at(3), 5, 4)
    assert store.load(snap, Tally) == state


def test_save_needs_a_store(log):
    with pytest.raises(tl.InvalidArgument) as caught:
        replay(log, Launched(), save=True)
    assert caught.value.argument == "save"


def test_snapshots_serve_valid_time_order_only(log, store):
    with pytest.raises(tl.InvalidArgument) as caught:
        replay(log, Launched(), order="recorded", snapshots=store)
    assert caught.value.argument == "order"


def test_bad_snapshot_and_projection_arguments_are_refused(log):
    with pytest.raises(tl.InvalidArgument) as caught:
        replay(log, Launched(), snapshots="not a store")
    assert caught.value.argument == "snapshots"
    with pytest.raises(tl.InvalidArgument) as caught:
        take_snapshot(log, Launched(), store=object())
    assert caught.value.argument == "snapshots"
    with pytest.raises(tl.InvalidArgument) as caught:
        replay(log, "not a projection")
    assert caught.value.argument == "projection"
    with pytest.raises(tl.InvalidArgument) as caught:
        snapshot_store("memory:")
    assert caught.value.argument == "log"


def test_an_empty_log_snapshots_the_initial_state(log, store):
    snap = take_snapshot(log, Launched(), store=store)
    assert (snap.position, snap.known_at, snap.head) == (0, None, tl.log.GENESIS)
    assert fast(log, Launched(), store) == Tally()
    log.append([barrage(1)], stream="air")
    assert fast(log, Launched(), store) == full(log, Launched())


# -- what invalidates a snapshot ------------------------------------------------------------------


def test_a_late_arrival_before_the_cut_is_never_hidden(log, store):
    log.append([barrage(h) for h in range(6)], stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    log.append([barrage(2.5, launched=999)], stream="air")  # recorded later, happened before
    got = fast(log, Seen(), store, as_of=at(5))
    assert got == full(log, Seen(), as_of=at(5))
    assert 999 in [e.launched for e in got]
    assert store.loads == []


def test_a_late_arrival_at_the_cut_itself_invalidates_it(log, store):
    log.append([barrage(h) for h in range(6)], stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    log.append([barrage(4, launched=999)], stream="air")
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads == []


def test_a_late_arrival_after_the_cut_is_just_tail(log, store):
    log.append([barrage(h) for h in range(6)], stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    log.append([barrage(4.5, launched=999)], stream="air")
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads


def test_a_late_arrival_moved_after_the_cut_or_retracted_leaves_it_valid(log, store):
    log.append([barrage(h) for h in range(6)], stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    moved, gone = barrage(1, launched=998), barrage(2, launched=999)
    log.append([moved, gone], stream="air")
    log.append(
        [
            tl.Correction(
                occurred_at=at(9),
                corrects=moved.event_id,
                changes={"occurred_at": isoformat(at(5))},
            ),
            tl.Retraction(occurred_at=at(9), retracts=gone.event_id),
        ],
        stream="air",
    )
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads


@pytest.mark.parametrize(
    "changes",
    [
        {"launched": 50},  # a figure of an event before the cut
        {"summary": "revised"},  # any field
        {"occurred_at": isoformat(at(5))},  # moved out, across the cut
    ],
)
def test_a_correction_of_an_event_before_the_cut_invalidates_it(log, store, changes):
    events = [barrage(h) for h in range(6)]
    log.append(events, stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    log.append(
        [tl.Correction(occurred_at=at(9), corrects=events[2].event_id, changes=changes)],
        stream="air",
    )
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads == []


def test_a_correction_moving_an_event_in_across_the_cut_invalidates_it(log, store):
    events = [barrage(h) for h in range(6)]
    log.append(events, stream="air")
    take_snapshot(log, Seen(), as_of=at(3), store=store)
    fix = tl.Correction(
        occurred_at=at(9), corrects=events[5].event_id, changes={"occurred_at": isoformat(at(1))}
    )
    log.append([fix], stream="air")
    got = fast(log, Seen(), store, as_of=at(4))
    assert got == full(log, Seen(), as_of=at(4))
    assert events[5].event_id in [e.event_id for e in got]
    assert store.loads == []


def test_a_correction_after_the_cut_is_just_tail(log, store):
    events = [barrage(h) for h in range(6)]
    log.append(events, stream="air")
    take_snapshot(log, Seen(), as_of=at(3), store=store)
    log.append(
        [tl.Correction(occurred_at=at(9), corrects=events[5].event_id, changes={"launched": 50})],
        stream="air",
    )
    log.append(
        [
            tl.Correction(
                occurred_at=at(9),
                corrects=events[4].event_id,
                changes={"occurred_at": isoformat(at(8))},
            )
        ],
        stream="air",
    )
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads


def test_a_retraction_of_an_event_before_the_cut_invalidates_it(log, store):
    events = [barrage(h) for h in range(6)]
    log.append(events, stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    log.append([tl.Retraction(occurred_at=at(9), retracts=events[0].event_id)], stream="air")
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads == []


def test_undoing_a_correction_before_the_cut_invalidates_it(log, store):
    events = [barrage(h) for h in range(6)]
    fix = tl.Correction(occurred_at=at(9), corrects=events[1].event_id, changes={"launched": 3})
    log.append(events, stream="air")
    log.append([fix], stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    log.append([tl.Retraction(occurred_at=at(9), retracts=fix.event_id)], stream="air")
    got = fast(log, Seen(), store)
    assert got == full(log, Seen())
    assert got[1].launched == 10
    assert store.loads == []


def test_a_correction_and_its_retraction_both_after_it_leave_it_valid(log, store):
    events = [barrage(h) for h in range(6)]
    log.append(events, stream="air")
    take_snapshot(log, Seen(), as_of=at(4), store=store)
    fix = tl.Correction(occurred_at=at(9), corrects=events[1].event_id, changes={"launched": 3})
    log.append([fix], stream="air")
    log.append([tl.Retraction(occurred_at=at(9), retracts=fix.event_id)], stream="air")
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads


def test_an_invalid_snapshot_falls_back_to_an_older_valid_one(log, store):
    events = [barrage(h) for h in range(10)]
    log.append(events, stream="air")
    older = take_snapshot(log, Seen(), as_of=at(2), store=store)
    take_snapshot(log, Seen(), as_of=at(7), store=store)
    log.append([barrage(5.5, launched=999)], stream="air")  # late, between the two cuts
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads == [older]


def test_known_at_before_the_snapshots_position_does_not_use_it(log, store):
    log.append([barrage(h) for h in range(4)], stream="air")  # R0
    log.append([barrage(h) for h in range(4, 8)], stream="air")  # R0 + 1 min
    snap = take_snapshot(log, Seen(), as_of=at(5), store=store)
    early = R0 + dt.timedelta(seconds=30)
    assert fast(log, Seen(), store, known_at=early) == full(log, Seen(), known_at=early)
    assert store.loads == []
    assert fast(log, Seen(), store, known_at=snap.known_at) == full(log, Seen())
    assert store.loads == [snap]


def test_a_snapshot_taken_at_an_earlier_known_at_serves_later_ones(log, store):
    log.append([barrage(h) for h in range(4)], stream="air")  # R0
    log.append([barrage(h) for h in range(4, 8)], stream="air")  # R0 + 1 min
    snap = take_snapshot(log, Seen(), as_of=at(3), known_at=R0, store=store)
    assert (snap.position, snap.known_at) == (4, R0)
    assert fast(log, Seen(), store) == full(log, Seen())
    assert store.loads == [snap]
    assert fast(log, Seen(), store, known_at=R0) == full(log, Seen(), known_at=R0)


def test_a_changed_version_ignores_old_snapshots(log, store):
    log.append([barrage(h, launched=h) for h in range(6)], stream="air")
    take_snapshot(log, Launched(), as_of=at(4), store=store)

    class Doubled(Launched):
        version = 2

        def apply(self, state, event):
            n = 2 * (getattr(event, "launched", None) or 0)
            return Tally(state.launched + n, state.reports + 1, event.occurred_at)

    assert fast(log, Doubled(), store) == full(log, Doubled())
    assert store.loads == []
    assert [s.version for s in store.list("launched")] == [1]
    assert store.list("launched", version=2) == []


def test_a_snapshot_of_another_log_is_never_used(tmp_path):
    with tl.open_log(tmp_path / "a.db", clock=clock()) as a, tl.open_log(tmp_path / "b.db") as b:
        a.append([barrage(h) for h in range(4)], stream="air")
        b.append([barrage(h, launched=99) for h in range(4)], stream="air")
        source = snapshot_store(a)
        take_snapshot(a, Launched(), as_of=at(2), store=source)
        spy = Spy(snapshot_store(b))
        for snap in source.list("launched"):
            spy.save(snap, source.load(snap, Tally), Tally)
        assert fast(b, Launched(), spy) == full(b, Launched())
        assert spy.loads == []


def test_a_state_that_would_not_read_back_is_refused_on_save(tmp_path):
    class Bare(Seen):
        name = "bare"
        state_type = None  # the type of initial(): a bare tuple, which says nothing of events

    with tl.open_log(tmp_path / "t.db") as log:
        log.append([barrage(1)], stream="air")
        with pytest.raises(tl.DecodeError) as caught:
            take_snapshot(log, Bare(), store=snapshot_store(log))
        assert "state_type" in str(caught.value)
        assert snapshot_store(log).list("bare") == []


# -- stores ------------------------------------------------------------------------------------


def test_the_sqlite_store_keeps_snapshots_in_the_logs_own_database(tmp_path):
    path = tmp_path / "t.db"
    with tl.open_log(path, clock=clock()) as log:
        log.append([barrage(h) for h in range(4)], stream="air")
        snap = take_snapshot(log, Launched(), as_of=at(2), store=snapshot_store(log))
        assert log.verify().ok
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT name, version, as_of, position FROM timeline_snapshots"
        ).fetchall()
    assert rows == [("launched", 1, isoformat(at(2)), 4)]
    with tl.open_log(path, clock=clock()) as log:  # reopened: the snapshot is still there
        store = Spy(snapshot_store(log))
        assert store.list("launched") == [snap]
        log.append([barrage(5)], stream="air")
        assert fast(log, Launched(), store) == full(log, Launched())
        assert store.loads == [snap]


def test_a_private_in_memory_sqlite_log_keeps_its_snapshots_too():
    with SQLiteLog(":memory:", clock=clock()) as log:
        log.append([barrage(h) for h in range(4)], stream="air")
        store = Spy(snapshot_store(log))
        take_snapshot(log, Launched(), as_of=at(2), store=store)
        assert fast(log, Launched(), store) == full(log, Launched())
        assert store.loads


def test_a_jsonl_log_keeps_its_snapshots_in_a_sidecar_file(tmp_path):
    path = tmp_path / "t.jsonl"
    with tl.open_log(path, clock=clock()) as log:
        log.append([barrage(h) for h in range(4)], stream="air")
        store = snapshot_store(log)
        take_snapshot(log, Launched(), as_of=at(2), store=store)
        store.close()
    assert (tmp_path / "t.jsonl.snapshots.db").exists()
    assert b"timeline_snapshots" not in path.read_bytes()
    with tl.open_log(path) as log, snapshot_store(log) as store:
        assert [s.as_of for s in store.list("launched")] == [at(2)]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_store_save_load_list_delete(kind, tmp_path):
    store = MemorySnapshotStore() if kind == "memory" else SQLiteSnapshotStore(tmp_path / "s.db")
    assert isinstance(store, SnapshotStore)

    def snap(as_of, position, version=1):
        return Snapshot(
            name="launched",
            version=version,
            as_of=as_of,
            position=position,
            known_at=R0,
            head="ab" * 32,
            created=R0,
        )

    a, b, c, d = snap(at(2), 4), snap(at(1), 9), snap(None, 3), snap(at(1), 9, version=2)
    for i, s in enumerate((a, b, c, d)):
        store.save(s, Tally(launched=i), Tally)
    assert store.list("launched") == [c, b, a, d]
    assert store.list("launched", version=2) == [d]
    assert store.list("other") == []
    assert store.load(b, Tally) == Tally(launched=1)
    store.save(b, Tally(launched=7), Tally)  # same key: replaced
    assert store.list("launched", version=1) == [c, b, a]
    assert store.load(b, Tally) == Tally(launched=7)
    assert store.delete(b)
    assert not store.delete(b)
    with pytest.raises(KeyError):
        store.load(b, Tally)
    assert store.list("launched", version=1) == [c, a]


def test_the_sqlite_store_refuses_bytes_it_cannot_read(tmp_path):
    path = tmp_path / "s.db"
    store = SQLiteSnapshotStore(path, cache=0)
    snap = Snapshot(
        name="launched", version=1, as_of=None, position=0, known_at=None, head="0" * 64, created=R0
    )
    store.save(snap, Tally(launched=3), Tally)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE timeline_snapshots SET state = ?", (b'{"launched": "three"}',))
    with pytest.raises(tl.DecodeError):
        store.load(snap, Tally)
    store.close()


def istanbul_log():
    """The Istanbul example's log: every built-in projection has something to say about it."""
    path = Path(__file__).resolve().parents[2] / "examples" / "istanbul_2025.py"
    spec = importlib.util.spec_from_file_location("istanbul_2025_for_snapshots", path)
    assert spec is not None
    assert spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = example
    spec.loader.exec_module(example)
    log = tl.open_log("memory:")
    example.record(log)
    return log


def test_the_built_in_projections_states_round_trip_and_snapshot():
    log = istanbul_log()
    codec = StateCodec(log.codec)
    store = Spy(MemorySnapshotStore())
    sqlite_log = SQLiteLog(":memory:")
    try:
        sqlite_log.append([r.event for r in log.read()], stream="all")
        sqlite_store = Spy(snapshot_store(sqlite_log))
        middle = sorted(r.event.occurred_at for r in log.read())[len(log) // 2]
        projections = (tl.Escalation(), tl.Negotiations(), tl.Claims(), tl.Chronology())
        for projection in (*projections, tl.PrisonerExchanges()):
            state = replay(log, projection)
            state_type = type(state)
            assert codec.loads(codec.check(state, state_type), state_type) == state
            for target, into in ((log, store), (sqlite_log, sqlite_store)):
                take_snapshot(target, projection, as_of=middle, store=into)
                assert fast(target, projection, into) == full(target, projection)
                assert into.loads
    finally:
        sqlite_log.close()


def test_state_codec_reads_instants_ids_and_events():
    @attrs.frozen
    class Mixed:
        when: tuple[pendulum.DateTime, ...]
        ids: tuple[uuid.UUID, ...]
        events: tuple[tl.Event, ...]
        counts: dict[str, int]
        kind: tl.TimePrecision

    event = barrage(1)
    state = Mixed((at(1),), (event.event_id,), (event,), {"Russia": 3}, tl.TimePrecision.DAY)
    codec = StateCodec()
    back = codec.loads(codec.dumps(state, Mixed), Mixed)
    assert back == state
    assert type(back.when[0]) is pendulum.DateTime
    assert back.when[0].tzinfo == pendulum.UTC
    assert type(back.ids[0]) is uuid.UUID
    assert (hash(back.ids[0]), str(back.ids[0])) == (hash(event.event_id), str(event.event_id))
    assert type(back.events[0]) is tl.DroneBarrage


def test_state_codec_refuses_what_it_cannot_write_or_read():
    codec = StateCodec()
    with pytest.raises(tl.DecodeError):
        codec.dumps(object(), object)
    with pytest.raises(tl.DecodeError):
        codec.loads(b"not json", Tally)
    with pytest.raises(tl.DecodeError):  # a field the state type lacks: a changed state type
        codec.loads(b'{"launched": 1, "reports": 1, "last": null, "extra": 0}', Tally)


@attrs.frozen
class Columns:
    """A state with packed byte strings and columns whose values repeat."""

    ids: bytes = b""
    rows: bytes = b""
    names: tuple[str | None, ...] = ()
    starts: tuple[pendulum.DateTime, ...] = ()
    precision: tuple[tl.TimePrecision, ...] = ()
    counts: tuple[int | None, ...] = ()


columns = st.builds(
    Columns,
    ids=st.binary(max_size=64),
    rows=st.binary(max_size=16),
    names=st.lists(st.sampled_from([None, "UAF", "MoD", ""]), max_size=40).map(tuple),
    starts=st.lists(st.integers(0, 5).map(at), max_size=40).map(tuple),
    precision=st.lists(st.sampled_from(list(tl.TimePrecision)), max_size=40).map(tuple),
    counts=st.lists(st.none() | st.integers(0, 9), max_size=40).map(tuple),
)


BLOBS = b"\x00timeline-state-blobs\x00"


def json_part(data):
    """The JSON of a state written with byte strings (after the marker and its length)."""
    assert data.startswith(BLOBS)
    start = len(BLOBS) + 8
    return orjson.loads(data[start : start + int.from_bytes(data[len(BLOBS) : start], "little")])


@given(columns)
def test_state_codec_round_trips_byte_strings_and_repeating_columns(state):
    codec = StateCodec()
    data = codec.dumps(state, Columns)
    back = codec.loads(data, Columns)
    assert back == state
    assert all(type(s) is pendulum.DateTime for s in back.starts)
    # The byte strings are stored after the JSON, as they are, in field order.
    assert data.endswith(state.ids + state.rows)
    assert json_part(data)["ids"] == [0, len(state.ids)]


def test_repeating_columns_are_written_as_values_and_codes():
    state = Columns(names=("UAF", "MoD") * 20, starts=(at(1),) * 40)
    data = StateCodec().dumps(state, Columns)
    written = json_part(data)
    assert written["names"] == {"values": ["UAF", "MoD"], "codes": [0, 1] * 20}
    assert written["starts"] == {"values": [isoformat(at(1))], "codes": [0] * 40}
    # Mostly distinct values stay a plain list.
    written = json_part(StateCodec().dumps(Columns(names=("a", "b", "c")), Columns))
    assert written["names"] == ["a", "b", "c"]


def test_states_written_before_columns_were_coded_still_read():
    old = b'{"ids":[0,0],"rows":[0,0],"names":["UAF","UAF"],"starts":[],"precision":["day"],'
    old += b'"counts":[1,null]}'
    blobs = BLOBS + len(old).to_bytes(8, "little") + old
    assert StateCodec().loads(blobs, Columns) == Columns(
        names=("UAF", "UAF"), precision=(tl.TimePrecision.DAY,), counts=(1, None)
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.replace(b'"codes":[0,0]', b'"codes":[0,7]'),  # a code past the values
        lambda d: d.replace(b'"codes":[0,0]', b'"codes":[0,-1]'),
        lambda d: d.replace(b'"codes":[0,0]', b'"codes":[0,0.5]'),
        lambda d: d.replace(b'"codes":[0,0]', b'"codes":"00"'),
        lambda d: d[:-1],  # a byte string cut short
        lambda d: d.replace(b'"ids":[0,2]', b'"ids":[0,"2"]'),
        lambda d: d.replace(BLOBS, b""),  # not JSON then
    ],
)
def test_damaged_state_bytes_are_a_decode_error(damage):
    codec = StateCodec()
    state = Columns(ids=b"ab", names=("UAF", "UAF"))
    data = codec.dumps(state, Columns)
    assert b'"codes":[0,0]' in data
    assert b'"ids":[0,2]' in data
    with pytest.raises(tl.DecodeError):
        codec.loads(damage(data), Columns)


def test_a_byte_string_in_a_state_written_without_any_is_a_decode_error():
    with pytest.raises(tl.DecodeError):
        StateCodec().loads(b'{"ids":[0,2]}', Columns)


# -- the property: snapshot + tail == full replay ----------------------------------------------


@st.composite
def histories(draw):
    """A log script (arbitrary catalog events at arbitrary instants, so many arrive late,
    corrections and retractions of them), with more corrections that move events in valid
    time, retractions of corrections, and snapshot points in between."""
    script = draw(log_scripts(max_batches=8, max_batch_size=4))
    plan = []
    appended = []
    for stream, batch in script:
        plan.append(("append", stream, batch))
        appended += batch
        plain = [e for e in appended if not isinstance(e, tl.Correction | tl.Retraction)]
        if plain and draw(st.booleans()):
            target = draw(st.sampled_from(plain))
            when = draw(st.sampled_from([e.occurred_at for e in appended]))
            changes = {"occurred_at": isoformat(when)}
            if target.occurred_until is not None and target.occurred_until < when:
                changes["occurred_until"] = isoformat(when)
            fix = tl.Correction(occurred_at=when, corrects=target.event_id, changes=changes)
            extra = [fix]
            if draw(st.booleans()):
                extra.append(tl.Retraction(occurred_at=when, retracts=fix.event_id))
            plan.append(("append", stream, extra))
            appended += extra
        if draw(st.booleans()):
            instants = [e.occurred_at for e in appended]
            as_of = draw(st.none() | st.sampled_from(instants))
            plan.append(("snapshot", as_of, draw(st.booleans())))
    return plan


def play(log, plan, projection, store):
    """Append what the guards accept (one event at a time where a batch is refused)."""
    for step in plan:
        if step[0] == "snapshot":
            _, as_of, earlier = step
            known_at = None
            if earlier and len(log) > 1:
                known_at = next(log.read(after=len(log) // 2)).recorded_at
            take_snapshot(log, projection, as_of=as_of, known_at=known_at, store=store)
            continue
        _, stream, batch = step
        try:
            log.append(batch, stream=stream)
        except (tl.InvalidEvent, tl.UnknownEvent, tl.CausalityError):
            for event in batch:
                try:
                    log.append([event], stream=stream)
                except (tl.InvalidEvent, tl.UnknownEvent, tl.CausalityError):
                    continue


def check_snapshot_plus_tail_is_full_replay(log, store, projection, data):
    records = list(log.read())
    instants = sorted({r.event.occurred_at for r in records})
    stamps = sorted({r.recorded_at for r in records})
    as_ofs = st.none() | st.sampled_from(instants) if instants else st.none()
    known_ats = st.none() | st.sampled_from(stamps) if stamps else st.none()
    for _ in range(4):
        as_of = data.draw(as_ofs, label="as_of")
        known_at = data.draw(known_ats, label="known_at")
        expected = replay(log, projection, as_of=as_of, known_at=known_at)
        assert replay(log, projection, as_of=as_of, known_at=known_at, snapshots=store) == expected


@settings(max_examples=40)
@given(plan=histories(), data=st.data())
def test_snapshot_plus_tail_is_full_replay_in_memory(plan, data):
    log = tl.open_log("memory:", clock=clock())
    store = MemorySnapshotStore()
    play(log, plan, Seen(), store)
    check_snapshot_plus_tail_is_full_replay(log, store, Seen(), data)


@settings(max_examples=25)
@given(plan=histories(), data=st.data())
def test_snapshot_plus_tail_is_full_replay_on_sqlite(plan, data):
    with SQLiteLog(":memory:", clock=clock(), guards=standard_guards()) as log:
        store = snapshot_store(log)  # serialised states, in the log's database
        play(log, plan, Seen(), store)
        check_snapshot_plus_tail_is_full_replay(log, store, Seen(), data)


@st.composite
def barrage_histories(draw):
    """Barrages over two days, many late, with corrections of figures and times."""
    plan = []
    appended = []
    for _ in range(draw(st.integers(1, 12))):
        batch = [
            tl.DroneBarrage(
                occurred_at=at(draw(st.integers(0, 48))),
                occurred_until=None,
                attacker=draw(st.sampled_from(["Russia", "Ukraine"])),
                weapon=draw(st.sampled_from(["Shahed-136/131", "Gerbera", None])),
                claimed_by=draw(st.sampled_from(["Ukrainian Air Force", None])),
                launched=draw(st.integers(0, 50)),
            )
            for _ in range(draw(st.integers(1, 4)))
        ]
        if appended and draw(st.booleans()):
            target = draw(st.sampled_from(appended))
            changes = draw(
                st.sampled_from(
                    [
                        {"launched": target.launched + 5},
                        {"occurred_at": isoformat(at(draw(st.integers(0, 48))))},
                        {"claimed_by": "Ministry of Defence of Russia"},
                    ]
                )
            )
            batch.append(
                tl.Correction(occurred_at=at(50), corrects=target.event_id, changes=changes)
            )
        if appended and draw(st.integers(0, 4)) == 0:
            batch.append(
                tl.Retraction(occurred_at=at(50), retracts=draw(st.sampled_from(appended)).event_id)
            )
        plan.append(("append", "air", batch))
        appended += [e for e in batch if isinstance(e, tl.DroneBarrage)]
        if draw(st.booleans()):
            plan.append(("snapshot", at(draw(st.integers(0, 48))), draw(st.booleans())))
    return plan


@pytest.mark.parametrize("cache", [2, 0], ids=["cached", "read-back"])
@settings(max_examples=40)
@given(plan=barrage_histories(), data=st.data())
def test_snapshot_plus_tail_is_full_replay_for_escalation(plan, data, cache):
    # With no cache, every snapshot is read back from its packed bytes, columns unread.
    with SQLiteLog(":memory:", clock=clock(), guards=standard_guards()) as log:
        store = SQLiteSnapshotStore(log, cache=cache)
        play(log, plan, tl.Escalation(), store)
        check_snapshot_plus_tail_is_full_replay(log, store, tl.Escalation(), data)


def test_each_log_has_one_meta_index_that_reads_only_new_meta_events():
    store = MemorySnapshotStore()
    a, b = tl.open_log("memory:", clock=clock()), tl.open_log("memory:", clock=clock())
    index = meta_index(a)
    assert meta_index(a) is index
    assert meta_index(b) is not index
    first = barrage(1)
    a.append([first, barrage(2)], stream="air")
    a.append([tl.Correction(occurred_at=at(3), corrects=first.event_id, changes={"launched": 1})],
             stream="air")  # fmt: skip
    assert fast_no_spy(a, store) == full(a, Seen())
    assert [m.position for m in index.upto(a, len(a))] == [3]
    a.append([tl.Retraction(occurred_at=at(3), retracts=first.event_id)], stream="air")
    assert fast_no_spy(a, store) == full(a, Seen())
    assert [m.position for m in index.upto(a, len(a))] == [3, 4]
    assert index.upto(a, 3)[-1].position == 3  # an earlier known_at: a prefix
    assert index.resolution(a, 3).changes(first.event_id) == {"launched": 1}
    assert index.resolution(a, 4).withdrawn(first.event_id)
    b.append([barrage(1), barrage(2), barrage(3)], stream="air")  # no meta events at all
    assert fast_no_spy(b, store) == full(b, Seen())
    assert meta_index(b).upto(b, len(b)) == []


def test_a_meta_index_starts_afresh_on_a_log_that_no_longer_holds_what_it_read():
    a, b = tl.open_log("memory:", clock=clock()), tl.open_log("memory:", clock=clock())
    for log in (a, b):
        first = barrage(1)
        fix = tl.Correction(occurred_at=at(3), corrects=first.event_id, changes={"launched": 1})
        log.append([first, fix], stream="air")
    index = MetaIndex()  # one index shown two logs: the second is "a rewritten first"
    assert index.upto(a, 2)[0].event == next(a.read(types=tl.Correction)).event
    assert index.generation == 0
    assert [m.position for m in index.upto(b, 2)] == [2]
    assert index.generation == 1
    assert index.upto(b, 2)[0].event == next(b.read(types=tl.Correction)).event


def fast_no_spy(log, store):
    return replay(log, Seen(), snapshots=store)


# -- Escalation's packed snapshots ---------------------------------------------------------------


def test_an_escalation_snapshot_is_stored_packed_and_folded_on(tmp_path):
    with SQLiteLog(tmp_path / "air.db", clock=clock(), guards=standard_guards()) as log:
        log.append([barrage(h, launched=h) for h in range(6)], stream="air")
        taken = take_snapshot(log, tl.Escalation(), store=snapshot_store(log), as_of=at(3))
        with log.connection() as conn:
            (data,) = conn.execute("SELECT state FROM timeline_snapshots").fetchone()
        assert b"timeline.tallies/3\n" in data
        fresh = SQLiteSnapshotStore(log, cache=0)
        base = fresh.load(taken, EscalationState)
        assert (len(base.tallies), base.tallies.folded) == (4, 4)
        state = replay(log, tl.Escalation(), as_of=at(5), snapshots=fresh)
        assert state == replay(log, tl.Escalation(), as_of=at(5))
        assert state.drones.launched == sum(range(6))


def test_escalation_states_in_the_earlier_format_are_a_decode_error_not_a_wrong_state():
    """Version 2 wrote the tallies as JSON columns; version 3 snapshots hold them packed.

    Their projection versions differ, so stores never hand the old ones to replay; read
    directly, they fail cleanly.
    """
    old = b'{"tallies":{"window":[0],"start":["2025-06-01T01:00:00.000000+00:00"]}}'
    with pytest.raises(tl.DecodeError):
        StateCodec().loads(old, EscalationState)


@attrs.frozen
class Packs:
    """A part of a state that writes its own bytes."""

    data: bytes

    def to_packed(self):
        return b"P" + self.data

    @classmethod
    def from_packed(cls, view):
        assert type(view) is memoryview  # a view of the stored bytes, not a copy
        if bytes(view[:1]) != b"P":
            raise ValueError("not a packed part")
        return cls(bytes(view[1:]))


@attrs.frozen
class Holds:
    name: str
    part: Packs


def test_a_part_that_packs_itself_is_stored_as_its_bytes():
    codec = StateCodec()
    state = Holds("x", Packs(b"abc"))
    data = codec.dumps(state, Holds)
    assert data.endswith(b"Pabc")
    assert json_part(data) == {"name": "x", "part": [0, 4]}
    assert codec.loads(data, Holds) == state
    with pytest.raises(tl.DecodeError):
        codec.loads(data[:-4] + b"Qabc", Holds)
