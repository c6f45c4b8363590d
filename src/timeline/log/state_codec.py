"""Projection states to bytes and back: :class:`StateCodec`, for the snapshot stores.

A state is a frozen attrs class of tuples, numbers, text, instants, UUIDs, enums, events,
dicts and byte strings (or such a plain value). It is written as JSON through a cattrs
converter of our own over orjson, with its byte strings after the JSON; a part that packs
itself (``to_packed``/``from_packed``) is stored as its own bytes.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import typing
import uuid
from typing import Any, Final

import cattrs
import orjson
from pendulum import DateTime

from timeline.codec import Codec, uuid_from_text
from timeline.errors import DecodeError
from timeline.events import Event
from timeline.time import isoformat, parse_utc

__all__ = ["StateCodec"]


def _is_event_type(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Event)


#: JSON reads these back as they were written: a column of them is taken as it comes.
_NATIVE: Final = frozenset({int, str, float, bool, int | None, str | None, float | None})


def _column_of(tp: Any) -> Any:
    """``X`` for ``tuple[X, ...]``, else ``None``."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004  # (X, ...)
        return args[0]
    return None


def _native_column(value: Any, _: object) -> tuple[Any, ...]:
    if type(value) is not list:
        raise TypeError(f"expected a JSON array, got {type(value).__name__}")
    return tuple(value)


#: Columns of these (and of enums) repeat their values (a window's start, a claimant's name,
#: on each of its tallies): written as the distinct values and a code per row, when shorter.
_REPEATING: Final = frozenset(
    {str, str | None, DateTime, DateTime | None, dt.datetime, dt.datetime | None}
)


def _repeats(tp: Any) -> bool:
    inner = _column_of(tp)
    return inner in _REPEATING or (isinstance(inner, type) and issubclass(inner, enum.Enum))


def _write_repeating(tp: Any, converter: cattrs.Converter) -> Any:
    """The writer of a column of ``tp``: ``{"values": [...], "codes": [...]}`` or a list."""
    hook = converter.get_unstructure_hook(_column_of(tp))

    def write(column: tuple[Any, ...]) -> list[Any] | dict[str, list[Any]]:
        distinct: dict[Any, int] = {}
        codes = [distinct.setdefault(v, len(distinct)) for v in column]
        if 2 * len(distinct) > len(codes):  # mostly distinct: the plain list is shorter
            return [hook(v) for v in column]
        return {"values": [hook(v) for v in distinct], "codes": codes}

    return write


def _dictionary(read: Any) -> Any:
    """A column reader that also takes the ``{"values", "codes"}`` form, reading each value once."""

    def read_column(value: Any, tp: Any) -> tuple[Any, ...]:
        if type(value) is not dict:
            return read(value, tp)  # type: ignore[no-any-return]  # the plain reader's column
        if value.keys() != {"values", "codes"} or type(value["codes"]) is not list:
            raise TypeError(f"expected a column's values and codes, got keys {sorted(value)}")
        values: tuple[Any, ...] = read(value["values"], tp)
        codes: list[Any] = value["codes"]
        # A code that is not a whole number fails to index the values (TypeError).
        if codes and (min(codes) < 0 or max(codes) >= len(values)):
            raise ValueError(f"a column's codes must be 0 to {len(values) - 1}")
        return tuple(map(values.__getitem__, codes))

    return read_column


def _enum_column(value: Any, tp: Any) -> tuple[Any, ...]:
    if type(value) is not list:
        raise TypeError(f"expected a JSON array, got {type(value).__name__}")
    return tuple(map(_column_of(tp), value))


#: Starts the bytes of a state that holds byte strings: then an 8-byte little-endian length,
#: that many bytes of JSON, and the byte strings (JSON never starts with a NUL).
_WITH_BLOBS: Final = b"\x00timeline-state-blobs\x00"


def _packs_itself(tp: Any) -> bool:
    """Whether ``tp`` writes its own bytes (``to_packed``) and reads them (``from_packed``)."""
    return (
        isinstance(tp, type)
        and callable(getattr(tp, "from_packed", None))
        and callable(getattr(tp, "to_packed", None))
    )


def _read_blob(value: Any, area: memoryview | None) -> bytes:
    """The byte string a state's JSON refers to as ``[offset, length]`` in ``area``."""
    return bytes(_blob_view(value, area))


