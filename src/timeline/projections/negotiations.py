"""Negotiations: talks, delegations, proposals, memoranda, answers owed, the ceasefire.

It follows talks proposed and held, delegations and their heads, what each side tabled,
memoranda promised, awaited and delivered, documents received and answers promised, and the
ceasefire demanded and rejected.

The state keeps one record per event, as reported; the questions ("who leads Russia's
delegation?", "is the memorandum still awaited?", "is the answer overdue?") are answered by
its methods, which link the records together when asked. Linking on demand keeps ``apply``
simple and makes the answers independent of the order the events were folded in, and the
methods that take an instant ``at`` answer as of then (the clock is always an argument).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.errors import UnknownEvent
from timeline.events import diplomacy
from timeline.projections import dates
from timeline.projections.negotiation_records import (
    Ceasefire,
    CeasefireDemand,
    CeasefireRejection,
    CeasefireStatus,
    Delegation,
    Memorandum,
    MemorandumReport,
    MemorandumStatus,
    Proposal,
    Receipt,
    Response,
    ResponsePromise,
    Round,
    TalksProposal,
    _Report,
)

if TYPE_CHECKING:
    import datetime as dt

    from timeline.events import Event

__all__ = [
    "Ceasefire",
    "CeasefireDemand",
    "CeasefireRejection",
    "CeasefireStatus",
    "Delegation",
    "Memorandum",
    "MemorandumReport",
    "MemorandumStatus",
    "Negotiations",
    "NegotiationsState",
    "Proposal",
    "Receipt",
    "Response",
    "ResponsePromise",
    "Round",
    "TalksProposal",
]


R = TypeVar("R", bound=_Report)


def _put(items: tuple[R, ...], item: R) -> tuple[R, ...]:
    """Append ``item``, or replace the record of the same event (folding it again)."""
    for i, old in enumerate(items):
        if old.event_id == item.event_id:
            return (*items[:i], item, *items[i + 1 :])
    return (*items, item)


def _by_time(items: Iterable[R]) -> list[R]:
    """Oldest first; records of the same instant keep their order."""
    return sorted(items, key=lambda x: x.occurred_at)


@attrs.define
class _Draft:
    """A memorandum being linked up from its reports (see :meth:`NegotiationsState.memoranda`).

    It has the fields of :class:`Memorandum` but ``status``, which the dates give at the end.
    """

    party: str
    promise: UUID | None
    to_party: str | None = None
    subject: str | None = None
    promised_at: DateTime | None = None
    awaited_at: DateTime | None = None
    delivered_at: DateTime | None = None
    reports: list[UUID] = attrs.Factory(list)
    promised_on: str | None = None
    awaited_on: str | None = None
    delivered_on: str | None = None

    def add(self, r: MemorandumReport) -> None:
        self.reports.append(r.event_id)
        if r.kind is MemorandumStatus.PROMISED:
            self.promise, self.promised_at, self.promised_on = r.event_id, r.occurred_at, r.date
            self.subject, self.to_party = r.subject, r.to_party
        elif r.kind is MemorandumStatus.AWAITED:
            self.awaited_at, self.awaited_on = r.occurred_at, r.date
            self.to_party = self.to_party or r.to_party
        elif self.delivered_at is None:
            self.delivered_at, self.delivered_on = r.occurred_at, r.date
            self.to_party = self.to_party or r.to_party

    def memorandum(self) -> Memorandum:
        if self.delivered_at is not None:
            status = MemorandumStatus.DELIVERED
        elif self.awaited_at is not None:
            status = MemorandumStatus.AWAITED
        else:
            status = MemorandumStatus.PROMISED
        fields = attrs.asdict(self, recurse=False)
        return Memorandum(**{**fields, "reports": tuple(self.reports)}, status=status)


def _draft_for(memos: dict[UUID, _Draft], r: MemorandumReport) -> _Draft:
    """The memorandum a report is about (see :meth:`NegotiationsState.memoranda`)."""
    if r.kind is MemorandumStatus.PROMISED:
        key, promise = r.event_id, r.event_id
    elif r.promise is not None:
        key, promise = r.promise, r.promise
    else:
        owed = [
            m
            for m in memos.values()
            if m.party == r.party
            and m.promise is not None
            and m.delivered_at is None
            and (r.to_party is None or m.to_party in (None, r.to_party))
        ]
        if owed:
            return owed[-1] if r.kind is MemorandumStatus.AWAITED else owed[0]
        key, promise = r.event_id, None
    draft = memos.get(key)
    if draft is None:
        draft = memos[key] = _Draft(r.party, promise)
    return draft


@attrs.frozen
class NegotiationsState:
    """What :class:`Negotiations` knows, one record per event; ask it with its methods.

    >>> import pendulum
    >>> from timeline.events import DelegationAnnounced, ProposalTabled
    >>> monday = pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul")
    >>> p = Negotiations()
    >>> state = p.fold(p.initial(), [
    ...     DelegationAnnounced(occurred_at=monday, time_precision="day", party="Ukraine",
    ...                         head="Rustem Umerov", head_title="Defense Minister"),
    ...     DelegationAnnounced(occurred_at=monday, time_precision="day", party="Russia",
    ...                         head="Vladimir Medinsky", composition_known=False),
    ...     ProposalTabled(occurred_at=monday, party="Ukraine", title="roadmap",
    ...                    terms=["no recognition of occupied territories"]),
    ... ])
    >>> state.delegation_heads()
    {'Ukraine': 'Rustem Umerov', 'Russia': 'Vladimir Medinsky'}
    >>> state.delegations()["Russia"].composition_known
    False
    >>> state.tabled("Ukraine")[0].terms
    ('no recognition of occupied territories',)
    """

    talks_proposed: tuple[TalksProposal, ...] = ()
    rounds: tuple[Round, ...] = ()
    delegation_reports: tuple[Delegation, ...] = ()
    proposals: tuple[Proposal, ...] = ()
    memorandum_reports: tuple[MemorandumReport, ...] = ()
    receipts: tuple[Receipt, ...] = ()
    response_promises: tuple[ResponsePromise, ...] = ()
    ceasefire_demands: tuple[CeasefireDemand, ...] = ()
    ceasefire_rejections: tuple[CeasefireRejection, ...] = ()

    # -- rounds and delegations -------------------------------------------------------------

    @property
    def latest_round(self) -> Round | None:
        """The round held last, if any has been."""
        rounds = _by_time(self.rounds)
        return rounds[-1] if rounds else None

    def delegations(self, round: Round | UUID | int | None = None) -> dict[str, Delegation]:  # noqa: A002  # "round" is the word; the builtin is not needed here
        """The delegations, ``{party: Delegation}``, each party's latest announcement.

        Args:
            round: ``None`` for every announcement; else a :class:`Round`, its event id or
                its number, for the delegations named for it (by id) or, where no round is
                named, announced on its date.
        """
        reports = self.delegation_reports
        if round is not None:
            if isinstance(round, Round):
                wanted = [round]
            else:  # an event id or a number
                wanted = [r for r in self.rounds if round in (r.event_id, r.number)]
            ids = {r.event_id for r in wanted} | ({round} if isinstance(round, UUID) else set())
            dates = {r.date for r in wanted}
            reports = tuple(
                d for d in reports if d.round in ids or (d.round is None and d.date in dates)
            )
        return {d.party: d for d in _by_time(reports)}

    def delegation_heads(self, round: Round | UUID | int | None = None) -> dict[str, str]:  # noqa: A002  # as above
        """``{party: head}`` for the delegations (see :meth:`delegations`)."""
        return {party: d.head for party, d in self.delegations(round).items()}

    # -- proposals and documents ------------------------------------------------------------

    def tabled(self, party: str | None = None) -> tuple[Proposal, ...]:
        """What ``party`` (or anyone) has tabled, oldest first."""
        return tuple(p for p in _by_time(self.proposals) if party is None or p.party == party)

    def received(self, party: str | None = None) -> tuple[Receipt, ...]:
        """The documents ``party`` (or anyone) confirmed receiving, oldest first."""
        return tuple(r for r in _by_time(self.receipts) if party is None or r.party == party)

    # -- memoranda --------------------------------------------------------------------------

    def memoranda(
        self, party: str | None = None, at: dt.datetime | None = None
    ) -> tuple[Memorandum, ...]:
        """The memoranda owed by ``party`` (or anyone), as reported up to ``at``.

        An "awaited" or "delivered" report belongs to the promise it names; one naming none
        belongs to a promise the owing party made by then and has not delivered yet: its
        latest (awaited) or its oldest (delivered); failing that, it stands for a memorandum
        of its own, with no promise on record.
        """
        memos: dict[UUID, _Draft] = {}
        for r in _by_time(self.memorandum_reports):
            if at is None or r.occurred_at <= at:
                _draft_for(memos, r).add(r)
        return tuple(m.memorandum() for m in memos.values() if party in (None, m.party))

    def memorandum_status(
        self, party: str, at: dt.datetime | None = None
    ) -> MemorandumStatus | None:
        """Where ``party``'s latest memorandum stands (as of ``at``); ``None`` if it owes none.

        >>> import pendulum
        >>> from timeline.events import MemorandumAwaited, MemorandumPromised
        >>> promise = MemorandumPromised(occurred_at=pendulum.datetime(2025, 5, 19),
        ...                              party="Russia", subject="a peace framework")
        >>> waiting = MemorandumAwaited(occurred_at=pendulum.datetime(2025, 5, 31),
        ...                             party="Ukraine", from_party="Russia")
        >>> p = Negotiations()
        >>> state = p.fold(p.initial(), [promise, waiting])
        >>> state.memorandum_status("Russia")
        <MemorandumStatus.AWAITED: 'awaited'>
        >>> state.memorandum_status("Russia", at=pendulum.datetime(2025, 5, 20))
        <MemorandumStatus.PROMISED: 'promised'>
        """
        memos = self.memoranda(party, at)
        return memos[-1].status if memos else None

    # -- answers promised -------------------------------------------------------------------

    def responses(self, at: dt.datetime | None = None) -> tuple[Response, ...]:
        """Every answer promised by ``at``, with what answered it by then, if anything.

        An answer is a proposal tabled or a memorandum delivered by the promising party (to
        the party it promised, or to no one named), or the other side confirming receipt of
        a document from it, made no earlier than the promise. Each answers one promise: the
        oldest still open.
        """
        promises = _by_time(p for p in self.response_promises if at is None or p.occurred_at <= at)
        # (when, which event, from whom, to whom) of everything that may answer a promise
        answers = [(p.occurred_at, p.event_id, p.party, p.to_party) for p in self.proposals]
        answers += [
            (m.occurred_at, m.event_id, m.party, m.to_party)
            for m in self.memorandum_reports
            if m.kind is MemorandumStatus.DELIVERED
        ]
        answers += [(r.occurred_at, r.event_id, r.from_party, r.party) for r in self.receipts]
        answers = sorted((a for a in answers if at is None or a[0] <= at), key=lambda a: a[0])
        used: set[UUID] = set()
        out = []
        for p in promises:
            answered_at, answered_by = next(
                (
                    (when, by)
                    for when, by, party, to_party in answers
                    if by not in used
                    and when >= p.occurred_at
                    and party == p.party
                    and (p.to_party is None or to_party in (None, p.to_party))
                ),
                (None, None),
            )
            if answered_by is not None:
                used.add(answered_by)
            out.append(Response(promise=p, answered_by=answered_by, answered_at=answered_at))
        return tuple(out)

    def responses_pending(self, at: dt.datetime) -> tuple[ResponsePromise, ...]:
        """The answers promised by ``at`` and not given by then (overdue ones included)."""
        return tuple(r.promise for r in self.responses(at) if not r.answered)

    def is_due(self, promise: ResponsePromise | UUID, at: dt.datetime) -> bool:
        """Whether the answer is owed at ``at``: promised by then and not yet given.

        Raises:
            UnknownEvent: if no such promise was folded.
        """
        wanted = self._promise(promise)
        return any(p.event_id == wanted.event_id for p in self.responses_pending(at))

    def is_overdue(self, promise: ResponsePromise | UUID, at: dt.datetime) -> bool:
        """Whether the answer is owed at ``at`` and its due time has passed.

        Raises:
            UnknownEvent: if no such promise was folded.
        """
        wanted = self._promise(promise)
        return wanted.due_at is not None and wanted.due_at < at and self.is_due(wanted, at)

    def overdue(self, at: dt.datetime) -> tuple[ResponsePromise, ...]:
        """The answers owed at ``at`` whose due time has passed.

        >>> import pendulum
        >>> from timeline.events import ResponsePromised
        >>> promise = ResponsePromised(occurred_at=pendulum.datetime(2025, 6, 1), party="Russia",
        ...                            due_at=pendulum.datetime(2025, 6, 2, 23, 59))
        >>> state = Negotiations().apply(Negotiations().initial(), promise)
        >>> state.is_due(promise.event_id, pendulum.datetime(2025, 6, 2, 8))
        True
        >>> state.overdue(pendulum.datetime(2025, 6, 2, 8)), len(state.overdue(pendulum.datetime(2025, 6, 3)))
        ((), 1)
        """
        return tuple(
            p for p in self.responses_pending(at) if p.due_at is not None and p.due_at < at
        )

    def _promise(self, promise: ResponsePromise | UUID) -> ResponsePromise:
        wanted = promise if isinstance(promise, UUID) else promise.event_id
        for p in self.response_promises:
            if p.event_id == wanted:
                return p
        raise UnknownEvent(f"no response promise {wanted} in this state", event_id=wanted)

    # -- ceasefire --------------------------------------------------------------------------

    @functools.cached_property
    def ceasefire(self) -> Ceasefire:
        """Who demanded a ceasefire, with whose backing, who rejected it, and where it stands.

        >>> import pendulum
        >>> from timeline.events import CeasefireDemanded, CeasefireRejected
        >>> p = Negotiations()
        >>> state = p.fold(p.initial(), [
        ...     CeasefireDemanded(occurred_at=pendulum.datetime(2025, 5, 10), party="Ukraine",
        ...                       addressed_to="Russia", backed_by=["European allies"]),
        ...     CeasefireRejected(occurred_at=pendulum.datetime(2025, 5, 11), party="Russia"),
        ... ])
        >>> c = state.ceasefire
        >>> c.status, c.demanded_by, c.backed_by, c.rejected_by
        (<CeasefireStatus.REJECTED: 'rejected'>, ('Ukraine',), ('European allies',), ('Russia',))
        """
        demands = _by_time(self.ceasefire_demands)
        rejections = []
        for r in _by_time(self.ceasefire_rejections):
            demand = r.demand
            if demand is None:
                earlier = [
                    d
                    for d in demands
                    if d.occurred_at <= r.occurred_at and d.addressed_to in (None, r.party)
                ]
                demand = earlier[-1].event_id if earlier else None
            rejections.append(attrs.evolve(r, demand=demand))
        if not demands:
            status = CeasefireStatus.NONE
        elif any(r.demand == demands[-1].event_id for r in rejections):
            status = CeasefireStatus.REJECTED
        else:
            status = CeasefireStatus.DEMANDED
        return Ceasefire(
            status=status,
            demanded_by=tuple(dict.fromkeys(d.party for d in demands)),
            backed_by=tuple(dict.fromkeys(b for d in demands for b in d.backed_by)),
            rejected_by=tuple(dict.fromkeys(r.party for r in rejections)),
            demands=tuple(demands),
            rejections=tuple(rejections),
        )


# -- apply: one table of what each event type adds -------------------------------------------


@attrs.frozen
class _Copy:
    """How one event type is folded: as a record added to one of the state's tuples.

    The record's fields are copied from the event's fields of the same name, except those
    in ``computed``, worked out from the event (``date``, a field the event names another
    way), and those in ``fixed``, the same for every event of the type. Folding an event
    again replaces its record (see :func:`_put`).
    """

    into: str
    record: type[_Report]
    computed: dict[str, Callable[[Any], object]] = attrs.field(factory=dict)
    fixed: dict[str, object] = attrs.field(factory=dict)
    copied: tuple[str, ...] = attrs.field(init=False)

    @copied.default
    def _copied(self) -> tuple[str, ...]:
        own = {*self.computed, *self.fixed, "date"}
        return tuple(f.name for f in attrs.fields(self.record) if f.name not in own)

    def __call__(self, state: NegotiationsState, event: Event) -> NegotiationsState:
        values = {name: getattr(event, name) for name in self.copied} | self.fixed
        values["date"] = dates.date_label(event)  # local, in the event's zone
        values.update((name, compute(event)) for name, compute in self.computed.items())
        records = _put(getattr(state, self.into), self.record(**values))
        return attrs.evolve(state, **{self.into: records})


_FOLDS: dict[type, _Copy] = {
    diplomacy.TalksProposed: _Copy("talks_proposed", TalksProposal),
    diplomacy.TalkRoundHeld: _Copy(
        "rounds",
        Round,
        {
            "number": operator.attrgetter("round_number"),
            "location": lambda e: e.location.name if e.location is not None else None,
        },
    ),
    diplomacy.DelegationAnnounced: _Copy(
        "delegation_reports", Delegation, {"round": operator.attrgetter("talks")}
    ),
    diplomacy.ProposalTabled: _Copy("proposals", Proposal),
    diplomacy.MemorandumPromised: _Copy(
        "memorandum_reports",
        MemorandumReport,
        fixed={"kind": MemorandumStatus.PROMISED, "promise": None},
    ),
    diplomacy.MemorandumAwaited: _Copy(  # reported by the side waiting: the owing side is from_party
        "memorandum_reports",
        MemorandumReport,
        {"party": operator.attrgetter("from_party"), "to_party": operator.attrgetter("party")},
        fixed={"kind": MemorandumStatus.AWAITED, "subject": None},
    ),
    diplomacy.MemorandumDelivered: _Copy(
        "memorandum_reports",
        MemorandumReport,
        fixed={"kind": MemorandumStatus.DELIVERED, "subject": None},
    ),
    diplomacy.DocumentReceived: _Copy("receipts", Receipt),
    diplomacy.ResponsePromised: _Copy("response_promises", ResponsePromise),
    diplomacy.CeasefireDemanded: _Copy("ceasefire_demands", CeasefireDemand),
    diplomacy.CeasefireRejected: _Copy("ceasefire_rejections", CeasefireRejection),
}


class Negotiations:
    """The negotiation state: rounds, delegations, proposals, memoranda, answers, ceasefire.

    Takes the diplomacy events (:mod:`timeline.events.diplomacy`, subclasses included) and
    ignores every other event. Folding an event again (the same ``event_id``) replaces its
    record, so a state never counts one event twice.

    >>> import pendulum
    >>> from timeline.events import TalkRoundHeld
    >>> held = TalkRoundHeld(occurred_at=pendulum.datetime(2025, 6, 2, tz="Europe/Istanbul"),
    ...                      time_precision="day", parties=["Ukraine", "Russia"],
    ...                      venue="Ciragan Palace", city="Istanbul", host="Türkiye")
    >>> state = Negotiations().apply(Negotiations().initial(), held)
    >>> r = state.latest_round
    >>> r.date, r.venue, r.host
    ('2025-06-02', 'Ciragan Palace', 'Türkiye')
    """

    name = "negotiations"
    version = 1

    def initial(self) -> NegotiationsState:
        """Nothing known yet."""
        return NegotiationsState()

    def apply(self, state: NegotiationsState, event: Event) -> NegotiationsState:
        """The state after one more event; events of other types leave it as it is."""
        for cls in type(event).__mro__:
            fold = _FOLDS.get(cls)
            if fold is not None:
                return fold(state, event)
        return state

    def fold(self, state: NegotiationsState, events: Iterable[Event]) -> NegotiationsState:
        """``functools.reduce(self.apply, events, state)``: the states here are small."""
        return functools.reduce(self.apply, events, state)
