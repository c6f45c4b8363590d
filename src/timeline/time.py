"""Instants, uncertain times and clocks.

Every instant that crosses the API is an aware :class:`pendulum.DateTime` in UTC. Naive
datetimes are refused, because a report's "10:00" means nothing until we know whose 10:00.
Offsets are converted to UTC on the way in.

Reports are often vague ("overnight", "on Sunday"), so an event carries a
:class:`TimePrecision` beside its instant, and comparisons can be made at the coarser of two
precisions with :func:`floor_to`.

Local time is part of the fact: an event keeps the zone of the clock that reported it
(``Event.zone``: an IANA name such as ``"Europe/Kyiv"``, ``"UTC"``, or a fixed offset such as
``"+03:00"``), and the date a person sees is its *local date* in that zone, at its precision
(:func:`local_date`, :func:`local_span`, :func:`local_text`). An event without a zone (written
before zones were kept) is dated by the old noon rule: a day- or month-precision instant is
read twelve hours on (see :func:`local_date`). See ``docs/time.md``.

"Now" is never read from the wall clock by library code: it comes from a :class:`Clock`
passed in (:class:`SystemClock` in production, :class:`FixedClock` in tests).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import zoneinfo
from typing import Final, Protocol, runtime_checkable

import attrs
import pendulum
from pendulum import DateTime

from timeline.errors import InvalidArgument, InvalidEvent

__all__ = [
    "Clock",
    "Dated",
    "FixedClock",
    "SystemClock",
    "TimePrecision",
    "end_of_local_day",
    "event_zone",
    "floor_to",
    "in_local_dates",
    "instant",
    "is_zone",
    "isoformat",
    "local_date",
    "local_dates_window",
    "local_day",
    "local_iso",
    "local_span",
    "local_text",
    "parse_utc",
    "start_of_local_day",
    "to_utc",
    "zone_info",
    "zone_label",
    "zone_of",
]

_PENDULUM_UTC = pendulum.UTC
#: The zone ``datetime.fromisoformat`` gives text ending ``+00:00`` (the one instance).
_UTC = dt.UTC
#: ``datetime.__new__``, which makes a pendulum ``DateTime`` faster than calling the class.
_new_datetime = dt.datetime.__new__
_new_plain = dt.datetime.__new__


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
_IN_UTC: Final = frozenset({None, "UTC"})  # the zones :func:`local_iso` writes in UTC


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


# -- zones and local dates ------------------------------------------------------------------

#: A fixed offset as an event's zone spells it: ``"+03:00"``, ``"-05:30"``.
_OFFSET = re.compile(r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]")
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Z"})


@functools.lru_cache(maxsize=1024)
def _zone_info(name: str) -> dt.tzinfo | None:
    """The (standard library) tzinfo of a zone name, or ``None`` for no zone (cached)."""
    if name == "UTC":
        return _UTC
    if _OFFSET.fullmatch(name):
        sign = -1 if name[0] == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=int(name[1:3]), minutes=int(name[4:6])))
    if not name or name != name.strip() or ("/" not in name and name not in _UTC_NAMES):
        return None  # bare abbreviations ("EST", "CET") are ambiguous: refused
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError, OSError):
        return None


def is_zone(name: object) -> bool:
    """Whether ``name`` is a zone an event may carry.

    An IANA name the tz database knows (``"Europe/Kyiv"``), ``"UTC"``, or a fixed offset
    ``"+HH:MM"``/``"-HH:MM"``.

    >>> is_zone("Europe/Kyiv"), is_zone("+03:00"), is_zone("UTC"), is_zone("Kyiv time")
    (True, True, True, False)
    """
    return type(name) is str and _zone_info(name) is not None


def zone_info(name: str) -> dt.tzinfo:
    """The tzinfo of a zone name (see :func:`is_zone`).

    Raises:
        InvalidArgument: for a name that is not a zone.
    """
    found = _zone_info(name) if type(name) is str else None
    if found is None:
        raise InvalidArgument(
            f"zone must be an IANA name (e.g. Europe/Kyiv), UTC or an offset like +03:00, "
            f"got {name!r}",
            argument="zone",
            value=name,
        )
    return found


def _offset_text(offset: dt.timedelta) -> str | None:
    seconds = int(offset.total_seconds())
    if seconds % 60 or offset.microseconds:
        return None  # an offset in seconds (local mean time): no zone of ours spells it
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return text if _OFFSET.fullmatch(text) else None


def zone_of(value: dt.datetime) -> str | None:
    """The zone an aware datetime's clock speaks of, for ``Event.zone``; ``None`` for UTC.

    A named zone (pendulum's or :mod:`zoneinfo`'s) gives its IANA name; a bare fixed offset
    gives ``"+03:00"``. UTC itself gives ``None``: an instant in UTC is how times reach the
    library from anywhere (and how a log gives them back), so it says nothing about the
    source's clock; say ``zone="UTC"`` where the source really reports in UTC.

    >>> import pendulum
    >>> zone_of(pendulum.datetime(2025, 6, 2, 13, tz="Europe/Istanbul"))
    'Europe/Istanbul'
    >>> zone_of(instant("2025-06-02T13:00:00+00:00")) is None
    True
    >>> zone_of(dt.datetime(2025, 6, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=3))))
    '+03:00'
    """
    tz = value.tzinfo
    if tz is None or tz is _PENDULUM_UTC or tz is _UTC:
        return None
    key = getattr(tz, "key", None)  # zoneinfo.ZoneInfo, and pendulum's Timezone
    if type(key) is not str:
        key = getattr(tz, "zone", None)  # pytz
    if type(key) is str and "/" in key and _zone_info(key) is not None:
        return key
    if type(key) is str and key in _UTC_NAMES:
        return None
    offset = value.utcoffset()
    if offset is None or offset == _ZERO:
        return None
    return _offset_text(offset)


class Dated(Protocol):
    """What the local dates read of an event (any :class:`~timeline.events.Event`)."""

    @property
    def occurred_at(self) -> DateTime:
        """When it happened, in UTC."""
        ...

    @property
    def occurred_until(self) -> DateTime | None:
        """When it ended, if it lasted."""
        ...

    @property
    def time_precision(self) -> TimePrecision:
        """How precisely its time is known."""
        ...

    @property
    def zone(self) -> str | None:
        """The zone of the clock that reported it, if known."""
        ...


_NOON = 12
_COARSE = (TimePrecision.DAY, TimePrecision.MONTH)


def _noon_date(at: dt.datetime, precision: TimePrecision, *, end: bool = False) -> dt.date:
    """The noon rule, for events without a zone (written before zones were kept).

    A day- or month-precision instant starts at a local midnight somewhere within ±12 hours of
    UTC, so its date is read twelve hours on; an interval's end, twelve hours back. Finer
    instants are dated in UTC.
    """
    day = dt.date(at.year, at.month, at.day)
    if precision in _COARSE:
        if not end and at.hour >= _NOON:
            return day + dt.timedelta(days=1)
        if end and at.hour < _NOON:
            return day - dt.timedelta(days=1)
    return day


def _in_zone(at: dt.datetime, zone: str) -> dt.datetime:
    """``at`` (an aware instant) on the wall clock of ``zone``, as a plain datetime.

    Converted as a plain :class:`datetime.datetime`: pendulum's own conversion through a
    standard zone is wrong across a transition.
    """
    tz = _zone_info(zone)
    if tz is None:  # an event's zone is valid; a caller's was checked by zone_info
        tz = zone_info(zone)
    plain = _new_plain(
        dt.datetime, at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond, _UTC
    )
    if at.tzinfo is not _PENDULUM_UTC:  # the usual instant needs no offset asked (it is slow)
        offset = at.utcoffset()
        if offset:
            plain -= offset
    return plain.astimezone(tz)


def event_zone(event: Dated) -> str:
    """The zone an event's times are read in: its own, or ``"UTC"`` where it has none."""
    return event.zone or "UTC"


