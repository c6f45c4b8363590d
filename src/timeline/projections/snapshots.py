"""Snapshots: a projection's state kept at a point of the log, so replay folds only the rest.

A :class:`Snapshot` is what ``replay(log, projection, as_of=a)`` gave over the first
``position`` records of the log: the state, under the projection's ``name`` and ``version``,
with the valid-time cut ``as_of`` and the transaction-time cut (the ``position`` and its
``recorded_at``, ``known_at``). :func:`replay` with ``snapshots=store`` starts from the best
snapshot that is *valid* for the question asked and folds only the *tail*: the events whose
(corrected) ``occurred_at`` is after the snapshot's ``as_of`` and at or before the replay's.

A snapshot is valid for a replay cutting the log at position ``P`` (its ``known_at``) when
it has the same name and version, its ``as_of`` is at or before the replay's, its position
is at or before ``P`` (and the log still holds the records it was taken on: the hash of its
last record is checked), and no record between its position and ``P`` changes what it holds:

- no *late arrival*: an event recorded after the snapshot whose (corrected) ``occurred_at``
  is at or before the snapshot's ``as_of``;
- no *correction or retraction* (or retraction of one) recorded after the snapshot that
  changes an event that is, before or after the change, at or before the snapshot's
  ``as_of``: it changes the prefix the snapshot folded, or moves an event across its cut
  either way.

Otherwise an older snapshot is tried, and in the end a full replay: a snapshot never
changes an answer, it only saves work. Checking costs a read of the records after the
snapshot whose stored ``occurred_at`` is at or before its ``as_of`` (an index range), and
one look-up per event that the meta events after it touch.

Stores: :class:`SQLiteSnapshotStore` keeps snapshots in a table of the log's own SQLite
database (or of a sidecar file beside a JSON-lines log); :class:`MemorySnapshotStore` keeps
them in memory. :func:`snapshot_store` gives the fitting one for a log. States are
serialised by :class:`StateCodec`: a cattrs converter of our own over orjson.
"""

from __future__ import annotations

import abc
import bisect
import collections
import contextlib
import contextvars
import datetime as dt
import enum
import itertools
import operator
import sqlite3
import threading
import typing
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Protocol, Self, TypeVar, runtime_checkable

import attrs
import cattrs
import orjson
from pendulum import DateTime

from timeline.codec import Codec
from timeline.errors import DecodeError, InvalidEvent, TimelineError, UnknownEvent
from timeline.events import Event
from timeline.log import GENESIS, EventLog, Recorded
from timeline.log.base import Order
from timeline.log.jsonl import JsonlLog
from timeline.log.postgres import PostgresLog
from timeline.log.sqlite import SQLiteLog
from timeline.projections.base import Projection, fold
from timeline.projections.replay import META_TYPES, Resolution, resolved_records, target_of
from timeline.time import isoformat, parse_utc, to_utc

__all__ = [
    "POSTGRES_SNAPSHOT_SCHEMA",
    "SNAPSHOT_SCHEMA",
    "MemorySnapshotStore",
    "MetaCache",
    "PostgresSnapshotStore",
    "SQLiteSnapshotStore",
    "Snapshot",
    "SnapshotStore",
    "StateCodec",
    "replay_with_snapshots",
    "snapshot_store",
    "state_type_of",
    "take_snapshot",
]

S = TypeVar("S")

