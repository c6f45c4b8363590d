"""Replay from a snapshot, and taking one: the entry points of the snapshot layer.

:func:`replay_at` starts from the best valid snapshot in a store (see
:mod:`timeline.projections.snapshot_validity`) and folds only the *tail*: the events whose
(corrected) ``occurred_at`` is after the snapshot's ``as_of`` and at or before the replay's.
:func:`save_snapshot` stores a state at the cuts it was replayed at; :func:`take_snapshot`
does both. ``replay(..., snapshots=store, save=...)`` hands off to
:func:`replay_with_snapshots`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, Final, TypeVar

from pendulum import DateTime

from timeline.errors import InvalidArgument
from timeline.events import Event
from timeline.log import GENESIS, EventLog, Recorded
from timeline.log.base import Order
from timeline.log.snapshots import Snapshot, SnapshotStore
from timeline.projections.base import Projection, fold
from timeline.projections.resolution import cut_position, instant, meta_index, record_at
from timeline.projections.resolved import resolved_records
from timeline.projections.snapshot_validity import best_snapshot, state_type_of
from timeline.time import to_utc

__all__ = ["replay_at", "replay_with_snapshots", "save_snapshot", "take_snapshot"]

S = TypeVar("S")

#: Later than any instant: the frontier of a state whose latest event is not known.
_LATEST: Final = DateTime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC)


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


def _checked_store(store: object) -> SnapshotStore:
    """``store`` if it has the four methods of a snapshot store."""
    if isinstance(store, SnapshotStore):
        return store
    message = f"a snapshot store needs save, load, list and delete, got {store!r}"
    raise InvalidArgument(message, argument="snapshots", value=store)


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
    index = meta_index(log)
    res = index.resolution(log, limit)
    start = None
    if store is not None and order == "occurred":
        metas = index.upto(log, limit, check=False)  # checked just above
        start = best_snapshot(log, projection, store, cut=as_of, limit=limit, metas=metas, res=res)
    if start is None:
        state, after, frontier = projection.initial(), None, _Frontier(None)
    else:
        snapshot, state = start
        if snapshot.as_of is None:  # it knows every event up to the limit: no tail
            return state, _LATEST
        after, frontier = snapshot.as_of, _Frontier(snapshot.as_of)
    tail = resolved_records(log, res, limit=limit, as_of=as_of, order=order, occurred_after=after)
    return fold(projection, state, frontier.events(tail)), frontier.at


def save_snapshot(
    log: EventLog,
    projection: Projection[S],
    store: SnapshotStore,
    state: S,
    *,
    as_of: DateTime | None,
    limit: int,
) -> Snapshot:
    """Store ``state``, the projection replayed over the first ``limit`` records to ``as_of``.

    For the layers above (live projections, :func:`take_snapshot`): ``as_of`` is a UTC
    instant or ``None``; the snapshot's ``head`` is the hash of the record at ``limit``.

    Raises:
        DecodeError: if the state cannot be stored faithfully.
    """
    record = record_at(log, limit)
    snapshot = Snapshot(
        name=projection.name,
        version=projection.version,
        as_of=as_of,
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
    store: SnapshotStore,
    *,
    cut: DateTime | None,
    limit: int,
    save: bool = False,
) -> S:
    """What ``replay(..., snapshots=store, save=save)`` hands off to, cuts already made.

    ``cut`` is the valid-time cut (a UTC instant or ``None``), ``limit`` the last position
    (the transaction-time cut); the replay is in valid-time order.

    Raises:
        InvalidArgument: if ``store`` is not a snapshot store.
    """
    store = _checked_store(store)
    state, _ = replay_at(log, projection, as_of=cut, limit=limit, store=store)
    if save:
        save_snapshot(log, projection, store, state, as_of=cut, limit=limit)
    return state


def take_snapshot(
    log: EventLog,
    projection: Projection[Any],
    *,
    store: SnapshotStore,
    as_of: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
) -> Snapshot:
    """Replay a projection at these cuts and store the state as a snapshot.

    The replay itself starts from the best valid snapshot already in the store, so taking
    one a day costs a day's events. Take them with an ``as_of`` a little behind the present
    (the start of yesterday, say): reports that arrive late about the last hours then fall
    in the tail and leave the snapshot valid.

    Args:
        log: the log.
        projection: the projection (its ``name`` and ``version`` key the snapshot).
        store: where to keep it (see :func:`~timeline.projections.snapshot_store`).
        as_of: the valid-time cut (``None``: every event).
        known_at: the transaction-time cut (``None``: everything recorded now).

    Returns:
        The stored :class:`~timeline.projections.Snapshot`.

    Raises:
        InvalidArgument: for an ``as_of``/``known_at`` that is not an aware datetime, or a
            ``store`` that is not a snapshot store.
        DecodeError: if the state cannot be stored faithfully (see
            :class:`~timeline.projections.StateCodec`).

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> night = pendulum.datetime(2025, 6, 1, 20)
    >>> _ = log.append([tl.DroneBarrage(occurred_at=night, launched=472)], stream="air")
    >>> store = tl.snapshot_store(log)
    >>> snap = tl.take_snapshot(log, tl.Escalation(), as_of=night, store=store)
    >>> (snap.name, snap.position), tl.replay(log, tl.Escalation(), snapshots=store).drones.launched
    (('escalation', 1), 472)
    """
    store = _checked_store(store)
    cut, limit = instant(as_of, "as_of"), cut_position(log, known_at)
    state, _ = replay_at(log, projection, as_of=cut, limit=limit, store=store)
    return save_snapshot(log, projection, store, state, as_of=cut, limit=limit)