def local_day(
    at: dt.datetime, precision: TimePrecision, zone: str | None, *, end: bool = False
) -> dt.date:
    """The local date of an instant known at ``precision``, on the clock of ``zone``.

    ``end=True`` reads it as the end of an interval: a day- or month-precision end given as
    the next local midnight belongs to the day before. ``zone=None`` (an event written
    before zones were kept) dates it by the noon rule (see the module).

    >>> local_day(instant("2025-06-01T21:00:00+00:00"), TimePrecision.DAY, "Europe/Kyiv")
    datetime.date(2025, 6, 2)
    >>> local_day(instant("2025-06-01T13:00:00+00:00"), TimePrecision.DAY, None)
    datetime.date(2025, 6, 2)
    """
    if zone is None:
        return _noon_date(at, precision, end=end)
    local = _in_zone(at, zone)
    day = dt.date(local.year, local.month, local.day)
    if (
        end
        and precision in _COARSE
        and not (local.hour or local.minute or local.second or local.microsecond)
    ):
        return day - dt.timedelta(days=1)  # a day's end given as the next midnight
    return day


def local_date(event: Dated) -> dt.date:
    """The date of an event: the local date of ``occurred_at`` in its zone.

    Whatever its precision (a day-precision event starts at local midnight). An event
    without a zone is dated by the noon rule (see the module).

    >>> import pendulum
    >>> from timeline.events import Statement
    >>> local_date(Statement(occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
    ...                      time_precision="day", speaker="Hakan Fidan", text="Welcome."))
    datetime.date(2025, 6, 2)
    """
    return local_day(event.occurred_at, event.time_precision, event.zone)