#: The table a :class:`SQLiteSnapshotStore` keeps its snapshots in. ``as_of`` and
#: ``known_at`` are canonical ISO text (``NULL``: no cut); ``head`` is the hash of the record
#: at ``position`` (the genesis hash for 0); ``state`` is the :class:`StateCodec` bytes.
SNAPSHOT_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS timeline_snapshots (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  as_of TEXT,
  position INTEGER NOT NULL,
  known_at TEXT,
  head TEXT NOT NULL,
  created TEXT NOT NULL,
  state BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_snapshots_key
  ON timeline_snapshots (name, version, as_of, position);
"""

#: Earlier than any instant: where a snapshot without a valid-time cut sorts.
_EARLIEST: Final = DateTime(1, 1, 1, tzinfo=dt.UTC)
#: Later than any instant: the frontier of a state whose latest event is not known.
_LATEST: Final = DateTime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC)


@attrs.frozen(kw_only=True)
class Snapshot:
    """Where a stored state stands: which projection, and where it cuts the log.

    Attributes:
        name: the projection's name.
        version: the projection's version; a snapshot of another version is never used.
        as_of: the valid-time cut (``None``: none, every event known).
        position: the last position the state knows (the transaction-time cut).
        known_at: the ``recorded_at`` of that position (``None`` for position 0).
        head: the hash of the record at ``position``, so a snapshot is only ever used on
            the log it was taken on.
        created: when it was taken (from the log's clock).
    """

    name: str
    version: int
    as_of: DateTime | None
    position: int
    known_at: DateTime | None
    head: str
    created: DateTime

    @property
    def key(self) -> tuple[str, int, DateTime | None, int]:
        """``(name, version, as_of, position)``: a store holds one snapshot per key."""
        return (self.name, self.version, self.as_of, self.position)


@runtime_checkable
class SnapshotStore(Protocol):
    """Where snapshots are kept. Any object with these four methods will do."""

    def save(self, snapshot: Snapshot, state: Any, state_type: Any) -> None:
        """Store a state, replacing any snapshot with the same :attr:`Snapshot.key`.

        Raises:
            DecodeError: if the state cannot be stored faithfully (it would not read back
                equal as ``state_type``).
        """
        ...

    def load(self, snapshot: Snapshot, state_type: Any) -> Any:
        """The state stored under the snapshot's key, as ``state_type``.

        Raises:
            KeyError: if the store no longer holds it.
            DecodeError: if the stored bytes cannot be read as ``state_type``.
        """
        ...

    def list(self, name: str, version: int | None = None) -> list[Snapshot]:
        """The snapshots of a projection (of one version, if given), by as_of then position."""
        ...

    def delete(self, snapshot: Snapshot) -> bool:
        """Forget a snapshot; whether the store held it."""
        ...


def _nearest_first(snapshot: Snapshot) -> tuple[bool, DateTime, int]:
    # Sorted in reverse: no valid-time cut at all, then the latest as_of, then the latest
    # position.
    at = _EARLIEST if snapshot.as_of is None else snapshot.as_of
    return (snapshot.as_of is None, at, snapshot.position)


def _sort_key(snapshot: Snapshot) -> tuple[int, str, int]:
    # ``None`` (no cut) sorts first, as SQLite sorts NULL.
    at = "" if snapshot.as_of is None else isoformat(snapshot.as_of)
    return (snapshot.version, at, snapshot.position)


class MetaCache:
    """The meta events of one log read so far, so that the next replay reads only new ones.

    Replay needs every correction and retraction recorded up to its cut; a log only ever
    grows, so those read once stay right. The cache remembers the position it has read to
    and that record's hash, and starts afresh if the log no longer holds that record (another
    log, or this one rewritten). Stores keep one (``store.meta_cache``), so that repeated
    replays from them decode the meta events once.
    """

    def __init__(self) -> None:
        self._records: list[Recorded] = []
        self._position = 0
        self._head = GENESIS
        self._lock = threading.Lock()

    def upto(self, log: EventLog, limit: int) -> list[Recorded]:
        """The meta events recorded up to position ``limit``, in position order."""
        with self._lock:
            if self._position and not _holds(log, self._position, self._head):
                self._records, self._position, self._head = [], 0, GENESIS
            if limit > self._position:
                record = _record_at(log, limit)
                later = log.read(after=self._position, types=META_TYPES)
                self._records.extend(itertools.takewhile(lambda r: r.position <= limit, later))
                self._position, self._head = limit, GENESIS if record is None else record.hash
            end = bisect.bisect_right(self._records, limit, key=operator.attrgetter("position"))
            return self._records[:end]


class MemorySnapshotStore:
    """Snapshots in memory: the states themselves, shared (they are immutable).

    >>> store = MemorySnapshotStore()
    >>> store.list("escalation")
    []
    """

    def __init__(self) -> None:
        self._held: dict[tuple[str, int, DateTime | None, int], tuple[Snapshot, Any]] = {}
        self._lock = threading.Lock()
        #: The meta events read so far (see :class:`MetaCache`).
        self.meta_cache = MetaCache()

    def save(self, snapshot: Snapshot, state: Any, state_type: Any) -> None:  # noqa: ARG002  # kept as is, not serialised
        """Keep the state (immutable, so it is shared, not copied)."""
        with self._lock:
            self._held[snapshot.key] = (snapshot, state)

    def load(self, snapshot: Snapshot, state_type: Any) -> Any:  # noqa: ARG002  # kept as is
        """The state kept under the snapshot's key.

        Raises:
            KeyError: if it is not kept.
        """
        with self._lock:
            return self._held[snapshot.key][1]

    def list(self, name: str, version: int | None = None) -> list[Snapshot]:
        """The snapshots of a projection, by version, as_of, then position."""
        with self._lock:
            found = [
                s
                for s, _ in self._held.values()
                if s.name == name and (version is None or s.version == version)
            ]
        return sorted(found, key=_sort_key)

    def delete(self, snapshot: Snapshot) -> bool:
        """Forget a snapshot; whether it was kept."""
        with self._lock:
            return self._held.pop(snapshot.key, None) is not None

    def __len__(self) -> int:
        return len(self._held)


# -- serialising states ------------------------------------------------------------------------


def _is_event_type(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Event)


_new = object.__new__
_set = object.__setattr__
_SAFE_UNKNOWN: Final = uuid.SafeUUID.unknown


def _uuid_quickly(text: str) -> uuid.UUID:
    """``uuid.UUID(text)`` for the canonical form, in about half the time.

    States hold one id per event folded (a million, for a million events), and
    ``UUID.__init__`` is slow Python; this fills the two slots it would fill.
    """
    if len(text) != 36:  # noqa: PLR2004  # the canonical 8-4-4-4-12 form, as states are written
        return uuid.UUID(text)
    made = _new(uuid.UUID)
    _set(made, "int", int(text.replace("-", ""), 16))
    _set(made, "is_safe", _SAFE_UNKNOWN)
    return made


def _pick_uuid_reader() -> Any:
    """The quick reader if it makes UUIDs equal to the standard ones, else the standard one."""
    sample = uuid.UUID("01972f6e-0000-7000-8000-00000000abcd")
    try:
        made = _uuid_quickly(str(sample))
        same = made == sample and hash(made) == hash(sample) and str(made) == str(sample)
    except (AttributeError, TypeError):  # the slots changed: keep to the public constructor
        same = False
    return _uuid_quickly if same else uuid.UUID


_read_uuid = _pick_uuid_reader()


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
    read_uuid = _read_uuid
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
    ids) are not written into the JSON but after it, as they are, so a state of a million
    packed ids reads back in a few milliseconds. A part whose class packs itself (a
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


def state_type_of(projection: Projection[Any]) -> Any:
    """The type a projection's states are read back as: ``state_type``, or ``initial()``'s."""
    declared = getattr(projection, "state_type", None)
    return declared if declared is not None else type(projection.initial())


# -- what the SQL stores share --------------------------------------------------------------------


def _key_columns(snapshot: Snapshot) -> tuple[Any, ...]:
    """A snapshot's key as stored: name, version, as_of (canonical text or ``None``), position."""
    as_of = None if snapshot.as_of is None else isoformat(snapshot.as_of)
    return (snapshot.name, snapshot.version, as_of, snapshot.position)


def _snapshot_of(row: tuple[Any, ...]) -> Snapshot:
    """A :class:`Snapshot` from its stored columns, in table order."""
    n, v, a, p, k, h, c = row
    return Snapshot(
        name=n,
        version=v,
        as_of=None if a is None else parse_utc(a, field="as_of"),
        position=p,
        known_at=None if k is None else parse_utc(k, field="known_at"),
        head=h,
        created=parse_utc(c, field="created"),
    )


class _TableSnapshotStore(abc.ABC):
    """What the stores that keep snapshots in a database table share.

    Each dialect's SQL is in its subclass (:meth:`_replace`, :meth:`_stored_state`,
    :meth:`_rows`, :meth:`_delete`).

    The last ``cache`` states saved or loaded are kept decoded in memory (states are
    immutable, so sharing them is safe): a session that asks several questions near one
    snapshot reads and decodes it once.
    """

    def __init__(self, codec: Codec | None, cache: int) -> None:
        self._lock = threading.RLock()
        self.states = StateCodec(codec)
        #: The meta events read so far (see :class:`MetaCache`).
        self.meta_cache = MetaCache()
        self._cache_size = cache
        self._cache: collections.OrderedDict[tuple[Any, ...], Any] = collections.OrderedDict()

    def close(self) -> None:
        """Forget the cached states."""
        with self._lock:
            self._cache.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _remember(self, snapshot: Snapshot, state: Any) -> None:
        if self._cache_size <= 0:
            return
        key = (*snapshot.key, snapshot.head)
        self._cache[key] = state
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def save(self, snapshot: Snapshot, state: Any, state_type: Any) -> None:
        """Store a state, replacing any snapshot with the same key, in one transaction.

        The state is checked to read back equal to itself before it is written.

        Raises:
            DecodeError: if it would not.
        """
        data = self.states.check(state, state_type)
        row = (
            *_key_columns(snapshot),
            None if snapshot.known_at is None else isoformat(snapshot.known_at),
            snapshot.head,
            isoformat(snapshot.created),
            data,
        )
        with self._lock:
            self._replace(snapshot, row)
            self._remember(snapshot, state)

    def load(self, snapshot: Snapshot, state_type: Any) -> Any:
        """The state stored under the snapshot's key (and head), as ``state_type``.

        Raises:
            KeyError: if the store no longer holds it.
            DecodeError: if the stored bytes cannot be read as ``state_type``.
        """
        key = (*snapshot.key, snapshot.head)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        data = self._stored_state(snapshot)
        if data is None:
            raise KeyError(snapshot.key)
        state = self.states.loads(data, state_type)
        with self._lock:
            self._remember(snapshot, state)
        return state

    def list(self, name: str, version: int | None = None) -> list[Snapshot]:
        """The snapshots of a projection (of one version, if given), by as_of then position."""
        return [_snapshot_of(row) for row in self._rows(name, version)]

    def delete(self, snapshot: Snapshot) -> bool:
        """Forget a snapshot; whether the store held it."""
        with self._lock:
            held = self._delete(snapshot)
            for key in [k for k in self._cache if k[:4] == snapshot.key]:
                del self._cache[key]
        return held

    @abc.abstractmethod
    def _replace(self, snapshot: Snapshot, row: tuple[Any, ...]) -> None:
        """Delete the snapshot with this key and insert ``row``, in one transaction."""

    @abc.abstractmethod
    def _stored_state(self, snapshot: Snapshot) -> bytes | None:
        """The stored state under the snapshot's key and head, or ``None``."""

    @abc.abstractmethod
    def _rows(self, name: str, version: int | None) -> Iterable[tuple[Any, ...]]:
        """The stored columns :func:`_snapshot_of` reads, by version, as_of, position."""

    @abc.abstractmethod
    def _delete(self, snapshot: Snapshot) -> bool:
        """Delete the snapshot with this key; whether there was one."""


# -- the SQLite store ------------------------------------------------------------------------------


_SQLITE_WHERE: Final = "name = ? AND version = ? AND as_of IS ? AND position = ?"


class SQLiteSnapshotStore(_TableSnapshotStore):
    """Snapshots in a SQLite table (:data:`SNAPSHOT_SCHEMA`), each written in one transaction.

    Given a :class:`~timeline.log.SQLiteLog`, it uses the log's own database through the
    log's connection (:meth:`~timeline.log.SQLiteLog.connection`), so the snapshots live and
    travel with the log, ``":memory:"`` logs included. Given a path, it opens that database
    (a sidecar file, for a log kept elsewhere).

    The last ``cache`` states saved or loaded are kept decoded in memory (states are
    immutable, so sharing them is safe): a session that asks several questions near one
    snapshot reads and decodes it once.

    Args:
        target: a :class:`~timeline.log.SQLiteLog`, or the path of a database file.
        codec: writes events inside states; the log's codec by default.
        cache: how many decoded states to keep (0: none).

    Raises:
        TimelineError: if the database cannot be opened or written.
    """

    def __init__(
        self, target: SQLiteLog | str | Path, *, codec: Codec | None = None, cache: int = 2
    ) -> None:
        self._log = target if isinstance(target, SQLiteLog) else None
        self._own: sqlite3.Connection | None = None
        if self._log is not None:
            self.path = self._log.path
            codec = codec if codec is not None else self._log.codec
        else:
            self.path = str(target)
            try:
                self._own = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=30.0
                )
                self._own.execute("PRAGMA journal_mode = WAL")
            except sqlite3.Error as e:
                raise TimelineError(f"snapshot store {self.path!r}: {e}") from e
        super().__init__(codec, cache)
        with self._connection() as conn:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timeline_snapshots'"
            ).fetchone()
            if exists is not None:  # nothing to write: a read-only file still serves reads
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in SNAPSHOT_SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def __repr__(self) -> str:
        return f"SQLiteSnapshotStore({self.path!r})"

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._log is not None:
            with self._lock, self._log.connection() as conn:
                yield conn
            return
        with self._lock:
            if self._own is None:
                raise TimelineError(f"snapshot store {self.path!r} is closed")
            try:
                yield self._own
            except sqlite3.Error as e:
                raise TimelineError(f"snapshot store {self.path!r}: {e}") from e

    def close(self) -> None:
        """Close the database it opened (a log's connection is the log's to close)."""
        with self._lock:
            own, self._own = self._own, None
            if own is not None:
                own.close()
            super().close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _replace(self, snapshot: Snapshot, row: tuple[Any, ...]) -> None:
        with self._transaction() as conn:
            conn.execute(
                f"DELETE FROM timeline_snapshots WHERE {_SQLITE_WHERE}",  # noqa: S608  # fixed text
                _key_columns(snapshot),
            )
            conn.execute(
                "INSERT INTO timeline_snapshots (name, version, as_of, position, known_at,"
                " head, created, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def _stored_state(self, snapshot: Snapshot) -> bytes | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT state FROM timeline_snapshots WHERE {_SQLITE_WHERE} AND head = ?",  # noqa: S608  # fixed text
                (*_key_columns(snapshot), snapshot.head),
            ).fetchone()
        return None if row is None else row[0]

    def _rows(self, name: str, version: int | None) -> Iterable[tuple[Any, ...]]:
        sql = (
            "SELECT name, version, as_of, position, known_at, head, created"
            " FROM timeline_snapshots WHERE name = ?"
        )
        params: tuple[Any, ...] = (name,)
        if version is not None:
            sql += " AND version = ?"
            params = (name, version)
        with self._connection() as conn:
            return conn.execute(sql + " ORDER BY version, as_of, position", params).fetchall()

    def _delete(self, snapshot: Snapshot) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute(
                f"DELETE FROM timeline_snapshots WHERE {_SQLITE_WHERE}",  # noqa: S608  # fixed text
                _key_columns(snapshot),
            )
        return cursor.rowcount > 0


