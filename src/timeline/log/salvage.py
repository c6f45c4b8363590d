"""``salvage``: copy the intact prefix of a damaged log into a new one, and say what was left.

A damaged log is never repaired in place: :meth:`~timeline.log.EventLog.verify` names the
first bad position, and everything before it is still intact and readable. ``salvage``
copies exactly that prefix into an empty log of any backend, keeping every record's
position, stream, version, ``recorded_at`` and hash (so the copy's chain is the source's, up
to where it breaks), and reports the first position it left, why, and how many stored
records it left behind. The source is only read.

>>> import pendulum
>>> from timeline.events import Statement
>>> from timeline.log.memory import MemoryLog
>>> source, target = MemoryLog(), MemoryLog()
>>> _ = source.append([Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="A",
...                              text="x")], stream="s")
>>> report = salvage(source, target)
>>> report.copied, report.first_bad, report.left_behind, target.head().hash == report.head
(1, None, 0, True)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from timeline.errors import CorruptLog, InvalidArgument, TimelineError
from timeline.log.base import GENESIS, EventLog, Recorded, chain_hash
from timeline.log.jsonl import JsonlLog
from timeline.log.postgres import PostgresLog
from timeline.log.sqlite import SQLiteLog
from timeline.time import isoformat

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["SalvageReport", "salvage"]

_BATCH: Final = 1000  # records per append into the target, at most


@attrs.frozen
class SalvageReport:
    """What :func:`salvage` copied and what it left.

    Attributes:
        copied: how many records were copied: positions 1 to ``copied``.
        head: the hash of the last record copied (the same in source and copy), or ``None``.
        first_bad: the first position not copied, because it is damaged (or cannot be
            copied with its hash), or ``None`` when the whole source was intact and copied.
        reason: what is wrong at ``first_bad``, or ``None``.
        left_behind: how many records the source stores from ``first_bad`` on, as far as
            it can count them (lines of a JSON-lines file, rows of a table); ``None`` when
            the damage keeps them from being counted.
    """

    copied: int
    head: str | None = None
    first_bad: int | None = None
    reason: str | None = None
    left_behind: int | None = 0

    @property
    def complete(self) -> bool:
        """Whether the whole source was intact and copied."""
        return self.first_bad is None


def salvage(
    source: EventLog,
    target: EventLog,
    *,
    progress: Callable[[int, int], object] | None = None,
) -> SalvageReport:
    """Copy the intact prefix of ``source`` (up to its first bad position) into ``target``.

    The prefix ends at the first position that :meth:`~timeline.log.EventLog.verify` reports,
    or that cannot be read (an event of an unknown type), or whose event re-encodes to other
    bytes than those stored (an event stored in an older version of its type: copying it
    would change its hash), whichever comes first. Records are appended in position order,
    each run that shares a stream and a ``recorded_at`` as one append at that
    ``recorded_at``, so the copy's positions, versions and hashes equal the source's.

    Args:
        source: the (possibly damaged) log to read. It is never written.
        target: an empty log to copy into.
        progress: called with (records copied, records to copy) after each append.

    Returns:
        What was copied and what was left.

    Raises:
        InvalidArgument: if ``target`` is not empty, or is ``source`` itself.
        TimelineError: if ``target`` refuses a record (its guards, its storage).
    """
    if target is source:
        raise InvalidArgument(
            "salvage needs a target other than its source", argument="target", value=target
        )
    if len(target):
        raise InvalidArgument(
            f"the target already holds {len(target)} records; salvage needs an empty log",
            argument="target",
            value=target,
        )
    report = source.verify()
    first_bad, reason = report.position, report.reason
    end = report.checked
    copier = _Copier(source, target, end, progress)
    try:
        for record in _prefix(source, end):
            problem = copier.check(record)
            if problem is not None:
                first_bad, reason = record.position, problem
                break
            copier.add(record)
    except CorruptLog as e:
        first_bad, reason = e.position, e.reason
    copier.flush()
    left = None if first_bad is None else _left_behind(source, copier.copied)
    return SalvageReport(
        copied=copier.copied,
        head=copier.previous if copier.copied else None,
        first_bad=first_bad,
        reason=reason,
        left_behind=0 if first_bad is None else left,
    )


def _prefix(source: EventLog, end: int) -> Iterator[Recorded]:
    """The records at positions 1 to ``end``, stopping at the first that cannot be read."""
    for record in source.read():
        if record.position > end:
            return
        yield record


class _Copier:
    """Appends records to the target in runs, checking each hash before it is written."""

    def __init__(
        self,
        source: EventLog,
        target: EventLog,
        total: int,
        progress: Callable[[int, int], object] | None,
    ) -> None:
        self.source, self.target, self.total, self.progress = source, target, total, progress
        self.encode = target.codec.encode
        self.previous = GENESIS
        self.copied = 0
        self.batch: list[Recorded] = []

    def check(self, record: Recorded) -> str | None:
        """Why ``record`` cannot be copied with its hash, or ``None``."""
        payload = self.encode(record.event)
        stamp = isoformat(record.recorded_at)
        hashed = chain_hash(
            self.previous, record.position, record.stream, record.version, stamp, payload
        )
        if hashed != record.hash:
            return (
                "the event re-encodes to other bytes than those stored (is it stored in an "
                "older version of its type?): copying it would change its hash"
            )
        return None

    def add(self, record: Recorded) -> None:
        """Queue a checked record; append the queue when the run ends."""
        first = self.batch[0] if self.batch else None
        if first is not None and (
            record.stream != first.stream
            or record.recorded_at != first.recorded_at
            or len(self.batch) >= _BATCH
        ):
            self.flush()
        self.batch.append(record)
        self.previous = record.hash

    def flush(self) -> None:
        """Append the queued run at its ``recorded_at``, and check what the target wrote."""
        if not self.batch:
            return
        first = self.batch[0]
        written = self.target.append(
            [r.event for r in self.batch],
            stream=first.stream,
            expected_version=first.version - 1,
            recorded_at=first.recorded_at,
        )
        for old, new in zip(self.batch, written, strict=True):
            if (old.position, old.version, old.hash) != (new.position, new.version, new.hash):
                raise TimelineError(
                    f"position {old.position}: the target recorded it as position "
                    f"{new.position}, hash {new.hash[:16]}, not as the source's "
                    f"{old.hash[:16]}; salvage stopped"
                )
        self.copied += len(self.batch)
        self.batch.clear()
        if self.progress is not None:
            self.progress(self.copied, self.total)


def _left_behind(source: EventLog, copied: int) -> int | None:
    """How many records ``source`` stores beyond the first ``copied``, if it can count them."""
    try:
        stored = _stored(source)
    except (TimelineError, OSError):
        return None
    return max(stored - copied, 0)


def _stored(source: EventLog) -> int:
    """How many records ``source`` stores, damaged or not: rows, or lines of a file."""
    if isinstance(source, SQLiteLog):
        with source.connection() as conn:
            return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    if isinstance(source, JsonlLog):
        lines = 0
        last = b"\n"
        with Path(source.path).open("rb") as file:
            while chunk := file.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        return lines + (last != b"\n")  # a last line cut short counts too
    if isinstance(source, PostgresLog):
        with source.connection() as conn:
            row = conn.execute(source.sql("SELECT count(*) FROM {events}")).fetchone()
        return int(row[0]) if row is not None else 0
    return len(source)
