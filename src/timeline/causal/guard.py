"""The causality guard: causal links are checked before they are stored.

:func:`timeline.open_log` wires a :class:`CausalityGuard` into every log (see
:func:`timeline.store.standard_guards`). The log runs it inside each append, under the write
lock and before anything is written, so a refused batch leaves the log as it was. (The log
itself already refuses a link naming an event it does not hold, with
:class:`~timeline.errors.UnknownEvent`.)

Each :class:`~timeline.events.CausalLink` of a batch is checked against the graph as it is
currently known: every link recorded so far and not retracted, plus the earlier links of the
same batch, between events as corrected by everything recorded so far (and by earlier
corrections in the batch). It refuses:

- with :class:`~timeline.errors.CausalityError`, a link whose cause comes after its effect
  (:func:`~timeline.causal.timing.time_conflict`), and a link that would close a cycle
  (``reason``: "would close a cycle: a → b → ... → a");
- with :class:`~timeline.errors.UnknownEvent`, a link naming an event that a retraction in
  force withdraws;
- with :class:`~timeline.errors.InvalidEvent`, a link whose cause or effect is not an event of
  the world (a correction, a retraction, or another link).

It also refuses, with :class:`~timeline.errors.CausalityError`, a correction (or a retraction
that undoes or restores one) that would move a linked event so that one of its links goes
back in time, and a retraction that would bring back a retracted link that now goes back in
time or closes a cycle.

Links count for cycles whatever their ends' standing: a link to a retracted event comes back
with the event if the retraction is itself retracted, so it must not make a cycle then.

Cost: the guard keeps, per log, the links and the corrections and retractions already stored
(read once, then only the new ones at each append that needs them) and a topological order of
the linked events (Pearce and Kelly's dynamic order). A link that agrees with that order (a
cause that was first seen before its effect, as in a log kept in time order) is checked in
constant time; one that does not is checked by walking the links between the two events'
places in the order, never the whole graph. Appends without links, retractions or changes of
time cost a scan of the batch's types.
"""

from __future__ import annotations

import heapq
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

import attrs

from timeline.causal.timing import bounds, time_conflict
from timeline.errors import CausalityError, InvalidEvent, UnknownEvent
from timeline.events import CausalLink, CausalLinkRetracted, Correction, Event, Retraction
from timeline.log import EventLog, Recorded
from timeline.projections.resolution import Resolution, meta_index

__all__ = ["CausalityGuard"]

#: The fields whose change moves an event in time.
TIME_FIELDS: Final = frozenset({"occurred_at", "occurred_until", "time_precision"})
_NOT_WORLD: Final = (CausalLink, Correction, Retraction, CausalLinkRetracted)


def _relevant(event: Event) -> bool:
    if isinstance(event, (CausalLink, Retraction, CausalLinkRetracted)):
        return True
    return isinstance(event, Correction) and not TIME_FIELDS.isdisjoint(event.changes)


@attrs.define
class _Known:
    """What the guard has read of one log, up to ``position``."""

    position: int = 0
    generation: int = 0  # the log's meta index's, when this was started
    resolution: Resolution = attrs.field(factory=Resolution)  # a copy of the index's
    ends: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = attrs.field(factory=dict)  # link ends
    out: dict[uuid.UUID, list[uuid.UUID]] = attrs.field(factory=dict)  # event -> its link ids
    into: dict[uuid.UUID, list[uuid.UUID]] = attrs.field(factory=dict)
    order: dict[uuid.UUID, int] = attrs.field(factory=dict)  # a topological order of events
    low: int = 0
    high: int = 0
    spans: dict[uuid.UUID, tuple[int, int]] = attrs.field(factory=dict)  # corrected bounds
    acyclic: bool = True  # False if the stored links hold a cycle (written without the guard)