def snapshot_store(log: EventLog) -> SnapshotStore:
    """The snapshot store that fits a log.

    - :class:`~timeline.log.SQLiteLog`: a :class:`SQLiteSnapshotStore` in the log's own
      database (table ``timeline_snapshots``);
    - :class:`~timeline.log.PostgresLog`: a :class:`PostgresSnapshotStore` in the log's own
      schema (table ``timeline_snapshots``);
    - :class:`~timeline.log.JsonlLog`: a :class:`SQLiteSnapshotStore` in a sidecar file, the
      log's path plus ``.snapshots.db`` (derived data: safe to delete, keep it out of git);
    - any other log (:class:`~timeline.log.MemoryLog`): a new, empty
      :class:`MemorySnapshotStore`. Keep it: each call makes another.

    >>> import timeline as tl
    >>> log = tl.open_log("sqlite:///:memory:")
    >>> snapshot_store(log)
    SQLiteSnapshotStore(':memory:')
    """
    if isinstance(log, SQLiteLog):
        return SQLiteSnapshotStore(log)
    if isinstance(log, PostgresLog):
        return PostgresSnapshotStore(log)
    if isinstance(log, JsonlLog):
        return SQLiteSnapshotStore(log.path + ".snapshots.db", codec=log.codec)
    return MemorySnapshotStore()


