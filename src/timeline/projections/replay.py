"""Bitemporal replay: fold a projection over the log as it was known, up to a valid time.

Two cuts, both optional:

``known_at`` (transaction time)
    only records the log held by then (``recorded_at <= known_at``). Transaction time never
    runs backwards along the log, so this is a prefix of the log.
``as_of`` (valid time)
    only events that had happened by then: whose ``occurred_at``, as corrected, is
    ``<= as_of``. An interval event (``occurred_until`` set) counts once it has started.
    ``occurred_at`` is compared as stored, whatever its ``time_precision``.

Before folding, the meta events are resolved (see :class:`Resolution`): every event is seen
as corrected by each :class:`~timeline.events.Correction` recorded up to ``known_at`` (in
recorded order, later corrections winning field by field); an event withdrawn by a
:class:`~timeline.events.Retraction` (a link by a
:class:`~timeline.events.CausalLinkRetracted`) recorded by then is left out; a retraction of
a correction or of a retraction undoes it. These take effect by ``known_at`` alone, whatever
their own ``occurred_at``. The projection never sees the corrections and retractions
themselves; it sees every other event, causal links included.

Replay streams: the meta events (few) are read first, then the log is read once, in the
order asked for, in constant memory. Events whose ``occurred_at`` a correction moves are
taken out of the stream and merged back in at their corrected time.
"""

from __future__ import annotations

import operator
import types
import uuid
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeGuard, TypeVar

import attrs
from pendulum import DateTime

from timeline.codec import Codec
from timeline.errors import DecodeError, InvalidEvent
from timeline.events import CausalLinkRetracted, Correction, Event, Retraction
from timeline.log import EventLog, Recorded
from timeline.log.base import Order
from timeline.projections.base import Projection, fold
from timeline.time import parse_utc, to_utc

if TYPE_CHECKING:
    from timeline.projections.snapshots import SnapshotStore

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

#: The event types resolved before folding (never shown to a projection).
META_TYPES: Final = (Correction.TYPE, Retraction.TYPE, CausalLinkRetracted.TYPE)

#: Marks an id the stream leaves out (compared by identity).
_SKIP: Final[Mapping[str, Any]] = types.MappingProxyType({})


def target_of(event: Event) -> uuid.UUID:
    """The id a correction or retraction acts on.

    Raises:
        InvalidEvent: if ``event`` is neither.
    """
    if isinstance(event, Correction):
        return event.corrects
    if isinstance(event, Retraction):
        return event.retracts
    if isinstance(event, CausalLinkRetracted):
        return event.link
    raise InvalidEvent(  # only meta events are ever added
        f"{type(event).__name__} {event.event_id} is not a correction or a retraction",
        field="type",
        value=event.TYPE,
        event_id=event.event_id,
    )


def _withdraws(event: Event | None) -> TypeGuard[Retraction | CausalLinkRetracted]:
    return isinstance(event, (Retraction, CausalLinkRetracted))


