"""The conformance suite's properties: any log built by appends reads back and verifies."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.errors import ConcurrencyError, DuplicateEvent, UnknownEvent
from timeline.events import CATALOG, Event, Retraction
from timeline.log import EventLog, Order, Recorded
from timeline.log.query import by_occurrence
from timeline.testing._contract_support import (
    PROPERTY,
    T0,
    LogFactory,
    assert_unchanged,
    snapshot,
    statement,
)
from timeline.testing.strategies import STREAMS, log_scripts
from timeline.time import FixedClock

__all__ = ["PropertyContract"]

_ORDERS: list[Order] = ["recorded", "occurred"]

#: A property: run with the backend's factory, its event types and Hypothesis's data.
_Property = Callable[[LogFactory, Sequence[type[Event]], st.DataObject], None]


class PropertyContract:
    """Hypothesis properties over logs built by random appends."""

    #: The event types the property tests draw; the logs ``make_log`` makes must know them.
    event_types: ClassVar[Sequence[type[Event]]] = CATALOG

    def test_any_log_reads_back_as_appended(self, make_log: LogFactory) -> None:
        _check(_reads_back_as_appended, make_log, self.event_types)

    def test_filtered_reads_agree_with_the_full_read(self, make_log: LogFactory) -> None:
        _check(_filtered_reads_agree, make_log, self.event_types)

    def test_a_refused_append_changes_nothing(self, make_log: LogFactory) -> None:
        _check(_refused_append_changes_nothing, make_log, self.event_types)


def _check(prop: _Property, make_log: LogFactory, event_types: Sequence[type[Event]]) -> None:
    """Run a property as a Hypothesis test, a fresh log per example (no shared fixture)."""

    @PROPERTY
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        prop(make_log, event_types, data)

    run()


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


@contextlib.contextmanager
def _scripted(
    make_log: LogFactory, event_types: Sequence[type[Event]], data: st.DataObject
) -> Iterator[EventLog]:
    """A fresh log holding a drawn script of appends, closed after the block."""
    script = data.draw(log_scripts(event_types), label="script")
    with make_log(clock=FixedClock(T0)) as log:
        for stream, batch in script:
            log.append(batch, stream=stream)
        yield log


def _filtered_reads_agree(
    make_log: LogFactory, event_types: Sequence[type[Event]], data: st.DataObject
) -> None:
    """Every combination of read filters gives what filtering a full read gives."""
    with _scripted(make_log, event_types, data) as log:
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
            expected.sort(key=by_occurrence)
        got = log.read(
            after, stream=only, types=types, order=order, occurred_after=low, occurred_by=high
        )
        assert list(got) == expected


def _refused_append_changes_nothing(
    make_log: LogFactory, event_types: Sequence[type[Event]], data: st.DataObject
) -> None:
    """A refused append (duplicate, stale version, unknown reference) leaves the log as it was."""
    with _scripted(make_log, event_types, data) as log:
        before = snapshot(log)
        stored = [r.event for r in before[1]]
        stream = data.draw(st.sampled_from(STREAMS), label="stream")
        fresh = statement(0)
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
        assert_unchanged(log, before)
        assert fresh.event_id not in log
