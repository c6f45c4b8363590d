"""The codec's cattrs converter, and what it knows about the shapes of field types.

:func:`make_converter` builds the converter :class:`~timeline.codec.Codec` encodes and
decodes through; :func:`optional_of`, :func:`tuple_of` and :data:`PLAIN` describe field
types for it and for the trusted builders (``_builders``), so both read a field the same
way. :func:`free_form` and :func:`depth_exceeds` bound the nesting of free-form values.

The converter reads untrusted JSON strictly: each field's hook takes only the JSON type its
field's type names (a boolean for ``bool``, an integer or a float without a fraction for
``int``, a string for text, ids and instants, an array for a tuple, an object for a part)
and raises :class:`Refused` for anything else, never calling ``bool()`` or ``int()`` on it.
The hooks do not know the field's name; on the rare refusal, :func:`misfit` looks again,
field by field, for the path of the value refused, so the common case pays nothing for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs
import cattrs
import cattrs.gen
import orjson
from cattrs.fns import identity
from pendulum import UTC, DateTime

from timeline.errors import InvalidEvent
from timeline.events import Event
from timeline.events.fields import OMIT_NONE, depth_exceeds, shown
from timeline.time import isoformat, parse_utc

__all__ = [
    "EXACT_INTEGER",
    "PLAIN",
    "Refused",
    "depth_exceeds",
    "free_form",
    "make_converter",
    "misfit",
    "omitted_when_none",
    "optional_of",
    "tuple_of",
]

#: Types whose JSON value is the value itself. They pass through unchanged; the events' own
#: validators check them (cattrs would call ``int()`` or ``str()`` on anything).
PLAIN: frozenset[Any] = frozenset({str, int, float, bool})

#: The largest magnitude up to which every whole number is a float: a JSON float without a
#: fraction within it is read as the integer it names where an integer belongs (``12.0`` is
#: 12); beyond it the float may not be the integer that was written, and is refused.
EXACT_INTEGER: Final = 2**53


def optional_of(t: Any) -> Any:
    """``X`` for ``X | None`` (and ``Optional[X]``), else ``None``."""
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return None
    args = [a for a in typing.get_args(t) if a is not type(None)]
    return args[0] if len(args) == 1 < len(typing.get_args(t)) else None


def tuple_of(t: Any) -> Any:
    """``X`` for ``tuple[X, ...]``, else ``None``."""
    args = typing.get_args(t)
    if typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004
        return args[0]
    return None


def _unbounded(tp: object) -> bool:
    """Whether a field of type ``tp`` can nest without a bound its type sets (Any, dict, list)."""
    if tp is Any or tp is object or tp in (dict, list):
        return True
    if typing.get_origin(tp) in (dict, list):
        return True
    return any(_unbounded(arg) for arg in typing.get_args(tp))


def free_form(cls: type[Event]) -> tuple[str, ...]:
    """The fields of ``cls`` whose values are free-form JSON, whose nesting is checked."""
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # annotations that do not resolve: judge by attrs' types
        hints = {a.name: a.type for a in attrs.fields(cls)}
    return tuple(a.name for a in attrs.fields(cls) if _unbounded(hints.get(a.name, Any)))


def omitted_when_none(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` left out of its encoding when ``None`` (``Event.zone``)."""
    return tuple(a.name for a in attrs.fields(cls) if a.metadata.get(OMIT_NONE))


class Refused(TypeError):
    """A JSON value of the wrong type for its field, as a structure hook finds it.

    The hook does not know the field: :func:`misfit` looks for it, and the codec raises an
    :class:`~timeline.errors.InvalidEvent` naming it.
    """

    def __init__(self, value: object, expected: str) -> None:
        super().__init__(f"{expected}, got {shown(value)}")
        self.value = value
        self.expected = expected


