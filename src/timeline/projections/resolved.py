"""The resolved stream: the log's records as a projection sees them, cut and ordered.

Before folding, the meta events are resolved (see
:class:`~timeline.projections.resolution.Resolution`): every event is seen as corrected by
each :class:`~timeline.events.Correction` recorded up to ``known_at`` (in recorded order,
later corrections winning field by field); an event withdrawn by a
:class:`~timeline.events.Retraction` (a link by a
:class:`~timeline.events.CausalLinkRetracted`) recorded by then is left out; a retraction of
a correction or of a retraction undoes it. These take effect by ``known_at`` alone, whatever
their own ``occurred_at``. The projection never sees the corrections and retractions
themselves; it sees every other event, causal links included.

The stream: the meta events (few, and cached per log) are resolved first, then the log is
read once, in the order asked for, in constant memory. Events whose ``occurred_at`` a
correction moves are taken out of the stream and merged back in at their corrected time.
"""

from __future__ import annotations

import datetime as dt
import operator
import types
from collections.abc import Iterator, Mapping
from typing import Any, Final

import attrs
from pendulum import DateTime

from timeline.codec import Codec
from timeline.errors import InvalidArgument, InvalidEvent
from timeline.events import Event
from timeline.log import EventLog, Recorded
from timeline.log.base import Order
from timeline.projections.resolution import (
    Resolution,
    apply_changes,
    cut_position,
    instant,
    meta_index,
)
from timeline.time import parse_utc

__all__ = ["check_order", "replay_events", "replay_records", "resolved_records"]

#: Marks an id the stream leaves out (compared by identity).
_SKIP: Final[Mapping[str, Any]] = types.MappingProxyType({})


def check_order(order: object) -> Order:
    """``order`` if it is ``"recorded"`` or ``"occurred"``.

    Raises:
        InvalidArgument: otherwise.
    """
    if order not in ("recorded", "occurred"):
        raise InvalidArgument(
            f"order must be 'recorded' or 'occurred', got {order!r}", argument="order", value=order
        )
    return order


def replay_records(
    log: EventLog,
    *,
    as_of: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
    order: Order = "occurred",
) -> Iterator[Recorded]:
    """The log's records as a projection sees them: resolved, cut and ordered.

    Each :class:`~timeline.log.Recorded` is the one stored, except that ``event`` is the
    event as corrected (its ``hash`` remains that of the stored original). Corrections and
    retractions are not yielded.

    The meta events are read when this is called; the rest of the log is read lazily as the
    iterator is consumed, up to the position the log had reached at the call, so events
    appended meanwhile never appear half-resolved.

    Args:
        log: the log.
        as_of: valid time: only events whose (corrected) ``occurred_at`` is ``<= as_of``.
        known_at: transaction time: only what the log had recorded by then.
        order: ``"occurred"`` (valid time, ties by position) or ``"recorded"`` (position).

    Raises:
        InvalidArgument: for an ``as_of``/``known_at`` that is not an aware datetime, or an
            unknown ``order``.
    """
    order = check_order(order)
    cut = instant(as_of, "as_of")
    limit = cut_position(log, known_at)
    res = meta_index(log).resolution(log, limit)
    return resolved_records(log, res, limit=limit, as_of=cut, order=order)


@attrs.frozen
class _Plan:
    """What a pass over the stored records needs to resolve and cut each one."""

    limit: int
    special: dict[int, Mapping[str, Any]]  # id's int -> changes in force, or _SKIP
    codec: Codec
    cut: DateTime | None


