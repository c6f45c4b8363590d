"""The claims ledger: the same fact reported with different figures by different sources.

Reports are grouped by a *fact key*: what a figure is about, regardless of who gives it.

============================  ==================================================================
event                         fact key (besides the event type and the figure's name)
============================  ==================================================================
drone barrage, missile strike  attacker, target, weapon, and the date the reporting window
                               *ends* (``occurred_until``, else ``occurred_at``); figures:
                               ``launched``, ``destroyed``, ``lost``
strike                         attacker, target party, the date; one figure per item hit
                               (``hit``, item ``"aircraft"``)
loss report                    party, the date, cumulative or not; one figure per item
                               (``personnel`` and each equipment item)
casualty report                the date, the location's name, party; figures ``killed``,
                               ``killed_low``, ``killed_high``, ``injured``, ``missing``
============================  ==================================================================

Dates are UTC dates, except that a ``"day"``- or ``"month"``-precision time is read as the
local date it was recorded at (see :mod:`timeline.projections.dates`). A window is filed
under the date it ends because that is how each side dates its "overnight" figures: the
Ukrainian Air Force's window from 18:00 and the Russian ministry of defence's from 20:00 both
end on the same morning. A figure a report does not give (``None``) is no claim at all.

Filing by date gathers claims that *may* be about the same thing; two of them conflict only
if they disagree about the same or overlapping windows (:meth:`Claim.overlaps`). The Air
Force reports 187 Shahed drones launched from 20:30 on 6 May 2025 to 14:30 on 7 May, then 31
from 14:30 to 20:30: two consecutive windows ending the same day, two facts' worth of figures,
not one figure disputed. A claim without a window (no ``occurred_until``) is about its whole
date, so it may overlap any other; a day- or month-precision window covers whole days.

Each claim keeps its claimant (``claimed_by``, else the first source's name) and every
source with its Admiralty grade. Events of other types are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.events.humanitarian import CasualtyReport
from timeline.events.military import Attack, LossReport, Strike
from timeline.projections import dates
from timeline.time import TimePrecision

if TYPE_CHECKING:
    from timeline.events import Event

__all__ = ["Claim", "Claims", "ClaimsState", "Fact", "FactKey", "GradedSource"]


@attrs.frozen
class FactKey:
    """What a figure is about, whoever reports it (see the module for each event type).

    >>> FactKey(type="military.drone_barrage", date="2025-06-01", figure="launched",
    ...         party="Russia", target="Ukraine", weapon="Shahed-136/131").label
    '2025-06-01 military.drone_barrage Russia → Ukraine, Shahed-136/131: launched'
    """

    type: str
    date: str
    figure: str
    party: str | None = None
    target: str | None = None
    weapon: str | None = None
    location: str | None = None
    item: str | None = None
    cumulative: bool | None = None

    @property
    def label(self) -> str:
        """A line for people."""
        who = self.party or ""
        if self.target:
            who += f" → {self.target}"
        details = [x for x in (who.strip(), self.weapon, self.location) if x]
        what = self.figure + (f" {self.item}" if self.item else "")
        if self.cumulative:
            what += " (cumulative)"
        about = f" {', '.join(details)}" if details else ""
        return f"{self.date} {self.type}{about}: {what}"


def _fact_order(key: FactKey) -> tuple[object, ...]:
    """A total order on fact keys: by date, type and figure, then the rest (``None`` last)."""
    return (
        key.date,
        key.type,
        key.figure,
        *((x is None, x or "") for x in (key.party, key.target, key.weapon, key.location)),
        (key.item is None, key.item or ""),
        (key.cumulative is None, bool(key.cumulative)),
    )


@attrs.frozen
class GradedSource:
    """A source's name and Admiralty grade (``"B2"``; ``None`` where not graded)."""

    name: str
    grade: str | None


_DAY = dt.timedelta(days=1)


