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
from typing import Any, Final

import attrs
import cattrs
import orjson
from cattrs.fns import identity
from pendulum import DateTime

from timeline.errors import DecodeError, InvalidEvent, UnknownEventType
from timeline.events import Event, declared_types
from timeline.events.fields import MAX_DEPTH
from timeline.time import isoformat, parse_utc

__all__ = [
    "MAX_DEPTH",
    "MAX_EVENT_BYTES",
    "Codec",
    "Registry",
    "TrustedDecoder",
    "Upcaster",
    "default_registry",
]

#: Rewrites one version's payload mapping into the next version's.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

_ENVELOPE = frozenset({"type", "version"})

#: The largest encoded event, in bytes (1 MiB). Events are reports, not documents: a larger
#: one is a mistake (a whole file pasted into a text field) or hostile input. Encoding a
#: larger event raises :class:`~timeline.errors.InvalidEvent`; decoding larger bytes raises
#: :class:`~timeline.errors.DecodeError`. Checked on the encoded bytes: it costs a ``len``.
MAX_EVENT_BYTES: Final = 1 << 20


_SCALARS: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def _depth_exceeds(value: object, limit: int) -> bool:
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


def _free_form(cls: type[Event]) -> tuple[str, ...]:
    """The fields of ``cls`` whose values are free-form JSON, whose nesting is checked."""
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):  # annotations that do not resolve: judge by attrs' types
        hints = {a.name: a.type for a in attrs.fields(cls)}
    return tuple(a.name for a in attrs.fields(cls) if _unbounded(hints.get(a.name, Any)))


def _check_nesting(cls: type[Event], free: tuple[str, ...], fields: dict[str, Any]) -> None:
    """Refuse free-form values nested deeper than :data:`MAX_DEPTH` (a DecodeError)."""
    for name in free:
        if _depth_exceeds(fields.get(name), MAX_DEPTH):
            raise DecodeError(
                f"event of type {cls.TYPE!r}: field {name!r} nests arrays and objects "
                f"more than {MAX_DEPTH} levels deep",
                reason="nested too deep",
            )


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
        """Bring a payload of ``version`` up to the registered class's version.

        Raises:
            UnknownEventType: for a version newer than the class's, or one with no upcaster
                on the way (naming the type and the versions).
            DecodeError: if an upcaster fails, or returns no mapping.
        """
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
            try:
                payload = step(payload)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
                raise DecodeError(
                    f"the upcaster for {type_name!r} from version {version} failed: "
                    f"{type(e).__name__}: {e}",
                    reason=f"upcaster from version {version}: {type(e).__name__}: {e}",
                ) from e
            if not isinstance(payload, dict):
                raise DecodeError(
                    f"the upcaster for {type_name!r} from version {version} returned "
                    f"{type(payload).__name__}, not a mapping of fields",
                    reason=f"upcaster from version {version} returned no mapping",
                )
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
        self._free: dict[type[Event], tuple[str, ...]] = {}  # see _free_form

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
            self._free.setdefault(cls, _free_form(cls))
        data = fn(event)
        for name in self._free[cls]:  # empty for every catalog type but Correction
            if _depth_exceeds(data[name], MAX_DEPTH):
                raise InvalidEvent(
                    f"{cls.TYPE} field {name!r} nests arrays and objects more than "
                    f"{MAX_DEPTH} levels deep (the limit for free-form values)",
                    field=name,
                    value=data[name],
                )
        data["type"] = cls.TYPE
        data["version"] = cls.VERSION
        return data

    def encode(self, event: Event) -> bytes:
        """Canonical bytes of an event: sorted keys, UTC instants with microseconds.

        Raises:
            UnknownEventType: if the event's type is not in this codec's registry.
            InvalidEvent: for an event over :data:`MAX_EVENT_BYTES` or :data:`MAX_DEPTH`,
                or holding a value JSON cannot carry (an integer beyond 64 bits).
        """
        return self._encoded(self.to_dict(event))

    def encode_keyed(self, event: Event) -> tuple[bytes, str, str]:
        """:meth:`encode`, with the event id and ``occurred_at`` as the bytes spell them.

        For backends that keep them in columns beside the payload: no second conversion.
        """
        data = self.to_dict(event)
        return (
            self._encoded(data),
            data["event_id"],
            data["occurred_at"],
        )

    @staticmethod
    def _encoded(data: dict[str, Any]) -> bytes:
        """The canonical bytes of a mapping made by :meth:`to_dict`, within the size limit."""
        try:
            encoded = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError as e:  # an integer beyond 64 bits, say
            raise InvalidEvent(
                f"{data['type']} cannot be encoded as JSON: {e}", field="event", value=str(e)
            ) from e
        if len(encoded) > MAX_EVENT_BYTES:
            raise InvalidEvent(
                f"{data['type']} encodes to {len(encoded)} bytes, over the limit of "
                f"{MAX_EVENT_BYTES} (MAX_EVENT_BYTES)",
                field="event",
                value=len(encoded),
            )
        return encoded

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
        free = self._free.get(cls)
        if free is None:
            free = self._free[cls] = _free_form(cls)
        if free:  # only types with free-form values (Correction) are walked
            _check_nesting(cls, free, fields)
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
            size = len(data)
        except TypeError:  # not bytes or text at all: orjson says so below
            size = 0
        if size > MAX_EVENT_BYTES:
            raise DecodeError(
                f"an encoded event is at most {MAX_EVENT_BYTES} bytes, got {size}",
                reason="too large",
            )
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise DecodeError(f"not an encoded event: {e}", reason=str(e)) from e
        return self.from_dict(parsed, owned=True)


