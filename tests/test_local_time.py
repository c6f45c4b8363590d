"""Local time is part of the fact: an event keeps its zone, and its date is the local date.

The zone of the clock that reported an event (``Event.zone``) is kept beside its UTC instant,
stored only when known (so old events keep their bytes), and read back by every backend and
every exchange format; :func:`timeline.time.local_date` and friends give the date a person
sees. An event without a zone keeps the noon rule.
"""

import datetime as dt
import zoneinfo

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.codec import Codec, TrustedDecoder
from timeline.events import DroneBarrage, Statement, TalkRoundHeld
from timeline.testing import strategies as ts
from timeline.time import (
    TimePrecision,
    end_of_local_day,
    event_zone,
    instant,
    is_zone,
    local_date,
    local_iso,
    local_span,
    local_text,
    start_of_local_day,
    zone_label,
    zone_of,
)

CODEC = Codec()
KYIV, ISTANBUL = "Europe/Kyiv", "Europe/Istanbul"
COARSE = (TimePrecision.DAY, TimePrecision.MONTH)


def barrage(at, **fields):
    return DroneBarrage(occurred_at=at, launched=10, **fields)


# -- the zone of an event ------------------------------------------------------------------


def test_a_zone_the_time_is_given_in_becomes_the_events_zone():
    kyiv = barrage(pendulum.datetime(2025, 5, 31, 19, 30, tz=KYIV))
    assert kyiv.zone == KYIV
    assert kyiv.occurred_at == instant("2025-05-31T16:30:00+00:00")
    assert kyiv.occurred_at.tzinfo is pendulum.UTC  # still stored in UTC
    stdlib = barrage(dt.datetime(2025, 6, 2, 13, tzinfo=zoneinfo.ZoneInfo(ISTANBUL)))
    assert stdlib.zone == ISTANBUL
    offset = barrage(dt.datetime(2025, 6, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=-5.5))))
    assert offset.zone == "-05:30"
    assert barrage(pendulum.parse("2025-06-02T13:00+03:00")).zone == "+03:00"


def test_utc_says_nothing_about_the_clock_unless_the_zone_is_given():
    assert barrage(pendulum.datetime(2025, 6, 1, 22)).zone is None
    assert barrage(dt.datetime(2025, 6, 1, 22, tzinfo=dt.UTC)).zone is None
    assert barrage(pendulum.datetime(2025, 6, 1, 22), zone="UTC").zone == "UTC"


def test_a_zone_given_wins_over_the_zone_of_the_time():
    ev = barrage(pendulum.datetime(2025, 6, 1, 22, tz=KYIV), zone=ISTANBUL)
    assert ev.zone == ISTANBUL
    assert attrs.evolve(ev, launched=11).zone == ISTANBUL


@pytest.mark.parametrize(
    "zone", ["Kyiv", "EST", "+3", "+03", "+24:00", "03:00", "Europe/Atlantis", "", " UTC", 3]
)
def test_a_zone_that_is_not_one_is_refused_by_name(zone):
    with pytest.raises(tl.InvalidEvent, match="zone") as caught:
        barrage(pendulum.datetime(2025, 6, 1), zone=zone)
    assert caught.value.field == "zone"
    assert caught.value.value == zone


@pytest.mark.parametrize(
    "zone",
    [
        "UTC",
        KYIV,
        "Europe/Kiev",
        "America/Argentina/Buenos_Aires",
        "+03:00",
        "-05:30",
        "+00:00",
        "Etc/GMT-3",
    ],
)
def test_zones_an_event_may_carry(zone):
    assert is_zone(zone)
    assert barrage(pendulum.datetime(2025, 6, 1), zone=zone).zone == zone


@given(st.datetimes(timezones=st.timezones()))
def test_zone_of_a_time_names_its_clock(value):
    zone = zone_of(value)
    at = tl.time.to_utc(value)  # the instant (a time in a DST gap names one too)
    if zone is not None:
        assert is_zone(zone)
        assert (
            at.astimezone(tl.time.zone_info(zone)).utcoffset()
            == at.astimezone(value.tzinfo).utcoffset()
        )
    else:
        assert value.utcoffset() == dt.timedelta(0) or value.utcoffset().seconds % 60


# -- local dates ---------------------------------------------------------------------------