# -- replay from a snapshot ---------------------------------------------------------------------


def _metas(log: EventLog, limit: int) -> list[Recorded]:
    """The meta events recorded up to ``limit``, in position order."""
    found = []
    for rec in log.read(types=META_TYPES):
        if rec.position > limit:
            break
        found.append(rec)
    return found


def _record_at(log: EventLog, position: int) -> Recorded | None:
    record = next(log.read(after=position - 1), None) if position > 0 else None
    return record if record is not None and record.position == position else None


def _holds(log: EventLog, position: int, head: str) -> bool:
    """Whether the log's record at ``position`` has the hash ``head`` (its prefix is intact)."""
    if position == 0:
        return head == GENESIS
    record = _record_at(log, position)
    return record is not None and record.hash == head


def _withdrawn_or_resolved(
    res: Resolution, codec: Codec, record: Recorded, last: int
) -> Event | None:
    """The event as ``res`` shows it to projections at position ``last`` (``None``: absent)."""
    if record.position > last or res.withdrawn(record.event.event_id):
        return None
    return res.resolve(codec, record.event)


def _at_or_before(event: Event | None, as_of: DateTime | None) -> bool:
    return event is not None and (as_of is None or event.occurred_at <= as_of)


def _same_prefix(log: EventLog, snapshot: Snapshot) -> bool:
    """Whether the log still holds the records the snapshot was taken on (its last hash)."""
    return _holds(log, snapshot.position, snapshot.head)