@attrs.frozen
class Claim:
    """One claimant's figure for a fact, with the sources behind it.

    ``until`` is the end of the reporting window the figure covers (the event's
    ``occurred_until``), ``None`` when the report gives none: then the claim is about its
    whole date. ``precision`` is the report's time precision.
    """

    value: int
    claimant: str | None
    sources: tuple[GradedSource, ...]
    event_id: UUID
    occurred_at: DateTime
    until: DateTime | None = None
    precision: TimePrecision = TimePrecision.MINUTE

    @property
    def grade(self) -> str | None:
        """The first source's Admiralty grade, if any."""
        return self.sources[0].grade if self.sources else None

    @property
    def window(self) -> tuple[DateTime, DateTime] | None:
        """The instants the figure covers, ``[start, end)``; ``None`` for a whole date.

        A day- or month-precision window lasts at least a day (a report "on 6 May" covers 6
        May); a finer one is as reported, possibly a single instant.
        """
        if self.until is None:
            return None
        end = self.until
        if self.precision in (TimePrecision.DAY, TimePrecision.MONTH):
            end = max(end, self.occurred_at + _DAY)
        return self.occurred_at, end

    def overlaps(self, other: Claim) -> bool:
        """Whether the two claims may be about the same thing: their windows share an instant.

        Windows that only touch (one ends as the next starts) do not overlap; a claim
        without a window overlaps every other.

        >>> import pendulum, uuid
        >>> def claim(start, end):
        ...     kyiv = "Europe/Kyiv"
        ...     return Claim(value=1, claimant=None, sources=(), event_id=uuid.uuid4(),
        ...                  occurred_at=pendulum.datetime(2025, 5, *start, tz=kyiv),
        ...                  until=pendulum.datetime(2025, 5, *end, tz=kyiv))
        >>> claim((6, 20, 30), (7, 14, 30)).overlaps(claim((7, 14, 30), (7, 20, 30)))
        False
        >>> claim((6, 20, 30), (7, 14, 30)).overlaps(claim((7, 6), (7, 20, 30)))
        True
        """
        mine, theirs = self.window, other.window
        if mine is None or theirs is None:
            return True
        (a, b), (c, d) = mine, theirs
        if a == b or c == d:  # an instant: inside the other window, ends included
            return c <= b and a <= d
        return a < d and c < b


@attrs.frozen
class Fact:
    """A fact and every figure claimed for it."""

    key: FactKey
    claims: tuple[Claim, ...]

    @property
    def values(self) -> tuple[int, ...]:
        """The distinct figures claimed, in the order of the claims."""
        return tuple(dict.fromkeys(c.value for c in self.claims))

    def disagreements(self) -> tuple[tuple[Claim, Claim], ...]:
        """The pairs of claims about overlapping windows whose figures differ, in claim order."""
        claims = self.claims
        return tuple(
            (a, b)
            for i, a in enumerate(claims)
            for b in claims[i + 1 :]
            if a.value != b.value and a.overlaps(b)
        )

    @property
    def conflicting(self) -> bool:
        """Whether two claims about the same or overlapping windows disagree.

        Distinct figures for consecutive windows (one claimant's reports through a day)
        are not a conflict: each is about its own stretch of time.
        """
        if len(self.values) < 2:  # noqa: PLR2004 - two figures are needed to disagree
            return False
        return bool(self.disagreements())

    def by_claimant(self) -> dict[str | None, tuple[int, ...]]:
        """``{claimant: figures}``."""
        out: dict[str | None, list[int]] = {}
        for c in self.claims:
            out.setdefault(c.claimant, []).append(c.value)
        return {k: tuple(v) for k, v in out.items()}


@attrs.frozen
class ClaimsState:
    """Every fact with its claims, by date, type and key.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage, Source
    >>> night = dict(occurred_at=pendulum.datetime(2025, 5, 31, 17),
    ...              occurred_until=pendulum.datetime(2025, 6, 1, 4), attacker="Ukraine",
    ...              target="Russia", weapon="UAV")
    >>> p = Claims()
    >>> state = p.fold(p.initial(), [
    ...     DroneBarrage(destroyed=162, claimed_by="Russian ministry of defence",
    ...                  sources=[Source(name="TASS", reliability="C", credibility=3)], **night),
    ...     DroneBarrage(destroyed=150, sources=[Source(name="Reuters", reliability="B",
    ...                  credibility=2)], **night),
    ... ])
    >>> [fact] = state.conflicts()
    >>> fact.key.date, fact.values, [(c.claimant, c.grade) for c in fact.claims]
    ('2025-06-01', (150, 162), [('Reuters', 'B2'), ('Russian ministry of defence', 'C3')])
    """

    facts: tuple[Fact, ...] = ()

    def conflicts(self) -> tuple[Fact, ...]:
        """The facts with claims about the same or overlapping windows that disagree."""
        return tuple(f for f in self.facts if f.conflicting)

    def fact(self, key: FactKey) -> Fact:
        """The fact with this key.

        Raises:
            KeyError: if no claim was made about it.
        """
        for f in self.facts:
            if f.key == key:
                return f
        raise KeyError(key)

    def about(self, **fields: object) -> tuple[Fact, ...]:
        """The facts whose key has these field values: ``about(date="2025-06-01")``."""
        return tuple(
            f for f in self.facts if all(getattr(f.key, k) == v for k, v in fields.items())
        )


def _claimant(event: Event) -> str | None:
    if event.claimed_by is not None:
        return event.claimed_by
    return event.sources[0].name if event.sources else None


def _date(event: Event) -> str:
    if event.occurred_until is not None:
        ordinal = dates.end_day_ordinal(event.occurred_until, event.time_precision)
    else:
        ordinal = dates.day_ordinal(event.occurred_at, event.time_precision)
    return dates.day_label(ordinal)


