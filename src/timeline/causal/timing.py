"""When a cause may come before its effect: the one time rule of the causal graph.

Reports are vague ("overnight", "on Sunday"), so an event is a *span* of possible instants:
from its stated start (``occurred_at``) to the latest instant it may still have been
happening, :func:`latest`: its end (``occurred_until``, else ``occurred_at``) plus one unit of
its ``time_precision``, less a microsecond (a day-precision event stated at midnight may be
any time that day). An exact event's span ends where it is stated to end.

A link is refused when its cause's earliest possible instant comes after its effect's latest
possible one: ``cause.occurred_at > latest(effect)`` (:func:`time_conflict`). So a cause may
share its effect's instant, may fall inside an effect's window (a strike during an overnight
barrage's reporting window), and vague times are compared at the coarser precision, without
any time zone: a day-precision event's day is the 24 hours from its stated instant.

The append guard, the graph and the inference rules all use these functions, so a link the
rules propose is one the log accepts.

Instants are handled here as whole microseconds since the epoch (:func:`micros`): exact, and
cheap to compare and to sort.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import pendulum
from pendulum import DateTime

from timeline.events import Event
from timeline.time import TimePrecision

__all__ = [
    "UNIT_MICROS",
    "bounds",
    "from_micros",
    "latest",
    "latest_micros",
    "latest_offset",
    "may_cause",
    "micros",
    "offset",
    "time_conflict",
]

_EPOCH_DAY: Final = dt.date(1970, 1, 1).toordinal()
_DAY: Final = 86_400_000_000
#: Read once here rather than through the enum's class on each call: these functions run once
#: per event and per link (docs/causal.md, Performance).
_EXACT: Final = TimePrecision.EXACT
_MONTH: Final = TimePrecision.MONTH

#: The length of one unit of each precision, in microseconds (a month is a calendar month,
#: so it is not listed: see :func:`latest`).
UNIT_MICROS: Final[dict[TimePrecision, int]] = {
    TimePrecision.EXACT: 0,
    TimePrecision.MINUTE: 60_000_000,
    TimePrecision.HOUR: 3_600_000_000,
    TimePrecision.DAY: _DAY,
}


def micros(instant: dt.datetime) -> int:
    """A UTC instant as whole microseconds since 1970-01-01T00:00Z (exact).

    Events hold their instants in UTC, so the offset is not consulted.

    >>> micros(pendulum.datetime(1970, 1, 2))
    86400000000
    """
    return (
        (instant.toordinal() - _EPOCH_DAY) * 86_400
        + instant.hour * 3_600
        + instant.minute * 60
        + instant.second
    ) * 1_000_000 + instant.microsecond


#: The epoch in the zone every event's instants are held in, so that :func:`offset`'s
#: subtraction compares two identical zones and skips asking either for its offset.
EPOCH: Final = pendulum.datetime(1970, 1, 1)
_LESS_ONE: Final = dt.timedelta(microseconds=1)
_UNIT_LESS_ONE: Final[dict[TimePrecision, dt.timedelta]] = {
    precision: dt.timedelta(microseconds=unit - 1 if unit else 0)
    for precision, unit in UNIT_MICROS.items()
}
_since: Final = dt.datetime.__sub__  # the C subtraction: pendulum's own is zone-aware Python


def offset(instant: dt.datetime) -> dt.timedelta:
    """An aware instant as its distance from 1970-01-01T00:00Z: :func:`micros` as a timedelta.

    Cheaper to compute than :func:`micros` (one subtraction in C, no Python arithmetic) and as
    cheap to compare, add to and bisect; the inference rules key their searches with it.

    >>> offset(pendulum.datetime(1970, 1, 2)) == dt.timedelta(days=1)
    True
    """
    return _since(instant, EPOCH)


def latest_offset(event: Event, start: dt.timedelta | None = None) -> dt.timedelta:
    """:func:`latest` as an :func:`offset` (``start`` may give ``offset(event.occurred_at)``).

    >>> import timeline as tl
    >>> e = tl.Statement(occurred_at=pendulum.datetime(1970, 1, 1), time_precision="hour",
    ...                  speaker="A", text="x")
    >>> latest_offset(e) // dt.timedelta(microseconds=1) == bounds(e)[1]
    True
    """
    end = event.occurred_until
    precision = event.time_precision
    if precision is _MONTH:
        return _since((event.occurred_at if end is None else end).add(months=1), EPOCH) - _LESS_ONE
    if end is None:
        return (_since(event.occurred_at, EPOCH) if start is None else start) + _UNIT_LESS_ONE[
            precision
        ]
    return _since(end, EPOCH) + _UNIT_LESS_ONE[precision]


def from_micros(value: int) -> DateTime:
    """The UTC instant ``value`` microseconds after the epoch (the inverse of :func:`micros`).

    >>> from_micros(86400000000)
    DateTime(1970, 1, 2, 0, 0, 0, tzinfo=Timezone('UTC'))
    """
    days, rest = divmod(value, _DAY)
    seconds, microsecond = divmod(rest, 1_000_000)
    day = dt.date.fromordinal(days + _EPOCH_DAY)
    return pendulum.datetime(
        day.year,
        day.month,
        day.day,
        seconds // 3_600,
        seconds // 60 % 60,
        seconds % 60,
        microsecond,
    )


def latest_micros(event: Event, start: int | None = None) -> int:
    """:func:`latest`, in microseconds since the epoch.

    ``start`` may give ``micros(event.occurred_at)`` if it is already known.
    """
    end = event.occurred_until
    precision = event.time_precision
    if end is None:
        if start is None:
            start = micros(event.occurred_at)
        if precision is _MONTH:
            return micros(event.occurred_at.add(months=1)) - 1
        unit = UNIT_MICROS[precision]
        return start + unit - 1 if unit else start
    if precision is _EXACT:
        return micros(end)
    if precision is _MONTH:
        return micros(end.add(months=1)) - 1
    return micros(end) + UNIT_MICROS[precision] - 1


def bounds(event: Event) -> tuple[int, int]:
    """An event's span of possible instants, in microseconds: ``(start, latest)``.

    ``start`` is ``occurred_at``; ``latest`` is :func:`latest` (both inclusive).

    >>> import timeline as tl
    >>> e = tl.Statement(occurred_at=pendulum.datetime(1970, 1, 1), time_precision="hour",
    ...                  speaker="A", text="x")
    >>> bounds(e)
    (0, 3599999999)
    """
    start = micros(event.occurred_at)
    return start, latest_micros(event, start)


def latest(event: Event) -> DateTime:
    """The latest instant at which an event may still have been happening.

    Its end (``occurred_until``, else ``occurred_at``) plus one unit of its precision (a
    minute, an hour, a day, a calendar month), less one microsecond; an exact event's end
    itself.

    >>> import timeline as tl
    >>> e = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 1, 21), time_precision="day",
    ...                  speaker="Vladimir Medinsky", text="We have received the proposal.")
    >>> latest(e)
    DateTime(2025, 6, 2, 20, 59, 59, 999999, tzinfo=Timezone('UTC'))
    """
    return from_micros(latest_micros(event))


def may_cause(cause: Event, effect: Event) -> bool:
    """Whether ``cause`` may have come before ``effect`` (or at the same time).

    False only when the cause's stated start is after the effect's :func:`latest` instant.
    """
    return micros(cause.occurred_at) <= latest_micros(effect)


def _stated(event: Event) -> str:
    text = event.occurred_at.isoformat()
    if event.occurred_until is not None:
        text += f" to {event.occurred_until.isoformat()}"
    return f"{text} ({event.time_precision.value} precision)"


def time_conflict(cause: Event, effect: Event) -> str | None:
    """Why ``cause`` cannot have led to ``effect`` in time, or ``None`` if it may have.

    >>> import timeline as tl
    >>> at = pendulum.datetime(2025, 6, 1, 12)
    >>> early = tl.Statement(occurred_at=at, time_precision="day", speaker="A", text="x")
    >>> late = tl.Statement(occurred_at=at.add(days=1), speaker="B", text="y")
    >>> time_conflict(early, late) is None
    True
    >>> print(time_conflict(late, early))
    the cause occurred at 2025-06-02T12:00:00+00:00 (exact precision), after the latest instant of the effect, 2025-06-02T11:59:59.999999+00:00, stated as 2025-06-01T12:00:00+00:00 (day precision)
    """
    end = latest_micros(effect)
    if micros(cause.occurred_at) <= end:
        return None
    return (
        f"the cause occurred at {_stated(cause)}, after the latest instant of the effect, "
        f"{from_micros(end).isoformat()}, stated as {_stated(effect)}"
    )
