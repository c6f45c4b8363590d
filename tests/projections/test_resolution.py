"""The one resolution of corrections and retractions, and the per-log index that feeds it."""

import datetime as dt
import threading

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.log import SQLiteLog
from timeline.projections.resolution import (
    META_TYPES,
    MetaIndex,
    Resolution,
    cut_position,
    meta_index,
)
from timeline.store import standard_guards
from timeline.testing.strategies import log_scripts

R0 = pendulum.datetime(2025, 7, 1)


def clock() -> tl.FixedClock:
    return tl.FixedClock(R0, tick=dt.timedelta(minutes=1))


def afresh(log, limit):
    """The plain reference: every meta event up to ``limit``, read and added in order."""
    res = Resolution()
    flips = []
    for rec in log.read(types=META_TYPES):
        if rec.position > limit:
            break
        flips.append((rec.position, res.add(rec.event)))
    return res, flips


def summary(res):
    return (
        sorted(map(str, res.withdrawn_ids())),
        sorted((str(i), sorted(c.items())) for i, c in res.corrected()),
        sorted(map(str, res.meta_ids())),
    )


@settings(max_examples=60, deadline=None)
@given(script=log_scripts(max_batches=8, max_batch_size=4), data=st.data())
def test_the_index_agrees_with_a_resolution_read_afresh(script, data):
    log = tl.open_log("memory:", clock=clock())  # its guards use the same index
    index = meta_index(log)
    for stream, batch in script:
        log.append(batch, stream=stream)
        limit = data.draw(st.integers(0, len(log)), label="limit")
        res, flips = afresh(log, limit)
        assert summary(index.resolution(log, limit)) == summary(res)
        assert [r.position for r in index.upto(log, limit)] == [p for p, _ in flips]
        after = data.draw(st.integers(0, limit), label="after")
        since = index.since(log, after, limit)
        assert [(r.position, f) for r, f in since] == [(p, f) for p, f in flips if p > after]


def test_a_resolution_handed_out_is_the_callers_own():
    log = tl.open_log("memory:", clock=clock())
    said = tl.Statement(occurred_at=R0, speaker="A", text="x")
    log.append([said], stream="s")
    mine = meta_index(log).resolution(log, len(log))
    mine.add(tl.Retraction(occurred_at=R0, retracts=said.event_id))
    assert mine.withdrawn(said.event_id)
    assert not meta_index(log).resolution(log, len(log)).withdrawn(said.event_id)
    assert [e.event_id for e in tl.replay_events(log)] == [said.event_id]


def test_known_at_cuts_at_the_last_position_recorded_by_then():
    log = tl.open_log("memory:", clock=clock())
    for n in range(3):
        log.append([tl.Statement(occurred_at=R0, speaker="A", text=str(n))], stream="s")
    times = [r.recorded_at for r in log.read()]
    assert cut_position(log, None) == 3
    assert cut_position(log, times[1]) == 2
    assert cut_position(log, times[0] - dt.timedelta(seconds=1)) == 0


def test_from_log_reads_what_was_recorded_by_known_at():
    log = tl.open_log("memory:", clock=clock())
    said = tl.Statement(occurred_at=R0, speaker="A", text="x")
    log.append([said], stream="s")
    log.append([tl.Retraction(occurred_at=R0, retracts=said.event_id)], stream="s")
    first, second = (r.recorded_at for r in log.read())
    assert not Resolution.from_log(log, known_at=first).withdrawn(said.event_id)
    assert Resolution.from_log(log, known_at=second).withdrawn(said.event_id)
    assert not Resolution.from_log(log, until=1).withdrawn(said.event_id)


@pytest.mark.parametrize("bad", [dt.datetime(2025, 6, 1), "2025-06-01"])  # noqa: DTZ001  # naive on purpose
def test_a_bad_known_at_is_an_argument_error(bad):
    log = tl.open_log("memory:", clock=clock())
    with pytest.raises(tl.InvalidArgument) as caught:
        cut_position(log, bad)
    assert caught.value.argument == "known_at"


def test_one_index_per_log():
    a, b = tl.open_log("memory:"), tl.open_log("memory:")
    assert meta_index(a) is meta_index(a)
    assert meta_index(a) is not meta_index(b)
    assert isinstance(meta_index(a), MetaIndex)


def test_a_reader_never_holds_the_index_while_it_waits_for_an_append(tmp_path):
    # The append holds the log's lock and, inside it, its correction guard asks the index. A
    # reader that asked the index first must not keep it while it waits for the log's lock.
    in_append, reading = threading.Event(), threading.Event()

    class Spied(SQLiteLog):
        def __len__(self):
            if threading.current_thread().name == "reader":
                reading.set()  # the reader is in the index, about to wait for the log's lock
            return super().__len__()

    def gate(_log, batch):
        if any(isinstance(e, tl.Correction) for e in batch):
            in_append.set()
            reading.wait(timeout=5)

    log = Spied(tmp_path / "war.db", clock=clock(), guards=[gate, *standard_guards()])
    said = tl.Statement(occurred_at=R0, speaker="A", text="x")
    log.append([said], stream="s")
    fix = tl.Correction(occurred_at=R0, corrects=said.event_id, changes={"text": "y"})
    appender = threading.Thread(target=log.append, args=([fix],), kwargs={"stream": "s"})
    reader = threading.Thread(
        target=lambda: in_append.wait(timeout=5) and meta_index(log).upto(log, 1), name="reader"
    )
    for thread in (appender, reader):
        thread.daemon = True  # a deadlock must fail the test, not hang the run
        thread.start()
    for thread in (appender, reader):
        thread.join(timeout=30)
    assert reading.is_set()
    assert not appender.is_alive(), "deadlocked"
    assert not reader.is_alive(), "deadlocked"
    assert [e.text for e in tl.replay_events(log)] == ["y"]


def test_readers_and_appends_with_guards_share_the_index_without_deadlock(tmp_path):
    # An append holds the log's lock while its guards ask the index; a replay asks the index
    # and reads the log. Neither may wait for the other while holding what the other needs.
    log = tl.open_log(tmp_path / "war.db", clock=clock())
    said = [tl.Statement(occurred_at=R0, speaker="A", text=str(n)) for n in range(40)]
    log.append(said, stream="s")
    errors = []

    def append():
        try:
            for n, event in enumerate(said):
                fix = tl.Correction(
                    occurred_at=R0, corrects=event.event_id, changes={"text": f"{n}!"}
                )
                log.append([fix], stream="fixes")
        except Exception as e:  # noqa: BLE001  # reported below
            errors.append(e)

    def read():
        try:
            for _ in range(40):
                list(tl.replay_events(log))
        except Exception as e:  # noqa: BLE001  # reported below
            errors.append(e)

    threads = [threading.Thread(target=append), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert errors == []
    assert [e.text for e in tl.replay_events(log)] == [f"{n}!" for n in range(40)]
