import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pendulum import DateTime

import timeline as tl
from timeline.errors import InvalidArgument, InvalidEvent
from timeline.testing.strategies import instants, precisions
from timeline.time import (
    Clock,
    FixedClock,
    SystemClock,
    TimePrecision,
    floor_to,
    instant,
    isoformat,
    parse_utc,
    to_utc,
)

T = DateTime(2025, 6, 2, 10, 0, tzinfo=pendulum.UTC)
ZERO = dt.timedelta(0)

offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda m: dt.timedelta(minutes=m)
)
naives = st.datetimes(min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2100, 12, 30))  # noqa: DTZ001  # made aware below


def _stdlib(naive, offset):
    return naive.replace(tzinfo=dt.timezone(offset))


def _pendulum_stdlib_zone(naive, offset):
    # What DateTime.fromisoformat gives: a pendulum DateTime with a stdlib fixed offset.
    return DateTime.fromisoformat(_stdlib(naive, offset).isoformat())


def _pendulum_zone(naive, offset):
    return pendulum.instance(naive, tz=pendulum.fixed_timezone(int(offset.total_seconds())))


aware = st.one_of(
    st.builds(make, naives, offsets) for make in (_stdlib, _pendulum_stdlib_zone, _pendulum_zone)
)


# -- to_utc ---------------------------------------------------------------------------------


def test_to_utc_converts_an_offset_to_utc():
    kyiv = dt.datetime(2025, 6, 2, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    result = to_utc(kyiv)
    assert type(result) is DateTime
    assert result == T
    assert (result.hour, result.utcoffset()) == (10, ZERO)


def test_to_utc_converts_a_named_zone():
    result = to_utc(pendulum.datetime(2025, 1, 15, 12, 0, tz="Europe/Kyiv"))
    assert (result.hour, result.utcoffset()) == (10, ZERO)


def test_to_utc_returns_a_utc_instant_as_it_is():
    assert to_utc(T) is T


@given(aware)
def test_to_utc_keeps_the_instant(value):
    result = to_utc(value)
    assert result == value
    assert result.utcoffset() == ZERO
    assert result.microsecond == value.microsecond
    assert type(result) is DateTime


def test_to_utc_refuses_a_naive_datetime_naming_the_field():
    naive = dt.datetime(2025, 6, 2, 10)  # noqa: DTZ001  # the refusal under test
    with pytest.raises(InvalidEvent) as caught:
        to_utc(naive, field="published_at")
    assert (caught.value.field, caught.value.value) == ("published_at", naive)
    assert "published_at" in str(caught.value)
    assert "naive" in str(caught.value)


def test_to_utc_refuses_a_naive_pendulum_datetime():
    with pytest.raises(InvalidEvent) as caught:
        to_utc(pendulum.naive(2025, 6, 2, 10))
    assert caught.value.field == "time"


@pytest.mark.parametrize(
    "value", [None, "2025-06-02T10:00:00+00:00", 1748858400, dt.date(2025, 6, 2)]
)
def test_to_utc_refuses_what_is_not_a_datetime(value):
    with pytest.raises(InvalidEvent) as caught:
        to_utc(value)
    assert (caught.value.field, caught.value.value) == ("time", value)


def test_to_utc_refuses_an_instant_that_has_no_utc_form():
    with pytest.raises(InvalidEvent) as caught:
        to_utc(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))), field="at")
    assert caught.value.field == "at"


# -- instant and isoformat ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-06-02T13:00:00+03:00",
        "2025-06-02T10:00:00Z",
        "2025-06-02T10:00:00.000000+00:00",
        "2025-06-02T06:00-04:00",
    ],
)
def test_instant_parses_iso_text_with_an_offset(text):
    assert instant(text) == T
    assert instant(text).utcoffset() == ZERO


def test_instant_takes_a_datetime_too():
    assert instant(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC)) == T


@pytest.mark.parametrize(
    "text", ["2025-06-02T10:00:00", "yesterday", "", "2025-13-01T00:00:00+00:00"]
)
def test_instant_refuses_naive_or_unreadable_text(text):
    with pytest.raises(InvalidEvent) as caught:
        instant(text, field="due_at")
    assert caught.value.field == "due_at"
    assert "due_at" in str(caught.value)


def test_isoformat_writes_microseconds_and_a_utc_offset():
    assert isoformat(T) == "2025-06-02T10:00:00.000000+00:00"
    assert isoformat(T.replace(microsecond=7)) == "2025-06-02T10:00:00.000007+00:00"


@given(instants())
def test_isoformat_round_trips_through_instant(t):
    assert instant(isoformat(t)) == t


@given(instants(), instants())
def test_isoformat_sorts_chronologically(a, b):
    assert (a < b) == (isoformat(a) < isoformat(b))


# -- precision ------------------------------------------------------------------------------

MOMENT = DateTime(2025, 6, 2, 13, 45, 10, 123456, tzinfo=pendulum.UTC)


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        (TimePrecision.EXACT, MOMENT),
        (TimePrecision.MINUTE, DateTime(2025, 6, 2, 13, 45, tzinfo=pendulum.UTC)),
        (TimePrecision.HOUR, DateTime(2025, 6, 2, 13, tzinfo=pendulum.UTC)),
        (TimePrecision.DAY, DateTime(2025, 6, 2, tzinfo=pendulum.UTC)),
        (TimePrecision.MONTH, DateTime(2025, 6, 1, tzinfo=pendulum.UTC)),
    ],
)
def test_floor_to_truncates_to_each_precision(precision, expected):
    floored = floor_to(MOMENT, precision)
    assert floored == expected
    assert floored.utcoffset() == ZERO


