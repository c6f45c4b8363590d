"""Properties of the dates the summaries print: a date is its event's own, a time is moved."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.cli._summaries import negotiations_lines, when
from timeline.testing import strategies
from timeline.time import TimePrecision, local_date, local_text

COARSE = (TimePrecision.DAY, TimePrecision.MONTH)


@settings(max_examples=200, deadline=None)
@given(
    strategies.instants(min_year=1971, max_year=2090),
    strategies.zones(),
    strategies.precisions(),
    st.none() | strategies.zones(),
)
def test_a_date_stays_its_events_and_a_time_moves_to_the_zone_asked(at, own, precision, asked):
    event = tl.Statement(
        occurred_at=at, time_precision=precision, zone=own, speaker="Hakan Fidan", text="Welcome."
    )
    shown = when(event, zone=asked)
    if precision in COARSE:
        assert shown == local_text(event.occurred_at, own, precision)  # whatever was asked
        if precision is TimePrecision.DAY:
            assert shown == local_date(event).isoformat()
    else:
        assert shown == local_text(event.occurred_at, asked or own, precision)


@settings(max_examples=200, deadline=None)
@given(
    strategies.instants(min_year=1971, max_year=2090),
    strategies.zones(),
    strategies.precisions(),
    st.none() | strategies.zones(),
)
def test_a_memorandum_is_promised_on_its_local_date(at, own, precision, asked):
    promise = tl.MemorandumPromised(
        occurred_at=at, time_precision=precision, zone=own, party="Russia", subject="framework"
    )
    projection = tl.Negotiations()
    state = projection.fold(projection.initial(), [promise])
    [line] = [x for x in negotiations_lines(state, None, zone=asked) if "framework" in x]
    if precision in COARSE or asked is None:
        day = local_text(promise.occurred_at, own, precision)[:10]
    else:
        day = local_text(promise.occurred_at, asked, precision)[:10]
    assert line.endswith(f"(promised {day})")
    if precision is TimePrecision.DAY:
        assert day == local_date(promise).isoformat()
