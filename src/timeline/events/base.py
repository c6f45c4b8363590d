"""The :class:`Event` base and its parts (:class:`Source`, :class:`Location`).

An event is a frozen, slotted, keyword-only attrs class. It records *valid time*
(``occurred_at``: when it happened); *transaction time* (``recorded_at``: when the log
learned of it) belongs to the log's :class:`~timeline.log.Recorded` entry, not to the event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs
import pendulum
import uuid_utils.compat as _uuid7
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.events import fields as f
from timeline.time import TimePrecision, is_zone, zone_of

__all__ = ["Event", "Location", "Source", "new_event_id"]

_GRADES = "ABCDEF"


def new_event_id() -> uuid.UUID:
    """A fresh, time-ordered UUIDv7: ids sort in the order they were made."""
    return _uuid7.uuid7()


@f.guarded("v is None or type(v) is str and len(v) == 1 and v in GRADES", GRADES=_GRADES)
def _reliability(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not str or value not in _GRADES or len(value) != 1):
        raise f.field_error(instance, attribute, value, "must be one letter A-F (Admiralty scale)")


@f.guarded("v is None or type(v) is int and 1 <= v <= 6")
def _credibility(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not int or not 1 <= value <= 6):  # noqa: PLR2004
        raise f.field_error(
            instance, attribute, value, "must be a whole number 1-6 (Admiralty scale)"
        )


@attrs.frozen(kw_only=True)
class Source:
    """Where a report comes from, graded on the Admiralty (NATO) scale.

    Args:
        name: who published it ("Ukrainian Air Force", a newspaper).
        url: where, if known.
        published_at: when it was published, if known.
        reliability: the source's reliability, ``"A"`` (completely reliable) to ``"F"``
            (cannot be judged).
        credibility: the information's credibility, ``1`` (confirmed) to ``6`` (cannot be
            judged).

    >>> Source(name="Kyiv Independent", reliability="B", credibility=2).grade
    'B2'
    """

    name: str = attrs.field(validator=f.non_empty)
    url: str | None = f.text_or_none()
    published_at: DateTime | None = attrs.field(
        default=None, converter=f.to_optional_utc_instant, validator=f.optional_aware_utc
    )
    reliability: str | None = attrs.field(default=None, validator=_reliability)
    credibility: int | None = attrs.field(default=None, validator=_credibility)

    @property
    def grade(self) -> str | None:
        """The Admiralty grade, e.g. ``"B2"``, where both parts are known."""
        if self.reliability is None or self.credibility is None:
            return None
        return f"{self.reliability}{self.credibility}"


@f.guarded("v is None or (type(v) is float or type(v) is int) and -90 <= v <= 90")
def _latitude(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) not in (int, float) or not -90 <= value <= 90):  # type: ignore[operator]  # a number, just checked  # noqa: PLR2004
        raise f.field_error(instance, attribute, value, "must be between -90 and 90")


@f.guarded("v is None or (type(v) is float or type(v) is int) and -180 <= v <= 180")
def _longitude(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) not in (int, float) or not -180 <= value <= 180):  # type: ignore[operator]  # a number, just checked  # noqa: PLR2004
        raise f.field_error(instance, attribute, value, "must be between -180 and 180")


@attrs.frozen(kw_only=True)
class Location:
    """A place, as precisely as the report gives it.

    >>> Location(name="Ciragan Palace, Istanbul", country="Türkiye").name
    'Ciragan Palace, Istanbul'
    """

    name: str | None = attrs.field(default=None, validator=f.optional_non_empty)
    country: str | None = attrs.field(default=None, validator=f.optional_non_empty)
    admin1: str | None = attrs.field(default=None, validator=f.optional_non_empty)
    latitude: float | None = attrs.field(default=None, validator=_latitude)
    longitude: float | None = attrs.field(default=None, validator=_longitude)


def _to_sources(value: Iterable[Source | str]) -> tuple[Source, ...]:
    if isinstance(value, (str, Source)):
        value = (value,)
    items = f.as_tuple(value)
    if type(items) is not tuple:
        return items  # type: ignore[no-any-return]  # None, 5: refused by _sources
    return tuple(Source(name=s) if isinstance(s, str) else s for s in items)


@f.guarded("not v or all(isinstance(x, Source) for x in v)", type_only=True, Source=Source)
def _sources(instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if type(value) is not tuple:
        raise f.field_error(instance, attribute, value, "must be a list of Sources or names")
    for i, item in enumerate(value):
        if not isinstance(item, Source):
            raise f.field_error(
                instance, attribute, item, "must be a Source", field=f"sources[{i}]"
            )


def _to_location(value: Location | str | None) -> Location | None:
    return Location(name=value) if isinstance(value, str) else value


@f.guarded("v is None or isinstance(v, Location)", type_only=True, Location=Location)
def _location(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Location):
        raise f.field_error(instance, attribute, value, "must be a Location or a name")


@f.guarded("v is None or v >= o.occurred_at")
def _until(instance: Event, attribute: attrs.Attribute[Any], value: DateTime | None) -> None:
    if value is not None and value < instance.occurred_at:
        error = InvalidEvent(
            f"{type(instance).__name__}.occurred_until must not be before occurred_at "
            f"({instance.occurred_at.isoformat()}), got {value.isoformat()}",
            field="occurred_until",
            value=value,
            event_id=instance.event_id,
        )
        raise f.refuse(instance, attribute, error)


@f.guarded("v is None or is_zone(v)", is_zone=is_zone)
def _zone(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None or is_zone(value):
        return
    raise f.field_error(
        instance,
        attribute,
        value,
        "must be an IANA zone name (e.g. Europe/Kyiv), UTC or a fixed offset like +03:00",
    )


_PENDULUM_UTC = pendulum.UTC


def _occurred_at(value: object, event: Event) -> object:
    """``occurred_at`` in UTC; a zone it was given in becomes the event's, if it has none."""
    if type(value) is DateTime and value.tzinfo is _PENDULUM_UTC:
        return value  # the common case, and every instant a log gives back: nothing to learn
    if event.zone is None and isinstance(value, dt.datetime) and value.utcoffset() is not None:
        zone = zone_of(value)
        if zone is not None:
            object.__setattr__(event, "zone", zone)
    return f.to_utc_instant(value)


