"""The conformance suite's tests of reading: filters, orders, laziness, lookups, subscriptions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from pendulum import DateTime

from timeline.errors import InvalidArgument, InvalidEvent
from timeline.events import DroneBarrage, Statement
from timeline.log import EventLog, Recorded
from timeline.testing._contract_support import T0, barrage, statement
from timeline.time import FixedClock

__all__ = ["ReadContract"]


class ReadContract:
    """Reads give back what was appended, filtered and ordered as asked, lazily."""

    # -- read -------------------------------------------------------------------------------

    def test_read_returns_what_was_appended_in_order(self, log: EventLog) -> None:
        appended = log.append([statement(0), barrage(1)], stream="a")
        appended += log.append([statement(2)], stream="b")
        read = list(log.read())
        assert read == appended
        for got, want in zip(read, appended, strict=True):
            assert type(got.event) is type(want.event)
            assert log.codec.encode(got.event) == log.codec.encode(want.event)

    def test_read_is_lazy(self, log: EventLog) -> None:
        log.append([statement(i) for i in range(3)], stream="s")
        records = log.read()
        assert isinstance(records, Iterator)
        assert not isinstance(records, Sequence)
        assert next(records).position == 1
        assert [r.position for r in records] == [2, 3]

    def test_read_after_a_position(self, log: EventLog) -> None:
        log.append([statement(i) for i in range(5)], stream="s")
        assert [r.position for r in log.read(after=2)] == [3, 4, 5]
        assert [r.position for r in log.read(2)] == [3, 4, 5]
        assert list(log.read(after=5)) == []
        assert list(log.read(after=99)) == []

    def test_read_one_stream(self, log: EventLog) -> None:
        log.append([statement(0)], stream="a")
        log.append([statement(1), statement(2)], stream="b")
        log.append([statement(3)], stream="a")
        assert [(r.position, r.version) for r in log.read(stream="a")] == [(1, 1), (4, 2)]
        assert [r.position for r in log.read(stream="b", after=2)] == [3]
        assert list(log.read(stream="nowhere")) == []

    def test_read_some_types(self, log: EventLog) -> None:
        log.append([statement(0), barrage(1), statement(2)], stream="a")
        log.append([barrage(3)], stream="b")
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
        log.append([statement(30), statement(10)], stream="a")
        log.append([barrage(20), statement(10)], stream="b")
        log.append([statement(0)], stream="a")
        assert [r.position for r in log.read(order="occurred")] == [5, 2, 4, 3, 1]
        assert [r.position for r in log.read(order="occurred", stream="a")] == [5, 2, 1]
        assert [r.position for r in log.read(order="occurred", after=2)] == [5, 4, 3]
        assert [r.position for r in log.read(order="occurred", types=Statement)] == [5, 2, 4, 1]
        assert [r.position for r in log.read(order="recorded")] == [1, 2, 3, 4, 5]

    def test_read_between_bounds_of_occurred_at(self, log: EventLog) -> None:
        log.append([statement(30), statement(10)], stream="a")
        log.append([barrage(20), statement(10)], stream="b")
        log.append([statement(0)], stream="a")

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
        log.append([statement(0), statement(1)], stream="s")
        clock.advance(minutes=5)
        log.append([statement(2)], stream="s")
        clock.advance(minutes=5)
        log.append([statement(3)], stream="s")
        minutes = [-1, 0, 4, 5, 9, 10, 60]
        got = [log.position_at(T0 + dt.timedelta(minutes=m)) for m in minutes]
        assert got == [0, 2, 2, 3, 3, 4, 4]
        with pytest.raises(InvalidEvent) as caught:
            log.position_at(dt.datetime(2025, 6, 2, 8))  # noqa: DTZ001  # the refusal under test
        assert caught.value.field == "known_at"

    def test_subscribe_catches_up_then_follows(self, log: EventLog) -> None:
        log.append([statement(0), statement(1)], stream="s")
        seen: list[int] = []
        subscription = log.subscribe(lambda r: seen.append(r.position), after=1)
        assert seen == [2]
        log.append([statement(2), statement(3)], stream="s")
        assert seen == [2, 3, 4]
        assert subscription.position == 4
        subscription.close()
        log.append([statement(4)], stream="s")
        assert seen == [2, 3, 4]

    def test_subscribe_batches_delivers_lists_each_record_once(self, log: EventLog) -> None:
        log.append([statement(i) for i in range(5)], stream="s")
        seen: list[list[int]] = []
        subscription = log.subscribe_batches(
            lambda rs: seen.append([r.position for r in rs]), after=1, size=2
        )
        assert seen == [[2, 3], [4, 5]]
        log.append([statement(5)], stream="s")
        log.append([statement(6), statement(7), statement(8)], stream="s")
        assert seen == [[2, 3], [4, 5], [6], [7, 8], [9]]
        assert subscription.position == 9
        with pytest.raises(InvalidArgument) as caught:
            log.subscribe_batches(lambda _: None, size=0)
        assert caught.value.argument == "size"

    def test_a_batch_whose_callback_raised_is_delivered_again(self, log: EventLog) -> None:
        seen: list[list[int]] = []
        failures = [RuntimeError("the consumer's database is locked")]

        def consume(records: list[Recorded]) -> None:
            if failures:
                raise failures.pop()
            seen.append([r.position for r in records])

        subscription = log.subscribe_batches(consume, size=10)
        log.append([statement(0), statement(1)], stream="s")  # the append stands
        assert len(log) == 2
        assert isinstance(subscription.error, RuntimeError)
        assert (seen, subscription.position) == ([], 0)
        assert subscription.poll() == 2
        assert (seen, subscription.position) == ([[1, 2]], 2)
        assert subscription.error is None

    def test_read_refuses_bad_arguments(self, log: EventLog) -> None:
        with pytest.raises(InvalidArgument) as caught:
            log.read(order="alphabetical")  # type: ignore[arg-type]  # the refusal under test
        assert caught.value.argument == "order"
        with pytest.raises(InvalidArgument) as caught:
            log.read(after=-1)
        assert caught.value.argument == "after"

    # -- lookups ----------------------------------------------------------------------------

    def test_get_contains_and_head(self, log: EventLog) -> None:
        records = log.append([statement(0), barrage(1)], stream="a")
        records += log.append([statement(2)], stream="b")
        for record in records:
            assert record.event.event_id in log
            assert log.get(record.event.event_id) == record
        assert log.head() == records[-1]
        assert uuid.uuid4() not in log
        assert str(records[0].event.event_id) not in log  # ids are UUIDs, not their text