def _blob_view(value: Any, area: memoryview | None) -> memoryview:
    """A view of the byte string a state's JSON refers to as ``[offset, length]`` in ``area``."""
    if area is None:
        raise TypeError("a byte string in a state without byte strings")
    if type(value) is not list or len(value) != 2 or any(type(x) is not int for x in value):  # noqa: PLR2004  # [offset, length]
        raise TypeError(f"expected [offset, length] of a byte string, got {value!r}")
    start, size = value
    if start < 0 or size < 0 or start + size > len(area):
        raise ValueError(f"byte string [{start}, {size}] is outside the {len(area)} stored")
    return area[start : start + size]


def _make_converter(codec: Codec, blobs: contextvars.ContextVar[memoryview]) -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=False)
    # Columns of numbers and text (a state's tallies) come back from JSON as they were
    # written: no need to look at each value. Columns of instants and ids are read in one go.
    converter.register_structure_hook_func(
        lambda t: _column_of(t) in _NATIVE, _dictionary(_native_column)
    )
    converter.register_unstructure_hook_factory(_repeats, _write_repeating)
    converter.register_structure_hook_func(
        lambda t: isinstance(_column_of(t), type) and issubclass(_column_of(t), enum.Enum),
        _dictionary(_enum_column),
    )
    # Byte strings (packed columns) are stored after the JSON, which gives their place.
    converter.register_unstructure_hook(bytes, bytes)
    converter.register_structure_hook(bytes, lambda v, _: _read_blob(v, blobs.get(None)))
    # A part that packs itself (Escalation's tallies) is stored as its bytes, and read back
    # from a view of them (no copy: it may keep the view, to read its columns when asked).
    converter.register_unstructure_hook_func(_packs_itself, lambda v: v.to_packed())
    converter.register_structure_hook_func(
        _packs_itself, lambda v, tp: tp.from_packed(_blob_view(v, blobs.get(None)))
    )

    def read_instants(value: Any, _: object) -> tuple[Any, ...]:
        # A column repeats its instants (the tallies of one window share its start): each
        # distinct text is parsed once.
        parsed: dict[str, DateTime] = {}
        out: list[DateTime | None] = []
        add = out.append
        for v in value:
            if v is None:
                add(None)
                continue
            at = parsed.get(v)
            if at is None:
                at = parsed[v] = parse_utc(v, field="state")
            add(at)
        return tuple(out)

    instants = {DateTime, dt.datetime, DateTime | None, dt.datetime | None}
    converter.register_structure_hook_func(
        lambda t: _column_of(t) in instants, _dictionary(read_instants)
    )
    for instant in (DateTime, dt.datetime):
        converter.register_unstructure_hook(instant, isoformat)
        converter.register_structure_hook(instant, lambda v, _: parse_utc(v, field="state"))
    converter.register_unstructure_hook(uuid.UUID, str)
    read_uuid = uuid_from_text
    converter.register_structure_hook(uuid.UUID, lambda v, _: read_uuid(v))
    converter.register_structure_hook_func(
        lambda t: t == tuple[uuid.UUID, ...], lambda v, _: tuple([read_uuid(x) for x in v])
    )
    # Events inside a state (a chronology's) are written by the log's codec, type tag and all,
    # so any event type reads back as itself.
    converter.register_unstructure_hook_func(_is_event_type, codec.to_dict)
    converter.register_structure_hook_func(_is_event_type, lambda v, _: codec.from_dict(v))
    return converter