class CausalityGuard:
    """Checks causal links at append time (a :data:`~timeline.log.Guard`).

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> at = pendulum.datetime(2025, 6, 1, 12)
    >>> a = tl.Statement(occurred_at=at, speaker="A", text="first")
    >>> b = tl.Statement(occurred_at=at.add(hours=1), speaker="B", text="second")
    >>> _ = log.append([a, b], stream="s")
    >>> back = tl.CausalLink(occurred_at=at, cause=b.event_id, effect=a.event_id,
    ...                      relation="response")
    >>> log.append([back], stream="links")
    Traceback (most recent call last):
    ...
    timeline.errors.CausalityError: CausalLink ... refused: the cause occurred at ...
    >>> len(log)
    2
    """

    def __init__(self) -> None:
        self._known: weakref.WeakKeyDictionary[EventLog, _Known] = weakref.WeakKeyDictionary()

    def __call__(self, log: EventLog, batch: Sequence[Event]) -> None:
        """Check a batch about to be appended to ``log``; raise to refuse it."""
        if not any(_relevant(event) for event in batch):
            return
        _Check(log, self._stored(log), batch).run()

    def _stored(self, log: EventLog) -> _Known:
        """What the log holds, catching up on records appended since the last call.

        The corrections and retractions come from the log's one meta index (each with what
        it flipped when it was resolved), the links from a read of the new ones; both are
        taken in position order.
        """
        end = len(log)
        known, metas = self._since(log, end)
        links = _links(log, after=known.position, end=end)
        for record, flipped in heapq.merge(links, metas, key=_position):
            event = record.event
            if flipped is None:
                if isinstance(event, CausalLink):  # read as links
                    _store_link(known, event)
                continue
            for changed in _affected(known.resolution, flipped, event):
                known.spans.pop(changed, None)
            for changed in flipped:
                if changed in known.ends and not known.resolution.withdrawn(changed):
                    _restore_link(known, changed)
        known.position = end
        return known

    def _since(
        self, log: EventLog, end: int
    ) -> tuple[_Known, list[tuple[Recorded, list[uuid.UUID]]]]:
        """What the guard knew of the log, and the meta events recorded since, up to ``end``.

        Starts afresh if the log shrank or its meta index did (a rewritten log).
        """
        index = meta_index(log)
        known = self._known.get(log)
        if known is not None and known.position <= end:
            metas = index.since(log, known.position, end, check=False)
            if index.generation == known.generation:
                if metas:
                    known.resolution = index.resolution(log, end, check=False)
                return known, metas
        known = self._known[log] = _Known(generation=index.generation)
        metas = index.since(log, 0, end, check=False)
        known.generation = index.generation
        known.resolution = index.resolution(log, end, check=False)
        return known, metas


def _links(
    log: EventLog, *, after: int, end: int
) -> Iterator[tuple[Recorded, list[uuid.UUID] | None]]:
    """The links recorded after ``after`` up to ``end``, in position order (none flipped)."""
    for record in log.read(after=after, types=CausalLink.TYPE):
        if record.position > end:
            return
        yield record, None


def _position(entry: tuple[Recorded, Iterable[uuid.UUID] | None]) -> int:
    return entry[0].position


def _affected(
    resolution: Resolution, flipped: list[uuid.UUID], event: Event
) -> Iterator[uuid.UUID]:
    """Events whose time may have moved: targets of time corrections added, undone or restored."""
    for meta in (event, *(resolution.meta(changed) for changed in flipped)):
        if isinstance(meta, Correction) and not TIME_FIELDS.isdisjoint(meta.changes):
            yield meta.corrects


def _store_link(known: _Known, link: CausalLink) -> None:
    """Add a stored link to what the guard knows, keeping the order topological."""
    known.ends[link.event_id] = (link.cause, link.effect)
    known.out.setdefault(link.cause, []).append(link.event_id)
    known.into.setdefault(link.effect, []).append(link.event_id)
    _restore_link(known, link.event_id)


def _restore_link(known: _Known, link: uuid.UUID) -> None:
    """Keep the order topological for a stored link in force (note a stored cycle)."""
    cause, effect = known.ends[link]
    if known.acyclic and _Order(known, {}, {}).insert(cause, effect) is not None:
        known.acyclic = False


