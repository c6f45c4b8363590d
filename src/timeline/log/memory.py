"""``MemoryLog``: the reference backend, held in a list. Every other backend must agree with it."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Collection, Iterator, Sequence

from pendulum import DateTime

from timeline.log.base import GENESIS, EventLog, Order, RawRecord, Recorded

__all__ = ["MemoryLog"]


class MemoryLog(EventLog):
    """An event log in memory: for tests, notebooks, and as the reference for backends.

    It keeps each record's canonical bytes beside it, so :meth:`verify` checks the same hash
    chain as the stored backends.

    >>> import pendulum, timeline as tl
    >>> log = MemoryLog(clock=tl.FixedClock(pendulum.datetime(2025, 6, 2)))
    >>> ev = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="Hakan Fidan",
    ...                   text="Welcome to Istanbul.")
    >>> [r.position for r in log.append([ev], stream="talks/istanbul")]
    [1]
    >>> log.verify().ok
    True
    """

    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]  # codec, clock, guards
        self._records: list[Recorded] = []
        self._payloads: list[bytes] = []
        self._stamps: list[str] = []  # recorded_at exactly as hashed
        self._by_id: dict[uuid.UUID, int] = {}
        self._versions: dict[str, int] = {}
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._records)

    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""
        return dict(self._versions)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            yield

    def _stream_version(self, stream: str) -> int:
        return self._versions.get(stream, 0)

    def _existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        return {i for i in ids if i in self._by_id}

    def _tail(self) -> tuple[int, str, DateTime | None]:
        if not self._records:
            return 0, GENESIS, None
        last = self._records[-1]
        return last.position, last.hash, last.recorded_at

    def _write(
        self,
        records: Sequence[Recorded],
        payloads: Sequence[bytes],
        recorded_at: str,
        keys: Sequence[tuple[str, str]],  # noqa: ARG002  # for backends with index columns
    ) -> None:
        for record in records:
            self._by_id[record.event.event_id] = record.position - 1
            self._versions[record.stream] = record.version
        self._records.extend(records)
        self._payloads.extend(payloads)
        self._stamps.extend([recorded_at] * len(records))

    def _read(
        self, after: int, stream: str | None, types: tuple[str, ...] | None, order: Order
    ) -> Iterator[Recorded]:
        selected = (
            r
            for r in self._records[after:]
            if (stream is None or r.stream == stream) and (types is None or r.event.TYPE in types)
        )
        if order == "occurred":
            return iter(sorted(selected, key=lambda r: (r.event.occurred_at, r.position)))
        return selected

    def _read_range(  # noqa: PLR0917  # the signature EventLog._read_range fixes
        self,
        after: int,
        stream: str | None,
        types: tuple[str, ...] | None,
        order: Order,
        occurred_after: DateTime | None,
        occurred_by: DateTime | None,
    ) -> Iterator[Recorded]:
        selected = (
            r
            for r in self._records[after:]
            if (occurred_after is None or r.event.occurred_at > occurred_after)
            and (occurred_by is None or r.event.occurred_at <= occurred_by)
            and (stream is None or r.stream == stream)
            and (types is None or r.event.TYPE in types)
        )
        if order == "occurred":
            return iter(sorted(selected, key=lambda r: (r.event.occurred_at, r.position)))
        return selected

    def _recorded_at(self, position: int) -> DateTime:
        return self._records[position - 1].recorded_at

    def _raw(self) -> Iterator[RawRecord]:
        for record, payload, stamp in zip(self._records, self._payloads, self._stamps, strict=True):
            yield RawRecord(
                record.position, record.stream, record.version, stamp, payload, record.hash
            )

    def _get(self, event_id: uuid.UUID) -> Recorded | None:
        index = self._by_id.get(event_id)
        return None if index is None else self._records[index]