def _attack(event: Attack) -> Iterator[tuple[FactKey, int]]:
    date = _date(event)
    for figure in ("launched", "destroyed", "lost"):
        value = getattr(event, figure)
        if value is not None:
            key = FactKey(
                type=event.TYPE,
                date=date,
                figure=figure,
                party=event.attacker,
                target=event.target,
                weapon=event.weapon,
            )
            yield key, value


def _strike(event: Strike) -> Iterator[tuple[FactKey, int]]:
    date = _date(event)
    for hit in event.assets_hit:
        key = FactKey(
            type=event.TYPE,
            date=date,
            figure="hit",
            party=event.attacker,
            target=event.target_party,
            item=hit.item,
        )
        yield key, hit.count


def _losses(event: LossReport) -> Iterator[tuple[FactKey, int | None]]:
    date = _date(event)
    for item, value in [("personnel", event.personnel)] + [
        (c.item, c.count) for c in event.equipment
    ]:
        key = FactKey(
            type=event.TYPE,
            date=date,
            figure="losses",
            party=event.party,
            item=item,
            cumulative=event.cumulative,
        )
        yield key, value


def _casualties(event: CasualtyReport) -> Iterator[tuple[FactKey, int | None]]:
    date = _date(event)
    place = event.location.name if event.location is not None else None
    for figure in ("killed", "killed_low", "killed_high", "injured", "missing"):
        key = FactKey(type=event.TYPE, date=date, figure=figure, party=event.party, location=place)
        yield key, getattr(event, figure)


def _figures(event: Event) -> list[tuple[FactKey, int]]:
    """The fact keys and figures an event claims; none for an event of another type."""
    claims: Iterable[tuple[FactKey, int | None]]
    if isinstance(event, Attack):
        claims = _attack(event)
    elif isinstance(event, Strike):
        claims = _strike(event)
    elif isinstance(event, LossReport):
        claims = _losses(event)
    elif isinstance(event, CasualtyReport):
        claims = _casualties(event)
    else:
        return []
    return [(key, value) for key, value in claims if value is not None]


_TYPES = (Attack, Strike, LossReport, CasualtyReport)


class _Ledger:
    """The mutable ledger behind :meth:`Claims.fold`."""

    def __init__(self, state: ClaimsState) -> None:
        self.facts: dict[FactKey, dict[UUID, Claim]] = {}
        for f in state.facts:
            self.facts[f.key] = {c.event_id: c for c in f.claims}

    def add(self, event: Event) -> None:
        claims = _figures(event)
        claimant = _claimant(event)
        sources = tuple(GradedSource(name=s.name, grade=s.grade) for s in event.sources)
        for key, value in claims:
            self.facts.setdefault(key, {})[event.event_id] = Claim(
                value=value,
                claimant=claimant,
                sources=sources,
                event_id=event.event_id,
                occurred_at=event.occurred_at,
                until=event.occurred_until,
                precision=event.time_precision,
            )

    def forget(self, event_id: UUID) -> None:
        """Take out what an event claimed when folded before (it is being folded again)."""
        for key in [k for k, claims in self.facts.items() if event_id in claims]:
            del self.facts[key][event_id]
            if not self.facts[key]:
                del self.facts[key]

    def state(self) -> ClaimsState:
        keys = sorted(self.facts, key=_fact_order)
        return ClaimsState(
            facts=tuple(
                Fact(
                    key=k,
                    claims=tuple(
                        sorted(
                            self.facts[k].values(),
                            key=lambda c: (c.occurred_at, c.claimant or "", c.event_id),
                        )
                    ),
                )
                for k in keys
            )
        )


class Claims:
    """The claims ledger: figures for the same fact from different sources, side by side.

    A fact's claims are ordered by time, claimant and id, and the facts by date and key, so
    the state does not depend on the order events are folded in. Folding an event again
    (the same ``event_id``) replaces what it claimed before. ``apply`` is ``fold`` of one
    event, so the two always agree.
    """

    name = "claims"
    version = 2

    def initial(self) -> ClaimsState:
        """No claims yet."""
        return ClaimsState()

    def apply(self, state: ClaimsState, event: Event) -> ClaimsState:
        """The state after one more event (``fold`` of that one event)."""
        if not isinstance(event, _TYPES):
            return state
        return self.fold(state, (event,))

    def fold(self, state: ClaimsState, events: Iterable[Event]) -> ClaimsState:
        """Fold a batch into a mutable ledger, then build the frozen state once."""
        ledger = _Ledger(state)
        seen: set[UUID] = {c.event_id for f in state.facts for c in f.claims}
        for event in events:
            if not isinstance(event, _TYPES):
                continue
            if event.event_id in seen:
                ledger.forget(event.event_id)
            seen.add(event.event_id)
            ledger.add(event)
        return ledger.state()