class Resolution:
    """The corrections and retractions in force, from meta events added in recorded order.

    A retraction withdraws its target. If the target is itself a correction, the correction
    is undone; if it is a retraction, that retraction is undone (its target comes back,
    unless another retraction still stands). An event's *standing* is the count of
    retractions in force against it, so any chain of retractions resolves in one pass.

    Corrections of an event apply in recorded order, later ones winning field by field;
    :meth:`changes` gives the merged changes of those still in force.

    >>> import pendulum, uuid
    >>> at = pendulum.datetime(2025, 6, 1)
    >>> target = uuid.uuid4()
    >>> fix = Correction(occurred_at=at, corrects=target, changes={"launched": 479})
    >>> res = Resolution()
    >>> _ = res.add(fix)
    >>> res.changes(target)
    {'launched': 479}
    >>> _ = res.add(Retraction(occurred_at=at, retracts=fix.event_id))
    >>> res.changes(target) is None
    True
    """

    def __init__(self) -> None:
        self._metas: dict[uuid.UUID, Event] = {}
        # target -> ids of its corrections, recorded order; lists are replaced, never
        # changed in place, so copy() can share them.
        self._corrections: dict[uuid.UUID, list[uuid.UUID]] = {}
        # id -> how many retractions in force withdraw it (absent: none)
        self._against: dict[uuid.UUID, int] = {}

    @classmethod
    def from_log(
        cls, log: EventLog, *, known_at: Any = None, until: int | None = None
    ) -> Resolution:
        """Read the meta events a log had recorded by ``known_at`` (and up to ``until``).

        Args:
            log: the log.
            known_at: an aware datetime, or ``None`` for everything recorded.
            until: the last position to read, or ``None`` for the end.
        """
        cut = None if known_at is None else to_utc(known_at, field="known_at")
        res = cls()
        for rec in log.read(types=META_TYPES):
            if (until is not None and rec.position > until) or (
                cut is not None and rec.recorded_at > cut
            ):
                break
            res.add(rec.event)
        return res

    def copy(self) -> Resolution:
        """An independent copy (cheap: the lists inside are shared copy-on-write)."""
        new = Resolution()
        new._metas = dict(self._metas)
        new._corrections = dict(self._corrections)
        new._against = dict(self._against)
        return new

    def add(self, event: Event) -> list[uuid.UUID]:
        """Add the next meta event (in recorded order).

        Returns:
            The ids whose standing flipped (withdrawn or back), nearest first: a retraction's
            target, and down the chain when the target was itself a retraction.

        Raises:
            InvalidEvent: if ``event`` is not a correction or a retraction.
        """
        target = target_of(event)
        self._metas[event.event_id] = event
        if isinstance(event, Correction):
            self._corrections[target] = [*self._corrections.get(target, ()), event.event_id]
            return []
        flipped: list[uuid.UUID] = []
        delta = 1
        while True:
            before = self._against.get(target, 0)
            after = before + delta
            if after:
                self._against[target] = after
            else:
                del self._against[target]
            if (before > 0) == (after > 0):
                return flipped
            flipped.append(target)
            meta = self._metas.get(target)
            if not _withdraws(meta):
                return flipped
            # A retraction just lost (or regained) its force: its own target loses (or
            # regains) one retraction against it.
            delta = -1 if after else 1
            target = target_of(meta)

    def withdrawn(self, event_id: uuid.UUID) -> bool:
        """Whether a retraction in force withdraws this event (or correction, or link)."""
        return event_id in self._against

    def meta(self, event_id: uuid.UUID) -> Event | None:
        """The meta event with this id, if it has been added."""
        return self._metas.get(event_id)

    def changes(self, event_id: uuid.UUID) -> dict[str, Any] | None:
        """The merged changes of the corrections of an event in force, or ``None``."""
        ids = self._corrections.get(event_id)
        if ids is None:
            return None
        merged: dict[str, Any] = {}
        for cid in ids:
            if cid not in self._against:
                merged.update(self._metas[cid].changes)  # type: ignore[attr-defined]  # a Correction
        return merged or None

    def corrected(self) -> Iterator[tuple[uuid.UUID, dict[str, Any]]]:
        """Each event with corrections in force, and their merged changes."""
        for event_id in self._corrections:
            merged = self.changes(event_id)
            if merged is not None:
                yield event_id, merged

    def withdrawn_ids(self) -> Iterator[uuid.UUID]:
        """Every id withdrawn by a retraction in force."""
        return iter(self._against)

    def meta_ids(self) -> Iterator[uuid.UUID]:
        """The id of every meta event added."""
        return iter(self._metas)

    def corrections_of(self, event_id: uuid.UUID) -> tuple[Correction, ...]:
        """Every correction of an event added so far, in force or not, in recorded order."""
        return tuple(self._metas[c] for c in self._corrections.get(event_id, ()))  # type: ignore[misc]  # Corrections by construction

    def resolve(self, codec: Codec, event: Event) -> Event:
        """The event as corrected by the corrections in force (itself if there are none).

        Raises:
            InvalidEvent: if the corrected values are refused (a log without the correction
                guard may hold such corrections).
        """
        merged = self.changes(event.event_id)
        return event if merged is None else apply_changes(codec, event, merged)

    def __len__(self) -> int:
        return len(self._metas)


def apply_changes(codec: Codec, event: Event, changes: Mapping[str, Any]) -> Event:
    """The event with some fields replaced by values in their stored (JSON) form.

    The values are structured through the codec as the event's type defines its fields, so
    the result is built, converted and validated exactly as a decoded event would be.

    Raises:
        InvalidEvent: naming the field and value the type refuses, or a field it lacks.

    >>> import pendulum
    >>> from timeline.codec import Codec
    >>> from timeline.events import DroneBarrage
    >>> barrage = DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1), launched=472)
    >>> apply_changes(Codec(), barrage, {"launched": 479}).launched
    479
    """
    data = codec.to_dict(event)
    kind = type(event).__name__
    for name, value in changes.items():
        if name not in data or name in ("type", "version", "event_id"):
            raise InvalidEvent(
                f"{kind} has no field {name!r} that a correction may change "
                f"(asked to set it to {value!r})",
                field=name,
                value=value,
                event_id=event.event_id,
            )
    data.update(changes)
    try:
        return codec.from_dict(data)
    except DecodeError as e:
        name, value = _culprit(codec, event, changes)
        raise InvalidEvent(
            f"{kind}.{name} cannot be {value!r}: {e.reason}",
            field=name,
            value=value,
            event_id=event.event_id,
        ) from e


def _culprit(codec: Codec, event: Event, changes: Mapping[str, Any]) -> tuple[str, Any]:
    """The first changed field that cannot be read on its own (the first one, if all can)."""
    base = codec.to_dict(event)
    for name, value in changes.items():
        try:
            codec.from_dict({**base, name: value})
        except (DecodeError, InvalidEvent):
            return name, value
    return next(iter(changes.items()))


