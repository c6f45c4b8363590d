"""Local wall-clock times in a data set's zone, read fast and turned into UTC instants.

Private to :mod:`timeline.io`. Data sets write times without a zone ("2025-05-31 19:30", in
Kyiv); :class:`LocalTimes` reads them in the source's zone (daylight saving time included)
with ``datetime.fromisoformat`` and the zone's ``utcoffset`` (never ``pendulum.parse``), and
remembers each distinct text it has read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Final

import attrs
from pendulum import DateTime

from timeline.errors import InvalidArgument
from timeline.time import TimePrecision, is_zone, to_utc, zone_info

__all__ = ["LocalTime", "LocalTimes", "parse_count"]

#: Times read, kept to be read again: data sets sorted by time repeat theirs close together.
#: Emptied when full, so that reading a file takes memory flat in its length (~1 MB at most).
_CACHE_LIMIT: Final = 4_096
# "2025-06-01 9:30" (an hour without its leading zero) and "2025-06-01T09:30" both occur.
_LOOSE: Final = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")
_DATE_LEN: Final = 10
_MINUTE_LEN: Final = 16  # "2025-05-31 19:30"


@attrs.frozen
class LocalTime:
    """A time read from a data set.

    Attributes:
        utc: the instant, in UTC.
        precision: ``DAY`` for a date alone, ``MINUTE`` for hours and minutes, ``EXACT``
            when seconds are given.
        local: the wall-clock time as written (naive), normalised.
        date_only: whether only a date was given.
        key: the normalised text ("2025-05-31 19:30", "2025-06-30"): stable ids are built
            from it, so that "2025-06-01 9:30" and "2025-06-01 09:30 " give the same id.
    """

    utc: DateTime
    precision: TimePrecision
    local: dt.datetime
    date_only: bool
    key: str


class LocalTimes:
    """Reads times written in one zone ("Europe/Kyiv") into UTC instants.

    A time without a zone is a wall-clock time in ``zone``. In the hour that repeats when
    clocks go back, the first (summer-time) reading is taken; a time in the hour skipped when
    clocks go forward is read with the offset before the change. A time that carries its
    own offset is converted from that offset.

    >>> kyiv = LocalTimes("Europe/Kyiv")
    >>> kyiv.parse("2025-05-31 19:30").utc
    DateTime(2025, 5, 31, 16, 30, 0, tzinfo=Timezone('UTC'))
    >>> kyiv.parse("2025-01-31 19:30").utc  # winter time: UTC+2
    DateTime(2025, 1, 31, 17, 30, 0, tzinfo=Timezone('UTC'))
    >>> day = kyiv.parse("2025-06-30")
    >>> day.utc, day.precision.value
    (DateTime(2025, 6, 29, 21, 0, 0, tzinfo=Timezone('UTC')), 'day')
    """

    def __init__(self, zone: str = "UTC") -> None:
        #: The zone's name, as the events read here keep it (``Event.zone``).
        self.zone_name = zone
        if not is_zone(zone):
            raise InvalidArgument(
                f"unknown time zone {zone!r} (an IANA name such as Europe/Kyiv, UTC, or an "
                "offset such as +03:00)",
                argument="zone",
                value=zone,
            )
        self.zone = zone_info(zone)
        self._cache: dict[str, LocalTime] = {}

    def parse(self, text: str) -> LocalTime:
        """Read one time.

        Raises:
            ValueError: with a reason, for text that is not a date or a date and time.
        """
        found = self._cache.get(text)
        if found is not None:
            return found
        value = self._read(text)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = value
        return value

    def parse_date(self, text: str, *, expected: str = "a date") -> LocalTime:
        """Read one date (a time of day is refused): the day of a daily data set's row.

        Raises:
            ValueError: for text that is not a date, saying what was ``expected``.
        """
        found = self.parse(text)
        if not found.date_only:
            raise ValueError(f"{expected} was expected, not a time")
        return found

    def _read(self, text: str) -> LocalTime:
        clean = text.strip()
        if not clean:
            raise ValueError("no time given")
        date_only = len(clean) == _DATE_LEN
        try:
            parsed = dt.datetime.fromisoformat(clean)
        except ValueError:
            parsed = self._loose(clean)
        if date_only:
            precision = TimePrecision.DAY
        elif parsed.second or parsed.microsecond:
            precision = TimePrecision.EXACT
        else:
            precision = TimePrecision.MINUTE
        if parsed.tzinfo is None:
            local = parsed
            aware = parsed.replace(tzinfo=self.zone)
        else:
            local = parsed.replace(tzinfo=None)
            aware = parsed
        if date_only:
            key = local.date().isoformat()
        elif precision is TimePrecision.MINUTE:
            canonical = len(clean) == _MINUTE_LEN and clean[_DATE_LEN] == " " and local is parsed
            key = clean if canonical else local.strftime("%Y-%m-%d %H:%M")
        else:
            key = local.isoformat(sep=" ")
        return LocalTime(
            utc=to_utc(aware), precision=precision, local=local, date_only=date_only, key=key
        )

    @staticmethod
    def _loose(clean: str) -> dt.datetime:
        match = _LOOSE.fullmatch(clean)
        if match is None:
            raise ValueError("not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM)")
        date, hour, minute, second = match.groups()
        try:
            return dt.datetime.fromisoformat(f"{date} {int(hour):02d}:{minute}:{second or '00'}")
        except ValueError as e:
            raise ValueError(f"not a valid date and time: {e}") from None

    def end_of_day(self, day: dt.date) -> DateTime:
        """The midnight that ends ``day`` in the zone, in UTC: the end of a date-only window."""
        following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=self.zone)
        return to_utc(following)


def parse_count(text: str, cache: dict[str, int]) -> int | None:
    """A count written as ``"472"`` or ``"472.0"``; ``None`` for an empty cell (unknown).

    Raises:
        ValueError: with a reason, for text that is not a whole number ≥ 0.
    """
    found = cache.get(text)
    if found is not None:
        return found
    clean = text.strip()
    if not clean:
        return None
    try:
        number = float(clean)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(number) or number != int(number):
        raise ValueError("not a whole number")
    if number < 0:
        raise ValueError("negative")
    value = int(number)
    if len(cache) < _CACHE_LIMIT:
        cache[text] = value
    return value
