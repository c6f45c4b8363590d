"""Calendar days written every way data sets found in the wild write them.

Private to :mod:`timeline.io`. ACLED's files alone write a day ``2015-01-18`` (its API),
``18/01/2015`` (its regional files of 1997–2017), ``18-January-2015`` or ``18 January 2015``
(older exports), ``18-Jan-15`` (the same files re-saved by a spreadsheet), or ``42022``
(a spreadsheet's serial day number). :class:`DayReader` reads any of them into an ISO date.

A numeric date such as ``04/05/2015`` is ambiguous: 4 May or 5 April. A file writes all its
dates one way, so the order is decided for the whole file, not row by row: from the first
date whose first or second number is above 12 (``18/01/2015``: day first), found by a
look-ahead over the file's date column (:class:`DayReader` asks for it the first time it
meets an ambiguous date, so files that have none never pay for it). A file whose every
numeric date is ambiguous is read day first (ACLED's order; a warning says so). A date that
contradicts the file's order (month 13) is refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Final

__all__ = ["DAY_FIRST", "MONTH_FIRST", "DayReader", "decide_order"]

DAY_FIRST: Final = "dd/mm/yyyy"
MONTH_FIRST: Final = "mm/dd/yyyy"

_MONTHS: Final = {
    name.lower(): i
    for i in range(1, 13)
    for name in (
        dt.date(2000, i, 1).strftime("%B"),
        dt.date(2000, i, 1).strftime("%b"),
    )
} | {"sept": 9}
_ISO: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?")
_NUMERIC: Final = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_WORDS: Final = re.compile(r"(\d{1,2})[\s\-/.]+([A-Za-z]+)\.?[\s\-/.,]+(\d{2}|\d{4})")
_MONTH_DAY: Final = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_SERIAL: Final = re.compile(r"(\d{5})(?:\.0+)?")
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
#: Serial day numbers taken for dates: 1954-10-14 to 2119-01-06.
_SERIALS: Final = range(20_000, 80_000)
_CACHE_LIMIT: Final = 4_096
_TWO_DIGITS: Final = 100
_CENTURY_PIVOT: Final = 69  # as strptime's %y: 69-99 are 1969-1999, 00-68 are 2000-2068
_MONTHS_IN_YEAR: Final = 12


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:  # noqa: PLR2004  # a two-digit year
        year += 1900 if year >= _CENTURY_PIVOT else 2000
    return year


def _numeric_order(text: str) -> str | None:
    """For ``dd/mm/yyyy`` or ``mm/dd/yyyy`` text, the order it shows, if it shows one."""
    match = _NUMERIC.fullmatch(text.strip())
    if match is None or len(match.group(1)) == 4:  # noqa: PLR2004  # yyyy/mm/dd
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if first > _MONTHS_IN_YEAR >= second:
        return DAY_FIRST
    if second > _MONTHS_IN_YEAR >= first:
        return MONTH_FIRST
    return None


def decide_order(dates: Iterable[str]) -> str | None:
    """The order of day and month in a file's numeric dates, from the first that shows it.

    >>> decide_order(["04/05/2015", "13/05/2015"]), decide_order(["05/13/2015"])
    ('dd/mm/yyyy', 'mm/dd/yyyy')
    >>> decide_order(["04/05/2015", "2015-05-04"]) is None
    True
    """
    for text in dates:
        found = _numeric_order(text)
        if found is not None:
            return found
    return None


class DayReader:
    """Reads a file's dates into ISO dates (``"2015-01-18"``), remembering each text read.

    Args:
        survey: called once, the first time an ambiguous numeric date is met: gives the
            file's dates from its start (its date column), for :func:`decide_order`.
        order: the order of day and month, if known beforehand (:data:`DAY_FIRST` or
            :data:`MONTH_FIRST`).

    Attributes:
        order: the order decided (``None`` until one is needed).
        guessed: whether the order was not shown by the file (all its dates ambiguous) and
            day first was assumed.
    """

    def __init__(
        self, survey: Callable[[], Iterable[str]] | None = None, order: str | None = None
    ) -> None:
        self.survey = survey
        self.order = order
        self.guessed = False
        self._cache: dict[str, str] = {}

    def iso(self, text: str) -> str:
        """The ISO date ``text`` gives.

        Raises:
            ValueError: with the reason, for text that is not a date in a known form.
        """
        found = self._cache.get(text)
        if found is not None:
            return found
        value = self._read(text.strip())
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = value
        return value

    def _read(self, text: str) -> str:
        if not text:
            raise ValueError("no date given")
        match = _ISO.fullmatch(text)
        if match is not None:
            return _made(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        match = _NUMERIC.fullmatch(text)
        if match is not None:
            return self._numeric(*match.groups())
        match = _WORDS.fullmatch(text)
        if match is not None:
            return _made(_year(match.group(3)), _month(match.group(2)), int(match.group(1)))
        match = _MONTH_DAY.fullmatch(text)
        if match is not None:
            return _made(int(match.group(3)), _month(match.group(1)), int(match.group(2)))
        match = _SERIAL.fullmatch(text)
        if match is not None and int(match.group(1)) in _SERIALS:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(match.group(1)))).isoformat()
        raise ValueError(
            "not a date in a known form (2015-01-18, 18/01/2015, 18-Jan-15, "
            "18 January 2015, or a spreadsheet's day number)"
        )

    def _numeric(self, first: str, second: str, third: str) -> str:
        if len(first) == 4:  # noqa: PLR2004  # yyyy/mm/dd
            return _made(int(first), int(second), int(third))
        if len(third) not in {2, 4}:
            raise ValueError("the year must have 2 or 4 digits")
        order = self.order
        if order is None:
            order = _numeric_order(f"{first}/{second}/{third}")
            if order is None:  # ambiguous: the file decides
                order = self._decide()
            else:
                self.order = order
        if order == DAY_FIRST:
            day, month = int(first), int(second)
        else:
            month, day = int(first), int(second)
        if month > _MONTHS_IN_YEAR:
            raise ValueError(f"no month {month}: the file writes its dates {order}")
        return _made(_year(third), month, day)

    def _decide(self) -> str:
        found = decide_order(self.survey()) if self.survey is not None else None
        if found is None:
            found = DAY_FIRST
            self.guessed = True
        self.order = found
        return found


def _month(name: str) -> int:
    found = _MONTHS.get(name.lower())
    if found is None:
        raise ValueError(f"{name!r} is not a month")
    return found


def _made(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError as e:
        raise ValueError(f"not a valid date: {e}") from None
