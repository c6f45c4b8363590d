"""The conformance suite's tests of writing: appends, their numbering, refusals, ``verify``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from pendulum import DateTime

from timeline.errors import (
    ConcurrencyError,
    DuplicateEvent,
    InvalidArgument,
    UnknownEvent,
    UnknownEventType,
)
from timeline.events import Event, Retraction
from timeline.log import GENESIS, EventLog, Recorded, chain_hash
from timeline.testing._contract_support import (
    T0,
    LogFactory,
    OffsetClock,
    Unregistered,
    assert_unchanged,
    barrage,
    snapshot,
    statement,
)
from timeline.time import FixedClock, isoformat

__all__ = ["WriteContract"]


class WriteContract:
    """Appends number, stamp and chain records; refused appends change nothing."""

    # -- an empty log -----------------------------------------------------------------------

    def test_a_new_log_is_empty(self, log: EventLog) -> None:
        assert len(log) == 0
        assert log.head() is None
        assert log.streams() == {}
        assert log.stream_version("talks/istanbul") == 0
        assert list(log.read()) == []
        report = log.verify()
        assert (report.ok, report.checked, report.position, report.reason) == (True, 0, None, None)
        missing = uuid.uuid4()
        assert missing not in log
        with pytest.raises(UnknownEvent) as caught:
            log.get(missing)
        assert caught.value.event_id == missing

    def test_each_call_of_make_log_gives_a_fresh_log(self, make_log: LogFactory) -> None:
        with make_log() as first, make_log() as second:
            first.append([statement()], stream="s")
            assert len(first) == 1
            assert len(second) == 0

    def test_an_empty_append_returns_an_empty_list_and_writes_nothing(self, log: EventLog) -> None:
        assert log.append([], stream="talks/istanbul") == []
        assert log.append(iter(()), stream="talks/istanbul", expected_version=0) == []
        assert len(log) == 0
        assert log.streams() == {}
        assert log.verify().ok

    def test_close_is_idempotent(self, make_log: LogFactory) -> None:
        log = make_log()
        log.close()
        log.close()

    # -- append -----------------------------------------------------------------------------

    def test_append_returns_the_recorded_entries(self, log: EventLog) -> None:
        events = [statement(0), barrage(1), statement(2)]
        records = log.append(events, stream="talks/istanbul")
        assert [r.position for r in records] == [1, 2, 3]
        assert [r.version for r in records] == [1, 2, 3]
        assert {r.stream for r in records} == {"talks/istanbul"}
        assert [r.event for r in records] == events
        assert all(isinstance(r, Recorded) for r in records)

    def test_positions_are_global_and_versions_count_per_stream(self, log: EventLog) -> None:
        a = log.append([statement(0), statement(1)], stream="a")
        b = log.append([statement(2)], stream="b")
        a2 = log.append([statement(3), statement(4)], stream="a")
        records = [*a, *b, *a2]
        assert [r.position for r in records] == [1, 2, 3, 4, 5]
        assert [(r.stream, r.version) for r in records] == [
            ("a", 1),
            ("a", 2),
            ("b", 1),
            ("a", 3),
            ("a", 4),
        ]
        assert log.streams() == {"a": 4, "b": 1}
        assert (log.stream_version("a"), log.stream_version("b"), log.stream_version("c")) == (
            4,
            1,
            0,
        )
        assert len(log) == 5

    def test_append_takes_any_iterable(self, log: EventLog) -> None:
        records = log.append((statement(i) for i in range(3)), stream="s")
        assert [r.position for r in records] == [1, 2, 3]

    def test_recorded_at_comes_from_the_clock(self, log: EventLog, clock: FixedClock) -> None:
        first = log.append([statement(0), statement(1)], stream="s")
        clock.advance(hours=1)
        second = log.append([statement(2)], stream="s")
        assert [r.recorded_at for r in first] == [T0, T0]
        assert second[0].recorded_at == T0 + dt.timedelta(hours=1)
        for record in (*first, *second):
            assert isinstance(record.recorded_at, DateTime)
            assert record.recorded_at.utcoffset() == dt.timedelta(0)
        assert [r.recorded_at for r in log.read()] == [r.recorded_at for r in (*first, *second)]

    def test_recorded_at_is_stored_in_utc_whatever_the_clocks_zone(
        self, make_log: LogFactory
    ) -> None:
        with make_log(clock=OffsetClock()) as log:
            (record,) = log.append([statement()], stream="s")
            assert record.recorded_at == T0
            assert record.recorded_at.utcoffset() == dt.timedelta(0)
            (read,) = log.read()
            assert read.recorded_at == T0
            assert read.recorded_at.utcoffset() == dt.timedelta(0)

    def test_recorded_at_never_runs_backwards(self, log: EventLog, clock: FixedClock) -> None:
        clock.advance(hours=2)
        (late,) = log.append([statement(0)], stream="s")
        clock.set(T0)  # the clock goes back: a corrected system clock, another machine
        (early,) = log.append([statement(1)], stream="s")
        assert early.recorded_at == late.recorded_at == T0 + dt.timedelta(hours=2)
        assert [r.recorded_at for r in log.read()] == [late.recorded_at, late.recorded_at]
        assert log.verify().ok

    def test_records_are_hash_chained(self, log: EventLog, clock: FixedClock) -> None:
        records = log.append([statement(0), barrage(1)], stream="a")
        clock.advance(minutes=5)
        records += log.append([statement(2)], stream="b")
        previous = GENESIS
        for record in records:
            expected = chain_hash(
                previous,
                record.position,
                record.stream,
                record.version,
                isoformat(record.recorded_at),
                log.codec.encode(record.event),
            )
            assert record.hash == expected
            previous = record.hash
        assert len({r.hash for r in records}) == len(records)
        assert [r.hash for r in log.read()] == [r.hash for r in records]

    def test_a_reference_to_an_event_earlier_in_the_batch_is_accepted(self, log: EventLog) -> None:
        report = statement(0)
        retraction = Retraction(occurred_at=T0, retracts=report.event_id, reason="duplicate")
        records = log.append([report, retraction], stream="s")
        assert [r.event for r in records] == [report, retraction]

    # -- expected_version -------------------------------------------------------------------

    def test_expected_version_none_skips_the_check(self, log: EventLog) -> None:
        log.append([statement(0)], stream="s", expected_version=None)
        log.append([statement(1)], stream="s")
        assert log.stream_version("s") == 2

    def test_expected_version_zero_starts_a_stream_and_the_current_one_continues_it(
        self, log: EventLog
    ) -> None:
        log.append([statement(0), statement(1)], stream="s", expected_version=0)
        (record,) = log.append([statement(2)], stream="s", expected_version=2)
        assert record.version == 3
        log.append([statement(3)], stream="other", expected_version=0)
        assert log.streams() == {"s": 3, "other": 1}

    @pytest.mark.parametrize(("expected", "actual"), [(0, 2), (1, 2), (3, 2)])
    def test_a_stale_expected_version_raises_and_writes_nothing(
        self, log: EventLog, expected: int, actual: int
    ) -> None:
        log.append([statement(0), statement(1)], stream="s")
        log.append([statement(2)], stream="other")
        before = snapshot(log)
        with pytest.raises(ConcurrencyError) as caught:
            log.append([statement(3)], stream="s", expected_version=expected)
        error = caught.value
        assert (error.stream, error.expected, error.actual) == ("s", expected, actual)
        assert "'s'" in str(error)
        assert_unchanged(log, before)
        (record,) = log.append([statement(3)], stream="s", expected_version=actual)
        assert (record.position, record.version) == (4, 3)

    @pytest.mark.parametrize(("expected", "actual"), [(0, 2), (3, 2)])
    def test_an_empty_append_still_refuses_a_stale_expected_version(
        self, log: EventLog, expected: int, actual: int
    ) -> None:
        log.append([statement(0), statement(1)], stream="s")
        before = snapshot(log)
        with pytest.raises(ConcurrencyError) as caught:
            log.append([], stream="s", expected_version=expected)
        error = caught.value
        assert (error.stream, error.expected, error.actual) == ("s", expected, actual)
        assert_unchanged(log, before)
        assert log.append([], stream="s", expected_version=actual) == []
        with pytest.raises(ConcurrencyError):
            log.append(iter(()), stream="new", expected_version=1)

    def test_a_new_stream_is_at_version_zero(self, log: EventLog) -> None:
        with pytest.raises(ConcurrencyError) as caught:
            log.append([statement()], stream="new", expected_version=1)
        assert (caught.value.expected, caught.value.actual) == (1, 0)
        assert len(log) == 0

    @pytest.mark.parametrize("bad", [-1, "1", 1.0, True])
    def test_a_malformed_expected_version_is_refused(self, log: EventLog, bad: object) -> None:
        with pytest.raises(InvalidArgument) as caught:
            log.append([statement()], stream="s", expected_version=bad)  # type: ignore[arg-type]  # the refusal under test
        assert caught.value.argument == "expected_version"
        assert caught.value.value is bad
        assert len(log) == 0

    # -- refusals: all or nothing -----------------------------------------------------------

    def test_a_duplicate_id_in_one_batch_is_refused(self, log: EventLog) -> None:
        first = statement(0)
        twin = barrage(1, event_id=first.event_id)
        other = statement(2)
        with pytest.raises(DuplicateEvent) as caught:
            log.append([first, other, twin], stream="s")
        assert caught.value.event_id == first.event_id
        assert str(first.event_id) in str(caught.value)
        assert len(log) == 0
        assert other.event_id not in log

    def test_a_duplicate_id_across_batches_is_refused(self, log: EventLog) -> None:
        (stored,) = log.append([statement(0)], stream="s")
        before = snapshot(log)
        fresh = statement(1)
        again = statement(2, event_id=stored.event.event_id)
        for stream in ("s", "elsewhere"):
            with pytest.raises(DuplicateEvent) as caught:
                log.append([fresh, again], stream=stream)
            assert caught.value.event_id == stored.event.event_id
            assert_unchanged(log, before)
        assert fresh.event_id not in log
        with pytest.raises(DuplicateEvent):
            log.append([stored.event], stream="s")
        assert_unchanged(log, before)

    def test_a_reference_to_an_unknown_event_is_refused(self, log: EventLog) -> None:
        log.append([statement(0)], stream="s")
        before = snapshot(log)
        missing = uuid.uuid4()
        fresh = statement(1)
        with pytest.raises(UnknownEvent) as caught:
            log.append([fresh, Retraction(occurred_at=T0, retracts=missing)], stream="s")
        assert caught.value.event_id == missing
        assert str(missing) in str(caught.value)
        assert_unchanged(log, before)
        assert fresh.event_id not in log

    def test_a_reference_to_a_later_event_in_the_batch_is_refused(self, log: EventLog) -> None:
        later = statement(1)
        with pytest.raises(UnknownEvent) as caught:
            log.append([Retraction(occurred_at=T0, retracts=later.event_id), later], stream="s")
        assert caught.value.event_id == later.event_id
        assert len(log) == 0

    def test_an_unregistered_event_type_is_refused(self, log: EventLog) -> None:
        log.append([statement(0)], stream="s")
        before = snapshot(log)
        fresh = statement(1)
        with pytest.raises(UnknownEventType) as caught:
            log.append([fresh, Unregistered(occurred_at=T0)], stream="s")
        assert caught.value.type == Unregistered.TYPE
        assert_unchanged(log, before)

    @pytest.mark.parametrize("junk", ["not an event", {"type": "diplomacy.statement"}, None])
    def test_something_that_is_not_an_event_is_refused(self, log: EventLog, junk: object) -> None:
        with pytest.raises(InvalidArgument) as caught:
            log.append([statement(), junk], stream="s")  # type: ignore[list-item]  # the refusal under test
        assert caught.value.argument == "events[1]"
        assert caught.value.value is junk
        assert len(log) == 0

    @pytest.mark.parametrize("stream", ["", "   ", None, 7])
    def test_a_bad_stream_name_is_refused(self, log: EventLog, stream: object) -> None:
        with pytest.raises(InvalidArgument) as caught:
            log.append([statement()], stream=stream)  # type: ignore[arg-type]  # the refusal under test
        assert caught.value.argument == "stream"
        assert caught.value.value == stream
        assert len(log) == 0

    def test_a_guard_that_raises_refuses_the_batch(self, log: EventLog) -> None:
        log.append([statement(0)], stream="s")
        before = snapshot(log)

        class RefusedError(Exception):
            pass

        def refuse(_log: EventLog, _batch: Sequence[Event]) -> None:
            raise RefusedError

        log.guards = (*log.guards, refuse)
        with pytest.raises(RefusedError):
            log.append([statement(1), statement(2)], stream="s")
        assert_unchanged(log, before)
        log.guards = tuple(g for g in log.guards if g is not refuse)
        (record,) = log.append([statement(3)], stream="s")
        assert record.position == 2

    def test_guards_see_the_log_and_the_batch_before_anything_is_written(
        self, log: EventLog
    ) -> None:
        log.append([statement(0)], stream="s")
        seen: list[tuple[EventLog, list[Event], int]] = []

        def watch(guarded: EventLog, batch: Sequence[Event]) -> None:
            seen.append((guarded, list(batch), len(guarded)))

        log.guards = (*log.guards, watch)
        events = [statement(1), barrage(2)]
        log.append(events, stream="s")
        assert seen == [(log, events, 1)]

    def test_the_log_carries_on_after_every_kind_of_refusal(self, log: EventLog) -> None:
        (first,) = log.append([statement(0)], stream="s")
        refusals: list[tuple[list[Any], dict[str, Any]]] = [
            ([statement(1)], {"stream": "s", "expected_version": 5}),
            ([first.event], {"stream": "s"}),
            ([Retraction(occurred_at=T0, retracts=uuid.uuid4())], {"stream": "s"}),
            ([Unregistered(occurred_at=T0)], {"stream": "s"}),
            (["junk"], {"stream": "s"}),
            ([statement(2)], {"stream": ""}),
        ]
        for events, options in refusals:
            with pytest.raises(
                (ConcurrencyError, DuplicateEvent, UnknownEvent, UnknownEventType, InvalidArgument)
            ):
                log.append(events, **options)
        (record,) = log.append([statement(3)], stream="s", expected_version=1)
        assert (record.position, record.version) == (2, 2)
        assert log.verify().ok

    # -- verify -----------------------------------------------------------------------------

    def test_verify_passes_a_log_built_by_appends(self, log: EventLog, clock: FixedClock) -> None:
        for i in range(4):
            log.append([statement(2 * i), barrage(2 * i + 1)], stream=f"s{i % 2}")
            clock.advance(seconds=30)
        report = log.verify()
        assert report
        assert (report.ok, report.checked, report.position, report.reason) == (True, 8, None, None)