@given(ts.instants(), ts.zones(), st.sampled_from(list(TimePrecision)))
def test_the_local_date_is_the_date_on_the_clock_of_the_events_zone(at, zone, precision):
    ev = barrage(at, zone=zone, time_precision=precision)
    if zone[0] in "+-":  # a fixed offset: pendulum names no zone so
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        sign = -1 if zone[0] == "-" else 1
        offset = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        expected = at.astimezone(offset).date()
    else:
        expected = at.in_timezone(zone).date()
    assert local_date(ev) == expected
    assert tl.local_date(ev) == expected
    assert local_span(ev) == (expected, expected)
    assert event_zone(ev) == zone


@given(ts.events())
def test_the_zone_survives_the_codec_both_ways(event):
    data = CODEC.encode(event)
    assert (b'"zone":' in data) == (event.zone is not None)
    for decoded in (CODEC.decode(data), TrustedDecoder(CODEC).decode(data)):
        assert decoded == event
        assert decoded.zone == event.zone
        assert local_date(decoded) == local_date(event)


def test_an_event_without_a_zone_keeps_the_noon_rule():
    # A date-only report made in Kyiv starts at 21:00Z the evening before.
    day = barrage(instant("2025-06-01T21:00:00+00:00"), time_precision="day")
    assert local_date(day) == dt.date(2025, 6, 2)
    minute = barrage(instant("2025-06-01T21:00:00+00:00"), time_precision="minute")
    assert local_date(minute) == dt.date(2025, 6, 1)
    assert event_zone(day) == "UTC"


def test_a_zone_retires_the_noon_guess():
    # 13:00Z is 16:00 in Kyiv: still 1 June there, where the noon rule would say 2 June.
    ev = barrage(instant("2025-06-01T13:00:00+00:00"), time_precision="day", zone=KYIV)
    assert local_date(ev) == dt.date(2025, 6, 1)
    # and far from UTC: Auckland's 2 June starts at 12:00Z on 1 June
    nz = barrage(pendulum.datetime(2025, 6, 2, tz="Pacific/Auckland"), time_precision="day")
    assert nz.occurred_at == instant("2025-06-01T12:00:00+00:00")
    assert local_date(nz) == dt.date(2025, 6, 2)


def test_an_overnight_barrage_spans_two_local_days():
    night = DroneBarrage(
        occurred_at=pendulum.datetime(2025, 5, 31, 19, 30, tz=KYIV),
        occurred_until=pendulum.datetime(2025, 6, 1, 13, 30, tz=KYIV),
        launched=479,
    )
    assert tl.local_span(night) == (dt.date(2025, 5, 31), dt.date(2025, 6, 1))


def test_a_days_end_given_as_the_next_midnight_belongs_to_the_day_before():
    days = barrage(
        pendulum.datetime(2025, 5, 23, tz=KYIV),
        occurred_until=pendulum.datetime(2025, 5, 26, tz=KYIV),
        time_precision="day",
    )
    assert local_span(days) == (dt.date(2025, 5, 23), dt.date(2025, 5, 25))
    inclusive = attrs.evolve(days, occurred_until=pendulum.datetime(2025, 5, 25, 23, 59, tz=KYIV))
    assert local_span(inclusive) == (dt.date(2025, 5, 23), dt.date(2025, 5, 25))


def test_the_istanbul_round_is_on_2_june_whatever_its_utc_instant():
    held = TalkRoundHeld(
        occurred_at=pendulum.datetime(2025, 6, 2, tz=ISTANBUL),
        time_precision="day",
        venue="Ciragan Palace",
        city="Istanbul",
        host="Türkiye",
        parties=("Ukraine", "Russia"),
    )
    assert held.occurred_at == instant("2025-06-01T21:00:00+00:00")
    assert tl.local_date(held) == dt.date(2025, 6, 2)
    assert local_text(held.occurred_at, held.zone, held.time_precision) == "2025-06-02"


# -- DST edges -----------------------------------------------------------------------------

# Kyiv: 30 March 2025 03:00 EET -> 04:00 EEST (01:00Z); 26 October 2025 04:00 -> 03:00 (01:00Z).
# Istanbul has kept +03:00 all year since 2016: no transition, whatever Kyiv does.


