"""The one time rule: a cause may share its effect's instant, never come after it."""

import pendulum
import pytest
from causal_world import at, said

import timeline as tl
from timeline.causal.timing import (
    bounds,
    from_micros,
    latest,
    latest_micros,
    may_cause,
    micros,
    time_conflict,
)


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        ("exact", "2025-06-01T12:00:00+00:00"),
        ("minute", "2025-06-01T12:00:59.999999+00:00"),
        ("hour", "2025-06-01T12:59:59.999999+00:00"),
        ("day", "2025-06-02T11:59:59.999999+00:00"),
        ("month", "2025-07-01T11:59:59.999999+00:00"),
    ],
)
def test_latest_adds_one_unit_of_the_precision(precision, expected):
    event = said(hours=12, time_precision=precision)
    assert latest(event) == tl.instant(expected)
    assert latest_micros(event) == micros(latest(event))


def test_latest_of_an_interval_runs_from_its_end():
    event = said(hours=12, occurred_until=at(20), time_precision="minute")
    assert latest(event) == tl.instant("2025-06-01T20:00:59.999999+00:00")
    assert bounds(event) == (micros(at(12)), micros(latest(event)))


def test_a_calendar_month_is_not_thirty_days():
    event = tl.Statement(
        occurred_at=pendulum.datetime(2025, 2, 1), time_precision="month", speaker="a", text="b"
    )
    assert latest(event) == tl.instant("2025-02-28T23:59:59.999999+00:00")


def test_micros_round_trips():
    for value in (at(0), at(12.5), pendulum.datetime(1969, 12, 31, 23, 59, 59, 999999)):
        assert from_micros(micros(value)) == value


def test_equal_instants_are_allowed_and_later_causes_are_not():
    a, b = said(hours=1), said(hours=1)
    assert may_cause(a, b)
    assert may_cause(b, a)
    late = said(hours=1.5)
    assert not may_cause(late, a)
    assert may_cause(a, late)


def test_vague_times_are_compared_at_the_coarser_precision():
    day = said(hours=0, time_precision="day")  # any time on 1 June (from 00:00 UTC)
    noon = said(hours=12)
    assert may_cause(noon, day)  # noon may come before the day-precision event
    assert may_cause(day, noon)
    assert not may_cause(said(hours=24), day)  # 2 June is after all of it


def test_a_cause_may_fall_inside_an_effects_window():
    overnight = tl.DroneBarrage(
        occurred_at=at(-4), occurred_until=at(10), time_precision="minute", launched=472
    )
    strike = said(hours=5)
    assert may_cause(strike, overnight)
    assert not may_cause(said(hours=11), overnight)


def test_time_conflict_names_both_times_and_precisions():
    reason = time_conflict(said(hours=30), said(hours=12, time_precision="hour"))
    assert reason is not None
    assert "2025-06-02T06:00:00+00:00 (exact precision)" in reason
    assert "2025-06-01T12:59:59.999999+00:00" in reason
    assert "(hour precision)" in reason
    assert time_conflict(said(hours=12), said(hours=12)) is None
