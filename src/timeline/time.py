"""Instants, uncertain times and clocks.

Every instant that crosses the API is an aware :class:`pendulum.DateTime` in UTC. Naive
datetimes are refused, because a report's "10:00" means nothing until we know whose 10:00.
Offsets are converted to UTC on the way in.

Reports are often vague ("overnight", "on Sunday"), so an event carries a
:class:`TimePrecision` beside its instant, and comparisons can be made at the coarser of two
precisions with :func:`floor_to`.

"Now" is never read from the wall clock by library code: it comes from a :class:`Clock`
passed in (:class:`SystemClock` in production, :class:`FixedClock` in tests).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Protocol, runtime_checkable

import attrs
import pendulum
from pendulum import DateTime

from timeline.errors import InvalidArgument, InvalidEvent

__all__ = [
    "Clock",
    "FixedClock",
    "SystemClock",
    "TimePrecision",
    "floor_to",
    "instant",
    "isoformat",
    "parse_utc",
    "to_utc",
]

_PENDULUM_UTC = pendulum.UTC
#: The zone ``datetime.fromisoformat`` gives text ending ``+00:00`` (the one instance).
_UTC = dt.UTC
#: ``datetime.__new__``, which makes a pendulum ``DateTime`` faster than calling the class.
_new_datetime = dt.datetime.__new__


class TimePrecision(enum.StrEnum):
    """How precisely an event's time is known: ``"exact"`` down to ``"month"``."""

    EXACT = "exact"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"

    @property
    def rank(self) -> int:
        """0 for exact, growing as the precision gets coarser."""
        return _RANKS[self]

    @classmethod
    def coarser(cls, a: TimePrecision, b: TimePrecision) -> TimePrecision:
        """The coarser of two precisions (``DAY`` for ``HOUR`` and ``DAY``)."""
        return a if a.rank >= b.rank else b


_RANKS = {p: i for i, p in enumerate(TimePrecision)}


def to_utc(value: object, *, field: str = "time") -> DateTime:
    """Return ``value`` as an aware pendulum ``DateTime`` in UTC.

    Accepts any aware :class:`datetime.datetime` (pendulum's included) and converts its offset
    to UTC. Refuses naive datetimes and anything that is not a datetime.

    Raises:
        InvalidEvent: naming ``field`` and the value.

    >>> import datetime as dt
    >>> to_utc(dt.datetime(2025, 6, 2, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    DateTime(2025, 6, 2, 10, 0, 0, tzinfo=Timezone('UTC'))
    """
    if type(value) is DateTime and value.tzinfo is _PENDULUM_UTC:
        return value
    if not isinstance(value, dt.datetime):
        raise InvalidEvent(
            f"{field} must be an aware datetime, got {value!r}", field=field, value=value
        )
    offset = value.utcoffset()
    if offset is None:
        raise InvalidEvent(
            f"{field} must be timezone-aware, got naive {value!r}; "
            "attach the source's zone (e.g. Europe/Kyiv) or UTC",
            field=field,
            value=value,
        )
    try:
        u = dt.datetime.__sub__(
            value, offset
        )  # plain arithmetic: pendulum's own __sub__ is zone-aware
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 has no UTC instant
        raise InvalidEvent(
            f"{field} is out of range once converted to UTC, got {value!r}",
            field=field,
            value=value,
        ) from None
    return DateTime(
        u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=pendulum.UTC
    )


def instant(value: str | dt.datetime, *, field: str = "time") -> DateTime:
    """Parse an ISO-8601 string with an offset (or take a datetime) into a UTC instant.

    A convenience for users and importers: ``instant("2025-06-02T13:00+03:00")``. Strings
    without an offset are naive and refused.

    >>> instant("2025-06-02T13:00:00+03:00")
    DateTime(2025, 6, 2, 10, 0, 0, tzinfo=Timezone('UTC'))
    """
    if isinstance(value, str):
        return parse_utc(value, field=field)
    return to_utc(value, field=field)


def parse_utc(text: str, *, field: str = "time") -> DateTime:
    """Read ISO-8601 text with an offset into a UTC instant, fast.

    This is the hot path's parser (decoding, replay): ``datetime.fromisoformat`` and one
    ``DateTime(...)``, never ``pendulum.parse``. The result's zone is pendulum's UTC, so
    pendulum's arithmetic (``.subtract``, ``.add``) keeps it aware.

    Raises:
        InvalidEvent: for text that is not ISO-8601 or has no offset.

    >>> parse_utc("2025-06-02T10:00:00.000000+00:00")
    DateTime(2025, 6, 2, 10, 0, 0, tzinfo=Timezone('UTC'))
    """
    try:
        value = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidEvent(
            f"{field} is not an ISO-8601 time: {text!r}", field=field, value=text
        ) from None
    if value.tzinfo is not _UTC:  # text in UTC (what this library writes) skips the checks
        offset = value.utcoffset()
        if offset is None:
            raise InvalidEvent(
                f"{field} must be timezone-aware, got naive {text!r}", field=field, value=text
            )
        if offset != _ZERO:
            return to_utc(value, field=field)
    # made without calling the class, which costs about half as much again
    return _new_datetime(
        DateTime,
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        _PENDULUM_UTC,
    )