@given(instants(), precisions())
def test_floor_to_never_moves_later_and_is_idempotent(t, precision):
    floored = floor_to(t, precision)
    assert floored <= t
    assert floor_to(floored, precision) == floored


@given(instants(), instants(), precisions())
def test_floor_to_keeps_order(a, b, precision):
    if a <= b:
        assert floor_to(a, precision) <= floor_to(b, precision)


def test_precisions_are_ranked_from_exact_to_month():
    assert [p.value for p in sorted(TimePrecision, key=lambda p: p.rank)] == [
        "exact",
        "minute",
        "hour",
        "day",
        "month",
    ]
    assert TimePrecision("day") is TimePrecision.DAY


@pytest.mark.parametrize(
    ("a", "b", "coarser"),
    [
        (TimePrecision.HOUR, TimePrecision.DAY, TimePrecision.DAY),
        (TimePrecision.DAY, TimePrecision.HOUR, TimePrecision.DAY),
        (TimePrecision.EXACT, TimePrecision.MINUTE, TimePrecision.MINUTE),
        (TimePrecision.MONTH, TimePrecision.EXACT, TimePrecision.MONTH),
        (TimePrecision.HOUR, TimePrecision.HOUR, TimePrecision.HOUR),
    ],
)
def test_coarser_picks_the_vaguer_precision(a, b, coarser):
    assert TimePrecision.coarser(a, b) is coarser


@given(precisions(), precisions())
def test_coarser_is_symmetric_and_at_least_as_coarse(a, b):
    c = TimePrecision.coarser(a, b)
    assert c is TimePrecision.coarser(b, a)
    assert c.rank == max(a.rank, b.rank)


# -- clocks ---------------------------------------------------------------------------------


def test_a_fixed_clock_stands_still():
    clock = FixedClock(T)
    assert clock.now() == T
    assert clock.now() == T


def test_a_fixed_clock_is_set_and_advanced():
    clock = FixedClock(T)
    assert clock.advance(hours=2) is clock
    assert clock.now() == T.add(hours=2)
    clock.advance(minutes=30, seconds=1)
    assert clock.now() == T.add(hours=2, minutes=30, seconds=1)
    assert clock.set(T) is clock
    assert clock.now() == T
    clock.set(dt.datetime(2025, 6, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    assert clock.now() == T
    assert clock.now().utcoffset() == ZERO


def test_a_fixed_clock_ticks_after_each_reading():
    clock = FixedClock(T, tick=dt.timedelta(seconds=1))
    assert [clock.now() for _ in range(3)] == [T, T.add(seconds=1), T.add(seconds=2)]


def test_a_fixed_clock_starts_in_utc_and_refuses_naive_times():
    clock = FixedClock(dt.datetime(2025, 6, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    assert clock.now() == T
    assert clock.now().utcoffset() == ZERO
    with pytest.raises(InvalidArgument) as caught:
        FixedClock(dt.datetime(2025, 6, 2))  # noqa: DTZ001  # the refusal under test
    assert caught.value.argument == "at"
    assert "timezone-aware" in str(caught.value)
    with pytest.raises(InvalidArgument):
        clock.set(dt.datetime(2025, 6, 2))  # noqa: DTZ001  # same
    with pytest.raises(InvalidArgument):
        FixedClock("2025-06-02T13:00:00+03:00")


def test_floor_to_refuses_what_is_not_a_precision():
    with pytest.raises(InvalidArgument) as caught:
        floor_to(T, "day")
    assert caught.value.argument == "precision"


def test_the_system_clock_is_aware_utc():
    now = SystemClock().now()
    assert type(now) is DateTime
    assert now.utcoffset() == ZERO


def test_clocks_are_clocks():
    assert isinstance(FixedClock(T), Clock)
    assert isinstance(SystemClock(), Clock)
    assert not isinstance(object(), Clock)


def test_parsed_instants_stay_aware_through_pendulum_arithmetic():
    parsed = parse_utc("2025-06-04T07:50:52.000000+00:00")
    assert parsed.subtract(microseconds=1).tzinfo is not None
    assert parsed.add(days=1) == instant("2025-06-05T07:50:52+00:00")
    assert parse_utc("2025-06-04T10:50:52+03:00") == parsed


def test_records_read_back_keep_pendulum_arithmetic_aware(tmp_path):
    log = tl.open_log(tmp_path / "t.db", clock=FixedClock(instant("2025-06-04T07:50:52+00:00")))
    log.append(
        [tl.Statement(occurred_at=instant("2025-06-02T10:00:00+03:00"), speaker="A", text="b")],
        stream="s",
    )
    (rec,) = log.read()
    assert rec.recorded_at.subtract(microseconds=1) < rec.recorded_at
    assert rec.event.occurred_at.add(hours=1).tzinfo is not None


@pytest.mark.parametrize("text", ["2025-06-04T07:50:52", "yesterday", ""])
def test_parse_utc_refuses_naive_or_unreadable_text(text):
    with pytest.raises(InvalidEvent) as caught:
        parse_utc(text, field="known_at")
    assert caught.value.field == "known_at"
    assert caught.value.value == text