def _late_arrival(log: EventLog, snapshot: Snapshot, *, limit: int, res: Resolution) -> bool:
    """Whether an event recorded after the snapshot (up to ``limit``) belongs before its cut."""
    p, a = snapshot.position, snapshot.as_of
    later = log.read(after=p) if a is None else log.read(after=p, occurred_by=a)
    for record in later:
        if record.position > limit:
            return False
        if record.event.TYPE in META_TYPES:
            continue
        if _at_or_before(_withdrawn_or_resolved(res, log.codec, record, limit), a):
            return True
    return False


def _prefix_changed(
    log: EventLog,
    snapshot: Snapshot,
    *,
    limit: int,
    metas: list[Recorded],
    res: Resolution,
) -> bool:
    """Whether the corrections and retractions after the snapshot change what it folded.

    Each event they touch (down a chain of retractions) is compared as it stood at the
    snapshot and as it stands at ``limit``; a difference matters where either side is at or
    before the snapshot's cut.
    """
    p, a = snapshot.position, snapshot.as_of
    after = [m for m in metas if m.position > p]
    if not after:
        return False
    before = Resolution()
    for m in metas:
        if m.position > p:
            break
        before.add(m.event)
    touched: set[uuid.UUID] = set()
    for m in after:
        target = target_of(m.event)
        meta = res.meta(target)
        while meta is not None:  # a retraction of a correction (or of a retraction)
            target = target_of(meta)
            meta = res.meta(target)
        touched.add(target)
    for event_id in touched:
        try:
            record = log.get(event_id)
        except UnknownEvent:
            return True
        then = _withdrawn_or_resolved(before, log.codec, record, p)
        now = _withdrawn_or_resolved(res, log.codec, record, limit)
        if then != now and (_at_or_before(then, a) or _at_or_before(now, a)):
            return True
    return False