@pytest.mark.parametrize(
    ("text", "zone", "date", "clock"),
    [
        ("2025-03-30T00:59:59+00:00", KYIV, "2025-03-30", "02:59"),  # the last winter minute
        ("2025-03-30T01:00:00+00:00", KYIV, "2025-03-30", "04:00"),  # the first summer one
        ("2025-03-29T21:59:59+00:00", KYIV, "2025-03-29", "23:59"),
        ("2025-03-29T22:00:00+00:00", KYIV, "2025-03-30", "00:00"),  # midnight at +02:00
        ("2025-03-30T21:00:00+00:00", KYIV, "2025-03-31", "00:00"),  # midnight at +03:00
        ("2025-10-26T00:30:00+00:00", KYIV, "2025-10-26", "03:30"),  # 03:30 the first time
        ("2025-10-26T01:30:00+00:00", KYIV, "2025-10-26", "03:30"),  # and the second
        ("2025-10-25T20:59:59+00:00", KYIV, "2025-10-25", "23:59"),
        ("2025-10-25T21:00:00+00:00", KYIV, "2025-10-26", "00:00"),
        ("2025-10-26T22:00:00+00:00", KYIV, "2025-10-27", "00:00"),  # midnight at +02:00
        ("2025-03-29T21:00:00+00:00", ISTANBUL, "2025-03-30", "00:00"),
        ("2025-10-25T21:00:00+00:00", ISTANBUL, "2025-10-26", "00:00"),
    ],
)
def test_local_dates_across_dst_transitions(text, zone, date, clock):
    ev = barrage(instant(text), zone=zone, time_precision="minute")
    assert local_date(ev).isoformat() == date
    assert (
        local_text(ev.occurred_at, zone, TimePrecision.MINUTE)
        == f"{date} {clock} {zone_label(zone)}"
    )


@pytest.mark.parametrize(
    ("day", "zone", "start", "end"),
    [
        ("2025-03-30", KYIV, "2025-03-29T22:00:00+00:00", "2025-03-30T20:59:59.999999+00:00"),
        ("2025-10-26", KYIV, "2025-10-25T21:00:00+00:00", "2025-10-26T21:59:59.999999+00:00"),
        ("2025-03-30", ISTANBUL, "2025-03-29T21:00:00+00:00", "2025-03-30T20:59:59.999999+00:00"),
        ("2025-06-01", "UTC", "2025-06-01T00:00:00+00:00", "2025-06-01T23:59:59.999999+00:00"),
        ("2025-06-01", "+05:30", "2025-05-31T18:30:00+00:00", "2025-06-01T18:29:59.999999+00:00"),
    ],
)
def test_a_local_day_begins_and_ends_at_its_own_midnights(day, zone, start, end):
    date = dt.date.fromisoformat(day)
    assert start_of_local_day(date, zone) == instant(start)
    assert end_of_local_day(date, zone) == instant(end)
    # a date-only event on a transition day is that day, and its day holds it
    midnight = dt.datetime(date.year, date.month, date.day, tzinfo=tl.time.zone_info(zone))
    ev = barrage(midnight, time_precision="day")
    assert ev.occurred_at == instant(start)
    assert local_date(ev) == date
    assert local_span(attrs.evolve(ev, occurred_until=instant(end))) == (date, date)


def test_a_local_day_that_starts_after_a_gap_at_midnight():
    # Santiago springs forward at 24:00 on 6 September 2025: the day begins at 01:00 (-03:00).
    assert start_of_local_day(dt.date(2025, 9, 7), "America/Santiago") == instant(
        "2025-09-07T04:00:00+00:00"
    )


@given(st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), ts.zones())
def test_a_local_day_is_the_dates_its_instants_have(day, zone):
    start, end = start_of_local_day(day, zone), end_of_local_day(day, zone)
    assert start < end
    tz = tl.time.zone_info(zone)
    assert end.astimezone(tz).date() == day
    assert (end + dt.timedelta(microseconds=1)).astimezone(tz).date() > day
    assert (start - dt.timedelta(microseconds=1)).astimezone(tz).date() < day


# -- bitemporal edges ----------------------------------------------------------------------


def test_the_end_of_a_local_day_is_an_exact_as_of_edge():
    log = tl.open_log("memory:")
    late = barrage(pendulum.datetime(2025, 6, 2, 1, 30, tz=KYIV))  # 22:30Z on 1 June
    evening = barrage(pendulum.datetime(2025, 6, 1, 23, 30, tz=KYIV))  # 20:30Z on 1 June
    log.append([evening, late], stream="strikes")
    first = dt.date(2025, 6, 1)

    utc_end, kyiv_end = end_of_local_day(first, "UTC"), end_of_local_day(first, KYIV)
    assert late.occurred_at <= utc_end
    assert late.occurred_at > kyiv_end
    assert evening.occurred_at <= kyiv_end
    assert evening.occurred_at <= utc_end
    count = tl.replay(log, _Count(), as_of=utc_end)
    assert count == 2
    assert tl.replay(log, _Count(), as_of=kyiv_end) == 1


class _Count:
    name, version = "count", 1

    def initial(self):
        return 0

    def apply(self, state, _event):
        return state + 1


