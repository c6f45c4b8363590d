"""The chronology: every event once, in valid-time order, as a readable list.

Replay hands projections each event already corrected, with retractions gone, so the
chronology is the corrected view. An event id folded a second time is skipped: each event
appears once. With ``merge_identical=True``, events that report the same fact (equal in
every field but their id, sources, tags and summary: the same figures, times and claimant)
become one entry listing all their sources, which is what several outlets repeating one
communiqué look like.

Causal links (analysts' claims about events, not events in the conflict) and the other meta
events are left out.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.events.meta import CausalLink, CausalLinkRetracted, Correction, Retraction
from timeline.projections import dates
from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = ["Chronology", "ChronologyState", "Entry"]

_META = (CausalLink, CausalLinkRetracted, Correction, Retraction)
_NOT_THE_FACT = frozenset({"event_id", "sources", "tags", "summary"})


@attrs.frozen
class Entry:
    """One line of the chronology.

    Attributes:
        event_id: the event (the first one, where identical facts were merged).
        occurred_at: when it happened (UTC).
        occurred_until: when it ended, for an interval.
        time_precision: how precisely the time is known.
        date: ``occurred_at`` at that precision: ``"2025-06-02"`` for a day, ``"2025-06"``
            for a month, ``"2025-05-31T16:30Z"`` for a minute.
        until: ``occurred_until`` likewise, or ``None``.
        headline: the event's :meth:`~timeline.events.Event.headline`.
        type: the event type (``"diplomacy.talk_round_held"``).
        claimed_by: whose claim it is.
        sources: the sources' names (of every merged event, each once).
        merged: the ids of the events merged into this one.
        fact: the digest identical facts share (set when merging).
    """

    event_id: UUID
    occurred_at: DateTime
    occurred_until: DateTime | None
    time_precision: TimePrecision
    date: str
    until: str | None
    headline: str
    type: str
    claimed_by: str | None
    sources: tuple[str, ...]
    merged: tuple[UUID, ...] = ()
    fact: str | None = None

    @property
    def event_ids(self) -> tuple[UUID, ...]:
        """Every event behind the entry."""
        return (self.event_id, *self.merged)

    @property
    def when(self) -> str:
        """``date``, or ``"date to until"`` for an interval."""
        return f"{self.date} to {self.until}" if self.until else self.date


@attrs.frozen
class ChronologyState:
    """The entries, oldest first (events of the same instant in the order folded).

    >>> import pendulum
    >>> from timeline.events import Statement, TalkRoundHeld
    >>> monday = pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul")
    >>> p = Chronology()
    >>> state = p.fold(p.initial(), [
    ...     TalkRoundHeld(occurred_at=monday, time_precision="day", parties=["Ukraine", "Russia"],
    ...                   venue="Ciragan Palace", city="Istanbul"),
    ...     Statement(occurred_at=pendulum.datetime(2025, 5, 19), time_precision="day",
    ...               speaker="Vladimir Putin", text="A memorandum will be prepared.",
    ...               sources=["news agency"]),
    ... ])
    >>> for line in state.lines(sources=True):
    ...     print(line)
    2025-05-19  Vladimir Putin: A memorandum will be prepared.  (news agency)
    2025-06-02  Talks: Ukraine–Russia at Ciragan Palace, Istanbul
    """

    entries: tuple[Entry, ...] = ()

    def lines(self, *, sources: bool = False) -> list[str]:
        """One line per entry: when, the headline, whose claim it is (and the sources)."""
        width = max((len(e.when) for e in self.entries), default=0)
        out = []
        for e in self.entries:
            line = f"{e.when:<{width}}  {e.headline}"
            if e.claimed_by:
                line += f"  [claimed by {e.claimed_by}]"
            if sources and e.sources:
                line += f"  ({'; '.join(e.sources)})"
            out.append(line)
        return out

    def on(self, date: str) -> tuple[Entry, ...]:
        """The entries dated on ``date`` or within it (``"2025-06"``, ``"2025-06-02"``)."""
        return tuple(e for e in self.entries if e.date.startswith(date))

    def between(self, start: dt.datetime, end: dt.datetime) -> tuple[Entry, ...]:
        """The entries with ``start <= occurred_at <= end``."""
        return tuple(e for e in self.entries if start <= e.occurred_at <= end)


def _canon(value: Any) -> Any:
    """A form of a field's value whose ``repr`` is the same for equal values, run to run."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return tuple(_canon(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canon(v)) for k, v in value.items()))
    if attrs.has(type(value)):
        return (
            type(value).__qualname__,
            tuple((a.name, _canon(getattr(value, a.name))) for a in attrs.fields(type(value))),
        )
    return value