def _is_valid(
    log: EventLog,
    snapshot: Snapshot,
    *,
    limit: int,
    metas: list[Recorded],
    res: Resolution,
) -> bool:
    """Whether the snapshot's state is the replay's prefix up to its ``as_of`` (see module)."""
    return (
        _same_prefix(log, snapshot)
        and not _late_arrival(log, snapshot, limit=limit, res=res)
        and not _prefix_changed(log, snapshot, limit=limit, metas=metas, res=res)
    )


def _usable(snapshot: Snapshot, cut: DateTime | None, limit: int) -> bool:
    if snapshot.position > limit:
        return False
    if cut is None:
        return True
    return snapshot.as_of is not None and snapshot.as_of <= cut


def _best(
    log: EventLog,
    projection: Projection[S],
    store: SnapshotStore,
    *,
    cut: DateTime | None,
    limit: int,
    metas: list[Recorded],
    res: Resolution,
) -> tuple[Snapshot, S] | None:
    """The valid snapshot nearest the cuts, and its state; ``None`` if there is none."""
    candidates = [
        s for s in store.list(projection.name, projection.version) if _usable(s, cut, limit)
    ]
    candidates.sort(key=_nearest_first, reverse=True)
    state_type = None
    for snapshot in candidates:
        if not _is_valid(log, snapshot, limit=limit, metas=metas, res=res):
            continue
        if state_type is None:
            state_type = state_type_of(projection)
        try:
            state: S = store.load(snapshot, state_type)
        except KeyError:  # deleted meanwhile
            continue
        return snapshot, state
    return None


class _Frontier:
    """Passes events through, remembering the latest ``occurred_at`` among them."""

    def __init__(self, start: DateTime | None) -> None:
        self.at = start

    def events(self, records: Iterable[Recorded]) -> Iterator[Event]:
        at = self.at
        try:
            for record in records:
                event = record.event
                if at is None or event.occurred_at > at:
                    at = event.occurred_at
                yield event
        finally:
            self.at = at