def resolved_records(
    log: EventLog,
    res: Resolution,
    *,
    limit: int,
    as_of: DateTime | None = None,
    known_at: DateTime | None = None,
    order: Order = "occurred",
    occurred_after: DateTime | None = None,
) -> Iterator[Recorded]:
    """The records of :func:`replay_records`, given the resolution and the last position.

    For the layers built on replay (snapshots, live projections): ``res`` holds the meta
    events recorded up to ``limit`` (the last position to read: the transaction-time cut),
    and ``as_of`` is a UTC instant (or ``None``). ``known_at``, if given, lowers ``limit``
    to the last position recorded by then (:func:`~timeline.projections.resolution.cut_position`).
    ``occurred_after`` (valid-time order only) keeps only the events whose corrected
    ``occurred_at`` is later than it: the tail after a snapshot.

    Raises:
        InvalidArgument: for ``occurred_after`` with ``order="recorded"``.
    """
    if known_at is not None:
        limit = min(limit, cut_position(log, known_at))
    codec = log.codec
    cut, low = as_of, occurred_after
    # Keyed by the id's integer: hashing an int is much cheaper than a UUID, per event.
    special: dict[int, Mapping[str, Any]] = {i.int: _SKIP for i in res.meta_ids()}
    special.update((i.int, _SKIP) for i in res.withdrawn_ids())
    moved: list[Recorded] = []
    for event_id, changes in res.corrected():
        if event_id.int in special:
            continue
        if order == "occurred" and "occurred_at" in changes:
            # Folded at its corrected time: taken out of the stream, merged back in below.
            special[event_id.int] = _SKIP
            if _outside(changes["occurred_at"], cut, low):
                continue  # not wanted here, so not read (a tail after a snapshot)
            rec = log.get(event_id)
            fixed = attrs.evolve(rec, event=apply_changes(codec, rec.event, changes))
            at = fixed.event.occurred_at
            if (cut is None or at <= cut) and (low is None or at > low):
                moved.append(fixed)
        else:
            special[event_id.int] = changes
    plan = _Plan(limit, special, codec, cut)
    if order == "recorded":
        if low is not None:
            raise InvalidArgument(
                "occurred_after needs order='occurred'", argument="occurred_after", value=low
            )
        return _by_position(log.read(), plan)
    stream = _by_occurrence(log.read(order="occurred", occurred_after=low, occurred_by=cut), plan)
    if not moved:
        return stream
    moved.sort(key=lambda r: (r.event.occurred_at, r.position))
    return _merge(stream, moved)


def _outside(value: object, cut: DateTime | None, low: DateTime | None) -> bool:
    """Whether a corrected ``occurred_at`` (as stored) is surely outside ``(low, cut]``.

    ``False`` when it is inside, or cannot be read (the event is then corrected in full,
    which reports the bad value).
    """
    if low is None and cut is None:
        return False
    try:
        at = parse_utc(value, field="occurred_at") if isinstance(value, str) else None
    except InvalidEvent:
        return False
    return at is not None and ((cut is not None and at > cut) or (low is not None and at <= low))


def _merge(stream: Iterator[Recorded], moved: list[Recorded]) -> Iterator[Recorded]:
    """Merge two runs sorted by (occurred_at, position); ``moved`` is short and not empty.

    Like :func:`heapq.merge`, but costs one comparison per streamed record while the next
    moved record is later (the usual case), and builds no key tuples.
    """
    rest = iter(moved)
    first = next(rest)
    at = first.event.occurred_at
    upcoming: Recorded | None = first
    for rec in stream:
        if upcoming is not None and at <= rec.event.occurred_at:
            occurred, position = rec.event.occurred_at, rec.position
            while upcoming is not None and (
                at < occurred or (at == occurred and upcoming.position < position)
            ):
                yield upcoming
                upcoming = next(rest, None)
                if upcoming is not None:
                    at = upcoming.event.occurred_at
        yield rec
    if upcoming is not None:
        yield upcoming
        yield from rest


def _by_occurrence(records: Iterator[Recorded], plan: _Plan) -> Iterator[Recorded]:
    """Valid-time order: skip past the cut positions, stop past ``as_of``, resolve."""
    limit, special, codec, cut = plan.limit, plan.special, plan.codec, plan.cut
    get = special.get
    skip = _SKIP
    for rec in records:
        event = rec.event
        if cut is not None and event.occurred_at > cut:
            return  # sorted by occurred_at; moved events come from their own list
        if rec.position > limit:
            continue
        if not special:
            yield rec
            continue
        found = get(event.event_id.int)
        if found is None:
            yield rec
        elif found is not skip:
            yield attrs.evolve(rec, event=apply_changes(codec, event, found))


def _by_position(records: Iterator[Recorded], plan: _Plan) -> Iterator[Recorded]:
    """Position order: stop past the cut position, skip past ``as_of``, resolve."""
    limit, special, codec, cut = plan.limit, plan.special, plan.codec, plan.cut
    get = special.get
    skip = _SKIP
    for rec in records:
        if rec.position > limit:
            return
        event = rec.event
        if special:
            found = get(event.event_id.int)
            if found is skip:
                continue
            if found is not None:
                event = apply_changes(codec, event, found)
                rec = attrs.evolve(rec, event=event)  # noqa: PLW2901  # the resolved record replaces the stored one
        if cut is None or event.occurred_at <= cut:
            yield rec


def replay_events(
    log: EventLog,
    *,
    as_of: dt.datetime | None = None,
    known_at: dt.datetime | None = None,
    order: Order = "occurred",
) -> Iterator[Event]:
    """The events a projection is folded over: resolved, cut and ordered.

    See :func:`replay_records` (this is its ``.event`` of each record), and
    :func:`~timeline.projections.replay`.
    """
    return map(
        operator.attrgetter("event"),
        replay_records(log, as_of=as_of, known_at=known_at, order=order),
    )
