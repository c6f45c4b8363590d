"""The conformance suite every event-log backend passes: :class:`LogBackendContract`.

The suite checks what :mod:`timeline.log` promises, through the public interface only:
positions, versions, transaction time and the hash chain; reading back (filters, orders,
laziness); optimistic concurrency; all-or-nothing appends that refuse duplicates, unknown
references, unregistered types and whatever a guard refuses; and, as Hypothesis properties,
that any log built by appends reads back exactly as appended and verifies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Protocol

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pendulum import DateTime

from timeline.errors import (
    ConcurrencyError,
    DuplicateEvent,
    InvalidEvent,
    UnknownEvent,
    UnknownEventType,
)
from timeline.events import (
    CATALOG,
    DroneBarrage,
    Event,
    Retraction,
    Statement,
)
from timeline.log import GENESIS, EventLog, Recorded, chain_hash
from timeline.log.base import Order
from timeline.testing.strategies import STREAMS, log_scripts
from timeline.time import Clock, FixedClock, instant, isoformat

__all__ = ["LogBackendContract", "LogFactory"]

#: The instant the contract's clocks start at.
T0 = instant("2025-06-02T08:00:00+00:00")


class LogFactory(Protocol):
    """What ``make_log`` returns: a callable making a fresh, empty log on each call."""

    def __call__(self, clock: Clock | None = None) -> EventLog:
        """A new empty log whose ``recorded_at`` comes from ``clock`` (if given)."""
        ...


@attrs.frozen(kw_only=True)
class _Unregistered(Event):
    """An event type no codec knows: it was never named with ``event_type``."""

    TYPE: ClassVar[str] = "timeline.testing.unregistered"

    what: str = "nothing"


class _OffsetClock:
    """A clock that answers in Kyiv summer time (UTC+3), not UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime(2025, 6, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def _statement(minute: int = 0, **fields: Any) -> Statement:
    return Statement(
        occurred_at=T0 + dt.timedelta(minutes=minute),
        speaker="Hakan Fidan",
        text=f"Statement {minute}",
        **fields,
    )


def _barrage(minute: int = 0, **fields: Any) -> DroneBarrage:
    return DroneBarrage(
        occurred_at=T0 + dt.timedelta(minutes=minute),
        attacker="Russia",
        launched=472,
        destroyed=210,
        **fields,
    )


def _snapshot(log: EventLog) -> tuple[int, list[Recorded], dict[str, int]]:
    return len(log), list(log.read()), log.streams()


def _assert_unchanged(log: EventLog, before: tuple[int, list[Recorded], dict[str, int]]) -> None:
    assert _snapshot(log) == before, "a refused append changed the log"
    assert log.verify().ok


def _by_occurrence(record: Recorded) -> tuple[DateTime, int]:
    return record.event.occurred_at, record.position


_ORDERS: list[Order] = ["recorded", "occurred"]

#: Settings for the property tests (examples as the profile says). Each test runs its
#: property in a function of its own, calling ``make_log`` for a fresh log per example, so no
#: fixture is shared between examples and each backend's class runs its own copy.
_PROPERTY = settings(deadline=None)


class LogBackendContract:
    """The tests every :class:`~timeline.log.EventLog` backend must pass.

    Subclass it in a test module, name the subclass ``Test...`` and give it a ``make_log``
    fixture that returns a :class:`LogFactory`: a callable ``make(clock=None)`` that creates
    a *fresh, empty* log on every call (the property tests make one per example), with the
    given clock, the default codec (or one that knows :attr:`event_types`) and no guards.
    The suite closes the logs it makes.

    Example::

        import itertools
        import pytest
        from timeline.testing import LogBackendContract
        from mypackage import RedisLog

        class TestRedisLog(LogBackendContract):
            @pytest.fixture
            def make_log(self, redis_url):
                names = (f"contract-{i}" for i in itertools.count())
                return lambda clock=None: RedisLog(redis_url, name=next(names), clock=clock)

    The fixtures ``clock`` (a :class:`~timeline.time.FixedClock` at :data:`T0`) and ``log``
    (made with that clock) are there for your own tests in the subclass too.
    """

    #: The event types the property tests draw; the logs ``make_log`` makes must know them.
    event_types: ClassVar[Sequence[type[Event]]] = CATALOG

    # -- fixtures ---------------------------------------------------------------------------

    @pytest.fixture
    def make_log(self) -> LogFactory:
        """Override: return a callable making a fresh, empty log on each call."""
        pytest.fail(
            f"{type(self).__name__} must define a make_log fixture returning a callable "
            "make(clock=None) -> EventLog that makes a fresh, empty log on each call"
        )

    @pytest.fixture
    def clock(self) -> FixedClock:
        """A clock standing at :data:`T0` until a test moves it."""
        return FixedClock(T0)

    @pytest.fixture
    def log(self, make_log: LogFactory, clock: FixedClock) -> Iterator[EventLog]:
        """A fresh, empty log whose ``recorded_at`` comes from ``clock``."""
        with make_log(clock=clock) as log:
            yield log

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
            first.append([_statement()], stream="s")
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
        events = [_statement(0), _barrage(1), _statement(2)]
        records = log.append(events, stream="talks/istanbul")
        assert [r.position for r in records] == [1, 2, 3]
        assert [r.version for r in records] == [1, 2, 3]
        assert {r.stream for r in records} == {"talks/istanbul"}
        assert [r.event for r in records] == events
        assert all(isinstance(r, Recorded) for r in records)

    def test_positions_are_global_and_versions_count_per_stream(self, log: EventLog) -> None:
        a = log.append([_statement(0), _statement(1)], stream="a")
        b = log.append([_statement(2)], stream="b")
        a2 = log.append([_statement(3), _statement(4)], stream="a")
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
        records = log.append((_statement(i) for i in range(3)), stream="s")
        assert [r.position for r in records] == [1, 2, 3]

    def test_recorded_at_comes_from_the_clock(self, log: EventLog, clock: FixedClock) -> None:
        first = log.append([_statement(0), _statement(1)], stream="s")
        clock.advance(hours=1)
        second = log.append([_statement(2)], stream="s")
        assert [r.recorded_at for r in first] == [T0, T0]
        assert second[0].recorded_at == T0 + dt.timedelta(hours=1)
        for record in (*first, *second):
            assert isinstance(record.recorded_at, DateTime)
            assert record.recorded_at.utcoffset() == dt.timedelta(0)
        assert [r.recorded_at for r in log.read()] == [r.recorded_at for r in (*first, *second)]

    def test_recorded_at_is_stored_in_utc_whatever_the_clocks_zone(
        self, make_log: LogFactory
    ) -> None:
        with make_log(clock=_OffsetClock()) as log:
            (record,) = log.append([_statement()], stream="s")
            assert record.recorded_at == T0
            assert record.recorded_at.utcoffset() == dt.timedelta(0)
            (read,) = log.read()
            assert read.recorded_at == T0
            assert read.recorded_at.utcoffset() == dt.timedelta(0)

    def test_recorded_at_never_runs_backwards(self, log: EventLog, clock: FixedClock) -> None:
        clock.advance(hours=2)
        (late,) = log.append([_statement(0)], stream="s")
        clock.set(T0)  # the clock goes back: a corrected system clock, another machine
        (early,) = log.append([_statement(1)], stream="s")
        assert early.recorded_at == late.recorded_at == T0 + dt.timedelta(hours=2)
        assert [r.recorded_at for r in log.read()] == [late.recorded_at, late.recorded_at]
        assert log.verify().ok

    def test_records_are_hash_chained(self, log: EventLog, clock: FixedClock) -> None:
        records = log.append([_statement(0), _barrage(1)], stream="a")
        clock.advance(minutes=5)
        records += log.append([_statement(2)], stream="b")
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
        report = _statement(0)
        retraction = Retraction(occurred_at=T0, retracts=report.event_id, reason="duplicate")
        records = log.append([report, retraction], stream="s")
        assert [r.event for r in records] == [report, retraction]

    # -- read -------------------------------------------------------------------------------

    def test_read_returns_what_was_appended_in_order(self, log: EventLog) -> None:
        appended = log.append([_statement(0), _barrage(1)], stream="a")
        appended += log.append([_statement(2)], stream="b")
        read = list(log.read())
        assert read == appended
        for got, want in zip(read, appended, strict=True):
            assert type(got.event) is type(want.event)
            assert log.codec.encode(got.event) == log.codec.encode(want.event)

    def test_read_is_lazy(self, log: EventLog) -> None:
        log.append([_statement(i) for i in range(3)], stream="s")
        records = log.read()
        assert isinstance(records, Iterator)
        assert not isinstance(records, Sequence)
        assert next(records).position == 1
        assert [r.position for r in records] == [2, 3]

    def test_read_after_a_position(self, log: EventLog) -> None:
        log.append([_statement(i) for i in range(5)], stream="s")
        assert [r.position for r in log.read(after=2)] == [3, 4, 5]
        assert [r.position for r in log.read(2)] == [3, 4, 5]
        assert list(log.read(after=5)) == []
        assert list(log.read(after=99)) == []

    def test_read_one_stream(self, log: EventLog) -> None:
        log.append([_statement(0)], stream="a")
        log.append([_statement(1), _statement(2)], stream="b")
        log.append([_statement(3)], stream="a")
        assert [(r.position, r.version) for r in log.read(stream="a")] == [(1, 1), (4, 2)]
        assert [r.position for r in log.read(stream="b", after=2)] == [3]
        assert list(log.read(stream="nowhere")) == []

    def test_read_some_types(self, log: EventLog) -> None:
        log.append([_statement(0), _barrage(1), _statement(2)], stream="a")
        log.append([_barrage(3)], stream="b")
        assert [r.position for r in log.read(types="diplomacy.statement")] == [1, 3]
        assert [r.position for r in log.read(types=DroneBarrage)] == [2, 4]
        assert [r.position for r in log.read(types=[Statement, "military.drone_barrage"])] == [
            1,
            2,
            3,
            4,
        ]
        assert [r.position for r in log.read(types=[DroneBarrage], stream="a")] == [2]
        assert [r.position for r in log.read(types=[DroneBarrage], after=2)] == [4]
        assert list(log.read(types=["no.such_type"])) == []
        assert list(log.read(types=[])) == []

    def test_read_in_order_of_occurrence_breaks_ties_by_position(self, log: EventLog) -> None:
        log.append([_statement(30), _statement(10)], stream="a")
        log.append([_barrage(20), _statement(10)], stream="b")
        log.append([_statement(0)], stream="a")
        assert [r.position for r in log.read(order="occurred")] == [5, 2, 4, 3, 1]
        assert [r.position for r in log.read(order="occurred", stream="a")] == [5, 2, 1]
        assert [r.position for r in log.read(order="occurred", after=2)] == [5, 4, 3]
        assert [r.position for r in log.read(order="occurred", types=Statement)] == [5, 2, 4, 1]
        assert [r.position for r in log.read(order="recorded")] == [1, 2, 3, 4, 5]

    def test_read_between_bounds_of_occurred_at(self, log: EventLog) -> None:
        log.append([_statement(30), _statement(10)], stream="a")
        log.append([_barrage(20), _statement(10)], stream="b")
        log.append([_statement(0)], stream="a")

        def at(minute: int) -> DateTime:
            return T0 + dt.timedelta(minutes=minute)

        def read(**options: Any) -> list[int]:
            return [r.position for r in log.read(**options)]

        assert read(occurred_after=at(10)) == [1, 3]  # exclusive
        assert read(occurred_by=at(10)) == [2, 4, 5]  # inclusive
        assert read(occurred_after=at(0), occurred_by=at(20)) == [2, 3, 4]
        assert read(occurred_after=at(0), occurred_by=at(20), order="occurred") == [2, 4, 3]
        assert read(occurred_after=at(-1), order="occurred") == [5, 2, 4, 3, 1]
        assert read(occurred_by=at(30), order="occurred", after=2) == [5, 4, 3]
        assert read(occurred_after=at(5), stream="a") == [1, 2]
        assert read(occurred_after=at(5), stream="a", order="occurred") == [2, 1]
        assert read(occurred_by=at(20), types=DroneBarrage) == [3]
        assert read(occurred_by=at(20), types=[DroneBarrage, Statement], after=3) == [4, 5]
        assert read(occurred_after=at(30)) == []
        assert read(occurred_after=at(20), occurred_by=at(20)) == []
        assert read(occurred_after=at(20), occurred_by=at(10)) == []
        kyiv = dt.timezone(dt.timedelta(hours=3))  # any aware instant, compared in UTC
        assert read(occurred_by=at(10).astimezone(kyiv)) == [2, 4, 5]

    def test_read_refuses_naive_bounds_of_occurred_at(self, log: EventLog) -> None:
        naive = dt.datetime(2025, 6, 2, 8)  # noqa: DTZ001  # the refusal under test
        with pytest.raises(InvalidEvent) as caught:
            log.read(occurred_after=naive)
        assert caught.value.field == "occurred_after"
        with pytest.raises(InvalidEvent) as caught:
            log.read(occurred_by=naive)
        assert caught.value.field == "occurred_by"

    def test_position_at_cuts_the_log_by_transaction_time(
        self, log: EventLog, clock: FixedClock
    ) -> None:
        assert log.position_at(T0) == 0
        log.append([_statement(0), _statement(1)], stream="s")
        clock.advance(minutes=5)
        log.append([_statement(2)], stream="s")
        clock.advance(minutes=5)
        log.append([_statement(3)], stream="s")
        minutes = [-1, 0, 4, 5, 9, 10, 60]
        got = [log.position_at(T0 + dt.timedelta(minutes=m)) for m in minutes]
        assert got == [0, 2, 2, 3, 3, 4, 4]
        with pytest.raises(InvalidEvent) as caught:
            log.position_at(dt.datetime(2025, 6, 2, 8))  # noqa: DTZ001  # the refusal under test
        assert caught.value.field == "known_at"

    def test_subscribe_catches_up_then_follows(self, log: EventLog) -> None:
        log.append([_statement(0), _statement(1)], stream="s")
        seen: list[int] = []
        subscription = log.subscribe(lambda r: seen.append(r.position), after=1)
        assert seen == [2]
        log.append([_statement(2), _statement(3)], stream="s")
        assert seen == [2, 3, 4]
        assert subscription.position == 4
        subscription.close()
        log.append([_statement(4)], stream="s")
        assert seen == [2, 3, 4]

    def test_subscribe_batches_delivers_lists_each_record_once(self, log: EventLog) -> None:
        log.append([_statement(i) for i in range(5)], stream="s")
        seen: list[list[int]] = []
        subscription = log.subscribe_batches(
            lambda rs: seen.append([r.position for r in rs]), after=1, size=2
        )
        assert seen == [[2, 3], [4, 5]]
        log.append([_statement(5)], stream="s")
        log.append([_statement(6), _statement(7), _statement(8)], stream="s")
        assert seen == [[2, 3], [4, 5], [6], [7, 8], [9]]
        assert subscription.position == 9
        with pytest.raises(InvalidEvent) as caught:
            log.subscribe_batches(lambda _: None, size=0)
        assert caught.value.field == "size"

    def test_a_batch_whose_callback_raised_is_delivered_again(self, log: EventLog) -> None:
        seen: list[list[int]] = []
        failures = [RuntimeError("the consumer's database is locked")]

        def consume(records: list[Recorded]) -> None:
            if failures:
                raise failures.pop()
            seen.append([r.position for r in records])

        subscription = log.subscribe_batches(consume, size=10)
        log.append([_statement(0), _statement(1)], stream="s")  # the append stands
        assert len(log) == 2
        assert isinstance(subscription.error, RuntimeError)
        assert (seen, subscription.position) == ([], 0)
        assert subscription.poll() == 2
        assert (seen, subscription.position) == ([[1, 2]], 2)
        assert subscription.error is None

    def test_read_refuses_bad_arguments(self, log: EventLog) -> None:
        with pytest.raises(InvalidEvent) as caught:
            log.read(order="alphabetical")  # type: ignore[arg-type]  # the refusal under test
        assert caught.value.field == "order"
        with pytest.raises(InvalidEvent) as caught:
            log.read(after=-1)
        assert caught.value.field == "after"

    # -- lookups ----------------------------------------------------------------------------

    def test_get_contains_and_head(self, log: EventLog) -> None:
        records = log.append([_statement(0), _barrage(1)], stream="a")
        records += log.append([_statement(2)], stream="b")
        for record in records:
            assert record.event.event_id in log
            assert log.get(record.event.event_id) == record
        assert log.head() == records[-1]
        assert uuid.uuid4() not in log
        assert str(records[0].event.event_id) not in log  # ids are UUIDs, not their text

    # -- expected_version -------------------------------------------------------------------

    def test_expected_version_none_skips_the_check(self, log: EventLog) -> None:
        log.append([_statement(0)], stream="s", expected_version=None)
        log.append([_statement(1)], stream="s")
        assert log.stream_version("s") == 2

    def test_expected_version_zero_starts_a_stream_and_the_current_one_continues_it(
        self, log: EventLog
    ) -> None:
        log.append([_statement(0), _statement(1)], stream="s", expected_version=0)
        (record,) = log.append([_statement(2)], stream="s", expected_version=2)
        assert record.version == 3
        log.append([_statement(3)], stream="other", expected_version=0)
        assert log.streams() == {"s": 3, "other": 1}

    @pytest.mark.parametrize(("expected", "actual"), [(0, 2), (1, 2), (3, 2)])
    def test_a_stale_expected_version_raises_and_writes_nothing(
        self, log: EventLog, expected: int, actual: int
    ) -> None:
        log.append([_statement(0), _statement(1)], stream="s")
        log.append([_statement(2)], stream="other")
        before = _snapshot(log)
        with pytest.raises(ConcurrencyError) as caught:
            log.append([_statement(3)], stream="s", expected_version=expected)
        error = caught.value
        assert (error.stream, error.expected, error.actual) == ("s", expected, actual)
        assert "'s'" in str(error)
        _assert_unchanged(log, before)
        (record,) = log.append([_statement(3)], stream="s", expected_version=actual)
        assert (record.position, record.version) == (4, 3)

    def test_a_new_stream_is_at_version_zero(self, log: EventLog) -> None:
        with pytest.raises(ConcurrencyError) as caught:
            log.append([_statement()], stream="new", expected_version=1)
        assert (caught.value.expected, caught.value.actual) == (1, 0)
        assert len(log) == 0

    @pytest.mark.parametrize("bad", [-1, "1", 1.0, True])
    def test_a_malformed_expected_version_is_refused(self, log: EventLog, bad: object) -> None:
        with pytest.raises(InvalidEvent) as caught:
            log.append([_statement()], stream="s", expected_version=bad)  # type: ignore[arg-type]  # the refusal under test
        assert caught.value.field == "expected_version"
        assert caught.value.value is bad
        assert len(log) == 0

    # -- refusals: all or nothing -----------------------------------------------------------

    def test_a_duplicate_id_in_one_batch_is_refused(self, log: EventLog) -> None:
        first = _statement(0)
        twin = _barrage(1, event_id=first.event_id)
        other = _statement(2)
        with pytest.raises(DuplicateEvent) as caught:
            log.append([first, other, twin], stream="s")
        assert caught.value.event_id == first.event_id
        assert str(first.event_id) in str(caught.value)
        assert len(log) == 0
        assert other.event_id not in log

    def test_a_duplicate_id_across_batches_is_refused(self, log: EventLog) -> None:
        (stored,) = log.append([_statement(0)], stream="s")
        before = _snapshot(log)
        fresh = _statement(1)
        again = _statement(2, event_id=stored.event.event_id)
        for stream in ("s", "elsewhere"):
            with pytest.raises(DuplicateEvent) as caught:
                log.append([fresh, again], stream=stream)
            assert caught.value.event_id == stored.event.event_id
            _assert_unchanged(log, before)
        assert fresh.event_id not in log
        with pytest.raises(DuplicateEvent):
            log.append([stored.event], stream="s")
        _assert_unchanged(log, before)

    def test_a_reference_to_an_unknown_event_is_refused(self, log: EventLog) -> None:
        log.append([_statement(0)], stream="s")
        before = _snapshot(log)
        missing = uuid.uuid4()
        fresh = _statement(1)
        with pytest.raises(UnknownEvent) as caught:
            log.append([fresh, Retraction(occurred_at=T0, retracts=missing)], stream="s")
        assert caught.value.event_id == missing
        assert str(missing) in str(caught.value)
        _assert_unchanged(log, before)
        assert fresh.event_id not in log

    def test_a_reference_to_a_later_event_in_the_batch_is_refused(self, log: EventLog) -> None:
        later = _statement(1)
        with pytest.raises(UnknownEvent) as caught:
            log.append([Retraction(occurred_at=T0, retracts=later.event_id), later], stream="s")
        assert caught.value.event_id == later.event_id
        assert len(log) == 0

    def test_an_unregistered_event_type_is_refused(self, log: EventLog) -> None:
        log.append([_statement(0)], stream="s")
        before = _snapshot(log)
        fresh = _statement(1)
        with pytest.raises(UnknownEventType) as caught:
            log.append([fresh, _Unregistered(occurred_at=T0)], stream="s")
        assert caught.value.type == _Unregistered.TYPE
        _assert_unchanged(log, before)

    @pytest.mark.parametrize("junk", ["not an event", {"type": "diplomacy.statement"}, None])
    def test_something_that_is_not_an_event_is_refused(self, log: EventLog, junk: object) -> None:
        with pytest.raises(InvalidEvent) as caught:
            log.append([_statement(), junk], stream="s")  # type: ignore[list-item]  # the refusal under test
        assert caught.value.field == "events[1]"
        assert caught.value.value is junk
        assert len(log) == 0

    @pytest.mark.parametrize("stream", ["", "   ", None, 7])
    def test_a_bad_stream_name_is_refused(self, log: EventLog, stream: object) -> None:
        with pytest.raises(InvalidEvent) as caught:
            log.append([_statement()], stream=stream)  # type: ignore[arg-type]  # the refusal under test
        assert caught.value.field == "stream"
        assert caught.value.value == stream
        assert len(log) == 0

    def test_a_guard_that_raises_refuses_the_batch(self, log: EventLog) -> None:
        log.append([_statement(0)], stream="s")
        before = _snapshot(log)

        class RefusedError(Exception):
            pass

        def refuse(_log: EventLog, _batch: Sequence[Event]) -> None:
            raise RefusedError

        log.guards = (*log.guards, refuse)
        with pytest.raises(RefusedError):
            log.append([_statement(1), _statement(2)], stream="s")
        _assert_unchanged(log, before)
        log.guards = tuple(g for g in log.guards if g is not refuse)
        (record,) = log.append([_statement(3)], stream="s")
        assert record.position == 2

    def test_guards_see_the_log_and_the_batch_before_anything_is_written(
        self, log: EventLog
    ) -> None:
        log.append([_statement(0)], stream="s")
        seen: list[tuple[EventLog, list[Event], int]] = []

        def watch(guarded: EventLog, batch: Sequence[Event]) -> None:
            seen.append((guarded, list(batch), len(guarded)))

        log.guards = (*log.guards, watch)
        events = [_statement(1), _barrage(2)]
        log.append(events, stream="s")
        assert seen == [(log, events, 1)]

    def test_the_log_carries_on_after_every_kind_of_refusal(self, log: EventLog) -> None:
        (first,) = log.append([_statement(0)], stream="s")
        refusals: list[tuple[list[Any], dict[str, Any]]] = [
            ([_statement(1)], {"stream": "s", "expected_version": 5}),
            ([first.event], {"stream": "s"}),
            ([Retraction(occurred_at=T0, retracts=uuid.uuid4())], {"stream": "s"}),
            ([_Unregistered(occurred_at=T0)], {"stream": "s"}),
            (["junk"], {"stream": "s"}),
            ([_statement(2)], {"stream": ""}),
        ]
        for events, options in refusals:
            with pytest.raises(
                (ConcurrencyError, DuplicateEvent, UnknownEvent, UnknownEventType, InvalidEvent)
            ):
                log.append(events, **options)
        (record,) = log.append([_statement(3)], stream="s", expected_version=1)
        assert (record.position, record.version) == (2, 2)
        assert log.verify().ok

    # -- verify -----------------------------------------------------------------------------

    def test_verify_passes_a_log_built_by_appends(self, log: EventLog, clock: FixedClock) -> None:
        for i in range(4):
            log.append([_statement(2 * i), _barrage(2 * i + 1)], stream=f"s{i % 2}")
            clock.advance(seconds=30)
        report = log.verify()
        assert report
        assert (report.ok, report.checked, report.position, report.reason) == (True, 8, None, None)

    # -- properties -------------------------------------------------------------------------

    def test_any_log_reads_back_as_appended(self, make_log: LogFactory) -> None:
        @_PROPERTY
        @given(data=st.data())
        def reads_back_as_appended(data: st.DataObject) -> None:
            _reads_back_as_appended(make_log, self.event_types, data)

        reads_back_as_appended()

    def test_filtered_reads_agree_with_the_full_read(self, make_log: LogFactory) -> None:
        @_PROPERTY
        @given(data=st.data())
        def filtered_reads_agree(data: st.DataObject) -> None:
            _filtered_reads_agree(make_log, self.event_types, data)

        filtered_reads_agree()

    def test_a_refused_append_changes_nothing(self, make_log: LogFactory) -> None:
        @_PROPERTY
        @given(data=st.data())
        def refused_append_changes_nothing(data: st.DataObject) -> None:
            _refused_append_changes_nothing(make_log, self.event_types, data)

        refused_append_changes_nothing()


# -- the properties, run by the methods above --------------------------------------------


def _reads_back_as_appended(
    make_log: LogFactory, event_types: Sequence[type[Event]], data: st.DataObject
) -> None:
    """Any log built by appends reads back exactly as appended, and verifies."""
    script = data.draw(log_scripts(event_types), label="script")
    with make_log(clock=FixedClock(T0, tick=dt.timedelta(seconds=1))) as log:
        appended: list[Recorded] = []
        for stream, batch in script:
            version = log.stream_version(stream)
            records = log.append(batch, stream=stream, expected_version=version)
            assert [r.version for r in records] == list(
                range(version + 1, version + 1 + len(batch))
            )
            appended += records
        events = [event for _, batch in script for event in batch]
        read = list(log.read())
        assert [r.position for r in read] == list(range(1, len(events) + 1))
        assert read == appended
        assert [r.event for r in read] == events
        for got, want in zip(read, events, strict=True):
            assert log.codec.encode(got.event) == log.codec.encode(want)
        per_stream = Counter(stream for stream, batch in script for _ in batch)
        assert log.streams() == dict(per_stream)
        seen: Counter[str] = Counter()
        for record in read:
            seen[record.stream] += 1
            assert record.version == seen[record.stream]
        stamps = [r.recorded_at for r in read]
        assert stamps == sorted(stamps)
        assert len(log) == len(events)
        assert log.head() == (read[-1] if read else None)
        for record in read:
            assert log.get(record.event.event_id) == record
        report = log.verify()
        assert (report.ok, report.checked) == (True, len(events))


def _filtered_reads_agree(
    make_log: LogFactory, event_types: Sequence[type[Event]], data: st.DataObject
) -> None:
    """Every combination of read filters gives what filtering a full read gives."""
    script = data.draw(log_scripts(event_types), label="script")
    with make_log(clock=FixedClock(T0)) as log:
        for stream, batch in script:
            log.append(batch, stream=stream)
        full = list(log.read())
        after = data.draw(st.integers(min_value=0, max_value=len(full) + 1), label="after")
        only = data.draw(st.none() | st.sampled_from(STREAMS), label="stream")
        tags = sorted({r.event.TYPE for r in full} | {"no.such_type"})
        types = data.draw(st.none() | st.lists(st.sampled_from(tags), max_size=3), label="types")
        order = data.draw(st.sampled_from(_ORDERS), label="order")
        instants = sorted({r.event.occurred_at for r in full})
        edges = [*instants, *(t + dt.timedelta(microseconds=1) for t in instants[:3])]
        bound = st.none() | (st.sampled_from(edges) if edges else st.none())
        low = data.draw(bound, label="occurred_after")
        high = data.draw(bound, label="occurred_by")
        expected = [
            r
            for r in full
            if r.position > after
            and (only is None or r.stream == only)
            and (types is None or r.event.TYPE in types)
            and (low is None or r.event.occurred_at > low)
            and (high is None or r.event.occurred_at <= high)
        ]
        if order == "occurred":
            expected.sort(key=_by_occurrence)
        got = log.read(
            after, stream=only, types=types, order=order, occurred_after=low, occurred_by=high
        )
        assert list(got) == expected


def _refused_append_changes_nothing(
    make_log: LogFactory, event_types: Sequence[type[Event]], data: st.DataObject
) -> None:
    """A refused append (duplicate, stale version, unknown reference) leaves the log as it was."""
    script = data.draw(log_scripts(event_types), label="script")
    with make_log(clock=FixedClock(T0)) as log:
        for stream, batch in script:
            log.append(batch, stream=stream)
        before = _snapshot(log)
        stored = [r.event for r in before[1]]
        stream = data.draw(st.sampled_from(STREAMS), label="stream")
        fresh = _statement(0)
        kinds = ["stale", "unknown reference", *(["duplicate"] if stored else [])]
        kind = data.draw(st.sampled_from(kinds), label="kind")
        if kind == "duplicate":
            again = data.draw(st.sampled_from(stored), label="again")
            with pytest.raises(DuplicateEvent):
                log.append([fresh, again], stream=stream)
        elif kind == "stale":
            current = log.stream_version(stream)
            stale = data.draw(
                st.integers(min_value=0, max_value=current + 3).filter(lambda v: v != current)
            )
            with pytest.raises(ConcurrencyError):
                log.append([fresh], stream=stream, expected_version=stale)
        else:
            with pytest.raises(UnknownEvent):
                log.append(
                    [fresh, Retraction(occurred_at=T0, retracts=uuid.uuid4())], stream=stream
                )
        _assert_unchanged(log, before)
        assert fresh.event_id not in log
