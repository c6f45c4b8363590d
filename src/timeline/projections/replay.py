"""Bitemporal replay: fold a projection over the log as it was known, up to a valid time.

Two cuts, both optional:

``known_at`` (transaction time)
    only records the log held by then (``recorded_at <= known_at``). Transaction time never
    runs backwards along the log, so this is a prefix of the log.
``as_of`` (valid time)
    only events that had happened by then: whose ``occurred_at``, as corrected, is
    ``<= as_of``. An interval event (``occurred_until`` set) counts once it has started.
    ``occurred_at`` is compared as stored, whatever its ``time_precision``.

Before folding, the meta events are resolved (see :class:`Resolution`, and the stream
:func:`replay_events` gives): the projection sees each event as corrected by everything
recorded up to ``known_at``, and never sees the corrections and retractions themselves.

:func:`replay` folds that stream. Given a snapshot store, it hands off to the snapshot layer
(:mod:`timeline.projections.snapshot_replay`), which starts from the best valid snapshot
and folds the rest: the answer is the same.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from timeline.errors import InvalidArgument
from timeline.log import EventLog
from timeline.log.base import Order
from timeline.log.snapshots import SnapshotStore
from timeline.projections.base import Projection, fold
from timeline.projections.resolution import (
    META_TYPES,
    Resolution,
    apply_changes,
    cut_position,
    instant,
    target_of,
)
from timeline.projections.resolved import (
    check_order,
    replay_events,
    replay_records,
    resolved_records,
)
from timeline.projections.snapshot_replay import replay_with_snapshots

__all__ = [
    "META_TYPES",
    "Resolution",
    "apply_changes",
    "replay",
    "replay_events",
    "replay_records",
    "resolved_records",
    "target_of",
]

S = TypeVar("S")


def replay(
    log: EventLog,
    projection: Projection[S],
    *,
    as_of: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
    order: Order = "occurred",
    snapshots: SnapshotStore | None = None,
    save: bool = False,
) -> S:
    """Fold a projection over the log, bitemporally.

    "What did we know at 08:00 on 2 June about 1 June?" is
    ``replay(log, p, as_of=<end of 1 June>, known_at=<2 June 08:00>)``.

    Args:
        log: the log.
        projection: the projection (see :class:`~timeline.projections.Projection`).
        as_of: valid time: only events whose (corrected) ``occurred_at`` is ``<= as_of``
            (an interval event counts once it has started). An aware datetime.
        known_at: transaction time: only records with ``recorded_at <= known_at``, and only
            the corrections and retractions recorded by then. An aware datetime.
        order: ``"occurred"`` (default: valid time, ties by position) or ``"recorded"``
            (position order).
        snapshots: a :class:`~timeline.projections.SnapshotStore` (see
            :func:`~timeline.projections.snapshot_store`): start from the best snapshot
            that is valid for these cuts and fold only the events after it (in valid-time
            order only). The answer is the same as without it.
        save: with ``snapshots``, store the result as a snapshot at these cuts.

    Returns:
        The projection's final state.

    Raises:
        InvalidArgument: for an ``as_of``/``known_at`` that is not an aware datetime, an
            unknown ``order``, a ``projection`` that is not one, ``snapshots`` with
            ``order="recorded"`` or that is not a snapshot store, or ``save`` without
            ``snapshots``.

    >>> import pendulum, timeline as tl
    >>> log, night = tl.open_log("memory:"), pendulum.datetime(2025, 6, 1, 22)
    >>> first = tl.DroneBarrage(occurred_at=night, launched=472)
    >>> fix = tl.Correction(occurred_at=night, corrects=first.event_id, changes={"launched": 479})
    >>> _ = log.append([first], stream="air"), log.append([fix], stream="air")
    >>> class Launched:
    ...     name, version = "launched", 1
    ...     def initial(self): return 0
    ...     def apply(self, state, event): return state + (event.launched or 0)
    >>> replay(log, Launched())
    479
    """
    if isinstance(projection, type):
        name = projection.__name__
        raise InvalidArgument(
            f"projection must be an instance, got the class {name}: pass {name}(), not {name}",
            argument="projection",
            value=projection,
        )
    if not callable(getattr(projection, "initial", None)):
        raise InvalidArgument(
            f"projection must have initial() and apply(state, event), got {projection!r}",
            argument="projection",
            value=projection,
        )
    if snapshots is None:
        if save:
            raise InvalidArgument("save=True needs a snapshot store", argument="save", value=save)
        events = replay_events(log, as_of=as_of, known_at=known_at, order=order)
        return fold(projection, projection.initial(), events)
    if check_order(order) != "occurred":
        raise InvalidArgument(
            f"snapshots serve replays in valid-time order (order='occurred'), got {order!r}",
            argument="order",
            value=order,
        )
    cut, limit = instant(as_of, "as_of"), cut_position(log, known_at)
    return replay_with_snapshots(log, projection, snapshots, cut=cut, limit=limit, save=save)
