"""The prisoner-exchange ledger: agreed versus carried out, per side and per stage.

An *exchange* is an agreement (:class:`~timeline.events.PrisonerExchangeAgreed`) with the
stages that carry it out (:class:`~timeline.events.PrisonerExchangeCarriedOut` naming it in
``agreement``), or a stage carried out with no agreement named, which stands alone. A stage
naming an agreement not folded (yet) opens the exchange with nothing agreed, until the
agreement comes.

A second report of the same numbered stage of the same agreement replaces the first (its id
is kept in ``earlier_reports``): two sources reporting stage 1 must not count its prisoners
twice. To fix a figure, record a :class:`~timeline.events.Correction`.

An exchange's *size* is the number of people it frees, every side together: "1,000 for
1,000" is 2,000.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.errors import UnknownEvent
from timeline.events.humanitarian import (
    PartyCount,
    PrisonerExchangeAgreed,
    PrisonerExchangeCarriedOut,
)
from timeline.projections import dates

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = [
    "Exchange",
    "ExchangesState",
    "LargestExchange",
    "PrisonerExchanges",
    "SideTotals",
    "Stage",
]


@attrs.frozen
class Stage:
    """One stage carried out: how many each side released.

    ``date`` is its local date (or time) as a person reads it, in its event's ``zone``
    (:func:`timeline.projections.dates.date_label`).
    """

    event_id: UUID
    occurred_at: DateTime
    number: int | None
    of: int | None
    released: tuple[PartyCount, ...]
    earlier_reports: tuple[UUID, ...] = ()
    date: str = ""
    zone: str | None = None

    @property
    def size(self) -> int:
        """People freed in this stage, every side together."""
        return sum(c.count for c in self.released)


def _count(counts: tuple[PartyCount, ...], party: str) -> int:
    return sum(c.count for c in counts if c.party == party)


@attrs.frozen
class Exchange:
    """An exchange: what was agreed, what each stage carried out, and what is outstanding.

    Attributes:
        agreement: the agreement's event id (``None`` for a stage that stands alone).
        agreed_at: when it was agreed, if the agreement is known.
        talks: the talk round that produced it, if named.
        agreed: how many each side is to release (empty if no agreement is known).
        stages: the stages carried out, by number (unnumbered last), then time.
        carried_out: how many each side has released, over all stages.
        outstanding: per side, agreed minus carried out, never below zero.
        stages_total: how many stages the reports say there are, if any says.
        agreed_on: the local date it was agreed on, as a person reads it (in the
            agreement's zone: :func:`timeline.projections.dates.date_label`), if known.
    """

    agreement: UUID | None
    agreed_at: DateTime | None
    talks: UUID | None
    agreed: tuple[PartyCount, ...]
    stages: tuple[Stage, ...]
    carried_out: tuple[PartyCount, ...]
    outstanding: tuple[PartyCount, ...]
    stages_total: int | None
    agreed_on: str | None = None

    @property
    def agreed_size(self) -> int:
        """People to be freed, every side together."""
        return sum(c.count for c in self.agreed)

    @property
    def carried_out_size(self) -> int:
        """People freed so far, every side together."""
        return sum(c.count for c in self.carried_out)

    @property
    def complete(self) -> bool:
        """Whether an agreement is known and nothing of it is outstanding."""
        return bool(self.agreed) and not any(c.count for c in self.outstanding)

    @property
    def event_ids(self) -> tuple[UUID, ...]:
        """The agreement's id (if known) and the stages' ids."""
        head = (
            (self.agreement,) if self.agreement is not None and self.agreed_at is not None else ()
        )
        return head + tuple(s.event_id for s in self.stages)

    def stage(self, number: int) -> Stage:
        """The stage with that number.

        Raises:
            KeyError: if no stage of that number has been reported.
        """
        for s in self.stages:
            if s.number == number:
                return s
        raise KeyError(number)


@attrs.frozen
class SideTotals:
    """One side's totals over every exchange."""

    party: str
    agreed: int
    carried_out: int
    outstanding: int


@attrs.frozen
class LargestExchange:
    """The largest exchange so far, by what was agreed or by what was carried out.

    Attributes:
        size: people freed, every side together.
        released: per side.
        agreement: the agreement's id (``None`` for a stage that stands alone).
        event_ids: the events behind the figure: the agreement, or the stages.
    """

    size: int
    released: tuple[PartyCount, ...]
    agreement: UUID | None
    event_ids: tuple[UUID, ...]


@attrs.frozen
class ExchangesState:
    """The ledger: every exchange, each side's totals, and the largest exchanges so far.

    >>> import pendulum
    >>> from timeline.events import PrisonerExchangeAgreed, PrisonerExchangeCarriedOut
    >>> deal = PrisonerExchangeAgreed(occurred_at=pendulum.datetime(2025, 5, 16),
    ...                               released={"Ukraine": 1000, "Russia": 1000})
    >>> stage = PrisonerExchangeCarriedOut(occurred_at=pendulum.datetime(2025, 5, 23),
    ...     agreement=deal.event_id, stage=1, stages_total=3,
    ...     released={"Ukraine": 390, "Russia": 390})
    >>> p = PrisonerExchanges()
    >>> state = p.fold(p.initial(), [deal, stage])
    >>> state.side("Russia")
    SideTotals(party='Russia', agreed=1000, carried_out=390, outstanding=610)
    >>> state.largest_agreed.size, state.largest_carried_out.size
    (2000, 780)
    """

    exchanges: tuple[Exchange, ...] = ()
    sides: tuple[SideTotals, ...] = ()
    largest_agreed: LargestExchange | None = None
    largest_carried_out: LargestExchange | None = None

    def exchange(self, agreement: UUID) -> Exchange:
        """The exchange of an agreement (or of a stage standing alone), by event id.

        Raises:
            UnknownEvent: if no exchange has that id.
        """
        for x in self.exchanges:
            if _key(x) == agreement:
                return x
        raise UnknownEvent(f"no prisoner exchange {agreement} in this ledger", event_id=agreement)

    def side(self, party: str) -> SideTotals:
        """One side's totals (zeros for a party no exchange names)."""
        for s in self.sides:
            if s.party == party:
                return s
        return SideTotals(party=party, agreed=0, carried_out=0, outstanding=0)

    def outstanding(self) -> dict[str, int]:
        """``{party: prisoners agreed but not yet released}``, over every agreement."""
        return {s.party: s.outstanding for s in self.sides}


class _Open:
    """An exchange being folded: mutable."""

    __slots__ = ("agreed", "agreed_at", "agreed_on", "agreement", "stages", "talks")

    def __init__(self, agreement: UUID | None) -> None:
        self.agreement = agreement
        self.agreed_at: DateTime | None = None
        self.agreed_on: str | None = None
        self.talks: UUID | None = None
        self.agreed: tuple[PartyCount, ...] = ()
        self.stages: dict[int | UUID, Stage] = {}


def _key(x: Exchange) -> UUID:
    """The agreement's id, or for a stage standing alone, the stage's."""
    return x.agreement if x.agreement is not None else x.stages[0].event_id


def _largest(exchanges: Iterable[Exchange], *, carried_out: bool) -> LargestExchange | None:
    """The largest exchange by what was carried out, or else by what was agreed."""
    if carried_out:
        done = [x for x in exchanges if x.stages]
        x = max(done, key=lambda x: x.carried_out_size, default=None)
    else:
        done = [x for x in exchanges if x.agreed]
        x = max(done, key=lambda x: x.agreed_size, default=None)
    if x is None:
        return None
    if carried_out:
        released, event_ids = x.carried_out, tuple(s.event_id for s in x.stages)
    else:
        released, event_ids = x.agreed, (x.agreement,) if x.agreement else ()
    return LargestExchange(
        size=sum(c.count for c in released),
        released=released,
        agreement=x.agreement,
        event_ids=event_ids,
    )


def _stage_key(stage: Stage) -> int | UUID:
    return stage.number if stage.number is not None else stage.event_id


class _Ledger:
    """The mutable ledger behind :meth:`PrisonerExchanges.fold`."""

    def __init__(self, state: ExchangesState) -> None:
        self.open: dict[UUID, _Open] = {}
        self.where: dict[UUID, tuple[UUID, int | UUID]] = {}  # stage event -> (exchange, key)
        for x in state.exchanges:
            key = _key(x)
            o = self.open[key] = _Open(x.agreement)
            o.agreed_at, o.talks, o.agreed = x.agreed_at, x.talks, x.agreed
            o.agreed_on = x.agreed_on
            for s in x.stages:
                o.stages[_stage_key(s)] = s
                self.where[s.event_id] = (key, _stage_key(s))

    def add(self, event: Event) -> None:
        if isinstance(event, PrisonerExchangeAgreed):
            o = self.open.get(event.event_id)
            if o is None:
                o = self.open[event.event_id] = _Open(event.event_id)
            o.agreed_at, o.talks, o.agreed = event.occurred_at, event.talks, event.released
            o.agreed_on = dates.date_label(event)
        elif isinstance(event, PrisonerExchangeCarriedOut):
            self._stage(event)

    def _stage(self, event: PrisonerExchangeCarriedOut) -> None:
        self._forget(event.event_id)
        key = event.agreement if event.agreement is not None else event.event_id
        o = self.open.get(key)
        if o is None:
            o = self.open[key] = _Open(event.agreement)
        stage = Stage(
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            number=event.stage,
            of=event.stages_total,
            released=event.released,
            date=dates.date_label(event),
            zone=event.zone,
        )
        skey = _stage_key(stage)
        earlier = o.stages.get(skey)
        if earlier is not None:
            stage = attrs.evolve(
                stage, earlier_reports=(*earlier.earlier_reports, earlier.event_id)
            )
            del self.where[earlier.event_id]
        o.stages[skey] = stage
        self.where[event.event_id] = (key, skey)

    def _forget(self, event_id: UUID) -> None:
        """Take out a stage folded before under the same id (a repeated or revised event)."""
        placed = self.where.pop(event_id, None)
        if placed is None:
            return
        key, skey = placed
        o = self.open[key]
        del o.stages[skey]
        if not o.stages and o.agreed_at is None:
            del self.open[key]

    def state(self) -> ExchangesState:
        # Oldest first; the key makes the order total, whatever order the events came in.
        exchanges = sorted(
            (self._exchange(o) for o in self.open.values()),
            key=lambda x: (
                x.stages[0].occurred_at if x.agreed_at is None else x.agreed_at,
                _key(x),
            ),
        )
        parties: dict[str, list[int]] = {}
        for x in exchanges:
            for c in (*x.agreed, *x.carried_out):
                parties.setdefault(c.party, [0, 0, 0])
            for c in x.agreed:
                parties[c.party][0] += c.count
            for c in x.carried_out:
                parties[c.party][1] += c.count
            for c in x.outstanding:
                parties[c.party][2] += c.count
        return ExchangesState(
            exchanges=tuple(exchanges),
            sides=tuple(SideTotals(p, a, c, o) for p, (a, c, o) in parties.items()),
            largest_agreed=_largest(exchanges, carried_out=False),
            largest_carried_out=_largest(exchanges, carried_out=True),
        )

    @staticmethod
    def _exchange(o: _Open) -> Exchange:
        stages = sorted(
            o.stages.values(),
            key=lambda s: (s.number is None, s.number or 0, s.occurred_at, s.event_id),
        )
        sides = dict.fromkeys(c.party for s in stages for c in s.released)
        carried = tuple(
            PartyCount(party=p, count=sum(_count(s.released, p) for s in stages)) for p in sides
        )
        outstanding = tuple(
            PartyCount(party=c.party, count=max(c.count - _count(carried, c.party), 0))
            for c in o.agreed
        )
        totals = [s.of for s in stages if s.of is not None]
        return Exchange(
            agreement=o.agreement,
            agreed_at=o.agreed_at,
            talks=o.talks,
            agreed=o.agreed,
            stages=tuple(stages),
            carried_out=carried,
            outstanding=outstanding,
            stages_total=max(totals) if totals else None,
            agreed_on=o.agreed_on,
        )


class PrisonerExchanges:
    """The prisoner-exchange ledger (see the module for what counts as an exchange).

    Takes :class:`~timeline.events.PrisonerExchangeAgreed` and
    :class:`~timeline.events.PrisonerExchangeCarriedOut` (and subclasses); ignores every
    other event. ``apply`` is ``fold`` of one event, so the two always agree.

    >>> import pendulum
    >>> from timeline.events import PrisonerExchangeCarriedOut
    >>> swap = PrisonerExchangeCarriedOut(occurred_at=pendulum.datetime(2025, 6, 9),
    ...                                   released={"Ukraine": 50, "Russia": 50})
    >>> state = PrisonerExchanges().apply(PrisonerExchanges().initial(), swap)
    >>> x = state.exchanges[0]
    >>> x.agreement is None, x.carried_out_size, x.outstanding
    (True, 100, ())
    """

    name = "prisoner-exchanges"
    version = 1

    def initial(self) -> ExchangesState:
        """No exchange yet."""
        return ExchangesState()

    def apply(self, state: ExchangesState, event: Event) -> ExchangesState:
        """The state after one more event (``fold`` of that one event)."""
        if not isinstance(event, (PrisonerExchangeAgreed, PrisonerExchangeCarriedOut)):
            return state
        return self.fold(state, (event,))

    def fold(self, state: ExchangesState, events: Iterable[Event]) -> ExchangesState:
        """Fold a batch into a mutable ledger, then build the frozen state once."""
        ledger = _Ledger(state)
        for event in events:
            ledger.add(event)
        return ledger.state()