def local_span(event: Dated) -> tuple[dt.date, dt.date]:
    """The first and last local dates of an event (the same date unless it lasts).

    An overnight barrage from 19:30 on 31 May to 13:30 on 1 June, Kyiv time, spans 31 May
    to 1 June. The end of a day- or month-precision interval given as the next local midnight
    belongs to the day before.
    """
    first = local_date(event)
    until = event.occurred_until
    if until is None:
        return first, first
    last = local_day(until, event.time_precision, event.zone, end=True)
    return first, max(first, last)


def zone_label(zone: str | None) -> str:
    """How a zone is named beside a time: ``"Kyiv"``, ``"New York"``, ``"UTC"``, ``"+03:00"``.

    >>> zone_label("Europe/Kyiv"), zone_label("America/New_York"), zone_label(None)
    ('Kyiv', 'New York', 'UTC')
    """
    if zone is None or zone in _UTC_NAMES:
        return "UTC"
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def local_text(at: dt.datetime, zone: str | None, precision: TimePrecision) -> str:
    """An instant as a person reads it: on the wall clock of ``zone``, at its precision.

    ``"2025-06"`` (month), ``"2025-06-02"`` (day), ``"2025-05-31 19h Kyiv"`` (hour),
    ``"2025-05-31 19:30 Kyiv"`` (minute), ``"2025-05-31 19:30:00 Kyiv"`` (exact, with
    microseconds where there are any). ``zone=None`` reads it in UTC (days by the noon rule).

    >>> local_text(instant("2025-05-31T16:30:00+00:00"), "Europe/Kyiv", TimePrecision.MINUTE)
    '2025-05-31 19:30 Kyiv'
    >>> local_text(instant("2025-06-01T21:00:00+00:00"), "Europe/Istanbul", TimePrecision.DAY)
    '2025-06-02'
    """
    if zone is None:
        if precision in _COARSE:
            day = _noon_date(at, precision).isoformat()
            return day[:7] if precision is TimePrecision.MONTH else day
        local = at
    else:
        local = _in_zone(at, zone)
    day = f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
    if precision is TimePrecision.MONTH:
        return day[:7]
    if precision is TimePrecision.DAY:
        return day
    name = zone_label(zone)
    if precision is TimePrecision.HOUR:
        return f"{day} {local.hour:02d}h {name}"
    if precision is TimePrecision.MINUTE:
        return f"{day} {local.hour:02d}:{local.minute:02d} {name}"
    micro = f".{local.microsecond:06d}" if local.microsecond else ""
    return f"{day} {local.hour:02d}:{local.minute:02d}:{local.second:02d}{micro} {name}"


def local_iso(at: dt.datetime, zone: str | None, precision: TimePrecision) -> str:
    """An instant as ISO-8601 text on the wall clock of ``zone``, at its precision.

    For exports, where a program reads it: with its offset where the precision has one.
    ``"2025-05-31T19:30:00.250000+03:00"`` (exact; microseconds only where there are any),
    ``"2025-05-31T19:30+03:00"`` (minute), ``"2025-05-31T19+03:00"`` (hour), and the local
    date alone for a day (``"2025-06-02"``) or month (``"2025-06"``), which has no offset.
    ``zone=None`` writes it in UTC (a day by the noon rule).

    >>> local_iso(instant("2025-05-31T16:30:00+00:00"), "Europe/Kyiv", TimePrecision.MINUTE)
    '2025-05-31T19:30+03:00'
    >>> local_iso(instant("2025-06-01T21:00:00+00:00"), "Europe/Kyiv", TimePrecision.DAY)
    '2025-06-02'
    """
    if precision in _COARSE:
        day = local_day(at, precision, zone).isoformat()
        return day[:7] if precision is TimePrecision.MONTH else day
    if zone in _IN_UTC and at.tzinfo is _PENDULUM_UTC:  # the usual instant
        return _utc_iso(at, precision)
    local = _in_zone(at, zone or "UTC")
    if precision is TimePrecision.EXACT:
        spec = "microseconds" if local.microsecond else "seconds"
        return local.isoformat(timespec=spec)
    text = local.isoformat(timespec="minutes")  # "2025-05-31T19:30+03:00"
    if precision is TimePrecision.HOUR:
        return text[:13] + text[16:]
    return text


