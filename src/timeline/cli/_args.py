"""Readers of command-line values: instants, events, projections, counts.

Each raises :class:`BadValue`, which the command line turns into a usage error (exit status
2) naming the option.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs
from pendulum import DateTime

from timeline.cli._base import CommandError
from timeline.log import EventLog, Recorded
from timeline.projections import (
    Chronology,
    Claims,
    Escalation,
    Negotiations,
    PrisonerExchanges,
    Projection,
)
from timeline.time import end_of_local_day, is_zone, to_utc

__all__ = [
    "PROJECTIONS",
    "ZONE_ENV",
    "BadValue",
    "EventRef",
    "cut_zone",
    "end_moment",
    "end_of",
    "event_ref",
    "moment",
    "prepare_cuts",
    "projection_name",
    "start_moment",
    "whole_number",
    "zone_name",
]

#: The zone a date given to ``--as-of`` or ``--known-at`` is read in, unless ``--zone`` or
#: ``--utc`` says.
ZONE_ENV: Final = "TIMELINE_ZONE"

#: The built-in projections ``replay`` knows, by name.
PROJECTIONS: Final[dict[str, Callable[[], Projection[Any]]]] = {
    "Negotiations": Negotiations,
    "PrisonerExchanges": PrisonerExchanges,
    "Escalation": Escalation,
    "Claims": Claims,
    "Chronology": Chronology,
}


class BadValue(ValueError):
    """A command-line value that cannot be read: the message says what was expected."""


_DATE_ONLY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_POSITION: Final = re.compile(r"#?(\d{1,12})")
_PREFIX: Final = re.compile(r"[0-9a-fA-F][0-9a-fA-F-]{3,35}")


def _key(name: str) -> str:
    return name.replace("-", "").replace("_", "").casefold()


_BY_KEY: Final = {_key(name): name for name in PROJECTIONS}


def _moment(text: str, *, end_of_day: bool) -> DateTime:
    text = text.strip()
    if _DATE_ONLY.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise BadValue(f"not a date: {text!r}") from None
        clock = dt.time.max if end_of_day else dt.time.min
        return to_utc(dt.datetime.combine(day, clock, tzinfo=dt.UTC))
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadValue(
            f"not a date or an ISO-8601 time: {text!r} "
            "(e.g. 2025-06-01, 2025-06-02T08:00Z or 2025-06-02T08:00+03:00)"
        ) from None
    if value.utcoffset() is None:
        raise BadValue(f"{text!r} has no zone: say whose clock, e.g. {text}Z or {text}+03:00")
    return to_utc(value)


def end_moment(text: str) -> DateTime:
    """``--as-of``, ``--known-at``, ``--to``: an ISO time, or a date meaning the END of that day, UTC.

    >>> end_moment("2025-06-01")
    DateTime(2025, 6, 1, 23, 59, 59, 999999, tzinfo=Timezone('UTC'))
    >>> end_moment("2025-06-02T08:00+03:00")
    DateTime(2025, 6, 2, 5, 0, 0, tzinfo=Timezone('UTC'))
    """
    return _moment(text, end_of_day=True)


def moment(text: str) -> dt.date | DateTime:
    """A date (kept as a date: its meaning depends on a zone) or an ISO time (in UTC).

    >>> moment("2025-06-01"), moment("2025-06-02T08:00+03:00")
    (datetime.date(2025, 6, 1), DateTime(2025, 6, 2, 5, 0, 0, tzinfo=Timezone('UTC')))
    """
    text = text.strip()
    if _DATE_ONLY.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise BadValue(f"not a date: {text!r}") from None
    return _moment(text, end_of_day=True)


def zone_name(text: str) -> str:
    """A zone: an IANA name (``Europe/Kyiv``), ``UTC``, or a fixed offset (``+03:00``)."""
    if not is_zone(text):
        raise BadValue(
            f"not a zone: {text!r} (an IANA name such as Europe/Kyiv, UTC, or an offset such "
            "as +03:00)"
        )
    return text


def cut_zone(zone: str | None, *, utc: bool = False) -> str:
    """The zone a date given as a time cut is read in: ``--utc``, ``--zone``, $TIMELINE_ZONE, UTC.

    Raises:
        CommandError: for a $TIMELINE_ZONE that is not a zone (a usage error).
    """
    if utc:
        return "UTC"
    if zone:
        return zone
    found = os.environ.get(ZONE_ENV, "").strip()
    if not found:
        return "UTC"
    if not is_zone(found):
        raise CommandError(f"${ZONE_ENV}: not a zone: {found!r}", status=2)
    return found


def end_of(value: dt.date | DateTime | None, zone: str) -> DateTime | None:
    """A cut as an instant: a date is the end of that local day in ``zone``.

    >>> end_of(dt.date(2025, 6, 1), "Europe/Kyiv")
    DateTime(2025, 6, 1, 20, 59, 59, 999999, tzinfo=Timezone('UTC'))
    """
    if value is None or isinstance(value, DateTime):
        return value
    return end_of_local_day(value, zone)


def start_moment(text: str) -> DateTime:
    """``--from``: an ISO time, or a date meaning the START of that day, UTC.

    >>> start_moment("2025-06-01")
    DateTime(2025, 6, 1, 0, 0, 0, tzinfo=Timezone('UTC'))
    """
    return _moment(text, end_of_day=False)


@attrs.frozen
class EventRef:
    """An event named on the command line: by its id, a unique prefix of it, or a position."""

    text: str
    event_id: uuid.UUID | None = None
    position: int | None = None
    prefix: str | None = None

    def resolve(self, log: EventLog) -> Recorded:
        """The record this names.

        Raises:
            UnknownEvent: if the log does not hold the event.
            CommandError: if the log holds no record at the position, or no event (or more
                than one) whose id starts with the prefix.
        """
        if self.event_id is not None:
            return log.get(self.event_id)
        if self.prefix is not None:
            return _by_prefix(log, self.prefix)
        position = self.position or 0
        record = next(log.read(after=position - 1), None) if position >= 1 else None
        if record is None or record.position != position:
            raise CommandError(f"no record at position {position}: the log holds {len(log)}")
        return record


_SHOWN_CANDIDATES: Final = 5


def _by_prefix(log: EventLog, prefix: str) -> Recorded:
    """The one record whose event id starts with ``prefix``."""
    found: list[Recorded] = []
    for record in log.read():
        if str(record.event.event_id).startswith(prefix):
            found.append(record)
            if len(found) > _SHOWN_CANDIDATES:
                break
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(f"no event id starts with {prefix!r}")
    listed = "; ".join(
        f"{r.event.event_id} (position {r.position}: {r.event.headline()})"
        for r in found[:_SHOWN_CANDIDATES]
    )
    more = ", and more" if len(found) > _SHOWN_CANDIDATES else ""
    raise CommandError(
        f"event id prefix {prefix!r} is ambiguous: it starts {listed}{more}; give more of the id"
    )


def event_ref(text: str) -> EventRef:
    """Read an ``EVENT``: an event id, a unique prefix of one (4 characters or more), or a position.

    A position is ``#42``, or digits without a leading zero (up to 12 of them); other
    hexadecimal text is a prefix of an event id.

    >>> event_ref("#42").position, event_ref("0197a0e4-6c1e-7d55-9a57-0f0c6e1d2b00").event_id
    (42, UUID('0197a0e4-6c1e-7d55-9a57-0f0c6e1d2b00'))
    >>> event_ref("0197a0e4").prefix, event_ref("42").position
    ('0197a0e4', 42)
    """
    text = text.strip()
    match = _POSITION.fullmatch(text)
    if match and (text.startswith("#") or not text.startswith("0")):
        return EventRef(text, position=int(match.group(1)))
    try:
        return EventRef(text, event_id=uuid.UUID(text))
    except ValueError:
        pass
    if _PREFIX.fullmatch(text):
        return EventRef(text, prefix=text.lower())
    raise BadValue(
        f"not an event id or a position: {text!r} (give a UUID, a unique prefix of one such "
        "as 0197a0e4, or a position such as 42)"
    )


def projection_name(text: str) -> str:
    """Read a ``PROJECTION``: a built-in's name, in any case (``-`` and ``_`` ignored).

    >>> projection_name("escalation"), projection_name("prisoner-exchanges")
    ('Escalation', 'PrisonerExchanges')
    """
    name = _BY_KEY.get(_key(text))
    if name is not None:
        return name
    close = difflib.get_close_matches(_key(text), _BY_KEY, n=1)
    hint = f"; did you mean {_BY_KEY[close[0]]}?" if close else ""
    raise BadValue(f"unknown projection {text!r}{hint} (choose from {', '.join(PROJECTIONS)})")


def whole_number(text: str) -> int:
    """A whole number ≥ 0."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise BadValue(f"not a whole number ≥ 0: {text!r}")
    return n


def prepare_cuts(args: Any) -> None:
    """Turn the dates given to ``--as-of`` and ``--known-at`` into instants, in place.

    A date is the end of that local day in the cut zone (:func:`cut_zone`); ``import``'s
    ``--zone`` is the zone of its file, not this one.
    """
    names = [n for n in ("as_of", "known_at") if getattr(args, n, None) is not None]
    if not names:
        return
    own = None if getattr(args, "command", "") == "import" else getattr(args, "zone", None)
    zone = cut_zone(own, utc=bool(getattr(args, "utc", False)))
    for name in names:
        setattr(args, name, end_of(getattr(args, name), zone))