# -- replay ----------------------------------------------------------------------------------


def _check_order(order: object) -> Order:
    if order not in ("recorded", "occurred"):
        raise InvalidEvent(
            f"order must be 'recorded' or 'occurred', got {order!r}", field="order", value=order
        )
    return order


def replay_records(
    log: EventLog,
    *,
    as_of: Any = None,
    known_at: Any = None,
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
        InvalidEvent: for a naive ``as_of``/``known_at`` or an unknown ``order``.
    """
    order = _check_order(order)
    cut = None if as_of is None else to_utc(as_of, field="as_of")
    known = None if known_at is None else to_utc(known_at, field="known_at")
    limit = len(log)
    res = Resolution.from_log(log, known_at=known, until=limit)
    return resolved_records(log, res, limit=limit, as_of=cut, known_at=known, order=order)


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
    events recorded up to ``limit`` (the last position to read), and ``as_of`` and
    ``known_at`` are UTC instants (or ``None``). ``occurred_after`` (valid-time order only)
    keeps only the events whose corrected ``occurred_at`` is later than it: the tail after
    a snapshot.
    """
    codec = log.codec
    cut, known, low = as_of, known_at, occurred_after
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
    if order == "recorded":
        if low is not None:
            raise InvalidEvent(
                "occurred_after needs order='occurred'", field="occurred_after", value=low
            )
        return _by_position(
            log.read(), limit=limit, special=special, codec=codec, cut=cut, known=known
        )
    records = log.read(order="occurred", occurred_after=low, occurred_by=cut)
    stream = _by_occurrence(
        records, limit=limit, special=special, codec=codec, cut=cut, known=known
    )
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


def _by_occurrence(
    records: Iterator[Recorded],
    *,
    limit: int,
    special: dict[int, Mapping[str, Any]],
    codec: Codec,
    cut: Any,
    known: Any,
) -> Iterator[Recorded]:
    get = special.get
    skip = _SKIP
    for rec in records:
        event = rec.event
        if cut is not None and event.occurred_at > cut:
            return  # sorted by occurred_at; moved events come from their own list
        if rec.position > limit or (known is not None and rec.recorded_at > known):
            continue
        if not special:
            yield rec
            continue
        found = get(event.event_id.int)
        if found is None:
            yield rec
        elif found is not skip:
            yield attrs.evolve(rec, event=apply_changes(codec, event, found))


def _by_position(
    records: Iterator[Recorded],
    *,
    limit: int,
    special: dict[int, Mapping[str, Any]],
    codec: Codec,
    cut: Any,
    known: Any,
) -> Iterator[Recorded]:
    get = special.get
    skip = _SKIP
    for rec in records:
        if rec.position > limit or (known is not None and rec.recorded_at > known):
            return  # recorded_at never decreases along positions
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
    as_of: Any = None,
    known_at: Any = None,
    order: Order = "occurred",
) -> Iterator[Event]:
    """The events a projection is folded over: resolved, cut and ordered.

    See :func:`replay_records` (this is its ``.event`` of each record), and :func:`replay`.
    """
    return map(
        operator.attrgetter("event"),
        replay_records(log, as_of=as_of, known_at=known_at, order=order),
    )


def replay(
    log: EventLog,
    projection: Projection[S],
    *,
    as_of: Any = None,
    known_at: Any = None,
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
        snapshots: a :class:`~timeline.projections.snapshots.SnapshotStore` (see
            :func:`~timeline.projections.snapshots.snapshot_store`): start from the best
            snapshot that is valid for these cuts and fold only the events after it (in
            valid-time order only). The answer is the same as without it.
        save: with ``snapshots``, store the result as a snapshot at these cuts.

    Returns:
        The projection's final state.

    Raises:
        InvalidEvent: for a naive ``as_of``/``known_at``, an unknown ``order``, or
            ``snapshots`` with ``order="recorded"``.

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> at = pendulum.datetime(2025, 6, 1, 22)
    >>> barrage = tl.DroneBarrage(occurred_at=at, attacker="Russia", launched=472)
    >>> _ = log.append([barrage], stream="air")
    >>> _ = log.append([tl.Correction(occurred_at=at, corrects=barrage.event_id,
    ...                               changes={"launched": 479})], stream="air")
    >>> class Launched:
    ...     name, version = "launched", 1
    ...     def initial(self): return 0
    ...     def apply(self, state, event): return state + (event.launched or 0)
    >>> replay(log, Launched())
    479
    """
    if snapshots is not None:
        from timeline.projections import snapshots as snapshots_  # noqa: PLC0415  # it imports this module

        return snapshots_.replay_with_snapshots(
            log,
            projection,
            as_of=as_of,
            known_at=known_at,
            order=order,
            store=snapshots,
            save=save,
        )
    if save:
        raise InvalidEvent("save=True needs a snapshot store", field="save", value=save)
    events = replay_events(log, as_of=as_of, known_at=known_at, order=order)
    return fold(projection, projection.initial(), events)