# -- trusted decoding -----------------------------------------------------------------------------

#: How many distinct instants a :class:`TrustedDecoder` keeps parsed (then it starts afresh).
_INSTANT_CACHE = 4096

_new = object.__new__
_set = object.__setattr__
_SAFE_UNKNOWN = uuid.SafeUUID.unknown


def _uuid_from_canonical(text: str) -> uuid.UUID:
    """``uuid.UUID(text)`` for the 36-character canonical form, in about a third of the time.

    ``UUID.__init__`` is slow Python; this fills the two slots it would fill. Other forms go
    through the public constructor.
    """
    if len(text) != 36:  # noqa: PLR2004  # 8-4-4-4-12, as the codec writes ids
        return uuid.UUID(text)
    made = _new(uuid.UUID)
    _set(made, "int", int(text.replace("-", ""), 16))
    _set(made, "is_safe", _SAFE_UNKNOWN)
    return made


def _quick_uuids_agree() -> bool:
    """Whether :func:`_uuid_from_canonical` makes UUIDs equal to the standard ones here."""
    sample = uuid.UUID("01972f6e-0000-7000-8000-00000000abcd")
    try:
        made = _uuid_from_canonical(str(sample))
    except (AttributeError, TypeError):  # the slots changed
        return False
    return made == sample and hash(made) == hash(sample) and str(made) == str(sample)


_read_uuid: Callable[[str], uuid.UUID] = _uuid_from_canonical if _quick_uuids_agree() else uuid.UUID

#: Marks a field whose JSON value is the value itself.
_AS_IS: Any = object()

#: Where the trusted classes are defined: the catalog, whose validators, converters and
#: ``__attrs_post_init__`` checks only refuse (they never change a canonical value), as
#: ``tests/test_codec_trusted.py`` checks for every type.
_CATALOG = "timeline.events."


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None] | None:
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if isinstance(found, types.MemberDescriptorType):
            return found.__set__
    return None


