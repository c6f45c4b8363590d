"""The codec's cattrs converter, and what it knows about the shapes of field types.

:func:`make_converter` builds the converter :class:`~timeline.codec.Codec` encodes and
decodes through; :func:`optional_of`, :func:`tuple_of` and :data:`PLAIN` describe field
types for it and for the trusted builders (``_builders``), so both read a field the same
way. :func:`free_form` and :func:`depth_exceeds` bound the nesting of free-form values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.fns import identity
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.events import Event
from timeline.time import isoformat, parse_utc

#: Types whose JSON value is the value itself. They pass through unchanged; the events' own
#: validators check them (cattrs would call ``int()`` or ``str()`` on anything).
PLAIN: frozenset[Any] = frozenset({str, int, float, bool})

_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


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


def depth_exceeds(value: object, limit: int) -> bool:
    """Whether ``value`` nests lists, tuples and dicts more than ``limit`` levels deep.

    Iterative, so that a hostile value cannot exhaust the stack while it is measured.
    """
    if type(value) is dict:  # the usual case, a mapping of plain values: no walk
        for item in value.values():
            if type(item) not in _SCALARS:
                break
        else:
            return limit < 1
    level: list[object] = [value]
    depth = 0
    while level:  # one level of nesting at a time
        children: list[object] = []
        found = False
        for item in level:
            if isinstance(item, dict):
                children.extend(item.values())
                found = True
            elif isinstance(item, (list, tuple)):
                children.extend(item)
                found = True
        if not found:
            return False
        depth += 1
        if depth > limit:
            return True
        level = children
    return False


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


def _instant(value: object, _: object) -> object:
    if type(value) is str:
        try:
            return parse_utc(value)
        except InvalidEvent:
            # Hand the event's own validator what the text says (a naive time, or the text
            # itself), so that its error names the field.
            with contextlib.suppress(ValueError):
                return dt.datetime.fromisoformat(value)
    return value


def _names(value: object, _: object) -> tuple[str, ...]:
    if type(value) is not list and type(value) is not tuple:  # JSON array, or to_dict's tuple
        raise TypeError(f"expected a JSON array of names, got {value!r}")
    return tuple(value)


def _passthrough(value: object, _: object) -> object:
    return value


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
    return lambda value: [hook(item) for item in value]


def _structure_optional(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = optional_of(t)
    if inner in PLAIN:
        return _passthrough
    hook = converter.get_structure_hook(inner)
    return lambda value, _: None if value is None else hook(value, inner)


def _structure_tuple(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = tuple_of(t)
    if inner is str:
        return _names
    hook = converter.get_structure_hook(inner)

    def structure(value: object, _: object) -> tuple[Any, ...]:
        if type(value) is not list and type(value) is not tuple:
            raise TypeError(f"expected a JSON array, got {value!r}")
        return tuple([hook(item, inner) for item in value])

    return structure


def _enum_value(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def make_converter() -> cattrs.Converter:
    """A converter between events and JSON-ready mappings, as the codec writes them."""
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    converter.register_unstructure_hook(DateTime, isoformat)
    converter.register_structure_hook(DateTime, _instant)
    converter.register_unstructure_hook(uuid.UUID, str)
    # Enums (TimePrecision is a StrEnum) are written as their plain value, so that to_dict
    # gives plain JSON values that compare equal to what was read.
    converter.register_unstructure_hook(enum.Enum, _enum_value)
    converter.register_unstructure_hook(enum.StrEnum, _enum_value)  # found before str's
    converter.register_structure_hook(uuid.UUID, lambda v, _: uuid.UUID(v))
    # Strings pass through as they are (cattrs would call str() on anything); the events'
    # own validators refuse a non-string where a name belongs.
    converter.register_structure_hook(str, _passthrough)
    # Optional fields and tuples get a hook made once per field type: cattrs's own look up
    # the inner type's hook again for every value. A list of names must be a JSON array:
    # cattrs would split a string into characters.
    converter.register_unstructure_hook_factory(optional_of, _unstructure_optional)
    converter.register_unstructure_hook_factory(tuple_of, _unstructure_tuple)
    converter.register_structure_hook_factory(optional_of, _structure_optional)
    converter.register_structure_hook_factory(tuple_of, _structure_tuple)
    return converter
