"""The calendar date an event is filed under, and labels of its time at its precision.

Instants are stored in UTC, so a date-only report made in Kyiv or Istanbul ("on 2 June")
starts at local midnight, which is the evening before in UTC (``2025-06-01T21:00Z``).
Filing it under the UTC date of ``occurred_at`` would put it on the wrong day. So the date of
a ``"day"``- or ``"month"``-precision instant is read at the middle of that day (twelve hours
on), which gives the local date for any zone within ±12 hours of UTC; the end of such an
interval (``occurred_until``, the end of its last day) is read twelve hours back. Finer
instants are filed under their UTC date.

Shared by the built-in projections and by what shows their answers (the command line), so
that every date a person sees is filed by the same rule.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = ["date_label", "day_label", "day_ordinal", "end_day_ordinal", "end_label", "label"]

_NOON = 12
_COARSE = (TimePrecision.DAY, TimePrecision.MONTH)
_toordinal = dt.date.toordinal


def day_ordinal(at: dt.datetime, precision: TimePrecision) -> int:
    """The proleptic ordinal of the date a starting instant is filed under.

    >>> from timeline.time import instant
    >>> day_label(day_ordinal(instant("2025-06-01T21:00:00+00:00"), TimePrecision.DAY))
    '2025-06-02'
    >>> day_label(day_ordinal(instant("2025-06-01T21:00:00+00:00"), TimePrecision.MINUTE))
    '2025-06-01'
    """
    ordinal = _toordinal(at)
    if precision in _COARSE and at.hour >= _NOON:
        ordinal += 1
    return ordinal


def end_day_ordinal(until: dt.datetime, precision: TimePrecision) -> int:
    """The proleptic ordinal of the date an interval's end is filed under.

    >>> from timeline.time import instant
    >>> day_label(end_day_ordinal(instant("2025-06-02T20:59:59+00:00"), TimePrecision.DAY))
    '2025-06-02'
    """
    ordinal = _toordinal(until)
    if precision in _COARSE and until.hour < _NOON:
        ordinal -= 1
    return ordinal


def day_label(ordinal: int) -> str:
    """``"2025-06-02"`` for a proleptic ordinal."""
    return dt.date.fromordinal(ordinal).isoformat()


def label(at: dt.datetime, precision: TimePrecision, *, end: bool = False) -> str:
    """An instant written at its precision, in UTC (dates as filed, see the module).

    ``"2025-06"`` (month), ``"2025-06-02"`` (day), ``"2025-05-31T16Z"`` (hour),
    ``"2025-05-31T16:30Z"`` (minute), ``"2025-05-31T16:30:00Z"`` (exact; with microseconds
    where there are any). ``end=True`` reads a day or month as the end of an interval.

    >>> from timeline.time import instant
    >>> label(instant("2025-05-31T16:30:00+00:00"), TimePrecision.MINUTE)
    '2025-05-31T16:30Z'
    >>> label(instant("2025-05-31T21:00:00+00:00"), TimePrecision.MONTH)
    '2025-06'
    """
    if precision in _COARSE:
        ordinal = end_day_ordinal(at, precision) if end else day_ordinal(at, precision)
        text = day_label(ordinal)
        return text[:7] if precision is TimePrecision.MONTH else text
    date = day_label(_toordinal(at))
    if precision is TimePrecision.HOUR:
        return f"{date}T{at.hour:02d}Z"
    if precision is TimePrecision.MINUTE:
        return f"{date}T{at.hour:02d}:{at.minute:02d}Z"
    micro = f".{at.microsecond:06d}" if at.microsecond else ""
    return f"{date}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}{micro}Z"


def end_label(event: Event) -> str | None:
    """The label of an event's ``occurred_until``, or ``None`` if it has none."""
    if event.occurred_until is None:
        return None
    return label(event.occurred_until, event.time_precision, end=True)


def date_label(event: Event) -> str:
    """The label of an event's ``occurred_at`` at its precision.

    >>> import pendulum
    >>> from timeline.events import Statement
    >>> date_label(Statement(occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
    ...                      time_precision="day", speaker="Hakan Fidan", text="Welcome."))
    '2025-06-02'
    """
    return label(event.occurred_at, event.time_precision)
