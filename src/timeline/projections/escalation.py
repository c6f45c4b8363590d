"""Escalation: barrages and strikes per day, per reporting window and by weapon; records.

Drone barrages, missile strikes and strikes are counted, and records kept ("the largest
drone barrage in a single night so far").

The state is a table of *tallies* (:class:`Tallies`): one per reporting window, claimant,
kind of attack, attacker and weapon, with the figures summed over the reports that fell into
it. Every total (per day, per window, per weapon, per attacker) is derived from the tallies
the first time it is asked for, then cached.

Definitions (the answers depend on them):

- A *reporting window* is an event's ``occurred_at`` .. ``occurred_until`` (the Air Force's
  "from 18:00 to 08:30"), as claimed by one claimant: ``claimed_by``, or the first source's
  name, or ``None``.
- A *day* is the local date of ``occurred_at`` in the event's zone
  (:func:`timeline.time.local_day`): an overnight barrage from 19:30 on 31 May, Kyiv time,
  counts on ``"2025-05-31"``, one from 01:30 on 2 June Kyiv time (22:30 UTC on 1 June) on
  ``"2025-06-02"``. An event without a zone (an old log's) is dated as before: its UTC date,
  or for a ``"day"``- or ``"month"``-precision event the noon rule (see
  :mod:`timeline.projections.dates`).
- A *kind* is ``"drone"`` (a :class:`~timeline.events.DroneBarrage`), ``"missile"`` (a
  :class:`~timeline.events.MissileStrike`) or ``"strike"`` (a :class:`~timeline.events.Strike`,
  which gives no figures); every other event is ignored.
- A figure a report does not give (``None``) is *unknown*, not zero: it adds nothing to the
  sum, and the number of reports that left it unknown is kept beside the sum. A sum is
  ``None`` when no report gave the figure at all (:meth:`Figures.plus`).
- A *drone record* is a reporting window whose drones launched (summed over its
  :class:`~timeline.events.DroneBarrage` reports) beat every earlier window's, in the order
  the windows were first seen (valid-time order, in a replay).

:meth:`Escalation.apply` says all of this in plain code, one event at a time.
:meth:`Escalation.fold` gives the same state for a whole batch, fast, through a private
columnar engine (:mod:`timeline.projections._escalation_engine`); a property test checks
that the two agree. A snapshot stores the tallies in the format of
:mod:`timeline.projections._escalation_packed` (:meth:`Tallies.to_packed`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import attrs
from pendulum import DateTime

from timeline.projections import _escalation_engine, dates
from timeline.projections._escalation_tallies import (
    DRONE,
    KINDS,
    MISSILE,
    STRIKE,
    Figures,
    Tallies,
    Tally,
    claimant_of,
    kind_of,
    plus,
)

if TYPE_CHECKING:
    from timeline.events import Event

K = TypeVar("K")

__all__ = [
    "DRONE",
    "MISSILE",
    "STRIKE",
    "AttackerIntensity",
    "DayCount",
    "DayTotals",
    "DroneRecord",
    "Escalation",
    "EscalationState",
    "Figures",
    "Tallies",
    "Tally",
    "WeaponTotals",
    "Window",
]


@attrs.frozen
class Window:
    """One reporting window as one claimant reported it, all kinds and weapons together."""

    start: DateTime
    end: DateTime | None
    claimant: str | None
    day: str
    drones: Figures
    missiles: Figures
    strikes: int
    tallies: tuple[Tally, ...]

    @property
    def event_ids(self) -> tuple[UUID, ...]:
        """The ids of the window's events."""
        return tuple(i for t in self.tallies for i in t.event_ids)


@attrs.frozen
class DayTotals:
    """Everything that started on one day (``"2025-05-31"``)."""

    day: str
    drones: Figures
    missiles: Figures
    strikes: int


@attrs.frozen
class WeaponTotals:
    """All the figures for one weapon ("Shahed-136/131") of one kind."""

    kind: str
    weapon: str | None
    figures: Figures


@attrs.frozen
class DroneRecord:
    """A reporting window with more drones launched than any before it.

    Attributes:
        launched: the drones launched in the window (summed over its reports).
        previous: the record it broke, or ``None`` for the first.
        start: the window's start.
        end: the window's end, if given.
        day: the day it counts on.
        claimant: whose figure it is ("Ukrainian Air Force").
        event_ids: the window's drone reports; the first is :attr:`event_id`.
    """

    launched: int
    previous: int | None
    start: DateTime
    end: DateTime | None
    day: str
    claimant: str | None
    event_ids: tuple[UUID, ...]

    @property
    def event_id(self) -> UUID:
        """The (first) report that set the record."""
        return self.event_ids[0]


