"""Events to canonical bytes and back.

One :class:`Codec` turns an event into canonical JSON bytes (sorted keys, UTC ISO-8601
instants with microseconds, ids as text) and back. The bytes are what the log hashes, so the
same event always gives the same bytes. The codec dispatches once, on the ``"type"`` tag,
through its own :class:`Registry`: there is no global converter, and an unregistered type is
an :class:`~timeline.errors.UnknownEventType` on encode and on decode alike (never a fallback
to ``__dict__`` or pickle).

Old payloads are read through upcasters keyed by ``(type, version)``, which rewrite the
payload's mapping one version at a time; the stored bytes are never rewritten.

>>> import pendulum
>>> from timeline.events import Statement
>>> codec = Codec()
>>> ev = Statement(occurred_at=pendulum.datetime(2025, 6, 2, 10), speaker="Hakan Fidan",
...                text="Diplomacy first.", event_id="01972f6e-0000-7000-8000-000000000001")
>>> data = codec.encode(ev)
>>> data[:60]
b'{"actors":[],"claimed_by":null,"event_id":"01972f6e-0000-700'
>>> codec.decode(data) == ev
True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs
import cattrs
import orjson
from cattrs.fns import identity
from pendulum import DateTime

from timeline.errors import DecodeError, InvalidEvent, UnknownEventType
from timeline.events import Event, declared_types
from timeline.time import isoformat, parse_utc

__all__ = ["Codec", "Registry", "Upcaster", "default_registry"]

#: Rewrites one version's payload mapping into the next version's.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_ENVELOPE = frozenset({"type", "version"})


class Registry:
    """The event types one codec knows, by their ``TYPE`` tag, and their upcasters.

    >>> from timeline.events import Statement
    >>> registry = Registry([Statement])
    >>> registry.lookup("diplomacy.statement") is Statement
    True
    """

    def __init__(self, types: Iterable[type[Event]] = ()) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in types:
            self.register(cls)

    def register(self, cls: type[Event]) -> type[Event]:
        """Add an event type (made with :func:`timeline.event_type`). Returns it."""
        event_cls = cls
        name = getattr(cls, "TYPE", "")
        if not (isinstance(cls, type) and issubclass(cls, Event) and attrs.has(cls) and name):
            raise UnknownEventType(
                f"{cls!r} is not a named event type; decorate it with @timeline.event_type",
                type=repr(cls),
            )
        clash = _ENVELOPE & {a.name for a in attrs.fields(cls)}
        if clash:
            raise InvalidEvent(
                f"event type {name!r} may not have a field named {min(clash)!r}: "
                "the codec's envelope uses it",
                field=min(clash),
                value=cls,
            )
        self._types[name] = event_cls
        return event_cls

    def add_upcaster(self, type_name: str, from_version: int, upcaster: Upcaster) -> None:
        """Teach the registry to read ``type_name`` payloads of ``from_version``.

        ``upcaster`` takes the payload mapping of that version (without ``type`` and
        ``version``) and returns the mapping of ``from_version + 1``.
        """
        self._upcasters[(type_name, from_version)] = upcaster

    def lookup(self, type_name: object) -> type[Event]:
        """The class registered for a type tag.

        Raises:
            UnknownEventType: for a tag this registry does not know.
        """
        try:
            return self._types[type_name]  # type: ignore[index]  # any tag may be asked for
        except (KeyError, TypeError):
            known = ", ".join(sorted(self._types)) or "none"
            raise UnknownEventType(
                f"unknown event type {type_name!r}; this codec knows: {known}. "
                "Register your own types with open_log(..., types=[...]) or Registry.register",
                type=str(type_name),
            ) from None

    def upcast(self, type_name: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Bring a payload of ``version`` up to the registered class's version."""
        target = self.lookup(type_name).VERSION
        if version > target:
            raise UnknownEventType(
                f"event type {type_name!r} version {version} is newer than this code's "
                f"version {target}; upgrade timeline or register the newer class",
                type=type_name,
                version=version,
            )
        while version < target:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise UnknownEventType(
                    f"no upcaster for event type {type_name!r} from version {version} "
                    f"to {version + 1} (this code reads version {target})",
                    type=type_name,
                    version=version,
                )
            payload = step(payload)
            version += 1
        return payload

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._types

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def copy(self) -> Registry:
        """An independent copy, to extend without touching this one."""
        new = Registry(self._types.values())
        new._upcasters.update(self._upcasters)
        return new


def default_registry(extra: Iterable[type[Event]] = ()) -> Registry:
    """A new registry with the catalog, every type declared so far, and ``extra``."""
    return Registry([*declared_types(), *extra])


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


#: Types whose JSON value is the value itself. They pass through unchanged; the events' own
#: validators check them (cattrs would call ``int()`` or ``str()`` on anything).
_PLAIN: frozenset[Any] = frozenset({str, int, float, bool})


def _optional_of(t: Any) -> Any:
    """``X`` for ``X | None`` (and ``Optional[X]``), else ``None``."""
    if typing.get_origin(t) not in (typing.Union, types.UnionType):
        return None
    args = [a for a in typing.get_args(t) if a is not type(None)]
    return args[0] if len(args) == 1 < len(typing.get_args(t)) else None


def _tuple_of(t: Any) -> Any:
    """``X`` for ``tuple[X, ...]``, else ``None``."""
    args = typing.get_args(t)
    if typing.get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004
        return args[0]
    return None


