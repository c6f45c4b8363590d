"""Validators and converters shared by every event type.

They are plain callables for ``attrs.field(validator=..., converter=...)``. Each failure is an
:class:`~timeline.errors.InvalidEvent` that names the field and the value, so a bad report is
refused at construction and no invalid event ever exists.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from typing import Any, Final

import attrs
import pendulum
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.time import TimePrecision, to_utc

__all__ = [
    "MAX_DEPTH",
    "aware_utc",
    "boolean",
    "count",
    "is_precision",
    "non_empty",
    "non_empty_names",
    "optional_aware_utc",
    "optional_boolean",
    "optional_non_empty",
    "optional_uuid_value",
    "probability",
    "to_names",
    "to_optional_text",
    "to_optional_utc_instant",
    "to_optional_uuid",
    "to_precision",
    "to_utc_instant",
    "to_uuid",
    "uuid_value",
]

_ZERO = dt.timedelta(0)
_PENDULUM_UTC = pendulum.UTC


def _fail(instance: object, field: str, value: object, message: str) -> InvalidEvent:
    event_id = getattr(instance, "event_id", None)
    kind = type(instance).__name__
    return InvalidEvent(
        f"{kind}.{field} {message}, got {value!r}",
        field=field,
        value=value,
        event_id=event_id if isinstance(event_id, uuid.UUID) else None,
    )


def count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A count: ``None`` (unknown) or an integer ≥ 0. Booleans are not counts."""
    if value is None:
        return
    if type(value) is not int or value < 0:
        raise _fail(instance, attribute.name, value, "must be a whole number ≥ 0 or None")


def non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A required name: a string with something other than spaces in it."""
    if type(value) is not str or not value.strip():
        raise _fail(instance, attribute.name, value, "must be a non-empty string")


def optional_non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or a non-empty string."""
    if value is not None:
        non_empty(instance, attribute, value)


def non_empty_names(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]
) -> None:
    """A tuple of non-empty strings (actors, tags, terms, members)."""
    for i, item in enumerate(value):
        if type(item) is not str or not item.strip():
            raise _fail(instance, f"{attribute.name}[{i}]", item, "must be a non-empty string")


def boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``True`` or ``False``."""
    if type(value) is not bool:
        raise _fail(instance, attribute.name, value, "must be True or False")


def optional_boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` (unknown), ``True`` or ``False``."""
    if value is not None:
        boolean(instance, attribute, value)


def probability(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A number between 0 and 1 inclusive (a confidence)."""
    if (
        type(value) not in (int, float)
        or not math.isfinite(value)  # type: ignore[arg-type]  # checked to be a number
        or not 0 <= value <= 1  # type: ignore[operator]  # checked to be a number
    ):
        raise _fail(instance, attribute.name, value, "must be a number between 0 and 1")


def uuid_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A UUID (ids of events and the events they refer to)."""
    if not isinstance(value, uuid.UUID):
        raise _fail(instance, attribute.name, value, "must be a UUID")


def to_utc_instant(value: object) -> object:
    """Convert an aware datetime to UTC; leave anything else for :func:`aware_utc` to refuse."""
    if type(value) is DateTime and value.tzinfo is _PENDULUM_UTC:
        return value  # already an instant in UTC (asking pendulum's zone for its offset is slow)
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        try:
            return to_utc(value)
        except InvalidEvent:
            return value  # no UTC form (year 1 at +01:00): aware_utc refuses it by field name
    return value


def to_optional_utc_instant(value: object) -> object:
    """Like :func:`to_utc_instant`, letting ``None`` through."""
    return None if value is None else to_utc_instant(value)


def aware_utc(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An aware instant (already converted to UTC by :func:`to_utc_instant`)."""
    if type(value) is DateTime and (value.tzinfo is _PENDULUM_UTC or value.utcoffset() == _ZERO):
        return
    if isinstance(value, dt.datetime) and value.utcoffset() is None:  # pendulum's naive too
        raise _fail(
            instance,
            attribute.name,
            value,
            "must be timezone-aware (attach the source's zone, e.g. Europe/Kyiv, or UTC)",
        )
    if isinstance(value, dt.datetime):
        raise _fail(instance, attribute.name, value, "is out of range once converted to UTC")
    raise _fail(instance, attribute.name, value, "must be an aware datetime")


def optional_aware_utc(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or an aware instant."""
    if value is not None:
        aware_utc(instance, attribute, value)


def to_precision(value: object) -> object:
    """``"day"`` to :attr:`TimePrecision.DAY`; leave anything else for :func:`is_precision`."""
    if type(value) is TimePrecision or not isinstance(value, str):
        return value
    try:
        return TimePrecision(value)
    except ValueError:
        return value


def is_precision(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """One of the :class:`TimePrecision` values."""
    if type(value) is not TimePrecision:
        choices = ", ".join(p.value for p in TimePrecision)
        raise _fail(instance, attribute.name, value, f"must be one of {choices}")


def to_uuid(value: object) -> object:
    """A UUID's text to the UUID; leave anything else for :func:`uuid_value` to refuse."""
    if type(value) is uuid.UUID:
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            return value
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int)
    return value


def to_optional_uuid(value: object) -> object:
    """Like :func:`to_uuid`, letting ``None`` through."""
    return None if value is None else to_uuid(value)


def optional_uuid_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or a UUID."""
    if value is not None:
        uuid_value(instance, attribute, value)


def to_names(value: Iterable[str] | str) -> tuple[str, ...]:
    """Turn a list (or a single name) into a tuple of names."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def to_optional_text(value: str | None) -> str | None:
    """Treat an empty or blank string as unknown (``None``)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


#: The deepest nesting of arrays and objects in a free-form value (a field typed ``Any`` or
#: ``dict``, such as a correction's ``changes``): the value itself is level 1. Every other
#: field's nesting is fixed by its event type. Encoding deeper raises
#: :class:`~timeline.errors.InvalidEvent`, decoding :class:`~timeline.errors.DecodeError`,
#: before any recursive code (upcasters, validators, JSON writers) sees it; a
#: :class:`~timeline.events.Correction` refuses deeper ``changes`` when it is made.
MAX_DEPTH: Final = 32
