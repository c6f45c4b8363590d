"""Events to canonical bytes and back.

One :class:`Codec` turns an event into canonical JSON bytes (sorted keys, UTC ISO-8601
instants with microseconds, ids as text) and back. The bytes are what the log hashes, so the
same event always gives the same bytes. The codec dispatches once, on the ``"type"`` tag,
through its own :class:`Registry`: there is no global converter, and an unregistered type is
an :class:`~timeline.errors.UnknownEventType` on encode and on decode alike (never a fallback
to ``__dict__`` or pickle).

Old payloads are read through upcasters keyed by ``(type, version)``, which rewrite the
payload's mapping one version at a time; the stored bytes are never rewritten. A field whose
metadata marks it ``OMIT_NONE`` (``Event.zone``) is left out of the bytes when it is ``None``
and read as ``None`` when absent: events written before it existed keep their bytes and
hashes, and read back unchanged, with no new version (see ``docs/time.md``).

A log reads its own records back through :class:`TrustedDecoder`, which builds events
without validating them again (generated builders, in the private ``_builders`` module,
checked against the validated :meth:`Codec.decode` by ``tests/test_codec_trusted.py``).
Ids are read by :func:`uuid_from_text`.

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

from collections.abc import Callable, Iterable
from typing import Any, Final

import cattrs
import orjson

from timeline.codec._builders import Builder, Builders
from timeline.codec._converter import depth_exceeds as _depth_exceeds
from timeline.codec._converter import free_form, make_converter, misfit, omitted_when_none
from timeline.codec._uuid import uuid_from_text
from timeline.errors import DecodeError, InvalidEvent, UnknownEventType
from timeline.events import Event
from timeline.events.fields import MAX_DEPTH, shown, unencodable
from timeline.events.registry import DECLARED, ENVELOPE, Registry, Upcaster

__all__ = [
    "MAX_DEPTH",
    "MAX_EVENT_BYTES",
    "MAX_JSON_DEPTH",
    "Codec",
    "Registry",
    "TrustedDecoder",
    "Upcaster",
    "default_registry",
    "uuid_from_text",
]

#: The largest encoded event, in bytes (1 MiB). Events are reports, not documents: a larger
#: one is a mistake (a whole file pasted into a text field) or hostile input. Encoding a
#: larger event raises :class:`~timeline.errors.InvalidEvent`; decoding larger bytes raises
#: :class:`~timeline.errors.DecodeError`. Checked on the encoded bytes: it costs a ``len``.
MAX_EVENT_BYTES: Final = 1 << 20

#: The deepest nesting of arrays and objects in JSON text read from outside, where the library
#: parses the text itself to keep line numbers: the input of ``timeline append`` and a
#: batch file read element by element once it is found damaged. Deeper text is refused
#: before any event is read from it (a :class:`~timeline.errors.DecodeError`, or an import
#: problem). No event comes near it: a free-form value nests at most :data:`MAX_DEPTH`
#: levels, every other field as its type says. Text parsed by orjson (a log's own lines,
#: a whole well-formed batch) is refused by orjson beyond 1024 levels; whatever it reads is
#: then held to :data:`MAX_DEPTH` and to the fields' types.
MAX_JSON_DEPTH: Final = 256

#: Marks a type tag a :class:`TrustedDecoder` has not looked up yet.
_UNSEEN: Final[Any] = object()


def default_registry(extra: Iterable[type[Event]] = ()) -> Registry:
    """A new registry: a copy of :data:`~timeline.events.registry.DECLARED`, plus ``extra``.

    ``DECLARED`` holds the catalog and every type declared with ``@event_type`` so far (the
    newest version of each), with any upcaster added to it. The copy is taken now: types
    declared later are not in it, and what is added to it stays out of ``DECLARED``.
    """
    registry = DECLARED.copy()
    for cls in extra:
        registry.register(cls)
    return registry


def _check_nesting(cls: type[Event], free: tuple[str, ...], fields: dict[str, Any]) -> None:
    """Refuse free-form values nested deeper than :data:`MAX_DEPTH` (a DecodeError)."""
    for name in free:
        if _depth_exceeds(fields.get(name), MAX_DEPTH):
            raise DecodeError(
                f"event of type {cls.TYPE!r}: field {name!r} nests arrays and objects "
                f"more than {MAX_DEPTH} levels deep",
                reason="nested too deep",
            )


class Codec:
    """Encode events to canonical bytes and decode them back, through one registry.

    Args:
        registry: the event types to know; :func:`default_registry` if not given.
    """

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = registry if registry is not None else default_registry()
        self._converter = make_converter()
        self._unstructure: dict[type[Event], Callable[[Any], dict[str, Any]]] = {}
        self._structure: dict[type[Event], Callable[[Any, type[Event]], Event]] = {}
        self._free: dict[type[Event], tuple[str, ...]] = {}  # see _free_form
        self._omit: dict[type[Event], tuple[str, ...]] = {}  # see omitted_when_none

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
            self._free.setdefault(cls, free_form(cls))
            self._omit[cls] = omitted_when_none(cls)
        data = fn(event)
        for name in self._omit[cls]:  # zone: left out when None, as before it existed
            if data[name] is None:
                del data[name]
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
                or holding a value JSON cannot carry (an integer beyond 64 bits; text with
                an unpaired surrogate, named by its path: ``field="actors[1]"``).
        """
        return self._encoded(self.to_dict(event), event)

    def encode_keyed(self, event: Event) -> tuple[bytes, str, str]:
        """:meth:`encode`, with the event id and ``occurred_at`` as the bytes spell them.

        For backends that keep them in columns beside the payload: no second conversion.
        """
        data = self.to_dict(event)
        return (
            self._encoded(data, event),
            data["event_id"],
            data["occurred_at"],
        )

    @staticmethod
    def _encoded(data: dict[str, Any], event: Event) -> bytes:
        """The canonical bytes of a mapping made by :meth:`to_dict`, within the size limit."""
        try:
            encoded = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError as e:  # an integer beyond 64 bits, a lone surrogate
            found = unencodable(data)
            if found is not None:
                path, text = found
                raise InvalidEvent(
                    f"{type(event).__name__}.{path} must be text without unpaired surrogates "
                    f"(UTF-8 cannot store them), got {shown(text)}",
                    field=path,
                    value=text,
                    event_id=event.event_id,
                ) from e
            raise InvalidEvent(
                f"{data['type']} cannot be encoded as JSON: {e}",
                field="event",
                value=str(e),
                event_id=event.event_id,
            ) from e
        if len(encoded) > MAX_EVENT_BYTES:
            raise InvalidEvent(
                f"{data['type']} encodes to {len(encoded)} bytes, over the limit of "
                f"{MAX_EVENT_BYTES} (MAX_EVENT_BYTES)",
                field="event",
                value=len(encoded),
                event_id=event.event_id,
            )
        return encoded

    def from_dict(self, data: object, *, owned: bool = False) -> Event:
        """Build an event from a mapping made by :meth:`to_dict` (or read from JSON).

        This is the checked way in for untrusted JSON: each value must be of the JSON type
        its field's type names, and nothing is coerced. A boolean is ``true`` or ``false``
        (never ``"false"``, ``0`` or ``null``); an integer a JSON integer, or a float
        without a fraction up to 2**53 (``12.0`` is read as 12; ``307.9`` and ``"12"`` are
        refused, never truncated or parsed); a number an integer or a float; text, ids,
        instants and precisions a string; a list an array; a part (a source, a location, a
        count) or a free-form value an object; ``null`` only where the field is optional.
        See ``docs/decisions.md``.

        Raises:
            UnknownEventType: for a type (or version) the registry cannot read.
            InvalidEvent: for values the event type refuses, and for a value of the wrong
                JSON type: ``field`` is its path (``"equipment[2].count"``), ``value`` the
                value.
            DecodeError: for a mapping of the wrong shape (a field missing or unknown).
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
            fields = {k: v for k, v in data.items() if k not in ENVELOPE}
        free = self._free.get(cls)
        if free is None:
            free = self._free[cls] = free_form(cls)
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
            raise self._unreadable(cls, fields, e) from e

    def _unreadable(
        self, cls: type[Event], fields: dict[str, Any], error: Exception
    ) -> InvalidEvent | DecodeError:
        """What :meth:`from_dict` raises for an error structuring ``fields`` as ``cls``.

        A value of the wrong JSON type is an :class:`InvalidEvent` naming its field (found
        now, on this rare path); a field missing or unknown is a :class:`DecodeError`.
        """
        if not isinstance(error, cattrs.errors.ForbiddenExtraKeysError):
            wrong = misfit(self._converter, cls, fields)
            if wrong is not None:
                return wrong
        return DecodeError(
            f"cannot read event of type {cls.TYPE!r}: {type(error).__name__}: {error}",
            reason=f"{type(error).__name__}: {error}",
        )

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


class TrustedDecoder:
    """Builds events from payloads this library wrote, without running the validators again.

    A log's own records were validated when they were appended, and stored as canonical
    bytes; reading them back through the event constructors checks every value a second
    time, which is most of what a replay costs. For each registered type, the catalog's and
    users' own alike (and the parts inside: sources, locations, counts), this uses a
    generated builder that converts each field from its JSON form as the codec does (ids,
    instants, precisions, tuples, nested parts) and sets it without calling the validators:
    it evaluates, inline, the guard each validator declares (``events.fields.Guard``) and the
    class's ``__attrs_post_init__``, so it never builds an event the validators would refuse
    (a stored record forged and re-hashed included). Equal instants are parsed once.

    It is only for a log's own stored records (see ``docs/decisions.md``): never for
    imports or bytes from elsewhere. Whatever it cannot build the trusted way (another
    version, a field type it has no builder for, a payload of the wrong shape, a value a
    guard refuses) it hands to the validated :meth:`Codec.decode`, which gives the same
    event or the error.

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
        self._builders = Builders()
        self._by_tag: dict[tuple[object, object], Builder | None] = {}

    def decode(self, data: bytes | bytearray | memoryview | str) -> Event:
        """The event stored as ``data`` (bytes this library's codec wrote).

        Raises:
            DecodeError, UnknownEventType, InvalidEvent: as :meth:`Codec.decode` does, for
                payloads the trusted builders cannot read.
        """
        try:
            parsed = orjson.loads(data)
            build = self._by_tag.get((parsed["type"], parsed["version"]), _UNSEEN)
            if build is _UNSEEN:
                build = self.builder(parsed["type"], parsed["version"])
            if build is not None:
                return build(parsed)  # type: ignore[no-any-return]  # an event of that type
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidEvent):
            pass  # not a payload the trusted way can read: the validated way says why
        return self.codec.decode(data)

    def builder(self, tag: object, version: object) -> Builder | None:
        """The trusted builder of payloads with this type tag and version, or ``None``.

        A builder takes the parsed payload mapping and returns the event, or raises (a
        payload of the wrong shape, a value a guard refuses); ``None`` where the type is not
        registered, is of another version, or has no builder. For a caller that parses
        payloads itself (a log decoding a page of records in one loop), which on any failure
        decodes the validated way, as :meth:`decode` does.
        """
        if (tag, version) in self._by_tag:
            return self._by_tag[(tag, version)]
        cls = self.codec.registry.get(tag)
        build: Builder | None = None
        if cls is not None and version == cls.VERSION:
            build = self._builders.event_builder(cls)
        if len(self._by_tag) < 1024:  # noqa: PLR2004  # bounded: tags come from the data
            self._by_tag[(tag, version)] = build
        return build