# -- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "expected"),
    [
        ("exact", "2025-05-31 19:30:05 Kyiv"),
        ("minute", "2025-05-31 19:30 Kyiv"),
        ("hour", "2025-05-31 19h Kyiv"),
        ("day", "2025-05-31"),
        ("month", "2025-05"),
    ],
)
def test_local_text_at_each_precision(precision, expected):
    at = instant("2025-05-31T16:30:05+00:00")
    assert local_text(at, KYIV, TimePrecision(precision)) == expected


def test_local_text_in_utc_and_at_an_offset():
    at = instant("2025-05-31T16:30:00.25+00:00")
    assert local_text(at, None, TimePrecision.EXACT) == "2025-05-31 16:30:00.250000 UTC"
    assert local_text(at, "+03:00", TimePrecision.MINUTE) == "2025-05-31 19:30 +03:00"
    assert local_text(at, "America/New_York", TimePrecision.HOUR) == "2025-05-31 12h New York"


def test_a_statement_in_istanbul_keeps_its_zone_through_a_correction():
    said = Statement(
        occurred_at=pendulum.datetime(2025, 6, 2, 13, tz=ISTANBUL),
        speaker="Hakan Fidan",
        text="Welcome.",
    )
    log = tl.open_log("memory:")
    log.append([said], stream="talks")
    fix = tl.Correction(
        occurred_at=pendulum.datetime(2025, 6, 3),
        corrects=said.event_id,
        changes={"text": "Welcome to Istanbul."},
    )
    log.append([fix], stream="talks")
    state = tl.replay(log, tl.Chronology())
    [event] = [e for e in tl.replay(log, _Events()) if e.TYPE == said.TYPE]
    assert event.zone == ISTANBUL
    assert event.text == "Welcome to Istanbul."
    assert state is not None


class _Events:
    name, version = "events", 1

    def initial(self):
        return ()

    def apply(self, state, event):
        return (*state, event)


# -- selecting by local dates ---------------------------------------------------------------


def test_list_from_to_selects_by_each_events_own_calendar():
    events = {
        "kyiv 01:30 2 June": barrage(pendulum.datetime(2025, 6, 2, 1, 30, tz=KYIV)),
        "kyiv 23:30 1 June": barrage(pendulum.datetime(2025, 6, 1, 23, 30, tz=KYIV)),
        "kyiv day 5 June": barrage(pendulum.datetime(2025, 6, 5, tz=KYIV), time_precision="day"),
        "utc 23:30 4 June": barrage(instant("2025-06-04T23:30:00+00:00"), zone="UTC"),
    }
    first, last = dt.date(2025, 6, 2), dt.date(2025, 6, 4)
    chosen = {k for k, e in events.items() if tl.time.in_local_dates(e, first, last)}
    assert chosen == {"kyiv 01:30 2 June", "utc 23:30 4 June"}
    assert {k for k, e in events.items() if tl.time.in_local_dates(e, last=first)} == {
        "kyiv 01:30 2 June",
        "kyiv 23:30 1 June",
    }


@given(ts.instants(), st.none() | ts.zones(), st.sampled_from(list(TimePrecision)))
def test_the_utc_window_holds_every_event_of_its_local_dates(at, zone, precision):
    ev = barrage(at, zone=zone, time_precision=precision)
    day = local_date(ev)
    start, end = tl.time.local_dates_window(day, day)
    assert start <= ev.occurred_at <= end
    assert tl.time.in_local_dates(ev, day, day)
    assert not tl.time.in_local_dates(ev, day + dt.timedelta(days=1), None)


@given(ts.instants(), st.sampled_from(list(TimePrecision)), st.sampled_from([None, "UTC"]))
def test_an_instant_on_the_utc_clock_is_written_as_datetime_writes_it(at, precision, zone):
    """``local_iso`` writes the usual instant (pendulum's UTC) field by field; the text is
    the one the general path (the zone's clock, then ``isoformat``) gives the same instant
    held in another UTC object."""
    plain = dt.datetime(*at.timetuple()[:6], at.microsecond, tzinfo=dt.UTC)
    assert at.tzinfo is pendulum.UTC
    assert local_iso(at, zone, precision) == local_iso(plain, zone, precision)
    if precision not in COARSE:
        spec = "microseconds" if at.microsecond else "seconds"
        written = plain.isoformat(timespec=spec if precision is TimePrecision.EXACT else "minutes")
        if precision is TimePrecision.HOUR:
            written = written[:13] + written[16:]
        assert local_iso(at, zone, precision) == written
