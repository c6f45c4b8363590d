"""Validators and converters shared by every event type.

They are plain callables for ``attrs.field(validator=..., converter=...)``. Each failure is an
:class:`~timeline.errors.InvalidEvent` that names the field and the value, so a bad report is
refused at construction and no invalid event ever exists.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from typing import Any

import attrs
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.time import TimePrecision, to_utc

__all__ = [
    "boolean",
    "optional_boolean",
    "count",
    "non_empty",
    "non_empty_names",
    "optional_non_empty",
    "optional_uuid",
    "optional_utc",
    "precision",
    "probability",
    "to_names",
    "to_optional_text",
    "to_uuid",
    "utc",
    "uuid_value",
]


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


def non_empty_names(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A tuple of non-empty strings (actors, tags, terms, members)."""
    for i, item in enumerate(value):  # type: ignore[attr-defined]  # a tuple, by its converter
        if type(item) is not str or not item.strip():
            raise _fail(
                instance, f"{attribute.name}[{i}]", item, "must be a non-empty string"
            )


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


def _to_utc(value: object, field: attrs.Attribute[Any]) -> DateTime:
    return to_utc(value, field=field.name)


def _to_optional_utc(value: object, field: attrs.Attribute[Any]) -> DateTime | None:
    return None if value is None else to_utc(value, field=field.name)


def _to_precision(value: object, field: attrs.Attribute[Any]) -> TimePrecision:
    if type(value) is TimePrecision:
        return value
    try:
        return TimePrecision(value)
    except ValueError:
        choices = ", ".join(p.value for p in TimePrecision)
        raise InvalidEvent(
            f"{field.name} must be one of {choices}, got {value!r}",
            field=field.name,
            value=value,
        ) from None


def _to_uuid(value: object, field: attrs.Attribute[Any]) -> uuid.UUID:
    if type(value) is uuid.UUID:
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    elif isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int)
    raise InvalidEvent(f"{field.name} must be a UUID, got {value!r}", field=field.name, value=value)


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


#: Converter to an aware UTC instant, naming the field on failure.
utc = attrs.Converter(_to_utc, takes_field=True)  # type: ignore[misc,call-overload]  # attrs stubs lag takes_field
#: Converter to an optional aware UTC instant.
optional_utc = attrs.Converter(_to_optional_utc, takes_field=True)  # type: ignore[misc,call-overload]  # same
#: Converter from a string such as ``"day"`` to :class:`TimePrecision`.
precision = attrs.Converter(_to_precision, takes_field=True)  # type: ignore[misc,call-overload]  # same
#: Converter from a UUID or its text to a UUID.
to_uuid = attrs.Converter(_to_uuid, takes_field=True)  # type: ignore[misc,call-overload]  # same


def _to_optional_uuid(value: object, field: attrs.Attribute[Any]) -> uuid.UUID | None:
    return None if value is None else _to_uuid(value, field)


#: Converter from ``None``, a UUID or its text to an optional UUID.
optional_uuid = attrs.Converter(_to_optional_uuid, takes_field=True)  # type: ignore[misc,call-overload]  # same
