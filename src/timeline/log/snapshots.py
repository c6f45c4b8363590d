"""Snapshots as stored: the :class:`Snapshot` model, the store protocol, the stores' base.

A snapshot is derived data a log keeps beside its records: a projection's state at a point
of the log (see :mod:`timeline.projections.snapshots` for when one may be used). Each
backend gives the store that fits it (``log.snapshot_store()``): this module holds what
they share, :class:`MemorySnapshotStore` (the default, for logs that keep nothing on disk)
and :class:`TableSnapshotStore`, the base of the stores that keep snapshots in a database
table (:mod:`timeline.log.sqlite_snapshots`, :mod:`timeline.log.postgres_snapshots`).
"""

from __future__ import annotations

import abc
import collections
import threading
from collections.abc import Iterable
from typing import Any, Protocol, Self, runtime_checkable

import attrs
from pendulum import DateTime

from timeline.codec import Codec
from timeline.log.state_codec import StateCodec
from timeline.time import isoformat, parse_utc

__all__ = ["MemorySnapshotStore", "Snapshot", "SnapshotStore", "TableSnapshotStore"]


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


def _sort_key(snapshot: Snapshot) -> tuple[int, str, int]:
    # ``None`` (no cut) sorts first, as SQLite sorts NULL.
    at = "" if snapshot.as_of is None else isoformat(snapshot.as_of)
    return (snapshot.version, at, snapshot.position)


class MemorySnapshotStore:
    """Snapshots in memory: the states themselves, shared (they are immutable).

    >>> store = MemorySnapshotStore()
    >>> store.list("escalation")
    []
    """

    def __init__(self) -> None:
        self._held: dict[tuple[str, int, DateTime | None, int], tuple[Snapshot, Any]] = {}
        self._lock = threading.Lock()

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


class TableSnapshotStore(abc.ABC):
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