def _passthrough(value: object, _: object) -> object:
    return value


def _unstructure_optional(t: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
    inner = _optional_of(t)
    if inner in _PLAIN:
        return identity  # cattrs then writes ``instance.field`` inline: no call at all
    hook = converter.get_unstructure_hook(inner)
    return lambda value: None if value is None else hook(value)


def _unstructure_tuple(t: Any, converter: cattrs.Converter) -> Callable[[Any], Any]:
    inner = _tuple_of(t)
    if inner in _PLAIN:
        return identity  # orjson writes a tuple as an array
    hook = converter.get_unstructure_hook(inner)
    return lambda value: [hook(item) for item in value]


def _structure_optional(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = _optional_of(t)
    if inner in _PLAIN:
        return _passthrough
    hook = converter.get_structure_hook(inner)
    return lambda value, _: None if value is None else hook(value, inner)


def _structure_tuple(t: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    inner = _tuple_of(t)
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


def _make_converter() -> cattrs.Converter:
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
    # Optional fields and tuples get a hook made once per field type. cattrs's own look up
    # the inner type's hook again for every value (18 dispatches per drone barrage).
    # A list of names must be a JSON array: cattrs would split a string into characters.
    converter.register_unstructure_hook_factory(_optional_of, _unstructure_optional)
    converter.register_unstructure_hook_factory(_tuple_of, _unstructure_tuple)
    converter.register_structure_hook_factory(_optional_of, _structure_optional)
    converter.register_structure_hook_factory(_tuple_of, _structure_tuple)
    return converter


class Codec:
    """Encode events to canonical bytes and decode them back, through one registry.

    Args:
        registry: the event types to know; :func:`default_registry` if not given.
    """

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry if registry is not None else default_registry()
        self._converter = _make_converter()
        self._unstructure: dict[type[Event], Callable[[Any], dict[str, Any]]] = {}
        self._structure: dict[type[Event], Callable[[Any, type[Event]], Event]] = {}

    def to_dict(self, event: Event) -> dict[str, Any]:
        """The event as a JSON-ready mapping, with its ``type`` and ``version``.

        Raises:
            UnknownEventType: if the event's type is not in this codec's registry.
        """
        cls = type(event)
        fn = self._unstructure.get(cls)
        if fn is None:
            if self.registry.lookup(getattr(cls, "TYPE", "")) is not cls:
                raise UnknownEventType(
                    f"event class {cls.__qualname__} ({cls.TYPE!r}) is not the class this "
                    "codec registered under that name",
                    type=cls.TYPE,
                )
            fn = self._unstructure[cls] = self._converter.get_unstructure_hook(cls)
        data = fn(event)
        data["type"] = cls.TYPE
        data["version"] = cls.VERSION
        return data

    def encode(self, event: Event) -> bytes:
        """Canonical bytes of an event: sorted keys, UTC instants with microseconds."""
        return orjson.dumps(self.to_dict(event), option=orjson.OPT_SORT_KEYS)

    def encode_keyed(self, event: Event) -> tuple[bytes, str, str]:
        """:meth:`encode`, with the event id and ``occurred_at`` as the bytes spell them.

        For backends that keep them in columns beside the payload: no second conversion.
        """
        data = self.to_dict(event)
        return (
            orjson.dumps(data, option=orjson.OPT_SORT_KEYS),
            data["event_id"],
            data["occurred_at"],
        )

    def from_dict(self, data: object, *, owned: bool = False) -> Event:
        """Build an event from a mapping made by :meth:`to_dict` (or read from JSON).

        Raises:
            UnknownEventType: for a type (or version) the registry cannot read.
            InvalidEvent: for values the event type refuses.
            DecodeError: for a mapping of the wrong shape.
        """
        if not isinstance(data, dict):
            raise DecodeError(
                f"an encoded event is a JSON object, got {type(data).__name__}",
                reason="not an object",
            )
        type_name = data.get("type")
        cls = self.registry.lookup(type_name)
        version = data.get("version")
        if type(version) is not int:
            raise DecodeError(
                f"event of type {type_name!r} has no whole-number version, got {version!r}",
                reason="bad version",
            )
        if owned:  # decode()'s own fresh mapping: strip the envelope in place
            del data["type"], data["version"]
            fields = data
        else:
            fields = {k: v for k, v in data.items() if k not in _ENVELOPE}
        if version != cls.VERSION:
            fields = self.registry.upcast(cls.TYPE, version, fields)
        fn = self._structure.get(cls)
        if fn is None:
            fn = self._structure[cls] = self._converter.get_structure_hook(cls)
        try:
            return fn(fields, cls)
        except InvalidEvent:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, cattrs.errors.CattrsError) as e:
            raise DecodeError(
                f"cannot read event of type {type_name!r}: {type(e).__name__}: {e}",
                reason=f"{type(e).__name__}: {e}",
            ) from e

    def decode(self, data: bytes | bytearray | memoryview | str) -> Event:
        """Read bytes made by :meth:`encode` back into the event.

        Raises:
            DecodeError: for bytes that are not JSON, or JSON of the wrong shape.
            UnknownEventType: for a type (or version) the registry cannot read.
            InvalidEvent: for values the event type refuses.
        """
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"not an encoded event: {e}", reason=str(e)) from e
        return self.from_dict(parsed, owned=True)