_BOOLEAN: Final = "must be true or false (a JSON boolean)"
_INTEGER: Final = (
    "must be a whole number (a JSON integer, or a float without a fraction up to 2**53)"
)
_NUMBER: Final = "must be a number (a JSON integer or float)"
_TEXT: Final = "must be text (a JSON string)"
_ARRAY: Final = "must be a list (a JSON array)"
_OBJECT: Final = "must be a JSON object"


def _boolean(value: object, _: object) -> bool:
    if type(value) is bool:
        return value
    raise Refused(value, _BOOLEAN)


def _integer(value: object, _: object) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer() and -EXACT_INTEGER <= value <= EXACT_INTEGER:
        return int(value)  # 12.0 is 12: exact, never truncated
    raise Refused(value, _INTEGER)


def _number(value: object, _: object) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:  # beyond any float: refused below
            pass
    raise Refused(value, _NUMBER)


def _text(value: object, _: object) -> str:
    if type(value) is str:
        return value
    raise Refused(value, _TEXT)


def _optional_text(value: object, _: object) -> str | None:
    if value is None or type(value) is str:
        return value
    raise Refused(value, _TEXT)


def _optional_integer(value: object, _: object) -> int | None:
    if value is None or type(value) is int:
        return value
    return _integer(value, _)


def _instant(value: object, _: object) -> object:
    if type(value) is not str:
        raise Refused(value, "must be a time as ISO 8601 text (a JSON string)")
    try:
        return parse_utc(value)
    except InvalidEvent:
        # Hand the event's own validator what the text says (a naive time, or the text
        # itself), so that its error names the field.
        with contextlib.suppress(ValueError):
            return dt.datetime.fromisoformat(value)
    return value


def _uuid(value: object, _: object) -> uuid.UUID:
    if type(value) is str:
        try:
            return uuid.UUID(value)
        except ValueError:  # not a UUID's text: refused below
            pass
    raise Refused(value, "must be a UUID as text (a JSON string)")


def _names(value: object, _: object) -> tuple[str, ...]:
    if type(value) is not list and type(value) is not tuple:  # JSON array, or to_dict's tuple
        raise Refused(value, _ARRAY)
    for item in value:
        if type(item) is not str:
            raise Refused(item, _TEXT)
    return tuple(value)


_STRICT: Final[dict[Any, Callable[[Any, Any], Any]]] = {
    bool: _boolean,
    int: _integer,
    float: _number,
    str: _text,
}
_STRICT_OPTIONAL: Final[dict[Any, Callable[[Any, Any], Any]]] = {
    str: _optional_text,
    int: _optional_integer,
}