def replay_at(
    log: EventLog,
    projection: Projection[S],
    *,
    as_of: DateTime | None,
    limit: int,
    store: SnapshotStore | None = None,
    order: Order = "occurred",
) -> tuple[S, DateTime | None]:
    """Replay over the first ``limit`` records, from the best valid snapshot in ``store``.

    For the layers above (live projections): ``as_of`` is a UTC instant or ``None``.

    Returns:
        The state, and an instant at or after the latest ``occurred_at`` folded into it:
        the snapshot's ``as_of`` where nothing was folded after it, the end of time after a
        snapshot without a valid-time cut, ``None`` if nothing was folded at all.
    """
    cache = getattr(store, "meta_cache", None)
    metas = cache.upto(log, limit) if isinstance(cache, MetaCache) else _metas(log, limit)
    res = Resolution()
    for m in metas:
        res.add(m.event)
    start = None
    if store is not None and order == "occurred":
        start = _best(log, projection, store, cut=as_of, limit=limit, metas=metas, res=res)
    if start is None:
        state, after, frontier = projection.initial(), None, _Frontier(None)
    else:
        snapshot, state = start
        if snapshot.as_of is None:  # it knows every event up to the limit: no tail
            return state, _LATEST
        after, frontier = snapshot.as_of, _Frontier(snapshot.as_of)
    tail = resolved_records(log, res, limit=limit, as_of=as_of, order=order, occurred_after=after)
    return fold(projection, state, frontier.events(tail)), frontier.at


def _cuts(log: EventLog, as_of: Any, known_at: Any) -> tuple[DateTime | None, int]:
    cut = None if as_of is None else to_utc(as_of, field="as_of")
    limit = len(log) if known_at is None else log.position_at(known_at)
    return cut, limit


def _save(
    log: EventLog,
    projection: Projection[S],
    store: SnapshotStore,
    state: S,
    *,
    cut: DateTime | None,
    limit: int,
) -> Snapshot:
    record = _record_at(log, limit)
    snapshot = Snapshot(
        name=projection.name,
        version=projection.version,
        as_of=cut,
        position=limit,
        known_at=None if record is None else record.recorded_at,
        head=GENESIS if record is None else record.hash,
        created=to_utc(log.clock.now(), field="created"),
    )
    store.save(snapshot, state, state_type_of(projection))
    return snapshot


def replay_with_snapshots(
    log: EventLog,
    projection: Projection[S],
    *,
    as_of: Any = None,
    known_at: Any = None,
    order: Order = "occurred",
    store: SnapshotStore,
    save: bool = False,
) -> S:
    """:func:`~timeline.projections.replay` from the best valid snapshot in ``store``.

    What ``replay(..., snapshots=store, save=save)`` calls.

    Raises:
        InvalidEvent: for a naive ``as_of``/``known_at``, or ``order="recorded"``
            (snapshots cut valid time, so they serve valid-time order only).
    """
    if order != "occurred":
        raise InvalidEvent(
            f"snapshots serve replays in valid-time order (order='occurred'), got {order!r}",
            field="order",
            value=order,
        )
    cut, limit = _cuts(log, as_of, known_at)
    state, _ = replay_at(log, projection, as_of=cut, limit=limit, store=store)
    if save:
        _save(log, projection, store, state, cut=cut, limit=limit)
    return state


def take_snapshot(
    log: EventLog,
    projection: Projection[Any],
    *,
    store: SnapshotStore,
    as_of: Any = None,
    known_at: Any = None,
) -> Snapshot:
    """Replay a projection at these cuts and store the state as a snapshot.

    The replay itself starts from the best valid snapshot already in the store, so taking
    one a day costs a day's events. Take them with an ``as_of`` a little behind the present
    (the start of yesterday, say): reports that arrive late about the last hours then fall
    in the tail and leave the snapshot valid.

    Args:
        log: the log.
        projection: the projection (its ``name`` and ``version`` key the snapshot).
        store: where to keep it (see :func:`snapshot_store`).
        as_of: the valid-time cut (``None``: every event).
        known_at: the transaction-time cut (``None``: everything recorded now).

    Returns:
        The stored :class:`Snapshot`.

    Raises:
        InvalidEvent: for a naive ``as_of``/``known_at``.
        DecodeError: if the state cannot be stored faithfully (see :class:`StateCodec`).

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> night = pendulum.datetime(2025, 6, 1, 20)
    >>> _ = log.append([tl.DroneBarrage(occurred_at=night, launched=472)], stream="air")
    >>> store = tl.snapshot_store(log)
    >>> snap = tl.take_snapshot(log, tl.Escalation(), as_of=night, store=store)
    >>> (snap.name, snap.position), tl.replay(log, tl.Escalation(), snapshots=store).drones.launched
    (('escalation', 1), 472)
    """
    cut, limit = _cuts(log, as_of, known_at)
    state, _ = replay_at(log, projection, as_of=cut, limit=limit, store=store)
    return _save(log, projection, store, state, cut=cut, limit=limit)