def _utc_iso(at: dt.datetime, precision: TimePrecision) -> str:
    """:func:`local_iso`'s text of an instant on the UTC clock (a minute, hour or exact).

    Written field by field: the usual case on the hot paths (labels, exports of events
    without a zone), where ``isoformat`` asks the zone for its offset each time.
    ``tests/test_local_time.py`` holds it equal to the general path.
    """
    text = f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}"
    if precision is _HOUR:
        return f"{text}+00:00"
    text = f"{text}:{at.minute:02d}"
    if precision is not _EXACT:
        return f"{text}+00:00"
    micro = f".{at.microsecond:06d}" if at.microsecond else ""
    return f"{text}:{at.second:02d}{micro}+00:00"


_HOUR: Final = TimePrecision.HOUR
_EXACT: Final = TimePrecision.EXACT


def start_of_local_day(day: dt.date, zone: str) -> DateTime:
    """The UTC instant at which local day ``day`` begins in ``zone`` (its first moment).

    Raises:
        InvalidArgument: for a zone that is not one (see :func:`is_zone`).
    """
    tz = zone_info(zone)
    # Midnight may fall in a gap (the day then begins when the clocks jump) or twice (the
    # first): the earliest reading of it, of both, whose local date is the day.
    starts = [
        to_utc(dt.datetime(day.year, day.month, day.day, tzinfo=tz, fold=fold), field="day")
        for fold in (0, 1)
    ]
    found = [at for at in starts if _in_zone(at, zone).date() == day]
    return min(found or starts)


def end_of_local_day(day: dt.date, zone: str) -> DateTime:
    """The UTC instant of the last microsecond of local day ``day`` in ``zone``.

    What a date means as ``as_of`` or ``known_at`` ("as of 1 June, Kyiv time"): every instant
    up to the end of that local day is kept.

    >>> end_of_local_day(dt.date(2025, 6, 1), "Europe/Kyiv")
    DateTime(2025, 6, 1, 20, 59, 59, 999999, tzinfo=Timezone('UTC'))
    >>> end_of_local_day(dt.date(2025, 6, 1), "UTC")
    DateTime(2025, 6, 1, 23, 59, 59, 999999, tzinfo=Timezone('UTC'))

    Raises:
        InvalidArgument: for a zone that is not one (see :func:`is_zone`).
    """
    following = start_of_local_day(day + dt.timedelta(days=1), zone)
    return following - dt.timedelta(microseconds=1)


#: More than any zone's offset from UTC has ever been (+14 and -12 today; the local mean time
#: of some zones before 1900 came near 16 hours), and than the noon rule's twelve hours.
_MARGIN = dt.timedelta(hours=26)


def in_local_dates(event: Dated, first: dt.date | None = None, last: dt.date | None = None) -> bool:
    """Whether an event's local date, in its own zone, is within ``first`` .. ``last``.

    Either bound may be ``None`` (open). What ``timeline list --from/--to`` selects: each
    event by its own calendar, so "2 June" is Kyiv's 2 June for the Air Force's reports and
    Istanbul's for the talks.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> late = DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 2, 1, 30, tz="Europe/Kyiv"),
    ...                     launched=5)  # 22:30 UTC on 1 June
    >>> in_local_dates(late, dt.date(2025, 6, 2), dt.date(2025, 6, 4))
    True
    >>> in_local_dates(late, None, dt.date(2025, 6, 1))
    False
    """
    day = local_date(event)
    return (first is None or day >= first) and (last is None or day <= last)


def local_dates_window(
    first: dt.date | None, last: dt.date | None
) -> tuple[DateTime | None, DateTime | None]:
    """UTC instants that hold every event whose local date, in any zone, is in the range.

    A coarse filter to read less of a log (``log.read(occurred_after=..., occurred_by=...)``)
    before :func:`in_local_dates` decides: a local date begins and ends within a day and
    two hours of the UTC date's, in any zone and by the noon rule. ``None`` stays open.
    """
    start = None
    if first is not None:
        start = to_utc(dt.datetime(first.year, first.month, first.day, tzinfo=_UTC) - _MARGIN)
    end = None
    if last is not None:
        following = dt.datetime(last.year, last.month, last.day, tzinfo=_UTC) + dt.timedelta(days=1)
        end = to_utc(following + _MARGIN)
    return start, end