class StateCodec:
    """Projection states to bytes and back: a cattrs converter of our own, over orjson.

    States are frozen attrs classes of tuples, numbers, text, instants (written as UTC
    ISO-8601 text and read back as pendulum ``DateTime``), UUIDs (as text), enums (by value),
    events (through the log's codec), dicts, ``None``, byte strings; or such plain values.
    Byte strings (packed columns, such as :class:`~timeline.projections.Escalation`'s event
    ids) are not written into the JSON but after it, as they are, so packed ids read back
    without being parsed one by one. A part whose class packs itself (a
    ``to_packed()`` method and a ``from_packed(data)`` class method, as Escalation's
    :class:`~timeline.projections.escalation.Tallies` has) is stored as such a byte string,
    and given back a view of it, which it may keep to read its columns when asked.

    The type to read back is the projection's ``state_type`` if it declares one, else the
    type of its ``initial()`` state (see :func:`state_type_of`): a state whose type does not
    say what it holds (a bare ``tuple`` of events) needs ``state_type``
    (``tuple[Event, ...]``).

    Args:
        codec: writes the events inside states; the default knows every declared type.

    >>> import attrs, pendulum
    >>> @attrs.frozen
    ... class Last:
    ...     at: DateTime | None = None
    ...     count: int = 0
    >>> codec = StateCodec()
    >>> data = codec.dumps(Last(pendulum.datetime(2025, 6, 1, 22), 3), Last)
    >>> data
    b'{"at":"2025-06-01T22:00:00.000000+00:00","count":3}'
    >>> codec.loads(data, Last)
    Last(at=DateTime(2025, 6, 1, 22, 0, 0, tzinfo=Timezone('UTC')), count=3)
    >>> @attrs.frozen
    ... class Packed:
    ...     ids: bytes = b""
    >>> data = codec.dumps(Packed(b"ab"), Packed)
    >>> data.endswith(b'{"ids":[0,2]}ab'), codec.loads(data, Packed)
    (True, Packed(ids=b'ab'))
    """

    def __init__(self, codec: Codec | None = None) -> None:
        self.codec = codec if codec is not None else Codec()
        # The stored byte strings of the state being read, for the converter's bytes hook.
        self._blobs: contextvars.ContextVar[memoryview] = contextvars.ContextVar("blobs")
        self._converter = _make_converter(self.codec, self._blobs)

    def dumps(self, state: Any, state_type: Any) -> bytes:
        """The state's bytes.

        Raises:
            DecodeError: if the state holds something that cannot be written.
        """
        blobs: list[bytes] = []
        size = 0

        def put(value: object) -> list[int]:
            nonlocal size
            if type(value) is not bytes:
                raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
            blobs.append(value)
            size += len(value)
            return [size - len(value), len(value)]

        try:
            data = self._converter.unstructure(state, unstructure_as=state_type)
            text = orjson.dumps(data, default=put, option=orjson.OPT_NON_STR_KEYS)
        except (TypeError, ValueError, cattrs.errors.CattrsError) as e:
            raise DecodeError(
                f"cannot write a state of type {state_type!r}: {type(e).__name__}: {e}",
                reason=f"{type(e).__name__}: {e}",
            ) from e
        if not blobs:
            return text
        return b"".join((_WITH_BLOBS, len(text).to_bytes(8, "little"), text, *blobs))

    def loads(self, data: bytes, state_type: Any) -> Any:
        """The state written as ``data``, as ``state_type``.

        Raises:
            DecodeError: if the bytes are not a state of that type (a state type that changed
                without a new projection version, or damaged bytes).
        """
        area = None
        if data[: len(_WITH_BLOBS)] == _WITH_BLOBS:
            start = len(_WITH_BLOBS) + 8
            end = start + int.from_bytes(data[start - 8 : start], "little")
            data, area = data[start:end], memoryview(data)[end:]
        token = None if area is None else self._blobs.set(area)
        try:
            return self._converter.structure(orjson.loads(data), state_type)
        except (
            TypeError,
            ValueError,
            KeyError,
            AttributeError,
            cattrs.errors.CattrsError,
        ) as e:
            raise DecodeError(
                f"cannot read a state of type {state_type!r}: {type(e).__name__}: {e}",
                reason=f"{type(e).__name__}: {e}",
            ) from e
        finally:
            if token is not None:
                self._blobs.reset(token)

    def check(self, state: Any, state_type: Any) -> bytes:
        """The state's bytes, once they are known to read back equal to it.

        Raises:
            DecodeError: if they do not: the state's type does not say what it holds.
        """
        data = self.dumps(state, state_type)
        if self.loads(data, state_type) != state:
            raise DecodeError(
                f"a state of type {state_type!r} does not read back equal to itself, so it "
                "cannot be snapshotted faithfully; give the projection a state_type that "
                "names what the state holds (e.g. tuple[Event, ...])",
                reason="state does not round-trip",
            )
        return data