def _fact(event: Event) -> str:
    """The digest of what an event reports, leaving out its id, sources, tags and summary."""
    fields = tuple(
        (a.name, _canon(getattr(event, a.name)))
        for a in attrs.fields(type(event))
        if a.name not in _NOT_THE_FACT
    )
    text = repr((event.TYPE, event.VERSION, fields))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class _Book:
    """The mutable chronology behind :meth:`Chronology.fold`."""

    def __init__(self, state: ChronologyState, *, merge: bool) -> None:
        self.merge = merge
        self.entries = list(state.entries)
        self.seen = {i for e in self.entries for i in e.event_ids}
        self.facts = {e.fact: n for n, e in enumerate(self.entries) if e.fact is not None}

    def add(self, event: Event) -> None:
        if event.event_id in self.seen or isinstance(event, _META):
            return
        self.seen.add(event.event_id)
        names = tuple(dict.fromkeys(s.name for s in event.sources))
        fact = _fact(event) if self.merge else None
        if fact is not None and fact in self.facts:
            n = self.facts[fact]
            old = self.entries[n]
            self.entries[n] = attrs.evolve(
                old,
                merged=(*old.merged, event.event_id),
                sources=tuple(dict.fromkeys((*old.sources, *names))),
            )
            return
        if fact is not None:
            self.facts[fact] = len(self.entries)
        self.entries.append(
            Entry(
                event_id=event.event_id,
                occurred_at=event.occurred_at,
                occurred_until=event.occurred_until,
                time_precision=event.time_precision,
                date=dates.date_label(event),
                until=dates.end_label(event),
                headline=event.headline(),
                type=event.TYPE,
                claimed_by=event.claimed_by,
                sources=names,
                fact=fact,
            )
        )

    def state(self) -> ChronologyState:
        # A stable sort: entries of the same instant stay in the order they were first folded.
        return ChronologyState(entries=tuple(sorted(self.entries, key=lambda e: e.occurred_at)))


class Chronology:
    """The corrected, de-duplicated, time-ordered view of the log.

    Args:
        merge_identical: merge events that report the same fact into one entry that lists
            every source (see the module). The projection's ``name`` says which view it is,
            so snapshots of the two are kept apart.

    ``apply`` is ``fold`` of one event, so the two always agree.

    >>> Chronology().name, Chronology(merge_identical=True).name
    ('chronology', 'chronology-merged')
    """

    version = 1

    def __init__(self, *, merge_identical: bool = False) -> None:
        self.merge_identical = merge_identical
        self.name = "chronology-merged" if merge_identical else "chronology"

    def initial(self) -> ChronologyState:
        """An empty chronology."""
        return ChronologyState()

    def apply(self, state: ChronologyState, event: Event) -> ChronologyState:
        """The state after one more event (``fold`` of that one event)."""
        return self.fold(state, (event,))

    def fold(self, state: ChronologyState, events: Iterable[Event]) -> ChronologyState:
        """Fold a batch into a mutable list, then sort and freeze it once."""
        book = _Book(state, merge=self.merge_identical)
        for event in events:
            book.add(event)
        return book.state()
