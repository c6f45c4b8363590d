"""The calendar date an event is filed under, and labels of its time at its precision.

The date of an event is its *local date*: the date on the clock of its zone
(``Event.zone``), read by :func:`timeline.time.local_day`. A date-only report made in Kyiv
("on 2 June") starts at local midnight, ``2025-06-01T21:00Z``, and is filed under 2 June;
an exact one at 19:30 Kyiv time is labelled ``"2025-05-31 19:30 Kyiv"``.

An event without a zone (written before events kept theirs) is filed as it always was: a
``"day"``- or ``"month"``-precision instant at the middle of that day (twelve hours on),
the end of such an interval twelve hours back, finer instants under their UTC date, and its
labels in UTC (``"2025-05-31T16:30Z"``). So an old log replays to the very same labels.

Shared by the built-in projections and by what shows their answers (the command line), so
that every date a person sees is filed by the same rule.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from timeline.time import TimePrecision, local_day, local_iso, local_text

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = [
    "date_label",
    "day_label",
    "day_ordinal",
    "end_day_ordinal",
    "end_label",
    "event_day",
    "label",
]

_COARSE = (TimePrecision.DAY, TimePrecision.MONTH)


def day_ordinal(at: dt.datetime, precision: TimePrecision, zone: str | None = None) -> int:
    """The proleptic ordinal of the local date a starting instant is filed under.

    >>> from timeline.time import instant
    >>> day_label(day_ordinal(instant("2025-06-01T21:00:00+00:00"), TimePrecision.DAY))
    '2025-06-02'
    >>> day_label(day_ordinal(instant("2025-06-01T21:00:00+00:00"), TimePrecision.MINUTE))
    '2025-06-01'
    >>> at = instant("2025-06-01T21:30:00+00:00")
    >>> day_label(day_ordinal(at, TimePrecision.MINUTE, "Europe/Kyiv"))
    '2025-06-02'
    """
    return local_day(at, precision, zone).toordinal()


def end_day_ordinal(until: dt.datetime, precision: TimePrecision, zone: str | None = None) -> int:
    """The proleptic ordinal of the local date an interval's end is filed under.

    >>> from timeline.time import instant
    >>> day_label(end_day_ordinal(instant("2025-06-02T20:59:59+00:00"), TimePrecision.DAY))
    '2025-06-02'
    """
    return local_day(until, precision, zone, end=True).toordinal()


def day_label(ordinal: int) -> str:
    """``"2025-06-02"`` for a proleptic ordinal."""
    return dt.date.fromordinal(ordinal).isoformat()


def label(
    at: dt.datetime, precision: TimePrecision, *, end: bool = False, zone: str | None = None
) -> str:
    """An instant written at its precision, on the clock of ``zone`` (dates as filed).

    With a zone: ``"2025-06"`` (month), ``"2025-06-02"`` (day), ``"2025-05-31 19h Kyiv"``
    (hour), ``"2025-05-31 19:30 Kyiv"`` (minute), ``"2025-05-31 19:30:00 Kyiv"`` (exact), as
    :func:`timeline.time.local_text` writes them. Without one, in UTC as before zones were
    kept: :func:`timeline.time.local_iso`'s text in UTC, with ``Z`` for its offset:
    ``"2025-05-31T16Z"`` (hour), ``"2025-05-31T16:30Z"`` (minute), ``"2025-05-31T16:30:00Z"``
    (exact; with microseconds where there are any). ``end=True`` reads a day or month as the
    end of an interval.

    >>> from timeline.time import instant
    >>> label(instant("2025-05-31T16:30:00+00:00"), TimePrecision.MINUTE)
    '2025-05-31T16:30Z'
    >>> label(instant("2025-05-31T16:30:00+00:00"), TimePrecision.MINUTE, zone="Europe/Kyiv")
    '2025-05-31 19:30 Kyiv'
    >>> label(instant("2025-05-31T21:00:00+00:00"), TimePrecision.MONTH)
    '2025-06'
    """
    if precision in _COARSE:
        text = local_day(at, precision, zone, end=end).isoformat()
        return text[:7] if precision is TimePrecision.MONTH else text
    if zone is not None:
        return local_text(at, zone, precision)
    return local_iso(at, "UTC", precision).removesuffix("+00:00") + "Z"


def end_label(event: Event) -> str | None:
    """The label of an event's ``occurred_until``, or ``None`` if it has none."""
    if event.occurred_until is None:
        return None
    return label(event.occurred_until, event.time_precision, end=True, zone=event.zone)


def date_label(event: Event) -> str:
    """The label of an event's ``occurred_at`` at its precision, in its zone.

    >>> import pendulum
    >>> from timeline.events import Statement
    >>> date_label(Statement(occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
    ...                      time_precision="day", speaker="Hakan Fidan", text="Welcome."))
    '2025-06-02'
    """
    return label(event.occurred_at, event.time_precision, zone=event.zone)


def event_day(event: Event) -> str:
    """The local date a report is filed under, as text.

    The day its interval ends, if it has one (a tally for "the night of 31 May to 1 June" is
    1 June's), else the day it happened.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> event_day(DroneBarrage(occurred_at=pendulum.datetime(2025, 5, 31, 19, tz="Europe/Kyiv"),
    ...     occurred_until=pendulum.datetime(2025, 6, 1, 8, 30, tz="Europe/Kyiv"), launched=9))
    '2025-06-01'
    """
    if event.occurred_until is not None:
        return local_day(
            event.occurred_until, event.time_precision, event.zone, end=True
        ).isoformat()
    return local_day(event.occurred_at, event.time_precision, event.zone).isoformat()