# -- the PostgreSQL store ----------------------------------------------------------------------

#: The table a :class:`PostgresSnapshotStore` keeps its snapshots in, in the log's schema
#: (``{snapshots}`` is ``timeline_snapshots`` there); the columns are those of
#: :data:`SNAPSHOT_SCHEMA`.
POSTGRES_SNAPSHOT_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS {snapshots} (
  name text NOT NULL,
  version bigint NOT NULL,
  as_of text COLLATE "C",
  position bigint NOT NULL,
  known_at text,
  head text NOT NULL,
  created text NOT NULL,
  state bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_snapshots_key
  ON {snapshots} (name, version, as_of, position)
"""

_PG_WHERE: Final = "name = %s AND version = %s AND as_of IS NOT DISTINCT FROM %s AND position = %s"


class PostgresSnapshotStore(_TableSnapshotStore):
    """Snapshots in a table of a :class:`~timeline.log.PostgresLog`'s schema, beside the log.

    Each is written in one transaction, through the log's own connection, to the table
    ``timeline_snapshots`` (:data:`POSTGRES_SNAPSHOT_SCHEMA`). The snapshots live beside the log they were taken on, so every analyst of a team
    replays from the snapshots anyone took. The table is created on first use; a role that
    may only read the log (see ``docs/postgres.md``) reads snapshots that exist, if it has
    been granted ``SELECT`` on the table. The last ``cache`` states saved or loaded are
    kept decoded in memory, as :class:`SQLiteSnapshotStore` does.

    Args:
        log: the log whose schema holds the table.
        codec: writes events inside states; the log's codec by default.
        cache: how many decoded states to keep (0: none).

    Raises:
        TimelineError: if the table cannot be created or read.
    """

    def __init__(self, log: PostgresLog, *, codec: Codec | None = None, cache: int = 2) -> None:
        super().__init__(codec if codec is not None else log.codec, cache)
        self._log = log
        with log.connection() as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relname = 'timeline_snapshots'",
                (log.schema,),
            ).fetchone()
            if exists is not None:  # nothing to create: a read-only role still reads
                return
            with conn.transaction():
                # CREATE TABLE IF NOT EXISTS races: stores opened at once create in turn.
                conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('timeline_snapshots'), hashtext(%s))",
                    (log.schema,),
                )
                for statement in POSTGRES_SNAPSHOT_SCHEMA.split(";"):
                    conn.execute(log.sql(statement))

    def __repr__(self) -> str:
        return f"PostgresSnapshotStore({self._log!r})"

    def _replace(self, snapshot: Snapshot, row: tuple[Any, ...]) -> None:
        log = self._log
        with log.connection() as conn, conn.transaction():
            conn.execute(
                log.sql(f"DELETE FROM {{snapshots}} WHERE {_PG_WHERE}"),  # noqa: S608  # fixed text
                _key_columns(snapshot),
            )
            conn.execute(
                log.sql(
                    "INSERT INTO {snapshots} (name, version, as_of, position, known_at, head,"
                    " created, state) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                ),
                row,
            )

    def _stored_state(self, snapshot: Snapshot) -> bytes | None:
        log = self._log
        with log.connection() as conn:
            row = conn.execute(
                log.sql(f"SELECT state FROM {{snapshots}} WHERE {_PG_WHERE} AND head = %s"),  # noqa: S608  # fixed text
                (*_key_columns(snapshot), snapshot.head),
            ).fetchone()
        return None if row is None else bytes(row[0])

    def _rows(self, name: str, version: int | None) -> Iterable[tuple[Any, ...]]:
        log = self._log
        sql = "SELECT name, version, as_of, position, known_at, head, created FROM {snapshots}"
        sql += " WHERE name = %s" if version is None else " WHERE name = %s AND version = %s"
        params = (name,) if version is None else (name, version)
        with log.connection() as conn:
            return conn.execute(
                log.sql(sql + " ORDER BY version, as_of NULLS FIRST, position"), params
            ).fetchall()

    def _delete(self, snapshot: Snapshot) -> bool:
        log = self._log
        with log.connection() as conn:
            cursor = conn.execute(
                log.sql(f"DELETE FROM {{snapshots}} WHERE {_PG_WHERE}"),  # noqa: S608  # fixed text
                _key_columns(snapshot),
            )
        return cursor.rowcount > 0