def _unstructure_optional(t: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
    inner = optional_of(t)
    if inner in PLAIN:
        return identity  # cattrs then writes ``instance.field`` inline: no call at all
    hook = converter.get_unstructure_hook(inner)
    return lambda value: None if value is None else hook(value)


def _unstructure_tuple(t: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
    inner = tuple_of(t)
    if inner in PLAIN:
        return identity  # orjson writes a tuple as an array
    hook = converter.get_unstructure_hook(inner)
    return lambda value: list(map(hook, value))


def _structure_optional(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = optional_of(t)
    fast = _STRICT_OPTIONAL.get(inner)
    if fast is not None:
        return fast
    hook = converter.get_structure_hook(inner)
    return lambda value, _: None if value is None else hook(value, inner)


def _structure_tuple(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = tuple_of(t)
    if inner is str:
        return _names
    hook = converter.get_structure_hook(inner)

    def structure(value: object, _: object) -> tuple[Any, ...]:
        if type(value) is not list and type(value) is not tuple:
            raise Refused(value, _ARRAY)
        return tuple([hook(item, inner) for item in value])

    return structure


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, enum.Enum)


def _structure_enum(t: Any, _: cattrs.Converter) -> Callable[[Any, Any], Any]:
    members = {(type(m.value), m.value): m for m in t}
    expected = "must be one of " + ", ".join(str(m.value) for m in t)

    def structure(value: object, _: object) -> object:
        try:
            return members[type(value), value]
        except (KeyError, TypeError):  # another value, or one that cannot be a key
            raise Refused(value, expected) from None

    return structure


def _is_part(t: Any) -> bool:
    """An attrs class inside an event (a source, a location, a count), not an event itself."""
    return isinstance(t, type) and attrs.has(t) and not issubclass(t, Event)


def _structure_part(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    build = cattrs.gen.make_dict_structure_fn(t, converter)

    def structure(value: object, _: object) -> object:
        if type(value) is not dict:  # cattrs would read a list or a string as no fields
            raise Refused(value, _OBJECT)
        return build(value, t)

    return structure


def _is_mapping(t: Any) -> bool:
    return t is dict or typing.get_origin(t) is dict


def _structure_mapping(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    args = typing.get_args(t)
    values = args[1] if len(args) == 2 else Any  # noqa: PLR2004  # dict[K, V]
    hook = None if values is Any else converter.get_structure_hook(values)

    def structure(value: object, _: object) -> dict[Any, Any]:
        if type(value) is not dict:
            raise Refused(value, _OBJECT)
        if hook is None:  # free-form values, as they are (their nesting is checked)
            return dict(value)
        return {k: hook(v, values) for k, v in value.items()}

    return structure


# -- finding the field a hook refused -------------------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):  # annotations that do not resolve: attrs' own types
        return {a.name: a.type for a in attrs.fields(cls)}


def _misfit_in(
    converter: cattrs.Converter, cls: type, data: dict[str, Any]
) -> tuple[str, object, str] | None:
    """The first field of ``data`` (read as ``cls``) whose JSON type is wrong, and why."""
    hints = _hints(cls)
    for a in attrs.fields(cls):
        if a.name in data:
            found = _misfit_value(converter, hints.get(a.name, a.type), data[a.name])
            if found is not None:
                return (a.name + found[0], found[1], found[2])
    return None


def _misfit_value(
    converter: cattrs.Converter, tp: Any, value: object
) -> tuple[str, object, str] | None:
    """Where in ``value`` (of type ``tp``) a hook refuses: a path, the value, and why."""
    try:
        converter.get_structure_hook(tp)(value, tp)
    except (InvalidEvent, cattrs.errors.ForbiddenExtraKeysError):
        return None  # a value its type refuses, or a shape: not a JSON type of its own
    except (TypeError, ValueError, AttributeError, KeyError, cattrs.errors.CattrsError) as e:
        deeper = _misfit_inside(converter, tp, value)
        if deeper is not None:
            return deeper
        if isinstance(e, Refused) and e.value is value:
            return ("", value, e.expected)
        if isinstance(e, KeyError):
            return ("", value, f"lacks the required field {e}")
        return ("", value, f"cannot be read ({type(e).__name__}: {e})")
    return None


def _misfit_inside(
    converter: cattrs.Converter, tp: Any, value: object
) -> tuple[str, object, str] | None:
    """:func:`_misfit_value` for the parts of ``value``: the item or field at fault."""
    inner = optional_of(tp)
    if inner is not None:
        return None if value is None else _misfit_inside(converter, inner, value)
    inner = tuple_of(tp)
    if inner is not None and (type(value) is list or type(value) is tuple):
        for i, item in enumerate(value):
            found = _misfit_value(converter, inner, item)
            if found is not None:
                return (f"[{i}]{found[0]}", found[1], found[2])
        return None
    if _is_part(tp) and type(value) is dict:
        found = _misfit_in(converter, tp, value)
        if found is not None:
            return (f".{found[0]}", found[1], found[2])
    return None


def misfit(
    converter: cattrs.Converter, cls: type[Event], data: dict[str, Any]
) -> InvalidEvent | None:
    """The error for the first value of ``data`` its field's hook refuses, or ``None``.

    Only called once structuring ``data`` as ``cls`` has failed: it runs each field's hook
    again on its own, and goes into lists and parts for the innermost value refused (so
    ``equipment[2].count``, not ``equipment``).
    """
    found = _misfit_in(converter, cls, data)
    if found is None:
        return None
    path, value, expected = found
    event_id = None
    with contextlib.suppress(TypeError, ValueError, AttributeError):
        event_id = uuid.UUID(data.get("event_id"))
    return InvalidEvent(
        f"{cls.__name__}.{path} {expected}, got {shown(value)}",
        field=path,
        value=value,
        event_id=event_id,
    )


def _enum_value(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


#: "00" to "99": the two-digit fields of an instant, picked rather than formatted.
_TWO_DIGITS: Final = tuple(f"{i:02d}" for i in range(100))
_MILLION: Final = 1_000_000


def _instant_text(value: dt.datetime) -> str:
    """:func:`~timeline.time.isoformat`: the same text, faster for a UTC instant after 999.

    Three instants per event are written on every append, and ``%``-formatting seven
    numbers costs more than picking two-digit fields from a table.
    ``tests/test_codec_encode.py`` holds the two equal.
    """
    year = value.year
    tz = value.tzinfo
    if year < 1000 or not (tz is UTC or tz is dt.UTC):  # noqa: PLR2004  # 4 digits
        return isoformat(value)
    two, us = _TWO_DIGITS, value.microsecond
    return (
        f"{year}-{two[value.month]}-{two[value.day]}T{two[value.hour]}:{two[value.minute]}"
        f":{two[value.second]}.{str(us + _MILLION)[1:] if us else '000000'}+00:00"
    )


def _uuid_text(value: uuid.UUID) -> str:
    """``str(value)``: the same text, written by orjson's C code rather than ``UUID.__str__``.

    One id per event is written on every append, and ``UUID.__str__`` is slow Python.
    ``tests/test_codec_encode.py`` holds the two equal.
    """
    if type(value) is uuid.UUID:
        return orjson.dumps(value)[1:-1].decode()
    return str(value)  # a subclass, which orjson does not write


def make_converter() -> cattrs.Converter:
    """A converter between events and JSON-ready mappings, as the codec writes them."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    converter.register_unstructure_hook(DateTime, _instant_text)
    converter.register_unstructure_hook(uuid.UUID, _uuid_text)
    # Enums (TimePrecision is a StrEnum) are written as their plain value, so that to_dict
    # gives plain JSON values that compare equal to what was read. A StrEnum member's value
    # is its text, which str.__str__ gives as a plain str, in C (found before str's hook).
    converter.register_unstructure_hook(enum.Enum, _enum_value)
    converter.register_unstructure_hook(enum.StrEnum, str.__str__)
    # Each JSON value is taken only as the JSON type its field's type names, never coerced
    # (cattrs would call bool(), int() or str() on anything): see the module's docstring.
    for plain, hook in _STRICT.items():
        converter.register_structure_hook(plain, hook)
    converter.register_structure_hook(uuid.UUID, _uuid)
    converter.register_structure_hook(DateTime, _instant)
    # Optional fields and tuples get a hook made once per field type: cattrs's own look up
    # the inner type's hook again for every value. A list of names must be a JSON array:
    # cattrs would split a string into characters. Factories registered later are found
    # first: an enum's own hook before str's (TimePrecision is a StrEnum).
    converter.register_unstructure_hook_factory(optional_of, _unstructure_optional)
    converter.register_unstructure_hook_factory(tuple_of, _unstructure_tuple)
    converter.register_structure_hook_factory(_is_mapping, _structure_mapping)
    converter.register_structure_hook_factory(_is_part, _structure_part)
    converter.register_structure_hook_factory(_is_enum, _structure_enum)
    converter.register_structure_hook_factory(optional_of, _structure_optional)
    converter.register_structure_hook_factory(tuple_of, _structure_tuple)
    return converter
