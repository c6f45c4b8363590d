"""Which snapshot a replay may start from: the validity rules, and the choice of the best.

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

Checking costs a read of the records after the snapshot whose stored ``occurred_at`` is at
or before its ``as_of`` (an index range), and one look-up per event that the meta events
after it touch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Final, TypeVar

from pendulum import DateTime

from timeline.codec import Codec
from timeline.errors import UnknownEvent
from timeline.events import Event
from timeline.log import EventLog, Recorded
from timeline.log.snapshots import Snapshot, SnapshotStore
from timeline.projections.base import Projection
from timeline.projections.resolution import (
    META_TYPES,
    Resolution,
    holds,
    meta_index,
    target_of,
)

__all__ = ["best_snapshot", "is_valid", "state_type_of"]

S = TypeVar("S")

#: Earlier than any instant: where a snapshot without a valid-time cut sorts.
_EARLIEST: Final = DateTime(1, 1, 1, tzinfo=dt.UTC)


def state_type_of(projection: Projection[Any]) -> Any:
    """The type a projection's states are read back as: ``state_type``, or ``initial()``'s."""
    declared = getattr(projection, "state_type", None)
    return declared if declared is not None else type(projection.initial())


def _nearest_first(snapshot: Snapshot) -> tuple[bool, DateTime, int]:
    # Sorted in reverse: no valid-time cut at all, then the latest as_of, then the latest
    # position.
    at = _EARLIEST if snapshot.as_of is None else snapshot.as_of
    return (snapshot.as_of is None, at, snapshot.position)


def _withdrawn_or_resolved(
    res: Resolution, codec: Codec, record: Recorded, last: int
) -> Event | None:
    """The event as ``res`` shows it to projections at position ``last`` (``None``: absent)."""
    if record.position > last or res.withdrawn(record.event.event_id):
        return None
    return res.resolve(codec, record.event)


def _at_or_before(event: Event | None, as_of: DateTime | None) -> bool:
    return event is not None and (as_of is None or event.occurred_at <= as_of)


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
    log: EventLog, snapshot: Snapshot, later: list[Recorded], res: Resolution
) -> bool:
    """Whether the corrections and retractions after the snapshot change what it folded.

    ``later`` are those meta events, ``res`` their resolution with all before them. Each
    event they touch (down a chain of retractions) is compared as it stood at the snapshot
    and as it stands now; a difference matters where either side is at or before the
    snapshot's cut.
    """
    if not later:
        return False
    p, a, last = snapshot.position, snapshot.as_of, later[-1].position
    before = meta_index(log).resolution(log, p, check=False)  # checked by the caller
    touched: set[uuid.UUID] = set()
    for m in later:
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
        now = _withdrawn_or_resolved(res, log.codec, record, last)  # recorded before its meta
        if then != now and (_at_or_before(then, a) or _at_or_before(now, a)):
            return True
    return False


def is_valid(
    log: EventLog,
    snapshot: Snapshot,
    *,
    limit: int,
    metas: list[Recorded],
    res: Resolution,
) -> bool:
    """Whether the snapshot's state is the replay's prefix up to its ``as_of`` (see module)."""
    p = snapshot.position
    return (
        holds(log, p, snapshot.head)
        and not _late_arrival(log, snapshot, limit=limit, res=res)
        and not _prefix_changed(log, snapshot, [m for m in metas if m.position > p], res)
    )


def _usable(snapshot: Snapshot, cut: DateTime | None, limit: int) -> bool:
    if snapshot.position > limit:
        return False
    if cut is None:
        return True
    return snapshot.as_of is not None and snapshot.as_of <= cut


def best_snapshot(
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
        if not is_valid(log, snapshot, limit=limit, metas=metas, res=res):
            continue
        if state_type is None:
            state_type = state_type_of(projection)
        try:
            state: S = store.load(snapshot, state_type)
        except KeyError:  # deleted meanwhile
            continue
        return snapshot, state
    return None