@attrs.frozen
class DayCount:
    """A count on one day; ``unknown`` reports that gave no figure."""

    day: str
    launched: int
    unknown: int


@attrs.frozen
class AttackerIntensity:
    """Drones and missiles launched by one attacker, per day."""

    attacker: str | None
    days: tuple[DayCount, ...]


class _Sum:
    """A mutable sum of tallies' figures (the views' accumulator; see :meth:`Figures.plus`)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        #: launched, destroyed, lost, and the three unknowns and reports, as in Figures.
        self.values: list[Any] = [None, None, None, 0, 0, 0, 0]

    def add(self, columns: tuple[tuple[Any, ...], ...], i: int) -> None:
        """Add row ``i`` of the figure columns (launched .. reports, as in Figures)."""
        v = self.values
        launched, destroyed, lost, launched_unknown, destroyed_unknown, lost_unknown, reports = (
            columns
        )
        v[0] = plus(v[0], launched[i])
        v[1] = plus(v[1], destroyed[i])
        v[2] = plus(v[2], lost[i])
        v[3] += launched_unknown[i]
        v[4] += destroyed_unknown[i]
        v[5] += lost_unknown[i]
        v[6] += reports[i]

    def figures(self) -> Figures:
        return Figures(*self.values)


def _by_kind(sums: dict[tuple[K, str], _Sum], key: K) -> tuple[Figures, Figures, int]:
    """Drone figures, missile figures and strikes of one key (a window, a day) of ``sums``."""
    drones, missiles, strikes = (sums.get((key, kind)) for kind in KINDS)
    return (
        Figures() if drones is None else drones.figures(),
        Figures() if missiles is None else missiles.figures(),
        0 if strikes is None else strikes.values[6],
    )


@attrs.frozen
class EscalationState:
    """What :class:`Escalation` knows: the tallies, and what is derived from them.

    The totals and records are computed from the tallies on first use, then cached.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> night = DroneBarrage(
    ...     occurred_at=pendulum.datetime(2025, 5, 31, 16, 30),
    ...     occurred_until=pendulum.datetime(2025, 6, 1, 10, 30),
    ...     attacker="Russia", weapon="Shahed-136/131", launched=472,
    ...     claimed_by="Ukrainian Air Force")
    >>> state = Escalation().fold(Escalation().initial(), [night])
    >>> state.drones.launched, state.drones.destroyed, state.drones.destroyed_unknown
    (472, None, 1)
    >>> state.days[0].day
    '2025-05-31'
    >>> record = state.largest_drone_window
    >>> record.launched, record.claimant, record.event_id == night.event_id
    (472, 'Ukrainian Air Force', True)
    """

    tallies: Tallies = attrs.field(factory=Tallies)

    def _sums(self, keys: Iterable[K]) -> dict[K, _Sum]:
        """Sum the tallies by a key per row, in the order the keys first appear."""
        t = self.tallies
        columns = (t.launched, t.destroyed, t.lost, t.launched_unknown, t.destroyed_unknown,
                   t.lost_unknown, t.reports)  # fmt: skip
        out: dict[K, _Sum] = {}
        for i, k in enumerate(keys):
            acc = out.get(k)
            if acc is None:
                acc = out[k] = _Sum()
            acc.add(columns, i)
        return out

    @functools.cached_property
    def _days(self) -> tuple[str, ...]:
        t = self.tallies
        labels: dict[int, str] = {}
        out = []
        for start, precision, zone in zip(t.start, t.precision, t.zone, strict=True):
            ordinal = dates.day_ordinal(start, precision, zone)
            text = labels.get(ordinal)
            if text is None:
                text = labels[ordinal] = dates.day_label(ordinal)
            out.append(text)
        return tuple(out)

    @functools.cached_property
    def _kinds(self) -> dict[str, _Sum]:
        return self._sums(self.tallies.kind)

    def _kind_totals(self, kind: str) -> Figures:
        acc = self._kinds.get(kind)
        return acc.figures() if acc is not None else Figures()

    @functools.cached_property
    def drones(self) -> Figures:
        """All drone figures together."""
        return self._kind_totals(DRONE)

    @functools.cached_property
    def missiles(self) -> Figures:
        """All missile figures together."""
        return self._kind_totals(MISSILE)

    @functools.cached_property
    def strikes(self) -> int:
        """How many strike reports."""
        return self._kind_totals(STRIKE).reports

    @functools.cached_property
    def windows(self) -> tuple[Window, ...]:
        """Every reporting window, in the order first seen."""
        t = self.tallies
        sums = self._sums(zip(t.window, t.kind, strict=True))
        every = tuple(t)
        rows: dict[int, list[int]] = {}
        for i, w in enumerate(t.window):
            rows.setdefault(w, []).append(i)
        out = []
        for w, members in rows.items():
            first = members[0]
            drones, missiles, strikes = _by_kind(sums, w)
            out.append(
                Window(
                    start=t.start[first],
                    end=t.end[first],
                    claimant=t.claimant[first],
                    day=self._days[first],
                    drones=drones,
                    missiles=missiles,
                    strikes=strikes,
                    tallies=tuple(every[i] for i in members),
                )
            )
        return tuple(out)

    @functools.cached_property
    def days(self) -> tuple[DayTotals, ...]:
        """Totals per day, in date order."""
        sums = self._sums(zip(self._days, self.tallies.kind, strict=True))
        out = []
        for day in sorted({d for d, _ in sums}):
            drones, missiles, strikes = _by_kind(sums, day)
            out.append(DayTotals(day=day, drones=drones, missiles=missiles, strikes=strikes))
        return tuple(out)

    def day(self, day: str) -> DayTotals:
        """The totals of one day (``"2025-05-31"``); zeros for a day with no reports."""
        for totals in self.days:
            if totals.day == day:
                return totals
        return DayTotals(day=day, drones=Figures(), missiles=Figures(), strikes=0)

    @functools.cached_property
    def weapons(self) -> tuple[WeaponTotals, ...]:
        """Totals per kind and weapon, by kind then weapon name (unnamed last)."""
        t = self.tallies
        sums = self._sums(zip(t.kind, t.weapon, strict=True))
        keys = sorted(sums, key=lambda k: (KINDS.index(k[0]), k[1] is None, k[1] or ""))
        return tuple(
            WeaponTotals(kind=kind, weapon=weapon, figures=sums[kind, weapon].figures())
            for kind, weapon in keys
        )

    @functools.cached_property
    def drone_records(self) -> tuple[DroneRecord, ...]:
        """The record-breaking drone windows, oldest first; the last is the standing record."""
        t = self.tallies
        totals: dict[int, int] = {}
        firsts: dict[int, int] = {}
        for i, (w, kind, n) in enumerate(zip(t.window, t.kind, t.launched, strict=True)):
            if kind != DRONE:
                continue
            firsts.setdefault(w, i)
            if n is not None:
                totals[w] = totals.get(w, 0) + n
        breaking: list[tuple[int, int, int | None]] = []  # window, launched, previous record
        best: int | None = None
        for w in sorted(firsts):
            n = totals.get(w)
            if n is not None and (best is None or n > best):
                breaking.append((w, n, best))
                best = n
        ids: dict[int, list[UUID]] = {w: [] for w, _, _ in breaking}
        wanted = {
            i
            for i, (w, kind) in enumerate(zip(t.window, t.kind, strict=True))
            if kind == DRONE and w in ids
        }
        window = t.window
        for at, row in enumerate(_escalation_engine.unpack_rows(t.rows)):
            if row in wanted:
                ids[window[row]].append(t.id_of(at))
        return tuple(
            DroneRecord(
                launched=n,
                previous=previous,
                start=t.start[firsts[w]],
                end=t.end[firsts[w]],
                day=self._days[firsts[w]],
                claimant=t.claimant[firsts[w]],
                event_ids=tuple(ids[w]),
            )
            for w, n, previous in breaking
        )

    @property
    def largest_drone_window(self) -> DroneRecord | None:
        """The standing record: the most drones launched in one reporting window so far."""
        records = self.drone_records
        return records[-1] if records else None

    def drone_record_as_of(self, at: dt.datetime) -> DroneRecord | None:
        """The record as it stood at ``at``: the last one whose window started by then."""
        standing = None
        for record in self.drone_records:
            if record.start <= at:
                standing = record
        return standing

    @functools.cached_property
    def intensity(self) -> tuple[AttackerIntensity, ...]:
        """Per attacker (in the order first seen), drones and missiles launched per day."""
        t = self.tallies
        per: dict[str | None, dict[str, list[int]]] = {}
        attackers, launched, unknown = t.attacker, t.launched, t.launched_unknown
        for i, kind in enumerate(t.kind):
            if kind == STRIKE:
                continue
            days = per.setdefault(attackers[i], {})
            acc = days.get(self._days[i])
            if acc is None:
                acc = days[self._days[i]] = [0, 0]
            n = launched[i]
            if n is not None:
                acc[0] += n
            acc[1] += unknown[i]
        return tuple(
            AttackerIntensity(
                attacker=attacker,
                days=tuple(
                    DayCount(day=d, launched=n, unknown=u) for d, (n, u) in sorted(days.items())
                ),
            )
            for attacker, days in per.items()
        )

    def launched_per_day(self, attacker: str | None) -> dict[str, int]:
        """``{day: launched}`` for one attacker (drones and missiles; known figures only)."""
        for series in self.intensity:
            if series.attacker == attacker:
                return {c.day: c.launched for c in series.days}
        return {}


class Escalation:
    """The escalation record: barrages and strikes per day, per window, by weapon; records.

    Counts :class:`~timeline.events.DroneBarrage`, :class:`~timeline.events.MissileStrike`
    (and subclasses) and :class:`~timeline.events.Strike` reports; ignores every other event.
    See the module for the definitions of window, day, kind, unknown and record.

    :meth:`apply` is the meaning, one event at a time, in plain code; :meth:`fold` gives the
    same state for a batch, fast (``replay`` folds batches).

    >>> import pendulum
    >>> from timeline.events import DroneBarrage, MissileStrike
    >>> window = dict(occurred_at=pendulum.datetime(2025, 6, 1, 18, 30),
    ...               occurred_until=pendulum.datetime(2025, 6, 2, 5, 30),
    ...               attacker="Russia", claimed_by="Ukrainian Air Force")
    >>> events = [DroneBarrage(weapon="Shahed-136/131", launched=80, destroyed=52, **window),
    ...           MissileStrike(weapon="Iskander-M/KN-23", launched=3, destroyed=0, **window)]
    >>> p = Escalation()
    >>> state = p.fold(p.initial(), events)
    >>> [(w.kind, w.weapon, w.figures.launched) for w in state.weapons]
    [('drone', 'Shahed-136/131', 80), ('missile', 'Iskander-M/KN-23', 3)]
    >>> state.launched_per_day("Russia")
    {'2025-06-01': 83}
    >>> len(state.windows), state.windows[0].missiles.launched
    (1, 3)
    >>> state.tallies.folded, state.tallies.event_id == tuple(e.event_id for e in events)
    (2, True)
    >>> state == functools.reduce(p.apply, events, p.initial())
    True
    """

    name = "escalation"
    #: 2: event ids kept packed (``Tallies.ids`` and ``rows``). 3: snapshots store the
    #: tallies packed (:meth:`Tallies.to_packed`). 4: the packed format's version 2 (plain
    #: JSON columns). 5: format 3, with each tally's zone (its days are local dates);
    #: earlier snapshots are left unread.
    version = 5

    def initial(self) -> EscalationState:
        """No reports yet."""
        return EscalationState()

    def apply(self, state: EscalationState, event: Event) -> EscalationState:
        """The state after one more event: its report counted into its tally."""
        kind = kind_of(type(event))
        if not kind:
            return state
        attack: Any = event  # a DroneBarrage, MissileStrike or Strike
        report = Tally(
            window=-1,  # the tallies number it
            start=event.occurred_at,
            end=event.occurred_until,
            precision=event.time_precision,
            zone=event.zone,
            claimant=claimant_of(event),
            kind=kind,
            attacker=attack.attacker,
            weapon=attack.weapon,
            figures=(
                Figures(reports=1)  # a strike gives no figures, so none is unknown
                if kind == STRIKE
                else Figures.of_report(attack.launched, attack.destroyed, attack.lost)
            ),
            event_ids=(event.event_id,),
        )
        return EscalationState(tallies=state.tallies.counting(event.event_id, report))

    def fold(self, state: EscalationState, events: Iterable[Event]) -> EscalationState:
        """Fold a batch: equal to ``functools.reduce(self.apply, events, state)``, faster.

        The engine (:mod:`timeline.projections._escalation_engine`) grows plain lists and
        builds the frozen state once at the end; ``state`` is not changed. Fastest in
        valid-time order, as replay gives.
        """
        t = state.tallies
        folded = _escalation_engine.fold(t, t.frontier(), events, kind_of=kind_of, strike=STRIKE)
        if folded.appended and not folded.ids:  # nothing counted: the state as it was
            return state
        return EscalationState(tallies=Tallies._of(folded, t))  # noqa: SLF001  # its own package's
