"""``MemoryLog``: the reference backend, held in a list. Every other backend must agree with it."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Collection, Iterator, Sequence
from typing import Unpack

from pendulum import DateTime

from timeline.log.base import EventLog, LogOptions
from timeline.log.merkle import Key, Node
from timeline.log.query import Query
from timeline.log.records import GENESIS, Recorded, StoredRecord

__all__ = ["MemoryLog"]


class MemoryLog(EventLog):
    """An event log in memory: for tests, notebooks, and as the reference for backends.

    It keeps each record's canonical bytes beside it, so :meth:`verify` checks the same hash
    chain as the stored backends.

    >>> import pendulum, timeline as tl
    >>> t = pendulum.datetime(2025, 6, 2)
    >>> log = MemoryLog(clock=tl.FixedClock(t))
    >>> said = [tl.Statement(occurred_at=t, speaker=who, text="Welcome.")
    ...         for who in ("Hakan Fidan", "Rustem Umerov")]
    >>> [(r.position, r.version) for r in log.append(said, stream="talks/istanbul")]
    [(1, 1), (2, 2)]
    >>> [r.event.speaker for r in log.read()], log.verify().ok
    (['Hakan Fidan', 'Rustem Umerov'], True)
    """

    def __init__(self, **options: Unpack[LogOptions]) -> None:
        super().__init__(**options)
        self._records: list[Recorded] = []
        self._payloads: list[bytes] = []
        self._stamps: list[str] = []  # recorded_at exactly as hashed
        self._by_id: dict[uuid.UUID, int] = {}
        self._versions: dict[str, int] = {}
        self._lock = threading.RLock()
        self._tree: dict[int, list[bytes]] = {}  # the Merkle tree's stored nodes, by level

    def __len__(self) -> int:
        return len(self._records)

    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""
        return dict(self._versions)

    def stream_version(self, stream: str) -> int:
        """The stream's current version: how many events it holds (0 if none)."""
        return self._versions.get(stream, 0)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the log's lock for one append (nothing is stored before ``insert``)."""
        with self._lock:
            yield

    def tail(self) -> tuple[int, str, DateTime | None]:
        """The last position, its hash and its ``recorded_at``."""
        if not self._records:
            return 0, GENESIS, None
        last = self._records[-1]
        return last.position, last.hash, last.recorded_at

    def existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these event ids the log holds."""
        return {i for i in ids if i in self._by_id}

    def insert(self, records: Sequence[StoredRecord]) -> None:
        """Keep the records: each entry as appended, and the bytes its hash covers."""
        for r in records:
            entry = r.entry
            assert entry is not None  # noqa: S101  # append gives every record its entry
            self._records.append(entry)
            self._payloads.append(r.payload)
            self._stamps.append(r.recorded_at)
            self._by_id[entry.event.event_id] = r.position - 1
            self._versions[r.stream] = r.version

    def merkle_count(self, level: int) -> int:
        """How many nodes of a level the Merkle tree's lists hold."""
        return len(self._tree.get(level, ()))

    def merkle_nodes(self, keys: Collection[Key]) -> dict[Key, bytes]:
        """The tree's stored nodes, from its lists."""
        tree = self._tree
        return {
            (level, index): tree[level][index]
            for level, index in keys
            if level in tree and index < len(tree[level])
        }

    def record_hashes(self, positions: Sequence[int]) -> dict[int, str]:
        """The chain hashes of the records at ``positions``."""
        records = self._records
        return {p: records[p - 1].hash for p in positions if 0 < p <= len(records)}

    def merkle_insert(self, nodes: Sequence[Node]) -> None:
        """Add the nodes an append completed to their levels' lists (in order)."""
        for level, _, hash_ in nodes:
            self._tree.setdefault(level, []).append(hash_)

    def scan(self, query: Query) -> Iterator[Recorded]:
        """The records ``query`` asks for (the reference: :meth:`Query.select`)."""
        return query.select(self._records[query.after :])

    def recorded_at(self, position: int) -> DateTime:
        """The ``recorded_at`` of the record at a position."""
        return self._records[position - 1].recorded_at

    def stored_hash(self, position: int) -> str | None:
        """The hash of the record at a position, or ``None``."""
        return self._records[position - 1].hash if 0 < position <= len(self._records) else None

    def raw(self) -> Iterator[StoredRecord]:
        """Every record as stored: its bytes and ``recorded_at`` text."""
        for record, payload, stamp in zip(self._records, self._payloads, self._stamps, strict=True):
            yield StoredRecord(
                record.position, record.stream, record.version, stamp, payload, record.hash
            )

    def find(self, event_id: uuid.UUID) -> Recorded | None:
        """The record holding an event, or ``None``."""
        index = self._by_id.get(event_id)
        return None if index is None else self._records[index]