class TrustedDecoder:
    """Builds events from payloads this library wrote, without running the validators again.

    A log's own records were validated when they were appended, and stored as canonical
    bytes; reading them back through the event constructors checks every value a second
    time, which is most of what a replay costs. For each catalog type (and the parts inside:
    sources, locations, counts) this generates a builder that converts each field from its
    JSON form as the codec does (ids, instants, precisions, tuples, nested parts) and sets
    it, skipping the validators and ``__attrs_post_init__`` checks. Equal instants are
    parsed once.

    It is only for a log's own stored records (see ``docs/decisions.md``): never for
    imports or bytes from elsewhere. Whatever it cannot build the trusted way (a type from
    outside the catalog, another version, a payload of the wrong shape) it hands to the
    validated :meth:`Codec.decode`, which gives the same event or the error.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> codec = Codec()
    >>> night = DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1, 22), launched=472)
    >>> data = codec.encode(night)
    >>> trusted = TrustedDecoder(codec).decode(data)
    >>> trusted == night == codec.decode(data), codec.encode(trusted) == data
    (True, True)
    """

    def __init__(self, codec: Codec) -> None:
        self.codec = codec
        self._instants: dict[str, DateTime] = {}
        # Field types read by one function (a correction's changes are JSON, kept as read).
        self._direct: dict[Any, Callable[[Any], Any]] = {
            uuid.UUID: _read_uuid,
            DateTime: self._instant,
            dict[str, Any]: dict,
        }
        # By class, or (class, "envelope") for an event's own payload (with type and version).
        self._builders: dict[object, Callable[[dict[str, Any]], Any] | None] = {}
        self._by_tag: dict[tuple[object, object], Callable[[dict[str, Any]], Any] | None] = {}

    def decode(self, data: bytes | bytearray | memoryview | str) -> Event:
        """The event stored as ``data`` (bytes this library's codec wrote).

        Raises:
            DecodeError, UnknownEventType, InvalidEvent: as :meth:`Codec.decode` does, for
                payloads the trusted builders cannot read.
        """
        try:
            parsed = orjson.loads(data)
            build = self._by_tag.get((parsed["type"], parsed["version"]), _AS_IS)
            if build is _AS_IS:
                build = self._for_tag(parsed["type"], parsed["version"])
            if build is not None:
                return build(parsed)  # type: ignore[no-any-return]  # an event of that type
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidEvent):
            pass  # not a payload the trusted way can read: the validated way says why
        return self.codec.decode(data)

    def _for_tag(self, tag: object, version: object) -> Callable[[dict[str, Any]], Any] | None:
        build = None
        if tag in self.codec.registry:
            cls = self.codec.registry.lookup(tag)
            if version == cls.VERSION:
                build = self._builder(cls, envelope=True)
        if len(self._by_tag) < 1024:  # noqa: PLR2004  # bounded: tags come from the data
            self._by_tag[(tag, version)] = build
        return build

    def _instant(self, text: str) -> DateTime:
        at = self._instants.get(text)
        if at is None:
            if len(self._instants) >= _INSTANT_CACHE:
                self._instants.clear()
            at = self._instants[text] = parse_utc(text)
        return at

    def _convert(self, tp: Any) -> Any:
        """How to read a field of type ``tp``: a function, ``_AS_IS``, or ``None`` (cannot)."""
        if tp in _PLAIN:
            return _AS_IS
        direct = self._direct.get(tp)
        if direct is not None:
            return direct
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {member.value: member for member in tp}.__getitem__
        if isinstance(tp, type) and attrs.has(tp):
            return self._builder(tp, envelope=False)
        return self._convert_generic(tp)

    def _convert_generic(self, tp: Any) -> Any:
        """:meth:`_convert` for ``X | None`` and ``tuple[X, ...]``."""
        inner = _optional_of(tp)
        if inner is not None:
            convert = self._convert(inner)
            if convert is None or convert is _AS_IS:
                return convert
            return lambda value: None if value is None else convert(value)
        inner = _tuple_of(tp)
        if inner is not None:
            convert = self._convert(inner)
            if convert is None:
                return None
            if convert is _AS_IS:
                return tuple
            return lambda values: tuple([convert(value) for value in values])
        return None

    def _builder(self, cls: type, *, envelope: bool) -> Callable[[dict[str, Any]], Any] | None:
        """A builder for an attrs class of the catalog, or ``None`` where it cannot be made."""
        key: object = (cls, "envelope") if envelope else cls
        if key in self._builders:
            return self._builders[key]
        self._builders[key] = None  # while it is made: a class inside itself is not built
        build = self._make_builder(cls, envelope=envelope)
        self._builders[key] = build
        return build

    def _make_builder(  # one generated function per class
        self, cls: type, *, envelope: bool
    ) -> Callable[[dict[str, Any]], Any] | None:
        if not cls.__module__.startswith(_CATALOG) or hasattr(cls, "__attrs_pre_init__"):
            return None
        if any(
            "__attrs_post_init__" in vars(k) and not k.__module__.startswith(_CATALOG)
            for k in cls.__mro__
        ):
            return None
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        namespace: dict[str, Any] = {"new": _new, "cls": cls}
        size = len(fields) + (len(_ENVELOPE) if envelope else 0)
        lines = [
            "def build(d):",
            f"    if len(d) != {size}:",
            "        raise KeyError('fields')",
            "    o = new(cls)",
        ]
        for i, field in enumerate(fields):
            convert = self._convert(hints[field.name])
            setter = _slot_setter(cls, field.name)
            if not field.init or convert is None or setter is None:
                return None
            namespace[f"s{i}"] = setter
            value = f"d[{field.name!r}]"
            if convert is not _AS_IS:
                namespace[f"c{i}"] = convert
                value = f"c{i}({value})"
            lines.append(f"    s{i}(o, {value})")
        lines.append("    return o")
        exec("\n".join(lines), namespace)  # noqa: S102  # generated from attrs fields only
        build: Callable[[dict[str, Any]], Any] = namespace["build"]
        return build