_ZERO = dt.timedelta(0)


def isoformat(value: dt.datetime) -> str:
    """The canonical text of a UTC instant: ISO-8601 with microseconds and ``+00:00``.

    Canonical text sorts chronologically, which the SQL backends rely on.

    >>> isoformat(instant("2025-06-02T13:00:00+03:00"))
    '2025-06-02T10:00:00.000000+00:00'
    """
    tz = value.tzinfo
    if tz is pendulum.UTC or tz is dt.UTC:
        # The same text, without pendulum's zone computing a zero offset in Python.
        return "%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00" % (  # noqa: UP031  # fastest
            value.year, value.month, value.day,
            value.hour, value.minute, value.second, value.microsecond,
        )  # fmt: skip
    return dt.datetime.isoformat(value, timespec="microseconds")


def floor_to(value: DateTime, precision: TimePrecision) -> DateTime:
    """Truncate an instant to a precision, for comparing vague times.

    >>> floor_to(instant("2025-06-02T13:45:10+00:00"), TimePrecision.DAY)
    DateTime(2025, 6, 2, 0, 0, 0, tzinfo=Timezone('UTC'))

    Raises:
        InvalidArgument: for a precision that is not a :class:`TimePrecision`.
    """
    if type(precision) is not TimePrecision:
        raise InvalidArgument(
            f"precision must be a TimePrecision, got {precision!r}",
            argument="precision",
            value=precision,
        )
    if precision is TimePrecision.EXACT:
        return value
    if precision is TimePrecision.MINUTE:
        return value.replace(second=0, microsecond=0)
    if precision is TimePrecision.HOUR:
        return value.replace(minute=0, second=0, microsecond=0)
    if precision is TimePrecision.DAY:
        return value.replace(hour=0, minute=0, second=0, microsecond=0)
    return value.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now()`` returning an aware datetime."""

    def now(self) -> dt.datetime:
        """The current instant."""
        ...


@attrs.frozen
class SystemClock:
    """The wall clock, in UTC. The one place timeline reads real time."""

    def now(self) -> DateTime:
        """The current instant in UTC."""
        return pendulum.now(pendulum.UTC)  # SystemClock: the one read of the wall clock


def _clock_instant(value: object) -> DateTime:
    """A clock's instant: an aware datetime, in UTC; anything else is a bad argument."""
    try:
        return to_utc(value, field="at")
    except InvalidEvent as e:
        raise InvalidArgument(str(e), argument="at", value=value) from None


@attrs.define
class FixedClock:
    """A clock that stands still until told to move: for tests and for back-filling.

    Args:
        at: the instant to report, an aware datetime.
        tick: if given, each ``now()`` call moves the clock on by this much afterwards,
            so successive appends get distinct, increasing ``recorded_at``.

    Raises:
        InvalidArgument: for an ``at`` that is naive or not a datetime (a clock is not
            event data).

    >>> clock = FixedClock(instant("2025-06-02T08:00:00+00:00"))
    >>> clock.now()
    DateTime(2025, 6, 2, 8, 0, 0, tzinfo=Timezone('UTC'))
    >>> clock.advance(hours=2).now()
    DateTime(2025, 6, 2, 10, 0, 0, tzinfo=Timezone('UTC'))
    """

    at: DateTime = attrs.field(converter=_clock_instant)
    tick: dt.timedelta | None = None

    def now(self) -> DateTime:
        """The clock's instant (then move on by ``tick``, if set)."""
        current = self.at
        if self.tick is not None:
            self.at = self.at + self.tick
        return current

    def set(self, at: dt.datetime) -> FixedClock:
        """Jump to ``at``. Returns the clock, for chaining.

        Raises:
            InvalidArgument: for a naive datetime, or anything that is not a datetime.
        """
        self.at = _clock_instant(at)
        return self

    def advance(self, **delta: float) -> FixedClock:
        """Move on by a ``timedelta(**delta)``. Returns the clock, for chaining."""
        self.at = self.at + dt.timedelta(**delta)
        return self