class _Order:
    """The dynamic topological order (Pearce and Kelly 2006) over links known and pending.

    Keys are ints; an event first seen as a cause gets a key below all others, one first seen
    as an effect a key above all others, so links in a log kept in time order rarely need
    any reordering.
    """

    def __init__(
        self,
        known: _Known,
        pending_ends: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]],
        pending_out: dict[uuid.UUID, list[uuid.UUID]],
        pending_into: dict[uuid.UUID, list[uuid.UUID]] | None = None,
        active: Callable[[uuid.UUID], bool] | None = None,
    ) -> None:
        self.known = known
        self.pending_ends = pending_ends
        self.pending_out = pending_out
        self.pending_into = pending_into if pending_into is not None else {}
        self.active = active if active is not None else self._standing

    def _standing(self, link: uuid.UUID) -> bool:
        return not self.known.resolution.withdrawn(link)

    def _ends(self, link: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
        found = self.pending_ends.get(link)
        return found if found is not None else self.known.ends[link]

    def successors(self, node: uuid.UUID) -> Iterator[tuple[uuid.UUID, uuid.UUID]]:
        """(link, effect) for each link in force from ``node``."""
        for table in (self.known.out, self.pending_out):
            for link in table.get(node, ()):
                if self.active(link):
                    yield link, self._ends(link)[1]

    def predecessors(self, node: uuid.UUID) -> Iterator[tuple[uuid.UUID, uuid.UUID]]:
        """(link, cause) for each link in force into ``node``."""
        for table in (self.known.into, self.pending_into):
            for link in table.get(node, ()):
                if self.active(link):
                    yield link, self._ends(link)[0]

    def _key(self, node: uuid.UUID, *, as_cause: bool) -> int:
        order = self.known.order
        key = order.get(node)
        if key is None:
            if as_cause:
                self.known.low -= 1
                key = order[node] = self.known.low
            else:
                self.known.high += 1
                key = order[node] = self.known.high
        return key

    def insert(self, cause: uuid.UUID, effect: uuid.UUID) -> list[uuid.UUID] | None:
        """Make room for a link cause → effect in the order.

        Returns:
            ``None`` if the link closes no cycle; else the path effect → ... → cause that it
            would close (the order is left unchanged then).
        """
        if cause == effect:
            return [effect]
        upper = self._key(cause, as_cause=True)
        lower = self._key(effect, as_cause=False)
        if not self.known.acyclic:
            return self._path(effect, cause, lambda _: True)
        if upper < lower:
            return None
        order = self.known.order
        cycle = self._path(effect, cause, lambda n: order[n] <= upper)
        if cycle is not None:
            return cycle
        ahead = self._reach(effect, forward=True, keep=lambda n: order[n] < upper)
        behind = self._reach(cause, forward=False, keep=lambda n: order[n] > lower)
        moved = sorted(behind, key=order.__getitem__) + sorted(ahead, key=order.__getitem__)
        keys = sorted(order[n] for n in moved)
        order.update(zip(moved, keys, strict=True))
        return None

    def _path(
        self, start: uuid.UUID, goal: uuid.UUID, keep: Callable[[uuid.UUID], bool]
    ) -> list[uuid.UUID] | None:
        """A path start → ... → goal through nodes that ``keep`` admits, or ``None``."""
        parents: dict[uuid.UUID, uuid.UUID | None] = {start: None}
        stack = [start]
        while stack:
            node = stack.pop()
            for _, nxt in self.successors(node):
                if nxt in parents or nxt not in self.known.order or not keep(nxt):
                    continue
                parents[nxt] = node
                if nxt == goal:
                    path = [goal]
                    back = parents[goal]
                    while back is not None:
                        path.append(back)
                        back = parents[back]
                    return path[::-1]
                stack.append(nxt)
        return None

    def _reach(
        self, start: uuid.UUID, *, forward: bool, keep: Callable[[uuid.UUID], bool]
    ) -> set[uuid.UUID]:
        seen = {start}
        stack = [start]
        step = self.successors if forward else self.predecessors
        while stack:
            for _, nxt in step(stack.pop()):
                if nxt not in seen and keep(nxt):
                    seen.add(nxt)
                    stack.append(nxt)
        return seen


class _Check:
    """One batch's check: the stored state plus what the batch has added so far."""

    def __init__(self, log: EventLog, known: _Known, batch: Sequence[Event]) -> None:
        self.log = log
        self.known = known
        self.batch = batch
        self.resolution = known.resolution  # copied before the first meta event is added
        self.copied = False
        self.earlier: dict[uuid.UUID, Event] = {}
        self.ends: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]] = {}
        self.out: dict[uuid.UUID, list[uuid.UUID]] = {}
        self.into: dict[uuid.UUID, list[uuid.UUID]] = {}
        self.spans: dict[uuid.UUID, tuple[int, int]] = {}  # bounds that depend on the batch
        self.moved: set[uuid.UUID] = set()  # events whose corrections the batch changed
        self.order = _Order(known, self.ends, self.out, self.into, self._active)

    def _active(self, link: uuid.UUID) -> bool:
        return not self.resolution.withdrawn(link)

    def run(self) -> None:
        for event in self.batch:
            if isinstance(event, CausalLink):
                self.link(event)
            elif isinstance(event, (Correction, Retraction, CausalLinkRetracted)):
                self.meta(event)
            self.earlier[event.event_id] = event

    # -- looking things up --------------------------------------------------------------------

    def stored(self, event_id: uuid.UUID) -> Event:
        """The event as appended (earlier in the batch, or in the log)."""
        found = self.earlier.get(event_id)
        return found if found is not None else self.log.get(event_id).event

    def current(self, event_id: uuid.UUID) -> Event:
        """The event as corrected by everything recorded so far and earlier in the batch."""
        return self.resolution.resolve(self.log.codec, self.stored(event_id))

    def span(self, event_id: uuid.UUID) -> tuple[int, int]:
        found = self.spans.get(event_id)
        if found is not None:
            return found
        if event_id not in self.moved and event_id not in self.earlier:
            cached = self.known.spans.get(event_id)
            if cached is None:
                cached = self.known.spans[event_id] = bounds(self.current(event_id))
            return cached
        found = self.spans[event_id] = bounds(self.current(event_id))
        return found

    def describe(self, event_id: uuid.UUID) -> str:
        return f"{self.current(event_id).headline()} [{str(event_id)[:8]}]"

    # -- the checks -----------------------------------------------------------------------------

    def link(self, link: CausalLink) -> None:
        for name, end in (("cause", link.cause), ("effect", link.effect)):
            target = self.stored(end)
            if isinstance(target, _NOT_WORLD):
                raise InvalidEvent(
                    f"CausalLink {link.event_id} refused: its {name} {end} is a "
                    f"{type(target).__name__}; a link joins two events of the world",
                    field=name,
                    value=end,
                    event_id=link.event_id,
                )
            if self.resolution.withdrawn(end):
                raise UnknownEvent(
                    f"CausalLink {link.event_id} refused: its {name} {end} has been retracted",
                    event_id=end,
                )
        self.ends[link.event_id] = (link.cause, link.effect)
        self.add_edge(link.cause, link.effect, f"CausalLink {link.event_id}")
        self.out.setdefault(link.cause, []).append(link.event_id)
        self.into.setdefault(link.effect, []).append(link.event_id)

    def add_edge(self, cause: uuid.UUID, effect: uuid.UUID, what: str) -> None:
        """Check that a link about to come into force goes forward and closes no cycle."""
        self.check_time(cause, effect, what)
        cycle = self.order.insert(cause, effect)
        if cycle is not None:
            names = [self.describe(n) for n in [cause, *cycle]]
            reason = "would close a cycle: " + " → ".join(names)
            raise CausalityError(
                f"{what} refused: it {reason}", cause=cause, effect=effect, reason=reason
            )

    def check_time(self, cause: uuid.UUID, effect: uuid.UUID, what: str) -> None:
        if self.span(cause)[0] <= self.span(effect)[1]:
            return
        reason = time_conflict(self.current(cause), self.current(effect))
        if reason is None:  # the same rule on the same events: cannot happen
            return
        raise CausalityError(f"{what} refused: {reason}", cause=cause, effect=effect, reason=reason)

    def meta(self, event: Event) -> None:
        if not self.copied:
            self.resolution = self.resolution.copy()
            self.copied = True
        flipped = self.resolution.add(event)
        what = f"{type(event).__name__} {event.event_id}"
        for changed in _affected(self.resolution, flipped, event):
            self.moved.add(changed)
            self.spans.pop(changed, None)
            self.recheck(changed, what)
        for changed in flipped:
            if (changed in self.known.ends or changed in self.ends) and self._active(changed):
                cause, effect = self.order._ends(changed)  # noqa: SLF001  # our own helper
                self.add_edge(cause, effect, f"{what} (restoring link {changed})")

    def recheck(self, event_id: uuid.UUID, what: str) -> None:
        """Check every link in force to and from an event whose time has changed."""
        for _, effect in self.order.successors(event_id):
            self.check_time(event_id, effect, what)
        for _, cause in self.order.predecessors(event_id):
            self.check_time(cause, event_id, what)