@attrs.frozen(kw_only=True)
class Event:
    """The base of every event type.

    Subclasses are ``@attrs.frozen(kw_only=True)`` and named with
    :func:`~timeline.events.registry.event_type`.

    Args:
        event_id: a UUID; a time-ordered UUIDv7 by default. Give a stable one (e.g. a
            ``uuid5`` of the source row) to make imports idempotent.
        zone: the zone of the clock that reported it: an IANA name (``"Europe/Kyiv"``),
            ``"UTC"``, or a fixed offset (``"+03:00"``). Taken from ``occurred_at`` when that
            is given in a named zone or at a fixed offset other than UTC and no zone is
            given. The date a person sees is the local date in it
            (:func:`timeline.time.local_date`); ``None`` (events written before zones were
            kept) dates the event by the noon rule.
        occurred_at: when it happened (valid time), an aware datetime; stored in UTC.
        occurred_until: the end of an interval (an overnight barrage), if any.
        time_precision: how precisely ``occurred_at`` is known: ``"exact"`` (default),
            ``"minute"``, ``"hour"``, ``"day"`` or ``"month"``.
        actors: who took part.
        location: where, as a :class:`Location` or just its name.
        sources: where the report comes from, as :class:`Source` objects or names.
        claimed_by: whose claim this is ("Ukrainian Air Force").
        tags: free labels.
        summary: a one-line description for people.

    Raises:
        InvalidEvent: for a naive time, an end before the start, an empty name, ...
    """

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    event_id: uuid.UUID = attrs.field(
        factory=new_event_id, converter=f.to_uuid, validator=f.uuid_value
    )
    # zone comes before occurred_at: attrs sets fields in order, and occurred_at's converter
    # fills it in from the zone occurred_at was given in (see _occurred_at).
    zone: str | None = attrs.field(default=None, validator=_zone, metadata={f.OMIT_NONE: True})
    occurred_at: DateTime = attrs.field(
        converter=attrs.Converter(_occurred_at, takes_self=True),  # type: ignore[misc,call-overload]
        validator=f.aware_utc,
    )
    occurred_until: DateTime | None = attrs.field(
        default=None, converter=f.to_optional_utc_instant, validator=[f.optional_aware_utc, _until]
    )
    time_precision: TimePrecision = attrs.field(
        default=TimePrecision.EXACT, converter=f.to_precision, validator=f.is_precision
    )
    actors: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    location: Location | None = attrs.field(
        default=None, converter=_to_location, validator=_location
    )
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_to_sources, validator=_sources)
    claimed_by: str | None = attrs.field(default=None, validator=f.optional_non_empty)
    tags: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    summary: str | None = f.text_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """Ids of other events this one refers to; the log refuses unknown ones."""
        return ()

    def headline(self) -> str:
        """A short line for people: the summary, or a description built from the fields."""
        return self.summary or self.TYPE
